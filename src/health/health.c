/*
 * health.c — health scores for projects and customers (DESIGN.md §5) from the facts the store
 * reads out of its views. The component tables below are the defaults; team settings override
 * any weight or anchor. Everything here is arithmetic on facts: no SQL, no I/O.
 */
#include "health.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *band_name(enum band b)
{
	static const char *const n[] = { "green", "amber", "red", "grey" };
	return n[b];
}

#define C(k, l, u, w, b, g) { k, l, u, w, b, g, false, 0, 0, 0, "" }
static const struct component project_defaults[] = {
	C("spi", "Schedule (SPI)", "", 20, 0.8, 1.0),
	C("cpi", "Cost (CPI)", "", 15, 0.8, 1.0),
	C("milestones", "Milestones on time", "%", 10, 60, 100),
	C("defects", "Defects per 100 h", "", 15, 3, 0.5),
	C("csat", "CSAT", "%", 10, 60, 90),
	C("nps", "NPS", "", 10, -20, 50),
	C("collection", "On-time collection", "%", 10, 60, 95),
	C("margin", "Margin vs plan", "pp", 10, -15, 0),
};
static const struct component customer_defaults[] = {
	C("delivery", "Delivery (projects' health)", "", 30, 0, 100),
	C("nps", "NPS", "", 10, -20, 50),
	C("csat", "CSAT", "%", 10, 60, 90),
	C("renewal", "Renewal intent", "", 5, 0, 100),
	C("receivables", "Receivable days", "d", 10, 90, 30),
	C("collection", "On-time collection", "%", 8, 60, 95),
	C("margin", "Margin", "%", 7, 0, 30),
	C("contact", "Days since last contact", "d", 8, 60, 14),
	C("executive", "Executive contact in 180 days", "", 6, 0, 1),
	C("response", "Median first response", "h", 6, 48, 4),
};

static int setting_cb(const struct record *r, void *ctx)
{
	struct strv *kv = ctx;
	strv_push(kv, record_get(r, "name") ? record_get(r, "name") : "");
	strv_push(kv, record_get(r, "value") ? record_get(r, "value") : "");
	return 0;
}

static int apply_setting(struct health_config *cfg, const char *name, const char *value,
			 struct err *e)
{
	char *end;
	double v = strtod(value, &end);
	if (end == value || *end || !isfinite(v))
		return err_set(e, RERR_INPUT, "setting %s: '%s' is not a number", name, value);
	struct {
		const char *key;
		double *p;
	} globals[] = { { "health.band.green", &cfg->green },
			{ "health.band.amber", &cfg->amber },
			{ "health.cap.under", &cfg->cap_under },
			{ "health.cap.at", &cfg->cap_at },
			{ "health.confidence.grey", &cfg->grey_under },
			{ "health.survey.fade_days", &cfg->fade_days } };
	for (size_t i = 0; i < ARRAY_LEN(globals); i++)
		if (!strcmp(name, globals[i].key)) {
			*globals[i].p = v;
			return 0;
		}
	/* health.<project|customer>.<component>.<weight|bad|good> */
	char who[16], comp[32], what[16];
	if (sscanf(name, "health.%15[a-z].%31[a-z_].%15[a-z]", who, comp, what) == 3) {
		struct component *cs = !strcmp(who, "project") ? cfg->project
				       : !strcmp(who, "customer") ? cfg->customer : NULL;
		size_t n = cs == cfg->project ? cfg->nproject : cfg->ncustomer;
		for (size_t i = 0; cs && i < n; i++)
			if (!strcmp(cs[i].key, comp)) {
				if (!strcmp(what, "weight") && v >= 0)
					cs[i].weight = v;
				else if (!strcmp(what, "bad"))
					cs[i].bad = v;
				else if (!strcmp(what, "good"))
					cs[i].good = v;
				else
					break;
				if (cs[i].bad == cs[i].good)
					return err_set(e, RERR_INPUT, "setting %s: bad and good anchors "
								      "of %s.%s are equal", name, who, comp);
				return 0;
			}
	}
	return err_set(e, RERR_INPUT,
		       "setting %s: not a health setting (health.project.COMPONENT.weight|bad|good, "
		       "health.customer.…, health.band.green|amber, health.cap.under|at, "
		       "health.confidence.grey, health.survey.fade_days)",
		       name);
}

