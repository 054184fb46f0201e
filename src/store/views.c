/*
 * views.c — the documented read-only views (rapport-rules(5)) that health scores and rule
 * conditions read: earned value per project, task lateness, milestone, invoice, ticket and
 * contract status, customer activity. They are TEMP views, created per connection from this
 * file, so they always match the code that reads them and never need migrating; the status
 * date they compute against lives in the one-row temp table `asof` (store_asof).
 */
#include "store_int.h"

#include <string.h>

static const char *const views_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS asof(d TEXT NOT NULL);",
	/* Health scores computed in C (src/health), for rules to read. */
	"CREATE TEMP TABLE IF NOT EXISTS health_scores(id TEXT PRIMARY KEY, score REAL, band TEXT, "
	"  confidence REAL);",
	/* Tasks with their plan (the baseline's when there is one), budget and lateness.
	 * budget: the task's own, else estimate (hours) x the project's rate.
	 * planned: the fraction of the budget planned done by the status date, linear between
	 * plan_start and plan_due; a task with only a due date is planned done on that day;
	 * one without a due date is not scheduled (planned 0). */
	"CREATE TEMP VIEW IF NOT EXISTS task_status AS "
	"SELECT *, CASE WHEN plan_due IS NULL THEN 0.0 "
	"  WHEN asof_d >= plan_due THEN 1.0 "
	"  WHEN plan_start IS NULL OR plan_start >= plan_due OR asof_d <= plan_start THEN 0.0 "
	"  ELSE (julianday(asof_d) - julianday(plan_start)) / "
	"       (julianday(plan_due) - julianday(plan_start)) END AS planned "
	"FROM (SELECT t.id, t.project, COALESCE(t.customer, p.customer) AS customer, t.name, "
	"  t.status, t.assignee, COALESCE(t.\"key\", 0) AS \"key\", t.start, t.due, t.milestone, "
	"  CASE WHEN t.status = 'done' THEN 100.0 ELSE COALESCE(t.progress, 0.0) END AS progress, "
	"  COALESCE(t.baseline_budget, t.budget, t.estimate * p.rate, 0.0) AS budget, "
	"  COALESCE(t.baseline_start, t.start, p.start) AS plan_start, "
	"  COALESCE(t.baseline_due, t.due) AS plan_due, "
	"  CASE WHEN t.status != 'done' AND t.due < (SELECT d FROM asof) "
	"    THEN CAST(julianday((SELECT d FROM asof)) - julianday(t.due) AS INTEGER) ELSE 0 END AS late_days, "
	"  (SELECT d FROM asof) AS asof_d "
	"  FROM task t LEFT JOIN project p ON p.id = t.project WHERE t.deleted = 0);",
	/* Earned value per project: a table the health code fills (store_evm_put) from the same
	 * one-pass aggregation that scores use, so rules and scores never disagree. */
	"CREATE TEMP TABLE IF NOT EXISTS project_evm(id TEXT PRIMARY KEY, project TEXT, "
	"  customer TEXT, name TEXT, status TEXT, manager TEXT, start TEXT, due TEXT, budget REAL, "
	"  rate REAL, contract TEXT, health REAL, health_band TEXT, bac REAL, pv REAL, ev REAL, "
	"  ac REAL, hours REAL, spi REAL, cpi REAL, eac REAL, vac REAL, budget_used REAL, "
	"  earned REAL);",
	"CREATE TEMP VIEW IF NOT EXISTS milestone_status AS "
	"SELECT m.id, m.project, m.name, m.due, m.done, "
	"  m.due <= (SELECT d FROM asof) AS is_due, (m.done IS NOT NULL AND m.done <= m.due) AS on_time, "
	"  CASE WHEN m.done IS NULL AND m.due < (SELECT d FROM asof) "
	"    THEN CAST(julianday((SELECT d FROM asof)) - julianday(m.due) AS INTEGER) ELSE 0 END AS late_days "
	"FROM milestone m NOT INDEXED WHERE m.deleted = 0;",
	/* The currency totals are kept in: the team's currency.default, else the one most
	 * projects, contracts and invoices name (ties: the first code), else none. */
	"CREATE TEMP VIEW IF NOT EXISTS team_currency AS SELECT COALESCE("
	"  (SELECT value FROM setting WHERE deleted = 0 AND name = 'currency.default'), "
	"  (SELECT cur FROM (SELECT currency AS cur FROM project WHERE deleted = 0 "
	"    UNION ALL SELECT currency FROM contract WHERE deleted = 0 "
	"    UNION ALL SELECT currency FROM invoice WHERE deleted = 0) WHERE cur IS NOT NULL "
	"    GROUP BY cur ORDER BY count(*) DESC, cur LIMIT 1)) AS code;",
	/* Issued invoices (a draft is not owed yet, a void one never) in their currency (their
	 * own, else their contract's, else their project's, else the team's) and in the team's: amount_base and outstanding_base are NULL when no
	 * exchange rate converts them (rapport_fx). */
	"CREATE TEMP VIEW IF NOT EXISTS invoice_status AS "
	"SELECT v.*, rapport_fx(v.amount, v.currency, (SELECT code FROM team_currency), v.issued) "
	"    AS amount_base, "
	"  rapport_fx(v.outstanding, v.currency, (SELECT code FROM team_currency), v.issued) "
	"    AS outstanding_base FROM (SELECT i.id, i.customer, i.project, i.number, i.amount, "
	"  COALESCE(i.currency, (SELECT c.currency FROM contract c WHERE c.id = i.contract), "
	"    (SELECT p.currency FROM project p WHERE p.id = i.project), "
	"    (SELECT code FROM team_currency)) AS currency, i.issued, i.due, i.paid_on, "
	"  COALESCE(i.paid_amount, 0.0) AS paid, i.amount - COALESCE(i.paid_amount, 0.0) AS outstanding, "
	"  i.due <= (SELECT d FROM asof) AS is_due, "
	"  (COALESCE(i.paid_amount, 0.0) >= i.amount AND i.paid_on IS NOT NULL AND i.paid_on <= i.due) "
	"    AS paid_on_time, "
	"  CASE WHEN COALESCE(i.paid_amount, 0.0) < i.amount AND i.due < (SELECT d FROM asof) "
	"    THEN CAST(julianday((SELECT d FROM asof)) - julianday(i.due) AS INTEGER) ELSE 0 END AS overdue_days, "
	"  CAST(julianday((SELECT d FROM asof)) - julianday(i.issued) AS INTEGER) AS age_days "
	/* NOT INDEXED: these views are read whole and grouped; a scan and a sort beat an index
	 * walk with a random read per row. */
	"FROM invoice i NOT INDEXED WHERE i.deleted = 0 AND COALESCE(i.status, 'issued') = 'issued' "
	"  AND i.issued <= (SELECT d FROM asof)) v;",
	/* Opportunities with the probability that counts (their own, else their stage's), the
	 * weighted amount, and both in the team's currency at the expected close (the status
	 * date when none is set); open, and how many days past its expected close it is. */
	"CREATE TEMP VIEW IF NOT EXISTS opportunity_status AS "
	"SELECT v.*, v.amount * v.probability / 100.0 AS weighted, "
	"  rapport_fx(v.amount, v.currency, (SELECT code FROM team_currency), "
	"    COALESCE(v.closed, v.expected_close, (SELECT d FROM asof))) AS amount_base, "
	"  rapport_fx(v.amount * v.probability / 100.0, v.currency, (SELECT code FROM team_currency), "
	"    COALESCE(v.closed, v.expected_close, (SELECT d FROM asof))) AS weighted_base "
	"FROM (SELECT o.id, o.customer, o.name, o.stage, o.owner, o.source, o.expected_close, "
	/* A merge can join one replica's reopening with another's closed date: an open
	 * opportunity has none, whatever its record says. */
	"  CASE WHEN o.stage IN ('won', 'lost') THEN o.closed END AS closed, o.lost_reason, o.contract, o.project, COALESCE(o.amount, 0.0) AS amount, "
	"  COALESCE(o.currency, (SELECT code FROM team_currency)) AS currency, "
	"  COALESCE(o.probability, CASE o.stage WHEN 'qualify' THEN 10.0 WHEN 'propose' THEN 30.0 "
	"    WHEN 'negotiate' THEN 60.0 WHEN 'won' THEN 100.0 ELSE 0.0 END) AS probability, "
	"  o.stage IN ('qualify', 'propose', 'negotiate') AS is_open, "
	"  CASE WHEN o.stage IN ('qualify', 'propose', 'negotiate') "
	"    AND o.expected_close < (SELECT d FROM asof) "
	"    THEN CAST(julianday((SELECT d FROM asof)) - julianday(o.expected_close) AS INTEGER) "
	"    ELSE 0 END AS overdue_days, "
	"  CAST(julianday(COALESCE(CASE WHEN o.stage IN ('won', 'lost') THEN o.closed END, "
	"    (SELECT d FROM asof))) - "
	"    julianday(substr(o.created, 1, 10)) AS INTEGER) AS age_days "
	"FROM opportunity o WHERE o.deleted = 0 AND substr(o.created, 1, 10) <= (SELECT d FROM asof)) v;",
	/* Tickets: hours to first response, and whether the SLA (hours, default 24) is passed. */
	"CREATE TEMP VIEW IF NOT EXISTS ticket_status AS "
	"SELECT k.id, k.customer, k.project, k.kind, k.severity, k.title, k.status, k.owner, "
	"  k.opened, k.first_response, k.resolved, COALESCE(k.sla, 24.0) AS sla_hours, "
	"  24.0 * (julianday(k.first_response) - julianday(k.opened)) AS response_hours, "
	"  k.first_response IS NULL AND k.status IN ('open', 'pending') AND "
	"    24.0 * (julianday((SELECT d FROM asof) || 'T23:59:59Z') - julianday(k.opened)) > COALESCE(k.sla, 24.0) "
	"    AS past_sla "
	"FROM ticket k WHERE k.deleted = 0 AND substr(k.opened, 1, 10) <= (SELECT d FROM asof);",
	"CREATE TEMP VIEW IF NOT EXISTS contract_status AS "
	"SELECT c.id, c.customer, c.number, c.title, c.value, c.start, c.\"end\", c.status, c.renewal, "
	"  CAST(julianday(c.\"end\") - julianday((SELECT d FROM asof)) AS INTEGER) AS days_to_end "
	"FROM contract c WHERE c.deleted = 0;",
	/* Customers with their last contact and executive contact (interactions up to the date). */
	"CREATE TEMP VIEW IF NOT EXISTS customer_activity AS "
	"SELECT c.id, c.id AS customer, c.name, c.stage, c.owner, c.renewal_intent, "
	"  hs.score AS health, hs.band AS health_band, "
	"  (SELECT MAX(i.at) FROM interaction i WHERE i.customer = c.id AND i.deleted = 0 "
	"    AND i.at <= (SELECT d FROM asof) || 'T23:59:59Z') AS last_contact, "
	"  CAST(julianday((SELECT d FROM asof)) - julianday(date((SELECT MAX(i.at) FROM interaction i "
	"    WHERE i.customer = c.id AND i.deleted = 0 AND i.at <= (SELECT d FROM asof) || 'T23:59:59Z'))) AS INTEGER) "
	"    AS days_since_contact, "
	"  EXISTS (SELECT 1 FROM interaction i WHERE i.customer = c.id AND i.deleted = 0 "
	"    AND i.executive = 1 AND i.at >= date((SELECT d FROM asof), '-180 days') AND i.at <= (SELECT d FROM asof) || 'T23:59:59Z') "
	"    AS executive_180 "
	"FROM customer c LEFT JOIN health_scores hs ON hs.id = c.id WHERE c.deleted = 0;",
	"CREATE TEMP VIEW IF NOT EXISTS survey_status AS "
	"SELECT v.id, v.customer, v.project, v.contact, v.kind, v.score, v.date, v.comment, "
	"  c.name AS customer_name, CAST(julianday((SELECT d FROM asof)) - julianday(v.date) AS INTEGER) AS age_days "
	"FROM survey v LEFT JOIN customer c ON c.id = v.customer "
	"WHERE v.deleted = 0 AND v.date <= (SELECT d FROM asof);",
	/* Change requests with their project's customer and manager. */
	"CREATE TEMP VIEW IF NOT EXISTS change_status AS "
	"SELECT h.id, h.project, p.customer, p.manager, h.title, h.state, h.days, h.cost, "
	"  h.requested_by, h.applied, "
	"  CAST(julianday((SELECT d FROM asof)) - julianday(substr(h.created, 1, 10)) AS INTEGER) AS age_days "
	"FROM change h LEFT JOIN project p ON p.id = h.project WHERE h.deleted = 0;",
	/* Approvals (rapport-process(5)): what waits on whom, and the superior an overdue one
	 * escalates to. on_name is the governed record's name. */
	"CREATE TEMP VIEW IF NOT EXISTS approval_status AS "
	"SELECT a.id, a.\"on\", x.kind AS on_kind, "
	"  COALESCE(p.name, c.title, m.name, h.title) AS on_name, "
	"  COALESCE(p.id, m.project, h.project) AS project, "
	"  COALESCE(p.customer, c.customer, mp.customer, hp.customer) AS customer, "
	"  COALESCE(p.manager, mp.manager, hp.manager) AS manager, "
	"  a.process, a.stage, a.\"to\", a.step, a.\"round\", a.mode, a.state, a.approver, a.contact, "
	"  a.due, a.requested_by, a.requested, a.decided_at, a.conflicts IS NOT NULL AS conflicted, "
	"  mb.reports_to AS superior, "
	"  CASE WHEN a.state = 'pending' AND a.due < (SELECT d FROM asof) "
	"    THEN CAST(julianday((SELECT d FROM asof)) - julianday(a.due) AS INTEGER) ELSE 0 END AS overdue_days "
	"FROM approval a LEFT JOIN ids x ON x.id = a.\"on\" "
	"  LEFT JOIN project p ON p.id = a.\"on\" LEFT JOIN contract c ON c.id = a.\"on\" "
	"  LEFT JOIN milestone m ON m.id = a.\"on\" LEFT JOIN project mp ON mp.id = m.project "
	"  LEFT JOIN change h ON h.id = a.\"on\" LEFT JOIN project hp ON hp.id = h.project "
	"  LEFT JOIN member mb ON mb.id = a.approver "
	"WHERE a.deleted = 0;",
	/* Stage moves; an override is what rules usually watch. */
	"CREATE TEMP VIEW IF NOT EXISTS transition_log AS "
	"SELECT t.id, t.\"on\", x.kind AS on_kind, COALESCE(p.name, c.title, m.name, h.title) AS on_name, "
	"  COALESCE(p.id, m.project, h.project) AS project, "
	"  COALESCE(p.customer, c.customer, mp.customer, hp.customer) AS customer, "
	"  COALESCE(p.manager, mp.manager, hp.manager) AS manager, "
	"  t.process, t.\"from\", t.\"to\", t.\"round\", t.at, t.by, COALESCE(t.override, 0) AS override, "
	"  t.reason, mb.reports_to AS superior, "
	"  CAST(julianday((SELECT d FROM asof)) - julianday(substr(t.at, 1, 10)) AS INTEGER) AS age_days "
	"FROM \"transition\" t LEFT JOIN ids x ON x.id = t.\"on\" "
	"  LEFT JOIN project p ON p.id = t.\"on\" LEFT JOIN contract c ON c.id = t.\"on\" "
	"  LEFT JOIN milestone m ON m.id = t.\"on\" LEFT JOIN project mp ON mp.id = m.project "
	"  LEFT JOIN change h ON h.id = t.\"on\" LEFT JOIN project hp ON hp.id = h.project "
	"  LEFT JOIN member mb ON mb.id = COALESCE(p.manager, mp.manager, hp.manager) "
	"WHERE t.deleted = 0 AND substr(t.at, 1, 10) <= (SELECT d FROM asof);",
};

