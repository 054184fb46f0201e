# tui_daily.sh — the TUI as a project manager's all-day instrument (issue 18): a clock that moves
# while the TUI stays open (RAPPORT_NOW=@FILE, read at each use), the dashboard's health list
# equal to `rapport health`, pickers, a task's tabs, help aligned by display width, list columns
# stable across pages, the timeline's panning and labels, and the small-terminal message.
. "$TOP/tests/lib.sh"

command -v tmux >/dev/null || { bad "tmux is not installed"; finish; }
GOLD=$TOP/tests/tui/golden
rp config --global user.name "Test User"
rp config --global user.email test@example.com
rp demo co
WS=$T/co
SOCK=$T/tmux.sock
. "$TOP/tests/tui_lib.sh"

# ---- 1. The clock moves while the TUI is open ----
printf '2026-11-22T09:00:00Z\n' >"$T/now"
ENV="RAPPORT_NOW=@$T/now" start 80 24 tui
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

if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/tui.err" 2>/dev/null; then
	bad "sanitizer report from the TUI:"
	head -30 "$T/tui.err"
else
	ok
fi
finish