int health_config_load(struct ws *w, struct health_config *cfg, struct err *e)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->project, project_defaults, sizeof project_defaults);
	cfg->nproject = ARRAY_LEN(project_defaults);
	memcpy(cfg->customer, customer_defaults, sizeof customer_defaults);
	cfg->ncustomer = ARRAY_LEN(customer_defaults);
	cfg->green = 75;
	cfg->amber = 50;
	cfg->cap_under = 25;
	cfg->cap_at = 74;
	cfg->grey_under = 60;
	cfg->fade_days = 180;
	const struct kindinfo *sk = schema_kind(&w->sc, "setting");
	struct strv kv = STRV_INIT;
	struct query q;
	query_init(&q, sk);
	int rc = store_query(w->st, &q, setting_cb, &kv, e);
	for (size_t i = 0; !rc && i + 1 < kv.n; i += 2)
		if (!strncmp(kv.v[i], "health.", 7))
			rc = apply_setting(cfg, kv.v[i], kv.v[i + 1], e);
	strv_clear(&kv);
	return rc;
}

void healths_free(struct healths *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

/* A new zeroed entry; the array grows by doubling (tens of thousands of records). */
static struct health *healths_push(struct healths *hs)
{
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 256;
		hs->v = xrealloc(hs->v, hs->cap * sizeof(*hs->v));
	}
	struct health *h = &hs->v[hs->n++];
	memset(h, 0, sizeof(*h));
	return h;
}

/* ---- scoring ---- */

static struct component *comp(struct health *h, const char *key)
{
	for (size_t i = 0; i < h->nc; i++)
		if (!strcmp(h->c[i].key, key))
			return &h->c[i];
	return NULL;
}

static void measure(struct health *h, const char *key, double raw, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void measure(struct health *h, const char *key, double raw, const char *fmt, ...)
{
	struct component *c = comp(h, key);
	if (!c)
		return;
	c->present = true;
	c->raw = raw;
	if (h->brief)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->note, sizeof c->note, fmt, ap);
	va_end(ap);
}

static void finish(struct health *h, const struct health_config *cfg)
{
	double wall = 0, wpresent = 0, sum = 0;
	bool cap = false;
	for (size_t i = 0; i < h->nc; i++) {
		struct component *c = &h->c[i];
		wall += c->weight;
		if (!c->present || c->weight <= 0)
			continue;
		double s = 100.0 * (c->raw - c->bad) / (c->good - c->bad);
		c->score = s < 0 ? 0 : s > 100 ? 100 : s;
		wpresent += c->weight;
		sum += c->weight * c->score;
		if (c->score < cfg->cap_under)
			cap = true;
	}
	h->confidence = wall > 0 ? 100.0 * wpresent / wall : 0;
	h->score = wpresent > 0 ? sum / wpresent : 0;
	for (size_t i = 0; i < h->nc; i++) {
		struct component *c = &h->c[i];
		c->lost = c->present && wpresent > 0 ? c->weight / wpresent * (100 - c->score) : 0;
	}
	if (cap && h->score > cfg->cap_at) {
		h->score = cfg->cap_at;
		h->capped = true;
	}
	h->color = h->score >= cfg->green ? BAND_GREEN : h->score >= cfg->amber ? BAND_AMBER
										   : BAND_RED;
	h->band = h->confidence < cfg->grey_under ? BAND_GREY : h->color;
}

/* Survey answers, faded: an answer's weight falls linearly to 0 at fade_days, and the weight
 * it lost counts as a neutral answer (the middle of the anchors). */
struct sentiment {
	double csat_w, csat_good, nps_w, nps_sum;
	long csat_n, nps_n;
};

