/*
 * views.c — the simple screens: a list of records of one kind (Customers, Projects, Tickets,
 * and any ':list KIND FILTERS'), a page of text (help, command output), and search as you type.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- a list of records ---- */

struct listview {
	struct view v;
	struct rlist l;
	char filters[256]; /* as shown */
	struct strv words; /* the filters, one a word as typed (a value may hold spaces) */
	char sort[128];
	long day; /* the day its filters were read on: "due<today" means another date tomorrow */
};

/* Replaces the list's query with these filters (words as on the command line, "stage=active",
 * "customer=Tailspin Airlines"); keep leaves the cursor where it is. A filter that does not
 * read is an error in e and changes nothing. */
static int set_filters(struct tui *t, struct listview *lv, const struct strv *words, bool keep,
		       struct err *e)
{
	struct query q;
	query_init(&q, lv->l.ki);
	int rc = 0;
	for (size_t i = 0; i < words->n && !rc; i++)
		rc = ws_filter(t->w, &q, words->v[i], e);
	if (!rc)
		rc = ws_sort(t->w, &q, lv->sort, e);
	if (rc) {
		query_free(&q);
		return rc;
	}
	query_free(&lv->l.q);
	lv->l.q = q;
	lv->l.gen = lv->l.wgen = t->gen - 1;
	if (!keep)
		lv->l.sel = lv->l.top = 0;
	if (words != &lv->words) {
		strv_clear(&lv->words);
		for (size_t i = 0; i < words->n; i++)
			strv_push(&lv->words, words->v[i]);
	}
	char *shown = strv_join(&lv->words, " ");
	snprintf(lv->filters, sizeof lv->filters, "%s", shown);
	free(shown);
	lv->day = t->day;
	return 0;
}

static void list_draw(struct tui *t, struct view *v, int y, int h)
{
	struct listview *lv = (struct listview *)v;
	char head[512];
	/* A relative date in a filter is read again on a new day. */
	struct err e = { 0, "" };
	if (lv->day != t->day && set_filters(t, lv, &lv->words, true, &e)) {
		lv->day = t->day; /* said once, not every frame */
		tui_message(t, C_BAD, "%s", e.msg);
	}
	rlist_draw(t, &lv->l, y + 1, h - 1);
	const char *pl = kind_plural_label(lv->l.ki->k), *by = lv->sort[0] ? lv->sort : lv->l.ki->k->sort;
	if (lv->filters[0])
		snprintf(head, sizeof head, _("%ld %s where %s · sorted by %s · f filter, o order, a add"),
			 lv->l.total, pl, lv->filters, by);
	else
		snprintf(head, sizeof head, _("%ld %s · sorted by %s · f filter, o order, a add"),
			 lv->l.total, pl, by);
	move(y, 0);
	clrtoeol();
	tui_put(y, 1, COLS - 2, head, tui_attr(t, C_MUTED));
}

static bool list_key(struct tui *t, struct view *v, int k)
{
	struct listview *lv = (struct listview *)v;
	const struct record *r;
	if (rlist_key(t, &lv->l, k))
		return true;
	switch (k) {
	case 'a': tui_form(t, lv->l.ki->k->name, NULL); return true;
	case 'e':
		if ((r = rlist_selected(t, &lv->l)))
			tui_form(t, NULL, r->id);
		return true;
	case 'd':
		if ((r = rlist_selected(t, &lv->l)))
			tui_delete(t, r->id);
		return true;
	case 'u': tui_undelete(t); return true;
	case 'H':
		/* The selected row's history, field by field: `rapport log ID`. */
		if ((r = rlist_selected(t, &lv->l))) {
			char cmd[64];
			snprintf(cmd, sizeof cmd, "log %s", r->id);
			tui_command(t, cmd);
		}
		return true;
	case 'f': {
		char *text = tui_prompt(t, _("filter: "), lv->filters);
		if (text) {
			struct strv words = STRV_INIT;
			struct err e = { 0, "" };
			strv_split(&words, text, ' ');
			if (set_filters(t, lv, &words, false, &e))
				tui_message(t, C_BAD, "%s", e.msg);
			strv_clear(&words);
		}
		free(text);
		return true;
	}
	case 'o': {
		char *text = tui_prompt(t, _("order by (f,-g): "), lv->sort);
		if (text) {
			struct err e = { 0, "" };
			if (ws_sort(t->w, &lv->l.q, text, &e))
				tui_message(t, C_BAD, "%s", e.msg);
			else {
				snprintf(lv->sort, sizeof lv->sort, "%s", text);
				lv->l.gen = t->gen - 1;
			}
		}
		free(text);
		return true;
	}
	}
	return false;
}

static void list_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)x;
	rlist_click(t, &((struct listview *)v)->l, y, dbl);
}

static void list_free(struct view *v)
{
	struct listview *lv = (struct listview *)v;
	rlist_free(&lv->l);
	strv_clear(&lv->words);
}

static const struct view_ops list_ops = {
	NC_("screen", "list"),
	N_("j k ↓ ↑\tmove\nPgDn PgUp\tpage\ng G Home End\tfirst, last\nEnter\topen\n"
	   "f\tfilter (FIELD=V FIELD<V FIELD~TEXT …)\no\torder (name,-due)\n"
	   "a\tadd\ne\tedit\nd\tdelete\nu\tundelete the last deleted\n"
	   "H\thistory of the selected record: who changed which field when\n"),
	list_draw, list_key, list_click, list_free,
};

