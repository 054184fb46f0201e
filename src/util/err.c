/*
 * err.c — the error carrier: every fallible function in rapport reports through a struct err so
 * that the message that reaches the user names the record, field and value at fault. Also the
 * test hooks that stop or pause a run at a named step.
 */
#include "util.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), gettext(fmt), ap);
	va_end(ap);
	return code;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof(e->msg)];
	va_list ap;
	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), gettext(fmt), ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	size_t n = strlen(pre);
	if (n + 2 >= sizeof(e->msg))
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, pre, n);
	memcpy(e->msg + n, ": ", 2);
	snprintf(e->msg + n + 2, sizeof(e->msg) - n - 2, "%.*s", (int)(sizeof(e->msg) - n - 3), old);
}

void err_clear(struct err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

int err_exit_status(int code)
{
	switch (code) {
	case ROK: return 0;
	case RERR_USAGE:
	case RERR_INPUT:
	case RERR_NOTFOUND: return 2;
	default: return 1;
	}
}

void crashpoint(const char *step)
{
	const char *c = getenv("RAPPORT_CRASH"), *p = getenv("RAPPORT_PAUSE");
	if (c && !strcmp(c, step)) {
		fprintf(stderr, "rapport: RAPPORT_CRASH: killed at '%s'\n", step);
		raise(SIGKILL);
	}
	/* For tests of work done while this runs: a marker file, then a pause. */
	if (p && !strncmp(p, step, strlen(step)) && p[strlen(step)] == ':') {
		FILE *f = fopen(p + strlen(step) + 1, "w");
		if (f)
			fclose(f);
		sleep(3);
	}
}
