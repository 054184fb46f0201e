/* test_values.c — field-level normalisation and record-level checks from the kind table. */
#include "t.h"
#include "core.h"

#include <stdlib.h>

static const struct field *fld(const struct schema *sc, const char *kind, const char *name)
{
	return kind_field(schema_kind(sc, kind), name);
}

/* Normalises v and returns the result (or NULL on error) — the caller frees. */
static char *norm(const struct field *f, const char *v, int *code)
{
	struct err e = { 0, "" };
	char *out = NULL;
	*code = value_normalize(f, v, clock_now(), &out, &e);
	return out;
}

#define OK_AS(f, in, want)                          \
	do {                                        \
		int c_;                             \
		char *o_ = norm(f, in, &c_);        \
		CHECK(c_ == 0);                     \
		CHECK_STR(o_, want);                \
		free(o_);                           \
	} while (0)
#define BAD(f, in)                                  \
	do {                                        \
		int c_;                             \
		char *o_ = norm(f, in, &c_);        \
		CHECK(c_ == RERR_INPUT && !o_);     \
	} while (0)

void suite_values(void)
{
	struct schema sc;
	schema_init(&sc);
	const struct field *due = fld(&sc, "milestone", "due"), *at = fld(&sc, "interaction", "at");
	const struct field *prog = fld(&sc, "task", "progress"), *key = fld(&sc, "task", "key");
	const struct field *stage = fld(&sc, "customer", "stage"), *email = fld(&sc, "member", "email");
	const struct field *tags = fld(&sc, "customer", "tags"), *name = fld(&sc, "customer", "name");
	const struct field *reopened = fld(&sc, "ticket", "reopened"), *body = fld(&sc, "ticket", "body");
	OK_AS(due, "2026-02-28", "2026-02-28");
	OK_AS(due, "today", "2026-11-22");
	OK_AS(due, "+10d", "2026-12-02");
	BAD(due, "2026-13-40");
	BAD(due, "2026-02-29");
	BAD(due, "22/11/2026");
	OK_AS(at, "2026-11-22 14:05", "2026-11-22T14:05:00Z");
	OK_AS(at, "now", "2026-11-22T09:00:00Z");
	BAD(at, "2026-11-22T24:00");
	OK_AS(prog, "50", "50");
	OK_AS(prog, "12.50", "12.5");
	OK_AS(prog, "0", "0");
	BAD(prog, "101");
	BAD(prog, "-1");
	BAD(prog, "12a");
	BAD(prog, "");
	BAD(prog, "nan");
	BAD(prog, "inf");
	/* Decimal notation only, nothing around it. */
	OK_AS(prog, "+5", "5");
	OK_AS(prog, ".5", "0.5");
	OK_AS(prog, "5.", "5");
	OK_AS(prog, "1.5e1", "15");
	OK_AS(prog, "25E-1", "2.5");
	BAD(prog, "0x10");
	BAD(prog, "0x1p4");
	BAD(prog, "5 ");
	BAD(prog, " 5");
	BAD(prog, ".");
	BAD(prog, "5e");
	BAD(prog, "5e+");
	BAD(prog, "1,5");
	BAD(prog, "infinity");
	OK_AS(reopened, "1e1", "10");
	BAD(reopened, "0x2");
	BAD(reopened, "2 ");
	OK_AS(reopened, "2", "2");
	BAD(reopened, "1.5");
	OK_AS(key, "yes", "true");
	OK_AS(key, "0", "false");
	BAD(key, "maybe");
	OK_AS(stage, "at_risk", "at_risk");
	BAD(stage, "happy");
	BAD(stage, "at");
	OK_AS(email, "li.wei@example.cn", "li.wei@example.cn");
	BAD(email, "li.wei");
	BAD(email, "a@b");
	BAD(email, "a b@c.de");
	OK_AS(tags, "vip, emea,vip", "emea,vip");
	OK_AS(name, "上海明远科技有限公司", "上海明远科技有限公司");
	BAD(name, "two\nlines");
	BAD(name, "bad \xff utf8");
	OK_AS(body, "two\nlines", "two\nlines");

	/* Record-level checks. */
	struct err e = { 0, "" };
	struct record *r = record_new(schema_kind(&sc, "task"));
	CHECK(record_check(r, &e) == RERR_INPUT && strstr(e.msg, "'name' is required"));
	record_put(r, kind_field_index(r->ki, fld(&sc, "task", "name")), xstrdup("x"));
	CHECK(record_check(r, &e) == RERR_INPUT && strstr(e.msg, "needs 'project' or 'customer'"));
	record_put(r, kind_field_index(r->ki, fld(&sc, "task", "customer")), xstrdup("abcd"));
	CHECK(record_check(r, &e) == 0);
	record_put(r, kind_field_index(r->ki, fld(&sc, "task", "start")), xstrdup("2026-05-02"));
	record_put(r, kind_field_index(r->ki, fld(&sc, "task", "due")), xstrdup("2026-05-01"));
	CHECK(record_check(r, &e) == RERR_INPUT && strstr(e.msg, "'due': '2026-05-01' is before"));
	record_free(r);
	r = record_new(schema_kind(&sc, "survey"));
	const char *sv[][2] = { { "customer", "abcd" }, { "kind", "csat" }, { "score", "7" },
				{ "date", "2026-01-01" } };
	for (size_t i = 0; i < ARRAY_LEN(sv); i++)
		record_put(r, kind_field_index(r->ki, fld(&sc, "survey", sv[i][0])), xstrdup(sv[i][1]));
	CHECK(record_check(r, &e) == RERR_INPUT && strstr(e.msg, "out of range for csat"));
	record_put(r, kind_field_index(r->ki, fld(&sc, "survey", "kind")), xstrdup("nps"));
	CHECK(record_check(r, &e) == 0);
	record_free(r);

	/* Custom fields: names, types and choices are checked before the schema changes. */
	size_t before = schema_kind(&sc, "customer")->nf;
	CHECK(schema_add_custom(&sc, "customer", "tier", "choice", "gold,silver", NULL, NULL, &e) == 0);
	CHECK(schema_kind(&sc, "customer")->nf == before + 1);
	CHECK(schema_add_custom(&sc, "customer", "tier", "text", NULL, NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "customer", "name", "text", NULL, NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "customer", "Bad-Name", "text", NULL, NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "customer", "x", "colour", NULL, NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "customer", "x", "choice", "", NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "customer", "x", "ref", "nothing", NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_add_custom(&sc, "nothing", "x", "text", NULL, NULL, NULL, &e) == RERR_INPUT);
	CHECK(schema_kind(&sc, "customer")->nf == before + 1);
	const struct field *tier = fld(&sc, "customer", "tier");
	CHECK(tier && (tier->flags & F_CUSTOM) && !strcmp(field_column(tier), "x_tier"));
	OK_AS(tier, "gold", "gold");
	BAD(tier, "platinum");
	schema_free(&sc);
}
