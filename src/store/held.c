/*
 * held.c — the local quarantine of sync (rapport(5) HELD): records whose team copy could not be
 * imported, and records imported although they break a whole-record rule. Each replica judges
 * what it receives for itself, so these rows are local and never synced; the team's bytes stay
 * in the snapshot tree, and this table keeps what the snapshot export needs to merge a local
 * edit into them instead of over them.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void held_free(struct held *h)
{
	if (!h)
		return;
	free(h->path);
	free(h->blob);
	free(h->text);
	free(h->base);
	free(h->reason);
	free(h->since);
	free(h);
}

int store_held_put(struct store *st, const struct held *h, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    "INSERT OR REPLACE INTO held(id, kind, path, blob, text, base, reason, "
			    "since, broken) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    e);
	if (rc)
		return rc;
	const char *t[] = { h->id, h->kind, h->path, h->blob, h->text, h->base, h->reason, h->since };
	for (int i = 0; i < (int)ARRAY_LEN(t); i++)
		sqlite3_bind_text(s, i + 1, t[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, h->broken);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "held");
	sqlite3_finalize(s);
	return rc;
}

static char *col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? xstrdup(v) : NULL;
}

static struct held *row(sqlite3_stmt *s)
{
	struct held *h = xcalloc(1, sizeof(*h));
	snprintf(h->id, sizeof h->id, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(h->kind, sizeof h->kind, "%s", (const char *)sqlite3_column_text(s, 1));
	h->path = col(s, 2);
	h->blob = col(s, 3);
	h->text = col(s, 4);
	h->base = col(s, 5);
	h->reason = col(s, 6);
	h->since = col(s, 7);
	h->broken = sqlite3_column_int(s, 8) != 0;
	return h;
}

#define HELD_COLS "SELECT id, kind, path, blob, text, base, reason, since, broken FROM held"

int store_held_get(struct store *st, const char *id, struct held **out, struct err *e)
{
	sqlite3_stmt *s;
	*out = NULL;
	int rc = store_prep(st, &s, HELD_COLS " WHERE id = ?", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = row(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? RERR_NOTFOUND : store_sqlerr(st, e, "held");
}

int store_held_drop(struct store *st, const char *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "DELETE FROM held WHERE id = ?", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "held");
	sqlite3_finalize(s);
	return rc;
}

int store_held_each(struct store *st, int (*cb)(const struct held *h, void *ctx), void *ctx,
		    struct err *e)
{
	sqlite3_stmt *s;
	struct held **all = NULL;
	size_t n = 0;
	int rc = store_prep(st, &s, HELD_COLS " ORDER BY kind, id", e);
	if (rc)
		return rc;
	/* Rows are read out first: a callback may write (resolve), which a live statement on the
	 * same table would see half-way. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		all = xrealloc(all, (n + 1) * sizeof(*all));
		all[n++] = row(s);
	}
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, "held");
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = cb(all[i], ctx);
		held_free(all[i]);
	}
	free(all);
	return rc;
}

int store_held_count(struct store *st, long *n, struct err *e)
{
	return store_count_sql(st, "SELECT count(*) FROM held", n, "held", e);
}

int store_dirty_requeue(struct store *st, const char *id, const char *rev, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "INSERT OR IGNORE INTO dirty(id, rev) VALUES(?, ?)", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rev ? rev : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "dirty");
	sqlite3_finalize(s);
	return rc;
}
