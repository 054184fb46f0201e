/*
 * t.h — a minimal unit-test harness: CHECK records a pass or a failure with its location and
 * keeps going, so one run reports every broken expectation. main() prints "N passed, N failed".
 */
#ifndef RAPPORT_T_H
#define RAPPORT_T_H

#include <stdio.h>
#include <string.h>

extern int t_pass, t_fail;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (cond)                                                              \
			t_pass++;                                                      \
		else {                                                                 \
			t_fail++;                                                      \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                      \
	} while (0)

#define CHECK_STR(a, b)                                                                   \
	do {                                                                              \
		const char *a_ = (a), *b_ = (b);                                          \
		if (a_ && b_ && !strcmp(a_, b_))                                          \
			t_pass++;                                                         \
		else {                                                                    \
			t_fail++;                                                         \
			fprintf(stderr, "FAIL %s:%d: %s == %s ('%s' vs '%s')\n", __FILE__, \
				__LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
		}                                                                         \
	} while (0)

void suite_util(void);
void suite_values(void);
void suite_store(void);
void suite_workspace(void);
void suite_format(void);
void suite_csv(void);
void suite_merge(void);
void suite_rules(void);
void suite_calendar(void);
void suite_synopsis(void);

#endif
