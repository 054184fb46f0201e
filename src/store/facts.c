/*
 * facts.c — the raw numbers health scores are made of, read from the views of views.c in a
 * few set-based queries (one pass over each table, correlated lookups through indexes), so
 * scoring every project and customer costs about one scan of the data, not one per record.
 * It also owns the facts cache: facts of one status date kept between runs, and the triggers
 * that mark the project or customer behind every written row (and count each marking write),
 * so a later run reads again only what those marks name, and knows whether anything changed
 * while it read. And the kept health history and trends.
 */
#include "store_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A column's text into a fixed field, cut to fit (tens of thousands of rows: no printf). */
static void cpy(char *dst, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	str_copy_n(dst, n, (const char *)t, t ? (size_t)sqlite3_column_bytes(s, i) : 0);
}

const char store_changed[] = "(changed)";

/* ---- what marks the cache stale ---- */

/* The tables facts are read from, and whose facts a row of each feeds: the ids in these
 * columns; NULL for contract (the projects under it), and for member (rates), fx (exchange
 * rates) and setting (currency.default): every project and customer. */
static const struct {
	const char *table, *cols;
} fact_sources[] = {
	{ "project", "id" },	     { "customer", "id" },	   { "task", "project" },
	{ "time", "project" },	     { "expense", "project" },	   { "milestone", "project" },
	{ "ticket", "project,customer" }, { "invoice", "project,customer" },
	{ "survey", "project,customer" }, { "interaction", "customer" }, { "contract", NULL },
	{ "member", NULL },	     { "fx", NULL },		   { "setting", NULL },
};

bool store_facts_trigger(const char *table, int ev, char *name, size_t n, struct buf *ddl)
{
	static const char *const evs[] = { "insert", "update", "delete" };
	size_t i = 0;
	while (i < ARRAY_LEN(fact_sources) && strcmp(fact_sources[i].table, table))
		i++;
	if (i == ARRAY_LEN(fact_sources) || ev < 0 || ev > 2)
		return false;
	/* The version in the name: a later rapport that marks differently adds its own. */
	snprintf(name, n, "facts1_%s_%s", table, evs[ev]);
	if (!ddl)
		return true;
	/* Every firing counts (facts_seq): a run that reads facts without a lock knows, by the
	 * count being the same when it writes the cache, that nothing changed meanwhile. */
	buf_addf(ddl, "CREATE TRIGGER \"%s\" AFTER %s ON \"%s\" BEGIN\n"
		      "  UPDATE facts_seq SET n = n + 1;\n",
		 name, evs[ev], table);
	for (int side = 0; side < 2; side++) {
		/* insert: the new row; delete: the old; update: both (a task moved between projects
		 * changes two). */
		const char *row = side == 0 ? "NEW" : "OLD";
		if ((side == 0 && ev == 2) || (side == 1 && ev == 0))
			continue;
		const char *c = fact_sources[i].cols;
		if (!c && !strcmp(table, "contract"))
			buf_addf(ddl, "  INSERT OR IGNORE INTO facts_dirty(id) SELECT id FROM project "
				      "WHERE contract = %s.id;\n", row);
		else if (!c)
			buf_adds(ddl, "  INSERT OR IGNORE INTO facts_dirty(id) VALUES('*');\n");
		while (c && *c) {
			size_t k = strcspn(c, ",");
			buf_addf(ddl, "  INSERT OR IGNORE INTO facts_dirty(id) SELECT %s.\"%.*s\" "
				      "WHERE %s.\"%.*s\" IS NOT NULL;\n", row, (int)k, c, row, (int)k, c);
			c += k + (c[k] == ',');
		}
	}
	buf_adds(ddl, "END;\n");
	return true;
}

static int finish(struct store *st, sqlite3_stmt *s, int step, int rc, struct err *e,
		  const char *what)
{
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlerr(st, e, what);
	sqlite3_finalize(s);
	return rc;
}

/* Project facts are aggregated here in one pass over each table rather than by SQL GROUP BY
 * over the views: the same formulas as task_status (budget, planned share, progress), at a
 * fifth of the cost on 200,000 tasks, because SQLite's grouping sorts where a lookup in an
 * id-sorted array will do. */
struct pacc {
	struct project_facts f;
	double rate;
	/* the member whose rate was last converted into f.currency, and that rate */
	long conv_member;
	double conv_rate;
	long start; /* day number, 0 when unset */
	char contract[33];
};

/* The projects being summed, sorted by id (the order results are reported in), with a hash
 * index over them: a row's project is found in one probe, where a binary search over 20,000 ids
 * cost a dozen string compares per row. Rows of one project often come together (the task pass
 * walks an index ordered by project), so the last one found is tried first. */
struct pset {
	struct pacc *v;
	size_t n;
	struct strmap index;
	struct pacc *last;
};

static int cmp_pacc(const void *a, const void *b)
{
	return strcmp(((const struct pacc *)a)->f.id, ((const struct pacc *)b)->f.id);
}

static void pset_index(struct pset *ps)
{
	if (ps->n)
		qsort(ps->v, ps->n, sizeof(*ps->v), cmp_pacc);
	for (size_t i = 0; i < ps->n; i++)
		*strmap_put(&ps->index, ps->v[i].f.id, NULL) = &ps->v[i];
}

