# i18n.sh — the interface in Chinese: a complete zh_CN catalogue (every marked string
# translated, none fuzzy); ui.lang zh_CN on a machine whose only locale is C.UTF-8, LANG and
# LANGUAGE; errors that keep their record, field and value and their exit status; --json that
# does not change by a byte with the language; choice labels shown in lists and accepted as
# input, codes stored; the pseudo pass's eye, which must see English it was not told about;
# and the Chinese demo.
. "$TOP/tests/lib.sh"

cjk() { printf '%s' "$1" | grep -q -P '[\x{4e00}-\x{9fff}]'; }
has_cjk() { if cjk "$1"; then ok; else bad "$2: no Chinese in: $(printf '%s' "$1" | head -c 300)"; fi; }
no_cjk() { if cjk "$1"; then bad "$2: Chinese in: $(printf '%s' "$1" | head -c 300)"; else ok; fi; }

# The catalogue is complete: what the sources mark now, merged into po/zh_CN.po, is all
# translated and nothing is fuzzy (a changed English string turns fuzzy on merge).
if [ -f "$TOP/build/gen/rapport.pot" ]; then
	msgmerge -q --no-wrap "$TOP/po/zh_CN.po" "$TOP/build/gen/rapport.pot" -o "$T/merged.po" 2>"$T/merge.err"
	stats=$(LC_ALL=C msgfmt -c --statistics -o /dev/null "$T/merged.po" 2>&1)
	case $stats in
	*fuzzy* | *untranslated*) bad "po/zh_CN.po is not complete ('make po', then translate): $stats" ;;
	*" translated messages."*) ok ;;
	*) bad "msgfmt says: $stats" ;;
	esac
	n=$(printf '%s' "$stats" | grep -oE '^[0-9]+')
	if [ "${n:-0}" -gt 1200 ]; then ok; else bad "only ${n:-0} messages in the catalogue"; fi
else
	bad "no build/gen/rapport.pot (make check builds it)"
fi

# The eye of the pseudo pass sees an untranslated message and passes a marked one: a check
# that cannot fail would prove nothing.
chk="$TOP/build/gen/i18n_check"
strs="$TOP/build/gen/i18n_strings.pot"
if [ -x "$chk" ] && [ -f "$strs" ]; then
	printf 'rapport: no record with id or name %s\n' "'x'" | "$chk" "$strs" t >"$T/found"
	eq "$?" 1 "an unmarked message is found"
	case $(cat "$T/found") in *"no record with id or name"*) ok ;; *) bad "the finding names the message: $(cat "$T/found")" ;; esac
	printf 'rapport: \342\201\242no record with id or name %s\342\201\243\n' "'x'" | "$chk" "$strs" t >/dev/null
	eq "$?" 0 "a marked message passes"
	printf 'Acme Website redesign 2026-11-22 active\n' | "$chk" "$strs" t >/dev/null
	eq "$?" 0 "data passes"
	eq "$(printf 'a\342\201\242b\342\201\243c\n' | "$chk" --strip)" "abc" "the markers strip to the English bytes"
else
	bad "no build/gen/i18n_check (make check builds it)"
fi

as_test_user
ok_run init co
cd co || exit 1
ok_run add customer name="Acme Corp" stage=active industry=Retail
acme=$(printf '%s' "$OUT" | tr -d '\n')

# English by default; the same error in Chinese once ui.lang says so, on a machine with only
# C.UTF-8 (the sealed environment's locale), with the same exit status and the value in it.
rp show nothing
status_is 2 "show nothing (en):"
no_cjk "$ERR" "English by default"
en_err=$ERR
rp config ui.lang zh_CN
rp show nothing
status_is 2 "show nothing (zh):"
has_cjk "$ERR" "ui.lang zh_CN on a C.UTF-8 machine"
err_has "'nothing'"
[ "$ERR" != "$en_err" ] && ok || bad "the zh error is the English one"
rp set "$acme" due=tomorrow
status_is 2 "a bad field in zh:"
err_has "due"
has_cjk "$ERR" "a field error in zh"
rp --help
has_cjk "$OUT" "help in zh"
rp add --help
has_cjk "$OUT" "a command's --help in zh"
out_has "add KIND" "the synopsis stays a grammar"

