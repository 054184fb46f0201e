/*
 * process.c — the process engine (process.h): which process governs a record, what its gate
 * says, advancing it (approvals raised, routed by conditions evaluated once and stored), the
 * decisions that settle them, and the default processes. It writes only transition and
 * approval records (and, for an approved change, the project it moves), through the
 * workspace, so they are validated, synced and searchable like any record; the stage itself
 * is the database's to derive (store_derive_sql).
 */
#include "process.h"
#include "health.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void proc_free(struct proc *p)
{
	record_free(p->r);
	procdef_free(&p->d);
	p->r = NULL;
}

const struct field *process_stage_field(const struct kindinfo *ki)
{
	for (size_t i = 0; ki && i < ki->nf; i++)
		if (ki->f[i]->flags & F_STAGE)
			return ki->f[i];
	return NULL;
}

static const char *stage_of(const struct record *r)
{
	const struct field *f = process_stage_field(r->ki);
	return f ? record_get(r, f->name) : NULL;
}

static int proc_take(struct record *r, struct proc *p, struct err *e)
{
	p->r = r;
	int rc = procdef_parse(record_get(r, "stages"), 1, &p->d, e);
	if (rc) {
		err_prefix(e, "process %s", record_get(r, "name"));
		proc_free(p);
	}
	return rc;
}

int process_get(struct ws *w, const char *ref, struct proc *p, struct err *e)
{
	struct record *r = NULL;
	memset(p, 0, sizeof *p);
	int rc = ws_load(w, ref, "process", &r, e);
	return rc ? rc : proc_take(r, p, e);
}

/* Live records of a kind whose field equals value. */
static int find(struct ws *w, const char *kind, const char *field, const char *value,
		struct recs *out, struct err *e)
{
	const struct kindinfo *ki = schema_kind(&w->sc, kind);
	struct query q;
	query_init(&q, ki);
	q.cond[0] = (struct qcond){ .f = kind_field(ki, field), .op = Q_EQ, .value = value };
	q.ncond = 1;
	return store_query(w->st, &q, recs_add, out, e);
}

int process_for(struct ws *w, const struct record *r, struct proc *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	const char *named = record_get(r, "process");
	if (named) {
		struct record *pr = NULL;
		int rc = store_get(w->st, &w->sc, named, &pr, e);
		if (rc)
			return rc;
		if (pr->deleted) {
			record_free(pr);
			return err_set(e, RERR_INPUT, "%s %.8s follows process %.8s, which is deleted",
				       kind_label(r->ki->k), r->id, named);
		}
		return proc_take(pr, p, e);
	}
	/* The kind's default: the only enabled process, else the first (by name) marked default. */
	struct recs all = { NULL, 0 };
	int rc = find(w, "process", "kind", r->ki->k->name, &all, e);
	struct record *only = NULL, *def = NULL;
	size_t enabled = 0;
	for (size_t i = 0; !rc && i < all.n; i++) {
		const char *en = record_get(all.v[i], "enabled"), *d = record_get(all.v[i], "default");
		if (en && !strcmp(en, "false"))
			continue;
		enabled++;
		only = all.v[i];
		if (d && !strcmp(d, "true") && (!def || strcmp(record_get(all.v[i], "name"),
							      record_get(def, "name")) < 0))
			def = all.v[i];
	}
	struct record *pick = def ? def : enabled == 1 ? only : NULL;
	if (!rc && !pick && enabled > 1)
		rc = err_set(e, RERR_INPUT,
			     "%zu processes govern %ss and none is the default: set process=NAME on "
			     "%s %.8s, or default=true on one process",
			     enabled, kind_label(r->ki->k), kind_label(r->ki->k), r->id);
	if (!rc && pick) {
		struct record *own = record_dup(pick);
		rc = proc_take(own, p, e);
	}
	recs_free(&all);
	return rc;
}

int process_calendar(struct ws *w, struct calendar *cal, struct err *e)
{
	char *we = ws_setting(w, "calendar.weekend"), *ho = ws_setting(w, "calendar.holidays"),
	     *wd = ws_setting(w, "calendar.workdays");
	int rc = calendar_parse(cal, we, ho, wd, e);
	free(we);
	free(ho);
	free(wd);
	return rc;
}

static void today(char out[11])
{
	fmt_date(out, clock_now());
}

static long due_in(struct ws *w, int sla)
{
	struct calendar cal;
	struct err e = { 0 };
	long d = 0;
	char t[11];
	today(t);
	date_parse(t, &d);
	calendar_init(&cal);
	if (process_calendar(w, &cal, &e))
		calendar_init(&cal); /* a bad setting is config's to refuse; count plain weeks */
	long r = calendar_add(&cal, d, sla >= 0 ? sla : 3);
	calendar_free(&cal);
	return r;
}

/* The views conditions read, as of today; a project's earned value and health first, since
 * its view holds them (the rules fill it for every project; a gate needs one). */
static int facts_for(struct ws *w, const struct record *r, struct err *e)
{
	char t[11];
	today(t);
	int rc = store_asof(w->st, t, e);
	if (rc || strcmp(r->ki->k->name, "project"))
		return rc;
	struct health_config cfg;
	struct healths hs = { NULL, 0, 0 };
	if (!(rc = health_config_load(w, &cfg, e))) {
		cfg.brief = true;
		rc = health_projects(w, &cfg, t, r->id, NULL, &hs, e);
	}
	for (size_t i = 0; !rc && i < hs.n; i++) {
		const char *band = hs.v[i].confidence > 0 ? band_name(hs.v[i].band) : NULL;
		rc = store_evm_put(w->st, &hs.v[i].evm, hs.v[i].score, band, e);
		if (!rc && band)
			rc = store_health_put(w->st, hs.v[i].id, hs.v[i].score, band,
					      hs.v[i].confidence, e);
	}
	healths_free(&hs);
	return rc;
}

/* Whether leaving stage idx for tidx (-1: none) runs a condition — a check, the entry of the
 * next stage, or the `when` of an approval step, which advance evaluates right after the gate.
 * Only then are the views filled: that is a health computation, for every gate the TUI draws. */
static bool reads_views(const struct proc *p, int idx, int tidx)
{
	if (tidx >= 0 && (size_t)tidx < p->d.n && p->d.v[tidx].entry)
		return true;
	for (size_t k = 0; idx >= 0 && k < p->d.v[idx].nchecks; k++)
		if (p->d.v[idx].checks[k].kind == PI_CHECK)
			return true;
	for (size_t k = 0; idx >= 0 && k < p->d.v[idx].nsteps; k++)
		if (p->d.v[idx].steps[k].when)
			return true;
	return false;
}

static int holds(struct ws *w, const struct record *r, const char *expr, bool *ok, char **why)
{
	struct err e = { 0 };
	int rc = store_rule_holds(w->st, r->ki->k->name, expr, r->id, ok, &e);
	if (rc) {
		*ok = false;
		*why = xasprintf(N_("cannot be evaluated: %s"), e.msg);
	} else if (!*ok)
		*why = xstrdup(N_("does not hold"));
	return 0;
}

/* ---- who decides ---- */

