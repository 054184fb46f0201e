/*
 * report.c — the three offline reports as documents (doc.c renders them):
 *   health     customers and projects by band, each score's "why", trends, open alerts;
 *   status     one project's week: progress, earned value, milestones and a burn-up, what
 *              changed since the last report (field by field from snapshot history when the
 *              caller supplies it), risks and next steps;
 *   portfolio  the KPIs by month, the risk distribution, receivables ageing and customer value.
 * Everything is read through the health module and the store's queries; nothing is written.
 */
#include "billing.h"
#include "health.h"
#include "report_int.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Reports list at most this many rows per table; the rest is counted, never silently cut. */
#define MAX_ROWS 100

static enum tone band_tone(enum band b)
{
	return b == BAND_GREEN ? TONE_GOOD : b == BAND_AMBER ? TONE_WARN : b == BAND_RED ? TONE_BAD
											   : TONE_MUTED;
}

static enum tone score_tone(double s)
{
	return s >= 75 ? TONE_GOOD : s >= 50 ? TONE_WARN : TONE_BAD;
}

int report_fetch(struct ws *w, const char *kind, const char *sort, int deleted, struct recs *out,
		 struct err *e, ...)
{
	const struct kindinfo *ki = schema_kind(&w->sc, kind);
	struct query q;
	va_list ap;
	int rc = 0;
	out->v = NULL;
	out->n = 0;
	query_init(&q, ki);
	va_start(ap, e);
	for (const char *f; !rc && (f = va_arg(ap, const char *));)
		rc = ws_filter(w, &q, f, e);
	va_end(ap);
	if (!rc && sort)
		rc = ws_sort(w, &q, sort, e);
	q.deleted = deleted;
	if (!rc)
		rc = store_query(w->st, &q, recs_add, out, e);
	query_free(&q);
	if (rc)
		recs_free(out);
	return rc;
}

/* "N more ... not shown." when a table was cut: fmt is a whole sentence, marked with N_() (doc_note
 * translates it). */
#define MORE_NOTE(d, shown, total, fmt)                                       \
	do {                                                                  \
		if ((size_t)(total) > (size_t)(shown))                        \
			doc_note(d, fmt, (size_t)(total) - (size_t)(shown)); \
	} while (0)

/* A word from another module's table (a component's label, a KPI's), translated where it is
 * shown; "" stays "" (gettext("") is the catalogue's header). */
static const char *tr(const char *s)
{
	return s && *s ? _(s) : s ? s : "";
}

/* A health band as a report shows it. */
static const char *band_label(enum band b)
{
	/* band_name's words, for the catalogue. */
	static const char *const words[] = { NC_("band", "green"), NC_("band", "amber"),
					     NC_("band", "red"), NC_("band", "grey") };
	(void)words;
	return C_("band", band_name(b));
}

/* The band, "(capped)" when a component capped the score. The buffer is the caller's. */
static const char *band_text(const struct health *h, char *buf, size_t n)
{
	if (!h->capped)
		return band_label(h->band);
	snprintf(buf, n, _("%s (capped)"), band_label(h->band));
	return buf;
}

/* The 12-week trend of a score as a line chart, ending with the score the report shows
 * (nothing when the score has no history and does not count). */
static void trend_chart(struct ws *w, struct doc *d, const struct health *h, long today)
{
	struct health_trend t;
	health_trend(w, h->id, today, &t);
	health_trend_now(&t, h);
	size_t have = 0;
	for (int i = 0; i < 12; i++)
		have += t.has[i];
	if (!have)
		return;
	char labels[12][11];
	const char *xl[12];
	for (int i = 0; i < 12; i++) {
		days_to_date(labels[i], t.first_day + i * 7 + 6);
		xl[i] = labels[i];
	}
	doc_lines(d, _("Health, last 12 weeks"), 12, xl, 0, 100, "75,50");
	doc_series(d, _("Score"), TONE_NONE, t.by_week, t.has);
}

static void band_counts(const struct health *const *v, size_t n, long c[4])
{
	memset(c, 0, 4 * sizeof(long));
	for (size_t i = 0; i < n; i++)
		c[v[i]->band]++;
}

static void band_bars(struct doc *d, const char *title, const long c[4])
{
	static const enum band order[] = { BAND_RED, BAND_AMBER, BAND_GREEN, BAND_GREY };
	doc_bars(d, title, NULL, 0);
	for (size_t i = 0; i < 4; i++) {
		char shown[24];
		snprintf(shown, sizeof shown, "%ld", c[order[i]]);
		doc_bar(d, band_label(order[i]), (double)c[order[i]], shown, band_tone(order[i]));
	}
}

/* The components of one score, most points lost first, and the records behind the worst. */
static void why(struct ws *w, struct doc *d, const struct health *h)
{
	const struct component *order[HEALTH_MAX_COMPONENTS];
	health_by_lost(h, order);
	doc_table(d, _("Component|Measured|Score>|Points lost>"), _("No components."));
	for (size_t i = 0; i < h->nc; i++) {
		const struct component *k = order[i];
		doc_row(d);
		doc_cell(d, TONE_NONE, "%s", tr(k->label));
		if (!k->present) {
			doc_cell(d, TONE_MUTED, "%s", _("no data (its weight went to the others)"));
			doc_cell(d, TONE_MUTED, "-");
			doc_cell(d, TONE_MUTED, "-");
			continue;
		}
		doc_cell(d, TONE_NONE, "%s", k->note);
		doc_cell(d, score_tone(k->score), "%.0f", k->score);
		doc_cell(d, TONE_NONE, "%.1f", k->lost);
	}
	for (size_t i = 0, shown = 0; i < h->nc && shown < 2; i++) {
		const struct component *k = order[i];
		if (!k->present || k->lost < 1)
			continue;
		struct strv lines = STRV_INIT;
		struct err e = { 0, "" };
		if (!health_behind(w, h, k, 5, &lines, &e) && lines.n) {
			shown++;
			doc_p(d, "Behind “%s”:", tr(k->label));
			for (size_t l = 0; l < lines.n; l++) {
				char *tab = strchr(lines.v[l], '\t');
				doc_item(d, TONE_NONE, "%s", tab ? tab + 1 : lines.v[l]);
			}
		}
		strv_clear(&lines);
	}
}

