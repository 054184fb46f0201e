# tui.sh — the terminal UI in a real terminal: tmux runs rapport, send-keys types, capture-pane
# reads the screen. Golden screens (tests/tui/golden) at 80x24 and 120x40 for each screen;
# RAPPORT_GOLDEN=update rewrites them. Also: live resize, CJK alignment, a hostile record that
# must not reach the terminal, the form's validation path, the ':' command line, and the process
# engine's keys: approving and rejecting on the Approvals screen, a project's gate and advance.
. "$TOP/tests/lib.sh"

. "$TOP/tests/tui_lib.sh"

for size in 80x24 120x40; do
	w=${size%x*}
	h=${size#*x}
	start "$w" "$h" tui
	wait_for "Open alerts" && golden "dashboard-$size"
	keys 2 && wait_for "12 customers" && golden "customers-$size"
	keys j j j Enter && wait_for "Key contacts" && golden "customer360-$size"
	keys Tab && wait_for "Summary" && golden "timeline-$size"
	keys Tab Tab Tab Tab Tab && wait_for "Paid amount" && golden "invoices-$size"
	keys 3 && wait_for "17 projects" && golden "projects-$size"
	keys j j j j j j j j j j Enter && wait_for "Overview" && keys Tab && wait_for "doing (" && golden "board-$size"
	keys Tab && wait_for "per column" && golden "gantt-$size"
	keys Tab && wait_for "WBS" && golden "wbs-$size"
	keys 4 && wait_for "tickets where status!=closed" && golden "tickets-$size"
	keys '?' && wait_for "Everywhere" && golden "help-$size"
	keys q 5 && wait_for "Alerts" && golden "alerts-$size"
	keys q 7 && wait_for "Waiting for you" && golden "approvals-$size"
	keys 8 && wait_for "negotiate (3)" && golden "pipeline-$size"
	keys : 'show "WMS implementation"' Enter && wait_for "Phase" && golden "phase-$size"
	keys q 1 && wait_for "Open alerts"
	keys q
	sleep 0.3
	eq "$(tm display -p -t t '#{pane_dead}')" 1 "q on the dashboard quits ($size)"
done

# Live resize: the same session redraws at every size, down to 80x24 and below.
start 100 30 tui
keys 2 && wait_for "12 customers"
tm resize-window -t t -x 140 -y 40
wait_for "深圳星辰电子"
screen_has "Electronics"
tm resize-window -t t -x 80 -y 24
sleep 0.3
settle
golden "customers-resized-80x24"
tm resize-window -t t -x 60 -y 20
wait_for "needs at least 80×24"
tm resize-window -t t -x 80 -y 24
wait_for "12 customers"

# CJK names take two cells each: the next column starts at the same screen column.
colx() { screen | grep "$1" | python3 -c '
import sys, unicodedata
line = sys.stdin.readline().rstrip("\n")
pos = line.find(sys.argv[1])
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:pos]))' "$2"; }
eq "$(colx 深圳星辰电子 APAC)" "$(colx Contoso\ Logistics EMEA)" "CJK rows align with ASCII rows"

# The ':' command line runs the CLI's commands.
keys : 'list task status=blocked' Enter
wait_for "tasks where status=blocked"
keys : 'add customer name="Colon Co" stage=lead' Enter
cli_until length 1 list customer name="Colon Co" && ok || bad ":add did not add the customer"
CO=$(cd "$WS" && "$RAPPORT_BIN" list customer name="Colon Co" --json | jq -r '.[0].id')
keys : "set $CO stage=active" Enter
cli_until '.[0].stage' active list customer name="Colon Co" && ok || bad ":set did not set the stage"
keys : "show $CO" Enter
wait_for "Colon Co"
screen_has "Overview"
keys : 'frobnicate' Enter
wait_for "is not a command here"
keys : 'set nope stage=x' Enter
wait_for "no record with id or name 'nope'"

# Search as you type, Chinese included.
keys / && wait_for "Search:"
keys 明远
wait_for "上海明远科技有限公司"
keys Down Down Down Enter
wait_for "Key contacts"
keys q Escape

