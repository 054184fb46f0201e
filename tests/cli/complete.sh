# complete.sh — shell completion: `rapport __complete` prints exactly the candidates for the last
# word (commands, options, kinds, fields, choices, record names), read from the command table,
# the synopses and the schema, inside a workspace and outside one, and never an error; the bash
# script, sourced and called as bash calls it, hands them to readline; so does the zsh one, when
# zsh is installed.
. "$TOP/tests/lib.sh"

lines() { printf '%s\n' "$@"; }

# completes 'WANT' WORD...: `rapport __complete WORD...` prints exactly WANT (one candidate a
# line), exits 0 and writes nothing to stderr.
completes() {
	want=$1
	shift
	rp __complete "$@"
	status_is 0 "__complete $*:"
	eq "$ERR" "" "__complete $*: stderr"
	eq "$OUT" "$want" "__complete $*"
}

# ---- outside a workspace: commands, options, kinds, fields and choices; no names ----
mkdir nows
cd nows
completes "$(lines list log)" l
completes "$(lines set show search sync status snooze)" s
rp help
cmds=$(printf '%s\n' "$OUT" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
out_lacks "__complete" "help lists the hidden command"
completes "$cmds" ""
completes "" __
completes "$(lines -C --json --no-color --version --help)" -
completes "--help" --help
completes ":dir" -C ""
# Every command's options are those its synopsis shows.
for c in $cmds; do
	"$RAPPORT_BIN" help "$c" | sed -n 's/^usage: //p' | grep -oE '(^|[[ |(])--?[a-z][a-z-]*' |
		sed 's/^[[ |(]//' | awk '!seen[$0]++' >"$T/opts"
	completes "$(cat "$T/opts")" "$c" -
done
completes "$(lines --sort --limit --offset --columns --deleted)" list task -
completes "$(lines --all --brief)" --json show x --
completes "$(lines --why --json --at)" health --
completes "" list task --json
completes "$(lines customer contact contract comment change)" list c
for c in export fields "field add"; do # ($c unquoted: "field add" is two words)
	completes "$(lines task time ticket template transition)" $c t
done
# add and import do not offer what only the process engine writes.
for c in add import; do
	completes "$(lines task time ticket template)" $c t
done
completes "$(lines status= start=)" list task st
completes "$(lines status=todo status=doing status=blocked status=review status=done)" list task status=
completes "$(lines status=doing status=done)" list task status=do
completes "status!=todo,blocked" list task status!=todo,bl
completes "$(lines key=true key=false)" list task key=
completes "$(lines project.status= project.start=)" list task project.st
completes "project.status=active" export task project.status=a
completes "$(lines stage=lead stage=loyal)" add customer stage=l
completes "" add customer stage~
completes "" add customer created=
completes "$(lines due,-project due,-parent due,-progress due,-phase)" list task --sort due,-p
completes "$(lines id,name,stage,region id,name,stage,renewal_intent)" list customer --columns id,name,stage,re
completes "$(lines name note)" list customer --columns id --columns n
completes "$(lines csv json xlsx ics)" export task --format ""
completes "$(lines small large)" demo --size ""
completes "$(lines month quarter year)" kpi --period ""
completes "$(lines internal customer finance)" field add task x text --audience ""
completes "$(lines text number date choice bool ref)" field add task x ""
completes "$(lines health status portfolio)" report ""
completes "$(lines add remove list)" remote ""
completes "$(lines list export check load test)" rules ""
completes "$(lines health help)" help he
completes ":file" import task ""
completes ":file" rules check ""
completes ":file" report health -o ""
completes ":dir" init ""
completes ":dir" portal x -o ""
completes "" show ""
completes "" show Fab
completes "" set x ""
completes "" report health --customer ""
completes "" show x ""
# Nothing stops completion: not a clock setting, not a broken workspace.
now=$RAPPORT_NOW
RAPPORT_NOW=nonsense
completes "show" sho
RAPPORT_NOW=$now
mkdir -p "$T/broken/.rapport"
echo "not a database" >"$T/broken/.rapport/rapport.db"
completes "" -C "$T/broken" show ""
completes "$(lines list log)" -C "$T/broken" l
cd "$T"

# ---- in a workspace: record names and ids, fields of the named record, custom fields ----
rp demo demo
cd demo
completes "$(cd "$T/demo" && "$RAPPORT_BIN" fields --json | jq -r 'keys_unsorted[]')" list ""
completes "$( (cd "$T/demo" && "$RAPPORT_BIN" fields task --json | jq -r '.[].name'
	lines id created updated author) | sed 's/$/=/')" list task ""
