# pipeline.sh — opportunities to contracts: the funnel by stage and by month of expected close,
# weighted per currency and converted at the newest rate; `won` making the contract and the
# project in one transaction; the closed date following the stage; win rate, cycle time and
# bookings in kpi; a rule watching opportunities; and bad input refused with nothing written.
# Every figure is computed by hand.
. "$TOP/tests/lib.sh"

as_test_user
ok_run init co
WS=$T/co
cd co || exit 1
ok_run config --team currency.default EUR
ok_run add fx from=CNY to=EUR rate=0.125 as_of=2026-01-01
ok_run add member name="Ada Lovelace" email=test@example.com role=pm
ok_run add member name="Sam Okafor" email=sam@example.com
ok_run add customer name=Acme
ok_run add customer name=Globex stage=active
ok_run add customer name=Initech stage=active

# Created on 2026-11-01; the suite's clock (RAPPORT_NOW) is 2026-11-22.
RAPPORT_NOW=2026-11-01T09:00:00Z rp add opportunity customer=Acme name="Data platform" amount=100000 \
	expected_close=2026-12-10 owner=Ada
O1=$OUT
RAPPORT_NOW=2026-11-01T09:00:00Z rp add opportunity customer=Acme name="Support renewal" amount=200000 \
	stage=propose probability=50 expected_close=2026-12-20 owner=Sam
O2=$OUT
RAPPORT_NOW=2026-11-01T09:00:00Z rp add opportunity customer=Globex name="MES 实施" amount=800000 \
	currency=¥ stage=negotiate expected_close=2026-10-31 owner=Ada
O3=$OUT
RAPPORT_NOW=2026-11-01T09:00:00Z rp add opportunity customer=Globex name="Training" amount=50000 \
	stage=lost lost_reason="went with a local firm"
O4=$OUT
ok_run add opportunity customer=Initech name="Audit"
O5=$OUT

# The closed date follows the stage: set when it is lost, kept as given, cleared when it opens.
rp show "$O4" --json
eq "$(printf '%s' "$OUT" | jq -r .record.closed)" 2026-11-01 "a lost opportunity is closed on the day"
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" EUR "an opportunity takes the team's currency"
ok_run set "$O5" stage=lost closed=2026-11-20
rp show "$O5" --json
eq "$(printf '%s' "$OUT" | jq -r .record.closed)" 2026-11-20 "a closed date given is kept"
ok_run set "$O5" stage=qualify
rp show "$O5" --json
eq "$(printf '%s' "$OUT" | jq -r .record.closed)" null "opened again, it is not closed"
ok_run rm "$O5"

# The funnel. qualify: 100,000 x 10% = 10,000; propose: 200,000 x 50% = 100,000;
# negotiate: ¥800,000 x 60% = ¥480,000 = €60,000 at 0.125. Weighted in EUR: 170,000.
ok_run pipeline --json
P=$OUT
j() { printf '%s' "$P" | jq -c "$1"; }
eq "$(j '[.stages[] | .stage]')" '["qualify","propose","negotiate"]' "the open stages in order"
eq "$(j '[.stages[] | .count]')" '[1,1,1]' "one opportunity in each stage"
eq "$(j '.stages[0].weighted')" 10000 "qualify weighs 10% by default"
eq "$(j '.stages[1].weighted')" 100000 "an opportunity's own probability counts"
eq "$(j '.stages[2].weighted')" 480000 "one currency holds the stage: its number"
eq "$(j '.stages[2].weighted_by_currency')" '{"CNY":480000}' "negotiate weighs 60%, in its own currency"
eq "$(j '.weighted_by_currency')" '{"CNY":480000,"EUR":110000}' "the total per currency, never added"
eq "$(j '.weighted_base')" 170000 "the total in the team's currency at the rate"
eq "$(j '.currency')" '"EUR"' "labelled with the team's currency"
eq "$(j '[.months[] | [.month, .count, .past]]')" '[["2026-10",1,true],["2026-12",2,false]]' \
	"by month of expected close, the past one marked"
eq "$(j '.months[1].weighted')" 110000 "December's weighted amount"
eq "$(j '.closed | [.won, .lost, .win_rate]')" '[0,1,0]' "one lost in the year, none won"
rp pipeline
out_has "Pipeline at 2026-11-22: 3 open opportunities, weighted ¥480,000.00 + €110,000.00"
out_has "2026-10 (past)"
out_has "Weighted in EUR: €170,000.00"
out_has "0 won, 1 lost; win rate 0%"
rp pipeline --customer Globex --json
eq "$(printf '%s' "$OUT" | jq -c '[.stages[] | .count]')" '[0,0,1]' "--customer narrows it"
rp pipeline --owner Sam --json
eq "$(printf '%s' "$OUT" | jq -c '[.stages[] | .count]')" '[0,1,0]' "--owner narrows it"
rp show Acme --json
eq "$(printf '%s' "$OUT" | jq -c '.summary | [.open_opportunities, .pipeline_weighted]')" '[2,110000]' \
	"the customer's summary has its pipeline"