/* The customer a record belongs to (its own field, else its project's). */
static bool customer_of(struct ws *w, const struct record *r, char out[33])
{
	const char *c = record_get(r, "customer"), *p = record_get(r, "project");
	out[0] = '\0';
	if (c)
		snprintf(out, 33, "%s", c);
	else if (p) {
		struct record *pr = NULL;
		struct err e = { 0 };
		if (!store_get(w->st, &w->sc, p, &pr, &e) && record_get(pr, "customer"))
			snprintf(out, 33, "%s", record_get(pr, "customer"));
		record_free(pr);
	}
	return out[0] != '\0';
}

/* Members (or contacts) that WHO names for this record, in a stable order. */
static int resolve_who(struct ws *w, const struct record *r, const char *who, struct strv *members,
		       struct strv *contacts, struct err *e)
{
	struct recs hit = { NULL, 0 };
	int rc = 0;
	if (!strncmp(who, "role:", 5)) {
		rc = find(w, "member", "role", who + 5, &hit, e);
		for (size_t i = 0; !rc && i < hit.n; i++)
			strv_push(members, hit.v[i]->id);
	} else if (!strncmp(who, "member:", 7)) {
		char id[33];
		if (!(rc = ws_resolve(w, who + 7, "member", id, e)))
			strv_push(members, id);
	} else if (!strncmp(who, "contact:", 8)) {
		char cust[33];
		if (customer_of(w, r, cust) && !(rc = find(w, "contact", "customer", cust, &hit, e)))
			for (size_t i = 0; i < hit.n; i++)
				if (record_get(hit.v[i], "role") &&
				    !strcmp(record_get(hit.v[i], "role"), who + 8))
					strv_push(contacts, hit.v[i]->id);
	} else {
		/* A path of reference fields: manager, manager.reports_to, project.manager. */
		struct record *at = record_dup(r);
		for (const char *p = who; at && !rc;) {
			size_t n = strcspn(p, ".");
			char name[48];
			snprintf(name, sizeof name, "%.*s", (int)(n < 47 ? n : 47), p);
			const char *id = record_get(at, name);
			struct record *next = NULL;
			struct err ge = { 0 };
			if (!id) {
				record_free(at);
				at = NULL;
				break;
			}
			if (!p[n]) {
				strv_push(members, id);
				break;
			}
			if (store_get(w->st, &w->sc, id, &next, &ge) || next->deleted) {
				record_free(next);
				next = NULL;
			}
			record_free(at);
			at = next;
			p += n + 1;
		}
		record_free(at);
	}
	recs_free(&hit);
	return rc;
}

/* "Li Wei" for a member or contact id. */
static const char *who_name(struct ws *w, const struct record *a)
{
	const char *id = record_get(a, "approver") ? record_get(a, "approver") : record_get(a, "contact");
	return id ? ws_title(w, id) : "nobody";
}

/* ---- the records of a record's way through its process ---- */

static int approvals_of(struct ws *w, const char *on, struct recs *out, struct err *e)
{
	return find(w, "approval", "on", on, out, e);
}

static int transitions_of(struct ws *w, const char *on, struct recs *out, struct err *e)
{
	return find(w, "transition", "on", on, out, e);
}

static bool is(const struct record *r, const char *field, const char *v)
{
	const char *x = record_get(r, field);
	return x ? v && !strcmp(x, v) : !v || !*v;
}

/* The round of leaving `stage`: the last one still open, else a fresh one. */
static int round_of(const struct recs *aps, const struct recs *trs, const char *proc,
		    const char *stage, bool *open)
{
	int max = 0;
	*open = false;
	for (size_t i = 0; i < aps->n; i++)
		if (is(aps->v[i], "process", proc) && is(aps->v[i], "stage", stage))
			max = atoi(record_get(aps->v[i], "round")) > max ? atoi(record_get(aps->v[i], "round")) : max;
	for (size_t i = 0; i < trs->n; i++)
		if (is(trs->v[i], "process", proc) && is(trs->v[i], "from", stage))
			max = atoi(record_get(trs->v[i], "round")) > max ? atoi(record_get(trs->v[i], "round")) : max;
	if (!max)
		return 1;
	bool moved = false;
	for (size_t i = 0; i < trs->n; i++)
		if (is(trs->v[i], "process", proc) && is(trs->v[i], "from", stage) &&
		    atoi(record_get(trs->v[i], "round")) == max)
			moved = true;
	for (size_t i = 0; !moved && i < aps->n; i++)
		if (is(aps->v[i], "process", proc) && is(aps->v[i], "stage", stage) &&
		    atoi(record_get(aps->v[i], "round")) == max &&
		    (is(aps->v[i], "state", "pending") || is(aps->v[i], "state", "waiting")))
			*open = true;
	return *open ? max : max + 1;
}

static void put(struct record *r, const char *field, const char *v)
{
	int idx = kind_field_index(r->ki, kind_field(r->ki, field));
	if (idx >= 0)
		record_put(r, idx, v ? xstrdup(v) : NULL);
}

static void put_int(struct record *r, const char *field, long v)
{
	char b[24];
	snprintf(b, sizeof b, "%ld", v);
	put(r, field, b);
}

/* ---- the gate ---- */

void gate_free(struct gate *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].what);
		free(g->v[i].why);
	}
	free(g->v);
	free(g->stage);
	free(g->next);
	memset(g, 0, sizeof *g);
}

static void item(struct gate *g, char *what, bool ok, char *why)
{
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	g->v[g->n++] = (struct gate_item){ what, ok, ok ? (free(why), NULL) : why };
}

/* The project whose milestones, tasks and tickets a check reads. */
static const char *project_of(const struct record *r)
{
	return !strcmp(r->ki->k->name, "project") ? r->id : record_get(r, "project");
}

static int count_where(struct ws *w, const char *kind, const char *pfield, const char *pid,
		       const char *field, const char *in, long *n, struct err *e)
{
	const struct kindinfo *ki = schema_kind(&w->sc, kind);
	struct query q;
	query_init(&q, ki);
	q.cond[0] = (struct qcond){ .f = kind_field(ki, pfield), .op = Q_EQ, .value = pid };
	q.cond[1] = (struct qcond){ .f = kind_field(ki, field), .op = Q_IN, .value = in };
	q.ncond = 2;
	return store_count(w->st, &q, n, e);
}

