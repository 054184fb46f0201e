/*
 * repo.c — the snapshot repository: a bare repository with one branch, read and written through
 * libgit2 object by object — no index, no working tree, no checkout — so nothing from a remote
 * ever becomes a file on disk, and a snapshot costs what changed, not what exists. Also history
 * walks and the line merge that long text fields use.
 */
#include "gitlayer.h"
#include "git_int.h"

#include <git2/sys/mempack.h>
#include <stdlib.h>
#include <string.h>

const char GITL_ANY[] = "*";

int gitl_fail(struct err *e, int rc, const char *what)
{
	const git_error *ge = git_error_last();
	return err_set(e, rc == GIT_ENOTFOUND ? RERR_NOTFOUND : RERR_RUNTIME, "%s: %s", what,
		       ge && ge->message ? ge->message : _("libgit2 failed"));
}

static void hex(char out[GITL_OID], const git_oid *id)
{
	git_oid_tostr(out, GITL_OID, id);
}

static int parse_oid(git_oid *id, const char *s, struct err *e)
{
	if (!s || strlen(s) != 40 || git_oid_fromstr(id, s))
		return err_set(e, RERR_RUNTIME, "'%s' is not an object id", s ? s : "(null)");
	return 0;
}

int gitl_open(struct gitl **out, const char *path, struct err *e)
{
	git_libgit2_init();
	struct gitl *g = xcalloc(1, sizeof(*g));
	int rc = git_repository_open_bare(&g->repo, path);
	if (rc == GIT_ENOTFOUND) {
		git_repository_init_options o;
		git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
		o.initial_head = "main";
		o.description = "rapport snapshots (see rapport(5))";
		rc = git_repository_init_ext(&g->repo, path, &o);
	}
	if (rc) {
		gitl_fail(e, RERR_RUNTIME, _("snapshot repository"));
		err_prefix(e, "%s", path);
		free(g);
		git_libgit2_shutdown();
		return RERR_RUNTIME;
	}
	*out = g;
	return 0;
}

void gitl_close(struct gitl *g)
{
	if (!g)
		return;
	if (g->mempack) {
		git_mempack_reset(g->mempack);
		g->mempack = NULL; /* the odb owns the backend */
	}
	git_repository_free(g->repo);
	free(g);
	/* Paired with gitl_open's init: the last one frees libgit2's global and per-thread state. */
	git_libgit2_shutdown();
}

int gitl_ref(struct gitl *g, const char *ref, char oid[GITL_OID])
{
	git_oid id;
	oid[0] = '\0';
	if (git_reference_name_to_id(&id, g->repo, ref))
		return RERR_NOTFOUND;
	hex(oid, &id);
	return 0;
}

int gitl_set_ref(struct gitl *g, const char *ref, const char *oid, const char *expect,
		 const char *why, struct err *e)
{
	git_oid id, old;
	git_reference *r = NULL;
	int rc;
	if ((rc = parse_oid(&id, oid, e)))
		return rc;
	if (expect == GITL_ANY) {
		rc = git_reference_create(&r, g->repo, ref, &id, 1, why);
	} else if (expect) {
		if ((rc = parse_oid(&old, expect, e)))
			return rc;
		rc = git_reference_create_matching(&r, g->repo, ref, &id, 1, &old, why);
	} else
		rc = git_reference_create(&r, g->repo, ref, &id, 0, why);
	git_reference_free(r);
	return rc ? gitl_fail(e, rc, ref) : 0;
}

int gitl_resolve(struct gitl *g, const char *spec, char oid[GITL_OID], struct err *e)
{
	git_object *o = NULL, *c = NULL;
	int rc = git_revparse_single(&o, g->repo, spec);
	if (!rc)
		rc = git_object_peel(&c, o, GIT_OBJECT_COMMIT);
	if (rc) {
		git_object_free(o);
		return err_set(e, RERR_INPUT, "'%s' is not a snapshot (see rapport log)", spec);
	}
	hex(oid, git_object_id(c));
	git_object_free(c);
	git_object_free(o);
	return 0;
}

static int lookup_tree(struct gitl *g, const char *commit, git_tree **out, struct err *e)
{
	git_oid id;
	git_commit *c = NULL;
	int rc;
	*out = NULL;
	if ((rc = parse_oid(&id, commit, e)))
		return rc;
	if ((rc = git_commit_lookup(&c, g->repo, &id)) || (rc = git_commit_tree(out, c))) {
		git_commit_free(c);
		return gitl_fail(e, rc, commit);
	}
	git_commit_free(c);
	return 0;
}

