/* test_util.c — dates, UTF-8 width, terminal safety, JSON escaping, buffers and sets. */
#include "t.h"
#include "core.h"

#include <stdlib.h>

static void dates(void)
{
	long d;
	time_t t;
	char out[21];
	CHECK(date_parse("2024-02-29", &d));
	CHECK(!date_parse("2023-02-29", NULL));
	CHECK(!date_parse("2026-13-40", NULL));
	CHECK(!date_parse("2026-04-31", NULL));
	CHECK(!date_parse("2026-1-01", NULL));
	CHECK(!date_parse("2026-01-01x", NULL));
	CHECK(!date_parse("", NULL));
	CHECK(date_parse("1970-01-01", &d) && d == 0);
	CHECK(date_parse("2000-03-01", &d) && d == 11017);
	days_to_date(out, 11017);
	CHECK_STR(out, "2000-03-01");
	days_to_date(out, -1);
	CHECK_STR(out, "1969-12-31");
	CHECK(datetime_parse("2026-11-22T10:30:00Z", &t));
	fmt_datetime(out, t);
	CHECK_STR(out, "2026-11-22T10:30:00Z");
	CHECK(datetime_parse("2026-11-22T10:30+02:00", &t));
	fmt_datetime(out, t);
	CHECK_STR(out, "2026-11-22T08:30:00Z");
	CHECK(datetime_parse("2026-11-22 10:30", &t));
	CHECK(!datetime_parse("2026-11-22T25:00", &t));
	CHECK(!datetime_parse("2026-11-22T10:3", &t));
	CHECK(datetime_parse("2026-11-22", &t));
	fmt_date(out, t);
	CHECK_STR(out, "2026-11-22");
	time_t now = clock_now();
	fmt_datetime(out, now);
	CHECK_STR(out, "2026-11-22T09:00:00Z");
	CHECK(date_relative("+3d", now, &t) && t - now == 3 * 86400);
	CHECK(date_relative("-2w", now, &t) && now - t == 14 * 86400);
	CHECK(date_relative("tomorrow", now, &t) && t - now == 86400);
	CHECK(!date_relative("+3x", now, &t));
	CHECK(!date_relative("soon", now, &t));
}

static void widths(void)
{
	struct buf b = BUF_INIT;
	CHECK(utf8_width("abc") == 3);
	CHECK(utf8_width("上海") == 4);
	CHECK(utf8_width("Café") == 4);
	CHECK(utf8_valid("上海", strlen("上海")));
	CHECK(!utf8_valid("\xff", 1));
	CHECK(!utf8_valid("\xe4\xb8", 2));     /* truncated */
	CHECK(!utf8_valid("\xc0\xaf", 2));     /* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	term_safe(&b, "a\033]0;pwned\007b", 0, 0);
	CHECK(!strchr(b.data, '\033') && !strchr(b.data, '\007'));
	CHECK(strstr(b.data, "\xe2\x90\x9b") != NULL); /* ␛ */
	buf_reset(&b);
	term_safe(&b, "上海明远科技", 5, 0); /* never splits a wide character */
	CHECK(utf8_width(b.data) <= 5);
	CHECK(strstr(b.data, "…") != NULL);
	buf_reset(&b);
	term_safe(&b, "ab", 0, 5);
	CHECK_STR(b.data, "ab   ");
	buf_reset(&b);
	term_safe(&b, "x\xffy", 0, 0);
	CHECK_STR(b.data, "x\xef\xbf\xbdy");
	buf_reset(&b);
	term_safe(&b, "\xe2\x80\xae" "evil", 0, 0); /* right-to-left override */
	CHECK(!strstr(b.data, "\xe2\x80\xae"));
	buf_release(&b);
}

static void json(void)
{
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b, false);
	json_obj_open(&j);
	json_key(&j, "a");
	json_str(&j, "q\"\\\n\x01\xff");
	json_key(&j, "n");
	json_num(&j, 1.5);
	json_key(&j, "l");
	json_arr_open(&j);
	json_int(&j, 1);
	json_bool(&j, true);
	json_null(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	CHECK_STR(b.data, "{\"a\":\"q\\\"\\\\\\n\\u0001\xef\xbf\xbd\",\"n\":1.5,\"l\":[1,true,null]}");
	buf_release(&b);
}

static void sets_and_bufs(void)
{
	char *s = set_edit("b,a", "c", true);
	CHECK_STR(s, "a,b,c");
	char *t = set_edit(s, "a", false);
	CHECK_STR(t, "b,c");
	char *u = set_edit(t, "b", true); /* no duplicates */
	CHECK_STR(u, "b,c");
	char *v = set_edit("x", "x", false);
	CHECK(v == NULL);
	free(s);
	free(t);
	free(u);
	struct buf b = BUF_INIT;
	CHECK(b.data != NULL && b.data[0] == '\0');
	buf_addf(&b, "%d-%s", 7, "x");
	CHECK_STR(b.data, "7-x");
	buf_release(&b);
	CHECK(b.data != NULL);
	char id[33];
	id_new(id);
	CHECK(id_is_hex(id, 32, 32));
	struct strv sv = STRV_INIT;
	strv_split(&sv, " a, ,b ,", ',');
	CHECK(sv.n == 2 && !strcmp(sv.v[0], "a") && !strcmp(sv.v[1], "b"));
	strv_clear(&sv);
}