static bool evm_line(struct doc *d, const struct project_facts *f)
{
	const char *cur = f->currency; /* earned value is in the project's currency */
	char *bac = fmt_amount(f->bac, cur), *pv = fmt_amount(f->pv, cur), *ev = fmt_amount(f->ev, cur),
	     *ac = fmt_amount(f->ac, cur);
	doc_kv(d, "Earned value", TONE_NONE, "BAC %s · PV %s · EV %s · AC %s", bac, pv, ev, ac);
	free(bac);
	free(pv);
	free(ev);
	free(ac);
	char spi[16] = "-", cpi[16] = "-";
	if (f->has_spi)
		snprintf(spi, sizeof spi, "%.2f", f->spi);
	if (f->has_cpi)
		snprintf(cpi, sizeof cpi, "%.2f", f->cpi);
	enum tone t = (f->has_spi && f->spi < 0.9) || (f->has_cpi && f->cpi < 0.9) ? TONE_BAD
		      : (f->has_spi && f->spi < 1) || (f->has_cpi && f->cpi < 1)   ? TONE_WARN
										   : TONE_NONE;
	if (f->has_eac) {
		char *eac = fmt_amount(f->eac, cur), *vac = fmt_amount(f->vac, cur);
		doc_kv(d, "Performance", t, "SPI %s · CPI %s · EAC %s · VAC %s", spi, cpi, eac, vac);
		free(eac);
		free(vac);
	} else
		doc_kv(d, "Performance", t, "SPI %s · CPI %s", spi, cpi);
	return f->has_spi || f->has_cpi;
}

/* Alerts in state open on the given records (NULL: all), most severe first. The database
 * picks and orders them: a big workspace holds thousands. */
static void alerts_section(struct ws *w, struct doc *d, const struct strv *on, struct err *e)
{
	/* Severity is a choice, ordered by meaning rather than spelling: one query per level, most
	 * severe first, in the kind table's order of choices. */
	const struct kindinfo *ak = schema_kind(&w->sc, "alert");
	struct strv levels = STRV_INIT;
	strv_split(&levels, kind_field(ak, "severity")->choices, ',');
	struct recs rs = { NULL, 0 };
	long total = 0;
	int rc = 0;
	for (size_t l = levels.n; l-- > 0 && !rc;) {
		struct query q;
		char sev[64];
		long n = 0;
		snprintf(sev, sizeof sev, "severity=%s", levels.v[l]);
		query_init(&q, ak);
		if (!(rc = ws_filter(w, &q, "state=open", e)) && !(rc = ws_filter(w, &q, sev, e)) && on)
			q.cond[q.ncond++] = (struct qcond){ .f = kind_field(ak, "on"), .op = Q_IN,
							    .value = query_own(&q, strv_join(on, ",")) };
		if (!rc)
			rc = ws_sort(w, &q, "-raised", e);
		if (!rc)
			rc = store_count(w->st, &q, &n, e);
		total += n;
		q.limit = MAX_ROWS - (long)rs.n;
		if (!rc && q.limit > 0)
			rc = store_query(w->st, &q, recs_add, &rs, e);
		query_free(&q);
	}
	strv_clear(&levels);
	if (rc) {
		doc_note(d, "Alerts could not be read: %s", e->msg);
		recs_free(&rs);
		return;
	}
	doc_table(d, _("Severity|Alert|On|Raised"), _("No open alerts."));
	for (size_t i = 0; i < rs.n; i++) {
		const struct record *a = rs.v[i];
		const char *target = record_get(a, "on"), *sev = record_get(a, "severity"),
			   *raised = record_get(a, "raised");
		doc_row(d);
		doc_cell(d, sev && !strcmp(sev, "critical") ? TONE_BAD
			    : sev && !strcmp(sev, "warning") ? TONE_WARN
							      : TONE_NONE,
			 "%s", sev ? choice_label(sev) : "");
		doc_cell(d, TONE_NONE, "%s", record_get(a, "message"));
		doc_cell(d, TONE_NONE, "%s", target ? ws_title(w, target) : "");
		doc_cell(d, TONE_NONE, "%.10s", raised ? raised : "");
	}
	MORE_NOTE(d, rs.n, total, N_("%zu more alerts not shown."));
	recs_free(&rs);
}

double report_progress(const struct recs *tasks, long *done)
{
	double est = 0, part = 0;
	*done = 0;
	for (size_t i = 0; i < tasks->n; i++) {
		const struct record *t = tasks->v[i];
		const char *st = record_get(t, "status"), *pr = record_get(t, "progress"),
			   *es = record_get(t, "estimate");
		bool is_done = st && !strcmp(st, "done");
		double weight = es && atof(es) > 0 ? atof(es) : 1;
		est += weight;
		part += weight * (is_done ? 1 : pr ? atof(pr) / 100 : 0);
		*done += is_done;
	}
	return est > 0 ? 100 * part / est : -1;
}

/* ---- health ---- */