static struct pacc *pfind(struct pset *ps, const unsigned char *uid)
{
	const char *id = (const char *)uid;
	if (!id)
		return NULL;
	if (ps->last && !strcmp(ps->last->f.id, id))
		return ps->last;
	struct pacc *p = strmap_get(&ps->index, id);
	return p ? (ps->last = p) : NULL;
}

static long day_of(sqlite3_stmt *s, int i)
{
	long d = 0;
	const unsigned char *t = sqlite3_column_text(s, i);
	return t && date_parse((const char *)t, &d) ? d : 0;
}

/* Runs a grouped query whose first column is a project id; fn adds the row to that project. */
/* One per-table query of project facts: SELECT cols FROM table WHERE cond, with the project
 * filter written out for what is asked — nothing for every project (no row pays for it, and a
 * `scan` table is read in order rather than through an index), else a plain term on the
 * `project` column that its index serves. `grouped` sums per project in SQL. */
struct pquery {
	const char *cols, *table, *cond;
	bool scan, grouped;
};

static int per_project(struct store *st, const struct pquery *pq, const char *project,
		       const char *customer, struct pset *ps,
		       void (*fn)(struct pacc *p, sqlite3_stmt *s), struct err *e)
{
	sqlite3_stmt *s;
	struct buf q = BUF_INIT;
	buf_addf(&q, "SELECT project, %s FROM %s%s WHERE %s", pq->cols, pq->table,
		 pq->scan && !project && !customer ? " NOT INDEXED" : "", pq->cond);
	if (project)
		buf_adds(&q, " AND project = ?1");
	else if (customer == store_changed)
		buf_adds(&q, " AND project IN (SELECT id FROM facts_dirty)");
	else if (customer)
		buf_adds(&q, " AND project IN (SELECT id FROM project WHERE customer = ?2)");
	if (pq->grouped)
		buf_adds(&q, " GROUP BY project");
	int rc = store_prep(st, &s, q.data, e), step;
	buf_release(&q);
	if (rc)
		return rc;
	if (project)
		sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
	else if (customer && customer != store_changed)
		sqlite3_bind_text(s, 2, customer, -1, SQLITE_STATIC);
	ps->last = NULL;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct pacc *p = pfind(ps, sqlite3_column_text(s, 0));
		if (p)
			fn(p, s);
	}
	return finish(st, s, step, 0, e, "project facts");
}

/* The status date for add_task, and member rates for add_labour: set by store_project_facts
 * before its passes. File statics, since the pass callbacks get one project's sums only;
 * store_project_facts runs on one thread (health reads customers on the other). */
static long asof_day;

static void add_task(struct pacc *p, sqlite3_stmt *s)
{
	/* budget: baseline, else own, else estimate x rate */
	double budget = sqlite3_column_type(s, 7) != SQLITE_NULL ? sqlite3_column_double(s, 7)
			: sqlite3_column_type(s, 1) != SQLITE_NULL ? sqlite3_column_double(s, 1)
								    : sqlite3_column_double(s, 2) * p->rate;
	const unsigned char *status = sqlite3_column_text(s, 4);
	double progress = status && !strcmp((const char *)status, "done") ? 100.0
									   : sqlite3_column_double(s, 3);
	long ps = day_of(s, 8) ? day_of(s, 8) : day_of(s, 5) ? day_of(s, 5) : p->start;
	long pd = day_of(s, 9) ? day_of(s, 9) : day_of(s, 6);
	double planned = !pd ? 0.0 : asof_day >= pd ? 1.0
			 : !ps || ps >= pd || asof_day <= ps ? 0.0
							    : (double)(asof_day - ps) / (double)(pd - ps);
	p->f.bac += budget;
	p->f.pv += budget * planned;
	p->f.ev += budget * progress / 100.0;
}

/* Member rates, for labour cost: a handful of members, looked up per (project, member), with
 * the currency each rate is in ("" the team's) and the store to convert them with. */
static struct strv member_ids, member_rates, member_curs;
static struct store *fx_st;
static char asof_date[11], team_cur[4];

static void add_labour(struct pacc *p, sqlite3_stmt *s)
{
	const unsigned char *m = sqlite3_column_text(s, 1);
	double hours = sqlite3_column_double(s, 2), rate = p->rate;
	for (size_t i = 0; m && i < member_ids.n; i++)
		if (!strcmp(member_ids.v[i], (const char *)m)) {
			if (!member_rates.v[i][0])
				break;
			rate = strtod(member_rates.v[i], NULL);
			const char *mc = member_curs.v[i][0] ? member_curs.v[i] : team_cur;
			if (strcmp(mc, p->f.currency)) {
				/* once per (project, member) run of rows, not per row */
				if (p->conv_member != (long)i + 1) {
					double fx = 0;
					if (store_fx_rate(fx_st, mc, p->f.currency, asof_date, &fx))
						fx = 0;
					p->conv_member = (long)i + 1;
					p->conv_rate = rate * fx;
				}
				rate = p->conv_rate;
			}
			break;
		}
	p->f.hours += hours;
	p->f.ac += hours * rate;
}

static void add_expense(struct pacc *p, sqlite3_stmt *s)
{
	p->f.ac += sqlite3_column_double(s, 1);
}

