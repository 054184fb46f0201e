# records.sh — the record commands as a user meets them: init, add, show, set, rm, undelete,
# list with filters and order, search, custom fields, JSON output, workspace discovery.
. "$TOP/tests/lib.sh"

ok_run --version
out_has "rapport "
ok_run init ws
out_has "Initialized empty rapport workspace in"
WS=$T/ws
rp init ws
status_is 2 "init twice:"
err_has "already a rapport workspace"

# Identity: rapport's own config, else git's, else $USER.
cd ws
ok_run config user.name "Ada Lovelace"
ok_run config user.email ada@example.com
ok_run config user.name
eq "$OUT" "Ada Lovelace" "config read back"

# Workspace discovery: current dir, parents, -C and RAPPORT_DIR.
mkdir -p sub/deeper
cd sub/deeper
ok_run add member name="Ada Lovelace" email=ada@example.com role=pm rate=120
cd "$T"
rp list member
status_is 2 "outside a workspace:"
err_has "not in a rapport workspace"
RAPPORT_DIR=$T/ws rp list member
status_is 0
out_has "Ada Lovelace"
ok_run -C ws list member
out_has "Ada Lovelace"
cd ws

# add prints a 32-hex id; references accept names.
ok_run add customer name="Contoso Manufacturing" industry=Manufacturing stage=active tags=erp,vip
C=$OUT
case "$C" in [0-9a-f]*) [ ${#C} -eq 32 ] && ok || bad "id length ${#C}" ;; *) bad "not an id: $C" ;; esac
ok_run add customer name="上海明远科技有限公司" region=APAC stage=lead
CN=$OUT
ok_run add contact customer="Contoso Manufacturing" name="Li Wei" title=CIO email=li@contoso.example key=yes
P1=$OUT
ok_run add contact customer=$(echo "$C" | cut -c1-6) name="Mia Davis" reports_to="Li Wei"
ok_run add project customer=contoso\ manufacturing name="ERP rollout" status=active start=2026-10-01 due=2027-03-31 budget=120000 rate=100
PR=$OUT
ok_run add task project="ERP rollout" name=Design status=done progress=100 due=2026-11-01
T1=$OUT
ok_run add task project="ERP rollout" name="Design review" parent=$T1 status=doing progress=40
ok_run add task customer=Contoso\ Manufacturing name="Call about renewal" due=+3d
ok_run add time project="ERP rollout" hours=7.5 date=2026-11-20
ok_run add expense project="ERP rollout" amount=250 category=travel
ok_run add milestone project="ERP rollout" name="Go-live" due=2027-03-31
ok_run add interaction customer="Contoso Manufacturing" contact="Li Wei" kind=call summary="Kick-off call" at="2026-11-20 10:00"
ok_run add invoice customer="Contoso Manufacturing" amount=10000 issued=2026-09-01 due=2026-10-01
ok_run pay "$OUT" 4000 --on 2026-09-20
ok_run add invoice customer="Contoso Manufacturing" amount=5000 issued=2026-11-01 due=2026-12-01
ok_run add ticket customer="Contoso Manufacturing" title="Login fails" severity=high
ok_run add survey customer="Contoso Manufacturing" kind=nps score=9
ok_run add requirement customer="Contoso Manufacturing" title="Single sign-on" status=accepted
ok_run add contract customer="Contoso Manufacturing" title=MSA value=250000 start=2026-01-01 end=2027-12-31
ok_run add quote customer="$CN" amount=30000 status=sent
ok_run add comment on="$PR" body="Kick-off went well"

# show by unique prefix: the customer 360.
ok_run show "$(echo "$C" | cut -c1-5)"
out_has "Contoso Manufacturing"
for section in "Contacts (2)" "Interactions (1)" "Projects (1)" "Contracts (1)" "Invoices (2)" \
	"Tickets (1)" "Surveys (1)" "Requirements (1)" "Tasks (1)" "Receivables" \
	"15,000.00 invoiced, 4,000.00 paid, 11,000.00 outstanding" "6,000.00 in 1 invoice past due"; do
	out_has "$section" "customer 360"
done
out_has "Created          2026-11-22T09:00:00Z by Ada Lovelace <ada@example.com>"
# the project view: WBS tree and totals
ok_run show "$PR"
out_has "1.1" "WBS numbering"
out_has "Design review"
out_has "7.5 h (7.5 billable) in 1 entry"
out_has "900.00 labour + 250.00 expenses = 1,150.00" "member rate beats project rate"
out_has "Milestones (1)"
out_has "Comments (1)"
# show by name across kinds
ok_run show "Li Wei"
out_has "contact $P1"
out_has "Direct reports (1)"

# set: change, clear, list edits; unchanged values write nothing.
ok_run set "$C" industry= tags+=priority tags-=vip region=EMEA
ok_run show "$C" --json
eq "$(printf '%s' "$OUT" | jq -r '.record.tags | join(",")')" "erp,priority" "tags after += and -="
eq "$(printf '%s' "$OUT" | jq -r '.record.industry')" "null" "cleared field"
eq "$(printf '%s' "$OUT" | jq -r '.record.region')" "EMEA"
eq "$(printf '%s' "$OUT" | jq -r '.summary.outstanding')" "11000"
eq "$(printf '%s' "$OUT" | jq -r '.related.contacts | length')" "2"

# list: filters, order, limit, columns, JSON.
ok_run list customer
out_has "Contoso Manufacturing"
out_has "上海明远科技有限公司"
ok_run list customer stage=active
out_lacks "上海明远"
ok_run list customer stage!=active
out_has "上海明远"
out_lacks "Contoso"
ok_run list customer name~contoso
out_has "Contoso"
ok_run list customer tags=erp --json
eq "$(printf '%s' "$OUT" | jq length)" "1" "tags=erp"
ok_run list customer industry= --json
eq "$(printf '%s' "$OUT" | jq length)" "2" "industry= matches unset"
ok_run list invoice amount\>6000 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].amount')" "10000"
ok_run list invoice due\<today --json
eq "$(printf '%s' "$OUT" | jq length)" "1" "relative date filter"
ok_run list invoice --sort -amount --limit 1 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].amount')" "10000" "sort descending"
ok_run list invoice --sort amount --limit 1 --offset 1 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].amount')" "10000" "offset"
ok_run list task customer="Contoso Manufacturing" --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" "Call about renewal"
eq "$(printf '%s' "$OUT" | jq -r '.[0].due')" "2026-11-25" "relative due date"
# Through a reference, and either of several choices.
ok_run list task project.status=active --json
eq "$(printf '%s' "$OUT" | jq length)" "2" "project.status=active"
ok_run list task project.customer="Contoso Manufacturing" --json
eq "$(printf '%s' "$OUT" | jq length)" "2" "project.customer=NAME"
ok_run list task status=done,doing --json
eq "$(printf '%s' "$OUT" | jq length)" "2" "status=done,doing"
ok_run list task status=todo,doing --json
eq "$(printf '%s' "$OUT" | jq -r 'map(.name) | sort | join(",")')" "Call about renewal,Design review" "status=todo,doing"
rp list task status=done,nope
status_is 2 "a bad choice in a list:"
err_has "'nope' is not one of"
rp list task name.first=x
status_is 2
err_has "'name' is not a reference of task to follow"
ok_run list contact --columns name,email
out_has "li@contoso.example"
ok_run list contact --json
eq "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="Li Wei") | .key')" "true" "bool in JSON"

