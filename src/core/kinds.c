/*
 * kinds.c — THE table of record kinds. Every other part of rapport reads the
 * kinds from here: the store derives tables, columns and indexes; validation reads types, ranges
 * and choices; the CLI derives list columns, show layouts and related lists; the portal (later)
 * derives what may leave from the F_VIS/F_INT/F_FIN flags. Add a field by adding a row.
 */
#include "core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define R F_REQ
#define L F_LIST
#define S F_FTS
#define N F_NAME
#define FIN F_FIN
#define INT F_INT
#define V F_VIS
#define IX F_INDEX

#define TEXT(n, fl) { n, FT_TEXT, fl, NULL, NULL, NULL, 0, 0, NULL, NULL }
#define LONG(n, fl) { n, FT_LONG, fl, NULL, NULL, NULL, 0, 0, NULL, NULL }
#define NUM(n, fl, lo, hi) { n, FT_NUMBER, fl, NULL, NULL, NULL, lo, hi, NULL, NULL }
#define INTEGER(n, fl, lo, hi) { n, FT_INT, fl, NULL, NULL, NULL, lo, hi, NULL, NULL }
#define DATE(n, fl, d) { n, FT_DATE, fl, NULL, NULL, d, 0, 0, NULL, NULL }
#define DTIME(n, fl, d) { n, FT_DATETIME, fl, NULL, NULL, d, 0, 0, NULL, NULL }
#define BOOL(n, fl, d) { n, FT_BOOL, fl, NULL, NULL, d, 0, 0, NULL, NULL }
#define CHOICE(n, fl, c, d) { n, FT_CHOICE, fl, c, NULL, d, 0, 0, NULL, NULL }
#define REF(n, fl, k) { n, FT_REF, (fl) | IX, NULL, k, NULL, 0, 0, NULL, NULL }
#define REFD(n, fl, k, d) { n, FT_REF, (fl) | IX, NULL, k, d, 0, 0, NULL, NULL }
#define REFS(n, fl, k) { n, FT_REFS, fl, NULL, k, NULL, 0, 0, NULL, NULL }
#define EMAIL(n, fl) { n, FT_EMAIL, fl, NULL, NULL, NULL, 0, 0, NULL, NULL }
#define SET(n, fl) { n, FT_SET, fl, NULL, NULL, NULL, 0, 0, NULL, NULL }
/* The currency of a record's amounts; unset on add, it comes from the record's contract, then
 * its project, then the team's currency.default (ws.c, "@currency"). Unset: the team's. */
#define CURRENCY(fl) { "currency", FT_CURRENCY, fl, NULL, NULL, "@currency", 0, 0, NULL, NULL }
/* A gated stage: moved by `rapport advance`, derived by the database (F_DERIVED). */
#define STAGE(n, fl) { n, FT_TEXT, (fl) | F_DERIVED | F_STAGE | IX, NULL, NULL, NULL, 0, 0, NULL, NULL }
/* The process a record follows (rapport-process(5)); unset: its kind's default process. */
#define PROCESS REF("process", INT, "process")

#define LEVELS "low,medium,high,critical"

static const struct field customer_f[] = {
	TEXT("name", R | L | S | N | V | IX),
	TEXT("industry", L | S | IX),
	TEXT("region", L | IX),
	CHOICE("size", 0, "micro,small,medium,large,enterprise", NULL),
	CHOICE("stage", L | IX, "lead,prospect,active,loyal,at_risk,churned", "lead"),
	REF("owner", L | INT, "member"),
	REF("parent", 0, "customer"),
	TEXT("website", S),
	TEXT("address", S),
	SET("tags", L | S),
	CHOICE("renewal_intent", INT, "yes,likely,unsure,unlikely,no", NULL),
	/* The day the customer entered its stage: kept by every write that changes the stage
	 * (settle_stage in workspace.c), given by an import's stage_since column; what the stage
	 * history (store.c) and so retention, churn and conversion count by. */
	DATE("stage_since", INT, NULL),
	LONG("note", S | INT),
};

static const struct field contact_f[] = {
	REF("customer", R | L, "customer"),
	TEXT("name", R | L | S | N | V | IX),
	TEXT("title", L | S | V),
	CHOICE("role", L, "sponsor,decision_maker,champion,influencer,user,technical,finance,"
			  "procurement,other", NULL),
	EMAIL("email", L | S | V | IX),
	TEXT("phone", S),
	REF("reports_to", 0, "contact"),
	BOOL("key", L, NULL),
	LONG("note", S | INT),
};

static const struct field interaction_f[] = {
	REF("customer", R | L, "customer"),
	REF("project", 0, "project"),
	REF("contact", L, "contact"),
	CHOICE("kind", R | L, "call,email,meeting,visit,chat,note", NULL),
	DTIME("at", R | L | IX, "now"),
	TEXT("summary", R | L | S | N),
	LONG("body", S),
	REFD("by", L, "member", "@me"),
	BOOL("executive", 0, NULL),
	CHOICE("direction", 0, "in,out", NULL),
};