static void add_milestones(struct pacc *p, sqlite3_stmt *s)
{
	p->f.ms_due = sqlite3_column_int64(s, 1);
	p->f.ms_on_time = sqlite3_column_int64(s, 2);
}

static void add_defects(struct pacc *p, sqlite3_stmt *s)
{
	p->f.defects = sqlite3_column_int64(s, 1);
}

static void add_invoices(struct pacc *p, sqlite3_stmt *s)
{
	p->f.inv_due = sqlite3_column_int64(s, 1);
	p->f.inv_on_time = sqlite3_column_int64(s, 2);
	if (!p->contract[0] && sqlite3_column_double(s, 3) > 0) {
		p->f.has_revenue = true;
		p->f.revenue = sqlite3_column_double(s, 3);
	}
}

static int member_rates_load(struct store *st, struct err *e)
{
	sqlite3_stmt *s;
	strv_clear(&member_ids);
	strv_clear(&member_rates);
	strv_clear(&member_curs);
	int rc = store_prep(st, &s, "SELECT id, rate, currency FROM member", e), step;
	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *r = sqlite3_column_text(s, 1), *c = sqlite3_column_text(s, 2);
		strv_push(&member_ids, (const char *)sqlite3_column_text(s, 0));
		strv_push(&member_rates, r ? (const char *)r : "");
		strv_push(&member_curs, c ? (const char *)c : "");
	}
	return finish(st, s, step, 0, e, "members");
}

/* The status date (store_asof) in days since 1970. */
static long asof_days(struct store *st)
{
	sqlite3_stmt *s;
	long d = 0;
	struct err e = { 0, "" };
	if (store_prep(st, &s, "SELECT d FROM asof", &e))
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		date_parse((const char *)sqlite3_column_text(s, 0), &d);
	sqlite3_finalize(s);
	return d;
}

/* A project's currency as SQL, for the project row `p` (and its contract `c`, when joined). */
#define PCUR(p) "COALESCE(" p ".currency, (SELECT cc.currency FROM contract cc WHERE cc.id = " p \
		".contract), (SELECT code FROM team_currency))"
/* The project rows: the contract's value comes converted into the project's currency. */
#define PROJECT_COLS                                                                              \
	"p.id, p.customer, p.status, p.budget, p.rate, p.start, p.contract, "                    \
	"rapport_fx(c.value, COALESCE(c.currency, " PCUR("p") "), " PCUR("p") ", "                \
	"(SELECT d FROM asof)), p.name, " PCUR("p")
/* The currency of the project a row's `project` column names. */
#define ROW_PCUR(t) "(SELECT " PCUR("pp") " FROM project pp WHERE pp.id = " t ".project)"

