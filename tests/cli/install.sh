# install.sh — `make install` and `make uninstall` honour PREFIX and DESTDIR, and the installed
# binary, man pages and shell completions work from there.
. "$TOP/tests/lib.sh"

dest=$T/pkg
make -s -C "$TOP" install DESTDIR="$dest" PREFIX=/opt/rapport >"$T/make.log" 2>&1
STATUS=$?
status_is 0 "make install: $(tail -5 "$T/make.log")"
for f in bin/rapport share/man/man1/rapport.1 share/man/man5/rapport.5 share/man/man5/rapport-rules.5 \
	share/man/man5/rapport-process.5 share/rapport/README \
	share/bash-completion/completions/rapport share/zsh/site-functions/_rapport; do
	[ -f "$dest/opt/rapport/$f" ] && ok || bad "not installed: $f"
done
[ -x "$dest/opt/rapport/bin/rapport" ] && ok || bad "binary not executable"
v=$("$dest/opt/rapport/bin/rapport" --version)
case "$v" in "rapport "*) ok ;; *) bad "installed binary: $v" ;; esac
if command -v man >/dev/null 2>&1; then
	MANPATH="$dest/opt/rapport/share/man" MANPAGER=cat MANWIDTH=80 man 5 rapport 2>/dev/null | grep -q "RECORD KINDS" && ok || bad "man 5 rapport"
fi
# The installed bash completion asks the installed binary.
got=$(PATH="$dest/opt/rapport/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(rapport l); COMP_CWORD=1
	_rapport rapport l rapport; echo "${COMPREPLY[*]}"' sh "$dest/opt/rapport/share/bash-completion/completions/rapport")
eq "$got" "list log" "installed bash completion"
make -s -C "$TOP" uninstall DESTDIR="$dest" PREFIX=/opt/rapport >"$T/make.log" 2>&1
STATUS=$?
status_is 0 "make uninstall:"
left=$(find "$dest" -type f | wc -l)
eq "$left" 0 "files left after uninstall"
finish
