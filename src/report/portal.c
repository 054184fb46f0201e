/*
 * portal.c — the customer portal: a small static site for one customer, written whole or not
 * at all. Which records appear is this file's choice (the customer's projects, their visible
 * milestones, open requirements and tickets, contacts, what was delivered); which FIELDS
 * appear is never chosen here: every column and value comes from report_visible(), that is
 * from the kind table's flags and the custom fields' audience. A reference is shown only when
 * it points at a record of this same customer, so no other customer's name can leave.
 */
#include "process.h"
#include "report_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER ".rapport-portal"

bool report_visible(const struct kindinfo *ki, const struct field *f)
{
	if (ki->k->flags & (K_INTERNAL | K_FINANCE | K_CONFIG))
		return false;
	return (f->flags & F_VIS) && !(f->flags & (F_FIN | F_INT | F_META));
}

struct portal {
	struct ws *w;
	const char *customer, *date;
	struct strv ours; /* ids of this customer's records, sorted: what a reference may name */
	struct portal_stats *st;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ours(const struct portal *p, const char *id)
{
	if (!strcmp(id, p->customer))
		return true;
	char *key = (char *)id;
	return p->ours.n && bsearch(&key, p->ours.v, p->ours.n, sizeof(char *), cmp_str);
}

/* A visible value as the customer reads it; NULL when it must not be shown. */
static char *shown(const struct portal *p, const struct field *f, const char *v)
{
	if (!v)
		return NULL;
	switch (f->type) {
	case FT_REF: {
		if (!ours(p, v))
			return NULL;
		struct record *r = NULL;
		struct err e = { 0, "" };
		char *t = NULL;
		/* The title of a record of an internal or finance kind would be an internal value. */
		if (!store_get(p->w->st, &p->w->sc, v, &r, &e) &&
		    !(r->ki->k->flags & (K_INTERNAL | K_FINANCE | K_CONFIG)))
			t = record_title(r);
		record_free(r);
		return t;
	}
	case FT_REFS: return NULL;
	case FT_BOOL: return xstrdup(!strcmp(v, "true") ? _("yes") : _("no"));
	case FT_CHOICE: {
		/* A choice the catalogue translates reads as its translation; others as their code
		 * with spaces for underscores. */
		const char *l = choice_label(v);
		if (l != v)
			return xstrdup(l);
		char *s = xstrdup(v);
		for (char *q = s; *q; q++)
			if (*q == '_')
				*q = ' ';
		return s;
	}
	case FT_DATETIME: return xasprintf("%.10s", v);
	default: return xstrdup(v);
	}
}

/* A table of records with the kind's visible short fields as columns. */
static double progress(struct portal *p, const char *project, struct err *e);

static void table_of(struct portal *p, struct doc *d, const struct kindinfo *ki,
		     const struct recs *rs, const char *empty, const char *const *skip,
		     const char *(*link)(const struct record *r, char *buf, size_t n), bool with_progress)
{
	const struct field *cols[64];
	size_t nc = 0;
	struct buf heads = BUF_INIT;
	for (size_t i = 0; i < ki->nf && nc < 64; i++) {
		const struct field *f = ki->f[i];
		bool skipped = false;
		for (const char *const *s = skip; s && *s; s++)
			skipped |= !strcmp(*s, f->name);
		if (skipped || !report_visible(ki, f) || f->type == FT_LONG)
			continue;
		char label[64];
		field_label(f, label, sizeof label);
		buf_addf(&heads, "%s%s", nc ? "|" : "", label);
		cols[nc++] = f;
	}
	if (!nc) {
		buf_release(&heads);
		return;
	}
	if (with_progress)
		buf_addf(&heads, "|%s>", _("Progress"));
	doc_table(d, heads.data, empty);
	buf_release(&heads);
	for (size_t r = 0; r < rs->n; r++) {
		doc_row(d);
		for (size_t c = 0; c < nc; c++) {
			int idx = kind_field_index(ki, cols[c]);
			char *v = shown(p, cols[c], idx >= 0 ? rs->v[r]->val[idx] : NULL);
			char href[128];
			const char *to = (cols[c]->flags & F_NAME) && link ? link(rs->v[r], href, sizeof href)
									   : NULL;
			if (to)
				doc_cell_link(d, to, "%s", v ? v : "");
			else
				doc_cell(d, TONE_NONE, "%s", v ? v : "");
			free(v);
		}
		if (with_progress) {
			struct err e = { 0, "" };
			double pg = progress(p, rs->v[r]->id, &e);
			if (pg >= 0)
				doc_cell(d, TONE_NONE, "%.0f%%", pg);
			else
				doc_cell(d, TONE_MUTED, "-");
		}
	}
}

/* Long visible fields of one record as paragraphs, and its short ones as a list. */
static void details(struct portal *p, struct doc *d, const struct record *r,
		    const char *const *skip)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->ki->nf; i++) {
			const struct field *f = r->ki->f[i];
			bool skipped = false;
			for (const char *const *s = skip; s && *s; s++)
				skipped |= !strcmp(*s, f->name);
			if (skipped || !report_visible(r->ki, f) || (f->type == FT_LONG) != (pass == 1))
				continue;
			char *v = shown(p, f, r->val[i]);
			if (v) {
				char label[64];
				field_label(f, label, sizeof label);
				if (pass == 0)
					doc_kv(d, label, TONE_NONE, "%s", v);
				else
					doc_p(d, "%s", v);
			}
			free(v);
		}
}

