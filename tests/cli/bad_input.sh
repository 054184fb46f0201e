# bad_input.sh — every kind of bad input gets a clear error naming what and where, exit 2, and
# leaves the database byte-for-byte unchanged (compared as an SQL dump).
. "$TOP/tests/lib.sh"

rp init ws
WS=$T/ws
cd ws
rp config user.email ada@example.com
rp add member name=Ada email=ada@example.com
rp add customer name=Contoso
C=$OUT
rp add customer name=Fabrikam
F=$OUT
rp add project customer=Contoso name=ERP
P=$OUT
rp add task project=ERP name=Design
TK=$OUT
rp add customer name=Gone
G=$OUT
rp rm "$G"

# Dates, datetimes, numbers, bools, choices, emails.
rejects "field 'due': '2026-13-40' is not a date (YYYY-MM-DD)" add milestone project=ERP name=M due=2026-13-40
rejects "new milestone: field 'due'" add milestone project=ERP name=M due=2026-13-40
rejects "'2026-02-29' is not a date" add milestone project=ERP name=M due=2026-02-29
rejects "'22/11/2026' is not a date" add task project=ERP name=x due=22/11/2026
rejects "'soonish' is not a date" set "$TK" due=soonish
rejects "is not a date and time" add interaction customer=Contoso kind=call summary=x at=2026-11-22T25:00
rejects "field 'budget': '12k' is not a number" set "$P" budget=12k
rejects "field 'progress': '150' is out of range (0 to 100)" set "$TK" progress=150
rejects "field 'hours': '25' is out of range" add time project=ERP hours=25
rejects "field 'reopened': '1.5' is not a whole number" add ticket customer=Contoso title=x reopened=1.5
rejects "field 'key': 'maybe' is not true or false" set "$TK" key=maybe
rejects "field 'stage': 'happy' is not one of: lead, prospect, active" set "$C" stage=happy
rejects "field 'email': 'li.wei' is not an email address" add contact customer=Contoso name=Li email=li.wei
rejects "field 'score': '11' is out of range (0 to 10)" add survey customer=Contoso kind=nps score=11
rejects "field 'score': '7' is out of range for csat (1 to 5)" add survey customer=Contoso kind=csat score=7

# Numbers are decimal notation only: an optional sign, digits, an optional fraction and decimal
# exponent, finite. No hex (0x1p40 would be 1099511627776), no inf or nan, no spaces around.
rejects "field 'budget': '0x1p40' is not a number" set "$P" budget=0x1p40
rejects "field 'budget': '0x10' is not a number" set "$P" budget=0x10
rejects "field 'rate': '5 ' is not a number" set "$P" "rate=5 "
rejects "field 'rate': ' 5' is not a number" set "$P" "rate= 5"
rejects "field 'rate': '5$(printf '\t')' is not a number" set "$P" "rate=$(printf '5\t')"
rejects "field 'budget': 'inf' is not a number" set "$P" budget=inf
rejects "field 'budget': '-Infinity' is not a number" set "$P" budget=-Infinity
rejects "field 'budget': 'nan' is not a number" set "$P" budget=nan
rejects "field 'budget': '1,5' is not a number" set "$P" budget=1,5
rejects "field 'budget': '1e' is not a number" set "$P" budget=1e
rejects "field 'budget': '.' is not a number" set "$P" budget=.
rejects "field 'budget': '--1' is not a number" set "$P" budget=--1
rejects "field 'reopened': '0x2' is not a number" add ticket customer=Contoso title=x reopened=0x2
rejects "field 'reopened': '2 ' is not a number" add ticket customer=Contoso title=x "reopened=2 "
rp field add project margin number
rejects "field 'margin': '1e999' is too large" set "$P" margin=1e999
rejects "field 'margin': '-1e999' is too large" set "$P" margin=-1e999
rejects "field 'margin': '1e-999' is too close to zero" set "$P" margin=1e-999
ok_run set "$P" budget=1.5e6 rate=+12. margin=-.5
ok_run show "$P" --json
eq "$(printf '%s' "$OUT" | jq -c '.record | [.budget, .rate, .margin]')" "[1500000,12,-0.5]" "decimal notation is stored"

# Required fields and record-level rules.
rejects "new customer: field 'name' is required" add customer industry=Retail
rejects "field 'name' is required" set "$C" name=
rejects "needs 'project' or 'customer'" add task name=Orphan
rejects "field 'due': '2026-01-01' is before start '2026-02-01'" add project customer=Contoso name=X start=2026-02-01 due=2026-01-01
rejects "field 'due': '2026-01-01' is before issued '2026-02-01'" add invoice customer=Contoso amount=10 issued=2026-02-01 due=2026-01-01
rejects "field 'paid_amount' comes from the invoice's receipts" add invoice customer=Contoso amount=10 issued=2026-01-01 due=2026-02-01 paid_amount=20
ok_run add invoice customer=Contoso number=TEN amount=10 issued=2026-01-01 due=2026-02-01
rejects "invoice TEN would be paid" pay TEN 20
rejects "invoice TEN would be paid" add receipt invoice=TEN amount=10.02
rejects "a task cannot be its own parent" set "$TK" parent="$TK"
rejects "a task cannot depend on itself" set "$TK" depends="$TK"

