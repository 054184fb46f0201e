/*
 * rules.h — the rule engine (rapport-rules(5)). Rules are records of kind `rule`:
 * a watched kind, a condition (an SQL expression over that kind's documented view), a
 * severity, a message template, who is told, and actions: raise an alert, create a follow-up
 * task, mark the customer at risk. Evaluation is idempotent: one alert (and at most one task)
 * per rule and record however often it runs; an alert resolves itself when its condition stops
 * holding, and a snoozed one wakes when its snooze ends. A new alert runs the local hook
 * .rapport/hooks/on-alert (never synced) with the alert as JSON on stdin.
 *
 * Errors: 0 or negative RERR_*; a rule that fails at run time is reported in the report and
 * the others still run.
 */
#ifndef RAPPORT_RULES_H
#define RAPPORT_RULES_H

#include "workspace.h"

/* Creates each default rule (rapport-rules(5) DEFAULT RULES) the workspace never had: one it
 * deleted stays deleted. Their ids derive from their names, so replicas that seed them
 * separately merge into the same records. */
int rules_seed(struct ws *w, struct err *e);

/* Whether the workspace has any live rule (sync evaluates rules only then). */
bool rules_exist(struct ws *w);

struct rules_report {
	long raised, reopened, resolved, tasks, at_risk;
	struct strv errors;   /* "rule NAME: reason" */
	struct strv raised_ids; /* alerts raised or reopened by this run */
};
void rules_report_free(struct rules_report *r);

/* Evaluates every enabled rule at the status date (YYYY-MM-DD), each rule's writes in a
 * transaction of their own (its condition runs in the sandbox, which sees what was committed:
 * store.h), then runs the hook for the new alerts that were committed. Seeding the defaults is
 * the caller's choice (rules_seed). */
int rules_evaluate(struct ws *w, const char *date, struct rules_report *rep, struct err *e);

/* What one rule would match now: cb gets each row of its view (column names and values). */
int rules_test(struct ws *w, const struct record *rule, const char *date,
	       int (*cb)(int n, const char *const *names, const char *const *vals, void *ctx),
	       void *ctx, struct err *e);

/* Checks a rule record the way ws_add and ws_save check a rule typed, loaded or edited: its
 * fields (record_check), then its condition in the rules' sandbox (store.h): it must compile
 * against the view it watches, reading nothing but the documented views, and, when the rule
 * is enabled, a trial evaluation on up to 100 rows of local data must finish within the
 * rules' time, memory and size bounds. So a rule that reads sqlite_master, writes, or would
 * exhaust the machine is refused. Errors: RERR_INPUT, "rule NAME: when: REASON" for the
 * condition. For rules arriving from a remote (sync) as well as typed ones; a disabled rule
 * is only compiled, so a stored bomb can always be turned off. Run it outside health's
 * gathering (no other thread inside SQLite, see store.h). */
int rules_check_record(struct ws *w, const struct record *rule, struct err *e);

/* Fills a message template for a rule watching `watch`: {column} becomes the row's value —
 * money as fmt_money writes it, other numbers with a fraction rounded to 1 decimal — and an
 * empty value becomes "(unset)", or the text after '|' in {column|text}. */
char *rules_render(const char *tmpl, const char *watch, int n, const char *const *names,
		   const char *const *vals);

#endif
