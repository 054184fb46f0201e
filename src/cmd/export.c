/*
 * export.c — `rapport export KIND [--format csv|json|ics] [-o FILE] [FILTER]...`: records out to
 * spreadsheets, other tools and calendars. CSV is RFC 4180 with a UTF-8 byte-order mark (so Excel
 * reads accents and CJK right), a header of field names that `rapport import` maps back, the id
 * first and custom fields included; text that a spreadsheet would run as a formula gets a leading
 * ' (numbers are left as they are), which import takes away again. JSON is an array of records as
 * `list --json` gives. XLSX (libxlsxwriter) has typed cells — numbers as numbers, dates as dates,
 * yes/no as booleans — a bold header row that stays in view, and column widths that fit the data.
 * ICS (RFC 5545) has one all-day event per dated record — milestones and tasks on their due date,
 * contracts on their end, invoices on their due date — with UIDs that stay the same from one
 * export to the next, so a calendar updates instead of doubling. Filters are list's. A file given
 * with -o is written whole or not at all. A file or a pipe gets the exact bytes; a terminal gets
 * them escaped as list shows them.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <xlsxwriter.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_export = {
	"export", run, "export KIND [--format csv|json|xlsx|ics] [-o FILE] [FILTER]...",
	N_("Write records as CSV, JSON, a spreadsheet or calendar events."),
	N_("CSV (the default): UTF-8 with a byte-order mark, a header of field names (import maps them\n"
	"back), the id first, custom fields included; text starting with =, +, -, @, tab or CR gets\n"
	"a leading ' so that spreadsheets do not run it as a formula (numbers stay numbers; import\n"
	"takes the ' away). JSON: an array of records. XLSX: typed cells (numbers, dates, yes/no),\n"
	"a frozen header row, fitted column widths; needs -o FILE. ICS: one all-day event per\n"
	"milestone or task due date, contract end or invoice due date, with stable UIDs. FILTERs\n"
	"are those of 'rapport list'. -o FILE writes the file whole or not at all. A file or a pipe\n"
	"gets the exact bytes; on a terminal, control characters are shown escaped, as 'rapport\n"
	"list' shows them.\n"),
	CMD_WS,
};

/* RFC 5545 TEXT: backslash, semicolon, comma and newline escaped. */
static void ics_text(struct buf *b, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == ';' || *p == ',')
			buf_addc(b, '\\');
		if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p != '\r' && (unsigned char)*p >= 0x20)
			buf_addc(b, *p);
	}
}

/* Lines of at most 75 octets, folded with CRLF + space, never inside a UTF-8 sequence. */
static void ics_line(struct buf *out, const char *line)
{
	size_t n = strlen(line), col = 0;
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		while (i + k < n && ((unsigned char)line[i + k] & 0xc0) == 0x80)
			k++;
		if (col + k > 75) {
			buf_adds(out, "\r\n ");
			col = 1;
		}
		buf_add(out, line + i, k);
		col += k;
		i += k;
	}
	buf_adds(out, "\r\n");
}

struct exporter {
	struct ctx *c;
	struct buf out;
	const char *format;
	const char *datefield; /* ics: the field that dates the event */
	struct json j;
	char stamp[32];
	long n, total;
};

