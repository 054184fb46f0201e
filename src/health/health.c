/*
 * health.c — health scores for projects and customers from the facts the store
 * reads out of its views. The component tables below are the defaults; team settings override
 * any weight or anchor. Scoring is arithmetic on facts, no SQL; gathering the facts is where
 * the time goes, so this file also decides how they are read: through the facts cache the
 * store keeps (only what writes marked since, for today), with the customers' side on a second
 * connection in a second thread when everything must be read. Trends and the day's history
 * are recorded here too (health_record), by calendar week.
 */
#include "health.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *band_name(enum band b)
{
	/* Codes (JSON, the database, rules): people see C_("band", band_name(b)). */
	static const char *const n[] = { NC_("band", "green"), NC_("band", "amber"),
					  NC_("band", "red"), NC_("band", "grey") };
	return n[b];
}

#define C(k, l, u, w, b, g) { k, l, u, w, b, g, false, 0, 0, 0, "" }
static const struct component project_defaults[] = {
	C("spi", N_("Schedule (SPI)"), "", 20, 0.8, 1.0),
	C("cpi", N_("Cost (CPI)"), "", 15, 0.8, 1.0),
	C("milestones", N_("Milestones on time"), "%", 10, 60, 100),
	C("defects", N_("Defects per 100 h"), "", 15, 3, 0.5),
	C("csat", N_("CSAT"), "%", 10, 60, 90),
	C("nps", N_("NPS"), "", 10, -20, 50),
	C("collection", N_("On-time collection"), "%", 10, 60, 95),
	C("margin", N_("Margin vs plan"), "pp", 10, -15, 0),
};
static const struct component customer_defaults[] = {
	C("delivery", N_("Delivery (projects' health)"), "", 30, 0, 100),
	C("nps", N_("NPS"), "", 10, -20, 50),
	C("csat", N_("CSAT"), "%", 10, 60, 90),
	C("renewal", N_("Renewal intent"), "", 5, 0, 100),
	C("receivables", N_("Receivable days"), "d", 10, 90, 30),
	C("collection", N_("On-time collection"), "%", 8, 60, 95),
	C("margin", N_("Margin"), "%", 7, 0, 30),
	C("contact", N_("Days since last contact"), "d", 8, 60, 14),
	C("executive", N_("Executive contact in 180 days"), "", 6, 0, 1),
	C("response", N_("Median first response"), "h", 6, 48, 4),
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

/* The note stays English (--json prints it); its formats are marked N_() for people's
 * display to translate. */
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
		if (s->csat_n == 1)
			measure(h, "csat", v, N_("%ld answer, %.0f%% satisfied (older ones fade)"),
				s->csat_n, v);
		else
			measure(h, "csat", v, N_("%ld answers, %.0f%% satisfied (older ones fade)"),
				s->csat_n, v);
	}
	if (s->nps_n && (c = comp(h, "nps"))) {
		double neutral = (c->bad + c->good) / 2;
		double v = (s->nps_sum + (s->nps_n - s->nps_w) * neutral) / s->nps_n;
		if (s->nps_n == 1)
			measure(h, "nps", v, N_("%ld answer, NPS %+.0f (older ones fade)"), s->nps_n, v);
		else
			measure(h, "nps", v, N_("%ld answers, NPS %+.0f (older ones fade)"), s->nps_n, v);
	}
}

static int cmp_health(const void *a, const void *b)
{
	return strcmp(((const struct health *)a)->id, ((const struct health *)b)->id);
}

static struct health *find(struct healths *hs, const char *id)
{
	struct health key;
	str_copy(key.id, sizeof key.id, id);
	return hs->n ? bsearch(&key, hs->v, hs->n, sizeof(*hs->v), cmp_health) : NULL;
}

/* ---- facts: what was measured at the status date ---- */

/* One project's or customer's facts, survey answers already summed, ready to be scored: what
 * the facts cache keeps between runs (scores themselves are not kept: settings may change). */
struct pentry {
	struct project_facts f;
	struct sentiment s;
};
struct centry {
	struct customer_facts f;
	struct sentiment s;
	long resp_n;        /* tickets with a first response */
	double resp_median; /* their median hours to it */
};
/* Both by id. */
struct facts {
	struct pentry *p;
	size_t np, capp;
	struct centry *c;
	size_t nc, capc;
};

static void facts_free(struct facts *fx)
{
	free(fx->p);
	free(fx->c);
	memset(fx, 0, sizeof(*fx));
}

static struct pentry *pentry_push(struct facts *fx)
{
	if (fx->np == fx->capp)
		fx->p = xrealloc(fx->p, (fx->capp = fx->capp ? 2 * fx->capp : 256) * sizeof(*fx->p));
	return memset(&fx->p[fx->np++], 0, sizeof(*fx->p));
}