# The form: typed inputs, the CLI's error next to the field, a reference picked by search.
keys 3 && wait_for "17 projects"
keys a && wait_for "New project"
keys Enter && wait_for "type to search"
keys Conto
wait_for "Contoso Manufacturing"
keys Down Enter
sleep 0.2
keys j j Enter Formtest Enter
keys j j j j Enter 2026-13-40 Enter
wait_for "is not a date (YYYY-MM-DD)"
golden "form-error-80x24"
keys C-s
wait_for "fix the marked field first"
keys Enter C-u 2027-01-31 Enter
sleep 0.2
screen_lacks "is not a date"
keys C-s
wait_for "Added project 'Formtest'"
cli_until length 1 list project name=Formtest || bad "the form did not save"
P=$(cd "$WS" && "$RAPPORT_BIN" list project name=Formtest --json)
eq "$(printf '%s' "$P" | jq -r '.[0].due')" 2027-01-31 "the form saved the fixed date"
eq "$(printf '%s' "$P" | jq -r '.[0].customer' | cut -c1-8)" "$(cd "$WS" && "$RAPPORT_BIN" list customer name="Contoso Manufacturing" --json | jq -r '.[0].id' | cut -c1-8)" "the picker set the reference"

# A new project from a template: the form's Template row picks one, Save builds the project
# through the engine (as 'add project --template' does): its process, first phase, plan.
keys a && wait_for "New project"
keys Enter && wait_for "type to search"
keys Conto
wait_for "Contoso Manufacturing"
keys Down Enter
sleep 0.2
keys j j Enter Templated Enter
keys j j j Enter 2027-01-04 Enter
keys G k k Enter && wait_for "template: ↓ ↑ choose"
screen_has "erp-standard  ERP implementation, standard"
keys Down Enter
sleep 0.2
keys C-s
wait_for "Added project 'Templated'"
screen_has "from template erp-standard"
P=$(cd "$WS" && "$RAPPORT_BIN" list project name=Templated --json)
PID=$(printf '%s' "$P" | jq -r '.[0].id')
eq "$(printf '%s' "$P" | jq -r '.[0].phase')" requirements "the template's project is in its process's first phase"
eq "$(cd "$WS" && "$RAPPORT_BIN" list task project="$PID" --json | jq 'map(select(.phase != null)) | length')" \
	"$(cd "$WS" && "$RAPPORT_BIN" template show erp-standard | grep -c '^  task ')" \
	"the form built every task of the template"
eq "$(cd "$WS" && "$RAPPORT_BIN" list task project="$PID" --json | jq -r 'map(.start) | min')" 2027-01-04 \
	"the plan starts on the project's start"

# Delete asks, u brings it back.
keys 2 && wait_for "13 customers"
keys G && sleep 0.2
keys d && wait_for "(y/n)"
keys y && wait_for "Deleted customer"
wait_for "12 customers"
keys u && wait_for "Restored customer"
wait_for "13 customers"

# Moving a card on the board is a status change.
keys 3 && wait_for "projects"
keys : "show $(cd "$WS" && "$RAPPORT_BIN" list project name="ERP rollout" --json | jq -r '.[0].id')" Enter
wait_for "Overview"
keys Tab && wait_for "doing ("
keys l && keys L
wait_for "moved to"
keys : quit Enter
sleep 0.3
eq "$(tm display -p -t t '#{pane_dead}')" 1 ":quit quits"

# A record whose fields hold escape sequences: the terminal's title and screen stay intact.
(cd "$WS" && "$RAPPORT_BIN" add customer "name=Evil$(printf '\033]2;pwned\007\033[2J')Corp" "industry=$(printf '\033[31m')Red" >/dev/null)
start 80 24 tui
keys 2 && wait_for "Evil␛]2;pwned␇␛[2JCorp"
eq "$(tm display -p -t t '#{pane_title}' | grep -c pwned)" 0 "the pane title was not changed"
screen_has "Adventure Works"
keys q q
tm kill-server 2>/dev/null

