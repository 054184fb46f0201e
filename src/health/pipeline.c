/*
 * pipeline.c (health) — the sales pipeline as numbers: open opportunities per stage and per
 * month of expected close, their amounts and weighted amounts per currency and in the team's,
 * and the year's wins, losses and cycle time. One reading of opportunity_status (through
 * store_opportunities) shared by `rapport pipeline`, `show CUSTOMER`, the portfolio report,
 * the dashboard and the TUI's pipeline screen, so all of them count the same way.
 */
#include "health.h"

#include <stdlib.h>
#include <string.h>

const char *const pipeline_stages[PIPELINE_STAGES] = { "qualify", "propose", "negotiate" };

static struct pbucket *month_of(struct pipeline *p, const char *date)
{
	char key[12] = "";
	if (*date)
		snprintf(key, sizeof key, "%.7s", date);
	for (size_t i = 0; i < p->nmonth; i++)
		if (!strcmp(p->month[i].key, key))
			return &p->month[i];
	p->month = xrealloc(p->month, (p->nmonth + 1) * sizeof(*p->month));
	struct pbucket *b = &p->month[p->nmonth++];
	memset(b, 0, sizeof(*b));
	memcpy(b->key, key, sizeof key);
	return b;
}

static void add_to(struct pbucket *b, const struct opp_fact *f)
{
	b->n++;
	msum_add(&b->amount, f->currency, f->amount);
	msum_add(&b->weighted, f->currency, f->weighted);
	if (f->has_base)
		b->weighted_base += f->weighted_base;
}

struct gather {
	struct pipeline *p;
	const char *owner;
};

static int gather(const struct opp_fact *f, void *ctx)
{
	struct gather *g = ctx;
	struct pipeline *p = g->p;
	if (g->owner && strcmp(f->owner, g->owner))
		return 0;
	if (!strcmp(f->stage, "won") || !strcmp(f->stage, "lost")) {
		if (!*f->closed || strcmp(f->closed, p->from) < 0 || strcmp(f->closed, p->to) > 0)
			return 0;
		if (!strcmp(f->stage, "lost")) {
			p->lost++;
			return 0;
		}
		p->won++;
		p->cycle_days += f->age_days;
		msum_add(&p->won_amount, f->currency, f->amount);
		return 0;
	}
	for (size_t i = 0; i < PIPELINE_STAGES; i++)
		if (!strcmp(f->stage, pipeline_stages[i]))
			add_to(&p->stage[i], f);
	add_to(month_of(p, f->expected_close), f);
	p->open++;
	p->late += f->overdue_days > 0;
	msum_add(&p->amount, f->currency, f->amount);
	msum_add(&p->weighted, f->currency, f->weighted);
	if (f->has_base)
		p->weighted_base += f->weighted_base;
	else
		p->unconverted++;
	return 0;
}

static int by_month(const void *a, const void *b)
{
	const struct pbucket *x = a, *y = b;
	if (!*x->key || !*y->key) /* undated last */
		return !*x->key - !*y->key;
	return strcmp(x->key, y->key);
}

int health_pipeline(struct ws *w, const char *date, const char *customer, const char *owner,
		    struct pipeline *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	long today;
	if (!date_parse(date, &today))
		return err_set(e, RERR_INPUT, "'%s' is not a date", date);
	fmt_date(out->from, (time_t)(today - 364) * 86400);
	snprintf(out->to, sizeof out->to, "%s", date);
	struct gather g = { out, owner };
	int rc = store_opportunities(w->st, date, customer, gather, &g, e);
	if (!rc)
		rc = store_team_currency(w->st, out->team, e);
	if (out->nmonth) /* qsort must not be given NULL, even for nothing */
		qsort(out->month, out->nmonth, sizeof(*out->month), by_month);
	return rc;
}

void pipeline_free(struct pipeline *p)
{
	for (size_t i = 0; i < PIPELINE_STAGES; i++) {
		msum_free(&p->stage[i].amount);
		msum_free(&p->stage[i].weighted);
	}
	for (size_t i = 0; i < p->nmonth; i++) {
		msum_free(&p->month[i].amount);
		msum_free(&p->month[i].weighted);
	}
	free(p->month);
	msum_free(&p->amount);
	msum_free(&p->weighted);
	msum_free(&p->won_amount);
	memset(p, 0, sizeof(*p));
}
