/*
 * store.h — the record store: the only module that talks to SQLite. It owns the
 * database file, its schema (derived from the kind table, migrated forward-only and versioned by
 * PRAGMA user_version), record reads and writes, queries, totals and the full-text index.
 *
 * Contracts: every function returns 0 or a negative RERR_* with a message in e. Records returned
 * through **out belong to the caller. Callers group writes with store_begin/commit; a write
 * outside a transaction is its own transaction. All values are bound as parameters; identifiers
 * come only from the schema, never from input.
 */
#ifndef RAPPORT_STORE_H
#define RAPPORT_STORE_H

#include "core.h"

struct store;

/* Opens (creating if needed) the database at path, or ":memory:". WAL, busy timeout, FKs on. */
int store_open(struct store **out, const char *path, struct err *e);
void store_close(struct store *st);
/* Creates or extends tables, columns and indexes so the database fits the schema. Takes the write
 * lock only when a kind's description has not been planned in this database before (then it
 * records a key for it in meta). Never drops or changes existing columns. */
int store_migrate(struct store *st, const struct schema *sc, struct err *e);
/* How many times store_migrate had to plan (query the database's objects and take the write
 * lock) in this process: a workspace whose schema is unchanged is opened without planning. */
extern unsigned long store_plans_run;

/* Tunes the connection for loading many records (demo data, imports, a clone): a larger page
 * cache, and SQLite's temporary files (statement journals, sorters) in memory. */
int store_bulk(struct store *st, struct err *e);
/* Lists sort text the Chinese way (ICU's zh collation: pinyin) when on, else by bytes ignoring
 * case. The order indexes keep the byte order, so a zh sort of a big kind sorts in memory. */
void store_sort_zh(struct store *st, bool on);
/* Indexes every record's text again when the search index was built by a build that indexed
 * differently (meta "fts"); a no-op otherwise, and on a database opened read-only. */
int store_fts_refresh(struct store *st, const struct schema *sc, struct err *e);
/* A load of many records into one kind, inside the caller's transaction: drops the kind's
 * order indexes ("_sort": what lists walk; lookups by id, name and reference stay, and so does
 * the order index of `keep`, which the load looks duplicates up by), so each row updates a few
 * indexes instead of ten. store_bulk_end builds them again, one sorted pass each. */
int store_bulk_begin(struct store *st, const struct kindinfo *ki, const struct field *keep,
		     struct err *e);
int store_bulk_end(struct store *st, const struct kindinfo *ki, struct err *e);
/* Refreshes the query planner's statistics; call after a bulk load. */
int store_analyze(struct store *st, struct err *e);

int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* Small key/value state of this replica (replica id, ...). *out is NULL when the key is unset. */
/* A second, read-only connection to the same database, for one other thread to read with while
 * this one works (each connection belongs to one thread at a time). It sees what was last
 * committed: inside a write transaction of st that has not written yet, the same data as st.
 * An in-memory database has none (an error). Closed with store_close. */
int store_open_reader(struct store *st, struct store **out, struct err *e);
/* A read transaction: the statements until store_snapshot_end see one state of the database
 * and take no write lock (inside a write transaction both do nothing). */
int store_snapshot_begin(struct store *st, struct err *e);
void store_snapshot_end(struct store *st);
int store_meta_get(struct store *st, const char *key, char **out, struct err *e);
/* Whether this process may not write the database (opened from a read-only file). */
bool store_readonly(struct store *st);
int store_meta_set(struct store *st, const char *key, const char *value, struct err *e);

int store_insert(struct store *st, const struct record *r, struct err *e);
/* Writes every field and the meta columns of an existing record. */
int store_update(struct store *st, const struct record *r, struct err *e);
/* Loads a record by full id; RERR_NOTFOUND when there is none. */
int store_get(struct store *st, const struct schema *sc, const char *id, struct record **out,
	      struct err *e);
/* Kind of a full id; RERR_NOTFOUND when unknown. *kind is owned by the caller. */
int store_kind_of(struct store *st, const char *id, char **kind, struct err *e);
/* Ids starting with prefix (at most max), with their kinds, in id order. */
int store_prefix(struct store *st, const char *prefix, size_t max, struct strv *ids,
		 struct strv *kinds, struct err *e);
/* Live records of a kind whose name field equals name, ignoring ASCII case (at most max). */
int store_by_name(struct store *st, const struct kindinfo *ki, const char *name, size_t max,
		  struct strv *ids, struct err *e);