static void add_survey(struct sentiment *s, const struct survey_fact *f, long now,
		       double fade_days)
{
	long d;
	double w = 1;
	if (date_parse(f->date, &d) && fade_days > 0) {
		double age = (double)(now - d);
		w = age <= 0 ? 1 : age >= fade_days ? 0 : 1 - age / fade_days;
	}
	if (!strcmp(f->kind, "csat")) {
		s->csat_n++;
		s->csat_w += w;
		s->csat_good += w * (f->score >= 4 ? 100 : 0);
	} else {
		s->nps_n++;
		s->nps_w += w;
		s->nps_sum += w * (f->score >= 9 ? 100 : f->score <= 6 ? -100 : 0);
	}
}

static void score_sentiment(struct health *h, const struct sentiment *s)
{
	struct component *c;
	if (s->csat_n && (c = comp(h, "csat"))) {
		double neutral = (c->bad + c->good) / 2;
		double v = (s->csat_good + (s->csat_n - s->csat_w) * neutral) / s->csat_n;
		measure(h, "csat", v, "%ld answers, %.0f%% satisfied (older ones fade)", s->csat_n, v);
	}
	if (s->nps_n && (c = comp(h, "nps"))) {
		double neutral = (c->bad + c->good) / 2;
		double v = (s->nps_sum + (s->nps_n - s->nps_w) * neutral) / s->nps_n;
		measure(h, "nps", v, "%ld answers, NPS %+.0f (older ones fade)", s->nps_n, v);
	}
}

static int cmp_health(const void *a, const void *b)
{
	return strcmp(((const struct health *)a)->id, ((const struct health *)b)->id);
}

static struct health *find(struct healths *hs, const char *id)
{
	struct health key;
	snprintf(key.id, sizeof key.id, "%s", id);
	return hs->n ? bsearch(&key, hs->v, hs->n, sizeof(*hs->v), cmp_health) : NULL;
}

struct pctx {
	struct healths *out;
	const struct health_config *cfg;
};

static int add_project(const struct project_facts *f, void *ctx)
{
	struct pctx *p = ctx;
	struct health *h = healths_push(p->out);
	h->brief = p->cfg->brief;
	snprintf(h->id, sizeof h->id, "%s", f->id);
	snprintf(h->customer, sizeof h->customer, "%s", f->customer);
	h->kind = "project";
	snprintf(h->status, sizeof h->status, "%s", f->status);
	snprintf(h->name, sizeof h->name, "%s", f->name);
	h->evm = *f;
	h->value = f->budget > 0 ? f->budget : f->bac;
	memcpy(h->c, p->cfg->project, p->cfg->nproject * sizeof(*h->c));
	h->nc = p->cfg->nproject;
	if (f->has_spi)
		measure(h, "spi", f->spi, "EV %.0f / PV %.0f", f->ev, f->pv);
	if (f->has_cpi)
		measure(h, "cpi", f->cpi, "EV %.0f / AC %.0f", f->ev, f->ac);
	if (f->ms_due)
		measure(h, "milestones", 100.0 * f->ms_on_time / f->ms_due,
			"%ld of %ld due milestones done on time", f->ms_on_time, f->ms_due);
	if (f->hours > 0)
		measure(h, "defects", 100.0 * f->defects / f->hours, "%ld incidents in %.0f h",
			f->defects, f->hours);
	if (f->inv_due)
		measure(h, "collection", 100.0 * f->inv_on_time / f->inv_due,
			"%ld of %ld due invoices paid on time", f->inv_on_time, f->inv_due);
	if (f->has_revenue && f->revenue > 0 && f->has_eac)
		measure(h, "margin", 100.0 * (f->bac - f->eac) / f->revenue,
			"forecast cost %.0f vs budget %.0f on revenue %.0f", f->eac, f->bac,
			f->revenue);
	return 0;
}

/* Survey answers up to the status date, read once and scored twice (per project and per
 * customer) when both are asked for. */
