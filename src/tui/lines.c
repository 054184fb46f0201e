/*
 * lines.c — a scrollable list of text lines, each of which may link to a record. The dashboard,
 * overviews, the WBS tree, help and command output are all lines; Enter on a linked line opens
 * its record.
 */
#include "tui_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void lines_add(struct lines *l, enum role r, const char *link, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* Multi-line text becomes several lines; only the first carries the link. */
	const char *p = b.data;
	for (bool first = true;; first = false) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strv_push_owned(&l->text, xstrndup(p, n));
		strv_push(&l->links, first && link ? link : "");
		l->roles = xrealloc(l->roles, l->text.n * sizeof(*l->roles));
		l->roles[l->text.n - 1] = r;
		if (!nl || !nl[1])
			break;
		p = nl + 1;
	}
	buf_release(&b);
}

void lines_clear(struct lines *l)
{
	strv_clear(&l->text);
	strv_clear(&l->links);
	free(l->roles);
	l->roles = NULL;
	if (l->sel >= 0)
		l->sel = 0;
	l->top = 0;
}

static bool linked(const struct lines *l, long i)
{
	return i >= 0 && (size_t)i < l->links.n && l->links.v[i][0];
}

static void step(struct lines *l, int d, long count);

void lines_draw(struct tui *t, struct lines *l, int y, int h)
{
	long n = (long)l->text.n;
	if (l->selectable && !linked(l, l->sel))
		step(l, 1, 1);
	if (l->selectable) {
		if (l->sel >= n)
			l->sel = n - 1;
		if (l->sel < 0)
			l->sel = 0;
		if (l->sel < l->top)
			l->top = l->sel;
		if (l->sel >= l->top + h)
			l->top = l->sel - h + 1;
	}
	if (l->top > n - h)
		l->top = n - h > 0 ? n - h : 0;
	for (int r = 0; r < h; r++) {
		long i = l->top + r;
		move(y + r, 0);
		clrtoeol();
		if (i >= n)
			continue;
		int attr = tui_attr(t, l->roles[i]);
		if (l->selectable && i == l->sel && linked(l, i))
			attr = A_REVERSE;
		else if (linked(l, i) && l->roles[i] == C_RESET)
			attr = A_NORMAL;
		tui_put(y + r, 1, COLS - 2, l->text.v[i], attr);
	}
}

/* Moves the selection to the next linked line in direction d, if there is one. */
static void step(struct lines *l, int d, long count)
{
	long i = l->sel;
	while (count-- > 0) {
		long j = i + d;
		while (j >= 0 && j < (long)l->text.n && !linked(l, j))
			j += d;
		if (j < 0 || j >= (long)l->text.n)
			break;
		i = j;
	}
	l->sel = i;
}

bool lines_key(struct tui *t, struct lines *l, int key)
{
	int page = LINES - 5;
	if (!l->selectable) {
		if (key == 'j' || key == FK(KEY_DOWN))
			l->top++;
		else if (key == 'k' || key == FK(KEY_UP))
			l->top = l->top > 0 ? l->top - 1 : 0;
		else if (key == FK(KEY_NPAGE) || key == ' ')
			l->top += page;
		else if (key == FK(KEY_PPAGE))
			l->top = l->top > page ? l->top - page : 0;
		else if (key == FK(KEY_HOME) || key == 'g')
			l->top = 0;
		else if (key == FK(KEY_END) || key == 'G')
			l->top = (long)l->text.n;
		else
			return false;
		return true;
	}
	if (!linked(l, l->sel))
		step(l, 1, 1);
	if (key == 'j' || key == FK(KEY_DOWN))
		step(l, 1, 1);
	else if (key == 'k' || key == FK(KEY_UP))
		step(l, -1, 1);
	else if (key == FK(KEY_NPAGE))
		step(l, 1, page);
	else if (key == FK(KEY_PPAGE))
		step(l, -1, page);
	else if (key == FK(KEY_HOME) || key == 'g') {
		l->sel = 0;
		l->top = 0;
		if (!linked(l, 0))
			step(l, 1, 1);
	} else if (key == FK(KEY_END) || key == 'G') {
		l->sel = (long)l->text.n - 1;
		if (!linked(l, l->sel))
			step(l, -1, 1);
	} else if ((key == '\n' || key == '\r' || key == FK(KEY_ENTER)) && linked(l, l->sel))
		tui_open(t, l->links.v[l->sel]);
	else
		return false;
	return true;
}

void lines_click(struct tui *t, struct lines *l, int y, int row0, bool dbl)
{
	long i = l->top + (y - row0);
	if (!linked(l, i))
		return;
	if (dbl || i == l->sel)
		tui_open(t, l->links.v[i]);
	l->sel = i;
}
