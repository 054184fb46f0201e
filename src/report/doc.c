/*
 * doc.c — the report document and its three renderers. Builders (report.c, portal.c) add
 * blocks; this file alone turns them into HTML, Markdown or 80-column text, and alone escapes
 * record data for each: HTML entities, Markdown punctuation, and terminal-safe text (control
 * bytes made visible) everywhere. Charts are inline SVG in HTML and Unicode bars and
 * sparklines in text and Markdown, drawn from the same numbers.
 */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum btype { B_SUB, B_H2, B_H3, B_P, B_NOTE, B_KV, B_ITEM, B_TABLE, B_BARS, B_LINES, B_LINK };

struct cell {
	char *s, *href;
	enum tone t;
};
struct bar {
	char *label, *shown;
	double v;
	enum tone t;
};
struct series {
	char *name;
	enum tone t;
	double *v;
	bool *has;
};

struct block {
	enum btype type;
	enum tone tone;
	char *text, *key;
	/* tables */
	struct strv heads;
	bool *right;
	struct cell *cells; /* row-major, heads.n per row */
	size_t nrows;
	/* bar charts */
	double ref;
	struct bar *bars;
	size_t nbars;
	/* line charts */
	size_t npts;
	char **xl;
	double lo, hi;
	double refs[4];
	size_t nrefs;
	struct series *ser;
	size_t nser;
};

struct doc {
	char *title;
	struct block *b;
	size_t n;
};

struct doc *doc_new(const char *title)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	d->title = xstrdup(title);
	return d;
}

void doc_free(struct doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct block *b = &d->b[i];
		free(b->text);
		free(b->key);
		for (size_t k = 0; k < b->nrows * b->heads.n; k++) {
			free(b->cells[k].s);
			free(b->cells[k].href);
		}
		free(b->cells);
		strv_clear(&b->heads);
		free(b->right);
		for (size_t k = 0; k < b->nbars; k++) {
			free(b->bars[k].label);
			free(b->bars[k].shown);
		}
		free(b->bars);
		for (size_t k = 0; k < b->npts; k++)
			free(b->xl[k]);
		free(b->xl);
		for (size_t k = 0; k < b->nser; k++) {
			free(b->ser[k].name);
			free(b->ser[k].v);
			free(b->ser[k].has);
		}
		free(b->ser);
	}
	free(d->b);
	free(d->title);
	free(d);
}

static struct block *add(struct doc *d, enum btype t)
{
	d->b = xrealloc(d->b, (d->n + 1) * sizeof(*d->b));
	struct block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->type = t;
	return b;
}

static struct block *last(struct doc *d, enum btype t)
{
	return d->n && d->b[d->n - 1].type == t ? &d->b[d->n - 1] : NULL;
}

#define VTEXT(fmt)                                  \
	va_list ap;                                 \
	struct buf tb = BUF_INIT;                   \
	va_start(ap, fmt);                          \
	buf_vaddf(&tb, gettext(fmt), ap);           \
	va_end(ap);                                 \
	char *text = buf_detach(&tb)

/* The same without translating: a cell's format is record data's ("%s"), or a message its
 * caller translated already with _(). */
#define VRAW(fmt)                                   \
	va_list ap;                                 \
	struct buf tb = BUF_INIT;                   \
	va_start(ap, fmt);                          \
	buf_vaddf(&tb, fmt, ap);                    \
	va_end(ap);                                 \
	char *text = buf_detach(&tb)

static void text_block(struct doc *d, enum btype t, enum tone tone, char *text)
{
	struct block *b = add(d, t);
	b->text = text;
	b->tone = tone;
}

void doc_subtitle(struct doc *d, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_SUB, TONE_NONE, text);
}
void doc_h2(struct doc *d, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_H2, TONE_NONE, text);
}
void doc_h3(struct doc *d, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_H3, TONE_NONE, text);
}
void doc_p(struct doc *d, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_P, TONE_NONE, text);
}
void doc_note(struct doc *d, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_NOTE, TONE_MUTED, text);
}
void doc_item(struct doc *d, enum tone t, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_ITEM, t, text);
}
void doc_kv(struct doc *d, const char *key, enum tone t, const char *fmt, ...)
{
	VTEXT(fmt);
	text_block(d, B_KV, t, text);
	d->b[d->n - 1].key = xstrdup(gettext(key));
}

void doc_link(struct doc *d, const char *href, const char *text)
{
	text_block(d, B_LINK, TONE_NONE, xstrdup(text));
	d->b[d->n - 1].key = xstrdup(href);
}

void doc_table(struct doc *d, const char *heads, const char *empty)
{
	struct block *b = add(d, B_TABLE);
	strv_split(&b->heads, heads, '|');
	b->right = xcalloc(b->heads.n ? b->heads.n : 1, sizeof(bool));
	for (size_t i = 0; i < b->heads.n; i++) {
		size_t len = strlen(b->heads.v[i]);
		if (len && b->heads.v[i][len - 1] == '>') {
			b->heads.v[i][len - 1] = '\0';
			b->right[i] = true;
		}
	}
	b->text = xstrdup(empty ? empty : _("None."));
}

