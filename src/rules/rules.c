/*
 * rules.c — evaluating the team's rules into alerts, follow-up tasks and at-risk marks
 * (rules.h). Conditions run in the store under its read-only authorizer; everything this
 * file writes goes through the workspace (ws_add / ws_save), so alerts and tasks are records
 * like any other: validated, searchable, synced.
 */
#include "rules.h"
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Seeded as records (stored, synced): their messages and tasks stay English, as do the
 * alerts and tasks rendered from them. */
static const struct {
	const char *name, *watch, *when, *severity, *message, *notify, *actions, *task;
} defaults[] = {
	{ "key-task-late", "task", "\"key\" AND late_days > 3", "warning",
	  "Key task {name} is {late_days} days late", "manager,manager.reports_to", "alert", NULL },
	{ "low-survey", "survey",
	  "age_days <= 30 AND ((kind = 'nps' AND score < 7) OR (kind = 'csat' AND score < 4))",
	  "warning", "{customer_name} answered {score} to a {kind} survey", "owner", "alert,task",
	  "Customer care: call {customer_name} about their {kind} answer ({score})" },
	{ "budget-burn", "project", "status = 'active' AND budget_used > 80 AND earned < 70",
	  "critical", "{name} has used {budget_used}% of its budget for {earned}% of the work",
	  "finance,manager", "alert", NULL },
	{ "contract-ending", "contract", "status = 'active' AND days_to_end BETWEEN 0 AND 7",
	  "warning", "Contract {title} ends in {days_to_end} days", "owner", "alert", NULL },
	{ "invoice-overdue", "invoice", "overdue_days > 0", "warning",
	  "Invoice {number} is {overdue_days} days overdue ({outstanding} outstanding)",
	  "finance,owner", "alert", NULL },
	{ "ticket-sla", "ticket", "past_sla", "critical",
	  "Ticket {title} has had no response within its {sla_hours} h SLA", "owner", "alert", NULL },
	/* Two rules, not one with "last_contact IS NULL OR …": a customer never contacted has no
	 * number of days to put in the message. */
	{ "no-contact", "customer",
	  "stage IN ('active', 'loyal', 'at_risk') AND days_since_contact > 30",
	  "info", "No contact with {name} for {days_since_contact} days", "owner", "alert", NULL },
	{ "never-contacted", "customer",
	  "stage IN ('active', 'loyal', 'at_risk') AND last_contact IS NULL",
	  "info", "No contact with {name} on record", "owner", "alert", NULL },
	{ "customer-health-red", "customer",
	  "stage IN ('prospect', 'active', 'loyal', 'at_risk') AND health_band = 'red'", "critical",
	  "{name}'s health turned red ({health})", "owner", "alert,at_risk", NULL },
	{ "project-health-red", "project", "status = 'active' AND health_band = 'red'", "critical",
	  "{name}'s health turned red ({health})", "manager", "alert", NULL },
	/* The process engine's (rapport-process(5)): escalation and overrides. */
	{ "approval-overdue", "approval", "state = 'pending' AND overdue_days > 0", "warning",
	  "Approval of {on_name} ({stage} to {to}) is {overdue_days} days overdue",
	  "superior,approver", "alert", NULL },
	{ "stage-override", "transition", "override AND age_days <= 30", "warning",
	  "{on_name} was moved to {to} by override: {reason}", "manager,manager.reports_to",
	  "alert", NULL },
};

void rules_report_free(struct rules_report *r)
{
	strv_clear(&r->errors);
	strv_clear(&r->raised_ids);
}

bool rules_exist(struct ws *w)
{
	struct query q;
	struct err e = { 0, "" };
	long n = 0;
	query_init(&q, schema_kind(&w->sc, "rule"));
	return !store_count(w->st, &q, &n, &e) && n > 0;
}