static int check_item(struct ws *w, const struct record *r, const struct pcheck *c,
		      struct gate *g, struct err *e)
{
	bool ok = false;
	char *why = NULL;
	const char *proj = project_of(r);
	int rc = 0;
	long n = 0;
	switch (c->kind) {
	case PI_REQUIRE:
		ok = record_get(r, c->arg) != NULL;
		if (!ok)
			why = xasprintf(N_("%s is not set"), c->arg);
		break;
	case PI_CHECK:
		rc = holds(w, r, c->arg, &ok, &why);
		break;
	case PI_MILESTONE: {
		struct recs ms = { NULL, 0 };
		const struct record *m = NULL;
		if (proj && !(rc = find(w, "milestone", "project", proj, &ms, e)))
			for (size_t i = 0; i < ms.n; i++)
				if (!strcasecmp(record_get(ms.v[i], "name"), c->arg))
					m = ms.v[i];
		ok = m && record_get(m, "done");
		if (!m)
			why = xasprintf(N_("the project has no milestone named %s"), c->arg);
		else
			why = xasprintf(N_("not done (due %s)"), record_get(m, "due"));
		recs_free(&ms);
		break;
	}
	case PI_NO_BLOCKERS:
		if (proj)
			rc = count_where(w, "ticket", "project", proj, "severity", "high,critical", &n, e);
		if (!rc && n) {
			/* Open ones only: a second count, the status filter */
			const struct kindinfo *tk = schema_kind(&w->sc, "ticket");
			struct query q;
			query_init(&q, tk);
			q.cond[0] = (struct qcond){ .f = kind_field(tk, "project"), .op = Q_EQ, .value = proj };
			q.cond[1] = (struct qcond){ .f = kind_field(tk, "severity"), .op = Q_IN, .value = "high,critical" };
			q.cond[2] = (struct qcond){ .f = kind_field(tk, "status"), .op = Q_IN, .value = "open,pending" };
			q.ncond = 3;
			rc = store_count(w->st, &q, &n, e);
		}
		ok = !n;
		if (n == 1)
			why = xasprintf(N_("%ld open high or critical ticket on the project"), n);
		else
			why = xasprintf(N_("%ld open high or critical tickets on the project"), n);
		break;
	case PI_TASKS_DONE: {
		/* The tasks of the stage being left, when the project has any; else all of them. */
		const struct kindinfo *tk = schema_kind(&w->sc, "task");
		const char *stage = stage_of(r);
		long inphase = 0;
		struct query q;
		query_init(&q, tk);
		q.cond[0] = (struct qcond){ .f = kind_field(tk, "project"), .op = Q_EQ, .value = proj };
		q.cond[1] = (struct qcond){ .f = kind_field(tk, "phase"), .op = Q_EQ, .value = stage };
		q.ncond = 2;
		if (proj && stage)
			rc = store_count(w->st, &q, &inphase, e);
		q.cond[q.ncond] = (struct qcond){ .f = kind_field(tk, "status"), .op = Q_IN,
						  .value = "todo,doing,blocked,review" };
		if (inphase) {
			q.ncond = 3;
		} else {
			q.cond[1] = q.cond[2];
			q.ncond = 2;
		}
		if (!rc && proj)
			rc = store_count(w->st, &q, &n, e);
		ok = !n;
		if (inphase && n == 1)
			why = xasprintf(N_("%ld task of this phase not done"), n);
		else if (inphase)
			why = xasprintf(N_("%ld tasks of this phase not done"), n);
		else if (n == 1)
			why = xasprintf(N_("%ld task not done"), n);
		else
			why = xasprintf(N_("%ld tasks not done"), n);
		break;
	}
	}
	item(g, xasprintf("%s%s%s", procdef_item_word(c->kind), c->arg ? " " : "", c->arg ? c->arg : ""),
	     ok, why);
	return rc;
}

int process_gate(struct ws *w, const struct record *r, const struct proc *p, const char *to,
		 struct gate *g, struct err *e)
{
	struct recs aps = { NULL, 0 }, trs = { NULL, 0 };
	const char *stage = stage_of(r), *pid = p->r->id;
	int idx = stage ? procdef_find(&p->d, stage) : -1, rc;
	memset(g, 0, sizeof *g);
	g->sla_left = LONG_MIN;
	g->stage = stage ? xstrdup(stage) : NULL;
	g->stale = stage && idx < 0;
	int tidx = to ? procdef_find(&p->d, to) : !stage ? 0 : idx >= 0 ? idx + 1 : -1;
	if (to && tidx < 0)
		return err_set(e, RERR_INPUT, "process %s has no stage '%s'", record_get(p->r, "name"), to);
	if ((rc = approvals_of(w, r->id, &aps, e)) || (rc = transitions_of(w, r->id, &trs, e)))
		goto out;
	if (g->stale && !to) /* the first stage it has not been through */
		for (size_t i = 0; i < p->d.n && tidx < 0; i++) {
			bool been = false;
			for (size_t k = 0; k < trs.n; k++)
				been |= is(trs.v[k], "to", p->d.v[i].code);
			if (!been)
				tidx = (int)i;
		}
	if (tidx >= 0 && (size_t)tidx < p->d.n)
		g->next = xstrdup(p->d.v[tidx].code);
	bool open;
	g->round = round_of(&aps, &trs, pid, stage ? stage : "", &open);
	/* When it entered: the latest transition into its stage. */
	for (size_t k = 0; stage && k < trs.n; k++)
		if (is(trs.v[k], "to", stage) && strcmp(record_get(trs.v[k], "at"), g->entered) > 0)
			snprintf(g->entered, sizeof g->entered, "%s", record_get(trs.v[k], "at"));
	if (idx >= 0 && p->d.v[idx].sla >= 0 && g->entered[0]) {
		struct calendar cal;
		long from = 0, now = 0;
		char t[11], ed[11];
		today(t);
		snprintf(ed, sizeof ed, "%.10s", g->entered);
		calendar_init(&cal);
		if (!process_calendar(w, &cal, e) && date_parse(ed, &from) && date_parse(t, &now))
			g->sla_left = p->d.v[idx].sla - calendar_between(&cal, from, now);
		err_clear(e);
		calendar_free(&cal);
	}
	if (reads_views(p, idx, g->next ? tidx : -1) && (rc = facts_for(w, r, e)))
		goto out;
	if (idx >= 0)
		for (size_t k = 0; !rc && k < p->d.v[idx].nchecks; k++)
			rc = check_item(w, r, &p->d.v[idx].checks[k], g, e);
	if (!rc && g->next && p->d.v[tidx].entry) {
		bool ok;
		char *why = NULL;
		holds(w, r, p->d.v[tidx].entry, &ok, &why);
		item(g, xasprintf(N_("entry of %s: %s"), g->next, p->d.v[tidx].entry), ok, why);
	}
	/* The approvals of the round under way. */
	for (size_t i = 0; !rc && open && i < aps.n; i++) {
		const struct record *a = aps.v[i];
		if (!is(a, "process", pid) || !is(a, "stage", stage) || atoi(record_get(a, "round")) != g->round)
			continue;
		const char *st = record_get(a, "state");
		bool ok = !strcmp(st, "approved") && !a->conflicts;
		if (!strcmp(st, "pending") || !strcmp(st, "waiting"))
			g->pending++;
		if (!strcmp(st, "withdrawn"))
			continue; /* not needed: another approver of its step decided */
		char *why;
		if (a->conflicts)
			why = xstrdup(N_("two decisions conflict: resolve with 'rapport conflicts'"));
		else if (!strcmp(st, "pending") && record_get(a, "due"))
			why = xasprintf(N_("pending, due %s"), record_get(a, "due"));
		else if (!strcmp(st, "pending"))
			why = xstrdup(N_("pending, due (no date)"));
		else if (!strcmp(st, "waiting"))
			why = xstrdup(N_("waits for the step before it"));
		else
			why = xasprintf("%s", st);
		/* "approval by" begins what is an approval: advancing and the TUI look for it. */
		item(g, xasprintf(N_("approval by %s (step %s)"), who_name(w, a), record_get(a, "step")),
		     ok, why);
	}
out:
	recs_free(&aps);
	recs_free(&trs);
	if (rc)
		gate_free(g);
	return rc;
}

