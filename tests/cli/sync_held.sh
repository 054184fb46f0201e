# tests/cli/sync_held.sh — a remote that is merely wrong, not hostile: files that do not validate
# here, custom fields defined twice, a clock years ahead, merges that break a whole-record rule,
# files removed with plain git. Nothing anyone saved may be lost: every value stays current, is
# kept as a conflict, or is held with its reason in the snapshot the team shares.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_QUIET=1
git_team

at() { RAPPORT_NOW=$1; export RAPPORT_NOW; }
inw() { WS=$1; shift; rp -C "$WS" "$@"; }
ok_in() { WS=$1; shift; ok_run -C "$WS" "$@"; }
val() { inw "$1" list "$2" "name=$3" --columns "$4" --json; printf '%s' "$OUT" | jq -r ".[0].$4 // \"\""; }
remote_file() { git --git-dir=remote.git show "main:$1"; }
path_of() { id=$(sqlite3 "$1/.rapport/rapport.db" "select id from $2 where name='$3'"); echo "$2/${id%"${id#??}"}/$id"; }
# Plain git stamps its commits with the same clock as rapport's here.
git() { GIT_AUTHOR_DATE=$RAPPORT_NOW GIT_COMMITTER_DATE=$RAPPORT_NOW command git "$@"; }
plain_edit() { # plain_edit PATH SED-SCRIPT MESSAGE: a teammate edits a file with plain git
	(cd plain && git pull -q && sed -i "$2" "$1" && git commit -qam "$3" && git push -q origin main) || bad "plain git edit of $1"
}

at 2026-11-22T09:00:00Z
git init -q --bare remote.git
ok_run init A
ok_in A add customer name=Contoso stage=active industry=Retail
ok_in A add customer name=Fabrikam
ok_in A add project customer=Contoso name=Rollout start=2026-01-01 due=2026-12-31
ok_in A remote add origin ../remote.git
ok_in A sync
ok_run clone remote.git B
git clone -q remote.git plain
CP=$(path_of A customer Contoso)

# ---- 1a: a plain-git edit that does not validate, then a valid one in the same file ----
at 2026-11-22T10:00:00Z
plain_edit "$CP" 's/^stage .*/stage sideways/' "an invalid value"
plain_edit "$CP" 's/^industry .*/industry After bad/' "a valid value next to it"
inw A sync
status_is 0 "sync with a file that does not validate"
out_has "1 record held"
err_has "'sideways' is not one of"
ok_in A conflicts
out_has "held: the team's copy could not be read"
out_has "sideways"
ok_in A show Contoso
out_has "Held"
ok_in A conflicts --json
eq "$(printf '%s' "$OUT" | jq -r '.[] | select(.held) | .held.reason' | grep -c sideways)" 1 "conflicts --json names the reason"
ok_in A status
out_has "Held: 1 record"
eq "$(val A customer Contoso stage)" active "the database keeps its last valid copy"
# An unrelated edit here merges into the team's bytes instead of over them.
at 2026-11-22T10:05:00Z
ok_in A set Contoso region=EU
ok_in A sync
remote_file "$CP" >c.txt
grep -q '^stage sideways$' c.txt && ok || bad "the team's invalid value was overwritten: $(cat c.txt)"
grep -q '^industry After bad$' c.txt && ok || bad "the team's valid edit was overwritten: $(cat c.txt)"
grep -q '^region EU$' c.txt && ok || bad "the local edit did not reach the team: $(cat c.txt)"
# B reads the same file the same way, and holds it for itself.
ok_in B sync
out_has "held"
# What validates of the team's copy comes in; what does not keeps B's value, and is held.
eq "$(val B customer Contoso region)" EU "B takes the valid values of the held copy"
eq "$(val B customer Contoso industry)" "After bad" "B takes the valid edit next to the bad one"
eq "$(val B customer Contoso stage)" active "B keeps its value where the team's does not validate"
ok_in B conflicts
out_has "sideways"
# theirs is refused while the team's copy still does not read; ours is the user's choice.
rejects "still cannot be read" -C A resolve Contoso --held theirs
rejects "not held" -C A resolve Fabrikam --held ours
rejects "takes ours or theirs" -C A resolve Contoso --held maybe
# A repair by anyone, with plain git, releases the hold everywhere on the next sync.
plain_edit "$CP" 's/^stage .*/stage loyal/' "repaired"
ok_in A sync
ok_in B sync
for w in A B; do
	eq "$(val $w customer Contoso stage)" loyal "$w: the repaired value came in"
	eq "$(val $w customer Contoso industry)" "After bad" "$w: the valid edit next to it came in"
	eq "$(val $w customer Contoso region)" EU "$w: the local edit made while held survived"
	eq "$(sqlite3 $w/.rapport/rapport.db 'select count(*) from held')" 0 "$w: nothing held any more"
done
# resolve --held ours: this replica's copy is written for the team.
plain_edit "$CP" 's/^stage .*/stage upside-down/' "invalid again"
ok_in A sync
ok_in A resolve Contoso --held ours
out_has "Kept this replica's copy"
ok_in A sync
remote_file "$CP" | grep -q '^stage loyal$' && ok || bad "--held ours did not write the local copy"
ok_in B sync
eq "$(sqlite3 B/.rapport/rapport.db 'select count(*) from held')" 0 "B: the team's copy reads again"

# ---- 1b: two replicas add the same custom field with different types ----
at 2026-11-22T11:00:00Z
ok_in A field add customer prio text
ok_in A set Contoso "prio=urgent today"
at 2026-11-22T11:05:00Z
ok_in B field add customer prio choice hi,lo
ok_in B set Fabrikam prio=hi
ok_in A sync
ok_in B sync
ok_in A sync
for w in A B; do
	inw $w list field --json
	eq "$(printf '%s' "$OUT" | jq '[.[] | select(.name == "prio")] | length')" 1 "$w: one definition of prio"
	inw $w fields customer
	status_is 0
	err_lacks() { case "$ERR" in *"$1"*) bad "stderr has '$1'" ;; *) ok ;; esac; }
	err_lacks "already has a field"
	inw $w conflicts
	out_has "type: kept choice; other text"
