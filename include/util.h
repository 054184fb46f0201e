/*
 * util.h — the bottom layer: growable buffers, string vectors, JSON output, ISO 8601 dates and
 * the clock, random ids, UTF-8 width and terminal-safe text. Nothing here knows about records.
 * Allocation failure aborts the process (xmalloc): rapport never limps on with a half-built value.
 */
#ifndef RAPPORT_UTIL_H
#define RAPPORT_UTIL_H

#include "rapport.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A reason said twice: returns it in English (for --json and storage) and sets *shown to the
 * same formatted in the interface language (fmt is a msgid, marked with N_()). Free both. */
char *xasprintf_said(char **shown, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer. `data` is never NULL and always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};
#define BUF_INIT { buf_empty_, 0, 0 }
extern char buf_empty_[];
void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Hands the bytes to the caller (who frees them) and resets b. */
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_addrep(struct buf *b, char c, size_t n);
/* An amount as "-1,234,567.89" (owned by the caller). */
char *fmt_money(double v);

/* ---- currencies (money.c) ---- */
/* The three-letter code (capitals) of what was typed: "cny", "¥", "RMB" and "人民币" are CNY;
 * NULL when it is no currency. The result is static until the thread's next call. */
const char *currency_code(const char *in);
/* An amount with its currency as a reader expects it: "¥1,234.00", "€5.00", "CHF 9.50";
 * cur NULL or "" (the team's currency, unnamed): the bare amount. Owned by the caller. */
char *fmt_amount(double v, const char *cur);
/* Totals kept per currency, sorted by code; "" is the team's unnamed currency. */
struct msum {
	struct {
		char cur[4];
		double v;
	} *v;
	size_t n, cap;
};
void msum_add(struct msum *m, const char *cur, double v);
/* The total when at most one currency is in it (*single), else 0 with *single false. */
double msum_one(const struct msum *m, bool *single);
/* "¥120,000.00 + €5,000.00"; "0.00" when empty. Owned by the caller. */
char *msum_fmt(const struct msum *m);
void msum_free(struct msum *m);

/* A NULL-terminated vector of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
#define STRV_INIT { NULL, 0, 0 }
void strv_push(struct strv *s, const char *str);
void strv_push_owned(struct strv *s, char *str);
void strv_clear(struct strv *s);
bool strv_has(const struct strv *s, const char *str);
/* Removes every copy of str, keeping the order of the rest. */
void strv_remove(struct strv *s, const char *str);
/* Splits on `sep`, trimming blanks around items and dropping empty ones. */
void strv_split(struct strv *out, const char *s, char sep);
void strv_sort(struct strv *s);
char *strv_join(const struct strv *s, const char *sep);

/* A hash map from strings (copied) to the caller's pointers; { 0 } is empty, and `fold` makes
 * keys compare ignoring ASCII case. put returns the value slot of key, adding it (value NULL,
 * *added true) when absent. free frees the keys, and each value with free_val when not NULL. */
struct strmap {
	struct strmap_ent {
		char *key;
		void *val;
	} *v;
	size_t cap, n;
	bool fold;
};
void **strmap_put(struct strmap *m, const char *key, bool *added);
bool strmap_has(const struct strmap *m, const char *key);
void *strmap_get(const struct strmap *m, const char *key);
void strmap_free(struct strmap *m, void (*free_val)(void *));

/* JSON output with RFC 8259 string escaping. Nesting and commas are tracked for the caller. */
struct json {
	struct buf *out;
	int depth;
	unsigned char need_comma[64]; /* 0 first item, 1 needs a comma, 2 after a key */
	bool pretty;
};
void json_init(struct json *j, struct buf *out, bool pretty);
void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s); /* NULL writes null */
void json_num(struct json *j, double v);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_escape(struct buf *b, const char *s);

/* Dates. A date is "YYYY-MM-DD"; a datetime is stored as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
/* The clock, read each time it is asked: RAPPORT_NOW (ISO 8601) if set, or with RAPPORT_NOW=@FILE
 * the date-time on FILE's first line (read at each call), else the system clock. Long-running
 * front ends (the TUI) call it whenever they need "now" and never keep it. */