# What a CLI in another terminal writes shows up in an open TUI by itself.
start 80 24 tui
keys 2 && wait_for "customers ·"
(cd "$WS" && "$RAPPORT_BIN" add customer name="Written Elsewhere" >/dev/null)
wait_for "Written Elsewhere"
# …names shown through references too (a contact list shows its customers by name).
keys : 'list contact customer="Tailspin Airlines"' Enter
wait_for "Tailspin Airlines"
(cd "$WS" && "$RAPPORT_BIN" set "Tailspin Airlines" name=Skyway >/dev/null)
wait_for " Skyway  "

# An empty workspace opens too, with nothing to show rather than errors.
rp init empty
WS_SAVED=$WS
WS=$T/empty
start 80 24 tui
wait_for "Open alerts"
screen_has "Projects     none"
keys 2 && wait_for "0 customers"
screen_has "(none)"
keys 3 && wait_for "0 projects"
WS=$WS_SAVED

# Long text goes through $EDITOR: an "editor" that appends a line to the file it is given.
cat >"$T/editor" <<'EDITOR'
#!/bin/sh
printf 'written in the editor\nsecond line\n' >>"$1"
EDITOR
chmod +x "$T/editor"
ENV="EDITOR='$T/editor'" start 80 24 tui
keys : 'edit "Northwind Traders"' Enter
wait_for "Edit Northwind Traders"
keys G k k Enter
wait_for "written in the editor …"
keys C-s
wait_for "Saved customer 'Northwind Traders'"
cli_until '.[0].note' "$(printf 'written in the editor\nsecond line')" list customer name="Northwind Traders" &&
	ok || bad "the note from the editor was not saved"
keys : quit Enter

# NO_COLOR: attributes only (bold, reverse), never a colour.
sgr_colour() { tm capture-pane -e -p -t t | grep -q -E "$(printf '\033')\[[0-9;]*3[0-7]m"; }
ENV="TERM=xterm-256color NO_COLOR=1" start 80 24 tui
keys 2 && wait_for "customers ·"
sgr_colour && bad "colour despite NO_COLOR" || ok
ENV="TERM=xterm-256color" start 80 24 tui
keys 2 && wait_for "customers ·"
sgr_colour && ok || bad "no colour on a colour terminal"
tm kill-server 2>/dev/null

# Alerts with one key, and a customer's Health tab (health --why).
start 80 24 tui
keys 5 && wait_for "Alerts"
first=$(sqlite3 co/.rapport/rapport.db "select count(*) from alert where state='open' and deleted=0")
keys A
wait_for "Acknowledged alert"
eq "$(sqlite3 co/.rapport/rapport.db "select count(*) from alert where state='open' and deleted=0")" "$((first - 1))" "A acknowledges the selected alert"
keys j z
wait_for "Snoozed alert"
eq "$(sqlite3 co/.rapport/rapport.db "select count(*) from alert where state='snoozed' and deleted=0")" 1 "z snoozes the selected alert"
keys 2 && wait_for "customers ·"
keys Enter && wait_for "Key contacts"
keys BTab && wait_for "COMPONENT"
screen_has "confidence"
keys : quit Enter
tm kill-server 2>/dev/null

