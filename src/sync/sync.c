/*
 * sync.c — snapshots, import and the exchange with a remote.
 *
 * The order of every step is what makes a crash harmless:
 *   snapshot: blobs and trees → commit → branch moves → the queue of local writes is cleared
 *             (a crash before clearing re-exports the same bytes: no new commit);
 *   import:   in one database transaction, records plus meta "snapshot" = the commit imported
 *             → commit → branch moves (sync_open moves it if a crash came first);
 *   push:     never forced; a rejected push fetches and merges again.
 * A record written by someone else while a sync runs is merged against the snapshot it was
 * based on, like any other concurrent edit, and stays queued for the next snapshot.
 */
#include "sync.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void sync_report_free(struct sync_report *r)
{
	strv_clear(&r->warnings);
}

void sync_path(char *out, size_t n, const char *kind, const char *id)
{
	snprintf(out, n, "%s/%.2s/%s", kind, id, id);
}

bool sync_parse_path(const char *path, char kind[32], char id[33])
{
	const char *s1 = strchr(path, '/');
	if (!s1 || s1 == path || (size_t)(s1 - path) >= 32)
		return false;
	const char *s2 = strchr(s1 + 1, '/');
	if (!s2 || s2 - s1 != 3 || strlen(s2 + 1) != 32)
		return false;
	for (const char *p = path; p < s1; p++)
		if (!(*p >= 'a' && *p <= 'z') && *p != '_')
			return false;
	for (const char *p = s2 + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	if (strncmp(s1 + 1, s2 + 1, 2))
		return false;
	memcpy(kind, path, (size_t)(s1 - path));
	kind[s1 - path] = '\0';
	memcpy(id, s2 + 1, 33);
	return true;
}

/* A file from the remote as text: a regular file, at most SYNC_MAX_FILE, no NUL, UTF-8. */
static int blob_text(struct gitl *g, const char *path, const char *blob, struct buf *text,
		     struct err *e)
{
	struct err fe = { 0 };
	if (!strcmp(blob, "-"))
		return err_set(e, RERR_INPUT, "%s: not a regular file", path);
	if (gitl_read_blob(g, blob, SYNC_MAX_FILE, text, &fe))
		return err_set(e, RERR_INPUT, "%s: %s", path, fe.msg);
	if (memchr(text->data, '\0', text->len))
		return err_set(e, RERR_INPUT, "%s: binary content (a NUL byte)", path);
	if (!utf8_valid(text->data, text->len))
		return err_set(e, RERR_INPUT, "%s: not UTF-8 text", path);
	return 0;
}

/* Reads and checks one record file; on failure a warning "PATH: reason". */
static int read_record(struct ws *w, struct gitl *g, const char *path, const char *blob,
		       struct buf *text, struct record **out, struct err *e)
{
	char kind[32], id[33];
	struct err fe = { 0 };
	*out = NULL;
	if (!sync_parse_path(path, kind, id))
		return err_set(e, RERR_INPUT, "%s: not a record path (KIND/XX/ID)", path);
	const struct kindinfo *ki = schema_kind(&w->sc, kind);
	if (!ki)
		return err_set(e, RERR_INPUT, "%s: unknown record kind '%s' (from a newer rapport?)",
			       path, kind);
	if (blob_text(g, path, blob, text, e))
		return RERR_INPUT;
	if (record_from_text(ki, id, text->data, clock_now(), out, &fe))
		return err_set(e, RERR_INPUT, "%s: %s", path, fe.msg);
	return 0;
}

/* Reads a record file as the merge needs it: text that parses as the format, whatever its
 * values say (the merge never validates; the import decides what is held). */
static int read_text(struct gitl *g, const char *path, const char *blob, struct buf *text,
		     struct err *e)
{
	struct err fe = { 0 };
	struct text_fields tf;
	if (blob_text(g, path, blob, text, e))
		return RERR_INPUT;
	if (record_parse(text->data, &tf, &fe))
		return err_set(e, RERR_INPUT, "%s: %s", path, fe.msg);
	text_fields_free(&tf);
	return 0;
}

int sync_skew_parse(const char *v, long long *ms, struct err *e)
{
	char *end;
	double n = v && isdigit((unsigned char)*v) ? strtod(v, &end) : -1;
	double unit = n < 0 ? -1 : !strcmp(end, "m") ? 60e3 : !strcmp(end, "d") ? 86400e3
				       : !*end || !strcmp(end, "h") ? 3600e3 : -1;
	if (unit < 0 || n <= 0 || n * unit > 3650 * 86400e3)
		return err_set(e, RERR_INPUT, "sync.max_skew: '%s' is not a length of time (hours, "
					      "or 90m, 36h, 2d; at most 10 years)", v ? v : "");
	*ms = (long long)(n * unit);
	return 0;
}

/* The team's sync.max_skew in ms; the default when unset or unreadable. */
static long long max_skew(struct ws *w)
{
	const struct kindinfo *sk = schema_kind(&w->sc, "setting");
	struct strv ids = STRV_INIT;
	struct err e = { 0 };
	struct record *r = NULL;
	long long ms = STORE_MAX_AHEAD;
	if (!store_by_name(w->st, sk, "sync.max_skew", 1, &ids, &e) && ids.n &&
	    !store_get(w->st, &w->sc, ids.v[0], &r, &e) &&
	    sync_skew_parse(record_get(r, "value"), &ms, &e))
		ms = STORE_MAX_AHEAD;
	record_free(r);
	strv_clear(&ids);
	return ms;
}

/* Reads a record file from the remote as the import takes it: strictly, else salvaged — the
 * values that do not validate keep the database's copy's (or none), listed in `why`, and the
 * record is held as well. Fails when not even that can be read (a kind this rapport does not
 * know, broken lines, a required field missing). */
static int take(struct ws *w, struct gitl *g, const char *path, const char *blob,
		struct buf *text, struct record **out, struct strv *why, struct err *e)
{
	char kind[32], id[33];
	struct record *cur = NULL;
	struct err fe = { 0 }, ge = { 0 };
	int rc = read_record(w, g, path, blob, text, out, e);
	if (rc != RERR_INPUT || !sync_parse_path(path, kind, id) || !schema_kind(&w->sc, kind) ||
	    read_text(g, path, blob, text, &fe))
		return rc;
	store_get(w->st, &w->sc, id, &cur, &ge);
	if (!record_salvage(schema_kind(&w->sc, kind), id, text->data, clock_now(),
			    cur && cur->ki == schema_kind(&w->sc, kind) ? cur : NULL, out, why, &fe)) {
		err_clear(e);
		rc = 0;
	}
	record_free(cur);
	return rc;
}

/* ---- opening and recovery ---- */

int sync_open(struct ws *w, struct gitl **out, struct err *e)
{
	char *path = xasprintf("%s/%s", w->dotdir, SYNC_REPO);
	char head[GITL_OID], *snap = NULL;
	int rc = gitl_open(out, path, e);
	free(path);
	if (rc || (rc = store_meta_get(w->st, "snapshot", &snap, e)))
		return rc;
	store_clock_bound(w->st, max_skew(w));
	/* A crash after the import committed but before the branch moved. */
	bool have = gitl_ref(*out, SYNC_BRANCH, head) == 0;
	if (snap && (!have || strcmp(snap, head)) && (!have || gitl_descends(*out, snap, head)))
		rc = gitl_set_ref(*out, SYNC_BRANCH, snap, have ? head : NULL,
				  "rapport: recover import", e);
	free(snap);
	/* Snapshots exist: local writes must be queued for them (see store.h, tracking). */
	char *tr = NULL;
	if (!rc && gitl_ref(*out, SYNC_BRANCH, head) == 0 && !(rc = store_meta_get(w->st, "tracking", &tr, e)) && !tr)
		rc = store_meta_set(w->st, "tracking", "1", e);
	free(tr);
	if (rc) {
		gitl_close(*out);
		*out = NULL;
	}
	return rc;
}

char *sync_default_remote(struct gitl *g)
{
	struct strv names = STRV_INIT, urls = STRV_INIT;
	struct err e = { 0 };
	char *r = NULL;
	if (!gitl_remote_list(g, &names, &urls, &e) && names.n)
		r = xstrdup(strv_has(&names, "origin") ? "origin" : names.v[0]);
	strv_clear(&names);
	strv_clear(&urls);
	return r;
}

/* ---- snapshots ---- */

/* A held record that a snapshot wrote: what the database learns once the commit is made. */
struct held_out {
	char id[33];
	char *merged, *local; /* merged NULL: the local copy replaced a team copy that was no record */
	char blob[GITL_OID];
};

struct exporter {
	struct ws *w;
	struct gitl *g;
	struct gitl_update *u;
	size_t n, cap;
	struct strv paths;
	long *per_kind;
	struct strv titles;
	struct held_out *held;
	size_t nheld;
	struct err *e;
};

static int export_text(struct exporter *x, const char *path, const struct kindinfo *ki,
		       const char *title, const char *text, size_t len)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->u = xrealloc(x->u, x->cap * sizeof(*x->u));
	}
	strv_push(&x->paths, path);
	int rc = gitl_blob(x->g, text, len, x->u[x->n].blob, x->e);
	if (rc)
		return rc;
	x->n++;
	if (ki)
		x->per_kind[ki->index]++;
	if (title && x->titles.n < 4)
		strv_push(&x->titles, title);
	return 0;
}

