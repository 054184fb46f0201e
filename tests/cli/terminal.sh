# terminal.sh — what reaches a terminal: bytes from records never act as control sequences
# (list, show, search, and export in tmux, which keeps the exact bytes for pipes and files),
# wide characters align, colour only on a terminal and never with NO_COLOR or --no-color.
. "$TOP/tests/lib.sh"

rp init ws
WS=$T/ws
cd ws
esc=$(printf '\033')
bel=$(printf '\007')
rp add customer "name=Evil$(printf '\033]0;pwned\007')Corp" "industry=$(printf '\033[2J')Retail" \
	"note=line$(printf '\033[31m')red"
E=$OUT
status_is 0 "control bytes are data:"
for cmd in "list customer" "show $E" "search evil" "list customer --columns name,note"; do
	rp $cmd
	status_is 0 "$cmd:"
	case "$OUT" in *"$esc"* | *"$bel"*) bad "'$cmd' printed a raw control byte" ;; *) ok ;; esac
	out_has "␛" "'$cmd' shows a visible placeholder"
done
# JSON keeps the data, escaped.
rp list customer --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name' | od -An -c | tr -s ' ' | head -1 | cut -c1-12)" " E v i l 033" "JSON round-trips control bytes"

# CJK names take two columns each, so the next column lines up.
rp add customer name=上海明远科技有限公司 region=APAC
rp add customer "name=Northwind Traders" region=EMEA
rp list customer --columns name,region
# Display column where the region starts, counted in terminal cells.
w1=$(printf '%s\n' "$OUT" | grep 明远 | sed 's/APAC.*//' | python3 -c 'import sys,unicodedata; s=sys.stdin.read().rstrip("\n"); print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))' 2>/dev/null)
w2=$(printf '%s\n' "$OUT" | grep Northwind | sed 's/EMEA.*//' | python3 -c 'import sys,unicodedata; s=sys.stdin.read().rstrip("\n"); print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))' 2>/dev/null)
[ -n "$w1" ] && ok || bad "could not measure the CJK row (python3 missing?)"
eq "$w1" "$w2" "CJK columns align"

# No colour when not a terminal, whatever else is set.
rp list customer
case "$OUT" in *"$esc["*) bad "colour codes in piped output" ;; *) ok ;; esac
# On a real terminal: colour by default, none with NO_COLOR or --no-color.
if command -v script >/dev/null 2>&1; then
	script -qec "$RAPPORT_BIN list customer" /dev/null </dev/null >tty.out 2>&1
	grep -q "$esc\[1m" tty.out && ok || bad "no colour on a terminal"
	NO_COLOR=1 RAPPORT_PAGER=cat script -qec "$RAPPORT_BIN list customer" /dev/null </dev/null >tty.out 2>&1
	grep -q "$esc\[1m" tty.out && bad "colour despite NO_COLOR" || ok
	RAPPORT_PAGER=cat script -qec "$RAPPORT_BIN --no-color list customer" /dev/null </dev/null >tty.out 2>&1
	grep -q "$esc\[1m" tty.out && bad "colour despite --no-color" || ok
	grep -q "]0;pwned" tty.out && grep -q "$esc]0;pwned" tty.out && bad "title sequence reached the terminal" || ok
fi

# export to a terminal escapes as list does; to a pipe or a file it writes the exact bytes. Run
# in tmux, which acts on what reaches it: the pane's title must stay what tmux gave it.
# Names: ESC ] 2 ; … BEL (xterm's set-title), the C1 controls OSC and ST as UTF-8 (U+009D,
# U+009C), and RIGHT-TO-LEFT OVERRIDE (U+202E).
rp add customer "name=Title$(printf '\033]2;PWNED\007')Corp"
rp add customer "name=C1$(printf '\302\235')0;PWNED2$(printf '\302\234') RLO$(printf '\342\200\256')txeT"
if command -v tmux >/dev/null 2>&1; then
	SOCK=$T/tmux.sock
	tm() { tmux -S "$SOCK" "$@"; }
	# A first session holds the server and the title an untouched pane has; panes stay after
	# their command exits so a quick export can be read.
	tm -f /dev/null new-session -d -s keep -x 120 -y 30
	tm set-option -g remain-on-exit on >/dev/null
	untouched=$(tm display -p -t keep '#{pane_title}')
	# tty_export ARGS…: runs `rapport export ARGS…` in a fresh 120x30 pane and waits for it to
	# exit (its status is written to a file: tmux does not always keep a dead pane's); sets
	# SCREEN (scrollback included) and TITLE.
	tty_export() {
		tm kill-session -t t 2>/dev/null
		rm -f "$T/tty.rc"
		tm new-session -d -s t -x 120 -y 30 \
			"cd '$WS' && '$RAPPORT_BIN' export $* 2>>'$T/tty.err'; echo \$? >'$T/tty.rc'"
		i=0
		while [ ! -s "$T/tty.rc" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		eq "$(cat "$T/tty.rc" 2>/dev/null)" 0 "export $* in a terminal"
		SCREEN=$(tm capture-pane -p -J -S - -t t)
		TITLE=$(tm display -p -t t '#{pane_title}')
	}
	for fmt in csv json; do
		tty_export customer --format $fmt
		eq "$TITLE" "$untouched" "export --format $fmt: the terminal's title"
		case "$SCREEN" in *"C1�0;PWNED2� RLO�txeT"*) ok ;; *) bad "export --format $fmt: C1 and bidi controls not shown as �: $SCREEN" ;; esac
	done
	tty_export customer
	case "$SCREEN" in *"Title␛]2;PWNED␇Corp"*) ok ;; *) bad "export: ESC and BEL not shown as ␛ ␇: $SCREEN" ;; esac
	case "$SCREEN" in *'"Evil␛]0;pwned␇Corp",␛[2JRetail'*) ok ;; *) bad "export: a CSV row is not shown whole: $SCREEN" ;; esac
	rp add task customer="$E" "name=C1$(printf '\302\235')0;PWNED2$(printf '\302\234') RLO$(printf '\342\200\256')txeT" due=2026-12-01
	tty_export task --format ics
	eq "$TITLE" "$untouched" "export --format ics: the terminal's title"
	case "$SCREEN" in *'SUMMARY:Task due: C1�0\;PWNED2� RLO�txeT'*) ok ;; *) bad "export --format ics: C1 and bidi controls not shown as �: $SCREEN" ;; esac
	tm kill-server 2>/dev/null
	[ -s "$T/tty.err" ] && bad "export on a terminal wrote to stderr: $(cat "$T/tty.err")" || ok
else
	bad "tmux is not installed"
fi
# Not a terminal: the exact bytes, for the program or file that reads them.
rp export customer
case "$OUT" in *"Title$esc]2;PWNED${bel}Corp"*) ok ;; *) bad "export to a pipe did not keep the bytes" ;; esac
rp export customer --format json
case "$OUT" in *"C1$(printf '\302\235')0;PWNED2"*) ok ;; *) bad "export --format json to a pipe did not keep the bytes" ;; esac
rp export customer -o c.csv
grep -q "Title$esc]2;PWNED${bel}Corp" c.csv && ok || bad "export -o did not keep the bytes"
finish