int rules_seed(struct ws *w, struct err *e)
{
	const struct kindinfo *rk = schema_kind(&w->sc, "rule");
	int rc = 0;
	bool begun = false;
	/* Each default the workspace never had (a deleted one it had): rules a newer rapport
	 * brings reach old workspaces, and what a team removed stays removed. */
	for (size_t i = 0; i < ARRAY_LEN(defaults) && !rc; i++) {
		struct record *r = record_new(rk), *old = NULL;
		struct err ge = { 0, "" };
		id_derived(r->id, "rapport default rule ", defaults[i].name);
		if (!store_get(w->st, &w->sc, r->id, &old, &ge)) {
			record_free(old);
			record_free(r);
			continue;
		}
		const char *kv[][2] = { { "name", defaults[i].name },	  { "watch", defaults[i].watch },
					{ "when", defaults[i].when },	  { "severity", defaults[i].severity },
					{ "message", defaults[i].message }, { "notify", defaults[i].notify },
					{ "actions", defaults[i].actions }, { "task", defaults[i].task } };
		for (size_t k = 0; k < ARRAY_LEN(kv) && !rc; k++)
			if (kv[k][1])
				rc = ws_put(w, r, kind_field(rk, kv[k][0]), kv[k][1], e);
		if (!rc && !begun)
			begun = !(rc = store_begin(w->st, e));
		if (!rc)
			rc = ws_add(w, r, e);
		record_free(r);
	}
	if (!begun)
		return rc;
	return rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
}

/* ---- templates ---- */

char *rules_render(const char *tmpl, const char *watch, int n, const char *const *names,
		   const char *const *vals)
{
	struct buf b = BUF_INIT;
	for (const char *p = tmpl; p && *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		/* {column} or {column|text for when it is empty} */
		size_t len = close ? strcspn(p + 1, "|}") : 0;
		const char *alt = close && p[1 + len] == '|' ? p + 2 + len : NULL;
		int k = -1;
		if (close)
			for (int i = 0; i < n; i++)
				if (len == strlen(names[i]) && !strncmp(p + 1, names[i], len))
					k = i;
		if (k < 0) {
			buf_addc(&b, *p++);
			continue;
		}
		const char *v = vals[k] ? vals[k] : "";
		char *end;
		double d = strtod(v, &end);
		if (!*v && alt)
			buf_add(&b, alt, (size_t)(close - alt));
		else if (!*v) /* never a blank that leaves "for  days": say that nothing is known */
			buf_adds(&b, "(unset)");
		else if (!*end && store_rule_money(watch, names[k])) {
			/* ¥17,500.00, as show, health and reports write it: in the row's currency,
			 * when the view has one (invoice_status's *_base are the team's, unnamed) */
			const char *cur = NULL;
			for (int i = 0; i < n && !strstr(names[k], "_base"); i++)
				if (!strcmp(names[i], "currency"))
					cur = vals[i];
			char *m = fmt_amount(d, cur);
			buf_adds(&b, m);
			free(m);
		} else if (!*end && strchr(v, '.'))
			buf_addf(&b, "%.1f", d);
		else
			buf_adds(&b, v);
		p = close + 1;
	}
	return buf_detach(&b);
}

static const char *col(int n, const char *const *names, const char *const *vals, const char *c)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], c))
			return vals[i];
	return NULL;
}

/* ---- evaluation ---- */

struct eval {
	struct ws *w;
	const struct record *rule;
	struct recs *alerts; /* every alert, to find (rule, on) */
	struct strmap seen;  /* records the rule matched this run */
	struct rules_report *rep;
	char now[21], date[11];
	int rc;
	struct err *e;
};

/* Alerts by (rule, on), sorted once per evaluation: a workspace can hold many thousands. */
static int cmp_key(const char *r1, const char *o1, const char *r2, const char *o2)
{
	int d = strcmp(r1 ? r1 : "", r2 ? r2 : "");
	return d ? d : strcmp(o1 ? o1 : "", o2 ? o2 : "");
}

static int cmp_alert_key(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a, *y = *(const struct record *const *)b;
	return cmp_key(record_get(x, "rule"), record_get(x, "on"), record_get(y, "rule"),
		       record_get(y, "on"));
}