void doc_row(struct doc *d)
{
	struct block *b = last(d, B_TABLE);
	if (!b)
		return;
	size_t nc = b->heads.n;
	b->cells = xrealloc(b->cells, (b->nrows + 1) * nc * sizeof(*b->cells));
	memset(&b->cells[b->nrows * nc], 0, nc * sizeof(*b->cells));
	b->nrows++;
}

static void put_cell(struct doc *d, enum tone t, const char *href, char *text)
{
	struct block *b = last(d, B_TABLE);
	if (!b || !b->nrows) {
		free(text);
		return;
	}
	struct cell *row = &b->cells[(b->nrows - 1) * b->heads.n];
	for (size_t i = 0; i < b->heads.n; i++)
		if (!row[i].s) {
			row[i].s = text;
			row[i].t = t;
			row[i].href = href ? xstrdup(href) : NULL;
			return;
		}
	free(text); /* more cells than heads: a builder's bug, never shown half */
}

void doc_cell(struct doc *d, enum tone t, const char *fmt, ...)
{
	VRAW(fmt);
	put_cell(d, t, NULL, text);
}

void doc_cell_link(struct doc *d, const char *href, const char *fmt, ...)
{
	VRAW(fmt);
	put_cell(d, TONE_NONE, href, text);
}

void doc_bars(struct doc *d, const char *title, const char *unit, double ref)
{
	struct block *b = add(d, B_BARS);
	b->text = xstrdup(title);
	b->key = xstrdup(unit ? unit : "");
	b->ref = ref;
}

void doc_bar(struct doc *d, const char *label, double value, const char *shown, enum tone t)
{
	struct block *b = last(d, B_BARS);
	if (!b)
		return;
	b->bars = xrealloc(b->bars, (b->nbars + 1) * sizeof(*b->bars));
	struct bar *r = &b->bars[b->nbars++];
	r->label = xstrdup(label);
	r->shown = xstrdup(shown);
	r->v = isfinite(value) && value > 0 ? value : 0;
	r->t = t;
}

void doc_lines(struct doc *d, const char *title, size_t n, const char *const *xlabels, double lo,
	       double hi, const char *refs)
{
	struct block *b = add(d, B_LINES);
	b->text = xstrdup(title);
	b->npts = n;
	b->xl = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		b->xl[i] = xstrdup(xlabels[i]);
	b->lo = lo;
	b->hi = hi > lo ? hi : lo + 1;
	for (const char *p = refs; p && *p && b->nrefs < 4;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			break;
		b->refs[b->nrefs++] = v;
		p = *end == ',' ? end + 1 : end;
	}
}

void doc_series(struct doc *d, const char *name, enum tone t, const double *v, const bool *has)
{
	struct block *b = last(d, B_LINES);
	if (!b)
		return;
	b->ser = xrealloc(b->ser, (b->nser + 1) * sizeof(*b->ser));
	struct series *s = &b->ser[b->nser++];
	s->name = xstrdup(name);
	s->t = t;
	s->v = xcalloc(b->npts ? b->npts : 1, sizeof(double));
	s->has = xcalloc(b->npts ? b->npts : 1, sizeof(bool));
	for (size_t i = 0; i < b->npts; i++) {
		s->has[i] = has[i] && isfinite(v[i]);
		s->v[i] = s->has[i] ? v[i] : 0;
	}
}

bool doc_format_parse(const char *s, enum doc_format *f)
{
	if (!strcmp(s, "html"))
		*f = DOC_HTML;
	else if (!strcmp(s, "md") || !strcmp(s, "markdown"))
		*f = DOC_MD;
	else if (!strcmp(s, "txt") || !strcmp(s, "text"))
		*f = DOC_TXT;
	else
		return false;
	return true;
}

/* ---- plain text (and the charts Markdown shows as preformatted text) ---- */

#define WIDTH 80

/* s made terminal-safe and cut to w columns, padded to w (right-aligned when right). */
static void fit(struct buf *b, const char *s, int w, bool right)
{
	struct buf t = BUF_INIT;
	term_safe(&t, s ? s : "", w, 0);
	int have = utf8_width(t.data);
	if (right && have < w)
		buf_addrep(b, ' ', (size_t)(w - have));
	buf_add(b, t.data, t.len);
	if (!right && have < w)
		buf_addrep(b, ' ', (size_t)(w - have));
	buf_release(&t);
}

static int safe_width(const char *s)
{
	struct buf t = BUF_INIT;
	term_safe(&t, s ? s : "", 0, 0);
	int w = utf8_width(t.data);
	buf_release(&t);
	return w;
}

