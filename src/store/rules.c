/*
 * rules.c — running rule conditions (rapport-rules(5)) safely. A condition is an SQL
 * expression written by a team member and synced to everyone, so it runs as
 * `SELECT * FROM <view of the watched kind> WHERE (<condition>)` in a sandbox, and this file
 * owns that sandbox:
 *  - a connection of its own, read-only, on the workspace's database (opened on first use,
 *    closed with the store), holding its own copy of the views and the rules' temp tables
 *    (health scores, earned value: store_health_put, store_evm_put);
 *  - an authorizer that allows reading the documented views and nothing else: no writes, no
 *    ATTACH, no pragma, no recursive query, no extension loading, no other table;
 *  - bounds on what one condition may cost: time (a progress handler), the size of any value
 *    (SQLITE_LIMIT_LENGTH), memory (SQLite's heap limit, which is per process), temporary
 *    files (a VFS that counts them: a sort larger than memory spills to disk), the size of
 *    what it compiles to (expression depth, compound selects, arguments, program length), and
 *    the work of the few built-in functions one call of which can outlast the time limit
 *    (like, glob, instr, replace, two-argument trim and json_patch, whose cost grows with the
 *    product of their inputs; printf's repeated %c): the sandbox replaces them with versions
 *    that refuse such inputs and compute the built-in on a private in-memory connection.
 * Why a connection of its own: an out-of-memory error in a read inside a write transaction
 * rolls back that whole transaction (SQLite 3.40 does), and a built-in function overridden on
 * a connection cannot be restored (deleting the override leaves "wrong number of arguments")
 * — so neither may happen on the connection the rest of rapport writes with.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The largest value a condition may make: 16 times the largest value a record can hold (a
 * record's snapshot file is at most SYNC_MAX_FILE, 1 MiB), so hex() of any field, or a list of
 * a column over a large workspace, still fits; small enough that one function call on it is
 * over in milliseconds, so the progress handler's checks between calls stay frequent. */
#define RULE_MAX_VALUE (RULE_VALUE_MIB << 20)
#define RULE_MEMORY ((sqlite3_int64)RULE_MEMORY_MIB << 20)
#define RULE_MAX_CONDITION (64 << 10)
/* Temporary files of the sandbox at once (its temp database, sorts that outgrow memory). A
 * sort of large values writes about half a gigabyte a second; the time limit alone would
 * let one rule put a gigabyte in the page cache (or in RAM, where /var/tmp is a tmpfs). */
#define RULE_TEMP_MIB 128
#define RULE_TEMP ((sqlite3_int64)RULE_TEMP_MIB << 20)
/* The bounded functions refuse inputs whose sizes in bytes multiply past this: at worst
 * (LIKE '%aaa…b' over 'aaa…', trim with a long set) about 0.1-0.2 s for one call. */
#define RULE_WORK ((sqlite3_int64)1 << 26)
/* Rows of the watched view a trial evaluates the condition on. */
#define RULE_TRIAL_ROWS 100
/* The progress handler's period, in virtual machine steps: often enough that even steps that
 * each handle a value of the largest size add up to a fraction of a second between checks. */
#define RULE_PROGRESS_STEPS 16

/* rtreecheck reads the tables it is named, on this connection. */
static const char *const denied_functions[] = {
	"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "zipfile", "rtreecheck",
};

#define FN_MAX_ARGS 32 /* SQLITE_LIMIT_FUNCTION_ARG while rules compile */

/* Per-connection limits while a rule is compiled and run; the previous values come back
 * after. The views are compiled before (CREATE VIEW), and the sandbox's own statements
 * (status date, facts for rules) run between rules with SQLite's defaults. */
static const struct {
	int id, value;
} limits[] = {
	{ SQLITE_LIMIT_LENGTH, RULE_MAX_VALUE },
	{ SQLITE_LIMIT_SQL_LENGTH, RULE_MAX_CONDITION + 512 },
	{ SQLITE_LIMIT_EXPR_DEPTH, 100 },
	{ SQLITE_LIMIT_COMPOUND_SELECT, 16 },
	{ SQLITE_LIMIT_FUNCTION_ARG, FN_MAX_ARGS },
	{ SQLITE_LIMIT_VDBE_OP, 100000 },
	{ SQLITE_LIMIT_VARIABLE_NUMBER, 0 }, /* a condition has no parameters */
	{ SQLITE_LIMIT_ATTACHED, 0 },
	{ SQLITE_LIMIT_WORKER_THREADS, 0 }, /* no other thread inside SQLite: see the heap limit */
};

