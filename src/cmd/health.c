/*
 * health.c — `rapport health [ID] [--why] [--json] [--at DATE]` and `rapport baseline PROJECT
 * [--clear]`. Without an id, every active project and customer ranked worst first; with one,
 * its score, band, confidence, earned value (projects), the components and a 12-week trend;
 * --why ranks the components by points lost and lists the records behind each. Each run
 * without --at records the day's scores, which is what trends are drawn from.
 */
#include "cmd.h"
#include "health.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);
static int run_baseline(struct ctx *c, int argc, char **argv);

const struct command cmd_health = {
	"health", run, "health [ID] [--why] [--json] [--at DATE]",
	N_("Health scores of projects and customers, worst first, and why."),
	N_("Without ID: every active project (active, paused) and customer (prospect, active, loyal,\n"
	"at_risk), worst first, with band, confidence and trend. With ID: the score's components\n"
	"(raw value, anchors, score), earned value for a project (PV, EV, AC, SPI, CPI, EAC, VAC)\n"
	"and a 12-week sparkline. --why ranks components by points lost and lists the records\n"
	"behind each (late tasks, overdue invoices, ...). --at DATE scores as of that date.\n"
	"Weights, anchors and bands are team settings: rapport config --team health.… VALUE.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_baseline = {
	"baseline", run_baseline, "baseline PROJECT [--clear]",
	N_("Record a project's current plan as the baseline earned value measures against."),
	N_("Copies each task's start, due and budget (else estimate x the project's rate) into its\n"
	"baseline fields and stamps the project's 'baselined' date. --clear removes them, so\n"
	"earned value follows the current plan again.\n"),
	CMD_WS,
};

static enum role band_role(enum band b)
{
	return b == BAND_GREEN ? C_GOOD : b == BAND_AMBER ? C_WARN : b == BAND_RED ? C_BAD : C_MUTED;
}

/* A band as people read it (band_name is the word --json prints). */
static const char *band_text(enum band b)
{
	switch (b) {
	case BAND_GREEN:
		return C_("band", "green");
	case BAND_AMBER:
		return C_("band", "amber");
	case BAND_RED:
		return C_("band", "red");
	case BAND_GREY:
		break;
	}
	return C_("band", "grey");
}

/* s and the spaces that pad it to w columns, or with right set, the spaces and then s. */
static void put_padded(FILE *f, const char *s, int w, bool right)
{
	if (right)
		fprintf(f, "%*s%s", text_pad(s, w), "", s);
	else
		fprintf(f, "%s%*s", s, text_pad(s, w), "");
}

/* A 12-week sparkline (and its last 6 weeks in short) and an arrow against 4 weeks ago, from
 * the recorded history. */
static void trend_of(struct ctx *c, const struct health_trends *all, const struct health *h,
		     long today, char spark[64], char shortsp[40], const char **arrow)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	struct health_trend t;
	if (all)
		health_trends_get(all, h->id, &t);
	else
		health_trend(c->ws, h->id, today, &t);
	health_trend_now(&t, h); /* recorded already, unless --at: then the score shown */
	spark[0] = shortsp[0] = '\0';
	for (int i = 0; i < 12; i++) {
		int b = t.has[i] ? (int)(t.by_week[i] / 100.0 * 7.99) : -1;
		const char *s = b < 0 ? "·" : bars[b > 7 ? 7 : b];
		strcat(spark, s);
		if (i >= 6)
			strcat(shortsp, s);
	}
	static const char *const arrows[] = { "↓", "→", "↑", "" };
	*arrow = arrows[health_trend_dir(&t) + 1];
}

