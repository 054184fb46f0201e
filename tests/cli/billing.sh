# billing.sh — the cash end of lead to cash: receipts and the paid amount the database derives
# from them (part payments, the day they reach the amount, an overpayment refused and kept as a
# credit), invoice status (a draft and a void one are not owed), the 3-3-3-1 payment plan
# triggered by a date, a milestone and a milestone's customer acceptance, `bill` drafting the
# invoice, the collection forecast moving with SPI, ageing buckets and DSO; invoices written
# before receipts carried over once, the same on two replicas, and an old replica's file still
# merging. Every figure is computed by hand; the suite's clock is 2026-11-22.
. "$TOP/tests/lib.sh"
export RAPPORT_QUIET=1
git_team

as_test_user
ok_run init co
WS=$T/co
cd co || exit 1
ok_run config --team currency.default CNY
ok_run add member name="Li Wei" email=test@example.com role=pm
ok_run add customer name=Acme stage=active
ok_run add customer name=Globex stage=active
ok_run add contact customer=Acme name="Wang Fang" role=sponsor
j() { printf '%s' "$OUT" | jq -rc "$1"; }
inv() { rp list invoice "number=$1" --json; printf '%s' "$OUT" | jq -r ".[0].$2 // \"\""; }

# ---- receipts: part payments add up; paid_on is the day they reach the amount ----
ok_run add invoice customer=Acme number=A-1 amount=1000 issued=2026-10-01 due=2026-10-31
A1=$OUT
ok_run pay A-1 300 --on 2026-10-20 --method bank
R1=$OUT
eq "$(inv A-1 paid_amount)" 300 "a part payment is the paid amount"
eq "$(inv A-1 paid_on)" "" "a part payment does not pay it"
err_has "paid ¥300.00 of ¥1,000.00; ¥700.00 still owed"
# Recorded late but received earlier: the day the sum reached 1,000 is the 15th of November.
ok_run pay A-1 700 --on 2026-11-15
err_has "paid in full"
eq "$(inv A-1 paid_amount)" 1000 "receipts add up"
eq "$(inv A-1 paid_on)" 2026-11-15 "paid on the day the receipts reached the amount"
ok_run set "$R1" date=2026-11-18
eq "$(inv A-1 paid_on)" 2026-11-18 "moving a receipt moves the paid date"
ok_run rm "$R1"
eq "$(inv A-1 paid_amount)" 700 "a deleted receipt no longer pays"
eq "$(inv A-1 paid_on)" "" "nor is the invoice paid"
ok_run undelete "$R1"
eq "$(inv A-1 paid_amount)" 1000 "undeleted, it pays again"

# An overpayment is refused, nothing written; the money over is a credit on the customer.
ok_run add invoice customer=Acme number=A-2 amount=500 issued=2026-11-01 due=2026-12-01
rejects "invoice A-2 would be paid ¥600.00 of ¥500.00; record what is over as a credit" pay A-2 600
ok_run pay A-2 500
rejects "nothing is owed on it" pay A-2
ok_run add receipt customer=Acme amount=100
CREDIT=$OUT
ok_run show "$CREDIT" --json
eq "$(j .record.currency)" CNY "a credit takes the team's currency"
rejects "would be paid ¥600.00 of ¥500.00" set "$CREDIT" invoice=A-2
ok_run add invoice customer=Acme number=A-3 amount=250 issued=2026-11-10 due=2026-12-10
ok_run set "$CREDIT" invoice=A-3
eq "$(inv A-3 paid_amount)" 100 "a credit applied to an invoice pays it"

# What a receipt may not say.
rejects "no invoice 'NOPE-9'" pay NOPE-9
rejects "field 'invoice'" add receipt invoice=ffffffffffffffffffffffffffffffff amount=5
rejects "field 'amount': '0' is out of range" pay A-3 0
rejects "invoice A-3 is another customer's" add receipt invoice=A-3 customer=Globex amount=10
rejects "invoice A-3 is in CNY, not EUR" add receipt invoice=A-3 currency=EUR amount=10
rejects "field 'paid_amount' comes from the invoice's receipts" set A-3 paid_amount=250
rejects "field 'paid_on' comes from the invoice's receipts" add invoice customer=Acme amount=9 due=2026-12-31 paid_on=2026-11-01
rejects "field 'amount': '50' is less than the 100 its receipts paid" set A-3 amount=50
rejects "'2026-13-01' is not a date" pay A-3 10 --on 2026-13-01