/* Lookups for what people type, all ignoring ASCII case: the whole name (NAME_EXACT, as
 * store_by_name but also among deleted records); names that start with text (NAME_PREFIX; a
 * range walk of the name's index where the kind has one); names that contain it with a word
 * starting so (NAME_WORD; through the full-text index: live records of kinds whose name is
 * searchable, else nothing); names that contain it anywhere (NAME_CONTAINS; reads every row of
 * the kind). Live records, or deleted ones when `deleted`; at most max ids appended to ids,
 * ordered by name. */
enum name_match { NAME_EXACT, NAME_PREFIX, NAME_WORD, NAME_CONTAINS };
int store_name_match(struct store *st, const struct kindinfo *ki, const char *text,
		     enum name_match how, bool deleted, size_t max, struct strv *ids, struct err *e);

/* The distinct names (the kind's name field) of live records, or deleted ones, that start with
 * prefix ("" for all), ignoring ASCII case, in name order, at most max appended to names: what
 * shell completion offers. Nothing for a kind without a name field. */
int store_names(struct store *st, const struct kindinfo *ki, const char *prefix, bool deleted,
		size_t max, struct strv *names, struct err *e);

enum qop { Q_EQ, Q_NE, Q_LT, Q_GT, Q_LE, Q_GE, Q_LIKE, Q_NULL, Q_NOTNULL, Q_IN /* "a,b" */ };
struct qcond {
	const struct field *f; /* a field of the query's kind, or a meta field */
	enum qop op;
	const char *value; /* normalised; Q_EQ/Q_NE on a set means membership */
	/* Through a reference: f is a field of `via`'s target kind, and the condition holds for
	 * records whose `via` points at a live record meeting it ("project.status=active"). */
	const struct field *via;
};
struct query {
	const struct kindinfo *ki;
	struct qcond cond[32];
	size_t ncond;
	struct {
		const struct field *f;
		bool desc;
	} sort[8];
	size_t nsort;
	long limit, offset; /* limit 0: no limit */
	int deleted;        /* 0 live records, 1 deleted ones, 2 both */
	bool reverse;       /* walk the order backwards (the exact reverse: nulls, ties and all) */
	struct strv owned;  /* values the query owns (from query_own) */
};
typedef int (*record_cb)(const struct record *r, void *ctx);

void query_init(struct query *q, const struct kindinfo *ki);
/* Keeps a copy of v alive as long as the query; returns the copy. */
const char *query_own(struct query *q, char *v);
void query_free(struct query *q);
/* Calls cb for each match, in order; a non-zero return from cb stops and is returned. */
int store_query(struct store *st, const struct query *q, record_cb cb, void *ctx, struct err *e);
int store_count(struct store *st, const struct query *q, long *n, struct err *e);
/* Totals of f (less `minus` when not NULL) over the query's records, per currency: each
 * record's own, else its contract's, else its project's, else the team's (team_currency). */
int store_sum_money(struct store *st, const struct query *q, const struct field *f,
		    const struct field *minus, struct msum *out, struct err *e);
/* Sum of a numeric field over the matches (0 when none). */
int store_sum(struct store *st, const struct query *q, const struct field *f, double *out,
	      struct err *e);
/* The widest value of f among q's matches in display columns (the stored text, as utf8_width
 * measures it), 0 when none: one pass in SQL, so a list can size a column for all its rows
 * without loading them. */
int store_max_width(struct store *st, const struct query *q, const struct field *f, int *out,
		    struct err *e);
/* Calls cb with each distinct set value of f among q's matches, at most limit (0: all); a
 * non-zero return from cb stops and is returned. */
int store_distinct(struct store *st, const struct query *q, const struct field *f, long limit,
		   int (*cb)(const char *value, void *ctx), void *ctx, struct err *e);
/* Full-text search over live records, best match first. CJK text matches by character. */
int store_search(struct store *st, const struct schema *sc, const char *text, long limit,
		 record_cb cb, void *ctx, struct err *e);
/* Changes whenever another connection (another rapport: CLI, sync) commits to the database. */
long long store_data_version(struct store *st);
/* Counts of live records per kind, for summaries: n[i] matches sc->kinds[i]. */
int store_census(struct store *st, const struct schema *sc, long *n, struct err *e);

/* ---- what sync needs (src/sync) ----
 * Every record carries a rev: "YYYY-MM-DDTHH:MM:SS.mmmZ-REPLICA", a hybrid logical clock (never
 * behind the wall clock, always ahead of every rev this database has written or seen) and the
 * id of the replica that wrote it, so revs order writes the same way on every replica. */