static const char *project_link(const struct record *r, char *buf, size_t n)
{
	snprintf(buf, n, "project-%s.html", r->id);
	return buf;
}

/* Progress of a project as the customer sees it: the share of planned work done. */
static double progress(struct portal *p, const char *project, struct err *e)
{
	char f[64];
	struct recs ts;
	snprintf(f, sizeof f, "project=%s", project);
	if (report_fetch(p->w, "task", NULL, 0, &ts, e, f, (const char *)NULL))
		return -1;
	long done;
	double pg = report_progress(&ts, &done);
	recs_free(&ts);
	return pg;
}

static bool milestone_shown(const struct record *m)
{
	const char *v = record_get(m, "visible");
	return !v || strcmp(v, "false");
}

static bool open_requirement(const struct record *r)
{
	const char *s = record_get(r, "status");
	return !s || (strcmp(s, "delivered") && strcmp(s, "rejected"));
}

static bool open_ticket(const struct record *r)
{
	const char *s = record_get(r, "status");
	return !s || !strcmp(s, "open") || !strcmp(s, "pending");
}

static void keep(struct recs *rs, bool (*want)(const struct record *r))
{
	size_t k = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (want(rs->v[i]))
			rs->v[k++] = rs->v[i];
		else
			record_free(rs->v[i]);
	}
	rs->n = k;
}

static int write_page(const char *dir, const char *name, const struct doc *d, struct err *e)
{
	struct buf b = BUF_INIT;
	doc_render(d, DOC_HTML, &b);
	char *path = xasprintf("%s/%s", dir, name);
	int rc = file_write_atomic(path, b.data, b.len, e);
	free(path);
	buf_release(&b);
	return rc;
}

struct event {
	char date[11];
	char *text;
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = strcmp(y->date, x->date);
	return c ? c : strcmp(x->text, y->text);
}

/* The project's phases as the customer follows them: the stages of its process, done, current
 * and to come. A stage's code and label are what the project's phase (a visible field)
 * reads; nothing else of the process (owners, SLAs, conditions, who approves) is shown. */
static void phase_strip(struct portal *p, struct doc *d, const struct record *pr)
{
	struct proc pp = { 0 };
	struct err e = { 0, "" };
	if (process_for(p->w, pr, &pp, &e) || !pp.r) {
		proc_free(&pp);
		return;
	}
	const char *phase = record_get(pr, "phase");
	int cur = phase ? procdef_find(&pp.d, phase) : -1;
	doc_h2(d, "Phases");
	if (phase && cur < 0)
		doc_item(d, TONE_NONE, "Now: %s", phase);
	for (size_t i = 0; i < pp.d.n; i++) {
		const struct pstage *s = &pp.d.v[i];
		bool done = cur >= 0 && (int)i < cur, now = (int)i == cur;
		const char *label = s->label ? s->label : s->code;
		if (done)
			doc_item(d, TONE_GOOD, "%s %s (done)", "✓", label);
		else if (now)
			doc_item(d, TONE_WARN, "%s %s (current)", "▶", label);
		else
			doc_item(d, TONE_MUTED, "%s %s", "·", label);
	}
	proc_free(&pp);
}

/* What waits for this customer's decision: pending approvals routed to one of its contacts
 * on one of its records (a milestone to accept, a phase to sign off). */
