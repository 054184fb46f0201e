/* test_store.c — the store on an in-memory database: writes, reads, queries, search. */
#include "t.h"
#include "workspace.h"

#include <stdlib.h>

static int distinct_cb(const char *v, void *p)
{
	(void)v;
	(*(long *)p)++;
	return 0;
}

static int count_cb(const struct record *r, void *p)
{
	(void)r;
	(*(long *)p)++;
	return 0;
}

int collect(const struct record *r, void *p);
int collect(const struct record *r, void *p)
{
	strv_push(p, r->id);
	return 0;
}

static int first_cb(const struct record *r, void *p)
{
	char **out = p;
	if (!*out)
		*out = record_title(r);
	return 0;
}

static struct record *mk(struct ws *w, const char *kind, const char *const *kv)
{
	struct err e = { 0, "" };
	struct record *r = record_new(schema_kind(&w->sc, kind));
	for (size_t i = 0; kv[i]; i++)
		CHECK(ws_assign(w, r, kv[i], &e) == 0);
	CHECK(ws_add(w, r, &e) == 0);
	if (e.code)
		fprintf(stderr, "  %s\n", e.msg);
	return r;
}

/* Opening a workspace whose schema was planned before plans nothing (one meta read, no write
 * lock); a new custom field plans once, and the next open, with and without it, plans nothing. */