/* Chinese has no spaces between words: a line may break beside any wide character, except
 * before closing punctuation and after opening punctuation. Text without wide characters
 * breaks at spaces only. */
static size_t char_at(const char *p, uint32_t *cp)
{
	*cp = 0xFFFD;
	size_t n = utf8_decode((const unsigned char *)p, strnlen(p, 4), cp);
	return n ? n : 1;
}

static bool wide_cp(uint32_t cp)
{
	char t[5] = { 0 };
	if (cp < 0x800) /* nothing this narrow is wide */
		return false;
	if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
	}
	return utf8_width(t) == 2;
}

static bool no_break_before(uint32_t cp)
{
	static const uint32_t v[] = { 0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F, 0xFF09,
				      0x300D, 0x300F, 0x300B, 0x3009, 0x201D, 0x2019, 0x2026, 0x30FC };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (v[i] == cp)
			return true;
	return cp < 0x80 && strchr(",.;:!?)]}%", (int)cp) && cp;
}

static bool no_break_after(uint32_t cp)
{
	static const uint32_t v[] = { 0xFF08, 0x300C, 0x300E, 0x300A, 0x3008, 0x201C, 0x2018 };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (v[i] == cp)
			return true;
	return cp < 0x80 && strchr("([{", (int)cp) && cp;
}

/* The length of the first unbreakable piece of a space-free word. */
static size_t piece(const char *p)
{
	uint32_t a, b;
	size_t n = char_at(p, &a);
	bool wa = wide_cp(a);
	while (p[n]) {
		size_t m = char_at(p + n, &b);
		bool wb = wide_cp(b);
		if ((wa || wb) && !no_break_after(a) && !no_break_before(b))
			break;
		n += m;
		a = b;
		wa = wb;
	}
	return n;
}

/* Word-wraps s (made safe) to `width` columns, each line starting with `first` then `rest`. */
static void wrap(struct buf *b, const char *s, const char *first, const char *rest, int width)
{
	struct buf t = BUF_INIT;
	term_safe(&t, s ? s : "", 0, 0);
	const char *lead = first;
	int col = 0;
	bool line_open = false;
	char *p = t.data;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *q = p;
		while (*q && *q != ' ')
			q++;
		char save = *q;
		*q = '\0';
		/* The word, piece by piece: one piece unless it holds wide characters. */
		for (bool spaced = true; *p; spaced = false) {
			size_t len = piece(p);
			char keep = p[len];
			p[len] = '\0';
			int ww = utf8_width(p);
			if (line_open && col + (spaced ? 1 : 0) + ww > width) {
				buf_addc(b, '\n');
				line_open = false;
			}
			if (!line_open) {
				buf_adds(b, lead);
				col = utf8_width(lead);
				lead = rest;
				line_open = true;
			} else if (spaced) {
				buf_addc(b, ' ');
				col++;
			}
			buf_adds(b, p);
			col += ww;
			p[len] = keep;
			p += len;
		}
		*q = save;
		p = q;
	}
	if (!line_open)
		buf_adds(b, first);
	buf_addc(b, '\n');
	buf_release(&t);
}

static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
static const char *const sparks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static double bars_max(const struct block *b)
{
	double max = b->ref > 0 ? b->ref * 1.25 : 0;
	for (size_t i = 0; i < b->nbars; i++)
		if (b->bars[i].v > max)
			max = b->bars[i].v;
	return max > 0 ? max : 1;
}

static void txt_bars(struct buf *o, const struct block *b, const char *indent)
{
	int lw = 0, sw = 0;
	for (size_t i = 0; i < b->nbars; i++) {
		int w = safe_width(b->bars[i].label), s = safe_width(b->bars[i].shown);
		lw = w > lw ? w : lw;
		sw = s > sw ? s : sw;
	}
	lw = lw > 24 ? 24 : lw;
	sw = sw > 14 ? 14 : sw;
	int area = WIDTH - (int)strlen(indent) - lw - sw - 4;
	double max = bars_max(b);
	struct buf title = BUF_INIT;
	buf_adds(&title, b->text);
	if (b->ref > 0)
		buf_addf(&title, _(" (│ marks %.2f)"), b->ref);
	wrap(o, title.data, indent, indent, WIDTH);
	buf_release(&title);
	for (size_t i = 0; i < b->nbars; i++) {
		buf_adds(o, indent);
		fit(o, b->bars[i].label, lw, false);
		buf_adds(o, "  ");
		int eighth = (int)(b->bars[i].v / max * area * 8 + 0.5);
		int refcol = b->ref > 0 ? (int)(b->ref / max * area + 0.5) : -1;
		int full = eighth / 8, col = 0;
		for (; col < full; col++)
			buf_adds(o, col == refcol ? "│" : "█");
		if (eighth % 8) {
			buf_adds(o, eighths[eighth % 8]);
			col++;
		}
		for (; col <= refcol && col < area; col++)
			buf_adds(o, col == refcol ? "│" : " ");
		for (; col < area; col++)
			buf_addc(o, ' ');
		buf_adds(o, "  ");
		fit(o, b->bars[i].shown, sw, true);
		buf_addc(o, '\n');
	}
	if (!b->nbars) {
		buf_adds(o, indent);
		buf_adds(o, _("No data."));
		buf_addc(o, '\n');
	}
}

