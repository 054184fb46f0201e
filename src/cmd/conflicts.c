/*
 * conflicts.c — `rapport conflicts` lists the values merges had to choose between, and
 * `rapport resolve ID FIELD (ours|theirs|VALUE)` settles one: keep the value the record has
 * (ours), take the other one (theirs), or write a new one. A resolution is a change like any
 * other: it syncs, and the conflict disappears on every replica.
 *
 * Held records (rapport(5) HELD) are listed here too: a team copy this replica could not take
 * as it is, or a record that arrived breaking a rule of its kind. `resolve ID --held ours`
 * keeps this replica's copy (it is written over the team's at the next sync), `--held theirs`
 * takes the team's copy once it reads as valid here. Held rows are each replica's own.
 */
#include "cmd.h"
#include "sync.h"

#include <stdlib.h>
#include <string.h>

static int run_conflicts(struct ctx *c, int argc, char **argv);
static int run_resolve(struct ctx *c, int argc, char **argv);

const struct command cmd_conflicts = {
	"conflicts", run_conflicts, "conflicts", N_("Values a merge had to choose between."),
	N_("When two people changed the same field before syncing, the newer write is kept and the\n"
	"other value is recorded here. A record deleted on one side and edited on the other stays\n"
	"deleted with the edits kept: 'rapport undelete ID' brings it back. Also listed: records\n"
	"held by a sync (the team's copy could not be read here: a value this rapport refuses, a\n"
	"kind it does not know; the team's bytes stay in the snapshot and local edits merge into\n"
	"them) and records that arrived breaking a rule of their kind (due before start, more paid\n"
	"than the amount); 'rapport resolve ID --held ours|theirs' settles those.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_resolve = {
	"resolve", run_resolve, "resolve ID (FIELD (ours|theirs|VALUE) | --held (ours|theirs))",
	N_("Settle a conflict or a held record."),
	N_("ours keeps the current value, theirs takes the value that lost (the newest, if several),\n"
	"anything else is the new value, checked like 'rapport set'. For FIELD 'deleted', theirs\n"
	"undeletes the record. On a record that arrived breaking a rule, FIELD VALUE sets a field\n"
	"to repair it.\n"
	"--held ours keeps this replica's copy of a held record: the next sync writes it over the\n"
	"team's copy (for a record this replica has no copy of, the team's copy stays as it is and\n"
	"is no longer listed). --held theirs takes the team's copy into the database, if it now\n"
	"reads as valid here (after an upgrade, or once the custom field it needs arrived).\n"),
	CMD_WS,
};

/* A kind's name for people; a kind this version does not know as it is. */
static const char *kname(struct ctx *c, const char *kind)
{
	const struct kindinfo *ki = kind ? schema_kind(&c->ws->sc, kind) : NULL;
	return ki ? kind_label(ki->k) : kind;
}

/* Record text made safe for the terminal, as out_safe prints it (owned by the caller). */
static char *safe_text(const char *s)
{
	struct buf b = BUF_INIT;
	term_text(&b, s);
	return buf_detach(&b);
}

struct cl {
	char *field, *rev, *value; /* value NULL: the losing side had the field unset */
};

/* The conflict lines of a record, parsed. */
static size_t parse_conflicts(const struct record *r, struct cl *out, size_t max)
{
	struct text_fields tf;
	struct err e = { 0 };
	size_t n = 0;
	if (!r->conflicts || record_parse(r->conflicts, &tf, &e))
		return 0;
	for (size_t i = 0; i < tf.n && n < max; i++) {
		const char *v = tf.v[i].value;
		if (tf.v[i].name[0] != '!' || !v || strlen(v) < REV_LEN)
			continue;
		out[n].field = xstrdup(tf.v[i].name + 1);
		out[n].rev = xstrndup(v, REV_LEN);
		out[n].value = v[REV_LEN] ? xstrdup(v + REV_LEN + 1) : NULL;
		n++;
	}
	text_fields_free(&tf);
	return n;
}

static void cl_free(struct cl *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].field);
		free(v[i].rev);
		free(v[i].value);
	}
}

struct listing {
	struct ctx *c;
	struct json *j;
	long n;
};

