# tests/cli/health.sh — earned value and health scores on hand-computed fixtures:
# PV/EV/AC/SPI/CPI/EAC/VAC including tasks without dates, PV = 0 and AC = 0; the baseline;
# each component's normalisation, redistribution of missing weight and confidence, the cap,
# survey decay; team settings; bad input.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_NOW=2026-11-22T09:00:00Z
ok_run init ws
WS=$T/ws
cd ws || exit 1
j() { printf '%s' "$OUT" | jq -r "$1"; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.01) }' && ok || bad "${3:-}: got $1, wanted $2"; }

ANN=$("$RAPPORT_BIN" add member name=Ann email=ann@example.com rate=100)
BOB=$("$RAPPORT_BIN" add member name=Bob email=bob@example.com)
C=$("$RAPPORT_BIN" add customer name=Acme stage=active renewal_intent=likely)
P=$("$RAPPORT_BIN" add project customer=Acme name=Portal status=active rate=50 budget=10000 start=2026-11-01)
# T1: done, planned complete by the status date: PV 1000, EV 1000.
"$RAPPORT_BIN" add task project=Portal name=T1 budget=1000 start=2026-11-01 due=2026-11-11 status=done >/dev/null
# T2: no budget: estimate 20 h x rate 50 = 1000; half its 20 days gone: PV 500; 25% done: EV 250.
T2=$("$RAPPORT_BIN" add task project=Portal name=T2 estimate=20 start=2026-11-12 due=2026-12-02 progress=25)
# T3: no dates: in BAC, never planned (PV 0).
"$RAPPORT_BIN" add task project=Portal name=T3 budget=500 >/dev/null
# AC: 10 h x Ann's 100 + 4 h x the project's 50 (Bob has no rate) + 100 expenses = 1300.
"$RAPPORT_BIN" add time project=Portal member=Ann date=2026-11-05 hours=10 >/dev/null
"$RAPPORT_BIN" add time project=Portal member=Bob date=2026-11-06 hours=4 >/dev/null
"$RAPPORT_BIN" add expense project=Portal date=2026-11-07 amount=100 >/dev/null
# After the status date: not counted.
"$RAPPORT_BIN" add time project=Portal member=Ann date=2026-11-30 hours=8 >/dev/null

ok_run health "$P" --json
near "$(j .bac)" 2500 "BAC"
near "$(j .pv)" 1500 "PV"
near "$(j .ev)" 1250 "EV"
near "$(j .ac)" 1300 "AC"
near "$(j .spi)" 0.833333 "SPI"
near "$(j .cpi)" 0.961538 "CPI"
near "$(j .eac)" 2600 "EAC = BAC / CPI"
near "$(j .vac)" -100 "VAC"
# Components: SPI (0.8333-0.8)/0.2 = 16.67; CPI 80.77; defects 0 per 100 h = 100; the rest have
# no data: their weight is spread, confidence = (20+15+15)/100 = 50% -> grey.
near "$(j '.components[] | select(.key == "spi") | .score')" 16.6667 "SPI normalised"
near "$(j '.components[] | select(.key == "cpi") | .score')" 80.7692 "CPI normalised"
near "$(j '.components[] | select(.key == "defects") | .score')" 100 "defects normalised"
eq "$(j '.components[] | select(.key == "nps") | .value')" null "NPS without answers is missing"
eq "$(j .confidence)" 50 "confidence is the weight present"
eq "$(j .score)" 61 "score = (20*16.67 + 15*80.77 + 15*100) / 50"
eq "$(j .band)" grey "under 60% confidence the band is grey"
eq "$(j .color)" amber "the colour band behind it"
ok_run health "$P" --why
out_has "Schedule (SPI)"
out_has "no data (weight 10 spread over the rest)"
ok_run health "$P" --why --json
eq "$(j '.components[] | select(.key == "spi") | .records | length')" 0 "no late task yet"

# A late key task shows up behind SPI.
"$RAPPORT_BIN" add task project=Portal name=Late key=true budget=100 start=2026-11-01 due=2026-11-15 >/dev/null
ok_run health "$P" --why
out_has "Late · due 2026-11-15 · 7 days late"

