# tui_daily.sh — the TUI as a project manager's all-day instrument (issue 18): a clock that moves
# while the TUI stays open (RAPPORT_NOW=@FILE, read at each use), the dashboard's health list
# equal to `rapport health`, pickers, a task's tabs, help aligned by display width, list columns
# stable across pages, the timeline's panning and labels, and the small-terminal message.
. "$TOP/tests/lib.sh"

. "$TOP/tests/tui_lib.sh"

# xcol ROW TEXT: the display column of TEXT on screen row ROW (1-based).
xcol() { screen | sed -n "$1p" | python3 -c '
import sys, unicodedata
line = sys.stdin.readline().rstrip("\n")
pos = line.find(sys.argv[1])
print(-1 if pos < 0 else sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:pos]))' "$2"; }

# ---- 1. The clock moves while the TUI is open ----
printf '2026-11-22T09:00:00Z\n' >"$T/now"
ENV="RAPPORT_NOW=@$T/now" start 80 30 tui
wait_for "Overdue milestones"
screen_has "Design sign-off · 数据平台升级 · 13 days late"
# The next morning, with the TUI still open: "today" moves, and so do the stamps of new writes.
printf '2026-11-23T10:15:00Z\n' >"$T/now"
wait_for "14 days late"
keys : 'add interaction customer="Woodgrove Bank" kind=call summary="Late call"' Enter
cli_until length 1 list interaction summary="Late call" || bad ":add did not add the interaction"
I=$(cd "$WS" && "$RAPPORT_BIN" list interaction summary="Late call" --json)
eq "$(printf '%s' "$I" | jq -r '.[0].at')" 2026-11-23T10:15:00Z "an interaction added later is stamped with the time it was added"
eq "$(printf '%s' "$I" | jq -r '.[0].created')" 2026-11-23T10:15:00Z "created is the time of the add, not of the launch"
printf '2026-11-23T11:30:00Z\n' >"$T/now"
IID=$(printf '%s' "$I" | jq -r '.[0].id')
keys : "set $IID summary=\"Later call\"" Enter
cli_until '.[0].updated' 2026-11-23T11:30:00Z list interaction summary="Later call" &&
	ok || bad "updated is not the time of the set"
# A list filtered by a relative date reads it again on a new day.
keys : 'list milestone done= due<today' Enter
wait_for "milestones where done= due<today"
want=$(cd "$WS" && RAPPORT_NOW=2027-06-01T08:00:00Z "$RAPPORT_BIN" list milestone done= 'due<today' --json | jq length)
screen_lacks "$want milestones where"
printf '2027-06-01T08:00:00Z\n' >"$T/now"
wait_for "$want milestones where done= due<today"
keys : quit Enter
tm kill-server 2>/dev/null
# The CLI reads the same clock the same way; a clock file that cannot be read is bad usage.
printf '2027-02-03T04:05:06Z\n' >"$T/now"
RAPPORT_NOW=@$T/now rp -C co add customer name=Clocked
eq "$(cd "$WS" && "$RAPPORT_BIN" list customer name=Clocked --json | jq -r '.[0].created')" 2027-02-03T04:05:06Z "the CLI honours RAPPORT_NOW=@FILE"
RAPPORT_NOW=@$T/nope rp -C co list customer
status_is 2 "RAPPORT_NOW naming a missing file:"
err_has "RAPPORT_NOW: cannot read '$T/nope'"
printf 'tuesday\n' >"$T/bad"
RAPPORT_NOW=@$T/bad rp -C co list customer
status_is 2 "RAPPORT_NOW naming a file without a date:"
err_has "is not an ISO 8601 date or datetime"