static void txt_lines(struct buf *o, const struct block *b, const char *indent)
{
	int nw = 0;
	for (size_t i = 0; i < b->nser; i++) {
		int w = safe_width(b->ser[i].name);
		nw = w > nw ? w : nw;
	}
	nw = nw > 20 ? 20 : nw;
	struct buf title = BUF_INIT;
	buf_adds(&title, b->text);
	if (b->npts)
		buf_addf(&title, _(" (%s to %s, %g to %g)"), b->xl[0], b->xl[b->npts - 1], b->lo, b->hi);
	wrap(o, title.data, indent, indent, WIDTH);
	buf_release(&title);
	/* Long series are sampled down to what fits. */
	size_t room = (size_t)(WIDTH - (int)strlen(indent) - nw - 12);
	size_t step = b->npts > room ? (b->npts + room - 1) / room : 1;
	for (size_t s = 0; s < b->nser; s++) {
		const struct series *sr = &b->ser[s];
		buf_adds(o, indent);
		fit(o, sr->name, nw, false);
		buf_adds(o, "  ");
		double lastv = NAN;
		for (size_t i = 0; i < b->npts; i += step) {
			size_t k = i + step - 1 < b->npts ? i + step - 1 : b->npts - 1;
			while (k > i && !sr->has[k])
				k--;
			if (!sr->has[k]) {
				buf_adds(o, "·");
				continue;
			}
			double f = (sr->v[k] - b->lo) / (b->hi - b->lo);
			int lvl = (int)(f * 7.99);
			buf_adds(o, sparks[lvl < 0 ? 0 : lvl > 7 ? 7 : lvl]);
			lastv = sr->v[k];
		}
		if (!isnan(lastv))
			buf_addf(o, "  %.*f", fabs(lastv) < 10 && lastv != floor(lastv) ? 2 : 0, lastv);
		buf_addc(o, '\n');
	}
}

static void txt_table(struct buf *o, const struct block *b, const char *indent)
{
	size_t nc = b->heads.n;
	if (!b->nrows) {
		wrap(o, b->text, indent, indent, WIDTH);
		return;
	}
	int *w = xcalloc(nc, sizeof(int));
	for (size_t c = 0; c < nc; c++) {
		w[c] = safe_width(b->heads.v[c]);
		for (size_t r = 0; r < b->nrows; r++) {
			int cw = safe_width(b->cells[r * nc + c].s);
			w[c] = cw > w[c] ? cw : w[c];
		}
	}
	/* Shrink the widest column until the table fits; never below 6 columns. */
	int avail = WIDTH - (int)strlen(indent) - 2 * (int)(nc - 1);
	for (;;) {
		int total = 0;
		size_t widest = 0;
		for (size_t c = 0; c < nc; c++) {
			total += w[c];
			if (w[c] > w[widest])
				widest = c;
		}
		if (total <= avail || w[widest] <= 6)
			break;
		w[widest]--; /* one column at a time: the widest give way first, evenly */
	}
	for (int row = -1; row < (int)b->nrows; row++) {
		buf_adds(o, indent);
		for (size_t c = 0; c < nc; c++) {
			const char *s = row < 0 ? b->heads.v[c] : b->cells[(size_t)row * nc + c].s;
			if (c)
				buf_adds(o, "  ");
			fit(o, s, w[c], b->right[c]);
		}
		/* No trailing blanks. */
		while (o->len && o->data[o->len - 1] == ' ')
			o->data[--o->len] = '\0';
		buf_addc(o, '\n');
		if (row < 0) {
			buf_adds(o, indent);
			for (size_t c = 0; c < nc; c++) {
				if (c)
					buf_adds(o, "  ");
				buf_addrep(o, '-', (size_t)w[c]);
			}
			buf_addc(o, '\n');
		}
	}
	free(w);
}

static void kv_width(const struct doc *d, size_t i, int *kw)
{
	*kw = 0;
	for (size_t k = i; k < d->n && d->b[k].type == B_KV; k++) {
		int w = safe_width(d->b[k].key);
		*kw = w > *kw ? w : *kw;
	}
}

