/*
 * record.c — records in memory and the field-level validation the kind table implies: every value
 * that enters rapport (CLI, TUI form, import, sync) is normalised here first, so the database only
 * ever holds canonical text: ISO dates, "true"/"false", shortest round-trip numbers, sorted sets.
 */
#include "core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct record *record_new(const struct kindinfo *ki)
{
	struct record *r = xcalloc(1, sizeof(*r));
	r->ki = ki;
	r->val = xcalloc(ki->nf, sizeof(char *));
	return r;
}

void record_free(struct record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ki->nf; i++)
		free(r->val[i]);
	free(r->val);
	free(r->created);
	free(r->updated);
	free(r->author);
	free(r->extra);
	free(r->rev);
	free(r->conflicts);
	free(r);
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

struct record *record_dup(const struct record *r)
{
	struct record *c = record_new(r->ki);
	memcpy(c->id, r->id, sizeof(c->id));
	c->created = dup_or_null(r->created);
	c->updated = dup_or_null(r->updated);
	c->author = dup_or_null(r->author);
	c->extra = dup_or_null(r->extra);
	c->rev = dup_or_null(r->rev);
	c->conflicts = dup_or_null(r->conflicts);
	c->deleted = r->deleted;
	for (size_t i = 0; i < r->ki->nf; i++)
		c->val[i] = dup_or_null(r->val[i]);
	return c;
}

int recs_add(const struct record *r, void *p)
{
	struct recs *rs = p;
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = record_dup(r);
	return 0;
}

void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		record_free(rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

double record_num(const struct record *r, const char *field)
{
	const char *v = record_get(r, field);
	return v ? strtod(v, NULL) : 0.0;
}

const char *record_get(const struct record *r, const char *field)
{
	for (size_t i = 0; i < r->ki->nf; i++)
		if (!strcmp(r->ki->f[i]->name, field))
			return r->val[i];
	if (!strcmp(field, "id"))
		return r->id[0] ? r->id : NULL;
	if (!strcmp(field, "created"))
		return r->created;
	if (!strcmp(field, "updated"))
		return r->updated;
	if (!strcmp(field, "author"))
		return r->author;
	return NULL;
}

void record_put(struct record *r, int idx, char *v)
{
	free(r->val[idx]);
	r->val[idx] = v;
}

char *record_title(const struct record *r)
{
	for (size_t i = 0; i < r->ki->nf; i++)
		if ((r->ki->f[i]->flags & F_NAME) && r->val[i] && *r->val[i]) {
			const char *v = r->val[i];
			const char *nl = strchr(v, '\n');
			return nl ? xstrndup(v, (size_t)(nl - v)) : xstrdup(v);
		}
	/* Kinds without a name (time, expense): the first listed non-reference values. */
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < r->ki->nf && b.len < 40; i++) {
		const struct field *f = r->ki->f[i];
		if ((f->flags & F_LIST) && f->type != FT_REF && r->val[i])
			buf_addf(&b, "%s%s", b.len ? " " : "", r->val[i]);
	}
	if (!b.len)
		buf_add(&b, r->id, 8);
	return buf_detach(&b);
}

void record_where(const struct record *r, char *out, size_t n)
{
	if (r->id[0])
		snprintf(out, n, "%s %.8s", r->ki->k->name, r->id);
	else
		snprintf(out, n, _("new %s"), r->ki->k->name);
}

/* ---- values ---- */

static int bad(struct err *e, const struct field *f, const char *in, const char *why)
{
	return err_set(e, RERR_INPUT, "field '%s': '%s' %s", f->name, in, _(why));
}

static bool parse_bool(const char *s, bool *v)
{
	static const char *yes[] = { "true", "yes", "y", "1", "on" };
	static const char *no[] = { "false", "no", "n", "0", "off" };
	for (size_t i = 0; i < ARRAY_LEN(yes); i++)
		if (!strcasecmp(s, yes[i])) {
			*v = true;
			return true;
		}
	for (size_t i = 0; i < ARRAY_LEN(no); i++)
		if (!strcasecmp(s, no[i])) {
			*v = false;
			return true;
		}
	return false;
}

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>()[]\\,;:\"", *p))
			return false;
	return true;
}

