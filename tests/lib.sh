# tests/lib.sh — sourced by every CLI test script. Sets up the sealed environment and gives the
# assertions: each records a pass or prints "FAIL …" with what happened, and `finish` prints
# "NAME: N passed, N failed". Every run of rapport is checked for sanitizer reports.
set -u
NAME=$(basename "$0" .sh)
PASS=0
FAIL=0
T=$(mktemp -d)
export HOME="$T/home" TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 RAPPORT_NOW=2026-11-22T09:00:00Z
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Leaks inside system libraries (see tests/lsan.supp) are not rapport's.
export LSAN_OPTIONS="suppressions=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lsan.supp:print_suppressions=0"
mkdir -p "$HOME"
cd "$T" || exit 1

ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL [$NAME] $*"
}

# rp ARGS...: runs rapport; sets STATUS, OUT, ERR.
rp() {
	"$RAPPORT_BIN" "$@" >"$T/.out" 2>"$T/.err" </dev/null
	rp_done $? "$@"
}

# rp_done STATUS ARGS...: what rp does after a run that wrote $T/.out and $T/.err.
rp_done() {
	STATUS=$1
	shift
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/.err"; then
		bad "sanitizer report from: rapport $*"
		sed 's/^/    /' "$T/.err" | head -40
	fi
}

# ok_run ARGS...: runs rapport and expects success.
ok_run() {
	rp "$@"
	if [ "$STATUS" = 0 ]; then ok; else bad "rapport $* — exit $STATUS: $ERR"; fi
}

status_is() { if [ "$STATUS" = "$1" ]; then ok; else bad "${2:-} exit $STATUS, wanted $1; stderr: $ERR"; fi; }
out_has() { case "$OUT" in *"$1"*) ok ;; *) bad "stdout lacks '$1'${2:+ ($2)}: $(printf '%s' "$OUT" | head -c 600)" ;; esac; }
out_lacks() { case "$OUT" in *"$1"*) bad "stdout has '$1'${2:+ ($2)}" ;; *) ok ;; esac; }
err_has() { case "$ERR" in *"$1"*) ok ;; *) bad "stderr lacks '$1': $ERR" ;; esac; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "${3:-values differ}: got '$1', wanted '$2'"; fi; }

# Every test's own look into a database waits for the lock. The last connection to close
# checkpoints the WAL under an exclusive lock, so a TUI that tmux has just killed, or one
# still refreshing in the background, can make a bare sqlite3 fail with "database is
# locked" and turn a passing test red by timing alone.
sqlite3() { command sqlite3 -cmd ".timeout 10000" "$@"; }

# as_test_user: who rapport stamps writes with in a test, "Test User <test@example.com>".
as_test_user() {
	rp config --global user.name "Test User"
	rp config --global user.email test@example.com
}

# git_team: git's own identity and branch, for tests that sync through a bare remote.
git_team() {
	git config --global user.name "Test Git" && git config --global user.email git@example.com &&
		git config --global init.defaultBranch main
}

# The workspace's data as text, to prove that a failed command changed nothing.
# (The query planner's statistics are not data.)
dbdump() { sqlite3 "${WS:-.}/.rapport/rapport.db" .dump | grep -v sqlite_stat | sha256sum; }

# rejects 'MESSAGE' ARGS...: exit 2, the message on stderr, and the database unchanged.
rejects() {
	msg=$1
	shift
	before=$(dbdump)
	rp "$@"
	status_is 2 "rapport $*:"
	err_has "$msg"
	after=$(dbdump)
	if [ "$before" = "$after" ]; then ok; else bad "rapport $* changed the database"; fi
}

finish() {
	echo "$NAME: $PASS passed, $FAIL failed"
	cd /
	rm -rf "$T"
	[ "$FAIL" -eq 0 ]
	exit $?
}
