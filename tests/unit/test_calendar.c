/* test_calendar.c — the working calendar: parsing the three settings and every way they fail,
 * and working-day arithmetic checked against exact dates and against a day-by-day walk. */
#include "t.h"
#include "calendar.h"
#include "util.h"

#include <stdlib.h>

static long D(const char *s)
{
	long d = 0;
	if (!date_parse(s, &d))
		fprintf(stderr, "test_calendar: bad date %s\n", s);
	return d;
}

/* A date as text for CHECK_STR, from a ring of buffers so one CHECK may hold several. */
static const char *S(long day)
{
	static char ring[8][11];
	static int i;
	char *out = ring[i++ % 8];
	days_to_date(out, day);
	return out;
}

static const char *add(const struct calendar *c, const char *day, long n)
{
	return S(calendar_add(c, D(day), n));
}

static void default_weekend(void)
{
	struct calendar c;
	calendar_init(&c);
	CHECK_STR(add(&c, "2027-01-08", 1), "2027-01-11");  /* Fri + 1 = Mon */
	CHECK_STR(add(&c, "2027-01-08", 5), "2027-01-15");  /* a working week on */
	CHECK_STR(add(&c, "2027-01-08", 0), "2027-01-08");  /* a working day itself */
	CHECK_STR(add(&c, "2027-01-09", 0), "2027-01-11");  /* Sat + 0 = Mon */
	CHECK_STR(add(&c, "2027-01-10", 0), "2027-01-11");  /* Sun + 0 = Mon */
	CHECK_STR(add(&c, "2027-01-09", 1), "2027-01-11");  /* Sat + 1 = Mon too */
	CHECK_STR(add(&c, "2027-01-09", 2), "2027-01-12");
	CHECK_STR(add(&c, "2027-01-11", -1), "2027-01-08"); /* Mon - 1 = Fri */
	CHECK_STR(add(&c, "2027-01-10", -1), "2027-01-08"); /* Sun - 1 = Fri */
	CHECK_STR(add(&c, "2027-01-12", -2), "2027-01-08");
	CHECK_STR(add(&c, "2027-01-13", -10), "2026-12-30");
	CHECK_STR(add(&c, "2027-01-04", 10000), "2065-05-04");
	CHECK_STR(add(&c, "2065-05-04", -10000), "2027-01-04");
	CHECK(calendar_between(&c, D("2027-01-08"), D("2027-01-11")) == 1);
	CHECK(calendar_between(&c, D("2027-01-11"), D("2027-01-08")) == -1);
	CHECK(calendar_between(&c, D("2027-01-08"), D("2027-01-10")) == 0);
	CHECK(calendar_between(&c, D("2027-01-08"), D("2027-01-08")) == 0);
	CHECK(calendar_between(&c, D("2027-01-01"), D("2028-01-01")) == 260);
	CHECK(!calendar_workday(&c, D("2027-01-09")) && !calendar_workday(&c, D("2027-01-10")));
	CHECK(calendar_workday(&c, D("2027-01-11")));
	CHECK(calendar_workday(&c, D("1970-01-01")) && !calendar_workday(&c, D("1969-12-28")));
	/* Day numbers go negative before 1970: the weeks must still split on Mondays. */
	CHECK_STR(add(&c, "1969-12-31", 3), "1970-01-05");
	CHECK_STR(add(&c, "1970-01-05", -5), "1969-12-29");
	CHECK_STR(add(&c, "1969-12-27", 0), "1969-12-29");
	CHECK_STR(add(&c, "1900-01-01", 1), "1900-01-02");
	CHECK(calendar_between(&c, D("1969-12-01"), D("1970-02-01")) == 44);
	/* Huge counts take a formula, not a walk, and stay exact. */
	long far = calendar_add(&c, D("2027-01-04"), 50000000);
	CHECK(calendar_workday(&c, far));
	CHECK(calendar_between(&c, D("2027-01-04"), far) == 50000000);
	CHECK(calendar_between(&c, D("2027-01-04"), far - 1) == 49999999);
	calendar_free(&c);
}