done
eq "$(val A customer Fabrikam prio)" hi "B's value under the winning type"
# A's value does not fit the winning type on B: held there, never dropped.
ok_in B conflicts
out_has "'urgent today' is not one of"
at 2026-11-22T11:10:00Z
ok_in B set Contoso industry=Banking # an unrelated edit on the replica that holds it
ok_in B sync
ok_in A sync
remote_file "$CP" >c.txt
grep -q '^prio urgent today$' c.txt && ok || bad "the held value was erased by an unrelated edit: $(cat c.txt)"
grep -q '^industry Banking$' c.txt && ok || bad "the unrelated edit was lost: $(cat c.txt)"

# ---- 2: a far-future rev does not take over the clock, nor win every conflict ----
at 2026-11-22T12:00:00Z
FP=$(path_of A customer Fabrikam)
plain_edit "$FP" 's/^rev .*/rev 9999-12-31T23:59:59.999Z-00000000000000ff/; s/^industry .*//; $a industry Future' "a rev from a broken clock"
inw A sync
status_is 0
err_has "ahead of this machine's"
ok_in A status
out_has "Clock:"
at 2026-11-22T12:05:00Z
ok_in A set Fabrikam region=Later
sqlite3 A/.rapport/rapport.db "select rev from customer where name='Fabrikam'" >rev.txt
grep -q '^2026-11-22' rev.txt && ok || bad "a write after the far-future rev is stamped $(cat rev.txt)"
ok_in A sync
ok_in B sync
eq "$(val B customer Fabrikam region)" Later "the write after it reached B"
# The bound is a team setting, checked when written.
rejects "is not a length of time" -C A config --team sync.max_skew soon
rejects "is not a length of time" -C A config --team sync.max_skew 0
ok_in A config --team sync.max_skew 36h
ok_in A config --team sync.max_skew
out_has 36h
ok_in A config --team sync.max_skew ""
# A true conflict against the far-future rev: the honest later write wins.
at 2026-11-22T12:10:00Z
plain_edit "$FP" 's/^rev .*/rev 9999-12-31T23:59:59.999Z-00000000000000ff/; s/^website .*//; $a website future.example' "future again"
at 2026-11-22T12:11:00Z
ok_in B set Fabrikam website=honest.example
ok_in B sync
ok_in A sync
ok_in B sync
eq "$(val A customer Fabrikam website)" honest.example "a far-future rev does not win a true conflict"
ok_in A conflicts
out_has "future.example"
# A rev the format cannot read (year 10000) is held, not dropped, and never becomes the clock.
plain_edit "$FP" 's/^rev .*/rev 10000-01-01T00:00:00.000Z-00000000000000ff/; $a note From the year 10000' "unreadable rev"
ok_in A sync
out_has "held"
at 2026-11-22T12:20:00Z
ok_in A set Fabrikam industry=Now
ok_in A sync
remote_file "$FP" >f.txt
grep -q '^note From the year 10000$' f.txt && ok || bad "the held file's value was overwritten: $(cat f.txt)"
grep -q '^rev 2026-11-22' f.txt && ok || bad "the rev written is not this clock's: $(grep ^rev f.txt)"
ok_in B sync
eq "$(val B customer Fabrikam industry)" Now "and it reads everywhere again"

