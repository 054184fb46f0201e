# tests/cli/process.sh — the process engine (rapport-process(5)) as a delivery team meets it:
# the default processes, process files checked with line numbers and loaded all or nothing,
# gates, approvals routed by conditions, roles, paths and any/all steps, rejections, withdrawals,
# customers' decisions with evidence, overrides that alert, escalation past the SLA on the
# working calendar, change requests that move their project, every way around `advance`
# refused, hostile conditions refused, and two replicas that advance and decide at once.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_QUIET=1
git_team
export RAPPORT_NOW=2026-11-23T09:00:00Z # a Monday
ok_run init ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }
as() { r config user.email "$1" >/dev/null; }
phase() { sqlite3 .rapport/rapport.db "select coalesce($2, '-') from $1 where id = '$3'"; }
pending() { # the ids of pending approvals of a record, by step then approver name
	sqlite3 .rapport/rapport.db "select a.id from approval a left join member m on m.id = a.approver
		left join contact c on c.id = a.contact where a.\"on\" = '$1' and a.state = 'pending'
		and a.deleted = 0 order by a.step, coalesce(m.name, c.name)"
}
state_of() { sqlite3 .rapport/rapport.db "select state from approval where id = '$1'"; }

BOB=$(r add member name=Bob email=bob@example.com role=exec)
ANN=$(r add member name=Ann email=ann@example.com role=pm reports_to=Bob)
FAY=$(r add member name=Fay email=fay@example.com role=finance)
GUS=$(r add member name=Gus email=gus@example.com role=finance)
as ann@example.com
C=$(r add customer name=Acme stage=active owner=Ann)
SP=$(r add contact customer=Acme name=Sun role=sponsor email=sun@acme.example)
P=$(r add project customer=Acme name=Rollout manager=Ann budget=800000)

# ---- the default processes ----
rp process
status_is 0 "process list"
out_has "erp-implementation"
out_has "requirements > kickoff > blueprint"
out_has "contract-review"
out_has "change-request"
out_has "milestone-acceptance"
rp process show erp-implementation
out_has "stage kickoff 立项 Project start"
out_has "  approve role:exec when budget > 1000000"
rejects "no process named nothing" process show nothing
r process export >all.process
rp process check all.process
status_is 0 "the exported processes check"
out_has "all.process: 4 processs, all valid"
rp process load all.process
out_has "0 added, 4 replaced"
rp process check
out_has "4 processs, all valid"

# ---- a gate, entering, and a blocked exit ----
rp gate Rollout
out_has "stage: (not started)"
out_has "next:  requirements"
rp advance Rollout
status_is 0 "entering the process"
out_has "(start) -> requirements"
eq "$(phase project phase "$P")" requirements "the phase is derived from the transition"
rp list project --columns name,phase
out_has "requirements"
rp gate Rollout
out_has "no require start: start is not set"
out_has "blocked"
rejects "cannot leave requirements yet:" advance Rollout
err_has "require due: due is not set"

# ---- the stage is never set by hand ----
rejects "field 'phase' moves only through its process" set Rollout phase=golive
rejects "field 'phase' moves only through its process" add project customer=Acme name=Sneaky phase=uat
printf 'name,phase\nRollout,golive\n' >sneak.csv
rejects "field 'phase' moves only through its process" import project sneak.csv --update-by name
printf '#!/bin/sh\nprintf "phase golive\\n" >>"$1"\n' >"$T/ed.sh"
chmod +x "$T/ed.sh"
EDITOR="$T/ed.sh" rp edit Rollout
[ "$STATUS" -ne 0 ] && ok || bad "edit that adds a phase line succeeded"
eq "$(phase project phase "$P")" requirements "edit left the phase alone"
rp show Rollout
out_has "requirements"

# ---- routing: the manager; the manager's superior; an exec above a threshold ----
ok_run set Rollout start=2026-11-23 due=2027-06-30
rp advance Rollout
out_has "asked for 1 approval to go to kickoff"
A1=$(pending "$P")
eq "$(sqlite3 .rapport/rapport.db "select approver, due, step from approval where id='$A1'")" "$ANN|2026-12-07|1" \
	"the manager approves, due in 10 working days"