static void render_txt(const struct doc *d, struct buf *o)
{
	wrap(o, d->title, "", "", WIDTH);
	buf_addrep(o, '=', (size_t)(safe_width(d->title) < WIDTH ? safe_width(d->title) : WIDTH));
	buf_addc(o, '\n');
	int kw = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		enum btype prev = i ? d->b[i - 1].type : B_SUB;
		switch (b->type) {
		case B_SUB: wrap(o, b->text, "", "", WIDTH); break;
		case B_H2:
			buf_addc(o, '\n');
			wrap(o, b->text, "", "", WIDTH);
			buf_addrep(o, '-', (size_t)(safe_width(b->text) < WIDTH ? safe_width(b->text) : WIDTH));
			buf_addc(o, '\n');
			break;
		case B_H3:
			buf_addc(o, '\n');
			wrap(o, b->text, "", "", WIDTH);
			break;
		case B_P:
		case B_NOTE:
		case B_LINK:
			if (prev != B_H2 && prev != B_H3)
				buf_addc(o, '\n');
			wrap(o, b->text, "", "", WIDTH);
			break;
		case B_KV: {
			if (prev != B_KV) {
				kv_width(d, i, &kw);
				if (prev != B_H2 && prev != B_H3)
					buf_addc(o, '\n');
			}
			struct buf lead = BUF_INIT;
			buf_adds(&lead, "  ");
			fit(&lead, b->key, kw, false);
			buf_adds(&lead, "  ");
			struct buf rest = BUF_INIT;
			buf_addrep(&rest, ' ', (size_t)kw + 4);
			wrap(o, b->text, lead.data, rest.data, WIDTH);
			buf_release(&lead);
			buf_release(&rest);
			break;
		}
		case B_ITEM:
			if (prev != B_ITEM && prev != B_H2 && prev != B_H3)
				buf_addc(o, '\n');
			wrap(o, b->text, "  • ", "    ", WIDTH);
			break;
		case B_TABLE:
			if (prev != B_H2 && prev != B_H3)
				buf_addc(o, '\n');
			txt_table(o, b, "");
			break;
		case B_BARS:
			buf_addc(o, '\n');
			txt_bars(o, b, "");
			break;
		case B_LINES:
			buf_addc(o, '\n');
			txt_lines(o, b, "");
			break;
		}
	}
}

/* ---- Markdown ---- */

/* Text safe for Markdown: terminal-safe first, then the characters that make markup escaped
 * (emphasis, code, links, HTML, table cells, entities), and what would start a heading, list or
 * quote at the start of a line; line breaks are folded. A record's text can never become a
 * link, a tag or a cell boundary, and the raw file stays readable (dates keep their dashes).
 * CommonMark only honours a backslash before ASCII punctuation — before anything else it is a
 * visible backslash — so an ordered-list marker ("12. ", "3) ") is defused by escaping its
 * '.' or ')', never its digits, and a number such as "151.0 h" is left alone. */
static void md_text(struct buf *o, const char *s)
{
	struct buf t = BUF_INIT;
	term_safe(&t, s ? s : "", 0, 0);
	const char *p = t.data;
	size_t digits = strspn(p, "0123456789");
	const char *marker = NULL; /* the '.' or ')' of a leading "12. " */
	if (*p && strchr("#-+=>", *p))
		buf_addc(o, '\\');
	else if (digits && (p[digits] == '.' || p[digits] == ')') &&
		 (!p[digits + 1] || strchr(" \t\n\r", p[digits + 1])))
		marker = p + digits;
	for (; *p; p++) {
		if (p == marker || strchr("\\`*_[]<>|~&", *p))
			buf_addc(o, '\\');
		buf_addc(o, *p == '\n' || *p == '\r' ? ' ' : *p);
	}
	buf_release(&t);
}

/* Charts in Markdown: the text rendering as an indented code block, which no content can
 * close (a fence could be closed by a label). */
static void md_pre(struct buf *o, const struct block *b)
{
	struct buf t = BUF_INIT;
	if (b->type == B_BARS)
		txt_bars(&t, b, "");
	else
		txt_lines(&t, b, "");
	buf_addc(o, '\n');
	for (char *line = t.data; *line;) {
		char *nl = strchr(line, '\n');
		buf_adds(o, "    ");
		buf_add(o, line, nl ? (size_t)(nl - line) : strlen(line));
		buf_addc(o, '\n');
		line = nl ? nl + 1 : line + strlen(line);
	}
	buf_release(&t);
}