# ---- 3: a merge that breaks a whole-record rule becomes a conflict ----
at 2026-11-22T13:00:00Z
ok_in A sync
ok_in B sync
ok_in A set Rollout start=2026-06-01
at 2026-11-22T13:05:00Z
ok_in B set Rollout due=2026-03-01
ok_in A sync
ok_in B sync
ok_in A sync
for w in A B; do
	s=$(val $w project Rollout start) d=$(val $w project Rollout due)
	[ "$s" \< "$d" ] || [ "$s" = "$d" ] && ok || bad "$w: start $s after due $d after the merge"
	eq "$d" 2026-03-01 "$w: the newer write stays current"
	inw $w conflicts
	out_has "start: kept 2026-01-01; other 2026-06-01"
done
ok_in A resolve Rollout start 2026-02-01
eq "$(val A project Rollout start)" 2026-02-01 "resolve settles it"
ok_in A sync
# Files that arrive already broken are imported, marked, and still editable.
RP=$(path_of A project Rollout)
plain_edit "$RP" 's/^due .*/due 2025-01-01/' "due before start"
inw A sync
status_is 0
out_has "breaking a rule"
eq "$(val A project Rollout due)" 2025-01-01 "the broken record came in as the team has it"
ok_in A conflicts
out_has "broken: arrived breaking a rule"
ok_in A set Rollout name="Rollout 2"
err_has "still to repair"
rejects "is before start" -C A set "Rollout 2" due=2025-06-01
ok_in A set "Rollout 2" due=2026-12-31
ok_in A conflicts
out_lacks "broken" "a repair clears the mark"
mkdir -p plain/invoice/ab plain/task/ab
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\ncustomer %s\nnumber OVER-1\namount 100\nissued 2026-11-01\ndue 2026-11-30\npaid_amount 250\n' \
	"$(sqlite3 A/.rapport/rapport.db "select id from customer where name='Contoso'")" >plain/invoice/ab/ab000000000000000000000000000011
printf 'rev 2026-11-22T09:00:00.000Z-0000000000000001\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\nproject %s\nparent ab000000000000000000000000000012\nname Loop\n' \
	"$(sqlite3 A/.rapport/rapport.db "select id from project")" >plain/task/ab/ab000000000000000000000000000012
(cd plain && git pull -q && git add -A && git commit -qm broken && git push -q origin main) || bad "pushing broken records"
inw A sync
status_is 0
err_has "imported, but invoice ab000000: field 'amount': '100' is less than the 250 its receipts paid"
err_has "its own parent"
eq "$(sqlite3 A/.rapport/rapport.db "select paid_amount from invoice where number='OVER-1'")" 250.0 "the overpaid invoice is kept as sent"
eq "$(sqlite3 A/.rapport/rapport.db "select count(*) from receipt where invoice='ab000000000000000000000000000011'")" 1 "what it says was paid is its receipt"