static struct centry *centry_push(struct facts *fx)
{
	if (fx->nc == fx->capc)
		fx->c = xrealloc(fx->c, (fx->capc = fx->capc ? 2 * fx->capc : 256) * sizeof(*fx->c));
	return memset(&fx->c[fx->nc++], 0, sizeof(*fx->c));
}

/* Both kinds of entry begin with their id (the facts' first member), so one comparison and
 * one lookup serve both lists. */
_Static_assert(offsetof(struct pentry, f.id) == 0 && offsetof(struct centry, f.id) == 0,
	       "entries begin with their id");

static int cmp_entry(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void *entry_find(void *v, size_t n, size_t size, const char *id)
{
	return id && n ? bsearch(id, v, n, size, cmp_entry) : NULL;
}

static struct pentry *pentry_find(struct facts *fx, const char *id)
{
	return entry_find(fx->p, fx->np, sizeof(*fx->p), id);
}

static struct centry *centry_find(struct facts *fx, const char *id)
{
	return entry_find(fx->c, fx->nc, sizeof(*fx->c), id);
}

static int on_project(const struct project_facts *f, void *ctx)
{
	pentry_push(ctx)->f = *f;
	return 0;
}

static int on_customer(const struct customer_facts *f, void *ctx)
{
	centry_push(ctx)->f = *f;
	return 0;
}

struct actx {
	struct facts *fx;
	long now; /* the status date, in days */
	double fade;
};

static int on_answer(const struct survey_fact *f, void *ctx)
{
	struct actx *a = ctx;
	struct pentry *p = pentry_find(a->fx, f->project);
	struct centry *c = centry_find(a->fx, f->customer);
	if (p)
		add_survey(&p->s, f, a->now, a->fade);
	if (c)
		add_survey(&c->s, f, a->now, a->fade);
	return 0;
}

struct rctx {
	struct facts *fx;
	char cur[33];
	double *v;
	size_t n, cap;
};

static void median_flush(struct rctx *r)
{
	struct centry *c = r->n ? centry_find(r->fx, r->cur) : NULL;
	if (c) {
		c->resp_n = (long)r->n;
		c->resp_median = r->n % 2 ? r->v[r->n / 2] : (r->v[r->n / 2 - 1] + r->v[r->n / 2]) / 2;
	}
	r->n = 0;
}

static int on_response(const char *customer, double hours, void *ctx)
{
	struct rctx *r = ctx;
	if (!customer)
		return 0;
	if (strcmp(customer, r->cur)) {
		median_flush(r);
		str_copy(r->cur, sizeof r->cur, customer);
	}
	if (r->n == r->cap)
		r->v = xrealloc(r->v, (r->cap = r->cap * 2 + 16) * sizeof(double));
	r->v[r->n++] = hours; /* arrive sorted by hours within a customer */
	return 0;
}

/* Survey answers as read, matched to projects and customers once both are in. */
struct answers {
	struct survey_fact *v;
	size_t n, cap;
};

static int on_answer_read(const struct survey_fact *f, void *ctx)
{
	struct answers *a = ctx;
	if (a->n == a->cap)
		a->v = xrealloc(a->v, (a->cap = a->cap ? 2 * a->cap : 256) * sizeof(*a->v));
	a->v[a->n++] = *f;
	return 0;
}

/* The customers' side of a gather: their facts, response times and the survey answers. With
 * two connections it runs in a thread of its own while the projects' side reads (the two
 * touch different lists of struct facts). */
struct side {
	struct store *st;
	const char *date, *customer;
	struct facts *fx;
	struct answers a;
	struct err e;
	int rc;
};

static void *customers_side(void *arg)
{
	struct side *s = arg;
	struct rctx r = { s->fx, "", NULL, 0, 0 };
	s->rc = store_asof(s->st, s->date, &s->e);
	if (!s->rc)
		s->rc = store_customer_facts(s->st, s->customer, on_customer, s->fx, &s->e);
	if (!s->rc)
		s->rc = store_response_facts(s->st, s->customer, on_response, &r, &s->e);
	median_flush(&r);
	free(r.v);
	if (!s->rc)
		s->rc = store_survey_facts(s->st, s->customer, on_answer_read, &s->a, &s->e);
	return NULL;
}

/* Reads the facts of one project, a customer's projects (and the customer, with
 * `customers`), every one, or those the cache's marks name (customer == store_changed). The
 * customers' side reads on a second connection in a second thread when it can: on the large
 * workspace the two sides take about 0.8 s and 0.5 s. */
static int gather(struct ws *w, const char *date, double fade, const char *project,
		  const char *customer, bool customers, struct facts *fx, struct err *e)
{
	struct actx a = { fx, 0, fade };
	struct side s = { NULL, date, customer, fx, { NULL, 0, 0 }, { 0, "" }, 0 };
	pthread_t th;
	bool threaded = false;
	date_parse(date, &a.now);
	if (customers && !store_open_reader(w->st, &s.st, &s.e))
		threaded = !pthread_create(&th, NULL, customers_side, &s);
	err_clear(&s.e); /* no second connection or thread: one after the other */
	int rc = store_asof(w->st, date, e);
	if (!rc)
		rc = store_project_facts(w->st, project, customer, on_project, fx, e);
	if (threaded)
		pthread_join(th, NULL);
	else if (customers) {
		store_close(s.st);
		s.st = w->st;
		customers_side(&s);
	} else
		s.rc = store_survey_facts(w->st, customer, on_answer_read, &s.a, &s.e);
	if (threaded)
		store_close(s.st);
	if (!rc && s.rc) {
		*e = s.e;
		rc = s.rc;
	}
	for (size_t i = 0; !rc && i < s.a.n; i++)
		on_answer(&s.a.v[i], &a);
	free(s.a.v);
	return rc;
}

/* ---- the facts cache ---- */

/* Bumped whenever what an entry means changes (a fact added, a formula changed): entries
 * written under another format are never read. */
#define FACTS_FORMAT 1

static int on_cached(const char *id, char kind, const void *data, size_t n, void *ctx)
{
	struct facts *fx = ctx;
	/* Entries are read only under the key (day, format, sizes) they were written with; one
	 * that still does not fit is damage, and everything is measured again. */
	if (kind == 'p' && n == sizeof(struct pentry)) {
		struct pentry *p = pentry_push(fx);
		memcpy(p, data, n);
		return strncmp(p->f.id, id, sizeof p->f.id) ? -1 : 0;
	}
	if (kind == 'c' && n == sizeof(struct centry)) {
		struct centry *c = centry_push(fx);
		memcpy(c, data, n);
		return strncmp(c->f.id, id, sizeof c->f.id) ? -1 : 0;
	}
	return -1;
}

static int cache_put_all(struct ws *w, const struct facts *fx, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < fx->np && !rc; i++)
		rc = store_facts_cache_put(w->st, fx->p[i].f.id, 'p', &fx->p[i], sizeof(fx->p[i]), e);
	for (size_t i = 0; i < fx->nc && !rc; i++)
		rc = store_facts_cache_put(w->st, fx->c[i].f.id, 'c', &fx->c[i], sizeof(fx->c[i]), e);
	return rc;
}

