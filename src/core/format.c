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

void text_put(struct buf *b, const char *name, const char *v)
{
	buf_adds(b, name);
	if (!v) {
		buf_addc(b, '\n');
		return;
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

void record_text(struct buf *b, const struct record *r, bool all)
{
	/* A derived field is the database's reading of other records (a stage of transitions and
	 * approvals, a paid amount of receipts): written into a file it would be a second truth to
	 * disagree with. */
	for (size_t i = 0; i < r->ki->nf; i++)
		if ((r->val[i] || all) && !(r->ki->f[i]->flags & F_DERIVED))
			text_put(b, r->ki->f[i]->name, r->val[i]);
}

void record_file(struct buf *b, const struct record *r)
{
	if (r->rev)
		text_put(b, "rev", r->rev);
	text_put(b, "created", r->created);
	text_put(b, "updated", r->updated);
	if (r->author)
		text_put(b, "author", r->author);
	if (r->deleted)
		text_put(b, "deleted", "true");
	record_text(b, r, false);
	/* Already text: unknown fields sorted by name, conflicts sorted (see record_from_text). */
	if (r->extra)
		buf_adds(b, r->extra);
	if (r->conflicts)
		buf_adds(b, r->conflicts);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins text lines sorted, or NULL when there are none. */
static char *sorted_text(struct strv *lines)
{
	if (!lines->n)
		return NULL;
	qsort(lines->v, lines->n, sizeof(*lines->v), cmp_lines);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < lines->n; i++)
		buf_adds(&b, lines->v[i]);
	return buf_detach(&b);
}

static bool is_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]) && !(s[n] >= 'a' && s[n] <= 'f'))
			return false;
	return n == 32;
}

static bool refs_ok(const char *v)
{
	char id[64];
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (n >= sizeof id)
			return false;
		memcpy(id, p, n);
		id[n] = '\0';
		if (!is_id(id))
			return false;
		p += n;
		if (*p)
			p++;
	}
	return true;
}

bool rev_ok(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SS.mmmZ-<16 hex> */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ-xxxxxxxxxxxxxxxx";
	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		char c = s[i];
		if (shape[i] == 'd' ? !isdigit((unsigned char)c)
		    : shape[i] == 'x' ? !(isdigit((unsigned char)c) || (c >= 'a' && c <= 'f'))
				      : c != shape[i])
			return false;
	}
	return true;
}

/* Reads a record file; with why set (salvage), a value that does not validate takes the
 * fallback's value (or none) and its reason goes to why, instead of failing the record. */
static int from_text(const struct kindinfo *ki, const char *id, const char *text, time_t now,
		     const struct record *fallback, struct strv *why, struct record **out,
		     struct err *e)
{
	struct text_fields tf;
	struct strv extra = STRV_INIT, conflicts = STRV_INIT;
	struct buf line = BUF_INIT;
	struct record *r = record_new(ki);
	int rc;
	*out = NULL;
	if ((rc = record_parse(text, &tf, e))) {
		record_free(r);
		return rc;
	}
	snprintf(r->id, sizeof r->id, "%s", id);
	for (size_t i = 0; i < tf.n && !rc; i++) {
		const char *name = tf.v[i].name, *v = tf.v[i].value;
		int ln = tf.v[i].line;
		buf_reset(&line);
		text_put(&line, name, v);
		if (name[0] == '!') {
			/* "!field REV [value]": the losing side of a merge. */
			char rv[REV_LEN + 1] = "";
			if (v && strlen(v) >= REV_LEN)
				memcpy(rv, v, REV_LEN);
			if (!rev_ok(rv) || (v[REV_LEN] && v[REV_LEN] != ' '))
				rc = err_set(e, RERR_INPUT, "line %d: a conflict line is '!field REV value'",
					     ln);
			else
				strv_push(&conflicts, line.data);
		} else if (!strcmp(name, "rev")) {
			if (!v || !rev_ok(v))
				rc = err_set(e, RERR_INPUT, "line %d: rev '%s' is not a rev", ln,
					     v ? v : "");
			else
				r->rev = xstrdup(v);
			if (rc && why) {
				strv_push(why, e->msg);
				err_clear(e);
				rc = 0;
				r->rev = fallback && fallback->rev ? xstrdup(fallback->rev) : NULL;
			}
		} else if (!strcmp(name, "created") || !strcmp(name, "updated")) {
			if (!v || !datetime_parse(v, NULL))
				rc = err_set(e, RERR_INPUT, "line %d: %s '%s' is not a datetime", ln,
					     name, v ? v : "");
			else if (name[0] == 'c')
				r->created = xstrdup(v);
			else
				r->updated = xstrdup(v);
		} else if (!strcmp(name, "author")) {
			free(r->author);
			r->author = v ? xstrdup(v) : NULL;
		} else if (!strcmp(name, "deleted")) {
			if (!v || (strcmp(v, "true") && strcmp(v, "false")))
				rc = err_set(e, RERR_INPUT, "line %d: deleted is true or false", ln);
			else
				r->deleted = !strcmp(v, "true");
		} else {
			const struct field *f = kind_field(ki, name);
			int idx = f ? kind_field_index(ki, f) : -1;
			if (idx < 0) {
				strv_push(&extra, line.data); /* a newer replica's field: kept */
				continue;
			}
			char *norm = NULL;
			if (!v || (f->flags & F_DERIVED)) /* sync reports it (record_derived_line) */
				continue;
			if ((f->type == FT_REF && !is_id(v)) || (f->type == FT_REFS && !refs_ok(v)))
				rc = err_set(e, RERR_INPUT, "line %d: %s: '%s' is not a record id", ln,
					     name, v);
			else if (f->type == FT_REF || f->type == FT_REFS)
				norm = xstrdup(v);
			else if ((rc = value_normalize(f, v, now, &norm, e)))
				err_prefix(e, "line %d", ln);
			if (rc && why) {
				strv_push(why, e->msg);
				err_clear(e);
				rc = 0;
				norm = fallback && fallback->val[idx] ? xstrdup(fallback->val[idx]) : NULL;
			}
			if (!rc)
				record_put(r, idx, norm);
		}
	}
	if (!rc && (!r->created || !r->updated))
		rc = err_set(e, RERR_INPUT, "no %s line", r->created ? "updated" : "created");
	for (size_t i = 0; i < ki->nf && !rc; i++)
		if ((ki->f[i]->flags & F_REQ) && !r->val[i] && !r->deleted)
			rc = err_set(e, RERR_INPUT, "required field '%s' is missing", ki->f[i]->name);
	if (!rc) {
		r->extra = sorted_text(&extra);
		r->conflicts = sorted_text(&conflicts);
		*out = r;
	} else
		record_free(r);
	strv_clear(&extra);
	strv_clear(&conflicts);
	buf_release(&line);
	text_fields_free(&tf);
	return rc;
}

