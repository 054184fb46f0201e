/*
 * show.c — `rapport show ID`: one record with everything related to it. Related sections come
 * from the kind table: every reference field of every kind that points at this record's kind
 * yields a section (a customer's contacts, interactions, projects, contracts, quotes, invoices,
 * tickets, surveys, requirements, follow-up tasks, subsidiaries), so a custom ref field gets
 * its section too. On top of that, a customer gets its receivables and engagement summary and
 * a project its WBS tree and time/expense/budget totals.
 */
#include "billing.h"
#include "cmd.h"
#include "health.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_show = {
	"show", run, "show ID [--all | --brief]", N_("Show a record with everything related to it."),
	N_("For a customer this is the 360 view: facts, receivables and engagement, contacts,\n"
	"the timeline of interactions, projects with status, contracts, quotes, invoices with\n"
	"paid and outstanding amounts, tickets, surveys, requirements and follow-up tasks.\n"
	"For a project: milestones, the WBS task tree, and time, cost, expense and budget totals.\n"
	"Each section shows its latest 10 records; --all shows every one; --brief shows only the\n"
	"record and its summary. ID may be an id, a unique prefix or a unique name.\n"
	"With --json: the record, a \"summary\" object and a \"related\" object of arrays.\n"),
	CMD_WS | CMD_PAGER,
};

#define SECTION_ROWS 10

/* An amount in an ageing bucket, for people, in the order of age_labels (whose words stay the
 * --json keys). */
static const char *const age_amounts[AGE_BUCKETS] = {
	/* TRANSLATORS: an amount not yet due */
	N_("%s not due"),
	/* TRANSLATORS: an amount 1 to 30 days past due */
	N_("%s 1-30"),
	N_("%s 31-60"),
	N_("%s 61-90"),
	/* TRANSLATORS: an amount more than 90 days past due */
	N_("%s 90+"),
};

struct show {
	struct ctx *c;
	const struct record *r;
	bool all, brief;
	struct json j;
	struct buf jb;
};

/* ---- related sections ---- */

struct rows {
	struct show *s;
	struct table t;
	const struct field **cols;
	size_t ncols;
};

static int related_row(const struct record *r, void *p)
{
	struct rows *rw = p;
	struct ctx *c = rw->s->c;
	if (c->json) {
		json_record(&rw->s->j, r);
		return 0;
	}
	table_record(c, &rw->t, r, rw->cols, rw->ncols);
	return 0;
}

/* The section's heading; human false: in English, as the --json key is made of it. */
static const char *section_label(const struct kindinfo *ki, const struct field *f,
				 const char *shown_kind, bool human, char *buf, size_t n)
{
	static const char *special[][3] = { { "customer", "parent", N_("Subsidiaries") },
					    { "contact", "reports_to", N_("Direct reports") },
					    { "task", "parent", N_("Subtasks") },
					    { "customer", "owner", N_("Customers owned") } };
	for (size_t i = 0; i < ARRAY_LEN(special); i++)
		if (!strcmp(ki->k->name, special[i][0]) && !strcmp(f->name, special[i][1]))
			return human ? _(special[i][2]) : special[i][2];
	/* Capitalised in English before it is translated: a translation is shown as it is. */
	char cap[64];
	snprintf(cap, sizeof cap, "%s", ki->k->plural);
	cap[0] = (char)(cap[0] >= 'a' && cap[0] <= 'z' ? cap[0] - 'a' + 'A' : cap[0]);
	const char *plural = human ? C_("kind", cap) : cap;
	char fl[64];
	if (human)
		field_label(f, fl, sizeof fl);
	else
		snprintf(fl, sizeof fl, "%s", f->label ? f->label : f->name); /* the key's spelling */
	if (!strcmp(f->name, shown_kind) || !strcmp(f->name, "on"))
		snprintf(buf, n, "%s", plural);
	else if (human)
		/* TRANSLATORS: a related section of 'rapport show': records (the field pointing here) */
		snprintf(buf, n, C_("section", "%s (%s)"), plural, fl);
	else if (snprintf(buf, n, "%s (%s)", plural, fl) >= (int)n)
		buf[n - 1] = 0; /* a key no kind is long enough to need */
	return buf;
}

