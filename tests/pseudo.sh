#!/bin/sh
# tests/pseudo.sh — RAPPORT_BIN for tests/run.sh's pseudo pass: runs rapport ($RAPPORT_REAL_BIN)
# under the en@pseudo catalogue, where every translated message arrives between invisible
# markers; looks at what it printed for English outside them (tests/tools/i18n_check.c, into
# $RAPPORT_PSEUDO_LOG), and hands the test the output without the markers, which is the English
# output byte for byte — so every test asserts what it always does. On a terminal (the TUI
# under tmux) it only sets the catalogue: tests/tui_lib.sh looks at the screens.
# A test that asks for Chinese by the locale keeps it (ui.lang wins over both anyway).
case "${LANGUAGE:-}${LC_ALL:-}${LC_MESSAGES:-}${LANG:-}" in
*zh*) ;;
*) export LANGUAGE=en@pseudo ;;
esac
if [ -t 1 ]; then
	exec "$RAPPORT_REAL_BIN" "$@"
fi
check=1
for a in "$@"; do
	# What machines read is not translated: JSON, exports, completion, snapshot text.
	case $a in --json | export | complete | log | diff) check= ;; esac
done
d=$(mktemp -d)
"$RAPPORT_REAL_BIN" "$@" >"$d/out" 2>"$d/err"
st=$?
if [ -n "$check" ]; then
	"$I18N_CHECK" "$I18N_STRINGS" "rapport $*" <"$d/out" >>"$RAPPORT_PSEUDO_LOG"
	"$I18N_CHECK" "$I18N_STRINGS" "rapport $* (stderr)" <"$d/err" >>"$RAPPORT_PSEUDO_LOG"
fi
"$I18N_CHECK" --strip <"$d/out"
"$I18N_CHECK" --strip <"$d/err" >&2
rm -rf "$d"
exit $st