static void plans_recorded(void)
{
	struct ws *w = NULL;
	struct err e = { 0, "" };
	char dir[] = "/tmp/rapport-unit-XXXXXX", id[33];
	CHECK(mkdtemp(dir) != NULL);
	CHECK(ws_create(dir, &e) == 0);
	CHECK(ws_open(&w, dir, &e) == 0);
	ws_close(w);
	unsigned long before = store_plans_run;
	CHECK(ws_open(&w, dir, &e) == 0);
	CHECK(store_plans_run == before);
	CHECK(w && ws_field_add(w, "customer", "tier", "text", NULL, NULL, NULL, id, &e) == 0);
	CHECK(store_plans_run == before + 1);
	ws_close(w);
	CHECK(ws_open(&w, dir, &e) == 0);
	CHECK(store_plans_run == before + 1);
	/* A plan key promises the objects: store_bulk_begin drops some, so it forgets the kind's keys,
	 * and the next open plans it again, for the schema with and without the custom field. */
	CHECK(w && store_bulk_begin(w->st, schema_kind(&w->sc, "customer"), NULL, &e) == 0);
	ws_close(w);
	CHECK(ws_open(&w, dir, &e) == 0);
	CHECK(store_plans_run == before + 3);
	ws_close(w);
	CHECK(ws_open(&w, dir, &e) == 0);
	CHECK(store_plans_run == before + 3);
	ws_close(w);
	if (e.code)
		fprintf(stderr, "  %s\n", e.msg);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* A second connection for a second thread: refused for a memory database and inside a
 * transaction that wrote (it would not see the writes); otherwise it reads what was committed. */
static void reader_connection(void)
{
	struct ws *w = NULL, *mem = NULL;
	struct store *r = NULL;
	struct err e = { 0, "" };
	char dir[] = "/tmp/rapport-unit-XXXXXX";
	CHECK(ws_open_memory(&mem, &e) == 0);
	CHECK(mem && store_open_reader(mem->st, &r, &e) != 0 && !r);
	ws_close(mem);
	err_clear(&e);
	CHECK(mkdtemp(dir) != NULL);
	CHECK(ws_create(dir, &e) == 0);
	CHECK(ws_open(&w, dir, &e) == 0);
	if (!w)
		return;
	CHECK(store_begin(w->st, &e) == 0);
	CHECK(store_open_reader(w->st, &r, &e) == 0); /* nothing written yet */
	store_close(r);
	r = NULL;
	struct record *c = mk(w, "customer", (const char *[]){ "name=Reader", NULL });
	err_clear(&e);
	CHECK(store_open_reader(w->st, &r, &e) != 0 && !r);
	CHECK(strstr(e.msg, "uncommitted") != NULL);
	err_clear(&e);
	CHECK(store_commit(w->st, &e) == 0);
	CHECK(store_open_reader(w->st, &r, &e) == 0 && r);
	struct record *got = NULL;
	if (r)
		CHECK(store_get(r, &w->sc, c->id, &got, &e) == 0 && got &&
		      !strcmp(record_get(got, "name"), "Reader"));
	record_free(got);
	record_free(c);
	store_close(r);
	ws_close(w);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
}

void suite_store(void)
{
	struct ws *w;
	struct err e = { 0, "" };
	CHECK(ws_open_memory(&w, &e) == 0);
	if (!w)
		return;
	struct record *c1 = mk(w, "customer", (const char *[]){ "name=Contoso", "stage=active",
							     "tags=vip,emea", NULL });
	struct record *c2 = mk(w, "customer", (const char *[]){ "name=上海明远科技有限公司",
							     "stage=lead", NULL });
	struct record *c3 = mk(w, "customer", (const char *[]){ "name=Northwind", NULL });

	/* Round trip. */
	struct record *got = NULL;
	CHECK(store_get(w->st, &w->sc, c1->id, &got, &e) == 0);
	CHECK(got && !strcmp(record_get(got, "name"), "Contoso"));
	CHECK(got && !strcmp(record_get(got, "tags"), "emea,vip"));
	CHECK(got && !strcmp(record_get(got, "stage"), "active"));
	CHECK(got && got->created && got->deleted == 0);
	record_free(got);
	CHECK(store_get(w->st, &w->sc, "00000000000000000000000000000000", &got, &e) ==
	      RERR_NOTFOUND);

	/* Queries: filters and order. */
	const struct kindinfo *ck = schema_kind(&w->sc, "customer");
	struct query q;
	long n = 0;
	query_init(&q, ck);
	CHECK(ws_filter(w, &q, "stage=active", &e) == 0);
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 1);
	query_free(&q);
	query_init(&q, ck);
	CHECK(ws_filter(w, &q, "stage!=active", &e) == 0);
	n = 0;
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 2); /* unset stage counts */
	query_free(&q);
	query_init(&q, ck);
	CHECK(ws_filter(w, &q, "tags=vip", &e) == 0);
	n = 0;
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 1);
	query_free(&q);
	query_init(&q, ck);
	CHECK(ws_filter(w, &q, "name~WIND", &e) == 0);
	n = 0;
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 1);
	query_free(&q);
	query_init(&q, ck);
	CHECK(ws_filter(w, &q, "nope=1", &e) == RERR_INPUT);
	CHECK(ws_filter(w, &q, "stage", &e) == RERR_USAGE);
	CHECK(ws_sort(w, &q, "-name", &e) == 0);
	char *first = NULL;
	CHECK(store_query(w->st, &q, first_cb, &first, &e) == 0);
	CHECK_STR(first, "上海明远科技有限公司");
	free(first);
	query_free(&q);

	/* Reverse order is the exact reverse, unset values included. */
	query_init(&q, ck);
	CHECK(ws_sort(w, &q, "tags", &e) == 0);
	struct strv fwd = STRV_INIT, rev = STRV_INIT;

	CHECK(store_query(w->st, &q, collect, &fwd, &e) == 0);
	q.reverse = true;
	CHECK(store_query(w->st, &q, collect, &rev, &e) == 0);
	CHECK(fwd.n == 3 && rev.n == 3);
	for (size_t i = 0; i < fwd.n && i < rev.n; i++)
		CHECK_STR(fwd.v[i], rev.v[rev.n - 1 - i]);
	CHECK(fwd.n == 3 && !strcmp(fwd.v[0], c1->id)); /* only c1 has tags: the others follow */
	strv_clear(&fwd);
	strv_clear(&rev);
	query_free(&q);

	/* Tombstones leave queries and search; undelete brings them back. */
	c3->deleted = 1;
	CHECK(ws_save(w, c3, &e) == 0);
	query_init(&q, ck);
	n = 0;
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 2);
	q.deleted = 1;
	n = 0;
	CHECK(store_query(w->st, &q, count_cb, &n, &e) == 0 && n == 1);
	query_free(&q);
	n = 0;
	CHECK(store_search(w->st, &w->sc, "northwind", 10, count_cb, &n, &e) == 0 && n == 0);
	c3->deleted = 0;
	CHECK(ws_save(w, c3, &e) == 0);
	n = 0;
	CHECK(store_search(w->st, &w->sc, "northwind", 10, count_cb, &n, &e) == 0 && n == 1);

	/* Search: prefixes, CJK substrings, hostile FTS syntax is just text. */
	n = 0;
	CHECK(store_search(w->st, &w->sc, "conto", 10, count_cb, &n, &e) == 0 && n == 1);
	n = 0;
	CHECK(store_search(w->st, &w->sc, "明远", 10, count_cb, &n, &e) == 0 && n == 1);
	n = 0;
	CHECK(store_search(w->st, &w->sc, "科技", 10, count_cb, &n, &e) == 0 && n == 1);
	n = 0;
	CHECK(store_search(w->st, &w->sc, "\"OR* NEAR(", 10, count_cb, &n, &e) == 0 && n == 0);
	CHECK(store_search(w->st, &w->sc, "   ", 10, count_cb, &n, &e) == RERR_USAGE);

	/* Prefix lookups. */
	struct strv ids = STRV_INIT;
	char pre[5];
	snprintf(pre, sizeof pre, "%.4s", c1->id);
	CHECK(store_prefix(w->st, pre, 5, &ids, NULL, &e) == 0 && ids.n >= 1);
	CHECK(strv_has(&ids, c1->id));
	strv_clear(&ids);

	/* Totals. */
	record_free(mk(w, "invoice", (const char *[]){ "customer=Contoso", "amount=100",
						       "issued=2026-01-01", "due=2026-01-31", NULL }));
	struct record *i2 = mk(w, "invoice", (const char *[]){ "customer=Contoso", "amount=50.5",
							     "issued=2026-02-01", "due=2026-03-01",
							     NULL });
	const struct kindinfo *ik = schema_kind(&w->sc, "invoice");
	double sum = 0;
	query_init(&q, ik);
	CHECK(store_sum(w->st, &q, kind_field(ik, "amount"), &sum, &e) == 0 && sum == 150.5);
	CHECK(ws_filter(w, &q, "due<2026-02-01", &e) == 0);
	CHECK(store_sum(w->st, &q, kind_field(ik, "amount"), &sum, &e) == 0 && sum == 100);
	query_free(&q);
	record_free(i2);

	/* A list's widest value without loading it: display columns (CJK counts two), over the
	 * matches only; the distinct values of a column, unset ones left out. */
	int mw = -1;
	query_init(&q, ck);
	CHECK(store_max_width(w->st, &q, kind_field(ck, "name"), &mw, &e) == 0 && mw == 20);
	n = 0;
	CHECK(store_distinct(w->st, &q, kind_field(ck, "stage"), 0, distinct_cb, &n, &e) == 0 &&
	      n == 2);
	CHECK(ws_filter(w, &q, "stage=active", &e) == 0);
	CHECK(store_max_width(w->st, &q, kind_field(ck, "name"), &mw, &e) == 0 && mw == 7);
	query_free(&q);

	record_free(c1);
	record_free(c2);
	record_free(c3);
	ws_close(w);
	reader_connection();
	plans_recorded();
}