static void render_md(const struct doc *d, struct buf *o)
{
	buf_adds(o, "# ");
	md_text(o, d->title);
	buf_addc(o, '\n');
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		enum btype prev = i ? d->b[i - 1].type : B_H2;
		switch (b->type) {
		case B_SUB:
			buf_addc(o, '\n');
			buf_addc(o, '*');
			md_text(o, b->text);
			buf_adds(o, "*\n");
			break;
		case B_H2:
		case B_H3:
			buf_adds(o, b->type == B_H2 ? "\n## " : "\n### ");
			md_text(o, b->text);
			buf_addc(o, '\n');
			break;
		case B_P:
		case B_NOTE:
			buf_addc(o, '\n');
			if (b->type == B_NOTE)
				buf_addc(o, '*');
			md_text(o, b->text);
			if (b->type == B_NOTE)
				buf_addc(o, '*');
			buf_addc(o, '\n');
			break;
		case B_KV:
		case B_ITEM:
			if (prev != b->type)
				buf_addc(o, '\n');
			buf_adds(o, "- ");
			if (b->type == B_KV) {
				buf_adds(o, "**");
				md_text(o, b->key);
				buf_adds(o, ":** ");
			}
			md_text(o, b->text);
			buf_addc(o, '\n');
			break;
		case B_TABLE: {
			buf_addc(o, '\n');
			if (!b->nrows) {
				buf_addc(o, '*');
				md_text(o, b->text);
				buf_adds(o, "*\n");
				break;
			}
			size_t nc = b->heads.n;
			for (int row = -1; row < (int)b->nrows; row++) {
				buf_addc(o, '|');
				for (size_t c = 0; c < nc; c++) {
					const struct cell *cl = row < 0 ? NULL : &b->cells[(size_t)row * nc + c];
					buf_adds(o, cl && cl->href ? " [" : " ");
					md_text(o, cl ? cl->s : b->heads.v[c]);
					if (cl && cl->href) {
						buf_adds(o, "](");
						md_text(o, cl->href);
						buf_addc(o, ')');
					}
					buf_adds(o, " |");
				}
				buf_addc(o, '\n');
				if (row < 0) {
					buf_addc(o, '|');
					for (size_t c = 0; c < nc; c++)
						buf_adds(o, b->right[c] ? " ---: |" : " --- |");
					buf_addc(o, '\n');
				}
			}
			break;
		}
		case B_BARS:
		case B_LINES: md_pre(o, b); break;
		case B_LINK:
			buf_adds(o, "\n[");
			md_text(o, b->text);
			buf_adds(o, "](");
			md_text(o, b->key);
			buf_adds(o, ")\n");
			break;
		}
	}
}

/* ---- HTML ---- */

void html_escape(struct buf *b, const char *s)
{
	struct buf t = BUF_INIT;
	/* Control bytes and invalid UTF-8 become visible escapes, as on a terminal. */
	term_text(&t, s ? s : "");
	for (const char *p = t.data; *p; p++) {
		switch (*p) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *p);
		}
	}
	buf_release(&t);
}

static const char *tone_class(enum tone t)
{
	static const char *const names[] = { "", "good", "warn", "bad", "muted" };
	return names[t];
}

static const char *tone_color(enum tone t)
{
	static const char *const colors[] = { "#0969da", "#1a7f37", "#9a6700", "#cf222e", "#6e7781" };
	return colors[t];
}

static const char css[] =
	":root{color-scheme:light}"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
	"'Noto Sans CJK SC',sans-serif;color:#1f2328;background:#fff;margin:0}"
	"main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}"
	"h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;"
	"padding-bottom:.25rem;border-bottom:1px solid #d0d7de}h3{font-size:1.05rem;margin:1.25rem 0 .4rem}"
	"p{margin:.4rem 0}.sub{color:#57606a;margin:.1rem 0}.note{color:#6e7781;font-style:italic}"
	".wrap{overflow-x:auto;margin:.5rem 0}table{border-collapse:collapse;width:100%;font-size:.92rem}"
	"th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d8dee4;vertical-align:top;"
	"overflow-wrap:break-word}th{background:#f6f8fa;font-weight:600;white-space:nowrap}"
	/* In a narrow window a wide table scrolls sideways rather than breaking words apart. */
	".wrap table{min-width:34rem}.r{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}"
	"dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}ul{margin:.4rem 0;padding-left:1.3rem}"
	".good{color:#1a7f37}.warn{color:#9a6700}.bad{color:#cf222e}.muted{color:#6e7781}"
	"td.good,td.warn,td.bad{font-weight:600}"
	"figure{margin:1rem 0}figcaption{font-weight:600;font-size:.92rem;margin-bottom:.25rem}"
	"svg{width:100%;height:auto;max-width:40rem;display:block}svg text{font:11px system-ui,sans-serif;"
	"fill:#1f2328}svg .axis{stroke:#8c959f;stroke-width:1}svg .grid{stroke:#d8dee4;stroke-width:1}"
	"svg .ref{stroke:#6e7781;stroke-width:1.5;stroke-dasharray:4 3}"
	"footer{margin-top:2.5rem;color:#6e7781;font-size:.85rem}"
	"@media (max-width:40rem){body{font-size:14px}main{padding:1rem .6rem}"
	"dl{grid-template-columns:1fr}dt{font-weight:600}}"
	"@page{size:A4;margin:16mm 14mm}"
	"@media print{body{font-size:10pt}main{max-width:none;padding:0}.wrap{overflow:visible}"
	".wrap table{min-width:0}"
	"h2,h3{break-after:avoid}table,figure,dl,tr{break-inside:avoid}th{background:#eee}"
	"a{color:inherit;text-decoration:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* A label cut to n characters for a chart (whole characters, "…" when cut). */
