/*
 * rlist.c — the record list widget. It never loads a list whole: it counts the matches once per
 * change and fetches only a window of rows around what is on screen (LIMIT/OFFSET over the sort
 * indexes, so even row 999,000 of the interaction timeline is an index walk). Columns come from
 * the kind table's list fields, as in `rapport list`; their widths are measured over the whole
 * list in SQL (widest value, or the names of the distinct references), so they do not move as
 * you page, and laid out for the terminal's width: dates and numbers are never cut, the id and
 * the people columns give way first, the name last.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

void rlist_init(struct rlist *l, const struct kindinfo *ki)
{
	memset(l, 0, sizeof(*l));
	l->ki = ki;
	l->gen = l->wgen = -1;
	query_init(&l->q, ki);
	for (size_t i = 0; i < ki->nf && l->ncols < ARRAY_LEN(l->cols); i++)
		if (ki->f[i]->flags & F_LIST)
			l->cols[l->ncols++] = ki->f[i];
}

void rlist_hide(struct rlist *l, const char *field)
{
	for (size_t i = 0; i < l->ncols; i++)
		if (!strcmp(l->cols[i]->name, field)) {
			memmove(&l->cols[i], &l->cols[i + 1], (l->ncols - i - 1) * sizeof(l->cols[0]));
			l->ncols--;
			return;
		}
}

static void drop_window(struct rlist *l)
{
	for (long i = 0; i < l->win_n; i++)
		record_free(l->win[i]);
	free(l->win);
	l->win = NULL;
	l->win_n = 0;
	l->win_off = 0;
}

void rlist_free(struct rlist *l)
{
	drop_window(l);
	query_free(&l->q);
}

struct fill {
	struct rlist *l;
	long cap;
};

static int fill_cb(const struct record *r, void *p)
{
	struct fill *f = p;
	if (f->l->win_n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->l->win = xrealloc(f->l->win, (size_t)f->cap * sizeof(*f->l->win));
	}
	f->l->win[f->l->win_n++] = record_dup(r);
	return 0;
}

/* Makes sure rows [from, from + n) are in the window. */
static void ensure(struct tui *t, struct rlist *l, long from, long n)
{
	if (l->gen != t->gen) {
		drop_window(l);
		struct err e = { 0, "" };
		if (store_count(t->w->st, &l->q, &l->total, &e))
			tui_message(t, C_BAD, "%s", e.msg);
		l->gen = t->gen;
	}
	if (from >= l->total)
		from = l->total - 1;
	if (from < 0)
		from = 0;
	if (!l->total)
		return;
	long end = l->win_off + l->win_n;
	if (l->win_n && from >= l->win_off && (from + n <= end || end >= l->total))
		return;
	drop_window(l);
	/* Fetch a screenful either side, so scrolling a line at a time rarely queries. */
	long off = from - n > 0 ? from - n : 0, lim = n * 3 + 1;
	if (off + lim > l->total)
		lim = l->total - off;
	struct fill f = { l, 0 };
	struct err e = { 0, "" };
	l->win_off = off;
	/* Past the middle, walk the order backwards from the end: the offset stays small, so the
	 * last page of a million rows costs what the first does. */
	l->q.reverse = off > l->total / 2;
	l->q.offset = l->q.reverse ? l->total - (off + lim) : off;
	l->q.limit = lim;
	if (store_query(t->w->st, &l->q, fill_cb, &f, &e))
		tui_message(t, C_BAD, "%s", e.msg);
	if (l->q.reverse)
		for (long i = 0, j = l->win_n - 1; i < j; i++, j--) {
			struct record *tmp = l->win[i];
			l->win[i] = l->win[j];
			l->win[j] = tmp;
		}
	l->q.reverse = false;
	l->q.offset = 0;
	l->q.limit = 0;
}

const struct record *rlist_selected(struct tui *t, struct rlist *l)
{
	ensure(t, l, l->sel, 1);
	long i = l->sel - l->win_off;
	return l->total > 0 && i >= 0 && i < l->win_n ? l->win[i] : NULL;
}

/* ---- column widths ---- */

struct widest {
	struct tui *t;
	const struct field *f;
	int w;
};

static int widest_cb(const char *v, void *p)
{
	struct widest *wd = p;
	char *d = display_value(wd->t->c, wd->f, v);
	int dw = utf8_width(d);
	wd->w = dw > wd->w ? dw : wd->w;
	free(d);
	return 0;
}