# A draft is not owed yet, a void one never; neither takes receipts.
ok_run add invoice customer=Globex number=G-D amount=800 issued=2026-11-01 due=2026-11-15 status=draft
ok_run add invoice customer=Globex number=G-V amount=900 issued=2026-09-01 due=2026-09-15 status=void
rejects "invoice G-D is a draft: issue it first" pay G-D 100
rejects "invoice G-V is void: nothing is owed on it" pay G-V 100

# ---- ageing and DSO at 2026-11-22 ----
# Outstanding: A-3 150 (due 12-10: not due); G-1 2,000 due 11-12 (10 days: 1-30);
# G-2 3,000 due 09-20 (63 days: 61-90); G-3 1,000 due 2026-08-01 (113 days: 90+), 400 paid.
ok_run add invoice customer=Globex number=G-1 amount=2000 issued=2026-10-13 due=2026-11-12
ok_run add invoice customer=Globex number=G-2 amount=3000 issued=2026-08-21 due=2026-09-20
ok_run add invoice customer=Globex number=G-3 amount=1000 issued=2026-07-02 due=2026-08-01
ok_run pay G-3 400 --on 2026-09-01
ok_run receivables --json
R=$OUT
eq "$(printf '%s' "$R" | jq -c '[.customers[] | [.name, .["not due"], .["1-30"], .["31-60"], .["61-90"], .["90+"], .total]]')" \
	'[["Acme",150,0,0,0,0,150],["Globex",0,2000,0,3000,600,5600]]' "outstanding by days past due, per customer"
eq "$(printf '%s' "$R" | jq -c '.total[0] | [.currency, .total, .invoices, .overdue]')" '["CNY",5750,4,3]' \
	"the portfolio's total"
# Invoiced in the 90 days to 11-22 (issued after 08-24): A-1 1,000, A-2 500, A-3 250, G-1 2,000
# = 3,750 (G-2 on 08-21 is older). DSO = 5,750 / 3,750 x 90 = 138.
eq "$(printf '%s' "$R" | jq -c '[.dso, .owed, .invoiced_90_days]')" '[138,5750,3750]' "days sales outstanding"
ok_run receivables --customer Acme --json
eq "$(j '.total[0].total')" 150 "one customer's receivables"
ok_run receivables
out_has "Days sales outstanding: 138"
out_has "Globex"
rejects "'someday' is not a date" receivables --at someday
rejects "--customer" receivables --customer Nobody
# Per currency, never added: a euro invoice of Globex's, 11 days past due, is a row of its own;
# without a rate it is left out of DSO and counted, with one (1 EUR = 8 CNY) it comes in:
# (5,750 + 5,600) / (3,750 + 5,600) x 90 = 109.25.
ok_run add invoice customer=Globex number=G-E amount=700 currency=EUR issued=2026-11-01 due=2026-11-11
GE=$OUT
ok_run receivables --json
eq "$(j '[.total[] | [.currency, .total, .["1-30"]]]')" '[["CNY",5750,2000],["EUR",700,700]]' "the portfolio per currency"
eq "$(j '[.customers[] | select(.name == "Globex") | .currency]')" '["CNY","EUR"]' "a customer's row per currency"
eq "$(j '[.dso, .unconverted]')" '[138,1]' "an amount no rate converts is left out of DSO, and counted"
ok_run add fx from=EUR to=CNY rate=8 as_of=2026-01-01
ok_run receivables --json
eq "$(j '[.dso, .owed, .invoiced_90_days, .unconverted]')" '[109.3,11350,9350,0]' "converted at the rate"
ok_run rm "$GE"