static void svg_label(struct buf *o, const char *s, int n)
{
	struct buf t = BUF_INIT;
	term_safe(&t, s ? s : "", n, 0);
	html_escape(o, t.data);
	buf_release(&t);
}

static void html_bars(struct buf *o, const struct block *b)
{
	const int W = 640, lw = 170, vw = 96, rowh = 24;
	int barx = lw + 8, area = W - barx - vw - 6;
	int H = (int)(b->nbars ? b->nbars : 1) * rowh + 6;
	double max = bars_max(b);
	buf_adds(o, "<figure><figcaption>");
	html_escape(o, b->text);
	buf_addf(o, "</figcaption><svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
	html_escape(o, b->text);
	buf_adds(o, "\" xmlns=\"http://www.w3.org/2000/svg\">");
	for (size_t i = 0; i < b->nbars; i++) {
		const struct bar *r = &b->bars[i];
		int y = (int)i * rowh + 4;
		double w = r->v / max * area;
		buf_addf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw, y + 13);
		svg_label(o, r->label, 26);
		buf_addf(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"2\" "
			    "fill=\"%s\"/>",
			 barx, y + 1, w, tone_color(r->t));
		buf_addf(o, "<text x=\"%.1f\" y=\"%d\">", barx + w + 6, y + 13);
		svg_label(o, r->shown, 16);
		buf_adds(o, "</text>");
	}
	if (!b->nbars) {
		buf_addf(o, "<text x=\"%d\" y=\"17\">", barx);
		html_escape(o, _("No data."));
		buf_adds(o, "</text>");
	}
	if (b->ref > 0) {
		double x = barx + b->ref / max * area;
		buf_addf(o, "<line class=\"ref\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\"/>", x, x, H);
	}
	buf_adds(o, "</svg></figure>\n");
}

static void html_lines(struct buf *o, const struct block *b)
{
	const int W = 640, H = 230, L = 44, R = 150, T = 10, B = 34;
	int pw = W - L - R, ph = H - T - B;
	size_t n = b->npts;
#define PX(i) (L + (n > 1 ? (double)(i) * pw / (double)(n - 1) : pw / 2.0))
#define PY(v) (T + ph - ((v) - b->lo) / (b->hi - b->lo) * ph)
	buf_adds(o, "<figure><figcaption>");
	html_escape(o, b->text);
	buf_addf(o, "</figcaption><svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
	html_escape(o, b->text);
	buf_adds(o, "\" xmlns=\"http://www.w3.org/2000/svg\">");
	for (int k = 0; k <= 4; k++) {
		double v = b->lo + (b->hi - b->lo) * k / 4.0;
		double y = PY(v);
		buf_addf(o, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", L, y,
			 L + pw, y);
		buf_addf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>", L - 6, y + 4,
			 round(v * 100) / 100);
	}
	for (size_t k = 0; k < b->nrefs; k++) {
		double y = PY(b->refs[k]);
		buf_addf(o, "<line class=\"ref\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", L, y,
			 L + pw, y);
	}
	buf_addf(o, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", L, T + ph,
		 L + pw, T + ph);
	size_t marks[3] = { 0, n / 2, n ? n - 1 : 0 };
	for (int k = 0; k < 3 && n; k++) {
		if (k && marks[k] == marks[k - 1])
			continue;
		buf_addf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", PX(marks[k]), H - 12,
			 k == 0 ? "start" : k == 1 ? "middle" : "end");
		svg_label(o, b->xl[marks[k]], 12);
		buf_adds(o, "</text>");
	}
	for (size_t s = 0; s < b->nser; s++) {
		const struct series *sr = &b->ser[s];
		const char *color = tone_color(sr->t);
		/* Recorded points are sparse (a score exists for the days someone looked): one line
		 * through all of them, and a dot on each so a lone one still shows. */
		size_t have = 0;
		for (size_t i = 0; i < n; i++)
			have += sr->has[i];
		if (have > 1) {
			buf_addf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
			for (size_t k = 0, first = 1; k < n; k++)
				if (sr->has[k]) {
					buf_addf(o, "%s%.1f,%.1f", first ? "" : " ", PX(k), PY(sr->v[k]));
					first = 0;
				}
			buf_adds(o, "\"/>");
		}
		for (size_t i = 0; i < n; i++)
			if (sr->has[i])
				buf_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", PX(i),
					 PY(sr->v[i]), color);
		int ly = T + 12 + (int)s * 18;
		buf_addf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>",
			 L + pw + 12, ly - 4, L + pw + 28, ly - 4, color);
		buf_addf(o, "<text x=\"%d\" y=\"%d\">", L + pw + 34, ly);
		svg_label(o, sr->name, 18);
		buf_adds(o, "</text>");
	}