static void awaiting(struct portal *p, struct doc *d, const struct recs *contacts,
		     const char *project)
{
	const struct kindinfo *ak = schema_kind(&p->w->sc, "approval");
	struct query q;
	struct recs v = { NULL, 0 };
	struct err e = { 0, "" };
	size_t n = 0;
	query_init(&q, ak);
	q.cond[0] = (struct qcond){ .f = kind_field(ak, "state"), .op = Q_EQ, .value = "pending" };
	q.ncond = 1;
	store_query(p->w->st, &q, recs_add, &v, &e);
	for (size_t i = 0; i < v.n; i++) {
		const struct record *a = v.v[i];
		const char *c = record_get(a, "contact"), *on = record_get(a, "on");
		bool theirs = false;
		for (size_t k = 0; c && k < contacts->n; k++)
			theirs |= !strcmp(contacts->v[k]->id, c);
		if (!theirs || !on || !ours(p, on))
			continue;
		struct record *r = NULL;
		if (store_get(p->w->st, &p->w->sc, on, &r, &e))
			continue;
		const char *proj = !strcmp(r->ki->k->name, "project") ? r->id : record_get(r, "project");
		if (project && (!proj || strcmp(proj, project))) {
			record_free(r);
			continue;
		}
		char *t = record_title(r);
		const char *due = record_get(a, "due");
		enum tone tn = due && strcmp(due, p->date) < 0 ? TONE_BAD : TONE_WARN;
		const char *who = ws_title(p->w, c);
		bool milestone = !strcmp(r->ki->k->name, "milestone");
		if (milestone && due)
			doc_item(d, tn, "Milestone “%s”: your acceptance, for %s, due %s", t, who, due);
		else if (milestone)
			doc_item(d, tn, "Milestone “%s”: your acceptance, for %s", t, who);
		else if (due)
			doc_item(d, tn, "Project “%s”: your sign-off, for %s, due %s", t, who, due);
		else
			doc_item(d, tn, "Project “%s”: your sign-off, for %s", t, who);
		free(t);
		record_free(r);
		n++;
	}
	if (!n)
		doc_note(d, "Nothing waits for your decision.");
	recs_free(&v);
}

static int project_page(struct portal *p, const char *dir, const struct record *pr,
			struct recs *ms, const struct recs *ct, struct err *e)
{
	char *title = record_title(pr), f[64];
	struct doc *d = doc_new(title);
	free(title);
	struct recs rq = { NULL, 0 }, tk = { NULL, 0 };
	static const char *const skip_project[] = { "name", "customer", NULL };
	static const char *const skip_child[] = { "project", "customer", NULL };
	doc_subtitle(d, "%s · as of %s", ws_title(p->w, p->customer), p->date);
	doc_link(d, "index.html", _("← All projects"));
	doc_h2(d, "Overview");
	details(p, d, pr, skip_project);
	double pg = progress(p, pr->id, e);
	if (pg >= 0)
		doc_kv(d, "Progress", TONE_NONE, "%.0f%%", pg);
	phase_strip(p, d, pr);
	doc_h2(d, "Awaiting your decision");
	awaiting(p, d, ct, pr->id);
	int rc;
	snprintf(f, sizeof f, "project=%s", pr->id);
	doc_h2(d, "Milestones and deliverables");
	struct recs mine = { NULL, 0 };
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(record_get(ms->v[i], "project"), pr->id))
			recs_add(ms->v[i], &mine);
	table_of(p, d, schema_kind(&p->w->sc, "milestone"), &mine, _("No milestones to show."), skip_child,
		 NULL, false);
	recs_free(&mine);
	if ((rc = report_fetch(p->w, "requirement", "status", 0, &rq, e, f, (const char *)NULL)) ||
	    (rc = report_fetch(p->w, "ticket", "-opened", 0, &tk, e, f, (const char *)NULL)))
		goto out;
	keep(&rq, open_requirement);
	keep(&tk, open_ticket);
	doc_h2(d, "Open requests");
	table_of(p, d, schema_kind(&p->w->sc, "requirement"), &rq, _("No open requests."), skip_child, NULL, false);
	doc_h2(d, "Open tickets");
	table_of(p, d, schema_kind(&p->w->sc, "ticket"), &tk, _("No open tickets."), skip_child, NULL, false);
	char name[128];
	project_link(pr, name, sizeof name);
	rc = write_page(dir, name, d, e);
	p->st->pages += !rc;
