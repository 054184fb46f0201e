/*
 * csv.c — reading CSV as RFC 4180 describes it, as spreadsheets write it: quoted fields with ""
 * for a quote, line breaks inside quotes, CRLF or LF, a separator guessed from the header
 * (comma, semicolon as European Excel writes, or tab). Writing cells, with text that a
 * spreadsheet would run as a formula neutralised by a leading ' (and read back without it). And
 * converting legacy encodings (GBK from Chinese Excel, Shift-JIS, Big5, Windows-1252, UTF-16)
 * to UTF-8 with iconv.
 */
#include "util.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

void csv_init(struct csv *c, const char *text, size_t len)
{
	c->p = text;
	c->end = text + len;
	c->line = 1;
	/* The separator that appears most in the first line outside quotes. */
	int counts[3] = { 0, 0, 0 };
	const char seps[3] = { ',', ';', '\t' };
	bool q = false;
	for (const char *p = text; p < c->end && (q || *p != '\n'); p++) {
		if (*p == '"')
			q = !q;
		for (int i = 0; i < 3 && !q; i++)
			counts[i] += *p == seps[i];
	}
	c->sep = counts[1] > counts[0] && counts[1] >= counts[2] ? ';' : counts[2] > counts[0] ? '\t' : ',';
}

int csv_row(struct csv *c, struct strv *fields, struct err *e)
{
	struct buf f = BUF_INIT;
	strv_clear(fields);
	if (c->p >= c->end)
		return 0;
	int start = c->line;
	for (;;) {
		buf_reset(&f);
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					buf_release(&f);
					return err_set(e, RERR_INPUT,
						       "line %d: a quoted field is never closed (a \" is "
						       "missing)",
						       start);
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						buf_addc(&f, '"');
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n') {
					c->p++; /* a CRLF line break inside a cell is a line break */
					continue;
				}
				if (*c->p == '\n')
					c->line++;
				buf_addc(&f, *c->p++);
			}
			if (c->p < c->end && *c->p != c->sep && *c->p != '\n' &&
			    !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
				buf_release(&f);
				return err_set(e, RERR_INPUT,
					       "line %d: text after a closing quote (a \" inside a quoted "
					       "field must be doubled)",
					       c->line);
			}
		} else {
			while (c->p < c->end && *c->p != c->sep && *c->p != '\n') {
				if (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')) {
					c->p++;
					continue;
				}
				buf_addc(&f, *c->p++);
			}
		}
		strv_push(fields, f.data);
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p >= c->end || *c->p == '\n') {
			if (c->p < c->end) {
				c->p++;
				c->line++;
			}
			break;
		}
		c->p++; /* the separator */
	}
	buf_release(&f);
	return 1;
}

int to_utf8(const char *encoding, const char *in, size_t n, char **out, size_t *outlen,
	    struct err *e)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	*out = NULL;
	if (cd == (iconv_t)-1)
		return err_set(e, RERR_USAGE,
			       "--encoding: '%s' is not an encoding this system knows (try GBK, "
			       "GB18030, BIG5, SHIFT_JIS, WINDOWS-1252, UTF-16)",
			       encoding);
	size_t cap = n * 4 + 16, left = cap, inleft = n;
	char *buf = xmalloc(cap + 1), *o = buf;
	char *ip = (char *)in;
	int rc = 0;
	if (iconv(cd, &ip, &inleft, &o, &left) == (size_t)-1) {
		int line = 1;
		for (const char *p = in; p < ip; p++)
			line += *p == '\n';
		if (errno == EINVAL)
			rc = err_set(e, RERR_INPUT,
				     "line %d: bytes that are not %s (the file ends inside a "
				     "character)",
				     line, encoding);
		else
			rc = err_set(e, RERR_INPUT, "line %d: bytes that are not %s", line,
				     encoding);
		free(buf);
	} else {
		*outlen = cap - left;
		buf[*outlen] = '\0';
		*out = buf;
	}
	iconv_close(cd);
	return rc;
}

void csv_cell(struct buf *b, const char *v)
{
	/* Quoted only when it has to be: a separator, quote or line break inside, or spaces at
	 * either end (some readers trim them). */
	if (!v)
		return;
	size_t n = strlen(v);
	if (!strpbrk(v, ",;\t\"\r\n") && (!n || (v[0] != ' ' && v[n - 1] != ' '))) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* The first characters that make a spreadsheet take a cell for a formula. */
static bool formula_start(const char *v)
{
	v += strspn(v, "'");
	return *v && strchr("=+-@\t\r", *v);
}

void csv_text_cell(struct buf *b, const char *v)
{
	/* Apostrophes already in front of such a character get one more too, so that reading takes
	 * away exactly the one added: "'=x" is written "''=x". */
	if (!v || !formula_start(v)) {
		csv_cell(b, v);
		return;
	}
	char *q = xasprintf("'%s", v);
	csv_cell(b, q);
	free(q);
}

const char *csv_text_value(const char *v)
{
	return v[0] == '\'' && formula_start(v) ? v + 1 : v;
}
