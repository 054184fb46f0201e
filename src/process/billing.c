/*
 * billing.c — lead to cash after the sale (billing.h): a contract's payment plan read against
 * its milestones, the draft invoice of a line whose trigger was reached, and receivables:
 * ageing by days past due, days sales outstanding and the collection forecast, in which a
 * planned line moves with its project's schedule performance. Reads the facts health reads and
 * the process engine's stages; writes only through the workspace (ws_add, ws_save).
 */
#include "billing.h"
#include "process.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* JSON keys as they are; people see _(age_labels[b]). */
const char *const age_labels[AGE_BUCKETS] = { N_("not due"), N_("1-30"), N_("31-60"), N_("61-90"),
					       N_("90+") };

static void put_day(char out[11], long d)
{
	days_to_date(out, d);
}

void billing_free(struct billing *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].label);
		free(b->v[i].trigger);
		free(b->v[i].contract_title);
		free(b->v[i].why);
		free(b->v[i].why_shown);
	}
	free(b->v);
	strv_clear(&b->flags);
	memset(b, 0, sizeof *b);
}

long billing_ready(const struct billing *b, struct msum *m)
{
	long n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].ready) {
			msum_add(m, b->v[i].currency, b->v[i].amount);
			n++;
		}
	return n;
}

struct spi_of {
	char project[33];
	bool has;
	double spi;
};

/* The projects' SPIs one reading of the plans has computed: each project once, however many
 * of its lines wait (earned value reads every task and time entry of the project). */
struct spis {
	struct spi_of *v;
	size_t n;
};

static int spi_cb(const struct project_facts *f, void *ctx)
{
	struct spi_of *s = ctx;
	if (!strcmp(f->id, s->project)) {
		s->has = f->has_spi;
		s->spi = f->spi;
	}
	return 0;
}

/* The day a milestone entered the last stage of its process: its customer's acceptance. "" when
 * it has not, and *why says what it waits for. */
static int accepted_on(struct ws *w, const struct record *ms, char out[11], char **why,
		       char **why_shown, struct err *e)
{
	struct proc p = { 0 };
	struct gate g = { 0 };
	const char *name = record_get(ms, "name") ? record_get(ms, "name") : ms->id;
	int rc = process_for(w, ms, &p, e);
	out[0] = '\0';
	if (rc)
		return rc;
	if (!p.r || !p.d.n) {
		*why = xasprintf_said(why_shown, N_("milestone %s follows no acceptance process"), name);
		goto out;
	}
	const char *last = p.d.v[p.d.n - 1].code, *stage = record_get(ms, "acceptance");
	if (!stage || strcmp(stage, last)) {
		if (stage)
			*why = xasprintf_said(why_shown, N_("waits for the acceptance of milestone %s (%s now)"), name,
					 stage);
		else
			*why = xasprintf_said(why_shown, N_("waits for the acceptance of milestone %s (not started now)"),
					 name);
		goto out;
	}
	if (!(rc = process_gate(w, ms, &p, NULL, &g, e)))
		snprintf(out, 11, "%.10s", g.entered);
	gate_free(&g);
out:
	proc_free(&p);
	return rc;
}

/* The project a line belongs to: its milestone's, else the first live one under the contract. */
static void project_of(struct ws *w, const struct record *ms, const char *contract, char out[33])
{
	struct query q;
	struct recs r = { 0 };
	struct err e = { 0 };
	out[0] = '\0';
	if (ms && record_get(ms, "project")) {
		snprintf(out, 33, "%s", record_get(ms, "project"));
		return;
	}
	query_init(&q, schema_kind(&w->sc, "project"));
	q.cond[q.ncond++] = (struct qcond){ kind_field(q.ki, "contract"), Q_EQ, contract, NULL };
	q.limit = 1;
	if (!store_query(w->st, &q, recs_add, &r, &e) && r.n)
		snprintf(out, 33, "%s", r.v[0]->id);
	query_free(&q);
	recs_free(&r);
}