rejects "waits for 1 approval to leave requirements" advance Rollout
rejects "unknown option '--nonsense'" approve "$A1" --nonsense
# Approvals and transitions are the engine's: no command writes them by hand.
rejects "approvals are written by the process engine" set "$A1" state=approved
rejects "approvals are written by the process engine" rm "$A1"
rejects "transitions are written by the process engine" add transition on="$P" process=erp-implementation to=golive round=1
printf 'on,process,stage,to,step,round,state\n%s,erp-implementation,requirements,kickoff,1,1,approved\n' "$P" >forge.csv
rejects "approvals are written by the process engine" import approval forge.csv
rp approve "$A1"
status_is 0 "the manager approves"
out_has "moved: requirements -> kickoff"
eq "$(phase project phase "$P")" kickoff "moved on the last approval"
# kickoff: budget 800,000 is under the exec threshold: the superior alone.
rp advance Rollout
A2=$(pending "$P")
eq "$(sqlite3 .rapport/rapport.db "select approver, route from approval where id='$A2'")" "$BOB|manager.reports_to" \
	"manager.reports_to routes to Ann's superior"
rejects "is Bob's to decide, not yours" approve "$A2"
as bob@example.com
rejects "a rejection needs --reason" reject "$A2"
rp reject "$A2" --reason "budget not signed off"
status_is 0 "reject"
out_has "stays at kickoff"
eq "$(phase project phase "$P")" kickoff "a rejection keeps the stage"
rejects "is rejected already by Bob" approve "$A2"
# A new round, with the budget now above the threshold: two steps, the second waiting.
as ann@example.com
ok_run set Rollout budget=2000000
rp advance Rollout
out_has "asked for 2 approvals"
out_has "waiting"
B1=$(pending "$P")
eq "$(sqlite3 .rapport/rapport.db "select round from approval where id='$B1'")" 2 "the second round"
eq "$(sqlite3 .rapport/rapport.db "select count(*) from approval where \"on\"='$P' and state='waiting'")" 1 \
	"the exec step waits for the first"
as bob@example.com
W=$(sqlite3 .rapport/rapport.db "select id from approval where \"on\"='$P' and state='waiting'")
rejects "waits for the step before it" approve "$W"
rp approve "$B1" --reason ok
out_has "step 2 is now with Bob"
eq "$(state_of "$W")" pending "the exec step opened"
rp approve "$W"
out_has "moved: kickoff -> blueprint"
# blueprint: the customer's sponsor, recorded by a member with evidence.
as ann@example.com
rp advance Rollout
S1=$(pending "$P")
eq "$(sqlite3 .rapport/rapport.db "select contact from approval where id='$S1'")" "$SP" "contact:sponsor"
rejects "record their decision with --evidence" approve "$S1"
rp approve "$S1" --evidence "mail from Sun, 2026-11-23"
out_has "moved: blueprint -> configuration"
rp list approval approver=@me --columns stage,state
out_has "requirements  approved"
out_lacks "kickoff"
rp list project manager=@me
out_has "Rollout"
rp log Rollout
out_has "Decisions"
out_has "Sun: approved (recorded by Ann) [evidence: mail from Sun, 2026-11-23]"
out_has "Bob: rejected: budget not signed off"
out_has "requirements -> kickoff by Ann"

# ---- no blockers; going back; skipping needs an override ----
K=$(r add ticket customer=Acme project=Rollout title=Crash severity=critical)
rejects "1 open high or critical ticket on the project" advance Rollout
ok_run set "$K" status=resolved
rejects "skipping stages needs --override" advance Rollout --to uat
rejects "has no stage 'nowhere'" advance Rollout --to nowhere
rp advance Rollout --to blueprint
out_has "configuration -> blueprint"
rejects "only a member whose role is exec may override" advance Rollout --to golive --override --reason hurry
rejects "--override needs --reason" advance Rollout --to golive --override
as bob@example.com
rp advance Rollout --to golive --override --reason "customer board decision"
status_is 0 "override"
eq "$(phase project phase "$P")" golive "an override moves at once"
rp alerts
out_has "Rollout was moved to golive by override: customer board decision"
line=$(printf '%s\n' "$OUT" | grep "by override")
case "$line" in *Bob*Ann*|*Ann*Bob*) ok ;; *) bad "an override tells the manager and the superior: $line" ;; esac

