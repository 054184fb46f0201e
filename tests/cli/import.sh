# import.sh — CSV import: mapping, validation of every row, all-or-nothing, --skip-invalid,
# --dry-run, duplicates and --update-by, encodings (BOM, UTF-16, GBK), and hostile files
# (unterminated quotes, NUL bytes, invalid UTF-8, a header only, an empty file, huge fields,
# many rows) — each with a clear error naming the line, exit 2, and the database unchanged.
. "$TOP/tests/lib.sh"

rp init ws
WS=$T/ws
cd ws
rp add customer name=Existing
f() { printf "$@" >"$T/in.csv"; }

# Headers map by name or label, any case; CRLF, quotes, embedded line breaks, a BOM.
f '\357\273\277Name,INDUSTRY,Renewal Intent,Tags,Unmapped,Note\r\n"Contoso, Inc.",Manufacturing,likely,"erp,vip",x,\r\n上海明远科技,Technology,,,,\r\n"Quote ""Co""",Retail,no,,,"two\r\nlines"\r\n'
ok_run import customer "$T/in.csv"
out_has "customer: 3 created, 0 updated, 0 skipped, 0 failed"
out_has "Ignored columns: 'Unmapped'"
ok_run list customer name="Contoso, Inc." --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].industry + "|" + .[0].renewal_intent + "|" + (.[0].tags|join(","))')" "Manufacturing|likely|erp,vip"
ok_run list customer --json
eq "$(printf '%s' "$OUT" | jq -r '.[] | select(.industry == "Retail") | .name + "|" + .note')" 'Quote "Co"|two
lines' "quotes and a line break inside a cell"
ok_run search 明远
out_has "上海明远科技"

# References by name, --map, semicolon separators (European Excel).
f 'Company;Full name;E-mail;Is key\nContoso, Inc.;Li Wei;li@contoso.example;yes\n上海明远科技;王芳;wang@mingyuan.example;no\n'
ok_run import contact "$T/in.csv" --map Company=customer --map "Full name=name" --map E-mail=email --map "Is key=key"
out_has "contact: 2 created"
ok_run list contact customer=上海明远科技 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" "王芳"

# All or nothing: every problem listed with line and column, nothing written.
f 'name,stage,website\nGood One,active,\nBad Stage,happy,\n,lead,\n"Bad ""Again",lead,x\nToo,many,cells,here\n'
rejects "line 3, column 'stage' (stage): 'happy' is not one of" import customer "$T/in.csv"
err_has "line 4: field 'name' is required"
err_has "line 6: 4 cells, but the header has 3 columns"
err_has "3 invalid rows; nothing was imported"
out_has "nothing written; 2 would be created"
# --dry-run writes nothing either; --skip-invalid writes the good rows.
before=$(dbdump)
ok_run import customer "$T/in.csv" --dry-run --skip-invalid
out_has "nothing written"
eq "$(dbdump)" "$before" "--dry-run changed the database"
ok_run import customer "$T/in.csv" --skip-invalid
out_has "customer: 2 created, 0 updated, 0 skipped, 3 failed"
ok_run list customer name="Good One" --json
eq "$(printf '%s' "$OUT" | jq length)" 1

# Duplicates: skipped and reported; --update-by updates from the non-empty cells.
f 'name,industry,region\nExisting,Retail,\nGood One,,EMEA\nNew Co,Energy,\nnew co,Energy,\n'
ok_run import customer "$T/in.csv"
out_has "customer: 1 created, 0 updated, 3 skipped"
err_has "line 2: skipped, a duplicate of customer"
err_has "line 5: skipped, a duplicate of customer"
ok_run import customer "$T/in.csv" --update-by name
out_has "0 created, 4 updated"
ok_run list customer name="Good One" --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].stage + " " + .[0].region')" "active EMEA" "update keeps what the row leaves empty"
rejects "--update-by: customer has no field 'colour'" import customer "$T/in.csv" --update-by colour
rejects "--update-by id: $T/in.csv has no column 'id'" import customer "$T/in.csv" --update-by id
# --update-by id: the id column picks the record (as exported by list --json or CSV).
GID=$(cd "$WS" && "$RAPPORT_BIN" list customer name="Good One" --json | jq -r '.[0].id')
f 'ID,Industry
%s,Energy
' "$GID"
ok_run import customer "$T/in.csv" --update-by id
out_has "0 created, 1 updated"
out_lacks "Ignored columns"
ok_run show "$GID" --json
eq "$(printf '%s' "$OUT" | jq -r .record.industry)" Energy "updated by id"

# A leading ' that keeps a formula from a spreadsheet is taken away; other apostrophes stay.
f "name,industry,region\n'@Home Co,'Retail,''=EMEA\n"
ok_run import customer "$T/in.csv"
ok_run list customer "name~Home" --json
eq "$(printf '%s' "$OUT" | jq -r '.[0] | .name + "|" + .industry + "|" + .region')" "@Home Co|'Retail|'=EMEA"

# Encodings: GBK from Chinese Excel, UTF-16 with a BOM; invalid UTF-8 is caught.
printf 'name,region\n北京华信咨询,APAC\n' | iconv -f UTF-8 -t GBK >"$T/gbk.csv"
rejects "line 2: not valid UTF-8; if the file is in another encoding, say which: --encoding GBK" import customer "$T/gbk.csv"
ok_run import customer "$T/gbk.csv" --encoding GBK
ok_run list customer region=APAC --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" "北京华信咨询" "GBK converted"
printf 'name\n東京商事\n' | iconv -f UTF-8 -t UTF-16 >"$T/u16.csv"
ok_run import customer "$T/u16.csv"
ok_run list customer name=東京商事 --json
eq "$(printf '%s' "$OUT" | jq length)" 1 "UTF-16 with a BOM"
printf 'name\nCaf\351 M\374ller\n' >"$T/latin.csv"
ok_run import customer "$T/latin.csv" --encoding WINDOWS-1252
ok_run list customer "name~Müller" --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" "Café Müller"
rejects "--encoding: 'KLINGON' is not an encoding" import customer "$T/latin.csv" --encoding KLINGON
printf 'name\n\344\275\240\n' >"$T/bad.csv"
rejects "line 2: bytes that are not SHIFT_JIS" import customer "$T/bad.csv" --encoding SHIFT_JIS