/* forecast = due + (due - start) x (1 - SPI) / SPI, capped at the project's forecast end and
 * never before the status date. */
static void forecast_of(struct ws *w, struct spis *cache, const char *project,
			const char *planned, long today, char out[11], struct err *e)
{
	struct record *p = NULL;
	struct spi_of s = { .has = false };
	long due, start, pdue, f;
	snprintf(out, 11, "%s", planned);
	if (!planned[0] || !date_parse(planned, &due))
		return;
	f = due;
	snprintf(s.project, sizeof s.project, "%s", project);
	size_t k = 0;
	while (k < cache->n && strcmp(cache->v[k].project, project))
		k++;
	if (k < cache->n)
		s = cache->v[k];
	else if (project[0]) {
		if (store_project_facts(w->st, project, NULL, spi_cb, &s, e))
			s.has = false;
		cache->v = xrealloc(cache->v, (cache->n + 1) * sizeof *cache->v);
		cache->v[cache->n++] = s;
	}
	if (project[0] && s.has &&
	    !store_get(w->st, &w->sc, project, &p, e) && record_get(p, "start") &&
	    date_parse(record_get(p, "start"), &start)) {
		double spi = s.spi < 0.1 ? 0.1 : s.spi;
		f = due + lround((double)(due - start) * (1 - spi) / spi);
		if (record_get(p, "due") && date_parse(record_get(p, "due"), &pdue)) {
			long end = pdue + lround((double)(pdue - start) * (1 - spi) / spi);
			if (f > end && end >= due)
				f = end;
		}
	}
	err_clear(e);
	record_free(p);
	if (f < today)
		f = today;
	put_day(out, f);
}

static int cmp_line(const void *a, const void *b)
{
	const struct bill_line *x = a, *y = b;
	int c = strcmp(x->contract_title ? x->contract_title : "", y->contract_title ? y->contract_title : "");
	if (!c)
		c = strcmp(x->contract, y->contract);
	if (!c)
		c = strcmp(x->planned[0] ? x->planned : "9999", y->planned[0] ? y->planned : "9999");
	return c ? c : strcmp(x->id, y->id);
}

