# terminal.sh — what reaches a terminal: bytes from records never act as control sequences,
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
finish