# ---- any and all; withdraw ----
cat >fin.process <<'EOF'
process fin-review
kind contract
default true
override exec
stage check Check
  sla 2
  approve role:finance all
stage done Done
EOF
as ann@example.com
rp process load fin.process
out_has "1 added, 0 replaced"
KC=$(r add contract customer=Acme title="Support 2027" value=1000 process=fin-review)
ok_run advance "Support 2027"
ok_run advance "Support 2027"
eq "$(pending "$KC" | wc -l)" 2 "all: one approval per finance member"
F1=$(pending "$KC" | head -1)
F2=$(pending "$KC" | tail -1)
as fay@example.com
rp approve "$F1"
out_has "step 1 waits for its other approvers"
eq "$(phase contract state "$KC")" check "one of two is not enough"
as gus@example.com
rejects "only who asked for approval" withdraw "$F2"
as ann@example.com
rp withdraw "$F2"
status_is 0 "the requester withdraws"
eq "$(state_of "$F2")" withdrawn "withdrawn"
as gus@example.com
rejects "is withdrawn already" approve "$F2"
as ann@example.com
ok_run advance "Support 2027"
as fay@example.com
ok_run approve "$(pending "$KC" | head -1)"
as gus@example.com
rp approve "$(pending "$KC" | head -1)"
out_has "moved: check -> done"

# Which process governs a record that names none: the only enabled one, else the default.
as ann@example.com
ok_run set fin-review default=false
ok_run set contract-review default=false
r add contract customer=Acme title=Orphan value=10 >/dev/null
rejects "2 processes govern contracts and none is the default" advance Orphan
ok_run set contract-review enabled=false
rp advance Orphan
out_has "(start) -> check"

# ---- working days, holidays, swapped days; escalation past the SLA ----
rejects "calendar.holidays: '2026-12-32' is not a date" config --team calendar.holidays 2026-12-32
rejects "every day is a weekend" config --team calendar.weekend mon,tue,wed,thu,fri,sat,sun
ok_run config --team calendar.holidays 2026-11-24..2026-11-25
ok_run config --team calendar.workdays 2026-11-29
cat >quick.process <<'EOF'
process quick
kind project
stage one
  sla 3
  approve manager
stage two
EOF
ok_run process load quick.process
Q=$(r add project customer=Acme name=Quick manager=Ann process=quick)
ok_run advance Quick
ok_run advance Quick
QA=$(pending "$Q")
# Mon 23 + 3 working days: Tue 24 and Wed 25 are holidays, Sun 29 is worked: Thu, Fri, Sun.
eq "$(sqlite3 .rapport/rapport.db "select due from approval where id='$QA'")" 2026-11-29 "due on the team calendar"
export RAPPORT_NOW=2026-12-03T09:00:00Z
rp alerts
out_has "Approval of Quick (one to two) is 4 days overdue"
line=$(printf '%s\n' "$OUT" | grep "Approval of Quick")
case "$line" in *"→ "*Bob*|*"→ "*Ann*) ok ;; *) bad "the overdue approval is not told to Ann and Bob: $line" ;; esac
case "$line" in *Bob*Ann*|*Ann*Bob*) ok ;; *) bad "escalation tells the approver and the superior: $line" ;; esac
export RAPPORT_NOW=2026-11-23T09:00:00Z