static int export_one(const struct record *r, void *ctx)
{
	struct exporter *x = ctx;
	struct buf b = BUF_INIT;
	char path[128];
	record_file(&b, r);
	sync_path(path, sizeof path, r->ki->k->name, r->id);
	char *t = x->titles.n < 4 ? record_title(r) : NULL;
	int rc = export_text(x, path, r->ki, t, b.data, b.len);
	free(t);
	buf_release(&b);
	return rc;
}

/* A held record written here: the local edit merges into the team's bytes (the fields the edit
 * did not touch keep them verbatim), never over them. r NULL: the file left the tree (plain git
 * removed it) and the team's bytes go back. */
static int export_held(struct exporter *x, const struct record *r, const struct held *h)
{
	struct buf local = BUF_INIT;
	int nc = 0, rc;
	if (!r) {
		if (x->n == x->cap) {
			x->cap = x->cap ? 2 * x->cap : 256;
			x->u = xrealloc(x->u, x->cap * sizeof(*x->u));
		}
		strv_push(&x->paths, h->path);
		snprintf(x->u[x->n++].blob, GITL_OID, "%s", h->blob);
		return 0;
	}
	record_file(&local, r);
	char *m = h->text ? merge_record(r->ki, h->base, local.data, h->text, &nc) : NULL;
	x->held = xrealloc(x->held, (x->nheld + 1) * sizeof(*x->held));
	struct held_out *o = &x->held[x->nheld++];
	memset(o, 0, sizeof(*o));
	snprintf(o->id, sizeof o->id, "%s", r->id);
	o->local = buf_detach(&local);
	if (!m)
		return export_one(r, x); /* the team's copy is no record at all: the edit replaces it */
	o->merged = m;
	char *t = record_title(r);
	rc = export_text(x, h->path, r->ki, t, m, strlen(m));
	free(t);
	if (!rc)
		snprintf(o->blob, GITL_OID, "%s", x->u[x->n - 1].blob);
	return rc;
}

/* After the snapshot: a merged held record that now reads as valid is no longer held and the
 * database takes it; one still invalid stays held against what was just written. */
static int settle_held(struct ws *w, const struct held_out *o, struct err *e)
{
	struct held *h = NULL;
	struct record *m = NULL;
	struct err fe = { 0 };
	int rc = store_held_get(w->st, o->id, &h, e);
	if (rc)
		return rc == RERR_NOTFOUND ? 0 : rc;
	const struct kindinfo *ki = schema_kind(&w->sc, h->kind);
	if (!o->merged) {
		rc = store_held_drop(w->st, o->id, e);
	} else if (ki && !record_from_text(ki, o->id, o->merged, clock_now(), &m, &fe)) {
		store_write_mode(w->st, STORE_IMPORT);
		rc = store_update(w->st, m, e);
		store_write_mode(w->st, STORE_LOCAL);
		if (!rc)
			rc = store_held_drop(w->st, o->id, e);
	} else {
		free(h->blob);
		free(h->text);
		free(h->base);
		h->blob = xstrdup(o->blob);
		h->text = xstrdup(o->merged);
		h->base = xstrdup(o->local);
		rc = store_held_put(w->st, h, e);
	}
	record_free(m);
	held_free(h);
	return rc;
}

/* "3 customers, 12 tasks: Contoso, Fabrikam, …" */
static char *summary(struct ws *w, const long *per_kind, const struct strv *titles, long total)
{
	struct buf m = BUF_INIT;
	for (size_t i = 0; i < w->sc.nkinds; i++)
		if (per_kind[i])
			buf_addf(&m, "%s%ld %s", m.len ? ", " : "", per_kind[i],
				 per_kind[i] == 1 ? w->sc.kinds[i].k->name : w->sc.kinds[i].k->plural);
	if (titles->n) {
		buf_adds(&m, ": ");
		for (size_t i = 0; i < titles->n; i++) {
			/* One line: a title with a line break or control bytes is cut there. */
			const char *t = titles->v[i];
			size_t k = 0;
			while (t[k] && (unsigned char)t[k] >= 0x20 && k < 60)
				k++;
			buf_addf(&m, "%s%.*s", i ? ", " : "", (int)k, t);
		}
		if (total > (long)titles->n)
			buf_adds(&m, ", …");
	}
	buf_addc(&m, '\n');
	return buf_detach(&m);
}

static void author_parts(struct ws *w, char **name, char **email)
{
	const char *a = ws_author(w) ? ws_author(w) : "unknown";
	const char *lt = strchr(a, '<');
	if (lt) {
		size_t n = (size_t)(lt - a);
		while (n && a[n - 1] == ' ')
			n--;
		*name = xstrndup(a, n);
		*email = xstrndup(lt + 1, strcspn(lt + 1, ">"));
	} else {
		*name = xstrdup(a);
		*email = xstrdup(ws_email(w) ? ws_email(w) : "unknown");
	}
}