# ---- 4: a rule arriving from the remote is checked on arrival, like a typed one ----
mkdir -p plain/rule/ab
printf 'rev 2026-11-22T13:30:00.000Z-0000000000000001\ncreated 2026-11-22T13:30:00Z\nupdated 2026-11-22T13:30:00Z\nname Snoop\nwatch customer\nwhen (SELECT count(*) FROM sqlite_master) > 0\nmessage {name}\n' >plain/rule/ab/ab000000000000000000000000000013
(cd plain && git pull -q && git add -A && git commit -qm "a rule that reads the schema" && git push -q origin main) || bad "pushing a hostile rule"
inw A sync
status_is 0 "sync with a hostile rule"
err_has "rule/ab/ab000000000000000000000000000013"
err_has "only the documented views"
eq "$(sqlite3 A/.rapport/rapport.db "select count(*) from rule where name='Snoop'")" 0 "the hostile rule was not stored"
ok_in A conflicts
out_has "rule ab000000"
ok_in A alerts
ok_in A resolve ab000000000000000000000000000013 --held ours
out_has "no longer"
ok_in A conflicts
out_lacks "rule ab000000"
git --git-dir=remote.git show main:rule/ab/ab000000000000000000000000000013 | grep -q sqlite_master && ok || bad "the team's rule file was changed"

# ---- 7: a file removed with plain git is written again; a fresh clone has it ----
ok_in A sync # nothing local: the removal arrives as a fast-forward, not through a merge
(cd plain && git pull -q && git rm -q "$FP" && git commit -qm "dropped" && git push -q origin main) || bad "plain git rm"
ok_in A sync
out_has "written again"
ok_run clone remote.git D
eq "$(val D customer Fabrikam name)" Fabrikam "a fresh clone has the record plain git removed"
eq "$(val D customer Fabrikam industry)" Now "with its values"

# ---- 8: contention: a push rejected again and again is retried by time, with backoff ----
for n in 1 2 3 4; do ok_run clone remote.git "R$n"; done
for n in 1 2 3 4; do RAPPORT_NOW=2026-11-22T14:0$n:00Z "$RAPPORT_BIN" -C "R$n" add customer "name=Racer$n" >/dev/null; done
for n in 1 2 3 4; do ("$RAPPORT_BIN" -C "R$n" sync >"$T/race$n.out" 2>&1; echo $? >"$T/race$n.rc") & done
wait
for n in 1 2 3 4; do eq "$(cat "$T/race$n.rc")" 0 "racing sync $n: $(cat "$T/race$n.out")"; done
for round in 1 2; do for n in 1 2 3 4; do ok_in "R$n" sync; done; done
for n in 1 2 3 4; do
	inw "R$n" list customer --json
	eq "$(printf '%s' "$OUT" | jq '[.[] | select(.name | startswith("Racer"))] | length')" 4 "R$n has every racer's record"
done
# Someone pushes while this replica is about to: rejected, merged, pushed after a pause...
at 2026-11-22T14:10:00Z
ok_in R2 set Racer2 industry=x
RAPPORT_PAUSE="push:$T/p1" "$RAPPORT_BIN" -C R2 sync >"$T/p1.out" 2>&1 &
bg=$!
i=0; while [ ! -e "$T/p1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok_in R3 set Racer3 industry=y
ok_in R3 sync
wait $bg && ok || bad "a sync whose push was rejected once failed: $(cat "$T/p1.out")"
grep -q "after merging what others pushed meanwhile" "$T/p1.out" && ok || bad "no retry said: $(cat "$T/p1.out")"
# ...unless it has no patience left: then it says what it waited for.
ok_in R2 set Racer2 industry=z
RAPPORT_SYNC_PATIENCE=0 RAPPORT_PAUSE="push:$T/p2" "$RAPPORT_BIN" -C R2 sync >"$T/p2.out" 2>&1 &
bg=$!
i=0; while [ ! -e "$T/p2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok_in R3 set Racer3 industry=w
ok_in R3 sync
wait $bg; eq "$?" 1 "a rejected push with no patience left"
grep -q "gave up after 1 attempts over 0 s" "$T/p2.out" && ok || bad "the give-up message: $(cat "$T/p2.out")"
ok_in R2 sync
ok_in R3 sync
eq "$(val R3 customer Racer2 industry)" z "the edit of the sync that gave up arrives later"

finish
