#!/bin/sh
# tools/po_assemble.sh LANG PART.po...: folds translated parts into po/LANG.po against the
# current template (build/gen/rapport.pot): the parts' translations first, then what
# po/LANG.po already had. Prints msgfmt's statistics.
set -e
lang=$1
shift
tmp=$(mktemp -d)
msgcat --no-wrap --use-first -o "$tmp/all.po" "$@" po/$lang.po
msgmerge -q --no-wrap --no-fuzzy-matching "$tmp/all.po" build/gen/rapport.pot -o "$tmp/merged.po"
sed -i 's/^"Plural-Forms: .*\\n"$//' "$tmp/merged.po"
sed -i '0,/^"Content-Transfer-Encoding: 8bit\\n"$/s//"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"/' "$tmp/merged.po"
msgattrib --no-wrap --no-obsolete -o po/$lang.po "$tmp/merged.po"
rm -rf "$tmp"
LC_ALL=C msgfmt -c --statistics -o /dev/null po/$lang.po