int sync_snapshot(struct ws *w, struct gitl *g, struct sync_report *rep, struct err *e)
{
	struct exporter x = { .w = w, .g = g, .e = e };
	struct strv ids = STRV_INIT, revs = STRV_INIT;
	char head[GITL_OID], tree[GITL_OID], oldtree[GITL_OID], commit[GITL_OID];
	char *msg = NULL, *name = NULL, *email = NULL;
	bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
	int rc;
	x.per_kind = xcalloc(w->sc.nkinds, sizeof(long));
	/* The queue first: a write that lands while this runs keeps its newer rev and stays. */
	if ((rc = store_dirty_list(w->st, &ids, &revs, e)))
		goto out;
	if (!have) {
		long n[64] = { 0 }, total = 0;
		if ((rc = store_census(w->st, &w->sc, n, e)))
			goto out;
		for (size_t i = 0; i < w->sc.nkinds; i++)
			total += n[i];
		if (!total && !ids.n)
			goto out; /* an empty workspace: nothing to share yet */
	}
	if (!have) {
		/* From now on every write is queued; then everything written before is exported. A
		 * write in between is both queued and exported: harmless. */
		char *tr = NULL;
		if ((rc = store_meta_get(w->st, "tracking", &tr, e)))
			goto out;
		if (!tr && (rc = store_meta_set(w->st, "tracking", "1", e)))
			goto out;
		free(tr);
	}
	if ((rc = gitl_write_begin(g, !have, e)))
		goto out;
	if (!have) {
		/* The first snapshot holds everything, deleted records too. */
		for (size_t i = 0; i < w->sc.nkinds && !rc; i++)
			rc = store_each(w->st, &w->sc.kinds[i], export_one, &x, e);
		if (!rc) {
			if (x.n == x.cap)
				x.u = xrealloc(x.u, (x.cap = x.cap * 2 + 1) * sizeof(*x.u));
			strv_push(&x.paths, "FORMAT");
			rc = gitl_blob(g, SYNC_FORMAT, strlen(SYNC_FORMAT), x.u[x.n++].blob, e);
		}
	} else {
		for (size_t i = 0; i < ids.n && !rc; i++) {
			struct record *r = NULL;
			struct held *h = NULL;
			struct err ge = { 0 };
			bool got = store_get(w->st, &w->sc, ids.v[i], &r, &ge) == 0;
			int hr = store_held_get(w->st, ids.v[i], &h, e);
			if (hr && hr != RERR_NOTFOUND)
				rc = hr;
			else if (h && !h->broken)
				rc = export_held(&x, r, h);
			else if (got)
				rc = export_one(r, &x);
			/* else a kind this version cannot load: nothing to export */
			held_free(h);
			record_free(r);
		}
	}
	for (size_t i = 0; i < x.n; i++)
		x.u[i].path = x.paths.v[i];
	if (!rc)
		rc = gitl_tree(g, have ? head : NULL, x.u, x.n, tree, e);
	if (!rc && have)
		rc = gitl_tree_of(g, head, oldtree, e);
	if (rc) {
		gitl_write_end(g, e);
		goto out;
	}
	if (!have || strcmp(tree, oldtree)) {
		long total = (long)x.n - (have ? 0 : 1);
		msg = summary(w, x.per_kind, &x.titles, total);
		author_parts(w, &name, &email);
		const char *parents[1] = { head };
		if ((rc = gitl_commit(g, tree, parents, have ? 1 : 0, name, email, clock_now(), msg, commit,
				      e)) ||
		    (rc = gitl_write_end(g, e)))
			goto out;
		crashpoint("snapshot");
		if ((rc = gitl_set_ref(g, SYNC_BRANCH, commit, have ? head : NULL, "rapport: snapshot",
				       e)))
			goto out;
		rep->committed = true;
		rep->exported += total;
		crashpoint("snapshot-ref");
	} else if ((rc = gitl_write_end(g, e)))
		goto out;
	/* The database now says which snapshot it matches, and the queue empties. */
	if ((rc = store_begin(w->st, e)))
		goto out;
	for (size_t i = 0; i < x.nheld && !rc; i++)
		rc = settle_held(w, &x.held[i], e);
	for (size_t i = 0; i < ids.n && !rc; i++)
		rc = store_dirty_clear(w->st, ids.v[i], revs.v[i], e);
	if (!rc && gitl_ref(g, SYNC_BRANCH, head) == 0)
		rc = store_meta_set(w->st, "snapshot", head, e);
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
out:
	free(msg);
	free(name);
	free(email);
	free(x.u);
	free(x.per_kind);
	for (size_t i = 0; i < x.nheld; i++) {
		free(x.held[i].merged);
		free(x.held[i].local);
	}
	free(x.held);
	strv_clear(&x.paths);
	strv_clear(&x.titles);
	strv_clear(&ids);
	strv_clear(&revs);
	return rc;
}

/* ---- import: bringing a snapshot into the database ---- */

struct change {
	char *path;
	char old[GITL_OID], new[GITL_OID];
};
struct changes {
	struct change *v;
	size_t n;
};

static int collect(const char *path, const char *old, const char *new, void *ctx)
{
	struct changes *c = ctx;
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n].path = xstrdup(path);
	snprintf(c->v[c->n].old, GITL_OID, "%s", old);
	snprintf(c->v[c->n].new, GITL_OID, "%s", new);
	c->n++;
	return 0;
}

