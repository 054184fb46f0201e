/*
 * gitlayer.h — everything rapport asks of git, through libgit2. Only src/git includes <git2.h>.
 * The layer knows nothing of records: it stores blobs at paths in the trees of commits of a bare
 * repository with no working tree, moves refs, lists what changed between two commits, walks
 * history, merges text, and talks to remotes (file paths, file://, ssh, https) with credentials.
 *
 * Object ids cross the boundary as 40-hex strings (char[GITL_OID]). Errors follow rapport.h: 0
 * or a negative RERR_* with a message; RERR_NOTFOUND when a ref, path or merge base does not
 * exist; GITL_REJECTED when a push was refused because the remote moved on.
 */
#ifndef RAPPORT_GITLAYER_H
#define RAPPORT_GITLAYER_H

#include "rapport.h"
#include "util.h"

#include <stdbool.h>
#include <time.h>

#define GITL_OID 41
#define GITL_REJECTED (-5)

/* Reads user.name and user.email from git's global and system configuration. Either may come
 * back NULL; the caller frees both. Never fails: no git config simply means no identity. With
 * cache (a file path, or NULL for none) the answer is kept there and reused while git's config
 * files are unchanged, so most commands never start libgit2. */
void gitl_identity(const char *cache, char **name, char **email);

struct gitl;

/* Opens the bare repository at path, creating it (with HEAD on refs/heads/main) when missing. */
int gitl_open(struct gitl **out, const char *path, struct err *e);
void gitl_close(struct gitl *g);

/* The commit a ref points at; RERR_NOTFOUND when the ref does not exist. */
int gitl_ref(struct gitl *g, const char *ref, char oid[GITL_OID]);
/* Points ref at oid, failing unless it currently points at expect (NULL: must not exist;
 * GITL_ANY: whatever it points at). */
extern const char GITL_ANY[];
int gitl_set_ref(struct gitl *g, const char *ref, const char *oid, const char *expect,
		 const char *why, struct err *e);
/* Resolves what a user typed (a hex prefix, main~2, a ref) to a commit. */
int gitl_resolve(struct gitl *g, const char *spec, char oid[GITL_OID], struct err *e);
/* The tree of a commit, to tell whether two commits hold the same data. */
int gitl_tree_of(struct gitl *g, const char *commit, char tree[GITL_OID], struct err *e);

/* The blob at path in commit's tree into out (at most max bytes, else RERR_INPUT);
 * RERR_NOTFOUND when the path does not exist there. */
int gitl_read(struct gitl *g, const char *commit, const char *path, size_t max, struct buf *out,
	      struct err *e);
int gitl_read_blob(struct gitl *g, const char *blob, size_t max, struct buf *out, struct err *e);

/* Calls cb for every file whose content differs between two commits (from NULL: every file of
 * to), with the blob ids ("" on the side where the file is absent). Renames are never detected:
 * a path is a record's identity. A non-zero return from cb stops and is returned. */
typedef int (*gitl_change_cb)(const char *path, const char *old_blob, const char *new_blob,
			      void *ctx);
int gitl_changes(struct gitl *g, const char *from, const char *to, gitl_change_cb cb, void *ctx,
		 struct err *e);

/* Writing a snapshot: blobs, a tree (a base commit's tree with paths replaced or removed) and a
 * commit. Between begin and end, objects are kept in memory and written as one pack at the end
 * when `many` is set (a full snapshot of a large workspace); otherwise as loose objects. */
struct gitl_update {
	const char *path;
	char blob[GITL_OID]; /* "" removes the path */
};
int gitl_write_begin(struct gitl *g, bool many, struct err *e);
int gitl_blob(struct gitl *g, const void *data, size_t len, char oid[GITL_OID], struct err *e);
int gitl_tree(struct gitl *g, const char *base_commit, struct gitl_update *u, size_t n,
	      char tree[GITL_OID], struct err *e);
int gitl_commit(struct gitl *g, const char *tree, const char *const *parents, size_t nparents,
		const char *name, const char *email, time_t when, const char *message,
		char oid[GITL_OID], struct err *e);
int gitl_write_end(struct gitl *g, struct err *e);

/* History. */
int gitl_merge_base(struct gitl *g, const char *a, const char *b, char oid[GITL_OID],
		    struct err *e);
/* Whether commit descends from (or is) ancestor. */
bool gitl_descends(struct gitl *g, const char *commit, const char *ancestor);
int gitl_ahead_behind(struct gitl *g, const char *local, const char *upstream, size_t *ahead,
		      size_t *behind, struct err *e);
struct gitl_commit {
	char id[GITL_OID];
	char parent[2][GITL_OID];
	size_t nparents;
	const char *name, *email, *message;
	time_t when;
};
typedef int (*gitl_commit_cb)(const struct gitl_commit *c, void *ctx);
/* Walks history from a commit, newest first. */
int gitl_log(struct gitl *g, const char *from, gitl_commit_cb cb, void *ctx, struct err *e);

/* A three-way merge of text by lines. Returns 0 with the merged text in out, or 1 when lines
 * conflict (out is then unchanged). */
int gitl_merge_text(const char *base, const char *ours, const char *theirs, struct buf *out);

/* Remotes, kept in the repository's config. */
int gitl_remote_add(struct gitl *g, const char *name, const char *url, struct err *e);
int gitl_remote_remove(struct gitl *g, const char *name, struct err *e);
int gitl_remote_list(struct gitl *g, struct strv *names, struct strv *urls, struct err *e);
/* Whether a person is at the terminal: progress on stderr, passphrase prompts (default off). */
void gitl_interactive(bool on);
/* Fetches the remote's main into refs/remotes/NAME/main (absent while the remote is empty).
 * Progress goes to stderr when it is a terminal. */
int gitl_fetch(struct gitl *g, const char *remote, struct err *e);
/* Pushes refs/heads/main, never forcing: GITL_REJECTED when the remote has moved on. */
int gitl_push(struct gitl *g, const char *remote, struct err *e);

#endif
