/*
 * store.c — opening the database, transactions, the replica's key/value state, and migrations.
 * The schema is derived from the kind table every time a workspace opens: missing tables,
 * columns and indexes are added (forward-only, never dropped), so adding a field to the table is
 * all a release needs. Structural changes beyond that are numbered steps under PRAGMA user_version.
 */
#include "store_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void clock_load(struct store *st);
#define exec store_exec

int store_sqlerr(struct store *st, struct err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);
	int code = (rc & 0xff) == SQLITE_CONSTRAINT ? RERR_INPUT : RERR_RUNTIME;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return err_set(e, RERR_RUNTIME,
			       "%s: the workspace database is busy (another rapport is writing); "
			       "try again",
			       what);
	return err_set(e, code, "%s: %s", what, sqlite3_errmsg(st->db));
}

int store_prep(struct store *st, sqlite3_stmt **out, const char *sql, struct err *e)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
		return store_sqlerr(st, e, "database");
	return 0;
}

int store_stmt(struct store *st, sqlite3_stmt **slot, const char *sql, struct err *e)
{
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return 0;
	}
	return store_prep(st, slot, sql, e);
}

int store_put(struct store *st, sqlite3_stmt **slot, const char *sql, const char *what,
	      struct err *e, const char *types, ...)
{
	int rc = store_stmt(st, slot, sql, e);
	if (rc)
		return rc;
	sqlite3_stmt *s = *slot;
	va_list ap;
	va_start(ap, types);
	for (int i = 1; types[i - 1]; i++)
		switch (types[i - 1]) {
		case 't': sqlite3_bind_text(s, i, va_arg(ap, const char *), -1, SQLITE_STATIC); break;
		case 'd': sqlite3_bind_double(s, i, va_arg(ap, double)); break;
		case 'i': sqlite3_bind_int64(s, i, va_arg(ap, long long)); break;
		default: {
			const void *p = va_arg(ap, const void *);
			sqlite3_bind_blob(s, i, p, (int)va_arg(ap, size_t), SQLITE_STATIC);
		}
		}
	va_end(ap);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, what);
	sqlite3_reset(s);
	return rc;
}

