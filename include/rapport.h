/*
 * rapport.h — the project-wide conventions every layer shares: error codes, the error carrier
 * and the exit-status mapping. Functions return 0 on success or a negative RERR_* code, and fill
 * a caller-supplied `struct err` with a human message naming what was wrong and where.
 */
#ifndef RAPPORT_H
#define RAPPORT_H

#include <stddef.h>
#include <stdint.h>

#define RAPPORT_VERSION "0.1.0"

enum {
	ROK = 0,
	RERR_RUNTIME = -1, /* I/O, database, environment: exit 1 */
	RERR_USAGE = -2,   /* bad command line: exit 2 */
	RERR_INPUT = -3,   /* bad value, unknown id, failed validation: exit 2 */
	RERR_NOTFOUND = -4 /* lookup found nothing: exit 2 when the user named it */
};

/* The error carrier. `msg` is empty when no error has been set. */
struct err {
	int code;
	char msg[1024];
};

/* Sets e->code and formats e->msg; returns code so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with a context, "ctx: msg". */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
/* Maps an error code to the process exit status of rapport(1) EXIT STATUS (0, 1, 2). */
int err_exit_status(int code);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The plural ending for a count in a message: "%ld rule%s", n, PLURAL(n): "1 rule", "2 rules". */
#define PLURAL(n) ((n) == 1 ? "" : "s")

#endif