int record_derived_line(const struct kindinfo *ki, const char *text, const char **field)
{
	bool any = false;
	for (size_t i = 0; i < ki->nf && !any; i++)
		any = ki->f[i]->flags & F_STAGE;
	struct text_fields tf;
	struct err e = { 0 };
	int line = 0;
	if (!any || record_parse(text, &tf, &e))
		return 0;
	for (size_t i = 0; i < tf.n && !line; i++) {
		const struct field *f = kind_field(ki, tf.v[i].name);
		if (f && (f->flags & F_STAGE)) {
			line = tf.v[i].line;
			*field = f->name;
		}
	}
	text_fields_free(&tf);
	return line;
}

int record_from_text(const struct kindinfo *ki, const char *id, const char *text, time_t now,
		     struct record **out, struct err *e)
{
	return from_text(ki, id, text, now, NULL, NULL, out, e);
}

int record_salvage(const struct kindinfo *ki, const char *id, const char *text, time_t now,
		   const struct record *fallback, struct record **out, struct strv *why,
		   struct err *e)
{
	return from_text(ki, id, text, now, fallback, why, out, e);
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
			/* '!' marks a conflict line: the losing value of a field, may repeat. */
			bool bang = p[0] == '!';
			size_t k = bang;
			while (k < n && (islower((unsigned char)p[k]) || isdigit((unsigned char)p[k]) ||
					 p[k] == '_'))
				k++;
			if (k == (size_t)bang || !islower((unsigned char)p[bang]) ||
			    (k < n && p[k] != ' ')) {
				rc = err_set(e, RERR_INPUT,
					     "line %d: '%.*s' is not 'name value' (a name is a-z, 0-9, _)",
					     line, (int)(n > 40 ? 40 : n), p);
				break;
			}
			for (size_t i = 0; i < out->n && !bang; i++)
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

/* ---- comparing two versions ---- */

const char *text_value(const struct text_fields *tf, const char *name, bool *has)
{
	for (size_t i = 0; i < tf->n; i++)
		if (!strcmp(tf->v[i].name, name)) {
			*has = true;
			return tf->v[i].value;
		}
	*has = false;
	return NULL;
}

static bool skip_name(const char *n)
{
	return !strcmp(n, "rev") || !strcmp(n, "updated") || !strcmp(n, "author") ||
	       !strcmp(n, "created");
}

size_t text_changes(const struct text_fields *a, const struct text_fields *b,
			    struct text_change *out, size_t max)
{
	size_t n = 0;
	const struct text_fields *sides[] = { b, a };
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sides[s]->n && n < max; i++) {
			const char *name = sides[s]->v[i].name;
			bool ha, hb;
			if (skip_name(name))
				continue;
			const char *va = text_value(a, name, &ha), *vb = text_value(b, name, &hb);
			if (s == 1 && hb)
				continue; /* seen from b */
			if ((!va && !vb) || (va && vb && !strcmp(va, vb)))
				continue;
			if (name[0] == '!') {
				/* Conflict lines repeat: compare them as a set. */
				bool in_other = false;
				const struct text_fields *o = s == 0 ? a : b;
				for (size_t k = 0; k < o->n; k++)
					if (!strcmp(o->v[k].name, name) && o->v[k].value &&
					    sides[s]->v[i].value &&
					    !strcmp(o->v[k].value, sides[s]->v[i].value))
						in_other = true;
				if (in_other)
					continue;
				out[n++] = (struct text_change){ name, s ? sides[s]->v[i].value : NULL,
							     s ? NULL : sides[s]->v[i].value };
				continue;
			}
			out[n++] = (struct text_change){ name, va, vb };
		}
	return n;
}