int gitl_tree_of(struct gitl *g, const char *commit, char tree[GITL_OID], struct err *e)
{
	git_tree *t;
	int rc = lookup_tree(g, commit, &t, e);
	if (rc)
		return rc;
	hex(tree, git_tree_id(t));
	git_tree_free(t);
	return 0;
}

int gitl_read_blob(struct gitl *g, const char *blob, size_t max, struct buf *out, struct err *e)
{
	git_oid id;
	git_odb *odb = NULL;
	git_odb_object *o = NULL;
	size_t len;
	git_object_t type;
	int rc;
	if ((rc = parse_oid(&id, blob, e)))
		return rc;
	/* The header first, so a huge blob from a remote is refused without being inflated. */
	if ((rc = git_repository_odb(&odb, g->repo)) ||
	    (rc = git_odb_read_header(&len, &type, odb, &id))) {
		git_odb_free(odb);
		return gitl_fail(e, rc, blob);
	}
	if (type != GIT_OBJECT_BLOB || len > max) {
		git_odb_free(odb);
		return type != GIT_OBJECT_BLOB
			       ? err_set(e, RERR_INPUT, "not a file")
			       : err_set(e, RERR_INPUT, "%zu bytes, more than the %zu a record may have",
					 len, max);
	}
	if ((rc = git_odb_read(&o, odb, &id))) {
		git_odb_free(odb);
		return gitl_fail(e, rc, blob);
	}
	buf_reset(out);
	buf_add(out, git_odb_object_data(o), git_odb_object_size(o));
	git_odb_object_free(o);
	git_odb_free(odb);
	return 0;
}

int gitl_read(struct gitl *g, const char *commit, const char *path, size_t max, struct buf *out,
	      struct err *e)
{
	git_tree *t;
	git_tree_entry *te = NULL;
	int rc = lookup_tree(g, commit, &t, e);
	if (rc)
		return rc;
	rc = git_tree_entry_bypath(&te, t, path);
	git_tree_free(t);
	if (rc)
		return err_set(e, RERR_NOTFOUND, "%s: not in snapshot %.8s", path, commit);
	char blob[GITL_OID];
	hex(blob, git_tree_entry_id(te));
	bool isblob = git_tree_entry_type(te) == GIT_OBJECT_BLOB;
	git_tree_entry_free(te);
	if (!isblob)
		return err_set(e, RERR_INPUT, "%s: not a file", path);
	return gitl_read_blob(g, blob, max, out, e);
}

struct changes {
	gitl_change_cb cb;
	void *ctx;
	int rc;
};

static int change_file(const git_diff_delta *d, float progress, void *payload)
{
	struct changes *c = payload;
	char ob[GITL_OID] = "", nb[GITL_OID] = "";
	if (d->old_file.flags & GIT_DIFF_FLAG_EXISTS)
		hex(ob, &d->old_file.id);
	if (d->new_file.flags & GIT_DIFF_FLAG_EXISTS)
		hex(nb, &d->new_file.id);
	/* Only blobs are records; a submodule or symlink entry from a remote is someone else's. */
	const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;
	if ((d->old_file.mode && d->old_file.mode != GIT_FILEMODE_BLOB &&
	     d->old_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE) ||
	    (d->new_file.mode && d->new_file.mode != GIT_FILEMODE_BLOB &&
	     d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE)) {
		c->rc = c->cb(path, ob[0] ? "-" : "", nb[0] ? "-" : "", c->ctx);
	} else
		c->rc = c->cb(path, ob, nb, c->ctx);
	return c->rc ? -1 : 0;
}