static const struct field project_f[] = {
	REF("customer", R | L, "customer"),
	TEXT("code", L | S | V | IX),
	TEXT("name", R | L | S | N | V | IX),
	CHOICE("type", 0, "fixed_price,time_and_materials,retainer,support,internal", NULL),
	CHOICE("status", L | V | IX, "planned,active,paused,done,cancelled", "planned"),
	REF("manager", L, "member"),
	DATE("start", V, NULL),
	DATE("due", L | V | IX, NULL),
	NUM("budget", FIN, 0, 1e15),
	NUM("rate", FIN, 0, 1e9),
	CURRENCY(FIN),
	REF("contract", FIN, "contract"),
	LONG("description", S | V),
	DATE("baselined", INT, NULL),
	PROCESS,
	STAGE("phase", L | V),
};

static const struct field milestone_f[] = {
	REF("project", R | L, "project"),
	TEXT("name", R | L | S | N | V),
	DATE("due", R | L | V | IX, NULL),
	DATE("done", L | V, NULL),
	TEXT("deliverable", S | V),
	BOOL("visible", 0, "true"),
	NUM("weight", 0, 0, 1e6),
	PROCESS,
	STAGE("acceptance", V),
};

static const struct field task_f[] = {
	REF("project", L, "project"),
	REF("customer", 0, "customer"),
	REF("parent", 0, "task"),
	TEXT("name", R | L | S | N | V),
	CHOICE("status", L | V | IX, "todo,doing,blocked,review,done", "todo"),
	REF("assignee", L, "member"),
	DATE("start", V, NULL),
	DATE("due", L | V | IX, NULL),
	NUM("estimate", 0, 0, 1e6),
	NUM("progress", L | V, 0, 100),
	BOOL("key", 0, NULL),
	REF("milestone", 0, "milestone"),
	REFS("depends", 0, "task"),
	NUM("budget", FIN, 0, 1e15),
	LONG("note", S | INT),
	/* The stage of the project's process the task belongs to (a template sets it): what a
	 * stage's `tasks-done` check reads. */
	TEXT("phase", 0),
	/* The plan as `rapport baseline` recorded it; earned value measures against it. */
	DATE("baseline_start", INT, NULL),
	DATE("baseline_due", INT, NULL),
	NUM("baseline_budget", FIN, 0, 1e15),
};

static const struct field time_f[] = {
	REF("project", R | L, "project"),
	REF("task", 0, "task"),
	REFD("member", R | L, "member", "@me"),
	DATE("date", R | L | IX, "today"),
	NUM("hours", R | L, 0.01, 24),
	BOOL("billable", L, "true"),
	TEXT("note", L | S),
};

static const struct field expense_f[] = {
	REF("project", R | L, "project"),
	DATE("date", R | L | IX, "today"),
	NUM("amount", R | L, 0, 1e15),
	CURRENCY(0),
	TEXT("category", L | S),
	TEXT("note", L | S),
};

/* A sale in the making (商机): what it may bring, how likely, and when. Winning it makes the
 * contract and the project (`rapport won`), whose ids it keeps. Unset, the probability is the
 * stage's (opportunity_status in views.c): qualify 10, propose 30, negotiate 60, won 100,
 * lost 0. */
static const struct field opportunity_f[] = {
	REF("customer", R | L, "customer"),
	TEXT("name", R | L | S | N | IX),
	NUM("amount", L, 0, 1e15),
	CURRENCY(L),
	NUM("probability", 0, 0, 100),
	CHOICE("stage", L | IX, "qualify,propose,negotiate,won,lost", "qualify"),
	DATE("expected_close", L | IX, NULL),
	TEXT("source", S),
	REF("owner", L, "member"),
	/* The day it was won or lost: kept by every write (workspace.c, settle_closed), set when
	 * the stage becomes won or lost, cleared when it opens again. */
	DATE("closed", 0, NULL),
	TEXT("lost_reason", S),
	REF("contract", 0, "contract"),
	REF("project", 0, "project"),
	LONG("note", S),
};

static const struct field contract_f[] = {
	REF("customer", R | L, "customer"),
	TEXT("number", L | S | IX),
	TEXT("title", R | L | S | N),
	NUM("value", R | L, 0, 1e15),
	CURRENCY(L),
	DATE("signed", 0, NULL),
	DATE("start", 0, NULL),
	DATE("end", L | IX, NULL),
	CHOICE("status", L | IX, "draft,active,expired,terminated", "active"),
	CHOICE("renewal", 0, "auto,manual,none", NULL),
	PROCESS,
	STAGE("state", L),
};

static const struct field quote_f[] = {
	REF("customer", R | L, "customer"),
	REF("project", 0, "project"),
	TEXT("number", L | S | N | IX),
	NUM("amount", R | L, 0, 1e15),
	CURRENCY(L),
	DATE("date", L | IX, "today"),
	CHOICE("status", L | IX, "draft,sent,accepted,rejected,expired", "draft"),
};

