/*
 * json.c — a small streaming JSON writer for --json output. It escapes per RFC 8259 and replaces
 * invalid UTF-8 with U+FFFD so that output is always valid JSON, whatever bytes a record holds.
 */
#include "util.h"

#include <math.h>
#include <string.h>

void json_init(struct json *j, struct buf *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	buf_addc(j->out, '\n');
	buf_addrep(j->out, ' ', (size_t)j->depth * 2);
}

/* Emits the comma and newline a new value needs, unless it follows a key. */
static void pre(struct json *j)
{
	if (j->depth > 0 && j->need_comma[j->depth] == 2)
		return;
	if (j->depth > 0 && j->need_comma[j->depth])
		buf_addc(j->out, ',');
	if (j->depth > 0)
		indent(j);
}

static void post(struct json *j)
{
	if (j->depth > 0)
		j->need_comma[j->depth] = 1;
}

static void open_(struct json *j, char c)
{
	pre(j);
	buf_addc(j->out, c);
	post(j);
	j->depth++;
	j->need_comma[j->depth] = 0;
}

static void close_(struct json *j, char c)
{
	bool had = j->need_comma[j->depth] != 0;
	j->depth--;
	if (had)
		indent(j);
	buf_addc(j->out, c);
}

void json_obj_open(struct json *j) { open_(j, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j) { open_(j, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

void json_key(struct json *j, const char *key)
{
	pre(j);
	json_escape(j->out, key);
	buf_adds(j->out, j->pretty ? ": " : ":");
	j->need_comma[j->depth] = 2; /* the value that follows writes no comma */
}

static void value_done(struct json *j)
{
	if (j->depth > 0)
		j->need_comma[j->depth] = 1;
}

void json_escape(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_addc(b, '"');
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': buf_adds(b, "\\n"); break;
			case '\t': buf_adds(b, "\\t"); break;
			case '\r': buf_adds(b, "\\r"); break;
			default: buf_addf(b, "\\u%04x", c);
			}
			p++;
		} else if (c < 0x80) {
			buf_addc(b, (char)c);
			p++;
		} else {
			size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (n > 1 && strnlen((const char *)p, n) == n && utf8_valid((const char *)p, n)) {
				buf_add(b, p, n);
				p += n;
			} else {
				buf_adds(b, "\xef\xbf\xbd");
				p++;
			}
		}
	}
	buf_addc(b, '"');
}

void json_str(struct json *j, const char *s)
{
	pre(j);
	if (s)
		json_escape(j->out, s);
	else
		buf_adds(j->out, "null");
	value_done(j);
}

void json_num(struct json *j, double v)
{
	pre(j);
	if (isfinite(v))
		buf_addf(j->out, "%.15g", v);
	else
		buf_adds(j->out, "null");
	value_done(j);
}

void json_int(struct json *j, long long v)
{
	pre(j);
	buf_addf(j->out, "%lld", v);
	value_done(j);
}

void json_bool(struct json *j, bool v)
{
	pre(j);
	buf_adds(j->out, v ? "true" : "false");
	value_done(j);
}

void json_null(struct json *j)
{
	pre(j);
	buf_adds(j->out, "null");
	value_done(j);
}
