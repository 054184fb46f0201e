/*
 * list.c — `rapport list KIND [filters] [--sort] [--limit]`: a table (or JSON array) of records.
 * Columns are the kind's F_LIST fields plus custom fields, references shown by name.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_list = {
	"list", run,
	"list KIND [FIELD=V | FIELD!=V | FIELD<V | FIELD>V | FIELD~TEXT]... [--sort F,-G] [--limit N] "
	"[--offset N] [--columns A,B] [--deleted]",
	N_("List records of a kind, filtered and sorted."),
	N_("Filters combine with AND. FIELD=V matches exactly (on a list field such as tags:\n"
	"contains V); FIELD= matches unset and FIELD!= set; FIELD<V, FIELD>V, FIELD<=V, FIELD>=V\n"
	"compare numbers and dates (relative dates work: due<today); FIELD~TEXT matches a\n"
	"case-insensitive substring. References match by id or name: customer=Fabrikam.\n"
	"On a choice field FIELD=A,B matches either (status=open,pending); REF.FIELD filters\n"
	"through a reference (project.status=active, project.customer=Fabrikam).\n"
	"Options:\n"
	"  --sort F,-G     order by F, then by G descending (default: the kind's natural order)\n"
	"  --limit N       at most N records; --offset N skips the first N\n"
	"  --columns A,B   show these fields (id is always first)\n"
	"  --deleted       list deleted records instead\n"
	"With --json, prints an array of records with every field.\n"),
	CMD_WS | CMD_PAGER,
};

struct listing {
	struct ctx *c;
	struct table t;
	const struct field **cols;
	size_t ncols;
	struct json j;
	struct buf jb;
	long n;
};

static int row(const struct record *r, void *p)
{
	struct listing *l = p;
	l->n++;
	if (l->c->json) {
		json_record(&l->j, r);
		return 0;
	}
	table_record(l->c, &l->t, r, l->cols, l->ncols);
	return 0;
}

static long parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	return *s && !*end && n >= 0 ? n : -1;
}

static int run(struct ctx *c, int argc, char **argv)
{
	const struct kindinfo *ki;
	struct query q;
	struct listing l = { .c = c, .jb = BUF_INIT };
	const char *sort = NULL, *columns = NULL, *limit = NULL, *offset = NULL;
	const char **filters = NULL;
	bool deleted = false;
	size_t nfilters = 0;
	int rc;
	if (argc < 2)
		return usage_error(c, &cmd_list, "which kind of record?");
	if ((rc = ctx_open(c)) || (rc = kind_arg(c, argv[1], &ki)))
		return rc;
	query_init(&q, ki);
	const struct opt opts[] = { { "--sort", NULL, &sort, NULL },
				    { "--columns", NULL, &columns, NULL },
				    { "--limit", NULL, &limit, NULL },
				    { "--offset", NULL, &offset, NULL },
				    { "--deleted", &deleted, NULL, NULL },
				    { NULL, NULL, NULL, NULL } };
	/* After KIND: every other argument is a filter. */
	filters = xcalloc((size_t)argc, sizeof(*filters));
	rc = args_parse(c, &cmd_list, argc - 1, argv + 1, opts, filters, (size_t)argc, &nfilters, "");
	const char *counts[] = { limit, offset };
	for (size_t i = 0; i < 2 && !rc; i++) {
		long n = counts[i] ? parse_count(counts[i]) : 0;
		if (n < 0)
			rc = usage_error(c, &cmd_list, "%s: '%s' is not a count", i ? "--offset" : "--limit",
					 counts[i]);
		else if (i)
			q.offset = n;
		else
			q.limit = n;
	}
	q.deleted = deleted;
	for (size_t i = 0; i < nfilters && !rc; i++)
		rc = ws_filter(c->ws, &q, filters[i], &c->err);
	if (!rc)
		rc = ws_sort(c->ws, &q, sort, &c->err);
	if (rc)
		goto out;
	/* Columns: the kind's list fields (the filtered-on reference is still shown: it is short). */
	l.cols = xcalloc(ki->nf + meta_count, sizeof(*l.cols));
	if (columns) {
		struct strv names = STRV_INIT;
		strv_split(&names, columns, ',');
		for (size_t i = 0; i < names.n && !rc; i++) {
			const struct field *f = kind_field(ki, names.v[i]);
			if (!f)
				rc = err_set(&c->err, RERR_INPUT, "--columns: %s has no field '%s'",
					     ki->k->name, names.v[i]);
			else if (strcmp(f->name, "id") && l.ncols < ki->nf + meta_count)
				l.cols[l.ncols++] = f;
		}
		strv_clear(&names);
		if (rc)
			goto out;
	} else
		for (size_t i = 0; i < ki->nf; i++)
			if (ki->f[i]->flags & F_LIST)
				l.cols[l.ncols++] = ki->f[i];
	if (c->json) {
		json_init(&l.j, &l.jb, true);
		json_arr_open(&l.j);
	} else {
		table_records_head(&l.t, l.cols, l.ncols);
	}
	rc = store_query(c->ws->st, &q, row, &l, &c->err);
	if (rc)
		goto out;
	if (c->json) {
		json_arr_close(&l.j);
		json_flush(c, &l.jb);
	} else if (l.n)
		table_print(c, &l.t, 0);
	else if (c->tty)
		fprintf(stderr, q.deleted ? _("No deleted %s.\n") : _("No %s.\n"), kind_plural_label(ki->k));
out:
	if (!c->json && l.t.ncols)
		table_free(&l.t);
	buf_release(&l.jb);
	free(l.cols);
	free(filters);
	query_free(&q);
	return rc;
}
