# tests/tui_lib.sh — the tmux driver the TUI test scripts share, sourced after tests/lib.sh. It
# makes the demo workspace the scripts drive (WS: its own identity makes the user the demo's
# Ada Lovelace; the global test identity holds elsewhere), sets GOLD (the golden screens'
# directory) and SOCK (tmux's socket), and gives: a session per `start`, keys typed with
# send-keys, the screen read with capture-pane, readiness waits that poll (never a speed check)
# and golden screens (RAPPORT_GOLDEN=update rewrites).
command -v tmux >/dev/null || { bad "tmux is not installed"; finish; }
GOLD=$TOP/tests/tui/golden
rp config --global user.name "Test User"
rp config --global user.email test@example.com
rp demo co
WS=$T/co
SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }

# [ENV='A=1 B=2'] start W H ARGS…: runs rapport in a fresh tmux session of that size.
start() {
	w=$1
	h=$2
	shift 2
	tm kill-server 2>/dev/null
	while tm has-session 2>/dev/null; do sleep 0.1; done
	tm -f /dev/null new-session -d -s t -x "$w" -y "$h" \
		"cd '$WS' && ${ENV:-} exec '$RAPPORT_BIN' $* 2>>'$T/tui.err'"
	tm set-option -t t remain-on-exit on >/dev/null
	wait_for "rapport ›"
	rules_done
}

# rules_done: the rules run in the background as the TUI starts (and on Ctrl-L); screens are
# compared once they have finished and the screen has reloaded.
rules_done() {
	i=0
	while [ $i -lt 300 ]; do
		case "$(screen)" in *"Running the rules"*) ;; *) settle; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	bad "the rules never finished"
}

# Under the pseudo pass (tests/pseudo.sh) each screen read is also looked at for English the
# catalogue never saw, and is compared without the markers.
if [ -n "${RAPPORT_PSEUDO_LOG:-}" ]; then
	screen() {
		tm capture-pane -p -t t >"$T/.screen"
		"$I18N_CHECK" "$I18N_STRINGS" "tui ($NAME)" <"$T/.screen" >>"$RAPPORT_PSEUDO_LOG"
		"$I18N_CHECK" --strip <"$T/.screen" | sed 's/ *$//'
	}
else
	screen() { tm capture-pane -p -t t | sed 's/ *$//'; }
fi

# wait_for TEXT: polls the screen until TEXT shows (a readiness wait, not a speed check).
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		case "$(screen)" in *"$1"*) settle; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	bad "the screen never showed '$1'; it shows:"
	screen | sed 's/^/    | /' | head -30
	return 1
}

# settle: waits until two captures in a row agree, so a golden is not taken mid-draw.
settle() {
	prev=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cur=$(screen)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.05
	done
}

keys() { tm send-keys -t t "$@"; }

# golden NAME: compares the screen with tests/tui/golden/NAME.txt. Snapshot ids (random replica
# ids go into them) are masked.
golden() {
	name=$1
	screen | sed -E 's/^( Snapshot +)[0-9a-f]{8}/\1########/' >"$T/$name.txt"
	if [ "${RAPPORT_GOLDEN:-}" = update ]; then
		cp "$T/$name.txt" "$GOLD/$name.txt"
		ok
	elif [ ! -f "$GOLD/$name.txt" ]; then
		bad "no golden screen $name (run with RAPPORT_GOLDEN=update)"
	elif cmp -s "$T/$name.txt" "$GOLD/$name.txt"; then
		ok
	else
		bad "screen $name differs from its golden:"
		diff "$GOLD/$name.txt" "$T/$name.txt" | head -20 | sed 's/^/    /'
	fi
}

screen_has() { case "$(screen)" in *"$1"*) ok ;; *) bad "screen lacks '$1'" ;; esac; }
screen_lacks() { case "$(screen)" in *"$1"*) bad "screen shows '$1'" ;; *) ok ;; esac; }

# cli_until JQ WANT ARGS…: polls `rapport ARGS --json | jq JQ` until it prints WANT (10 s at most).
cli_until() {
	q=$1
	want=$2
	shift 2
	i=0
	while [ $i -lt 100 ]; do
		got=$(cd "$WS" && "$RAPPORT_BIN" "$@" --json 2>/dev/null | jq -r "$q")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
