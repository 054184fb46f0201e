/*
 * calendar.c — the team's working calendar: parsing calendar.weekend, calendar.holidays and
 * calendar.workdays, and counting working days. Counting never walks the days: a weekly
 * pattern is a formula on whole weeks, and holidays and swapped days are a sorted list of
 * corrections to it with running sums, so calendar_add of 10,000 working days, or of ten million,
 * costs one binary search. calendar_add is the inverse of the same count, which is what keeps
 * it consistent with calendar_between.
 */
#include "calendar.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(CALENDAR_MAX_DAYS == 10000, "the message says 10,000");

#define DEFAULT_WEEKEND ((1u << 5) | (1u << 6))
#define ALL_DAYS 0x7fu

static const char *const weekday_names[7] = { "monday", "tuesday", "wednesday", "thursday",
					       "friday", "saturday", "sunday" };

/* 0 = Monday; day 0, 1970-01-01, was a Thursday. Written so that no day number overflows. */
static int weekday(long day) { return (int)((day % 7 + 7 + 3) % 7); }

static bool weekly_workday(unsigned weekend, long day) { return !(weekend >> weekday(day) & 1u); }

static long clamp(long v)
{
	return v > CALENDAR_LIMIT ? CALENDAR_LIMIT : v < -CALENDAR_LIMIT ? -CALENDAR_LIMIT : v;
}

static long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* Working weekdays of the pattern, and cum[r] those among Monday..weekday r. */
static long weekly_cum(unsigned weekend, long cum[7])
{
	long k = 0;
	for (int r = 0; r < 7; r++) {
		k += !(weekend >> r & 1u);
		cum[r] = k;
	}
	return k;
}

/* Working days of the weekly pattern alone in [-3, day], -3 being Monday 1969-12-29 (and minus
 * those in (day, -4] before it): only differences of it mean anything, and they count any span.
 * Weeks are numbered from that Monday, so day + 3 splits into a week and a weekday. */
static long weekly_count(unsigned weekend, long day)
{
	long cum[7], k = weekly_cum(weekend, cum);
	long m = day + 3, q = floor_div(m, 7);
	return q * k + cum[m - 7 * q];
}

/* The first day whose weekly count reaches x; k > 0. x lands in week q as its x'th working day. */
static long weekly_first(unsigned weekend, long x)
{
	long cum[7], k = weekly_cum(weekend, cum);
	long q = floor_div(x - 1, k), rest = x - q * k;
	int r = 0;
	while (cum[r] < rest)
		r++;
	return 7 * q + r - 3;
}

/* The sum of the corrections on days up to and including `day`. */
static long shift_sum(const struct calendar *c, long day)
{
	size_t lo = 0, hi = c->nshift;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->shift[mid].day <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->shift[lo - 1].sum : 0;
}

static long count(const struct calendar *c, long day)
{
	day = clamp(day);
	return weekly_count(c->weekend, day) + shift_sum(c, day);
}

/* The first day whose count reaches x. Between two correction days the count is the weekly
 * one plus a constant, so find the last correction day still short of x and solve the weekly
 * formula after it; the next correction day caps the answer. */
static long first_reaching(const struct calendar *c, long x)
{
	size_t lo = 0, hi = c->nshift; /* shifts [0, lo) count short of x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct calendar_shift *s = &c->shift[mid];
		if (weekly_count(c->weekend, s->day) + s->sum < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	long base = lo ? c->shift[lo - 1].sum : 0;
	long t = weekly_first(c->weekend, x - base);
	if (lo < c->nshift && t >= c->shift[lo].day)
		t = c->shift[lo].day;
	return t;
}

void calendar_init(struct calendar *c)
{
	*c = (struct calendar){ DEFAULT_WEEKEND, NULL, 0, NULL, 0, NULL, 0 };
}

void calendar_free(struct calendar *c)
{
	free(c->off);
	free(c->on);
	free(c->shift);
	calendar_init(c);
}

static bool has_day(const long *v, size_t n, long day)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == day)
			return true;
		if (v[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool calendar_workday(const struct calendar *c, long day)
{
	if (has_day(c->on, c->non, day))
		return true;
	return !has_day(c->off, c->noff, day) && weekly_workday(c->weekend, day);
}

long calendar_between(const struct calendar *c, long from, long to)
{
	return count(c, to) - count(c, from);
}

long calendar_add(const struct calendar *c, long day, long n)
{
	long cum[7];
	if (!weekly_cum(c->weekend, cum))
		return day; /* finitely many working days: calendar_parse refuses such a calendar */
	day = clamp(day);
	n = clamp(n);
	/* Forward: the first day with n more working days than `day` has (n = 0: one more than
	 * the day before). Backward, mirrored: the last day t with -n working days in [t, day). */
	if (n > 0)
		return first_reaching(c, count(c, day) + n);
	return first_reaching(c, count(c, day - 1) + n + 1);
}

/* Items of a comma list, blanks (newlines too: settings may be multi-line) trimmed; false at
 * the end. Empty items are skipped, so a trailing comma is harmless. */
static bool next_item(const char **s, const char **a, const char **z)
{
	while (**s) {
		const char *end = strchr(*s, ',');
		if (!end)
			end = *s + strlen(*s);
		*a = *s;
		*z = end;
		*s = *end ? end + 1 : end;
		while (*a < *z && isspace((unsigned char)**a))
			(*a)++;
		while (*z > *a && isspace((unsigned char)(*z)[-1]))
			(*z)--;
		if (*z > *a)
			return true;
	}
	return false;
}