#define REV_MAX 64

enum store_wmode {
	STORE_LOCAL,  /* a person's write: stamp the next rev, queue it for the next snapshot */
	STORE_IMPORT, /* from a snapshot: keep the record's rev, nothing to snapshot */
	STORE_MERGED, /* a merge of local and snapshot: keep the rev, snapshot it next time */
};
void store_write_mode(struct store *st, enum store_wmode m);
/* How far (ms) a rev seen in a snapshot may be ahead of this machine's wall clock and still move
 * the clock; the team setting sync.max_skew, 24 h by default. */
#define STORE_MAX_AHEAD (24LL * 3600 * 1000)
/* The last millisecond a rev can write (9999-12-31T23:59:59.999Z): the format has four digits
 * for the year, and a clock past it would stamp revs no replica can read. */
#define REV_LAST_MS 253402300799999LL
void store_clock_bound(struct store *st, long long ms);
/* Moves the clock past a rev seen in a snapshot (call inside a write transaction), unless the
 * rev is more than the bound ahead of the wall clock: then the clock stays and the return value
 * says how far ahead (ms) the rev was; 0 when it was observed. The clock itself never passes
 * 9999-12-31T23:59:59.999Z, the last time a rev can write. */
long long store_clock_observe(struct store *st, const char *rev);
/* A rev's time in ms since the epoch; -1 when it does not start with a rev's time. */
long long rev_ms(const char *rev);
/* This database's replica id (16 hex digits). */
const char *store_replica(struct store *st);

/* Records written locally since they were last snapshotted, with the rev of that write. */
int store_dirty_list(struct store *st, struct strv *ids, struct strv *revs, struct err *e);
/* The rev of id's unsnapshotted write, or NULL (*rev owned by the caller). */
int store_dirty_rev(struct store *st, const char *id, char **rev, struct err *e);
/* Marks id snapshotted if its latest write is still rev (a later write keeps it queued). */
int store_dirty_clear(struct store *st, const char *id, const char *rev, struct err *e);
int store_dirty_count(struct store *st, long *n, struct err *e);
/* Queues a record for the next snapshot with the rev it has: a record the snapshot tree lost (a
 * file removed with plain git) is written again, since a missing file never means deleted. */
int store_dirty_requeue(struct store *st, const char *id, const char *rev, struct err *e);

/* ---- held records (rapport(5) HELD): what a sync could not import ----
 * A record whose team copy (its file in the snapshot tree) fails the checks typed input passes
 * is held: the tree keeps the team's bytes, the database its last valid copy, and a row here
 * keeps the team's blob and text, the base (the database's copy, as a file, when it was held)
 * and the reason, so a local edit is exported as a merge into the team's bytes, never over
 * them. A record imported although it breaks a whole-record rule (start after due, more paid
 * than the amount) is marked here too, with broken set and no texts. Local, never synced: each
 * replica judges what it receives. get returns RERR_NOTFOUND when id is not held; each reads
 * all rows before the first callback, so callbacks may write. */
struct held {
	char id[33], kind[32];
	char *path, *blob, *text, *base, *reason, *since;
	bool broken;
};
void held_free(struct held *h);
int store_held_put(struct store *st, const struct held *h, struct err *e);
int store_held_get(struct store *st, const char *id, struct held **out, struct err *e);
int store_held_drop(struct store *st, const char *id, struct err *e);
int store_held_each(struct store *st, int (*cb)(const struct held *h, void *ctx), void *ctx,
		    struct err *e);
int store_held_count(struct store *st, long *n, struct err *e);

/* Calls cb for every record (of every kind, deleted ones too) holding conflicts. */
int store_conflicted(struct store *st, const struct schema *sc, record_cb cb, void *ctx,
		     struct err *e);
/* Calls cb(id, value) for every live record of a kind whose field f is set: one column read
 * in one pass (an import's duplicate check loads its keys this way). */
int store_values(struct store *st, const struct kindinfo *ki, const struct field *f,
		 int (*cb)(const char *id, const char *value, void *ctx), void *ctx, struct err *e);
/* The same for the values more than one live record has (by value, then id): a duplicate
 * check that reads the index, not every row into C. */
int store_values_shared(struct store *st, const struct kindinfo *ki, const struct field *f,
			int (*cb)(const char *id, const char *value, void *ctx), void *ctx,
			struct err *e);
