# docs.sh — the documentation agrees with the program: every command has --help equal to
# `rapport help COMMAND`, whose synopsis and summary appear in rapport(1); every field of every
# kind appears in rapport(5); the man pages render without warnings; README starts with the two
# commands.
. "$TOP/tests/lib.sh"

# Rendered wide and without hyphenation, so sentences come out whole.
render() { groff -man -Tascii -rHY=0 -rLL=300n -P-cbou "$1" 2>/dev/null | tr -s ' \n' '  '; }
man1=$(render "$TOP/man/rapport.1")
man5=$(render "$TOP/man/rapport.5")
[ -n "$man1" ] && ok || bad "rapport.1 does not render"
# UTF-8 as man(1) renders it on a UTF-8 terminal: the pages speak Chinese where users do.
w=$(groff -k -man -Tutf8 -ww -z "$TOP/man/rapport.1" "$TOP/man/rapport.5" "$TOP/man/rapport-rules.5" "$TOP/man/rapport-process.5" 2>&1)
eq "$w" "" "man pages render without warnings"

rp help
cmds=$(printf '%s\n' "$OUT" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ "$(echo "$cmds" | wc -l)" -ge 10 ] && ok || bad "help lists the commands"
for c in $cmds; do
	rp help "$c"
	status_is 0 "help $c:"
	h=$OUT
	rp "$c" --help
	eq "$OUT" "$h" "'$c --help' differs from 'help $c'"
	syn=$(printf '%s\n' "$h" | sed -n 's/^usage: //p' | tr -s ' ')
	sum=$(printf '%s\n' "$h" | sed -n '3p')
	case "$man1" in *"$syn"*) ok ;; *) bad "rapport(1) lacks the synopsis '$syn'" ;; esac
	case "$man1" in *"$sum"*) ok ;; *) bad "rapport(1) lacks '$c': '$sum'" ;; esac
done

rp init ws
for k in $(cd ws && "$RAPPORT_BIN" fields --json | jq -r 'keys[]'); do
	sec=$(awk -v k="$k" '$0 == ".SS " k { on = 1; next } /^\.S[SH] / { on = 0 } on' "$TOP/man/rapport.5")
	[ -n "$sec" ] && ok || bad "rapport(5) has no section for kind $k"
	for f in $(cd ws && "$RAPPORT_BIN" fields "$k" --json | jq -r '.[].name'); do
		printf '%s\n' "$sec" | grep -qx ".B $f" && ok || bad "rapport(5) lacks $k.$f"
	done
done

# The README's CLI tour and rapport(1)'s examples run as written, each against a fresh demo.
mkdir -p "$T/bin"
ln -sf "$RAPPORT_BIN" "$T/bin/rapport"
run_examples() { # DIR: runs the command lines on stdin inside a new demo workspace DIR
	rp demo "$T/$1"
	while IFS= read -r cmd; do
		# Drop the explaining comment at the end of a tour line (spaces, #, text).
		cmd=$(printf '%s' "$cmd" | sed 's/  *#  *[^"]*$//; s|^\.\./rapport|rapport|')
		if (cd "$T/$1" && PATH="$T/bin:$PATH" sh -c "$cmd" >"$T/ex.out" 2>"$T/ex.err" </dev/null); then
			echo ok
		else
			echo "FAIL [docs] documented example fails: $cmd"
			sed 's/^/    /' "$T/ex.err" | head -5
		fi
	done >"$T/ex.log"
	PASS=$((PASS + $(grep -c '^ok$' "$T/ex.log")))
	FAIL=$((FAIL + $(grep -c '^FAIL' "$T/ex.log")))
	grep -v '^ok$' "$T/ex.log"
}
tour=$(sed -n '/^## A short tour of the CLI/,/^```$/p' "$TOP/README.md" | grep '^\.\./rapport ')
examples=$(sed -n '/^\.SH EXAMPLES/,/^\.SH SEE/p' "$TOP/man/rapport.1" | grep '^rapport ' |
	grep -v '^rapport demo' | sed 's/\\-/-/g; s/\\e/\\/g')
# Also: every "Example:" of the commands' help, the README's report lines (but --at, which needs
# snapshots the demo does not make), the lines the demo itself suggests ("Try: …"), and each
# reference a page or a help text shows by name (customer=Fabrikam) as a filter on tasks.
for c in $cmds; do
	"$RAPPORT_BIN" help "$c" | sed -n 's/^Example: //p'
done >"$T/help-examples.txt"
[ -s "$T/help-examples.txt" ] && ok || bad "no Example: lines in the commands' help"
sed -n '/^## Reports and the customer portal/,/^## /p' "$TOP/README.md" | grep '^rapport ' |
	grep -v -- '--at ' >>"$T/help-examples.txt"
"$RAPPORT_BIN" demo "$T/try" | sed -n 's/^Try: *//p; s/^     *\(rapport \)/\1/p' |
	sed 's/ -C [^ ]*//' >>"$T/help-examples.txt"
grep -q '^rapport report portfolio' "$T/help-examples.txt" && ok || bad "the README's report lines were not found"
grep -q '^rapport show' "$T/help-examples.txt" && ok || bad "the demo's suggestions were not found"
for c in $cmds; do "$RAPPORT_BIN" help "$c"; done | cat - "$TOP/man/rapport.1" "$TOP/README.md" |
	grep -o -E '(project\.)?customer=[A-Z][A-Za-z]*([^A-Za-z\\]|$)' | sed 's/[^A-Za-z]$//' | sort -u |
	sed 's/^/rapport list task /' >>"$T/help-examples.txt"
grep -q '^rapport list task customer=' "$T/help-examples.txt" && ok || bad "no customer=NAME references found in the docs"
[ "$(printf '%s\n' "$tour" | wc -l)" -ge 10 ] && ok || bad "the README tour was not found"
[ "$(printf '%s\n' "$examples" | wc -l)" -ge 6 ] && ok || bad "rapport(1) examples were not found"
# (Not a pipe: a pipe would run run_examples in a subshell and lose its counts.)
printf '%s\n' "$tour" >"$T/tour.txt"
printf '%s\n' "$examples" >"$T/examples.txt"
run_examples tour <"$T/tour.txt"
run_examples examples <"$T/examples.txt"
run_examples help <"$T/help-examples.txt"

head -n 20 "$TOP/README.md" | grep -q 'make demo' && ok || bad "README does not start with make demo"
head -n 20 "$TOP/README.md" | grep -q 'make check' && ok || bad "README does not start with make check"
finish