# ---- 2. The dashboard's health list is `rapport health`'s ----
# Same selection (no churned customer, lead or cancelled project), order, rounding and band
# (grey for a score with too little data), and a project names its customer.
# health_matches: the dashboard (open at 200x50 in $WS) lists what `rapport health --json` ranks
# first, line for line.
health_matches() {
	(cd "$WS" && "$RAPPORT_BIN" health --json >"$T/health.json" && "$RAPPORT_BIN" list project --json >"$T/projects.json" &&
		"$RAPPORT_BIN" list customer --json >"$T/customers.json")
	python3 - "$T" >"$T/want-health.txt" <<'PY'
import json, sys
t = sys.argv[1]
h = json.load(open(t + "/health.json"))
cust = {c["id"]: c["name"] for c in json.load(open(t + "/customers.json"))}
proj = {p["id"]: p.get("customer") for p in json.load(open(t + "/projects.json"))}
for r in h[:5]:
    whose = " · " + cust[proj[r["id"]]] if r["kind"] == "project" and proj.get(r["id"]) else ""
    print("   %3d %-6s %-9s %s%s" % (r["score"], r["band"], r["kind"], r["name"], whose))
PY
	screen | sed -n '/Health, worst first/,/^$/p' | sed '1d;/^$/d' >"$T/got-health.txt"
	if [ -s "$T/want-health.txt" ] && cmp -s "$T/want-health.txt" "$T/got-health.txt"; then ok; else
		bad "the dashboard's health list differs from rapport health ($1):"
		diff "$T/want-health.txt" "$T/got-health.txt" | sed 's/^/    /'
	fi
}
start 200 50 tui
wait_for "Health, worst first"
health_matches "the demo"
# A churned customer is scored but not listed, on either.
eq "$(jq '[.[] | select(.name == "Woodgrove Bank")] | length' "$T/health.json")" 0 "health lists no churned customer"
grep -q "Woodgrove Bank" "$T/got-health.txt" && bad "the dashboard lists a churned customer's health" || ok
keys : quit Enter
# A customer with no data yet is grey (score 0), as the CLI says, not red.
rp init nodata
rp -C nodata add customer name=Nodata stage=active
WS_SAVED=$WS
WS=$T/nodata
start 200 50 tui
wait_for "Health, worst first"
health_matches "a customer without data"
screen_has "0 grey   customer  Nodata"
keys : quit Enter
WS=$WS_SAVED

# ---- 3. A picker's filter and Enter pick the first match, not "(unset)" ----
start 80 24 tui
keys 2 && wait_for "customers ·"
keys a && wait_for "New customer"
keys Enter 'Picker Co' Enter
keys j j j j Enter && wait_for "type to search"
screen_has "(unset)"
keys gra && wait_for "Grace Hopper"
screen_lacks "(unset)"
keys Enter
sleep 0.2
screen_has "Grace Hopper"
keys C-s && wait_for "Added customer 'Picker Co'"
GRACE=$(cd "$WS" && "$RAPPORT_BIN" list member name="Grace Hopper" --json | jq -r '.[0].id')
eq "$(cd "$WS" && "$RAPPORT_BIN" list customer name="Picker Co" --json | jq -r '.[0].owner')" "$GRACE" "Owner → gra → Enter picks Grace Hopper"
# A filter nothing matches keeps the picker open, rather than picking anything.
keys e && wait_for "Edit"
keys j j j j j Enter && wait_for "type to search"
keys zzz && wait_for "nothing matches"
keys Enter
sleep 0.2
screen_has "nothing matches"
keys Escape Escape
sleep 0.2
keys : quit Enter

# ---- 8. A task's tabs: one "Alerts", and its children are "Subtasks" ----
PARENT=$(cd "$WS" && "$RAPPORT_BIN" list task parent!= --json | jq -r '.[0].parent')
start 200 50 tui
keys : "show $PARENT" Enter && wait_for "Details"
tabs=$(screen | sed -n 2p)
case "$tabs" in *" Subtasks "*) ok ;; *) bad "a task's tabs lack Subtasks: $tabs" ;; esac
case "$tabs" in *"(parent)"*) bad "a task's tab still says (parent): $tabs" ;; *) ok ;; esac
eq "$(printf '%s\n' "$tabs" | grep -o -E ' Alerts( [^(]|$)' | wc -l)" 1 "a task has one Alerts tab: $tabs"
keys : quit Enter