/* The view a rule watching a kind reads, and the names rules may read at all. */
static const char *const watch_views[][2] = {
	{ "task", "task_status" },	   { "project", "project_evm" },
	{ "customer", "customer_activity" }, { "contract", "contract_status" },
	{ "invoice", "invoice_status" },	   { "ticket", "ticket_status" },
	{ "survey", "survey_status" },	   { "milestone", "milestone_status" },
	{ "change", "change_status" },	   { "approval", "approval_status" },
	{ "transition", "transition_log" }, { "opportunity", "opportunity_status" },
};

const char *store_watch_view(const char *kind)
{
	for (size_t i = 0; kind && i < ARRAY_LEN(watch_views); i++)
		if (!strcmp(watch_views[i][0], kind))
			return watch_views[i][1];
	return NULL;
}

/* The views' columns that hold an amount of money (the rest are counts, days, percentages,
 * scores, text): what an alert's message shows as money, as every other screen does. */
static const char *const money_cols[][2] = {
	{ "task_status", "budget" },	 { "project_evm", "budget" },	{ "project_evm", "rate" },
	{ "project_evm", "bac" },	 { "project_evm", "pv" },	{ "project_evm", "ev" },
	{ "project_evm", "ac" },	 { "project_evm", "eac" },	{ "project_evm", "vac" },
	{ "contract_status", "value" }, { "invoice_status", "amount" }, { "invoice_status", "paid" },
	{ "invoice_status", "outstanding" }, { "invoice_status", "amount_base" },
	{ "invoice_status", "outstanding_base" }, { "opportunity_status", "amount" },
	{ "opportunity_status", "weighted" }, { "opportunity_status", "amount_base" },
	{ "opportunity_status", "weighted_base" },
};