/* What a line is now: reached, invoiced, or waiting, and when its money is expected. */
static int line_read(struct ws *w, struct spis *spis, const struct record *r,
		     const struct record *k, long today, struct bill_line *l, struct err *e)
{
	const char *trig = record_get(r, "trigger"), *msid = record_get(r, "milestone"),
		   *inv = record_get(r, "invoice");
	struct record *ms = NULL, *iv = NULL;
	struct err ge = { 0 };
	char *cur = ws_currency(w, k);
	double value = record_num(k, "value");
	int rc = 0;
	snprintf(l->id, sizeof l->id, "%s", r->id);
	snprintf(l->contract, sizeof l->contract, "%s", k->id);
	snprintf(l->customer, sizeof l->customer, "%s",
		 record_get(k, "customer") ? record_get(k, "customer") : "");
	snprintf(l->currency, sizeof l->currency, "%s", cur ? cur : "");
	free(cur);
	l->label = xstrdup(record_get(r, "label") ? record_get(r, "label") : "");
	l->trigger = xstrdup(trig ? trig : "date");
	l->contract_title = xstrdup(record_get(k, "title") ? record_get(k, "title") : k->id);
	l->amount = record_get(r, "amount") ? record_num(r, "amount") : record_num(r, "percent") * value / 100.0;
	l->amount = round(l->amount * 100) / 100;
	l->percent = value > 0 ? l->amount * 100.0 / value : 0;
	l->due_days = record_get(r, "due_days") ? (long)record_num(r, "due_days") : 30;
	char today_s[11];
	put_day(today_s, today);
	if (msid && !store_get(w->st, &w->sc, msid, &ms, &ge) && !ms->deleted)
		snprintf(l->milestone, sizeof l->milestone, "%s", msid);
	project_of(w, l->milestone[0] ? ms : NULL, k->id, l->project);
	const char *mname = ms && record_get(ms, "name") ? record_get(ms, "name") : "?";
	if (!strcmp(l->trigger, "date")) {
		snprintf(l->planned, sizeof l->planned, "%s", record_get(r, "date") ? record_get(r, "date") : "");
		if (l->planned[0] && strcmp(l->planned, today_s) <= 0)
			snprintf(l->reached, sizeof l->reached, "%s", l->planned);
		else
			l->why = xasprintf_said(&l->why_shown, N_("waits for %s"), l->planned);
	} else if (!l->milestone[0]) {
		l->why = xasprintf_said(&l->why_shown, N_("its milestone %.8s is gone"), msid ? msid : "");
	} else {
		const char *done = record_get(ms, "done");
		snprintf(l->planned, sizeof l->planned, "%s", record_get(ms, "due") ? record_get(ms, "due") : "");
		if (!strcmp(l->trigger, "milestone")) {
			if (done && strcmp(done, today_s) <= 0)
				snprintf(l->reached, sizeof l->reached, "%s", done);
			else if (l->planned[0])
				l->why = xasprintf_said(&l->why_shown, N_("waits for milestone %s to be done (due %s)"), mname,
						   l->planned);
			else
				l->why = xasprintf_said(&l->why_shown, N_("waits for milestone %s to be done (due unset)"),
						   mname);
		} else if ((!done || strcmp(done, today_s) > 0) && l->planned[0])
			l->why = xasprintf_said(&l->why_shown, N_("waits for milestone %s to be done and accepted (due %s)"),
					   mname, l->planned);
		else if (!done || strcmp(done, today_s) > 0)
			l->why = xasprintf_said(&l->why_shown, N_("waits for milestone %s to be done and accepted (due unset)"),
					   mname);
		else if ((rc = accepted_on(w, ms, l->reached, &l->why, &l->why_shown, e)))
			goto out;
	}
	if (l->reached[0]) {
		snprintf(l->forecast, sizeof l->forecast, "%s", l->reached);
		free(l->why);
		free(l->why_shown);
		l->why = l->why_shown = NULL;
	} else
		forecast_of(w, spis, l->project, l->planned, today, l->forecast, e);
	long base;
	if (l->forecast[0] && date_parse(l->forecast, &base))
		put_day(l->due, base + l->due_days);
	/* An invoice voided or deleted since bills again. */
	if (inv && !store_get(w->st, &w->sc, inv, &iv, &ge) && !iv->deleted &&
	    !(record_get(iv, "status") && !strcmp(record_get(iv, "status"), "void"))) {
		const char *st = record_get(iv, "status") ? record_get(iv, "status") : "issued";
		const char *no = record_get(iv, "number");
		char *paid = fmt_money(record_num(iv, "paid_amount")), *amt = fmt_money(record_num(iv, "amount"));
		snprintf(l->invoice, sizeof l->invoice, "%s", inv);
		free(l->why);
		free(l->why_shown);
		char shown[40];
		snprintf(shown, sizeof shown, no ? "%s" : "%.8s", no ? no : inv);
		if (!strcmp(st, "draft"))
			l->why = xasprintf_said(&l->why_shown, N_("invoice %s drafted"), shown);
		else
			l->why = xasprintf_said(&l->why_shown, N_("invoice %s issued, %s of %s paid"), shown, paid, amt);
		free(paid);
		free(amt);
	} else if (l->reached[0]) {
		l->ready = true;
		if (inv)
			l->why = xasprintf_said(&l->why_shown, N_("its invoice was voided; to bill again since %s"),
					   l->reached);
		else
			l->why = xasprintf_said(&l->why_shown, N_("ready to invoice since %s"), l->reached);
	}
out:
	err_clear(&ge);
	record_free(ms);
	record_free(iv);
	return rc;
}