static int report_health(struct ws *w, const struct report_opts *o, struct doc *d, struct err *e)
{
	struct health_config cfg;
	struct healths ps = { NULL, 0, 0 }, cs = { NULL, 0, 0 };
	long today;
	int rc;
	date_parse(o->date, &today);
	if ((rc = health_config_load(w, &cfg, e)))
		return rc;
	if (o->project)
		rc = health_projects(w, &cfg, o->date, o->project, NULL, &ps, e);
	else
		rc = health_customers(w, &cfg, o->date, o->customer, &cs, &ps, e);
	if (rc)
		goto out;
	bool one = o->project || o->customer;
	const struct health **pv = xcalloc(ps.n + 1, sizeof(*pv)), **cv = xcalloc(cs.n + 1, sizeof(*cv));
	size_t np = health_pick(&ps, one, pv), nc = health_pick(&cs, one, cv);
	qsort(pv, np, sizeof(*pv), health_cmp);
	qsort(cv, nc, sizeof(*cv), health_cmp);

	doc_h2(d, "Summary");
	long pc[4], cc[4];
	band_counts(cv, nc, cc);
	band_counts(pv, np, pc);
	if (!o->project)
		doc_kv(d, "Customers", TONE_NONE,
		       _("%zu: %ld red, %ld amber, %ld green, %ld without enough data"), nc,
		       cc[BAND_RED], cc[BAND_AMBER], cc[BAND_GREEN], cc[BAND_GREY]);
	doc_kv(d, "Projects", TONE_NONE, _("%zu: %ld red, %ld amber, %ld green, %ld without enough data"),
	       np, pc[BAND_RED], pc[BAND_AMBER], pc[BAND_GREEN], pc[BAND_GREY]);
	doc_kv(d, "Bands", TONE_NONE, _("green from %g, amber from %g; a component under %g caps the "
					"score at %g; confidence under %g%% is grey"),
	       cfg.green, cfg.amber, cfg.cap_under, cfg.cap_at, cfg.grey_under);
	if (!o->project)
		band_bars(d, _("Customers by band"), cc);
	band_bars(d, _("Projects by band"), pc);

	if (!o->project) {
		doc_h2(d, "Customers");
		doc_table(d, _("Customer|Score>|Band|Confidence>|Trend|Most points lost"),
			  _("No active customers to score."));
		for (size_t i = 0; i < nc && i < MAX_ROWS; i++) {
			struct health_trend t;
			health_trend(w, cv[i]->id, today, &t);
			health_trend_now(&t, cv[i]);
			/* No score four weeks back: "new" rather than a blank cell (short, so the
			 * 80-column text keeps room for the last column). */
			static const char *const words[] = { N_("falling"), N_("steady"), N_("rising"),
							     N_("new") };
			const char *arrow = _(words[health_trend_dir(&t) + 1]);
			char band[64];
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", cv[i]->name);
			doc_cell(d, band_tone(cv[i]->band), "%.0f", cv[i]->score);
			doc_cell(d, band_tone(cv[i]->band), "%s", band_text(cv[i], band, sizeof band));
			doc_cell(d, TONE_NONE, "%.0f%%", cv[i]->confidence);
			doc_cell(d, TONE_MUTED, "%s", arrow);
			doc_cell(d, TONE_NONE, "%s", tr(health_top_issue(cv[i])));
		}
		MORE_NOTE(d, MAX_ROWS, nc, N_("%zu more customers (the healthiest) not shown."));
	}
	doc_h2(d, "Projects");
	doc_table(d, _("Project|Customer|Score>|Band|SPI>|CPI>|Most points lost"),
		  _("No active projects to score."));
	for (size_t i = 0; i < np && i < MAX_ROWS; i++) {
		const struct project_facts *f = &pv[i]->evm;
		char band[64];
		doc_row(d);
		doc_cell(d, TONE_NONE, "%s", pv[i]->name);
		doc_cell(d, TONE_NONE, "%s", ws_title(w, pv[i]->customer));
		doc_cell(d, band_tone(pv[i]->band), "%.0f", pv[i]->score);
		doc_cell(d, band_tone(pv[i]->band), "%s", band_text(pv[i], band, sizeof band));
		if (f->has_spi)
			doc_cell(d, f->spi < 0.9 ? TONE_BAD : TONE_NONE, "%.2f", f->spi);
		else
			doc_cell(d, TONE_MUTED, "-");
		if (f->has_cpi)
			doc_cell(d, f->cpi < 0.9 ? TONE_BAD : TONE_NONE, "%.2f", f->cpi);
		else
			doc_cell(d, TONE_MUTED, "-");
		doc_cell(d, TONE_NONE, "%s", tr(health_top_issue(pv[i])));
	}
	MORE_NOTE(d, MAX_ROWS, np, N_("%zu more projects (the healthiest) not shown."));

	/* Why: every score of a single customer or project, else the red and amber ones. */
	doc_h2(d, "Why");
	size_t explained = 0, candidates = 0;
	const struct health *const *lists[] = { cv, pv };
	size_t counts[] = { nc, np };
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const struct health *h = lists[l][i];
			if (!one && h->band != BAND_RED && h->band != BAND_AMBER)
				continue;
			if (++candidates > 20)
				continue;
			explained++;
			const struct kindinfo *hk = schema_kind(&w->sc, h->kind);
			doc_h3(d, "%s %s: %.0f %s", hk ? kind_label(hk->k) : h->kind, h->name, h->score,
			       band_label(h->band));
			if (h->capped)
				doc_kv(d, "Score", band_tone(h->band), _("%.0f (%s, capped), confidence %.0f%%"),
				       h->score, band_label(h->band), h->confidence);
			else
				doc_kv(d, "Score", band_tone(h->band), _("%.0f (%s), confidence %.0f%%"),
				       h->score, band_label(h->band), h->confidence);
			if (!strcmp(h->kind, "project"))
				evm_line(d, &h->evm);
			trend_chart(w, d, h, today);
			why(w, d, h);
		}
	if (!explained)
		doc_note(d, "Every score is green or has too little data: nothing to explain.");
	MORE_NOTE(d, 20, candidates, N_("%zu more red and amber scores (the least bad) not shown."));

	doc_h2(d, "Open alerts");
	struct strv on = STRV_INIT;
	if (one) {
		for (size_t i = 0; i < np; i++)
			strv_push(&on, pv[i]->id);
		for (size_t i = 0; i < nc; i++)
			strv_push(&on, cv[i]->id);
	}
	alerts_section(w, d, one ? &on : NULL, e);
	strv_clear(&on);
	free(pv);
	free(cv);
out:
	healths_free(&ps);
	healths_free(&cs);
	return rc;
}

/* ---- status ---- */