# ---- a change request moves its project and records a baseline ----
ok_run set Quick due=2027-01-29 budget=1000
r add task project=Quick name=Build due=2027-01-15 budget=500 >/dev/null
CH=$(r add change project=Quick title="More reports" scope="Two reports" days=5 cost=250)
ok_run advance "More reports"
rp advance "More reports"
out_has "asked for 1 approval"
ok_run approve "$(pending "$CH")"
out_has "moved: requested -> approved"
out_has "due 2027-02-05, budget 1250"
eq "$(phase project due "$Q")|$(phase project budget "$Q")" "2027-02-05|1250.0" "the change moved the project"
eq "$(phase project baselined "$Q")" 2026-11-23 "a new baseline"
eq "$(sqlite3 .rapport/rapport.db "select baseline_due from task where name='Build'")" 2027-01-15 "tasks baselined"
eq "$(phase change applied "$CH")" 2026-11-23 "applied once"
rp report status --project Quick --format txt
out_has "Change requests"
out_has "More reports  approved  5     250.00  2026-11-23"

# ---- templates: a project built field by field on the team calendar ----
rp template
out_has "erp-standard"
out_has "10 phases, 12 tasks, 6 milestones"
cat >tp.process <<'EOF'
process tp
kind project
stage plan
  tasks-done
stage build
stage done
EOF
ok_run process load tp.process
cat >small.template <<'EOF'
template small
label Small 小项目
process tp
phase plan
  task 0 2 Design; owner manager; key
  task 2 3 Build; owner role:finance; estimate 16
  milestone 5 Delivered; deliverable Demo; accept
EOF
rp template check small.template
out_has "small.template: 1 template, valid"
ok_run template load small.template
rejects "needs its start (start=DATE)" add project customer=Acme name=Small --template small
rejects "no template 'nothing'" add project customer=Acme name=Small start=2026-11-23 --template nothing
rejects "--template needs a NAME" add project customer=Acme name=Small start=2026-11-23 --template
rp add project customer=Acme name=Small manager=Ann start=2026-11-23 --template small
status_is 0 "a project from a template"
SM=$OUT
err_has "Built from template small: 1 phases, 2 tasks, 1 milestones; due 2026-12-01"
eq "$(sqlite3 .rapport/rapport.db "select p.phase, t.name from project p join process t on t.id = p.process where p.id='$SM'")" \
	"plan|tp" "the template's process, entered"
# Mon 23; Tue 24 and Wed 25 are holidays, Sun 29 is worked (the calendar above). A role's
# member is the first by name: Fay before Gus.
eq "$(sqlite3 .rapport/rapport.db "select name, phase, start, due, assignee, coalesce(\"key\", 0), coalesce(estimate, 0) from task where project='$SM' order by start")" \
	"Design|plan|2026-11-23|2026-11-26|$ANN|1|0
Build|plan|2026-11-27|2026-11-30|$FAY|0|16.0" "tasks dated in working days, owners resolved"
eq "$(sqlite3 .rapport/rapport.db "select name, due, deliverable, acceptance from milestone where project='$SM'")" \
	"Delivered|2026-12-01|Demo|delivery" "the milestone, in its acceptance process"
eq "$(phase project due "$SM")" 2026-12-01 "the project's due is the plan's end"
rejects "2 tasks of this phase not done" advance Small
# The customer's portal shows the phases and what waits for their acceptance, nothing more.
MS=$(sqlite3 .rapport/rapport.db "select id from milestone where project='$SM'")
rp advance "$MS"
out_has "asked for 1 approval to go to accepted"
ok_run portal Acme -o "$T/site"
html() { sed 's/<[^>]*>//g' "$1" | tr -s ' \n' '  '; }
idx=$(html "$T/site/index.html")
case "$idx" in *"Awaiting your decision"*"Delivered"*"your acceptance, for Sun, due 2026-12-01"*) ok ;;
*) bad "the portal's index lacks the acceptance awaited: $(printf '%s' "$idx" | sed 's/.*Awaiting/Awaiting/' | head -c 300)" ;;
esac
page=$(html "$T/site/project-$SM.html")
case "$page" in *"Phases"*"▶ plan (current)"*"· build"*) ok ;;
*) bad "the project page lacks its phase strip: $(printf '%s' "$page" | sed 's/.*Phases/Phases/' | head -c 300)" ;;
esac
grep -q -e 'role:' -e 'tasks-done' -e 'Fay' "$T/site/project-$SM.html" && bad "the portal shows the process's internals" || ok

