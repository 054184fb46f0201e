/*
 * store_int.h — the store's private parts, shared by its files only: the connection and the
 * per-kind statement cache. Nothing outside src/store includes this (or <sqlite3.h>).
 */
#ifndef RAPPORT_STORE_INT_H
#define RAPPORT_STORE_INT_H

#include "store.h"

#include <sqlite3.h>

struct store {
	sqlite3 *db;
	int depth; /* nesting of store_begin; only the outermost one talks to SQLite */
	bool wrote; /* committed a write: statistics may want refreshing at close */
	/* Per-kind insert/update/get statements (KS_* x kind index); cleared when the schema
	 * changes, since their column lists come from it. */
	sqlite3_stmt **kstmt;
	size_t nkinds;
	sqlite3_stmt *ids_ins, *ids_n, *ids_kind, *fts_ins, *fts_del, *dirty_put, *hist;
	/* once per project and customer */
	sqlite3_stmt *evm_put, *health_put, *hist_put, *facts_put, *trend_put;
	enum store_wmode wmode;
	/* The hybrid logical clock (ms since the epoch) as of the open write transaction, read at
	 * BEGIN and written back at COMMIT, so processes sharing the database share one clock. */
	long long hlc, hlc_read;
	long long max_ahead; /* ms a rev may be ahead of the wall clock and still be observed */
	char replica[17];
	/* Local writes are queued for snapshots only once snapshots exist (meta "tracking"): the
	 * first snapshot exports everything anyway, so a big load before it pays nothing. */
	bool tracking;
	bool views; /* the temp views of views.c exist on this connection */
	sqlite3_int64 changes_at_begin; /* sqlite3_total_changes64 at the outermost BEGIN */
	bool snapshot; /* in a read transaction of store_snapshot_begin */
	bool reader;   /* from store_open_reader: another thread may be using it */
	char asof[11]; /* the status date of store_asof, "" before the first */
	struct sandbox *sandbox; /* where rules run (rules.c), opened on first use */
	bool zh; /* text sorts by ICU's zh collation (pinyin), not by bytes ignoring case */
	sqlite3_stmt *fx; /* rapport_fx's rate lookup */
};

/* facts.c: whether a write (ev 0 insert, 1 update, 2 delete) to `table` can change facts; if so
 * the trigger's name goes to name and, when ddl is not NULL, its CREATE statement to ddl. */
bool store_facts_trigger(const char *table, int ev, char *name, size_t n, struct buf *ddl);

/* store.c: prepares rapport_fx's rate lookup now (non-zero: no fx table), so that the rules'
 * sandbox, whose authorizer refuses the table, can still convert inside its views. */
int store_fx_prepare(struct store *st);

/* views.c: the view rules watching a kind read, and whether rules may read a name. */
const char *store_watch_view(const char *kind);
bool store_rule_readable(const char *name);

/* store.c: a read-only connection to st's database file (an in-memory one has none) through
 * the named VFS (NULL: the default), and how many connections of store_open_reader are open
 * now — in any thread. */
int store_open_readonly(struct store *st, const char *vfs, struct store **out, struct err *e);
int store_readers_open(void);

/* rules.c: closes the rules' sandbox (store_close does). */
void store_sandbox_close(struct sandbox *sb);

/* A cached statement in *slot, prepared on first use, reset and unbound after. */
int store_stmt(struct store *st, sqlite3_stmt **slot, const char *sql, struct err *e);

/* A one-row write through the cached statement in *slot: binds ?1, ?2, ... by `types` (t text,
 * NULL for NULL; d double; i long long; b blob, a pointer then a size_t), steps it, resets it.
 * Errors name `what`. */
int store_put(struct store *st, sqlite3_stmt **slot, const char *sql, const char *what,
	      struct err *e, const char *types, ...);

/* Runs SQL without results (several statements allowed). */
int store_exec(struct store *st, const char *sql, struct err *e);

/* The text in the first column of the first row of sql with ?1 = key; *out NULL when none. */
int store_text_by_key(struct store *st, const char *sql, const char *key, char **out,
		      const char *what, struct err *e);

/* The integer in the first column of sql's one row (a count) into *n. Errors name `what`. */
int store_count_sql(struct store *st, const char *sql, long *n, const char *what, struct err *e);

/* Stamps the next rev of this replica's clock: "YYYY-MM-DDTHH:MM:SS.mmmZ-REPLICA". */
void store_rev_next(struct store *st, char out[REV_MAX]);

enum { KS_INSERT, KS_UPDATE, KS_GET, KS_BYNAME, KS_COUNT };

int store_sqlerr(struct store *st, struct err *e, const char *what);
int store_prep(struct store *st, sqlite3_stmt **out, const char *sql, struct err *e);
void store_flush_cache(struct store *st);
/* Whether a field sorts ignoring ASCII case (people's text; not codes, dates or choices). */
bool store_sort_nocase(const struct field *f);
/* The text the full-text index holds for a record (CJK characters spaced into tokens). */
void store_fts_text(struct buf *b, const char *s);

/* The SQL expression of a derived field (F_DERIVED) of a record of `kind`: a stage is the
 * latest effective transition's (rapport-process(5)), an invoice's paid amount and date its
 * receipts'. With ki, for a write statement of that kind (the id is ?1, fields are their
 * parameters); without, over the row an UPDATE of the kind's table is at. */
void store_derive_sql(struct buf *b, const char *kind, const struct field *f,
		      const struct kindinfo *ki);
/* The parameter of a kind's write statements the first field binds to, less one. */
#define STORE_FIRST_FIELD_COL 8

#endif