time_t clock_now(void);
/* Until clock_pretend(0), clock_now() answers t: the demo replays its projects' histories
 * through the process engine on the days they happened. Nothing else may pretend. */
void clock_pretend(time_t t);
/* Returns -1 (with a message in e) when RAPPORT_NOW is set but is not a date or datetime, or
 * names a FILE that cannot be read or does not hold one. */
int clock_check(struct err *e);
void fmt_date(char out[11], time_t t);
void fmt_datetime(char out[21], time_t t);
/* Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ", the time part of a rev. */
void fmt_ms(char out[25], long long ms);
/* A length of time for people: "3 years", "9 days", "26 hours", "40 minutes". */
void fmt_span(char *out, size_t n, long long ms);
/* Days since 1970-01-01 for a valid date string; false when s is not a real calendar date. */
bool date_parse(const char *s, long *days);
/* Accepts "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS][Z|±HH:MM]"; fills seconds since the epoch. */
bool datetime_parse(const char *s, time_t *t);
/* Relative dates for humans: today, yesterday, tomorrow, +3d, -2w, +1m (months are 30 days). */
bool date_relative(const char *s, time_t now, time_t *t);
void days_to_date(char out[11], long days);

/* Random bytes from the kernel; a seeded generator when rng_seed() was called (demo data). */
void rng_seed(uint64_t seed);
uint64_t rng_next(void);
/* A uniformly random integer in [0, n). */
uint64_t rng_below(uint64_t n);
/* A new id: 32 lower-case hex characters (128 random bits) and a NUL. */
void id_new(char out[33]);
/* A fixed id derived from a name: the same on every replica, so records that several replicas
 * create on their own (default rules, an alert of a rule on a record, a custom field's
 * definition) merge into one record instead of doubling. `what` keeps kinds of names apart. */
void id_derived(char out[33], const char *what, const char *name);
bool id_is_hex(const char *s, size_t minlen, size_t maxlen);

/* Chinese text (text.c, the only user of ICU). */
/* A Chinese character's pinyin, toneless and lower case ("明" -> "ming"); NULL for anything
 * else. One reading per character (ICU's Han-Latin at build time). */
const char *text_pinyin_of(uint32_t cp);
/* Appends what a search for s by pinyin should find: for each run of Chinese characters, from
 * each of its characters on, the run's pinyin and its initials ("上海明远" gives
 * "shanghaimingyuan shmy", "haimingyuan hmy", …), space separated. Nothing for other text. */
void text_pinyin_forms(struct buf *b, const char *s);
/* A SQLite collation (sqlite3_create_collation's signature): ICU's "zh" order, pinyin for
 * Chinese; ties, and a machine without ICU's data, fall back to the bytes. Thread-safe. */
int text_collate_zh(void *arg, int na, const void *a, int nb, const void *b);
/* The interface language, "zh" or "en": `setting` (ui.lang) when set, else the first of
 * LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set. */
const char *text_lang(const char *setting);

/* Translation (GNU gettext, domain "rapport"; catalogues in po/, built into share/locale).
 * _() translates a message now; N_() marks one that is translated where it is shown (tables,
 * initializers); C_(ctx, s) translates in a context: "field" labels, "choice" codes, "kind"
 * names — the kind table's words, from tools/kinds_pot.c. err_set, err_prefix, usage_error,
 * the doc_ headings and paragraphs and tui_message translate their format themselves.
 * Never translate what is stored, synced, or printed by --json. */
#include <libintl.h>
#define _(s) gettext(s)
#define N_(s) (s)
#define C_(ctx, s) i18n_ctx(ctx, s)
#define NC_(ctx, s) (s)
#define P_(one, many, n) ngettext(one, many, n)
/* Binds the catalogue and takes the language from the environment; main calls it first. */
void i18n_init(void);
/* Switches the language: ui.lang or a --lang ("zh", "zh_CN", "en"; "en@pseudo" is the test
 * suite's marker catalogue); NULL or "" goes back to the environment's. Works whatever
 * locales the machine has. */