static int section(struct show *s, const struct kindinfo *ki, const struct field *f)
{
	struct ctx *c = s->c;
	struct query q;
	long total = 0;
	int rc;
	query_init(&q, ki);
	q.cond[0] = (struct qcond){ .f = f, .op = Q_EQ, .value = s->r->id };
	q.ncond = 1;
	if ((rc = ws_sort(c->ws, &q, NULL, &c->err)) || (rc = store_count(c->ws->st, &q, &total, &c->err)))
		goto out;
	if (!total)
		goto out;
	char lbuf[96];
	const char *label = section_label(ki, f, s->r->ki->k->name, !c->json, lbuf, sizeof lbuf);
	if (c->json) {
		char key[96];
		snprintf(key, sizeof key, "%s", label);
		for (char *p = key; *p; p++)
			*p = *p == ' ' ? '_' : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
		json_key(&s->j, key);
		json_arr_open(&s->j);
		rc = store_query(c->ws->st, &q, related_row, &(struct rows){ .s = s }, &c->err);
		json_arr_close(&s->j);
		goto out;
	}
	struct rows rw = { .s = s };
	rw.cols = xcalloc(ki->nf, sizeof(*rw.cols));
	for (size_t i = 0; i < ki->nf; i++)
		if ((ki->f[i]->flags & F_LIST) && ki->f[i] != f)
			rw.cols[rw.ncols++] = ki->f[i];
	table_records_head(&rw.t, rw.cols, rw.ncols);
	if (!s->all)
		q.limit = SECTION_ROWS;
	rc = store_query(c->ws->st, &q, related_row, &rw, &c->err);
	if (!rc) {
		fprintf(c->out, "\n%s%s%s (%ld)\n", col(c, C_HEAD), label, col(c, C_RESET), total);
		table_print(c, &rw.t, 2);
		if (!s->all && total > SECTION_ROWS)
		{
			fprintf(c->out, "  %s", col(c, C_MUTED));
			fprintf(c->out, _("… %ld more: rapport list %s %s=%.8s"), total - SECTION_ROWS,
				ki->k->name, f->name, s->r->id);
			fprintf(c->out, "%s\n", col(c, C_RESET));
		}
	}
	table_free(&rw.t);
	free(rw.cols);
out:
	query_free(&q);
	return rc;
}

/* Sections this kind's own summary replaces (a project's WBS replaces its flat task list). */
static bool replaced(const struct record *r, const struct kindinfo *ki, const struct field *f)
{
	if (!strcmp(r->ki->k->name, "project") && !strcmp(f->name, "project"))
		return !strcmp(ki->k->name, "task") || !strcmp(ki->k->name, "time") ||
		       !strcmp(ki->k->name, "expense");
	return false;
}