static const struct field invoice_f[] = {
	REF("customer", R | L, "customer"),
	REF("contract", 0, "contract"),
	REF("project", 0, "project"),
	TEXT("number", L | S | N | IX),
	NUM("amount", R | L, 0, 1e15),
	CURRENCY(L),
	DATE("issued", R | L | IX, "today"),
	DATE("due", R | L | IX, NULL),
	/* A draft is not yet owed (`rapport bill` drafts); a void one never is: neither counts in
	 * receivables, ageing or revenue. */
	CHOICE("status", L | IX, "draft,issued,void", "issued"),
	REF("milestone", 0, "milestone"),
	/* The sum of the invoice's receipts, and the day they reached its amount (unset until
	 * they do): derived in the database from the receipts (store.c), so two replicas' payments
	 * add up instead of one overwriting the other. `rapport pay` records one. */
	NUM("paid_amount", L | F_DERIVED, 0, 1e15),
	DATE("paid_on", L | F_DERIVED, NULL),
	TEXT("note", S),
};

/* A line of a contract's payment plan (付款计划): a share of its value (percent) or an amount,
 * owed when its trigger is reached (a date, a milestone done, or a milestone's acceptance: the
 * last stage of its process) and due `due_days` after it. `rapport bill` drafts its invoice and
 * records it here; the Chinese 3-3-3-1 plan is four lines. */
static const struct field billing_f[] = {
	REF("contract", R | L, "contract"),
	TEXT("label", R | L | S | N),
	NUM("percent", L, 0.01, 100),
	NUM("amount", L, 0.01, 1e15),
	CHOICE("trigger", R | L, "date,milestone,acceptance", NULL),
	DATE("date", L | IX, NULL),
	REF("milestone", L, "milestone"),
	INTEGER("due_days", 0, 0, 3650),
	REF("invoice", L, "invoice"),
	TEXT("note", S),
};

/* Money received (回款): against an invoice, or, without one, a credit on the customer's
 * account (what a payment brought over an invoice's amount), applied later by setting its
 * invoice. In its invoice's currency. */
static const struct field receipt_f[] = {
	REF("invoice", L, "invoice"),
	REF("customer", R | L, "customer"), /* unset on add: the invoice's */
	NUM("amount", R | L, 0.01, 1e15),
	CURRENCY(L),
	DATE("date", R | L | IX, "today"),
	CHOICE("method", L, "bank,cash,card,cheque,alipay,wechat,offset,other", NULL),
	TEXT("reference", S),
	TEXT("note", S),
};

static const struct field ticket_f[] = {
	REF("customer", R | L, "customer"),
	REF("project", 0, "project"),
	REF("contact", 0, "contact"),
	CHOICE("kind", L | V, "request,complaint,incident,question,change", "request"),
	CHOICE("severity", L | V | IX, LEVELS, "medium"),
	TEXT("title", R | L | S | N | V),
	LONG("body", S | V),
	DTIME("opened", R | L | V | IX, "now"),
	DTIME("first_response", V, NULL),
	DTIME("resolved", V, NULL),
	CHOICE("status", L | V | IX, "open,pending,resolved,closed", "open"),
	REF("owner", L, "member"),
	INTEGER("reopened", 0, 0, 1000),
	LONG("resolution", S | V),
	NUM("sla", 0, 0, 100000),
};

static const struct field survey_f[] = {
	REF("customer", R | L, "customer"),
	REF("project", 0, "project"),
	REF("contact", L, "contact"),
	CHOICE("kind", R | L, "nps,csat", NULL),
	INTEGER("score", R | L, 0, 10),
	DATE("date", R | L | IX, "today"),
	LONG("comment", L | S),
};

static const struct field requirement_f[] = {
	REF("customer", R | L, "customer"),
	REF("project", L, "project"),
	TEXT("title", R | L | S | N | V),
	CHOICE("type", L | V, "feature,change,integration,report,data,other", NULL),
	CHOICE("urgency", V, LEVELS, NULL),
	LONG("description", S | V),
	DATE("expected", V, NULL),
	CHOICE("status", L | V | IX, "new,accepted,in_progress,delivered,rejected", "new"),
	CHOICE("priority", L, LEVELS, NULL),
};

static const struct field member_f[] = {
	TEXT("name", R | L | S | N | IX),
	EMAIL("email", R | L | S | IX),
	CHOICE("role", L, "pm,finance,exec,service,member", "member"),
	NUM("rate", FIN, 0, 1e9),
	CURRENCY(FIN), /* of the rate */
	/* Hours a week the member can work: what utilisation divides billable hours by (unset:
	 * 40). */
	NUM("capacity", INT, 0, 168),
	/* Whom approvals and alerts escalate to when they wait past their SLA. */
	REF("reports_to", 0, "member"),
};

/* An exchange rate, team data that syncs: one unit of `from` is `rate` units of `to` from
 * `as_of` on. Totals in one currency convert each amount with the newest rate at or before its
 * date, in either direction (store.h, rapport_fx). */
static const struct field fx_f[] = {
	{ "from", FT_CURRENCY, R | L | IX, NULL, NULL, NULL, 0, 0, NULL, NULL },
	{ "to", FT_CURRENCY, R | L | IX, NULL, NULL, NULL, 0, 0, NULL, NULL },
	NUM("rate", R | L, 1e-9, 1e12),
	DATE("as_of", R | L | IX, "today"),
	TEXT("source", L | S),
};

