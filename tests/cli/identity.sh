# tests/cli/identity.sh — who writes, as git's configuration says, and the cache that spares a
# command starting libgit2 (.rapport/git-identity): it is reused while git's config files are
# unchanged, read again the moment one changes, and never used for a config that includes
# other files. Also: the workspace opens without planning its schema again (unit-tested) and
# a fresh workspace or one whose plan keys were removed still gets every index.
. "$TOP/tests/lib.sh"
author_of() { # ID: the author line of the record's snapshot text
	"$RAPPORT_BIN" -C w --json show "$1" | jq -r '.record.author // empty'
}
git config --global user.name "Ada One" && git config --global user.email ada@example.com
ok_run init w
rp -C w add customer name=First
c1=$OUT
eq "$(author_of "$c1")" "Ada One <ada@example.com>" "the author comes from git's config"
[ -s w/.rapport/git-identity ] && ok || bad "no identity cache was written"
grep -q '^Ada One$' w/.rapport/git-identity && ok || bad "the cache lacks the name: $(cat w/.rapport/git-identity)"
# The cache is used: a forged name in it is what the next write reports (proves it is read).
sed -i 's/^Ada One$/Cached Ada/' w/.rapport/git-identity
rp -C w add customer name=Second
eq "$(author_of "$OUT")" "Cached Ada <ada@example.com>" "the cache is read while git's config is unchanged"
# Any change to git's config is seen at once, even one within the same second and size.
git config --global user.name "Bob Two" && git config --global user.email bob@example.com
rp -C w add customer name=Third
eq "$(author_of "$OUT")" "Bob Two <bob@example.com>" "a changed ~/.gitconfig is read again"
mkdir -p "$HOME/.config/git" && printf '[user]\n\tname = Xdg Three\n' >"$HOME/.config/git/config"
git config --global --unset user.name
rp -C w add customer name=Fourth
eq "$(author_of "$OUT")" "Xdg Three <bob@example.com>" "a new XDG config file is read"
# A config that includes another file is never cached: the included file may change unseen.
rm -f "$HOME/.config/git/config"
printf '[user]\n\tname = Inc Four\n\temail = inc@example.com\n' >"$HOME/other.gitconfig"
git config --global include.path "$HOME/other.gitconfig"
git config --global --unset user.email
rp -C w add customer name=Fifth
eq "$(author_of "$OUT")" "Inc Four <inc@example.com>" "an included file is read"
printf '[user]\n\tname = Inc Five\n\temail = inc@example.com\n' >"$HOME/other.gitconfig"
rp -C w add customer name=Sixth
eq "$(author_of "$OUT")" "Inc Five <inc@example.com>" "a change in an included file is seen"
# rapport's own setting still wins over git's, and a broken cache is harmless.
git config --global --unset include.path
git config --global user.name "Git Name" && git config --global user.email git@example.com
printf 'garbage' >w/.rapport/git-identity
rp -C w add customer name=Seventh
eq "$(author_of "$OUT")" "Git Name <git@example.com>" "a broken cache is rebuilt"
ok_run -C w config user.name "Own Name"
rp -C w add customer name=Eighth
eq "$(author_of "$OUT")" "Own Name <git@example.com>" "the workspace setting wins over git"
# A workspace whose plan keys were deleted plans again and loses no index.
before=$(sqlite3 w/.rapport/rapport.db "select count(*) from sqlite_master where type in ('index','trigger')")
sqlite3 w/.rapport/rapport.db "delete from meta where key like 'plan:%'; drop index customer_name"
ok_run -C w list customer
after=$(sqlite3 w/.rapport/rapport.db "select count(*) from sqlite_master where type in ('index','trigger')")
eq "$after" "$before" "a database whose plan keys are gone is planned again, indexes restored"
keys=$(sqlite3 w/.rapport/rapport.db "select count(*) from meta where key like 'plan:%'")
[ "$keys" -ge 20 ] && ok || bad "plan keys were not recorded again: $keys"
finish