/* Adds the freshly read entries to the cached ones (ids never overlap: cached ones are those
 * not marked), keeping both lists by id. */
static void facts_merge(struct facts *fx, const struct facts *fresh)
{
	for (size_t i = 0; i < fresh->np; i++)
		*pentry_push(fx) = fresh->p[i];
	for (size_t i = 0; i < fresh->nc; i++)
		*centry_push(fx) = fresh->c[i];
	if (fresh->np)
		qsort(fx->p, fx->np, sizeof(*fx->p), cmp_entry);
	if (fresh->nc)
		qsort(fx->c, fx->nc, sizeof(*fx->c), cmp_entry);
}

/* Every project's and customer's facts at today's date, through the cache: read whole when it
 * is for another day or format, when everything is marked, or when more than a sixteenth is
 * (one pass beats that many lookups); else the unmarked entries plus what the marks name,
 * read again. Reading takes no lock (the cache and its marks are read in one read
 * transaction); the cache is written afterwards, in a short write transaction, and only if
 * nothing was marked meanwhile: a write landing during the read stays marked for the next run,
 * and never waits for this one. */
static int gather_cached(struct ws *w, const char *date, double fade, struct facts *fx,
			 struct err *e)
{
	char key[128];
	struct facts_state fs;
	struct facts fresh = { 0 };
	bool full = true;
	snprintf(key, sizeof key, "%s format %d (%zu, %zu) fade %g", date, FACTS_FORMAT,
		 sizeof(struct pentry), sizeof(struct centry), fade);
	int rc = store_snapshot_begin(w->st, e);
	if (!rc)
		rc = store_facts_cache_state(w->st, key, &fs, e);
	if (!rc && fs.usable) {
		rc = store_facts_cache_load(w->st, on_cached, fx, e);
		size_t n = fx->np + fx->nc;
		if (rc < 0 || (!rc && fs.changed > 64 && (size_t)fs.changed > n / 16)) {
			/* damaged, or so much changed that one pass is cheaper than the lookups
			 * (large workspace: 900 of 30,000 marked take 0.95 s, one pass 1.7 s) */
			err_clear(e);
			facts_free(fx);
			rc = 0;
		} else if (!rc) {
			full = false;
			if (fs.changed) /* inside the read transaction: the marks as loaded */
				rc = gather(w, date, fade, NULL, store_changed, true, &fresh, e);
		}
	}
	store_snapshot_end(w->st);
	if (!rc && full)
		rc = gather(w, date, fade, NULL, NULL, true, fx, e);
	crashpoint("facts"); /* RAPPORT_PAUSE=facts:FILE: tests write meanwhile */
	struct err we = { 0, "" };
	if (!rc && (full || fs.changed) && !store_begin(w->st, &we)) {
		bool same = false;
		int wr = store_facts_cache_still(w->st, &fs, !full, &same, &we);
		if (!wr && same && full && !(wr = store_facts_cache_reset(w->st, key, &we)))
			wr = cache_put_all(w, fx, &we);
		else if (!wr && same && !full && !(wr = store_facts_cache_settle(w->st, &we)))
			wr = cache_put_all(w, &fresh, &we);
		if (wr)
			store_rollback(w->st);
		else
			store_commit(w->st, &we);
	}
	/* Keeping facts is a saving, not a duty: a read-only or busy workspace still scores. */
	if (!rc && !full)
		facts_merge(fx, &fresh);
	facts_free(&fresh);
	return rc;
}

