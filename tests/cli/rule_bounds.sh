# tests/cli/rule_bounds.sh — the bounds of the rules' sandbox (rapport-rules(5) LIMITS).
# Conditions that would exhaust the machine (a huge blob, a value built past 16 MiB, a
# character repeated a billion times, searches and trims whose work is the product of their
# inputs, memory past 64 MiB, a sort spilling to temporary files, a query without end) are
# refused when typed, checked or loaded: exit 2, the reason, the file and line of the
# condition, nothing changed. Stored anyway (as by a replica that did not check them), they
# are stopped with the reason when rules run, and the other rules still raise their alerts in
# the same process. Every run's CPU time and peak memory are measured by /usr/bin/time (the
# process's own accounting, not a timeout) and must stay bounded: before the bounds, these
# took 6-30 s of CPU and up to 2.5 GB.
. "$(dirname "$0")/../lib.sh"
# ASan keeps freed blocks mapped, up to 256 MiB by default, to catch use after free: that
# would be the sanitizer's memory in the peak measured here, not rapport's. A smaller
# quarantine still catches a use soon after the free.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"
ok_run init ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }

r add member name=Ann email=ann@example.com role=pm >/dev/null
r add customer name=Acme stage=active owner=Ann >/dev/null
r add project customer=Acme name=Portal status=active manager=Ann start=2026-11-01 >/dev/null
LATE=$(r add task project=Portal name=LateKey key=true due=2026-11-10)
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do r add task project=Portal name=Filler$i >/dev/null; done
ok_run alerts # the default rules exist from here on

# The bombs: name;condition;the reason they are refused or stopped.
cat >"$T/bombs" <<'EOF'
blob;length(randomblob(999999999)) > 0;stopped: a value would be larger than 16 MiB
hex4;length(hex(zeroblob(99999999)) || hex(zeroblob(99999999)) || hex(zeroblob(99999999)) || hex(zeroblob(99999999))) > 0;stopped: a value would be larger than 16 MiB
repeat;length(printf('%.*c', 999999999, 'x')) > 0;stopped: a value would be larger than 16 MiB
instr;instr(printf('%.*c', 4000000, 'a'), printf('%.*c', 400000, 'a') || 'b') > 0;stopped: instr() on values of 4000000 and 400001 bytes is more work than a rule may do
like;printf('%.*c', 4000000, 'a') LIKE '%' || printf('%.*c', 1000, 'a') || 'b';stopped: like() on values of 1002 and 4000000 bytes
trim;length(trim(printf('%.*c', 4000000, 'a'), printf('%.*c', 40000, 'b') || 'a')) > 0;stopped: trim() on values of 4000000 and 40001 bytes
patch;json_patch('{"a":"' || printf('%.*c', 1000000, 'x') || '"}', '{"b":' || printf('%.*c', 100, '1') || '}') IS NOT NULL;stopped: json_patch() on values of
memory;max(hex(zeroblob(8000000)), hex(zeroblob(8000000)), hex(zeroblob(8000000)), hex(zeroblob(8000000)), hex(zeroblob(8000000))) > '';stopped: needed more than 64 MiB
sort;(SELECT count(*) FROM (SELECT zeroblob(16000000) AS z FROM task_status a, task_status b ORDER BY z)) > 0;stopped: needed more than 128 MiB of temporary files
endless;(SELECT count(*) FROM task_status a, task_status b, task_status c, task_status d, task_status e, task_status f, task_status g, task_status h) > 0;stopped: ran longer than 2 s
EOF

