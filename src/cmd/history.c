/*
 * history.c — what snapshots remember: `rapport log [ID]` (the snapshot history, or one record's
 * with who changed which field when), `rapport diff [REV [REV]]` (record- and field-level
 * changes) and `rapport restore --at REV ID` (a record back as it was). REV is anything git
 * understands in the snapshot repository: a commit id or prefix from `log`, main~3, ...
 */
#include "cmd.h"
#include "process.h"
#include "sync.h"

#include <stdlib.h>
#include <string.h>

static int run_log(struct ctx *c, int argc, char **argv);
static int run_diff(struct ctx *c, int argc, char **argv);
static int run_restore(struct ctx *c, int argc, char **argv);

const struct command cmd_log = {
	"log", run_log, "log [ID] [--limit N]", N_("Snapshot history, or one record's history."),
	N_("Without ID: the snapshots, newest first, with who made them and what changed.\n"
	"With ID: every snapshot that changed the record, with each field's old and new value\n"
	"(references by the names of the records they point at), and the record's local change\n"
	"not yet snapshotted, if any (before the first snapshot: the whole record). For a record\n"
	"a process moves (a project, contract, milestone, change) its decisions come first: every\n"
	"transition and approval, who asked, who decided, when, why, with what evidence. --json\n"
	"gives the snapshot data, references as ids.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_diff = {
	"diff", run_diff, "diff [REV [REV]]", N_("Changes between snapshots, field by field."),
	N_("No REV: local changes not yet snapshotted. One REV: from that snapshot to now. Two: from\n"
	"the first to the second. REV is a snapshot id (or prefix) from 'rapport log', or main~N.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_restore = {
	"restore", run_restore, "restore --at REV ID", N_("Bring a record back as it was in a snapshot."),
	N_("Every field (and whether it was deleted) is set back to its value in snapshot REV, as a\n"
	"new change that syncs like any other. History is kept: nothing is rewritten.\n"),
	CMD_WS,
};

/* One line of a value for the screen: the first line, marked when more follow. */
static void short_val(struct ctx *c, const char *v)
{
	if (!v) {
		fprintf(c->out, "%s%s%s", col(c, C_MUTED), _("(unset)"), col(c, C_RESET));
		return;
	}
	struct buf b = BUF_INIT;
	size_t n = strcspn(v, "\n");
	char *first = xstrndup(v, n > 200 ? 200 : n);
	term_safe(&b, first, 200, 0);
	fprintf(c->out, "%s%s", b.data, v[n] || n > 200 ? " …" : "");
	free(first);
	buf_release(&b);
}

/* A value as a person reads it: a reference (an id, or ids) by the names of the records it
 * points at, as `show` prints them, anything else as stored. ki NULL: a kind this version does
 * not know, shown as stored. */
static void field_val(struct ctx *c, const struct kindinfo *ki, const char *field, const char *v)
{
	const struct field *f = ki && v ? kind_field(ki, field) : NULL;
	if (!f || (f->type != FT_REF && f->type != FT_REFS)) {
		short_val(c, v);
		return;
	}
	char *names = display_value(c, f, v);
	short_val(c, names);
	free(names);
}

static void print_changes(struct ctx *c, const struct kindinfo *ki, const struct text_change *fc,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fc[i].name[0] == '!') {
			/* The colour ends after the field's name. */
			fputs("    ", c->out);
			if (fc[i].new)
				fprintf(c->out, _("%sconflict on %s%s recorded: "), col(c, C_WARN),
					fc[i].name + 1, col(c, C_RESET));
			else
				fprintf(c->out, _("%sconflict on %s%s resolved: "), col(c, C_WARN),
					fc[i].name + 1, col(c, C_RESET));
			const char *v = fc[i].new ? fc[i].new : fc[i].old;
			field_val(c, ki, fc[i].name + 1, v && strlen(v) > REV_LEN ? v + REV_LEN + 1 : NULL);
			fputc('\n', c->out);
			continue;
		}
		fprintf(c->out, "    %s: ", fc[i].name);
		field_val(c, ki, fc[i].name, fc[i].old);
		fputs(" → ", c->out);
		field_val(c, ki, fc[i].name, fc[i].new);
		fputc('\n', c->out);
	}
}