out:
	recs_free(&rq);
	recs_free(&tk);
	doc_free(d);
	return rc;
}

static int build(struct portal *p, const char *dir, struct err *e)
{
	struct ws *w = p->w;
	struct record *cust = NULL;
	struct recs pj = { NULL, 0 }, ms = { NULL, 0 }, rq = { NULL, 0 }, tk = { NULL, 0 },
		    ct = { NULL, 0 };
	struct event *ev = NULL;
	size_t nev = 0;
	char f[64];
	int rc;
	if ((rc = ws_load(w, p->customer, "customer", &cust, e)))
		return rc;
	snprintf(f, sizeof f, "customer=%s", p->customer);
	if ((rc = report_fetch(w, "project", "-due", 0, &pj, e, f, (const char *)NULL)) ||
	    (rc = report_fetch(w, "requirement", "status", 0, &rq, e, f, (const char *)NULL)) ||
	    (rc = report_fetch(w, "ticket", "-opened", 0, &tk, e, f, (const char *)NULL)) ||
	    (rc = report_fetch(w, "contact", "name", 0, &ct, e, f, (const char *)NULL)))
		goto out;
	for (size_t i = 0; i < pj.n; i++)
		strv_push(&p->ours, pj.v[i]->id);
	for (size_t i = 0; i < ct.n; i++)
		strv_push(&p->ours, ct.v[i]->id);
	for (size_t i = 0; i < pj.n; i++) {
		struct recs one;
		char pf[64];
		snprintf(pf, sizeof pf, "project=%s", pj.v[i]->id);
		if ((rc = report_fetch(w, "milestone", "due", 0, &one, e, pf, (const char *)NULL)))
			goto out;
		keep(&one, milestone_shown);
		for (size_t k = 0; k < one.n; k++) {
			strv_push(&p->ours, one.v[k]->id);
			recs_add(one.v[k], &ms);
		}
		recs_free(&one);
	}
	for (size_t i = 0; i < rq.n; i++)
		strv_push(&p->ours, rq.v[i]->id);
	for (size_t i = 0; i < tk.n; i++)
		strv_push(&p->ours, tk.v[i]->id);
	qsort(p->ours.v, p->ours.n, sizeof(char *), cmp_str);

	/* What was delivered, newest first. */
	for (size_t i = 0; i < ms.n; i++) {
		const char *done = record_get(ms.v[i], "done");
		if (!done)
			continue;
		ev = xrealloc(ev, (nev + 1) * sizeof(*ev));
		snprintf(ev[nev].date, 11, "%s", done);
		ev[nev++].text = xasprintf(_("Milestone “%s” delivered (%s)"), record_get(ms.v[i], "name"),
					   ws_title(w, record_get(ms.v[i], "project")));
	}
	for (size_t i = 0; i < rq.n; i++) {
		const char *s = record_get(rq.v[i], "status");
		if (!s || strcmp(s, "delivered"))
			continue;
		ev = xrealloc(ev, (nev + 1) * sizeof(*ev));
		snprintf(ev[nev].date, 11, "%.10s", rq.v[i]->updated ? rq.v[i]->updated : "");
		ev[nev++].text = xasprintf(_("Request “%s” delivered"), record_get(rq.v[i], "title"));
	}
	for (size_t i = 0; i < tk.n; i++) {
		const char *res = record_get(tk.v[i], "resolved");
		if (!res || open_ticket(tk.v[i]))
			continue;
		ev = xrealloc(ev, (nev + 1) * sizeof(*ev));
		snprintf(ev[nev].date, 11, "%.10s", res);
		ev[nev++].text = xasprintf(_("Ticket “%s” resolved"), record_get(tk.v[i], "title"));
	}
	if (nev)
		qsort(ev, nev, sizeof(*ev), cmp_event);

	for (size_t i = 0; i < pj.n; i++)
		if ((rc = project_page(p, dir, pj.v[i], &ms, &ct, e)))
			goto out;

	char *title = record_title(cust);
	struct doc *d = doc_new(title);
	free(title);
	static const char *const skip_customer[] = { "name", NULL };
	static const char *const skip_child[] = { "customer", NULL };
	doc_subtitle(d, "Project portal · as of %s", p->date);
	details(p, d, cust, skip_customer);
	doc_h2(d, "Awaiting your decision");
	awaiting(p, d, &ct, NULL);
	doc_h2(d, "Projects");
	const struct kindinfo *pk = schema_kind(&w->sc, "project");
	table_of(p, d, pk, &pj, _("No projects yet."), skip_child, project_link, true);
	keep(&rq, open_requirement);
	keep(&tk, open_ticket);
	doc_h2(d, "Open requests");
	table_of(p, d, schema_kind(&w->sc, "requirement"), &rq, _("No open requests."), skip_child, NULL, false);
	doc_h2(d, "Open tickets");
	table_of(p, d, schema_kind(&w->sc, "ticket"), &tk, _("No open tickets."), skip_child, NULL, false);
	doc_h2(d, "Delivered");
	for (size_t i = 0; i < nev; i++)
		doc_item(d, TONE_NONE, "%s · %s", ev[i].date, ev[i].text);
	if (!nev)
		doc_note(d, "Nothing delivered yet.");
	doc_h2(d, "Your contacts on file");
	table_of(p, d, schema_kind(&w->sc, "contact"), &ct, _("No contacts on file."), skip_child, NULL, false);
	rc = write_page(dir, "index.html", d, e);
	p->st->pages += !rc;
	p->st->projects = (long)pj.n;
	p->st->milestones = (long)ms.n;
	p->st->requirements = (long)rq.n;
	p->st->tickets = (long)tk.n;
	doc_free(d);
	if (!rc) {
		char *mark = xasprintf("%s/" MARKER, dir);
		rc = file_write_atomic(mark, "rapport portal\n", 15, e);
		free(mark);
	}
out:
	for (size_t i = 0; i < nev; i++)
		free(ev[i].text);
	free(ev);
	record_free(cust);
	recs_free(&pj);
	recs_free(&ms);
	recs_free(&rq);
	recs_free(&tk);
	recs_free(&ct);
	return rc;
}