/* Calls cb for every record of a kind, deleted ones too, in id order. */
int store_each(struct store *st, const struct kindinfo *ki, record_cb cb, void *ctx,
	       struct err *e);

/* ---- what health and rules read (src/health): the views of views.c ----
 * store_asof sets the status date (YYYY-MM-DD) the views compute against; call it first. */
int store_asof(struct store *st, const char *date, struct err *e);
/* The views exist on this connection (store_asof makes them too; only team_currency makes
 * sense before a status date is set). */
int store_views(struct store *st, struct err *e);
/* The currency totals are kept in (team_currency: currency.default, else the one most
 * projects, contracts and invoices name); "" when none is named. */
int store_team_currency(struct store *st, char out[4], struct err *e);

struct project_facts {
	char id[33], customer[33], status[16];
	char name[96]; /* cut to fit: for lists */
	double bac, pv, ev, ac, hours, budget;
	bool has_spi, has_cpi, has_eac;
	double spi, cpi, eac, vac;
	long ms_due, ms_on_time;   /* milestones due by the status date, and of those done on time */
	long defects;              /* incident tickets on the project */
	long inv_due, inv_on_time; /* invoices due by the status date, and of those paid on time */
	bool has_revenue;
	double revenue;            /* the linked contract's value, else what was invoiced */
	/* Money above is in the project's currency (its own, its contract's, else the team's):
	 * labour, expenses, invoices and the contract's value are converted to it. ac_base is
	 * the actual cost in the team's currency (team_currency), 0 when no rate converts it. */
	char currency[4];
	double ac_base;
};
/* Every live project (or one, or a customer's), by id. */
int store_project_facts(struct store *st, const char *project, const char *customer,
			int (*cb)(const struct project_facts *f, void *ctx), void *ctx, struct err *e);

struct customer_facts {
	char id[33], stage[16], renewal[12];
	char name[96];
	bool has_contact;
	long days_since_contact;
	bool executive_180;
	bool has_invoices;
	double receivable_days; /* outstanding amounts' average age, weighted by amount */
	long inv_due, inv_on_time;
	double revenue;         /* invoiced */
};
int store_customer_facts(struct store *st, const char *customer,
			 int (*cb)(const struct customer_facts *f, void *ctx), void *ctx,
			 struct err *e);

/* Passed as `customer` to the facts functions (project NULL): the projects and customers that
 * the facts cache's marks name, instead of one customer's or all. */
extern const char store_changed[];

/* The facts cache: facts of every project and customer at one status date, kept in the
 * workspace (local, never synced) so a ranking reads again only what changed. Triggers on the
 * tables facts come from mark the project or customer a written row feeds, and count every
 * marking write; a write to a member (rates) or a bulk load marks everything ('*'). Entries
 * are the caller's bytes; `key` names their day and layout, and an entry is used only under the
 * key it was written with.
 * A run reads without a lock (the cache itself in one read transaction, store_snapshot_begin),
 * then writes in a write transaction only if store_facts_cache_still says that nothing was
 * marked (and, for cache_too, no cache written) since its state was read: so no mark is ever
 * cleared that the run did not see, and writers never wait for a long read.
 * state: usable when the cache is for key and not everything is marked; how many ids are
 * marked; the counts of marking writes and of cache writes. load: the entries of unmarked ids,
 * by id. reset: empty, for key. settle: entries of marked ids dropped and the marks cleared.
 * put: one entry. */
struct facts_state {
	bool usable;
	long changed;
	long long seq, written;
};
int store_facts_cache_state(struct store *st, const char *key, struct facts_state *fs,
			    struct err *e);
int store_facts_cache_still(struct store *st, const struct facts_state *fs, bool cache_too,
			    bool *same, struct err *e);
int store_facts_cache_load(struct store *st,
			   int (*cb)(const char *id, char kind, const void *data, size_t n, void *ctx),
			   void *ctx, struct err *e);
int store_facts_cache_reset(struct store *st, const char *key, struct err *e);
int store_facts_cache_settle(struct store *st, struct err *e);
int store_facts_cache_put(struct store *st, const char *id, char kind, const void *data,
			  size_t n, struct err *e);

/* Survey answers up to the status date (kind "nps" or "csat"), for a customer or project
 * (NULL: all), in customer order. */
struct survey_fact {
	char customer[33], project[33], kind[5], date[11];
	int score;
};
int store_survey_facts(struct store *st, const char *customer,
		       int (*cb)(const struct survey_fact *f, void *ctx), void *ctx, struct err *e);