# search: words, prefixes, Chinese, nothing for deleted.
ok_run search kick
out_has "Kick-off call"
ok_run search 明远
out_has "上海明远科技有限公司"
ok_run search sign on
out_has "Single sign-on"
ok_run search --json contoso
[ "$(printf '%s' "$OUT" | jq length)" -ge 2 ] && ok || bad "search --json"

# rm and undelete: tombstones. A record that live records refer to is not deleted: rm names
# them and changes nothing, unless they go in the same command or --force says so.
rejects "customer ${CN%"${CN#????????}"} 上海明远科技有限公司: 1 quote still refers to it:" rm "$CN"
err_has "rapport rm --force ${CN%"${CN#????????}"}"
Q=$("$RAPPORT_BIN" list quote --json | jq -r '.[0].id')
err_has "quote ${Q%"${Q#????????}"}"
ok_run rm "$CN" "$Q"
out_has "Deleted quote"
ok_run undelete "$CN" "$Q"
ok_run rm --force "$CN"
out_has "Deleted customer"
out_has "still referring to it: 1 quote"
ok_run list customer --json
eq "$(printf '%s' "$OUT" | jq length)" "1" "deleted customer leaves the list"
ok_run list customer --deleted --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" "上海明远科技有限公司"
ok_run search 明远
out_lacks "上海明远" "deleted leaves search"
ok_run show "$CN"
out_has "(deleted)"
ok_run undelete "$CN"
out_has "Restored customer"
ok_run search 明远
out_has "上海明远"
# undelete finds a deleted record by name too, as every other command finds a live one.
ok_run rm --force "上海明远科技有限公司"
ok_run undelete "上海明远科技有限公司"
out_has "Restored customer ${CN%"${CN#????????}"}"
ok_run rm --force 上海明远
ok_run undelete 上海明远
out_has "Restored customer ${CN%"${CN#????????}"}" "undelete by a part of the name"
rejects "customer ${C%"${C#????????}"} is not deleted" undelete "Contoso Manufacturing"
rejects "no deleted record with id or name 'Nobody'" undelete Nobody

# Finding things: a name matches whole, else by a unique start, else by a unique part, without
# regard to case; the exact name wins first; ambiguity lists the candidates, exits 2 and
# changes nothing; references (customer=…) and filters take the same.
ok_run show contoso
out_has "customer $C" "show by a prefix, any case"
ok_run show manufact
out_has "customer $C" "show by a part of the name"
ok_run set contoso region=APAC
ok_run show "$C" --json
eq "$(printf '%s' "$OUT" | jq -r '.record.region')" "APAC" "set by a prefix"
ok_run add contact customer=contoso\ m name="Noor Ali"
ok_run list contact customer=manufacturing --json
eq "$(printf '%s' "$OUT" | jq 'map(select(.name=="Noor Ali")) | length')" 1 "a reference by a part of the name"
ok_run add customer name="Contoso" stage=lead
C0=$OUT
ok_run show contoso
out_has "customer $C0" "the exact name wins over a longer one it starts"
ok_run add customer name="Contoso Logistics" stage=lead
rejects "'conto' is ambiguous; it could be:" set conto region=NA
err_has "Contoso Logistics"
err_has "Contoso Manufacturing"
ok_run show renewal
out_has "Call about renewal" "a word of a task's name, when no customer, contact or project is named so"
rejects "'kick' is ambiguous" show kick
err_has "Kick-off call"
err_has "Kick-off went well"
rejects "no record with id or name 'zzzz'" show zzzz

# fields and custom fields: defined, validated, listed, filterable, shown, searchable.
ok_run fields
out_has "customer"
ok_run fields customer
out_has "renewal_intent"
out_has "lead,prospect,active,loyal,at_risk,churned"
ok_run field add customer tier choice gold,silver,bronze --label "Service tier"
ok_run field add contact linkedin text
ok_run fields customer --json
eq "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="tier") | .flags')" "list,internal,custom"
ok_run set "$C" tier=gold
ok_run list customer tier=gold
out_has "Contoso"
out_has "SERVICE TIER"
ok_run show "$C"
out_has "Service tier     gold"
ok_run add contact customer="$C" name="Ann Lee" linkedin=annlee-sales
ok_run search annlee
out_has "Ann Lee"
ok_run list field
out_has "tier"

# Long text keeps its lines.
ok_run add interaction customer="$C" kind=note summary=Notes "body=line one
line two"
ok_run show "$OUT"
out_has "      line one"
out_has "      line two"

# Numbers mean the same in every locale: under German conventions (a decimal comma; the locale
# is built here with localedef when the system has its source) 12.5 is still 12.5, and JSON
# and CSV write a decimal point.
mkdir -p "$T/loc"
if localedef -i de_DE -f UTF-8 "$T/loc/de_DE.UTF-8" >/dev/null 2>&1; then
	LOCPATH=$T/loc LC_ALL=de_DE.UTF-8 rp add project customer="$C" name=Locale budget=12.5
	status_is 0 "12.5 under a German locale:"
	LOCPATH=$T/loc LC_ALL=de_DE.UTF-8 rp list project name=Locale --json
	eq "$(printf '%s' "$OUT" | jq -c '.[0].budget')" 12.5 "a German locale's JSON"
	LOCPATH=$T/loc LC_ALL=de_DE.UTF-8 rp export project name=Locale
	out_has ",12.5," "CSV under a German locale"
	LOCPATH=$T/loc LC_ALL=de_DE.UTF-8 rp set Locale budget=12,5
	status_is 2 "a decimal comma is not a number:"
	err_has "'12,5' is not a number"
else
	bad "localedef cannot build de_DE.UTF-8 (the locales package's sources are missing)"
fi
finish
