/*
 * date.c — ISO 8601 dates and the clock. All arithmetic is in UTC on days since the epoch, so
 * results never depend on the local time zone; RAPPORT_NOW pins the clock for tests and reports
 * (RAPPORT_NOW=@FILE reads it from FILE each time it is asked, so a test can move it).
 */
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(long y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from civil, after Howard Hinnant's algorithm. */
static long civil_days(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void days_to_date(char out[11], long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04ld-%02ld-%02ld", y % 10000, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

static bool digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

static bool parse_ymd(const char *s, long *days)
{
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return false;
	*days = civil_days(y, m, d);
	return true;
}

bool date_parse(const char *s, long *days)
{
	long dd;
	if (strlen(s) != 10 || !parse_ymd(s, &dd))
		return false;
	if (days)
		*days = dd;
	return true;
}

bool datetime_parse(const char *s, time_t *t)
{
	long days;
	int hh = 0, mm = 0, ss = 0;
	size_t n = strlen(s);
	if (n < 10 || !parse_ymd(s, &days))
		return false;
	const char *p = s + 10;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2, &hh) || p[2] != ':' || !digits(p + 3, 2, &mm))
			return false;
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2, &ss))
				return false;
			p += 3;
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return false;
	}
	long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 14 || om > 59)
			return false;
		off = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
		p += 6;
	}
	if (*p)
		return false;
	if (t)
		*t = (time_t)(days * 86400L + hh * 3600L + mm * 60L + ss - off);
	return true;
}

/* RAPPORT_NOW's value: the setting itself, or with "@FILE" the first line of FILE, read at each
 * use so a test can move the clock of a program that is running (a TUI left open overnight).
 * Returns false when the file cannot be read; *text is owned by the caller. */
static bool now_text(const char *env, char **text)
{
	if (env[0] != '@') {
		*text = xstrdup(env);
		return true;
	}
	size_t len;
	char *s = strcmp(env + 1, "-") ? file_read(env + 1, &len) : NULL; /* never stdin */
	if (!s)
		return false;
	s[strcspn(s, "\r\n")] = '\0';
	*text = s;
	return true;
}

/* A time the process pretends it is (0: none): see clock_pretend. */
static time_t pretended;

void clock_pretend(time_t t)
{
	pretended = t;
}

time_t clock_now(void)
{
	if (pretended)
		return pretended;
	/* The last good reading of an @FILE clock: a file caught half-written keeps the time
	 * where it was rather than jumping to the system clock. */
	static time_t last;
	static bool have_last;
	const char *env = getenv("RAPPORT_NOW");
	char *text = NULL;
	time_t t;
	if (!env || !*env)
		return time(NULL);
	bool ok = now_text(env, &text) && datetime_parse(text, &t);
	free(text);
	if (ok) {
		last = t;
		have_last = true;
		return t;
	}
	return have_last ? last : time(NULL);
}

int clock_check(struct err *e)
{
	const char *env = getenv("RAPPORT_NOW");
	char *text = NULL;
	int rc = 0;
	if (!env || !*env)
		return 0;
	if (!now_text(env, &text))
		rc = err_set(e, RERR_USAGE, "RAPPORT_NOW: cannot read '%s'", env + 1);
	else if (!datetime_parse(text, NULL) && env[0] == '@')
		rc = err_set(e, RERR_USAGE,
			     "RAPPORT_NOW: '%s' in %s is not an ISO 8601 date or datetime", text,
			     env + 1);
	else if (env[0] != '@' && !datetime_parse(text, NULL))
		rc = err_set(e, RERR_USAGE, "RAPPORT_NOW: '%s' is not an ISO 8601 date or datetime",
			     text);
	free(text);
	return rc;
}

void fmt_date(char out[11], time_t t)
{
	long days = (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	days_to_date(out, days);
}

void fmt_span(char *out, size_t n, long long ms)
{
	double s = (double)ms / 1000;
	if (s >= 2 * 365.25 * 86400)
		snprintf(out, n, _("%.0f years"), s / (365.25 * 86400));
	else if (s >= 2 * 86400)
		snprintf(out, n, _("%.0f days"), s / 86400);
	else if (s >= 2 * 3600)
		snprintf(out, n, _("%.0f hours"), s / 3600);
	else
		snprintf(out, n, _("%.0f minutes"), s / 60);
}

void fmt_ms(char out[25], long long ms)
{
	char dt[21];
	fmt_datetime(dt, (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000));
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%.19s.%03dZ", dt, (int)(((ms % 1000) + 1000) % 1000));
	memcpy(out, tmp, 24);
	out[24] = '\0';
}

void fmt_datetime(char out[21], time_t t)
{
	char d[11];
	long days = (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	long sec = (long)(t - (time_t)days * 86400);
	days_to_date(d, days);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%sT%02ld:%02ld:%02ldZ", d, sec / 3600, sec / 60 % 60, sec % 60);
	memcpy(out, tmp, 20);
	out[20] = '\0';
}

bool date_relative(const char *s, time_t now, time_t *t)
{
	long day = 86400;
	if (!strcmp(s, "today") || !strcmp(s, "now")) {
		*t = now;
		return true;
	}
	if (!strcmp(s, "yesterday")) {
		*t = now - day;
		return true;
	}
	if (!strcmp(s, "tomorrow")) {
		*t = now + day;
		return true;
	}
	if ((s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1])) {
		char *end;
		long n = strtol(s + 1, &end, 10);
		long unit = 0;
		if (!strcmp(end, "d"))
			unit = day;
		else if (!strcmp(end, "w"))
			unit = 7 * day;
		else if (!strcmp(end, "m"))
			unit = 30 * day;
		if (!unit || n > 36500)
			return false;
		*t = now + (s[0] == '+' ? 1 : -1) * n * unit;
		return true;
	}
	return false;
}