/* The functions the sandbox bounds, how, and the query computing the built-in for them
 * (nargs -1: any number, the query made per number). */
enum bound { B_PRODUCT, B_PRINTF };
static const struct {
	const char *name;
	int nargs;
	enum bound how;
	const char *sql;
} bounded[] = {
	{ "like", 2, B_PRODUCT, "SELECT like(?1, ?2)" },
	{ "like", 3, B_PRODUCT, "SELECT like(?1, ?2, ?3)" },
	{ "glob", 2, B_PRODUCT, "SELECT glob(?1, ?2)" },
	{ "instr", 2, B_PRODUCT, "SELECT instr(?1, ?2)" },
	{ "replace", 3, B_PRODUCT, "SELECT replace(?1, ?2, ?3)" },
	{ "trim", 2, B_PRODUCT, "SELECT trim(?1, ?2)" },
	{ "ltrim", 2, B_PRODUCT, "SELECT ltrim(?1, ?2)" },
	{ "rtrim", 2, B_PRODUCT, "SELECT rtrim(?1, ?2)" },
	/* Merges by looking every key of one up among the keys of the other. */
	{ "json_patch", 2, B_PRODUCT, "SELECT json_patch(?1, ?2)" },
	/* '%.*c' repeats a character one append at a time, on past the length limit: a count
	 * of 2^31 is seconds in one call. */
	{ "printf", -1, B_PRINTF, "printf" },
	{ "format", -1, B_PRINTF, "format" },
};

/* One rule's compile or run: its deadline, and what stopped it. */
struct run {
	struct timespec end;
	double seconds;
	bool hit;      /* the time ran out */
	char why[200]; /* a bounded function refused its inputs */
};

struct sandbox;
struct fnref {
	struct sandbox *sb;
	size_t i; /* in bounded[] */
};

struct sandbox {
	struct store *st; /* the read-only connection */
	sqlite3 *fn;      /* in-memory: where the bounded functions compute the built-ins */
	sqlite3_stmt *fn_stmt[ARRAY_LEN(bounded)][FN_MAX_ARGS + 1]; /* by number of arguments */
	struct fnref refs[ARRAY_LEN(bounded)];
	struct run *run; /* while a rule is compiled or run */
	bool batch;      /* a transaction of facts for rules is open (store_evm_put...) */
	int saved[ARRAY_LEN(limits)];
	sqlite3_int64 hard, soft; /* the heap limits before the rule's */
};

/* ---- the sandbox's VFS: the default one, counting temporary files ---- */

#define TEMP_FLAGS                                                                              \
	(SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TRANSIENT_DB |           \
	 SQLITE_OPEN_SUBJOURNAL)
#define RULES_VFS "rapport-rules"

struct tfile {
	sqlite3_file base;
	sqlite3_file *real; /* right after this struct, in the same allocation */
	sqlite3_int64 size; /* as far as it was written: what temp_used counts */
};

static sqlite3_vfs *real_vfs;
static sqlite3_int64 temp_used; /* bytes of the sandbox's temporary files now */
static bool temp_refused;       /* a write was refused since the last guard_on */

static int t_close(sqlite3_file *f)
{
	struct tfile *t = (struct tfile *)f;
	temp_used -= t->size;
	return t->real->pMethods->xClose(t->real);
}

static int t_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xRead(t->real, buf, n, off);
}

static int t_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	struct tfile *t = (struct tfile *)f;
	sqlite3_int64 end = off + n;
	if (end > t->size) {
		if (temp_used + (end - t->size) > RULE_TEMP) {
			temp_refused = true;
			return SQLITE_FULL;
		}
		temp_used += end - t->size;
		t->size = end;
	}
	return t->real->pMethods->xWrite(t->real, buf, n, off);
}

static int t_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct tfile *t = (struct tfile *)f;
	if (size < t->size) {
		temp_used -= t->size - size;
		t->size = size;
	}
	return t->real->pMethods->xTruncate(t->real, size);
}

static int t_sync(sqlite3_file *f, int flags)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xSync(t->real, flags);
}

static int t_filesize(sqlite3_file *f, sqlite3_int64 *size)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xFileSize(t->real, size);
}

