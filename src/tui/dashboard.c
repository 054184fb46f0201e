/*
 * dashboard.c — the first screen: what needs attention across the portfolio. Projects and
 * customers by status, the approvals waiting (the user's first), overdue milestones, late
 * invoices, open high-severity tickets, customers at risk and what changed lately, each line
 * linking to its record; health worst first and the open alerts, from the rules' evaluation
 * when the TUI starts.
 */
#include "billing.h"
#include "health.h"
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

struct dash {
	struct view v;
	struct lines l;
	int gen;
};

static const struct kindinfo *K(struct tui *t, const char *k) { return schema_kind(&t->w->sc, k); }

static long count_where3(struct tui *t, const char *kind, const char *f1, const char *f2,
			 const char *f3)
{
	struct query q;
	struct err e = { 0, "" };
	long n = 0;
	query_init(&q, K(t, kind));
	if ((!f1 || !ws_filter(t->w, &q, f1, &e)) && (!f2 || !ws_filter(t->w, &q, f2, &e)) &&
	    (!f3 || !ws_filter(t->w, &q, f3, &e)))
		store_count(t->w->st, &q, &n, &e);
	query_free(&q);
	return n;
}

static long count_where(struct tui *t, const char *kind, const char *f1, const char *f2)
{
	return count_where3(t, kind, f1, f2, NULL);
}

/* A line of the summary: the label in a column 13 wide (by display width: a translated label
 * is wider in columns than in bytes), then the text. */
static void summary_line(struct dash *d, enum role r, const char *label, const char *text)
{
	lines_add(&d->l, r, NULL, "%s%*s%s", label, text_pad(label, 13), "", text);
}

/* The decisions the process engine waits for, the user's first and how many of those are late:
 * screen 7 lists them. */
static void approvals(struct tui *t, struct dash *d)
{
	char me[33];
	long all = count_where(t, "approval", "state=pending", NULL), mine = 0, late = 0;
	struct buf b = BUF_INIT;
	if (ws_me(t->w, me)) {
		char *who = xasprintf("approver=%s", me);
		mine = count_where(t, "approval", "state=pending", who);
		late = count_where3(t, "approval", "state=pending", who, "due<today");
		free(who);
	}
	if (mine)
		buf_addf(&b, _("%ld waiting for you"), mine);
	if (late)
		buf_addf(&b, _(", %ld overdue"), late);
	if (all > mine && mine)
		buf_addf(&b, _(" · %ld for others"), all - mine);
	else if (all > mine)
		buf_addf(&b, _("%ld waiting"), all - mine);
	buf_adds(&b, _(" (7 Approvals)"));
	if (all) /* a workspace without processes at work has no line for them */
		summary_line(d, late ? C_BAD : C_RESET, _("Approvals"), b.data);
	buf_release(&b);
}

/* The open opportunities and their weighted amount, and how many are past their expected
 * close: screen 8 shows them. */
static void pipeline(struct tui *t, struct dash *d)
{
	struct pipeline p;
	struct err e = { 0, "" };
	char today[11];
	fmt_date(today, clock_now());
	/* a team that does not sell through rapport has no line for it */
	if (!health_pipeline(t->w, today, NULL, NULL, &p, &e) && p.open) {
		char *w = msum_fmt(&p.weighted);
		char late[96] = "";
		if (p.late)
			snprintf(late, sizeof late, _(", %ld late"), p.late);
		char *text = xasprintf(_("%ld open, %s weighted%s (8 Pipeline)"), p.open, w, late);
		summary_line(d, p.late ? C_WARN : C_RESET, _("Pipeline"), text);
		free(text);
		free(w);
	}
	pipeline_free(&p);
}

/* Money to ask for: plan lines ready to invoice (rapport billing). A team without payment
 * plans has no line; what is past due is the Late invoices section. */
static void cash(struct tui *t, struct dash *d)
{
	struct billing b;
	struct err e = { 0, "" };
	char today[11];
	fmt_date(today, clock_now());
	if (!billing_plan(t->w, today, NULL, NULL, &b, &e)) {
		struct msum m = { 0 };
		long n = billing_ready(&b, &m);
		if (n) {
			char *s = msum_fmt(&m);
			char *text = xasprintf(P_("%s in %ld plan line (:billing)",
						  "%s in %ld plan lines (:billing)", n), s, n);
			summary_line(d, C_WARN, _("To invoice"), text);
			free(text);
			free(s);
		}
		msum_free(&m);
		billing_free(&b);
	}
}