/* Opportunities as opportunity_status holds them at the status date `date` (set with
 * store_asof unless it is already that date), for a customer or all (NULL), by expected close
 * (undated last), then name. Amounts in the
 * opportunity's currency; *_base in the team's, has_base false when no rate converts them
 * (counted by store_fx_missing). name points into the row: copy it to keep it. */
struct opp_fact {
	char id[33], customer[33], owner[33], stage[12], currency[4], expected_close[11], closed[11];
	const char *name;
	double amount, probability, weighted, amount_base, weighted_base;
	bool has_base;
	long overdue_days, age_days;
};
int store_opportunities(struct store *st, const char *date, const char *customer,
			int (*cb)(const struct opp_fact *f, void *ctx), void *ctx, struct err *e);
/* Issued invoices up to the status date (invoice_status: drafts and void ones are not owed),
 * of one customer or all, by customer, then issue date: what receivables are read from. */
struct inv_fact {
	char id[33], customer[33], currency[4], issued[11], due[11], paid_on[11];
	const char *number;
	double amount, paid, outstanding, amount_base, outstanding_base;
	bool has_base; /* amount_base and outstanding_base convert (rapport_fx) */
	long overdue_days, age_days;
};
int store_invoices(struct store *st, const char *date, const char *customer,
		   int (*cb)(const struct inv_fact *f, void *ctx), void *ctx, struct err *e);
/* Hours to first response of tickets up to the status date, by customer then hours. */
int store_response_facts(struct store *st, const char *customer,
			 int (*cb)(const char *customer, double hours, void *ctx), void *ctx,
			 struct err *e);

/* Rows of a documented view query for "why" lists: sql is one of the fixed queries of
 * src/health (never input); ?1 is bound to arg; each row comes back as text columns. */
int store_view_rows(struct store *st, const char *sql, const char *arg, long limit,
		    int (*cb)(int n, const char *const *cols, void *ctx), void *ctx, struct err *e);

/* Rules (rapport-rules(5)): a condition is an SQL expression over the view of the watched kind,
 * run in a sandbox (src/store/rules.c): a read-only connection of its own to the database,
 * opened on first use (so a store on ":memory:" cannot run rules), under an authorizer that
 * allows reading the documented views only, and within these bounds:
 * RULE_SECONDS of time; values of at most RULE_VALUE_MIB; RULE_MEMORY_MIB of SQLite memory
 * beyond what the process used before; a compiled size bounded by expression depth, compound
 * selects, function arguments and program length; and like, glob, instr, replace and
 * two-argument trim refuse inputs whose sizes multiply past 2^26 bytes.
 * Errors are RERR_INPUT with the reason, "stopped: ..." when a bound was hit.
 *
 * Threads: the memory bound is SQLite's heap limit, which is one for the whole process, so
 * while a rule is compiled or runs no other thread may be inside SQLite (its allocations
 * would fail against the rule's limit). Every caller runs rules on the thread that owns st
 * after health's second thread is joined (health gathers facts, joins, then rules run:
 * rules_evaluate, rules_test, sync's run after a merge, the TUI); the functions refuse to run
 * (RERR_RUNTIME) while a connection of store_open_reader is open anywhere in the process.
 *
 * The sandbox sees what was committed: a rule does not see st's uncommitted writes. It never
 * touches st's connection, so a stopped rule cannot disturb a transaction open on st.
 * compile: checks it compiles, without running it. trial: compiles it, then evaluates it on
 * up to 100 rows of its view (one row of NULLs when the view is empty) under the same
 * bounds — how a condition that would exhaust the machine is refused before it is stored;
 * whether a condition that depends on data is caught depends on the rows tried. run: the
 * rule over its whole view; cb gets each matching row after the bounds are lifted. */
#define RULE_SECONDS 2.0
#define RULE_VALUE_MIB 16
#define RULE_MEMORY_MIB 64
/* Whether a column of the view a rule watching `watch` reads holds money (invoice_status's
 * amount, paid and outstanding; contract_status's value; budgets and earned-value figures). */
bool store_rule_money(const char *watch, const char *column);
int store_rule_compile(struct store *st, const char *watch, const char *expr, struct err *e);
int store_rule_trial(struct store *st, const char *watch, const char *expr, struct err *e);
int store_rule_run(struct store *st, const char *watch, const char *expr, double seconds,
		   int (*cb)(int n, const char *const *names, const char *const *vals, void *ctx),
		   void *ctx, struct err *e);
