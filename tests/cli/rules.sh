# tests/cli/rules.sh — the rule engine (rapport-rules(5)): every default rule fires
# at its threshold and not just below it; evaluation is idempotent (no second alert or task);
# alerts resolve themselves, can be acked and snoozed; the hook gets new alerts as JSON;
# hostile conditions are refused or stopped with a clear error and no change; rule files are
# checked with line numbers and loaded all or nothing.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_NOW=2026-11-22T09:00:00Z
ok_run init ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }
alerts_json() { rp alerts --json; }
has_alert() { # has_alert RULE RECORD-ID: an open alert of that rule on that record
	rid=$(sqlite3 .rapport/rapport.db "select id from rule where name='$1'")
	n=$(sqlite3 .rapport/rapport.db "select count(*) from alert where rule='$rid' and \"on\"='$2' and state='open' and deleted=0")
	[ "$n" = 1 ]
}
fires() { if has_alert "$1" "$2"; then ok; else bad "$1 did not fire on $3"; fi; }
quiet() { if has_alert "$1" "$2"; then bad "$1 fired on $3 (below its threshold)"; else ok; fi; }

ANN=$(r add member name=Ann email=ann@example.com role=pm)
FIN=$(r add member name=Fay email=fay@example.com role=finance)
C=$(r add customer name=Acme stage=active owner=Ann)
r add interaction customer=Acme kind=call summary=Hello at=2026-11-20T10:00:00Z >/dev/null
P=$(r add project customer=Acme name=Portal status=active manager=Ann start=2026-11-01)

# key-task-late: more than 3 days late.
T3=$(r add task project=Portal name=ThreeLate key=true due=2026-11-19)
T4=$(r add task project=Portal name=FourLate key=true due=2026-11-18)
N4=$(r add task project=Portal name=NotKey due=2026-11-01)
# low-survey: NPS under 7, CSAT under 4, in the last 30 days; a care task for the owner.
S7=$(r add survey customer=Acme kind=nps score=7 date=2026-11-20)
S6=$(r add survey customer=Acme kind=nps score=6 date=2026-11-20)
SC4=$(r add survey customer=Acme kind=csat score=4 date=2026-11-20)
SC3=$(r add survey customer=Acme kind=csat score=3 date=2026-11-20)
# contract-ending: within 7 days.
K7=$(r add contract customer=Acme title=Seven value=100 end=2026-11-29)
K8=$(r add contract customer=Acme title=Eight value=100 end=2026-11-30)
# invoice-overdue: due before today and not fully paid.
I0=$(r add invoice customer=Acme number=DUE-TODAY amount=100 issued=2026-11-01 due=2026-11-22)
I1=$(r add invoice customer=Acme number=LATE amount=100 issued=2026-11-01 due=2026-11-21)
IP=$(r add invoice customer=Acme number=PAID amount=100 issued=2026-11-01 due=2026-11-10)
r pay "$IP" --on 2026-11-09 >/dev/null 2>&1
# ticket-sla: no first response within the SLA (hours) by the end of the day.
K24=$(r add ticket customer=Acme title=Fresh opened=2026-11-22T08:00:00Z sla=24)
KPAST=$(r add ticket customer=Acme title=Old opened=2026-11-20T08:00:00Z sla=24)
KANS=$(r add ticket customer=Acme title=Answered opened=2026-11-20T08:00:00Z first_response=2026-11-20T09:00:00Z sla=24)
# no-contact: an active customer not contacted for more than 30 days.
D30=$(r add customer name=Thirty stage=active)
r add interaction customer=Thirty kind=call summary=x at=2026-10-23T10:00:00Z >/dev/null
D31=$(r add customer name=ThirtyOne stage=active)
r add interaction customer=ThirtyOne kind=call summary=x at=2026-10-22T10:00:00Z >/dev/null
LEAD=$(r add customer name=JustALead stage=lead)
# never-contacted: an active customer with no interaction at all.
NEVER=$(r add customer name=Newcomer stage=active)
# Money in a message is written as everywhere else.
IBIG=$(r add invoice customer=Acme number=BIG amount=17500 issued=2026-10-01 due=2026-11-01)
# budget-burn: over 80% of budget used while under 70% earned.
B=$(r add project customer=Acme name=Burn status=active rate=10)
r add task project=Burn name=Work budget=1000 progress=69 >/dev/null
r add time project=Burn member=Ann date=2026-11-10 hours=8.1 >/dev/null # 81 h? no: 8.1 h x 100
r set "$ANN" rate=100 >/dev/null
B80=$(r add project customer=Acme name=Exactly80 status=active)
r add task project=Exactly80 name=Work budget=1000 progress=50 >/dev/null
r add time project=Exactly80 member=Ann date=2026-11-10 hours=8 >/dev/null