completes "Fabrikam Health" show Fab
completes "$(lines "Contoso Logistics" "Contoso Manufacturing")" show contoso
rp __complete show ""
eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 50 "record names are limited to 50"
id=$("$RAPPORT_BIN" list customer --json | jq -r '.[0].id')
completes "$id" show "$(printf '%s' "$id" | cut -c1-6)"
completes "$(lines stage= stage_since=)" set "Fabrikam Health" sta
completes "$(lines stage= stage_since=)" set fabrikam sta
completes "$(lines stage= stage_since=)" set "$(printf '%s' "$id" | cut -c1-6)" sta
completes "" set nosuchname sta
completes "$(lines stage=lead stage=prospect stage=active stage=loyal stage=at_risk stage=churned)" set fabri stage=
completes "$(lines stage stage_since)" resolve fabri sta
completes "project=WMS implementation" add task project=WMS
completes "" add task parent=
completes "project.customer=Fabrikam Health" list task project.customer=fab
completes "tags=priority" list customer tags=pr
completes "tags-=priority" set fabri tags-=pr
completes "Fabrikam Health" report health --customer Fab
completes "" report health --project Fab
completes "Fabrikam Health" portal Fab
completes "Data warehouse" baseline Dat
completes "WMS implementation" -C "$T/demo" health WMS
ok_run add customer name="Zeta Corp"
ok_run rm "Zeta Corp"
completes "" show Zeta
completes "Zeta Corp" undelete Zet
ok_run field add customer tier choice gold,silver,bronze
completes "tier=" list customer ti
completes "$(lines tier=gold tier=silver tier=bronze)" set fabri tier=
cd "$T/nows"
completes "Fabrikam Health" -C "$T/demo" show Fab
completes "$(lines tier=gold tier=silver tier=bronze)" -C "$T/demo" list customer tier=

# ---- the bash script, called as bash calls it: COMP_WORDS split at '=' as bash splits them,
# the text readline replaces, the word before ----
mkdir -p "$T/bin"
ln -sf "$RAPPORT_BIN" "$T/bin/rapport"
# bash_reply TEXT WORD...: COMPREPLY, one a line, for COMP_WORDS=(WORD...) completing the last.
bash_reply() {
	PATH="$T/bin:$PATH" bash -c '. "$1"; text=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_rapport rapport "$text" "${COMP_WORDS[COMP_CWORD-1]}"; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$TOP/contrib/completion/rapport.bash" "$@" 2>"$T/bash.err"
}
cd "$T/demo"
eq "$(bash_reply li rapport li)" "list" "bash: a command"
eq "$(bash_reply "" rapport list task status =)" "$(lines todo doing blocked review done)" "bash: status="
eq "$(bash_reply do rapport list task status = do)" "$(lines doing done)" "bash: status=do"
eq "$(bash_reply todo,bl rapport list task 'status!' = todo,bl)" "todo,blocked" "bash: status!=todo,bl"
eq "$(bash_reply Fab rapport show Fab)" "Fabrikam Health" "bash: a name"
eq "$(bash_reply Fab rapport show '"Fab')" "Fabrikam Health" "bash: a name in open quotes"
eq "$(bash_reply 'Fabrikam\ He' rapport show 'Fabrikam\ He')" "Fabrikam Health" "bash: an escaped space"
eq "$(bash_reply WMS rapport add task project = WMS)" "WMS implementation" "bash: a reference after ="
eq "$(bash_reply sta rapport set '"Fabrikam Health"' sta)" "$(lines stage= stage_since=)" "bash: fields of a quoted name"
eq "$(bash_reply "" rapport -C "$T/demo" list task --sort "")" \
	"$("$RAPPORT_BIN" __complete list task --sort "")" "bash: -C and an option's value"
mkdir "$T/files" && touch "$T/files/x.csv" && mkdir "$T/files/sub"
cd "$T/files"
eq "$(bash_reply "" rapport -C "$T/demo" import task "")" "$(lines sub x.csv)" "bash: a file"
eq "$(bash_reply "" rapport -C "")" "sub" "bash: a directory"
eq "$(cat "$T/bash.err")" "" "bash: stderr"

# ---- the zsh script, with compadd and _files standing in for zsh's completion system ----
if command -v zsh >/dev/null 2>&1; then
	# zsh_reply WORD...: what _rapport hands compadd (or _files) for words=(WORD...).
	zsh_reply() {
		PATH="$T/bin:$PATH" zsh -f -c '
			compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done
				shift; print -rl -- "$@"; }
			_files() { print -r -- "_files $*"; }
			words=("${argv[2,-1]}"); CURRENT=$#words; PREFIX=$words[CURRENT]
			source "$1"' zsh "$TOP/contrib/completion/_rapport" "$@" 2>"$T/zsh.err"
	}
	cd "$T/demo"
	eq "$(zsh_reply rapport li)" "list" "zsh: a command"
	eq "$(zsh_reply rapport list task status=do)" "$(lines status=doing status=done)" "zsh: status=do"
	eq "$(zsh_reply rapport show Fab)" "Fabrikam Health" "zsh: a name"
	eq "$(zsh_reply rapport set '"Fabrikam Health"' sta)" "stage=" "zsh: fields of a quoted name"
	eq "$(zsh_reply rapport import task "")" "_files " "zsh: a file"
	eq "$(cat "$T/zsh.err")" "" "zsh: stderr"
else
	echo "note: zsh is not installed: contrib/completion/_rapport was not run"
fi
finish
