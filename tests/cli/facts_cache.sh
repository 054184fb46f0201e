# tests/cli/facts_cache.sh — the facts cache behind health (src/store/facts.c, src/health):
# after every kind of write that feeds a score, the ranking read through the cache equals one
# computed from scratch (RAPPORT_FACTS_CACHE=off); a run after a change reads again only what
# the change touched (the SQL trace shows it); a new day, a settings change, a bulk import, a
# sync from a teammate, a damaged cache entry and a write landing while health reads all still
# give the right scores.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_QUIET=1
git_team
ok_run demo d
cd d || exit 1
WS=$T/d
id() { rp list "$1" ${2:+"$2"} --json; printf '%s' "$OUT" | jq -r '.[0].id'; }

# same WHAT: the cached ranking (all scores, bands, components, EVM) equals a fresh one.
same() {
	rp health --json
	cached=$OUT
	export RAPPORT_FACTS_CACHE=off
	rp health --json
	unset RAPPORT_FACTS_CACHE
	if [ -n "$cached" ] && [ "$cached" = "$OUT" ]; then ok; else
		bad "$1: cached scores differ from fresh ones"
		printf '%s\n' "$cached" >"$T/cached.json"
		printf '%s\n' "$OUT" >"$T/fresh.json"
		diff "$T/cached.json" "$T/fresh.json" | head -20
	fi
}
# trace: the SQL a health run executes, one statement a line.
trace() { RAPPORT_TRACE_SQL=0 "$RAPPORT_BIN" health >/dev/null 2>"$T/trace"; }
full_pass() { grep -q 'FROM task WHERE deleted = 0 AND project IS NOT NULL$' "$T/trace"; }
marked_pass() { grep -q 'FROM task WHERE deleted = 0 AND project IS NOT NULL AND project IN (SELECT id FROM facts_dirty)' "$T/trace"; }

same "first run (cold)"
eq "$(sqlite3 .rapport/rapport.db "SELECT count(*) FROM facts_cache")" \
	"$(($("$RAPPORT_BIN" list project --json | jq length) + $("$RAPPORT_BIN" list customer --json | jq length)))" \
	"one cache entry per live project and customer"
trace
if full_pass || marked_pass; then bad "a run with nothing changed read tasks again"; else ok; fi
same "rerun, nothing changed"

P=$(id project status=active)
C=$(rp show "$P" --json; printf '%s' "$OUT" | jq -r '.record.customer')
TASK=$(rp list task "project=$P" status!=done --json; printf '%s' "$OUT" | jq -r '.[0].id')
M=$(id member)

ok_run set "$TASK" progress=95
trace
if marked_pass && ! full_pass; then ok; else bad "one task changed: only its project is read again"; fi
same "task progress"
ok_run add time "project=$P" "member=$M" date=2026-11-20 hours=7
same "time entry added"
ok_run set "$M" rate=321
trace
if full_pass; then ok; else bad "a member's rate feeds every project: everything is read again"; fi
same "member rate"
ok_run add expense "project=$P" date=2026-11-19 amount=4321
same "expense"
MS=$(id milestone "project=$P")
[ "$MS" != null ] && ok_run set "$MS" done=2026-11-21
same "milestone done"
ok_run add ticket "customer=$C" "project=$P" kind=incident title=Outage opened=2026-11-20T08:00:00Z first_response=2026-11-20T20:00:00Z
same "incident ticket"
INV=$(id invoice "customer=$C")
ok_run pay "$INV" --on 2026-11-21
same "invoice paid"
ok_run add survey "customer=$C" "project=$P" kind=nps score=1 date=2026-11-21
same "survey answer"
ok_run add interaction "customer=$C" kind=meeting summary=Review executive=true at=2026-11-21T10:00:00Z
same "executive meeting"
K=$(id contract)
ok_run set "$K" value=1
same "contract value"
C2=$(rp list customer --json; printf '%s' "$OUT" | jq -r --arg c "$C" '[.[] | select(.id != $c)][0].id')
ok_run set "$P" "customer=$C2"
same "project moved to another customer"
ok_run rm --force "$P"
same "project deleted"
ok_run undelete "$P"
same "project restored"
ok_run rm --force "$C2"
same "customer deleted"
ok_run undelete "$C2"
same "customer restored"
ok_run config --team health.project.spi.weight 40
same "a weight changed (scores move, facts do not)"
ok_run config --team health.survey.fade_days 30
same "survey fade changed (the sums move: the cache is read afresh)"