bool store_rule_money(const char *watch, const char *column)
{
	const char *view = store_watch_view(watch);
	for (size_t i = 0; view && column && i < ARRAY_LEN(money_cols); i++)
		if (!strcmp(money_cols[i][0], view) && !strcmp(money_cols[i][1], column))
			return true;
	return false;
}

bool store_rule_readable(const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(watch_views); i++)
		if (!strcmp(watch_views[i][1], name))
			return true;
	/* fx: rapport_fx reads the rates from inside the views, with its own statement, which
	 * SQLite prepares again (under the rules' authorizer) whenever the schema changed. */
	return !strcmp(name, "asof") || !strcmp(name, "health_scores") ||
	       !strcmp(name, "team_currency") || !strcmp(name, "fx");
}

int store_views(struct store *st, struct err *e)
{
	int rc;
	if (!st->views) {
		for (size_t i = 0; i < ARRAY_LEN(views_sql); i++)
			if ((rc = store_exec(st, views_sql[i], e)))
				return rc;
		st->views = true;
	}
	return 0;
}

int store_team_currency(struct store *st, char out[4], struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_views(st, e);
	out[0] = 0;
	if (rc || (rc = store_prep(st, &s, "SELECT code FROM team_currency", e)))
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		str_copy(out, 4, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

int store_asof(struct store *st, const char *date, struct err *e)
{
	int rc = store_views(st, e);
	if (rc)
		return rc;
	sqlite3_stmt *s;
	if ((rc = store_exec(st, "DELETE FROM temp.asof; DELETE FROM temp.project_evm; "
				     "DELETE FROM temp.health_scores;", e)) ||
	    (rc = store_prep(st, &s, "INSERT INTO temp.asof(d) VALUES(?)", e)))
		return rc;
	sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "asof");
	sqlite3_finalize(s);
	if (!rc)
		snprintf(st->asof, sizeof st->asof, "%s", date);
	return rc;
}