static void spring_festival(void)
{
	struct calendar c;
	struct err e = { 0, "" };
	CHECK(calendar_parse(&c, NULL, "2027-02-10..2027-02-16", "2027-02-07, 2027-02-20", &e) ==
	      0);
	CHECK(c.noff == 7 && c.non == 2);
	CHECK(!calendar_workday(&c, D("2027-02-06")));
	CHECK(calendar_workday(&c, D("2027-02-07"))); /* a Sunday, worked */
	CHECK(calendar_workday(&c, D("2027-02-09")));
	CHECK(!calendar_workday(&c, D("2027-02-10")) && !calendar_workday(&c, D("2027-02-16")));
	CHECK(calendar_workday(&c, D("2027-02-17")));
	CHECK(calendar_workday(&c, D("2027-02-20"))); /* a Saturday, worked */
	CHECK(!calendar_workday(&c, D("2027-02-21")));
	CHECK_STR(add(&c, "2027-02-05", 1), "2027-02-07");  /* Fri + 1 = the worked Sunday */
	CHECK_STR(add(&c, "2027-02-06", 0), "2027-02-07");
	CHECK_STR(add(&c, "2027-02-09", 1), "2027-02-17");  /* over the whole holiday */
	CHECK_STR(add(&c, "2027-02-12", 0), "2027-02-17");  /* n = 0 inside it */
	CHECK_STR(add(&c, "2027-02-19", 1), "2027-02-20");  /* Fri + 1 = the worked Saturday */
	CHECK_STR(add(&c, "2027-02-20", 1), "2027-02-22");
	CHECK_STR(add(&c, "2027-02-17", -1), "2027-02-09"); /* back over it */
	CHECK_STR(add(&c, "2027-02-14", -1), "2027-02-09");
	CHECK_STR(add(&c, "2027-02-08", -1), "2027-02-07");
	CHECK_STR(add(&c, "2027-02-22", -1), "2027-02-20");
	CHECK_STR(add(&c, "2027-02-01", 20), "2027-03-04");
	CHECK_STR(add(&c, "2027-03-01", -20), "2027-01-27");
	CHECK(calendar_between(&c, D("2027-02-01"), D("2027-02-28")) == 16);
	CHECK(calendar_between(&c, D("2027-02-28"), D("2027-02-01")) == -16);
	CHECK(calendar_between(&c, D("2027-02-09"), D("2027-02-17")) == 1);
	calendar_free(&c);
	CHECK(c.off == NULL && c.noff == 0 && c.nshift == 0);
}

static void overrides_and_formats(void)
{
	struct calendar c;
	struct err e = { 0, "" };
	/* A swapped day inside a holiday is worked; duplicates and overlaps collapse. */
	CHECK(calendar_parse(&c, "", "2027-05-01..2027-05-05, 2027-05-04", "2027-05-03", &e) == 0);
	CHECK(c.noff == 5 && c.weekend == 0);
	CHECK(!calendar_workday(&c, D("2027-05-02")));
	CHECK(calendar_workday(&c, D("2027-05-03")));
	CHECK(!calendar_workday(&c, D("2027-05-04")));
	CHECK_STR(add(&c, "2027-04-30", 1), "2027-05-03");
	CHECK_STR(add(&c, "2027-05-03", 1), "2027-05-06");
	CHECK_STR(add(&c, "2027-05-08", 1), "2027-05-09"); /* no weekend: Sat + 1 = Sun */
	calendar_free(&c);

	/* A Middle East week: Friday and Saturday off, full names in any case. */
	CHECK(calendar_parse(&c, " Friday,SAT ", NULL, NULL, &e) == 0);
	CHECK(c.weekend == (1u << 4 | 1u << 5));
	CHECK_STR(add(&c, "2027-01-07", 1), "2027-01-10"); /* Thu + 1 = Sun */
	CHECK_STR(add(&c, "2027-01-08", 0), "2027-01-10");
	CHECK_STR(add(&c, "2027-01-10", -1), "2027-01-07");
	CHECK(calendar_workday(&c, D("2027-01-10")) && !calendar_workday(&c, D("2027-01-09")));
	CHECK(calendar_between(&c, D("2027-01-07"), D("2027-01-14")) == 5);
	calendar_free(&c);

	/* Blanks and line breaks around items and range ends, a trailing comma. */
	CHECK(calendar_parse(&c, "sun", " 2027-02-10 .. 2027-02-11 ,\n\t2027-03-01\n,", "", &e) ==
	      0);
	CHECK(c.noff == 3 && c.off[0] == D("2027-02-10") && c.off[2] == D("2027-03-01"));
	CHECK(calendar_workday(&c, D("2027-01-09"))); /* Saturday is worked */
	calendar_free(&c);

	/* Ranges up to a year, leap day included. */
	CHECK(calendar_parse(&c, NULL, "2028-01-01..2028-12-31", NULL, &e) == 0 && c.noff == 366);
	CHECK_STR(add(&c, "2027-12-31", 1), "2029-01-01");
	calendar_free(&c);
}

static void expect_error(const char *weekend, const char *holidays, const char *workdays,
			 const char *msg)
{
	struct calendar c;
	struct err e = { 0, "" };
	CHECK(calendar_parse(&c, weekend, holidays, workdays, &e) == RERR_INPUT);
	CHECK(e.code == RERR_INPUT);
	CHECK_STR(e.msg, msg);
	/* What is left is the default calendar, with nothing to free. */
	CHECK(c.weekend == (1u << 5 | 1u << 6) && !c.off && !c.on && !c.shift);
	calendar_free(&c);
}