# ---- 9. Help lines up by display width and wraps rather than cuts ----
# meaning_col KEY: the display column where the meaning after KEY starts on the help screen.
meaning_col() { screen | grep -F "  $1  " | head -1 | python3 -c '
import sys, unicodedata
line = sys.stdin.readline().rstrip("\n")
key = sys.argv[1]
pos = line.find(key) + len(key)
while line[pos] == " ":
    pos += 1
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:pos]))' "$1"; }
start 80 24 tui
keys 2 && wait_for "customers ·"
keys '?' && wait_for "Everywhere"
eq "$(meaning_col 'j k ↓ ↑')" "$(meaning_col 'PgDn PgUp')" "help: 'j k ↓ ↑' and 'PgDn PgUp' meanings in one column"
eq "$(meaning_col 'j k ↓ ↑')" "$(meaning_col 'q Esc')" "help: the screen's and the global keys in one column"
keys G
sleep 0.2
screen_has "quit"
keys q
# A record's keys are the longest: wrapped under their column, never cut with "…".
keys Enter && wait_for "Key contacts"
keys '?' && wait_for "Keys of this screen (record)"
golden "help-record-80x24"
case "$(screen | sed -n '2,23p')" in *"…"*) bad "a help line is cut" ;; *) ok ;; esac
keys q
keys : quit Enter

# ---- 11. List columns: one set of widths for the whole list, dates whole ----
# At each size, the 210 tasks paged through to the end: the header (where every column starts)
# is the same on every page, no due date is cut, and a wide terminal gives the names room.
for size in 80x24 200x50; do
	start "${size%x*}" "${size#*x}" tui
	keys : 'list task' Enter && wait_for "210 tasks"
	head1=$(screen | sed -n 3p)
	moved=0
	cut=0
	for page in 1 2 3 4 5 6 7 8 9 10 11; do
		[ "$(screen | sed -n 3p)" = "$head1" ] || moved=$((moved + 1))
		screen | sed -n '4,$p' | grep -q -E '20[0-9][0-9]-[0-9-]{0,4}…' && cut=$((cut + 1))
		keys PageDown
		sleep 0.2
		settle
	done
	keys G
	sleep 0.2
	settle
	[ "$(screen | sed -n 3p)" = "$head1" ] || moved=$((moved + 1))
	eq "$moved" 0 "task list columns stay put across pages at $size"
	eq "$cut" 0 "no due date is cut at $size"
	case "$head1" in *Due*) ok ;; *) bad "no Due column at $size: $head1" ;; esac
	if [ "$size" = 200x50 ]; then
		# Name starts after Project; Status after Name: the widest name is over 32 columns.
		eq "$(($(xcol 3 Status) - $(xcol 3 Name) > 34))" 1 "names get more than 32 columns at 200x50: $head1"
		case "$head1" in *" ID "*) ok ;; *) bad "the id column is hidden at 200x50" ;; esac
	else
		case "$head1" in *" ID "*) bad "at 80x24 the id column stays while others are cut: $head1" ;; *) ok ;; esac
	fi
	keys : quit Enter
done