struct gather {
	struct ws *w;
	long today;
	const char *customer;
	struct billing *b;
	struct err *e;
	struct spis spis;
};

static int line_cb(const struct record *r, void *ctx)
{
	struct gather *g = ctx;
	struct record *k = NULL;
	struct err ge = { 0 };
	const char *cid = record_get(r, "contract");
	if (!cid || store_get(g->w->st, &g->w->sc, cid, &k, &ge) || k->deleted ||
	    (g->customer && (!record_get(k, "customer") || strcmp(record_get(k, "customer"), g->customer)))) {
		record_free(k);
		return 0;
	}
	struct billing *b = g->b;
	b->v = xrealloc(b->v, (b->n + 1) * sizeof *b->v);
	struct bill_line *l = &b->v[b->n++];
	memset(l, 0, sizeof *l);
	int rc = line_read(g->w, &g->spis, r, k, g->today, l, g->e);
	record_free(k);
	return rc;
}

/* Plans that do not add up to their contract's value. */
static void plan_flags(struct billing *b)
{
	for (size_t i = 0; i < b->n;) {
		size_t j = i;
		double sum = 0, pct = 0;
		for (; j < b->n && !strcmp(b->v[j].contract, b->v[i].contract); j++) {
			sum += b->v[j].amount;
			pct += b->v[j].percent;
		}
		double value = b->v[i].percent > 0 ? b->v[i].amount * 100.0 / b->v[i].percent : 0;
		if (value > 0 && fabs(sum - value) > 0.005) {
			char *s = fmt_money(sum), *v = fmt_money(value);
			if (b->v[i].currency[0])
				strv_push_owned(&b->flags,
						xasprintf(N_("contract %s: the plan is %.0f%% of its value "
							     "(%s of %s %s)"),
							  b->v[i].contract_title, pct, s, v,
							  b->v[i].currency));
			else
				strv_push_owned(&b->flags,
						xasprintf(N_("contract %s: the plan is %.0f%% of its value "
							     "(%s of %s)"),
							  b->v[i].contract_title, pct, s, v));
			free(s);
			free(v);
		}
		i = j;
	}
}

int billing_plan(struct ws *w, const char *date, const char *contract, const char *customer,
		 struct billing *out, struct err *e)
{
	struct query q;
	long today;
	memset(out, 0, sizeof *out);
	if (!date_parse(date, &today))
		return err_set(e, RERR_INPUT, "'%s' is not a date", date);
	int rc = store_asof(w->st, date, e);
	if (rc)
		return rc;
	struct gather g = { w, today, customer, out, e, { NULL, 0 } };
	query_init(&q, schema_kind(&w->sc, "billing"));
	if (contract)
		q.cond[q.ncond++] = (struct qcond){ kind_field(q.ki, "contract"), Q_EQ, contract, NULL };
	rc = store_query(w->st, &q, line_cb, &g, e);
	query_free(&q);
	free(g.spis.v);
	if (rc) {
		billing_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_line);
	plan_flags(out);
	return 0;
}