/* The widest a column's values show, over every row of the list. Dates and yes/no have one
 * width; a choice is as wide as its widest choice; text is measured in SQL; references and
 * numbers show differently from how they are stored (names, grouped digits), so their
 * distinct values are shown and measured (names are few; a list of a million interactions
 * refers to some thousands of customers at most). */
static int natural(struct tui *t, struct rlist *l, const struct field *f)
{
	struct err e = { 0, "" };
	struct widest wd = { t, f, 0 };
	switch (f->type) {
	case FT_DATE: return 10;
	case FT_DATETIME: return 16;
	case FT_BOOL: return 3;
	case FT_CHOICE: {
		struct strv ch = STRV_INIT;
		strv_split(&ch, f->choices, ',');
		for (size_t i = 0; i < ch.n; i++)
			widest_cb(ch.v[i], &wd);
		strv_clear(&ch);
		return wd.w;
	}
	case FT_REF:
	case FT_REFS:
	case FT_NUMBER:
	case FT_INT: store_distinct(t->w->st, &l->q, f, 20000, widest_cb, &wd, &e); return wd.w;
	default: store_max_width(t->w->st, &l->q, f, &wd.w, &e); return wd.w;
	}
}

/* Who a record belongs to (owner, manager, assignee): useful, but it gives way before text. */
static bool people(const struct field *f)
{
	return f->type == FT_REF && f->ref && !strcmp(f->ref, "member");
}

/* Never cut: a date cut to "2026-09-…" or a number cut to its first digits says nothing. */
static bool fixed(const struct field *f)
{
	return f->type == FT_DATE || f->type == FT_DATETIME || f->type == FT_BOOL ||
	       f->type == FT_NUMBER || f->type == FT_INT;
}

/* Widths for the terminal: each column as wide as its widest value (and its label); when that
 * is too wide, the id goes first, then people columns shrink, then the widest text to twelve
 * columns, then people columns go, then text shrinks further, the name last; dates and
 * numbers keep their width. A width of 0 hides a column. */
static void layout(struct tui *t, struct rlist *l, int w[25])
{
	if (l->wgen != t->gen) {
		l->natural[0] = 8;
		for (size_t c = 0; c < l->ncols; c++)
			l->natural[c + 1] = natural(t, l, l->cols[c]);
		l->wgen = t->gen;
	}
	int total = 1;
	for (size_t c = 0; c <= l->ncols; c++) {
		int lw = 2;
		if (c) {
			char label[64];
			field_label(l->cols[c - 1], label, sizeof label);
			lw = utf8_width(label);
		}
		w[c] = l->natural[c] > lw ? l->natural[c] : lw;
		total += w[c] + 2;
	}
	if (total > COLS) { /* the id first: the name finds the record as well */
		total -= w[0] + 2;
		w[0] = 0;
	}
	/* A currency's code is three letters under an eight-letter label: the label gives way. */
	for (size_t c = 1; c <= l->ncols && total > COLS; c++)
		if (l->cols[c - 1]->type == FT_CURRENCY && w[c] > 3) {
			int to = l->natural[c] > 3 ? l->natural[c] : 3;
			total -= w[c] - to;
			w[c] = to;
		}
	/* Then shrink, a column at a time, the widest of a class down to its floor: people to 6,
	 * other text to 12; then people columns go (a name cut to "Ada L…" is worth less than
	 * a customer's or a phase's twelve columns), then other text to 8 and the name to 12. */
	for (int pass = 0; pass < 4 && total > COLS; pass++) {
		int floor = pass == 0 ? 6 : pass == 1 ? 12 : pass == 2 ? 8 : 12;
		if (pass == 2)
			for (size_t c = 1; c <= l->ncols && total > COLS; c++)
				if (people(l->cols[c - 1]) && w[c]) {
					total -= w[c] + 2;
					w[c] = 0;
				}
		while (total > COLS) {
			size_t widest = 0;
			for (size_t c = 1; c <= l->ncols; c++) {
				const struct field *f = l->cols[c - 1];
				bool name = (f->flags & F_NAME) != 0;
				bool in = pass == 0 ? people(f) : pass < 3 ? !fixed(f) && !name : name;
				if (in && w[c] > floor && (!widest || w[c] > w[widest]))
					widest = c;
			}
			if (!widest)
				break;
			w[widest]--;
			total--;
		}
	}
	/* Still too wide (a narrow terminal, many columns): the rightmost columns go, so what
	 * shows is whole. */
	for (size_t c = l->ncols; c >= 1 && total > COLS; c--)
		if (w[c] && !(l->cols[c - 1]->flags & F_NAME)) {
			total -= w[c] + 2;
			w[c] = 0;
		}
}

