# numbering.sh — team-set numbering patterns for project codes and contract, quote and invoice
# numbers: the next number of a pattern, {seq} restarting with the date part, uniqueness within
# the team on every local write, bad patterns refused with nothing written, and two offline
# replicas that gave one number to two records converging on the same renumbering, kept as a
# conflict and said by sync.
. "$TOP/tests/lib.sh"
export RAPPORT_QUIET=1
git_team
as_test_user
j() { printf '%s' "$OUT" | jq -rc "$1"; }

git init -q --bare remote.git
ok_run init A
WS=$T/A
cd A || exit 1
ok_run add customer name=Acme

# Patterns: one {seq} exactly, known tokens only.
rejects "needs {seq} (or {seq:N}, N digits) exactly once" config --team numbering.invoice 'INV-{yyyy}'
rejects "needs {seq} (or {seq:N}, N digits) exactly once" config --team numbering.invoice '{seq}-{seq}'
rejects "{week} is not {yyyy}, {yy}, {mm}, {dd}, {seq} or {seq:N}" config --team numbering.project 'P-{week}-{seq}'
rejects "a '{' without its '}'" config --team numbering.quote 'Q-{seq'
rejects "is not a team setting" config --team numbering.ticket 'T-{seq}'
ok_run config --team numbering.invoice 'INV-{yyyy}{mm}-{seq:3}'
ok_run config --team numbering.project 'P-{yyyy}-{seq:4}'
ok_run config --team numbering.contract 'HT{yy}{seq:2}'

# Numbers follow the pattern, dated by the record's own date; {seq} restarts with the month.
ok_run add invoice customer=Acme amount=10 issued=2026-11-03 due=2026-12-03
I1=$OUT
ok_run add invoice customer=Acme amount=10 issued=2026-11-20 due=2026-12-20
ok_run add invoice customer=Acme amount=10 issued=2026-12-01 due=2026-12-31
ok_run add invoice customer=Acme amount=10 issued=2026-11-21 due=2026-12-21 number=HAND-1
ok_run list invoice --columns number,issued --sort issued --json
eq "$(j '[.[].number]')" '["INV-202611-001","INV-202611-002","HAND-1","INV-202612-001"]' \
	"numbered by pattern and month; a number given is kept"
ok_run add contract customer=Acme title=Support value=1000 signed=2026-02-01
ok_run add contract customer=Acme title=Licence value=500
ok_run list contract --columns number --sort number --json
eq "$(j '[.[].number]')" '["HT2601","HT2602"]' "a contract without a signed date is numbered today"

# Unique within the team, on add, set and import alike; an unchanged number is no change.
rejects "field 'number': 'INV-202611-001' is already invoice" add invoice customer=Acme amount=1 due=2026-12-31 number=INV-202611-001
rejects "field 'number': 'HAND-1' is already invoice" set "$I1" number=HAND-1
ok_run set "$I1" amount=12
printf 'customer,amount,due,number\nAcme,5,2026-12-31,HAND-1\n' >dup.csv
rp import invoice dup.csv
status_is 2 "import of a duplicate number"
err_has "is already invoice"

# ---- two replicas numbering offline ----
ok_run remote add origin ../remote.git
ok_run sync
cd "$T" || exit 1
ok_run clone remote.git B
ok_run -C A add project customer=Acme name="Rollout A" start=2026-11-10
PA=$OUT
RAPPORT_NOW=2026-11-22T09:00:05Z ok_run -C B add project customer=Acme name="Rollout B" start=2026-11-12
PB=$OUT
ok_run -C A show "$PA" --json
eq "$(j .record.code)" P-2026-0001 "A numbers its project"
ok_run -C B show "$PB" --json
eq "$(j .record.code)" P-2026-0001 "B, offline, gives the same number to its own"
ok_run -C A sync
ok_run -C B sync
err_has "project ${PB%"${PB#????????}"} renumbered P-2026-0001 -> P-2026-0002"
ok_run -C A sync
err_has "renumbered P-2026-0001 -> P-2026-0002"
for w in A B; do
	ok_run -C $w list project --columns code,name --sort code --json
	eq "$(j '[.[] | .code + " " + .name]')" '["P-2026-0001 Rollout A","P-2026-0002 Rollout B"]' \
		"$w: the first created keeps the number, the other takes the next"
done
ok_run -C A conflicts
out_has "P-2026-0001"
ok_run -C B sync
ok_run -C A sync
eq "$(git --git-dir=A/.rapport/snapshots.git rev-parse 'main^{tree}')" \
	"$(git --git-dir=B/.rapport/snapshots.git rev-parse 'main^{tree}')" "both replicas hold the same tree"
# A resolution that takes the old number back is refused: it is the other project's.
WS=$T/A
rejects "field 'code': 'P-2026-0001' is already project" -C A resolve "$PB" code theirs
ok_run -C A resolve "$PB" code ours
ok_run -C A conflicts
out_lacks "P-2026-0001" "keeping the new number settles the conflict"

finish