static void json_health(struct ctx *c, struct json *j, const struct health *h, bool why,
			const char *spark)
{
	json_obj_open(j);
	json_key(j, "id");
	json_str(j, h->id);
	json_key(j, "kind");
	json_str(j, h->kind);
	json_key(j, "name");
	json_str(j, h->name);
	json_key(j, "score");
	json_int(j, (long long)(h->score + 0.5));
	json_key(j, "band");
	json_str(j, band_name(h->band));
	json_key(j, "color");
	json_str(j, band_name(h->color));
	json_key(j, "confidence");
	json_int(j, (long long)(h->confidence + 0.5));
	json_key(j, "capped");
	json_bool(j, h->capped);
	if (spark) {
		json_key(j, "trend");
		json_str(j, spark);
	}
	if (!strcmp(h->kind, "project")) {
		const struct project_facts *f = &h->evm;
		struct {
			const char *k;
			double v;
			bool ok;
		} m[] = { { "bac", f->bac, true },   { "pv", f->pv, true },  { "ev", f->ev, true },
			  { "ac", f->ac, true },     { "spi", f->spi, f->has_spi },
			  { "cpi", f->cpi, f->has_cpi }, { "eac", f->eac, f->has_eac },
			  { "vac", f->vac, f->has_eac } };
		for (size_t i = 0; i < ARRAY_LEN(m); i++) {
			json_key(j, m[i].k);
			if (m[i].ok)
				json_num(j, m[i].v);
			else
				json_null(j);
		}
		json_key(j, "currency"); /* of bac, pv, ev, ac, eac, vac: the project's */
		json_str(j, f->currency[0] ? f->currency : NULL);
	}
	json_key(j, "components");
	json_arr_open(j);
	for (size_t i = 0; i < h->nc; i++) {
		const struct component *k = &h->c[i];
		json_obj_open(j);
		json_key(j, "key");
		json_str(j, k->key);
		json_key(j, "weight");
		json_num(j, k->weight);
		json_key(j, "bad");
		json_num(j, k->bad);
		json_key(j, "good");
		json_num(j, k->good);
		json_key(j, "value");
		if (k->present)
			json_num(j, k->raw);
		else
			json_null(j);
		json_key(j, "score");
		if (k->present)
			json_num(j, k->score);
		else
			json_null(j);
		json_key(j, "lost");
		json_num(j, k->lost);
		json_key(j, "note");
		json_str(j, k->present ? k->note : "no data");
		if (why && k->present && k->lost > 0) {
			struct strv lines = STRV_INIT;
			struct err e = { 0, "" };
			health_behind(c->ws, h, k, 10, &lines, &e);
			json_key(j, "records");
			json_arr_open(j);
			for (size_t l = 0; l < lines.n; l++) {
				char *tab = strchr(lines.v[l], '\t');
				json_obj_open(j);
				json_key(j, "id");
				if (tab)
					*tab = '\0';
				json_str(j, lines.v[l]);
				json_key(j, "text");
				json_str(j, tab ? tab + 1 : "");
				json_obj_close(j);
			}
			json_arr_close(j);
			strv_clear(&lines);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void print_one(struct ctx *c, const struct health *h, bool why, const char *spark,
		      const char *arrow)
{
	const struct kindinfo *ki = schema_kind(&c->ws->sc, h->kind);
	fprintf(c->out, "%s %s%.8s%s ", ki ? kind_label(ki->k) : h->kind, col(c, C_ID), h->id,
		col(c, C_RESET));
	out_safe(c, ws_title(c->ws, h->id));
	/* The labels of the lines below, padded to one column (12, or 14 with earned value's). */
	const char *lhealth = _("Health"), *ltrend = _("Trend"), *lev = _("Earned value");
	fputs("\n  ", c->out);
	put_padded(c->out, lhealth, 12, false);
	fprintf(c->out, "%s%.0f %s", col(c, band_role(h->band)), h->score, band_text(h->band));
	if (h->capped)
		fputs(_(" (capped: a component is under 25)"), c->out);
	fprintf(c->out, "%s  ", col(c, C_RESET));
	fprintf(c->out, _("confidence %.0f%%"), h->confidence);
	fputs("\n  ", c->out);
	put_padded(c->out, ltrend, 12, false);
	/* TRANSLATORS: a sparkline of the score, then an arrow (its direction). */
	fprintf(c->out, _("%s %s (12 weeks)"), spark, arrow);
	fputc('\n', c->out);
	if (!strcmp(h->kind, "project")) {
		const struct project_facts *f = &h->evm;
		const char *cur = f->currency; /* earned value is in the project's currency */
		char *bac = fmt_amount(f->bac, cur), *pv = fmt_amount(f->pv, cur),
		     *ev = fmt_amount(f->ev, cur), *ac = fmt_amount(f->ac, cur);
		int evw = utf8_width(lev) + 2 > 14 ? utf8_width(lev) + 2 : 14;
		fputs("  ", c->out);
		put_padded(c->out, lev, evw, false);
		fprintf(c->out, "BAC %s  PV %s  EV %s  AC %s\n", bac, pv, ev, ac);
		fprintf(c->out, "  %*sSPI ", evw, "");
		fprintf(c->out, f->has_spi ? "%.2f" : "-", f->spi);
		fprintf(c->out, "  CPI ");
		fprintf(c->out, f->has_cpi ? "%.2f" : "-", f->cpi);
		if (f->has_eac) {
			char *eac = fmt_amount(f->eac, cur), *vac = fmt_amount(f->vac, cur);
			fprintf(c->out, "  EAC %s  VAC %s", eac, vac);
			free(eac);
			free(vac);
		}
		fputc('\n', c->out);
		free(bac);
		free(pv);
		free(ev);
		free(ac);
	}
	const struct component *order[HEALTH_MAX_COMPONENTS];
	for (size_t i = 0; i < h->nc; i++)
		order[i] = &h->c[i];
	if (why)
		health_by_lost(h, order);
	/* The anchors column is 15 bytes wide, "→" three of them: 13 columns. */
	fputs("\n  ", c->out);
	put_padded(c->out, _("COMPONENT"), 30, false);
	fputc(' ', c->out);
	put_padded(c->out, _("VALUE"), 8, true);
	fputc(' ', c->out);
	put_padded(c->out, _("BAD → GOOD"), 13, true);
	fputc(' ', c->out);
	put_padded(c->out, _("SCORE"), 6, true);
	fputc(' ', c->out);
	put_padded(c->out, _("LOST"), 6, true);
	fprintf(c->out, "  %s\n", _("MEASURED"));
	for (size_t i = 0; i < h->nc; i++) {
		const struct component *k = order[i];
		char val[32], anchors[40];
		snprintf(anchors, sizeof anchors, "%g → %g%s", k->bad, k->good, k->unit);
		const char *label = _(k->label);
		if (!k->present) {
			fprintf(c->out, "  %s", col(c, C_MUTED));
			put_padded(c->out, label, 30, false);
			fprintf(c->out, " %8s %15s %6s %6s  ", "-", anchors, "-", "-");
			fprintf(c->out, _("no data (weight %g spread over the rest)"), k->weight);
			fprintf(c->out, "%s\n", col(c, C_RESET));
			continue;
		}
		snprintf(val, sizeof val, "%.2f%s", k->raw, k->unit);
		fputs("  ", c->out);
		put_padded(c->out, label, 30, false);
		fprintf(c->out, " %8s %15s %s%6.0f%s %6.1f  ", val, anchors,
			col(c, k->score >= 75 ? C_GOOD : k->score >= 50 ? C_WARN : C_BAD), k->score,
			col(c, C_RESET), k->lost);
		out_safe(c, k->note);
		fputc('\n', c->out);
		if (!why || k->lost <= 0)
			continue;
		struct strv lines = STRV_INIT;
		struct err e = { 0, "" };
		health_behind(c->ws, h, k, 5, &lines, &e);
		for (size_t l = 0; l < lines.n; l++) {
			char *tab = strchr(lines.v[l], '\t');
			fprintf(c->out, "      %s%.8s%s ", col(c, C_ID), lines.v[l], col(c, C_RESET));
			out_safe(c, tab ? tab + 1 : "");
			fputc('\n', c->out);
		}
		strv_clear(&lines);
	}
}

static int run(struct ctx *c, int argc, char **argv)
{
	const char *id = NULL, *at = NULL;
	bool why = false;
	char date[11];
	int rc;
	const struct opt opts[] = { { "--why", &why, NULL, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_health, argc, argv, opts, &id, 1, NULL, _("one record at a time"))))
		return rc;
	if ((rc = ctx_open(c)))
		return rc;
	if ((rc = status_date(c, at, date)))
		return rc;
	long today;
	date_parse(date, &today);
	struct health_config cfg;
	/* Without an id, the ranked list the dashboard shows too (health_rank); with one, that
	 * record's score, listed or not. */
	struct health_ranking rk = { 0 };
	struct healths *ps = &rk.projects, *cs = &rk.customers;
	struct record *r = NULL;
	struct health_trends trends = { 0 };
	if ((rc = health_config_load(c->ws, &cfg, &c->err)))
		return rc;
	/* The ranked list shows each score's worst component by name, not how it was measured. */
	cfg.brief = !id && !c->json;
	if (id) {
		if ((rc = ws_load(c->ws, id, NULL, &r, &c->err)))
			return rc;
		const char *k = r->ki->k->name;
		if (strcmp(k, "project") && strcmp(k, "customer")) {
			rc = err_set(&c->err, RERR_INPUT, "%s %.8s: health is scored for projects and "
							  "customers", kind_label(r->ki->k), r->id);
			goto out;
		}
		rc = !strcmp(k, "project") ? health_projects(c->ws, &cfg, date, r->id, NULL, ps, &c->err)
					   : health_customers(c->ws, &cfg, date, r->id, cs, NULL, &c->err);
		if (!rc) {
			rk.v = xcalloc(ps->n + cs->n + 1, sizeof(*rk.v));
			rk.n = health_pick(ps, true, rk.v);
			rk.n += health_pick(cs, true, rk.v + rk.n);
		}
	} else {
		rc = health_rank(c->ws, &cfg, date, &rk, &c->err);
	}
	if (rc)
		goto out;
	/* Today's scores become history (not for --at: the past is not rewritten); a ranked list
	 * reads every trend in one pass. */
	const struct healths *all[] = { ps, cs };
	if (!at)
		rc = health_record(c->ws, today, all, 2, id ? NULL : &trends, &c->err);
	else if (!id)
		rc = health_trends_load(c->ws, today, &trends, &c->err);
	if (rc)
		goto out;
	const struct health **v = rk.v;
	size_t n = rk.n;
	struct buf jb = BUF_INIT;
	struct json j;
	struct table tb;
	if (c->json) {
		json_init(&j, &jb, c->tty);
		if (!id)
			json_arr_open(&j);
	} else if (!id) {
		table_init(&tb, 7);
		const char *head[] = { N_("SCORE"), N_("BAND"), N_("CONF"), N_("TREND"), N_("KIND"), N_("NAME"),
				       N_("MOST POINTS LOST") };
		for (size_t i = 0; i < ARRAY_LEN(head); i++)
			table_cell(&tb, _(head[i]), C_HEAD);
		table_right(&tb, 0);
		table_right(&tb, 2);
	}
	for (size_t i = 0; i < n; i++) {
		char spark[64], shortsp[40], num[16], conf[16];
		const char *arrow;
		trend_of(c, id ? NULL : &trends, v[i], today, spark, shortsp, &arrow);
		if (c->json) {
			json_health(c, &j, v[i], why, spark);
			continue;
		}
		if (id) {
			print_one(c, v[i], why, spark, arrow);
			continue;
		}
		snprintf(num, sizeof num, "%.0f", v[i]->score);
		snprintf(conf, sizeof conf, "%.0f%%", v[i]->confidence);
		table_cell(&tb, num, band_role(v[i]->band));
		table_cell(&tb, band_text(v[i]->band), band_role(v[i]->band));
		table_cell(&tb, conf, v[i]->confidence < cfg.grey_under ? C_MUTED : C_RESET);
		char tr[96];
		snprintf(tr, sizeof tr, "%s%s", shortsp, arrow);
		table_cell(&tb, tr, C_MUTED);
		const struct kindinfo *ki = schema_kind(&c->ws->sc, v[i]->kind);
		const char *top = health_top_issue(v[i]);
		table_cell(&tb, ki ? kind_label(ki->k) : v[i]->kind, C_KIND);
		table_cell(&tb, v[i]->name, C_RESET);
		table_cell(&tb, *top ? _(top) : "", C_MUTED);
	}
	if (c->json) {
		if (!id)
			json_arr_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
	} else if (!id) {
		table_print(c, &tb, 0);
		table_free(&tb);
		if (!n)
			fputs(_("No active projects or customers to score.\n"), c->out);
	}
out:
	health_trends_free(&trends);
	record_free(r);
	health_ranking_free(&rk);
	return rc;
}

static int run_baseline(struct ctx *c, int argc, char **argv)
{
	const char *id = NULL;
	bool clear = false;
	int rc;
	const struct opt opts[] = { { "--clear", &clear, NULL, NULL }, { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_baseline, argc, argv, opts, &id, 1, NULL,
			     _("one project at a time"))))
		return rc;
	if (!id)
		return usage_error(c, &cmd_baseline, "which project?");
	struct record *p = NULL;
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, id, "project", &p, &c->err)))
		return rc;
	if (strcmp(p->ki->k->name, "project")) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s is not a project", kind_label(p->ki->k), p->id);
		goto out;
	}
	long n = 0;
	if (!(rc = health_baseline(c->ws, p, clear, &n, &c->err)) && clear)
		fprintf(c->out, _("Cleared the baseline of %ld tasks of project %.8s\n"), n, p->id);
	else if (!rc)
		fprintf(c->out, _("Recorded the baseline of %ld tasks of project %.8s\n"), n, p->id);
out:
	record_free(p);
	return rc;
}