printf 'template bad\nprocess tp\nphase nowhere\n  task 0 1 X\n' >bad.template
rejects "bad.template: template bad: line 3: phase nowhere is not a stage of the template's process" template load bad.template
printf 'template bad\nphase plan\n  task 0 0 X\n' >bad.template
rejects "line 3: '0' is not a number of working days (1 to 10000)" template check bad.template
printf 'template bad\n  task 0 1 X; owner role:wizard\n' >bad.template
rejects "line 2: 'role:wizard': a member's role is one of" template load bad.template
printf 'template bad\n  milestone 3 Y; key\n' >bad.template
rejects "line 2: 'key' is not one of a milestone's" template load bad.template

# ---- a stage a reloaded process no longer has ----
cat >quick2.process <<'EOF'
process quick
kind project
stage zero
stage two
stage three
EOF
ok_run process load quick2.process
rp gate Quick
out_has "stage no longer in the process"
rp advance Quick
out_has "one -> zero"
eq "$(state_of "$QA")" withdrawn "what the old stage waited for is withdrawn"
eq "$(phase project phase "$Q")" zero "moved to the first stage it had not been through"

# ---- hostile and broken process files: refused with the line, nothing changes ----
bad_file() { # bad_file MESSAGE: the file on stdin is refused by check and load
	cat >bad.process
	rejects "$1" process check bad.process
	rejects "$1" process load bad.process
}
printf 'process evil\nkind project\nstage a\n  check (SELECT count(*) FROM sqlite_master) > 0\n' |
	bad_file "bad.process: process evil: stages: line 4: check: reads or does something rules may not"
printf 'process evil\nkind project\nstage a\n  entry 1); DROP TABLE project; --\n' |
	bad_file "bad.process: process evil: stages: line 4: entry: one expression, not several statements"
printf 'process evil\nkind project\nstage a\n  check (WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM x) SELECT max(n) FROM x) > 0\n' |
	bad_file "line 4: check: reads or does something rules may not"
printf 'process evil\nkind project\nstage a\n  approve role:wizard\n' |
	bad_file "line 4: 'role:wizard': a member's role is one of"
printf 'process evil\nkind project\nstage a\n  approve customer.owner.boss\n' |
	bad_file "line 4: 'customer.owner.boss': member has no field 'boss'"
printf 'process evil\nkind project\nstage a\n  approve member:Nobody\n' |
	bad_file "line 4: approve member:Nobody"
printf 'process evil\nkind project\nstage a\nstage a\n' | bad_file "line 4: a second stage 'a'"
printf 'process evil\nkind project\nstage a\n  frobnicate\n' | bad_file "line 4: 'frobnicate' is not a stage line"
printf 'process evil\nkind invoice\nstage a\n' | bad_file "bad.process: line 2: new process: field 'kind': 'invoice' is not one of"
printf 'process evil\nkind project\n' | bad_file "line 1: process evil has no stages"
printf 'process a\nkind project\nstage x\nprocess a\nkind project\nstage y\n' | bad_file "line 4: a second process named a"
printf 'process evil\nkind project\nstage a\n  sla soon\n' | bad_file "line 4: sla 'soon'"
# A stored process cannot be bypassed by set either.
rejects "process erp-implementation: stages: line 2: check: reads or does something" set erp-implementation "stages=stage a
  check (SELECT 1 FROM sqlite_master)"