/* ---- advancing ---- */

void advance_free(struct advance *a)
{
	free(a->from);
	free(a->to);
	strv_clear(&a->raised);
	strv_clear(&a->decided);
	memset(a, 0, sizeof *a);
}

static void key(char out[33], const char *what, const char *on, const char *proc,
		const char *stage, long round, long step, const char *who)
{
	char *k = xasprintf("%s/%s/%s/%ld/%ld/%s", on, proc, stage ? stage : "", round, step,
			    who ? who : "");
	id_derived(out, what, k);
	free(k);
}

/* Writes a transition, or, when another replica wrote the same one already, keeps it. */
static int transition(struct ws *w, const struct record *r, const struct proc *p,
		      const char *from, const char *to, long round, bool override,
		      const char *reason, struct err *e)
{
	struct record *t = record_new(schema_kind(&w->sc, "transition")), *old = NULL;
	struct err ge = { 0 };
	key(t->id, "rapport transition ", r->id, p->r->id, from, round, 0, NULL);
	put(t, "on", r->id);
	put(t, "process", p->r->id);
	put(t, "from", from && *from ? from : NULL);
	put(t, "to", to);
	put_int(t, "round", round);
	struct recs trs = { NULL, 0 };
	long seq = 0;
	if (!transitions_of(w, r->id, &trs, e))
		for (size_t i = 0; i < trs.n; i++)
			if (record_get(trs.v[i], "seq") && atol(record_get(trs.v[i], "seq")) > seq &&
			    strcmp(trs.v[i]->id, t->id))
				seq = atol(record_get(trs.v[i], "seq"));
	recs_free(&trs);
	put_int(t, "seq", seq + 1);
	if (override) {
		put(t, "override", "true");
		put(t, "reason", reason);
	}
	int rc;
	if (!store_get(w->st, &w->sc, t->id, &old, &ge) && !old->deleted)
		rc = 0;
	else if (old) { /* deleted by hand once: the move happened again */
		old->deleted = 0;
		for (size_t i = 0; i < t->ki->nf; i++)
			if (t->val[i]) {
				free(old->val[i]);
				old->val[i] = xstrdup(t->val[i]);
			}
		rc = ws_save(w, old, e);
	} else
		rc = ws_add(w, t, e);
	record_free(t);
	record_free(old);
	return rc;
}

static bool has_role(struct ws *w, const char *roles)
{
	char me[33];
	struct record *m = NULL;
	struct err e = { 0 };
	bool ok = false;
	if (!ws_me(w, me) || store_get(w->st, &w->sc, me, &m, &e))
		return false;
	struct strv rs = STRV_INIT;
	strv_split(&rs, roles ? roles : "", ',');
	ok = record_get(m, "role") && strv_has(&rs, record_get(m, "role"));
	strv_clear(&rs);
	record_free(m);
	return ok;
}

/* Raises the approvals of leaving a stage; returns how many (0: none apply). */
static int raise(struct ws *w, const struct record *r, const struct proc *p, int sidx,
		 const char *to, int round, struct advance *out, struct err *e)
{
	const struct pstage *s = &p->d.v[sidx];
	const struct kindinfo *ak = schema_kind(&w->sc, "approval");
	int rc = 0, first = 0;
	long due = due_in(w, s->sla);
	char dues[11];
	days_to_date(dues, due);
	for (size_t k = 0; !rc && k < s->nsteps; k++) {
		const struct pstep *st = &s->steps[k];
		bool ok = true;
		char *why = NULL;
		if (st->when && (rc = store_rule_holds(w->st, r->ki->k->name, st->when, r->id, &ok, e))) {
			err_prefix(e, "stage %s: approve %s when", s->code, st->who);
			break;
		}
		free(why);
		if (!ok)
			continue;
		struct strv ms = STRV_INIT, cs = STRV_INIT;
		if (!(rc = resolve_who(w, r, st->who, &ms, &cs, e)) && !ms.n && !cs.n)
			rc = err_set(e, RERR_INPUT,
				     "stage %s: approve %s: nobody is %s for %s %.8s (who approves "
				     "must exist before it can advance)",
				     s->code, st->who, st->who, kind_label(r->ki->k), r->id);
		if (!first && !rc)
			first = (int)k + 1;
		for (int side = 0; side < 2 && !rc; side++) {
			struct strv *v = side ? &cs : &ms;
			for (size_t i = 0; i < v->n && !rc; i++) {
				struct record *a = record_new(ak);
				key(a->id, "rapport approval ", r->id, p->r->id, s->code, round, (long)k + 1, v->v[i]);
				put(a, "on", r->id);
				put(a, "process", p->r->id);
				put(a, "stage", s->code);
				put(a, "to", to);
				put_int(a, "step", (long)k + 1);
				put_int(a, "round", round);
				put(a, "mode", st->all ? "all" : "any");
				put(a, "route", st->who);
				put(a, side ? "contact" : "approver", v->v[i]);
				bool now = first == (int)k + 1;
				put(a, "state", now ? "pending" : "waiting");
				put(a, "due", now ? dues : NULL);
				rc = ws_add(w, a, e);
				if (!rc)
					strv_push(&out->raised, a->id);
				record_free(a);
			}
		}
		strv_clear(&ms);
		strv_clear(&cs);
	}
	return rc ? rc : (int)out->raised.n;
}

/* The effects of arriving at a stage: an approved change moves its project. */
static int arrived(struct ws *w, const struct record *r, const char *to, struct advance *out,
		   struct err *e);

