/*
 * buf.c — memory helpers, the growable buffer and the string vector. The buffer's data pointer is
 * never NULL (an empty buffer points at a shared empty string), so callers can always print it.
 */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char buf_empty_[1];

static void oom(void)
{
	fputs("rapport: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

char *xasprintf_said(char **shown, const char *fmt, ...)
{
	struct buf en = BUF_INIT, loc = BUF_INIT;
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	buf_vaddf(&en, fmt, ap);
	buf_vaddf(&loc, gettext(fmt), ap2);
	va_end(ap2);
	va_end(ap);
	*shown = buf_detach(&loc);
	return buf_detach(&en);
}

void buf_init(struct buf *b)
{
	b->data = buf_empty_;
	b->len = b->cap = 0;
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b);
}

char *buf_detach(struct buf *b)
{
	char *p = b->cap ? b->data : xstrdup("");
	buf_init(b);
	return p;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	if (b->cap)
		b->data = xrealloc(b->data, cap);
	else {
		b->data = xmalloc(cap);
		b->data[0] = '\0';
	}
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_addrep(struct buf *b, char c, size_t n)
{
	buf_grow(b, n);
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void strv_push_owned(struct strv *s, char *str)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void strv_push(struct strv *s, const char *str)
{
	strv_push_owned(s, xstrdup(str));
}

void strv_clear(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

bool strv_has(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

void strv_remove(struct strv *s, const char *str)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str))
			s->v[k++] = s->v[i];
		else
			free(s->v[i]);
	s->n = k;
}

void strv_split(struct strv *out, const char *s, char sep)
{
	while (s && *s) {
		const char *end = strchr(s, sep);
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *a = s, *z = s + n;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (z > a)
			strv_push_owned(out, xstrndup(a, (size_t)(z - a)));
		s = end ? end + 1 : NULL;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
}

char *strv_join(const struct strv *s, const char *sep)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			buf_adds(&b, sep);
		buf_adds(&b, s->v[i]);
	}
	return buf_detach(&b);
}

char *file_read(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

int run_editor(const char *path, struct err *e)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* $EDITOR may carry arguments, so the shell splits it; the path is "$1". */
		char *cmd = xasprintf("%s \"$1\"", ed);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return err_set(e, RERR_RUNTIME, "cannot start the editor (%s)", ed);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, RERR_RUNTIME, "the editor (%s) failed", ed);
	return 0;
}

char *fmt_money(double v)
{
	char raw[64];
	snprintf(raw, sizeof raw, "%.2f", fabs(v));
	char *dot = strchr(raw, '.');
	size_t ilen = (size_t)(dot - raw);
	struct buf b = BUF_INIT;
	if (v < -0.005)
		buf_addc(&b, '-');
	for (size_t i = 0; i < ilen; i++) {
		if (i && (ilen - i) % 3 == 0)
			buf_addc(&b, ',');
		buf_addc(&b, raw[i]);
	}
	buf_adds(&b, dot);
	return buf_detach(&b);
}

int file_write_atomic(const char *path, const void *data, size_t len, struct err *e)
{
	char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	int rc = 0;
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f)))
		rc = err_set(e, RERR_RUNTIME, "%s: %s", path, strerror(errno));
	if (f && fclose(f) && !rc)
		rc = err_set(e, RERR_RUNTIME, "%s: %s", path, strerror(errno));
	if (!rc && rename(tmp, path))
		rc = err_set(e, RERR_RUNTIME, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
