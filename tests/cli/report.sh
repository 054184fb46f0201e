# tests/cli/report.sh — reports as people read them: text that fits 80 columns, Markdown, and
# HTML opened in a real browser (headless Chromium: the page renders, logs nothing to the
# console, fetches nothing, prints on A4); record text that tries to be markup stays text;
# --at REV reports on a past snapshot; the status report says field by field what changed
# since a snapshot; bad arguments are refused with nothing written.
. "$(dirname "$0")/../lib.sh"
ok_run demo ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }

# Display width of the widest line (CJK counts two), as a terminal shows it.
maxwidth() {
	/usr/bin/python3 -c '
import sys, unicodedata
def w(s): return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max([w(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] or [0]))' "$1"
}

# A browser opens the page: it renders (the DOM has the title), logs nothing to the console
# (a blocked fetch or script would), and a screenshot is a real image.
browser() {
	file=$1
	want=$2
	rm -rf "$T/chrome"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
		--enable-logging=stderr --window-size=1000,1400 --dump-dom "file://$file" \
		>"$T/dom.html" 2>"$T/chrome.log"
	if grep -q "$want" "$T/dom.html"; then ok; else bad "$file: the browser's DOM lacks '$want'"; fi
	if grep -q 'CONSOLE' "$T/chrome.log"; then
		bad "$file: console messages: $(grep CONSOLE "$T/chrome.log" | head -3)"
	else ok; fi
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
		--window-size=1000,1400 --screenshot="$T/shot.png" "file://$file" >/dev/null 2>&1
	size=$(wc -c <"$T/shot.png" 2>/dev/null || echo 0)
	if [ "$size" -gt 20000 ] && [ "$(head -c 4 "$T/shot.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
		ok
	else bad "$file: no real screenshot ($size bytes)"; fi
}

command -v chromium >/dev/null || bad "chromium is not installed (make deps installs it)"

# ---- the three reports in the three formats ----
for kind in health portfolio; do
	ok_run report $kind
	out_has "As of 2026-11-22"
	printf '%s\n' "$OUT" >"$T/r.txt"
	w=$(maxwidth "$T/r.txt")
	[ "$w" -le 80 ] && ok || bad "report $kind: text is $w columns wide"
	ok_run report $kind --format md
	out_has "# "
	out_has "| --- |"
	ok_run report $kind -o "$T/$kind.html"
	out_lacks "<html" "-o writes the file, not stdout"
	browser "$T/$kind.html" "$([ $kind = health ] && echo 'Health report' || echo 'Portfolio report')"
done
ok_run report health
out_has "Fabrikam Health"
out_has "Customers by band"
out_has "Why"
out_has "Most points lost"
ok_run report portfolio
out_has "Receivables ageing"
out_has "On-time delivery"
out_has "Customer value"
out_has "Over 90 days"
# Customer value: revenue, margin and margin % as the demo's invoices and costs give them.
ok_run report portfolio
printf '%s\n' "$OUT" | sed -n '/^Customer value/,$p' | sed -n '/Margin %/,$p' | grep 'Fabrikam Health' >"$T/fab.v"
rev=$(r list invoice customer="Fabrikam Health" --json | jq '[.[].amount] | add' | awk '{ printf "%.2f", $1 }' |
	sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta')
# In the team's currency (the demo's books are in euros, so Fabrikam's needs no rate).
grep -q -F " €$rev " "$T/fab.v" && ok || bad "Fabrikam's revenue is its invoices (€$rev): $(cat "$T/fab.v")"
grep -q -E '91,545\.00 +68%' "$T/fab.v" && ok || bad "Fabrikam's margin: $(cat "$T/fab.v")"
ok_run report health --customer "Fabrikam Health"
out_has "Health report: Fabrikam Health"
out_lacks "Contoso Logistics" "narrowed to one customer"
ok_run report status --project "WMS implementation"
out_has "Status report: WMS implementation"
for s in Summary "Earned value" Milestones "burn-up" "What changed since 2026-11-15" Risks "Next steps"; do
	out_has "$s"
done
out_has "Progress      29% of the planned work (4 of 15 tasks done)"
# The portal states the same progress for the same project.
ok_run portal "Fabrikam Health" -o "$T/fab"
grep -A1 -F 'WMS implementation</a>' "$T/fab/index.html" | grep -q '>29%<' && ok || bad "the portal's progress differs from the status report's"
ok_run report status --project "WMS implementation" -o "$T/status.html"
browser "$T/status.html" "Status report"
ok_run report status --project "WMS implementation" -o "$T/status.md"
head -1 "$T/status.md" | grep -q '^# Status report' && ok || bad "-o .md writes Markdown"

# Self-contained: no script, no external reference of any kind; inline SVG charts; A4 print.
for f in health portfolio status; do
	h="$T/$f.html"
	grep -q '<script' "$h" && bad "$f.html has a script" || ok
	grep -E -q '(src|href)="(https?:)?//|url\(' "$h" && bad "$f.html refers outside itself" || ok
	grep -q '<svg' "$h" && ok || bad "$f.html has no inline SVG chart"
	grep -q '@page{size:A4' "$h" && ok || bad "$f.html has no A4 print style"
done
rm -rf "$T/chrome"
timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
	--print-to-pdf="$T/status.pdf" --no-pdf-header-footer "file://$T/status.html" >/dev/null 2>&1
grep -a -q 'MediaBox \[0 0 59[45]' "$T/status.pdf" && ok || bad "the status report does not print on A4"

# Open alerts, most severe first (severity is ordered by meaning, not alphabetically).
rp alerts
ok_run report health
printf '%s\n' "$OUT" | sed -n '/^Open alerts/,$p' | awk '$1 == "critical" || $1 == "warning" || $1 == "info" { print $1 }' >"$T/sev"
[ -s "$T/sev" ] && ok || bad "the health report lists no alerts after 'rapport alerts'"
awk '{ r = $1 == "critical" ? 0 : $1 == "warning" ? 1 : 2; if (r < last) bad = 1; last = r } END { exit bad }' "$T/sev" &&
	ok || bad "alerts out of severity order: $(tr '\n' ' ' <"$T/sev")"
grep -q critical "$T/sev" && grep -q warning "$T/sev" && ok || bad "the demo should have critical and warning alerts: $(sort -u "$T/sev" | tr '\n' ' ')"

# Trends come from the scores `health` records each day it runs.
for d in 2026-09-20 2026-10-11 2026-11-01; do RAPPORT_NOW=${d}T09:00:00Z rp health; done
ok_run report health --customer "Fabrikam Health"
out_has "Health, last 12 weeks (2026-09-06 to 2026-11-22, 0 to 100)"
ok_run report health --customer "Fabrikam Health" -o "$T/trend.html"
grep -q '<polyline' "$T/trend.html" && ok || bad "no trend line in the HTML report"

# ---- record text that tries to be markup stays text ----
r add customer 'name=<script>alert(1)</script> & <img src=http://evil.example/x>' stage=active >/dev/null
r add customer 'name=Evil](http://evil.example) | pipe' stage=active >/dev/null
ok_run report health -o "$T/evil.html"
grep -q '<script>alert' "$T/evil.html" && bad "a name became a script" || ok
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img' "$T/evil.html" && ok || bad "the name is not shown escaped"
browser "$T/evil.html" "Health report"
# Markdown read by a CommonMark parser (with tables, as git hosts render it): the tables are
# tables, and the hostile names are text, never a link, an image or a tag.
mdhtml() {
	/usr/bin/python3 -c '
import sys
from markdown_it import MarkdownIt
print(MarkdownIt("commonmark").enable("table").render(open(sys.argv[1], encoding="utf-8").read()))' "$1"
}
ok_run report health -o "$T/evil.md"
mdhtml "$T/evil.md" >"$T/evil.md.html"
grep -q '<table>' "$T/evil.md.html" && grep -q '<h1>Health report</h1>' "$T/evil.md.html" && ok ||
	bad "the Markdown report does not parse into a heading and tables"
grep -q -E '<a |<img|<script' "$T/evil.md.html" && bad "Markdown made a link, image or tag: $(grep -o -E '<(a|img|script)[^>]*>' "$T/evil.md.html" | head -2)" || ok
grep -q -F 'Evil](http://evil.example) | pipe' "$T/evil.md.html" && ok || bad "the hostile name is not shown as text"
grep -q -F '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/evil.md.html" && ok || bad "the script name is not shown as text"
# A backslash escape is only honoured before punctuation: numbers at the start of a cell
# ("151.0 h") come out as written, with no stray backslash; a leading "1. " is not a list.
ok_run report portfolio -o "$T/portfolio.md"
grep -q -E '^\| (Complaint|Revenue)[^|]*\| [0-9]' "$T/portfolio.md" && ok ||
	bad "portfolio.md has no cell starting with a number to check: $(grep -m2 Complaint "$T/portfolio.md")"
mdhtml "$T/portfolio.md" >"$T/portfolio.md.html"
grep -q -E '\\[0-9]' "$T/portfolio.md.html" &&
	bad "portfolio.md renders a backslash: $(grep -o -E '.{20}\\[0-9].{10}' "$T/portfolio.md.html" | head -2)" || ok
r add customer 'name=1. Numbered' stage=active >/dev/null
ok_run report health -o "$T/numbered.md"
mdhtml "$T/numbered.md" >"$T/numbered.md.html"
grep -q -F '1. Numbered' "$T/numbered.md.html" && ok || bad "the name '1. Numbered' is not shown as written"
grep -q '<ol' "$T/numbered.md.html" && bad "a name became an ordered list" || ok
r add customer "name=$(printf 'Esc\033[2J Co')" stage=active >/dev/null
for f in txt md html; do
	rp report health --format $f
	case "$OUT" in *"$(printf '\033')"*) bad "report --format $f lets an escape byte through" ;; *) ok ;; esac