int store_project_facts(struct store *st, const char *project, const char *customer,
			int (*cb)(const struct project_facts *f, void *ctx), void *ctx, struct err *e)
{
	struct pacc *v = NULL;
	size_t n = 0, cap = 0;
	struct pset ps = { NULL, 0, { 0 }, NULL };
	sqlite3_stmt *s;
	int rc = store_prep(st, &s,
			    customer == store_changed
				    ? "SELECT " PROJECT_COLS " FROM project p LEFT JOIN contract c "
				      "  ON c.id = p.contract AND c.deleted = 0 WHERE p.deleted = 0 "
				      "  AND p.id IN (SELECT id FROM facts_dirty)"
				    : "SELECT " PROJECT_COLS " FROM project p LEFT JOIN contract c "
				      "  ON c.id = p.contract AND c.deleted = 0 WHERE p.deleted = 0 "
				      "  AND (?1 IS NULL OR p.id = ?1) AND (?2 IS NULL OR p.customer = ?2)",
			    e),
	    step;
	if (rc)
		return rc;
	if (customer != store_changed) {
		sqlite3_bind_text(s, 1, project, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, customer, -1, SQLITE_STATIC);
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*v));
		struct pacc *p = &v[n++];
		memset(p, 0, sizeof(*p));
		cpy(p->f.id, sizeof p->f.id, s, 0);
		cpy(p->f.customer, sizeof p->f.customer, s, 1);
		cpy(p->f.status, sizeof p->f.status, s, 2);
		p->f.budget = sqlite3_column_double(s, 3);
		p->rate = sqlite3_column_double(s, 4);
		p->start = day_of(s, 5);
		cpy(p->contract, sizeof p->contract, s, 6);
		cpy(p->f.name, sizeof p->f.name, s, 8);
		cpy(p->f.currency, sizeof p->f.currency, s, 9);
		if (p->contract[0] && sqlite3_column_type(s, 7) != SQLITE_NULL) {
			p->f.has_revenue = true;
			p->f.revenue = sqlite3_column_double(s, 7);
		} else
			p->contract[0] = '\0';
	}
	if ((rc = finish(st, s, step, 0, e, "projects")))
		goto out;
	/* Sorted here, not by ORDER BY: that walks the id index with a random row read each. */
	ps = (struct pset){ v, n, { 0 }, NULL };
	pset_index(&ps);
	asof_day = asof_days(st);
	days_to_date(asof_date, asof_day);
	fx_st = st;
	team_cur[0] = 0;
	if (!store_prep(st, &s, "SELECT code FROM team_currency", e)) {
		if (sqlite3_step(s) == SQLITE_ROW)
			cpy(team_cur, sizeof team_cur, s, 0);
		sqlite3_finalize(s);
	}
	/* Tasks and time entries are read in one sequential pass and summed here: an index walk
	 * costs a random read per row and SQL grouping a sort. */
	static const struct pquery tasks = {
		"budget, estimate, COALESCE(progress, 0), status, start, due, baseline_budget, "
		"baseline_start, baseline_due",
		"task", "deleted = 0 AND project IS NOT NULL", false, false
	};
	static const struct pquery labour = { "member, hours", "time",
					      "deleted = 0 AND date <= (SELECT d FROM asof)", false,
					      false };
	static const struct pquery expenses = { "SUM(rapport_fx(amount, COALESCE(currency, "
						ROW_PCUR("expense") "), " ROW_PCUR("expense")
						", date))",
						"expense",
						"deleted = 0 AND date <= (SELECT d FROM asof)", false,
						true };
	static const struct pquery milestones = { "SUM(is_due), SUM(is_due AND on_time)",
						  "milestone_status", "1", false, true };
	static const struct pquery defects = { "count(*)", "ticket_status", "kind = 'incident'",
					       false, true };
	static const struct pquery invoices = {
		"SUM(is_due), SUM(is_due AND paid_on_time), SUM(rapport_fx(amount, currency, "
		ROW_PCUR("invoice_status") ", issued))",
		"invoice_status",
		"project IS NOT NULL", false, true
	};
	if ((rc = per_project(st, &tasks, project, customer, &ps, add_task, e)) ||
	    (rc = member_rates_load(st, e)) ||
	    (rc = per_project(st, &labour, project, customer, &ps, add_labour, e)) ||
	    (rc = per_project(st, &expenses, project, customer, &ps, add_expense, e)) ||
	    (rc = per_project(st, &milestones, project, customer, &ps, add_milestones, e)) ||
	    (rc = per_project(st, &defects, project, customer, &ps, add_defects, e)) ||
	    (rc = per_project(st, &invoices, project, customer, &ps, add_invoices, e)))
		goto out;
	for (size_t i = 0; i < n && !rc; i++) {
		struct project_facts *f = &v[i].f;
		f->has_spi = f->pv > 0;
		f->spi = f->has_spi ? f->ev / f->pv : 0;
		f->has_cpi = f->ac > 0;
		f->cpi = f->has_cpi ? f->ev / f->ac : 0;
		f->has_eac = f->ac > 0 && f->ev > 0;
		f->eac = f->has_eac ? f->bac * f->ac / f->ev : 0;
		f->vac = f->has_eac ? f->bac - f->eac : 0;
		double fx;
		f->ac_base = !store_fx_rate(st, f->currency, team_cur, asof_date, &fx) ? f->ac * fx : 0;
		rc = cb(f, ctx);
	}
out:
	strmap_free(&ps.index, NULL);
	free(v);
	strv_clear(&member_ids);
	strv_clear(&member_rates);
	strv_clear(&member_curs);
	return rc;
}

