/*
 * pipeline.c (TUI) — screen 8, Pipeline: opportunities as a kanban board by stage (qualify,
 * propose, negotiate, won, lost), open ones by expected close, and those won or lost in the
 * last 90 days. The line above the board is `rapport pipeline`'s headline: how many are open
 * and their weighted amount per currency. H/L move a card to the next stage (`rapport set`),
 * W wins the selected opportunity through `rapport won` (on the command line, so a template
 * or a start date can be added first), a adds one, e edits, d deletes, Enter opens.
 */
#include "health.h"
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

#define CLOSED_DAYS 90

struct pview {
	struct view v;
	struct board b;
	struct recs all;
	int gen;
	char head[256];
};

static void opp_sub(struct tui *t, const struct record *r, char *out, size_t n)
{
	const char *cu = record_get(r, "customer"), *amt = record_get(r, "amount"),
		   *when = record_get(r, "closed") ? record_get(r, "closed") : record_get(r, "expected_close");
	char *money = amt ? fmt_amount(strtod(amt, NULL), record_get(r, "currency")) : NULL;
	snprintf(out, n, " %s%s%s%s%s", money ? money : "", money && cu ? " · " : "",
		 cu ? ws_title(t->w, cu) : "", when ? " · " : "", when ? when : "");
	free(money);
}

struct keep {
	struct recs *all;
	char from[11]; /* won or lost before this day: long closed, not shown */
};

static int keep(const struct record *r, void *ctx)
{
	struct keep *k = ctx;
	const char *closed = record_get(r, "closed"), *stage = record_get(r, "stage");
	bool over = stage && (!strcmp(stage, "won") || !strcmp(stage, "lost"));
	if (over && closed && strcmp(closed, k->from) < 0)
		return 0; /* long closed: the pipeline is what is still in play */
	return recs_add(r, k->all);
}

static void load(struct tui *t, struct pview *pv)
{
	if (pv->gen == t->gen)
		return;
	recs_free(&pv->all);
	const struct kindinfo *ki = schema_kind(&t->w->sc, "opportunity");
	struct query q;
	struct err e = { 0, "" };
	query_init(&q, ki);
	ws_sort(t->w, &q, "expected_close,name", &e);
	struct keep k = { &pv->all, "" };
	fmt_date(k.from, clock_now() - (time_t)CLOSED_DAYS * 86400);
	store_query(t->w->st, &q, keep, &k, &e);
	query_free(&q);
	board_cards(&pv->b, pv->all.v, pv->all.n);
	/* The headline, as `rapport pipeline` counts it: open ones, weighted per currency. */
	struct pipeline p;
	char today[11];
	fmt_date(today, clock_now());
	health_pipeline(t->w, today, NULL, NULL, &p, &e);
	char *w = msum_fmt(&p.weighted);
	snprintf(pv->head, sizeof pv->head, _("%ld open, weighted %s · won and lost: the last %d days"),
		 p.open, w, CLOSED_DAYS);
	free(w);
	pipeline_free(&p);
	pv->gen = t->gen;
}

static void pv_draw(struct tui *t, struct view *v, int y, int h)
{
	struct pview *pv = (struct pview *)v;
	load(t, pv);
	tui_put(y, 1, COLS - 2, pv->head, tui_attr(t, C_MUTED));
	if (!pv->all.n) {
		tui_put(y + 2, 1, COLS - 2, _("no opportunities yet: a adds one"), tui_attr(t, C_MUTED));
		return;
	}
	board_draw(t, &pv->b, y + 2, h - 2);
}

static bool pv_key(struct tui *t, struct view *v, int k)
{
	struct pview *pv = (struct pview *)v;
	char moved[33];
	load(t, pv);
	int used = board_key(t, &pv->b, k, moved);
	if (used == 2) {
		load(t, pv);
		board_follow(&pv->b, moved);
	}
	if (used)
		return true;
	const struct record *sel = board_selected(&pv->b);
	char id[33] = "";
	if (sel)
		memcpy(id, sel->id, sizeof id);
	switch (k) {
	case 'a': tui_form(t, "opportunity", NULL); return true;
	case 'e':
		if (*id)
			tui_form(t, NULL, id);
		return true;
	case 'd':
		if (*id)
			tui_delete(t, id);
		return true;
	case 'W':
		if (*id) {
			char *line = xasprintf("won %.8s ", id);
			tui_prompt_command(t, line);
			free(line);
		}
		return true;
	}
	return false;
}

static void pv_free(struct view *v)
{
	struct pview *pv = (struct pview *)v;
	board_free(&pv->b);
	recs_free(&pv->all);
}

static const struct view_ops ops = {
	NC_("screen", "pipeline"),
	N_("h l ← →\tmove between stages\n"
	   "j k ↓ ↑\tmove within a stage\n"
	   "H L < >\tmove the opportunity to the previous / next stage\n"
	   "W\twin it: `won ID` on the command line (add --template NAME, --start DATE)\n"
	   "a e d\tadd, edit, delete an opportunity\n"
	   "Enter\topen it\n"),
	pv_draw, pv_key, NULL, pv_free,
};

struct view *view_pipeline(struct tui *t)
{
	struct pview *pv = xcalloc(1, sizeof(*pv));
	pv->v.ops = &ops;
	pv->gen = t->gen - 1;
	board_init(&pv->b, kind_field(schema_kind(&t->w->sc, "opportunity"), "stage"), opp_sub);
	snprintf(pv->v.title, sizeof pv->v.title, "%s", _("Pipeline"));
	return &pv->v;
}
