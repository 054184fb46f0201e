/*
 * rules.c — running rule conditions (rapport-rules(5)) safely. A condition is an SQL
 * expression written by a team member and synced to everyone, so it runs as
 * `SELECT * FROM <view of the watched kind> WHERE (<condition>)` under an authorizer that
 * allows reading the documented views and nothing else: no writes, no ATTACH, no pragma, no
 * extension loading, no other table — plus a time limit for runaway queries.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const denied_functions[] = {
	"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "zipfile",
};

static int authorize(void *ud, int action, const char *a3, const char *a4, const char *db,
		     const char *view)
{
	(void)ud;
	(void)a4;
	(void)db;
	switch (action) {
	case SQLITE_SELECT:
		return SQLITE_OK;
	case SQLITE_READ:
		/* Directly from the rule, only the views; inside a view, what the view reads. */
		return store_rule_readable(view) || store_rule_readable(a3) ? SQLITE_OK : SQLITE_DENY;
	case SQLITE_FUNCTION:
		for (size_t i = 0; i < ARRAY_LEN(denied_functions); i++)
			if (a4 && !strcmp(a4, denied_functions[i]))
				return SQLITE_DENY;
		return SQLITE_OK;
	default:
		return SQLITE_DENY;
	}
}

struct budget {
	struct timespec end;
	bool hit;
};

static int progress(void *p)
{
	struct budget *b = p;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > b->end.tv_sec || (now.tv_sec == b->end.tv_sec && now.tv_nsec > b->end.tv_nsec))
		return b->hit = true;
	return 0;
}

static int prepare(struct store *st, const char *watch, const char *expr, sqlite3_stmt **out,
		   struct err *e)
{
	const char *view = store_watch_view(watch);
	*out = NULL;
	if (!view)
		return err_set(e, RERR_INPUT, "'%s' is not a kind rules can watch", watch ? watch : "");
	if (!expr || !*expr)
		return err_set(e, RERR_INPUT, "the condition is empty");
	if (!st->views)
		return err_set(e, RERR_RUNTIME, "rules: no status date (store_asof) set");
	char *sql = xasprintf("SELECT * FROM %s WHERE (%s\n)", view, expr);
	const char *tail = NULL;
	sqlite3_set_authorizer(st->db, authorize, NULL);
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, &tail);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	if (rc != SQLITE_OK) {
		const char *m = sqlite3_errmsg(st->db);
		rc = err_set(e, RERR_INPUT, "%s",
			     strstr(m, "not authorized") || strstr(m, "prohibited")
				     ? "reads or does something rules may not (only the documented "
				       "views can be read; no writes, ATTACH, pragmas or extensions)"
				     : m);
	} else if (tail && tail[strspn(tail, " \t\r\n")]) {
		rc = err_set(e, RERR_INPUT, "one expression, not several statements");
	} else if (!sqlite3_stmt_readonly(*out)) {
		rc = err_set(e, RERR_INPUT, "a condition may only read");
	}
	if (rc) {
		sqlite3_finalize(*out);
		*out = NULL;
	}
	free(sql);
	return rc;
}

int store_rule_compile(struct store *st, const char *watch, const char *expr, struct err *e)
{
	sqlite3_stmt *s;
	char today[11];
	fmt_date(today, clock_now());
	int rc = st->views ? 0 : store_asof(st, today, e);
	if (!rc)
		rc = prepare(st, watch, expr, &s, e);
	sqlite3_finalize(s);
	return rc;
}

int store_rule_run(struct store *st, const char *watch, const char *expr, double seconds,
		   int (*cb)(int n, const char *const *names, const char *const *vals, void *ctx),
		   void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = prepare(st, watch, expr, &s, e), step;
	if (rc)
		return rc;
	struct budget b = { .hit = false };
	clock_gettime(CLOCK_MONOTONIC, &b.end);
	b.end.tv_sec += (time_t)seconds;
	b.end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (b.end.tv_nsec >= 1000000000) {
		b.end.tv_sec++;
		b.end.tv_nsec -= 1000000000;
	}
	sqlite3_progress_handler(st->db, 1000, progress, &b);
	/* The authorizer stays on while it runs: a re-prepare after a schema change is checked too. */
	sqlite3_set_authorizer(st->db, authorize, NULL);
	/* Rows are copied out and the statement finished before cb runs: cb writes (alerts,
	 * tasks), and nothing may write while the authorizer is on. */
	int n = sqlite3_column_count(s);
	struct strv names = STRV_INIT, cells = STRV_INIT;
	struct strv nulls = STRV_INIT; /* "1" where a cell is NULL */
	for (int i = 0; i < n; i++)
		strv_push(&names, sqlite3_column_name(s, i));
	size_t rows = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);
			strv_push(&cells, v ? v : "");
			strv_push(&nulls, v ? "" : "1");
		}
		rows++;
	}
	if (step != SQLITE_DONE)
		rc = b.hit ? err_set(e, RERR_INPUT, "stopped: ran longer than %g s", seconds)
			   : store_sqlerr(st, e, "rule");
	sqlite3_finalize(s);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	const char **vals = xcalloc((size_t)n + 1, sizeof(char *));
	for (size_t r = 0; !rc && r < rows; r++) {
		for (int i = 0; i < n; i++) {
			size_t k = r * (size_t)n + (size_t)i;
			vals[i] = nulls.v[k][0] ? NULL : cells.v[k];
		}
		rc = cb(n, (const char *const *)names.v, vals, ctx);
	}
	free(vals);
	strv_clear(&names);
	strv_clear(&cells);
	strv_clear(&nulls);
	return rc;
}

int store_health_put(struct store *st, const char *id, double score, const char *band,
		     double confidence, struct err *e)
{
	return store_put(st, &st->health_put,
			 "INSERT OR REPLACE INTO temp.health_scores(id, score, band, confidence) "
			 "VALUES(?, ?, ?, ?)",
			 "health scores", e, "tdtd", id, score, band, confidence);
}

int store_evm_put(struct store *st, const struct project_facts *f, double health, const char *band,
		  struct err *e)
{
	int rc = store_stmt(st, &st->evm_put,
			    "INSERT OR REPLACE INTO temp.project_evm SELECT p.id, p.id, p.customer, "
			    "  p.name, p.status, p.manager, p.start, p.due, p.budget, p.rate, p.contract, "
			    "  ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
			    "  CASE WHEN ?4 > 0 THEN 100.0 * ?7 / ?4 END, "
			    "  CASE WHEN ?4 > 0 THEN 100.0 * ?6 / ?4 END "
			    "FROM project p WHERE p.id = ?1",
			    e);
	sqlite3_stmt *s = st->evm_put;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
	if (band)
		sqlite3_bind_double(s, 2, health);
	sqlite3_bind_text(s, 3, band, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, f->bac);
	sqlite3_bind_double(s, 5, f->pv);
	sqlite3_bind_double(s, 6, f->ev);
	sqlite3_bind_double(s, 7, f->ac);
	sqlite3_bind_double(s, 8, f->hours);
	if (f->has_spi)
		sqlite3_bind_double(s, 9, f->spi);
	if (f->has_cpi)
		sqlite3_bind_double(s, 10, f->cpi);
	if (f->has_eac) {
		sqlite3_bind_double(s, 11, f->eac);
		sqlite3_bind_double(s, 12, f->vac);
	}
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "project_evm");
	sqlite3_reset(s);
	return rc;
}