/* A change request on a project: once its process approves it, its impact (days, cost) moves
 * the project's due date and budget and a new baseline is recorded. */
static const struct field change_f[] = {
	REF("project", R | L, "project"),
	TEXT("title", R | L | S | N | V),
	LONG("description", S | V),
	REF("requested_by", L, "contact"),
	LONG("scope", S | V),
	INTEGER("days", L | V, -10000, 10000),
	NUM("cost", L | FIN, -1e15, 1e15),
	PROCESS,
	STAGE("state", L | V),
	DATE("applied", INT, NULL),
};

/* Processes (rapport-process(5)): team data like rules. The stages live in one text field,
 * checked when written and on arrival, and the record merges as a whole (K_WHOLE). */
static const struct field process_f[] = {
	TEXT("name", R | L | N | IX),
	CHOICE("kind", R | L, "project,contract,milestone,change", NULL),
	TEXT("label", L | S),
	BOOL("default", L, NULL),
	SET("override", L),
	BOOL("enabled", L, "true"),
	LONG("stages", R),
	LONG("note", 0),
};

/* Project templates (rapport-process(5) TEMPLATES): a process and the work breakdown a new
 * project starts with; team data like processes, merged as a whole. */
static const struct field template_f[] = {
	TEXT("name", R | L | N | IX),
	TEXT("label", L | S),
	TEXT("process", L),
	LONG("wbs", R),
	LONG("note", 0),
};

/* A move of a gated record from one stage to the next: what its stage is derived from. The id
 * derives from (record, process, stage left, round), so two replicas advancing at once write
 * one record. */
static const struct field transition_f[] = {
	REF("on", R | L, NULL),
	REF("process", R | L, "process"),
	TEXT("from", L),
	TEXT("to", R | L | N),
	INTEGER("round", R, 1, 1000000),
	/* Its place in the record's way: one more than the transitions its writer had seen. */
	INTEGER("seq", 0, 1, 1000000000),
	DTIME("at", R | L | IX, "now"),
	REFD("by", L, "member", "@me"),
	BOOL("override", L, NULL),
	LONG("reason", S),
};

/* One decision a stage needs to be left: raised by `advance`, decided by `approve`, `reject`
 * or `withdraw`. Its id derives from (record, process, stage, step, round, approver). */
static const struct field approval_f[] = {
	REF("on", R | L, NULL),
	REF("process", R, "process"),
	TEXT("stage", R | L | N),
	TEXT("to", R),
	INTEGER("step", R, 1, 1000),
	INTEGER("round", R, 1, 1000000),
	CHOICE("mode", 0, "any,all", "any"),
	TEXT("route", 0),
	REF("approver", L, "member"),
	REF("contact", L, "contact"),
	CHOICE("state", L | IX, "waiting,pending,approved,rejected,withdrawn,overridden", "pending"),
	DATE("due", L | IX, NULL),
	REFD("requested_by", 0, "member", "@me"),
	DTIME("requested", 0, "now"),
	DTIME("decided_at", 0, NULL),
	REF("by", 0, "member"),
	LONG("reason", S),
	TEXT("evidence", S),
};

static const struct field comment_f[] = {
	REF("on", R | L, NULL),
	LONG("body", R | L | S | N),
	REFD("by", L, "member", "@me"),
	DTIME("at", L | IX, "now"),
};

/* Rules (rapport-rules(5)): team data; the condition is an SQL expression over the view of the
 * watched kind, checked when written (workspace.c compiles it under the read-only authorizer). */
static const struct field rule_f[] = {
	TEXT("name", R | L | N | IX),
	CHOICE("watch", R | L,
	       "task,project,customer,opportunity,contract,invoice,ticket,survey,milestone,change,"
	       "approval,transition",
	       NULL),
	LONG("when", R),
	CHOICE("severity", L, "info,warning,critical", "warning"),
	TEXT("message", R),
	SET("notify", L),
	SET("actions", L),
	TEXT("task", 0),
	BOOL("enabled", L, "true"),
	LONG("note", 0),
};

/* Alerts raised by rules: one per rule and record. Acks and snoozes are people's decisions,
 * so alerts sync like records. */
static const struct field alert_f[] = {
	REF("rule", R | L, "rule"),
	REF("on", R | L, NULL),
	CHOICE("severity", L | IX, "info,warning,critical", "warning"),
	TEXT("message", R | L | S | N),
	CHOICE("state", L | IX, "open,acked,snoozed,resolved", "open"),
	REFS("to", L, "member"), /* everyone the rule's notify names */
	DTIME("raised", L | IX, "now"),
	DATE("snoozed_until", 0, NULL),
	DTIME("resolved_at", 0, NULL),
	REF("task", 0, "task"),
	REF("acked_by", 0, "member"),
};

/* Team settings that sync: health weights, anchors and bands ("health.project.spi.weight"). */
static const struct field setting_f[] = {
	TEXT("name", R | L | N | IX),
	TEXT("value", R | L),
};