/* ---- scores from facts ---- */

/* What every score starts with: who it is, and the kind's components as configured. */
static void health_head(struct health *h, const struct health_config *cfg, const char *kind,
			const char *id, const char *customer, const char *status, const char *name)
{
	bool project = !strcmp(kind, "project");
	h->brief = cfg->brief;
	h->kind = project ? "project" : "customer";
	str_copy(h->id, sizeof h->id, id);
	str_copy(h->customer, sizeof h->customer, customer);
	str_copy(h->status, sizeof h->status, status);
	str_copy(h->name, sizeof h->name, name);
	h->nc = project ? cfg->nproject : cfg->ncustomer;
	memcpy(h->c, project ? cfg->project : cfg->customer, h->nc * sizeof(*h->c));
}

static void score_project(struct health *h, const struct pentry *pe,
			  const struct health_config *cfg)
{
	const struct project_facts *f = &pe->f;
	health_head(h, cfg, "project", f->id, f->customer, f->status, f->name);
	h->evm = *f;
	h->value = f->budget > 0 ? f->budget : f->bac;
	if (f->has_spi)
		measure(h, "spi", f->spi, "EV %.0f / PV %.0f", f->ev, f->pv);
	if (f->has_cpi)
		measure(h, "cpi", f->cpi, "EV %.0f / AC %.0f", f->ev, f->ac);
	if (f->ms_due)
		measure(h, "milestones", 100.0 * f->ms_on_time / f->ms_due,
			N_("%ld of %ld due milestones done on time"), f->ms_on_time, f->ms_due);
	if (f->hours > 0 && f->defects == 1)
		measure(h, "defects", 100.0 * f->defects / f->hours, N_("%ld incident in %.0f h"),
			f->defects, f->hours);
	else if (f->hours > 0)
		measure(h, "defects", 100.0 * f->defects / f->hours, N_("%ld incidents in %.0f h"),
			f->defects, f->hours);
	if (f->inv_due)
		measure(h, "collection", 100.0 * f->inv_on_time / f->inv_due,
			N_("%ld of %ld due invoices paid on time"), f->inv_on_time, f->inv_due);
	if (f->has_revenue && f->revenue > 0 && f->has_eac)
		measure(h, "margin", 100.0 * (f->bac - f->eac) / f->revenue,
			N_("forecast cost %.0f vs budget %.0f on revenue %.0f"), f->eac, f->bac,
			f->revenue);
	score_sentiment(h, &pe->s);
	finish(h, cfg);
}