static int t_lock(sqlite3_file *f, int lock)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xLock(t->real, lock);
}

static int t_unlock(sqlite3_file *f, int lock)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xUnlock(t->real, lock);
}

static int t_reserved(sqlite3_file *f, int *out)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xCheckReservedLock(t->real, out);
}

static int t_control(sqlite3_file *f, int op, void *arg)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xFileControl(t->real, op, arg);
}

static int t_sector(sqlite3_file *f)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xSectorSize(t->real);
}

static int t_devchar(sqlite3_file *f)
{
	struct tfile *t = (struct tfile *)f;
	return t->real->pMethods->xDeviceCharacteristics(t->real);
}

/* Version 1: no shared memory (temporary files have none) and no memory mapping, which would
 * write around t_write. */
static const sqlite3_io_methods t_methods = {
	1,	  t_close, t_read,   t_write,  t_truncate, t_sync,	t_filesize,
	t_lock,	  t_unlock, t_reserved, t_control, t_sector,	t_devchar, NULL,
	NULL,	  NULL,	    NULL,     NULL,	NULL,
};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	(void)v;
	if (!(flags & TEMP_FLAGS)) /* the database, its WAL: the default VFS's own, as they are */
		return real_vfs->xOpen(real_vfs, name, f, flags, out);
	struct tfile *t = (struct tfile *)f;
	t->real = (sqlite3_file *)(t + 1);
	t->size = 0;
	t->real->pMethods = NULL;
	int rc = real_vfs->xOpen(real_vfs, name, t->real, flags, out);
	if (rc != SQLITE_OK && t->real->pMethods)
		t->real->pMethods->xClose(t->real); /* SQLite closes only what it was handed */
	t->base.pMethods = rc == SQLITE_OK ? &t_methods : NULL;
	return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real_vfs->xSleep(real_vfs, us);
}

static int v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_lasterror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64)
		return real_vfs->xCurrentTimeInt64(real_vfs, out);
	double d;
	int rc = real_vfs->xCurrentTime(real_vfs, &d);
	*out = (sqlite3_int64)(d * 86400000.0);
	return rc;
}

/* Extension loading stays off in the sandbox (no xDlOpen): load_extension is refused anyway. */
static sqlite3_vfs rules_vfs = {
	2, 0, 0, NULL, RULES_VFS, NULL, v_open, v_delete, v_access, v_fullpath, NULL, NULL, NULL,
	NULL, v_random, v_sleep, v_time, v_lasterror, v_time64, NULL, NULL, NULL,
};

static int vfs_register(struct err *e)
{
	if (real_vfs)
		return 0;
	sqlite3_vfs *d = sqlite3_vfs_find(NULL);
	if (!d)
		return err_set(e, RERR_RUNTIME, "rules: SQLite has no default VFS");
	rules_vfs.szOsFile = (int)sizeof(struct tfile) + d->szOsFile;
	rules_vfs.mxPathname = d->mxPathname;
	real_vfs = d;
	if (sqlite3_vfs_register(&rules_vfs, 0) != SQLITE_OK) {
		real_vfs = NULL;
		return err_set(e, RERR_RUNTIME, "rules: cannot register a VFS");
	}
	return 0;
}

static int authorize(void *ud, int action, const char *a3, const char *a4, const char *db,
		     const char *view)
{
	(void)ud;
	(void)db;
	switch (action) {
	case SQLITE_SELECT:
		return SQLITE_OK;
	case SQLITE_READ:
		/* Directly from the rule, only the views; inside a view, what the view reads. */
		return store_rule_readable(view) || store_rule_readable(a3) ? SQLITE_OK : SQLITE_DENY;
	case SQLITE_FUNCTION:
		for (size_t i = 0; i < ARRAY_LEN(denied_functions); i++)
			if (a4 && !strcmp(a4, denied_functions[i]))
				return SQLITE_DENY;
		return SQLITE_OK;
	default: /* SQLITE_RECURSIVE among them: a recursive CTE can run without end */
		return SQLITE_DENY;
	}
}

static void clock_read(struct timespec *t)
{
	/* The coarse clock costs a few nanoseconds; its few milliseconds of grain do not matter
	 * against a limit in seconds. */
#ifdef CLOCK_MONOTONIC_COARSE
	clock_gettime(CLOCK_MONOTONIC_COARSE, t);
#else
	clock_gettime(CLOCK_MONOTONIC, t);
#endif
}