static const struct field field_f[] = {
	{ "kind", FT_CHOICE, R | L,
	  "customer,contact,interaction,project,milestone,task,time,expense,opportunity,contract,"
	  "quote,invoice,receipt,ticket,survey,requirement,member,change",
	  NULL, NULL, 0, 0, NULL, NULL },
	TEXT("name", R | L | N),
	CHOICE("type", R | L, "text,number,date,choice,bool,ref", NULL),
	TEXT("choices", L),
	TEXT("label", L),
	/* Who may see its values outside the team: decides the portal, like the flags above. */
	CHOICE("audience", L, "internal,customer,finance", "internal"),
};

const struct field meta_fields[] = {
	{ "id", FT_TEXT, F_META, NULL, NULL, NULL, 0, 0, "Id", NULL },
	{ "created", FT_DATETIME, F_META, NULL, NULL, NULL, 0, 0, "Created", NULL },
	{ "updated", FT_DATETIME, F_META, NULL, NULL, NULL, 0, 0, "Updated", NULL },
	{ "author", FT_TEXT, F_META, NULL, NULL, NULL, 0, 0, "Author", NULL },
};
const size_t meta_count = ARRAY_LEN(meta_fields);

static int check_task(const struct record *r, struct err *e);
static int check_dates(const struct record *r, struct err *e);
static int check_survey(const struct record *r, struct err *e);
static int check_invoice(const struct record *r, struct err *e);
static int check_rule(const struct record *r, struct err *e);
static int check_billing(const struct record *r, struct err *e);
static int check_fx(const struct record *r, struct err *e);

#define KIND(n, p, arr, fl, sort, any, chk) { n, p, arr, ARRAY_LEN(arr), fl, sort, any, chk, NULL }
#define KINDX(n, p, arr, fl, sort, any, chk, ix) { n, p, arr, ARRAY_LEN(arr), fl, sort, any, chk, ix }
const struct kind kind_table[] = {
	KIND("customer", "customers", customer_f, 0, "name", NULL, NULL),
	KIND("contact", "contacts", contact_f, 0, "name", NULL, NULL),
	KINDX("interaction", "interactions", interaction_f, K_INTERNAL, "-at", NULL, NULL,
	      "customer,at;customer,at WHERE executive = 1"),
	KIND("project", "projects", project_f, 0, "due", NULL, check_dates),
	KIND("milestone", "milestones", milestone_f, 0, "due", NULL, NULL),
	/* Earned value reads every task and time entry: covering indexes make that a walk over a
	 * few narrow index pages (tasks grouped by project) instead of over the wide rows. */
	KINDX("task", "tasks", task_f, 0, "due", "project,customer", check_task,
	      "project,status,progress,budget,estimate,start,due,baseline_budget,baseline_start,"
	      "baseline_due WHERE project IS NOT NULL"),
	KINDX("time", "time entries", time_f, K_INTERNAL | K_FINANCE, "-date", NULL, NULL,
	      "date,project,member,hours"),
	KIND("expense", "expenses", expense_f, K_INTERNAL | K_FINANCE, "-date", NULL, NULL),
	KIND("opportunity", "opportunities", opportunity_f, K_INTERNAL | K_FINANCE, "expected_close", NULL,
	     NULL),
	KIND("contract", "contracts", contract_f, K_FINANCE, "end", NULL, check_dates),
	KIND("quote", "quotes", quote_f, K_FINANCE, "-date", NULL, NULL),
	KIND("billing", "payment plan lines", billing_f, K_INTERNAL | K_FINANCE, "contract,date", NULL,
	     check_billing),
	KIND("invoice", "invoices", invoice_f, K_FINANCE, "-issued", NULL, check_invoice),
	KIND("receipt", "receipts", receipt_f, K_FINANCE, "-date", NULL, NULL),
	KIND("ticket", "tickets", ticket_f, 0, "-opened", NULL, check_dates),
	KIND("survey", "surveys", survey_f, K_INTERNAL, "-date", NULL, check_survey),
	KIND("requirement", "requirements", requirement_f, 0, "status", NULL, NULL),
	KIND("member", "members", member_f, K_INTERNAL, "name", NULL, NULL),
	KIND("comment", "comments", comment_f, K_INTERNAL, "at", NULL, NULL),
	KIND("field", "custom fields", field_f, K_CONFIG, "kind,name", NULL, NULL),
	KIND("setting", "team settings", setting_f, K_CONFIG, "name", NULL, NULL),
	KIND("rule", "rules", rule_f, K_INTERNAL, "name", NULL, check_rule),
	KIND("alert", "alerts", alert_f, K_INTERNAL, "-raised", NULL, NULL),
	KIND("change", "change requests", change_f, 0, "project", NULL, NULL),
	KIND("fx", "exchange rates", fx_f, K_INTERNAL | K_FINANCE, "-as_of", NULL, check_fx),
	KIND("process", "processes", process_f, K_INTERNAL | K_WHOLE | K_DEFINITION, "kind,name", NULL, NULL),
	KIND("template", "templates", template_f, K_INTERNAL | K_WHOLE | K_DEFINITION, "name", NULL,
	     NULL),
	KINDX("transition", "transitions", transition_f, K_INTERNAL | K_ENGINE, "at", NULL, NULL,
	      "\"on\",at"),
	KINDX("approval", "approvals", approval_f, K_INTERNAL | K_ENGINE, "due", NULL, NULL,
	      "\"on\",process,stage,\"round\""),
};
const size_t kind_count = ARRAY_LEN(kind_table);