int process_advance(struct ws *w, const char *ref, const char *to, bool override,
		    const char *reason, struct advance *out, struct err *e)
{
	struct record *r = NULL;
	struct proc p = { 0 };
	struct gate g = { 0 };
	struct recs aps = { NULL, 0 };
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = ws_load(w, ref, NULL, &r, e)))
		return rc;
	if (!process_stage_field(r->ki)) {
		rc = err_set(e, RERR_INPUT, "a %s has no stages: processes govern projects, contracts, "
					    "milestones and changes",
			     kind_label(r->ki->k));
		goto out;
	}
	if ((rc = process_for(w, r, &p, e)))
		goto out;
	if (!p.r) {
		rc = err_set(e, RERR_INPUT,
			     "%s %.8s follows no process: load one ('rapport process load FILE') or "
			     "set process=NAME",
			     kind_label(r->ki->k), r->id);
		goto out;
	}
	const char *stage = stage_of(r);
	int idx = stage ? procdef_find(&p.d, stage) : -1;
	if ((rc = process_gate(w, r, &p, to, &g, e)))
		goto out;
	if (!g.next) {
		rc = err_set(e, RERR_INPUT, "%s %.8s is at %s, the last stage of process %s",
			     kind_label(r->ki->k), r->id, stage, record_get(p.r, "name"));
		goto out;
	}
	int tidx = procdef_find(&p.d, g.next);
	out->from = stage ? xstrdup(stage) : NULL;
	out->to = xstrdup(g.next);
	if (idx >= 0 && tidx == idx) {
		rc = err_set(e, RERR_INPUT, "%s %.8s is at %s already", kind_label(r->ki->k), r->id,
			     stage);
		goto out;
	}
	bool back = idx >= 0 && tidx < idx;
	if (override) {
		if (!reason || !*reason) {
			rc = err_set(e, RERR_INPUT, "--override needs --reason TEXT: it is recorded");
			goto out;
		}
		if (!has_role(w, record_get(p.r, "override"))) {
			rc = err_set(e, RERR_INPUT,
				     "only a member whose role is %s may override process %s",
				     record_get(p.r, "override") ? record_get(p.r, "override")
								 : _("(none: the process names no role)"),
				     record_get(p.r, "name"));
			goto out;
		}
	} else {
		if (idx >= 0 && tidx > idx + 1) {
			rc = err_set(e, RERR_INPUT, "%s is not the next stage after %s (%s is): skipping "
						    "stages needs --override",
				     g.next, stage, p.d.v[idx + 1].code);
			goto out;
		}
		if (g.pending == 1 && !g.stale) {
			rc = err_set(e, RERR_INPUT,
				     "%s %.8s waits for %zu approval to leave %s: 'rapport gate %.8s' "
				     "lists them",
				     kind_label(r->ki->k), r->id, g.pending, stage, r->id);
			goto out;
		}
		if (g.pending && !g.stale) {
			rc = err_set(e, RERR_INPUT,
				     "%s %.8s waits for %zu approvals to leave %s: 'rapport gate %.8s' "
				     "lists them",
				     kind_label(r->ki->k), r->id, g.pending, stage, r->id);
			goto out;
		}
		struct buf why = BUF_INIT;
		for (size_t i = 0; !back && i < g.n; i++)
			if (!g.v[i].ok && strncmp(g.v[i].what, "approval by", 11))
				buf_addf(&why, "\n  %s: %s", g.v[i].what, g.v[i].why);
		if (why.len) {
			rc = err_set(e, RERR_INPUT, "%s %.8s cannot leave %s yet:%s", kind_label(r->ki->k),
				     r->id, stage ? stage : _("(not started)"), why.data);
			buf_release(&why);
			goto out;
		}
		buf_release(&why);
	}
	if ((rc = store_begin(w->st, e)))
		goto out;
	int raised = 0;
	if (g.stale && g.pending) {
		/* The stage left the process, and with it what leaving it needed: its open round
		 * is withdrawn, and the move is a round of its own. */
		if (!(rc = approvals_of(w, r->id, &aps, e)))
			for (size_t i = 0; i < aps.n && !rc; i++)
				if (is(aps.v[i], "process", p.r->id) && is(aps.v[i], "stage", stage) &&
				    atoi(record_get(aps.v[i], "round")) == g.round &&
				    (is(aps.v[i], "state", "pending") || is(aps.v[i], "state", "waiting"))) {
					put(aps.v[i], "state", "withdrawn");
					put(aps.v[i], "reason", "stage no longer in the process");
					rc = ws_save(w, aps.v[i], e);
				}
		g.round++;
		recs_free(&aps);
	}
	if (rc) {
	} else if (override) {
		/* What was waiting is overridden, and says by whom. */
		if (!(rc = approvals_of(w, r->id, &aps, e)))
			for (size_t i = 0; i < aps.n && !rc; i++)
				if (is(aps.v[i], "process", p.r->id) && is(aps.v[i], "stage", stage) &&
				    atoi(record_get(aps.v[i], "round")) == g.round &&
				    (is(aps.v[i], "state", "pending") || is(aps.v[i], "state", "waiting"))) {
					put(aps.v[i], "state", "overridden");
					put(aps.v[i], "reason", reason);
					rc = ws_save(w, aps.v[i], e);
				}
	} else if (idx >= 0 && !back)
		raised = raise(w, r, &p, idx, g.next, g.round, out, e);
	if (raised < 0)
		rc = raised;
	if (!rc && !raised) {
		rc = transition(w, r, &p, stage, g.next, g.round, override, reason, e);
		out->moved = !rc;
		if (!rc)
			rc = arrived(w, r, g.next, out, e);
	}
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
out:
	if (rc)
		advance_free(out);
	recs_free(&aps);
	gate_free(&g);
	proc_free(&p);
	record_free(r);
	return rc;
}

/* ---- decisions ---- */

static bool same_round(const struct record *a, const struct record *b)
{
	return is(a, "on", record_get(b, "on")) && is(a, "process", record_get(b, "process")) &&
	       is(a, "stage", record_get(b, "stage")) && is(a, "round", record_get(b, "round"));
}