static int show_one(const struct record *r, void *ctx)
{
	struct listing *l = ctx;
	struct ctx *c = l->c;
	struct cl cs[64];
	size_t n = parse_conflicts(r, cs, ARRAY_LEN(cs));
	char *title = record_title(r);
	l->n++;
	if (l->j) {
		json_obj_open(l->j);
		json_key(l->j, "id");
		json_str(l->j, r->id);
		json_key(l->j, "kind");
		json_str(l->j, r->ki->k->name);
		json_key(l->j, "title");
		json_str(l->j, title);
		json_key(l->j, "conflicts");
		json_arr_open(l->j);
		for (size_t i = 0; i < n; i++) {
			const struct field *f = kind_field(r->ki, cs[i].field);
			json_obj_open(l->j);
			json_key(l->j, "field");
			json_str(l->j, cs[i].field);
			json_key(l->j, "current");
			json_str(l->j, !strcmp(cs[i].field, "deleted") ? (r->deleted ? "true" : "false")
					: f ? record_get(r, cs[i].field) : NULL);
			json_key(l->j, "other");
			json_str(l->j, cs[i].value);
			json_key(l->j, "other_rev");
			json_str(l->j, cs[i].rev);
			json_obj_close(l->j);
		}
		json_arr_close(l->j);
		json_obj_close(l->j);
	} else {
		fprintf(c->out, "%s %s%.8s%s ", kind_label(r->ki->k), col(c, C_ID), r->id, col(c, C_RESET));
		out_safe(c, title);
		fputc('\n', c->out);
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(cs[i].field, "deleted")) {
				fputs("    deleted: ", c->out);
				fprintf(c->out,
					_("deleted on one side while edited on the other (edits kept); "
					  "'rapport undelete %.8s' brings it back\n"),
					r->id);
				continue;
			}
			const struct field *f = kind_field(r->ki, cs[i].field);
			char *cur = f ? display_value(c, f, record_get(r, cs[i].field)) : xstrdup("?");
			char *oth = f ? display_value(c, f, cs[i].value) : xstrdup(cs[i].value ? cs[i].value : "");
			char *kept = safe_text(*cur ? cur : _("(unset)")),
			     *other = safe_text(cs[i].value ? oth : _("(unset)"));
			fprintf(c->out, "    %s: ", cs[i].field);
			fprintf(c->out, _("kept %s; other %s"), kept, other);
			fprintf(c->out, " %s", col(c, C_MUTED));
			fprintf(c->out, _("(written %.19s on replica %.8s)"), cs[i].rev, cs[i].rev + 25);
			fprintf(c->out, "%s\n", col(c, C_RESET));
			free(kept);
			free(other);
			free(cur);
			free(oth);
		}
	}
	free(title);
	cl_free(cs, n);
	return 0;
}

static int show_held(const struct held *h, void *ctx)
{
	struct listing *l = ctx;
	struct ctx *c = l->c;
	const char *title = ws_title(c->ws, h->id);
	l->n++;
	if (l->j) {
		json_obj_open(l->j);
		json_key(l->j, "id");
		json_str(l->j, h->id);
		json_key(l->j, "kind");
		json_str(l->j, h->kind);
		json_key(l->j, "title");
		json_str(l->j, title);
		json_key(l->j, "conflicts");
		json_arr_open(l->j);
		json_arr_close(l->j);
		json_key(l->j, "held");
		json_obj_open(l->j);
		json_key(l->j, "reason");
		json_str(l->j, h->reason);
		json_key(l->j, "broken");
		json_bool(l->j, h->broken);
		json_key(l->j, "path");
		json_str(l->j, h->path);
		json_key(l->j, "since");
		json_str(l->j, h->since);
		json_obj_close(l->j);
		json_obj_close(l->j);
		return 0;
	}
	fprintf(c->out, "%s %s%.8s%s ", kname(c, h->kind), col(c, C_ID), h->id, col(c, C_RESET));
	out_safe(c, title);
	fputc('\n', c->out);
	fputs("    ", c->out);
	fputs(h->broken ? _("broken: arrived breaking a rule: ")
			: _("held: the team's copy could not be read: "),
	      c->out);
	out_safe(c, h->reason);
	fputs("\n    ", c->out);
	if (h->broken)
		fprintf(c->out, _("(edit the fields named to repair it; 'rapport resolve %.8s "
				  "--held ours' accepts it as it is)\n"),
			h->id);
	else
		fprintf(c->out, _("(the team's bytes stay in the snapshot and edits here merge into "
				  "them; 'rapport resolve %.8s --held ours|theirs')\n"),
			h->id);
	return 0;
}

