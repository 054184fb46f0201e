/*
 * facts.c — the raw numbers health scores are made of, read from the views of views.c in a
 * few set-based queries (one pass over each table, correlated lookups through indexes), so
 * scoring every project and customer costs about one scan of the data, not one per record.
 */
#include "store_int.h"

#include <string.h>

static void cpy(char *dst, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static int finish(struct store *st, sqlite3_stmt *s, int step, int rc, struct err *e,
		  const char *what)
{
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlerr(st, e, what);
	sqlite3_finalize(s);
	return rc;
}

int store_project_facts(struct store *st, const char *project, const char *customer,
			int (*cb)(const struct project_facts *f, void *ctx), void *ctx, struct err *e)
{
	static const char sql[] =
		"SELECT e.project, e.customer, e.status, e.bac, e.pv, e.ev, e.ac, e.hours, e.spi, "
		"  e.cpi, e.eac, e.vac, COALESCE(e.budget, e.bac), "
		"  (SELECT count(*) FROM milestone_status m WHERE m.project = e.project AND m.is_due), "
		"  (SELECT count(*) FROM milestone_status m WHERE m.project = e.project AND m.is_due "
		"    AND m.on_time), "
		"  (SELECT count(*) FROM ticket_status k WHERE k.project = e.project "
		"    AND k.kind = 'incident'), "
		"  (SELECT count(*) FROM invoice_status i WHERE i.project = e.project AND i.is_due), "
		"  (SELECT count(*) FROM invoice_status i WHERE i.project = e.project AND i.is_due "
		"    AND i.paid_on_time), "
		"  COALESCE((SELECT c.value FROM contract c WHERE c.id = e.contract AND c.deleted = 0), "
		"    (SELECT SUM(i.amount) FROM invoice_status i WHERE i.project = e.project)) "
		"FROM project_evm e WHERE (?1 IS NULL OR e.project = ?1) "
		"  AND (?2 IS NULL OR e.customer = ?2) ORDER BY e.project";
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, sql, e), step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct project_facts f = { 0 };
		cpy(f.id, sizeof f.id, s, 0);
		cpy(f.customer, sizeof f.customer, s, 1);
		cpy(f.status, sizeof f.status, s, 2);
		f.bac = sqlite3_column_double(s, 3);
		f.pv = sqlite3_column_double(s, 4);
		f.ev = sqlite3_column_double(s, 5);
		f.ac = sqlite3_column_double(s, 6);
		f.hours = sqlite3_column_double(s, 7);
		f.has_spi = sqlite3_column_type(s, 8) != SQLITE_NULL;
		f.spi = sqlite3_column_double(s, 8);
		f.has_cpi = sqlite3_column_type(s, 9) != SQLITE_NULL;
		f.cpi = sqlite3_column_double(s, 9);
		f.has_eac = sqlite3_column_type(s, 10) != SQLITE_NULL;
		f.eac = sqlite3_column_double(s, 10);
		f.vac = sqlite3_column_double(s, 11);
		f.budget = sqlite3_column_double(s, 12);
		f.ms_due = sqlite3_column_int64(s, 13);
		f.ms_on_time = sqlite3_column_int64(s, 14);
		f.defects = sqlite3_column_int64(s, 15);
		f.inv_due = sqlite3_column_int64(s, 16);
		f.inv_on_time = sqlite3_column_int64(s, 17);
		f.has_revenue = sqlite3_column_type(s, 18) != SQLITE_NULL;
		f.revenue = sqlite3_column_double(s, 18);
		if ((rc = cb(&f, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "project facts");
}

int store_customer_facts(struct store *st, const char *customer,
			 int (*cb)(const struct customer_facts *f, void *ctx), void *ctx,
			 struct err *e)
{
	static const char sql[] =
		"SELECT ca.id, ca.stage, ca.renewal_intent, ca.last_contact IS NOT NULL, "
		"  ca.days_since_contact, ca.executive_180, "
		"  (SELECT count(*) FROM invoice_status i WHERE i.customer = ca.id), "
		"  (SELECT COALESCE(SUM(i.outstanding * i.age_days) / NULLIF(SUM(i.outstanding), 0), 0) "
		"    FROM invoice_status i WHERE i.customer = ca.id AND i.outstanding > 0), "
		"  (SELECT count(*) FROM invoice_status i WHERE i.customer = ca.id AND i.is_due), "
		"  (SELECT count(*) FROM invoice_status i WHERE i.customer = ca.id AND i.is_due "
		"    AND i.paid_on_time), "
		"  (SELECT COALESCE(SUM(i.amount), 0) FROM invoice_status i WHERE i.customer = ca.id) "
		"FROM customer_activity ca WHERE ?1 IS NULL OR ca.id = ?1 ORDER BY ca.id";
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, sql, e), step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct customer_facts f = { 0 };
		cpy(f.id, sizeof f.id, s, 0);
		cpy(f.stage, sizeof f.stage, s, 1);
		cpy(f.renewal, sizeof f.renewal, s, 2);
		f.has_contact = sqlite3_column_int(s, 3);
		f.days_since_contact = sqlite3_column_int64(s, 4);
		f.executive_180 = sqlite3_column_int(s, 5);
		f.has_invoices = sqlite3_column_int64(s, 6) > 0;
		f.receivable_days = sqlite3_column_double(s, 7);
		f.inv_due = sqlite3_column_int64(s, 8);
		f.inv_on_time = sqlite3_column_int64(s, 9);
		f.revenue = sqlite3_column_double(s, 10);
		if ((rc = cb(&f, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "customer facts");
}

int store_survey_facts(struct store *st, const char *customer,
		       int (*cb)(const struct survey_fact *f, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    "SELECT v.customer, v.project, v.kind, v.score, v.date FROM survey v "
			    "JOIN asof a WHERE v.deleted = 0 AND v.date <= a.d "
			    "AND (?1 IS NULL OR v.customer = ?1) ORDER BY v.customer, v.date",
			    e),
	    step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct survey_fact f = { 0 };
		cpy(f.customer, sizeof f.customer, s, 0);
		cpy(f.project, sizeof f.project, s, 1);
		cpy(f.kind, sizeof f.kind, s, 2);
		f.score = sqlite3_column_int(s, 3);
		cpy(f.date, sizeof f.date, s, 4);
		if ((rc = cb(&f, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "surveys");
}

int store_response_facts(struct store *st, const char *customer,
			 int (*cb)(const char *customer, double hours, void *ctx), void *ctx,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    "SELECT customer, response_hours FROM ticket_status "
			    "WHERE response_hours IS NOT NULL AND (?1 IS NULL OR customer = ?1) "
			    "ORDER BY customer, response_hours",
			    e),
	    step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_double(s, 1),
			     ctx)))
			break;
	return finish(st, s, step, rc, e, "tickets");
}

int store_view_rows(struct store *st, const char *sql, const char *arg, long limit,
		    int (*cb)(int n, const char *const *cols, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, sql, e), step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit);
	int n = sqlite3_column_count(s);
	const char *cols[16];
	if (n > 16)
		n = 16;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			cols[i] = (const char *)sqlite3_column_text(s, i);
		if ((rc = cb(n, cols, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "view");
}

int store_history_put(struct store *st, const char *id, const char *day, double score,
		      struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    "INSERT OR REPLACE INTO health_history(id, day, score) VALUES(?, ?, ?)", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, score);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "health history");
	sqlite3_finalize(s);
	return rc;
}

int store_history(struct store *st, const char *id, const char *since,
		  int (*cb)(const char *day, double score, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    "SELECT day, score FROM health_history WHERE id = ? AND day >= ? ORDER BY day",
			    e),
	    step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_double(s, 1), ctx)))
			break;
	return finish(st, s, step, rc, e, "health history");
}
