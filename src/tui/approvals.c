/*
 * approvals.c (TUI) — screen 7, Approvals: the decisions the process engine waits for
 * (rapport-process(5)), the user's own first, then everyone else's, each by its due date; an
 * overdue one says OVERDUE in words as well as in colour. Enter opens the record it is about;
 * a approves, r rejects (a reason is required), w withdraws, and one a customer's contact
 * decides asks for the evidence first. The keys run `rapport approve`, `reject` and `withdraw`
 * (process_decide, through the command table as the CLI runs them), so the engine checks the
 * decision and a refusal is its message on the bottom line, with nothing changed.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

struct apview {
	struct view v;
	struct lines l;
	struct strv ids; /* parallel to l's lines: the approval's id, or "" */
	int gen;
	char me[33];     /* the member the user is, "" when none */
};

/* Mine first; then by due date, undated last; then by id, the same order every time. qsort
 * takes no context: sort_me is whom "mine" means while it runs. */
static const char *sort_me;

static int cmp(const void *x, const void *y)
{
	const struct record *a = *(const struct record *const *)x, *b = *(const struct record *const *)y;
	const char *pa = record_get(a, "approver"), *pb = record_get(b, "approver");
	int d = (pb && !strcmp(pb, sort_me)) - (pa && !strcmp(pa, sort_me));
	const char *da = record_get(a, "due"), *db = record_get(b, "due");
	if (!d)
		d = !da - !db;
	if (!d && da)
		d = strcmp(da, db);
	return d ? d : strcmp(a->id, b->id);
}

/* What a row says: the record (and its kind when not a project), the stage it would leave and
 * the one it asks for, who decides. */
struct row {
	const struct record *a;
	char *what, *stage, *step, *who;
	bool late, mine;
};

static void rows_free(struct row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].what);
		free(v[i].stage);
		free(v[i].step);
		free(v[i].who);
	}
	free(v);
}

/* A line that is not an approval: a heading, a note. */
static void note(struct apview *av, enum role role, const char *text)
{
	struct buf b = BUF_INIT;
	term_safe(&b, text, 0, 0);
	lines_add(&av->l, role, NULL, "%s", b.data);
	strv_push(&av->ids, "");
	buf_release(&b);
}

/* One line of columns: OVERDUE (the word, not only the colour), the due date, then what, the
 * stage and who, each cut to its width; who (the last) is not padded. */
static void columns(struct buf *b, const char *flag, const char *due, const char *const v[3],
		    const int w[3])
{
	buf_addf(b, "%s%*s %s%*s", flag, text_pad(flag, 7), "", due, text_pad(due, 10), "");
	for (int k = 0; k < 3; k++)
		if (w[k]) {
			buf_adds(b, "  ");
			term_safe(b, v[k], w[k], k < 2 ? w[k] : 0);
		}
}

/* One section: the user's approvals (no DECIDES column: "you" on every row says nothing) or
 * everyone else's. Columns as wide as their widest value; on a narrow screen the stage asked
 * for goes first ("golive", not "golive → initial_acceptance"), then the record's name gives
 * way down to 16 columns, then the stage, then who, so the name still reads. */
static void section(struct apview *av, struct row *rows, size_t n, bool mine, size_t count)
{
	if (!count)
		return;
	char *h = xasprintf(C_("count", "%s (%zu)"), mine ? _("Waiting for you") : _("Waiting for others"),
			    count);
	note(av, C_HEAD, h);
	free(h);
	/* The headings, as wide as they read in the interface language: the columns' least. */
	const char *h_rec = _("RECORD"), *h_step = _("STAGE → NEXT"), *h_stage = _("STAGE"),
		   *h_who = _("DECIDES");
	int avail = COLS - 2 - 18, w[3] = { utf8_width(h_rec), 0, mine ? 0 : utf8_width(h_who) },
	    full = utf8_width(h_step), brief = utf8_width(h_stage);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].mine != mine)
			continue;
		int ww = utf8_width(rows[i].what), fw = utf8_width(rows[i].step),
		    bw = utf8_width(rows[i].stage), pw = utf8_width(rows[i].who);
		w[0] = ww > w[0] ? ww : w[0];
		full = fw > full ? fw : full;
		brief = bw > brief ? bw : brief;
		if (!mine)
			w[2] = pw > w[2] ? pw : w[2];
	}
	int gaps = mine ? 4 : 6;
	bool whole = w[0] + full + w[2] + gaps <= avail;
	w[1] = whole ? full : brief;
	static const int floors[3][3] = { { 16, 0, 0 }, { 16, 5, 0 }, { 16, 5, 10 } };
	for (int pass = 0; pass < 4 && w[0] + w[1] + w[2] + gaps > avail; pass++)
		for (int k = 0; k < 3 && w[0] + w[1] + w[2] + gaps > avail; k++) {
			int floor = pass < 3 ? floors[pass][k] : 6;
			if (!floor || (mine && k == 2))
				continue;
			while (w[k] > floor && w[0] + w[1] + w[2] + gaps > avail)
				w[k]--;
		}
	struct buf b = BUF_INIT;
	const char *head[3] = { h_rec, whole ? h_step : h_stage, h_who };
	columns(&b, "", _("DUE"), head, w);
	note(av, C_MUTED, b.data);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (r->mine != mine)
			continue;
		const char *due = record_get(r->a, "due");
		const char *v[3] = { r->what, whole ? r->step : r->stage, r->who };
		buf_reset(&b);
		columns(&b, r->late ? _("OVERDUE") : "", due ? due : "", v, w);
		lines_add(&av->l, r->late ? C_BAD : C_RESET, record_get(r->a, "on"), "%s", b.data);
		strv_push(&av->ids, r->a->id);
	}
	buf_release(&b);
	note(av, C_RESET, "");
}