struct answers {
	struct survey_fact *v;
	size_t n, cap;
};

static int add_answer(const struct survey_fact *f, void *ctx)
{
	struct answers *a = ctx;
	if (a->n == a->cap)
		a->v = xrealloc(a->v, (a->cap = a->cap ? 2 * a->cap : 256) * sizeof(*a->v));
	a->v[a->n++] = *f;
	return 0;
}

static void sentiment_of(const struct health_config *cfg, const char *date,
			 const struct answers *a, struct healths *hs, bool by_project)
{
	struct sentiment *s = xcalloc(hs->n ? hs->n : 1, sizeof(*s));
	long now = 0;
	date_parse(date, &now);
	for (size_t i = 0; i < a->n; i++) {
		struct health *h = find(hs, by_project ? a->v[i].project : a->v[i].customer);
		if (h)
			add_survey(&s[h - hs->v], &a->v[i], now, cfg->fade_days);
	}
	for (size_t i = 0; i < hs->n; i++)
		score_sentiment(&hs->v[i], &s[i]);
	free(s);
}

/* Projects scored; `a` holds the answers when the caller read them already, else they are read
 * here (for one project, or one customer's). */
static int projects_scored(struct ws *w, const struct health_config *cfg, const char *date,
			   const char *project, const char *customer, struct answers *a,
			   struct healths *out, struct err *e)
{
	struct pctx p = { out, cfg };
	struct answers own = { NULL, 0, 0 };
	int rc = store_asof(w->st, date, e);
	if (!rc)
		rc = store_project_facts(w->st, project, customer, add_project, &p, e);
	if (!rc && !a)
		rc = store_survey_facts(w->st, customer, add_answer, a = &own, e);
	if (!rc)
		sentiment_of(cfg, date, a, out, true);
	for (size_t i = 0; !rc && i < out->n; i++)
		finish(&out->v[i], cfg);
	free(own.v);
	if (rc)
		healths_free(out);
	return rc;
}

int health_projects(struct ws *w, const struct health_config *cfg, const char *date,
		    const char *project, const char *customer, struct healths *out, struct err *e)
{
	return projects_scored(w, cfg, date, project, customer, NULL, out, e);
}

struct cctx {
	struct healths *out;
	const struct health_config *cfg;
};

static int add_customer(const struct customer_facts *f, void *ctx)
{
	struct cctx *p = ctx;
	struct health *h = healths_push(p->out);
	h->brief = p->cfg->brief;
	snprintf(h->id, sizeof h->id, "%s", f->id);
	snprintf(h->customer, sizeof h->customer, "%s", f->id);
	h->kind = "customer";
	snprintf(h->status, sizeof h->status, "%s", f->stage);
	snprintf(h->name, sizeof h->name, "%s", f->name);
	memcpy(h->c, p->cfg->customer, p->cfg->ncustomer * sizeof(*h->c));
	h->nc = p->cfg->ncustomer;
	static const struct {
		const char *v;
		double score;
	} intent[] = { { "yes", 100 }, { "likely", 75 }, { "unsure", 50 }, { "unlikely", 25 },
		       { "no", 0 } };
	for (size_t i = 0; i < ARRAY_LEN(intent); i++)
		if (!strcmp(f->renewal, intent[i].v))
			measure(h, "renewal", intent[i].score, "renewal intent: %s", f->renewal);
	if (f->has_invoices)
		measure(h, "receivables", f->receivable_days,
			"outstanding invoices are %.0f days old on average (by amount)",
			f->receivable_days);
	if (f->inv_due)
		measure(h, "collection", 100.0 * f->inv_on_time / f->inv_due,
			"%ld of %ld due invoices paid on time", f->inv_on_time, f->inv_due);
	if (f->has_contact)
		measure(h, "contact", (double)f->days_since_contact, "last contact %ld days ago",
			f->days_since_contact);
	measure(h, "executive", f->executive_180 ? 1 : 0, "%s",
		f->executive_180 ? "an executive was met in the last 180 days"
				 : "no executive contact in 180 days");
	/* Revenue, for margin (costs come from the projects). */
	h->value = f->revenue;
	return 0;
}