# The baseline: moving a due date after it does not move PV; clearing it does.
"$RAPPORT_BIN" rm Late >/dev/null
ok_run baseline Portal
out_has "Recorded the baseline of"
"$RAPPORT_BIN" set "$T2" due=2026-12-12 >/dev/null
ok_run health "$P" --json
near "$(j .pv)" 1500 "PV against the baseline"
ok_run baseline Portal --clear
ok_run health "$P" --json
near "$(j .pv)" 1333.33 "PV against the current plan (10 of 30 days)"
rejects "not a project" baseline "$C"
rejects "which project?" baseline

# PV = 0 and AC = 0: SPI and CPI are left out, never divided by zero.
Q=$("$RAPPORT_BIN" add project customer=Acme name=Empty status=active)
"$RAPPORT_BIN" add task project=Empty name=Undated budget=100 >/dev/null
ok_run health "$Q" --json
eq "$(j .spi)" null "SPI with PV = 0"
eq "$(j .cpi)" null "CPI with AC = 0"
eq "$(j .confidence)" 0 "no data at all"

# Milestones, collection, surveys with decay on the project.
"$RAPPORT_BIN" add milestone project=Portal name=M1 due=2026-11-10 done=2026-11-09 >/dev/null
"$RAPPORT_BIN" add milestone project=Portal name=M2 due=2026-11-15 done=2026-11-18 >/dev/null
"$RAPPORT_BIN" add milestone project=Portal name=M3 due=2026-12-15 >/dev/null
"$RAPPORT_BIN" pay "$("$RAPPORT_BIN" add invoice customer=Acme project=Portal amount=1000 issued=2026-10-01 due=2026-10-31)" --on 2026-10-30 >/dev/null 2>&1
"$RAPPORT_BIN" add invoice customer=Acme project=Portal amount=500 issued=2026-10-15 due=2026-11-14 >/dev/null
"$RAPPORT_BIN" add survey customer=Acme project=Portal kind=csat score=5 date=2026-11-22 >/dev/null
# 90 days old: half its weight; the other half counts as neutral (75%).
"$RAPPORT_BIN" add survey customer=Acme project=Portal kind=csat score=2 date=2026-08-24 >/dev/null
# Older than 180 days: fully faded to neutral.
"$RAPPORT_BIN" add survey customer=Acme project=Portal kind=nps score=0 date=2026-01-01 >/dev/null
ok_run health "$P" --json
near "$(j '.components[] | select(.key == "milestones") | .value')" 50 "1 of 2 due milestones on time"
near "$(j '.components[] | select(.key == "collection") | .value')" 50 "1 of 2 due invoices paid on time"
near "$(j '.components[] | select(.key == "csat") | .value')" 68.75 "CSAT with a half-faded answer"
near "$(j '.components[] | select(.key == "nps") | .value')" 15 "a fully faded NPS answer is neutral"
near "$(j '.components[] | select(.key == "nps") | .score')" 50 "neutral scores 50"

# The cap: a component under 25 keeps the score below green.
R=$("$RAPPORT_BIN" add project customer=Acme name=Capped status=active start=2026-11-01 rate=10)
"$RAPPORT_BIN" add task project=Capped name=Good budget=1000 start=2026-11-01 due=2026-11-02 status=done >/dev/null
"$RAPPORT_BIN" add time project=Capped member=Ann date=2026-11-02 hours=1 >/dev/null
for i in 1 2 3 4 5; do "$RAPPORT_BIN" add milestone project=Capped name=M$i due=2026-11-0$i done=2026-11-0$i >/dev/null; done
"$RAPPORT_BIN" add invoice customer=Acme project=Capped amount=10 issued=2026-10-01 due=2026-10-02 >/dev/null
ok_run health "$R" --json
eq "$(j .capped)" true "a component under 25 caps the score"
eq "$(j .score)" 74 "capped at 74"
eq "$(j .color)" amber "capped scores are not green"

# Team settings change the weights; bad ones are refused and change nothing.
ok_run config --team health.project.collection.weight 0
ok_run health "$R" --json
eq "$(j .capped)" false "a component with weight 0 does not cap"
rejects "is not a number" config --team health.project.spi.weight lots
rejects "not a health setting" config --team health.project.nothing.weight 3
rejects "not a team setting" config --team user.name x
ok_run config --team health.project.collection.weight ""
ok_run health "$R" --json
eq "$(j .capped)" true "removing the setting restores the default"

