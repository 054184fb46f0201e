/*
 * calendar.h — the team's working calendar: which days are worked, and working-day arithmetic
 * on day numbers (util.h dates) for SLAs and project templates. A calendar is a weekly weekend
 * plus holidays (days off) and swapped working days (调休: a weekend or holiday day that is
 * worked); a swapped working day wins over a holiday on the same day.
 *
 * Ownership: calendar_parse allocates the day lists and calendar_free releases them; the caller
 * owns the struct. Treat a parsed calendar as read-only: `shift` is derived from the other
 * fields, and changing them afterwards makes counting disagree with calendar_workday.
 * Errors: calendar_parse returns 0 or RERR_INPUT with a message naming the setting and the item.
 * The arithmetic cannot fail and always terminates, in time logarithmic in the number of
 * holidays and swapped days, whatever n is.
 */
#ifndef RAPPORT_CALENDAR_H
#define RAPPORT_CALENDAR_H

#include "rapport.h"

#include <stdbool.h>

/* Holidays and swapped days a calendar may hold, each; counted as written, ranges expanded. */
#define CALENDAR_MAX_DAYS 10000
/* The longest range one item may name: a year, leap day included. */
#define CALENDAR_MAX_RANGE 366
/* Days further than this from the epoch (about 270,000 years), and counts larger, are clamped
 * to it, so that no sum can overflow even a 32-bit long. */
#define CALENDAR_LIMIT 100000000L

struct calendar {
	unsigned weekend; /* bit per weekday, 0 = Monday .. 6 = Sunday */
	long *off;        /* holidays, sorted, unique */
	size_t noff;
	long *on; /* swapped working days, sorted, unique */
	size_t non;
	/* The days where off and on change the weekly pattern, each with the running sum of those
	 * changes through it: counting is then a formula on weeks plus one binary search. */
	struct calendar_shift {
		long day, sum;
	} *shift;
	size_t nshift;
};

/* The default: Saturday and Sunday off, no holidays. Allocates nothing. */
void calendar_init(struct calendar *c);
/* Builds c (which need not be initialised) from the three team settings; NULL takes the default
 * for that setting. `weekend` is a comma list of weekday names (mon or monday .. sun or sunday,
 * any case; "" for none); `holidays` and `workdays` comma lists of dates and inclusive ranges
 * (2027-02-10..2027-02-16). On error c is the default calendar and e says which setting and
 * item: "calendar.holidays: '2027-02-30' is not a date". A weekend of all seven days is refused
 * even with swapped days: a calendar with finitely many working days has no day 10,000 working
 * days on. */
int calendar_parse(struct calendar *c, const char *weekend, const char *holidays,
		   const char *workdays, struct err *e);
/* Frees the day lists and leaves c the default calendar. */
void calendar_free(struct calendar *c);

bool calendar_workday(const struct calendar *c, long day);
/* The day n working days after `day`. n = 0 gives `day` if it is a working day, else the next
 * one; Friday + 1 and Saturday + 1 are both Monday. Negative n mirrors it: Monday - 1 and
 * Sunday - 1 are both Friday. The result is a working day, except on a hand-built calendar with
 * no working weekday (calendar_parse refuses one), which gives back `day` rather than search
 * without end. */
long calendar_add(const struct calendar *c, long day, long n);
/* Working days in (from, to]; negative (minus those in (to, from]) when to < from. So for n > 0
 * calendar_between(c, d, calendar_add(c, d, n)) == n from any day d. */
long calendar_between(const struct calendar *c, long from, long to);

#endif