# A bulk import (the path that drops indexes and triggers) marks everything.
{
	echo "project,name,budget,progress,start,due"
	i=0
	while [ $i -lt 2500 ]; do
		echo "$P,Imported $i,100,$((i % 100)),2026-11-01,2026-12-01"
		i=$((i + 1))
	done
} >"$T/tasks.csv"
ok_run import task "$T/tasks.csv"
trace
if full_pass; then ok; else bad "after a bulk import everything is read again"; fi
same "bulk import of 2500 tasks"
eq "$(sqlite3 .rapport/rapport.db "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'task'")" 3 \
	"the import put the task triggers back"

# A teammate's work arriving by sync.
git init -q --bare "$T/remote.git"
ok_run remote add origin "$T/remote.git"
ok_run sync
cd "$T" || exit 1
ok_run clone "$T/remote.git" e
ok_run -C e set "$TASK" progress=5
ok_run -C e add survey "customer=$C" kind=csat score=1 date=2026-11-22
ok_run -C e sync
cd "$T/d" || exit 1
same "before the pull"
ok_run sync
same "after pulling a teammate's changes"

# A damaged entry is not trusted: everything is measured again.
sqlite3 .rapport/rapport.db "UPDATE facts_cache SET data = x'00' WHERE id = (SELECT id FROM facts_cache LIMIT 1)"
same "damaged entry (wrong size)"
sqlite3 .rapport/rapport.db "UPDATE facts_cache SET data = (SELECT data FROM facts_cache ORDER BY id DESC LIMIT 1) WHERE id = (SELECT id FROM facts_cache WHERE kind = (SELECT kind FROM facts_cache ORDER BY id DESC LIMIT 1) ORDER BY id LIMIT 1)"
same "damaged entry (another record's facts)"

# A write landing while health reads is neither blocked (health holds no lock while it reads)
# nor lost (health sees the count of marking writes moved and does not write the cache): once
# while it reads what marks name, once while it reads everything.
OTHER=$(rp list task "project!=$P" status!=done --json; printf '%s' "$OUT" | jq -r '.[0].id')
during() {
	rm -f "$T/reading"
	RAPPORT_PAUSE=facts:"$T/reading" "$RAPPORT_BIN" health >/dev/null 2>&1 &
	pid=$!
	i=0
	while [ ! -e "$T/reading" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	before=$(date +%s%N)
	ok_run set "$TASK" "progress=$2"
	took=$((($(date +%s%N) - before) / 1000000))
	wait $pid
	[ -e "$T/reading" ] && ok || bad "$1: health never reached its pause"
	[ "$took" -lt 2500 ] && ok || bad "$1: a write waited ${took} ms for health to finish reading"
	same "$1"
}
same "before concurrent writes"
ok_run set "$OTHER" progress=11
during "a write while health reads the marked" 42
sqlite3 .rapport/rapport.db "INSERT OR IGNORE INTO facts_dirty(id) VALUES('*')"
during "a write while health reads everything" 43
eq "$(sqlite3 .rapport/rapport.db "SELECT count(*) FROM facts_dirty")" 0 "the next run settled the marks"

# Another day: the cache is for one status date.
export RAPPORT_NOW=2026-11-29T09:00:00Z
trace
if full_pass; then ok; else bad "a new day reads everything again"; fi
same "a week later"
# --at another day neither reads nor rewrites it.
key=$(sqlite3 .rapport/rapport.db "SELECT value FROM meta WHERE key = 'facts'")
ok_run health --at 2026-10-01
eq "$(sqlite3 .rapport/rapport.db "SELECT value FROM meta WHERE key = 'facts'")" "$key" "--at leaves the cache alone"
finish
