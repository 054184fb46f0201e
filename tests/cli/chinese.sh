# chinese.sh — Chinese data: names sort by pinyin (ICU's zh collation) when the language is
# Chinese (ui.lang or the locale), by ICU's own order; Chinese names are found by pinyin, by
# initials and by any part; labels of custom fields align by display width; a search index
# built by an older rapport is rebuilt with pinyin on open.
. "$TOP/tests/lib.sh"

as_test_user
ok_run init co
WS=$T/co
cd co || exit 1

# Real company names, Chinese and Latin mixed.
cat >"$T/names" <<'NAMES'
上海明远科技有限公司
杭州青禾物流
深圳星辰电子
北京京东世纪贸易有限公司
阿里巴巴（中国）有限公司
重庆长安汽车股份有限公司
广州白云山医药集团
武汉钢铁有限公司
中国银行股份有限公司
招商银行
南京熊猫电子
Contoso Logistics
Adventure Works
西安飞机工业
长沙远大住宅工业
NAMES
while IFS= read -r n; do rp add customer name="$n" stage=active; done <"$T/names"

cc -o "$T/icu_sort" "$TOP/tests/tools/icu_sort.c" $(pkg-config --cflags --libs icu-i18n icu-uc) ||
	bad "could not build the ICU reference sorter"
listed() { rp "$@" list customer --sort name --json; printf '%s' "$OUT" | jq -r '.[].name'; }

# The language from ui.lang: pinyin order, exactly ICU's.
rp config ui.lang zh_CN
eq "$(listed)" "$("$T/icu_sort" <"$T/names")" "ui.lang zh_CN sorts names by ICU's zh collation"
first=$(listed | head -1)
eq "$first" "阿里巴巴（中国）有限公司" "阿 (a) comes first in pinyin order"
rp list customer --sort -name --json
eq "$(printf '%s' "$OUT" | jq -r '.[].name')" "$("$T/icu_sort" <"$T/names" | tac)" "descending is the reverse"
# The table output sorts the same way.
rp list customer --sort name
eq "$(printf '%s\n' "$OUT" | sed -n 2p | awk '{print $2}')" "阿里巴巴（中国）有限公司" "the table sorts as --json does"

# A language rapport does not speak is refused and the setting kept.
rp config ui.lang fr
status_is 2 "config ui.lang fr:"
err_has "ui.lang: 'fr'"
rp config ui.lang
eq "$OUT" "zh_CN" "a refused ui.lang keeps the one before"

# Without it, in a C locale: the old order (bytes, ignoring case), Latin first.
rp config ui.lang ""
eq "$(listed | head -1)" "Adventure Works" "a C locale keeps the byte order"
# The locale decides when ui.lang is not set; a machine needs no zh_CN locale for it.
eq "$(env LC_ALL= LANG=zh_CN.UTF-8 "$RAPPORT_BIN" list customer --sort name --json | jq -r '.[0].name')" \
	"阿里巴巴（中国）有限公司" "LANG=zh_CN.UTF-8 sorts by pinyin"
eq "$(env LC_ALL= LANGUAGE=zh_CN:en LANG=C.UTF-8 "$RAPPORT_BIN" list customer --sort name --json | jq -r '.[0].name')" \
	"阿里巴巴（中国）有限公司" "LANGUAGE=zh_CN sorts by pinyin"

# Found by pinyin, by initials, by a part of the name.
for q in mingyuan shanghaimingyuan mykj shmykj 明远 科技; do
	rp show "$q"
	status_is 0 "show $q:"
	out_has "上海明远科技有限公司" "show $q"
done
rp show qinghe
out_has "杭州青禾物流" "show qinghe"
rp show 青禾
out_has "杭州青禾物流" "show 青禾"
rp search xingchen
out_has "深圳星辰电子" "search xingchen"
rp search szxc
out_has "深圳星辰电子" "search szxc (initials)"
# A pinyin that is in no name finds nothing; letters that are a Latin name still find it.
rp show zzzq
status_is 2 "show zzzq:"
err_has "no record with id or name 'zzzq'"
rp show adventure
out_has "Adventure Works"
# Ambiguous pinyin lists the candidates instead of picking one; 银行 reads yinhang (a word
# whose 行 alone would read xing).
rp show yinhang
status_is 2 "show yinhang (two banks):"
err_has "中国银行股份有限公司"
err_has "招商银行"
rp show dianzi
err_has "南京熊猫电子"
err_has "深圳星辰电子"
rp show changsha
out_has "长沙远大住宅工业" "show changsha (长 read chang in a word)"
rp show chongqing
out_has "重庆长安汽车股份有限公司" "show chongqing"
# References take pinyin too.
ok_run add contact customer=qinghe name=周杰 title=CIO
rp list contact customer=杭州青禾物流 --json
eq "$(printf '%s' "$OUT" | jq -r '.[0].name')" 周杰 "a reference by pinyin"

# A custom field's Chinese label: show aligns its value with the others.
ok_run field add customer tier text --label 客户等级
ok_run set qinghe tier=gold
rp show qinghe
col_of() { printf '%s\n' "$OUT" | grep "$1" | python3 -c '
import sys, unicodedata
line = sys.stdin.readline().rstrip("\n")
pos = line.find(sys.argv[1])
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:pos]))' "$2"; }
eq "$(col_of 客户等级 gold)" "$(col_of Stage active)" "a Chinese label's value lines up with the others"

# A search index from before pinyin (format 1) is rebuilt on open.
sqlite3 .rapport/rapport.db "DELETE FROM fts; DELETE FROM meta WHERE key = 'fts'"
rp search xingchen
out_has "深圳星辰电子" "the search index was rebuilt with pinyin"
eq "$(sqlite3 .rapport/rapport.db "SELECT value FROM meta WHERE key = 'fts'")" 2 "the index's format is recorded"

finish
