/* test_format.c — the record text format: round trips of hostile values, strict parsing. */
#include "t.h"
#include "core.h"

#include <stdlib.h>

static void roundtrip(const struct schema *sc, const char *value)
{
	const struct kindinfo *ki = schema_kind(sc, "customer");
	struct record *r = record_new(ki);
	int note = kind_field_index(ki, kind_field(ki, "note"));
	record_put(r, note, xstrdup(value));
	record_put(r, kind_field_index(ki, kind_field(ki, "name")), xstrdup("X"));
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	record_text(&b, r, false);
	/* Every line is printable: no control byte but the line breaks. */
	bool clean = true;
	for (const char *p = b.data; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			clean = false;
	CHECK(clean);
	struct text_fields tf;
	struct err e = { 0, "" };
	CHECK(record_parse(b.data, &tf, &e) == 0);
	const char *got = NULL;
	for (size_t i = 0; i < tf.n; i++)
		if (!strcmp(tf.v[i].name, "note"))
			got = tf.v[i].value;
	CHECK_STR(got, value);
	/* Deterministic: the same record gives the same bytes. */
	record_text(&b2, r, false);
	CHECK_STR(b.data, b2.data);
	text_fields_free(&tf);
	buf_release(&b);
	buf_release(&b2);
	record_free(r);
}

static int parse_err(const char *text, const char *want)
{
	struct text_fields tf;
	struct err e = { 0, "" };
	int rc = record_parse(text, &tf, &e);
	if (rc == 0)
		text_fields_free(&tf);
	else if (!strstr(e.msg, want))
		fprintf(stderr, "  got: %s\n", e.msg);
	return rc == RERR_INPUT && strstr(e.msg, want) != NULL;
}

void suite_format(void)
{
	struct schema sc;
	schema_init(&sc);
	roundtrip(&sc, "plain");
	roundtrip(&sc, "two\nlines");
	roundtrip(&sc, "gap\n\n\nbelow");
	roundtrip(&sc, "  leading spaces\n  and on the next line");
	roundtrip(&sc, "trailing space ");
	roundtrip(&sc, "back\\slash \\x41 not an escape");
	roundtrip(&sc, "esc \033]0;title\007 tab\there \r cr");
	roundtrip(&sc, "上海明远科技有限公司\n第二行");
	roundtrip(&sc, "# looks like a comment\n# also here");
	roundtrip(&sc, "ends with a newline\n");

	/* The exact bytes, as rapport(5) documents them. */
	const struct kindinfo *ki = schema_kind(&sc, "customer");
	struct record *r = record_new(ki);
	record_put(r, kind_field_index(ki, kind_field(ki, "name")), xstrdup("Acme"));
	record_put(r, kind_field_index(ki, kind_field(ki, "note")), xstrdup("a\\b\n\tc "));
	struct buf b = BUF_INIT;
	record_text(&b, r, false);
	CHECK_STR(b.data, "name Acme\nnote a\\\\b\n  \\x09c\\x20\n");
	buf_reset(&b);
	record_text(&b, r, true);
	CHECK(strstr(b.data, "\nindustry\n") != NULL); /* every field, unset ones bare */
	buf_release(&b);
	record_free(r);

	/* An editor that stripped the indent of an empty line inside a value still parses. */
	struct text_fields tf;
	struct err e = { 0, "" };
	CHECK(record_parse("note a\n\n  b\nname X\n", &tf, &e) == 0);
	CHECK(tf.n == 2 && !strcmp(tf.v[0].value, "a\n\nb") && tf.v[1].line == 4);
	text_fields_free(&tf);
	CHECK(record_parse("# only\n\nname Y\r\nregion\n", &tf, &e) == 0);
	CHECK(tf.n == 2 && !strcmp(tf.v[0].value, "Y") && tf.v[1].value == NULL);
	text_fields_free(&tf);

	CHECK(parse_err("name a\nname b\n", "line 2: field 'name' appears twice"));
	CHECK(parse_err("  orphan\n", "line 1: a continuation line"));
	CHECK(parse_err("name\n  more\n", "line 2: a continuation line"));
	CHECK(parse_err("Name x\n", "line 1: 'Name x' is not 'name value'"));
	CHECK(parse_err("na-me x\n", "is not 'name value'"));
	CHECK(parse_err("name a\\qb\n", "line 1: '\\' starts an escape"));
	CHECK(parse_err("name a\\x4\n", "starts an escape"));
	CHECK(parse_err("name a\\x00b\n", "\\x00 is not allowed"));
	schema_free(&sc);
}