static void reload(struct tui *t, struct apview *av)
{
	struct query q;
	struct recs ap = { NULL, 0 };
	struct err e = { 0, "" };
	char today[11];
	lines_clear(&av->l);
	strv_clear(&av->ids);
	av->gen = t->gen;
	if (!ws_me(t->w, av->me))
		av->me[0] = '\0';
	fmt_date(today, clock_now());
	query_init(&q, schema_kind(&t->w->sc, "approval"));
	if (!ws_filter(t->w, &q, "state=pending", &e))
		store_query(t->w->st, &q, recs_add, &ap, &e);
	query_free(&q);
	if (e.code)
		tui_message(t, C_BAD, "%s", e.msg);
	sort_me = av->me;
	if (ap.n)
		qsort(ap.v, ap.n, sizeof(*ap.v), cmp);
	struct row *rows = xcalloc(ap.n + 1, sizeof(*rows));
	size_t nmine = 0;
	for (size_t i = 0; i < ap.n; i++) {
		const struct record *a = ap.v[i];
		const char *on = record_get(a, "on"), *approver = record_get(a, "approver"),
			   *contact = record_get(a, "contact"), *due = record_get(a, "due");
		char *kind = NULL;
		struct row *r = &rows[i];
		store_kind_of(t->w->st, on, &kind, NULL);
		r->a = a;
		r->mine = approver && av->me[0] && !strcmp(approver, av->me);
		r->late = due && strcmp(due, today) < 0;
		r->what = kind && strcmp(kind, "project") ? xasprintf("%s (%s)", ws_title(t->w, on),
								      C_("kind", kind))
							  : xstrdup(ws_title(t->w, on));
		r->stage = xstrdup(record_get(a, "stage"));
		r->step = xasprintf("%s → %s", record_get(a, "stage"), record_get(a, "to"));
		r->who = approver ? xstrdup(ws_title(t->w, approver))
				  : xasprintf(_("%s (customer)"), contact ? ws_title(t->w, contact) : "?");
		free(kind);
		nmine += r->mine;
	}
	if (!av->me[0]) {
		char *m = xasprintf(_("No member has your email (%s): none of these is yours to decide."),
				    ws_email(t->w) ? ws_email(t->w) : _("none: set user.email"));
		note(av, C_WARN, m);
		free(m);
	}
	if (!ap.n)
		note(av, C_GOOD, _("No approvals are waiting."));
	section(av, rows, ap.n, true, nmine);
	section(av, rows, ap.n, false, ap.n - nmine);
	av->l.selectable = true;
	rows_free(rows, ap.n);
	recs_free(&ap);
}

static void av_draw(struct tui *t, struct view *v, int y, int h)
{
	struct apview *av = (struct apview *)v;
	if (av->gen != t->gen)
		reload(t, av);
	lines_draw(t, &av->l, y, h);
}

/* Runs `rapport VERB APPROVAL [--reason R] [--evidence E]` as the CLI does: what it prints, or
 * the engine's refusal, goes on the bottom line. */
