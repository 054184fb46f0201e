/*
 * billing.h — lead to cash after the sale: a contract's payment plan (its `billing` lines) read
 * against its milestones, the invoice a plan line drafts, and receivables (ageing, days sales
 * outstanding, the collection forecast). Part of the process layer: a milestone's acceptance is
 * its process's last stage, and a planned line's date moves with its project's schedule
 * performance (SPI, from the facts health reads).
 *
 * Everything returned is owned by the caller and freed with the matching _free. Errors: 0 or
 * a negative RERR_*; RERR_INPUT when a line cannot be billed (not reached, already invoiced),
 * with a message that says what it waits for; nothing is written then.
 */
#ifndef RAPPORT_BILLING_H
#define RAPPORT_BILLING_H

#include "workspace.h"

struct bill_line {
	char id[33], contract[33], customer[33], milestone[33], invoice[33], project[33];
	char *label, *trigger, *contract_title;
	double amount;    /* its amount, or its percent of the contract's value */
	double percent;   /* of the contract's value (0 when the contract has none) */
	char currency[4]; /* the contract's ("" when neither it nor the team names one) */
	long due_days;
	char reached[11];  /* the day the trigger was reached; "" not yet */
	char planned[11];  /* the day it is planned: its date, its milestone's due; "" unknown */
	char forecast[11]; /* planned, moved by the project's SPI (see billing_plan); "" unknown */
	char due[11];      /* when the money is expected: reached (else forecast) + due_days */
	bool ready;        /* reached and not invoiced: what `rapport bill` drafts */
	char *why;         /* what it waits for, or what became of it (English: --json) */
	char *why_shown;   /* the same in the interface language */
};

struct billing {
	struct bill_line *v; /* by contract, then planned date */
	size_t n;
	/* Plans that do not add up to their contract's value, flagged, not refused:
	 * "contract Support 2027: the plan is 90% of its value (9,000.00 of 10,000.00 CNY)". */
	struct strv flags;
};
void billing_free(struct billing *b);
/* The lines ready to invoice: their amounts per currency added to m, and how many. */
long billing_ready(const struct billing *b, struct msum *m);

/* Every live plan line at the status date, of one contract or one customer or all (NULL).
 * A line triggered by a date is reached on that date; by a milestone, on the day it was done;
 * by a milestone's acceptance, on the day it entered the last stage of its process. A line not
 * reached whose milestone belongs to a project with an SPI is forecast at
 *     forecast = due + (due - start) x (1 - SPI) / SPI
 * (due the milestone's, start the project's; SPI under 0.1 counts as 0.1), capped at the
 * project's own forecast end (the same formula for the project's due date) and never before
 * the status date. */
int billing_plan(struct ws *w, const char *date, const char *contract, const char *customer,
		 struct billing *out, struct err *e);

/* Drafts the invoice of a ready plan line (status draft, its amount in the contract's currency,
 * customer, contract, project and milestone linked, issued on `date`, due due_days after the
 * trigger was reached, or after `date` when that is later) and records it in the line, in one
 * transaction. The invoice's id goes to out. */
int billing_draft(struct ws *w, const char *line, const char *date, char out[33], struct err *e);

/* Receivables at the status date: what issued invoices still owe, per customer and currency,
 * by days past due. */
enum { AGE_CURRENT, AGE_30, AGE_60, AGE_90, AGE_OVER, AGE_BUCKETS };
extern const char *const age_labels[AGE_BUCKETS]; /* "not due", "1-30", ... "90+" */
struct aging {
	char customer[33]; /* "" for the portfolio's rows */
	char name[96];     /* the customer's */
	char currency[4];
	double bucket[AGE_BUCKETS], total;
	long count[AGE_BUCKETS]; /* invoices in each bucket */
	long invoices, overdue;
};
struct cash_month {
	char month[8]; /* "2027-01"; the status date's month also holds what is overdue */
	char currency[4];
	double invoiced; /* outstanding on issued invoices, by due date */
	double planned;  /* plan lines not invoiced yet, by their expected date */
};
struct receivables {
	char date[11], team[4];
	struct aging *customers; /* by customer name, then currency */
	size_t ncustomers;
	struct aging *total; /* the portfolio, per currency */
	size_t ntotal;
	/* Days sales outstanding: what is owed / what was invoiced in the 90 days to the status
	 * date x 90, both in the team's currency (amounts no rate converts are left out: `missing`
	 * counts them). */
	bool has_dso;
	double dso, owed_base, billed90_base;
	long missing;
	struct cash_month *forecast; /* by month, then currency */
	size_t nforecast;
	struct strv overpaid; /* "INV-7: paid 1,200.00 of 1,000.00 CNY" (two replicas' receipts) */
};
void receivables_free(struct receivables *r);
/* plan, when not NULL, gets the payment plans the forecast read (billing_plan's, the
 * caller frees it), so a caller showing both reads them once. */
int billing_receivables(struct ws *w, const char *date, const char *customer,
			struct receivables *out, struct billing *plan, struct err *e);

#endif