# Hostile files.
f 'name,note\nOpen,"never closed\nstill open\n'
rejects "line 2: a quoted field is never closed" import customer "$T/in.csv"
f 'name\n"Quo"ted\n'
rejects "line 2: text after a closing quote" import customer "$T/in.csv"
printf 'name\nNul\000Byte\n' >"$T/in.csv"
rejects "line 2: a NUL byte" import customer "$T/in.csv"
f 'name,industry\n'
ok_run import customer "$T/in.csv"
out_has "customer: 0 created"
# One byte-order mark is Excel's and is dropped; a second (a file saved through two tools) is
# junk in the header, named with its column rather than silently stripped.
printf '\357\273\277\357\273\277name,industry\nDouble,Retail\n' >"$T/in.csv"
rejects "$T/in.csv: line 1: column 1 '\\ufeffname' is not a field of customer" import customer "$T/in.csv"
err_has "byte-order mark"
printf 'name,\357\273\277industry\nDouble,Retail\n' >"$T/in.csv"
rejects "$T/in.csv: line 1: column 2 '\\ufeffindustry' is not a field of customer" import customer "$T/in.csv"
: >"$T/in.csv"
rejects "empty — the first row must name the columns" import customer "$T/in.csv"
f 'colour,flavour\nred,sweet\n'
rejects "no column maps to a field of customer" import customer "$T/in.csv"
f 'name,Name\nA,B\n'
rejects "columns 'name' and 'Name' both map to field 'name'" import customer "$T/in.csv"
f 'name\nA\n'
rejects "--map Nope=name: " import customer "$T/in.csv" --map Nope=name
rejects "--map name=colour: customer has no field 'colour'" import customer "$T/in.csv" --map name=colour
rejects "'widget' is not a record kind" import widget "$T/in.csv"
rejects "cannot read" import customer "$T/nowhere.csv"
# A 1.5 MB field is refused by the field's limit; nothing is written.
{ printf 'name,note\nHuge,"'; head -c 1500000 /dev/zero | tr '\0' 'x'; printf '"\n'; } >"$T/in.csv"
rejects "line 2, column 'note' (note): text longer than 1 MB" import customer "$T/in.csv"
# Control bytes in cells are data: stored, never interpreted.
f 'name\n"Esc\033[2J Co"\n'
ok_run import customer "$T/in.csv"
ok_run list customer "name~Esc" --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name' | od -An -c | tr -s ' ' | cut -c1-16)" " E s c 033 [ 2 J"

# A load bigger than its kind drops the kind's order indexes and builds them again (seen in the
# SQL trace); a small one into a big kind does not.
rp add project customer=Existing name=Trace
{ echo "project,name"; i=0; while [ $i -lt 2500 ]; do echo "Trace,T$i"; i=$((i + 1)); done; } >"$T/in.csv"
RAPPORT_TRACE_SQL=0 "$RAPPORT_BIN" import task "$T/in.csv" >/dev/null 2>"$T/trace"
grep -q 'DROP INDEX "task_due_sort"' "$T/trace" && grep -q 'CREATE INDEX "task_due_sort"' "$T/trace" &&
	ok || bad "a bulk load did not drop and rebuild the order indexes"
head -3 "$T/in.csv" >"$T/small.csv"
RAPPORT_TRACE_SQL=0 "$RAPPORT_BIN" import task "$T/small.csv" >/dev/null 2>"$T/trace"
grep -q 'DROP INDEX' "$T/trace" && bad "a two-row load dropped indexes" || ok

# Many rows: 100,000 tasks referring to a project by name, in one transaction. One bad row at
# the very end and none is written; fixed, all are, and the order indexes (dropped for the
# load and rebuilt) answer sorted lists again.
rp add project customer=Existing name=Bulk
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("project,name,estimate,due\n")
    for i in range(100000): f.write("Bulk,Task %06d,%d,2027-01-%02d\n" % (i, i % 40, 1 + i % 28))
    f.write("Bulk,The bad one,7,2027-02-30\n")' "$T/in.csv"
rejects "line 100002, column 'due' (due): '2027-02-30' is not a date" import task "$T/in.csv"
out_has "task: nothing written; 100000 would be created, 0 updated, 0 skipped, 1 failed"
sed -i '$d' "$T/in.csv"
ok_run import task "$T/in.csv"
out_has "task: 100000 created"
ok_run list task project=Bulk --limit 2 --offset 99998 --sort name --json
eq "$(printf '%s' "$OUT" | jq -r '.[1].name')" "Task 099999" "the 100,000th row, in name order"
ok_run list task project=Bulk --sort -due --limit 1 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].due')" "2027-01-28" "sorted by due after the rebuild"
[ "$(sqlite3 "$WS/.rapport/rapport.db" "select count(*) from sqlite_master where name = 'task_due_sort'")" = 1 ] &&
	ok || bad "the order index of due was not rebuilt"
[ "$(sqlite3 "$WS/.rapport/rapport.db" "PRAGMA integrity_check")" = ok ] && ok || bad "integrity_check after a bulk load"
finish