static void clamp(struct rlist *l, int h)
{
	if (l->sel >= l->total)
		l->sel = l->total - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (h > 0 && l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (l->top < 0)
		l->top = 0;
}

void rlist_draw(struct tui *t, struct rlist *l, int y, int h)
{
	l->y = y;
	l->h = h;
	if (h < 2)
		return;
	ensure(t, l, l->top, h);
	clamp(l, h - 1);
	ensure(t, l, l->top, h - 1);
	int w[25];
	layout(t, l, w);
	move(y, 0);
	clrtoeol();
	int x = 1;
	if (w[0]) {
		tui_put(y, x, w[0], "ID", tui_attr(t, C_HEAD));
		x += w[0] + 2;
	}
	for (size_t c = 0; c < l->ncols && x < COLS; c++) {
		if (!w[c + 1])
			continue;
		char label[64];
		field_label(l->cols[c], label, sizeof label);
		tui_put(y, x, w[c + 1], label, tui_attr(t, C_HEAD));
		x += w[c + 1] + 2;
	}
	for (int r = 1; r < h; r++) {
		long row = l->top + r - 1, i = row - l->win_off;
		move(y + r, 0);
		clrtoeol();
		if (i < 0 || i >= l->win_n || row >= l->total)
			continue;
		const struct record *rec = l->win[i];
		bool sel = row == l->sel;
		if (sel) {
			attron(A_REVERSE);
			mvhline(y + r, 0, ' ', COLS);
			attroff(A_REVERSE);
		}
		char sid[9];
		snprintf(sid, sizeof sid, "%.8s", rec->id);
		x = 1;
		if (w[0]) {
			tui_put(y + r, x, w[0], sid, sel ? (int)A_REVERSE : tui_attr(t, C_ID));
			x += w[0] + 2;
		}
		for (size_t c = 0; c < l->ncols && x < COLS; c++) {
			if (!w[c + 1])
				continue;
			const char *v = record_get(rec, l->cols[c]->name);
			char *d = display_value(t->c, l->cols[c], v);
			int attr = sel ? (int)A_REVERSE : tui_attr(t, value_role(l->cols[c], v));
			enum ftype ft = l->cols[c]->type;
			int dw = utf8_width(d), pad = ft == FT_NUMBER || ft == FT_INT ? w[c + 1] - dw : 0;
			if (pad > 0)
				tui_put(y + r, x, pad, "", attr);
			tui_put(y + r, x + (pad > 0 ? pad : 0), w[c + 1] - (pad > 0 ? pad : 0), d, attr);
			free(d);
			x += w[c + 1] + 2;
		}
	}
	if (!l->total)
		tui_put(y + 1, 1, COLS - 2, _("(none)"), tui_attr(t, C_MUTED));
}

bool rlist_key(struct tui *t, struct rlist *l, int key)
{
	int page = l->h > 2 ? l->h - 2 : 1;
	if (key == 'j' || key == FK(KEY_DOWN))
		l->sel++;
	else if (key == 'k' || key == FK(KEY_UP))
		l->sel--;
	else if (key == FK(KEY_NPAGE) || key == CTRL('f')) {
		l->sel += page;
		l->top += page;
	} else if (key == FK(KEY_PPAGE) || key == CTRL('b')) {
		l->sel -= page;
		l->top -= page;
	} else if (key == 'g' || key == FK(KEY_HOME))
		l->sel = l->top = 0;
	else if (key == 'G' || key == FK(KEY_END)) {
		l->sel = l->total - 1;
		l->top = l->total - (l->h - 1);
	} else if (key == '\n' || key == '\r' || key == FK(KEY_ENTER)) {
		const struct record *r = rlist_selected(t, l);
		if (r)
			tui_open(t, r->id);
	} else
		return false;
	if (l->top > l->total - 1)
		l->top = l->total - 1;
	clamp(l, l->h - 1);
	return true;
}

void rlist_click(struct tui *t, struct rlist *l, int y, bool dbl)
{
	long row = l->top + (y - l->y) - 1;
	if (y <= l->y || row >= l->total)
		return;
	if (dbl || row == l->sel) {
		l->sel = row;
		rlist_key(t, l, '\n');
	} else
		l->sel = row;
}