# Unknown fields, kinds, ids; references of the wrong kind, missing or deleted.
rejects "customer has no field 'colour'" add customer name=X colour=red
rejects "'widget' is not a record kind (customer, contact" add widget name=X
rejects "'widget' is not a record kind" list widget
rejects "field 'customer': no customer 'Nobody'" add contact customer=Nobody name=X
rejects "field 'customer': '$(echo "$P" | cut -c1-8)' is a project, not a customer" add contact customer="$(echo "$P" | cut -c1-8)" name=X
rejects "is deleted ('rapport undelete" add contact customer="$G" name=X
rejects "no record with id or name 'ffffffffff'" show ffffffffff
rejects "no record with id or name 'Nobody'" set Nobody name=X
rejects "is deleted ('rapport undelete" set "$G" name=X
rejects "is already deleted" rm "$G"
rejects "is not deleted" undelete "$C"
rejects "field 'id' is kept by rapport and cannot be set" set "$C" id=1234
rejects "field 'name' is not a list" set "$C" name+=x
rejects "add or remove one item at a time" set "$C" tags+=a,b
rejects "is not FIELD=VALUE" set "$C" stage
rejects "a line break in a one-line field" add customer "name=two
lines"
rejects "is not valid UTF-8" add customer "name=$(printf 'bad\377')"
# One bad id among several: nothing is deleted.
rejects "no record with id or name 'nope'" rm "$F" nope
# Ambiguous prefixes list the candidates.
rp add customer name=Twin
rp add customer name=twin
rejects "'Twin' is ambiguous; it could be:" add contact customer=Twin name=X

# Custom fields.
rejects "custom field 'Bad-Name': a name is 1 to 40 characters" field add customer Bad-Name text
rejects "customer already has a field 'name'" field add customer name text
rejects "field 'type': 'colour' is not one of: text, number, date, choice, bool, ref" field add customer hue colour
rejects "a choice field needs its choices" field add customer tier choice
rejects "a ref field needs the kind it points to" field add customer buddy ref widget
rejects "field 'kind': 'widget' is not one of: customer, contact" field add widget x text
rp field add customer tier choice gold,silver
rejects "field 'tier': 'tin' is not one of: gold, silver" set "$C" tier=tin
rejects "custom fields are added with 'rapport field add'" add field kind=customer name=x type=text

# Filters and options.
rejects "filter 'colour=red': customer has no field 'colour'" list customer colour=red
rejects "'stage' is not a filter" list customer stage
rejects "filter: field 'due': 'tomorrowish' is not a date" list task due\<tomorrowish
rejects "--limit: 'lots' is not a count" list customer --limit lots
rejects "sort: customer has no field 'size2'" list customer --sort size2
rejects "unknown option '--frobnicate'" list customer --frobnicate
rejects "--columns: customer has no field 'x'" list customer --columns x

# The command line itself.
rejects "'frobnicate' is not a rapport command" frobnicate
rejects "unknown option '--frobnicate'" --frobnicate list customer
rejects "add: which kind of record?" add
rejects "set: nothing to set" set "$C"
rejects "help: 'nope' is not a rapport command" help nope
# One option parser for the commands (args_parse): the same errors everywhere.
rejects "health: --at needs a value" health --at
rejects "report: --format needs a value" report health --format
rejects "kpi: --periods needs a value" kpi --periods
rejects "import: --map needs a value" import customer x.csv --map
rejects "import: --map takes COLUMN=FIELD, not 'name'" import customer x.csv --map name
rejects "show: one record at a time" show "$C" "$C"
rejects "alerts: no arguments, only options" alerts now
rejects "kpi: --periods: 'many' is not 1-24" kpi --periods many
rejects "log: --limit: '0' is not a positive number" log --limit 0
rejects "config: unknown option '--everywhere'" config --everywhere user.name x
rejects "demo: too many arguments" demo a b
RAPPORT_NOW=yesterday-ish rp list customer
status_is 2 "bad RAPPORT_NOW:"
err_has "RAPPORT_NOW: 'yesterday-ish' is not an ISO 8601 date"
cd "$T"
rp show "$C"
status_is 2 "outside a workspace:"
err_has "not in a rapport workspace"
rp -C "$T/nowhere" list customer
status_is 2
err_has "nowhere: not a rapport workspace"
rp demo ws
status_is 2 "demo over a workspace:"
err_has "already a rapport workspace"
rp demo x --size huge
status_is 2
err_has "--size: 'huge' is not small, large or a number"
# A file that is not a database is an error, not a crash.
mkdir -p junk/.rapport
printf 'not a database at all, just some text that is long enough' > junk/.rapport/rapport.db
rp -C junk list customer
status_is 1 "corrupt database:"
err_has "rapport.db"
finish