# ---- 12. The timeline pans a week and labels months as months ----
ERP=$(cd "$WS" && "$RAPPORT_BIN" list project name="ERP rollout" --json | jq -r '.[0].id')
start 80 24 tui
keys : "show $ERP" Enter && wait_for "Overview"
keys Tab Tab && wait_for "per column"
# Row 4: under the title, the phase strip and the tabs.
axis=$(screen | sed -n 4p)
case "$axis" in *"3 days per column"*) ok ;; *) bad "the ERP rollout's timeline is not at 3 days per column: $axis" ;; esac
case "$axis" in *"Jan 2027"*) ok ;; *) bad "January is not labelled as a month of its year: $axis" ;; esac
case "$axis" in *"  2027 "*) bad "a year stands where a month's name belongs: $axis" ;; *) ok ;; esac
before=$(xcol 4 Feb)
keys l l l
sleep 0.3
settle
after=$(xcol 4 Feb)
# Three weeks at 3 days per column: 21 days, 7 columns.
eq "$((before - after))" 7 "l pans the timeline a week"
keys h h h
sleep 0.3
settle
eq "$(xcol 4 Feb)" "$before" "h pans back a week at a time"
keys : quit Enter

# ---- 15. The too-small message is never the part that gets cut ----
start 80 24 tui
tm resize-window -t t -x 30 -y 10
wait_for "30×10)"
eq "$(screen | tr -s ' \n' '  ' | sed 's/^ //;s/ $//')" "rapport needs at least 80×24 (this terminal is 30×10)" "the message at 30x10, wrapped"
tm resize-window -t t -x 80 -y 24
wait_for "customers ·"
keys : quit Enter

# ---- 10. The dashboard's cursor, Syncing…, H on a row, history by name ----
# selected: the text of the line drawn in reverse video (the cursor).
selected() { tm capture-pane -e -p -t t | grep "$(printf '\033')\[7m" | head -1 | sed -E 's/\x1b\[[0-9;]*m//g; s/ *$//'; }
start 200 50 tui
wait_for "Late invoices"
i=0
while [ $i -lt 40 ]; do
	case "$(selected)" in *[0-9]"  INV-"*) break ;; esac
	keys j
	sleep 0.1
	i=$((i + 1))
done
# The second late invoice: the line above it is a record too, so a cursor kept by position
# would land on another record rather than find its way back.
keys j
sleep 0.2
was=$(selected)
case "$was" in *[0-9]"  INV-"*) ok ;; *) bad "the cursor never reached a late invoice: '$was'" ;; esac
# A section above it grows (another overdue milestone, written by a CLI elsewhere).
(cd "$WS" && "$RAPPORT_BIN" add milestone project="$ERP" name="Slipped" due=2026-11-01 >/dev/null)
wait_for "Overdue milestones (2)"
eq "$(selected)" "$was" "the dashboard's cursor stays on its record when a section above grows"
keys : quit Enter
# H on a list row: that row's record's history, references by name; before the first sync
# the whole record is its one change rather than "No snapshots yet".
start 80 24 tui
keys 2 && wait_for "customers ·"
i=0
while [ $i -lt 20 ]; do
	case "$(selected)" in *"Contoso Logistics"*) break ;; esac
	keys j
	sleep 0.1
	i=$((i + 1))
done
keys H && wait_for "not yet snapshotted"
screen_has "name: (unset) → Contoso Logistics"
screen_has "owner: (unset) → Ada Lovelace"
screen_lacks "No snapshots yet"
keys q
# In a record's list tab, H is the selected row's history too.
keys Enter && wait_for "Receivables"
keys Tab Tab Tab && wait_for "Code"
keys H && wait_for "not yet snapshotted"
screen_has "customer: (unset) → Contoso Logistics"
keys : quit Enter
rp -C co log "Contoso Logistics"
out_has "owner: (unset) → Ada Lovelace"
# After the sync, the status bar says how it went, not "Syncing…".
git init -q --bare -b main "$T/team.git"
rp -C co remote add origin "$T/team.git"
rp -C co sync
rp -C co set "Contoso Logistics" region=APAC
start 80 24 tui
keys 6 && wait_for "Conflicts"
keys s && wait_for "Pushed to origin"
sleep 0.3
screen_lacks "Syncing…"
keys : quit Enter

if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/tui.err" 2>/dev/null; then
	bad "sanitizer report from the TUI:"
	head -30 "$T/tui.err"
else
	ok
fi
finish
