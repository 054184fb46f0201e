# retention.sh — retention, churn and lead conversion per period from each customer's stage
# history: imported customers carry their stage_since, later stage changes add to the history
# with their own dates, a customer from another replica counts by the day of its change there,
# and every figure is computed by hand. The suite's clock is 2026-11-22.
. "$TOP/tests/lib.sh"
export RAPPORT_QUIET=1
git_team
as_test_user
j() { printf '%s' "$OUT" | jq -rc "$1"; }
ok_run init co
WS=$T/co
cd co || exit 1

# A: active since 01-15.  B: active 02-01, at risk 08-20.  C: lead 03-01, active 07-10.
# D: active since 2025-12-01, churned 05-10.  E: prospect since 04-05.
printf 'name,stage,stage_since\nA,active,2026-01-15\nB,active,2026-02-01\nC,lead,2026-03-01\nD,active,2025-12-01\nE,prospect,2026-04-05\n' >c.csv
ok_run import customer c.csv
ok_run set B stage=at_risk stage_since=2026-08-20
ok_run set C stage=active stage_since=2026-07-10
ok_run set D stage=churned stage_since=2026-05-10
rejects "field 'stage_since': 'soon' is not a date" set E stage_since=soon
printf 'name,stage,stage_since\nF,active,2026-02-30\n' >bad.csv
rejects "2026-02-30" import customer bad.csv

ok_run kpi --period quarter --json
p() { j ".periods[] | select(.period == \"$1\") | [.retention, .churn, .conversion] | map(if . == null then \"-\" else (. * 10 | round / 10 | tostring) end) | join(\" \")"; }
# Q1: began with D (active since 2025-12); still active at 03-31: 100%, 0% churned. Leads of
# the quarter: C (a lead from 03-01), not won by 03-31: 0%.
eq "$(p 2026-Q1)" "100 0 0" "Q1 from the imported history"
# Q2: began with A, B, D; D churned on 05-10: 2 of 3 kept (66.7%), 33.3% churned. Leads: C
# (lead at the start) and E (a prospect from 04-05): neither won: 0%.
eq "$(p 2026-Q2)" "66.7 33.3 0" "Q2: a churn counts in its quarter"
# Q3: began with A and B (D had churned); B at risk is not churned: 100%. C won on 07-10:
# 1 of C and E: 50%.
eq "$(p 2026-Q3)" "100 0 50" "Q3: a lead won counts as converted"
# Q4 to date: A, B, C kept; E still a prospect: 0%.
eq "$(p 2026-Q4)" "100 0 0" "Q4"

# A stage change without a date is today's; the history keeps the earlier stage.
ok_run set E stage=active
ok_run show E --json
eq "$(j .record.stage_since)" 2026-11-22 "a stage change without a date is dated today"
ok_run kpi --period quarter --json
eq "$(p 2026-Q4)" "100 0 100" "E won in Q4"
eq "$(p 2026-Q2)" "66.7 33.3 0" "earlier quarters keep their figures"

# From another replica: the change counts by its own date there, not the day it arrived.
git init -q --bare "$T/remote.git"
ok_run remote add origin ../remote.git
ok_run sync
cd "$T" || exit 1
ok_run clone remote.git B
RAPPORT_NOW=2026-11-22T10:00:00Z ok_run -C B set A stage=churned stage_since=2026-10-05
ok_run -C B sync
RAPPORT_NOW=2026-12-15T09:00:00Z ok_run -C co sync
RAPPORT_NOW=2026-12-15T09:00:00Z rp -C co kpi --period quarter --json
eq "$(p 2026-Q4)" "66.7 33.3 100" "A churned on 10-05 at the other replica: Q4 lost one of three"

# ---- utilisation and revenue per member ----
cd "$T" || exit 1
ok_run init team
WS=$T/team
ok_run -C team add member name=Ann email=ann@example.com capacity=20
ok_run -C team add member name=Bo email=bo@example.com
rejects "field 'capacity': '200' is out of range" -C team add member name=Cy email=cy@example.com capacity=200
ok_run -C team add customer name=Acme
ok_run -C team add project customer=Acme name=Build
ok_run -C team add time project=Build member=Ann date=2026-11-03 hours=8
ok_run -C team add time project=Build member=Bo date=2026-11-20 hours=4
ok_run -C team add time project=Build member=Bo date=2026-11-21 hours=5 billable=false
ok_run -C team add time project=Build member=Bo date=2026-10-30 hours=6
ok_run -C team add invoice customer=Acme amount=3000 issued=2026-11-05 due=2026-12-05
ok_run -C team kpi --period month --periods 2 --json
u() { j ".periods[] | select(.period == \"$1\") | [.utilisation, .revenue_per_member] | map(if . == null then \"-\" else (. * 100 | round / 100 | tostring) end) | join(\" \")"; }
# November to date (22 days): 12 billable hours of (20 + 40) x 22 / 7 = 188.57 h: 6.36%;
# 3,000 invoiced by 2 members: 1,500.  October (31 days): 6 of 60 x 31 / 7 = 265.71 h: 2.26%.
eq "$(u 2026-11)" "6.36 1500" "utilisation and revenue per member, November to date"
eq "$(u 2026-10)" "2.26 -" "October: no revenue"

finish