# ---- two replicas: the same advance merges; conflicting decisions hold the stage ----
as ann@example.com
git init -q --bare "$T/remote.git"
ok_run remote add origin "$T/remote.git"
ok_run sync
cd "$T" && ok_run clone remote.git ws2 && cd ws
ok_run -C "$T/ws2" config user.email ann@example.com
M=$(r add project customer=Acme name=Twin manager=Ann start=2026-11-23 due=2027-01-01)
ok_run sync
ok_run -C "$T/ws2" sync
# Both enter the process at once: one transition, one id.
ok_run advance Twin
ok_run -C "$T/ws2" advance Twin
ok_run sync
ok_run -C "$T/ws2" sync
ok_run sync
eq "$(sqlite3 .rapport/rapport.db "select count(*) from \"transition\" where \"on\"='$M'")" 1 "one transition from two replicas"
eq "$(sqlite3 "$T/ws2/.rapport/rapport.db" "select phase from project where id='$M'")" requirements "replica B derives the same phase"
# Both raise the approvals at once: the same approval record.
ok_run advance Twin
ok_run -C "$T/ws2" advance Twin
ok_run sync
ok_run -C "$T/ws2" sync
ok_run sync
TA=$(pending "$M")
eq "$(printf '%s\n' "$TA" | wc -l)" 1 "one approval from two replicas"
# Ann approves here and rejects there: a conflict, and the stage does not move.
ok_run approve "$TA"
export RAPPORT_NOW=2026-11-23T09:05:00Z
ok_run -C "$T/ws2" reject "$TA" --reason "not ready"
ok_run sync
ok_run -C "$T/ws2" sync
ok_run sync
eq "$(phase project phase "$M")" requirements "a conflicting decision holds the stage (A)"
eq "$(sqlite3 "$T/ws2/.rapport/rapport.db" "select phase from project where id='$M'")" requirements "and on B"
rp conflicts
out_has "state"
# A phase line written into the record file by hand on the remote is ignored and reported.
git clone -q "$T/remote.git" "$T/plain"
f=$(cd "$T/plain" && ls project/*/"$M")
printf 'phase operations\n' >>"$T/plain/$f"
(cd "$T/plain" && git commit -qam "hand edit" && git push -q origin main)
rp sync
status_is 0 "sync with a hand-edited phase"
err_has "phase"
err_has "ignored"
eq "$(phase project phase "$M")" requirements "the hand-written phase is ignored"
# A process and a template arriving from the remote are checked like rules: a process whose
# condition reads the schema, or whose step would write, is held with its reason and never
# stored or run; so is a template with a line that is not one.
(cd "$T/plain" && git pull -q)
mkdir -p "$T/plain/process/ab" "$T/plain/template/ab"
printf 'rev 2026-11-23T09:10:00.000Z-0000000000000001\ncreated 2026-11-23T09:10:00Z\nupdated 2026-11-23T09:10:00Z\nname snoop\nkind project\nstages stage a\n    check (SELECT count(*) FROM sqlite_master) > 0\n' \
	>"$T/plain/process/ab/ab000000000000000000000000000021"
printf 'rev 2026-11-23T09:10:00.000Z-0000000000000001\ncreated 2026-11-23T09:10:00Z\nupdated 2026-11-23T09:10:00Z\nname writer\nkind project\nstages stage a\n    approve manager when 1); DELETE FROM project; --\n' \
	>"$T/plain/process/ab/ab000000000000000000000000000022"
printf 'rev 2026-11-23T09:10:00.000Z-0000000000000001\ncreated 2026-11-23T09:10:00Z\nupdated 2026-11-23T09:10:00Z\nname broken\nwbs task soon 1 X\n' \
	>"$T/plain/template/ab/ab000000000000000000000000000023"
(cd "$T/plain" && git add -A && git commit -qm "hostile definitions" && git push -q origin main) || bad "pushing hostile definitions"
nproj=$(sqlite3 .rapport/rapport.db "select count(*) from project where deleted = 0")
rp sync
status_is 0 "sync with hostile definitions"
err_has "process/ab/ab000000000000000000000000000021"
err_has "only the documented views"
err_has "process/ab/ab000000000000000000000000000022"
err_has "template/ab/ab000000000000000000000000000023"
eq "$(sqlite3 .rapport/rapport.db "select count(*) from process where name in ('snoop', 'writer')")|$(sqlite3 .rapport/rapport.db "select count(*) from template where name = 'broken'")" \
	"0|0" "hostile definitions are not stored"
eq "$(sqlite3 .rapport/rapport.db "select count(*) from project where deleted = 0")" "$nproj" "nothing was deleted"
[ -n "${KEEP:-}" ] && cp -r "$T/ws" /tmp/keepws
finish