# measured ARGS...: like rp, and sets CPU (user + system seconds) and RSS (peak, KiB).
measured() {
	/usr/bin/time -f '%U %S %M' -o "$T/.time" "$RAPPORT_BIN" "$@" >"$T/.out" 2>"$T/.err" </dev/null
	rp_done $? "$@"
	CPU=$(tail -n 1 "$T/.time" | awk '{ print $1 + $2 }')
	RSS=$(tail -n 1 "$T/.time" | awk '{ print $3 }')
	echo "measured: $CPU s CPU, $RSS KiB peak: rapport $(printf '%s' "$*" | head -c 70)"
}
# within SECONDS MIB WHAT: the last measured run used less CPU and memory than that. The
# memory bound allows for the sanitizers (ASan's shadow memory and quarantine).
within() {
	if awk -v c="$CPU" -v m="$1" 'BEGIN { exit !(c < m) }'; then ok; else bad "$3: $CPU s of CPU, wanted under $1 s"; fi
	if [ "$RSS" -lt $(($2 * 1024)) ]; then ok; else bad "$3: peak RSS $RSS KiB, wanted under $2 MiB"; fi
}
# refused 'MESSAGE' ARGS...: exit 2, the message, the database unchanged, bounded.
refused() {
	msg=$1
	shift
	before=$(dbdump)
	measured "$@"
	status_is 2 "rapport $*:"
	err_has "$msg"
	[ "$before" = "$(dbdump)" ] && ok || bad "rapport $* changed the database"
	within 6 300 "rapport $(printf '%s' "$*" | head -c 60)"
}

# Typed, checked and loaded: refused up front.
while IFS=';' read -r name when why; do
	refused "rule $name: when: $why" add rule name=$name watch=task "when=$when" message=x
	# In a file, after a good rule: the line of its condition, all or nothing.
	printf 'name fine-%s\nwatch task\nwhen late_days > 1\nmessage x\n\n# a rule from the team\nname %s\nwatch task\nmessage x\nwhen %s\n' \
		"$name" "$name" "$when" >"$T/$name.txt"
	refused "$T/$name.txt: line 10: rule $name: when: $why" rules check "$T/$name.txt"
	refused "$T/$name.txt: line 10: rule $name: when: $why" rules load "$T/$name.txt"
done <"$T/bombs"

# Stored anyway, as if synced from a replica that did not check them: each becomes a rule
# that runs before the others (at_risk rules run first), so the default rules run after every
# bomb was stopped in the same process.
while IFS=';' read -r name when why; do
	ok_run add rule name=$name watch=task "when=late_days > 999" message=x actions=alert,at_risk
	esc=$(printf '%s' "$when" | sed "s/'/''/g")
	sqlite3 .rapport/rapport.db "UPDATE rule SET \"when\" = '$esc' WHERE name = '$name'"
done <"$T/bombs"
while IFS=';' read -r name when why; do
	measured rules test $name
	status_is 2 "rules test $name:"
	err_has "rule $name: $why"
	within 6 300 "rules test $name"
done <"$T/bombs"
measured alerts
status_is 0 "alerts with every bomb stored:"
within 20 300 "alerts with every bomb stored"
while IFS=';' read -r name when why; do
	err_has "rule $name: $why"
done <"$T/bombs"
rid=$(sqlite3 .rapport/rapport.db "select id from rule where name = 'key-task-late'")
eq "$(sqlite3 .rapport/rapport.db "select count(*) from alert where rule = '$rid' and \"on\" = '$LATE' and state = 'open'")" 1 \
	"a default rule raises its alert after the bombs were stopped"
out_has "LateKey"
measured rules check
status_is 2 "rules check with the bombs stored:"
out_has "rule memory: when: stopped: needed more than 64 MiB"
err_has "10 of 22 rules are invalid"
within 20 300 "rules check with the bombs stored"
# Disabled, a bomb is only compiled, so it can always be turned off; then nothing is invalid.
while IFS=';' read -r name when why; do
	rp set $name enabled=false
	status_is 0 "disabling $name:"
done <"$T/bombs"
ok_run rules check
out_has "22 rules, all valid"

# Still legal: the bounded functions give the built-ins' answers, values up to 16 MiB.
ok_run add rule name=words watch=task message=x \
	"when=name LIKE 'late%' AND name GLOB 'Late*' AND instr(name, 'K') = 5 AND replace(name, 'Key', '') = 'Late' AND trim('xLateKeyx', 'x') = name AND printf('%s %.*c', name, 3, '!') = 'LateKey !!!' AND length(hex(zeroblob(4000000))) = 8000000"
ok_run rules test words
out_has "LateKey"
finish
