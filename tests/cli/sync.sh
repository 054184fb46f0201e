# tests/cli/sync.sh — team sync as a team meets it: several workspaces and a real bare remote
# on one machine, plain git on the same remote, hostile remote content, and a crash injected at
# every step of a sync followed by a sync that completes with nothing lost.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_QUIET=1
git_team

git init -q --bare remote.git
at() { RAPPORT_NOW=$1; export RAPPORT_NOW; } # later writes win true conflicts
inw() { WS=$1; shift; rp -C "$WS" "$@"; }
ok_in() { WS=$1; shift; ok_run -C "$WS" "$@"; }
val() { inw "$1" list "$2" "name=$3" --columns "$4" --json; printf '%s' "$OUT" | jq -r ".[0].$4 // \"\""; }
tip() { git --git-dir="$1/.rapport/snapshots.git" rev-parse 'main^{tree}'; }

# ---- first sync, clone ----
at 2026-11-22T09:00:00Z
ok_run init A
ok_in A add customer name=Contoso stage=active industry=Retail
ok_in A add customer name=Fabrikam
ok_in A add member name=Ann email=ann@example.com
rp -C A pull
status_is 2 "pull without a remote"
err_has "no remote"
ok_in A sync
out_has "No remote yet"
ok_in A remote add origin ../remote.git
ok_in A remote list
out_has "origin"
rejects "already exists" -C A remote add origin ../remote.git
rejects "not a valid remote name" -C A remote add "bad name" ../remote.git
ok_in A sync
out_has "Pushed to origin"
ok_run clone remote.git B
out_has "Cloned"
ok_in B list customer
out_has Contoso
out_has Fabrikam
ok_run clone "file://$T/remote.git" C
ok_in C show Contoso
out_has Retail
rp clone "$T/nothing-here.git" D
status_is 1 "clone of a missing remote"
[ ! -e D ] && ok || bad "a failed clone left D behind"

# ---- edits to different fields of one record merge without conflict ----
at 2026-11-22T10:00:00Z
ok_in A set Contoso industry=Banking
at 2026-11-22T10:01:00Z
ok_in B set Contoso region=EU
ok_in A sync
ok_in B sync
ok_in A sync
eq "$(val A customer Contoso industry)" Banking "A's edit"
eq "$(val A customer Contoso region)" EU "B's edit reached A"
eq "$(val B customer Contoso industry)" Banking "A's edit reached B"
ok_in A conflicts
out_has "No conflicts"

# ---- the same field on both sides: the later write wins, the other is kept ----
at 2026-11-22T11:00:00Z
ok_in A set Contoso stage=loyal
at 2026-11-22T11:05:00Z
ok_in B set Contoso stage=at_risk
ok_in A sync
ok_in B sync
out_has "1 conflict"
ok_in A sync
eq "$(val A customer Contoso stage)" at_risk "the later write wins"
eq "$(val B customer Contoso stage)" at_risk "the later write wins on B too"
ok_in A conflicts
out_has "stage: kept at_risk; other loyal"
ok_in A conflicts --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].conflicts[0].other')" loyal "conflicts --json"
ok_in B status --json
eq "$(printf '%s' "$OUT" | jq -r .conflicts)" 1 "status counts the conflict"
rejects "no conflict on 'industry'" -C A resolve Contoso industry ours
rejects "no record" -C A resolve ffffffff stage ours
ok_in A resolve Contoso stage theirs
eq "$(val A customer Contoso stage)" loyal "resolve theirs takes the losing value"
ok_in A sync
ok_in B sync
eq "$(val B customer Contoso stage)" loyal "the resolution syncs"
ok_in B conflicts
out_has "No conflicts"

# ---- sets merge item by item, honouring removals ----
ok_in A set Fabrikam tags=a,b,c
ok_in A sync
ok_in B sync
at 2026-11-22T11:30:00Z
ok_in A set Fabrikam tags-=a tags+=x
ok_in B set Fabrikam tags-=c tags+=y
ok_in A sync
ok_in B sync
ok_in A sync
inw A show Fabrikam --json
eq "$(printf '%s' "$OUT" | jq -r '.record.tags | join(",")')" "b,x,y" "tags merged"
ok_in A conflicts
out_has "No conflicts"