int billing_draft(struct ws *w, const char *ref, const char *date, char out[33], struct err *e)
{
	char id[33];
	struct billing b;
	struct record *line = NULL, *inv = NULL;
	int rc = ws_resolve(w, ref, "billing", id, e);
	if (rc || (rc = ws_load(w, id, "billing", &line, e)))
		return rc;
	if ((rc = billing_plan(w, date, record_get(line, "contract"), NULL, &b, e))) {
		record_free(line);
		return rc;
	}
	const struct bill_line *l = NULL;
	for (size_t i = 0; i < b.n && !l; i++)
		if (!strcmp(b.v[i].id, id))
			l = &b.v[i];
	char where[80];
	record_where(line, where, sizeof where);
	if (!l)
		rc = err_set(e, RERR_INPUT, "%s: its contract is gone", where);
	else if (!l->ready)
		rc = err_set(e, RERR_INPUT, "%s: not ready to invoice: %s", where, l->why_shown);
	if (rc)
		goto out;
	long reached, today;
	char due[11], amount[40];
	date_parse(l->reached, &reached);
	date_parse(date, &today);
	put_day(due, (reached > today ? reached : today) + l->due_days);
	snprintf(amount, sizeof amount, "%.2f", l->amount);
	inv = record_new(schema_kind(&w->sc, "invoice"));
	if ((rc = store_begin(w->st, e)))
		goto out;
	if ((rc = ws_put_named(w, inv, "customer", l->customer, e)) ||
	    (rc = ws_put_named(w, inv, "contract", l->contract, e)) ||
	    (rc = ws_put_named(w, inv, "project", l->project, e)) ||
	    (rc = ws_put_named(w, inv, "milestone", l->milestone, e)) || (rc = ws_put_named(w, inv, "amount", amount, e)) ||
	    (rc = ws_put_named(w, inv, "currency", l->currency, e)) || (rc = ws_put_named(w, inv, "issued", date, e)) ||
	    (rc = ws_put_named(w, inv, "due", due, e)) || (rc = ws_put_named(w, inv, "status", "draft", e)) ||
	    (rc = ws_put_named(w, inv, "note", l->label, e)) || (rc = ws_add(w, inv, e)) ||
	    (rc = ws_put_named(w, line, "invoice", inv->id, e)) || (rc = ws_save(w, line, e))) {
		store_rollback(w->st);
		goto out;
	}
	if (!(rc = store_commit(w->st, e)))
		snprintf(out, 33, "%s", inv->id);
out:
	billing_free(&b);
	record_free(line);
	record_free(inv);
	return rc;
}

/* ---- receivables ---- */

void receivables_free(struct receivables *r)
{
	free(r->customers);
	free(r->total);
	free(r->forecast);
	strv_clear(&r->overpaid);
	memset(r, 0, sizeof *r);
}

static struct aging *aging_at(struct aging **v, size_t *n, const char *customer, const char *cur)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].customer, customer) && !strcmp((*v)[i].currency, cur))
			return &(*v)[i];
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	struct aging *a = &(*v)[(*n)++];
	memset(a, 0, sizeof *a);
	snprintf(a->customer, sizeof a->customer, "%s", customer);
	snprintf(a->currency, sizeof a->currency, "%s", cur);
	return a;
}

static struct cash_month *month_at(struct receivables *r, const char *day, const char *cur)
{
	char m[8];
	snprintf(m, sizeof m, "%.7s", strcmp(day, r->date) < 0 ? r->date : day);
	for (size_t i = 0; i < r->nforecast; i++)
		if (!strcmp(r->forecast[i].month, m) && !strcmp(r->forecast[i].currency, cur))
			return &r->forecast[i];
	r->forecast = xrealloc(r->forecast, (r->nforecast + 1) * sizeof *r->forecast);
	struct cash_month *c = &r->forecast[r->nforecast++];
	memset(c, 0, sizeof *c);
	snprintf(c->month, sizeof c->month, "%s", m);
	snprintf(c->currency, sizeof c->currency, "%s", cur);
	return c;
}

struct recv_ctx {
	struct ws *w;
	struct receivables *r;
	long today;
};

