/*
 * rm.c — `rapport rm [--force] ID...`: deletes records as tombstones. Nothing is erased: a
 * deleted record keeps its data, leaves lists and search, and `undelete` brings it back; sync
 * carries the tombstone to other replicas rather than a missing file. A record that live
 * records still refer to (a customer's projects and invoices, a member's tasks) is not deleted
 * unless --force says so: deleting it would leave them pointing at something no list shows,
 * so rm names them and stops, as a database's foreign key would. `undelete` (undelete.c)
 * shares set_deleted and finds deleted records by name too.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_rm = {
	"rm", run, "rm [--force] ID...", N_("Delete records (reversible with undelete)."),
	N_("A deleted record leaves lists, search and the 360 view but keeps its data;\n"
	"'rapport undelete ID' restores it. 'rapport list KIND --deleted' shows deleted records.\n"
	"A record that live records refer to (a customer's projects, invoices, interactions…) is\n"
	"not deleted: rm names them and changes nothing. Delete those too in the same command, or\n"
	"use --force to delete it anyway; they keep their reference, and rm says how many do.\n"),
	CMD_WS,
};

/* The live records that refer to one being deleted, except those deleted with it. */
struct dependents {
	struct ctx *c;
	struct record **batch; /* this command's records, NULL-padded */
	int nbatch;
	long total;
	struct buf counts; /* "2 projects, 10 invoices" */
	struct buf some;   /* the first few, one per line */
	long listed;
};

static bool in_batch(const struct dependents *d, const char *id)
{
	for (int i = 0; i < d->nbatch; i++)
		if (d->batch[i] && !strcmp(d->batch[i]->id, id))
			return true;
	return false;
}

struct group {
	struct dependents *d;
	long n;
};

static int dependent_row(const struct record *r, void *p)
{
	struct group *g = p;
	struct dependents *d = g->d;
	if (in_batch(d, r->id))
		return 0;
	g->n++;
	if (d->listed < 5) {
		char *t = record_title(r);
		struct buf safe = BUF_INIT;
		term_safe(&safe, t, 60, 0);
		buf_addf(&d->some, "\n  %s %.8s  %s", kind_label(r->ki->k), r->id, safe.data);
		buf_release(&safe);
		free(t);
		d->listed++;
	}
	return 0;
}

/* Every reference field of every kind that names r's kind, read through its index. */
static int dependents_of(struct dependents *d, const struct record *r)
{
	const struct schema *sc = &d->c->ws->sc;
	int rc = 0;
	for (size_t k = 0; k < sc->nkinds && !rc; k++) {
		const struct kindinfo *ki = &sc->kinds[k];
		long n = 0;
		for (size_t i = 0; i < ki->nf && !rc; i++) {
			const struct field *f = ki->f[i];
			if ((f->type != FT_REF && f->type != FT_REFS) || !f->ref ||
			    strcmp(f->ref, r->ki->k->name))
				continue;
			struct query q;
			query_init(&q, ki);
			q.cond[0] = (struct qcond){ .f = f, .op = Q_EQ, .value = r->id };
			q.ncond = 1;
			struct group g = { d, 0 };
			rc = store_query(d->c->ws->st, &q, dependent_row, &g, &d->c->err);
			query_free(&q);
			n += g.n;
		}
		if (n) {
			/* TRANSLATORS: between the counts of "2 projects, 10 invoices" */
			buf_adds(&d->counts, d->counts.len ? _(", ") : "");
			/* TRANSLATORS: how many records of a kind refer to the one deleted */
			buf_addf(&d->counts, C_("dependents", "%ld %s"), n,
				 n == 1 ? kind_label(ki->k) : kind_plural_label(ki->k));
		}
		d->total += n;
	}
	if (d->listed < d->total)
		buf_addf(&d->some, "\n  …");
	return rc;
}

static void dependents_free(struct dependents *d)
{
	buf_release(&d->counts);
	buf_release(&d->some);
}

/* Shared by rm and undelete: loads every record first (undelete looks among the deleted), so
 * one bad name changes nothing. */