static struct record *find_alert(struct recs *a, const char *rule, const char *on)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = cmp_key(record_get(a->v[mid], "rule"), record_get(a->v[mid], "on"), rule, on);
		if (!d)
			return a->v[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Keeps a new alert findable: inserted in order. */
static void insert_alert(struct recs *a, const struct record *r)
{
	recs_add(r, a);
	size_t i = a->n - 1;
	struct record *x = a->v[i];
	while (i > 0 && cmp_alert_key(&a->v[i - 1], &x) > 0) {
		a->v[i] = a->v[i - 1];
		i--;
	}
	a->v[i] = x;
}

static void put(struct ws *w, struct record *r, const char *field, const char *v)
{
	int idx = kind_field_index(r->ki, kind_field(r->ki, field));
	if (idx >= 0)
		record_put(r, idx, v ? xstrdup(v) : NULL);
}

/* A member's field (reports_to): the superior of who was resolved. */
static bool member_field(struct ws *w, const char *member, const char *field, char out[33])
{
	struct record *m = NULL;
	struct err e = { 0, "" };
	bool ok = !store_get(w->st, &w->sc, member, &m, &e) && record_get(m, field);
	if (ok)
		snprintf(out, 33, "%s", record_get(m, field));
	record_free(m);
	return ok;
}

/* Who a rule tells: everyone of its notify list that resolves for this row, in its order,
 * each once. A word is a column of the view naming a member (assignee, manager, owner,
 * approver, superior), or one reached through the row's project or customer (manager,
 * owner), or finance (the first member whose role is finance); WORD.reports_to is that
 * member's superior. */
static void recipients(struct ws *w, const struct record *rule, int n, const char *const *names,
		       const char *const *vals, struct strv *out)
{
	struct strv who = STRV_INIT;
	strv_split(&who, record_get(rule, "notify") ? record_get(rule, "notify") : "", ',');
	for (size_t i = 0; i < who.n; i++) {
		char word[48], found[33] = "";
		const char *dot = strchr(who.v[i], '.');
		snprintf(word, sizeof word, "%.*s", (int)(dot ? (size_t)(dot - who.v[i]) : strlen(who.v[i])), who.v[i]);
		const char *id = NULL, *via = NULL, *field = NULL;
		if (!strcmp(word, "finance")) {
			const struct kindinfo *mk = schema_kind(&w->sc, "member");
			struct query q;
			struct recs m = { NULL, 0 };
			struct err e = { 0, "" };
			query_init(&q, mk);
			q.cond[0] = (struct qcond){ .f = kind_field(mk, "role"), .op = Q_EQ, .value = "finance" };
			q.ncond = 1;
			q.limit = 1;
			if (!store_query(w->st, &q, recs_add, &m, &e) && m.n)
				snprintf(found, sizeof found, "%s", m.v[0]->id);
			recs_free(&m);
		} else if (!(id = col(n, names, vals, word))) {
			if (!strcmp(word, "manager"))
				via = col(n, names, vals, "project"), field = "manager";
			else if (!strcmp(word, "owner"))
				via = col(n, names, vals, "customer"), field = "owner";
		}
		if (id)
			snprintf(found, sizeof found, "%s", id);
		else if (via) {
			struct record *r = NULL;
			struct err e = { 0, "" };
			if (!store_get(w->st, &w->sc, via, &r, &e) && record_get(r, field))
				snprintf(found, sizeof found, "%s", record_get(r, field));
			record_free(r);
		}
		if (found[0] && dot && !member_field(w, found, dot + 1, found))
			found[0] = '\0';
		if (found[0] && id_is_hex(found, 32, 32) && !strv_has(out, found))
			strv_push(out, found);
	}
	strv_clear(&who);
}

static bool has_action(const struct record *rule, const char *a)
{
	const char *v = record_get(rule, "actions");
	size_t n = strlen(a);
	for (const char *p = v; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, a, n))
			return true;
		p += k;
		if (*p)
			p++;
	}
	return !v && !strcmp(a, "alert"); /* no actions listed: an alert */
}

static int follow_up(struct eval *ev, struct record *alert, int n, const char *const *names,
		     const char *const *vals, const char *to)
{
	const struct kindinfo *tk = schema_kind(&ev->w->sc, "task");
	struct record *t = record_new(tk);
	char *name = rules_render(record_get(ev->rule, "task"), record_get(ev->rule, "watch"), n,
				  names, vals);
	const char *project = col(n, names, vals, "project"), *customer = col(n, names, vals, "customer");
	char due[11];
	long d;
	date_parse(ev->date, &d);
	days_to_date(due, d + 3);
	put(ev->w, t, "name", name);
	if (project)
		put(ev->w, t, "project", project);
	if (customer)
		put(ev->w, t, "customer", customer);
	if (to[0])
		put(ev->w, t, "assignee", to);
	put(ev->w, t, "due", due);
	char *note = xasprintf("Created by rule %s.", record_get(ev->rule, "name")); /* stored */
	put(ev->w, t, "note", note);
	free(note);
	free(name);
	char key[80];
	snprintf(key, sizeof key, "%s/%s", ev->rule->id, col(n, names, vals, "id"));
	id_derived(t->id, "rapport rule task ", key);
	struct record *old = NULL;
	struct err ge = { 0, "" };
	if (!store_get(ev->w->st, &ev->w->sc, t->id, &old, &ge)) {
		/* Another replica made it already and it synced here. */
		put(ev->w, alert, "task", t->id);
		record_free(old);
		record_free(t);
		return 0;
	}
	int rc = ws_add(ev->w, t, ev->e);
	if (!rc) {
		put(ev->w, alert, "task", t->id);
		ev->rep->tasks++;
	}
	record_free(t);
	return rc;
}