static int inv_cb(const struct inv_fact *f, void *ctx)
{
	struct recv_ctx *x = ctx;
	struct receivables *r = x->r;
	long issued;
	bool recent = date_parse(f->issued, &issued) && issued > x->today - 90;
	if (!f->has_base && (recent || f->outstanding > 0.005))
		r->missing++;
	if (recent && f->has_base)
		r->billed90_base += f->amount_base;
	if (f->outstanding < -0.005) {
		char *p = fmt_money(f->paid), *a = fmt_money(f->amount);
		if (f->currency[0])
			strv_push_owned(&r->overpaid, xasprintf(N_("%s: paid %s of %s %s"),
								f->number ? f->number : f->id, p, a,
								f->currency));
		else
			strv_push_owned(&r->overpaid, xasprintf(N_("%s: paid %s of %s"),
								f->number ? f->number : f->id, p, a));
		free(p);
		free(a);
	}
	if (f->outstanding <= 0.005)
		return 0;
	int b = f->overdue_days <= 0 ? AGE_CURRENT : f->overdue_days <= 30 ? AGE_30
		: f->overdue_days <= 60 ? AGE_60 : f->overdue_days <= 90 ? AGE_90 : AGE_OVER;
	struct aging *cu = aging_at(&r->customers, &r->ncustomers, f->customer, f->currency),
		     *tot = aging_at(&r->total, &r->ntotal, "", f->currency);
	cu->bucket[b] += f->outstanding;
	cu->count[b]++;
	tot->count[b]++;
	cu->total += f->outstanding;
	cu->invoices++;
	tot->bucket[b] += f->outstanding;
	tot->total += f->outstanding;
	tot->invoices++;
	if (b != AGE_CURRENT) {
		cu->overdue++;
		tot->overdue++;
	}
	if (f->has_base)
		r->owed_base += f->outstanding_base;
	month_at(r, f->due, f->currency)->invoiced += f->outstanding;
	return 0;
}

static int cmp_aging(const void *a, const void *b)
{
	const struct aging *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->customer, y->customer);
	return c ? c : strcmp(x->currency, y->currency);
}

static int cmp_month(const void *a, const void *b)
{
	const struct cash_month *x = a, *y = b;
	int c = strcmp(x->month, y->month);
	return c ? c : strcmp(x->currency, y->currency);
}

int billing_receivables(struct ws *w, const char *date, const char *customer,
			struct receivables *out, struct billing *plan, struct err *e)
{
	struct recv_ctx x = { w, out, 0 };
	struct billing b = { 0 };
	memset(out, 0, sizeof *out);
	if (!date_parse(date, &x.today))
		return err_set(e, RERR_INPUT, "'%s' is not a date", date);
	snprintf(out->date, sizeof out->date, "%s", date);
	int rc = store_asof(w->st, date, e);
	if (!rc)
		rc = store_team_currency(w->st, out->team, e);
	if (!rc)
		rc = store_invoices(w->st, date, customer, inv_cb, &x, e);
	/* What the plans still have to bill, when it is expected. */
	if (!rc)
		rc = billing_plan(w, date, NULL, customer, &b, e);
	for (size_t i = 0; !rc && i < b.n; i++) {
		const struct bill_line *l = &b.v[i];
		struct record *iv = NULL;
		struct err ge = { 0 };
		bool drafted = l->invoice[0] && !store_get(w->st, &w->sc, l->invoice, &iv, &ge) &&
			       record_get(iv, "status") && !strcmp(record_get(iv, "status"), "draft");
		if ((!l->invoice[0] || drafted) && l->due[0])
			month_at(out, drafted && record_get(iv, "due") ? record_get(iv, "due") : l->due,
				 l->currency)->planned += l->amount;
		record_free(iv);
	}
	if (plan && !rc)
		*plan = b;
	else
		billing_free(&b);
	if (rc) {
		receivables_free(out);
		return rc;
	}
	for (size_t i = 0; i < out->ncustomers; i++)
		snprintf(out->customers[i].name, sizeof out->customers[i].name, "%s",
			 ws_title(w, out->customers[i].customer));
	if (out->ncustomers)
		qsort(out->customers, out->ncustomers, sizeof *out->customers, cmp_aging);
	if (out->ntotal)
		qsort(out->total, out->ntotal, sizeof *out->total, cmp_aging);
	if (out->nforecast)
		qsort(out->forecast, out->nforecast, sizeof *out->forecast, cmp_month);
	out->has_dso = out->billed90_base > 0.005;
	if (out->has_dso)
		out->dso = out->owed_base / out->billed90_base * 90.0;
	return 0;
}