static int run_conflicts(struct ctx *c, int argc, char **argv)
{
	struct buf b = BUF_INIT;
	struct json j;
	struct listing l = { c, NULL, 0 };
	int rc;
	if (argc > 1 && argv[1][0] == '-')
		return usage_error(c, &cmd_conflicts, "unknown option '%s'", argv[1]);
	if (argc > 1)
		return usage_error(c, &cmd_conflicts, "unexpected '%s'", argv[1]);
	if ((rc = ctx_open(c)))
		return rc;
	if (c->json) {
		json_init(&j, &b, c->tty);
		json_arr_open(&j);
		l.j = &j;
	}
	rc = store_conflicted(c->ws->st, &c->ws->sc, show_one, &l, &c->err);
	if (!rc)
		rc = store_held_each(c->ws->st, show_held, &l, &c->err);
	if (c->json) {
		json_arr_close(&j);
		if (!rc)
			json_flush(c, &b);
		buf_release(&b);
	} else if (!rc && !l.n)
		fprintf(c->out, _("No conflicts.\n"));
	return rc;
}

struct held_find {
	const char *prefix;
	struct held *hit;
	int n;
};

static int find_held(const struct held *h, void *ctx)
{
	struct held_find *f = ctx;
	if (strncmp(h->id, f->prefix, strlen(f->prefix)))
		return 0;
	if (!f->n++) {
		f->hit = xcalloc(1, sizeof(*f->hit));
		*f->hit = *h;
		f->hit->path = h->path ? xstrdup(h->path) : NULL;
		f->hit->blob = h->blob ? xstrdup(h->blob) : NULL;
		f->hit->text = h->text ? xstrdup(h->text) : NULL;
		f->hit->base = h->base ? xstrdup(h->base) : NULL;
		f->hit->reason = h->reason ? xstrdup(h->reason) : NULL;
		f->hit->since = h->since ? xstrdup(h->since) : NULL;
	}
	return 0;
}

/* resolve ID --held ours|theirs */
static int resolve_held(struct ctx *c, const char *ref, const char *how)
{
	struct ws *w = c->ws;
	struct record *r = NULL, *team = NULL;
	struct held_find f = { ref, NULL, 0 };
	struct err le = { 0 }, fe = { 0 };
	char id[33] = "";
	int rc;
	if (strcmp(how, "ours") && strcmp(how, "theirs"))
		return err_set(&c->err, RERR_USAGE, "--held takes ours or theirs, not '%s'", how);
	/* The record by name or id; a held record with no copy here by its id (prefix). */
	if (!ws_resolve(w, ref, NULL, id, &le)) {
		f.prefix = id;
		ws_load(w, id, NULL, &r, &le);
	} else if (!id_is_hex(ref, 4, 32))
		return err_set(&c->err, le.code ? le.code : RERR_NOTFOUND, "%s", le.msg);
	if ((rc = store_held_each(w->st, find_held, &f, &c->err)))
		goto out;
	if (f.n > 1) {
		rc = err_set(&c->err, RERR_INPUT, "'%s' names %d held records: give more of the id", ref,
			     f.n);
		goto out;
	}
	if (!f.hit) {
		rc = err_set(&c->err, RERR_INPUT, "'%s' is not held (see rapport conflicts)", ref);
		goto out;
	}
	const struct kindinfo *ki = schema_kind(&w->sc, f.hit->kind);
	if (!strcmp(how, "ours")) {
		if ((rc = store_begin(w->st, &c->err)))
			goto out;
		/* Written again as a local edit: the next snapshot writes this copy as it is. */
		if (r && !f.hit->broken && (rc = store_held_drop(w->st, f.hit->id, &c->err)) == 0)
			rc = ws_save(w, r, &c->err);
		else if (!rc)
			rc = store_held_drop(w->st, f.hit->id, &c->err);
		rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, &c->err);
		const char *kn = kname(c, f.hit->kind);
		if (!rc && r && !f.hit->broken)
			fprintf(c->out, _("Kept this replica's copy of %s %.8s: the next sync writes it "
					  "for the team\n"),
				kn, f.hit->id);
		else if (!rc && !r)
			fprintf(c->out, _("Kept this replica's copy of %s %.8s (none: the team's copy "
					  "stays as it is, no longer listed)\n"),
				kn, f.hit->id);
		else if (!rc)
			fprintf(c->out, _("Kept this replica's copy of %s %.8s\n"), kn, f.hit->id);
		goto out;
	}
	if (f.hit->broken) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s came in as the team has it: repair it with "
						  "'rapport set' or keep it with --held ours",
			     kname(c, f.hit->kind), f.hit->id);
		goto out;
	}
	if (!ki || !f.hit->text ||
	    record_from_text(ki, f.hit->id, f.hit->text, clock_now(), &team, &fe) ||
	    ws_rule_check(w, team, &fe)) {
		rc = err_set(&c->err, RERR_INPUT,
			     "%s %.8s: the team's copy still cannot be read here: %s; keep this "
			     "replica's copy with --held ours, or fix the value with 'rapport set'",
			     kname(c, f.hit->kind), f.hit->id,
			     !ki ? _("this rapport does not know the kind")
			     : !f.hit->text ? _("it is not text") : fe.msg);
		goto out;
	}
	if ((rc = store_begin(w->st, &c->err)))
		goto out;
	store_write_mode(w->st, STORE_IMPORT);
	rc = r ? store_update(w->st, team, &c->err) : store_insert(w->st, team, &c->err);
	store_write_mode(w->st, STORE_LOCAL);
	if (!rc)
		rc = store_held_drop(w->st, f.hit->id, &c->err);
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, &c->err);
	if (!rc)
		fprintf(c->out, _("Took the team's copy of %s %.8s\n"), kname(c, f.hit->kind), f.hit->id);