static bool time_up(struct run *r)
{
	struct timespec now;
	clock_read(&now);
	if (now.tv_sec > r->end.tv_sec || (now.tv_sec == r->end.tv_sec && now.tv_nsec > r->end.tv_nsec))
		r->hit = true;
	return r->hit;
}

static int progress(void *p)
{
	return time_up(p);
}

/* The size a value has as text or blob, without converting it (which would change what the
 * built-in sees): numbers are short. */
static sqlite3_int64 value_size(sqlite3_value *v)
{
	switch (sqlite3_value_type(v)) {
	case SQLITE_TEXT:
	case SQLITE_BLOB: return sqlite3_value_bytes(v);
	case SQLITE_NULL: return 0;
	default: return 32;
	}
}

/* Whether printf(argv[0], argv[1]...) has a %c repeated more times than a value may be
 * long: its result could only be too big, after as many appends. Reads the format the way
 * SQLite 3.40 does (flags, width and precision in any order, each '*' taking the next
 * argument as an int; an unknown conversion ends the output). */
static bool printf_too_big(int argc, sqlite3_value **argv)
{
	const unsigned char *f = argc > 0 ? sqlite3_value_text(argv[0]) : NULL;
	int arg = 1;
	for (; f && *f; f++) {
		if (*f != '%')
			continue;
		unsigned char c = *++f;
		long long precision = -1;
		bool done = false;
		if (!c)
			break;
		do {
			switch (c) {
			case '-':
			case '+':
			case ' ':
			case '#':
			case '!':
			case '0':
			case ',': break;
			default: done = true; break;
			case 'l':
				if ((c = *++f) == 'l')
					c = *++f;
				done = true;
				break;
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
			case '8':
			case '9':
				while ((c = *++f) >= '0' && c <= '9')
					;
				if (c != '.' && c != 'l')
					done = true;
				else
					f--;
				break;
			case '*':
				arg++;
				if ((c = f[1]) != '.' && c != 'l') {
					c = *++f;
					done = true;
				}
				break;
			case '.':
				c = *++f;
				if (c == '*') {
					int p = arg < argc ? (int)sqlite3_value_int64(argv[arg]) : 0;
					precision = p >= 0 ? p : p >= -2147483647 ? -(long long)p : -1;
					arg++;
					c = *++f;
				} else {
					unsigned px = 0;
					for (; c >= '0' && c <= '9'; c = *++f)
						px = px * 10 + (unsigned)(c - '0');
					precision = px & 0x7fffffff;
				}
				if (c == 'l')
					f--;
				else
					done = true;
				break;
			}
		} while (!done && (c = *++f) != 0);
		if (!c)
			break;
		if (c == 'c' && precision > RULE_MAX_VALUE)
			return true;
		if (c == '%' || c == 'n')
			continue; /* no argument */
		if (!strchr("dsgzqQwcoxXiufeEGpr", c))
			return false; /* SQLite stops here */
		arg++;
	}
	return false;
}

/* A bounded function: checks the rule's time, refuses inputs it could not finish in time
 * or that could only make a value too big, else hands the arguments to the built-in on the
 * in-memory connection and returns its result as is. */