# Approvals (screen 7): the demo user's first, OVERDUE in words as well as colour; a approves
# through the engine and the project moves on; r needs a reason; a customer's decision asks for
# its evidence; what the engine refuses is its message, and nothing changes.
db() { sqlite3 "$WS/.rapport/rapport.db" "$1"; }
ERP=$(db "select p.id from project p join customer c on c.id = p.customer where p.name = 'ERP rollout' and c.name = 'Contoso Manufacturing'")
CRM=$(db "select id from project where name = 'CRM migration'")
start 80 24 tui
keys 7 && wait_for "Waiting for you (3)"
screen | grep -q '^ OVERDUE [0-9-]*  ERP rollout ' && ok || bad "the overdue approval is not first, marked OVERDUE: $(screen | sed -n 3,5p)"
keys a && wait_for "approve — reason (optional"
keys Escape
sleep 0.2
eq "$(db "select phase from project where id = '$ERP'")" golive "Esc at the prompt approves nothing"
keys a && wait_for "approve — reason (optional"
keys Enter
wait_for "moved: golive -> initial_acceptance"
eq "$(db "select phase from project where id = '$ERP'")" initial_acceptance "a on the Approvals screen moves the project"
eq "$(db "select state || ' ' || (select name from member where id = a.by) from approval a where \"on\" = '$ERP' and stage = 'golive'")" "approved Ada Lovelace" "approved by the demo's user"
wait_for "Waiting for you (2)"
screen_lacks "OVERDUE"
# The project's own screen shows where it went.
keys : "show $ERP" Enter && wait_for "Phase"
screen_has "▶ initial_acceptance"
keys q && wait_for "Waiting for you (2)"
# r: a reason or nothing.
keys j r && wait_for "reject — reason (required)"
before=$(dbdump)
keys Enter && wait_for "a rejection needs a reason"
eq "$(dbdump)" "$before" "a rejection without a reason changes nothing"
keys r && wait_for "reject — reason (required)"
keys "Scope not agreed with the sponsor yet" Enter
wait_for "rejected · CRM migration stays at requirements"
eq "$(db "select state || ': ' || reason from approval where \"on\" = '$CRM' and stage = 'requirements'")" "rejected: Scope not agreed with the sponsor yet" "r rejects with the reason typed"
eq "$(db "select phase from project where id = '$CRM'")" requirements "a rejected project stays where it was"
# A customer's decision: the evidence first; none, nothing recorded.
wait_for "Waiting for you (1)"
keys j && keys a && wait_for "— evidence (a mail, a document, a meeting)"
before=$(dbdump)
keys Enter && wait_for "needs its evidence"
eq "$(dbdump)" "$before" "a customer's approval without evidence changes nothing"
# Someone else's request is not ours to withdraw: the engine says so, nothing changes.
keys G w && wait_for "withdraw — reason"
keys Enter && wait_for "only who asked for approval"
eq "$(dbdump)" "$before" "a refused withdrawal changes nothing"
# On a project: c shows its gate, A advances after asking.
WMS=$(db "select id from project where name = 'WMS implementation'")
keys : "show $WMS" Enter && wait_for "Phase"
screen_has "▶ migration"
keys c && wait_for "next:  training"
screen_has "ok no-blockers"
keys q && wait_for "Phase"
keys A && wait_for "Advance from migration to training? (y/n)"
keys n
sleep 0.2
eq "$(db "select phase from project where id = '$WMS'")" migration "n leaves the project where it is"
keys A && wait_for "Advance from migration to training? (y/n)"
keys y && wait_for "migration -> training"
eq "$(db "select phase from project where id = '$WMS'")" training "A advances the project"
screen_has "▶ training"
# A failing item of the exit checklist says "blocked" on the strip, and the gate says why.
keys : 'show "Security audit"' Enter && wait_for "▶ uat"
screen_lacks "blocked"
(cd "$WS" && "$RAPPORT_BIN" add ticket customer="Northwind Traders" project="Security audit" \
	title="Data lost in UAT" severity=critical status=open >/dev/null)
wait_for "· blocked"
keys c && wait_for "no no-blockers: 1 open high or critical ticket on the project"
keys q
keys : quit Enter
tm kill-server 2>/dev/null

# Pipeline (screen 8): L moves the selected sale to the next stage through `rapport set`; W puts
# `won ID` on the command line, where a template can be added, and Enter makes the contract and
# the project.
OPP=$(db "select id from opportunity where name = 'Warehouse scanning'")
start 80 24 tui
keys 8 && wait_for "qualify (2)"
keys L && wait_for "moved to propose"
eq "$(db "select stage from opportunity where id = '$OPP'")" propose "L moves the opportunity to the next stage"
wait_for "qualify (1)"
screen_has "propose (4)"
keys H && wait_for "moved to qualify"
eq "$(db "select stage from opportunity where id = '$OPP'")" qualify "H moves it back"
keys W && wait_for "won $(printf '%.8s' "$OPP")"
keys " --template erp-standard --start 2026-12-07" Enter
wait_for "rapport › Dashboard › Pipeline › won" # its output: the contract's id, the project's
keys q && wait_for "won (4)"
eq "$(db "select o.stage || ' ' || p.name || ' ' || p.phase || ' ' || c.title from opportunity o join project p on p.id = o.project join contract c on c.id = o.contract where o.id = '$OPP'")" \
	"won Warehouse scanning requirements Warehouse scanning" "W wins it: the contract and the templated project"