/* "5 active · 3 planned" for each choice of a field that has records. */
static void by_choice(struct tui *t, struct dash *d, const char *label, const char *kind,
		      const char *field)
{
	const struct field *f = kind_field(K(t, kind), field);
	struct strv choices = STRV_INIT;
	struct buf b = BUF_INIT;
	strv_split(&choices, f->choices, ',');
	for (size_t i = 0; i < choices.n; i++) {
		char *flt = xasprintf("%s=%s", field, choices.v[i]);
		long n = count_where(t, kind, flt, NULL);
		free(flt);
		if (n)
			buf_addf(&b, "%s%ld %s", b.len ? " · " : "", n, choice_label(choices.v[i]));
	}
	summary_line(d, C_RESET, label, b.len ? b.data : _("none"));
	buf_release(&b);
	strv_clear(&choices);
}

struct section {
	struct tui *t;
	struct dash *d;
	long shown, total, max;
	int mode; /* 0 milestones, 1 invoices, 2 tickets, 3 customers */
	char today[11];
};

static int section_cb(const struct record *r, void *p)
{
	struct section *s = p;
	struct tui *t = s->t;
	char line[512];
	const char *cust = record_get(r, "customer");
	if (s->mode == 1) {
		double amount = strtod(record_get(r, "amount"), NULL);
		const char *pv = record_get(r, "paid_amount");
		double paid = pv ? strtod(pv, NULL) : 0;
		char *cur = ws_currency(t->w, r), *owed = fmt_amount(amount - paid, cur);
		free(cur);
		snprintf(line, sizeof line, "  %s  %-12s %12s  %s", record_get(r, "due"),
			 record_get(r, "number") ? record_get(r, "number") : "", owed,
			 cust ? ws_title(t->w, cust) : "");
		free(owed);
	} else if (s->mode == 2) {
		const char *sev = record_get(r, "severity");
		const char *sl = sev ? choice_label(sev) : "";
		snprintf(line, sizeof line, "  %.10s  %s%*s %s · %s", record_get(r, "opened"), sl,
			 text_pad(sl, 8), "", record_get(r, "title"), cust ? ws_title(t->w, cust) : "");
	} else if (s->mode == 0) {
		const char *proj = record_get(r, "project");
		long due, today;
		date_parse(record_get(r, "due"), &due);
		date_parse(s->today, &today);
		snprintf(line, sizeof line, _("  %s  %s · %s · %ld days late"), record_get(r, "due"),
			 record_get(r, "name"), proj ? ws_title(t->w, proj) : "", today - due);
	} else {
		const char *owner = record_get(r, "owner");
		if (owner)
			snprintf(line, sizeof line, _("  %s · owner %s"), record_get(r, "name"),
				 ws_title(t->w, owner));
		else
			snprintf(line, sizeof line, "  %s", record_get(r, "name"));
	}
	lines_add(&s->d->l, s->mode == 3 || s->mode == 2 ? C_BAD : C_WARN, r->id, "%s", line);
	s->shown++;
	return 0;
}

static void section(struct tui *t, struct dash *d, const char *title, const char *kind,
		    const char *const *filters, const char *sort, int mode)
{
	struct section s = { .t = t, .d = d, .max = 5, .mode = mode };
	struct query q;
	struct err e = { 0, "" };
	fmt_date(s.today, clock_now());
	query_init(&q, K(t, kind));
	for (size_t i = 0; filters[i]; i++)
		ws_filter(t->w, &q, filters[i], &e);
	ws_sort(t->w, &q, sort, &e);
	size_t at = d->l.text.n;
	lines_add(&d->l, C_HEAD, NULL, "%s", title);
	/* Count and total in SQL; fetch only the rows shown. */
	store_count(t->w->st, &q, &s.total, &e);
	struct msum sum = { 0 };
	if (mode == 1) /* per currency: never a total of yuan and euros */
		store_sum_money(t->w->st, &q, kind_field(q.ki, "amount"),
				kind_field(q.ki, "paid_amount"), &sum, &e);
	q.limit = s.max;
	store_query(t->w->st, &q, section_cb, &s, &e);
	query_free(&q);
	/* The heading goes in first; now that the count is known, say it. */
	char *money = msum_fmt(&sum);
	char *h = mode == 1 ? xasprintf(_("%s (%ld, %s outstanding)"), title, s.total, money)
			    /* TRANSLATORS: a heading and how many it counts: "Late invoices (3)". */
			    : xasprintf(C_("count", "%s (%ld)"), title, s.total);
	free(money);
	msum_free(&sum);
	free(d->l.text.v[at]);
	d->l.text.v[at] = h;
	if (!s.total)
		lines_add(&d->l, C_MUTED, NULL, "  %s", _("none"));
	else if (s.total > s.shown)
		lines_add(&d->l, C_MUTED, NULL, _("  … %ld more"), s.total - s.shown);
	lines_add(&d->l, C_RESET, NULL, "%s", "");
}