/* A customer's own components; delivery and margin come from its projects (score_customers). */
static void measure_customer(struct health *h, const struct centry *ce,
			     const struct health_config *cfg)
{
	const struct customer_facts *f = &ce->f;
	health_head(h, cfg, "customer", f->id, f->id, f->stage, f->name);
	static const struct {
		const char *v;
		double score;
	} intent[] = { { "yes", 100 }, { "likely", 75 }, { "unsure", 50 }, { "unlikely", 25 },
		       { "no", 0 } };
	for (size_t i = 0; i < ARRAY_LEN(intent); i++)
		if (!strcmp(f->renewal, intent[i].v))
			measure(h, "renewal", intent[i].score, N_("renewal intent: %s"),
				f->renewal);
	if (f->has_invoices)
		measure(h, "receivables", f->receivable_days,
			N_("outstanding invoices are %.0f days old on average (by amount)"),
			f->receivable_days);
	if (f->inv_due)
		measure(h, "collection", 100.0 * f->inv_on_time / f->inv_due,
			N_("%ld of %ld due invoices paid on time"), f->inv_on_time, f->inv_due);
	if (f->has_contact && f->days_since_contact == 1)
		measure(h, "contact", (double)f->days_since_contact, N_("last contact %ld day ago"),
			f->days_since_contact);
	else if (f->has_contact)
		measure(h, "contact", (double)f->days_since_contact, N_("last contact %ld days ago"),
			f->days_since_contact);
	measure(h, "executive", f->executive_180 ? 1 : 0, "%s",
		f->executive_180 ? N_("an executive was met in the last 180 days")
				 : N_("no executive contact in 180 days"));
	if (ce->resp_n == 1)
		measure(h, "response", ce->resp_median,
			N_("median first response %.1f h over %ld ticket"), ce->resp_median, ce->resp_n);
	else if (ce->resp_n)
		measure(h, "response", ce->resp_median,
			N_("median first response %.1f h over %ld tickets"), ce->resp_median, ce->resp_n);
	score_sentiment(h, &ce->s);
	/* Revenue, for margin (costs come from the projects). */
	h->value = f->revenue;
}

static void healths_reserve(struct healths *hs, size_t n)
{
	if (hs->cap < hs->n + n)
		hs->v = xrealloc(hs->v, (hs->cap = hs->n + n) * sizeof(*hs->v));
}

static void score_projects(const struct facts *fx, const struct health_config *cfg,
			   struct healths *out)
{
	healths_reserve(out, fx->np);
	for (size_t i = 0; i < fx->np; i++)
		score_project(healths_push(out), &fx->p[i], cfg);
}