int process_decide(struct ws *w, const char *ref, const char *verb, const char *reason,
		   const char *evidence, struct advance *out, struct err *e)
{
	struct record *a = NULL, *r = NULL;
	struct recs aps = { NULL, 0 };
	struct proc p = { 0 };
	char me[33], now[21];
	int rc;
	bool approve = !strcmp(verb, "approve"), reject = !strcmp(verb, "reject");
	memset(out, 0, sizeof *out);
	if ((rc = ws_load(w, ref, "approval", &a, e)))
		return rc;
	const char *st = record_get(a, "state");
	if (!ws_me(w, me)) {
		rc = err_set(e, RERR_INPUT, "you are not a member of this team (no member has the "
					    "email %s): decisions are recorded by members",
			     ws_email(w) ? ws_email(w) : _("(none: set user.email)"));
		goto out;
	}
	if (!strcmp(st, "waiting")) {
		rc = err_set(e, RERR_INPUT, "approval %.8s waits for the step before it", a->id);
		goto out;
	}
	if (strcmp(st, "pending")) {
		if (record_get(a, "by"))
			rc = err_set(e, RERR_INPUT, "approval %.8s is %s already by %s", a->id,
				     choice_label(st), ws_title(w, record_get(a, "by")));
		else
			rc = err_set(e, RERR_INPUT, "approval %.8s is %s already", a->id,
				     choice_label(st));
		goto out;
	}
	if (approve || reject) {
		const char *approver = record_get(a, "approver");
		if (approver && strcmp(approver, me)) {
			rc = err_set(e, RERR_INPUT, "approval %.8s is %s's to decide, not yours", a->id,
				     ws_title(w, approver));
			goto out;
		}
		if (!approver && (!evidence || !*evidence)) {
			rc = err_set(e, RERR_INPUT,
				     "approval %.8s is %s's (a customer contact): record their decision "
				     "with --evidence (a mail id, a document, a meeting)",
				     a->id, who_name(w, a));
			goto out;
		}
		if (reject && (!reason || !*reason)) {
			rc = err_set(e, RERR_INPUT, "a rejection needs --reason TEXT");
			goto out;
		}
	} else {
		const char *asked = record_get(a, "requested_by");
		if ((rc = store_get(w->st, &w->sc, record_get(a, "on"), &r, e)) ||
		    (rc = process_for(w, r, &p, e)))
			goto out;
		if ((!asked || strcmp(asked, me)) && !(p.r && has_role(w, record_get(p.r, "override")))) {
			rc = err_set(e, RERR_INPUT, "only who asked for approval %.8s (%s) may withdraw it",
				     a->id, asked ? ws_title(w, asked) : _("nobody"));
			goto out;
		}
	}
	fmt_datetime(now, clock_now());
	if ((rc = store_begin(w->st, e)))
		goto out;
	put(a, "state", approve ? "approved" : reject ? "rejected" : "withdrawn");
	put(a, "decided_at", now);
	put(a, "by", me);
	if (reason && *reason)
		put(a, "reason", reason);
	if (evidence && *evidence)
		put(a, "evidence", evidence);
	rc = ws_save(w, a, e);
	if (!rc)
		rc = approvals_of(w, record_get(a, "on"), &aps, e);
	int step = atoi(record_get(a, "step"));
	bool done = true;
	if (!rc && approve) {
		/* Is its step settled? An `any` step by this one; an `all` step when none waits. */
		bool any = is(a, "mode", "any"), settled = true;
		for (size_t i = 0; i < aps.n; i++) {
			struct record *o = aps.v[i];
			if (!same_round(o, a) || atoi(record_get(o, "step")) != step || !strcmp(o->id, a->id))
				continue;
			if (!any && !is(o, "state", "approved"))
				settled = false;
		}
		for (size_t i = 0; !rc && settled && any && i < aps.n; i++) {
			struct record *o = aps.v[i];
			if (same_round(o, a) && atoi(record_get(o, "step")) == step && strcmp(o->id, a->id) &&
			    is(o, "state", "pending")) {
				/* A reason is stored and synced: English. */
				char *why = xasprintf("not needed: %s approved", ws_title(w, me));
				put(o, "state", "withdrawn");
				put(o, "reason", why);
				free(why);
				rc = ws_save(w, o, e);
			}
		}
		/* The next step that has approvals opens. */
		int next = 0;
		for (size_t i = 0; settled && i < aps.n; i++) {
			int s = atoi(record_get(aps.v[i], "step"));
			if (same_round(aps.v[i], a) && s > step && (!next || s < next))
				next = s;
		}
		done = settled && !next;
		if (!settled)
			strv_push_owned(&out->decided,
					xasprintf(_("step %d waits for its other approvers"), step));
		if (next && !rc) {
			const struct record *any_r = NULL;
			struct record *on = NULL;
			struct proc pp = { 0 };
			int sla = 3;
			if (!store_get(w->st, &w->sc, record_get(a, "on"), &on, e) &&
			    !process_for(w, on, &pp, e) && pp.r) {
				int si = procdef_find(&pp.d, record_get(a, "stage"));
				if (si >= 0)
					sla = pp.d.v[si].sla;
			}
			err_clear(e);
			char dues[11];
			days_to_date(dues, due_in(w, sla));
			for (size_t i = 0; !rc && i < aps.n; i++)
				if (same_round(aps.v[i], a) && atoi(record_get(aps.v[i], "step")) == next &&
				    is(aps.v[i], "state", "waiting")) {
					put(aps.v[i], "state", "pending");
					put(aps.v[i], "due", dues);
					rc = ws_save(w, aps.v[i], e);
					any_r = aps.v[i];
				}
			if (any_r)
				strv_push_owned(&out->decided, xasprintf(_("step %d is now with %s"), next,
									 who_name(w, any_r)));
			record_free(on);
			proc_free(&pp);
		}
	} else if (!rc) {
		/* A rejection or a withdrawal ends the round: what still waited is withdrawn. */
		/* Stored and synced: English. */
		char *why = xasprintf("round ended: %s %s by %s", record_get(a, "stage"),
				      reject ? "rejected" : "withdrawn", ws_title(w, me));
		for (size_t i = 0; !rc && i < aps.n; i++) {
			struct record *o = aps.v[i];
			if (same_round(o, a) && strcmp(o->id, a->id) &&
			    (is(o, "state", "pending") || is(o, "state", "waiting"))) {
				put(o, "state", "withdrawn");
				put(o, "reason", why);
				rc = ws_save(w, o, e);
			}
		}
		free(why);
		done = false;
		strv_push_owned(&out->decided, xasprintf(_("%s stays at %s"),
							 ws_title(w, record_get(a, "on")),
							 record_get(a, "stage")));
	}
	if (!rc && done) {
		record_free(r);
		r = NULL;
		proc_free(&p);
		if (!(rc = store_get(w->st, &w->sc, record_get(a, "on"), &r, e)) &&
		    !(rc = process_get(w, record_get(a, "process"), &p, e)) &&
		    !(rc = transition(w, r, &p, record_get(a, "stage"), record_get(a, "to"),
				      atol(record_get(a, "round")), false, NULL, e))) {
			out->moved = true;
			out->from = xstrdup(record_get(a, "stage"));
			out->to = xstrdup(record_get(a, "to"));
			rc = arrived(w, r, out->to, out, e);
		}
	}
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
out:
	if (rc)
		advance_free(out);
	recs_free(&aps);
	proc_free(&p);
	record_free(r);
	record_free(a);
	return rc;
}

/* ---- arriving ---- */

static int arrived(struct ws *w, const struct record *r, const char *to, struct advance *out,
		   struct err *e)
{
	if (strcmp(r->ki->k->name, "change") || strcmp(to, "approved") || record_get(r, "applied"))
		return 0;
	const char *days = record_get(r, "days"), *cost = record_get(r, "cost");
	struct record *pr = NULL, *ch = record_dup(r);
	char t[11];
	int rc = store_get(w->st, &w->sc, record_get(r, "project"), &pr, e);
	today(t);
	if (!rc && days && atol(days) && record_get(pr, "due")) {
		struct calendar cal;
		long due;
		char d[11];
		calendar_init(&cal);
		if (!(rc = process_calendar(w, &cal, e)) && date_parse(record_get(pr, "due"), &due)) {
			days_to_date(d, calendar_add(&cal, due, atol(days)));
			put(pr, "due", d);
		}
		calendar_free(&cal);
	}
	if (!rc && cost && strtod(cost, NULL) != 0) {
		char b[64];
		snprintf(b, sizeof b, "%.2f", (record_get(pr, "budget") ? strtod(record_get(pr, "budget"), NULL) : 0) + strtod(cost, NULL));
		put(pr, "budget", b);
	}
	/* The agreed plan is the new baseline earned value measures against. */
	long n = 0;
	if (!rc && !(rc = ws_save(w, pr, e))) {
		record_free(pr);
		pr = NULL;
		if (!(rc = store_get(w->st, &w->sc, record_get(r, "project"), &pr, e)))
			rc = health_baseline(w, pr, false, &n, e);
	}
	if (!rc) {
		put(ch, "applied", t);
		rc = ws_save(w, ch, e);
	}
	if (!rc)
		strv_push_owned(&out->decided,
				xasprintf(_("%s: due %s, budget %s (baseline recorded)"),
					  ws_title(w, pr->id),
					  record_get(pr, "due") ? record_get(pr, "due") : _("(none)"),
					  record_get(pr, "budget") ? record_get(pr, "budget") : _("(none)")));
	record_free(pr);
	record_free(ch);
	return rc;
}