static void bounded_call(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct fnref *f = sqlite3_user_data(ctx);
	struct sandbox *sb = f->sb;
	struct run *r = sb->run;
	if (r && time_up(r)) {
		sqlite3_result_error(ctx, _("interrupted"), -1);
		return;
	}
	if (argc > FN_MAX_ARGS) {
		sqlite3_result_error(ctx, _("too many arguments"), -1);
		return;
	}
	if (bounded[f->i].how == B_PRINTF && printf_too_big(argc, argv)) {
		sqlite3_result_error_toobig(ctx);
		return;
	}
	sqlite3_int64 a = argc > 1 ? value_size(argv[0]) : 0, b = argc > 1 ? value_size(argv[1]) : 0;
	if (bounded[f->i].how == B_PRODUCT && a && b && a > RULE_WORK / b) {
		if (r)
			snprintf(r->why, sizeof r->why,
				 _("%s() on values of %lld and %lld bytes is more work than a rule may "
				   "do (their sizes may multiply to %lld)"),
				 bounded[f->i].name, (long long)a, (long long)b, (long long)RULE_WORK);
		sqlite3_result_error(ctx, _("more work than a rule may do"), -1);
		return;
	}
	sqlite3_stmt **s = &sb->fn_stmt[f->i][argc];
	if (!*s) {
		struct buf q = BUF_INIT;
		if (bounded[f->i].nargs >= 0) {
			buf_adds(&q, bounded[f->i].sql);
		} else {
			buf_addf(&q, "SELECT %s(", bounded[f->i].sql);
			for (int i = 0; i < argc; i++)
				buf_addf(&q, "%s?%d", i ? ", " : "", i + 1);
			buf_adds(&q, ")");
		}
		int rc = sqlite3_prepare_v2(sb->fn, q.data, -1, s, NULL);
		buf_release(&q);
		if (rc != SQLITE_OK) {
			sqlite3_result_error(ctx, sqlite3_errmsg(sb->fn), -1);
			return;
		}
	}
	for (int i = 0; i < argc; i++)
		sqlite3_bind_value(*s, i + 1, argv[i]);
	if (sqlite3_step(*s) == SQLITE_ROW) {
		sqlite3_result_value(ctx, sqlite3_column_value(*s, 0));
	} else {
		int code = sqlite3_errcode(sb->fn);
		if (code == SQLITE_NOMEM)
			sqlite3_result_error_nomem(ctx);
		else if (code == SQLITE_TOOBIG)
			sqlite3_result_error_toobig(ctx);
		else
			sqlite3_result_error(ctx, sqlite3_errmsg(sb->fn), -1);
	}
	sqlite3_reset(*s);
	sqlite3_clear_bindings(*s); /* lets go of copies of large values now */
}

static int batch_end(struct sandbox *sb, struct err *e)
{
	if (!sb->batch)
		return 0;
	sb->batch = false;
	return store_exec(sb->st, "COMMIT", e);
}

void store_sandbox_close(struct sandbox *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; i < ARRAY_LEN(bounded); i++)
		for (size_t k = 0; k <= FN_MAX_ARGS; k++)
			sqlite3_finalize(sb->fn_stmt[i][k]);
	sqlite3_close(sb->fn);
	store_close(sb->st); /* an open batch is rolled back: it was for this process only */
	free(sb);
}