struct burn {
	long first, step;
	size_t n;
	double planned[27], delivered[27];
	bool has_delivered[27], has_planned[27];
};

static void burnup(struct doc *d, const struct recs *ms, const char *start, long today)
{
	if (!ms->n) {
		doc_note(d, "No milestones: no burn-up to draw.");
		return;
	}
	long first = LONG_MAX, lastd = today;
	long s;
	if (start && date_parse(start, &s))
		first = s;
	for (size_t i = 0; i < ms->n; i++) {
		long due;
		if (date_parse(record_get(ms->v[i], "due"), &due)) {
			first = due < first ? due : first;
			lastd = due > lastd ? due : lastd;
		}
	}
	if (first == LONG_MAX)
		first = today;
	struct burn b = { .first = first };
	long weeks = (lastd - first) / 7 + 1;
	b.step = (weeks + 25) / 26;
	b.step = b.step < 1 ? 1 : b.step;
	b.n = (size_t)((weeks + b.step - 1) / b.step) + 1;
	b.n = b.n > 27 ? 27 : b.n < 2 ? 2 : b.n;
	char labels[27][11];
	const char *xl[27];
	for (size_t p = 0; p < b.n; p++) {
		long day = first + (long)p * 7 * b.step;
		days_to_date(labels[p], day);
		xl[p] = labels[p];
		b.has_planned[p] = true;
		b.has_delivered[p] = day <= today + 7 * b.step - 1;
		for (size_t i = 0; i < ms->n; i++) {
			long due, done;
			if (date_parse(record_get(ms->v[i], "due"), &due) && due <= day)
				b.planned[p]++;
			if (date_parse(record_get(ms->v[i], "done") ? record_get(ms->v[i], "done") : "", &done) &&
			    done <= day && done <= today)
				b.delivered[p]++;
		}
	}
	doc_lines(d, _("Milestones burn-up: planned and delivered"), b.n, xl, 0, (double)ms->n, NULL);
	doc_series(d, _("Planned"), TONE_MUTED, b.planned, b.has_planned);
	doc_series(d, _("Delivered"), TONE_GOOD, b.delivered, b.has_delivered);
}

static const char *milestone_state(const struct record *m, const char *date, enum tone *t)
{
	const char *due = record_get(m, "due"), *done = record_get(m, "done");
	if (done) {
		*t = due && strcmp(done, due) > 0 ? TONE_WARN : TONE_GOOD;
		return *t == TONE_GOOD ? N_("delivered on time") : N_("delivered late");
	}
	if (due && strcmp(due, date) < 0) {
		*t = TONE_BAD;
		return N_("overdue");
	}
	*t = TONE_NONE;
	return N_("upcoming");
}

/* What changed in one record since o->since: field by field from history when available. */
static void change_line(struct ws *w, struct doc *d, const struct report_opts *o,
			const struct record *r)
{
	char *old = NULL;
	const char *created = r->created ? r->created : "";
	char *title = record_title(r);
	bool added = strncmp(created, o->since, 10) >= 0;
	if (r->deleted) {
		/* Added and removed again within the period is no news. */
		if (!added)
			doc_item(d, TONE_WARN, "%s %s deleted", kind_label(r->ki->k), title);
		free(title);
		return;
	}
	if (added || !o->before || o->before(o->before_ctx, r->ki->k->name, r->id, &old) || !old) {
		if (added)
			doc_item(d, TONE_GOOD, "%s %s added", kind_label(r->ki->k), title);
		else
			doc_item(d, TONE_NONE, "%s %s updated", kind_label(r->ki->k), title);
		free(title);
		free(old);
		return;
	}
	struct buf now = BUF_INIT, line = BUF_INIT;
	record_file(&now, r);
	struct text_fields a = { NULL, 0 }, b = { NULL, 0 };
	struct err pe = { 0, "" };
	if (!record_parse(old, &a, &pe) && !record_parse(now.data, &b, &pe)) {
		struct text_change ch[32];
		size_t n = text_changes(&a, &b, ch, 32);
		for (size_t i = 0; i < n; i++) {
			if (ch[i].name[0] == '!')
				continue;
			const struct field *f = kind_field(r->ki, ch[i].name);
			/* Finance and internal fields stay out of a status report's change list too:
			 * it is the part most often forwarded. */
			if (f && (f->flags & (F_FIN | F_INT)))
				continue;
			const char *ov = ch[i].old, *nv = ch[i].new;
			if (f && f->type == FT_REF) {
				ov = ov ? ws_title(w, ov) : NULL;
				nv = nv ? ws_title(w, nv) : NULL;
			}
			buf_addf(&line, "%s%s: %.60s → %.60s", line.len ? "; " : "", ch[i].name,
				 ov ? ov : _("(unset)"), nv ? nv : _("(unset)"));
		}
	}
	if (line.len)
		doc_item(d, TONE_NONE, "%s %s: %s", kind_label(r->ki->k), title, line.data);
	text_fields_free(&a);
	text_fields_free(&b);
	buf_release(&now);
	buf_release(&line);
	free(title);
	free(old);
}

