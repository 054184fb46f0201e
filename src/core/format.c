/*
 * format.c — the record text format: how a record reads as plain text, for `rapport edit` and
 * for the sync snapshots of rapport(5). A field per line ("name value") in schema order, so a
 * diff of two versions reads field by field; escapes keep every byte representable and every
 * line printable; continuation lines keep long text readable. Writing is byte-deterministic and
 * parsing is strict: anything malformed is an error that names its line.
 */
#include "core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void escape_line(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c < 0x20 || c == 0x7f || (c == ' ' && i + 1 == n))
			buf_addf(b, "\\x%02x", c); /* a trailing space would not survive an editor */
		else
			buf_addc(b, (char)c);
	}
}

void record_text(struct buf *b, const struct record *r, bool all)
{
	for (size_t i = 0; i < r->ki->nf; i++) {
		const char *v = r->val[i];
		if (!v && !all)
			continue;
		buf_adds(b, r->ki->f[i]->name);
		if (!v) {
			buf_addc(b, '\n');
			continue;
		}
		buf_addc(b, ' ');
		for (const char *p = v;;) {
			const char *nl = strchr(p, '\n');
			escape_line(b, p, nl ? (size_t)(nl - p) : strlen(p));
			buf_addc(b, '\n');
			if (!nl)
				break;
			buf_adds(b, "  ");
			p = nl + 1;
		}
	}
}

void text_fields_free(struct text_fields *tf)
{
	for (size_t i = 0; i < tf->n; i++) {
		free(tf->v[i].name);
		free(tf->v[i].value);
	}
	free(tf->v);
	tf->v = NULL;
	tf->n = 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescapes one line of a value onto b. */
static int unescape(struct buf *b, const char *s, size_t n, int line, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			buf_addc(b, s[i]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			buf_addc(b, '\\');
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
			   hexval(s[i + 3]) >= 0) {
			int v = hexval(s[i + 2]) * 16 + hexval(s[i + 3]);
			if (!v)
				return err_set(e, RERR_INPUT, "line %d: \\x00 is not allowed in a value",
					       line);
			buf_addc(b, (char)v);
			i += 3;
		} else
			return err_set(e, RERR_INPUT,
				       "line %d: '\\' starts an escape: \\\\ or \\xNN (two lower-case "
				       "hex digits)",
				       line);
	}
	return 0;
}

int record_parse(const char *text, struct text_fields *out, struct err *e)
{
	struct buf val = BUF_INIT;
	int line = 0, rc = 0, blanks = 0;
	struct text_field *cur = NULL;
	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p && !rc;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (n && p[n - 1] == '\r') /* files edited on Windows */
			n--;
		if (memchr(p, '\0', n)) {
			rc = err_set(e, RERR_INPUT, "line %d: a NUL byte", line);
			break;
		}
		if (n >= 2 && p[0] == ' ' && p[1] == ' ') {
			if (!cur || !cur->value) {
				rc = err_set(e, RERR_INPUT,
					     "line %d: a continuation line (indented) must follow a field "
					     "with a value",
					     line);
				break;
			}
			buf_reset(&val);
			buf_adds(&val, cur->value);
			/* Blank lines inside a value (an editor may strip their two-space indent). */
			for (; blanks > 0; blanks--)
				buf_addc(&val, '\n');
			buf_addc(&val, '\n');
			if (!(rc = unescape(&val, p + 2, n - 2, line, e))) {
				free(cur->value);
				cur->value = xstrdup(val.data);
			}
		} else if (n == 0) {
			blanks++;
		} else if (p[0] == '#') {
			cur = NULL;
			blanks = 0;
		} else {
			blanks = 0;
			size_t k = 0;
			while (k < n && (islower((unsigned char)p[k]) || isdigit((unsigned char)p[k]) ||
					 p[k] == '_'))
				k++;
			if (!k || !islower((unsigned char)p[0]) || (k < n && p[k] != ' ')) {
				rc = err_set(e, RERR_INPUT,
					     "line %d: '%.*s' is not 'name value' (a name is a-z, 0-9, _)",
					     line, (int)(n > 40 ? 40 : n), p);
				break;
			}
			for (size_t i = 0; i < out->n; i++)
				if (strlen(out->v[i].name) == k && !strncmp(out->v[i].name, p, k))
					rc = err_set(e, RERR_INPUT, "line %d: field '%.*s' appears twice",
						     line, (int)k, p);
			if (rc)
				break;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			cur = &out->v[out->n++];
			cur->name = xstrndup(p, k);
			cur->value = NULL;
			cur->line = line;
			if (k < n) {
				buf_reset(&val);
				if (!(rc = unescape(&val, p + k + 1, n - k - 1, line, e)))
					cur->value = xstrdup(val.data);
			}
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	buf_release(&val);
	if (rc)
		text_fields_free(out);
	return rc;
}