static int mark_at_risk(struct eval *ev, int n, const char *const *names, const char *const *vals)
{
	const char *c = col(n, names, vals, "customer");
	struct record *r = NULL;
	struct err e = { 0, "" };
	if (!c || store_get(ev->w->st, &ev->w->sc, c, &r, &e))
		return 0;
	int rc = 0;
	const char *stage = record_get(r, "stage");
	/* A churned customer (or a lead) is not "at risk": the mark is for customers to keep. */
	if (!r->deleted && (!stage || (strcmp(stage, "at_risk") && strcmp(stage, "churned") &&
				       strcmp(stage, "lead")))) {
		put(ev->w, r, "stage", "at_risk");
		if (!(rc = ws_save(ev->w, r, ev->e)))
			ev->rep->at_risk++;
	}
	record_free(r);
	return rc;
}

static int on_match(int n, const char *const *names, const char *const *vals, void *ctx)
{
	struct eval *ev = ctx;
	const char *id = col(n, names, vals, "id");
	bool added = false;
	if (!id || (strmap_put(&ev->seen, id, &added), !added))
		return 0;
	char *msg = rules_render(record_get(ev->rule, "message"), record_get(ev->rule, "watch"), n,
				 names, vals);
	struct strv tos = STRV_INIT;
	recipients(ev->w, ev->rule, n, names, vals, &tos);
	char to[33] = "";
	char *all_to = strv_join(&tos, ",");
	if (tos.n)
		snprintf(to, sizeof to, "%s", tos.v[0]); /* the follow-up task's assignee */
	struct record *a = find_alert(ev->alerts, ev->rule->id, id);
	int rc = 0;
	bool fresh = !a, wake = false;
	if (a && (a->deleted || !has_action(ev->rule, "alert"))) {
		/* Deleted by someone: not raised again. A task-only rule's marker: done. */
	} else if (a) {
		const char *st = record_get(a, "state"), *until = record_get(a, "snoozed_until");
		bool resolved = st && !strcmp(st, "resolved");
		wake = st && !strcmp(st, "snoozed") && until && strcmp(until, ev->date) < 0;
		const char *old = record_get(a, "message");
		if (resolved || wake || !old || strcmp(old, msg)) {
			struct record *u = record_dup(a);
			put(ev->w, u, "message", msg);
			if (resolved || wake) {
				put(ev->w, u, "state", "open");
				put(ev->w, u, "snoozed_until", NULL);
				put(ev->w, u, "resolved_at", NULL);
				if (resolved)
					put(ev->w, u, "raised", ev->now);
			}
			if (!(rc = ws_save(ev->w, u, ev->e)) && (resolved || wake)) {
				ev->rep->reopened++;
				strv_push(&ev->rep->raised_ids, u->id);
			}
			record_free(u);
		}
	} else {
		const struct kindinfo *ak = schema_kind(&ev->w->sc, "alert");
		struct record *u = record_new(ak);
		char key[80];
		snprintf(key, sizeof key, "%s/%s", ev->rule->id, id);
		id_derived(u->id, "rapport alert ", key);
		put(ev->w, u, "rule", ev->rule->id);
		put(ev->w, u, "on", id);
		put(ev->w, u, "severity", record_get(ev->rule, "severity"));
		put(ev->w, u, "message", msg);
		put(ev->w, u, "state", "open");
		put(ev->w, u, "raised", ev->now);
		if (all_to && *all_to)
			put(ev->w, u, "to", all_to);
		if (has_action(ev->rule, "task") && record_get(ev->rule, "task"))
			rc = follow_up(ev, u, n, names, vals, to);
		if (!rc && !has_action(ev->rule, "alert")) {
			/* No alert wanted: the record only remembers that the task was made. */
			put(ev->w, u, "state", "resolved");
			put(ev->w, u, "resolved_at", ev->now);
		}
		if (!rc && !(rc = ws_add(ev->w, u, ev->e))) {
			ev->rep->raised++;
			if (has_action(ev->rule, "alert"))
				strv_push(&ev->rep->raised_ids, u->id);
			insert_alert(ev->alerts, u);
		}
		record_free(u);
	}
	if (!rc && fresh && has_action(ev->rule, "at_risk"))
		rc = mark_at_risk(ev, n, names, vals);
	free(msg);
	free(all_to);
	strv_clear(&tos);
	return rc;
}