char *set_edit(const char *set, const char *item, bool add)
{
	struct strv v = STRV_INIT, out = STRV_INIT;
	strv_split(&v, set ? set : "", ',');
	for (size_t i = 0; i < v.n; i++)
		if (strcmp(v.v[i], item) && !strv_has(&out, v.v[i]))
			strv_push(&out, v.v[i]);
	if (add)
		strv_push(&out, item);
	strv_sort(&out);
	char *s = out.n ? strv_join(&out, ",") : NULL;
	strv_clear(&v);
	strv_clear(&out);
	return s;
}

/* Decimal notation only: an optional sign, digits with an optional fraction (5, 5.25, .5, 5.),
 * an optional decimal exponent. strtod alone takes much more — hex and hex floats (0x1p40),
 * inf, nan, leading spaces — and a value must mean the same to every tool that reads it.
 * Spaces around are refused as dates refuse them; import trims its cells before this. */
static bool decimal_ok(const char *s)
{
	const char *p = s + (*s == '+' || *s == '-');
	size_t whole = strspn(p, "0123456789"), frac = 0;
	p += whole;
	if (*p == '.') {
		frac = strspn(++p, "0123456789");
		p += frac;
	}
	if (!whole && !frac)
		return false;
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '+' || p[1] == '-' ? 2 : 1;
		size_t exp = strspn(p, "0123456789");
		if (!exp)
			return false;
		p += exp;
	}
	return !*p;
}

/* Text may hold any Unicode except NUL and, outside long text, line breaks. */
static int text_ok(const struct field *f, const char *in, bool multiline, struct err *e)
{
	if (!utf8_valid(in, strlen(in)))
		return bad(e, f, in, N_("is not valid UTF-8"));
	if (strlen(in) > 1000000)
		return err_set(e, RERR_INPUT, "field '%s': text longer than 1 MB", f->name);
	if (!multiline && strpbrk(in, "\n\r"))
		return err_set(e, RERR_INPUT,
			       "field '%s': a line break in a one-line field (use a long-text field)",
			       f->name);
	return 0;
}

