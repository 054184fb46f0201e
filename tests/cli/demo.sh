# demo.sh — the demo workspace: the small company has what the README promises, dates follow
# RAPPORT_NOW, and synthetic workspaces are deterministic.
. "$TOP/tests/lib.sh"

ok_run demo co
out_has "12 customers"
WS=$T/co
count() { rp -C co list "$@" --json; printf '%s' "$OUT" | jq length; }
# at_least N WHAT FILTERS…: the demo has at least N records matching.
at_least() {
	n=$1
	what=$2
	shift 2
	c=$(count "$@")
	[ "$c" -ge "$n" ] && ok || bad "$what: $c, wanted at least $n"
}
eq "$(count customer)" 12 "customers"
at_least 24 "contacts" contact
at_least 150 "a year of interactions" interaction
for st in planned active paused done cancelled; do
	at_least 1 "$st projects" project status=$st
done
at_least 30 "milestones" milestone
at_least 20 "WBS subtasks" task parent!=
at_least 100 "time entries" time
at_least 10 "paid invoices" invoice paid_on!=
at_least 1 "late invoices" invoice paid_on= due\<today
at_least 1 "open invoices" invoice paid_on= due\>today
at_least 5 "NPS answers" survey kind=nps
at_least 5 "CSAT answers" survey kind=csat
at_least 1 "open tickets" ticket status=open
at_least 1 "a contract ending within a week" contract end\<+7d end\>today
at_least 1 "Chinese names" customer name~科技
at_least 1 "a subsidiary" customer parent!=
# Nothing is done in the future: a milestone's done date is never after today (a late one
# whose finish has not come yet is still open), on this day and on the day the defect showed.
eq "$(count milestone done\>today)" 0 "milestones done after today"
rp -C co list milestone done!= --json
late=$(printf '%s' "$OUT" | jq '[.[] | select(.done > .due)] | length')
[ "$late" -ge 1 ] && ok || bad "no late milestone was done: $late"
RAPPORT_NOW=2026-12-02T09:00:00Z ok_run demo dec
RAPPORT_NOW=2026-12-02T09:00:00Z rp -C dec list milestone done\>today --json
eq "$(printf '%s' "$OUT" | jq length)" 0 "milestones done after today (2026-12-02)"
ok_run -C co show "Fabrikam Health"
out_has "at_risk"
out_has "Overdue"
ok_run -C co search 物流
out_has "杭州青禾物流"

# The projects went through the delivery process, by the engine: phases that fit their status,
# and decisions waiting — for the demo's user (the workspace's identity: Ada Lovelace), one of
# them overdue, one for a customer's sponsor, one a change request.
rp -C co config user.email
eq "$OUT" ada@delivery.example "the demo's user"
out_of() { printf '%s' "$OUT" | jq -r "$1"; }
rp -C co list project --json
eq "$(out_of '[.[] | select(.status == "active" and .phase == null)] | length')" 0 "active projects not started"
[ "$(out_of '[.[] | select(.status == "done" and .phase == "operations")] | length')" -ge 3 ] && ok ||
	bad "done projects at operations: $(out_of '[.[] | select(.status == "done") | .phase] | join(" ")')"
eq "$(out_of '[.[] | select(.status == "planned" and .phase != null and .phase != "requirements")] | length')" 0 "planned projects past requirements"
[ "$(out_of '[.[] | select(.status == "planned" and .phase == null)] | length')" -ge 1 ] && ok || bad "no planned project is still to start"
[ "$(out_of '[.[] | .phase] | unique | length')" -ge 6 ] && ok || bad "few phases: $(out_of '[.[] | .phase] | unique | join(" ")')"
ok_run -C co approvals --mine
[ "$(printf '%s\n' "$OUT" | grep -c pending)" -ge 2 ] && ok || bad "pending approvals for the demo's user: $OUT"
out_has "OVERDUE" "one of the demo user's approvals is overdue"
ok_run -C co approvals
out_has "(customer)" "an approval waits for a customer's sponsor"
CH=$(cd co && "$RAPPORT_BIN" list change --json | jq -r '.[0].id')
eq "$(cd co && "$RAPPORT_BIN" approvals --json | jq --arg ch "$CH" '[.[] | select(.on == $ch)] | length')" 1 "a change request waits for approval"
ok_run -C co log "Mobile field app"
out_has "rejected (recorded by" "a paused project's blueprint was turned down"

# The same RAPPORT_NOW gives the same demo, record for record.
ok_run demo co2
for k in interaction project transition approval change; do
	rp -C co list $k --json --sort id
	a=$(printf '%s' "$OUT" | jq -c '[.[] | del(.created, .updated, .author)]' | sha256sum)
	rp -C co2 list $k --json --sort id
	b=$(printf '%s' "$OUT" | jq -c '[.[] | del(.created, .updated, .author)]' | sha256sum)
	eq "$a" "$b" "demo is deterministic ($k)"
done

# Synthetic sizes: N customers in fixed proportions, deterministic ids.
ok_run demo s1 --size 3
out_has "3 customers"
out_has "300 interactions"
out_has "60 tasks"
ok_run demo s2 --size 3
# Counts of one in the singular.
ok_run demo one --size 1
out_has " 1 customer"
out_lacks " 1 customers"
out_lacks " 1 contracts"
rp -C s1 list task --json --sort id
a=$(printf '%s' "$OUT" | jq -r '.[].id' | sha256sum)
rp -C s2 list task --json --sort id
b=$(printf '%s' "$OUT" | jq -r '.[].id' | sha256sum)
eq "$a" "$b" "synthetic ids are deterministic"
finish