static int sandbox_open(struct store *st, struct sandbox **out, struct err *e)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	*out = NULL;
	int rc = vfs_register(e);
	if (!rc)
		rc = store_open_readonly(st, RULES_VFS, &sb->st, e);
	if (rc) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		free(sb);
		return err_set(e, rc, "rules need the workspace database on disk: %s", why);
	}
	if (sqlite3_open_v2(":memory:", &sb->fn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = err_set(e, RERR_RUNTIME, "rules: cannot open an in-memory database: %s",
			     sb->fn ? sqlite3_errmsg(sb->fn) : _("out of memory"));
		store_sandbox_close(sb);
		return rc;
	}
	store_fx_prepare(sb->st);
	sqlite3_limit(sb->fn, SQLITE_LIMIT_LENGTH, RULE_MAX_VALUE);
	sqlite3_limit(sb->fn, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
	/* Overridden for good: this connection runs nothing but rules and the views, which use
	 * none of these. */
	for (size_t i = 0; i < ARRAY_LEN(bounded) && !rc; i++) {
		sb->refs[i] = (struct fnref){ sb, i };
		if (sqlite3_create_function_v2(sb->st->db, bounded[i].name, bounded[i].nargs,
					       SQLITE_UTF8 | SQLITE_DETERMINISTIC, &sb->refs[i],
					       bounded_call, NULL, NULL, NULL) != SQLITE_OK)
			rc = store_sqlerr(sb->st, e, "rules");
	}
	if (rc) {
		store_sandbox_close(sb);
		return rc;
	}
	*out = sb;
	return 0;
}

/* The sandbox of st, opened on first use, its views at st's status date (today when st has
 * none yet). */
static int sandbox_get(struct store *st, struct sandbox **out, struct err *e)
{
	int rc;
	if (!st->sandbox && (rc = sandbox_open(st, &st->sandbox, e)))
		return rc;
	struct sandbox *sb = st->sandbox;
	char today[11];
	fmt_date(today, clock_now());
	const char *date = st->asof[0] ? st->asof : today;
	*out = sb;
	if (!strcmp(sb->st->asof, date))
		return 0;
	/* A new date: the facts for rules of the old one go (store_asof empties them). */
	if ((rc = batch_end(sb, e)))
		return rc;
	return store_asof(sb->st, date, e);
}

/* Puts the bounds on: from here until guard_off, nothing but the rule may run in SQLite in
 * this process (the heap limit counts every connection's memory). */
static int guard_on(struct sandbox *sb, struct run *r, double seconds, struct err *e)
{
	sqlite3 *db = sb->st->db;
	int rc;
	if (store_readers_open() > 0)
		return err_set(e, RERR_RUNTIME, "rules: a second connection is open; rules run only "
						"while no other thread uses the database");
	/* A rule reads the facts for rules as of now: commit them first. */
	if ((rc = batch_end(sb, e)))
		return rc;
	*r = (struct run){ .seconds = seconds };
	temp_refused = false;
	clock_read(&r->end);
	r->end.tv_sec += (time_t)seconds;
	r->end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (r->end.tv_nsec >= 1000000000) {
		r->end.tv_sec++;
		r->end.tv_nsec -= 1000000000;
	}
	for (size_t i = 0; i < ARRAY_LEN(limits); i++)
		sb->saved[i] = sqlite3_limit(db, limits[i].id, limits[i].value);
	/* The heap limit is per process: SQLite's memory in use now, plus the rule's budget
	 * (a tighter limit already set stays). Setting it also sets the soft limit, which makes
	 * the page cache reuse its pages rather than fail when memory runs short. */
	sb->hard = sqlite3_hard_heap_limit64(-1);
	sb->soft = sqlite3_soft_heap_limit64(-1);
	sqlite3_int64 lim = sqlite3_memory_used() + RULE_MEMORY;
	if (sb->hard > 0 && sb->hard < lim)
		lim = sb->hard;
	sqlite3_hard_heap_limit64(lim);
	sqlite3_progress_handler(db, RULE_PROGRESS_STEPS, progress, r);
	sqlite3_set_authorizer(db, authorize, NULL);
	sb->run = r;
	return 0;
}

static void guard_off(struct sandbox *sb)
{
	sqlite3 *db = sb->st->db;
	sqlite3_set_authorizer(db, NULL, NULL);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	/* Both: restoring the hard limit alone would leave the soft one (and with it the page
	 * cache's "memory is short") set. */
	sqlite3_hard_heap_limit64(sb->hard);
	sqlite3_soft_heap_limit64(sb->soft);
	for (size_t i = 0; i < ARRAY_LEN(limits); i++)
		sqlite3_limit(db, limits[i].id, sb->saved[i]);
	sb->run = NULL;
}

/* Why a rule's statement failed, in words that say what to change. */
static int why(struct sandbox *sb, int code, struct err *e)
{
	struct run *r = sb->run;
	switch (code & 0xff) {
	case SQLITE_NOMEM:
		return err_set(e, RERR_INPUT, "stopped: needed more than %d MiB", RULE_MEMORY_MIB);
	case SQLITE_TOOBIG:
		return err_set(e, RERR_INPUT, "stopped: a value would be larger than %d MiB",
			       RULE_VALUE_MIB);
	case SQLITE_INTERRUPT:
		return err_set(e, RERR_INPUT, "stopped: ran longer than %g s", r->seconds);
	case SQLITE_FULL:
		if (temp_refused)
			return err_set(e, RERR_INPUT, "stopped: needed more than %d MiB of temporary files",
				       RULE_TEMP_MIB);
		return store_sqlerr(sb->st, e, "rule");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		return store_sqlerr(sb->st, e, "rule");
	}
	if (r->why[0])
		return err_set(e, RERR_INPUT, "stopped: %s", r->why);
	if (r->hit)
		return err_set(e, RERR_INPUT, "stopped: ran longer than %g s", r->seconds);
	return err_set(e, RERR_INPUT, "%s", sqlite3_errmsg(sb->st->db));
}

/* Compiles the rule's statement under the bounds (guard_on): the rule itself, or with trial,
 * a count of the rows it matches among the first RULE_TRIAL_ROWS of its view — or, when the
 * view is empty, one row of NULLs, so the condition is evaluated at least once. */
static int prepare(struct sandbox *sb, const char *watch, const char *expr, bool trial,
		   const char *id, sqlite3_stmt **out, struct err *e)
{
	const char *view = store_watch_view(watch);
	*out = NULL;
	if (!view)
		return err_set(e, RERR_INPUT, "'%s' is not a kind rules can watch", watch ? watch : "");
	if (!expr || !*expr)
		return err_set(e, RERR_INPUT, "the condition is empty");
	if (strlen(expr) > RULE_MAX_CONDITION)
		return err_set(e, RERR_INPUT, "the condition is longer than %d KiB",
			       RULE_MAX_CONDITION >> 10);
	/* In the trial the view's rows come through a subquery named like the view, so
	 * task_status.late_days means the same in both. */
	char *sql = trial ? xasprintf("SELECT count(*) FROM (SELECT v.* FROM (SELECT 1) LEFT JOIN "
				      "(SELECT * FROM %s LIMIT %d) AS v) AS %s WHERE (%s\n)",
				      view, RULE_TRIAL_ROWS, view, expr)
			  : id ? xasprintf("SELECT 1 FROM %s WHERE id = '%s' AND (%s\n)", view, id, expr)
			  : xasprintf("SELECT * FROM %s WHERE (%s\n)", view, expr);
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(sb->st->db, sql, -1, out, &tail);
	if (rc != SQLITE_OK) {
		const char *m = sqlite3_errmsg(sb->st->db);
		if (strstr(m, "not authorized") || strstr(m, "prohibited"))
			rc = err_set(e, RERR_INPUT, "reads or does something rules may not (only the "
						    "documented views can be read; no writes, "
						    "ATTACH, pragmas, recursive queries or extensions)");
		else if ((rc & 0xff) == SQLITE_NOMEM || (rc & 0xff) == SQLITE_TOOBIG)
			rc = why(sb, rc, e);
		else
			rc = err_set(e, RERR_INPUT, "%s", m);
	} else if (tail && tail[strspn(tail, " \t\r\n")]) {
		rc = err_set(e, RERR_INPUT, "one expression, not several statements");
	} else if (!sqlite3_stmt_readonly(*out)) {
		rc = err_set(e, RERR_INPUT, "a condition may only read");
	}
	if (rc) {
		sqlite3_finalize(*out);
		*out = NULL;
	}
	free(sql);
	return rc;
}

/* Compiles (and with trial, tries) a condition in the sandbox. */
static int check(struct store *st, const char *watch, const char *expr, bool trial,
		 struct err *e)
{
	struct sandbox *sb;
	struct run r;
	sqlite3_stmt *s = NULL;
	int rc = sandbox_get(st, &sb, e);
	if (rc || (rc = guard_on(sb, &r, RULE_SECONDS, e)))
		return rc;
	rc = prepare(sb, watch, expr, trial, NULL, &s, e);
	if (!rc && trial) {
		int step;
		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			;
		if (step != SQLITE_DONE)
			rc = why(sb, step, e);
	}
	sqlite3_finalize(s);
	guard_off(sb);
	return rc;
}

int store_rule_compile(struct store *st, const char *watch, const char *expr, struct err *e)
{
	return check(st, watch, expr, false, e);
}

int store_rule_trial(struct store *st, const char *watch, const char *expr, struct err *e)
{
	return check(st, watch, expr, true, e);
}

int store_rule_run(struct store *st, const char *watch, const char *expr, double seconds,
		   int (*cb)(int n, const char *const *names, const char *const *vals, void *ctx),
		   void *ctx, struct err *e)
{
	struct sandbox *sb;
	struct run r;
	sqlite3_stmt *s;
	int rc = sandbox_get(st, &sb, e), step;
	if (rc || (rc = guard_on(sb, &r, seconds, e)))
		return rc;
	if ((rc = prepare(sb, watch, expr, false, NULL, &s, e))) {
		guard_off(sb);
		return rc;
	}
	/* The authorizer stays on while it runs: a re-prepare after a schema change is checked
	 * too. Rows are copied out and the statement finished before cb runs: cb writes (alerts,
	 * tasks) on the store's own connection, outside the bounds. */
	int n = sqlite3_column_count(s);
	struct strv names = STRV_INIT, cells = STRV_INIT;
	struct strv nulls = STRV_INIT; /* "1" where a cell is NULL */
	for (int i = 0; i < n; i++)
		strv_push(&names, sqlite3_column_name(s, i));
	size_t rows = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);
			strv_push(&cells, v ? v : "");
			strv_push(&nulls, v ? "" : "1");
		}
		rows++;
	}
	if (step != SQLITE_DONE)
		rc = why(sb, step, e);
	sqlite3_finalize(s);
	guard_off(sb);
	const char **vals = xcalloc((size_t)n + 1, sizeof(char *));
	for (size_t k = 0; !rc && k < rows; k++) {
		for (int i = 0; i < n; i++) {
			size_t c = k * (size_t)n + (size_t)i;
			vals[i] = nulls.v[c][0] ? NULL : cells.v[c];
		}
		rc = cb(n, (const char *const *)names.v, vals, ctx);
	}
	free(vals);
	strv_clear(&names);
	strv_clear(&cells);
	strv_clear(&nulls);
	return rc;
}