/* The string map: growth past many doublings, folding, values, and copies that fit. */
static void maps_and_copies(void)
{
	struct strmap m = { 0 };
	bool added = false;
	char key[32];
	CHECK(!strmap_has(&m, "x") && strmap_get(&m, "x") == NULL);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "id-%d", i);
		*strmap_put(&m, key, &added) = xstrdup(key);
		if (!added)
			break;
	}
	CHECK(m.n == 5000 && added);
	CHECK(strmap_has(&m, "id-0") && strmap_has(&m, "id-4999") && !strmap_has(&m, "id-5000"));
	CHECK_STR(strmap_get(&m, "id-1234"), "id-1234");
	strmap_put(&m, "id-7", &added);
	CHECK(!added && m.n == 5000);
	strmap_free(&m, free);
	CHECK(m.n == 0 && !strmap_has(&m, "id-7"));
	struct strmap f = { .fold = true };
	strmap_put(&f, "Contoso", &added);
	CHECK(added && strmap_has(&f, "CONTOSO") && strmap_has(&f, "contoso") && !strmap_has(&f, "Contoso "));
	strmap_put(&f, "contoso", &added);
	CHECK(!added);
	strmap_free(&f, NULL);
	char dst[6];
	str_copy(dst, sizeof dst, "abcdefgh");
	CHECK_STR(dst, "abcde");
	str_copy(dst, sizeof dst, "ab\xe6\x9d\xad\xe5\xb7\x9e"); /* 杭州: cut before 州, not inside */
	CHECK_STR(dst, "ab\xe6\x9d\xad");
	str_copy(dst, sizeof dst, NULL);
	CHECK_STR(dst, "");
}

/* Pinyin forms and the zh collation (text.c). */
static void chinese(void)
{
	struct buf b = BUF_INIT;
	CHECK_STR(text_pinyin_of(0x660e), "ming"); /* 明 */
	CHECK(text_pinyin_of('a') == NULL && text_pinyin_of(0x3042) == NULL); /* Latin, kana */
	text_pinyin_forms(&b, "上海明远");
	CHECK_STR(b.data, " shanghaimingyuan shmy haimingyuan hmy mingyuan my yuan y");
	buf_reset(&b);
	text_pinyin_forms(&b, "Contoso");
	CHECK(b.len == 0);
	/* runs apart: each run its own forms; a word reads as a word */
	text_pinyin_forms(&b, "招商银行 (深圳)");
	CHECK(strstr(b.data, " zhaoshangyinhang zsyh") && strstr(b.data, " shenzhen sz") &&
	      !strstr(b.data, "hangshen"));
	buf_reset(&b);
	/* a long run is bounded: forms from each character span at most 12 of them */
	for (int i = 0; i < 40; i++)
		buf_adds(&b, "明");
	struct buf f = BUF_INIT;
	text_pinyin_forms(&f, b.data);
	/* 40 forms of ' ' + ming×k + ' ' + m×k, k = 12 for 29 of them then 11 down to 1 */
	CHECK(f.len == 40 * 2 + 5 * (29 * 12 + 66));
	buf_release(&f);
	buf_release(&b);
	const char *a = "杭州", *z = "上海";
	CHECK(text_collate_zh(NULL, (int)strlen(a), a, (int)strlen(z), z) < 0); /* hang < shang */
	CHECK(text_collate_zh(NULL, 3, "abc", 3, "abc") == 0);
	CHECK(text_collate_zh(NULL, 1, "a", 1, "B") < 0);
	CHECK_STR(text_lang("zh_CN"), "zh");
	CHECK_STR(text_lang("en"), "en");
}

void suite_util(void)
{
	chinese();
	maps_and_copies();
	dates();
	widths();
	json();
	sets_and_bufs();
}

void suite_csv(void)
{
	struct csv c;
	struct strv row = STRV_INIT;
	struct err e = { 0, "" };
	const char *t = "a,\"b,c\",\"d \"\"q\"\"\"\r\n\"multi\r\nline\",,x\nlast";
	csv_init(&c, t, strlen(t));
	CHECK(csv_row(&c, &row, &e) == 1 && row.n == 3);
	CHECK(row.n == 3 && !strcmp(row.v[1], "b,c") && !strcmp(row.v[2], "d \"q\""));
	CHECK(csv_row(&c, &row, &e) == 1 && row.n == 3 && !strcmp(row.v[0], "multi\nline"));
	CHECK(row.n == 3 && !strcmp(row.v[1], "") && c.line == 4);
	CHECK(csv_row(&c, &row, &e) == 1 && row.n == 1 && !strcmp(row.v[0], "last"));
	CHECK(csv_row(&c, &row, &e) == 0);
	t = "x;y\n1;2\n";
	csv_init(&c, t, strlen(t));
	CHECK(c.sep == ';' && csv_row(&c, &row, &e) == 1 && row.n == 2);
	t = "a\tb\tc\n";
	csv_init(&c, t, strlen(t));
	CHECK(c.sep == '\t');
	t = "h\n\"open\n";
	csv_init(&c, t, strlen(t));
	CHECK(csv_row(&c, &row, &e) == 1);
	CHECK(csv_row(&c, &row, &e) == RERR_INPUT && strstr(e.msg, "line 2"));
	t = "\"a\"b\n";
	csv_init(&c, t, strlen(t));
	CHECK(csv_row(&c, &row, &e) == RERR_INPUT && strstr(e.msg, "after a closing quote"));
	strv_clear(&row);
	char *out;
	size_t n;
	CHECK(to_utf8("WINDOWS-1252", "caf\xe9", 4, &out, &n, &e) == 0 && !strcmp(out, "café"));
	free(out);
	CHECK(to_utf8("NOPE-42", "x", 1, &out, &n, &e) == RERR_USAGE);
}
