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
