# demo.sh — the demo workspace: the small company has what the README promises, dates follow
# RAPPORT_NOW, and synthetic workspaces are deterministic.
. "$TOP/tests/lib.sh"

ok_run demo co
out_has "12 customers"
WS=$T/co
count() { rp -C co list "$@" --json; printf '%s' "$OUT" | jq length; }
eq "$(count customer)" 12 "customers"
[ "$(count contact)" -ge 24 ] && ok || bad "contacts"
[ "$(count interaction)" -ge 150 ] && ok || bad "a year of interactions"
for st in planned active paused done cancelled; do
	[ "$(count project status=$st)" -ge 1 ] && ok || bad "no $st project"
done
[ "$(count milestone)" -ge 30 ] && ok || bad "milestones"
[ "$(count task parent!=)" -ge 20 ] && ok || bad "WBS subtasks"
[ "$(count time)" -ge 100 ] && ok || bad "time entries"
[ "$(count invoice paid_on!=)" -ge 10 ] && ok || bad "paid invoices"
[ "$(count invoice paid_on= due\<today)" -ge 1 ] && ok || bad "late invoices"
[ "$(count invoice paid_on= due\>today)" -ge 1 ] && ok || bad "open invoices"
[ "$(count survey kind=nps)" -ge 5 ] && ok || bad "NPS answers"
[ "$(count survey kind=csat)" -ge 5 ] && ok || bad "CSAT answers"
[ "$(count ticket status=open)" -ge 1 ] && ok || bad "open tickets"
[ "$(count contract end\<+7d end\>today)" -ge 1 ] && ok || bad "a contract ending within a week"
[ "$(count customer name~科技)" -ge 1 ] && ok || bad "Chinese names"
[ "$(count customer parent!=)" -ge 1 ] && ok || bad "a subsidiary"
ok_run -C co show "Fabrikam Health"
out_has "at_risk"
out_has "Overdue"
ok_run -C co search 物流
out_has "杭州青禾物流"

# The same RAPPORT_NOW gives the same demo, record for record.
ok_run demo co2
rp -C co list interaction --json --sort id
a=$(printf '%s' "$OUT" | jq -c '[.[] | del(.created, .updated, .author)]' | sha256sum)
rp -C co2 list interaction --json --sort id
b=$(printf '%s' "$OUT" | jq -c '[.[] | del(.created, .updated, .author)]' | sha256sum)
eq "$a" "$b" "demo is deterministic"

# Synthetic sizes: N customers in fixed proportions, deterministic ids.
ok_run demo s1 --size 3
out_has "3 customers"
out_has "300 interactions"
out_has "60 tasks"
ok_run demo s2 --size 3
rp -C s1 list task --json --sort id
a=$(printf '%s' "$OUT" | jq -r '.[].id' | sha256sum)
rp -C s2 list task --json --sort id
b=$(printf '%s' "$OUT" | jq -r '.[].id' | sha256sum)
eq "$a" "$b" "synthetic ids are deterministic"
finish
