/*
 * sync.c — snapshots, import and the exchange with a remote (DESIGN.md §4).
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
	if (!strcmp(blob, "-"))
		return err_set(e, RERR_INPUT, "%s: not a regular file", path);
	if (gitl_read_blob(g, blob, SYNC_MAX_FILE, text, &fe))
		return err_set(e, RERR_INPUT, "%s: %s", path, fe.msg);
	if (memchr(text->data, '\0', text->len))
		return err_set(e, RERR_INPUT, "%s: binary content (a NUL byte)", path);
	if (!utf8_valid(text->data, text->len))
		return err_set(e, RERR_INPUT, "%s: not UTF-8 text", path);
	if (record_from_text(ki, id, text->data, w->now, out, &fe))
		return err_set(e, RERR_INPUT, "%s: %s", path, fe.msg);
	return 0;
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

struct exporter {
	struct ws *w;
	struct gitl *g;
	struct gitl_update *u;
	size_t n, cap;
	struct strv paths;
	long *per_kind;
	struct strv titles;
	struct err *e;
};

static int export_one(const struct record *r, void *ctx)
{
	struct exporter *x = ctx;
	struct buf b = BUF_INIT;
	char path[128];
	record_file(&b, r);
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->u = xrealloc(x->u, x->cap * sizeof(*x->u));
	}
	sync_path(path, sizeof path, r->ki->k->name, r->id);
	strv_push(&x->paths, path);
	int rc = gitl_blob(x->g, b.data, b.len, x->u[x->n].blob, x->e);
	buf_release(&b);
	if (rc)
		return rc;
	x->n++;
	x->per_kind[r->ki->index]++;
	if (x->titles.n < 4) {
		char *t = record_title(r);
		strv_push_owned(&x->titles, t);
	}
	return 0;
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
			struct record *r;
			struct err ge = { 0 };
			if (store_get(w->st, &w->sc, ids.v[i], &r, &ge))
				continue; /* a kind this version cannot load: nothing to export */
			rc = export_one(r, &x);
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
		if ((rc = gitl_commit(g, tree, parents, have ? 1 : 0, name, email, w->now, msg, commit,
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

/* Whether every reference of r points at a record the database or the import has. */
static bool refs_known(struct ws *w, const struct record *r, const struct strv *incoming,
		       char *bad, size_t n)
{
	for (size_t i = 0; i < r->ki->nf; i++) {
		const struct field *f = r->ki->f[i];
		char *kind = NULL;
		struct err e = { 0 };
		if (f->type != FT_REF || !f->ref || !r->val[i] || sorted_has(incoming, r->val[i]))
			continue;
		if (store_kind_of(w->st, r->val[i], &kind, &e) == 0) {
			bool ok = !strcmp(kind, f->ref);
			free(kind);
			if (ok)
				continue;
		}
		snprintf(bad, n, "%s: %s is not a known %s", f->name, r->val[i], f->ref);
		return false;
	}
	return true;
}

/* Writes one incoming record; merges it with an unsnapshotted local write if there is one. */
static int apply(struct ws *w, struct gitl *g, const struct change *c, struct record *in,
		 const char *intext, struct sync_report *rep, struct err *e)
{
	struct record *cur = NULL, *merged = NULL;
	struct err ge = { 0 };
	char *dirty = NULL, *mtext = NULL;
	struct buf base = BUF_INIT, local = BUF_INIT;
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
		strv_push_owned(&rep->warnings,
				xasprintf("%s: id already used by a %s here", c->path, cur->ki->k->name));
		rc = 0;
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
	if (!mtext || record_from_text(in->ki, in->id, mtext, w->now, &merged, &ge)) {
		/* Keep the local write; the incoming one stays in the snapshot. */
		strv_push_owned(&rep->warnings, xasprintf("%s: could not merge with a local change",
							  c->path));
		rc = 0;
		goto out;
	}
	rep->conflicts += nc;
	store_write_mode(w->st, STORE_MERGED);
	rc = store_update(w->st, merged, e);
out:
	store_write_mode(w->st, STORE_LOCAL);
	record_free(cur);
	record_free(merged);
	free(dirty);
	free(mtext);
	buf_release(&base);
	buf_release(&local);
	return rc;
}

/* Brings the records that differ between from (NULL: nothing) and to into the database, then
 * moves the branch to `to`. */
static int import(struct ws *w, struct gitl *g, const char *from, const char *to,
		  struct sync_report *rep, struct err *e)
{
	struct changes ch = { NULL, 0 };
	struct strv incoming = STRV_INIT;
	struct buf text = BUF_INIT;
	bool *ok = NULL;
	int rc;
	if ((rc = check_format(g, to, e)) || (rc = gitl_changes(g, from, to, collect, &ch, e)))
		goto out;
	ok = xcalloc(ch.n ? ch.n : 1, sizeof(bool));
	if (ch.n > 10000 && (rc = store_bulk(w->st, e))) /* a clone, a big pull */
		goto out;
	/* Pass 1: check every file; custom field definitions first, as they extend the schema. */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		bool fields = pass == 0;
		if (!fields && (rc = store_begin(w->st, e)))
			break;
		for (size_t i = 0; i < ch.n; i++) {
			struct change *c = &ch.v[i];
			struct record *r = NULL;
			struct err fe = { 0 };
			bool isfield = !strncmp(c->path, "field/", 6);
			if (isfield != fields || !c->new[0] || !strcmp(c->path, "FORMAT"))
				continue; /* a missing file never means deleted */
			if (read_record(w, g, c->path, c->new, &text, &r, &fe)) {
				strv_push_owned(&rep->warnings, xstrdup(fe.msg));
				continue;
			}
			ok[i] = true;
			strv_push(&incoming, r->id);
			record_free(r);
		}
		if (fields) {
			/* Field definitions go in by themselves: the schema must grow before the records
			 * that use the new columns, and growing it needs its own transaction. */
			if ((rc = store_begin(w->st, e)))
				break;
		}
		if (incoming.n)
			qsort(incoming.v, incoming.n, sizeof(*incoming.v), cmp_str);
		for (size_t i = 0; i < ch.n && !rc; i++) {
			struct change *c = &ch.v[i];
			struct record *r = NULL;
			struct err fe = { 0 };
			char bad[256];
			if (!ok[i])
				continue;
			ok[i] = false;
			if (read_record(w, g, c->path, c->new, &text, &r, &fe))
				continue;
			if (!refs_known(w, r, &incoming, bad, sizeof bad)) {
				strv_push_owned(&rep->warnings, xasprintf("%s: %s", c->path, bad));
			} else if (!(rc = apply(w, g, c, r, text.data, rep, e))) {
				store_clock_observe(w->st, r->rev);
				rep->imported++;
			}
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
							xasprintf("field %.8s: %s", defs.v[i]->id, fe.msg));
			}
			recs_free(&defs);
			strv_clear(&incoming);
		}
	}
	if (rc) {
		store_rollback(w->st);
		goto out;
	}
	if ((rc = store_meta_set(w->st, "snapshot", to, e)) ||
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
	free(ok);
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

/* A side's version of a path for the merge: NULL when absent, "" when unreadable. */
static char *version(struct ws *w, struct gitl *g, const char *path, const char *blob,
		     struct sync_report *rep, bool report)
{
	struct buf t = BUF_INIT;
	struct record *r = NULL;
	struct err fe = { 0 };
	if (!blob || !blob[0])
		return NULL;
	if (read_record(w, g, path, blob, &t, &r, &fe)) {
		if (report)
			strv_push_owned(&rep->warnings, xstrdup(fe.msg));
		buf_release(&t);
		return xstrdup("");
	}
	record_free(r);
	return buf_detach(&t);
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
			} else if (!sync_parse_path(path, kind, id) || !schema_kind(&w->sc, kind)) {
				/* Not a record (FORMAT, a newer kind), changed on both sides: the greater
				 * blob, whichever side merges. */
				snprintf(result, sizeof result, "%s", strcmp(ob, tb) > 0 ? ob : tb);
			} else {
				char *bt = version(w, g, path, bb, rep, false);
				char *ot = version(w, g, path, ob, rep, false);
				char *tt = version(w, g, path, tb, rep, true);
				/* An unreadable version counts as no change from base. */
				if (ot && !*ot) {
					free(ot);
					ot = bt ? xstrdup(bt) : NULL;
				}
				if (tt && !*tt) {
					free(tt);
					tt = bt ? xstrdup(bt) : NULL;
				}
				if (bt && !*bt) {
					free(bt);
					bt = NULL;
				}
				int nc = 0;
				char *m = merge_record(schema_kind(&w->sc, kind), bt, ot, tt, &nc);
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
	rc = gitl_commit(g, tree, parents, 2, name, email, w->now, msg, out, e);
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
	for (int attempt = 0;; attempt++) {
		if ((what & SYNC_PULL) || attempt > 0)
			if ((rc = pull(w, g, remote, rep, e)))
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
		if (rc == GITL_REJECTED && (what & SYNC_PULL) && attempt < 4) {
			/* Someone pushed first: fetch, merge, try again after a short random pause. */
			rep->retries++;
			err_clear(e);
			usleep((useconds_t)(50000 * (attempt + 1) + rng_next() % 100000));
			continue;
		}
		if (rc == GITL_REJECTED && (what & SYNC_PULL))
			err_prefix(e, "gave up after %d attempts", attempt + 1);
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
	int rc = store_dirty_count(w->st, &s->local, e);
	if (!rc)
		rc = store_conflicted(w->st, &w->sc, count_one, &s->conflicts, e);
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