#undef PX
#undef PY
	buf_adds(o, "</svg></figure>\n");
}

static void html_body(const struct doc *d, struct buf *o)
{
	buf_adds(o, "<main>\n<h1>");
	html_escape(o, d->title);
	buf_adds(o, "</h1>\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		enum btype prev = i ? d->b[i - 1].type : B_SUB;
		enum btype next = i + 1 < d->n ? d->b[i + 1].type : B_SUB;
		switch (b->type) {
		case B_SUB:
		case B_P:
		case B_NOTE:
			buf_addf(o, "<p%s>", b->type == B_SUB ? " class=\"sub\""
					     : b->type == B_NOTE ? " class=\"note\"" : "");
			html_escape(o, b->text);
			buf_adds(o, "</p>\n");
			break;
		case B_H2:
		case B_H3:
			buf_adds(o, b->type == B_H2 ? "<h2>" : "<h3>");
			html_escape(o, b->text);
			buf_adds(o, b->type == B_H2 ? "</h2>\n" : "</h3>\n");
			break;
		case B_KV:
			if (prev != B_KV)
				buf_adds(o, "<dl>");
			buf_adds(o, "<dt>");
			html_escape(o, b->key);
			buf_addf(o, "</dt><dd%s%s%s>", b->tone ? " class=\"" : "", tone_class(b->tone),
				 b->tone ? "\"" : "");
			html_escape(o, b->text);
			buf_adds(o, "</dd>");
			if (next != B_KV)
				buf_adds(o, "</dl>\n");
			break;
		case B_ITEM:
			if (prev != B_ITEM)
				buf_adds(o, "<ul>");
			buf_addf(o, "<li%s%s%s>", b->tone ? " class=\"" : "", tone_class(b->tone),
				 b->tone ? "\"" : "");
			html_escape(o, b->text);
			buf_adds(o, "</li>");
			if (next != B_ITEM)
				buf_adds(o, "</ul>\n");
			break;
		case B_TABLE: {
			if (!b->nrows) {
				buf_adds(o, "<p class=\"note\">");
				html_escape(o, b->text);
				buf_adds(o, "</p>\n");
				break;
			}
			size_t nc = b->heads.n;
			buf_adds(o, "<div class=\"wrap\"><table><thead><tr>");
			for (size_t c = 0; c < nc; c++) {
				buf_adds(o, b->right[c] ? "<th class=\"r\">" : "<th>");
				html_escape(o, b->heads.v[c]);
				buf_adds(o, "</th>");
			}
			buf_adds(o, "</tr></thead><tbody>\n");
			for (size_t r = 0; r < b->nrows; r++) {
				buf_adds(o, "<tr>");
				for (size_t c = 0; c < nc; c++) {
					const struct cell *cl = &b->cells[r * nc + c];
					const char *cls = tone_class(cl->t);
					if (b->right[c] || *cls)
						buf_addf(o, "<td class=\"%s%s%s\">", b->right[c] ? "r" : "",
							 b->right[c] && *cls ? " " : "", cls);
					else
						buf_adds(o, "<td>");
					if (cl->href) {
						buf_adds(o, "<a href=\"");
						html_escape(o, cl->href);
						buf_adds(o, "\">");
					}
					html_escape(o, cl->s);
					buf_adds(o, cl->href ? "</a></td>" : "</td>");
				}
				buf_adds(o, "</tr>\n");
			}
			buf_adds(o, "</tbody></table></div>\n");
			break;
		}
		case B_BARS: html_bars(o, b); break;
		case B_LINES: html_lines(o, b); break;
		case B_LINK:
			buf_adds(o, "<p><a href=\"");
			html_escape(o, b->key);
			buf_adds(o, "\">");
			html_escape(o, b->text);
			buf_adds(o, "</a></p>\n");
			break;
		}
	}
	buf_adds(o, "</main>\n</body>\n</html>\n");
}

static void html_head(const struct doc *d, struct buf *o)
{
	/* The policy proves what the file promises: no scripts, no fetches, nothing but its own
	 * inline styles. */
	buf_addf(o, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; img-src data:\">\n"
		    "<meta name=\"generator\" content=\"rapport\">\n<title>",
		 !strcmp(i18n_current(), "zh") ? "zh-CN" : "en");
	html_escape(o, d->title);
	buf_adds(o, "</title>\n");
}

void doc_render(const struct doc *d, enum doc_format f, struct buf *out)
{
	switch (f) {
	case DOC_TXT: render_txt(d, out); break;
	case DOC_MD: render_md(d, out); break;
	case DOC_HTML:
		html_head(d, out);
		buf_adds(out, "<style>");
		buf_adds(out, css);
		buf_adds(out, "</style>\n</head>\n<body>\n");
		html_body(d, out);
		break;
	}
}
