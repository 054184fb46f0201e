/*
 * health.h — rapport's judgement: earned value per project and explainable
 * health scores for projects and customers. A score is made of components; each measured value
 * is normalised between a "bad" and a "good" anchor (clamp(100·(x−bad)/(good−bad), 0, 100)),
 * weighted, and summed over the components that have data — the weight of missing ones is
 * spread over the rest and the share present is the score's confidence. Any component under
 * the cap threshold caps the score below green. Weights, anchors and bands are team settings
 * (records of kind `setting`, which sync), with the defaults of rapport(1) HEALTH.
 *
 * Errors: 0 or negative RERR_*; results belong to the caller (health_free).
 */
#ifndef RAPPORT_HEALTH_H
#define RAPPORT_HEALTH_H

#include "workspace.h"

enum band { BAND_GREEN, BAND_AMBER, BAND_RED, BAND_GREY };
const char *band_name(enum band b);

#define HEALTH_MAX_COMPONENTS 12

struct component {
	const char *key, *label, *unit;
	double weight, bad, good; /* as configured */
	bool present;             /* false: no data; its weight went to the others */
	double raw;               /* the measured value, in `unit` */
	double score;             /* 0-100 */
	double lost;              /* points of the final score lost to this component */
	char note[96];            /* how raw was measured: "3 of 4 due milestones on time" */
};

struct health {
	char id[33], customer[33];
	const char *kind; /* "project" or "customer" */
	char status[16];  /* a project's status, a customer's stage */
	char name[96];
	double score, confidence;
	enum band band;  /* BAND_GREY when confidence is under the threshold */
	enum band color; /* the band by score alone */
	bool capped;
	struct component c[HEALTH_MAX_COMPONENTS];
	size_t nc;
	struct project_facts evm; /* projects: the earned value behind SPI and CPI */
	bool brief;               /* built without notes (health_config.brief) */
	double value;             /* projects: what the customer's delivery score weighs them by */
};

struct health_config {
	struct component project[HEALTH_MAX_COMPONENTS], customer[HEALTH_MAX_COMPONENTS];
	size_t nproject, ncustomer;
	double green, amber;  /* band floors: green >= 75, amber >= 50 */
	double cap_under;     /* a component under this caps the score ... */
	double cap_at;        /* ... at this (74) */
	double grey_under;    /* confidence (%) under which the band is grey */
	double fade_days;     /* survey answers older than this have faded to neutral */
	bool brief;           /* scores only: components' notes are left empty (a long list
			       * shows the label of the worst, not how each was measured) */
};

/* The defaults with the team's `setting` records applied ("health.project.spi.weight 25",
 * "health.band.green 80", ...). A setting that is not a number, or names no component, is an
 * error naming it. */
int health_config_load(struct ws *w, struct health_config *cfg, struct err *e);

struct healths {
	struct health *v;
	size_t n, cap;
};
void healths_free(struct healths *h);

/* Scores at the status date (YYYY-MM-DD): every live project and customer, or those of one
 * customer, or one project. Results are sorted by id. */
int health_projects(struct ws *w, const struct health_config *cfg, const char *date,
		    const char *project, const char *customer, struct healths *out, struct err *e);
/* Customers need their projects' scores: those come back in *projects when it is not NULL. */
int health_customers(struct ws *w, const struct health_config *cfg, const char *date,
		     const char *customer, struct healths *out, struct healths *projects,
		     struct err *e);

/* The records behind a component ("why"): lines of text with the record id first,
 * "ID<TAB>text", at most `limit`. */
int health_behind(struct ws *w, const struct health *h, const struct component *c, long limit,
		  struct strv *lines, struct err *e);

/* Whether a score is on the portfolio's lists: active or paused projects, customers past lead
 * and not churned. */
bool health_listed(const struct health *h);
/* qsort order of `const struct health *`: worst first, grey (too little data) last. */
int health_cmp(const void *a, const void *b);
/* Appends to v (room for hs->n more) the scores on the portfolio's lists, or all of them when
 * `all`; returns how many it appended. */
size_t health_pick(const struct healths *hs, bool all, const struct health **v);
/* The portfolio's ranked list, the one `rapport health` prints and the TUI's dashboard heads:
 * every project and customer on the portfolio's lists (health_listed) scored at the status
 * date, worst first, grey last (health_cmp). v points into projects and customers, which hold
 * every score computed (customers need all their projects'). Free with health_ranking_free. */
struct health_ranking {
	struct healths projects, customers;
	const struct health **v;
	size_t n;
};
int health_rank(struct ws *w, const struct health_config *cfg, const char *date,
		struct health_ranking *out, struct err *e);
void health_ranking_free(struct health_ranking *r);
/* The label of the component that lost the most points ("" when none lost much). */
const char *health_top_issue(const struct health *h);
/* The components ordered by points lost, most first. */
void health_by_lost(const struct health *h, const struct component *order[HEALTH_MAX_COMPONENTS]);