int store_exec(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = err_set(e, RERR_RUNTIME, "database: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* RAPPORT_TRACE_SQL=MS prints every statement that took MS milliseconds or more to stderr:
 * how to find the query behind a slow screen. */
static int trace(unsigned type, void *ctx, void *p, void *x)
{
	(void)type;
	double ms = (double)*(sqlite3_int64 *)x / 1e6;
	if (ms >= *(double *)ctx) {
		char *sql = sqlite3_expanded_sql(p);
		fprintf(stderr, "sql %8.2f ms  %s\n", ms, sql ? sql : sqlite3_sql(p));
		sqlite3_free(sql);
	}
	return 0;
}

/* The amounts store_fx_rate could not convert for want of a rate, on any connection in any
 * thread (health reads customers on a second one), and the first pair ("USD>CNY"): what a
 * command then says it left out of its totals. */
static atomic_long fx_missing;
static char fx_pair[8];
static atomic_flag fx_pair_set = ATOMIC_FLAG_INIT;

static void fx_miss(const char *from, const char *to)
{
	if (atomic_fetch_add(&fx_missing, 1) == 0 && !atomic_flag_test_and_set(&fx_pair_set))
		snprintf(fx_pair, sizeof fx_pair, "%.3s>%.3s", *from ? from : "?", *to ? to : "?");
}

/* The newest rate at or before the date, either way round: a team records USD>CNY once and
 * converts CNY to USD with it too. %s: the three values, as parameters or as quoted text. */
#define FX_SQL(a, b, d)                                                                          \
	"SELECT r FROM (SELECT rate AS r, as_of FROM fx WHERE deleted = 0 AND \"from\" = " a      \
	"  AND \"to\" = " b " AND as_of <= " d " UNION ALL SELECT 1.0 / rate, as_of FROM fx "      \
	"  WHERE deleted = 0 AND \"from\" = " b " AND \"to\" = " a " AND as_of <= " d ") "          \
	"ORDER BY as_of DESC LIMIT 1"

int store_fx_prepare(struct store *st)
{
	return !st->fx &&
	       sqlite3_prepare_v2(st->db, FX_SQL("?1", "?2", "?3"), -1, &st->fx, NULL) != SQLITE_OK;
}

int store_fx_rate(struct store *st, const char *from, const char *to, const char *date,
		  double *rate)
{
	*rate = 1;
	from = from ? from : "";
	to = to ? to : "";
	date = date && *date ? date : "9999-12-31";
	if (!strcmp(from, to))
		return 0;
	int step = SQLITE_ERROR;
	if (*from && *to && !store_fx_prepare(st)) {
		sqlite3_bind_text(st->fx, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st->fx, 2, to, -1, SQLITE_STATIC);
		sqlite3_bind_text(st->fx, 3, date, -1, SQLITE_STATIC);
		if ((step = sqlite3_step(st->fx)) == SQLITE_ROW)
			*rate = sqlite3_column_double(st->fx, 0);
		sqlite3_reset(st->fx);
		sqlite3_clear_bindings(st->fx);
	}
	if (*from && *to && step != SQLITE_ROW && step != SQLITE_DONE) {
		/* Prepared again after a schema change inside the rules' sandbox, which allows no
		 * parameters: the same query once with the values quoted in. */
		char *q = sqlite3_mprintf(FX_SQL("%Q", "%Q", "%Q"), from, to, date, to, from, date);
		sqlite3_stmt *one = NULL;
		if (q && sqlite3_prepare_v2(st->db, q, -1, &one, NULL) == SQLITE_OK &&
		    (step = sqlite3_step(one)) == SQLITE_ROW)
			*rate = sqlite3_column_double(one, 0);
		sqlite3_finalize(one);
		sqlite3_free(q);
	}
	if (step != SQLITE_ROW) { /* no rate; an unnamed currency has none either */
		fx_miss(from, to);
		return RERR_NOTFOUND;
	}
	return 0;
}

long store_fx_missing(char pair[8], bool reset)
{
	long n = atomic_load(&fx_missing);
	if (pair)
		memcpy(pair, fx_pair, sizeof fx_pair);
	if (reset) {
		atomic_store(&fx_missing, 0);
		atomic_flag_clear(&fx_pair_set);
		fx_pair[0] = 0;
	}
	return n;
}

/* rapport_fx(AMOUNT, FROM, TO, DATE): the amount in currency TO (store_fx_rate); NULL when no
 * rate says how, so a SUM leaves it out and store_fx_missing counts it. A NULL currency is
 * the team's unnamed one and converts to itself only. Its buffers hold the 3 letters of a
 * code; anything longer is cut and then finds no rate. */
static void sql_fx(sqlite3_context *cx, int n, sqlite3_value **v)
{
	(void)n;
	struct store *st = sqlite3_user_data(cx);
	if (sqlite3_value_type(v[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	double amount = sqlite3_value_double(v[0]), rate;
	char from[4] = "", to[4] = "";
	const unsigned char *f = sqlite3_value_text(v[1]), *t = sqlite3_value_text(v[2]);
	snprintf(from, sizeof from, "%s", f ? (const char *)f : "");
	snprintf(to, sizeof to, "%s", t ? (const char *)t : "");
	if (store_fx_rate(st, from, to, (const char *)sqlite3_value_text(v[3]), &rate))
		sqlite3_result_null(cx);
	else
		sqlite3_result_double(cx, amount * rate);
}

/* What every connection gets: extended codes, the SQL trace when asked, a busy timeout. */
static void connection_setup(struct store *st)
{
	static double trace_ms;
	const char *tr = getenv("RAPPORT_TRACE_SQL");
	sqlite3_extended_result_codes(st->db, 1);
	if (tr && *tr) {
		trace_ms = atof(tr);
		sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, trace, &trace_ms);
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* Every connection can sort the Chinese way (store_sort_zh picks it for lists). */
	sqlite3_create_collation_v2(st->db, "rapport_zh", SQLITE_UTF8, NULL, text_collate_zh, NULL);
	/* Not deterministic: it reads the fx table. Views use it, so every connection has it. */
	sqlite3_create_function_v2(st->db, "rapport_fx", 4, SQLITE_UTF8 | SQLITE_INNOCUOUS, st,
				   sql_fx, NULL, NULL, NULL);
}

/* Connections of store_open_reader open now, in every thread: the rules' heap limit is per
 * process, so rules refuse to run while another thread may be inside SQLite. */
static atomic_int readers_open;

int store_readers_open(void)
{
	return atomic_load(&readers_open);
}

int store_open_readonly(struct store *st, const char *vfs, struct store **out, struct err *e)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	*out = NULL;
	if (!path || !*path)
		return err_set(e, RERR_RUNTIME, "an in-memory database has no second connection");
	struct store *r = xcalloc(1, sizeof(*r));
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW |
						 SQLITE_OPEN_NOMUTEX, vfs) != SQLITE_OK) {
		err_set(e, RERR_RUNTIME, "%s: cannot open database: %s", path,
			r->db ? sqlite3_errmsg(r->db) : _("out of memory"));
		sqlite3_close(r->db);
		free(r);
		return RERR_RUNTIME;
	}
	connection_setup(r);
	r->zh = st->zh;
	int rc = exec(r, "PRAGMA cache_size=-32768;", e);
	if (rc) {
		store_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int store_open_reader(struct store *st, struct store **out, struct err *e)
{
	*out = NULL;
	/* Another connection would not see this transaction's writes, nor share its snapshot. */
	if (st->depth > 0 && sqlite3_total_changes64(st->db) != st->changes_at_begin)
		return err_set(e, RERR_RUNTIME, "uncommitted writes: no second connection");
	if (st->snapshot)
		return err_set(e, RERR_RUNTIME, "in a read transaction: no second connection");
	int rc = store_open_readonly(st, NULL, out, e);
	if (!rc) {
		(*out)->reader = true;
		atomic_fetch_add(&readers_open, 1);
	}
	return rc;
}

/* rapport_width(TEXT): display columns, as the terminal will show it (store_max_width). */
static void sql_width(sqlite3_context *cx, int n, sqlite3_value **v)
{
	(void)n;
	const unsigned char *s = sqlite3_value_text(v[0]);
	sqlite3_result_int(cx, s ? utf8_width((const char *)s) : 0);
}

/* rapport_pinyin(TEXT): the pinyin forms a name is searched by (text_pinyin_forms), each
 * after a space: whether a word of the search index came from the name itself. */
static void sql_pinyin(sqlite3_context *cx, int n, sqlite3_value **v)
{
	(void)n;
	const unsigned char *s = sqlite3_value_text(v[0]);
	struct buf b = BUF_INIT;
	if (s)
		text_pinyin_forms(&b, (const char *)s);
	sqlite3_result_text(cx, b.len ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
	buf_release(&b);
}

int store_open(struct store **out, const char *path, struct err *e)
{
	struct store *st = xcalloc(1, sizeof(*st));
	*out = NULL;
	int code = RERR_RUNTIME;
	int rc = sqlite3_open_v2(path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		err_set(e, RERR_RUNTIME, "%s: cannot open database: %s", path,
			st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	connection_setup(st);
	/* Only on this connection, never in the rules' sandbox: the TUI sizes list columns by it. */
	sqlite3_create_function_v2(st->db, "rapport_width", 1,
				   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				   sql_width, NULL, NULL, NULL);
	sqlite3_create_function_v2(st->db, "rapport_pinyin", 1,
				   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				   sql_pinyin, NULL, NULL, NULL);
	/* The file is ours only if it is a SQLite database; a stray file gives a clear error here. */
	/* A 32 MiB page cache: a TUI frame runs dozens of queries over the same index pages. */
	if ((code = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;", e))) {
		err_prefix(e, "%s", path);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite3_close(st->db);
	free(st);
	return code;
}

void store_sort_zh(struct store *st, bool on) { st->zh = on; }

int store_bulk(struct store *st, struct err *e)
{
	/* Ids are random, so a big load touches index pages all over the file; a page cache that
	 * holds the hot indexes turns most of those reads into memory hits (256 MiB at most).
	 * Inside one long transaction every statement journals the pages it touches that the
	 * transaction had changed already (triggers make that most of them): in memory, not a
	 * temporary file written page by page. */
	return exec(st, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY", e);
}

void store_flush_cache(struct store *st)
{
	for (size_t i = 0; i < st->nkinds * KS_COUNT; i++)
		sqlite3_finalize(st->kstmt[i]);
	free(st->kstmt);
	st->kstmt = NULL;
	st->nkinds = 0;
	sqlite3_stmt **misc[] = { &st->ids_ins, &st->ids_n, &st->ids_kind, &st->fts_ins,
				  &st->fts_del, &st->dirty_put, &st->hist,
				  &st->evm_put, &st->health_put, &st->hist_put,
				  &st->facts_put, &st->trend_put };
	for (size_t i = 0; i < ARRAY_LEN(misc); i++) {
		sqlite3_finalize(*misc[i]);
		*misc[i] = NULL;
	}
}

int store_analyze(struct store *st, struct err *e)
{
	/* Sampled statistics (a second on a million rows, not minutes) are all the planner needs to
	 * prefer a plain scan over walking a partial index with a lookup per row. */
	return exec(st, "PRAGMA analysis_limit = 1000; ANALYZE;", e);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_sandbox_close(st->sandbox);
	if (st->reader)
		atomic_fetch_sub(&readers_open, 1);
	store_flush_cache(st);
	/* SQLite's advice: let a connection refresh statistics it found stale as it closes — only
	 * one that wrote, so reading commands never write. */
	if (st->wrote)
		sqlite3_exec(st->db, "PRAGMA analysis_limit = 1000; PRAGMA optimize;", NULL, NULL, NULL);
	sqlite3_finalize(st->fx);
	sqlite3_close(st->db);
	free(st);
}

int store_begin(struct store *st, struct err *e)
{
	if (st->depth++ > 0)
		return 0;
	/* IMMEDIATE takes the write lock now, so a busy database fails before any work is done. */
	int rc = exec(st, "BEGIN IMMEDIATE", e);
	if (rc) {
		st->depth = 0;
		return rc;
	}
	clock_load(st);
	st->changes_at_begin = sqlite3_total_changes64(st->db);
	return 0;
}

int store_snapshot_begin(struct store *st, struct err *e)
{
	if (st->depth > 0 || st->snapshot)
		return 0;
	int rc = exec(st, "BEGIN DEFERRED", e);
	st->snapshot = !rc;
	return rc;
}

void store_snapshot_end(struct store *st)
{
	if (st->snapshot)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	st->snapshot = false;
}

int store_commit(struct store *st, struct err *e)
{
	if (st->depth == 0 || --st->depth > 0)
		return 0;
	int rc = 0;
	if (st->hlc != st->hlc_read) {
		char v[32];
		snprintf(v, sizeof v, "%lld", st->hlc);
		rc = store_meta_set(st, "hlc", v, e);
	}
	if (rc) {
		exec(st, "ROLLBACK", NULL);
		return rc;
	}
	rc = exec(st, "COMMIT", e);
	if (rc)
		exec(st, "ROLLBACK", NULL);
	else
		st->wrote = true;
	return rc;
}

void store_rollback(struct store *st)
{
	if (st->depth == 0)
		return;
	st->depth = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- the clock behind revs ---- */

/* Reads the clock and the replica id inside the write lock: another process may have moved it. */
static void clock_load(struct store *st)
{
	sqlite3_stmt *s;
	st->hlc = st->hlc_read = 0;
	st->tracking = false;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT key, value FROM meta WHERE key IN ('hlc', 'replica', 'tracking')",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		const char *v = (const char *)sqlite3_column_text(s, 1);
		if (!k || !v)
			continue;
		if (!strcmp(k, "hlc"))
			st->hlc = st->hlc_read = strtoll(v, NULL, 10);
		else if (!strcmp(k, "tracking"))
			st->tracking = true;
		else
			snprintf(st->replica, sizeof st->replica, "%s", v);
	}
	sqlite3_finalize(s);
}

static long long physical_ms(void)
{
	const char *env = getenv("RAPPORT_NOW");
	if (env && *env)
		return (long long)clock_now() * 1000;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_clock_bound(struct store *st, long long ms)
{
	st->max_ahead = ms > 0 ? ms : STORE_MAX_AHEAD;
}

void store_rev_next(struct store *st, char out[REV_MAX])
{
	long long ms = physical_ms();
	/* A clock that ran away (a far-future rev observed before revs were bounded) comes back
	 * to the wall clock rather than stamping every later write in the far future. */
	if (st->hlc > ms + (st->max_ahead ? st->max_ahead : STORE_MAX_AHEAD))
		st->hlc = ms;
	st->hlc = ms > st->hlc ? ms : st->hlc + 1;
	if (st->hlc > REV_LAST_MS)
		st->hlc = REV_LAST_MS;
	char t[25];
	fmt_ms(t, st->hlc);
	snprintf(out, REV_MAX, "%s-%s", t, st->replica[0] ? st->replica : "0000000000000000");
}

long long rev_ms(const char *rev)
{
	int y, mo, d, h, mi, sec, ms;
	if (!rev || strlen(rev) < 24 || rev[4] != '-' ||
	    sscanf(rev, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &y, &mo, &d, &h, &mi, &sec, &ms) != 7)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec };
	return (long long)timegm(&tm) * 1000 + ms;
}

long long store_clock_observe(struct store *st, const char *rev)
{
	long long v = rev_ms(rev), ahead = v - physical_ms();
	long long bound = st->max_ahead ? st->max_ahead : STORE_MAX_AHEAD;
	if (v < 0)
		return 0;
	/* A rev further ahead than the bound is a wrong clock somewhere: adopting it would stamp
	 * every later write here with that time, and win every conflict with it. */
	if (ahead > bound)
		return ahead;
	if (v > st->hlc)
		st->hlc = v;
	return 0;
}

void store_write_mode(struct store *st, enum store_wmode m)
{
	st->wmode = m;
}

const char *store_replica(struct store *st)
{
	if (!st->replica[0])
		clock_load(st);
	return st->replica;
}

int store_text_by_key(struct store *st, const char *sql, const char *key, char **out,
		      const char *what, struct err *e)
{
	sqlite3_stmt *s;
	*out = NULL;
	int rc = store_prep(st, &s, sql, e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
		*out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, what);
}

int store_count_sql(struct store *st, const char *sql, long *n, const char *what, struct err *e)
{
	sqlite3_stmt *s;
	*n = 0;
	int rc = store_prep(st, &s, sql, e);
	if (rc)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(st, e, what);
}

bool store_readonly(struct store *st)
{
	return sqlite3_db_readonly(st->db, "main") == 1;
}

int store_meta_get(struct store *st, const char *key, char **out, struct err *e)
{
	return store_text_by_key(st, "SELECT value FROM meta WHERE key = ?", key, out, "meta", e);
}

int store_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "INSERT INTO meta(key, value) VALUES(?, ?) "
				    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, "meta");
}

/* ---- migrations ---- */

/* Numbered structural steps; step i brings user_version from i to i+1. Never edit a shipped step. */
static const char *const steps[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT);"
	"CREATE TABLE ids(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);"
	"CREATE VIRTUAL TABLE fts USING fts5(kind UNINDEXED, body, "
	"  tokenize = 'unicode61 remove_diacritics 2');",
	/* Sync: local writes not yet in a snapshot (by the rev written), and this replica's id. */
	"CREATE TABLE dirty(id TEXT PRIMARY KEY NOT NULL, rev TEXT NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta(key, value) VALUES('replica', lower(hex(randomblob(8))));",
	/* Health: one score per record and day, so trends exist (a local cache, never synced). */
	"CREATE TABLE health_history(id TEXT NOT NULL, day TEXT NOT NULL, score REAL NOT NULL, "
	"  PRIMARY KEY(id, day)) WITHOUT ROWID;",
	/* Health: the facts cache, the marks its triggers leave and the count of every marking
	 * write (facts.c; local, never synced). */
	"CREATE TABLE facts_cache(id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, "
	"  data BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE facts_dirty(id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE facts_seq(n INTEGER NOT NULL);"
	"INSERT INTO facts_seq(n) VALUES(1);"
	"INSERT INTO facts_dirty(id) VALUES('*');",
	/* Health: each id's 12-week trend kept whole, so a ranked list reads one row per id, not
	 * every day of history (a local cache of health_history, never synced). */
	"CREATE TABLE health_trend(id TEXT PRIMARY KEY NOT NULL, week INTEGER NOT NULL, "
	"  day TEXT NOT NULL, score REAL NOT NULL, weeks BLOB NOT NULL) WITHOUT ROWID;",
	/* Sync: records held because their team copy could not be imported, or imported although
	 * they break a whole-record rule (held.c; local, never synced). */
	"CREATE TABLE held(id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, path TEXT, blob TEXT, "
	"  text TEXT, base TEXT, reason TEXT NOT NULL, since TEXT, broken INTEGER NOT NULL) "
	"  WITHOUT ROWID;",
	/* KPIs: each customer's stages by the day it entered them (a local table the triggers of
	 * plan_kind keep from the customers' records, never synced). */
	"CREATE TABLE stage_history(customer TEXT NOT NULL, since TEXT NOT NULL, stage TEXT NOT NULL, "
	"  PRIMARY KEY(customer, since)) WITHOUT ROWID;",
};

static const char *coltype(const struct field *f)
{
	switch (f->type) {
	case FT_NUMBER: return "REAL";
	case FT_INT:
	case FT_BOOL: return "INTEGER";
	default: return "TEXT";
	}
}

static void coldef(struct buf *b, const struct field *f)
{
	buf_addf(b, "\"%s\" %s", field_column(f), coltype(f));
	/* Deferred, so a transaction may insert a batch in any order (imports, sync). */
	if (f->type == FT_REF && f->ref)
		buf_addf(b, " REFERENCES \"%s\"(id) DEFERRABLE INITIALLY DEFERRED", f->ref);
}

/* With st NULL nothing exists: plan_kind then writes what a new database needs, which is what
 * plan_key fingerprints. */
static bool exists(struct store *st, const char *type, const char *name)
{
	sqlite3_stmt *s;
	bool found = false;
	if (!st)
		return false;
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", -1,
			       &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

static void columns_of(struct store *st, const char *table, struct strv *cols)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM pragma_table_info(?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		strv_push(cols, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

/* The stage is where the latest effective transition went: the one with the greatest seq (its
 * writer had seen every transition before it), then time, rev and id, which every replica reads
 * the same from the records' files. A transition is effective when it overrode, or every step
 * of the round it left holds: an `all` step each of its approvals approved, an `any` step one of
 * them; an approval with a conflict (two replicas decided differently) holds nothing until
 * someone resolves it. */
static const char stage_sql[] =
	"(SELECT t.\"to\" FROM \"transition\" t WHERE t.\"on\" = {id} AND t.deleted = 0 "
	"AND (COALESCE(t.override, 0) = 1 OR NOT EXISTS (SELECT 1 FROM approval a "
	"WHERE a.\"on\" = t.\"on\" AND a.process = t.process AND a.stage = t.\"from\" "
	"AND a.\"round\" = t.\"round\" AND a.deleted = 0 AND NOT (CASE WHEN a.mode = 'all' "
	"THEN a.state = 'approved' AND a.conflicts IS NULL ELSE EXISTS (SELECT 1 FROM "
	"approval o WHERE o.\"on\" = a.\"on\" AND o.process = a.process AND "
	"o.stage = a.stage AND o.\"round\" = a.\"round\" AND o.step = a.step AND "
	"o.deleted = 0 AND o.state = 'approved' AND o.conflicts IS NULL) END))) "
	"ORDER BY COALESCE(t.seq, 0) DESC, t.at DESC, t.rev DESC, t.id DESC LIMIT 1)";

/* Every derived field that is not a stage: what computes it, and which kind's writes (the
 * source, whose `key` column names the record) make it be computed again. {id} is the record's
 * id, {name} one of its fields as being written. */
static const struct derivation {
	const char *kind, *field, *source, *key, *sql;
} derivations[] = {
	/* Receipts add up, whichever replica recorded them. */
	{ "invoice", "paid_amount", "receipt", "invoice",
	  "(SELECT SUM(r.amount) FROM receipt r WHERE r.invoice = {id} AND r.deleted = 0)" },
	/* Paid on the first day the receipts up to it reach the amount (a cent short counts). */
	{ "invoice", "paid_on", "receipt", "invoice",
	  "(SELECT MIN(r.date) FROM receipt r WHERE r.invoice = {id} AND r.deleted = 0 AND "
	  "(SELECT SUM(q.amount) FROM receipt q WHERE q.invoice = {id} AND q.deleted = 0 AND "
	  "q.date <= r.date) >= {amount} - 0.005)" },
};

static const struct derivation *derivation_of(const char *kind, const struct field *f)
{
	for (size_t i = 0; i < ARRAY_LEN(derivations); i++)
		if (!strcmp(derivations[i].kind, kind) && !strcmp(derivations[i].field, f->name))
			return &derivations[i];
	return NULL;
}

void store_derive_sql(struct buf *b, const char *kind, const struct field *f,
		      const struct kindinfo *ki)
{
	const struct derivation *d = derivation_of(kind, f);
	for (const char *p = d ? d->sql : stage_sql; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			buf_addc(b, *p++);
			continue;
		}
		char name[48];
		snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
		const struct field *nf = strcmp(name, "id") && ki ? kind_field(ki, name) : NULL;
		if (!strcmp(name, "id"))
			buf_addf(b, ki ? "?1" : "\"%s\".id", kind);
		else if (ki)
			buf_addf(b, "?%d", nf ? kind_field_index(ki, nf) + STORE_FIRST_FIELD_COL + 1 : 0);
		else
			buf_addf(b, "\"%s\".\"%s\"", kind, name);
		p = close + 1;
	}
}

/* The triggers that keep derived fields true when what they come from is written, in whatever
 * transaction writes it (a command, an import, a sync). */
static void plan_derive(struct store *st, const char *t, struct buf *ddl)
{
	static const char *const ev[] = { "INSERT", "UPDATE", "DELETE" };
	static const char *const keys[] = { "NEW.%s", "NEW.%s, OLD.%s", "OLD.%s" };
	bool stages = !strcmp(t, "transition") || !strcmp(t, "approval");
	for (int k = 0; k < 3; k++) {
		char name[96];
		/* A new derivation gets a new number, and the old triggers a DROP here. */
		snprintf(name, sizeof name, "derive1_%s_%s", t, ev[k]);
		if (exists(st, "trigger", name))
			continue;
		struct buf body = BUF_INIT;
		for (size_t i = 0; i < kind_count; i++)
			for (size_t j = 0; j < kind_table[i].nfields; j++) {
				const struct field *f = &kind_table[i].fields[j];
				const struct derivation *d = derivation_of(kind_table[i].name, f);
				const char *key = stages ? "\"on\"" : d ? d->key : NULL;
				if (!(f->flags & F_DERIVED) || (stages ? !(f->flags & F_STAGE)
								       : !d || strcmp(d->source, t)))
					continue;
				buf_addf(&body, "  UPDATE \"%s\" SET \"%s\" = ", kind_table[i].name,
					 field_column(f));
				store_derive_sql(&body, kind_table[i].name, f, NULL);
				buf_adds(&body, " WHERE id IN (");
				buf_addf(&body, keys[k], key, key);
				buf_adds(&body, ");\n");
			}
		if (body.len)
			buf_addf(ddl, "CREATE TRIGGER \"%s\" AFTER %s ON \"%s\" BEGIN\n%sEND;\n", name,
				 ev[k], t, body.data);
		buf_release(&body);
	}
}

/* A customer's stage history, kept in the transaction of every write and import of the
 * customer: an entry on the day it entered a stage, the record's own stage_since (else the
 * day of the write that changed it: the change's own time, never the day it arrived here).
 * The first plan fills it from the customers there are. */
static void plan_stage_history(struct store *st, struct buf *ddl)
{
	if (st && exists(st, "trigger", "stage1_customer_INSERT"))
		return;
	buf_adds(ddl,
		 "CREATE TRIGGER stage1_customer_INSERT AFTER INSERT ON customer "
		 "WHEN NEW.stage IS NOT NULL BEGIN\n"
		 "  INSERT OR REPLACE INTO stage_history(customer, since, stage) VALUES(NEW.id, "
		 "COALESCE(NEW.stage_since, substr(NEW.created, 1, 10)), NEW.stage);\nEND;\n"
		 "CREATE TRIGGER stage1_customer_UPDATE AFTER UPDATE OF stage, stage_since ON customer "
		 "WHEN NEW.stage IS NOT NULL AND (NEW.stage IS NOT OLD.stage OR "
		 "NEW.stage_since IS NOT OLD.stage_since) BEGIN\n"
		 "  INSERT OR REPLACE INTO stage_history(customer, since, stage) VALUES(NEW.id, "
		 "COALESCE(NEW.stage_since, substr(NEW.updated, 1, 10)), NEW.stage);\nEND;\n"
		 "INSERT OR IGNORE INTO stage_history(customer, since, stage) SELECT id, "
		 "COALESCE(stage_since, substr(created, 1, 10)), stage FROM customer "
		 "WHERE stage IS NOT NULL;\n");
}

/* Appends to ddl what the database lacks for one kind. */
static void plan_kind(struct store *st, const struct kindinfo *ki, struct buf *ddl)
{
	const char *t = ki->k->name;
	if (!st || !exists(st, "table", t)) {
		buf_addf(ddl,
			 "CREATE TABLE \"%s\"(id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, "
			 "updated TEXT NOT NULL, author TEXT, deleted INTEGER NOT NULL DEFAULT 0, "
			 "extra TEXT, rev TEXT, conflicts TEXT",
			 t);
		for (size_t i = 0; i < ki->nf; i++) {
			buf_adds(ddl, ", ");
			coldef(ddl, ki->f[i]);
		}
		buf_adds(ddl, ");\n");
	} else {
		struct strv cols = STRV_INIT;
		columns_of(st, t, &cols);
		/* Workspaces made before sync existed. */
		if (!strv_has(&cols, "rev"))
			buf_addf(ddl, "ALTER TABLE \"%s\" ADD COLUMN rev TEXT;\n", t);
		if (!strv_has(&cols, "conflicts"))
			buf_addf(ddl, "ALTER TABLE \"%s\" ADD COLUMN conflicts TEXT;\n", t);
		for (size_t i = 0; i < ki->nf; i++)
			if (!strv_has(&cols, field_column(ki->f[i]))) {
				buf_addf(ddl, "ALTER TABLE \"%s\" ADD COLUMN ", t);
				coldef(ddl, ki->f[i]);
				buf_adds(ddl, ";\n");
			}
		strv_clear(&cols);
	}
	/* "What changed lately" sorts every kind by updated. */
	char uname[128];
	snprintf(uname, sizeof uname, "%s_updated_sort", t);
	if (!exists(st, "index", uname))
		buf_addf(ddl, "CREATE INDEX \"%s\" ON \"%s\"((updated IS NULL), updated, id) "
			      "WHERE deleted = 0;\n",
			 uname, t);
	for (const char *x = ki->k->indexes; x && *x;) {
		/* "col,col" or "col,col WHERE condition" (a narrower partial index). */
		size_t n = strcspn(x, ";");
		char entry[128], name[160];
		snprintf(entry, sizeof entry, "%.*s", (int)n, x);
		char *where = strstr(entry, " WHERE ");
		if (where)
			*where = '\0';
		snprintf(name, sizeof name, "%s_%s%s%s", t, entry, where ? "_" : "", where ? where + 7 : "");
		for (char *c = name; *c; c++)
			if (!isalnum((unsigned char)*c))
				*c = '_';
		if (!exists(st, "index", name))
			buf_addf(ddl, "CREATE INDEX \"%s\" ON \"%s\"(%s) WHERE deleted = 0%s%s;\n", name, t,
				 entry, where ? " AND " : "", where ? where + 7 : "");
		x += n;
		if (*x)
			x++;
	}
	/* What marks the facts cache stale when a row of this kind is written. */
	for (int ev = 0; ev < 3; ev++) {
		char tname[96];
		if (store_facts_trigger(t, ev, tname, sizeof tname, NULL) && !exists(st, "trigger", tname))
			store_facts_trigger(t, ev, tname, sizeof tname, ddl);
	}
	plan_derive(st, t, ddl);
	if (!strcmp(t, "customer"))
		plan_stage_history(st, ddl);
	snprintf(uname, sizeof uname, "%s_conflicts", t);
	if (!exists(st, "index", uname))
		buf_addf(ddl, "CREATE INDEX \"%s\" ON \"%s\"(id) WHERE conflicts IS NOT NULL;\n", uname, t);
	for (size_t i = 0; i < ki->nf; i++) {
		const struct field *f = ki->f[i];
		const char *c = field_column(f);
		char name[128];
		if (!(f->flags & F_INDEX))
			continue;
		/* Lookups: references (related records) and names (resolving what people type). */
		snprintf(name, sizeof name, "%s_%s", t, c);
		if ((f->type == FT_REF || (f->flags & F_NAME)) && !exists(st, "index", name))
			buf_addf(ddl, "CREATE INDEX \"%s\" ON \"%s\"(\"%s\"%s);\n", name, t, c,
				 f->flags & F_NAME ? " COLLATE NOCASE" : "");
		/* Order: exactly the ORDER BY that store_query writes, over live rows only, so a
		 * page deep in a million-row list is an index walk, not a sort. */
		snprintf(name, sizeof name, "%s_%s_sort", t, c);
		if (f->type != FT_REF && !exists(st, "index", name))
			buf_addf(ddl,
				 "CREATE INDEX \"%s\" ON \"%s\"((\"%s\" IS NULL), \"%s\"%s, id) "
				 "WHERE deleted = 0;\n",
				 name, t, c, c, store_sort_nocase(f) ? " COLLATE NOCASE" : "");
	}
}

/* The meta key that says a kind's tables, indexes and triggers are all there as this build plans
 * them: "plan:KIND:HASH", HASH a 64-bit FNV-1a of the DDL a new database would get for the kind.
 * Any change to the kind table, a custom field or plan_kind itself changes the DDL, so a key can
 * only match objects planned from the same description. Opening a workspace then costs one query
 * instead of some 480 against sqlite_master (the planning dominated every short command). */
static void plan_key(const struct kindinfo *ki, char *out, size_t n)
{
	struct buf ddl = BUF_INIT;
	plan_kind(NULL, ki, &ddl);
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < ddl.len; i++)
		h = (h ^ (unsigned char)ddl.data[i]) * 0x100000001b3ULL;
	buf_release(&ddl);
	snprintf(out, n, "plan:%s:%016llx", ki->k->name, (unsigned long long)h);
}

static void plan_forget(struct buf *sql, const char *kind)
{
	buf_addf(sql, "DELETE FROM meta WHERE key >= 'plan:%s:' AND key < 'plan:%s;';\n", kind, kind);
}

int store_bulk_begin(struct store *st, const struct kindinfo *ki, const struct field *keep,
		     struct err *e)
{
	sqlite3_stmt *s;
	struct strv drop = STRV_INIT;
	char keepname[128] = "";
	if (keep)
		snprintf(keepname, sizeof keepname, "%s_%s_sort", ki->k->name, field_column(keep));
	int rc = store_prep(st, &s, "SELECT name FROM sqlite_master WHERE type = 'index' AND "
				    "tbl_name = ? AND sql IS NOT NULL AND name LIKE '%\\_sort' ESCAPE '\\'",
			    e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, ki->k->name, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 0), keepname))
			strv_push(&drop, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	struct buf ddl = BUF_INIT;
	for (size_t i = 0; i < drop.n; i++)
		buf_addf(&ddl, "DROP INDEX \"%s\";\n", drop.v[i]);
	/* A big load marks the whole facts cache stale once instead of once per row; store_bulk_end
	 * puts the triggers back. */
	for (int ev = 0; ev < 3; ev++) {
		char tname[96];
		if (store_facts_trigger(ki->k->name, ev, tname, sizeof tname, NULL))
			buf_addf(&ddl, "DROP TRIGGER IF EXISTS \"%s\";\n"
				       "UPDATE facts_seq SET n = n + 1;\n"
				       "INSERT OR IGNORE INTO facts_dirty(id) VALUES('*');\n", tname);
	}
	strv_clear(&drop);
	/* The kind lacks what its plan key promises until store_bulk_end runs. */
	plan_forget(&ddl, ki->k->name);
	if (ddl.len)
		rc = exec(st, ddl.data, e);
	buf_release(&ddl);
	return rc;
}

int store_bulk_end(struct store *st, const struct kindinfo *ki, struct err *e)
{
	struct buf ddl = BUF_INIT;
	char key[160];
	plan_kind(st, ki, &ddl);
	plan_key(ki, key, sizeof key);
	buf_addf(&ddl, "INSERT OR REPLACE INTO meta(key, value) VALUES('%s', '');\n", key);
	int rc = exec(st, ddl.data, e);
	buf_release(&ddl);
	return rc;
}

unsigned long store_plans_run;

/* The plan keys recorded (none before the meta table exists). */
static void plans_of(struct store *st, struct strv *keys)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT key FROM meta WHERE key >= 'plan:' AND key < 'plan;'",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW)
		strv_push(keys, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

int store_migrate(struct store *st, const struct schema *sc, struct err *e)
{
	struct buf ddl = BUF_INIT;
	sqlite3_stmt *s;
	int version = 0, rc = store_prep(st, &s, "PRAGMA user_version", e);
	if (rc)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > (int)ARRAY_LEN(steps))
		return err_set(e, RERR_RUNTIME,
			       "the workspace database is from a newer rapport (schema %d; this one "
			       "knows %d): upgrade rapport",
			       version, (int)ARRAY_LEN(steps));
	for (int v = version; v < (int)ARRAY_LEN(steps); v++)
		buf_addf(&ddl, "%s\nPRAGMA user_version = %d;\n", steps[v], v + 1);
	/* Which kinds need planning: those whose plan key is not recorded. A key is recorded for
	 * each schema a kind was planned under, so opening with and then without custom fields
	 * (as ws_open does) finds both. */
	bool *todo = xcalloc(sc->nkinds ? sc->nkinds : 1, sizeof *todo);
	size_t ntodo = 0;
	struct strv keys = STRV_INIT;
	plans_of(st, &keys);
	for (size_t i = 0; i < sc->nkinds; i++) {
		char key[160];
		plan_key(&sc->kinds[i], key, sizeof key);
		todo[i] = version < (int)ARRAY_LEN(steps) || !strv_has(&keys, key);
		ntodo += todo[i];
	}
	strv_clear(&keys);
	if (!ddl.len && ntodo && sqlite3_db_readonly(st->db, "main") == 1) {
		/* A database this process may not write: it can be read as long as nothing is
		 * missing, the keys just cannot be recorded. */
		for (size_t i = 0; i < sc->nkinds; i++)
			if (todo[i])
				plan_kind(st, &sc->kinds[i], &ddl);
		ntodo = 0;
	}
	if (!ddl.len && !ntodo) {
		free(todo);
		return 0;
	}
	store_plans_run++;
	store_flush_cache(st);
	if ((rc = exec(st, "BEGIN IMMEDIATE", e)))
		goto out;
	if ((rc = exec(st, ddl.data, e))) {
		exec(st, "ROLLBACK", NULL);
		goto out;
	}
	/* Tables are planned after the numbered steps ran, so plan inside the lock: another process
	 * may have planned them meanwhile, and what it did is then found, not done twice. */
	buf_reset(&ddl);
	for (size_t i = 0; i < sc->nkinds; i++)
		if (todo[i]) {
			char key[160];
			plan_kind(st, &sc->kinds[i], &ddl);
			plan_key(&sc->kinds[i], key, sizeof key);
			buf_addf(&ddl, "INSERT OR REPLACE INTO meta(key, value) VALUES('%s', '');\n", key);
		}
	if (ddl.len && (rc = exec(st, ddl.data, e))) {
		exec(st, "ROLLBACK", NULL);
		goto out;
	}
	rc = exec(st, "COMMIT", e);
out:
	free(todo);
	buf_release(&ddl);
	return rc;
}