struct rctx {
	struct healths *hs;
	char cur[33];
	double *v;
	size_t n, cap;
};

static void median_flush(struct rctx *r)
{
	struct health *h = r->n ? find(r->hs, r->cur) : NULL;
	if (h) {
		double m = r->n % 2 ? r->v[r->n / 2] : (r->v[r->n / 2 - 1] + r->v[r->n / 2]) / 2;
		measure(h, "response", m, "median first response %.1f h over %zu tickets", m, r->n);
	}
	r->n = 0;
}

static int add_response(const char *customer, double hours, void *ctx)
{
	struct rctx *r = ctx;
	if (!customer)
		return 0;
	if (strcmp(customer, r->cur)) {
		median_flush(r);
		snprintf(r->cur, sizeof r->cur, "%s", customer);
	}
	if (r->n == r->cap)
		r->v = xrealloc(r->v, (r->cap = r->cap * 2 + 16) * sizeof(double));
	r->v[r->n++] = hours; /* arrive sorted by hours within a customer */
	return 0;
}

int health_customers(struct ws *w, const struct health_config *cfg, const char *date,
		     const char *customer, struct healths *out, struct healths *projects_out,
		     struct err *e)
{
	struct healths projects = { NULL, 0, 0 };
	struct cctx c = { out, cfg };
	struct rctx r = { out, "", NULL, 0, 0 };
	struct answers a = { NULL, 0, 0 };
	int rc = store_asof(w->st, date, e);
	if (!rc)
		rc = store_survey_facts(w->st, customer, add_answer, &a, e);
	if (!rc)
		rc = projects_scored(w, cfg, date, NULL, customer, &a, &projects, e);
	if (!rc)
		rc = store_customer_facts(w->st, customer, add_customer, &c, e);
	if (!rc)
		sentiment_of(cfg, date, &a, out, false);
	free(a.v);
	if (!rc)
		rc = store_response_facts(w->st, customer, add_response, &r, e);
	median_flush(&r);
	free(r.v);
	/* Delivery: the customer's active and recent projects' scores, weighted by value; cost
	 * for margin: what its projects cost so far. */
	double *dw = xcalloc(out->n ? out->n : 1, sizeof(double)),
	       *ds = xcalloc(out->n ? out->n : 1, sizeof(double)),
	       *cost = xcalloc(out->n ? out->n : 1, sizeof(double));
	long *np = xcalloc(out->n ? out->n : 1, sizeof(long));
	for (size_t i = 0; !rc && i < projects.n; i++) {
		const struct health *p = &projects.v[i];
		struct health *h = find(out, p->customer);
		if (!h)
			continue;
		size_t k = (size_t)(h - out->v);
		cost[k] += p->evm.ac;
		if (strcmp(p->evm.status, "cancelled") && strcmp(p->evm.status, "planned") &&
		    p->confidence > 0) {
			double wt = p->value > 0 ? p->value : 1;
			dw[k] += wt;
			ds[k] += wt * p->score;
			np[k]++;
		}
	}
	for (size_t i = 0; !rc && i < out->n; i++) {
		struct health *h = &out->v[i];
		if (np[i])
			measure(h, "delivery", ds[i] / dw[i], "%ld projects, weighted by budget", np[i]);
		if (h->value > 0)
			measure(h, "margin", 100.0 * (h->value - cost[i]) / h->value,
				"invoiced %.0f, cost so far %.0f", h->value, cost[i]);
		finish(h, cfg);
	}
	free(dw);
	free(ds);
	free(cost);
	free(np);
	if (!rc && projects_out)
		*projects_out = projects;
	else
		healths_free(&projects);
	if (rc)
		healths_free(out);
	return rc;
}

/* ---- the records behind a component ---- */