/* ---- as text, and the defaults ---- */

/* A definition as its file holds it: "WORD NAME", the header fields set, then the body. */
static void definition_text(struct buf *b, const struct record *r, const char *word,
			    const char *const *head, const char *body_field)
{
	text_put(b, word, record_get(r, "name"));
	for (size_t i = 0; head[i]; i++)
		if (record_get(r, head[i]))
			text_put(b, head[i], record_get(r, head[i]));
	const char *body = record_get(r, body_field);
	if (body) {
		buf_adds(b, body);
		if (body[0] && body[strlen(body) - 1] != '\n')
			buf_addc(b, '\n');
	}
}

void process_text(struct buf *b, const struct record *r)
{
	static const char *const head[] = { "kind", "label", "default", "override", "enabled", "note",
					    NULL };
	definition_text(b, r, "process", head, "stages");
}

/* The defaults (rapport-process(5) DEFAULT PROCESSES): how an ERP or IT implementation firm
 * delivers, reviews contracts, takes change requests and has milestones accepted. */
static const struct {
	const char *name, *kind, *label, *override, *stages;
} defaults[] = {
	{ "erp-implementation", "project", "ERP implementation (ERP 实施)", "exec",
	  "stage requirements 需求评审 Requirements review\n"
	  "  owner manager\n  sla 10\n  require start\n  require due\n  approve manager\n\n"
	  "stage kickoff 立项 Project start\n"
	  "  owner manager\n  sla 5\n  require manager\n  require budget\n"
	  "  approve manager.reports_to\n  approve role:exec when budget > 1000000\n\n"
	  "stage blueprint 蓝图 Blueprint\n  owner manager\n  sla 20\n  approve contact:sponsor\n\n"
	  "stage configuration 配置 Configuration\n  owner manager\n  sla 30\n  no-blockers\n\n"
	  "stage migration 数据迁移 Data migration\n  owner manager\n  sla 15\n  no-blockers\n\n"
	  "stage training 培训 Training\n  owner manager\n  sla 10\n\n"
	  "stage uat UAT 用户验收测试 User acceptance testing\n  owner manager\n  sla 15\n"
	  "  no-blockers\n  approve contact:sponsor\n\n"
	  "stage golive 上线 Go-live\n  owner manager\n  sla 5\n  approve manager\n"
	  "  approve role:exec when budget > 1000000\n\n"
	  "stage initial_acceptance 初验 Initial acceptance\n  owner manager\n  sla 10\n"
	  "  approve contact:sponsor\n\n"
	  "stage final_acceptance 终验 Final acceptance\n  owner manager\n  sla 30\n  tasks-done\n"
	  "  approve contact:sponsor\n\n"
	  "stage operations 运维 Operations\n  owner manager" },
	{ "contract-review", "contract", "Contract review (合同评审)", "exec",
	  "stage review 评审 Review\n  sla 5\n  require value\n  approve role:finance\n"
	  "  approve role:exec when value > 500000\n\n"
	  "stage signing 签署 Signing\n  sla 10\n  require signed\n\n"
	  "stage signed 已签署 Signed" },
	{ "change-request", "change", "Change request (变更申请)", "exec",
	  "stage requested 已提交 Requested\n  sla 5\n  require scope\n  approve project.manager\n"
	  "  approve role:exec when cost > 100000 OR days > 20\n\n"
	  "stage approved 已批准 Approved\n\n"
	  "stage done 已完成 Done" },
	{ "milestone-acceptance", "milestone", "Milestone acceptance (里程碑验收)", "exec",
	  "stage delivery 交付 Delivery\n  sla 5\n  require deliverable\n  approve contact:sponsor\n\n"
	  "stage accepted 已验收 Accepted" },
};

/* How many records of a kind the workspace ever had, deleted ones too: defaults are seeded
 * only into a workspace that never had any, so what a team removed stays removed. */
static int ever_had(struct ws *w, const char *kind, long *n, struct err *e)
{
	struct query q;
	query_init(&q, schema_kind(&w->sc, kind));
	q.deleted = 2;
	*n = 0;
	return store_count(w->st, &q, n, e);
}

int process_seed(struct ws *w, struct err *e)
{
	const struct kindinfo *pk = schema_kind(&w->sc, "process");
	long n;
	int rc = ever_had(w, "process", &n, e);
	if (rc || n)
		return rc;
	if ((rc = store_begin(w->st, e)))
		return rc;
	for (size_t i = 0; i < ARRAY_LEN(defaults) && !rc; i++) {
		struct record *r = record_new(pk);
		put(r, "name", defaults[i].name);
		put(r, "kind", defaults[i].kind);
		put(r, "label", defaults[i].label);
		put(r, "default", "true");
		put(r, "override", defaults[i].override);
		put(r, "stages", defaults[i].stages);
		put(r, "enabled", "true");
		id_derived(r->id, "rapport process ", defaults[i].name);
		rc = ws_add(w, r, e);
		record_free(r);
	}
	return rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
}

/* ---- templates ---- */

/* A template's owner for a task: the first member WHO names for the new project. */
static void owner_of(struct ws *w, const struct record *project, const char *who, char out[33])
{
	struct strv ms = STRV_INIT, cs = STRV_INIT;
	struct err e = { 0 };
	out[0] = '\0';
	/* Of several (a role), the first by name: stable, and what people would guess. (A name
	 * from ws_title lives only until its next call: the best one is copied.) */
	char *best = NULL;
	if (!resolve_who(w, project, who, &ms, &cs, &e))
		for (size_t i = 0; i < ms.n; i++) {
			const char *name = ws_title(w, ms.v[i]);
			if (!best || strcmp(name, best) < 0) {
				free(best);
				best = xstrdup(name);
				snprintf(out, 33, "%s", ms.v[i]);
			}
		}
	free(best);
	strv_clear(&ms);
	strv_clear(&cs);
}

static void put_day(struct record *r, const char *field, long day)
{
	char d[11];
	days_to_date(d, day);
	put(r, field, d);
}

/* Enters a record into its process's first stage: what a project built from a template, and
 * a milestone it says the customer accepts, start in. The template is the team's word for
 * how they start, so no entry condition is evaluated (the sandbox could not see the records
 * being written anyway). */
static int enter(struct ws *w, const struct record *r, struct err *e)
{
	struct proc p = { 0 };
	int rc = process_for(w, r, &p, e);
	if (!rc && p.r && !stage_of(r))
		rc = transition(w, r, &p, NULL, p.d.v[0].code, 1, false, NULL, e);
	proc_free(&p);
	return rc;
}