int set_deleted(struct ctx *c, const struct command *cmd, int argc, char **argv, int deleted)
{
	int rc;
	bool force = false;
	const struct opt opts[] = { { "--force", &force, NULL, NULL }, { NULL, NULL, NULL, NULL } };
	const char **names = xcalloc((size_t)argc + 1, sizeof(*names));
	size_t n = 0;
	struct record **rs = NULL;
	if ((rc = args_parse(c, cmd, argc, argv, deleted ? opts : opts + 1, names, (size_t)argc, &n,
			     NULL)))
		goto out;
	if (!n) {
		rc = usage_error(c, cmd, "which record?");
		goto out;
	}
	if ((rc = ctx_open(c)))
		goto out;
	rs = xcalloc(n + 1, sizeof(*rs));
	for (size_t i = 0; i < n && !rc; i++) {
		char id[33];
		if (!deleted) {
			/* A deleted record's name; failing that, a live one is "not deleted". */
			struct err live = { 0, "" };
			rc = ws_resolve_deleted(c->ws, names[i], NULL, id, &c->err);
			if (rc == RERR_NOTFOUND && !ws_resolve(c->ws, names[i], NULL, id, &live))
				rc = 0;
		} else
			rc = ws_resolve(c->ws, names[i], NULL, id, &c->err);
		if (!rc)
			rc = store_get(c->ws->st, &c->ws->sc, id, &rs[i], &c->err);
		if (!rc)
			rc = engine_refuses(c, rs[i]->ki);
		if (!rc && rs[i]->deleted == deleted && deleted)
			rc = err_set(&c->err, RERR_INPUT, "%s %.8s is already deleted",
				     kind_label(rs[i]->ki->k), rs[i]->id);
		else if (!rc && rs[i]->deleted == deleted)
			rc = err_set(&c->err, RERR_INPUT, "%s %.8s is not deleted",
				     kind_label(rs[i]->ki->k), rs[i]->id);
	}
	/* What still refers to each record being deleted: it refuses, or with --force is said. */
	struct dependents *dep = xcalloc(n + 1, sizeof(*dep));
	for (size_t i = 0; i < n && !rc && deleted; i++) {
		dep[i] = (struct dependents){ c, rs, (int)n, 0, BUF_INIT, BUF_INIT, 0 };
		if ((rc = dependents_of(&dep[i], rs[i])) || !dep[i].total || force)
			continue;
		char *t = record_title(rs[i]);
		struct buf safe = BUF_INIT;
		term_safe(&safe, t, 60, 0);
		/* err_set's own translating finds the translated format as it is. */
		rc = err_set(&c->err, RERR_INPUT,
			     P_("%s %.8s %s: %s still refers to it:%s\n"
				"Delete it too (in the same command), or 'rapport rm --force %.8s' to "
				"delete it anyway: they keep their reference.",
				"%s %.8s %s: %s still refer to it:%s\n"
				"Delete them too (in the same command), or 'rapport rm --force %.8s' to "
				"delete it anyway: they keep their reference.",
				(unsigned long)dep[i].total),
			     kind_label(rs[i]->ki->k), rs[i]->id, safe.data, dep[i].counts.data,
			     dep[i].some.data, rs[i]->id);
		buf_release(&safe);
		free(t);
	}
	if (!rc)
		rc = store_begin(c->ws->st, &c->err);
	for (size_t i = 0; i < n && !rc; i++) {
		rs[i]->deleted = deleted;
		if (!deleted) {
			/* Undeleting settles a delete-against-edit conflict: the edits are already in. */
			char *rest = conflicts_without(rs[i]->conflicts, "deleted");
			free(rs[i]->conflicts);
			rs[i]->conflicts = rest;
		}
		rc = ws_save(c->ws, rs[i], &c->err);
	}
	if (!rc)
		rc = store_commit(c->ws->st, &c->err);
	else
		store_rollback(c->ws->st);
	for (size_t i = 0; i < n; i++) {
		if (!rc && rs[i]) {
			char *t = record_title(rs[i]);
			struct buf tb = BUF_INIT;
			term_text(&tb, t);
			fprintf(c->out, deleted ? _("Deleted %s %.8s %s\n") : _("Restored %s %.8s %s\n"),
				kind_label(rs[i]->ki->k), rs[i]->id, tb.data);
			buf_release(&tb);
			if (deleted && dep[i].total)
				fprintf(c->out, _("  still referring to it: %s\n"), dep[i].counts.data);
			free(t);
		}
		if (deleted)
			dependents_free(&dep[i]);
		record_free(rs[i]);
	}
	free(dep);
out:
	free(rs);
	free(names);
	return rc;
}

static int run(struct ctx *c, int argc, char **argv)
{
	return set_deleted(c, &cmd_rm, argc, argv, 1);
}
