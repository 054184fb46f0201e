/*
 * report.h — offline reports and the customer portal (rapport(1) REPORTS).
 *
 * A report is built once as a document — headings, paragraphs, key/value lists, tables and
 * charts — and rendered to HTML (one self-contained file: inline CSS and SVG, no scripts, no
 * fetches, A4 print styles), Markdown or plain text (80 columns). Builders never write markup,
 * so the three formats cannot drift apart and every byte of record data is escaped by the one
 * renderer that knows the format.
 *
 * The portal writes a small static site for one customer. What appears is decided by the kind
 * table's flags alone (report_visible): a customer-visible field of a kind that is neither
 * internal nor finance; custom fields follow their `audience`.
 *
 * Ownership: a doc owns copies of everything added to it. Errors follow rapport.h: 0 or a
 * negative RERR_* with a message naming what and where; nothing is written on error.
 */
#ifndef RAPPORT_REPORT_H
#define RAPPORT_REPORT_H

#include "workspace.h"

/* ---- the document ---- */

enum tone { TONE_NONE, TONE_GOOD, TONE_WARN, TONE_BAD, TONE_MUTED };

struct doc;
struct doc *doc_new(const char *title);
void doc_free(struct doc *d);
/* A line under the title ("as of 2026-11-22 · Contoso"). */
void doc_subtitle(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_h2(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_h3(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_p(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A muted remark ("No open alerts."). */
void doc_note(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Consecutive key/value pairs form one list. */
void doc_kv(struct doc *d, const char *key, enum tone t, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A bulleted item; consecutive items form one list. */
void doc_item(struct doc *d, enum tone t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A link to another page of the same site (the portal). */
void doc_link(struct doc *d, const char *href, const char *text);
/* A table: heads "Name|Score>|Band" ('>' at the end of a head aligns the column right). Rows
 * follow with doc_row and doc_cell; a table with no rows renders as `empty`. */
void doc_table(struct doc *d, const char *heads, const char *empty);
void doc_row(struct doc *d);
void doc_cell(struct doc *d, enum tone t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A cell that links to a page of the same site (the portal); text only in txt. */
void doc_cell_link(struct doc *d, const char *href, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A horizontal bar chart; `ref` > 0 draws a reference line at that value (SPI/CPI at 1.0). */
void doc_bars(struct doc *d, const char *title, const char *unit, double ref);
void doc_bar(struct doc *d, const char *label, double value, const char *shown, enum tone t);
/* A line chart over n points labelled by xlabels (copied), y from lo to hi; `refs` are
 * horizontal guide lines ("75,50"), NULL for none. Series follow with doc_series; a point
 * with has[i] false is a gap. */
void doc_lines(struct doc *d, const char *title, size_t n, const char *const *xlabels, double lo,
	       double hi, const char *refs);
void doc_series(struct doc *d, const char *name, enum tone t, const double *v, const bool *has);

enum doc_format { DOC_TXT, DOC_MD, DOC_HTML };
/* "html", "md" or "txt"; false when s is none of them. */
bool doc_format_parse(const char *s, enum doc_format *f);
void doc_render(const struct doc *d, enum doc_format f, struct buf *out);
/* Appends s escaped for HTML text and attribute values. */
void html_escape(struct buf *b, const char *s);

/* ---- reports ---- */

struct report_opts {
	const char *kind;     /* "health", "status" or "portfolio" */
	const char *customer; /* ids, NULL for none */
	const char *project;
	const char *date;     /* the status date, YYYY-MM-DD */
	const char *since;    /* status: what changed from this date on */
	const char *source;   /* a line on what the data is ("snapshot 3fa9c2d1 of …"), or NULL */
	/* status: a record's snapshot text as of `since`, to show field by field what changed;
	 * NULL when there is no history. Returns 0 and *text NULL when the record did not exist. */
	int (*before)(void *ctx, const char *kind, const char *id, char **text);
	void *before_ctx;
};

int report_build(struct ws *w, const struct report_opts *o, struct doc **out, struct err *e);

/* ---- the portal ---- */

/* Whether a field of a kind may leave in a customer-facing export: the kind is neither
 * internal, finance nor configuration, and the field is customer-visible and neither finance
 * nor internal. The only rule the portal follows. */
bool report_visible(const struct kindinfo *ki, const struct field *f);

struct portal_stats {
	long pages, projects, milestones, requirements, tickets;
};
/* Writes the site for one customer into dir: index.html and one page per project, each a
 * self-contained HTML file (a browser opening them from disk needs nothing else).
 * dir must not exist, or be a directory an earlier portal wrote (it is replaced whole). */
int portal_write(struct ws *w, const char *customer, const char *dir, const char *date,
		 struct portal_stats *st, struct err *e);

#endif