static int behind_row(int n, const char *const *cols, void *ctx)
{
	struct strv *l = ctx;
	struct buf b = BUF_INIT;
	buf_adds(&b, cols[0] ? cols[0] : "");
	buf_addc(&b, '\t');
	for (int i = 1; i < n; i++)
		buf_addf(&b, "%s%s", i > 1 ? " · " : "", cols[i] ? cols[i] : "-");
	strv_push_owned(l, buf_detach(&b));
	return 0;
}

int health_behind(struct ws *w, const struct health *h, const struct component *c, long limit,
		  struct strv *lines, struct err *e)
{
	static const struct {
		const char *kind, *key, *sql;
	} q[] = {
		{ "project", "spi",
		  "SELECT id, name, 'due ' || due, late_days || ' days late', "
		  "  printf('%.0f%% done', progress) FROM task_status "
		  "WHERE project = ?1 AND late_days > 0 ORDER BY \"key\" DESC, late_days DESC LIMIT ?2" },
		{ "project", "cpi",
		  "SELECT id, name, printf('budget %.0f', budget), printf('%.0f%% done', progress) "
		  "FROM task_status WHERE project = ?1 AND progress < 100 AND budget > 0 "
		  "ORDER BY budget DESC LIMIT ?2" },
		{ "project", "milestones",
		  "SELECT id, name, 'due ' || due, COALESCE('done ' || done, late_days || ' days late') "
		  "FROM milestone_status WHERE project = ?1 AND is_due AND NOT on_time "
		  "ORDER BY due LIMIT ?2" },
		{ "project", "defects",
		  "SELECT id, title, severity, status FROM ticket_status WHERE project = ?1 "
		  "AND kind = 'incident' ORDER BY opened DESC LIMIT ?2" },
		{ "*", "csat",
		  "SELECT id, 'CSAT ' || score, date, comment FROM survey WHERE deleted = 0 "
		  "AND kind = 'csat' AND score < 4 AND (project = ?1 OR customer = ?1) "
		  "ORDER BY date DESC LIMIT ?2" },
		{ "*", "nps",
		  "SELECT id, 'NPS ' || score, date, comment FROM survey WHERE deleted = 0 "
		  "AND kind = 'nps' AND score <= 6 AND (project = ?1 OR customer = ?1) "
		  "ORDER BY date DESC LIMIT ?2" },
		{ "*", "collection",
		  "SELECT id, number, printf('%.2f outstanding', outstanding), 'due ' || due, "
		  "  CASE WHEN overdue_days > 0 THEN overdue_days || ' days overdue' "
		  "    ELSE 'paid late' END FROM invoice_status "
		  "WHERE (project = ?1 OR customer = ?1) AND is_due AND NOT paid_on_time "
		  "ORDER BY overdue_days DESC LIMIT ?2" },
		{ "customer", "receivables",
		  "SELECT id, number, printf('%.2f outstanding', outstanding), age_days || ' days old' "
		  "FROM invoice_status WHERE customer = ?1 AND outstanding > 0 "
		  "ORDER BY age_days DESC LIMIT ?2" },
		{ "customer", "delivery",
		  "SELECT id, name, status, 'due ' || due FROM project WHERE customer = ?1 "
		  "AND deleted = 0 AND status NOT IN ('cancelled', 'planned') ORDER BY due LIMIT ?2" },
		{ "customer", "contact",
		  "SELECT id, summary, kind, at FROM interaction WHERE customer = ?1 AND deleted = 0 "
		  "ORDER BY at DESC LIMIT ?2" },
		{ "customer", "response",
		  "SELECT id, title, printf('%.1f h to first response', response_hours) "
		  "FROM ticket_status WHERE customer = ?1 AND response_hours IS NOT NULL "
		  "ORDER BY response_hours DESC LIMIT ?2" },
	};
	for (size_t i = 0; i < ARRAY_LEN(q); i++)
		if ((!strcmp(q[i].kind, "*") || !strcmp(q[i].kind, h->kind)) &&
		    !strcmp(q[i].key, c->key))
			return store_view_rows(w->st, q[i].sql, h->id, limit, behind_row, lines, e);
	return 0;
}