static int parse_weekend(const char *s, unsigned *out, struct err *e)
{
	const char *a, *z;
	unsigned w = 0;
	while (next_item(&s, &a, &z)) {
		size_t n = (size_t)(z - a);
		int d = 0;
		while (d < 7 && !((n == 3 || n == strlen(weekday_names[d])) &&
				  !strncasecmp(a, weekday_names[d], n)))
			d++;
		if (d == 7)
			return err_set(e, RERR_INPUT,
				       "calendar.weekend: '%.*s' is not a weekday (mon .. sun)",
				       (int)n, a);
		w |= 1u << d;
	}
	if (w == ALL_DAYS)
		return err_set(e, RERR_INPUT, "calendar.weekend: every day is a weekend");
	*out = w;
	return 0;
}

static bool parse_date_n(const char *a, const char *z, long *day)
{
	while (a < z && isspace((unsigned char)*a))
		a++;
	while (z > a && isspace((unsigned char)z[-1]))
		z--;
	char tmp[11];
	if (z - a != 10)
		return false;
	memcpy(tmp, a, 10);
	tmp[10] = '\0';
	return date_parse(tmp, day);
}

/* Names the end of a range that is wrong, since that is what to fix; an end left out leaves
 * only the item to name. */
static int bad_date(struct err *e, const char *setting, const char *a, const char *mid,
		    const char *dots, const char *z)
{
	long day;
	const char *p = a, *q = mid;
	if (dots && parse_date_n(a, mid, &day)) {
		p = dots + 2;
		q = z;
	}
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	if (q == p)
		return err_set(e, RERR_INPUT, "%s: '%.*s' is not a range of dates", setting,
			       (int)(z - a), a);
	return err_set(e, RERR_INPUT, "%s: '%.*s' is not a date", setting, (int)(q - p), p);
}

static int cmp_long(const void *pa, const void *pb)
{
	long a = *(const long *)pa, b = *(const long *)pb;
	return (a > b) - (a < b);
}

/* A list of dates and ranges, expanded, sorted and made unique into *out. The limits keep one
 * team setting from allocating without bound; overlapping items count twice towards them. */
static int parse_days(const char *setting, const char *s, long **out, size_t *nout,
		      struct err *e)
{
	const char *a, *z;
	long *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	while (next_item(&s, &a, &z)) {
		int len = (int)(z - a);
		const char *dots = NULL;
		for (const char *p = a; p + 1 < z && !dots; p++)
			if (p[0] == '.' && p[1] == '.')
				dots = p;
		const char *mid = dots ? dots : z;
		long from, to;
		if (!parse_date_n(a, mid, &from) || (dots && !parse_date_n(dots + 2, z, &to))) {
			rc = bad_date(e, setting, a, mid, dots, z);
			goto out;
		}
		if (!dots)
			to = from;
		if (to < from) {
			rc = err_set(e, RERR_INPUT, "%s: '%.*s' ends before it starts", setting,
				     len, a);
			goto out;
		}
		if (to - from + 1 > CALENDAR_MAX_RANGE) {
			rc = err_set(e, RERR_INPUT, "%s: '%.*s' is longer than %d days", setting,
				     len, a, CALENDAR_MAX_RANGE);
			goto out;
		}
		if (n + (size_t)(to - from + 1) > CALENDAR_MAX_DAYS) {
			rc = err_set(e, RERR_INPUT, "%s: more than 10,000 days in all", setting);
			goto out;
		}
		if (n + (size_t)(to - from + 1) > cap) {
			cap = cap ? cap * 2 : 64;
			while (cap < n + (size_t)(to - from + 1))
				cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		for (long d = from; d <= to; d++)
			v[n++] = d;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_long);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || v[u - 1] != v[i])
			v[u++] = v[i];
	*out = v;
	*nout = u;
	v = NULL;
out:
	free(v);
	return rc;
}

/* The corrections to the weekly pattern, over the union of both lists in day order: a
 * swapped day that was a weekday anyway, or a holiday on a weekend, changes nothing. */
static void build_shifts(struct calendar *c)
{
	size_t i = 0, j = 0;
	long sum = 0;
	c->shift = c->noff + c->non ? xmalloc((c->noff + c->non) * sizeof *c->shift) : NULL;
	c->nshift = 0;
	while (i < c->noff || j < c->non) {
		long day;
		bool worked;
		if (j == c->non || (i < c->noff && c->off[i] < c->on[j])) {
			day = c->off[i++];
			worked = false;
		} else {
			day = c->on[j++];
			worked = true;
			if (i < c->noff && c->off[i] == day)
				i++;
		}
		long delta = (long)worked - (long)weekly_workday(c->weekend, day);
		if (delta) {
			sum += delta;
			c->shift[c->nshift++] = (struct calendar_shift){ day, sum };
		}
	}
}

int calendar_parse(struct calendar *c, const char *weekend, const char *holidays,
		   const char *workdays, struct err *e)
{
	int rc;
	calendar_init(c);
	if (weekend && (rc = parse_weekend(weekend, &c->weekend, e)) < 0)
		goto fail;
	if (holidays && (rc = parse_days("calendar.holidays", holidays, &c->off, &c->noff, e)) < 0)
		goto fail;
	if (workdays && (rc = parse_days("calendar.workdays", workdays, &c->on, &c->non, e)) < 0)
		goto fail;
	build_shifts(c);
	return 0;
fail:
	calendar_free(c);
	return rc;
}