int store_customer_facts(struct store *st, const char *customer,
			 int (*cb)(const struct customer_facts *f, void *ctx), void *ctx,
			 struct err *e)
{
	/* Invoices grouped in one pass; contact through the (customer, at, executive) index, a
	 * seek or a short range per customer. */
	static const char sql[] = /* a format: the marked-only terms go in the two %s */
		"SELECT c.id, c.stage, c.renewal_intent, c.name, "
		/* The bounds are bound values, not expressions: the planner then seeks. */
		"  (SELECT MAX(i.at) FROM interaction i WHERE i.customer = c.id AND i.deleted = 0 "
		"    AND i.at <= ?2), "
		"  EXISTS (SELECT 1 FROM interaction i WHERE i.customer = c.id AND i.deleted = 0 "
		"    AND i.at >= ?3 AND i.at <= ?2 AND i.executive = 1), "
		"  COALESCE(v.n, 0), COALESCE(v.age, 0), COALESCE(v.due, 0), COALESCE(v.ontime, 0), "
		"  COALESCE(v.revenue, 0) "
		"FROM customer c LEFT JOIN (SELECT customer, count(*) AS n, "
		/* in the team's currency: an amount no rate converts is left out */
		"    SUM(outstanding_base * age_days) / NULLIF(SUM(CASE WHEN outstanding_base > 0 "
		"      THEN outstanding_base END), 0) AS age, "
		"    SUM(is_due) AS due, SUM(is_due AND paid_on_time) AS ontime, "
		"    SUM(amount_base) AS revenue "
		/* Narrowed inside as well: a grouping is computed whole before it is joined. */
		"  FROM invoice_status WHERE (?1 IS NULL OR customer = ?1)%s GROUP BY customer) v "
		"  ON v.customer = c.id "
		"WHERE c.deleted = 0 AND (?1 IS NULL OR c.id = ?1)%s ORDER BY c.id";
	sqlite3_stmt *s;
	struct buf q = BUF_INIT;
	const char *marked = customer == store_changed ? " AND customer IN (SELECT id FROM facts_dirty)"
						       : "";
	buf_addf(&q, sql, marked, *marked ? " AND c.id IN (SELECT id FROM facts_dirty)" : "");
	if (customer == store_changed)
		customer = NULL;
	int rc = store_prep(st, &s, q.data, e), step;
	buf_release(&q);
	if (rc)
		return rc;
	long today = asof_days(st);
	char end[32], start[11];
	days_to_date(start, today - 180);
	days_to_date(end, today);
	strcat(end, "T23:59:59Z");
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, end, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, start, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct customer_facts f = { 0 };
		cpy(f.id, sizeof f.id, s, 0);
		cpy(f.stage, sizeof f.stage, s, 1);
		cpy(f.renewal, sizeof f.renewal, s, 2);
		cpy(f.name, sizeof f.name, s, 3);
		const unsigned char *last = sqlite3_column_text(s, 4);
		long lday;
		char d[11];
		if (last) {
			snprintf(d, sizeof d, "%.10s", (const char *)last);
			if (date_parse(d, &lday)) {
				f.has_contact = true;
				f.days_since_contact = today - lday;
			}
		}
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

/* Prepares a format whose one %s is the scope: `changed` (a term over the marked ids) when
 * customer is store_changed, else "(?1 IS NULL OR col = ?1)" with customer bound to ?1. */
static int prep_scoped(struct store *st, sqlite3_stmt **s, const char *fmt, const char *changed,
		       const char *col, const char *customer, struct err *e)
{
	struct buf term = BUF_INIT, q = BUF_INIT;
	if (customer == store_changed)
		buf_adds(&term, changed);
	else
		buf_addf(&term, "(?1 IS NULL OR %s = ?1)", col);
	buf_addf(&q, fmt, term.data);
	int rc = store_prep(st, s, q.data, e);
	buf_release(&term);
	buf_release(&q);
	if (!rc && customer != store_changed)
		sqlite3_bind_text(*s, 1, customer, -1, SQLITE_STATIC);
	return rc;
}

int store_survey_facts(struct store *st, const char *customer,
		       int (*cb)(const struct survey_fact *f, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = prep_scoped(st, &s,
			     "SELECT v.customer, v.project, v.kind, v.score, v.date FROM survey v "
			     "WHERE v.deleted = 0 AND v.date <= (SELECT d FROM asof) AND %s "
			     "ORDER BY v.customer, v.date",
			     "(v.customer IN (SELECT id FROM facts_dirty) "
			     "OR v.project IN (SELECT id FROM facts_dirty))",
			     "v.customer", customer, e),
	    step;
	if (rc)
		return rc;
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

int store_opportunities(struct store *st, const char *date, const char *customer,
			int (*cb)(const struct opp_fact *f, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	/* A status date already set stays, with the health figures kept for it. */
	int rc = st->asof[0] && !strcmp(st->asof, date) ? 0 : store_asof(st, date, e), step;
	if (rc || (rc = store_prep(st, &s,
				   "SELECT id, customer, stage, currency, expected_close, closed, name, "
				   "amount, probability, weighted, amount_base, weighted_base, "
				   "overdue_days, age_days, owner FROM opportunity_status "
				   "WHERE ?1 IS NULL OR customer = ?1 "
				   "ORDER BY expected_close IS NULL, expected_close, name, id",
				   e)))
		return rc;
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct opp_fact f = { 0 };
		cpy(f.id, sizeof f.id, s, 0);
		cpy(f.customer, sizeof f.customer, s, 1);
		cpy(f.stage, sizeof f.stage, s, 2);
		cpy(f.currency, sizeof f.currency, s, 3);
		cpy(f.expected_close, sizeof f.expected_close, s, 4);
		cpy(f.closed, sizeof f.closed, s, 5);
		f.name = sqlite3_column_text(s, 6) ? (const char *)sqlite3_column_text(s, 6) : "";
		f.amount = sqlite3_column_double(s, 7);
		f.probability = sqlite3_column_double(s, 8);
		f.weighted = sqlite3_column_double(s, 9);
		f.has_base = sqlite3_column_type(s, 10) != SQLITE_NULL;
		f.amount_base = sqlite3_column_double(s, 10);
		f.weighted_base = sqlite3_column_double(s, 11);
		f.overdue_days = sqlite3_column_int64(s, 12);
		f.age_days = sqlite3_column_int64(s, 13);
		cpy(f.owner, sizeof f.owner, s, 14);
		if ((rc = cb(&f, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "opportunities");
}

int store_invoices(struct store *st, const char *date, const char *customer,
		   int (*cb)(const struct inv_fact *f, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = st->asof[0] && !strcmp(st->asof, date) ? 0 : store_asof(st, date, e), step;
	if (rc || (rc = store_prep(st, &s,
				   "SELECT id, customer, currency, issued, due, paid_on, number, amount, "
				   "paid, outstanding, amount_base, outstanding_base, overdue_days, "
				   "age_days FROM invoice_status WHERE ?1 IS NULL OR customer = ?1 "
				   "ORDER BY customer, issued, id",
				   e)))
		return rc;
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct inv_fact f = { 0 };
		cpy(f.id, sizeof f.id, s, 0);
		cpy(f.customer, sizeof f.customer, s, 1);
		cpy(f.currency, sizeof f.currency, s, 2);
		cpy(f.issued, sizeof f.issued, s, 3);
		cpy(f.due, sizeof f.due, s, 4);
		cpy(f.paid_on, sizeof f.paid_on, s, 5);
		f.number = sqlite3_column_text(s, 6) ? (const char *)sqlite3_column_text(s, 6) : NULL;
		f.amount = sqlite3_column_double(s, 7);
		f.paid = sqlite3_column_double(s, 8);
		f.outstanding = sqlite3_column_double(s, 9);
		f.has_base = sqlite3_column_type(s, 10) != SQLITE_NULL &&
			     sqlite3_column_type(s, 11) != SQLITE_NULL;
		f.amount_base = sqlite3_column_double(s, 10);
		f.outstanding_base = sqlite3_column_double(s, 11);
		f.overdue_days = sqlite3_column_int64(s, 12);
		f.age_days = sqlite3_column_int64(s, 13);
		if ((rc = cb(&f, ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "invoices");
}

int store_response_facts(struct store *st, const char *customer,
			 int (*cb)(const char *customer, double hours, void *ctx), void *ctx,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc = prep_scoped(st, &s,
			     "SELECT customer, response_hours FROM ticket_status "
			     "WHERE response_hours IS NOT NULL AND %s ORDER BY customer, response_hours",
			     "customer IN (SELECT id FROM facts_dirty)", "customer", customer, e),
	    step;
	if (rc)
		return rc;
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

/* ---- the facts cache ---- */

int store_facts_cache_state(struct store *st, const char *key, struct facts_state *fs,
			    struct err *e)
{
	sqlite3_stmt *s;
	memset(fs, 0, sizeof(*fs));
	/* Marks only: counting the entries would read every page of them. */
	int rc = store_prep(st, &s, "SELECT (SELECT n FROM facts_seq), (SELECT count(*) FROM facts_dirty), "
				    "EXISTS (SELECT 1 FROM facts_dirty WHERE id = '*'), "
				    "(SELECT value FROM meta WHERE key = 'facts') IS ?1, "
				    "(SELECT value FROM meta WHERE key = 'facts.written')", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		fs->seq = sqlite3_column_int64(s, 0);
		fs->changed = (long)sqlite3_column_int64(s, 1);
		fs->usable = !sqlite3_column_int(s, 2) && sqlite3_column_int(s, 3);
		fs->written = sqlite3_column_int64(s, 4);
	} else
		rc = store_sqlerr(st, e, "facts cache");
	sqlite3_finalize(s);
	return rc;
}

int store_facts_cache_still(struct store *st, const struct facts_state *fs, bool cache_too,
			    bool *same, struct err *e)
{
	struct facts_state now;
	char *key = NULL;
	int rc = store_meta_get(st, "facts", &key, e);
	if (!rc)
		rc = store_facts_cache_state(st, key ? key : "", &now, e);
	free(key);
	*same = !rc && now.seq == fs->seq && (!cache_too || now.written == fs->written);
	return rc;
}

int store_facts_cache_load(struct store *st,
			   int (*cb)(const char *id, char kind, const void *data, size_t n, void *ctx),
			   void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "SELECT id, kind, data FROM facts_cache "
				    "WHERE id NOT IN (SELECT id FROM facts_dirty) ORDER BY id", e),
	    step;
	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s, 1);
		const void *d = sqlite3_column_blob(s, 2);
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), k ? (char)k[0] : '?', d,
			     (size_t)sqlite3_column_bytes(s, 2), ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "facts cache");
}

/* Each write of the cache is counted, so a run that read it before knows it changed since. */
static const char written_next[] =
	"INSERT INTO meta(key, value) VALUES('facts.written', 1) ON CONFLICT(key) "
	"DO UPDATE SET value = value + 1;";

int store_facts_cache_reset(struct store *st, const char *key, struct err *e)
{
	struct buf q = BUF_INIT;
	buf_addf(&q, "DELETE FROM facts_cache; DELETE FROM facts_dirty; %s", written_next);
	int rc = store_exec(st, q.data, e);
	buf_release(&q);
	return rc ? rc : store_meta_set(st, "facts", key, e);
}

int store_facts_cache_settle(struct store *st, struct err *e)
{
	struct buf q = BUF_INIT;
	buf_addf(&q, "DELETE FROM facts_cache WHERE id IN (SELECT id FROM facts_dirty); "
		     "DELETE FROM facts_dirty; %s", written_next);
	int rc = store_exec(st, q.data, e);
	buf_release(&q);
	return rc;
}

int store_facts_cache_put(struct store *st, const char *id, char kind, const void *data,
			  size_t n, struct err *e)
{
	char k[2] = { kind, '\0' };
	return store_put(st, &st->facts_put,
			 "INSERT OR REPLACE INTO facts_cache(id, kind, data) VALUES(?, ?, ?)",
			 "facts cache", e, "ttb", id, k, data, n);
}

int store_history_put(struct store *st, const char *id, const char *day, double score,
		      struct err *e)
{
	/* A rerun the same day mostly finds the same score: no page is rewritten for it. */
	return store_put(st, &st->hist_put,
			 "INSERT INTO health_history(id, day, score) VALUES(?, ?, ?) "
			 "ON CONFLICT(id, day) DO UPDATE SET score = excluded.score "
			 "WHERE score IS NOT excluded.score",
			 "health history", e, "ttd", id, day, score);
}

int store_history_all(struct store *st, const char *since,
		      int (*cb)(const char *id, const char *day, double score, void *ctx), void *ctx,
		      struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "SELECT id, day, score FROM health_history WHERE day >= ? "
				    "ORDER BY id, day", e), step;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			     sqlite3_column_double(s, 2), ctx)))
			break;
	return finish(st, s, step, rc, e, "health history");
}

int store_history(struct store *st, const char *id, const char *since,
		  int (*cb)(const char *day, double score, void *ctx), void *ctx, struct err *e)
{
	/* Cached: a ranking asks once per project and customer. */
	sqlite3_stmt *s = st->hist;
	int rc = 0, step;
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else if ((rc = store_prep(st, &st->hist,
				    "SELECT day, score FROM health_history WHERE id = ? AND day >= ? "
				    "ORDER BY day",
				    e)))
		return rc;
	s = st->hist;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_double(s, 1), ctx)))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlerr(st, e, "health history");
	sqlite3_reset(s);
	return rc;
}