/* The last recorded score of each of the 12 calendar weeks (Monday to Sunday) ending with the
 * week of `today` (days since the epoch); first_day is the first week's Monday. */
struct health_trend {
	double by_week[12];
	bool has[12];
	long first_day;
};
void health_trend(struct ws *w, const char *id, long today, struct health_trend *t);
/* Every id's trend at once (a ranked list's), read in one pass; health_trends_get fills t from
 * it (all weeks unknown for an id without history). */
struct health_trends {
	struct trend_of_id {
		char id[33];
		struct health_trend t;
		bool has_today; /* a score is recorded for `today` ... */
		double today;   /* ... and this is it */
	} *v;
	size_t n, cap;
	long first_day;
	char today[11];
	long week; /* today's calendar week (Monday first), in weeks since 1970 */
	bool kept; /* loaded from, and recorded into, the kept table (today's trends) */
};
int health_trends_load(struct ws *w, long today, struct health_trends *out, struct err *e);
void health_trends_get(const struct health_trends *all, const char *id, struct health_trend *t);
void health_trends_free(struct health_trends *all);
/* Records the scores (those with any confidence) as the history of `today` (days since the
 * epoch) in one transaction, writing only those that differ from what that day already holds,
 * so a rerun writes nearly nothing. When trends is not NULL it comes back loaded (as
 * health_trends_load) and holding the new scores. */
int health_record(struct ws *w, long today, const struct healths *const *sets, size_t nsets,
		  struct health_trends *trends, struct err *e);
/* The direction against four weeks ago: 1 rising, -1 falling, 0 steady (within 2 points),
 * 2 unknown (no score then or now). */
int health_trend_dir(const struct health_trend *t);
/* Puts h's score in its trend's last week (the status date's) when the score counts (any
 * confidence), as health_record would: a chart drawn under a headline score ends with that
 * score even when no run has recorded it yet (a report after an edit, --at). */
void health_trend_now(struct health_trend *t, const struct health *h);

/* Customer value to a date, from the scores health_customers computed with its projects:
 * invoiced to date and the actual cost of their projects, highest revenue first. */
struct cvalue {
	char id[33], name[96];
	double revenue, cost;
};
struct cvalues {
	struct cvalue *v;
	size_t n;
};
void health_values_of(const struct healths *customers, const struct healths *projects,
		      struct cvalues *out);
void cvalues_free(struct cvalues *v);

/* The portfolio KPIs (store.h struct kpis) as rows: key, label and printf format. */
struct kpi_def {
	const char *key, *label, *fmt;
	size_t off, has;
};
extern const struct kpi_def kpi_defs[];
extern const size_t kpi_ndefs;
/* The KPI's value in k; false when the period had no data for it. */
bool kpi_get(const struct kpis *k, const struct kpi_def *d, double *v);

/* The reporting period `back` periods before the one holding day d ("month", "quarter",
 * "year"): [from, to] and a label ("2026-11", "2026-Q4", "2026"). The period holding d is cut
 * at d — its KPIs are to date, never counting what falls due later as missed — and then the
 * function returns true: a partial period, which callers mark as such. */
bool health_period(long d, const char *kind, int back, char from[11], char to[11], char label[16]);

/* Records the plan of a project's tasks as their baseline (start, due, budget: its own, else
 * estimate x the project's rate) and stamps the project's `baselined` date; with clear, removes
 * them. One transaction; p is saved (its `baselined` changed). *n: the tasks. */
int health_baseline(struct ws *w, struct record *p, bool clear, long *n, struct err *e);

/* ---- the sales pipeline (pipeline.c) ---- */
#define PIPELINE_STAGES 3
extern const char *const pipeline_stages[PIPELINE_STAGES]; /* the open ones, in order */
struct pbucket {
	char key[12]; /* a stage, a month ("2026-12"), or "" for no expected close */
	long n;
	struct msum amount, weighted; /* per currency */
	double weighted_base;         /* in the team's currency, what rates convert */
};
struct pipeline {
	char from[11], to[11]; /* the closed window: the twelve months to the status date */
	char team[4];          /* the team's currency, "" when none */
	long open, late;       /* open ones; of them, past their expected close */
	struct msum amount;    /* what the open ones are worth, per currency */
	struct pbucket stage[PIPELINE_STAGES];
	struct pbucket *month; /* by expected close, undated last */
	size_t nmonth;
	struct msum weighted;
	double weighted_base; /* in the team's currency */
	long unconverted;     /* open ones no rate converts (left out of weighted_base) */
	long won, lost, cycle_days;
	struct msum won_amount;
};
/* The pipeline at `date` for a customer and/or an owner (member id), NULL for all. The result
 * belongs to the caller (pipeline_free), also on error. */
int health_pipeline(struct ws *w, const char *date, const char *customer, const char *owner,
		    struct pipeline *out, struct err *e);
void pipeline_free(struct pipeline *p);

#endif