static int rule_cb(const struct record *r, void *ctx)
{
	return recs_add(r, ctx);
}

/* Rules that change customers (at_risk) run first, so rules reading customers see it now
 * rather than on the next evaluation. */
static int cmp_rule(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a, *y = *(const struct record *const *)b;
	int d = (int)has_action(y, "at_risk") - (int)has_action(x, "at_risk");
	return d ? d : strcmp(x->id, y->id);
}

static int load_alerts(struct ws *w, struct recs *out, struct err *e)
{
	struct query q;
	query_init(&q, schema_kind(&w->sc, "alert"));
	q.deleted = 2; /* a deleted alert keeps its (rule, record) from being raised again */
	return store_query(w->st, &q, recs_add, out, e);
}

static int scores_for_rules(struct ws *w, const char *date, struct err *e)
{
	struct health_config cfg;
	struct healths ps = { NULL, 0, 0 }, cs = { NULL, 0, 0 };
	int rc = health_config_load(w, &cfg, e);
	cfg.brief = true; /* rules read scores and bands only */
	if (!rc)
		rc = health_customers(w, &cfg, date, NULL, &cs, &ps, e);
	struct healths *all[] = { &ps, &cs };
	/* Today's evaluation is also today's history (trends on the dashboard and in health). */
	char today[11];
	fmt_date(today, clock_now());
	bool record = !strcmp(today, date);
	long day = 0;
	date_parse(date, &day);
	if (!rc && record)
		rc = health_record(w, day, (const struct healths *const *)all, 2, NULL, e);
	/* To the rules' own connection, in one transaction there (store_evm_put). */
	for (size_t i = 0; i < ps.n && !rc; i++)
		rc = store_evm_put(w->st, &ps.v[i].evm, ps.v[i].score,
				   ps.v[i].confidence > 0 ? band_name(ps.v[i].band) : NULL, e);
	for (size_t k = 0; k < 2 && !rc; k++)
		for (size_t i = 0; i < all[k]->n && !rc; i++)
			if (all[k]->v[i].confidence > 0) {
				rc = store_health_put(w->st, all[k]->v[i].id, all[k]->v[i].score,
						      band_name(all[k]->v[i].band),
						      all[k]->v[i].confidence, e);
			}
	healths_free(&ps);
	healths_free(&cs);
	return rc;
}

/* The local hook: run with the alert as JSON on stdin; it is never synced and never required. */
static void run_hook(struct ws *w, const char *alert_id, struct rules_report *rep)
{
	char *path = xasprintf("%s/hooks/on-alert", w->dotdir);
	struct stat sb;
	struct record *a = NULL;
	struct err e = { 0, "" };
	if (stat(path, &sb) || !(sb.st_mode & S_IXUSR) ||
	    store_get(w->st, &w->sc, alert_id, &a, &e)) {
		free(path);
		return;
	}
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b, false);
	json_obj_open(&j);
	const char *keys[] = { "rule", "on", "severity", "message", "state", "to", "raised", "task" };
	json_key(&j, "id");
	json_str(&j, a->id);
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_key(&j, keys[i]);
		json_str(&j, record_get(a, keys[i]));
	}
	json_key(&j, "rule_name");
	json_str(&j, ws_title(w, record_get(a, "rule")));
	json_key(&j, "record");
	json_str(&j, ws_title(w, record_get(a, "on")));
	json_obj_close(&j);
	buf_addc(&b, '\n');
	int fds[2];
	if (pipe(fds) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
			int devnull = open("/dev/null", O_WRONLY);
			if (devnull >= 0)
				dup2(devnull, 1);
			if (chdir(w->root) == 0)
				execl(path, path, (char *)NULL);
			_exit(127);
		}
		close(fds[0]);
		if (pid > 0) {
			ssize_t off = 0, k;
			while (off < (ssize_t)b.len && (k = write(fds[1], b.data + off, b.len - (size_t)off)) > 0)
				off += k;
			close(fds[1]);
			int st = 0;
			waitpid(pid, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				strv_push_owned(&rep->errors, xasprintf(_("hook on-alert failed for alert %.8s "
									  "(exit %d)"), a->id,
									WIFEXITED(st) ? WEXITSTATUS(st) : -1));
		} else
			close(fds[1]);
	}
	buf_release(&b);
	record_free(a);
	free(path);
}