static void changes_free(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int check_format(struct gitl *g, const char *commit, struct err *e)
{
	struct buf b = BUF_INIT;
	struct err fe = { 0 };
	int rc = 0;
	if (!gitl_read(g, commit, "FORMAT", 4096, &b, &fe)) {
		int v = 0;
		if (sscanf(b.data, "rapport snapshot %d", &v) != 1)
			rc = err_set(e, RERR_RUNTIME,
				     "the remote's FORMAT file does not describe rapport snapshots");
		else if (v > 1)
			rc = err_set(e, RERR_RUNTIME,
				     "the remote holds snapshot format %d, newer than this rapport "
				     "knows (1): upgrade rapport before syncing",
				     v);
	}
	buf_release(&b);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sorted_has(const struct strv *v, const char *s)
{
	return v->n && bsearch(&s, v->v, v->n, sizeof(*v->v), cmp_str);
}

/* The references of r that must point at a record of a kind: "FIELD KIND ID" each. */
static void refs_of(const struct record *r, struct strv *out)
{
	for (size_t i = 0; i < r->ki->nf; i++) {
		const struct field *f = r->ki->f[i];
		if (f->type == FT_REF && f->ref && r->val[i])
			strv_push_owned(out, xasprintf("%s %s %s", f->name, f->ref, r->val[i]));
	}
}

/* Whether every reference points at a record the database or the import has. */
static bool refs_known(struct ws *w, const struct strv *refs, const struct strv *incoming,
		       char *bad, size_t n)
{
	for (size_t i = 0; i < refs->n; i++) {
		const char *want = strchr(refs->v[i], ' ') + 1, *id = strchr(want, ' ') + 1;
		int nf = (int)(want - 1 - refs->v[i]), nk = (int)(id - 1 - want);
		char *kind = NULL;
		struct err e = { 0 };
		if (sorted_has(incoming, id))
			continue;
		if (store_kind_of(w->st, id, &kind, &e) == 0) {
			bool ok = strlen(kind) == (size_t)nk && !strncmp(kind, want, (size_t)nk);
			free(kind);
			if (ok)
				continue;
		}
		snprintf(bad, n, _("%.*s: %s is not a known %.*s"), nf, refs->v[i], id, nk, want);
		return false;
	}
	return true;
}

/* Keeps a file from the remote that cannot come in as it is (rapport(5) HELD): the tree keeps the
 * team's bytes, the database its last valid copy, and the held row what a later local edit needs
 * to merge into the team's bytes rather than over them. */
static int hold(struct ws *w, struct gitl *g, const struct change *c, const char *text,
		const char *salvaged, const char *reason, struct sync_report *rep, struct err *e)
{
	char kind[32], id[33], since[21];
	struct held *old = NULL;
	struct record *cur = NULL;
	struct buf base = BUF_INIT;
	struct err ge = { 0 };
	char *dirty = NULL;
	strv_push_owned(&rep->warnings, xasprintf(_("%s (held)"), reason));
	if (!sync_parse_path(c->path, kind, id))
		return 0; /* not a record's path: the tree keeps it, there is nothing to hold */
	int rc = store_held_get(w->st, id, &old, e);
	if (rc && rc != RERR_NOTFOUND)
		return rc;
	rc = 0;
	/* The base is the database's copy as the last snapshot had it: the held row's when held
	 * already; else the copy itself, unless a write here is not yet snapshotted; else the
	 * version this import replaces. */
	if (salvaged)
		buf_adds(&base, salvaged); /* the database took this much of the team's copy */
	else if (old && !old->broken && old->base)
		buf_adds(&base, old->base);
	else if (!(rc = store_dirty_rev(w->st, id, &dirty, e)) && !dirty &&
		 !store_get(w->st, &w->sc, id, &cur, &ge))
		record_file(&base, cur);
	else if (!rc && c->old[0] && strcmp(c->old, "-"))
		gitl_read_blob(g, c->old, SYNC_MAX_FILE, &base, &ge);
	fmt_datetime(since, clock_now());
	const char *why = strncmp(reason, c->path, strlen(c->path)) ? reason
		: reason + strlen(c->path) + (reason[strlen(c->path)] == ':' ? 2 : 0);
	struct held h = { .path = c->path, .blob = (char *)c->new, .text = (char *)text,
			  .base = base.len ? base.data : NULL, .reason = (char *)why, .since = since };
	snprintf(h.id, sizeof h.id, "%s", id);
	snprintf(h.kind, sizeof h.kind, "%s", kind);
	if (!rc)
		rc = store_held_put(w->st, &h, e);
	if (!rc)
		rep->held++;
	held_free(old);
	record_free(cur);
	free(dirty);
	buf_release(&base);
	return rc;
}

/* After a record came in: it is no longer held, or it is marked broken when it breaks a
 * whole-record rule (imported all the same, so nobody's values are lost, and listed by
 * `conflicts` until an edit repairs it). */
static int judge(struct ws *w, const struct record *r, struct sync_report *rep, struct err *e)
{
	struct err ce = { 0 };
	char since[21];
	if (r->deleted || !record_check(r, &ce))
		return store_held_drop(w->st, r->id, e);
	char path[128];
	sync_path(path, sizeof path, r->ki->k->name, r->id);
	fmt_datetime(since, clock_now());
	struct held h = { .path = path, .reason = ce.msg, .since = since, .broken = true };
	snprintf(h.id, sizeof h.id, "%s", r->id);
	snprintf(h.kind, sizeof h.kind, "%s", r->ki->k->name);
	strv_push_owned(&rep->warnings, xasprintf(_("%s: imported, but %s"), path, ce.msg));
	rep->broken++;
	return store_held_put(w->st, &h, e);
}

/* An invoice from a replica that has no receipts yet says what was paid in its own lines: they
 * become its carried-over receipt (ws_receipt_legacy), written to be snapshotted. */
/* Receipts over an invoice's amount are money somebody received (two replicas recorded
 * payments): kept, and said, whichever of the invoice and its receipts came in last; not a
 * mark, which would depend on the order records arrived in. */
static void warn_overpaid(struct ws *w, const char *invoice, const char *path,
			  struct sync_report *rep)
{
	struct record *now = NULL;
	struct err pe = { 0 };
	if (invoice && !store_get(w->st, &w->sc, invoice, &now, &pe) &&
	    !strcmp(now->ki->k->name, "invoice") && !now->deleted && record_check(now, &pe))
		strv_push_owned(&rep->warnings, xasprintf(_("%s: imported, but %s"), path, pe.msg));
	record_free(now);
}

static int carry_paid(struct ws *w, const struct record *inv, const char *text, struct err *e)
{
	struct text_fields tf;
	struct err pe = { 0 };
	const char *paid = NULL, *on = NULL;
	/* Only a replica from before receipts writes these lines. */
	if (!strstr(text, "paid_") || record_parse(text, &tf, &pe))
		return 0;
	for (size_t i = 0; i < tf.n; i++) {
		if (!strcmp(tf.v[i].name, "paid_amount"))
			paid = tf.v[i].value;
		else if (!strcmp(tf.v[i].name, "paid_on"))
			on = tf.v[i].value;
	}
	int rc = 0;
	char *norm_paid = NULL, *norm_on = NULL;
	const struct field *fp = kind_field(inv->ki, "paid_amount"), *fo = kind_field(inv->ki, "paid_on");
	/* What does not read as an amount or a date is dropped: the invoice itself came in. */
	if (paid && (!fp || value_normalize(fp, paid, clock_now(), &norm_paid, &pe)))
		paid = NULL;
	if (on && (!fo || value_normalize(fo, on, clock_now(), &norm_on, &pe)))
		on = NULL;
	if (paid || on)
		rc = ws_receipt_legacy(w, inv, paid ? norm_paid : NULL, on ? norm_on : NULL, e);
	free(norm_paid);
	free(norm_on);
	text_fields_free(&tf);
	return rc;
}

/* Writes one incoming record; merges it with an unsnapshotted local write if there is one.
 * Returns 1 with *why set (owned) when the result cannot come in and must be held. */
static int apply(struct ws *w, struct gitl *g, const struct change *c, struct record *in,
		 const char *intext, struct sync_report *rep, char **why, struct err *e)
{
	struct record *cur = NULL, *merged = NULL;
	struct err ge = { 0 };
	char *dirty = NULL, *mtext = NULL;
	struct buf base = BUF_INIT, local = BUF_INIT;
	const struct record *done = in;
	const char *derived = NULL;
	int dline = record_derived_line(in->ki, intext, &derived);
	if (dline)
		strv_push_owned(&rep->warnings,
				xasprintf(_("%s: line %d: '%s' is derived from the record's transitions "
					    "and approvals; the line is ignored"),
					  c->path, dline, derived));
	int rc = store_get(w->st, &w->sc, in->id, &cur, &ge);
	if (rc == RERR_NOTFOUND) {
		store_write_mode(w->st, STORE_IMPORT);
		rc = store_insert(w->st, in, e);
		goto out;
	}
	if (rc) {
		rc = err_set(e, rc, "%s", ge.msg);
		goto out;
	}
	if (cur->ki != in->ki) {
		*why = xasprintf(_("%s: id already used by a %s here"), c->path, cur->ki->k->name);
		rc = 1;
		goto out;
	}
	if ((rc = store_dirty_rev(w->st, in->id, &dirty, e)))
		goto out;
	if (!dirty) {
		store_write_mode(w->st, STORE_IMPORT);
		rc = store_update(w->st, in, e);
		goto out;
	}
	/* Written here while the sync ran: merge against the snapshot that write was based on. */
	if (c->old[0] && strcmp(c->old, "-"))
		gitl_read_blob(g, c->old, SYNC_MAX_FILE, &base, &ge);
	record_file(&local, cur);
	int nc = 0;
	mtext = merge_record(in->ki, c->old[0] ? base.data : NULL, local.data, intext, &nc);
	if (!mtext || record_from_text(in->ki, in->id, mtext, clock_now(), &merged, &ge)) {
		/* The local write stays and is exported merged into the team's bytes. */
		*why = xasprintf(_("%s: could not merge with a local change: %s"), c->path,
				 mtext ? ge.msg : _("a version does not parse"));
		rc = 1;
		goto out;
	}
	rep->conflicts += nc;
	store_write_mode(w->st, STORE_MERGED);
	rc = store_update(w->st, merged, e);
	done = merged;
out:
	store_write_mode(w->st, STORE_LOCAL);
	if (!rc)
		rc = judge(w, done, rep, e);
	if (!rc && !strcmp(in->ki->k->name, "invoice"))
		rc = carry_paid(w, done, intext, e);
	if (!rc && !strcmp(in->ki->k->name, "invoice"))
		warn_overpaid(w, done->id, c->path, rep);
	else if (!rc && !strcmp(in->ki->k->name, "receipt"))
		warn_overpaid(w, record_get(done, "invoice"), c->path, rep);
	record_free(cur);
	record_free(merged);
	free(dirty);
	free(mtext);
	buf_release(&base);
	buf_release(&local);
	return rc;
}

/* A file the tree lost (removed with plain git, or by a force-push) whose record this replica
 * has: a missing file never means deleted, so the next snapshot writes it again. */
static int restore_removed(struct ws *w, const struct change *c, struct sync_report *rep,
			   struct err *e)
{
	char kind[32], id[33];
	struct record *r = NULL;
	struct held *h = NULL;
	struct err ge = { 0 };
	if (!sync_parse_path(c->path, kind, id))
		return 0;
	int rc = 0;
	if (!store_get(w->st, &w->sc, id, &r, &ge))
		rc = store_dirty_requeue(w->st, id, r->rev, e);
	else if (!store_held_get(w->st, id, &h, &ge) && !h->broken)
		rc = store_dirty_requeue(w->st, id, "", e);
	else
		goto out;
	if (!rc)
		rep->restored++;
out:
	record_free(r);
	held_free(h);
	return rc;
}

static void note_skew(struct sync_report *rep, const char *rev, long long ahead)
{
	if (!ahead)
		return;
	rep->skewed++;
	if (ahead > rep->skew_ms) {
		rep->skew_ms = ahead;
		snprintf(rep->skew_replica, sizeof rep->skew_replica, "%.16s",
			 strlen(rev) > 25 ? rev + 25 : "?");
	}
}

/* Brings the records that differ between from (NULL: nothing) and to into the database, then
 * moves the branch to `to`. What fails the checks typed input passes is held, never dropped. */
static int import(struct ws *w, struct gitl *g, const char *from, const char *to,
		  struct sync_report *rep, struct err *e)
{
	struct changes ch = { NULL, 0 };
	struct strv incoming = STRV_INIT;
	struct buf text = BUF_INIT;
	char **why = NULL;
	struct strv *refs = NULL; /* per change: its references, "KIND ID" */
	int rc;
	if ((rc = check_format(g, to, e)) || (rc = gitl_changes(g, from, to, collect, &ch, e)))
		goto out;
	why = xcalloc(ch.n ? ch.n : 1, sizeof(*why));
	refs = xcalloc(ch.n ? ch.n : 1, sizeof(*refs));
	if (ch.n > 10000 && (rc = store_bulk(w->st, e))) /* a clone, a big pull */
		goto out;
	/* Custom field definitions first, in a transaction of their own, as they extend the schema
	 * that the other records are read against. */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		bool fields = pass == 0;
		/* Check every file of the pass first: references may point at records coming in. */
		for (size_t i = 0; i < ch.n; i++) {
			struct change *c = &ch.v[i];
			struct record *r = NULL;
			struct err fe = { 0 };
			struct strv salvaged = STRV_INIT;
			bool isfield = !strncmp(c->path, "field/", 6);
			if (isfield != fields || !c->new[0] || !strcmp(c->path, "FORMAT"))
				continue;
			if (take(w, g, c->path, c->new, &text, &r, &salvaged, &fe) ||
			    ws_rule_check(w, r, &fe)) {
				why[i] = strncmp(fe.msg, c->path, strlen(c->path))
						 ? xasprintf("%s: %s", c->path, fe.msg)
						 : xstrdup(fe.msg);
			} else {
				strv_push(&incoming, r->id);
				refs_of(r, &refs[i]);
			}
			strv_clear(&salvaged);
			record_free(r);
		}
		/* A record whose reference points at one that cannot come in cannot either. */
		for (bool again = true; again;) {
			again = false;
			if (incoming.n)
				qsort(incoming.v, incoming.n, sizeof(*incoming.v), cmp_str);
			for (size_t i = 0; i < ch.n; i++) {
				char bad[256];
				if (why[i] || !refs[i].n || refs_known(w, &refs[i], &incoming, bad, sizeof bad))
					continue;
				why[i] = xasprintf("%s: %s", ch.v[i].path, bad);
				char kind[32], id[33];
				if (sync_parse_path(ch.v[i].path, kind, id))
					strv_remove(&incoming, id);
				again = true;
			}
		}
		if ((rc = store_begin(w->st, e)))
			break;
		for (size_t i = 0; i < ch.n && !rc; i++) {
			struct change *c = &ch.v[i];
			struct record *r = NULL;
			struct err fe = { 0 };
			struct strv salvaged = STRV_INIT;
			bool isfield = !strncmp(c->path, "field/", 6);
			if (isfield != fields || !strcmp(c->path, "FORMAT"))
				continue;
			if (!c->new[0]) {
				if (c->old[0] && !fields)
					rc = restore_removed(w, c, rep, e);
				continue;
			}
			if (why[i]) {
				struct buf held_text = BUF_INIT;
				bool readable = !read_text(g, c->path, c->new, &held_text, &fe);
				rc = hold(w, g, c, readable ? held_text.data : NULL, NULL, why[i], rep, e);
				buf_release(&held_text);
				continue;
			}
			if (take(w, g, c->path, c->new, &text, &r, &salvaged, &fe))
				continue;
			char *held_why = NULL;
			struct buf mine = BUF_INIT;
			if (salvaged.n)
				record_file(&mine, r); /* what the database takes of the team's copy */
			if ((rc = apply(w, g, c, r, mine.len ? mine.data : text.data, rep, &held_why,
					e)) == 1) {
				rc = hold(w, g, c, text.data, NULL, held_why, rep, e);
			} else if (!rc) {
				note_skew(rep, r->rev, store_clock_observe(w->st, r->rev));
				rep->imported++;
				if (salvaged.n) {
					char *m = xasprintf("%s: %s", c->path, salvaged.v[0]);
					rc = hold(w, g, c, text.data, mine.data, m, rep, e);
					free(m);
				}
			}
			buf_release(&mine);
			free(held_why);
			strv_clear(&salvaged);
			record_free(r);
		}
		if (fields) {
			rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
			/* Now the schema learns the fields (definitions that fail are warnings). */
			struct query q;
			struct recs defs = { NULL, 0 };
			query_init(&q, schema_kind(&w->sc, "field"));
			if (!rc)
				rc = store_query(w->st, &q, recs_add, &defs, e);
			for (size_t i = 0; i < defs.n && !rc; i++) {
				struct err fe = { 0 };
				if (ws_field_adopt(w, defs.v[i], &fe))
					strv_push_owned(&rep->warnings,
							xasprintf(_("field %.8s: %s"), defs.v[i]->id, fe.msg));
			}
			recs_free(&defs);
			strv_clear(&incoming);
		}
	}
	if (rc) {
		store_rollback(w->st);
		goto out;
	}
	/* Two replicas numbering offline can give two records one number: the younger is
	 * renumbered, the same way everywhere, and said. */
	if (rep->imported && (rc = ws_renumber(w, &rep->warnings, e))) {
		store_rollback(w->st);
		goto out;
	}
	/* What `status` tells about clocks: the last import that met a rev too far ahead. */
	if (rep->skewed || rep->imported) {
		char *v = rep->skewed ? xasprintf("%ld %lld %s", rep->skewed, rep->skew_ms,
						  rep->skew_replica) : xstrdup("");
		rc = store_meta_set(w->st, "clock_skew", v, e);
		free(v);
	}
	if (rc || (rc = store_meta_set(w->st, "snapshot", to, e)) ||
	    (rc = store_meta_set(w->st, "tracking", "1", e))) {
		store_rollback(w->st);
		goto out;
	}
	crashpoint("import");
	if ((rc = store_commit(w->st, e)))
		goto out;
	crashpoint("imported");
	char head[GITL_OID];
	bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
	rc = gitl_set_ref(g, SYNC_BRANCH, to, have ? head : NULL, "rapport: import", e);
out:
	for (size_t i = 0; why && i < ch.n; i++) {
		free(why[i]);
		strv_clear(&refs[i]);
	}
	free(why);
	free(refs);
	changes_free(&ch);
	strv_clear(&incoming);
	buf_release(&text);
	return rc;
}

/* ---- merging two snapshots ---- */

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

static const char *lookup_change(const struct changes *c, const char *path)
{
	struct change key = { .path = (char *)path };
	struct change *hit = c->n ? bsearch(&key, c->v, c->n, sizeof(*c->v), cmp_change) : NULL;
	return hit ? hit->new : NULL;
}

/* A side's version of a path for the merge: NULL when absent, "" when it does not parse. Values
 * are not checked: a merge keeps whatever the sides hold, and the import decides what is held. */
static char *version(struct gitl *g, const char *path, const char *blob, struct sync_report *rep,
		     bool report)
{
	struct buf t = BUF_INIT;
	struct err fe = { 0 };
	if (!blob || !blob[0])
		return NULL;
	if (read_text(g, path, blob, &t, &fe)) {
		if (report)
			strv_push_owned(&rep->warnings,
					xasprintf(_("%s; the other side's version was kept"), fe.msg));
		buf_release(&t);
		return xstrdup("");
	}
	return buf_detach(&t);
}

/* The latest time a rev carried by commit may count for in a merge: the commit's time plus the
 * allowed skew, as a rev's time part ("" when the commit cannot be read). */
static int first_when(const struct gitl_commit *c, void *ctx)
{
	*(time_t *)ctx = c->when;
	return 1;
}

static bool rev_cap(struct ws *w, struct gitl *g, const char *commit, struct rev_cap *cap)
{
	time_t when = 0;
	struct err e = { 0 };
	gitl_log(g, commit, first_when, &when, &e);
	if (!when)
		return false;
	long long ms = (long long)when * 1000, over = ms + max_skew(w);
	fmt_ms(cap->as, ms < REV_LAST_MS ? ms : REV_LAST_MS);
	fmt_ms(cap->over, over < REV_LAST_MS ? over : REV_LAST_MS);
	return true;
}

/* Builds the merge of ours and theirs (ours's tree plus what theirs changed, merged per record)
 * and commits it with both as parents. Symmetric in data: only the commit's parents differ. */
static int merge(struct ws *w, struct gitl *g, const char *ours, const char *theirs,
		 const char *remote, char out[GITL_OID], struct sync_report *rep, struct err *e)
{
	char base[GITL_OID], tree[GITL_OID];
	struct changes co = { NULL, 0 }, ct = { NULL, 0 };
	struct gitl_update *u = NULL;
	struct strv paths = STRV_INIT;
	size_t nu = 0;
	char *name = NULL, *email = NULL, *msg = NULL;
	int rc = gitl_merge_base(g, ours, theirs, base, e);
	bool nobase = rc == RERR_NOTFOUND;
	if (rc && !nobase)
		return rc;
	if ((rc = gitl_changes(g, nobase ? NULL : base, ours, collect, &co, e)) ||
	    (rc = gitl_changes(g, nobase ? NULL : base, theirs, collect, &ct, e)))
		goto out;
	struct rev_cap ocap, tcap;
	bool oc = rev_cap(w, g, ours, &ocap), tc = rev_cap(w, g, theirs, &tcap);
	if (co.n)
		qsort(co.v, co.n, sizeof(*co.v), cmp_change);
	if (ct.n)
		qsort(ct.v, ct.n, sizeof(*ct.v), cmp_change);
	u = xcalloc(ct.n + co.n + 1, sizeof(*u));
	long merged = 0;
	/* Every path either side changed; a side that removed a file keeps the base version. */
	for (int side = 0; side < 2 && !rc; side++) {
		const struct changes *c = side ? &co : &ct;
		for (size_t i = 0; i < c->n && !rc; i++) {
			const char *path = c->v[i].path;
			if (side == 1 && lookup_change(&ct, path))
				continue; /* done from theirs */
			const char *ob = side ? c->v[i].new : lookup_change(&co, path);
			const char *tb = side ? NULL : c->v[i].new;
			const char *bb = c->v[i].old; /* the old side of base→X is the base */
			if (!strcmp(bb, "-"))
				bb = "";
			/* Unchanged, removed, or not a file on a side: that side has the base. */
			if (!ob || !ob[0] || !strcmp(ob, "-"))
				ob = bb;
			if (!tb || !tb[0] || !strcmp(tb, "-"))
				tb = bb;
			char result[GITL_OID] = "";
			char kind[32], id[33];
			if (!strcmp(ob, tb) || !strcmp(tb, bb)) {
				snprintf(result, sizeof result, "%s", ob);
			} else if (!strcmp(ob, bb)) {
				snprintf(result, sizeof result, "%s", tb);
			} else if (!sync_parse_path(path, kind, id)) {
				/* Not a record (FORMAT, a stray file), changed on both sides: the greater
				 * blob, whichever side merges. */
				snprintf(result, sizeof result, "%s", strcmp(ob, tb) > 0 ? ob : tb);
			} else {
				/* Field by field, a kind this rapport does not know included. */
				char *bt = version(g, path, bb, rep, false);
				char *ot = version(g, path, ob, rep, true);
				char *tt = version(g, path, tb, rep, true);
				/* A version that does not parse is no record at all (binary, broken
				 * lines): the other side's is kept, and the warning names the file;
				 * its bytes stay in the history. Both unparseable: the greater blob. */
				bool ob_bad = ot && !*ot, tb_bad = tt && !*tt;
				if (ob_bad && tb_bad)
					snprintf(result, sizeof result, "%s", strcmp(ob, tb) > 0 ? ob : tb);
				if (ob_bad) {
					free(ot);
					ot = bt && *bt ? xstrdup(bt) : NULL;
				}
				if (tb_bad) {
					free(tt);
					tt = bt && *bt ? xstrdup(bt) : NULL;
				}
				if (bt && !*bt) {
					free(bt);
					bt = NULL;
				}
				int nc = 0;
				char *m = ob_bad && tb_bad ? NULL
					: merge_record_capped(schema_kind(&w->sc, kind), bt, ot, tt,
							      oc ? &ocap : NULL, tc ? &tcap : NULL,
							      &nc);
				if (m && *m)
					rc = gitl_blob(g, m, strlen(m), result, e);
				rep->conflicts += nc;
				merged++;
				free(m);
				free(bt);
				free(ot);
				free(tt);
			}
			/* Only what differs from our tree needs an update. */
			const char *mine = lookup_change(&co, path);
			if (!mine || !strcmp(mine, "-"))
				mine = bb;
			if (!rc && result[0] && strcmp(result, mine)) {
				strv_push(&paths, path);
				snprintf(u[nu++].blob, GITL_OID, "%s", result);
			}
		}
	}
	for (size_t i = 0; i < nu; i++)
		u[i].path = paths.v[i];
	if (rc || (rc = gitl_tree(g, ours, u, nu, tree, e)))
		goto out;
	author_parts(w, &name, &email);
	msg = xasprintf("Merge %s: %zu records from the remote%s\n", remote, nu,
			rep->conflicts ? ", with conflicts (rapport conflicts)" : "");
	const char *parents[2] = { ours, theirs };
	rc = gitl_commit(g, tree, parents, 2, name, email, clock_now(), msg, out, e);
	rep->merged = true;
out:
	free(name);
	free(email);
	free(msg);
	free(u);
	strv_clear(&paths);
	changes_free(&co);
	changes_free(&ct);
	return rc;
}

/* ---- the whole exchange ---- */

static int lock_workspace(struct ws *w, int *fd, struct err *e)
{
	char *path = xasprintf("%s/sync.lock", w->dotdir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (*fd < 0)
		return err_set(e, RERR_RUNTIME, "sync.lock: %s", strerror(errno));
	/* flock: released by the kernel when a sync dies, so a crash never leaves it stuck. */
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		close(*fd);
		*fd = -1;
		return err_set(e, RERR_RUNTIME, "another sync is running in this workspace");
	}
	return 0;
}

static int pull(struct ws *w, struct gitl *g, const char *remote, struct sync_report *rep,
		struct err *e)
{
	char head[GITL_OID], theirs[GITL_OID], *ref = xasprintf("refs/remotes/%s/main", remote);
	int rc;
	if ((rc = gitl_fetch(g, remote, e)))
		goto out;
	rep->fetched = true;
	crashpoint("fetch");
	if (gitl_ref(g, ref, theirs)) {
		rep->remote_empty = true;
		goto out;
	}
	bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
	if (have && gitl_descends(g, head, theirs))
		goto out; /* nothing new */
	if (!have || gitl_descends(g, theirs, head)) {
		rc = import(w, g, have ? head : NULL, theirs, rep, e);
		goto out;
	}
	char m[GITL_OID];
	if ((rc = merge(w, g, head, theirs, remote, m, rep, e)))
		goto out;
	crashpoint("merge");
	rc = import(w, g, head, m, rep, e);
out:
	free(ref);
	return rc;
}

/* How long a sync keeps retrying a push the remote rejects (s): RAPPORT_SYNC_PATIENCE, else 60. */
static double sync_patience(void)
{
	const char *v = getenv("RAPPORT_SYNC_PATIENCE");
	char *end;
	double p = v && *v ? strtod(v, &end) : 60;
	return v && *v && (*end || p < 0 || p > 86400) ? 60 : p;
}

int sync_run(struct ws *w, const char *remote, unsigned what, struct sync_report *rep,
	     struct err *e)
{
	struct gitl *g = NULL;
	char *def = NULL;
	int fd = -1, rc;
	if ((rc = lock_workspace(w, &fd, e)) || (rc = sync_open(w, &g, e)))
		goto out;
	if (what && !remote)
		remote = def = sync_default_remote(g);
	if (what && !remote) {
		rc = err_set(e, RERR_USAGE, "no remote: add one with 'rapport remote add origin URL'");
		goto out;
	}
	if (what) {
		/* A remote that is not there fails before anything is written. */
		struct strv names = STRV_INIT, urls = STRV_INIT;
		rc = gitl_remote_list(g, &names, &urls, e);
		if (!rc && !strv_has(&names, remote))
			rc = err_set(e, RERR_INPUT, "no remote '%s' (see rapport remote list)", remote);
		strv_clear(&names);
		strv_clear(&urls);
		if (rc)
			goto out;
	}
	if ((rc = sync_snapshot(w, g, rep, e)))
		goto out;
	if (!what)
		goto done;
	/* A rejected push means someone pushed first: fetch, merge and try again, with pauses
	 * that grow (with jitter, so racing replicas spread out) until the patience runs out. */
	double patience = sync_patience(), waited = 0;
	for (int attempt = 0;; attempt++) {
		if ((what & SYNC_PULL) || attempt > 0)
			if ((rc = pull(w, g, remote, rep, e)))
				goto out;
		/* Records the remote's tree lost go back now, so this push already carries them. */
		if (rep->restored && !attempt && (rc = sync_snapshot(w, g, rep, e)))
			goto out;
		if (!(what & SYNC_PUSH))
			break;
		char head[GITL_OID], theirs[GITL_OID];
		char *ref = xasprintf("refs/remotes/%s/main", remote);
		bool have = gitl_ref(g, SYNC_BRANCH, head) == 0;
		bool same = have && gitl_ref(g, ref, theirs) == 0 && !strcmp(head, theirs);
		free(ref);
		if (!have || same)
			break;
		crashpoint("push");
		rc = gitl_push(g, remote, e);
		if (rc == GITL_REJECTED && (what & SYNC_PULL) && waited < patience) {
			double pause = 0.05 * (double)(1u << (attempt < 7 ? attempt : 7));
			pause *= 0.5 + (double)rng_below(1000) / 1000.0;
			if (waited + pause > patience)
				pause = patience - waited;
			rep->retries++;
			err_clear(e);
			usleep((useconds_t)(pause * 1e6));
			waited += pause;
			continue;
		}
		if (rc == GITL_REJECTED && (what & SYNC_PULL))
			err_prefix(e, "gave up after %d attempts over %.0f s: the remote changed again "
				      "each time this replica merged (others are pushing; try again, or "
				      "set RAPPORT_SYNC_PATIENCE=SECONDS)",
				   attempt + 1, waited);
		else if (rc == GITL_REJECTED)
			err_prefix(e, "run 'rapport sync' to merge first");
		if (rc)
			goto out;
		rep->pushed = true;
		/* The remote now holds our branch: record that without another fetch. */
		ref = xasprintf("refs/remotes/%s/main", remote);
		gitl_set_ref(g, ref, head, GITL_ANY, "rapport: push", e);
		err_clear(e);
		free(ref);
		crashpoint("pushed");
		break;
	}
done:
	gitl_ref(g, SYNC_BRANCH, rep->head);
out:
	free(def);
	gitl_close(g);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- where the workspace stands ---- */

static int count_one(const struct record *r, void *ctx)
{
	(*(long *)ctx)++;
	(void)r;
	return 0;
}

int sync_status(struct ws *w, struct sync_status *s, struct err *e)
{
	struct gitl *g = NULL;
	char theirs[GITL_OID];
	memset(s, 0, sizeof(*s));
	char *skew = NULL;
	int rc = store_dirty_count(w->st, &s->local, e);
	if (!rc)
		rc = store_conflicted(w->st, &w->sc, count_one, &s->conflicts, e);
	if (!rc)
		rc = store_held_count(w->st, &s->held, e);
	if (!rc)
		rc = store_meta_get(w->st, "clock_skew", &skew, e);
	if (skew && sscanf(skew, "%ld %lld %16s", &s->skewed, &s->skew_ms, s->skew_replica) != 3)
		s->skewed = 0;
	free(skew);
	/* Reading status never creates the snapshot repository. */
	char *repo = xasprintf("%s/%s", w->dotdir, SYNC_REPO);
	struct stat sb;
	bool exists = stat(repo, &sb) == 0;
	free(repo);
	if (rc || !exists || (rc = sync_open(w, &g, e)))
		return rc;
	s->have_head = gitl_ref(g, SYNC_BRANCH, s->head) == 0;
	char *remote = sync_default_remote(g);
	if (remote) {
		snprintf(s->remote, sizeof s->remote, "%s", remote);
		char *ref = xasprintf("refs/remotes/%s/main", remote);
		s->have_remote = gitl_ref(g, ref, theirs) == 0;
		free(ref);
		if (s->have_remote && s->have_head)
			rc = gitl_ahead_behind(g, s->head, theirs, &s->ahead, &s->behind, e);
		else if (s->have_remote)
			s->behind = 1;
	}
	free(remote);
	gitl_close(g);
	return rc;
}

/* ---- the past, read back ---- */

struct when_ctx {
	time_t when;
	const char *want;
	time_t before;
	char found[GITL_OID];
};

static int find_when(const struct gitl_commit *c, void *ctx)
{
	struct when_ctx *wc = ctx;
	if (wc->want) {
		if (strcmp(c->id, wc->want))
			return 0;
		wc->when = c->when;
		return 1;
	}
	if (c->when < wc->before) {
		snprintf(wc->found, GITL_OID, "%s", c->id);
		return 1;
	}
	return 0;
}

int sync_materialize(struct ws *w, const char *rev, struct ws **out, char commit[GITL_OID],
		     char date[11], struct strv *warnings, struct err *e)
{
	struct gitl *g = NULL;
	struct ws *m = NULL;
	struct changes ch = { NULL, 0 };
	struct buf text = BUF_INIT;
	int rc;
	*out = NULL;
	char *head = xasprintf("%s/%s/HEAD", w->dotdir, SYNC_REPO);
	bool exists = access(head, F_OK) == 0;
	free(head);
	if (!exists)
		return err_set(e, RERR_INPUT, "--at %s: this workspace has no snapshots yet (rapport sync "
					      "makes the first)", rev);
	if ((rc = sync_open(w, &g, e)) || (rc = gitl_resolve(g, rev, commit, e)) ||
	    (rc = check_format(g, commit, e)) || (rc = gitl_changes(g, NULL, commit, collect, &ch, e)) ||
	    (rc = ws_open_memory(&m, e)))
		goto out;
	struct when_ctx wc = { .want = commit };
	struct err le = { 0, "" };
	gitl_log(g, commit, find_when, &wc, &le);
	fmt_date(date, wc.when);
	/* Custom fields first: the records that use them are read against the grown schema. */
	if ((rc = store_begin(m->st, e)))
		goto out;
	store_write_mode(m->st, STORE_IMPORT);
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < ch.n && !rc; i++) {
			bool is_field = !strncmp(ch.v[i].path, "field/", 6);
			if (is_field != (pass == 0) || !strcmp(ch.v[i].path, "FORMAT"))
				continue;
			struct record *r = NULL;
			struct err fe = { 0, "" };
			if (read_record(m, g, ch.v[i].path, ch.v[i].new, &text, &r, &fe)) {
				strv_push(warnings, fe.msg);
				continue;
			}
			rc = store_insert(m->st, r, e);
			if (!rc && is_field && ws_field_adopt(m, r, &fe))
				strv_push_owned(warnings, xasprintf("%s: %s", ch.v[i].path, fe.msg));
			record_free(r);
		}
	store_write_mode(m->st, STORE_LOCAL);
	rc = rc ? (store_rollback(m->st), rc) : store_commit(m->st, e);
out:
	changes_free(&ch);
	buf_release(&text);
	gitl_close(g);
	if (rc)
		ws_close(m);
	else
		*out = m;
	return rc;
}

struct sync_past {
	struct gitl *g;
	char commit[GITL_OID];
};

int sync_past_open(struct ws *w, const char *date, struct sync_past **out, struct err *e)
{
	struct gitl *g = NULL;
	char head[GITL_OID];
	long days;
	*out = NULL;
	char *path = xasprintf("%s/%s/HEAD", w->dotdir, SYNC_REPO);
	bool exists = access(path, F_OK) == 0;
	free(path);
	if (!exists || !date_parse(date, &days))
		return 0;
	int rc = sync_open(w, &g, e);
	if (rc)
		return rc;
	struct when_ctx wc = { .before = (time_t)days * 86400 };
	struct err le = { 0, "" };
	if (!gitl_ref(g, SYNC_BRANCH, head))
		gitl_log(g, head, find_when, &wc, &le); /* stops (non-zero) at the commit it seeks */
	if (!wc.found[0]) {
		gitl_close(g);
		return 0;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->g = g;
	snprintf((*out)->commit, GITL_OID, "%s", wc.found);
	return 0;
}

int sync_past_read(struct sync_past *p, const char *kind, const char *id, char **text)
{
	char path[128];
	struct buf b = BUF_INIT;
	struct err e = { 0, "" };
	*text = NULL;
	sync_path(path, sizeof path, kind, id);
	int rc = gitl_read(p->g, p->commit, path, SYNC_MAX_FILE, &b, &e);
	if (rc == RERR_NOTFOUND) {
		buf_release(&b);
		return 0;
	}
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*text = buf_detach(&b);
	return 0;
}

const char *sync_past_commit(const struct sync_past *p)
{
	return p->commit;
}

void sync_past_close(struct sync_past *p)
{
	if (!p)
		return;
	gitl_close(p->g);
	free(p);
}