/* Removes a directory rapport wrote: its regular files, then itself. */
static void remove_site(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;
		if (!lstat(path, &sb) && S_ISREG(sb.st_mode))
			unlink(path);
		free(path);
	}
	closedir(dp);
	rmdir(dir);
}

static int portal_write_in(struct ws *w, const char *customer, const char *dir, const char *date,
			   struct portal_stats *st, struct err *e);

int portal_write(struct ws *w, const char *customer, const char *dir, const char *date,
		 struct portal_stats *st, struct err *e)
{
	/* "site/" names the directory "site": the site is built in "site.tmp-PID" beside it,
	 * never in "site/.tmp-PID" inside a directory that does not exist yet. */
	char *d = xstrdup(dir);
	for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
		d[n - 1] = '\0';
	int rc = portal_write_in(w, customer, d, date, st, e);
	free(d);
	return rc;
}

static int portal_write_in(struct ws *w, const char *customer, const char *dir, const char *date,
			   struct portal_stats *st, struct err *e)
{
	struct stat sb;
	memset(st, 0, sizeof(*st));
	bool replace = false;
	if (!lstat(dir, &sb)) {
		char *mark = xasprintf("%s/" MARKER, dir);
		bool ours = S_ISDIR(sb.st_mode) && access(mark, F_OK) == 0;
		free(mark);
		if (!ours)
			return err_set(e, RERR_INPUT, "%s already exists and is not a portal rapport wrote: "
						      "choose another -o DIR", dir);
		replace = true;
	}
	/* Built next to its place, then moved in: a failure leaves the old site (or nothing). */
	char *tmp = xasprintf("%s.tmp-%d", dir, (int)getpid()), *old = xasprintf("%s.old-%d", dir, (int)getpid());
	int rc = 0;
	if (mkdir(tmp, 0755))
		rc = err_set(e, RERR_RUNTIME, "%s: %s", tmp, strerror(errno));
	struct portal p = { .w = w, .customer = customer, .date = date, .ours = STRV_INIT, .st = st };
	if (!rc)
		rc = build(&p, tmp, e);
	strv_clear(&p.ours);
	if (!rc && replace && rename(dir, old))
		rc = err_set(e, RERR_RUNTIME, "%s: %s", dir, strerror(errno));
	if (!rc && rename(tmp, dir)) {
		rc = err_set(e, RERR_RUNTIME, "%s: %s", dir, strerror(errno));
		if (replace)
			rename(old, dir);
	}
	if (rc)
		remove_site(tmp);
	else if (replace)
		remove_site(old);
	free(tmp);
	free(old);
	return rc;
}