/* Forgets the raised ids past n: their transaction was rolled back. */
static void raised_truncate(struct rules_report *rep, size_t n)
{
	while (rep->raised_ids.n > n)
		free(rep->raised_ids.v[--rep->raised_ids.n]);
}

int rules_evaluate(struct ws *w, const char *date, struct rules_report *rep, struct err *e)
{
	struct recs rules = { NULL, 0 }, alerts = { NULL, 0 };
	struct query q;
	int rc = store_asof(w->st, date, e);
	if (rc || (rc = scores_for_rules(w, date, e)))
		return rc;
	query_init(&q, schema_kind(&w->sc, "rule"));
	q.deleted = 2;
	if ((rc = store_query(w->st, &q, rule_cb, &rules, e)) || (rc = load_alerts(w, &alerts, e)))
		goto out;
	if (rules.n)
		qsort(rules.v, rules.n, sizeof(*rules.v), cmp_rule);
	if (alerts.n)
		qsort(alerts.v, alerts.n, sizeof(*alerts.v), cmp_alert_key);
	struct eval ev = { .w = w, .alerts = &alerts, .rep = rep, .e = e };
	fmt_datetime(ev.now, clock_now());
	snprintf(ev.date, sizeof ev.date, "%s", date);
	for (size_t i = 0; i < rules.n && !rc; i++) {
		const struct record *r = rules.v[i];
		const char *en = record_get(r, "enabled");
		ev.rule = r;
		strmap_free(&ev.seen, NULL);
		/* Each rule's writes are a transaction of their own, committed before the next rule
		 * runs: conditions run on the sandbox's connection, which sees what was committed,
		 * so a customer one rule marks at risk is seen by the rules after it. */
		size_t raised = rep->raised_ids.n;
		if ((rc = store_begin(w->st, e)))
			break;
		bool known = true;
		if (!r->deleted && !(en && !strcmp(en, "false"))) {
			struct err re = { 0, "" };
			int rr = store_rule_run(w->st, record_get(r, "watch"), record_get(r, "when"),
						RULE_SECONDS, on_match, &ev, &re);
			if (rr && e->code) {
				rc = rr; /* a write failed: stop, roll this rule back */
			} else if (rr) {
				strv_push_owned(&rep->errors, xasprintf(_("rule %s: %s"),
									record_get(r, "name"), re.msg));
				known = false; /* its alerts stay as they are: nothing known */
			}
		}
		/* Alerts of this rule whose condition no longer holds resolve themselves. */
		for (size_t k = 0; k < alerts.n && !rc && known; k++) {
			struct record *a = alerts.v[k];
			const char *ar = record_get(a, "rule"), *on = record_get(a, "on"),
				   *st = record_get(a, "state");
			if (a->deleted || !ar || strcmp(ar, r->id) || !on || strmap_has(&ev.seen, on) ||
			    (st && !strcmp(st, "resolved")))
				continue;
			put(w, a, "state", "resolved");
			put(w, a, "resolved_at", ev.now);
			if (!(rc = ws_save(w, a, e)))
				rep->resolved++;
		}
		rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
		if (rc)
			raised_truncate(rep, raised);
	}
	strmap_free(&ev.seen, NULL);
	/* What was committed is raised, whatever stopped a later rule. */
	for (size_t i = 0; i < rep->raised_ids.n; i++)
		run_hook(w, rep->raised_ids.v[i], rep);
out:
	recs_free(&rules);
	recs_free(&alerts);
	return rc;
}

int rules_test(struct ws *w, const struct record *rule, const char *date,
	       int (*cb)(int n, const char *const *names, const char *const *vals, void *ctx),
	       void *ctx, struct err *e)
{
	int rc = store_asof(w->st, date, e);
	if (!rc)
		rc = scores_for_rules(w, date, e);
	if (!rc)
		rc = store_rule_run(w->st, record_get(rule, "watch"), record_get(rule, "when"),
				    RULE_SECONDS, cb, ctx, e);
	return rc;
}

int rules_check_record(struct ws *w, const struct record *rule, struct err *e)
{
	if (!rule || strcmp(rule->ki->k->name, "rule"))
		return err_set(e, RERR_INPUT, "not a rule");
	int rc = record_check(rule, e);
	if (!rc)
		rc = ws_rule_check(w, rule, e);
	return rc;
}