static int newer_first(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;
	return strcmp(y->updated, x->updated);
}

/* The 8 latest changes: the 8 latest of each kind (an index walk each), merged. */
static void recent(struct tui *t, struct dash *d)
{
	struct recs rc = { NULL, 0 };
	struct err e = { 0, "" };
	for (size_t k = 0; k < t->w->sc.nkinds; k++) {
		struct query q;
		query_init(&q, &t->w->sc.kinds[k]);
		ws_sort(t->w, &q, "-updated", &e);
		q.limit = 8;
		store_query(t->w->st, &q, recs_add, &rc, &e);
		query_free(&q);
	}
	if (rc.n > 1)
		qsort(rc.v, rc.n, sizeof(*rc.v), newer_first);
	lines_add(&d->l, C_HEAD, NULL, "%s", _("Recent changes"));
	for (size_t i = 0; i < rc.n; i++) {
		if (i < 8) {
			char *title = record_title(rc.v[i]);
			const char *kl = kind_label(rc.v[i]->ki->k);
			lines_add(&d->l, C_RESET, rc.v[i]->id, "  %.10s %.5s  %s%*s %s · %s",
				  rc.v[i]->updated, rc.v[i]->updated + 11, kl, text_pad(kl, 11), "", title,
				  rc.v[i]->author ? rc.v[i]->author : "");
			free(title);
		}
	}
	recs_free(&rc);
}

/* A band's word for people: band_name's are the JSON's ("green"), translated here. */
static const char *const bands[] = { NC_("band", "green"), NC_("band", "amber"), NC_("band", "red"),
				     NC_("band", "grey") };

/* Health, worst first: the head of `rapport health`'s ranked list (health_rank: the same
 * selection, order and bands, grey included), scored now; a project says whose it is, as two
 * customers may each have an "ERP rollout". Then the open alerts, most recent first. */
static void attention(struct tui *t, struct dash *d)
{
	struct health_config cfg;
	struct health_ranking rk = { 0 };
	struct err e = { 0, "" };
	char today[11];
	fmt_date(today, clock_now());
	lines_add(&d->l, C_HEAD, NULL, "%s", _("Health, worst first"));
	int rc = health_config_load(t->w, &cfg, &e);
	cfg.brief = true; /* scores and bands, not how each component was measured */
	if (rc || health_rank(t->w, &cfg, today, &rk, &e))
		lines_add(&d->l, C_BAD, NULL, "  %s", e.msg);
	for (size_t i = 0; i < rk.n && i < 5; i++) {
		const struct health *h = rk.v[i];
		enum role r = h->band == BAND_GREEN ? C_GOOD : h->band == BAND_AMBER ? C_WARN
						   : h->band == BAND_RED ? C_BAD : C_MUTED;
		bool whose = !strcmp(h->kind, "project") && h->customer[0];
		/* Rounded as `health --json` rounds, so the two never differ by one. */
		const char *bl = C_("band", bands[h->band]), *kl = C_("kind", h->kind);
		lines_add(&d->l, r, h->id, "  %3lld %s%*s %s%*s %s%s%s", (long long)(h->score + 0.5),
			  bl, text_pad(bl, 6), "", kl, text_pad(kl, 9), "", h->name, whose ? " · " : "",
			  whose ? ws_title(t->w, h->customer) : "");
	}
	if (!rk.n && !e.code)
		lines_add(&d->l, C_MUTED, NULL, "  %s", _("no active projects or customers to score"));
	health_ranking_free(&rk);
	lines_add(&d->l, C_RESET, NULL, "%s", "");
	struct query q;
	struct recs al = { NULL, 0 };
	long n = 0;
	query_init(&q, K(t, "alert"));
	if (!ws_filter(t->w, &q, "state=open", &e) && !ws_sort(t->w, &q, "-raised", &e)) {
		store_count(t->w->st, &q, &n, &e);
		q.limit = 5;
		store_query(t->w->st, &q, recs_add, &al, &e);
	}
	lines_add(&d->l, C_HEAD, NULL, _("Open alerts (%ld)"), n);
	for (size_t i = 0; i < al.n; i++) {
		const char *sev = record_get(al.v[i], "severity");
		const char *sl = sev ? choice_label(sev) : "";
		lines_add(&d->l, sev && !strcmp(sev, "critical") ? C_BAD : C_WARN,
			  record_get(al.v[i], "on"), "  %s%*s %s", sl, text_pad(sl, 8), "",
			  record_get(al.v[i], "message"));
	}
	if (n > (long)al.n)
		lines_add(&d->l, C_MUTED, NULL, _("  … %ld more (5 Alerts)"), n - (long)al.n);
	recs_free(&al);
	query_free(&q);
	lines_add(&d->l, C_RESET, NULL, "%s", "");
}

