/* test_workspace.c — resolving ids and names, references, defaults, custom fields. */
#include "t.h"
#include "workspace.h"

#include <stdlib.h>

static int add(struct ws *w, const char *kind, const char *const *kv, char id[33], struct err *e)
{
	struct record *r = record_new(schema_kind(&w->sc, kind));
	int rc = 0;
	for (size_t i = 0; kv[i] && !rc; i++)
		rc = ws_assign(w, r, kv[i], e);
	if (!rc)
		rc = ws_add(w, r, e);
	if (!rc && id)
		memcpy(id, r->id, 33);
	record_free(r);
	return rc;
}

void suite_workspace(void)
{
	struct ws *w;
	struct err e = { 0, "" };
	char cust[33], proj[33], other[33], id[33];
	CHECK(ws_open_memory(&w, &e) == 0);
	if (!w)
		return;
	ws_set_author(w, "Ada", "ada@example.com");
	CHECK_STR(w->author, "Ada <ada@example.com>");
	CHECK(add(w, "member", (const char *[]){ "name=Ada", "email=ada@example.com", NULL }, id,
		  &e) == 0);
	CHECK(add(w, "customer", (const char *[]){ "name=Contoso", NULL }, cust, &e) == 0);
	CHECK(add(w, "customer", (const char *[]){ "name=Fabrikam", NULL }, other, &e) == 0);
	CHECK(add(w, "project", (const char *[]){ "customer=contoso", "name=ERP", NULL }, proj,
		  &e) == 0);

	/* References by name, by prefix, of the wrong kind, missing, deleted. */
	struct record *p = NULL;
	CHECK(ws_load(w, proj, NULL, &p, &e) == 0);
	CHECK(p && !strcmp(record_get(p, "customer"), cust));
	CHECK(p && !strcmp(record_get(p, "status"), "planned")); /* default */
	record_free(p);
	CHECK(add(w, "contact", (const char *[]){ "customer=Nobody", "name=x", NULL }, NULL, &e) ==
	      RERR_NOTFOUND);
	CHECK(strstr(e.msg, "field 'customer': no customer 'Nobody'") != NULL);
	char pre[9];
	snprintf(pre, sizeof pre, "%.8s", proj);
	char *a = xasprintf("customer=%s", pre);
	CHECK(add(w, "contact", (const char *[]){ a, "name=x", NULL }, NULL, &e) == RERR_INPUT);
	CHECK(strstr(e.msg, "is a project, not a customer") != NULL);
	free(a);
	CHECK(add(w, "interaction", (const char *[]){ "customer=Contoso", "kind=call",
						      "summary=hello", NULL },
		  id, &e) == 0);
	struct record *i = NULL;
	CHECK(ws_load(w, id, "interaction", &i, &e) == 0);
	CHECK(i && record_get(i, "by") && record_get(i, "at")); /* @me and now defaults */
	CHECK(i && !strcmp(record_get(i, "at"), "2026-11-22T09:00:00Z"));
	record_free(i);
	struct record *f = NULL;
	CHECK(ws_load(w, "Fabrikam", "customer", &f, &e) == 0);
	f->deleted = 1;
	CHECK(ws_save(w, f, &e) == 0);
	record_free(f);
	CHECK(add(w, "contact", (const char *[]){ "customer=Fabrikam", "name=x", NULL }, NULL,
		  &e) != 0);
	a = xasprintf("customer=%s", other);
	CHECK(add(w, "contact", (const char *[]){ a, "name=x", NULL }, NULL, &e) == RERR_INPUT);
	CHECK(strstr(e.msg, "is deleted") != NULL);
	free(a);

	/* Assignments: unknown fields, meta fields, set edits. */
	struct record *c = NULL;
	CHECK(ws_load(w, cust, NULL, &c, &e) == 0);
	CHECK(ws_assign(w, c, "colour=red", &e) == RERR_INPUT && strstr(e.msg, "no field 'colour'"));
	CHECK(ws_assign(w, c, "id=1234", &e) == RERR_INPUT);
	CHECK(ws_assign(w, c, "name+=x", &e) == RERR_INPUT);
	CHECK(ws_assign(w, c, "no equals", &e) == RERR_USAGE);
	CHECK(ws_assign(w, c, "tags+=vip", &e) == 0 && ws_assign(w, c, "tags+=emea", &e) == 0);
	CHECK_STR(record_get(c, "tags"), "emea,vip");
	CHECK(ws_assign(w, c, "tags-=vip", &e) == 0);
	CHECK_STR(record_get(c, "tags"), "emea");
	CHECK(ws_assign(w, c, "tags+=a,b", &e) == RERR_INPUT);
	CHECK(ws_assign(w, c, "industry=Retail", &e) == 0 && ws_assign(w, c, "industry=", &e) == 0);
	CHECK(record_get(c, "industry") == NULL);
	CHECK(ws_assign(w, c, "name=", &e) == 0 && ws_save(w, c, &e) == RERR_INPUT);
	record_free(c);

	/* Ambiguous names list the candidates. */
	CHECK(add(w, "customer", (const char *[]){ "name=Twin", NULL }, NULL, &e) == 0);
	CHECK(add(w, "customer", (const char *[]){ "name=twin", NULL }, NULL, &e) == 0);
	CHECK(ws_resolve(w, "Twin", "customer", id, &e) == RERR_INPUT);
	CHECK(strstr(e.msg, "ambiguous") != NULL);

	/* Custom fields: defined, stored, validated, filterable. */
	char fid[33];
	CHECK(ws_field_add(w, "customer", "tier", "choice", "gold,silver", NULL, NULL, fid, &e) == 0);
	CHECK(ws_field_add(w, "customer", "tier", "text", NULL, NULL, NULL, fid, &e) == RERR_INPUT);
	CHECK(ws_field_add(w, "customer", "x", "choice", NULL, NULL, NULL, fid, &e) == RERR_INPUT);
	CHECK(add(w, "customer", (const char *[]){ "name=Gold Co", "tier=gold", NULL }, id, &e) == 0);
	CHECK(add(w, "customer", (const char *[]){ "name=Tin Co", "tier=tin", NULL }, NULL, &e) ==
	      RERR_INPUT);
	struct query q;
	query_init(&q, schema_kind(&w->sc, "customer"));
	long n = 0;
	CHECK(ws_filter(w, &q, "tier=gold", &e) == 0);
	CHECK(store_count(w->st, &q, &n, &e) == 0 && n == 1);
	query_free(&q);
	ws_close(w);
}