void i18n_lang(const char *setting);
/* The language messages are in now: "zh" or "en". */
const char *i18n_current(void);
/* gettext's pgettext: msgid in context ctx, or msgid itself when the catalogue lacks it. */
const char *i18n_ctx(const char *ctx, const char *msgid) __attribute__((format_arg(2)));

/* UTF-8 and the terminal. Width follows wcwidth(3) under a UTF-8 locale. */
/* Display columns of a UTF-8 string; invalid bytes and control characters count as their placeholder. */
int utf8_width(const char *s);
/* The spaces that pad s to w columns (0 when it is as wide or wider), for printf's "%s%*s":
 * "%-10s" pads by bytes, so a translated or Chinese label would push its column off. */
int text_pad(const char *s, int w);
bool utf8_valid(const char *s, size_t n);
/* Copies the first len bytes of src (NULL: none) into dst of size n (n > 0), cut to fit on a
 * character's first byte, never inside one; no printf, for copies made per row. */
void str_copy_n(char *dst, size_t n, const char *src, size_t len);
/* str_copy_n of the whole string. */
void str_copy(char *dst, size_t n, const char *src);
/* Decodes one code point at p; returns its length in bytes, or 0 for an invalid sequence. */
size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp);
/* Appends s to b made safe for a terminal: control bytes become \xNN or ␛-style visible
 * escapes, invalid UTF-8 becomes U+FFFD, and the result is cut to `maxw` columns (0 = no limit)
 * without splitting a character, ending in "…" when cut. Pads with spaces to `padw` columns. */
void term_safe(struct buf *b, const char *s, int maxw, int padw);
/* Like term_safe for multi-line text: keeps newlines and tabs, no width limit. */
void term_text(struct buf *b, const char *s);

/* Runs $VISUAL, else $EDITOR, else vi on a file and waits (the shell splits "code -w").
 * Returns 0 when the editor exited 0. */
int run_editor(const char *path, struct err *e);

/* CSV (RFC 4180) over text in memory: quoted fields with "" escapes and embedded line breaks,
 * CRLF or LF. `line` is the line a row starts on, for messages. */
struct csv {
	const char *p, *end;
	int line;
	char sep;
};
void csv_init(struct csv *c, const char *text, size_t len);
/* Reads the next row into fields (cleared first): 1 a row, 0 the end, RERR_INPUT for a quote
 * left open or text after a closing quote, naming the line. */
int csv_row(struct csv *c, struct strv *fields, struct err *e);

/* Appends one CSV field, quoted (RFC 4180) when a separator, quote, line break or edge space
 * needs it. NULL appends nothing (an empty field). */
void csv_cell(struct buf *b, const char *v);
/* csv_cell for text a spreadsheet must not evaluate: a value starting with =, +, -, @, tab or
 * carriage return (after any apostrophes) gets a leading ' (OWASP's rule for CSV injection).
 * Never for numbers: -12.5 is a number, not a formula. */
void csv_text_cell(struct buf *b, const char *v);
/* What csv_text_cell wrote, back: v without the leading ' it added, else v itself. */
const char *csv_text_value(const char *v);

/* Converts text from an encoding iconv knows (GBK, GB18030, BIG5, SHIFT_JIS, WINDOWS-1252,
 * UTF-16, ...) to UTF-8. *out is the caller's; errors name the byte offset's line. */
int to_utf8(const char *encoding, const char *in, size_t n, char **out, size_t *outlen,
	    struct err *e);

/* Reads a whole file; returns NULL with errno set on failure. */
char *file_read(const char *path, size_t *len);
/* Writes a whole file or nothing: a temporary next to it, fsync, then rename over path. */
int file_write_atomic(const char *path, const void *data, size_t len, struct err *e);
bool isatty_out(void);

/* Test hooks: with RAPPORT_CRASH=STEP the process kills itself at that step; with
 * RAPPORT_PAUSE=STEP:FILE it creates FILE there and waits three seconds (work done meanwhile
 * by another process is what the test checks). */
void crashpoint(const char *step);

#endif