# Customers: renewal intent, executive contact, last contact, response time, delivery.
"$RAPPORT_BIN" add interaction customer=Acme kind=meeting summary=QBR executive=true at=2026-11-12T10:00:00Z >/dev/null
"$RAPPORT_BIN" add ticket customer=Acme title=T opened=2026-11-01T00:00:00Z first_response=2026-11-01T06:00:00Z >/dev/null
"$RAPPORT_BIN" add ticket customer=Acme title=U opened=2026-11-02T00:00:00Z first_response=2026-11-02T02:00:00Z >/dev/null
ok_run health Acme --json
near "$(j '.components[] | select(.key == "renewal") | .value')" 75 "renewal intent likely"
near "$(j '.components[] | select(.key == "executive") | .value')" 1 "executive met"
near "$(j '.components[] | select(.key == "contact") | .value')" 10 "10 days since the last contact"
near "$(j '.components[] | select(.key == "response") | .value')" 4 "median of 6 h and 2 h"
[ "$(j '.components[] | select(.key == "delivery") | .value')" != null ] && ok || bad "delivery from the projects"

# KPIs over a period, hand-computed: November 2026 (the status date's month), to date: what
# falls due after the 22nd (a milestone not done yet, an invoice not paid yet) is not missed.
"$RAPPORT_BIN" add milestone project=Portal name=Later due=2026-11-29 >/dev/null
"$RAPPORT_BIN" add invoice customer=Acme amount=1000 issued=2026-11-20 due=2026-11-30 >/dev/null
ok_run kpi --json --periods 2
eq "$(j '.periods[1].partial')" true "the status date's month is partial"
eq "$(j '.periods[0].partial')" false "a past month is whole"
ok_run kpi --periods 2
out_has "2026-11*"
out_has "* 2026-11 to date (2026-11-01 to 2026-11-22): not a whole month"
ok_run report portfolio
out_has "2026-11*"
out_has "2026-11 to date (2026-11-01 to 2026-11-22)"
ok_run kpi --json --periods 2
# Milestones due in November: M1 (on time), M2 (late), Capped's M1-M5 (on time): 6 of 7.
near "$(j '.periods[1].on_time_delivery')" 85.7143 "on-time delivery"
# Invoices due in November: 500 unpaid (Portal), 10 unpaid (Capped), 1 - none other: 0 of 510.
near "$(j '.periods[1].collection_rate')" 0 "collection rate"
# NPS answers in November: none (the fully faded one is from January).
eq "$(j '.periods[1].nps')" null "no NPS answers in November"
near "$(j '.periods[1].csat')" 100 "one CSAT answer in November, a 5"
eq "$(j '.periods[0].csat')" null "October: no CSAT answers (August's is outside)"
eq "$(j '.periods[0].period')" 2026-10 "the previous month"
eq "$(j '.customer_value[0].name')" Acme "customer value"
rejects "is not month, quarter or year" kpi --period fortnight
rejects "is not 1-24" kpi --periods 0

# The ranking and --at.
ok_run health
out_has "Portal"
out_has "Acme"
ok_run health --json --at 2026-11-01
eq "$(j '[.[] | select(.kind == "project")] | length')" 3 "three active projects scored"
rejects "is not a date" health --at 2026-13-45
rejects "health is scored for projects and customers" health "$ANN"
rejects "no record" health ffffffff
rejects "unknown option" health --bogus
# Trends: the scores recorded each day `health` runs, as a 12-week sparkline. The ranked list
# reads every trend in one pass; one record's view reads its own; they agree.
for d in 2026-10-04 2026-10-25 2026-11-08; do RAPPORT_NOW=${d}T09:00:00Z rp health; done
ok_run health --json
tid=$(printf '%s' "$OUT" | jq -r '[.[] | select(.trend != "············")][0].id')
ltrend=$(printf '%s' "$OUT" | jq -r --arg id "$tid" '.[] | select(.id == $id) | .trend')
[ -n "$tid" ] && [ "$tid" != null ] && ok || bad "no trend after three days of history"
case "$ltrend" in *·*[▁▂▃▄▅▆▇█]*) ok ;; *) bad "trend '$ltrend' lacks recorded weeks" ;; esac
ok_run health "$tid" --json
eq "$(printf '%s' "$OUT" | jq -r .trend)" "$ltrend" "the list's trend and the record's"