# ---- the 3-3-3-1 plan: advance, blueprint acceptance, go-live, final ----
ok_run add contract customer=Acme title="ERP 2027" value=100000 start=2026-11-01
K=$OUT
# The project: start 11-01; one task worth 1,000 planned 11-01..12-31 and 20% done, so at
# 11-22 PV = 1,000 x 21/60 = 350, EV = 200, SPI = 0.5714.
ok_run add project customer=Acme name="ERP rollout" contract="$K" start=2026-11-01 due=2027-04-30 status=active
P=$OUT
ok_run add task project="$P" name=Build budget=1000 start=2026-11-01 due=2026-12-31 progress=20
ok_run add milestone project="$P" name=Blueprint due=2026-11-20 deliverable="Blueprint document"
M1=$OUT
ok_run add milestone project="$P" name="Go-live" due=2027-03-01
M2=$OUT
ok_run add billing contract="$K" label="Advance 30%" percent=30 trigger=date date=2026-11-05 due_days=10
L1=$OUT
ok_run add billing contract="$K" label="Blueprint accepted 30%" percent=30 trigger=acceptance milestone="$M1"
L2=$OUT
ok_run add billing contract="$K" label="Go-live 30%" percent=30 trigger=milestone milestone="$M2"
L3=$OUT
ok_run add billing contract="$K" label="Final 10%" amount=10000 trigger=date date=2027-06-01 due_days=0
L4=$OUT
ok_run billing --json
eq "$(j '[.lines[].id]')" "$(printf '["%s"]' "$L1" | jq -c .)" "only the advance is ready"
eq "$(j .ready)" 30000 "ready to invoice: 30% of 100,000"
ok_run billing --all --json
eq "$(j '[.lines[] | .amount] | add')" 100000 "the plan adds up to the contract"
eq "$(j '.flags | length')" 0 "a plan that adds up is not flagged"
# Go-live: due 03-01, 120 days after the project's start: forecast = 03-01 + 120 x (1 - SPI)/SPI
# = 03-01 + 120 x 0.75 = 03-01 + 90 days = 05-30 (project end: 04-30 + 180 x 0.75 = 2027-07-29,
# not reached); its money 30 days later: 06-29.
eq "$(j ".lines[] | select(.id == \"$L3\") | [.planned, .forecast, .expected] | join(\" \")")" \
	"2027-03-01 2027-05-30 2027-06-29" "the go-live forecast moves with SPI"
eq "$(j ".lines[] | select(.id == \"$L2\") | .state")" \
	"waits for milestone Blueprint to be done and accepted (due 2026-11-20)" "acceptance waits"
# Acceptance: the milestone done, then the customer sponsor's approval moves it to accepted.
ok_run set "$M1" done=2026-11-21
ok_run billing --json
eq "$(j '.lines | length')" 1 "done is not accepted"
ok_run advance "$M1"
ok_run advance "$M1"
ok_run approvals --json
AP=$(printf '%s' "$OUT" | jq -r '.[0].id')
ok_run approve "$AP" --evidence "acceptance certificate signed"
ok_run billing --json
eq "$(j '[.lines[].id] | sort')" "$(printf '["%s","%s"]' "$L1" "$L2" | jq -c 'sort')" "accepted: the blueprint line is ready"
eq "$(j .ready)" 60000 "two lines ready"

# bill drafts the invoice; its due date counts from the later of the trigger and the issue.
ok_run bill "$L1" --json
I1=$(j .invoice)
ok_run show "$I1" --json
eq "$(j '[.record.amount, .record.currency, .record.status, .record.issued, .record.due, .record.contract, .record.project] | join(" ")')" \
	"30000 CNY draft 2026-11-22 2026-12-02 $K $P" "the drafted invoice"
rejects "not ready to invoice: invoice" bill "$L1"
rejects "not ready to invoice: waits for milestone Go-live" bill "$L3"
rejects "not ready to invoice: waits for 2027-06-01" bill "$L4"
ok_run show "$L1" --json
eq "$(j .record.invoice)" "$I1" "the line records its invoice"
ok_run bill "$L2" --json
ok_run show "$(j .invoice)" --json
eq "$(j '[.record.milestone, .record.due] | join(" ")')" "$M1 2026-12-22" "linked to its milestone, due 30 days on"
# Not yet owed: the drafts are in the forecast as planned, not in receivables.
ok_run receivables --json
eq "$(j '.total[0].total')" 5750 "drafts are not receivables"
eq "$(j '[.forecast[] | select(.month == "2026-12") | .planned] | add')" 60000 "drafts are expected when due"
# Voided, a line bills again.
ok_run set "$I1" status=void
ok_run billing --json
out_has "its invoice was voided"

# A plan that does not add up is flagged, not refused; bad plan lines are.
ok_run add contract customer=Globex title="Support 2027" value=10000
K2=$OUT
ok_run add billing contract="$K2" label=Half percent=50 trigger=date date=2027-01-01
ok_run add billing contract="$K2" label=Some percent=40 trigger=date date=2027-06-01
ok_run billing
err_has "contract Support 2027: the plan is 90% of its value (9,000.00 of 10,000.00 CNY)"
rejects "field 'percent': '120' is out of range" add billing contract="$K2" label=Too percent=120 trigger=date date=2027-01-01
rejects "a plan line is a percent of the contract or an amount" add billing contract="$K2" label=Both percent=10 amount=5 trigger=date date=2027-01-01
rejects "a line triggered by a date needs it" add billing contract="$K2" label=Nodate percent=10 trigger=date
rejects "a line triggered by a milestone's acceptance needs it" add billing contract="$K2" label=Noms percent=10 trigger=acceptance
rejects "no billing 'nosuchline'" bill nosuchline