/* ---- record-level checks: what one field's row cannot say ---- */

static int before(const struct record *r, const char *a, const char *b, struct err *e)
{
	const char *va = record_get(r, a), *vb = record_get(r, b);
	if (va && vb && strcmp(vb, va) < 0) {
		char w[80];
		record_where(r, w, sizeof(w));
		return err_set(e, RERR_INPUT, "%s: field '%s': '%s' is before %s '%s'", w, b, vb, a,
			       va);
	}
	return 0;
}

static int check_dates(const struct record *r, struct err *e)
{
	const char *k = r->ki->k->name;
	if (!strcmp(k, "project"))
		return before(r, "start", "due", e);
	if (!strcmp(k, "contract"))
		return before(r, "start", "end", e);
	if (!strcmp(k, "ticket")) {
		int rc = before(r, "opened", "first_response", e);
		return rc ? rc : before(r, "opened", "resolved", e);
	}
	return 0;
}

static int check_task(const struct record *r, struct err *e)
{
	const char *dep = record_get(r, "depends"), *parent = record_get(r, "parent");
	char w[80];
	record_where(r, w, sizeof(w));
	if (parent && !strcmp(parent, r->id))
		return err_set(e, RERR_INPUT, "%s: field 'parent': a task cannot be its own parent",
			       w);
	if (dep && strstr(dep, r->id))
		return err_set(e, RERR_INPUT, "%s: field 'depends': a task cannot depend on itself",
			       w);
	return before(r, "start", "due", e);
}

static int check_survey(const struct record *r, struct err *e)
{
	const char *kind = record_get(r, "kind"), *score = record_get(r, "score");
	if (kind && score && !strcmp(kind, "csat") && (atoi(score) < 1 || atoi(score) > 5)) {
		char w[80];
		record_where(r, w, sizeof(w));
		return err_set(e, RERR_INPUT,
			       "%s: field 'score': '%s' is out of range for csat (1 to 5)", w, score);
	}
	return 0;
}

static int check_fx(const struct record *r, struct err *e)
{
	const char *from = record_get(r, "from"), *to = record_get(r, "to");
	if (from && to && !strcmp(from, to)) {
		char w[80];
		record_where(r, w, sizeof(w));
		return err_set(e, RERR_INPUT, "%s: field 'to': a rate from %s to %s itself", w, from,
			       to);
	}
	return 0;
}

static int check_billing(const struct record *r, struct err *e)
{
	const char *trig = record_get(r, "trigger");
	bool pct = record_get(r, "percent"), amt = record_get(r, "amount");
	char w[80];
	if (r->deleted)
		return 0;
	record_where(r, w, sizeof(w));
	if (pct && amt)
		return err_set(e, RERR_INPUT, "%s: a plan line is a percent of the contract or an "
					      "amount: set one of them",
			       w);
	if (pct == amt)
		return err_set(e, RERR_INPUT, "%s: a plan line is a percent of the contract or an "
					      "amount: set percent=N or amount=N",
			       w);
	if (trig && !strcmp(trig, "date") && !record_get(r, "date"))
		return err_set(e, RERR_INPUT, "%s: field 'date': a line triggered by a date needs it",
			       w);
	if (trig && !strcmp(trig, "acceptance") && !record_get(r, "milestone"))
		return err_set(e, RERR_INPUT,
			       "%s: field 'milestone': a line triggered by a milestone's acceptance "
			       "needs it",
			       w);
	if (trig && strcmp(trig, "date") && !record_get(r, "milestone"))
		return err_set(e, RERR_INPUT,
			       "%s: field 'milestone': a line triggered by a milestone needs it", w);
	return 0;
}

static int check_invoice(const struct record *r, struct err *e)
{
	const char *amount = record_get(r, "amount"), *paid = record_get(r, "paid_amount");
	char w[80];
	record_where(r, w, sizeof(w));
	/* Read back from the database, the paid amount is its receipts' (a file never has it). */
	if (amount && paid && strtod(paid, NULL) > strtod(amount, NULL) + 0.005)
		return err_set(e, RERR_INPUT,
			       "%s: field 'amount': '%s' is less than the %s its receipts paid", w,
			       amount, paid);
	return before(r, "issued", "due", e);
}

/* ---- the runtime schema ---- */

void schema_init(struct schema *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->nkinds = kind_count;
	sc->kinds = xcalloc(kind_count, sizeof(*sc->kinds));
	for (size_t i = 0; i < kind_count; i++) {
		struct kindinfo *ki = &sc->kinds[i];
		ki->k = &kind_table[i];
		ki->index = (int)i;
		ki->nf = ki->k->nfields;
		ki->f = xcalloc(ki->nf, sizeof(*ki->f));
		for (size_t j = 0; j < ki->nf; j++)
			ki->f[j] = &ki->k->fields[j];
	}
}

static void free_custom(struct field *f)
{
	free((char *)f->name);
	free((char *)f->choices);
	free((char *)f->ref);
	free((char *)f->label);
	free((char *)f->column);
	free(f);
}