# project-health-red: SPI 0, CPI 0, a missed milestone, no defects: (15 x 100) / 60 = 25, red
# with 60% confidence. The same with one component less is grey (50%): no alert.
RED=$(r add project customer=Acme name=Red status=active manager=Ann)
r add task project=Red name=Late budget=1000 start=2026-11-01 due=2026-11-10 >/dev/null
r add time project=Red member=Ann date=2026-11-05 hours=2 >/dev/null
r add milestone project=Red name=Missed due=2026-11-10 >/dev/null
GREY=$(r add project customer=Acme name=Grey status=active manager=Ann)
r add task project=Grey name=Late budget=1000 start=2026-11-01 due=2026-11-10 >/dev/null
r add time project=Grey member=Ann date=2026-11-05 hours=2 >/dev/null

before=$(dbdump)
ok_run alerts
out_has "new"
fires key-task-late "$T4" "a key task 4 days late"
quiet key-task-late "$T3" "a key task 3 days late"
quiet key-task-late "$N4" "a task that is not key"
fires low-survey "$S6" "NPS 6"
quiet low-survey "$S7" "NPS 7"
fires low-survey "$SC3" "CSAT 3"
quiet low-survey "$SC4" "CSAT 4"
fires contract-ending "$K7" "a contract ending in 7 days"
quiet contract-ending "$K8" "a contract ending in 8 days"
fires invoice-overdue "$I1" "an invoice a day overdue"
quiet invoice-overdue "$I0" "an invoice due today"
quiet invoice-overdue "$IP" "a paid invoice"
fires ticket-sla "$KPAST" "a ticket past its SLA"
quiet ticket-sla "$K24" "a ticket within its SLA"
quiet ticket-sla "$KANS" "an answered ticket"
fires no-contact "$D31" "31 days without contact"
quiet no-contact "$D30" "30 days without contact"
quiet no-contact "$LEAD" "a lead"
fires never-contacted "$NEVER" "an active customer never contacted"
quiet no-contact "$NEVER" "a customer never contacted (it has no number of days)"
quiet never-contacted "$D31" "a customer contacted 31 days ago"
quiet never-contacted "$LEAD" "a lead never contacted"
msg() { sqlite3 .rapport/rapport.db "select message from alert where \"on\"='$1' and deleted=0"; }
eq "$(msg "$NEVER")" "No contact with Newcomer on record" "a never-contacted customer's alert"
eq "$(msg "$D31")" "No contact with ThirtyOne for 31 days"
eq "$(msg "$IBIG")" "Invoice BIG is 21 days overdue (17,500.00 outstanding)" "money as everywhere else"
fires budget-burn "$B" "81% used, 69% earned"
fires project-health-red "$RED" "a red project"
quiet project-health-red "$GREY" "a grey (low-confidence) project"
quiet budget-burn "$B80" "80% used"
eq "$(sqlite3 .rapport/rapport.db "select count(*) from task where name like 'Customer care%'")" 2 "one care task per low answer"
eq "$(sqlite3 .rapport/rapport.db "select assignee from task where name like 'Customer care%' limit 1")" "$ANN" "the care task goes to the account owner"
eq "$(sqlite3 .rapport/rapport.db "select \"to\" from alert where \"on\"='$T4'")" "$ANN" "the project manager is told"
# Everyone the rule names is told: finance and the account owner in the rule's order.
want="$FIN,$ANN"
eq "$(sqlite3 .rapport/rapport.db "select \"to\" from alert where \"on\"='$I1'")" "$want" "finance and the owner are told of an overdue invoice"

# Idempotent: again, nothing new — no second alert, no second task.
n1=$(sqlite3 .rapport/rapport.db "select count(*) from alert; select count(*) from task")
ok_run alerts
out_lacks "new,"
n2=$(sqlite3 .rapport/rapport.db "select count(*) from alert; select count(*) from task")
eq "$n2" "$n1" "a second evaluation creates nothing"

# Alerts resolve themselves; ack and snooze.
r pay "$I1" --on 2026-11-22 >/dev/null 2>&1
ok_run alerts --all --json
eq "$(printf '%s' "$OUT" | jq -r --arg i "$I1" '.[] | select(.on == $i) | .state')" resolved "paying resolves the alert"
A=$(sqlite3 .rapport/rapport.db "select id from alert where \"on\"='$K7'")
ok_run ack "$A"
ok_run alerts
out_lacks "Seven" "an acked alert is not open"
A2=$(sqlite3 .rapport/rapport.db "select id from alert where \"on\"='$KPAST'")
ok_run snooze "$A2" 3
ok_run alerts
out_lacks "Old has had" "a snoozed alert is hidden"
RAPPORT_NOW=2026-11-26T09:00:00Z ok_run alerts
out_has "Old has had" "a snooze ends"
rejects "not a number of days" snooze "$A2" soon
rejects "not an alert" ack "$C"
rejects "which alert" ack