int store_rule_holds(struct store *st, const char *watch, const char *expr, const char *id,
		     bool *holds, struct err *e)
{
	struct sandbox *sb;
	struct run r;
	sqlite3_stmt *s = NULL;
	int rc = sandbox_get(st, &sb, e);
	*holds = false;
	/* The sandbox allows no parameters: the id goes in as a literal, so it must be one. */
	if (!id_is_hex(id, 32, 32))
		return err_set(e, RERR_INPUT, "'%s' is not a record id", id);
	if (rc || (rc = guard_on(sb, &r, RULE_SECONDS, e)))
		return rc;
	if (!(rc = prepare(sb, watch, expr, false, id, &s, e))) {
		int step = sqlite3_step(s);
		if (step == SQLITE_ROW)
			*holds = true;
		else if (step != SQLITE_DONE)
			rc = why(sb, step, e);
	}
	sqlite3_finalize(s);
	guard_off(sb);
	return rc;
}

/* The facts for rules go to the sandbox's temp tables, in one transaction there that the
 * next rule (or a new status date) commits. */
static int facts_target(struct store *st, struct store **out, struct err *e)
{
	struct sandbox *sb;
	int rc = sandbox_get(st, &sb, e);
	if (!rc && !sb->batch) {
		rc = store_exec(sb->st, "BEGIN", e);
		sb->batch = !rc;
	}
	*out = rc ? NULL : sb->st;
	return rc;
}

