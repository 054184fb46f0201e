/*
 * draw.c — putting text on the screen. Every string from a record reaches curses through
 * tui_put(), which uses term_safe(): control bytes and escape sequences become visible
 * placeholders, invalid UTF-8 becomes U+FFFD, and wide characters are measured with wcwidth so
 * CJK names align and are never cut in half. Colours are semantic roles with a monochrome
 * fallback (bold, dim, underline) when colour is off.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

int tui_attr(const struct tui *t, enum role r)
{
	if (!t->color) {
		switch (r) {
		case C_HEAD: return A_BOLD;
		case C_MUTED: return A_DIM;
		case C_BAD: return A_BOLD | A_UNDERLINE;
		case C_WARN: return A_UNDERLINE;
		default: return A_NORMAL;
		}
	}
	switch (r) {
	case C_HEAD: return A_BOLD;
	case C_ID: return COLOR_PAIR(1);
	case C_MUTED: return A_DIM;
	case C_GOOD: return COLOR_PAIR(2);
	case C_WARN: return COLOR_PAIR(1);
	case C_BAD: return COLOR_PAIR(3) | A_BOLD;
	case C_KIND: return COLOR_PAIR(4);
	default: return A_NORMAL;
	}
}

void tui_cursor_here(struct tui *t)
{
	getyx(stdscr, t->cur_y, t->cur_x);
	t->want_cursor = true;
}

void tui_put(int y, int x, int w, const char *s, int attr)
{
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	struct buf b = BUF_INIT;
	term_safe(&b, s ? s : "", w, w);
	attron(attr);
	mvaddstr(y, x, b.data);
	attroff(attr);
	buf_release(&b);
}

void tui_capital(char *out, size_t n, const char *s)
{
	snprintf(out, n, "%s", s);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

void tui_tabs(struct tui *t, int y, const char *const *labels, int n, int active, int *xs)
{
	/* When the tabs are wider than the screen, start late enough that the active one shows. */
	int first = 0;
	for (;;) {
		int x = 1;
		for (int i = first; i <= active; i++)
			x += utf8_width(labels[i]) + 3;
		if (x <= COLS - 2 || first == active)
			break;
		first++;
	}
	move(y, 0);
	clrtoeol();
	for (int i = 0; i <= n; i++)
		if (xs)
			xs[i] = -1;
	int x = 1;
	if (first > 0) {
		tui_put(y, 0, 1, "‹", tui_attr(t, C_MUTED));
	}
	for (int i = first; i < n; i++) {
		int w = utf8_width(labels[i]) + 2;
		if (x + w >= COLS - 1) {
			tui_put(y, COLS - 1, 1, "›", tui_attr(t, C_MUTED));
			if (xs)
				xs[i] = COLS;
			break;
		}
		if (xs)
			xs[i] = x;
		char label[96];
		snprintf(label, sizeof label, " %s ", labels[i]);
		tui_put(y, x, w, label, i == active ? (int)(A_REVERSE | A_BOLD) : tui_attr(t, C_MUTED));
		x += w + 1;
		if (xs)
			xs[i + 1] = x;
	}
}

/* ---- the line editor ---- */

void le_init(struct lineedit *le, const char *s)
{
	buf_init(&le->text);
	buf_adds(&le->text, s ? s : "");
	le->cur = le->text.len;
}

void le_free(struct lineedit *le) { buf_release(&le->text); }

static size_t prev_char(const struct lineedit *le, size_t i)
{
	while (i > 0 && (le->text.data[--i] & 0xc0) == 0x80)
		;
	return i;
}

static size_t next_char(const struct lineedit *le, size_t i)
{
	if (i < le->text.len)
		i++;
	while (i < le->text.len && (le->text.data[i] & 0xc0) == 0x80)
		i++;
	return i;
}

int le_key(struct lineedit *le, int key)
{
	struct buf *b = &le->text;
	if (key == FK(KEY_LEFT) || key == CTRL('b')) {
		le->cur = prev_char(le, le->cur);
	} else if (key == FK(KEY_RIGHT) || key == CTRL('f')) {
		le->cur = next_char(le, le->cur);
	} else if (key == FK(KEY_HOME) || key == CTRL('a')) {
		le->cur = 0;
	} else if (key == FK(KEY_END) || key == CTRL('e')) {
		le->cur = b->len;
	} else if (key == FK(KEY_BACKSPACE) || key == 127 || key == CTRL('h')) {
		size_t p = prev_char(le, le->cur);
		memmove(b->data + p, b->data + le->cur, b->len - le->cur + 1);
		b->len -= le->cur - p;
		le->cur = p;
	} else if (key == FK(KEY_DC) || key == CTRL('d')) {
		size_t n = next_char(le, le->cur);
		memmove(b->data + le->cur, b->data + n, b->len - n + 1);
		b->len -= n - le->cur;
	} else if (key == CTRL('u')) {
		buf_reset(b);
		le->cur = 0;
	} else if (key >= 0x20 && key < 0x110000 && key != 127) {
		char u[4];
		size_t n;
		uint32_t c = (uint32_t)key;
		if (c < 0x80) {
			u[0] = (char)c;
			n = 1;
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | (c >> 6));
			u[1] = (char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			u[0] = (char)(0xe0 | (c >> 12));
			u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			u[0] = (char)(0xf0 | (c >> 18));
			u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[3] = (char)(0x80 | (c & 0x3f));
			n = 4;
		}
		buf_grow(b, n);
		memmove(b->data + le->cur + n, b->data + le->cur, b->len - le->cur + 1);
		memcpy(b->data + le->cur, u, n);
		b->len += n;
		le->cur += n;
	} else
		return 0;
	return 1;
}

void le_draw(const struct lineedit *le, int y, int x, int w, int attr)
{
	/* Scroll so the cursor stays visible: show the tail when the text is wider than w. */
	char *before = xstrndup(le->text.data, le->cur);
	int cw = utf8_width(before);
	const char *start = le->text.data;
	while (cw > w - 1 && *start) {
		size_t k = 1;
		while ((start[k] & 0xc0) == 0x80)
			k++;
		char one[8];
		snprintf(one, sizeof one, "%.*s", (int)k, start);
		cw -= utf8_width(one);
		start += k;
	}
	tui_put(y, x, w, start, attr);
	move(y, x + cw);
	free(before);
}