keys : quit Enter
tm kill-server 2>/dev/null

# Sync from the TUI: s syncs, the status bar shows the conflict, screen 6 lists it with both
# values and t takes the other value; H shows a record's history.
git init -q --bare -b main "$T/team.git"
rp -C co remote add origin "$T/team.git"
rp -C co sync
rp clone "$T/team.git" "$T/co2"
CID=$(sqlite3 co/.rapport/rapport.db "select id from customer where name='Northwind Traders'")
RAPPORT_NOW=2026-11-22T10:00:00Z rp -C co set "$CID" region=Mine
RAPPORT_NOW=2026-11-22T11:00:00Z rp -C "$T/co2" set "$CID" region=Theirs
rp -C "$T/co2" sync
start 80 24 tui
keys s
wait_for "1 conflict: see 'rapport conflicts'"
keys q
wait_for "1 conflict (6)"
keys 6
wait_for "Conflicts     1 record"
golden sync-80x24
keys G t
wait_for "Resolved region"
cli_until '.[0].region' Mine list customer name="Northwind Traders" &&
	ok || bad "t on the Sync screen did not take the other value"
keys : "show $CID" Enter
wait_for "Key contacts"
keys H
wait_for "not yet snapshotted"
keys : quit Enter
tm kill-server 2>/dev/null
rm -rf "$T/co2"

# Reports and the portal from the TUI: R on a project fills in its status report, P on a
# customer its portal; Enter runs them and the files are there.
PID=$(sqlite3 co/.rapport/rapport.db "select id from project where name='WMS implementation'")
start 80 24 tui
keys : "show $PID" Enter
wait_for "Overview"
keys R
wait_for "report status --project ${PID%"${PID#????????}"}"
keys Enter
wait_for "done: report status"
[ -s "$WS/status-$(printf '%.8s' "$PID").html" ] && ok || bad "R did not write the status report"
grep -q 'Status report: WMS implementation' "$WS/status-$(printf '%.8s' "$PID").html" && ok ||
	bad "the report written from the TUI is not the project's"
keys : "show $CID" Enter
wait_for "Key contacts"
keys P
wait_for "portal $(printf '%.8s' "$CID") -o portal-"
keys Enter
wait_for "Wrote portal-$(printf '%.8s' "$CID")"
[ -f "$WS/portal-$(printf '%.8s' "$CID")/index.html" ] && ok || bad "P did not write the portal"
keys q q
# A long import shows a progress bar on the bottom line (held on screen by RAPPORT_PAUSE).
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("name,region\n")
    for i in range(30000): f.write("Bulk %d,EMEA\n" % i)' "$T/bulk.csv"
ENV="RAPPORT_PROGRESS_AFTER=0 RAPPORT_PAUSE=progress:$T/bar" start 80 24 tui
keys : "import customer $T/bulk.csv" Enter
i=0
while [ ! -f "$T/bar" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
screen | tail -1 | grep -q '^import .*%$' && ok || bad "no progress bar: $(screen | tail -1)"
wait_for "customer: 30000 created"
keys : quit Enter
tm kill-server 2>/dev/null

# The CLI draws its bar on a terminal's stderr, and clears it at the end.
RAPPORT_PROGRESS_AFTER=0 script -q -e -c "'$RAPPORT_BIN' -C co export customer -o '$T/all.csv'" "$T/typescript" >/dev/null 2>&1
grep -a -q 'export \[#*\.*\] *[0-9]*%' "$T/typescript" && ok || bad "no progress bar on a terminal: $(od -c "$T/typescript" | head -5)"
rp -C co export customer -o "$T/all2.csv"
case "$ERR" in *'['*) bad "a progress bar without a terminal: $ERR" ;; *) ok ;; esac

# No terminal, no TUI; and nothing the sanitizers complain about.
rp -C co tui
status_is 2 "tui without a terminal:"
err_has "needs a terminal"
if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/tui.err" 2>/dev/null; then
	bad "sanitizer report from the TUI:"
	head -30 "$T/tui.err"
else
	ok
fi
finish
