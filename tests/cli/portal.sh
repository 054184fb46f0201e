# tests/cli/portal.sh — the customer portal leaks nothing. tests/portal_plant.py puts a unique
# marker in every field the portal must not show (driven by the kind table through `rapport
# fields --json`), in every record of an internal or finance kind, and in everything about a
# second customer; the site is then scanned for every marker. The scanner is proven on an
# export that does contain them. Also: what must be shown is, custom fields follow their
# audience, the site opens in a browser, and an existing directory is never clobbered.
. "$(dirname "$0")/../lib.sh"
ok_run init ws
WS=$T/ws
cd ws || exit 1
r() { "$RAPPORT_BIN" "$@"; }

r field add project portal_note text --audience customer >/dev/null
r field add project secret_note text >/dev/null
r field add project deal_size number --audience finance >/dev/null
RAPPORT_BIN=$RAPPORT_BIN /usr/bin/python3 "$TOP/tests/portal_plant.py" >"$T/plant" 2>"$T/plant.err"
[ -s "$T/plant" ] && ok || bad "planting failed: $(cat "$T/plant.err")"
grep -v '^SHOWN ' "$T/plant" >"$T/markers"
# Numbers are scanned for as written and with thousands separators.
grep -E '^[0-9]+$' "$T/markers" | while read -r n; do
	printf '%s\n' "$n" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'
done >>"$T/markers"
nmark=$(wc -l <"$T/markers")
[ "$nmark" -gt 60 ] && ok || bad "only $nmark markers planted"
grep -q '^2091-' "$T/markers" && ok || bad "no date markers"
grep -q '@marker.example$' "$T/markers" && ok || bad "no email markers"
# Custom fields are planted like the others: by their audience.
grep -q '^LEAKAprojectsecret_note$' "$T/markers" && ok || bad "the internal custom field has no marker"
grep -q '^SHOWN Visible project portal_note$' "$T/plant" && ok || bad "the customer custom field is not expected"
grep -q '^73[0-9]*$' "$T/markers" && ok || bad "no number markers"
proj=$(r list project name~Visible --json | jq -r '.[0].id')

# The scanner works: a full export holds markers.
r export project --format json >"$T/all.json"
r export invoice --format json >>"$T/all.json"
grep -q -F -f "$T/markers" "$T/all.json" && ok || bad "the scanner finds nothing even in a full export"

ok_run portal "Acme Portal Co" -o "$T/site"
out_has "Wrote $T/site: 2 pages, 1 project, 1 milestone, 1 requirement, 1 ticket" "counts in the singular"
ls "$T/site" >"$T/files"
grep -q '^index.html$' "$T/files" && grep -q "^project-$proj.html\$" "$T/files" &&
	ok || bad "site files: $(cat "$T/files")"
if grep -r -n -o -F -f "$T/markers" "$T/site" >"$T/leaks"; then
	bad "the portal leaks: $(head -5 "$T/leaks")"
else ok; fi
grep '^SHOWN ' "$T/plant" | sed 's/^SHOWN //' >"$T/shown"
while read -r v; do
	grep -r -q -F "$v" "$T/site" && ok || bad "the portal lacks '$v'"
done <"$T/shown"
grep -q 'Portal note' "$T/site/project-$proj.html" && ok || bad "a customer-audience custom field is labelled"
grep -q -F 'href="project-'"$proj"'.html"' "$T/site/index.html" && ok || bad "index links the project page"
grep -q '<script' "$T/site/index.html" && bad "a script in the portal" || ok
for page in "$T"/site/*.html; do
	grep -q '<style>' "$page" && ! grep -q '<link' "$page" && ok || bad "$page is not self-contained"
done

# The site opens in a browser from disk: every page carries its own style, nothing is fetched.
rm -rf "$T/chrome"
timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
	--enable-logging=stderr --dump-dom "file://$T/site/index.html" >"$T/dom" 2>"$T/chrome.log"
grep -q 'Acme Portal Co' "$T/dom" && ok || bad "the browser's DOM lacks the customer"
grep -q CONSOLE "$T/chrome.log" && bad "console: $(grep CONSOLE "$T/chrome.log" | head -2)" || ok

# An audience that is not one, refused with nothing changed.
rejects "field 'audience': 'public' is not one of: internal, customer, finance" field add project x text --audience public

# Directories: an earlier portal is replaced whole; anything else is refused.
r set "$proj" portal_note="Second version" >/dev/null
ok_run portal "Acme Portal Co" -o "$T/site"
grep -q 'Second version' "$T/site/project-$proj.html" && ok || bad "the site was not replaced"
ls -a "$T" | grep -q 'site\.\(tmp\|old\)' && bad "temporary directories left behind" || ok
mkdir "$T/mine" && echo keep >"$T/mine/notes.txt"
rejects "$T/mine already exists and is not a portal rapport wrote" portal "Acme Portal Co" -o "$T/mine"
[ "$(cat "$T/mine/notes.txt")" = keep ] && ok || bad "a foreign directory was touched"
rejects "no customer 'Nobody'" portal Nobody -o "$T/x"
[ -e "$T/x" ] && bad "a refused portal wrote a directory" || ok
rejects "which customer?" portal
# Default directory name from the customer's name.
cd "$T" && ok_run -C "$WS" portal "Acme Portal Co"
[ -f "$T/portal-acme-portal-co/index.html" ] && ok || bad "default directory portal-acme-portal-co: $(ls "$T")"
finish