done

# ---- errors: clear, exit 2, nothing written ----
rejects "'weekly' is not a report" report weekly
rejects "which report?" report
rejects "the status report is of one project: --project ID" report status
rejects "--customer or --project, not both" report health --customer Contoso --project Mobile
rejects "the portfolio report covers every customer" report portfolio --customer "Fabrikam Health"
rejects "--format: 'pdf' is not html, md or txt" report health --format pdf
rejects "-o $T/r.pdf: say --format html, md or txt" report health -o "$T/r.pdf"
[ -e "$T/r.pdf" ] && bad "a refused report wrote a file" || ok
rejects "no project 'Nowhere'" report status --project Nowhere
rejects "--since: 'lastweek' is not a date" report status --project "WMS implementation" --since lastweek
rejects "this workspace has no snapshots yet" report health --at HEAD
rp report health -o "$T/no/such/dir/r.html"
[ "$STATUS" -ne 0 ] && ok || bad "writing into a missing directory succeeded"
err_has "$T/no/such/dir/r.html: No such file or directory"

# ---- history: --at REV and what changed, field by field ----
export RAPPORT_NOW=2026-11-10T09:00:00Z
r init "$T/hist" >/dev/null
cd "$T/hist" || exit 1
r add customer name=Before stage=active >/dev/null
r add project customer=Before name=Pilot status=active start=2026-11-01 due=2026-12-31 >/dev/null
r add task project=Pilot name="Wire up" status=doing due=2026-11-30 estimate=8 budget=5000 >/dev/null
r add milestone project=Pilot name=Beta due=2026-12-01 >/dev/null
r add milestone project=Pilot name=Gamma due=2026-12-15 >/dev/null
export RAPPORT_NOW=2026-11-15T09:00:00Z
ok_run sync
rev=$(r log --json | jq -r '.[0].snapshot')
export RAPPORT_NOW=2026-11-22T09:00:00Z
r set Before name=After >/dev/null
r set "Wire up" status=done progress=100 budget=9000 >/dev/null
r add task project=Pilot name="New work" >/dev/null
r add task project=Pilot name="Fleeting" >/dev/null
r rm Fleeting >/dev/null
r rm Beta >/dev/null
ok_run report health
out_has "After"
ok_run report health --at "$rev"
out_has "Before"
out_lacks "After" "--at reports the snapshot's data"
out_has "As of 2026-11-15, from snapshot $(printf '%.8s' "$rev")"
ok_run report status --project Pilot --since 2026-11-20
out_has "task Wire up: status: doing → done; progress: (unset) → 100"
out_lacks "budget" "finance fields stay out of the change list"
out_has "task New work added"
out_has "milestone Beta deleted"
out_lacks "Fleeting" "added and deleted within the period is no news"
out_lacks "milestone Gamma" "unchanged records are not listed"
# Risks: open high and critical tickets, most severe first (by meaning, not by spelling).
r add ticket customer=After project=Pilot title="Slow pages" severity=high >/dev/null
r add ticket customer=After project=Pilot title="Site down" severity=critical >/dev/null
r add ticket customer=After project=Pilot title="Typo" severity=low >/dev/null
ok_run report status --project Pilot --since 2026-11-20
eq "$(printf '%s\n' "$OUT" | sed -n '/^Risks/,/^Open alerts/p' | grep -o 'Open [a-z]* ticket: [A-Za-z ]*' | tr '\n' '/')" \
	"Open critical ticket: Site down/Open high ticket: Slow pages/" "risky tickets, most severe first"