int template_build(struct ws *w, struct record *project, const char *name,
		   struct template_built *out, struct err *e)
{
	struct record *t = NULL;
	struct wbsdef d = { NULL, 0 };
	struct calendar cal;
	int rc;
	long start;
	memset(out, 0, sizeof *out);
	calendar_init(&cal);
	/* A workspace that never had a process or a template gets the defaults first, so the
	 * default template is there to build from (the CLI's add and the TUI's form alike). */
	if ((rc = process_seed(w, e)) || (rc = template_seed(w, e)) ||
	    (rc = ws_load(w, name, "template", &t, e)))
		return rc;
	const char *st = record_get(project, "start");
	if (strcmp(project->ki->k->name, "project")) {
		rc = err_set(e, RERR_INPUT, "a template builds a project, not a %s",
			     kind_label(project->ki->k));
		goto out;
	}
	if (!st || !date_parse(st, &start)) {
		rc = err_set(e, RERR_INPUT, "a project from template %s needs its start (start=DATE): "
					    "the plan is laid out from it",
			     record_get(t, "name"));
		goto out;
	}
	if ((rc = wbsdef_parse(record_get(t, "wbs"), 1, &d, e)) ||
	    (rc = process_calendar(w, &cal, e))) {
		err_prefix(e, "template %s", record_get(t, "name"));
		goto out;
	}
	if (record_get(t, "process") && !record_get(project, "process")) {
		char pid[33];
		if ((rc = ws_resolve(w, record_get(t, "process"), "process", pid, e))) {
			err_prefix(e, "template %s: process", record_get(t, "name"));
			goto out;
		}
		put(project, "process", pid);
	}
	/* Day 0 is the first working day from the start. */
	long day0 = calendar_add(&cal, start, 0), last = day0;
	if ((rc = store_begin(w->st, e)))
		goto out;
	if (!(rc = ws_add(w, project, e)))
		rc = enter(w, project, e);
	const struct kindinfo *tk = schema_kind(&w->sc, "task"), *mk = schema_kind(&w->sc, "milestone");
	for (size_t i = 0; !rc && i < d.n; i++) {
		const struct witem *it = &d.v[i];
		if (it->kind == WI_PHASE) {
			out->phases++; /* a phase names the stage its tasks belong to */
			continue;
		}
		struct record *r = record_new(it->kind == WI_MILESTONE ? mk : tk);
		char who[33];
		put(r, "project", project->id);
		put(r, "name", it->name);
		long s = calendar_add(&cal, day0, it->offset);
		long due = it->kind == WI_TASK ? calendar_add(&cal, s, it->days - 1) : s;
		if (it->kind == WI_TASK) {
			put_day(r, "start", s);
			put_day(r, "due", due);
			if (it->phase >= 0)
				put(r, "phase", d.v[it->phase].code);
			if (it->owner) {
				owner_of(w, project, it->owner, who);
				if (who[0])
					put(r, "assignee", who);
			}
			if (it->key)
				put(r, "key", "true");
			if (it->estimate > 0) {
				char b[32];
				snprintf(b, sizeof b, "%g", it->estimate);
				put(r, "estimate", b);
			}
			out->tasks++;
		} else {
			put_day(r, "due", due);
			if (it->deliverable)
				put(r, "deliverable", it->deliverable);
			out->milestones++;
		}
		last = due > last ? due : last;
		rc = ws_add(w, r, e);
		if (!rc && it->kind == WI_MILESTONE && it->accept)
			rc = enter(w, r, e);
		record_free(r);
	}
	/* A due date the user gave stands; else the plan's end. */
	if (!rc && !record_get(project, "due")) {
		struct record *p = NULL;
		if (!(rc = store_get(w->st, &w->sc, project->id, &p, e))) {
			put_day(p, "due", last);
			rc = ws_save(w, p, e);
			put_day(project, "due", last);
		}
		record_free(p);
	}
	rc = rc ? (store_rollback(w->st), rc) : store_commit(w->st, e);
	if (rc)
		memset(out, 0, sizeof *out);
	else
		snprintf(out->due, sizeof out->due, "%s", record_get(project, "due"));
out:
	wbsdef_free(&d);
	calendar_free(&cal);
	record_free(t);
	return rc;
}

void template_text(struct buf *b, const struct record *r)
{
	static const char *const head[] = { "label", "process", "note", NULL };
	definition_text(b, r, "template", head, "wbs");
}

/* The default template: an ERP implementation on the default process, its phases named as
 * the process's stages, offsets in working days from the project's start. */
static const char erp_wbs[] =
	"phase requirements 需求评审 Requirements review\n"
	"  task 0 2 Kick-off workshop 启动会; owner manager; key\n"
	"  task 2 8 Requirements interviews 需求调研; owner manager\n"
	"  milestone 10 Requirements signed 需求确认; deliverable Requirements specification; accept\n"
	"\n"
	"phase kickoff 立项 Project start\n"
	"  task 10 3 Project charter and plan 项目章程与计划; owner manager; key\n"
	"\n"
	"phase blueprint 蓝图 Blueprint\n"
	"  task 13 15 Business blueprint 业务蓝图设计; owner manager; key\n"
	"  milestone 28 Blueprint signed 蓝图确认; deliverable Blueprint document; accept\n"
	"\n"
	"phase configuration 配置 Configuration\n"
	"  task 28 25 System configuration 系统配置; owner role:service\n"
	"  task 40 13 Custom development 客户化开发; owner role:service\n"
	"\n"
	"phase migration 数据迁移 Data migration\n"
	"  task 45 15 Data migration rehearsal 数据迁移演练; owner role:service\n"
	"\n"
	"phase training 培训 Training\n"
	"  task 60 8 Key-user training 关键用户培训; owner manager\n"
	"\n"
	"phase uat UAT 用户验收测试\n"
	"  task 68 12 User acceptance testing 用户验收测试; owner manager; key\n"
	"  milestone 80 UAT signed UAT 确认; deliverable UAT report; accept\n"
	"\n"
	"phase golive 上线 Go-live\n"
	"  task 80 5 Cut-over and go-live 切换上线; owner manager; key\n"
	"  milestone 85 Go-live 上线; accept\n"
	"\n"
	"phase initial_acceptance 初验 Initial acceptance\n"
	"  task 85 10 Hypercare 上线支持; owner role:service\n"
	"  milestone 95 Initial acceptance 初验; deliverable Initial acceptance report; accept\n"
	"\n"
	"phase final_acceptance 终验 Final acceptance\n"
	"  task 95 20 Stabilisation 系统稳定运行; owner role:service\n"
	"  milestone 115 Final acceptance 终验; deliverable Final acceptance certificate; accept";

int template_seed(struct ws *w, struct err *e)
{
	const struct kindinfo *tk = schema_kind(&w->sc, "template");
	long n;
	int rc = ever_had(w, "template", &n, e);
	if (rc || n)
		return rc;
	struct record *r = record_new(tk);
	put(r, "name", "erp-standard");
	put(r, "label", "ERP implementation, standard (ERP 标准实施)");
	put(r, "process", "erp-implementation");
	put(r, "wbs", erp_wbs);
	id_derived(r->id, "rapport template ", "erp-standard");
	rc = ws_add(w, r, e);
	record_free(r);
	return rc;
}
