/*
 * utf8.c — decoding UTF-8, display width, and making record text safe to print. Records come from
 * users, imports and remote replicas, so no byte of theirs may reach a terminal as a control
 * sequence: everything printed to a terminal passes through term_safe() or term_text().
 */

#include "util.h"

#include <string.h>
#include <unistd.h>
#include <wchar.h>


size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

void str_copy_n(char *dst, size_t n, const char *src, size_t len)
{
	if (!src)
		len = 0;
	if (len >= n)
		for (len = n - 1; len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80; len--)
			;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void str_copy(char *dst, size_t n, const char *src)
{
	str_copy_n(dst, n, src, src ? strlen(src) : 0);
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Characters that could reorder or hide text on screen are shown as placeholders too. */
static bool hostile(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* The visible stand-in for a hostile or invalid character: control pictures (U+2400…) for C0 and
 * DEL, U+FFFD otherwise. Each is one column wide. */
static void placeholder(struct buf *b, uint32_t cp, bool valid)
{
	uint32_t r = !valid ? 0xfffd : cp < 0x20 ? 0x2400 + cp : cp == 0x7f ? 0x2421 : 0xfffd;
	char u[3] = { (char)(0xe0 | (r >> 12)), (char)(0x80 | ((r >> 6) & 0x3f)),
		      (char)(0x80 | (r & 0x3f)) };
	buf_add(b, u, 3);
}

static int cp_width(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7f) /* printable ASCII: most of any table, no table lookup */
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int w = 0;
	while (i < n) {
		uint32_t cp;
		if (p[i] >= 0x20 && p[i] < 0x7f) { /* printable ASCII: one column, nothing to decode */
			w++;
			i++;
			continue;
		}
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			w++;
			i++;
			continue;
		}
		w += hostile(cp) ? 1 : cp_width(cp);
		i += k;
	}
	return w;
}

int text_pad(const char *s, int w)
{
	int have = s ? utf8_width(s) : 0;
	return have < w ? w - have : 0;
}

static void safe(struct buf *b, const char *s, int maxw, int padw, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int w = 0;
	int total = maxw > 0 ? utf8_width(s) : 0;
	bool cut = maxw > 0 && total > maxw;
	int limit = cut ? maxw - 1 : maxw;
	while (i < n) {
		/* A run of printable ASCII goes in one copy (most of any table). */
		size_t j = i;
		while (j < n && p[j] >= 0x20 && p[j] < 0x7f && (limit <= 0 || w + (int)(j - i) < limit))
			j++;
		if (j > i) {
			buf_add(b, p + i, j - i);
			w += (int)(j - i);
			i = j;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		bool valid = k != 0;
		int cw = !valid || hostile(cp) ? 1 : cp_width(cp);
		if (multiline && valid && (cp == '\n' || cp == '\t')) {
			buf_addc(b, (char)cp);
			i += k;
			continue;
		}
		if (limit > 0 && w + cw > limit)
			break;
		if (!valid || hostile(cp))
			placeholder(b, valid ? cp : 0, valid);
		else
			buf_add(b, p + i, k);
		w += cw;
		i += valid ? k : 1;
	}
	if (cut) {
		buf_adds(b, "\xe2\x80\xa6");
		w++;
	}
	while (w < padw) {
		buf_addc(b, ' ');
		w++;
	}
}

void term_safe(struct buf *b, const char *s, int maxw, int padw)
{
	safe(b, s, maxw, padw, false);
}

void term_text(struct buf *b, const char *s)
{
	safe(b, s, 0, 0, true);
}

bool isatty_out(void)
{
	return isatty(STDOUT_FILENO) != 0;
}