static int row(const struct record *r, void *p)
{
	struct exporter *x = p;
	x->n++;
	if (x->n % 256 == 0)
		ctx_progress(x->c, "export", (double)x->n / (double)(x->total + 1));
	if (!strcmp(x->format, "json")) {
		json_record(&x->j, r);
		return 0;
	}
	if (!strcmp(x->format, "csv")) {
		csv_cell(&x->out, r->id);
		for (size_t i = 0; i < r->ki->nf; i++) {
			int t = r->ki->f[i]->type;
			buf_addc(&x->out, ',');
			if (t == FT_NUMBER || t == FT_INT)
				csv_cell(&x->out, r->val[i]);
			else
				csv_text_cell(&x->out, r->val[i]);
		}
		buf_adds(&x->out, "\r\n");
		return 0;
	}
	const char *d = record_get(r, x->datefield);
	if (!d)
		return 0;
	char *title = record_title(r);
	struct buf l = BUF_INIT;
	ics_line(&x->out, "BEGIN:VEVENT");
	buf_addf(&l, "UID:%s-%s@rapport", r->id, x->datefield);
	ics_line(&x->out, l.data);
	buf_reset(&l);
	buf_addf(&l, "DTSTAMP:%s", x->stamp);
	ics_line(&x->out, l.data);
	long day;
	char next[11];
	date_parse(d, &day);
	days_to_date(next, day + 1);
	buf_reset(&l);
	buf_addf(&l, "DTSTART;VALUE=DATE:%.4s%.2s%.2s", d, d + 5, d + 8);
	ics_line(&x->out, l.data);
	buf_reset(&l);
	buf_addf(&l, "DTEND;VALUE=DATE:%.4s%.2s%.2s", next, next + 5, next + 8);
	ics_line(&x->out, l.data);
	buf_reset(&l);
	/* The event's words are for the people reading the calendar: in their language. */
	static const char *const what[][2] = { { "milestone", N_("Milestone") },
					       { "task", N_("Task due") },
					       { "contract", N_("Contract ends") },
					       { "invoice", N_("Invoice due") } };
	const char *label = "";
	for (size_t i = 0; i < ARRAY_LEN(what); i++)
		if (!strcmp(what[i][0], r->ki->k->name))
			label = _(what[i][1]);
	buf_addf(&l, "SUMMARY:%s: ", label);
	ics_text(&l, title);
	ics_line(&x->out, l.data);
	const char *owner = record_get(r, "project") ? record_get(r, "project") : record_get(r, "customer");
	if (owner) {
		buf_reset(&l);
		buf_adds(&l, "DESCRIPTION:");
		ics_text(&l, ws_title(x->c->ws, owner));
		ics_line(&x->out, l.data);
	}
	ics_line(&x->out, "END:VEVENT");
	buf_release(&l);
	free(title);
	return 0;
}

/* On a terminal the text is escaped as list escapes it (term_text), so no record byte acts as
 * a control sequence; only the line ends of CSV and ICS, CRLF, go out as they are: a carriage
 * return right before its line feed cannot move the cursor over text already shown. */
static void write_terminal(struct ctx *c, const struct buf *b)
{
	struct buf t = BUF_INIT;
	for (const char *p = b->data, *end = b->data + b->len; p < end;) {
		const char *crlf = strstr(p, "\r\n");
		size_t n = crlf ? (size_t)(crlf - p) : (size_t)(end - p);
		char *piece = xstrndup(p, n);
		term_text(&t, piece);
		free(piece);
		if (crlf)
			buf_adds(&t, "\r\n");
		p += n + (crlf ? 2 : 0);
	}
	fwrite(t.data, 1, t.len, c->out);
	buf_release(&t);
}

/* ---- XLSX ---- */

struct sheet {
	struct ctx *c;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date, *datetime, *head;
	double *width; /* per column, in characters */
	lxw_row_t row;
	long total; /* rows to write, for the progress bar */
	int rc;
};

static void cell(struct sheet *x, lxw_col_t col, const struct field *f, const char *v)
{
	lxw_datetime dt = { 0 };
	int w = v ? utf8_width(v) : 0;
	if (!v)
		return;
	switch (f ? f->type : FT_TEXT) {
	case FT_NUMBER:
	case FT_INT:
		worksheet_write_number(x->ws, x->row, col, strtod(v, NULL), NULL);
		break;
	case FT_BOOL:
		worksheet_write_boolean(x->ws, x->row, col, !strcmp(v, "true"), NULL);
		break;
	case FT_DATE:
	case FT_DATETIME:
		if (sscanf(v, "%4d-%2d-%2d", &dt.year, &dt.month, &dt.day) == 3) {
			if (f->type == FT_DATETIME)
				sscanf(v + 10, "T%2d:%2d:%lfZ", &dt.hour, &dt.min, &dt.sec);
			worksheet_write_datetime(x->ws, x->row, col, &dt,
						 f->type == FT_DATE ? x->date : x->datetime);
			w = f->type == FT_DATE ? 10 : 16;
		} else
			worksheet_write_string(x->ws, x->row, col, v, NULL); /* keep what is there */
		break;
	default:
		worksheet_write_string(x->ws, x->row, col, v, NULL);
	}
	if (w > x->width[col])
		x->width[col] = w;
}