int value_normalize(const struct field *f, const char *in, time_t now, char **out, struct err *e)
{
	*out = NULL;
	switch (f->type) {
	case FT_TEXT:
	case FT_LONG: {
		int rc = text_ok(f, in, f->type == FT_LONG, e);
		if (rc)
			return rc;
		*out = xstrdup(in);
		return 0;
	}
	case FT_NUMBER:
	case FT_INT: {
		if (!decimal_ok(in))
			return bad(e, f, in,
				   N_("is not a number (decimal digits such as 1250, -12.5 or "
				      "1.5e6)"));
		errno = 0;
		double v = strtod(in, NULL);
		if (errno == ERANGE && fabs(v) > 1)
			return bad(e, f, in, N_("is too large to store (about 1.8e308 at most)"));
		if (errno == ERANGE)
			return bad(e, f, in,
				   N_("is too close to zero to store (about 2.2e-308 at least)"));
		if (f->type == FT_INT && v != floor(v))
			return bad(e, f, in, N_("is not a whole number"));
		if (f->min < f->max && (v < f->min || v > f->max)) {
			char lo[32], hi[32];
			snprintf(lo, sizeof lo, "%.15g", f->min);
			snprintf(hi, sizeof hi, "%.15g", f->max);
			return err_set(e, RERR_INPUT, "field '%s': '%s' is out of range (%s to %s)",
				       f->name, in, lo, hi);
		}
		*out = xasprintf("%.15g", v == 0 ? 0.0 : v);
		return 0;
	}
	case FT_DATE: {
		time_t t;
		if (date_parse(in, NULL)) {
			*out = xstrdup(in);
			return 0;
		}
		if (date_relative(in, now, &t)) {
			*out = xmalloc(11);
			fmt_date(*out, t);
			return 0;
		}
		return bad(e, f, in, N_("is not a date (YYYY-MM-DD)"));
	}
	case FT_DATETIME: {
		time_t t;
		if (!datetime_parse(in, &t) && !date_relative(in, now, &t))
			return bad(e, f, in,
				   N_("is not a date and time (YYYY-MM-DDTHH:MM[:SS][Z])"));
		*out = xmalloc(21);
		fmt_datetime(*out, t);
		return 0;
	}
	case FT_BOOL: {
		bool v;
		if (!parse_bool(in, &v))
			return bad(e, f, in, N_("is not true or false (also yes/no, 1/0)"));
		*out = xstrdup(v ? "true" : "false");
		return 0;
	}
	case FT_CHOICE: {
		/* A code, or its label in the interface language; the code is stored. */
		if (!(*out = choice_code(f->choices, in))) {
			struct buf b = BUF_INIT;
			for (const char *p = f->choices; *p;) {
				size_t n = strcspn(p, ",");
				char code[64];
				snprintf(code, sizeof code, "%.*s", (int)n, p);
				/* What the user can type in their language: the labels (codes in English). */
				buf_addf(&b, "%s%s", b.len ? ", " : "", choice_label(code));
				p += n;
				if (*p)
					p++;
			}
			int rc = err_set(e, RERR_INPUT, "field '%s': '%s' is not one of: %s", f->name,
					 in, b.data);
			buf_release(&b);
			return rc;
		}
		return 0;
	}
	case FT_CURRENCY: {
		const char *code = currency_code(in);
		if (!code)
			return bad(e, f, in,
				   N_("is not a currency (a three-letter code such as CNY, EUR, "
				      "USD)"));
		*out = xstrdup(code);
		return 0;
	}
	case FT_EMAIL:
		if (!email_ok(in))
			return bad(e, f, in, N_("is not an email address (name@example.com)"));
		*out = xstrdup(in);
		return 0;
	case FT_SET:
	case FT_REFS: {
		if (text_ok(f, in, false, e))
			return RERR_INPUT;
		struct strv v = STRV_INIT;
		char *acc = NULL;
		strv_split(&v, in, ',');
		for (size_t i = 0; i < v.n; i++) {
			char *next = set_edit(acc, v.v[i], true);
			free(acc);
			acc = next;
		}
		strv_clear(&v);
		*out = acc;
		return 0;
	}
	case FT_REF:
		if (text_ok(f, in, false, e))
			return RERR_INPUT;
		*out = xstrdup(in);
		return 0;
	}
	return bad(e, f, in, N_("has an unknown type"));
}

int record_check(const struct record *r, struct err *e)
{
	const struct kindinfo *ki = r->ki;
	char w[80];
	record_where(r, w, sizeof(w));
	for (size_t i = 0; i < ki->nf; i++)
		if ((ki->f[i]->flags & F_REQ) && (!r->val[i] || !*r->val[i]))
			return err_set(e, RERR_INPUT, "%s: field '%s' is required", w,
				       ki->f[i]->name);
	if (ki->k->require_any) {
		struct strv any = STRV_INIT;
		bool found = false;
		strv_split(&any, ki->k->require_any, ',');
		for (size_t i = 0; i < any.n; i++)
			if (record_get(r, any.v[i]))
				found = true;
		char *names = strv_join(&any, "' or '");
		int rc = found ? 0 : err_set(e, RERR_INPUT, "%s: needs '%s'", w, names);
		free(names);
		strv_clear(&any);
		if (rc)
			return rc;
	}
	if (ki->k->check)
		return ki->k->check(r, e);
	return 0;
}

char *conflicts_without(const char *conflicts, const char *field)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(field);
	for (const char *p = conflicts; p && *p;) {
		/* A conflict line and its continuation lines (indented) go together. */
		const char *end = p;
		do {
			const char *nl = strchr(end, '\n');
			end = nl ? nl + 1 : end + strlen(end);
		} while (end[0] == ' ' && end[1] == ' ');
		bool drop = p[0] == '!' && !strncmp(p + 1, field, n) && (p[n + 1] == ' ' || p[n + 1] == '\n');
		if (!drop)
			buf_add(&b, p, (size_t)(end - p));
		p = end;
	}
	return b.len ? buf_detach(&b) : (buf_release(&b), NULL);
}