rejects "'nonesuch' is not a snapshot" report health --at nonesuch
r add customer name=Later stage=active >/dev/null
rejects "did not exist in snapshot $(printf '%.8s' "$rev")" report health --customer Later --at "$rev"
# A hostile file in a snapshot: --at reads it as strictly as a sync reads a remote, names and
# skips it, and reports on the rest.
git clone -q "$T/hist/.rapport/snapshots.git" "$T/evil" 2>/dev/null
mkdir -p "$T/evil/customer/ee"
printf 'rev 2026-11-15T09:00:00.000Z-0000000000000000\nname\tbad\001\nstage exploded\n' \
	>"$T/evil/customer/ee/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
(cd "$T/evil" && git add -A && git -c user.name=E -c user.email=e@example.com commit -q -m evil &&
	git push -q origin HEAD:refs/heads/evil) 2>/dev/null
rp report health --at evil
status_is 0 "report --at a snapshot with a hostile file:"
err_has "skipped customer/ee/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
out_has "Before"
cd "$WS" || exit 1
# The next status report starts where this one ended (no --since: the last report's day).
ok_run report status --project "Mobile field app"
out_has "What changed since 2026-11-15"
export RAPPORT_NOW=2026-11-29T09:00:00Z
ok_run report status --project "Mobile field app"
out_has "What changed since 2026-11-22"
finish