# The list's trends come from a table kept per id (health_trend), one record's from the daily
# history: every id agrees, also after the clock ran backwards (the table is rebuilt) and
# after the table was lost.
agree() {
	rp health --json
	printf '%s' "$OUT" | jq -r '.[] | "\(.id) \(.trend)"' >"$T/list"
	n=0
	while read -r rid rtrend; do
		rp health "$rid" --json
		if [ "$(printf '%s' "$OUT" | jq -r .trend)" != "$rtrend" ]; then
			bad "$1: $rid: list trend $rtrend, record's $(printf '%s' "$OUT" | jq -r .trend)"
		fi
		n=$((n + 1))
	done <"$T/list"
	[ "$n" -gt 3 ] && ok || bad "$1: only $n scores listed"
}
agree "after three weeks of history"
RAPPORT_NOW=2026-10-18T09:00:00Z rp health
eq "$STATUS" 0 "a run with the clock set back"
agree "after the clock ran backwards"
sqlite3 .rapport/rapport.db "DELETE FROM meta WHERE key = 'trends'; DELETE FROM health_trend;"
agree "after the kept trends were lost"
eq "$(sqlite3 .rapport/rapport.db "SELECT count(*) FROM health_trend")" \
	"$(sqlite3 .rapport/rapport.db "SELECT count(DISTINCT id) FROM health_history WHERE day >= '2026-09-01'")" \
	"the kept trends are built again, one row per id with history"

# Weeks are calendar weeks, Monday to Sunday: on Wednesday 25 November, Sunday the 22nd is last
# week and Monday the 23rd this week (a window ending on the status date would put both in one).
"$RAPPORT_BIN" add project customer=Acme name=Weekly status=active budget=100 rate=10 >/dev/null
W=$(rp list project name=Weekly --json; printf '%s' "$OUT" | jq -r '.[0].id')
"$RAPPORT_BIN" add task project=Weekly name=W1 budget=100 start=2026-11-01 due=2026-12-31 progress=50 >/dev/null
RAPPORT_NOW=2026-11-22T09:00:00Z rp health
RAPPORT_NOW=2026-11-23T09:00:00Z rp health
RAPPORT_NOW=2026-11-25T09:00:00Z rp health --json
wtrend=$(printf '%s' "$OUT" | jq -r --arg id "$W" '.[] | select(.id == $id) | .trend')
case "$wtrend" in "··········"*) case "${wtrend#··········}" in *·*) bad "calendar weeks: trend '$wtrend'" ;; ?*) ok ;; *) bad "calendar weeks: trend '$wtrend'" ;; esac ;; *) bad "calendar weeks: trend '$wtrend'" ;; esac
RAPPORT_NOW=2026-11-25T09:00:00Z rp health "$W" --json
eq "$(printf '%s' "$OUT" | jq -r .trend)" "$wtrend" "calendar weeks: the record's trend"

# The health report's chart ends with the score over it, even when the report runs after an
# edit and before any `health` run has recorded the new score; the trend column says when
# there is no score four weeks back rather than staying blank.
RAPPORT_NOW=2026-11-25T09:00:00Z rp health
"$RAPPORT_BIN" set "$T2" progress=100 status=done >/dev/null
RAPPORT_NOW=2026-11-25T09:00:00Z ok_run report health --project "$W"
head=$(printf '%s\n' "$OUT" | sed -n 's/^project Weekly: \([0-9]*\) .*/\1/p')
last=$(printf '%s\n' "$OUT" | sed -n '/^Health, last 12 weeks/{n;p;}' | awk '{ print $NF }')
[ -n "$head" ] && ok || bad "no headline score for Weekly: $(printf '%s' "$OUT" | grep -m1 Weekly)"
eq "$last" "$head" "the chart's last week and the headline score"
before=$head
"$RAPPORT_BIN" set W1 progress=5 >/dev/null # behind schedule now: a lower score
RAPPORT_NOW=2026-11-25T09:00:00Z ok_run report health --project "$W"
head=$(printf '%s\n' "$OUT" | sed -n 's/^project Weekly: \([0-9]*\) .*/\1/p')
last=$(printf '%s\n' "$OUT" | sed -n '/^Health, last 12 weeks/{n;p;}' | awk '{ print $NF }')
eq "$last" "$head" "after an edit: the chart's last week and the headline score"
[ "$head" != "$before" ] && ok || bad "the edit did not change Weekly's score ($head)"
RAPPORT_NOW=2026-11-25T09:00:00Z ok_run report health
printf '%s\n' "$OUT" | grep -q -E '^Acme +[0-9]+ .* new ' && ok ||
	bad "the trend column without a score four weeks back: $(printf '%s\n' "$OUT" | grep -m1 '^Acme')"
finish