static void parse_errors(void)
{
	expect_error("sat,funday", NULL, NULL,
		     "calendar.weekend: 'funday' is not a weekday (mon .. sun)");
	expect_error("sa", NULL, NULL, "calendar.weekend: 'sa' is not a weekday (mon .. sun)");
	expect_error("satu", NULL, NULL, "calendar.weekend: 'satu' is not a weekday (mon .. sun)");
	expect_error("mon,tue,wed,thu,fri,sat,sun", NULL, NULL,
		     "calendar.weekend: every day is a weekend");
	expect_error("Monday, tue,wed,thu,fri,sat,SUNDAY", NULL, "2027-02-07",
		     "calendar.weekend: every day is a weekend");
	expect_error(NULL, "2027-02-30", NULL, "calendar.holidays: '2027-02-30' is not a date");
	expect_error(NULL, "2027-01-01, soon", NULL, "calendar.holidays: 'soon' is not a date");
	expect_error(NULL, "2027-02-10..2027-02-30", NULL,
		     "calendar.holidays: '2027-02-30' is not a date");
	expect_error(NULL, "2027-02-31 .. 2027-03-02", NULL,
		     "calendar.holidays: '2027-02-31' is not a date");
	expect_error(NULL, "2027-02-10..", NULL,
		     "calendar.holidays: '2027-02-10..' is not a range of dates");
	expect_error(NULL, "2027-02-16..2027-02-10", NULL,
		     "calendar.holidays: '2027-02-16..2027-02-10' ends before it starts");
	expect_error(NULL, "2027-01-01..2028-01-02", NULL,
		     "calendar.holidays: '2027-01-01..2028-01-02' is longer than 366 days");
	expect_error(NULL, NULL, "2027-02-07, tomorrow",
		     "calendar.workdays: 'tomorrow' is not a date");
	expect_error(NULL, NULL, "2027-03-01..2027-02-01",
		     "calendar.workdays: '2027-03-01..2027-02-01' ends before it starts");

	/* 28 whole years: more than 10,000 days in all, though each range is allowed. */
	struct buf b = BUF_INIT;
	for (int y = 2001; y < 2001 + 28; y++)
		buf_addf(&b, "%s%d-01-01..%d-12-31", y > 2001 ? "," : "", y, y);
	expect_error(NULL, b.data, NULL, "calendar.holidays: more than 10,000 days in all");
	expect_error(NULL, NULL, b.data, "calendar.workdays: more than 10,000 days in all");
	buf_release(&b);
}

/* The oracle: a walk a day at a time over calendar_workday. */
static long walk_add(const struct calendar *c, long d, long n)
{
	if (n == 0) {
		while (!calendar_workday(c, d))
			d++;
		return d;
	}
	for (long step = n > 0 ? 1 : -1; n; n -= step) {
		d += step;
		while (!calendar_workday(c, d))
			d += step;
	}
	return d;
}

static long walk_between(const struct calendar *c, long from, long to)
{
	long k = 0;
	for (long d = from + 1; d <= to; d++)
		k += calendar_workday(c, d);
	for (long d = to + 1; d <= from; d++)
		k -= calendar_workday(c, d);
	return k;
}

static unsigned long lcg_state = 20270210;
static long lcg(long n)
{
	lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
	return (long)((lcg_state >> 33) % (unsigned long)n);
}

static void against_walk(const struct calendar *c, long base, int trials)
{
	int bad = 0;
	for (int i = 0; i < trials; i++) {
		long d = base + lcg(900), n = lcg(601) - 300;
		long t = calendar_add(c, d, n);
		bad += t != walk_add(c, d, n);
		bad += !calendar_workday(c, t);
		/* between undoes add: from any day forward, from a working day backward. */
		if (n > 0)
			bad += calendar_between(c, d, t) != n;
		if (n < 0 && calendar_workday(c, d))
			bad += calendar_between(c, d, t) != n || calendar_add(c, t, -n) != d;
		long to = base + lcg(900);
		bad += calendar_between(c, d, to) != walk_between(c, d, to);
		bad += calendar_between(c, d, to) != -calendar_between(c, to, d);
	}
	CHECK(bad == 0);
	if (bad)
		fprintf(stderr, "test_calendar: %d disagreements with the walk\n", bad);
}

static void properties(void)
{
	struct calendar c;
	struct err e = { 0, "" };
	calendar_init(&c);
	against_walk(&c, D("2026-06-01"), 300);
	/* Across the epoch, where day numbers turn negative. */
	against_walk(&c, D("1969-06-01"), 300);
	calendar_free(&c);
	CHECK(calendar_parse(&c, NULL, "2027-02-10..2027-02-16, 2026-10-01..2026-10-07",
			     "2027-02-07, 2027-02-20, 2026-09-27, 2026-10-10", &e) == 0);
	against_walk(&c, D("2026-06-01"), 300);
	calendar_free(&c);
	/* Random holidays and swapped days, some on each other, over a one-day weekend. */
	struct buf off = BUF_INIT, on = BUF_INIT;
	char day[11];
	for (int i = 0; i < 120; i++) {
		days_to_date(day, D("2026-06-01") + lcg(900));
		buf_addf(&off, "%s,", day);
		days_to_date(day, D("2026-06-01") + lcg(900));
		buf_addf(&on, "%s,", day);
	}
	CHECK(calendar_parse(&c, "fri", off.data, on.data, &e) == 0);
	against_walk(&c, D("2026-06-01"), 400);
	calendar_free(&c);
	buf_release(&off);
	buf_release(&on);
}

void suite_calendar(void)
{
	default_weekend();
	spring_festival();
	overrides_and_formats();
	parse_errors();
	properties();
}