# Won: the contract and the project, linked, in one step; the lead becomes a customer.
RAPPORT_NOW=2026-11-15T10:00:00Z rp won "Support renewal" --start 2026-12-01
status_is 0 "won:"
K=$(printf '%s\n' "$OUT" | sed -n 1p)
P2=$(printf '%s\n' "$OUT" | sed -n 2p)
err_has "Won Support renewal: contract ${K%"${K#????????}"}, project ${P2%"${P2#????????}"}; Acme is now an active customer"
rp show "$K" --json
eq "$(printf '%s' "$OUT" | jq -c '.record | [.title, .value, .currency, .signed, .start, .status]')" \
	'["Support renewal",200000,"EUR","2026-11-15","2026-12-01","active"]' "the contract from the opportunity"
rp show "$P2" --json
eq "$(printf '%s' "$OUT" | jq -c '.record | [.name, .contract, .budget, .start, .manager != null]')" \
	"[\"Support renewal\",\"$K\",200000,\"2026-12-01\",true]" "the project under the contract"
rp show "$O2" --json
eq "$(printf '%s' "$OUT" | jq -c '.record | [.stage, .closed, .contract, .project]')" \
	"[\"won\",\"2026-11-15\",\"$K\",\"$P2\"]" "the opportunity keeps both"
rp show Acme --json
eq "$(printf '%s' "$OUT" | jq -r .record.stage)" active "a lead that buys is an active customer"
ok_run pipeline --json
eq "$(printf '%s' "$OUT" | jq -c '.closed | [.won, .lost, .win_rate, .cycle_days, .won_amount]')" '[1,1,50,14,200000]' \
	"one won in 14 days, one lost: 50%"

# From a template: the project is built as 'add project --template' builds it.
RAPPORT_NOW=2026-11-20T10:00:00Z rp won "$O1" --template erp-standard --start 2026-12-07 --json
status_is 0 "won --template:"
P1=$(printf '%s' "$OUT" | jq -r .project)
err_has "from template erp-standard"
rp list task project="$P1" --json
[ "$(printf '%s' "$OUT" | jq length)" -gt 5 ] && ok || bad "the template's tasks were not made"
rp show "$P1" --json
eq "$(printf '%s' "$OUT" | jq -r .record.phase)" requirements "the project enters the template's first stage"

# KPIs: in November, 2 won (14 and 19 days), 1 lost; bookings 300,000.
rp kpi --json --periods 1
eq "$(printf '%s' "$OUT" | jq -c '.periods[0] | [(.win_rate * 100 | round), .sales_cycle, .bookings]')" \
	"[6667,16.5,300000]" "win rate 2 of 3, cycle (14 + 19) / 2 days, bookings"

# The portfolio report has the same pipeline: only the yuan sale is open now, €60,000 weighted.
ok_run report portfolio --format txt -o p.txt
grep -q '^Weighted by stage (in EUR)' p.txt && ok || bad "the portfolio report lacks the pipeline chart"
grep -q '^negotiate .*€60,000.00$' p.txt && ok || bad "the report's negotiate bar is not €60,000.00: $(grep '^negotiate' p.txt)"
grep -q '^2026-10 (past) .*¥480,000.00$' p.txt && ok || bad "the report's months lack the late yuan sale"
grep -q '2 won, 1 lost, a win rate of 67%' p.txt && ok || bad "the report lacks the year's wins: $(grep 'win rate' p.txt)"

# A rule can watch opportunities: an open one long past its expected close.
printf 'name stale-sale\nwatch opportunity\nwhen is_open AND overdue_days > 14\nmessage {name} is {overdue_days} days past its close ({weighted} weighted)\n' >r.txt
ok_run rules load r.txt
rp alerts
out_has "MES 实施 is 22 days past its close (¥480,000.00 weighted)"

# Refused, nothing written.
rejects "already won into contract" won "$O2"
rejects "it was lost; open it again first" won "$O4"
ok_run add opportunity customer=Initech name="Scoping"
rejects "field 'amount': unset" won Scoping
ok_run set Scoping amount=1000
rejects "no template" won Scoping --template nosuch
rp list contract --json
eq "$(printf '%s' "$OUT" | jq length)" 2 "a failed won leaves no contract behind"
rejects "field 'probability'" add opportunity customer=Initech name=X probability=150
rejects "field 'stage'" add opportunity customer=Initech name=X stage=maybe
rejects "field 'expected_close'" add opportunity customer=Initech name=X expected_close=2026-13-01
rejects "field 'customer'" add opportunity customer=Nobody name=X
rejects "--customer" pipeline --customer Nobody
rejects "no arguments" pipeline extra
rejects "which opportunity" won
rejects "no opportunity 'Initech'" won Initech
rejects "--period" pipeline --period month

finish
