# rapport.bash — bash completion for rapport(1). The candidates come from the program itself:
# `rapport __complete WORD...` prints those for the last word given the ones before it (commands,
# options, kinds, fields, choices, record names), so this file knows nothing about rapport's
# commands and never goes stale. What it owns is the shell's side: joining the words bash splits
# at '=' and ':' (status=todo, project.status=), taking the quoting off what was typed, letting
# readline quote the names it gets back, and completing paths where a file or directory goes.
#
# Installed as $(PREFIX)/share/bash-completion/completions/rapport; or source it from ~/.bashrc.

# Sets REPLY to $1 without its shell quoting ("Fabrikam He, Fabrikam\ He -> Fabrikam He).
_rapport_dequote() {
	local s=$1 out= q= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [[ $q == "'" ]]; then
			if [[ $c == "'" ]]; then q=; else out+=$c; fi
		elif [[ $c == '\' ]]; then
			((i++))
			out+=${s:i:1}
		elif [[ -z $q && ($c == "'" || $c == '"') ]]; then
			q=$c
		elif [[ $q == '"' && $c == '"' ]]; then
			q=
		else
			out+=$c
		fi
	done
	REPLY=$out
}

# Sets _rapport_w to COMP_WORDS with the words bash broke at '=' or ':' (they are in
# COMP_WORDBREAKS) joined again, and _rapport_cw to the index of the word being completed.
_rapport_words() {
	local i j=0 w glue=
	_rapport_w=("${COMP_WORDS[0]}")
	_rapport_cw=0
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((j >= 1)) && [[ -n $w && -z ${w//[=:]/} ]]; then
			_rapport_w[j]+=$w # status + = (+ todo, next)
			glue=1
		elif [[ -n $glue ]]; then
			_rapport_w[j]+=$w
			glue=
		else
			_rapport_w[++j]=$w
		fi
		((i == COMP_CWORD)) && _rapport_cw=$j
	done
}

# The completion function: bash passes the command, the text readline replaces (the end of the
# word after its last break character, without an opening quote) and the word before.
_rapport() {
	local prog=${COMP_WORDS[0]} cur text strip i c quote= w
	local -a args cands
	local REPLY _rapport_w _rapport_cw
	[[ $prog == '~/'* ]] && prog=$HOME/${prog#'~/'}
	command -v -- "$prog" >/dev/null 2>&1 || prog=rapport
	_rapport_words
	for ((i = 1; i < _rapport_cw; i++)); do
		_rapport_dequote "${_rapport_w[i]}"
		args+=("$REPLY")
	done
	_rapport_dequote "${_rapport_w[_rapport_cw]}"
	cur=$REPLY
	_rapport_dequote "${2-$cur}"
	text=$REPLY
	mapfile -t cands < <("$prog" __complete "${args[@]}" "$cur" 2>/dev/null)
	COMPREPLY=()
	if [[ ${#cands[@]} -eq 1 && (${cands[0]} == :file || ${cands[0]} == :dir) ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen "$([[ ${cands[0]} == :dir ]] && echo -d || echo -f)" -- "$text")
		return 0
	fi
	# Candidates are whole words (status=todo); readline replaces only the text after the break.
	strip=$((${#cur} - ${#text}))
	((strip < 0)) && strip=0
	for c in "${cands[@]}"; do
		w=${c:strip}
		COMPREPLY+=("$w")
		[[ $w == *[!A-Za-z0-9._,+@%/=:-]* ]] && quote=1
	done
	# Names with spaces or quotes: readline quotes them as it quotes file names.
	[[ -n $quote ]] && compopt -o filenames 2>/dev/null
	# FIELD= and REF. are not finished words: no space after them.
	[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=.] ]] && compopt -o nospace 2>/dev/null
	return 0
}

complete -F _rapport rapport