out:
	record_free(r);
	record_free(team);
	held_free(f.hit);
	return rc;
}

static int run_resolve(struct ctx *c, int argc, char **argv)
{
	struct record *r = NULL;
	struct cl cs[64];
	size_t n = 0;
	int rc;
	if (argc == 4 && !strcmp(argv[2], "--held"))
		return ctx_open(c) ? c->err.code : resolve_held(c, argv[1], argv[3]);
	if (argc < 4)
		return usage_error(c, &cmd_resolve,
				   "resolve ID FIELD (ours|theirs|VALUE), or ID --held (ours|theirs)");
	if (argc > 4)
		return usage_error(c, &cmd_resolve, "too many arguments");
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, argv[1], NULL, &r, &c->err)))
		return rc;
	const char *field = argv[2], *how = argv[3];
	n = parse_conflicts(r, cs, ARRAY_LEN(cs));
	const struct cl *newest = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cs[i].field, field) && (!newest || strcmp(cs[i].rev, newest->rev) > 0))
			newest = &cs[i];
	struct held *h = NULL;
	struct err he = { 0 };
	bool broken = !newest && !store_held_get(c->ws->st, r->id, &h, &he) && h->broken;
	held_free(h);
	if (broken && strcmp(how, "ours") && strcmp(how, "theirs")) {
		/* A record that arrived breaking a rule: FIELD VALUE is the repair. */
		const struct field *f = kind_field(r->ki, field);
		if (!f || (f->flags & F_META))
			rc = err_set(&c->err, RERR_INPUT, "%s has no field '%s'", kind_label(r->ki->k), field);
		else if (!(rc = ws_put(c->ws, r, f, how, &c->err)) && !(rc = ws_save(c->ws, r, &c->err)))
			fprintf(c->out, _("Set %s on %s %.8s\n"), field, kind_label(r->ki->k), r->id);
		goto out;
	}
	if (!newest) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s: no conflict on '%s' (see rapport conflicts)",
			     kind_label(r->ki->k), r->id, field);
		goto out;
	}
	bool del = !strcmp(field, "deleted");
	if (del) {
		if (!strcmp(how, "theirs") || !strcmp(how, "false"))
			r->deleted = 0;
		else if (strcmp(how, "ours") && strcmp(how, "true")) {
			rc = err_set(&c->err, RERR_INPUT,
				     "deleted: ours keeps the record deleted, theirs brings it back");
			goto out;
		}
	} else if (!strcmp(how, "theirs")) {
		const struct field *f = kind_field(r->ki, field);
		int idx = f ? kind_field_index(r->ki, f) : -1;
		if (idx < 0) {
			rc = err_set(&c->err, RERR_INPUT, "%s: not a field this rapport knows", field);
			goto out;
		}
		record_put(r, idx, newest->value ? xstrdup(newest->value) : NULL);
	} else if (strcmp(how, "ours")) {
		const struct field *f = kind_field(r->ki, field);
		if (!f || (f->flags & F_META)) {
			rc = err_set(&c->err, RERR_INPUT, "%s has no field '%s'", kind_label(r->ki->k), field);
			goto out;
		}
		if ((rc = ws_put(c->ws, r, f, how, &c->err)))
			goto out;
	}
	char *rest = conflicts_without(r->conflicts, field);
	free(r->conflicts);
	r->conflicts = rest;
	if ((rc = ws_save(c->ws, r, &c->err)))
		goto out;
	fprintf(c->out, _("Resolved %s on %s %.8s\n"), field, kind_label(r->ki->k), r->id);
out:
	cl_free(cs, n);
	record_free(r);
	return rc;
}