int store_history_worst(struct store *st, long limit,
			int (*cb)(const char *id, double score, void *ctx), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	/* The trend table holds each id's last score and its day, one row per id: the day's
	 * worst without scanning every day of history (which the table is built from: a
	 * workspace whose table is not built yet reads that). */
	int rc = store_prep(st, &s,
			    "SELECT id, score FROM health_trend "
			    "WHERE day = (SELECT MAX(day) FROM health_trend) "
			    "  AND EXISTS (SELECT 1 FROM meta WHERE key = 'trends') "
			    "UNION ALL SELECT id, score FROM health_history "
			    "WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'trends') "
			    "  AND day = (SELECT MAX(day) FROM health_history) "
			    "ORDER BY 2, 1 LIMIT ?",
			    e),
	    step;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_double(s, 1), ctx)))
			break;
	return finish(st, s, step, rc, e, "health history");
}

int store_trend_all(struct store *st,
		    int (*cb)(const char *id, long week, const char *day, double score,
			      const void *weeks, size_t n, void *ctx),
		    void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "SELECT id, week, day, score, weeks FROM health_trend ORDER BY id",
			    e),
	    step;
	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 4);
		if ((rc = cb((const char *)sqlite3_column_text(s, 0), (long)sqlite3_column_int64(s, 1),
			     (const char *)sqlite3_column_text(s, 2), sqlite3_column_double(s, 3), b,
			     (size_t)sqlite3_column_bytes(s, 4), ctx)))
			break;
	}
	return finish(st, s, step, rc, e, "health trends");
}