/* ---- what commands and reports share ---- */

bool health_listed(const struct health *h)
{
	const char *s = h->status;
	if (!strcmp(h->kind, "project"))
		return !strcmp(s, "active") || !strcmp(s, "paused");
	return *s && strcmp(s, "churned") && strcmp(s, "lead");
}

int health_cmp(const void *a, const void *b)
{
	const struct health *x = *(const struct health *const *)a, *y = *(const struct health *const *)b;
	/* Grey (not enough data) after the rest, then worst first. */
	if ((x->band == BAND_GREY) != (y->band == BAND_GREY))
		return x->band == BAND_GREY ? 1 : -1;
	return x->score < y->score ? -1 : x->score > y->score ? 1 : strcmp(x->id, y->id);
}

size_t health_pick(const struct healths *hs, bool all, const struct health **v)
{
	size_t n = 0;
	for (size_t i = 0; i < hs->n; i++)
		if (all || health_listed(&hs->v[i]))
			v[n++] = &hs->v[i];
	return n;
}

const char *health_top_issue(const struct health *h)
{
	const struct component *worst = NULL;
	for (size_t i = 0; i < h->nc; i++)
		if (h->c[i].present && h->c[i].lost > 0.5 && (!worst || h->c[i].lost > worst->lost))
			worst = &h->c[i];
	return worst ? worst->label : "";
}

static int cmp_lost(const void *a, const void *b)
{
	const struct component *x = *(const struct component *const *)a,
			       *y = *(const struct component *const *)b;
	return x->lost < y->lost ? 1 : x->lost > y->lost ? -1 : strcmp(x->key, y->key);
}

void health_by_lost(const struct health *h, const struct component *order[HEALTH_MAX_COMPONENTS])
{
	for (size_t i = 0; i < h->nc; i++)
		order[i] = &h->c[i];
	qsort(order, h->nc, sizeof(*order), cmp_lost);
}

static int trend_cb(const char *day, double score, void *ctx)
{
	struct health_trend *t = ctx;
	long d;
	if (!date_parse(day, &d))
		return 0;
	long wk = (d - t->first_day) / 7;
	if (wk >= 0 && wk < 12) {
		t->by_week[wk] = score; /* the last score of each week */
		t->has[wk] = true;
	}
	return 0;
}

void health_trend(struct ws *w, const char *id, long today, struct health_trend *t)
{
	memset(t, 0, sizeof(*t));
	t->first_day = today - 12 * 7 + 1;
	char since[11];
	struct err e = { 0, "" };
	days_to_date(since, t->first_day);
	store_history(w->st, id, since, trend_cb, t, &e);
}

static int trends_cb(const char *id, const char *day, double score, void *ctx)
{
	struct health_trends *all = ctx;
	if (!all->n || strcmp(all->v[all->n - 1].id, id)) {
		if (all->n == all->cap) {
			all->cap = all->cap ? 2 * all->cap : 256;
			all->v = xrealloc(all->v, all->cap * sizeof(*all->v));
		}
		struct trend_of_id *e = &all->v[all->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof e->id, "%s", id);
		e->t.first_day = all->first_day;
	}
	return trend_cb(day, score, &all->v[all->n - 1].t);
}

int health_trends_load(struct ws *w, long today, struct health_trends *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->first_day = today - 12 * 7 + 1;
	char since[11];
	days_to_date(since, out->first_day);
	/* By id, so lookups bisect. */
	int rc = store_history_all(w->st, since, trends_cb, out, e);
	if (rc)
		health_trends_free(out);
	return rc;
}