static int xlsx_row(const struct record *r, void *p)
{
	struct sheet *x = p;
	x->row++;
	if (x->row % 256 == 0)
		ctx_progress(x->c, "export", (double)x->row / (double)(x->total + 1));
	cell(x, 0, NULL, r->id);
	for (size_t i = 0; i < r->ki->nf; i++)
		cell(x, (lxw_col_t)(i + 1), r->ki->f[i], r->val[i]);
	return 0;
}

static int write_xlsx(struct ctx *c, const struct kindinfo *ki, struct query *q, const char *path,
		      long *n)
{
	char *tmp = xasprintf("%s.tmp-%d.xlsx", path, (int)getpid());
	struct sheet x = { .c = c };
	struct err ce = { 0, "" };
	store_count(c->ws->st, q, &x.total, &ce); /* only for the progress bar */
	int rc = 0;
	x.wb = workbook_new(tmp);
	if (!x.wb) {
		free(tmp);
		return err_set(&c->err, RERR_RUNTIME, "%s: cannot create the workbook", path);
	}
	x.ws = workbook_add_worksheet(x.wb, ki->k->plural);
	x.date = workbook_add_format(x.wb);
	format_set_num_format(x.date, "yyyy-mm-dd");
	x.datetime = workbook_add_format(x.wb);
	format_set_num_format(x.datetime, "yyyy-mm-dd hh:mm");
	x.head = workbook_add_format(x.wb);
	format_set_bold(x.head);
	x.width = xcalloc(ki->nf + 1, sizeof(double));
	worksheet_write_string(x.ws, 0, 0, "id", x.head);
	x.width[0] = 8;
	for (size_t i = 0; i < ki->nf; i++) {
		worksheet_write_string(x.ws, 0, (lxw_col_t)(i + 1), ki->f[i]->name, x.head);
		x.width[i + 1] = utf8_width(ki->f[i]->name) + 2;
	}
	worksheet_freeze_panes(x.ws, 1, 0);
	rc = store_query(c->ws->st, q, xlsx_row, &x, &c->err);
	ctx_progress(c, "export", 1);
	for (size_t i = 0; i <= ki->nf; i++)
		worksheet_set_column(x.ws, (lxw_col_t)i, (lxw_col_t)i,
				     x.width[i] > 50 ? 50 : x.width[i] + 1, NULL);
	lxw_error le = workbook_close(x.wb);
	if (!rc && le != LXW_NO_ERROR)
		rc = err_set(&c->err, RERR_RUNTIME, "%s: %s", path, lxw_strerror(le));
	if (!rc && rename(tmp, path))
		rc = err_set(&c->err, RERR_RUNTIME, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	*n = (long)x.row;
	free(x.width);
	free(tmp);
	return rc;
}

static int run(struct ctx *c, int argc, char **argv)
{
	const struct kindinfo *ki;
	struct query q;
	struct exporter x = { .c = c, .out = BUF_INIT, .format = "csv" };
	const char *path = NULL;
	int rc;
	if (argc < 2)
		return usage_error(c, &cmd_export, "which kind of record?");
	if ((rc = ctx_open(c)) || (rc = kind_arg(c, argv[1], &ki)))
		return rc;
	query_init(&q, ki);
	const struct opt opts[] = { { "--format", NULL, &x.format, NULL },
				    { "-o", NULL, &path, NULL },
				    { NULL, NULL, NULL, NULL } };
	/* After KIND: every other argument is a filter. */
	const char **filters = xcalloc((size_t)argc, sizeof(*filters));
	size_t nfilters = 0;
	rc = args_parse(c, &cmd_export, argc - 1, argv + 1, opts, filters, (size_t)argc, &nfilters, "");
	for (size_t i = 0; i < nfilters && !rc; i++)
		rc = ws_filter(c->ws, &q, filters[i], &c->err);
	free(filters);
	if (!rc && strcmp(x.format, "csv") && strcmp(x.format, "json") && strcmp(x.format, "ics") &&
	    strcmp(x.format, "xlsx"))
		rc = usage_error(c, &cmd_export, "--format: '%s' is not csv, json, xlsx or ics", x.format);
	if (!rc && !strcmp(x.format, "xlsx") && !path)
		rc = usage_error(c, &cmd_export, "xlsx is a file: give -o FILE.xlsx");
	if (!rc && !strcmp(x.format, "ics")) {
		x.datefield = !strcmp(ki->k->name, "contract") ? "end"
			      : !strcmp(ki->k->name, "milestone") || !strcmp(ki->k->name, "task") ||
					!strcmp(ki->k->name, "invoice")
				      ? "due"
				      : NULL;
		if (!x.datefield)
			rc = err_set(&c->err, RERR_INPUT,
				     "ics: calendar events come from milestones, tasks, contracts and "
				     "invoices, not %s",
				     kind_plural_label(ki->k));
	}
	if (!rc)
		rc = ws_sort(c->ws, &q, NULL, &c->err);
	if (rc)
		goto out;
	if (!strcmp(x.format, "xlsx")) {
		if (!(rc = write_xlsx(c, ki, &q, path, &x.n)) && c->tty)
			fprintf(stderr, _("Exported %ld %s to %s\n"), x.n,
				x.n == 1 ? kind_label(ki->k) : kind_plural_label(ki->k), path);
		goto out;
	}
	if (!strcmp(x.format, "csv")) {
		/* The byte-order mark is for spreadsheets; a terminal would show it as a stray mark. */
		buf_adds(&x.out, c->tty && !path ? "id" : "\xef\xbb\xbf" "id");
		for (size_t i = 0; i < ki->nf; i++) {
			buf_addc(&x.out, ',');
			csv_cell(&x.out, ki->f[i]->name);
		}
		buf_adds(&x.out, "\r\n");
	} else if (!strcmp(x.format, "json")) {
		json_init(&x.j, &x.out, true);
		json_arr_open(&x.j);
	} else {
		time_t now = clock_now();
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(x.stamp, sizeof x.stamp, "%Y%m%dT%H%M%SZ", &tm);
		ics_line(&x.out, "BEGIN:VCALENDAR");
		ics_line(&x.out, "VERSION:2.0");
		ics_line(&x.out, "PRODID:-//rapport//rapport " RAPPORT_VERSION "//EN");
		ics_line(&x.out, "CALSCALE:GREGORIAN");
	}
	if ((rc = store_count(c->ws->st, &q, &x.total, &c->err)) ||
	    (rc = store_query(c->ws->st, &q, row, &x, &c->err)))
		goto out;
	ctx_progress(c, "export", 1);
	if (!strcmp(x.format, "json")) {
		json_arr_close(&x.j);
		buf_addc(&x.out, '\n');
	} else if (!strcmp(x.format, "ics"))
		ics_line(&x.out, "END:VCALENDAR");
	if (path) {
		if (!(rc = file_write_atomic(path, x.out.data, x.out.len, &c->err)) && c->tty)
			fprintf(stderr, _("Exported %ld %s to %s\n"), x.n,
				x.n == 1 ? kind_label(ki->k) : kind_plural_label(ki->k), path);
	} else if (c->tty)
		write_terminal(c, &x.out);
	else
		fwrite(x.out.data, 1, x.out.len, c->out);
out:
	buf_release(&x.out);
	query_free(&q);
	return rc;
}