int store_trend_put(struct store *st, const char *id, long week, const char *day, double score,
		    const void *weeks, size_t n, struct err *e)
{
	return store_put(st, &st->trend_put,
			 "INSERT OR REPLACE INTO health_trend(id, week, day, score, weeks) "
			 "VALUES(?, ?, ?, ?, ?)",
			 "health trends", e, "titdb", id, (long long)week, day, score, weeks, n);
}

int store_trend_clear(struct store *st, struct err *e)
{
	return store_exec(st, "DELETE FROM health_trend", e);
}

/* ---- portfolio KPIs for one period [from, to] (dates, inclusive) ---- */

static double one_number(struct store *st, const char *sql, const char *from, const char *to,
			 bool *null, int *rc, struct err *e)
{
	sqlite3_stmt *s;
	double v = 0;
	*null = true;
	if (*rc || (*rc = store_prep(st, &s, sql, e)))
		return 0;
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		v = sqlite3_column_double(s, 0);
		*null = false;
	} else if (step != SQLITE_ROW && step != SQLITE_DONE)
		*rc = store_sqlerr(st, e, "kpi");
	sqlite3_finalize(s);
	return v;
}

/* Each live customer's stage the day before the period (b) and at its end (e). */
#define STAGES_AT                                                                             \
	"SELECT c.id AS id, (SELECT h.stage FROM stage_history h WHERE h.customer = c.id AND "   \
	"h.since < ?1 ORDER BY h.since DESC LIMIT 1) AS b, (SELECT h.stage FROM stage_history h " \
	"WHERE h.customer = c.id AND h.since <= ?2 ORDER BY h.since DESC LIMIT 1) AS e "        \
	"FROM customer c WHERE c.deleted = 0"