static int report_status(struct ws *w, const struct report_opts *o, struct doc *d, struct err *e)
{
	struct record *p = NULL;
	struct health_config cfg;
	struct healths ps = { NULL, 0, 0 };
	struct recs ms = { NULL, 0 }, tasks = { NULL, 0 }, rs = { NULL, 0 };
	long today;
	int rc;
	char f_project[64];
	date_parse(o->date, &today);
	if ((rc = ws_load(w, o->project, "project", &p, e)) || (rc = health_config_load(w, &cfg, e)) ||
	    (rc = health_projects(w, &cfg, o->date, p->id, NULL, &ps, e)))
		goto out;
	snprintf(f_project, sizeof f_project, "project=%s", p->id);
	if ((rc = report_fetch(w, "milestone", "due", 0, &ms, e, f_project, (const char *)NULL)) ||
	    (rc = report_fetch(w, "task", "due", 0, &tasks, e, f_project, (const char *)NULL)))
		goto out;
	const struct health *h = ps.n ? &ps.v[0] : NULL;

	doc_h2(d, "Summary");
	doc_kv(d, "Customer", TONE_NONE, "%s", ws_title(w, record_get(p, "customer")));
	doc_kv(d, "Status", TONE_NONE, "%s", record_get(p, "status") ? choice_label(record_get(p, "status")) : "-");
	if (record_get(p, "manager"))
		doc_kv(d, "Manager", TONE_NONE, "%s", ws_title(w, record_get(p, "manager")));
	doc_kv(d, "Dates", TONE_NONE, _("%s to %s"),
	       record_get(p, "start") ? record_get(p, "start") : _("(no start)"),
	       record_get(p, "due") ? record_get(p, "due") : _("(no due date)"));
	if (record_get(p, "phase"))
		doc_kv(d, "Phase", TONE_NONE, "%s", record_get(p, "phase"));
	long done = 0;
	double pg = report_progress(&tasks, &done);
	if (pg < 0)
		doc_kv(d, "Progress", TONE_MUTED, "%s", _("no tasks planned yet"));
	else
		doc_kv(d, "Progress", TONE_NONE,
		       P_("%.0f%% of the planned work (%ld of %zu task done)",
			  "%.0f%% of the planned work (%ld of %zu tasks done)", tasks.n),
		       pg, done, tasks.n);
	if (h) {
		char band[64];
		if (*health_top_issue(h))
			doc_kv(d, "Health", band_tone(h->band),
			       _("%.0f %s, confidence %.0f%%; most points lost: %s"), h->score,
			       band_text(h, band, sizeof band), h->confidence, tr(health_top_issue(h)));
		else
			doc_kv(d, "Health", band_tone(h->band), _("%.0f %s, confidence %.0f%%"), h->score,
			       band_text(h, band, sizeof band), h->confidence);
		evm_line(d, &h->evm);
		const struct project_facts *f = &h->evm;
		if (f->has_spi || f->has_cpi) {
			doc_bars(d, _("Schedule (SPI) and cost (CPI) performance"), NULL, 1.0);
			char s[16];
			if (f->has_spi) {
				snprintf(s, sizeof s, "%.2f", f->spi);
				doc_bar(d, "SPI", f->spi, s, f->spi < 0.9 ? TONE_BAD : f->spi < 1 ? TONE_WARN : TONE_GOOD);
			}
			if (f->has_cpi) {
				snprintf(s, sizeof s, "%.2f", f->cpi);
				doc_bar(d, "CPI", f->cpi, s, f->cpi < 0.9 ? TONE_BAD : f->cpi < 1 ? TONE_WARN : TONE_GOOD);
			}
		}
		trend_chart(w, d, h, today);
	}

	doc_h2(d, "Milestones");
	burnup(d, &ms, record_get(p, "start"), today);
	doc_table(d, _("Milestone|Due|Done|State|Deliverable"), _("No milestones."));
	for (size_t i = 0; i < ms.n && i < MAX_ROWS; i++) {
		enum tone t;
		const char *state = milestone_state(ms.v[i], o->date, &t);
		doc_row(d);
		doc_cell(d, TONE_NONE, "%s", record_get(ms.v[i], "name"));
		doc_cell(d, TONE_NONE, "%s", record_get(ms.v[i], "due") ? record_get(ms.v[i], "due") : "");
		doc_cell(d, TONE_NONE, "%s", record_get(ms.v[i], "done") ? record_get(ms.v[i], "done") : "");
		doc_cell(d, t, "%s", _(state));
		doc_cell(d, TONE_NONE, "%s",
			 record_get(ms.v[i], "deliverable") ? record_get(ms.v[i], "deliverable") : "");
	}
	MORE_NOTE(d, MAX_ROWS, ms.n, N_("%zu more milestones not shown."));

	doc_h2(d, "What changed since %s", o->since);
	{
		static const char *const kinds[] = { "milestone", "task", "ticket", "requirement",
						     "change" };
		char f_since[40];
		snprintf(f_since, sizeof f_since, "updated>=%s", o->since);
		size_t shown = 0, total = 0;
		double hours = 0;
		for (size_t k = 0; k < ARRAY_LEN(kinds) && !rc; k++) {
			/* Deleted ones too: a removed task is news in a status report. */
			if ((rc = report_fetch(w, kinds[k], "-updated", 2, &rs, e, f_project, f_since, (const char *)NULL)))
				break;
			for (size_t i = 0; i < rs.n; i++)
				if (++total <= MAX_ROWS) {
					change_line(w, d, o, rs.v[i]);
					shown++;
				}
			recs_free(&rs);
		}
		if (rc)
			goto out;
		char f_date[32];
		snprintf(f_date, sizeof f_date, "date>=%s", o->since);
		const struct kindinfo *tk = schema_kind(&w->sc, "time");
		struct query q;
		query_init(&q, tk);
		if (!(rc = ws_filter(w, &q, f_project, e)) && !(rc = ws_filter(w, &q, f_date, e)))
			rc = store_sum(w->st, &q, kind_field(tk, "hours"), &hours, e);
		query_free(&q);
		if (rc)
			goto out;
		if (!total)
			doc_note(d, "Nothing on the project's milestones, tasks, tickets or requirements changed.");
		MORE_NOTE(d, shown, total, N_("%zu more changes not shown."));
		doc_p(d, "%.1f hours logged since %s.", hours, o->since);
	}

	doc_h2(d, "Change requests");
	{
		struct recs ch = { NULL, 0 };
		if ((rc = report_fetch(w, "change", "-created", 0, &ch, e, f_project, (const char *)NULL)))
			goto out;
		doc_table(d, _("Change|State|Days|Cost|Applied"), _("No change requests."));
		for (size_t i = 0; i < ch.n && i < MAX_ROWS; i++) {
			const struct record *c = ch.v[i];
			const char *st = record_get(c, "state");
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", record_get(c, "title"));
			doc_cell(d, st && !strcmp(st, "approved") ? TONE_GOOD : TONE_NONE, "%s",
				 st ? choice_label(st) : _("(not submitted)"));
			doc_cell(d, TONE_NONE, "%s", record_get(c, "days") ? record_get(c, "days") : "");
			char *cur = ws_currency(w, c); /* the project's */
			char *money = record_get(c, "cost")
					      ? fmt_amount(strtod(record_get(c, "cost"), NULL), cur)
					      : NULL;
			free(cur);
			doc_cell(d, TONE_NONE, "%s", money ? money : "");
			free(money);
			doc_cell(d, TONE_NONE, "%s", record_get(c, "applied") ? record_get(c, "applied") : "");
		}
		MORE_NOTE(d, MAX_ROWS, ch.n, N_("%zu more change requests not shown."));
		recs_free(&ch);
	}

	doc_h2(d, "Risks");
	{
		size_t n = 0;
		for (size_t i = 0; i < ms.n; i++) {
			enum tone t;
			milestone_state(ms.v[i], o->date, &t);
			if (t == TONE_BAD && ++n <= MAX_ROWS)
				doc_item(d, TONE_BAD, "Milestone %s is overdue (due %s)", record_get(ms.v[i], "name"),
					 record_get(ms.v[i], "due"));
		}
		for (size_t i = 0; i < tasks.n; i++) {
			const struct record *t = tasks.v[i];
			const char *st = record_get(t, "status"), *due = record_get(t, "due"),
				   *key = record_get(t, "key");
			if (st && !strcmp(st, "done"))
				continue;
			bool late = due && strcmp(due, o->date) < 0, blocked = st && !strcmp(st, "blocked");
			if (!late && !blocked)
				continue;
			if (++n > MAX_ROWS)
				continue;
			long dd = 0;
			if (late)
				date_parse(due, &dd);
			char *title = record_title(t);
			bool is_key = key && !strcmp(key, "true");
			enum tone tn = is_key ? TONE_BAD : TONE_WARN;
			char *task = xasprintf(is_key ? _("Key task %s") : _("Task %s"), title);
			if (blocked && late)
				doc_item(d, tn, "%s is blocked and %ld days late (due %s)", task, today - dd, due);
			else if (blocked)
				doc_item(d, tn, "%s is blocked", task);
			else
				doc_item(d, tn, "%s is %ld days late (due %s)", task, today - dd, due);
			free(task);
			free(title);
		}
		if ((rc = report_fetch(w, "ticket", "-opened", 0, &rs, e, f_project,
				       "status=open,pending", (const char *)NULL)))
			goto out;
		/* High and critical, most severe first: severities compare by their place in the
		 * kind table's choices, not by spelling. */
		const char *levels = kind_field(schema_kind(&w->sc, "ticket"), "severity")->choices;
		for (int lv = choice_index(levels, "critical"); lv >= choice_index(levels, "high"); lv--)
			for (size_t i = 0; i < rs.n; i++)
				if (choice_index(levels, record_get(rs.v[i], "severity")) == lv && ++n <= MAX_ROWS)
					doc_item(d, TONE_BAD, "Open %s ticket: %s",
						 choice_label(record_get(rs.v[i], "severity")),
						 record_get(rs.v[i], "title"));
		recs_free(&rs);
		struct strv on = STRV_INIT;
		strv_push(&on, p->id);
		for (size_t i = 0; i < tasks.n; i++)
			strv_push(&on, tasks.v[i]->id);
		for (size_t i = 0; i < ms.n; i++)
			strv_push(&on, ms.v[i]->id);
		if (!n)
			doc_note(d, "No overdue milestones, late or blocked tasks, or open high-severity tickets.");
		MORE_NOTE(d, MAX_ROWS, n, N_("%zu more risks not shown."));
		doc_h3(d, "Open alerts");
		alerts_section(w, d, &on, e);
		strv_clear(&on);
	}

	doc_h2(d, "Next steps");
	{
		long horizon = today + 14;
		char until[11];
		days_to_date(until, horizon);
		doc_table(d, _("Due|Task|Assignee|Status"), _("No open tasks due in the next two weeks."));
		size_t n = 0;
		for (size_t i = 0; i < tasks.n; i++) {
			const struct record *t = tasks.v[i];
			const char *st = record_get(t, "status"), *due = record_get(t, "due");
			if ((st && !strcmp(st, "done")) || !due || strcmp(due, o->date) < 0 || strcmp(due, until) > 0)
				continue;
			if (++n > MAX_ROWS)
				continue;
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", due);
			doc_cell(d, TONE_NONE, "%s", record_get(t, "name"));
			doc_cell(d, TONE_NONE, "%s", record_get(t, "assignee") ? ws_title(w, record_get(t, "assignee")) : "");
			doc_cell(d, TONE_NONE, "%s", st ? choice_label(st) : "");
		}
		MORE_NOTE(d, MAX_ROWS, n, N_("%zu more tasks not shown."));
		for (size_t i = 0; i < ms.n; i++) {
			const char *due = record_get(ms.v[i], "due");
			if (!record_get(ms.v[i], "done") && due && strcmp(due, o->date) >= 0) {
				doc_p(d, "Next milestone: %s, due %s.", record_get(ms.v[i], "name"), due);
				break;
			}
		}
	}
out:
	record_free(p);
	recs_free(&ms);
	recs_free(&tasks);
	healths_free(&ps);
	return rc;
}