static void json_changes(struct json *j, const struct text_change *fc, size_t n)
{
	json_arr_open(j);
	for (size_t i = 0; i < n; i++) {
		json_obj_open(j);
		json_key(j, "field");
		json_str(j, fc[i].name);
		json_key(j, "old");
		json_str(j, fc[i].old);
		json_key(j, "new");
		json_str(j, fc[i].new);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void when(char *out, size_t n, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

/* ---- log ---- */

struct logctx {
	struct ctx *c;
	struct gitl *g;
	const char *path;
	const struct kindinfo *ki; /* the record's kind, with path */
	long limit, shown;
	struct json *j;
};

static int parse_text(const char *text, struct text_fields *tf)
{
	struct err e = { 0 };
	memset(tf, 0, sizeof(*tf));
	return text ? record_parse(text, tf, &e) : 0;
}

static int log_one(const struct gitl_commit *gc, void *ctx)
{
	struct logctx *l = ctx;
	struct ctx *c = l->c;
	struct err e = { 0 };
	struct buf now = BUF_INIT, before = BUF_INIT;
	struct text_fields a = { NULL, 0 }, b = { NULL, 0 };
	struct text_change fc[128];
	size_t nfc = 0;
	int rc = 0;
	if (l->limit && l->shown >= l->limit)
		return 1;
	if (l->path) {
		bool has = gitl_read(l->g, gc->id, l->path, SYNC_MAX_FILE, &now, &e) == 0;
		bool changed = gc->nparents == 0 ? has : true;
		/* A change is the commit's own when it differs from every parent. */
		for (size_t i = 0; i < gc->nparents && changed; i++) {
			buf_reset(&before);
			bool phas = gitl_read(l->g, gc->parent[i], l->path, SYNC_MAX_FILE, &before, &e) == 0;
			if (phas == has && (!has || !strcmp(before.data, now.data)))
				changed = false;
		}
		if (!changed)
			goto out;
		buf_reset(&before);
		bool phas = gc->nparents &&
			    gitl_read(l->g, gc->parent[0], l->path, SYNC_MAX_FILE, &before, &e) == 0;
		parse_text(phas ? before.data : NULL, &a);
		parse_text(has ? now.data : NULL, &b);
		nfc = text_changes(&a, &b, fc, ARRAY_LEN(fc));
	}
	l->shown++;
	char date[32];
	when(date, sizeof date, gc->when);
	if (l->j) {
		json_obj_open(l->j);
		json_key(l->j, "snapshot");
		json_str(l->j, gc->id);
		json_key(l->j, "author");
		json_str(l->j, gc->name);
		json_key(l->j, "email");
		json_str(l->j, gc->email);
		json_key(l->j, "date");
		json_str(l->j, date);
		json_key(l->j, "message");
		json_str(l->j, gc->message);
		if (l->path) {
			json_key(l->j, "changes");
			json_changes(l->j, fc, nfc);
		}
		json_obj_close(l->j);
		goto out;
	}
	struct buf line = BUF_INIT;
	size_t mlen = strcspn(gc->message, "\n");
	char *m = xstrndup(gc->message, mlen);
	term_safe(&line, m, 0, 0);
	free(m);
	fprintf(c->out, "%s%.8s%s  %s  ", col(c, C_ID), gc->id, col(c, C_RESET), date);
	out_safe(c, gc->name);
	fprintf(c->out, "%s%s\n", l->path ? "" : "  ", l->path ? "" : line.data);
	buf_release(&line);
	print_changes(c, l->ki, fc, nfc);
out:
	text_fields_free(&a);
	text_fields_free(&b);
	buf_release(&now);
	buf_release(&before);
	return rc;
}

static int run_log(struct ctx *c, int argc, char **argv)
{
	struct gitl *g = NULL;
	struct logctx l = { .c = c };
	const char *id = NULL;
	char head[GITL_OID], path[128];
	int rc;
	const char *limit = NULL;
	const struct opt opts[] = { { "--limit", NULL, &limit, NULL }, { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_log, argc, argv, opts, &id, 1, NULL, _("one record at a time"))))
		return rc;
	if (limit) {
		char *end;
		l.limit = strtol(limit, &end, 10);
		if (*end || l.limit < 1)
			return usage_error(c, &cmd_log, "--limit: '%s' is not a positive number", limit);
	}
	if ((rc = ctx_repo(c, &g)))
		return rc;
	l.g = g;
	struct record *r = NULL;
	if (id) {
		if ((rc = ws_load(c->ws, id, NULL, &r, &c->err)))
			goto out;
		sync_path(path, sizeof path, r->ki->k->name, r->id);
		l.path = path;
		l.ki = r->ki;
	}
	struct buf jb = BUF_INIT;
	struct json j;
	if (c->json) {
		json_init(&j, &jb, c->tty);
		json_arr_open(&j);
		l.j = &j;
	}
	bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
	/* A record moved by a process: its decisions first, as people ask about them. */
	if (r && !c->json && process_stage_field(r->ki) && (rc = decisions_print(c, r)))
		goto out;
	/* The record's own change not yet in a snapshot comes first. Before the first snapshot
	 * nothing is tracked as changed, yet all of the record is: it shows as that change (who
	 * wrote it last, when, and every field it has). */
	char *dirty = NULL;
	if (r && !(rc = store_dirty_rev(c->ws->st, r->id, &dirty, &c->err)) && (dirty || !have)) {
		struct buf before = BUF_INIT, now = BUF_INIT;
		struct text_fields a, b;
		struct text_change fc[128];
		struct err e = { 0 };
		bool phas = have && gitl_read(g, head, path, SYNC_MAX_FILE, &before, &e) == 0;
		record_file(&now, r);
		parse_text(phas ? before.data : NULL, &a);
		parse_text(now.data, &b);
		size_t n = text_changes(&a, &b, fc, ARRAY_LEN(fc));
		if (l.j) {
			json_obj_open(&j);
			json_key(&j, "snapshot");
			json_null(&j);
			json_key(&j, "author");
			json_str(&j, r->author);
			json_key(&j, "date");
			json_str(&j, r->updated);
			json_key(&j, "changes");
			json_changes(&j, fc, n);
			json_obj_close(&j);
		} else {
			fprintf(c->out, "%s%s%s  %s  ", col(c, C_WARN), _("not yet snapshotted"),
				col(c, C_RESET), r->updated ? r->updated : "");
			out_safe(c, r->author ? r->author : "");
			fputc('\n', c->out);
			print_changes(c, r->ki, fc, n);
		}
		l.shown++;
		text_fields_free(&a);
		text_fields_free(&b);
		buf_release(&before);
		buf_release(&now);
	}
	free(dirty);
	if (!rc && have)
		rc = gitl_log(g, head, log_one, &l, &c->err);
	if (rc == 1)
		rc = 0;
	if (!rc && !have && !l.shown && !c->json)
		fprintf(c->out, _("No snapshots yet: 'rapport sync' makes the first.\n"));
	if (c->json) {
		json_arr_close(&j);
		if (!rc)
			json_flush(c, &jb);
		buf_release(&jb);
	}
out:
	record_free(r);
	gitl_close(g);
	return rc;
}

/* ---- diff ---- */

struct diffctx {
	struct ctx *c;
	struct gitl *g;
	bool to_db; /* the new side is the database, not a snapshot */
	long n;
};

static void diff_record(struct diffctx *d, const char *path, const char *oldtext,
			const char *newtext)
{
	struct ctx *c = d->c;
	struct text_fields a, b;
	struct text_change fc[128];
	char kind[32], id[33];
	if (parse_text(oldtext, &a) || parse_text(newtext, &b)) {
		text_fields_free(&a);
		return;
	}
	size_t n = text_changes(&a, &b, fc, ARRAY_LEN(fc));
	bool del_a = false, del_b = false, h;
	const char *v = text_value(&a, "deleted", &h);
	del_a = v && !strcmp(v, "true");
	v = text_value(&b, "deleted", &h);
	del_b = v && !strcmp(v, "true");
	if (n && sync_parse_path(path, kind, id)) {
		const char *what = !oldtext		 ? NC_("diff", "added")
				   : del_b && !del_a ? NC_("diff", "deleted")
				   : del_a && !del_b ? NC_("diff", "restored")
						     : NC_("diff", "changed");
		const struct kindinfo *ki = schema_kind(&c->ws->sc, kind);
		fprintf(c->out, "%s%s%s %s %s%.8s%s ", col(c, C_HEAD), C_("diff", what), col(c, C_RESET),
			ki ? kind_label(ki->k) : kind, col(c, C_ID), id, col(c, C_RESET));
		out_safe(c, ws_title(c->ws, id));
		fputc('\n', c->out);
		print_changes(c, schema_kind(&c->ws->sc, kind), fc, n);
		d->n++;
	}
	text_fields_free(&a);
	text_fields_free(&b);
}

/* The database's version of a record path, as a snapshot would hold it. */
static bool db_text(struct ctx *c, const char *path, struct buf *out)
{
	char kind[32], id[33];
	struct record *r;
	struct err e = { 0 };
	if (!sync_parse_path(path, kind, id) || store_get(c->ws->st, &c->ws->sc, id, &r, &e))
		return false;
	buf_reset(out);
	record_file(out, r);
	record_free(r);
	return true;
}

struct pathset {
	struct strv paths;
	struct strv olds;
};

static int diff_collect(const char *path, const char *old, const char *new, void *ctx)
{
	struct pathset *p = ctx;
	strv_push(&p->paths, path);
	strv_push(&p->olds, old);
	(void)new;
	return 0;
}

static int run_diff(struct ctx *c, int argc, char **argv)
{
	struct gitl *g = NULL;
	char a[GITL_OID], b[GITL_OID], head[GITL_OID];
	struct pathset ps = { STRV_INIT, STRV_INIT };
	struct buf ot = BUF_INIT, nt = BUF_INIT;
	int rc;
	if (argc > 3)
		return usage_error(c, &cmd_diff, "at most two snapshots");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return usage_error(c, &cmd_diff, "unknown option '%s'", argv[i]);
	if ((rc = ctx_repo(c, &g)))
		return rc;
	struct diffctx d = { c, g, argc < 3, 0 };
	bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
	if ((argc > 1 && (rc = gitl_resolve(g, argv[1], a, &c->err))) ||
	    (argc > 2 && (rc = gitl_resolve(g, argv[2], b, &c->err))))
		goto out;
	if (argc == 1)
		snprintf(a, sizeof a, "%s", have ? head : "");
	if (argc == 3) {
		if ((rc = gitl_changes(g, a, b, diff_collect, &ps, &c->err)))
			goto out;
	} else {
		/* To now: what snapshots changed since a, plus what is not snapshotted yet. */
		struct strv ids = STRV_INIT, revs = STRV_INIT;
		if (a[0] && strcmp(a, head) && (rc = gitl_changes(g, a, head, diff_collect, &ps, &c->err)))
			goto out;
		if ((rc = store_dirty_list(c->ws->st, &ids, &revs, &c->err)))
			goto out;
		for (size_t i = 0; i < ids.n; i++) {
			char *kind = NULL, path[128];
			struct err e = { 0 };
			if (store_kind_of(c->ws->st, ids.v[i], &kind, &e))
				continue;
			sync_path(path, sizeof path, kind, ids.v[i]);
			free(kind);
			if (!strv_has(&ps.paths, path)) {
				strv_push(&ps.paths, path);
				strv_push(&ps.olds, "?");
			}
		}
		strv_clear(&ids);
		strv_clear(&revs);
	}
	for (size_t i = 0; i < ps.paths.n; i++) {
		struct err e = { 0 };
		const char *path = ps.paths.v[i];
		bool has_old = a[0] && gitl_read(g, a, path, SYNC_MAX_FILE, &ot, &e) == 0;
		bool has_new = d.to_db ? db_text(c, path, &nt)
				       : gitl_read(g, b, path, SYNC_MAX_FILE, &nt, &e) == 0;
		if (!has_new && d.to_db)
			has_new = have && gitl_read(g, head, path, SYNC_MAX_FILE, &nt, &e) == 0;
		if (has_new)
			diff_record(&d, path, has_old ? ot.data : NULL, nt.data);
	}
	if (!d.n && !c->json)
		fprintf(c->out, _("No changes.\n"));
out:
	strv_clear(&ps.paths);
	strv_clear(&ps.olds);
	buf_release(&ot);
	buf_release(&nt);
	gitl_close(g);
	return rc;
}

/* ---- restore ---- */

static int run_restore(struct ctx *c, int argc, char **argv)
{
	struct gitl *g = NULL;
	const char *rev = NULL, *id = NULL;
	struct record *cur = NULL, *old = NULL;
	struct buf text = BUF_INIT;
	char commit[GITL_OID], path[128];
	int rc;
	const struct opt opts[] = { { "--at", NULL, &rev, NULL }, { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_restore, argc, argv, opts, &id, 1, NULL,
			     _("one record at a time"))))
		return rc;
	if (!rev)
		return usage_error(c, &cmd_restore, "--at REV is required");
	if (!id)
		return usage_error(c, &cmd_restore, "which record?");
	if ((rc = ctx_repo(c, &g)) || (rc = gitl_resolve(g, rev, commit, &c->err)) ||
	    (rc = ws_load(c->ws, id, NULL, &cur, &c->err)))
		goto out;
	sync_path(path, sizeof path, cur->ki->k->name, cur->id);
	if ((rc = gitl_read(g, commit, path, SYNC_MAX_FILE, &text, &c->err))) {
		if (rc == RERR_NOTFOUND)
			rc = err_set(&c->err, RERR_INPUT, "%s %.8s did not exist in snapshot %.8s",
				     kind_label(cur->ki->k), cur->id, commit);
		goto out;
	}
	if ((rc = record_from_text(cur->ki, cur->id, text.data, clock_now(), &old, &c->err))) {
		err_prefix(&c->err, "snapshot %.8s: %s", commit, path);
		goto out;
	}
	for (size_t i = 0; i < cur->ki->nf; i++) {
		free(cur->val[i]);
		cur->val[i] = old->val[i];
		old->val[i] = NULL;
	}
	cur->deleted = old->deleted;
	free(cur->extra);
	cur->extra = old->extra;
	old->extra = NULL;
	if ((rc = ws_save(c->ws, cur, &c->err)))
		goto out;
	char *t = record_title(cur);
	struct buf tb = BUF_INIT;
	term_text(&tb, t);
	fprintf(c->out, _("Restored %s %.8s %s as of snapshot %.8s\n"), kind_label(cur->ki->k),
		cur->id, tb.data, commit);
	buf_release(&tb);
	free(t);
out:
	record_free(cur);
	record_free(old);
	buf_release(&text);
	gitl_close(g);
	return rc;
}