int gitl_changes(struct gitl *g, const char *from, const char *to, gitl_change_cb cb, void *ctx,
		 struct err *e)
{
	git_tree *a = NULL, *b = NULL;
	git_diff *d = NULL;
	git_diff_options o;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	struct changes c = { cb, ctx, 0 };
	int rc = 0;
	/* Blob ids are compared, never contents: the cost is the changed subtrees only. */
	o.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if ((from && (rc = lookup_tree(g, from, &a, e))) || (rc = lookup_tree(g, to, &b, e)))
		goto out;
	if ((rc = git_diff_tree_to_tree(&d, g->repo, a, b, &o))) {
		rc = gitl_fail(e, rc, "diff");
		goto out;
	}
	rc = git_diff_foreach(d, change_file, NULL, NULL, NULL, &c);
	if (c.rc)
		rc = c.rc;
	else if (rc)
		rc = gitl_fail(e, rc, "diff");
out:
	git_diff_free(d);
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* ---- writing ---- */

int gitl_write_begin(struct gitl *g, bool many, struct err *e)
{
	if (!many || g->mempack)
		return 0;
	git_odb *odb = NULL;
	int rc;
	if ((rc = git_mempack_new(&g->mempack)) || (rc = git_repository_odb(&odb, g->repo)) ||
	    (rc = git_odb_add_backend(odb, g->mempack, 999))) {
		git_odb_free(odb);
		g->mempack = NULL;
		return gitl_fail(e, rc, _("snapshot"));
	}
	git_odb_free(odb);
	return 0;
}

int gitl_write_end(struct gitl *g, struct err *e)
{
	if (!g->mempack)
		return 0;
	git_buf pack = { 0 };
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress stats = { 0 };
	int rc;
	/* One pack for a big snapshot instead of a file per object. */
	if ((rc = git_mempack_dump(&pack, g->repo, g->mempack)) ||
	    (rc = git_repository_odb(&odb, g->repo)) ||
	    (rc = git_odb_write_pack(&wp, odb, NULL, NULL)) ||
	    (rc = wp->append(wp, pack.ptr, pack.size, &stats)) || (rc = wp->commit(wp, &stats)))
		rc = gitl_fail(e, rc, _("writing the snapshot pack"));
	else
		git_mempack_reset(g->mempack);
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	git_buf_dispose(&pack);
	return rc;
}

int gitl_blob(struct gitl *g, const void *data, size_t len, char oid[GITL_OID], struct err *e)
{
	git_oid id;
	int rc = git_blob_create_from_buffer(&id, g->repo, data, len);
	if (rc)
		return gitl_fail(e, rc, "blob");
	hex(oid, &id);
	return 0;
}

int gitl_tree(struct gitl *g, const char *base_commit, struct gitl_update *u, size_t n,
	      char tree[GITL_OID], struct err *e)
{
	git_tree *base = NULL;
	git_tree_update *up = xcalloc(n ? n : 1, sizeof(*up));
	git_oid id;
	int rc = 0;
	if (base_commit && (rc = lookup_tree(g, base_commit, &base, e)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		up[i].path = u[i].path;
		if (u[i].blob[0]) {
			up[i].action = GIT_TREE_UPDATE_UPSERT;
			up[i].filemode = GIT_FILEMODE_BLOB;
			if ((rc = parse_oid(&up[i].id, u[i].blob, e)))
				goto out;
		} else
			up[i].action = GIT_TREE_UPDATE_REMOVE;
	}
	/* Without a base, an empty tree to update: libgit2 wants one. */
	if (!base) {
		git_treebuilder *tb = NULL;
		git_oid empty;
		if ((rc = git_treebuilder_new(&tb, g->repo, NULL)) ||
		    (rc = git_treebuilder_write(&empty, tb)) ||
		    (rc = git_tree_lookup(&base, g->repo, &empty))) {
			git_treebuilder_free(tb);
			rc = gitl_fail(e, rc, "tree");
			goto out;
		}
		git_treebuilder_free(tb);
	}
	if ((rc = git_tree_create_updated(&id, g->repo, base, n, up)))
		rc = gitl_fail(e, rc, "tree");
	else
		hex(tree, &id);
out:
	git_tree_free(base);
	free(up);
	return rc;
}

int gitl_commit(struct gitl *g, const char *tree, const char *const *parents, size_t nparents,
		const char *name, const char *email, time_t when, const char *message,
		char oid[GITL_OID], struct err *e)
{
	git_signature *sig = NULL;
	git_tree *t = NULL;
	git_commit *pc[2] = { NULL, NULL };
	git_oid id;
	int rc;
	if (nparents > 2)
		return err_set(e, RERR_RUNTIME, "a snapshot has at most two parents");
	if ((rc = parse_oid(&id, tree, e)))
		return rc;
	if ((rc = git_tree_lookup(&t, g->repo, &id)))
		goto fail;
	for (size_t i = 0; i < nparents; i++)
		if ((rc = parse_oid(&id, parents[i], e)) ||
		    (rc = git_commit_lookup(&pc[i], g->repo, &id)))
			goto fail;
	if ((rc = git_signature_new(&sig, name && *name ? name : "unknown",
				    email && *email ? email : "unknown", when, 0)))
		goto fail;
	if ((rc = git_commit_create(&id, g->repo, NULL, sig, sig, "UTF-8", message, t, nparents,
				    (const git_commit **)pc)))
		goto fail;
	hex(oid, &id);
fail:
	if (rc && !e->code)
		gitl_fail(e, rc, "commit");
	git_signature_free(sig);
	git_tree_free(t);
	git_commit_free(pc[0]);
	git_commit_free(pc[1]);
	return rc ? (e->code ? e->code : RERR_RUNTIME) : 0;
}

/* ---- history ---- */

int gitl_merge_base(struct gitl *g, const char *a, const char *b, char oid[GITL_OID],
		    struct err *e)
{
	git_oid x, y, base;
	int rc;
	if ((rc = parse_oid(&x, a, e)) || (rc = parse_oid(&y, b, e)))
		return rc;
	if ((rc = git_merge_base(&base, g->repo, &x, &y)))
		return rc == GIT_ENOTFOUND ? RERR_NOTFOUND : gitl_fail(e, rc, _("merge base"));
	hex(oid, &base);
	return 0;
}

bool gitl_descends(struct gitl *g, const char *commit, const char *ancestor)
{
	git_oid x, y;
	if (git_oid_fromstr(&x, commit) || git_oid_fromstr(&y, ancestor))
		return false;
	return git_oid_equal(&x, &y) || git_graph_descendant_of(g->repo, &x, &y) == 1;
}

int gitl_ahead_behind(struct gitl *g, const char *local, const char *upstream, size_t *ahead,
		      size_t *behind, struct err *e)
{
	git_oid x, y;
	int rc;
	if ((rc = parse_oid(&x, local, e)) || (rc = parse_oid(&y, upstream, e)))
		return rc;
	if ((rc = git_graph_ahead_behind(ahead, behind, g->repo, &x, &y)))
		return gitl_fail(e, rc, _("history"));
	return 0;
}

int gitl_log(struct gitl *g, const char *from, gitl_commit_cb cb, void *ctx, struct err *e)
{
	git_revwalk *w = NULL;
	git_oid id;
	int rc;
	if ((rc = parse_oid(&id, from, e)))
		return rc;
	if ((rc = git_revwalk_new(&w, g->repo)) ||
	    (rc = git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME)) ||
	    (rc = git_revwalk_push(w, &id))) {
		git_revwalk_free(w);
		return gitl_fail(e, rc, _("history"));
	}
	while (!(rc = git_revwalk_next(&id, w))) {
		git_commit *c;
		if ((rc = git_commit_lookup(&c, g->repo, &id)))
			break;
		struct gitl_commit gc = { .nparents = git_commit_parentcount(c) };
		hex(gc.id, &id);
		for (size_t i = 0; i < gc.nparents && i < 2; i++)
			hex(gc.parent[i], git_commit_parent_id(c, (unsigned)i));
		if (gc.nparents > 2)
			gc.nparents = 2;
		const git_signature *a = git_commit_author(c);
		gc.name = a->name;
		gc.email = a->email;
		gc.when = (time_t)a->when.time;
		gc.message = git_commit_message(c);
		rc = cb(&gc, ctx);
		git_commit_free(c);
		if (rc)
			break;
	}
	git_revwalk_free(w);
	if (rc == GIT_ITEROVER)
		return 0;
	return rc < 0 && !e->code && rc != RERR_INPUT ? gitl_fail(e, rc, _("history")) : rc;
}

int gitl_merge_text(const char *base, const char *ours, const char *theirs, struct buf *out)
{
	git_merge_file_input b, o, t;
	git_merge_file_result r = { 0 };
	git_merge_file_options opts;
	git_libgit2_init();
	git_merge_file_input_init(&b, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&o, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&t, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_options_init(&opts, GIT_MERGE_FILE_OPTIONS_VERSION);
	b.ptr = base ? base : "";
	b.size = strlen(b.ptr);
	o.ptr = ours ? ours : "";
	o.size = strlen(o.ptr);
	t.ptr = theirs ? theirs : "";
	t.size = strlen(t.ptr);
	if (git_merge_file(&r, &b, &o, &t, &opts) || !r.automergeable) {
		git_merge_file_result_free(&r);
		git_libgit2_shutdown();
		return 1;
	}
	buf_reset(out);
	buf_add(out, r.ptr, r.len);
	git_merge_file_result_free(&r);
	git_libgit2_shutdown();
	return 0;
}