static void score_customers(const struct facts *fx, const struct health_config *cfg,
			    const struct healths *projects, struct healths *out)
{
	healths_reserve(out, fx->nc);
	for (size_t i = 0; i < fx->nc; i++)
		measure_customer(healths_push(out), &fx->c[i], cfg);
	/* Delivery: the customer's active and recent projects' scores, weighted by value; cost
	 * for margin: what its projects cost so far. */
	double *dw = xcalloc(out->n ? out->n : 1, sizeof(double)),
	       *ds = xcalloc(out->n ? out->n : 1, sizeof(double)),
	       *cost = xcalloc(out->n ? out->n : 1, sizeof(double));
	long *np = xcalloc(out->n ? out->n : 1, sizeof(long));
	for (size_t i = 0; i < projects->n; i++) {
		const struct health *p = &projects->v[i];
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
	for (size_t i = 0; i < out->n; i++) {
		struct health *h = &out->v[i];
		if (np[i] == 1)
			measure(h, "delivery", ds[i] / dw[i], N_("%ld project, weighted by budget"), np[i]);
		else if (np[i])
			measure(h, "delivery", ds[i] / dw[i], N_("%ld projects, weighted by budget"), np[i]);
		if (h->value > 0)
			measure(h, "margin", 100.0 * (h->value - cost[i]) / h->value,
				N_("invoiced %.0f, cost so far %.0f"), h->value, cost[i]);
		finish(h, cfg);
	}
	free(dw);
	free(ds);
	free(cost);
	free(np);
}

int health_projects(struct ws *w, const struct health_config *cfg, const char *date,
		    const char *project, const char *customer, struct healths *out, struct err *e)
{
	struct facts fx = { 0 };
	int rc = gather(w, date, cfg->fade_days, project, customer, false, &fx, e);
	if (!rc)
		score_projects(&fx, cfg, out);
	facts_free(&fx);
	return rc;
}

/* The facts cache serves the whole portfolio at today's date; RAPPORT_FACTS_CACHE=off reads
 * everything afresh (to check the cache against). */
static bool cache_serves(struct ws *w, const char *date, const char *customer)
{
	char today[11];
	const char *env = getenv("RAPPORT_FACTS_CACHE");
	fmt_date(today, clock_now());
	return !customer && !strcmp(date, today) && !(env && !strcmp(env, "off"));
}

int health_customers(struct ws *w, const struct health_config *cfg, const char *date,
		     const char *customer, struct healths *out, struct healths *projects_out,
		     struct err *e)
{
	struct healths projects = { NULL, 0, 0 };
	struct facts fx = { 0 };
	int rc = cache_serves(w, date, customer)
			 ? gather_cached(w, date, cfg->fade_days, &fx, e)
			 : gather(w, date, cfg->fade_days, NULL, customer, true, &fx, e);
	if (!rc) {
		score_projects(&fx, cfg, &projects);
		score_customers(&fx, cfg, &projects, out);
	}
	facts_free(&fx);
	if (!rc && projects_out)
		*projects_out = projects;
	else
		healths_free(&projects);
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

int health_rank(struct ws *w, const struct health_config *cfg, const char *date,
		struct health_ranking *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int rc = health_customers(w, cfg, date, NULL, &out->customers, &out->projects, e);
	if (rc) {
		health_ranking_free(out);
		return rc;
	}
	out->v = xcalloc(out->projects.n + out->customers.n + 1, sizeof(*out->v));
	out->n = health_pick(&out->projects, false, out->v);
	out->n += health_pick(&out->customers, false, out->v + out->n);
	qsort(out->v, out->n, sizeof(*out->v), health_cmp);
	return 0;
}

void health_ranking_free(struct health_ranking *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
	healths_free(&r->projects);
	healths_free(&r->customers);
}

const char *health_top_issue(const struct health *h)
{
	const struct component *worst = NULL;
	for (size_t i = 0; i < h->nc; i++)
		if (h->c[i].present && h->c[i].lost > 0.5 && (!worst || h->c[i].lost > worst->lost))
			worst = &h->c[i];
	return worst ? _(worst->label) : "";
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

/* Trends are by calendar week, Monday first (day 0, 1970-01-01, was a Thursday): the 12 weeks
 * ending with the status date's, so a week's bucket is the same all week long and a ranked
 * list can keep each id's weeks whole (health_trend) instead of reading every day of history. */
static long week_of(long day)
{
	long x = day + 3;
	return x >= 0 ? x / 7 : -((6 - x) / 7);
}

static long trend_first_day(long today)
{
	return 7 * (week_of(today) - 11) - 3;
}

static int trend_cb(const char *day, double score, void *ctx)
{
	struct health_trend *t = ctx;
	long d;
	if (!date_parse(day, &d) || d < t->first_day)
		return 0;
	long wk = (d - t->first_day) / 7;
	if (wk < 12) {
		t->by_week[wk] = score; /* the last score of each week */
		t->has[wk] = true;
	}
	return 0;
}

void health_trend(struct ws *w, const char *id, long today, struct health_trend *t)
{
	memset(t, 0, sizeof(*t));
	t->first_day = trend_first_day(today);
	char since[11];
	struct err e = { 0, "" };
	days_to_date(since, t->first_day);
	store_history(w->st, id, since, trend_cb, t, &e);
}

static struct trend_of_id *trends_push(struct health_trends *all, const char *id)
{
	if (all->n == all->cap) {
		all->cap = all->cap ? 2 * all->cap : 256;
		all->v = xrealloc(all->v, all->cap * sizeof(*all->v));
	}
	struct trend_of_id *x = memset(&all->v[all->n++], 0, sizeof(*all->v));
	str_copy(x->id, sizeof x->id, id);
	x->t.first_day = all->first_day;
	return x;
}

static int trends_cb(const char *id, const char *day, double score, void *ctx)
{
	struct health_trends *all = ctx;
	if (!all->n || strcmp(all->v[all->n - 1].id, id))
		trends_push(all, id);
	struct trend_of_id *x = &all->v[all->n - 1];
	if (!strcmp(day, all->today)) {
		x->has_today = true;
		x->today = score;
	}
	return trend_cb(day, score, &x->t);
}

/* A kept trend's 12 weeks: little-endian IEEE doubles, NaN for a week without a score. */
enum { TREND_BYTES = 12 * 8 };

static void weeks_encode(const struct health_trend *t, unsigned char out[TREND_BYTES])
{
	for (int i = 0; i < 12; i++) {
		double v = t->has[i] ? t->by_week[i] : NAN;
		uint64_t u;
		memcpy(&u, &v, sizeof u);
		for (int b = 0; b < 8; b++)
			out[8 * i + b] = (unsigned char)(u >> (8 * b));
	}
}

struct kept {
	struct health_trends *all;
	long week;
};

static int kept_cb(const char *id, long week, const char *day, double score, const void *data,
		   size_t n, void *ctx)
{
	struct kept *k = ctx;
	struct trend_of_id *x = trends_push(k->all, id);
	const unsigned char *b = data;
	long shift = k->week - week; /* weeks gone by since the row was written */
	for (int i = 0; n == TREND_BYTES && i < 12; i++) {
		long from = i + shift;
		if (from < 0 || from >= 12)
			continue;
		uint64_t u = 0;
		for (int j = 0; j < 8; j++)
			u |= (uint64_t)b[8 * from + j] << (8 * j);
		double v;
		memcpy(&v, &u, sizeof v);
		if (!isnan(v)) {
			x->t.by_week[i] = v;
			x->t.has[i] = true;
		}
	}
	if (day && !strcmp(day, k->all->today)) {
		x->has_today = true;
		x->today = score;
	}
	return 0;
}

/* Keeps every loaded trend (the table is built from history once, and again should the clock
 * run backwards past the week it was kept for). */
static int trends_keep_all(struct ws *w, const struct health_trends *t, struct err *e)
{
	char wk[24];
	unsigned char blob[TREND_BYTES];
	int rc = store_trend_clear(w->st, e);
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct trend_of_id *x = &t->v[i];
		weeks_encode(&x->t, blob);
		rc = store_trend_put(w->st, x->id, t->week, x->has_today ? t->today : "",
				     x->has_today ? x->today : 0, blob, sizeof blob, e);
	}
	snprintf(wk, sizeof wk, "%ld", t->week);
	return rc ? rc : store_meta_set(w->st, "trends", wk, e);
}

int health_trends_load(struct ws *w, long today, struct health_trends *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->first_day = trend_first_day(today);
	out->week = week_of(today);
	days_to_date(out->today, today);
	char since[11], now[11];
	days_to_date(since, out->first_day);
	fmt_date(now, clock_now());
	char *kept_week = NULL;
	int rc = 0;
	/* Today's trends come from the kept table, kept for the latest week any run has seen;
	 * another day's come from the history itself. A clock set back behind that week (a test,
	 * a wrong clock) reads the history and drops the table, which the next run at the right
	 * time builds again: history recorded meanwhile may change weeks the table holds. */
	bool today_real = !strcmp(now, out->today);
	long kw = -1;
	if (today_real && !(rc = store_meta_get(w->st, "trends", &kept_week, e)) && kept_week)
		kw = strtol(kept_week, NULL, 10);
	if (!rc && kw >= 0 && kw <= out->week) {
		struct kept k = { out, out->week };
		rc = store_trend_all(w->st, kept_cb, &k, e);
		out->kept = true;
	} else if (!rc) {
		/* By id, so lookups bisect. */
		rc = store_history_all(w->st, since, trends_cb, out, e);
		if (!rc && today_real && !store_begin(w->st, e)) {
			int kr = kw > out->week ? store_meta_set(w->st, "trends", NULL, e)
						: trends_keep_all(w, out, e);
			kr = kr ? (store_rollback(w->st), kr) : store_commit(w->st, e);
			out->kept = !kr && kw <= out->week;
		}
		err_clear(e); /* keeping is a saving, not a duty: read-only still lists */
		rc = 0;
	}
	free(kept_week);
	if (rc)
		health_trends_free(out);
	return rc;
}

static struct trend_of_id *trends_find(const struct health_trends *all, const char *id)
{
	size_t lo = 0, hi = all->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(all->v[mid].id, id);
		if (!c)
			return &all->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void health_trends_get(const struct health_trends *all, const char *id, struct health_trend *t)
{
	const struct trend_of_id *x = trends_find(all, id);
	memset(t, 0, sizeof(*t));
	t->first_day = all->first_day;
	if (x)
		*t = x->t;
}

static int cmp_trend_id(const void *a, const void *b)
{
	return strcmp(((const struct trend_of_id *)a)->id, ((const struct trend_of_id *)b)->id);
}

int health_record(struct ws *w, long today, const struct healths *const *sets, size_t nsets,
		  struct health_trends *trends, struct err *e)
{
	struct health_trends own;
	struct health_trends *t = trends ? trends : &own;
	unsigned char blob[TREND_BYTES];
	int rc = health_trends_load(w, today, t, e);
	if (rc || (rc = store_begin(w->st, e)))
		goto out;
	size_t known = t->n;
	for (size_t k = 0; k < nsets && !rc; k++)
		for (size_t i = 0; i < sets[k]->n && !rc; i++) {
			const struct health *h = &sets[k]->v[i];
			if (h->confidence <= 0)
				continue;
			struct trend_of_id *x = trends_find(t, h->id);
			if (x && x->has_today && x->today == h->score)
				continue; /* most of a rerun: no write */
			if ((rc = store_history_put(w->st, h->id, t->today, h->score, e)))
				break;
			if (!x) /* first score: sorted in below */
				x = trends_push(t, h->id);
			x->has_today = true;
			x->today = h->score;
			trend_cb(t->today, h->score, &x->t);
			weeks_encode(&x->t, blob);
			if (t->kept)
				rc = store_trend_put(w->st, x->id, t->week, t->today, h->score, blob,
						     sizeof blob, e);
		}
	if (t->n > known)
		qsort(t->v, t->n, sizeof(*t->v), cmp_trend_id);
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
out:
	if (!trends || rc)
		health_trends_free(t);
	return rc;
}

void health_trends_free(struct health_trends *all)
{
	free(all->v);
	memset(all, 0, sizeof(*all));
}

void health_trend_now(struct health_trend *t, const struct health *h)
{
	if (h->confidence <= 0)
		return;
	t->by_week[11] = h->score;
	t->has[11] = true;
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
		str_copy(v->id, sizeof v->id, customers->v[i].id);
		str_copy(v->name, sizeof v->name, customers->v[i].name);
		v->revenue = customers->v[i].value;
	}
	/* Scores come sorted by id, so projects find their customer by bisection. */
	for (size_t i = 0; i < projects->n; i++) {
		struct cvalue key;
		str_copy(key.id, sizeof key.id, projects->v[i].customer);
		struct cvalue *v = out->n ? bsearch(&key, out->v, out->n, sizeof(*out->v), cmp_value_id)
					  : NULL;
		if (v)
			v->cost += projects->v[i].evm.ac_base; /* revenue is in the team's currency too */
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

bool health_period(long d, const char *kind, int back, char from[11], char to[11], char label[16])
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
	bool partial = next - 1 > d;
	days_to_date(from, first);
	days_to_date(to, partial ? d : next - 1);
	if (len == 12)
		snprintf(label, 16, "%04d", fy);
	else if (len == 3)
		snprintf(label, 16, "%04d-Q%d", fy, (fm - 1) / 3 + 1);
	else
		snprintf(label, 16, "%04d-%02d", fy, fm);
	return partial;
}

/* Labels and the formats with a unit are marked N_(): people see _(label) and _(fmt). */
const struct kpi_def kpi_defs[] = {
#define R(f, l, fmt) { #f, l, fmt, offsetof(struct kpis, f), offsetof(struct kpis, has_##f) }
	R(on_time_delivery, N_("On-time delivery"), "%.0f%%"),
	R(first_contact_resolution, N_("First-contact resolution"), "%.0f%%"),
	R(complaint_hours, N_("Complaint handling (median)"), N_("%.1f h")),
	R(collection_rate, N_("Collection rate"), "%.0f%%"),
	R(receivable_days, N_("Receivable days"), N_("%.0f d")),
	R(nps, N_("NPS"), "%+.0f"),
	R(csat, N_("CSAT"), "%.0f%%"),
	R(retention, N_("Retention"), "%.0f%%"),
	R(churn, N_("Churn"), "%.0f%%"),
	R(conversion, N_("Lead conversion"), "%.0f%%"),
	R(revenue, N_("Revenue invoiced"), "%.0f"),
	R(revenue_per_member, N_("Revenue per member"), "%.0f"),
	R(utilisation, N_("Utilisation (billable)"), "%.0f%%"),
	R(bookings, N_("Bookings (won)"), "%.0f"),
	R(win_rate, N_("Win rate"), "%.0f%%"),
	R(sales_cycle, N_("Sales cycle (mean)"), N_("%.0f d")),
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

/* ---- baseline ---- */

int health_baseline(struct ws *w, struct record *p, bool clear, long *n, struct err *e)
{
	const struct kindinfo *tk = schema_kind(&w->sc, "task");
	struct query q;
	struct recs tasks = { NULL, 0 };
	const char *rate = record_get(p, "rate");
	double r = rate ? strtod(rate, NULL) : 0;
	static const char *const names[] = { "baseline_start", "baseline_due", "baseline_budget" };
	query_init(&q, tk);
	q.cond[0] = (struct qcond){ .f = kind_field(tk, "project"), .op = Q_EQ, .value = p->id };
	q.ncond = 1;
	*n = 0;
	int rc = store_query(w->st, &q, recs_add, &tasks, e);
	if (rc || (rc = store_begin(w->st, e))) {
		recs_free(&tasks);
		return rc;
	}
	for (size_t i = 0; i < tasks.n && !rc; i++) {
		struct record *t = tasks.v[i];
		const char *vals[3] = { NULL, NULL, NULL };
		char budget[64] = "";
		if (!clear) {
			vals[0] = record_get(t, "start");
			vals[1] = record_get(t, "due");
			const char *bud = record_get(t, "budget"), *est = record_get(t, "estimate");
			if (bud)
				snprintf(budget, sizeof budget, "%s", bud);
			else if (est && r > 0)
				snprintf(budget, sizeof budget, "%.15g", strtod(est, NULL) * r);
			vals[2] = budget[0] ? budget : NULL;
		}
		for (size_t k = 0; k < 3; k++)
			record_put(t, kind_field_index(tk, kind_field(tk, names[k])),
				   vals[k] ? xstrdup(vals[k]) : NULL);
		rc = ws_save(w, t, e);
	}
	if (!rc) {
		char today[11];
		fmt_date(today, clock_now());
		record_put(p, kind_field_index(p->ki, kind_field(p->ki, "baselined")),
			   clear ? NULL : xstrdup(today));
		rc = ws_save(w, p, e);
	}
	*n = (long)tasks.n;
	recs_free(&tasks);
	return rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
}