/* Whether a condition holds for one record of the watched kind (the row of its view whose id
 * is id), under the same bounds: how a process's entry, checks and approval conditions are
 * evaluated at advance time. */
int store_rule_holds(struct store *st, const char *watch, const char *expr, const char *id,
		     bool *holds, struct err *e);
/* Earned value of a project for rules to read (temp.project_evm of the sandbox), with its
 * health score and band (band NULL: not scored). Written in one transaction of the sandbox,
 * which the next rule commits; store_asof at another date empties them. */
int store_evm_put(struct store *st, const struct project_facts *f, double health, const char *band,
		  struct err *e);
/* Health scores for rules to read (the sandbox's temp.health_scores, joined into project_evm
 * and customer_activity as health and health_band), written like store_evm_put. */
int store_health_put(struct store *st, const char *id, double score, const char *band,
		     double confidence, struct err *e);

/* Portfolio KPIs over a period [from, to] (YYYY-MM-DD). A has_ flag is false when the period
 * has no data for that KPI. */
struct kpis {
	double on_time_delivery;         /* % of milestones due in the period done by their due */
	double first_contact_resolution; /* % of tickets resolved within an hour of the first
					  * response and never reopened */
	double complaint_hours;          /* median hours from opened to resolved, complaints */
	double collection_rate;          /* % of the amount due in the period that was paid */
	double receivable_days;          /* outstanding / the last 90 days' invoicing x 90 */
	double nps, csat;                /* surveys answered in the period */
	double retention;  /* % of the customers won at the period's start not churned at its end */
	double churn;      /* % of them churned by its end (by the stage history) */
	double conversion; /* % of the period's leads and prospects won by its end */
	double revenue;                  /* invoiced in the period */
	double revenue_per_member;       /* revenue / the team's members */
	double utilisation;              /* % billable hours of the members' capacity */
	double bookings;                 /* opportunities won in the period: their amounts */
	double win_rate;                 /* % of opportunities closed in the period that were won */
	double sales_cycle;              /* mean days from an opportunity's creation to its win */
	bool has_on_time_delivery, has_first_contact_resolution, has_complaint_hours,
		has_collection_rate, has_receivable_days, has_nps, has_csat, has_retention,
		has_churn, has_conversion,
		has_revenue, has_revenue_per_member, has_utilisation, has_bookings, has_win_rate, has_sales_cycle;
};
int store_kpis(struct store *st, const char *from, const char *to, struct kpis *k, struct err *e);

/* Health history: one score per id and day. */
int store_history_put(struct store *st, const char *id, const char *day, double score,
		      struct err *e);
/* The lowest scores of the latest day recorded, lowest first. */
int store_history_worst(struct store *st, long limit,
			int (*cb)(const char *id, double score, void *ctx), void *ctx, struct err *e);
/* Each id's trend kept whole (health_trend): its last score and that day, and the caller's
 * encoding of the 12 weeks ending with `week`; read all by id, written one at a time, or
 * cleared to be built again. */
int store_trend_all(struct store *st,
		    int (*cb)(const char *id, long week, const char *day, double score,
			      const void *weeks, size_t n, void *ctx),
		    void *ctx, struct err *e);
int store_trend_put(struct store *st, const char *id, long week, const char *day, double score,
		    const void *weeks, size_t n, struct err *e);
int store_trend_clear(struct store *st, struct err *e);
/* Every id's scores from day `since` on, by id then day: a ranked list's trends in one pass. */
int store_history_all(struct store *st, const char *since,
		      int (*cb)(const char *id, const char *day, double score, void *ctx), void *ctx,
		      struct err *e);
/* Scores of id from day `since` on, oldest first. */
int store_history(struct store *st, const char *id, const char *since,
		  int (*cb)(const char *day, double score, void *ctx), void *ctx, struct err *e);

/* Exchange rates (fx records): *rate converts one unit of `from` into `to`, the newest rate
 * at or before `date` (NULL: any), recorded either way round; 1 when the currencies are the
 * same (two unnamed ones too). RERR_NOTFOUND when no rate says how, an unnamed currency to a
 * named one included (counted: store_fx_missing). */
int store_fx_rate(struct store *st, const char *from, const char *to, const char *date,
		  double *rate);
/* How many amounts store_fx_rate and rapport_fx could not convert since the last reset, in
 * this process, and the first pair ("USD>CNY") in pair when not NULL. */
long store_fx_missing(char pair[8], bool reset);

#endif

