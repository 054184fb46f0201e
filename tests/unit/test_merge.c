/* test_merge.c — the record merge of src/sync/merge.c: each rule, symmetry (merge(A,B) and
 * merge(B,A) give the same bytes), and the snapshot file format's strict reading. */
#include "t.h"
#include "sync.h"

#include <stdlib.h>

#define REVA "2026-11-22T10:00:00.000Z-aaaaaaaaaaaaaaaa"
#define REVB "2026-11-22T11:00:00.000Z-bbbbbbbbbbbbbbbb"
#define HEAD(rev) "rev " rev "\ncreated 2026-11-22T09:00:00Z\nupdated 2026-11-22T09:00:00Z\n"

static char *both(const struct kindinfo *ki, const char *b, const char *o, const char *t, int *nc)
{
	int n1 = 0, n2 = 0;
	char *m1 = merge_record(ki, b, o, t, &n1);
	char *m2 = merge_record(ki, b, t, o, &n2);
	CHECK(m1 && m2);
	if (m1 && m2)
		CHECK_STR(m1, m2);
	CHECK(n1 == n2);
	free(m2);
	*nc = n1;
	return m1;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

void suite_merge(void)
{
	struct schema sc;
	schema_init(&sc);
	const struct kindinfo *ki = schema_kind(&sc, "customer");
	int nc;
	const char *base = HEAD("2026-11-22T09:00:00.000Z-cccccccccccccccc") "name Contoso\nstage active\ntags a,b,c\nnote one\n  two\n  three\n";

	/* Different fields: both kept, no conflict. */
	char *m = both(ki, base, HEAD(REVA) "name Contoso\nstage loyal\ntags a,b,c\nnote one\n  two\n  three\n",
		       HEAD(REVB) "name Contoso\nstage active\nindustry Retail\ntags a,b,c\nnote one\n  two\n  three\n", &nc);
	CHECK(nc == 0);
	CHECK(has_line(m, "stage loyal") && has_line(m, "industry Retail"));
	CHECK(has_line(m, "rev " REVB));
	free(m);

	/* Same field: the greater rev wins, the loser is kept as a conflict line. */
	m = both(ki, base, HEAD(REVA) "name Contoso\nstage loyal\ntags a,b,c\nnote one\n  two\n  three\n",
		 HEAD(REVB) "name Contoso\nstage at_risk\ntags a,b,c\nnote one\n  two\n  three\n", &nc);
	CHECK(nc == 1);
	CHECK(has_line(m, "stage at_risk"));
	CHECK(has_line(m, "!stage " REVA " loyal"));
	free(m);

	/* Sets: item by item, removals honoured. */
	m = both(ki, base, HEAD(REVA) "name Contoso\nstage active\ntags b,c,x\nnote one\n  two\n  three\n",
		 HEAD(REVB) "name Contoso\nstage active\ntags a,b,y\nnote one\n  two\n  three\n", &nc);
	CHECK(nc == 0);
	CHECK(has_line(m, "tags b,x,y"));
	free(m);

	/* Long text: a line merge when the lines touched differ. */
	m = both(ki, base, HEAD(REVA) "name Contoso\nstage active\ntags a,b,c\nnote ONE\n  two\n  three\n",
		 HEAD(REVB) "name Contoso\nstage active\ntags a,b,c\nnote one\n  two\n  THREE\n", &nc);
	CHECK(nc == 0);
	CHECK(strstr(m, "note ONE\n  two\n  THREE\n") != NULL);
	free(m);

	/* Delete against edit: deleted, edit kept, a conflict to offer undelete. */
	m = both(ki, base, HEAD(REVA) "deleted true\nname Contoso\nstage active\ntags a,b,c\nnote one\n  two\n  three\n",
		 HEAD(REVB) "name Contoso\nstage active\nregion EU\ntags a,b,c\nnote one\n  two\n  three\n", &nc);
	CHECK(has_line(m, "deleted true") && has_line(m, "region EU"));
	CHECK(has_line(m, "!deleted " REVB " false"));
	free(m);

	/* Created on both sides with no base: a conflict per differing field, still symmetric. */
	m = both(ki, NULL, HEAD(REVA) "name X\nstage lead\n", HEAD(REVB) "name Y\nstage lead\n", &nc);
	CHECK(nc == 1 && has_line(m, "name Y") && has_line(m, "!name " REVA " X"));
	free(m);

	/* Unknown fields (a newer replica's) survive and merge like others. */
	m = both(ki, base, HEAD(REVA) "name Contoso\nstage active\ntags a,b,c\nnote one\n  two\n  three\nzeta 1\n",
		 HEAD(REVB) "name Contoso\nstage loyal\ntags a,b,c\nnote one\n  two\n  three\n", &nc);
	CHECK(has_line(m, "zeta 1") && has_line(m, "stage loyal"));
	free(m);

	/* A conflict resolved on one side stays resolved. */
	const char *cb = HEAD(REVA) "name Contoso\nstage loyal\n!stage " REVA " active\n";
	m = both(ki, cb, HEAD(REVB) "name Contoso\nstage loyal\n", HEAD(REVA) "name Contoso\nstage loyal\n!stage " REVA " active\nregion EU\n", &nc);
	CHECK(!strstr(m, "!stage") && has_line(m, "region EU"));
	free(m);

	/* The merge of a file that does not parse is refused, not guessed. */
	CHECK(merge_record(ki, NULL, "  a continuation with nothing before\n", HEAD(REVA), &nc) == NULL);

	/* Snapshot files: strict reading with the line named. */
	struct record *r = NULL;
	struct err e = { 0, "" };
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", HEAD(REVA) "name A\nstage nope\n", 0, &r, &e) == RERR_INPUT);
	CHECK(strstr(e.msg, "line 5") != NULL);
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", "rev 2026\nname A\n", 0, &r, &e) == RERR_INPUT);
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", HEAD(REVA) "stage lead\n", 0, &r, &e) == RERR_INPUT);
	CHECK(strstr(e.msg, "required field 'name'") != NULL);
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", HEAD(REVA) "name A\nowner ../../etc\n", 0, &r, &e) == RERR_INPUT);
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", HEAD(REVA) "name A\nfuture x\n!stage " REVB " lead\n", 0, &r, &e) == 0);
	if (r) {
		struct buf b = BUF_INIT;
		record_file(&b, r);
		CHECK_STR(b.data, HEAD(REVA) "name A\nfuture x\n!stage " REVB " lead\n");
		buf_release(&b);
		record_free(r);
	}

	/* A merge that breaks a whole-record rule: the field from the older write goes back to the
	 * newer write's value and is kept as a conflict, on both sides alike. */
	const struct kindinfo *pk = schema_kind(&sc, "project");
	const char *pbase = HEAD("2026-11-22T09:00:00.000Z-cccccccccccccccc")
		"customer 0123456789abcdef0123456789abcdef\nname P\nstart 2026-01-01\ndue 2026-12-31\n";
	m = both(pk, pbase,
		 HEAD(REVA) "customer 0123456789abcdef0123456789abcdef\nname P\nstart 2026-06-01\ndue 2026-12-31\n",
		 HEAD(REVB) "customer 0123456789abcdef0123456789abcdef\nname P\nstart 2026-01-01\ndue 2026-03-01\n", &nc);
	CHECK(nc == 1);
	CHECK(has_line(m, "start 2026-01-01") && has_line(m, "due 2026-03-01"));
	CHECK(has_line(m, "!start " REVA " 2026-06-01"));
	free(m);

	/* A rev far ahead of its commit counts as the commit's time: an honest later write wins. */
	struct rev_cap cap_o = { "2026-11-23T12:00:00.000Z", "2026-11-22T12:00:00.000Z" };
	struct rev_cap cap_t = { "2026-11-23T13:00:00.000Z", "2026-11-22T13:00:00.000Z" };
	const char *future = HEAD("9999-12-31T23:59:59.999Z-ffffffffffffffff") "name Contoso\nstage loyal\n";
	const char *honest = HEAD("2026-11-22T12:30:00.000Z-bbbbbbbbbbbbbbbb") "name Contoso\nstage at_risk\n";
	const char *b2 = HEAD("2026-11-22T09:00:00.000Z-cccccccccccccccc") "name Contoso\nstage active\n";
	int n1 = 0, n2 = 0;
	char *m1 = merge_record_capped(ki, b2, future, honest, &cap_o, &cap_t, &n1);
	char *m2 = merge_record_capped(ki, b2, honest, future, &cap_t, &cap_o, &n2);
	CHECK(m1 && m2 && !strcmp(m1, m2) && n1 == 1);
	CHECK(m1 && has_line(m1, "stage at_risk"));
	CHECK(m1 && has_line(m1, "!stage 2026-11-22T12:00:00.000Z-ffffffffffffffff loyal"));
	free(m1);
	free(m2);
	/* Uncapped, the same far-future rev wins: the cap is what stops it. */
	m1 = merge_record(ki, b2, future, honest, &n1);
	CHECK(m1 && has_line(m1, "stage loyal"));
	free(m1);
	/* A rev the format cannot hold counts as the oldest, and the result reads back. */
	m1 = merge_record(ki, b2, HEAD("10000-01-01T00:00:00.000Z-ffffffffffffffff") "name Contoso\nstage loyal\n",
			  honest, &n1);
	CHECK(m1 && has_line(m1, "stage at_risk") && has_line(m1, "rev 2026-11-22T12:30:00.000Z-bbbbbbbbbbbbbbbb"));
	free(m1);
	/* A kind this rapport does not know merges field by field, not as one blob. */
	m = both(NULL, "rev " REVA "\nname W\nsize 1\ncolour red\n", "rev " REVA "\nname W\nsize 2\ncolour red\n",
		 "rev " REVB "\nname W\nsize 1\ncolour blue\n", &nc);
	CHECK(nc == 0 && has_line(m, "size 2") && has_line(m, "colour blue"));
	free(m);

	/* Salvage: what validates comes in, what does not keeps the fallback's value. */
	struct strv why = STRV_INIT;
	struct record *fb = NULL;
	CHECK(record_from_text(ki, "0123456789abcdef0123456789abcdef", HEAD(REVA) "name A\nstage active\n", 0, &fb, &e) == 0);
	CHECK(record_salvage(ki, "0123456789abcdef0123456789abcdef", HEAD(REVB) "name A\nindustry New\nstage sideways\n", 0, fb, &r, &why, &e) == 0);
	CHECK(r && !strcmp(record_get(r, "stage"), "active") && !strcmp(record_get(r, "industry"), "New"));
	CHECK(why.n == 1 && strstr(why.v[0], "line 6") != NULL);
	record_free(r);
	record_free(fb);
	strv_clear(&why);
	CHECK(record_salvage(ki, "0123456789abcdef0123456789abcdef", HEAD(REVB) "stage lead\n", 0, NULL, &r, &why, &e) == RERR_INPUT);
	strv_clear(&why);

	/* Paths: only KIND/XX/ID with XX the id's first two digits. */
	char k[32], id[33];
	CHECK(sync_parse_path("customer/01/0123456789abcdef0123456789abcdef", k, id));
	CHECK(!sync_parse_path("customer/02/0123456789abcdef0123456789abcdef", k, id));
	CHECK(!sync_parse_path("../01/0123456789abcdef0123456789abcdef", k, id));
	CHECK(!sync_parse_path("customer/01/0123456789ABCDEF0123456789abcdef", k, id));
	CHECK(!sync_parse_path("customer/01/0123456789abcdef0123456789abcdef/x", k, id));
	CHECK(!sync_parse_path("FORMAT", k, id));
	schema_free(&sc);
}