/* ---- portfolio ---- */

static int report_portfolio(struct ws *w, const struct report_opts *o, struct doc *d, struct err *e)
{
	long today;
	int rc;
	date_parse(o->date, &today);
	enum { NPER = 6 };
	struct kpis k[NPER];
	char labels[NPER][16], partial_from[11] = "";
	for (int p = 0; p < NPER; p++) {
		char from[11], to[11];
		/* The current month is to date: marked, so two days of it never read as a month of
		 * missed deliveries and unpaid invoices. */
		if (health_period(today, "month", NPER - 1 - p, from, to, labels[p])) {
			memcpy(partial_from, from, sizeof from);
			strcat(labels[p], "*");
		}
		if ((rc = store_kpis(w->st, from, to, &k[p], e)))
			return rc;
	}
	doc_h2(d, "Key indicators");
	{
		struct buf heads = BUF_INIT;
		buf_adds(&heads, _("Indicator"));
		for (int p = 0; p < NPER; p++)
			buf_addf(&heads, "|%s>", labels[p]);
		doc_table(d, heads.data, NULL);
		buf_release(&heads);
		for (size_t r = 0; r < kpi_ndefs; r++) {
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", tr(kpi_defs[r].label));
			for (int p = 0; p < NPER; p++) {
				double v;
				char cell[32] = "-";
				if (kpi_get(&k[p], &kpi_defs[r], &v))
					snprintf(cell, sizeof cell, kpi_defs[r].fmt, v);
				doc_cell(d, cell[0] == '-' && !cell[1] ? TONE_MUTED : TONE_NONE, "%s", cell);
			}
		}
		/* On-time delivery month by month, as a line. */
		const char *xl[NPER];
		double v[NPER];
		bool has[NPER];
		for (int p = 0; p < NPER; p++) {
			xl[p] = labels[p];
			has[p] = kpi_get(&k[p], &kpi_defs[0], &v[p]);
		}
		if (partial_from[0])
			doc_note(d, "* %.7s to date (%s to %s): not a whole month, so not comparable with "
				    "the others.", labels[NPER - 1], partial_from, o->date);
		/* xgettext:no-c-format */
		doc_lines(d, _("On-time delivery (% of milestones due in the month)"), NPER, xl, 0, 100,
			  NULL);
		doc_series(d, _("On time"), TONE_NONE, v, has);
	}

	/* One scoring pass feeds both the risk distribution and customer value. */
	struct health_config cfg;
	struct healths ps = { NULL, 0, 0 }, cs = { NULL, 0, 0 };
	struct cvalues vs = { NULL, 0 };
	if ((rc = health_config_load(w, &cfg, e)))
		goto out;
	cfg.brief = true;
	if ((rc = health_customers(w, &cfg, o->date, NULL, &cs, &ps, e)))
		goto out;
	doc_h2(d, "Risk distribution");
	{
		long pc[4] = { 0 }, cc[4] = { 0 };
		for (size_t i = 0; i < cs.n; i++)
			if (health_listed(&cs.v[i]))
				cc[cs.v[i].band]++;
		for (size_t i = 0; i < ps.n; i++)
			if (health_listed(&ps.v[i]))
				pc[ps.v[i].band]++;
		band_bars(d, _("Customers by band"), cc);
		band_bars(d, _("Projects by band"), pc);
	}

	doc_h2(d, "Receivables ageing");
	{
		struct receivables rv;
		char asof[11];
		days_to_date(asof, today);
		if ((rc = billing_receivables(w, asof, NULL, &rv, NULL, e)))
			goto out;
		static const char *const bucket[] = { N_("Not yet due"), N_("1-30 days"), N_("31-60 days"),
						      N_("61-90 days"), N_("Over 90 days") };
		/* Bars on one scale, in the team's currency (each amount at the status date's
		 * rate); the table per currency. */
		double sum[AGE_BUCKETS] = { 0 };
		struct msum by[AGE_BUCKETS] = { { 0 } };
		long cnt[AGE_BUCKETS] = { 0 };
		for (size_t i = 0; i < rv.ntotal; i++)
			for (int b = 0; b < AGE_BUCKETS; b++) {
				const struct aging *a = &rv.total[i];
				double fx;
				if (!store_fx_rate(w->st, a->currency, rv.team, asof, &fx))
					sum[b] += a->bucket[b] * fx;
				if (a->count[b])
					msum_add(&by[b], a->currency, a->bucket[b]);
				cnt[b] += a->count[b];
			}
		char *title = *rv.team ? xasprintf(_("Outstanding by days past due (in %s)"), rv.team)
				       : xstrdup(_("Outstanding by days past due"));
		doc_bars(d, title, NULL, 0);
		free(title);
		for (int b = 0; b < AGE_BUCKETS; b++) {
			char *m = fmt_amount(sum[b], rv.team);
			doc_bar(d, _(bucket[b]), sum[b], m, b == 0 ? TONE_GOOD : b == 1 ? TONE_WARN : TONE_BAD);
			free(m);
		}
		doc_table(d, _("Days past due|Invoices>|Outstanding>"), NULL);
		for (int b = 0; b < AGE_BUCKETS; b++) {
			char *m = msum_fmt(&by[b]);
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", _(bucket[b]));
			doc_cell(d, TONE_NONE, "%ld", cnt[b]);
			doc_cell(d, b >= 3 && cnt[b] > 0 ? TONE_BAD : TONE_NONE, "%s", m);
			free(m);
			msum_free(&by[b]);
		}
		if (rv.has_dso) {
			char *ow = fmt_amount(rv.owed_base, rv.team), *bi = fmt_amount(rv.billed90_base, rv.team);
			doc_p(d, "Days sales outstanding: %.0f (%s owed over %s invoiced in the 90 days to "
				    "%s, times 90).", rv.dso, ow, bi, asof);
			free(ow);
			free(bi);
		}
		/* When the cash should come in: invoices at their due date, plan lines at the day
		 * their trigger is expected (a late project's milestones later, by its SPI). */
		doc_table(d, _("Collection forecast|Currency|Invoiced>|Planned>"), _("Nothing to collect."));
		for (size_t i = 0; i < rv.nforecast; i++) {
			const struct cash_month *m = &rv.forecast[i];
			char *a = fmt_money(m->invoiced), *p = fmt_money(m->planned);
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", m->month);
			doc_cell(d, TONE_MUTED, "%s", m->currency);
			doc_cell(d, TONE_NONE, "%s", a);
			doc_cell(d, TONE_NONE, "%s", p);
			free(a);
			free(p);
		}
		receivables_free(&rv);
	}

	doc_h2(d, "Pipeline");
	{
		struct pipeline pl;
		if ((rc = health_pipeline(w, o->date, NULL, NULL, &pl, e))) {
			pipeline_free(&pl);
			goto out;
		}
		char *title = *pl.team ? xasprintf(_("Weighted by stage (in %s)"), pl.team)
				       : xstrdup(_("Weighted by stage"));
		doc_bars(d, title, NULL, 0);
		free(title);
		for (size_t i = 0; i < PIPELINE_STAGES; i++) {
			char *m = fmt_amount(pl.stage[i].weighted_base, pl.team);
			doc_bar(d, choice_label(pipeline_stages[i]), pl.stage[i].weighted_base, m, TONE_NONE);
			free(m);
		}
		doc_table(d, _("Stage|Open>|Amount>|Weighted>"), NULL);
		for (size_t i = 0; i < PIPELINE_STAGES; i++) {
			char *a = msum_fmt(&pl.stage[i].amount), *wt = msum_fmt(&pl.stage[i].weighted);
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", choice_label(pipeline_stages[i]));
			doc_cell(d, pl.stage[i].n ? TONE_NONE : TONE_MUTED, "%ld", pl.stage[i].n);
			doc_cell(d, TONE_NONE, "%s", a);
			doc_cell(d, TONE_NONE, "%s", wt);
			free(a);
			free(wt);
		}
		doc_table(d, _("Expected close|Open>|Weighted>"), _("No open opportunities."));
		for (size_t i = 0; i < pl.nmonth; i++) {
			const struct pbucket *b = &pl.month[i];
			bool past = *b->key && strncmp(b->key, o->date, 7) < 0;
			char *wt = msum_fmt(&b->weighted);
			doc_row(d);
			if (past)
				doc_cell(d, TONE_BAD, _("%s (past)"), b->key);
			else
				doc_cell(d, TONE_NONE, "%s", *b->key ? b->key : _("no date"));
			doc_cell(d, TONE_NONE, "%ld", b->n);
			doc_cell(d, TONE_NONE, "%s", wt);
			free(wt);
		}
		if (pl.won + pl.lost && pl.unconverted)
			doc_note(d, "%s to %s: %ld won, %ld lost, a win rate of %.0f%%; amounts no exchange "
				    "rate converts to the team's currency are left out of the chart.",
				 pl.from, pl.to, pl.won, pl.lost,
				 100.0 * (double)pl.won / (double)(pl.won + pl.lost));
		else if (pl.won + pl.lost)
			doc_note(d, "%s to %s: %ld won, %ld lost, a win rate of %.0f%%.", pl.from, pl.to,
				 pl.won, pl.lost, 100.0 * (double)pl.won / (double)(pl.won + pl.lost));
		pipeline_free(&pl);
	}

	doc_h2(d, "Customer value");
	{
		health_values_of(&cs, &ps, &vs);
		char team[4];
		if ((rc = store_team_currency(w->st, team, e)))
			goto out;
		char *title = *team ? xasprintf(_("Revenue to date, top 10 (in %s)"), team)
				    : xstrdup(_("Revenue to date, top 10"));
		doc_bars(d, title, NULL, 0);
		free(title);
		for (size_t i = 0; i < vs.n && i < 10 && vs.v[i].revenue > 0; i++) {
			char *m = fmt_amount(vs.v[i].revenue, team);
			doc_bar(d, vs.v[i].name, vs.v[i].revenue, m, TONE_NONE);
			free(m);
		}
		/* xgettext:no-c-format */
		doc_table(d, _("Customer|Revenue>|Margin>|Margin %>"), _("No invoiced revenue yet."));
		for (size_t i = 0; i < vs.n && i < 25 && vs.v[i].revenue > 0; i++) {
			char *rev = fmt_amount(vs.v[i].revenue, team),
			     *mar = fmt_amount(vs.v[i].revenue - vs.v[i].cost, team);
			doc_row(d);
			doc_cell(d, TONE_NONE, "%s", vs.v[i].name);
			doc_cell(d, TONE_NONE, "%s", rev);
			doc_cell(d, vs.v[i].revenue >= vs.v[i].cost ? TONE_GOOD : TONE_BAD, "%s", mar);
			doc_cell(d, TONE_NONE, "%.0f%%", 100 * (vs.v[i].revenue - vs.v[i].cost) / vs.v[i].revenue);
			free(rev);
			free(mar);
		}
	}
out:
	cvalues_free(&vs);
	healths_free(&ps);
	healths_free(&cs);
	return rc;
}