int store_kpis(struct store *st, const char *from, const char *to, struct kpis *k, struct err *e)
{
	static const struct {
		size_t off, has;
		const char *sql;
	} q[] = {
#define K(f) offsetof(struct kpis, f), offsetof(struct kpis, has_##f)
		{ K(on_time_delivery),
		  "SELECT 100.0 * SUM(done IS NOT NULL AND done <= due) / count(*) FROM milestone "
		  "WHERE deleted = 0 AND due BETWEEN ?1 AND ?2" },
		{ K(first_contact_resolution),
		  "SELECT 100.0 * SUM(COALESCE(reopened, 0) = 0 AND first_response IS NOT NULL AND "
		  "  julianday(resolved) - julianday(first_response) <= 1.0 / 24) / count(*) "
		  "FROM ticket WHERE deleted = 0 AND resolved IS NOT NULL "
		  "AND substr(resolved, 1, 10) BETWEEN ?1 AND ?2" },
		{ K(complaint_hours),
		  "SELECT AVG(h) FROM (SELECT 24.0 * (julianday(resolved) - julianday(opened)) AS h "
		  "FROM ticket WHERE deleted = 0 AND kind = 'complaint' AND resolved IS NOT NULL "
		  "AND substr(resolved, 1, 10) BETWEEN ?1 AND ?2 ORDER BY h "
		  "LIMIT 2 - (SELECT count(*) FROM ticket WHERE deleted = 0 AND kind = 'complaint' "
		  "  AND resolved IS NOT NULL AND substr(resolved, 1, 10) BETWEEN ?1 AND ?2) % 2 "
		  "OFFSET (SELECT (count(*) - 1) / 2 FROM ticket WHERE deleted = 0 "
		  "  AND kind = 'complaint' AND resolved IS NOT NULL "
		  "  AND substr(resolved, 1, 10) BETWEEN ?1 AND ?2))" },
		{ K(collection_rate),
		  /* Money KPIs in the team's currency (invoice_status's *_base columns). */
		  "SELECT 100.0 * (1 - SUM(outstanding_base) / SUM(amount_base)) FROM invoice_status "
		  "WHERE due BETWEEN ?1 AND ?2 AND amount > 0" },
		{ K(receivable_days),
		  "SELECT 90.0 * (SELECT SUM(outstanding_base) FROM invoice_status "
		  "  WHERE issued <= ?2 AND outstanding > 0) / "
		  "  NULLIF((SELECT SUM(amount_base) FROM invoice_status "
		  "  WHERE issued BETWEEN date(?2, '-90 days') AND ?2), 0)" },
		{ K(nps),
		  "SELECT 100.0 * (SUM(score >= 9) - SUM(score <= 6)) / count(*) FROM survey "
		  "WHERE deleted = 0 AND kind = 'nps' AND date BETWEEN ?1 AND ?2" },
		{ K(csat),
		  "SELECT 100.0 * SUM(score >= 4) / count(*) FROM survey "
		  "WHERE deleted = 0 AND kind = 'csat' AND date BETWEEN ?1 AND ?2" },
		{ K(retention),
		  /* Of the customers the period began with (won: active, loyal or at risk the day
		   * before it), those not churned at its end, by their stage history. */
		  "SELECT 100.0 * SUM(COALESCE(e, '') != 'churned') / count(*) FROM (" STAGES_AT ") "
		  "WHERE b IN ('active', 'loyal', 'at_risk')" },
		{ K(churn),
		  "SELECT 100.0 * SUM(e = 'churned') / count(*) FROM (" STAGES_AT ") "
		  "WHERE b IN ('active', 'loyal', 'at_risk')" },
		{ K(conversion),
		  /* Of the leads and prospects of the period (at its start or entered in it), those
		   * won in it: active, loyal or at risk by its end. */
		  "SELECT 100.0 * SUM(e IN ('active', 'loyal', 'at_risk')) / count(*) FROM (" STAGES_AT
		  ") WHERE b IN ('lead', 'prospect') OR EXISTS (SELECT 1 FROM stage_history h "
		  "WHERE h.customer = id AND h.since BETWEEN ?1 AND ?2 AND h.stage IN ('lead', 'prospect'))" },
		{ K(revenue),
		  "SELECT SUM(amount_base) FROM invoice_status WHERE issued BETWEEN ?1 AND ?2" },
		{ K(revenue_per_member),
		  "SELECT (SELECT SUM(amount_base) FROM invoice_status WHERE issued BETWEEN ?1 AND ?2) / "
		  "NULLIF((SELECT count(*) FROM member WHERE deleted = 0), 0)" },
		{ K(utilisation),
		  /* Billable hours over what the team could work in the period: each member's
		   * capacity (hours a week, default 40) for the period's days / 7. */
		  "SELECT 100.0 * (SELECT COALESCE(SUM(hours), 0) FROM time WHERE deleted = 0 "
		  "AND COALESCE(billable, 1) = 1 AND date BETWEEN ?1 AND ?2) / NULLIF((SELECT "
		  "SUM(COALESCE(capacity, 40.0)) FROM member WHERE deleted = 0) * "
		  "(julianday(?2) - julianday(?1) + 1) / 7.0, 0)" },
		{ K(bookings),
		  "SELECT SUM(amount_base) FROM opportunity_status WHERE stage = 'won' "
		  "AND closed BETWEEN ?1 AND ?2" },
		{ K(win_rate),
		  "SELECT 100.0 * SUM(stage = 'won') / count(*) FROM opportunity_status "
		  "WHERE stage IN ('won', 'lost') AND closed BETWEEN ?1 AND ?2" },
		{ K(sales_cycle),
		  "SELECT AVG(age_days) FROM opportunity_status WHERE stage = 'won' "
		  "AND closed BETWEEN ?1 AND ?2" },
#undef K
	};
	/* The money KPIs read invoice_status, which holds invoices issued by the status date: at
	 * least the period's end. */
	int rc = st->asof[0] && strcmp(st->asof, to) >= 0 ? 0 : store_asof(st, to, e);
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < ARRAY_LEN(q) && !rc; i++) {
		bool null;
		double v = one_number(st, q[i].sql, from, to, &null, &rc, e);
		*(double *)((char *)k + q[i].off) = v;
		*(bool *)((char *)k + q[i].has) = !null;
	}
	return rc;
}
