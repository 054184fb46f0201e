# currency.sh — money in more than one currency: codes checked and normalised, a record's
# currency inherited from its contract, project and the team, exchange rates as records,
# totals per currency or converted at the newest rate on or before each amount's date, and
# never a sum of two currencies. Figures are computed by hand.
. "$TOP/tests/lib.sh"

as_test_user
ok_run init co
WS=$T/co
cd co || exit 1

# The team's currency: typed as people type it, stored as its code.
ok_run config --team currency.default rmb
rp config --team currency.default
eq "$OUT" "CNY" "RMB is stored as CNY"
rejects "currency.default: 'EURO' is not a currency" config --team currency.default EURO

ok_run add customer name=Acme stage=active
ok_run add customer name=Globex stage=active
ok_run add contract customer=Acme title=MSA value=50000 currency=eur
ok_run add project customer=Acme name=Rollout contract=MSA start=2026-10-01 due=2026-12-31 budget=10000
ok_run add project customer=Globex name=Upgrade start=2026-10-01 due=2026-12-31 budget=80000

# Inherited on add: contract, then project, then the team's.
rp add invoice customer=Acme contract=MSA number=A-1 amount=100 issued=2026-11-01 due=2026-11-10
rp show A-1 --json
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" EUR "an invoice takes its contract's currency"
rp show Rollout --json
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" EUR "a project takes its contract's currency"
ok_run add invoice customer=Acme number=A-2 amount=1000 issued=2026-11-05 due=2026-11-20
rp show A-2 --json
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" CNY "an invoice with neither takes the team's"
ok_run add expense project=Rollout amount=20 date=2026-11-03
rp list expense --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].currency')" EUR "an expense takes its project's currency"
ok_run add invoice customer=Globex number=G-1 amount=200 currency=¥ issued=2026-11-02 due=2026-12-02
rp show G-1 --json
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" CNY "¥ is CNY"
ok_run add quote customer=Globex number=Q-1 amount=5 currency=usd
rp show Q-1 --json
eq "$(printf '%s' "$OUT" | jq -r .record.currency)" USD "codes are stored in capitals"

# Bad input: named field, value and reason; nothing written.
rejects "field 'currency': 'euros' is not a currency" add invoice customer=Acme amount=1 due=2026-12-01 currency=euros
rejects "field 'currency': 'C1' is not a currency" set A-2 currency=C1
rejects "a rate from USD to USD itself" add fx from=usd to=USD rate=1
rejects "field 'rate': '0' is out of range" add fx from=USD to=CNY rate=0
rejects "field 'from': 'dollar' is not a currency" add fx from=dollar to=CNY rate=7

# A customer billed in two currencies owes two sums, never their total.
rp show Acme
out_has "¥1,000.00 + €100.00 invoiced" "Acme's receivables per currency"
out_lacks "1,100.00"
rp show Acme --json
eq "$(printf '%s' "$OUT" | jq -c '[.summary.invoiced, .summary.invoiced_by_currency]')" \
	'[null,{"CNY":1000,"EUR":100}]' "JSON: no total across currencies, one per currency"
rp show Globex --json
eq "$(printf '%s' "$OUT" | jq -c '[.summary.invoiced, .summary.invoiced_by_currency]')" \
	'[200,{"CNY":200}]' "JSON: one currency, one total"
rp list invoice --sort number
out_has "CURRENCY" "list shows an invoice's currency"

# KPIs are in the team's currency: without a EUR rate the euros are left out, and said so.
rp kpi --period month --periods 1 --json
eq "$(printf '%s' "$OUT" | jq -c '[.currency, .periods[0].revenue]')" '["CNY",1200]' \
	"revenue without a rate: the CNY invoices only"
err_has "amounts in EUR were left out of totals: no exchange rate from EUR to CNY"
# A rate dated after the invoice does not apply to it; one before does.
ok_run add fx from=EUR to=CNY rate=8 as_of=2026-11-15
rp kpi --period month --periods 1 --json
eq "$(printf '%s' "$OUT" | jq '.periods[0].revenue')" 1200 "a rate from after the invoice is not used"
ok_run add fx from=EUR to=CNY rate=7.5 as_of=2026-10-31
rp kpi --period month --periods 1 --json
eq "$(printf '%s' "$OUT" | jq '.periods[0].revenue')" 1950 "100 EUR at 7.5 + 1,200 CNY"
case "$ERR" in *"left out"*) bad "no amount should be left out now: $ERR" ;; *) ok ;; esac
# A rate recorded the other way round converts too: 0.125 USD per CNY is 8 CNY per USD.
ok_run add fx from=CNY to=USD rate=0.125 as_of=2026-11-01
ok_run add invoice customer=Globex number=G-2 amount=10 currency=USD issued=2026-11-06 due=2026-12-06
rp kpi --period month --periods 1 --json
eq "$(printf '%s' "$OUT" | jq '.periods[0].revenue')" 2030 "10 USD at 1/0.125 = 80 CNY"

# A project's cost is in its own currency: a member's rate in CNY converts to the project's
# EUR at the rate of the entry's day (7.5 on 2026-11-10: 750 CNY/h is 100 EUR/h).
ok_run add member name=Li email=li@example.com rate=750 currency=CNY
ok_run add time project=Rollout member=Li date=2026-11-10 hours=2
rp show Rollout
out_has "€200.00 labour + €20.00 expenses = €220.00" "labour converted to the project's currency"
out_has "€10,000.00, 2% used"
rp show Rollout --json
eq "$(printf '%s' "$OUT" | jq -c '[.summary.currency, .summary.labour_cost, .summary.expenses]')" \
	'["EUR",200,20]' "JSON: the project's totals and their currency"
# Earned value is in the project's currency as well, its labour converted at the status
# date's rate (8 since 2026-11-15: 2 h x 750 / 8 = 187.5, and the 20 EUR expense).
rp health Rollout --json
eq "$(printf '%s' "$OUT" | jq -r .currency)" EUR "health says the currency of earned value"
eq "$(printf '%s' "$OUT" | jq .ac)" 207.5 "AC: labour and expenses in EUR"

# Unpaid invoices on the portfolio report: per currency in the table, one scale in the chart.
ok_run report portfolio --format txt -o "$T/p.txt"
grep -q 'Outstanding by days past due (in CNY)' "$T/p.txt" && ok || bad "the ageing chart names its currency"
grep -q '€100.00 + ¥1,000.00\|¥1,000.00 + €100.00' "$T/p.txt" && ok || bad "the ageing table is per currency: $(grep -A8 'Days past due' "$T/p.txt")"

# A workspace whose projects name a currency: that is the team's, and amounts that name
# none are in it.
cd "$T" || exit 1
ok_run init bare
WS=$T/bare
cd bare || exit 1
ok_run add customer name=Solo
ok_run add project customer=Solo name=P1 currency=CNY
ok_run add invoice customer=Solo project=P1 amount=10 due=2026-12-01
ok_run add invoice customer=Solo amount=5 due=2026-12-01
rp show Solo
out_has "¥15.00 invoiced" "an unnamed currency is the team's"

# Amounts in no currency while others name one: said, not guessed.
cd "$T" || exit 1
ok_run init bare2
WS=$T/bare2
cd bare2 || exit 1
ok_run add customer name=Solo
ok_run add project customer=Solo name=P2
ok_run add expense project=P2 amount=30 currency=USD
ok_run add expense project=P2 amount=7
rp show P2
out_has "7.00 expenses" "the USD expense is not added to the unnamed one"
err_has "amounts with no currency while others name one were left out of totals"
err_has "rapport config --team currency.default CODE"
finish