# ---- invoices written before receipts: carried over once, and the same on two replicas ----
cd "$T" || exit 1
git init -q --bare remote.git
ok_run init A
ok_run -C A add customer name=Initech
ok_run -C A add invoice customer=Initech number=OLD-1 amount=800 issued=2026-10-01 due=2026-10-31
OLD=$OUT
ok_run -C A add invoice customer=Initech number=OLD-2 amount=600 issued=2026-10-05 due=2026-11-04
ok_run -C A remote add origin ../remote.git
ok_run -C A sync
ok_run clone remote.git B
# Both replicas as a rapport before receipts left them: the payment in the invoice itself.
for w in A B; do
	sqlite3 "$w/.rapport/rapport.db" "DELETE FROM meta WHERE key = 'receipts';
		UPDATE invoice SET paid_amount = 500 WHERE number = 'OLD-1';
		UPDATE invoice SET paid_on = '2026-10-30' WHERE number = 'OLD-2';"
done
ok_run -C A list receipt --json
eq "$(j '[.[] | [.amount, .date]]' | jq -c .)" '[[500,"2026-11-22"],[600,"2026-10-30"]]' \
	"paid_on alone is paid in full; an amount without a date, on the invoice's last write"
RA=$(j '[.[].id] | sort | join(" ")')
ok_run -C A list receipt --json
eq "$(j 'length')" 2 "opened again, nothing is carried twice"
ok_run -C B list receipt --json
eq "$(j '[.[].id] | sort | join(" ")')" "$RA" "the other replica carries over to the same ids"
ok_run -C A sync
ok_run -C B sync
ok_run -C A sync
for w in A B; do
	ok_run -C $w list receipt --json
	eq "$(j 'length')" 2 "$w: one receipt per invoice after both synced"
	ok_run -C $w list invoice number=OLD-1 --json
	eq "$(j '.[0].paid_amount')" 500 "$w: the payment is not doubled"
done
# Two replicas each take the 300 OLD-1 still owes: both receipts come in (money received is
# never refused from the remote), and each side's sync says the invoice is now overpaid.
ok_run -C A pay OLD-1
ok_run -C B pay OLD-1
ok_run -C A sync
ok_run -C B sync
err_has "imported, but invoice"
err_has "is less than the 1100 its receipts paid"
ok_run -C A sync
err_has "is less than the 1100 its receipts paid"
ok_run -C A receivables
err_has "overpaid: OLD-1: paid 1,100.00 of 800.00"
# An old replica's file: its invoice still says what was paid, and that comes in as a receipt.
git clone -q remote.git plain
CUST=$(sqlite3 A/.rapport/rapport.db "select id from customer where name='Initech'")
mkdir -p plain/invoice/ab
printf 'rev 2026-11-22T10:00:00.000Z-0000000000000001\ncreated 2026-11-22T10:00:00Z\nupdated 2026-11-22T10:00:00Z\ncustomer %s\nnumber OLD-3\namount 300\nissued 2026-11-01\ndue 2026-11-30\npaid_amount 300\npaid_on 2026-11-10\n' \
	"$CUST" >plain/invoice/ab/ab0000000000000000000000000000aa
(cd plain && git add -A && git commit -qm "an old replica" && git push -q origin main) || bad "pushing an old replica's invoice"
ok_run -C A sync
out_lacks "derived"
ok_run -C A list invoice number=OLD-3 --json
eq "$(j '.[0] | [.paid_amount, .paid_on] | join(" ")')" "300 2026-11-10" "an old replica's payment is a receipt here"
ok_run -C A list receipt invoice=ab0000000000000000000000000000aa --json
eq "$(j 'length')" 1 "one receipt for it"
# It is written to be snapshotted: the other replica gets the same one.
ok_run -C A sync
ok_run -C B sync
ok_run -C B list receipt invoice=ab0000000000000000000000000000aa --json
eq "$(j '.[0].amount')" 300 "the carried receipt reaches the other replica"

finish