# ---- long text merges by line ----
printf 'line one\nline two\nline three\n' >note.txt
ok_in A set Fabrikam "note=$(cat note.txt)"
ok_in A sync
ok_in B sync
ok_in A set Fabrikam "note=$(printf 'line ONE\nline two\nline three')"
ok_in B set Fabrikam "note=$(printf 'line one\nline two\nline THREE')"
ok_in A sync
ok_in B sync
inw B show Fabrikam --json
eq "$(printf '%s' "$OUT" | jq -r .record.note)" "$(printf 'line ONE\nline two\nline THREE')" "line merge of note"

# ---- delete against edit: stays deleted, keeps the edit, undelete brings it back ----
at 2026-11-22T12:00:00Z
ok_in A add customer name=Northwind
ok_in A sync
ok_in B sync
ok_in A rm Northwind
ok_in B set Northwind industry=Shipping
ok_in A sync
ok_in B sync
ok_in A sync
inw A list customer name=Northwind
out_lacks Northwind "deleted against edit stays deleted"
ok_in A conflicts
out_has "undelete"
NW=$(sqlite3 A/.rapport/rapport.db "select id from customer where name='Northwind'")
ok_in A undelete "$NW"
eq "$(val A customer Northwind industry)" Shipping "the edit survived the delete"
ok_in A conflicts
out_has "No conflicts"

# ---- records created on both sides ----
ok_in A add customer name=OnlyA
ok_in B add customer name=OnlyB
ok_in A sync
ok_in B sync
ok_in A sync
inw A list customer --json
eq "$(printf '%s' "$OUT" | jq -r '[.[].name] | sort | join(",")')" "Contoso,Fabrikam,Northwind,OnlyA,OnlyB" "both creations on A"
ok_in C sync
inw C list customer --json
eq "$(printf '%s' "$OUT" | jq -r '[.[].name] | sort | join(",")')" "Contoso,Fabrikam,Northwind,OnlyA,OnlyB" "both creations on C"

# ---- three replicas, every order: all end byte-identical ----
n=0
for order in "A B C" "A C B" "B A C" "B C A" "C A B" "C B A"; do
	n=$((n + 1))
	at "2026-11-22T13:0$n:00Z"
	ok_in A set Contoso "industry=A$n"
	ok_in B set Contoso "industry=B$n" region=R$n
	ok_in C set OnlyA "industry=C$n"
	ok_in C add customer "name=C$n"
	for w in $order; do ok_in "$w" sync; done
	for w in $order; do ok_in "$w" sync; done
	ta=$(tip A) tb=$(tip B) tc=$(tip C)
	if [ "$ta" = "$tb" ] && [ "$tb" = "$tc" ]; then ok; else bad "order $order: trees differ"; fi
	a=$(sqlite3 A/.rapport/rapport.db "select name, industry, region, stage, tags, conflicts from customer order by id")
	c=$(sqlite3 C/.rapport/rapport.db "select name, industry, region, stage, tags, conflicts from customer order by id")
	eq "$a" "$c" "order $order: databases agree"
done

# ---- a field added by one member reaches the others ----
ok_in A field add customer tier choice gold,silver
ok_in A set Contoso tier=gold
ok_in A sync
ok_in B sync
eq "$(val B customer Contoso tier)" gold "custom field and value synced"