struct view *view_list(struct tui *t, const char *kind, int nfilters, char **filters,
		       struct err *e)
{
	const struct kindinfo *ki = schema_kind(&t->w->sc, kind);
	if (!ki) {
		char *names = kind_names(&t->w->sc);
		err_set(e, RERR_USAGE, "'%s' is not a record kind (%s)", kind, names);
		free(names);
		return NULL;
	}
	struct listview *lv = xcalloc(1, sizeof(*lv));
	lv->v.ops = &list_ops;
	rlist_init(&lv->l, ki);
	struct strv words = STRV_INIT;
	for (int i = 0; i < nfilters; i++) {
		if (!strcmp(filters[i], "--sort") && i + 1 < nfilters)
			snprintf(lv->sort, sizeof lv->sort, "%s", filters[++i]);
		else
			strv_push(&words, filters[i]);
	}
	int rc = set_filters(t, lv, &words, false, e);
	strv_clear(&words);
	if (rc) {
		list_free(&lv->v);
		free(lv);
		return NULL;
	}
	tui_capital(lv->v.title, sizeof lv->v.title, kind_plural_label(ki->k));
	return &lv->v;
}

/* ---- a page of text ---- */

struct textview {
	struct view v;
	struct lines l;
};

static void text_draw(struct tui *t, struct view *v, int y, int h)
{
	lines_draw(t, &((struct textview *)v)->l, y, h);
}

static bool text_key(struct tui *t, struct view *v, int k)
{
	return lines_key(t, &((struct textview *)v)->l, k);
}

static void text_free(struct view *v) { lines_clear(&((struct textview *)v)->l); }

static const struct view_ops text_ops = {
	NC_("screen", "text"), N_("j k ↓ ↑\tscroll\nPgDn PgUp Space\tpage\n"), text_draw, text_key, NULL,
	text_free,
};

struct view *view_text(struct tui *t, const char *title, const char *text)
{
	(void)t;
	struct textview *tv = xcalloc(1, sizeof(*tv));
	tv->v.ops = &text_ops;
	snprintf(tv->v.title, sizeof tv->v.title, "%s", title);
	lines_add(&tv->l, C_RESET, NULL, "%s", text);
	return &tv->v;
}

/* ---- search as you type ---- */

struct searchview {
	struct view v;
	struct lineedit le;
	struct lines results;
	char shown[512]; /* the text the results are for */
	int gen;
};

struct hitctx {
	struct tui *t;
	struct lines *l;
};

static int hit_cb(const struct record *r, void *p)
{
	struct hitctx *h = p;
	char *title = record_title(r);
	const char *owner = record_get(r, "customer");
	if (!owner)
		owner = record_get(r, "project");
	const char *kl = kind_label(r->ki->k);
	lines_add(h->l, C_RESET, r->id, "%s%*s %s%s%s", kl, text_pad(kl, 12), "", title, owner ? "  · " : "",
		  owner ? ws_title(h->t->w, owner) : "");
	free(title);
	return 0;
}

static void search_draw(struct tui *t, struct view *v, int y, int h)
{
	struct searchview *s = (struct searchview *)v;
	if (strcmp(s->shown, s->le.text.data) || s->gen != t->gen) {
		lines_clear(&s->results);
		snprintf(s->shown, sizeof s->shown, "%s", s->le.text.data);
		s->gen = t->gen;
		struct strv words = STRV_INIT;
		strv_split(&words, s->shown, ' ');
		if (words.n) {
			struct err e = { 0, "" };
			struct hitctx hc = { t, &s->results };
			if (store_search(t->w->st, &t->w->sc, s->shown, h > 3 ? h - 2 : 1, hit_cb, &hc, &e))
				tui_message(t, C_BAD, "%s", e.msg);
			if (!s->results.text.n)
				lines_add(&s->results, C_MUTED, NULL, "%s", _("nothing matches"));
		}
		strv_clear(&words);
	}
	lines_draw(t, &s->results, y + 2, h - 2);
	move(y + 1, 0);
	clrtoeol();
	/* The editor right after the label, however wide it reads: "Search: " is 8 columns. */
	const char *label = _("Search:");
	int lw = utf8_width(label) + 1;
	tui_put(y, 1, lw, label, A_BOLD);
	le_draw(&s->le, y, 1 + lw, COLS - 2 - lw, A_UNDERLINE);
	tui_cursor_here(t);
}

static bool search_key(struct tui *t, struct view *v, int k)
{
	struct searchview *s = (struct searchview *)v;
	if (k == FK(KEY_DOWN) || k == FK(KEY_UP) || k == FK(KEY_NPAGE) || k == FK(KEY_PPAGE) ||
	    k == '\r' || k == '\n' || k == FK(KEY_ENTER)) {
		return lines_key(t, &s->results, k);
	}
	if (k == KEY_ESC || k == '\t')
		return false;
	return le_key(&s->le, k) != 0;
}

static void search_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)x;
	lines_click(t, &((struct searchview *)v)->results, y, 3, dbl);
}

static void search_free(struct view *v)
{
	struct searchview *s = (struct searchview *)v;
	le_free(&s->le);
	lines_clear(&s->results);
}

static const struct view_ops search_ops = {
	NC_("screen", "search"),
	N_("typing\tsearch as you type (every word, as a prefix; any part of CJK text)\n"
	   "↓ ↑\tchoose a result\nEnter\topen it\nEsc\tback\n"),
	search_draw, search_key, search_click, search_free,
};

struct view *view_search(struct tui *t)
{
	struct searchview *s = xcalloc(1, sizeof(*s));
	s->v.ops = &search_ops;
	s->gen = t->gen;
	le_init(&s->le, "");
	s->results.selectable = true;
	snprintf(s->v.title, sizeof s->v.title, "%s", _("Search"));
	return &s->v;
}