# --json is data: not a byte changes with the language.
rp list customer --json
zh_json=$OUT
rp show "$acme" --json
zh_show=$(printf '%s' "$OUT" | grep -v '"age"')
rp config ui.lang en
rp list customer --json
eq "$OUT" "$zh_json" "list --json is the same in zh and en"
rp show "$acme" --json
eq "$(printf '%s' "$OUT" | grep -v '"age"')" "$zh_show" "show --json is the same in zh and en"
rp show nothing
no_cjk "$ERR" "ui.lang en is English again"

# The locale decides when ui.lang is not set, with or without a zh_CN locale on the machine;
# ui.lang en wins over a Chinese locale.
rp config ui.lang ""
out=$(env LC_ALL= LANG=zh_CN.UTF-8 "$RAPPORT_BIN" show nothing 2>&1)
has_cjk "$out" "LANG=zh_CN.UTF-8"
out=$(env LANGUAGE=zh_CN "$RAPPORT_BIN" show nothing 2>&1)
has_cjk "$out" "LANGUAGE=zh_CN"
rp config ui.lang en
out=$(env LC_ALL= LANG=zh_CN.UTF-8 "$RAPPORT_BIN" show nothing 2>&1)
no_cjk "$out" "ui.lang en over LANG=zh_CN.UTF-8"
rp config ui.lang zh_CN

# Choices: the label on screen, the code stored; the label is accepted as input.
rp list customer
has_cjk "$OUT" "list in zh"
lbl=$(env LANGUAGE=zh_CN "$RAPPORT_BIN" list customer | awk 'NR==2 {print $0}')
case $lbl in *active*) bad "list shows the code 'active' in zh: $lbl" ;; *) ok ;; esac
label=$(sed -n '/^msgctxt "choice"$/{n;/^msgid "at_risk"$/{n;p}}' "$TOP/po/zh_CN.po" | sed 's/^msgstr "\(.*\)"$/\1/')
[ -n "$label" ] && ok || bad "no zh label for at_risk"
ok_run set "$acme" stage="$label"
rp show "$acme" --json
eq "$(printf '%s' "$OUT" | jq -r .record.stage)" at_risk "stage=$label stores at_risk"
ok_run set "$acme" stage=active
rp show "$acme" --json
eq "$(printf '%s' "$OUT" | jq -r .record.stage)" active "codes stay accepted"
rejects "stage" set "$acme" stage=不存在的阶段
ok_run list customer "stage=$label"
ok_run add customer name="乙方" stage="$label"
rp list customer stage=at_risk --json
eq "$(printf '%s' "$OUT" | jq -r '.[].name')" "乙方" "a label in add stores the code"
# English users keep typing codes; a zh label is not English input.
rp config ui.lang en
rejects "stage" set "$acme" stage="$label"
rp config ui.lang zh_CN

# The Chinese demo: a Chinese firm, data in Chinese, in yuan, with +86 mobiles.
cd "$T" || exit 1
ok_run demo dz --lang zh
has_cjk "$OUT" "the demo's summary in zh"
rp -C dz list customer --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.address | test("省|市|香港"))] | length')" 12 "every customer has a province or city"
rp -C dz list contact --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.phone | startswith("+86 1"))] | length')" \
	"$(printf '%s' "$OUT" | jq length)" "every contact has a +86 mobile"
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.title | test("总经理|CIO|财务总监"))] | length > 0')" true "Chinese titles"
rp -C dz list ticket --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.title | test("[一-龥]"))] | length')" "$(printf '%s' "$OUT" | jq length)" "tickets in Chinese"
eq "$(printf '%s' "$OUT" | jq '[.[] | select((.title | test("^投诉")) and .kind != "complaint")] | length')" 0 "a complaint's kind is complaint"
rp -C dz list invoice --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.currency == "EUR")] | length')" 0 "no euros in the Chinese firm"
rp -C dz list milestone --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.name == "初验" or .name == "终验")] | length > 0')" true "初验/终验 milestones"
rp -C dz list billing --json
eq "$(printf "%s" "$OUT" | jq "[.[] | .percent] | map(tonumber) | add")" 300 "three 3-3-3-1 plans of 100% each"
rp demo de --lang en
rp -C de list customer --json
eq "$(printf '%s' "$OUT" | jq '[.[] | select(.address == "中国")] | length')" 0 "no customer's address is just 中国"
rejects "--lang" demo dx --lang fr
[ ! -e dx ] && ok || bad "a refused demo made its directory"

finish