int store_health_put(struct store *main_st, const char *id, double score, const char *band,
		     double confidence, struct err *e)
{
	struct store *st;
	int rc = facts_target(main_st, &st, e);
	if (rc)
		return rc;
	return store_put(st, &st->health_put,
			 "INSERT OR REPLACE INTO temp.health_scores(id, score, band, confidence) "
			 "VALUES(?, ?, ?, ?)",
			 "health scores", e, "tdtd", id, score, band, confidence);
}

int store_evm_put(struct store *main_st, const struct project_facts *f, double health,
		  const char *band, struct err *e)
{
	struct store *st;
	int rc = facts_target(main_st, &st, e);
	if (rc)
		return rc;
	rc = store_stmt(st, &st->evm_put,
			    "INSERT OR REPLACE INTO temp.project_evm SELECT p.id, p.id, p.customer, "
			    "  p.name, p.status, p.manager, p.start, p.due, p.budget, p.rate, p.contract, "
			    "  ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
			    "  CASE WHEN ?4 > 0 THEN 100.0 * ?7 / ?4 END, "
			    "  CASE WHEN ?4 > 0 THEN 100.0 * ?6 / ?4 END "
			    "FROM project p WHERE p.id = ?1",
			    e);
	sqlite3_stmt *s = st->evm_put;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
	if (band)
		sqlite3_bind_double(s, 2, health);
	sqlite3_bind_text(s, 3, band, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, f->bac);
	sqlite3_bind_double(s, 5, f->pv);
	sqlite3_bind_double(s, 6, f->ev);
	sqlite3_bind_double(s, 7, f->ac);
	sqlite3_bind_double(s, 8, f->hours);
	if (f->has_spi)
		sqlite3_bind_double(s, 9, f->spi);
	if (f->has_cpi)
		sqlite3_bind_double(s, 10, f->cpi);
	if (f->has_eac) {
		sqlite3_bind_double(s, 11, f->eac);
		sqlite3_bind_double(s, 12, f->vac);
	}
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "project_evm");
	sqlite3_reset(s);
	return rc;
}