void schema_free(struct schema *sc)
{
	for (size_t i = 0; i < sc->nkinds; i++)
		free(sc->kinds[i].f);
	free(sc->kinds);
	for (size_t i = 0; i < sc->ncustom; i++)
		free_custom(sc->custom[i]);
	free(sc->custom);
	memset(sc, 0, sizeof(*sc));
}

const struct kindinfo *schema_kind(const struct schema *sc, const char *name)
{
	for (size_t i = 0; i < sc->nkinds; i++)
		if (!strcmp(sc->kinds[i].k->name, name))
			return &sc->kinds[i];
	return NULL;
}

static bool ident_ok(const char *s)
{
	if (!s[0] || !islower((unsigned char)s[0]) || strlen(s) > 40)
		return false;
	for (const char *p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* Checks a custom field's definition and builds it (owned by the caller; *out on success). */
static int custom_build(struct schema *sc, const char *kind, const char *name, const char *type,
			const char *choices, const char *label, const char *audience,
			bool exists_ok, struct field **out, struct err *e)
{
	static const struct {
		const char *name;
		enum ftype t;
	} types[] = { { "text", FT_TEXT }, { "number", FT_NUMBER }, { "date", FT_DATE },
		      { "choice", FT_CHOICE }, { "bool", FT_BOOL }, { "ref", FT_REF } };
	unsigned aflag = !audience || !strcmp(audience, "internal") ? F_INT
			 : !strcmp(audience, "customer")		   ? F_VIS
			 : !strcmp(audience, "finance")			   ? F_FIN
									   : 0;
	if (!aflag)
		return err_set(e, RERR_INPUT,
			       "custom field '%s': audience '%s' is not internal, customer or finance",
			       name ? name : "", audience);
	const struct kindinfo *cki = schema_kind(sc, kind);
	if (!cki || (cki->k->flags & K_CONFIG))
		return err_set(e, RERR_INPUT, "custom field: '%s' is not a record kind", kind);
	if (!ident_ok(name))
		return err_set(e, RERR_INPUT,
			       "custom field '%s': a name is 1 to 40 characters a-z, 0-9 and '_', "
			       "starting with a letter",
			       name);
	if (!exists_ok && kind_field(cki, name))
		return err_set(e, RERR_INPUT, "custom field '%s': %s already has a field '%s'", name,
			       kind, name);
	size_t t;
	for (t = 0; t < ARRAY_LEN(types); t++)
		if (!strcmp(types[t].name, type))
			break;
	if (t == ARRAY_LEN(types))
		return err_set(e, RERR_INPUT,
			       "custom field '%s': '%s' is not a type (text, number, date, choice, "
			       "bool, ref)",
			       name, type);
	struct strv items = STRV_INIT;
	char *norm = NULL;
	if (types[t].t == FT_CHOICE) {
		strv_split(&items, choices ? choices : "", ',');
		for (size_t i = 0; i < items.n; i++)
			if (!ident_ok(items.v[i])) {
				int rc = err_set(e, RERR_INPUT,
						 "custom field '%s': choice '%s' must be a-z, 0-9 and '_'",
						 name, items.v[i]);
				strv_clear(&items);
				return rc;
			}
		if (!items.n)
			return err_set(e, RERR_INPUT,
				       "custom field '%s': a choice field needs its choices, e.g. "
				       "'gold,silver,bronze'",
				       name);
		norm = strv_join(&items, ",");
		strv_clear(&items);
	} else if (types[t].t == FT_REF) {
		const struct kindinfo *target = choices ? schema_kind(sc, choices) : NULL;
		if (!target || (target->k->flags & K_CONFIG))
			return err_set(e, RERR_INPUT,
				       "custom field '%s': a ref field needs the kind it points to, "
				       "e.g. 'contact'",
				       name);
	}
	/* Each custom field is its own allocation, so kinds can point at it while more are added. */
	struct field *f = xcalloc(1, sizeof(*f));
	f->name = xstrdup(name);
	f->type = types[t].t;
	f->flags = F_CUSTOM | F_LIST | aflag | (f->type == FT_TEXT ? F_FTS : 0);
	f->choices = norm;
	f->ref = f->type == FT_REF ? xstrdup(choices) : NULL;
	f->label = label && *label ? xstrdup(label) : NULL;
	f->column = xasprintf("x_%s", name);
	*out = f;
	return 0;
}

int schema_add_custom(struct schema *sc, const char *kind, const char *name, const char *type,
		      const char *choices, const char *label, const char *audience, struct err *e)
{
	struct field *f = NULL;
	int rc = custom_build(sc, kind, name, type, choices, label, audience, false, &f, e);
	if (rc)
		return rc;
	sc->custom = xrealloc(sc->custom, (sc->ncustom + 1) * sizeof(*sc->custom));
	sc->custom[sc->ncustom++] = f;
	struct kindinfo *ki = &sc->kinds[schema_kind(sc, kind)->index];
	ki->f = xrealloc(ki->f, (ki->nf + 1) * sizeof(*ki->f));
	ki->f[ki->nf++] = f;
	return 0;
}

int schema_redefine_custom(struct schema *sc, const char *kind, const char *name,
			   const char *type, const char *choices, const char *label,
			   const char *audience, bool *changed, struct err *e)
{
	struct field *f = NULL, *cur = NULL;
	*changed = false;
	for (size_t i = 0; i < sc->ncustom; i++)
		if (!strcmp(sc->custom[i]->name, name)) {
			const struct kindinfo *ki = schema_kind(sc, kind);
			for (size_t j = 0; ki && j < ki->nf; j++)
				if (ki->f[j] == sc->custom[i])
					cur = sc->custom[i];
		}
	if (!cur)
		return err_set(e, RERR_INPUT, "custom field '%s': %s has no such custom field", name,
			       kind ? kind : "");
	int rc = custom_build(sc, kind, name, type, choices, label, audience, true, &f, e);
	if (rc)
		return rc;
	/* Changed in place: kinds and records point at this field, and its column stays. */
	*changed = f->type != cur->type || f->flags != cur->flags ||
		   strcmp(f->choices ? f->choices : "", cur->choices ? cur->choices : "") ||
		   strcmp(f->ref ? f->ref : "", cur->ref ? cur->ref : "") ||
		   strcmp(f->label ? f->label : "", cur->label ? cur->label : "");
	struct field tmp = *cur;
	*cur = *f;
	*f = tmp;
	free_custom(f);
	return 0;
}

const struct field *kind_field(const struct kindinfo *ki, const char *name)
{
	for (size_t i = 0; i < ki->nf; i++)
		if (!strcmp(ki->f[i]->name, name))
			return ki->f[i];
	for (size_t i = 0; i < meta_count; i++)
		if (!strcmp(meta_fields[i].name, name))
			return &meta_fields[i];
	return NULL;
}

int kind_field_index(const struct kindinfo *ki, const struct field *f)
{
	for (size_t i = 0; i < ki->nf; i++)
		if (ki->f[i] == f)
			return (int)i;
	return -1;
}

const char *field_column(const struct field *f)
{
	return f->column ? f->column : f->name;
}

void field_label(const struct field *f, char *out, size_t n)
{
	snprintf(out, n, "%s", f->label ? f->label : f->name);
	if (!f->label) {
		for (char *p = out; *p; p++)
			if (*p == '_')
				*p = ' ';
		out[0] = (char)toupper((unsigned char)out[0]);
		const char *t = C_("field", out);
		if (t != out)
			snprintf(out, n, "%s", t);
	}
}

const char *choice_label(const char *code)
{
	return C_("choice", code);
}

char *choice_code(const char *choices, const char *v)
{
	if (!v)
		return NULL;
	if (choice_ok(choices, v))
		return xstrdup(v);
	for (const char *p = choices; p && *p;) {
		size_t n = strcspn(p, ",");
		char code[64];
		if (n < sizeof code) {
			memcpy(code, p, n);
			code[n] = 0;
			const char *l = choice_label(code);
			if (l != code && !strcmp(l, v))
				return xstrdup(code);
		}
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

const char *kind_label(const struct kind *k)
{
	return C_("kind", k->name);
}

const char *kind_plural_label(const struct kind *k)
{
	return C_("kind", k->plural);
}

const char *ftype_name(enum ftype t)
{
	/* Marked for the callers that show a type to people (a form's hint, the fields table);
	 * the names themselves stay as they are for --json. */
	static const char *names[] = { N_("text"),	N_("long text"), N_("number"),
				       N_("integer"),	N_("date"),	 N_("datetime"),
				       N_("bool"),	N_("choice"),	 N_("ref"),
				       N_("refs"),	N_("email"),	 N_("set"),
				       N_("currency") };
	return names[t];
}

int choice_index(const char *choices, const char *v)
{
	size_t n = v ? strlen(v) : 0;
	const char *p = choices;
	for (int i = 0; v && p && *p; i++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, v, n))
			return i;
		p = end ? end + 1 : NULL;
	}
	return -1;
}

bool choice_ok(const char *choices, const char *v)
{
	return choice_index(choices, v) >= 0;
}

char *kind_names(const struct schema *sc)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < sc->nkinds; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", sc->kinds[i].k->name);
	return buf_detach(&b);
}

static int check_rule(const struct record *r, struct err *e)
{
	/* actions: alert, task, at_risk; a task action needs a task name template. */
	const char *a = record_get(r, "actions");
	for (const char *p = a; p && *p;) {
		size_t n = strcspn(p, ",");
		if (!((n == 5 && !strncmp(p, "alert", 5)) || (n == 4 && !strncmp(p, "task", 4)) ||
		      (n == 7 && !strncmp(p, "at_risk", 7))))
			return err_set(e, RERR_INPUT, "rule %s: actions: '%.*s' is not alert, task or at_risk",
				       record_get(r, "name") ? record_get(r, "name") : "", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	if (a && strstr(a, "task") && !record_get(r, "task"))
		return err_set(e, RERR_INPUT,
			       "rule %s: actions: the task action needs 'task' (the new task's name)",
			       record_get(r, "name") ? record_get(r, "name") : "");
	return 0;
}