int report_build(struct ws *w, const struct report_opts *o, struct doc **out, struct err *e)
{
	static const char *const titles[][3] = {
		{ "health", N_("Health report"), N_("Health report: %s") },
		{ "status", N_("Status report"), N_("Status report: %s") },
		{ "portfolio", N_("Portfolio report"), N_("Portfolio report: %s") }
	};
	*out = NULL;
	size_t k;
	for (k = 0; k < ARRAY_LEN(titles); k++)
		if (!strcmp(o->kind, titles[k][0]))
			break;
	if (k == ARRAY_LEN(titles))
		return err_set(e, RERR_USAGE, "'%s' is not a report (health, status, portfolio)", o->kind);
	if (k == 1 && !o->project)
		return err_set(e, RERR_USAGE, "the status report is of one project: --project ID");
	struct buf title = BUF_INIT;
	if (o->project || o->customer)
		buf_addf(&title, _(titles[k][2]), ws_title(w, o->project ? o->project : o->customer));
	else
		buf_adds(&title, _(titles[k][1]));
	struct doc *d = doc_new(title.data);
	buf_release(&title);
	if (o->source)
		doc_subtitle(d, "As of %s, from %s", o->date, o->source);
	else
		doc_subtitle(d, "As of %s", o->date);
	int rc = k == 0 ? report_health(w, o, d, e) : k == 1 ? report_status(w, o, d, e)
							     : report_portfolio(w, o, d, e);
	if (rc) {
		doc_free(d);
		return rc;
	}
	*out = d;
	return 0;
}