static int sections(struct show *s)
{
	const struct schema *sc = &s->c->ws->sc;
	for (size_t k = 0; k < sc->nkinds; k++) {
		const struct kindinfo *ki = &sc->kinds[k];
		for (size_t i = 0; i < ki->nf; i++) {
			const struct field *f = ki->f[i];
			if (f->type != FT_REF || (f->ref && strcmp(f->ref, s->r->ki->k->name)))
				continue;
			if (replaced(s->r, ki, f))
				continue;
			int rc = section(s, ki, f);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- collecting records for summaries ---- */

static int gather(struct ctx *c, const char *kind, const char *field, const char *id,
		  const char *sort, struct recs *out)
{
	const struct kindinfo *ki = schema_kind(&c->ws->sc, kind);
	struct query q;
	query_init(&q, ki);
	q.cond[0] = (struct qcond){ .f = kind_field(ki, field), .op = Q_EQ, .value = id };
	q.ncond = 1;
	int rc = ws_sort(c->ws, &q, sort, &c->err);
	if (!rc)
		rc = store_query(c->ws->st, &q, recs_add, out, &c->err);
	query_free(&q);
	return rc;
}

static void kv(struct show *s, const char *label, const char *value, enum role role)
{
	struct ctx *c = s->c;
	/* Padded by display columns, not bytes: a custom field's label may be Chinese (客户等级),
	 * and it is team data, so it is made safe like any value. */
	struct buf l = BUF_INIT;
	term_safe(&l, label, 0, 16);
	fprintf(c->out, "  %s %s", l.data, col(c, role));
	buf_release(&l);
	out_safe(c, value);
	fprintf(c->out, "%s\n", col(c, C_RESET));
}

/* ---- customer summary: receivables and engagement ---- */

/* Money a customer paid that no invoice took yet: receipts without an invoice, per currency. */
struct credit_sum {
	struct ws *w;
	struct msum *m;
};

static int credit_cb(const struct record *r, void *ctx)
{
	struct credit_sum *cs = ctx;
	char *cur = ws_currency(cs->w, r);
	msum_add(cs->m, cur, record_num(r, "amount"));
	free(cur);
	return 0;
}

static int credits_of(struct ctx *c, const char *customer, struct msum *out)
{
	struct query q;
	struct credit_sum cs = { c->ws, out };
	query_init(&q, schema_kind(&c->ws->sc, "receipt"));
	q.cond[q.ncond++] = (struct qcond){ kind_field(q.ki, "customer"), Q_EQ, customer, NULL };
	q.cond[q.ncond++] = (struct qcond){ kind_field(q.ki, "invoice"), Q_NULL, NULL, NULL };
	int rc = store_query(c->ws->st, &q, credit_cb, &cs, &c->err);
	query_free(&q);
	return rc;
}

static int customer_summary(struct show *s)
{
	struct ctx *c = s->c;
	struct recs inv = { 0 }, act = { 0 }, tk = { 0 }, sv = { 0 };
	struct pipeline os = { 0 };
	struct receivables rv = { 0 };
	struct billing plan = { 0 };
	struct msum invoiced = { 0 }, paid = { 0 }, outstanding = { 0 }, overdue = { 0 },
		    ready = { 0 }, credit = { 0 };
	long n_ready = 0;
	char today[11];
	int rc;
	fmt_date(today, clock_now());
	if ((rc = gather(c, "invoice", "customer", s->r->id, NULL, &inv)) ||
	    (rc = gather(c, "interaction", "customer", s->r->id, "-at", &act)) ||
	    (rc = gather(c, "ticket", "customer", s->r->id, NULL, &tk)) ||
	    (rc = gather(c, "survey", "customer", s->r->id, "-date", &sv)))
		goto out;
	/* Per currency: a customer billed in yuan and in euros owes two sums, never their total. */
	long n_overdue = 0, open_tickets = 0;
	for (size_t i = 0; i < inv.n; i++) {
		double amount = record_num(inv.v[i], "amount"), p = record_num(inv.v[i], "paid_amount");
		const char *due = record_get(inv.v[i], "due"), *st = record_get(inv.v[i], "status");
		if (st && strcmp(st, "issued")) /* a draft is not owed yet, a void one never */
			continue;
		char *cur = ws_currency(c->ws, inv.v[i]);
		msum_add(&invoiced, cur, amount);
		msum_add(&paid, cur, p);
		msum_add(&outstanding, cur, amount - p);
		if (p + 0.005 < amount && due && strcmp(due, today) < 0) {
			msum_add(&overdue, cur, amount - p);
			n_overdue++;
		}
		free(cur);
	}
	for (size_t i = 0; i < tk.n; i++) {
		const char *st = record_get(tk.v[i], "status");
		if (st && (!strcmp(st, "open") || !strcmp(st, "pending")))
			open_tickets++;
	}
	if ((rc = health_pipeline(c->ws, today, s->r->id, NULL, &os, &c->err)) ||
	    (rc = billing_receivables(c->ws, today, s->r->id, &rv, &plan, &c->err)) ||
	    (rc = credits_of(c, s->r->id, &credit)))
		goto out;
	n_ready = billing_ready(&plan, &ready);
	const char *last = act.n ? record_get(act.v[0], "at") : NULL;
	long days_since = -1, d_last, d_today;
	if (last) {
		char d[11];
		snprintf(d, sizeof d, "%.10s", last);
		if (date_parse(d, &d_last) && date_parse(today, &d_today))
			days_since = d_today - d_last;
	}
	if (c->json) {
		json_key(&s->j, "summary");
		json_obj_open(&s->j);
		json_money(&s->j, "invoiced", &invoiced);
		json_money(&s->j, "paid", &paid);
		json_money(&s->j, "outstanding", &outstanding);
		json_money(&s->j, "overdue", &overdue);
		json_key(&s->j, "overdue_invoices");
		json_int(&s->j, n_overdue);
		json_key(&s->j, "aging");
		json_arr_open(&s->j);
		for (size_t i = 0; i < rv.ntotal; i++) {
			json_obj_open(&s->j);
			json_key(&s->j, "currency");
			json_str(&s->j, rv.total[i].currency[0] ? rv.total[i].currency : NULL);
			for (int k = 0; k < AGE_BUCKETS; k++) {
				json_key(&s->j, age_labels[k]);
				json_num(&s->j, round(rv.total[i].bucket[k] * 100) / 100);
			}
			json_obj_close(&s->j);
		}
		json_arr_close(&s->j);
		json_money(&s->j, "credit", &credit);
		json_money(&s->j, "ready_to_invoice", &ready);
		json_money(&s->j, "pipeline", &os.amount);
		json_money(&s->j, "pipeline_weighted", &os.weighted);
		json_key(&s->j, "open_opportunities");
		json_int(&s->j, os.open);
		json_key(&s->j, "open_tickets");
		json_int(&s->j, open_tickets);
		json_key(&s->j, "last_contact");
		json_str(&s->j, last);
		json_key(&s->j, "last_survey");
		json_str(&s->j, sv.n ? record_get(sv.v[0], "score") : NULL);
		json_obj_close(&s->j);
		goto out;
	}
	fprintf(c->out, "\n%s%s%s\n", col(c, C_HEAD), _("Summary"), col(c, C_RESET));
	char *a = msum_fmt(&invoiced), *b = msum_fmt(&paid), *o = msum_fmt(&outstanding),
	     *d = msum_fmt(&overdue);
	char line[512];
	snprintf(line, sizeof line, _("%s invoiced, %s paid, %s outstanding"), a, b, o);
	kv(s, _("Receivables"), line, C_RESET);
	if (n_overdue) {
		snprintf(line, sizeof line,
			 P_("%s in %ld invoice past due", "%s in %ld invoices past due",
			    (unsigned long)n_overdue),
			 d, n_overdue);
		kv(s, _("Overdue"), line, C_BAD);
	}
	free(a);
	free(b);
	free(o);
	free(d);
	/* By days past due, a line per currency: where the money is stuck. */
	for (size_t i = 0; i < rv.ntotal; i++) {
		struct buf ab = BUF_INIT;
		const struct aging *g = &rv.total[i];
		for (int k = 0; k < AGE_BUCKETS; k++) {
			if (g->bucket[k] < 0.005)
				continue;
			char *m = fmt_amount(g->bucket[k], g->currency);
			buf_adds(&ab, ab.len ? " · " : "");
			buf_addf(&ab, _(age_amounts[k]), m);
			free(m);
		}
		kv(s, _("Ageing"), ab.data ? ab.data : "", g->bucket[AGE_60] + g->bucket[AGE_90] +
			g->bucket[AGE_OVER] > 0.005 ? C_BAD : g->overdue ? C_WARN : C_RESET);
		buf_release(&ab);
	}
	if (credit.n) {
		a = msum_fmt(&credit);
		kv(s, _("Credit"), a, C_RESET);
		free(a);
	}
	if (n_ready) {
		a = msum_fmt(&ready);
		snprintf(line, sizeof line,
			 P_("%s in %ld plan line ('rapport billing --customer %.8s')",
			    "%s in %ld plan lines ('rapport billing --customer %.8s')",
			    (unsigned long)n_ready),
			 a, n_ready, s->r->id);
		kv(s, _("To invoice"), line, C_WARN);
		free(a);
	}
	if (os.open) {
		a = msum_fmt(&os.weighted);
		b = msum_fmt(&os.amount);
		snprintf(line, sizeof line,
			 P_("%s weighted, of %s in %ld open opportunity",
			    "%s weighted, of %s in %ld open opportunities", (unsigned long)os.open),
			 a, b, os.open);
		kv(s, _("Pipeline"), line, C_RESET);
		free(a);
		free(b);
	}
	if (last) {
		/* days_since is -1 when a date does not read: "-1 days", as before */
		if (days_since == 1)
			snprintf(line, sizeof line, _("%.10s (%ld day ago)"), last, days_since);
		else
			snprintf(line, sizeof line, _("%.10s (%ld days ago)"), last, days_since);
		kv(s, _("Last contact"), line, days_since > 30 ? C_WARN : C_RESET);
	} else
		kv(s, _("Last contact"), _("never"), C_WARN);
	snprintf(line, sizeof line, _("%ld open of %zu"), open_tickets, tk.n);
	kv(s, _("Tickets"), line, open_tickets ? C_WARN : C_RESET);
	if (sv.n) {
		const char *sk = record_get(sv.v[0], "kind");
		/* TRANSLATORS: the latest survey: its kind (NPS, CSAT), its score, its date */
		snprintf(line, sizeof line, _("%s %s on %s"), sk ? choice_label(sk) : sk,
			 record_get(sv.v[0], "score"), record_get(sv.v[0], "date"));
		kv(s, _("Latest survey"), line, C_RESET);
	}
out:
	pipeline_free(&os);
	receivables_free(&rv);
	billing_free(&plan);
	msum_free(&ready);
	msum_free(&credit);
	msum_free(&invoiced);
	msum_free(&paid);
	msum_free(&outstanding);
	msum_free(&overdue);
	recs_free(&inv);
	recs_free(&act);
	recs_free(&tk);
	recs_free(&sv);
	return rc;
}

/* ---- project summary: WBS tree and totals ---- */

struct wbs {
	struct show *s;
	struct recs *tasks;
	struct table t;
	bool *done;
};

static void wbs_walk(struct wbs *w, const char *parent, const char *prefix, int depth)
{
	int n = 0;
	for (size_t i = 0; i < w->tasks->n; i++) {
		const struct record *t = w->tasks->v[i];
		const char *p = record_get(t, "parent");
		bool root = !p || !*p;
		if (!root) {
			/* A parent outside this project (or deleted) makes the task a root. */
			bool found = false;
			for (size_t k = 0; k < w->tasks->n; k++)
				if (!strcmp(w->tasks->v[k]->id, p))
					found = true;
			root = !found;
		}
		if (w->done[i] || (parent ? root || strcmp(p, parent) : !root))
			continue;
		w->done[i] = true;
		char num_[64], sid[9];
		snprintf(num_, sizeof num_, "%s%s%d", prefix, *prefix ? "." : "", ++n);
		snprintf(sid, sizeof sid, "%.8s", t->id);
		struct buf name = BUF_INIT;
		buf_addrep(&name, ' ', (size_t)depth * 2);
		buf_adds(&name, record_get(t, "name"));
		const char *st = record_get(t, "status");
		const struct field *stf = kind_field(t->ki, "status");
		char *prog = display_value(w->s->c, kind_field(t->ki, "progress"),
					   record_get(t, "progress"));
		const char *asg = record_get(t, "assignee");
		table_cell(&w->t, num_, C_MUTED);
		table_cell(&w->t, sid, C_ID);
		table_cell(&w->t, st ? choice_label(st) : st, value_role(stf, st));
		table_cell(&w->t, name.data, C_RESET);
		char pct[80];
		snprintf(pct, sizeof pct, "%s%s", prog, *prog ? "%" : "");
		table_cell(&w->t, pct, C_RESET);
		table_cell(&w->t, asg ? ws_title(w->s->c->ws, asg) : "", C_RESET);
		table_cell(&w->t, record_get(t, "due"), C_RESET);
		free(prog);
		buf_release(&name);
		wbs_walk(w, t->id, num_, depth + 1);
	}
}

static int project_summary(struct show *s)
{
	struct ctx *c = s->c;
	struct recs tasks = { 0 }, tm = { 0 }, ex = { 0 };
	struct billing plan = { 0 };
	char *pcur = NULL, today[11];
	const char *contract = record_get(s->r, "contract");
	int rc;
	fmt_date(today, clock_now());
	if ((rc = gather(c, "task", "project", s->r->id, "start,due,name", &tasks)) ||
	    (rc = gather(c, "time", "project", s->r->id, NULL, &tm)) ||
	    (rc = gather(c, "expense", "project", s->r->id, NULL, &ex)) ||
	    (contract && (rc = billing_plan(c->ws, today, contract, NULL, &plan, &c->err))))
		goto out;
	/* Totals in the project's currency: a member's rate and an expense in another are
	 * converted at the rate of their day (one with no rate is left out, and said so). */
	double hours = 0, billable = 0, cost = 0, expenses = 0;
	double prate = record_num(s->r, "rate");
	pcur = ws_currency(c->ws, s->r);
	for (size_t i = 0; i < tm.n; i++) {
		double h = record_num(tm.v[i], "hours"), rate = prate, fx = 1;
		const char *m = record_get(tm.v[i], "member");
		hours += h;
		const char *b = record_get(tm.v[i], "billable");
		if (!b || !strcmp(b, "true"))
			billable += h;
		struct record *mr;
		if (m && store_get(c->ws->st, &c->ws->sc, m, &mr, NULL) == 0) {
			if (record_get(mr, "rate")) {
				char *mc = ws_currency(c->ws, mr);
				rate = record_num(mr, "rate");
				if (store_fx_rate(c->ws->st, mc, pcur, record_get(tm.v[i], "date"), &fx))
					fx = 0;
				free(mc);
			}
			record_free(mr);
		}
		cost += h * rate * fx;
	}
	for (size_t i = 0; i < ex.n; i++) {
		char *ec = ws_currency(c->ws, ex.v[i]);
		double fx;
		if (!store_fx_rate(c->ws->st, ec, pcur, record_get(ex.v[i], "date"), &fx))
			expenses += record_num(ex.v[i], "amount") * fx;
		free(ec);
	}
	double budget = record_num(s->r, "budget");
	long ndone = 0;
	for (size_t i = 0; i < tasks.n; i++) {
		const char *st = record_get(tasks.v[i], "status");
		if (st && !strcmp(st, "done"))
			ndone++;
	}
	if (c->json) {
		json_key(&s->j, "summary");
		json_obj_open(&s->j);
		json_key(&s->j, "tasks");
		json_int(&s->j, (long long)tasks.n);
		json_key(&s->j, "tasks_done");
		json_int(&s->j, ndone);
		json_key(&s->j, "currency"); /* of the money below */
		json_str(&s->j, pcur);
		json_key(&s->j, "hours");
		json_num(&s->j, hours);
		json_key(&s->j, "billable_hours");
		json_num(&s->j, billable);
		json_key(&s->j, "labour_cost");
		json_num(&s->j, cost);
		json_key(&s->j, "expenses");
		json_num(&s->j, expenses);
		json_key(&s->j, "budget");
		if (record_get(s->r, "budget"))
			json_num(&s->j, budget);
		else
			json_null(&s->j);
		json_obj_close(&s->j);
		json_key(&s->j, "tasks");
		json_arr_open(&s->j);
		for (size_t i = 0; i < tasks.n; i++)
			json_record(&s->j, tasks.v[i]);
		json_arr_close(&s->j);
		json_key(&s->j, "payment_plan");
		json_arr_open(&s->j);
		for (size_t i = 0; i < plan.n; i++)
			if (!strcmp(plan.v[i].project, s->r->id))
				bill_line_json(&s->j, &plan.v[i]);
		json_arr_close(&s->j);
		goto out;
	}
	char line[256];
	fprintf(c->out, "\n%s%s%s\n", col(c, C_HEAD), _("Summary"), col(c, C_RESET));
	snprintf(line, sizeof line, _("%zu (%ld done)"), tasks.n, ndone);
	kv(s, _("Tasks"), line, C_RESET);
	snprintf(line, sizeof line,
		 P_("%.15g h (%.15g billable) in %zu entry", "%.15g h (%.15g billable) in %zu entries",
		    tm.n),
		 hours, billable, tm.n);
	kv(s, _("Time"), line, C_RESET);
	char *cs = fmt_amount(cost, pcur), *es = fmt_amount(expenses, pcur),
	     *tot = fmt_amount(cost + expenses, pcur);
	snprintf(line, sizeof line, _("%s labour + %s expenses = %s"), cs, es, tot);
	kv(s, _("Cost"), line, C_RESET);
	if (budget > 0) {
		char *bs = fmt_amount(budget, pcur);
		double used = 100 * (cost + expenses) / budget;
		snprintf(line, sizeof line, _("%s, %.0f%% used"), bs, used);
		kv(s, _("Budget"), line, used > 100 ? C_BAD : used > 80 ? C_WARN : C_RESET);
		free(bs);
	}
	free(cs);
	free(es);
	free(tot);
	if (tasks.n && !s->brief) {
		struct wbs w = { .s = s, .tasks = &tasks };
		w.done = xcalloc(tasks.n, sizeof(bool));
		table_init(&w.t, 7);
		const char *heads[] = { N_("WBS"),  "",	      N_("Status"), N_("Task"),
					N_("Done"), N_("Assignee"), N_("Due") };
		for (size_t i = 0; i < ARRAY_LEN(heads); i++)
			table_cell(&w.t, heads[i][0] ? _(heads[i]) : "", C_HEAD);
		table_right(&w.t, 4);
		wbs_walk(&w, NULL, "", 0);
		fprintf(c->out, "\n%s", col(c, C_HEAD));
		fprintf(c->out, _("Tasks (%zu)"), tasks.n);
		fprintf(c->out, "%s\n", col(c, C_RESET));
		table_print(c, &w.t, 2);
		table_free(&w.t);
		free(w.done);
	}
	/* The contract's payment plan lines that belong to this project: what it bills when. */
	bill_lines_print(c, &plan, s->r->id, true, 2);
out:
	billing_free(&plan);
	free(pcur);
	recs_free(&tasks);
	recs_free(&tm);
	recs_free(&ex);
	return rc;
}

/* ---- the record itself ---- */

static void fields(struct show *s)
{
	struct ctx *c = s->c;
	const struct record *r = s->r;
	char *title = record_title(r);
	fprintf(c->out, "%s%s%s %s%s%s%s%s\n", col(c, C_KIND), kind_label(r->ki->k), col(c, C_RESET),
		col(c, C_ID), r->id, col(c, C_RESET), r->deleted ? "  " : "",
		r->deleted ? _("(deleted)") : "");
	fprintf(c->out, "%s", col(c, C_HEAD));
	out_safe(c, title);
	fprintf(c->out, "%s\n", col(c, C_RESET));
	free(title);
	for (size_t i = 0; i < r->ki->nf; i++) {
		const struct field *f = r->ki->f[i];
		if (!r->val[i] || (f->flags & F_NAME))
			continue;
		char label[64];
		field_label(f, label, sizeof label);
		char *d = display_value(c, f, r->val[i]);
		if (f->type == FT_LONG && strchr(d, '\n')) {
			fprintf(c->out, "  %s\n", label);
			for (char *p = d, *nl; p; p = nl ? nl + 1 : NULL) {
				nl = strchr(p, '\n');
				if (nl)
					*nl = '\0';
				struct buf b = BUF_INIT;
				term_safe(&b, p, 0, 0);
				fprintf(c->out, "      %s\n", b.data);
				buf_release(&b);
			}
		} else
			kv(s, label, d, value_role(f, r->val[i]));
		free(d);
	}
	char line[512];
	const char *who = r->author ? r->author : _("unknown");
	bool changed = strcmp(r->created, r->updated) != 0;
	if (changed)
		snprintf(line, sizeof line, _("%s by %s (created %s)"), r->updated, who, r->created);
	else
		snprintf(line, sizeof line, _("%s by %s"), r->created, who);
	kv(s, changed ? _("Updated") : _("Created"), line, C_MUTED);
	struct held *h = NULL;
	struct err he = { 0 };
	if (!store_held_get(c->ws->st, r->id, &h, &he)) {
		if (h->broken)
			snprintf(line, sizeof line, _("arrived breaking a rule: %s (an edit that repairs it "
						      "clears this)"), h->reason);
		else
			snprintf(line, sizeof line, _("the team's copy could not be read (%s); this is "
						      "the last valid copy, and edits merge into the team's "
						      "('rapport resolve %.8s --held ours|theirs')"),
				 h->reason, r->id);
		kv(s, h->broken ? _("Broken") : _("Held"), line, C_WARN);
	}
	held_free(h);
}

static int run(struct ctx *c, int argc, char **argv)
{
	struct show s = { .c = c, .jb = BUF_INIT };
	struct record *r = NULL;
	const char *ref = NULL;
	int rc;
	const struct opt opts[] = { { "--all", &s.all, NULL, NULL },
				    { "--brief", &s.brief, NULL, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_show, argc, argv, opts, &ref, 1, NULL,
			     _("one record at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, &cmd_show, "which record?");
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, ref, NULL, &r, &c->err)))
		return rc;
	s.r = r;
	bool is_customer = !strcmp(r->ki->k->name, "customer");
	bool is_project = !strcmp(r->ki->k->name, "project");
	if (c->json) {
		json_init(&s.j, &s.jb, true);
		json_obj_open(&s.j);
		json_key(&s.j, "record");
		json_record(&s.j, r);
		struct held *h = NULL;
		struct err he = { 0 };
		json_key(&s.j, "held");
		if (!store_held_get(c->ws->st, r->id, &h, &he)) {
			json_obj_open(&s.j);
			json_key(&s.j, "reason");
			json_str(&s.j, h->reason);
			json_key(&s.j, "broken");
			json_bool(&s.j, h->broken);
			json_key(&s.j, "since");
			json_str(&s.j, h->since);
			json_obj_close(&s.j);
		} else
			json_null(&s.j);
		held_free(h);
		if (is_customer)
			rc = customer_summary(&s);
		else if (is_project)
			rc = project_summary(&s);
		if (!rc) {
			s.all = true;
			json_key(&s.j, "related");
			json_obj_open(&s.j);
			rc = sections(&s);
			json_obj_close(&s.j);
		}
		json_obj_close(&s.j);
		if (!rc)
			json_flush(c, &s.jb);
	} else {
		fields(&s);
		if (is_customer)
			rc = customer_summary(&s);
		else if (is_project)
			rc = project_summary(&s);
		if (!rc && !s.brief)
			rc = sections(&s);
	}
	buf_release(&s.jb);
	record_free(r);
	return rc;
}