void health_trends_get(const struct health_trends *all, const char *id, struct health_trend *t)
{
	size_t lo = 0, hi = all->n;
	memset(t, 0, sizeof(*t));
	t->first_day = all->first_day;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(all->v[mid].id, id);
		if (!c) {
			*t = all->v[mid].t;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

void health_trends_free(struct health_trends *all)
{
	free(all->v);
	memset(all, 0, sizeof(*all));
}

int health_trend_dir(const struct health_trend *t)
{
	if (!t->has[11] || !t->has[7])
		return 2;
	double d = t->by_week[11] - t->by_week[7];
	return d > 2 ? 1 : d < -2 ? -1 : 0;
}

static int cmp_value_id(const void *a, const void *b)
{
	return strcmp(((const struct cvalue *)a)->id, ((const struct cvalue *)b)->id);
}

static int cmp_revenue(const void *a, const void *b)
{
	const struct cvalue *x = a, *y = b;
	return x->revenue < y->revenue ? 1 : x->revenue > y->revenue ? -1 : strcmp(x->id, y->id);
}

void health_values_of(const struct healths *customers, const struct healths *projects,
		      struct cvalues *out)
{
	out->n = customers->n;
	out->v = xcalloc(out->n + 1, sizeof(*out->v));
	for (size_t i = 0; i < customers->n; i++) {
		struct cvalue *v = &out->v[i];
		snprintf(v->id, sizeof v->id, "%s", customers->v[i].id);
		snprintf(v->name, sizeof v->name, "%s", customers->v[i].name);
		v->revenue = customers->v[i].value;
	}
	/* Scores come sorted by id, so projects find their customer by bisection. */
	for (size_t i = 0; i < projects->n; i++) {
		struct cvalue key;
		snprintf(key.id, sizeof key.id, "%s", projects->v[i].customer);
		struct cvalue *v = out->n ? bsearch(&key, out->v, out->n, sizeof(*out->v), cmp_value_id)
					  : NULL;
		if (v)
			v->cost += projects->v[i].evm.ac;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_revenue);
}

void cvalues_free(struct cvalues *v)
{
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void health_period(long d, const char *kind, int back, char from[11], char to[11], char label[16])
{
	char ds[11];
	days_to_date(ds, d);
	int y = atoi(ds), m = atoi(ds + 5);
	int len = !strcmp(kind, "year") ? 12 : !strcmp(kind, "quarter") ? 3 : 1;
	int idx = (y * 12 + m - 1) / len * len - back * len; /* first month of the period */
	int fy = idx / 12, fm = idx % 12 + 1;
	int ly = (idx + len) / 12, lm = (idx + len) % 12 + 1;
	long first, next;
	char buf[32];
	snprintf(buf, sizeof buf, "%04d-%02d-01", fy, fm);
	date_parse(buf, &first);
	snprintf(buf, sizeof buf, "%04d-%02d-01", ly, lm);
	date_parse(buf, &next);
	days_to_date(from, first);
	days_to_date(to, next - 1);
	if (len == 12)
		snprintf(label, 16, "%04d", fy);
	else if (len == 3)
		snprintf(label, 16, "%04d-Q%d", fy, (fm - 1) / 3 + 1);
	else
		snprintf(label, 16, "%04d-%02d", fy, fm);
}

const struct kpi_def kpi_defs[] = {
#define R(f, l, fmt) { #f, l, fmt, offsetof(struct kpis, f), offsetof(struct kpis, has_##f) }
	R(on_time_delivery, "On-time delivery", "%.0f%%"),
	R(first_contact_resolution, "First-contact resolution", "%.0f%%"),
	R(complaint_hours, "Complaint handling (median)", "%.1f h"),
	R(collection_rate, "Collection rate", "%.0f%%"),
	R(receivable_days, "Receivable days", "%.0f d"),
	R(nps, "NPS", "%+.0f"),
	R(csat, "CSAT", "%.0f%%"),
	R(retention, "Retention", "%.0f%%"),
	R(revenue, "Revenue invoiced", "%.0f"),
#undef R
};
const size_t kpi_ndefs = ARRAY_LEN(kpi_defs);

bool kpi_get(const struct kpis *k, const struct kpi_def *d, double *v)
{
	if (!*(const bool *)((const char *)k + d->has))
		return false;
	*v = *(const double *)((const char *)k + d->off);
	return true;
}