# ---- plain git reads the remote, and a record edited with git comes back ----
git clone -q remote.git plain
CID=$(sqlite3 A/.rapport/rapport.db "select id from customer where name='Contoso'")
CP="customer/${CID%"${CID#??}"}/$CID"
[ -f "plain/$CP" ] && ok || bad "plain clone lacks $CP"
grep -q '^name Contoso$' "plain/$CP" && ok || bad "record file is not readable text"
(cd plain && git ls-files) | grep -q '^FORMAT$' && ok || bad "no FORMAT file"
(cd plain && git log -p -- "$CP") >gitlog.txt
grep -q '^-stage at_risk$' gitlog.txt && grep -q '^+stage loyal$' gitlog.txt && ok || bad "git log -p does not show field changes"
sed -i 's/^industry .*/industry Edited with git/' "plain/$CP"
(cd plain && git commit -qam "edit with plain git" && git push -q origin main) || bad "plain git push"
ok_in B sync
eq "$(val B customer Contoso industry)" "Edited with git" "a plain git edit is picked up"

# ---- history: log, diff, restore ----
ok_in B log Contoso
out_has "industry:"
out_has "Edited with git"
ok_in B log --json --limit 2
eq "$(printf '%s' "$OUT" | jq length)" 2 "log --limit"
ok_in B set Contoso industry=Local
ok_in B diff
out_has "changed customer"
out_has "industry: Edited with git → Local"
ok_in B status
out_has "Local changes not yet snapshotted: 1"
FIRST=$(git --git-dir=B/.rapport/snapshots.git rev-list --max-parents=0 main | tail -1)
ok_in B diff "$FIRST" main
out_has "added customer"
ok_in B restore --at "$FIRST" Contoso
eq "$(val B customer Contoso industry)" Retail "restore --at the first snapshot"
rejects "is not a snapshot" -C B restore --at nosuchrev Contoso
rejects "did not exist in snapshot" -C B restore --at "$FIRST" OnlyB
rejects "is not a snapshot" -C B diff nosuchrev
ok_in B sync

# ---- hostile content from the remote: reported, skipped, nothing else disturbed ----
ok_in A sync
(cd plain && git pull -q)
mkdir -p plain/customer/zz plain/widget/ab plain/customer/ab plain/contact/ab
printf 'rev x\ncreated 2026-01-01T00:00:00Z\n' >"plain/customer/zz/not-an-id"
head -c 3000 /dev/urandom >"plain/customer/ab/ab000000000000000000000000000001"
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\nname Widget\n' >plain/widget/ab/ab000000000000000000000000000002
{ printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\nname '; head -c 2000000 /dev/zero | tr '\0' x; printf '\n'; } >plain/customer/ab/ab000000000000000000000000000003
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\nname Bad date\nstage nonsense\n' >plain/customer/ab/ab000000000000000000000000000004
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\ncustomer ab0000000000000000000000000000ff\nname Orphan\n' >plain/contact/ab/ab000000000000000000000000000005
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\nname Evil\033]0;pwned\007 \\x1b[31mred\nfuture_field kept as is\n' >plain/customer/ab/ab000000000000000000000000000006
(cd plain && git add -A && git commit -qm hostile && git push -q origin main) || bad "pushing hostile content"
# The planted files' ids all start ab0000…; a real record's random id may start with "ab".
mine="id not like 'ab000000000000000000000000000%'"
before=$(sqlite3 A/.rapport/rapport.db "select name, industry from customer where $mine order by id")
inw A sync
status_is 0 "sync with hostile files"
err_has "customer/zz/not-an-id: not a record path"
err_has "customer/ab/ab000000000000000000000000000001: binary content"
err_has "widget/ab/ab000000000000000000000000000002: unknown record kind 'widget'"
err_has "ab000000000000000000000000000003: 2000"
err_has "ab000000000000000000000000000004: line 5"
err_has "ab000000000000000000000000000005: customer: ab0000000000000000000000000000ff is not a known customer"
after=$(sqlite3 A/.rapport/rapport.db "select name, industry from customer where $mine order by id")
eq "$after" "$before" "hostile files left local data alone"
inw A show ab000000000000000000000000000006
out_lacks "$(printf '\033')" "a control byte reached the terminal"
inw A show ab000000000000000000000000000006 --json
eq "$(printf '%s' "$OUT" | jq -r .record.name)" "$(printf 'Evil\033]0;pwned\007 \033[31mred')" "control bytes are kept as data"
ok_in A set ab000000000000000000000000000006 industry=Toys
ok_in A sync
git --git-dir=remote.git show main:customer/ab/ab000000000000000000000000000006 >evil.txt
grep -q '^future_field kept as is$' evil.txt && ok || bad "an unknown field was dropped"
grep -q '^name Evil\\x1b\]0;pwned\\x07 \\x1b\[31mred$' evil.txt && ok || bad "control bytes not escaped in the file: $(cat evil.txt)"
[ ! -e A/customer ] && [ ! -e A/.rapport/customer ] && ok || bad "a remote file became a file on disk"

# ---- a crash at every step of sync, then a sync that completes with nothing lost ----
for step in snapshot snapshot-ref fetch merge import imported push pushed; do
	at "2026-11-22T15:00:00Z"
	ok_in B set Contoso "industry=B-$step"
	ok_in B sync
	ok_in A add customer "name=Crash-$step"
	ok_in A set OnlyA "region=R-$step"
	# In a subshell, so the shell's "Killed" notice stays out of the test output.
	st=$( (RAPPORT_CRASH=$step "$RAPPORT_BIN" -C A sync >/dev/null 2>&1); echo $?) 2>/dev/null
	if [ "$st" -eq 137 ]; then ok; else bad "RAPPORT_CRASH=$step: exit $st, not killed"; fi
	ok_in A sync
	ok_in B sync
	eq "$(val A customer Contoso industry)" "B-$step" "after a crash at $step: B's edit reached A"
	eq "$(val B customer "Crash-$step" name)" "Crash-$step" "after a crash at $step: A's record reached B"
	eq "$(val B customer OnlyA region)" "R-$step" "after a crash at $step: A's edit reached B"
	eq "$(tip A)" "$(tip B)" "after a crash at $step: A and B agree"
done

# ---- the workspace is used while a sync runs: a write made meanwhile is merged, not lost ----
ok_in A sync
ok_in B sync
ok_in B set Contoso industry=While-syncing-B
ok_in B sync
RAPPORT_PAUSE="fetch:$T/paused" "$RAPPORT_BIN" -C A sync >/dev/null 2>"$T/bg.err" &
bg=$!
i=0
while [ ! -e "$T/paused" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$T/paused" ] && ok || bad "the paused sync never got past the fetch"
ok_in A set Contoso region=Written-during-sync
wait $bg && ok || bad "the sync with a concurrent write failed: $(cat "$T/bg.err")"
eq "$(val A customer Contoso industry)" While-syncing-B "the pulled change landed"
eq "$(val A customer Contoso region)" Written-during-sync "the concurrent local write survived"
ok_in A sync
ok_in B sync
eq "$(val B customer Contoso region)" Written-during-sync "the concurrent write reached B"

# ---- rules run after a sync brings in what others did; alerts merge, never double ----
at 2026-11-22T16:00:00Z
ok_in A alerts
ok_in A sync
ok_in B sync
ok_in B rules
out_has "invoice-overdue"
INV=$(RAPPORT_NOW=2026-11-22T16:00:00Z "$RAPPORT_BIN" -C A add invoice customer=Contoso number=LATE-1 amount=10 issued=2026-11-01 due=2026-11-02)
ok_in A sync
ok_in B sync
out_has "new alert"
ok_in A alerts
ok_in A sync
ok_in B sync
eq "$(sqlite3 B/.rapport/rapport.db "select count(*) from alert where \"on\"='$INV' and deleted=0")" 1 "one alert for the invoice, whoever raised it"
ok_in A conflicts

# ---- push refuses to overwrite, sync retries ----
ok_in B set Contoso industry=Pushed-by-B
ok_in B sync
ok_in A set OnlyA industry=Mine
rp -C A push
status_is 1 "push behind the remote"
err_has "the remote has new snapshots"
ok_in A sync
eq "$(val A customer Contoso industry)" Pushed-by-B "sync merged before pushing"

finish