# The hook: new alerts as JSON on stdin; none for alerts already raised.
mkdir -p .rapport/hooks
printf '#!/bin/sh\ncat >> "%s/hook.out"\n' "$T" >.rapport/hooks/on-alert
chmod +x .rapport/hooks/on-alert
ok_run alerts
[ ! -s "$T/hook.out" ] && ok || bad "the hook ran for old alerts"
r add invoice customer=Acme number=HOOKED amount=5 issued=2026-11-01 due=2026-11-02 >/dev/null
ok_run alerts
eq "$(wc -l <"$T/hook.out" | tr -d ' ')" 1 "the hook ran once for the new alert"
eq "$(jq -r .rule_name "$T/hook.out")" invoice-overdue "the hook gets the alert as JSON"
ok_run alerts
eq "$(wc -l <"$T/hook.out" | tr -d ' ')" 1 "not again"

# Hostile conditions: refused when written, nothing changes.
for bad_when in "1; DELETE FROM task" "id IN (SELECT id FROM customer)" \
	"(SELECT count(*) FROM sqlite_master) > 0" "load_extension('/tmp/x') IS NULL" \
	"(SELECT count(*) FROM pragma_table_info('task')) > 0" \
	"(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c) > 0"; do
	rejects "rule evil: when" add rule name=evil watch=task "when=$bad_when" message=x
done
rejects "syntax error" add rule name=evil watch=task "when=late_days >" message=x
rejects "is not one of: task, project" add rule name=evil watch=member "when=1" message=x
rejects "is not one of" add rule name=evil watch=expense "when=1" message=x
rejects "actions: 'explode'" add rule name=evil watch=task "when=1" message=x actions=explode
# A runaway condition is refused when written: its trial on the first rows runs out of time.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do r add task project=Portal name=Filler$i >/dev/null; done
RUNAWAY="(SELECT count(*) FROM task_status a, task_status b, task_status c, task_status d, task_status e, task_status f, task_status g, task_status h) > 0"
rejects "rule runaway: when: stopped: ran longer than 2 s" add rule name=runaway watch=task message=x "when=$RUNAWAY"
# One stored anyway (by a replica that did not check it) is stopped when it runs; the other
# rules still run; it shows as invalid, and it can be turned off.
ok_run add rule name=runaway watch=task message=x "when=late_days > 999"
sqlite3 .rapport/rapport.db "UPDATE rule SET \"when\" = '$RUNAWAY' WHERE name = 'runaway'"
rp rules test runaway
status_is 2 "a runaway rule"
err_has "stopped: ran longer than 2 s"
ok_run alerts
err_has "rule runaway: stopped"
rp rules check
status_is 2 "rules check with a runaway rule stored"
out_has "rule runaway: when: stopped: ran longer than 2 s"
ok_run set runaway enabled=false
ok_run rules check
ok_run rules

# Rules as text: export, check with line numbers, load all or nothing.
ok_run rules export
printf '%s\n' "$OUT" >rules.txt
grep -q '^name key-task-late$' rules.txt && ok || bad "export lacks a default rule"
ok_run rules check rules.txt
out_has "all valid"
printf 'name quiet-customer\nwatch customer\nwhen days_since_contact > 90\nmessage {name} is quiet\n\nname broken\nwatch task\nwhen late_days >>> 3\nmessage x\n' >new.txt
rejects "new.txt: line 8: rule broken: when: near" rules load new.txt
rejects "line 3: 'colour' is not a rule field" rules check "$(printf 'name a\nwatch task\ncolour red\n' >c.txt; echo c.txt)"
# A whole-rule problem points at the line of the field it is about, said once; a rule's
# condition at its when line, even when the rule follows comments and another rule.
printf '# A comment\n\nname a\nwatch task\nwhen late_days > 1\nactions alert,bogus\nmessage x\n' >act.txt
rejects "act.txt: line 6: rule a: actions: 'bogus' is not alert, task or at_risk" rules check act.txt
case "$ERR" in *"rule a: rule a"*) bad "the rule is named twice: $ERR" ;; *) ok ;; esac
printf 'name ok\nwatch task\nwhen 1\nmessage x\n\n# then\nname b\nwatch task\nseverity info\nwhen nosuch > 1\nmessage x\n' >w.txt
rejects "w.txt: line 10: rule b: when: no such column: nosuch" rules check w.txt
printf 'name quiet-customer\nwatch customer\nwhen days_since_contact > 90\nmessage {name} is quiet\n' >good.txt
ok_run rules check good.txt
eq "$OUT" "good.txt: 1 rule, valid" "one rule, in the singular"
ok_run rules load good.txt
out_has "1 added"
ok_run rules
out_has "quiet-customer"
ok_run rules test key-task-late
out_has "FourLate"
rejects "no rule named" rules test nothing
# Alerts list most severe first: severity compares by its place in the kind table's choices.
ok_run alerts --all --json
printf '%s' "$OUT" | jq -r '.[].severity' >"$T/sevs"
[ "$(sort -u "$T/sevs" | wc -l)" -ge 2 ] && ok || bad "want alerts of two severities at least: $(sort -u "$T/sevs" | tr '\n' ' ')"
awk '{ r = $1 == "critical" ? 0 : $1 == "warning" ? 1 : 2; if (r < last) bad = 1; last = r } END { exit bad }' "$T/sevs" &&
	ok || bad "alerts out of severity order: $(tr '\n' ' ' <"$T/sevs")"
finish