static void build(struct tui *t, struct dash *d)
{
	/* The cursor stays on the record it was on: sections that grow as data arrives (the
	 * health list once the rules have run) move lines, not the selection. */
	long sel = d->l.sel;
	char on[33] = "";
	if (sel >= 0 && (size_t)sel < d->l.links.n)
		snprintf(on, sizeof on, "%s", d->l.links.v[sel]);
	lines_clear(&d->l);
	by_choice(t, d, _("Projects"), "project", "status");
	by_choice(t, d, _("Customers"), "customer", "stage");
	approvals(t, d);
	pipeline(t, d);
	cash(t, d);
	lines_add(&d->l, C_RESET, NULL, "%s", "");
	attention(t, d);
	/* A milestone of a project that is over (done, cancelled) is not overdue work. */
	section(t, d, _("Overdue milestones"), "milestone",
		(const char *[]){ "done=", "due<today", "project.status!=done",
				  "project.status!=cancelled", NULL },
		"due", 0);
	/* Late: issued, past due and not paid in full (paid_on unset), with an amount still owed. */
	section(t, d, _("Late invoices"), "invoice",
		(const char *[]){ "due<today", "paid_on=", "status!=draft", "status!=void", NULL },
		"due", 1);
	section(t, d, _("Open high-severity tickets"), "ticket",
		(const char *[]){ "status=open,pending", "severity=high,critical", NULL }, "-opened", 2);
	section(t, d, _("Customers at risk"), "customer", (const char *[]){ "stage=at_risk", NULL },
		"name", 3);
	recent(t, d);
	d->l.sel = sel;
	/* The same record's line nearest to where the cursor was (a record may be on two). */
	long best = -1;
	for (size_t i = 0; on[0] && i < d->l.links.n; i++)
		if (!strcmp(d->l.links.v[i], on) &&
		    (best < 0 || labs((long)i - sel) < labs(best - sel)))
			best = (long)i;
	if (best >= 0)
		d->l.sel = best;
	d->gen = t->gen;
}

static void draw(struct tui *t, struct view *v, int y, int h)
{
	struct dash *d = (struct dash *)v;
	if (d->gen != t->gen)
		build(t, d);
	lines_draw(t, &d->l, y, h);
}

static bool key(struct tui *t, struct view *v, int k)
{
	return lines_key(t, &((struct dash *)v)->l, k);
}

static void click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)x;
	lines_click(t, &((struct dash *)v)->l, y, 1, dbl);
}

static void dfree(struct view *v) { lines_clear(&((struct dash *)v)->l); }

static const struct view_ops ops = {
	NC_("screen", "dashboard"), N_("j k\tmove between linked lines\nEnter\topen\n"), draw, key, click,
	dfree,
};

struct view *view_dashboard(struct tui *t)
{
	struct dash *d = xcalloc(1, sizeof(*d));
	d->v.ops = &ops;
	d->gen = t->gen - 1;
	d->l.selectable = true;
	snprintf(d->v.title, sizeof d->v.title, "%s", _("Dashboard"));
	return &d->v;
}
