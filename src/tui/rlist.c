/*
 * rlist.c — the record list widget. It never loads a list whole: it counts the matches once per
 * change and fetches only a window of rows around what is on screen (LIMIT/OFFSET over the sort
 * indexes, so even row 999,000 of the interaction timeline is an index walk). Columns come from
 * the kind table's list fields, as in `rapport list`.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

void rlist_init(struct rlist *l, const struct kindinfo *ki)
{
	memset(l, 0, sizeof(*l));
	l->ki = ki;
	l->gen = -1;
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
	/* Column widths from what is visible: the id, then the fields, the last one taking the rest. */
	int w[25] = { 8 };
	for (size_t c = 0; c < l->ncols; c++) {
		char label[64];
		field_label(l->cols[c], label, sizeof label);
		w[c + 1] = utf8_width(label);
	}
	for (long r = 0; r < h - 1; r++) {
		long i = l->top + r - l->win_off;
		if (i < 0 || i >= l->win_n)
			break;
		for (size_t c = 0; c < l->ncols; c++) {
			char *d = display_value(t->c, l->cols[c], record_get(l->win[i], l->cols[c]->name));
			int dw = utf8_width(d);
			if (dw > w[c + 1])
				w[c + 1] = dw > 32 ? 32 : dw;
			free(d);
		}
	}
	int total = 1;
	for (size_t c = 0; c <= l->ncols; c++)
		total += w[c] + 2;
	/* Too wide: shrink the widest other column first; the name gives way last. */
	for (int pass = 0; pass < 2 && total > COLS; pass++)
		while (total > COLS) {
			size_t widest = 0;
			for (size_t c = 1; c <= l->ncols; c++)
				if ((pass || !(l->cols[c - 1]->flags & F_NAME)) &&
				    (!widest || w[c] > w[widest]))
					widest = c;
			if (!widest || w[widest] <= (pass ? 6 : 7))
				break;
			w[widest]--;
			total--;
		}
	move(y, 0);
	clrtoeol();
	int x = 1;
	tui_put(y, x, w[0], "ID", tui_attr(t, C_HEAD));
	x += w[0] + 2;
	for (size_t c = 0; c < l->ncols && x < COLS; c++) {
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
		tui_put(y + r, x, w[0], sid, sel ? (int)A_REVERSE : tui_attr(t, C_ID));
		x += w[0] + 2;
		for (size_t c = 0; c < l->ncols && x < COLS; c++) {
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
		tui_put(y + 1, 1, COLS - 2, "(none)", tui_attr(t, C_MUTED));
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