static void decide(struct tui *t, const char *verb, const char *id, const char *reason,
		   const char *evidence)
{
	char ref[9];
	char *argv[8];
	int argc = 0;
	snprintf(ref, sizeof ref, "%.8s", id);
	argv[argc++] = (char *)verb;
	argv[argc++] = ref;
	if (reason && *reason) {
		argv[argc++] = "--reason";
		argv[argc++] = (char *)reason;
	}
	if (evidence && *evidence) {
		argv[argc++] = "--evidence";
		argv[argc++] = (char *)evidence;
	}
	argv[argc] = NULL;
	char *out = NULL;
	int rc = tui_capture(t, argc, argv, &out);
	/* "3fa9c0de: approved\n  moved: golive -> initial_acceptance\n": one line for the bar. */
	struct buf b = BUF_INIT;
	for (char *p = out ? out : ""; *p;) {
		size_t n = strcspn(p, "\n"), lead = strspn(p, " ");
		if (n > lead)
			buf_addf(&b, "%s%.*s", b.len ? " · " : "", (int)(n - lead), p + lead);
		p += n + (p[n] ? 1 : 0);
	}
	tui_message(t, rc ? C_BAD : C_GOOD, "%s", b.data ? b.data : "");
	buf_release(&b);
	free(out);
	if (!rc)
		tui_changed(t);
}

static bool av_key(struct tui *t, struct view *v, int k)
{
	struct apview *av = (struct apview *)v;
	long i = av->l.sel;
	if ((k != 'a' && k != 'r' && k != 'w') || i < 0 || (size_t)i >= av->ids.n || !av->ids.v[i][0])
		return lines_key(t, &av->l, k);
	char id[33];
	snprintf(id, sizeof id, "%s", av->ids.v[i]); /* a prompt redraws, and may reload the lines */
	struct record *a = NULL;
	struct err e = { 0, "" };
	if (store_get(t->w->st, &t->w->sc, id, &a, &e)) {
		tui_message(t, C_BAD, "%s", e.msg);
		return true;
	}
	const char *verb = k == 'a' ? "approve" : k == 'r' ? "reject" : "withdraw";
	bool customer = !record_get(a, "approver");
	char *evidence = NULL, *reason = NULL;
	/* A customer's decision is recorded with what shows it was made; the engine insists too,
	 * but asking first spares typing a reason for nothing. */
	if (customer && k != 'w') {
		const char *whose = record_get(a, "contact") ? ws_title(t->w, record_get(a, "contact"))
							     : _("the customer");
		char *who = k == 'a' ? xasprintf(_("%s's approval — evidence (a mail, a document, a "
						   "meeting): "), whose)
				     : xasprintf(_("%s's rejection — evidence (a mail, a document, a "
						   "meeting): "), whose);
		evidence = tui_prompt(t, who, "");
		free(who);
		if (!evidence)
			goto out;
		if (!*evidence) {
			tui_message(t, C_WARN, "Nothing recorded: a customer's decision needs its evidence");
			goto out;
		}
	}
	/* The prompt is the confirmation: Enter decides, Esc changes nothing. */
	reason = tui_prompt(t, k == 'r' ? _("reject — reason (required): ")
			       : k == 'a' ? _("approve — reason (optional; Enter approves, Esc cancels): ")
					  : _("withdraw — reason (optional; Enter withdraws, Esc cancels): "),
			    "");
	if (!reason)
		goto out;
	if (k == 'r' && !*reason) {
		tui_message(t, C_WARN, "Nothing rejected: a rejection needs a reason");
		goto out;
	}
	decide(t, verb, id, reason, evidence);
out:
	free(evidence);
	free(reason);
	record_free(a);
	return true;
}

static void av_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)x;
	lines_click(t, &((struct apview *)v)->l, y, 1, dbl);
}

static void av_free(struct view *v)
{
	struct apview *av = (struct apview *)v;
	lines_clear(&av->l);
	strv_clear(&av->ids);
}

static const struct view_ops ops = {
	NC_("screen", "approvals"),
	N_("a\tapprove the selected approval (a reason is optional)\n"
	   "r\treject it (a reason is required)\n"
	   "w\twithdraw it (who asked for it)\n"
	   "a r (customer)\tfirst ask for the evidence of the customer's decision\n"
	   "Enter\topen the record it is about\n"),
	av_draw, av_key, av_click, av_free,
};

struct view *view_approvals(struct tui *t)
{
	struct apview *av = xcalloc(1, sizeof(*av));
	av->v.ops = &ops;
	av->gen = t->gen - 1;
	snprintf(av->v.title, sizeof av->v.title, "%s", _("Approvals"));
	return &av->v;
}
