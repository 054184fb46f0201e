/*
 * record.c — the screen for one record, with tabs. A customer gets its 360 view: Overview (facts,
 * receivables, engagement, org structure, key contacts), Timeline, Contacts, Projects,
 * Opportunities, Contracts, Invoices, Tickets, Surveys, Requirements, Tasks. A project gets Overview, a kanban
 * Board (cards move between status columns with H/L), a Timeline (Gantt bars for tasks and
 * milestones against a date axis with today marked), the WBS tree, Milestones and Time. Any
 * other record gets Details plus one tab per kind of record that refers to it — the same
 * reference-driven sections as `rapport show`. A record a process governs (a project, a
 * contract, a change, a milestone) has its phase strip above the tabs: the stages done, the
 * current one and those to come, the SLA's days left or over, approvals pending and whether
 * the gate is blocked; c shows the gate (`rapport gate`), A advances (`rapport advance`).
 */
#include "process.h"
#include "tui_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum tabkind { TAB_OVERVIEW, TAB_LIST, TAB_BOARD, TAB_GANTT, TAB_WBS, TAB_HEALTH };

struct tab {
	char label[40];
	enum tabkind kind;
	struct rlist list;
	const char *ref; /* TAB_LIST: the reference field that points here */
	struct lines lines;
	int gen;
};

struct task_row {
	struct record *r;
	int depth;
	char wbs[32];
};

struct recview {
	struct view v;
	char id[33];
	struct record *r;
	int gen;
	struct tab tabs[20];
	int ntabs, cur;
	int tabx[21];
	/* project: tasks in WBS order, milestones */
	struct task_row *tasks;
	size_t ntasks;
	struct record **ms;
	size_t nms;
	int pgen;
	struct board board; /* the project's tasks by status */
	int bgen;           /* pgen its cards were taken at */
	long gtop, gsel; /* gantt rows */
	long gday0;      /* gantt: first day shown */
	int gscale;      /* gantt: days per column */
	/* A record a process governs: its process and gate, as of ggen (the phase strip). */
	bool governed;
	struct proc proc;
	struct gate gate;
	char gate_err[200]; /* why the gate could not be read, "" when it was */
	int ggen;
	int taby;           /* the screen row of the tabs, for clicks */
};

/* ---- loading ---- */

static void free_project(struct recview *rv)
{
	for (size_t i = 0; i < rv->ntasks; i++)
		record_free(rv->tasks[i].r);
	free(rv->tasks);
	rv->tasks = NULL;
	rv->ntasks = 0;
	for (size_t i = 0; i < rv->nms; i++)
		record_free(rv->ms[i]);
	free(rv->ms);
	rv->ms = NULL;
	rv->nms = 0;
}

static void gather(struct tui *t, const char *kind, const char *field, const char *id,
		   const char *sort, struct recs *out)
{
	const struct kindinfo *ki = schema_kind(&t->w->sc, kind);
	struct query q;
	struct err e = { 0, "" };
	query_init(&q, ki);
	q.cond[q.ncond++] = (struct qcond){ .f = kind_field(ki, field), .op = Q_EQ, .value = id };
	ws_sort(t->w, &q, sort, &e);
	store_query(t->w->st, &q, recs_add, out, &e);
	query_free(&q);
}

/* Orders tasks depth-first by parent, numbering them 1, 1.1, 1.2, 2 … */
static void wbs_order(struct recview *rv, struct recs *all, const char *parent, const char *prefix,
		      int depth, bool *used)
{
	int n = 0;
	for (size_t i = 0; i < all->n; i++) {
		const char *p = record_get(all->v[i], "parent");
		bool root = !p;
		if (p) {
			root = true;
			for (size_t k = 0; k < all->n; k++)
				if (!strcmp(all->v[k]->id, p))
					root = false;
		}
		if (used[i] || (parent ? root || strcmp(p, parent) : !root))
			continue;
		used[i] = true;
		struct task_row *row = &rv->tasks[rv->ntasks++];
		row->r = all->v[i];
		row->depth = depth;
		snprintf(row->wbs, sizeof row->wbs, "%s%s%d", prefix, *prefix ? "." : "", ++n);
		wbs_order(rv, all, row->r->id, row->wbs, depth + 1, used);
	}
}

static void load_project(struct tui *t, struct recview *rv)
{
	if (rv->pgen == t->gen)
		return;
	free_project(rv);
	struct recs all = { NULL, 0 }, ms = { NULL, 0 };
	gather(t, "task", "project", rv->id, "start,due,name", &all);
	gather(t, "milestone", "project", rv->id, "due", &ms);
	rv->tasks = xcalloc(all.n + 1, sizeof(*rv->tasks));
	bool *used = xcalloc(all.n + 1, sizeof(bool));
	wbs_order(rv, &all, NULL, "", 0, used);
	free(used);
	free(all.v); /* the records now belong to rv->tasks */
	rv->ms = ms.v;
	rv->nms = ms.n;
	rv->pgen = t->gen;
}

static bool reload(struct tui *t, struct recview *rv)
{
	if (rv->r && rv->gen == t->gen)
		return true;
	struct record *r = NULL;
	struct err e = { 0, "" };
	if (store_get(t->w->st, &t->w->sc, rv->id, &r, &e)) {
		tui_message(t, C_BAD, "%s", e.msg);
		return false;
	}
	record_free(rv->r);
	rv->r = r;
	rv->gen = t->gen;
	char *title = record_title(r);
	if (r->deleted)
		snprintf(rv->v.title, sizeof rv->v.title, _("%s (deleted)"), title);
	else
		snprintf(rv->v.title, sizeof rv->v.title, "%s", title);
	free(title);
	return true;
}

/* ---- overview: `rapport show ID --brief`, plus org structure and key contacts ---- */

static void overview(struct tui *t, struct recview *rv, struct tab *tb)
{
	lines_clear(&tb->lines);
	char *argv[] = { "show", rv->id, "--brief", NULL };
	char *text = NULL;
	if (tui_capture(t, 3, argv, &text) == 0) {
		/* Skip the first two lines (kind + id, title): the title bar says them. */
		const char *p = text;
		for (int i = 0; i < 2 && p && *p; i++) {
			p = strchr(p, '\n');
			p = p ? p + 1 : NULL;
		}
		lines_add(&tb->lines, C_RESET, NULL, "%s", p ? p : "");
	} else
		lines_add(&tb->lines, C_BAD, NULL, "%s", text ? text : "");
	free(text);
	if (!strcmp(rv->r->ki->k->name, "customer")) {
		const char *parent = record_get(rv->r, "parent");
		struct recs subs = { NULL, 0 }, contacts = { NULL, 0 };
		gather(t, "customer", "parent", rv->id, "name", &subs);
		gather(t, "contact", "customer", rv->id, "name", &contacts);
		if (parent || subs.n) {
			/* The labels in a column 12 wide, by display width. */
			const char *lp = _("parent"), *ls = _("subsidiary");
			lines_add(&tb->lines, C_HEAD, NULL, "%s", "");
			lines_add(&tb->lines, C_HEAD, NULL, "%s", _("Organisation"));
			if (parent)
				lines_add(&tb->lines, C_RESET, parent, "  %s%*s%s", lp, text_pad(lp, 12), "",
					  ws_title(t->w, parent));
			for (size_t i = 0; i < subs.n; i++) {
				lines_add(&tb->lines, C_RESET, subs.v[i]->id, "  %s%*s%s", ls, text_pad(ls, 12),
					  "", record_get(subs.v[i], "name"));
				record_free(subs.v[i]);
			}
		}
		lines_add(&tb->lines, C_HEAD, NULL, "%s", "");
		lines_add(&tb->lines, C_HEAD, NULL, "%s", _("Key contacts"));
		int nkey = 0;
		for (size_t i = 0; i < contacts.n; i++) {
			const struct record *c = contacts.v[i];
			const char *key = record_get(c, "key"), *title = record_get(c, "title"),
				   *email = record_get(c, "email"), *boss = record_get(c, "reports_to");
			if (key && !strcmp(key, "true")) {
				char *to = boss ? xasprintf(_(" · reports to %s"), ws_title(t->w, boss))
						: xstrdup("");
				lines_add(&tb->lines, C_RESET, c->id, "  %-20s %-20s %s%s",
					  record_get(c, "name"), title ? title : "", email ? email : "", to);
				free(to);
				nkey++;
			}
		}
		if (!nkey)
			lines_add(&tb->lines, C_MUTED, NULL, "  %s",
				  _("none marked key (set key=yes on a contact)"));
		for (size_t i = 0; i < contacts.n; i++)
			record_free(contacts.v[i]);
		free(subs.v);
		free(contacts.v);
	}
	tb->gen = t->gen;
}

/* ---- WBS ---- */

static void wbs_lines(struct tui *t, struct recview *rv, struct tab *tb)
{
	load_project(t, rv);
	lines_clear(&tb->lines);
	/* The headings padded by display width (a translation is wider in columns than bytes). */
	const char *hw = _("WBS"), *hs = _("STATUS"), *ht = _("TASK"), *hd = _("DONE"),
		   *ha = _("ASSIGNEE");
	lines_add(&tb->lines, C_HEAD, NULL, "%s%*s %s%*s %s%*s %*s%s  %s%*s %s", hw, text_pad(hw, 8), "",
		  hs, text_pad(hs, 7), "", ht, text_pad(ht, 44), "", text_pad(hd, 5), "", hd, ha,
		  text_pad(ha, 14), "", _("DUE"));
	for (size_t i = 0; i < rv->ntasks; i++) {
		const struct record *r = rv->tasks[i].r;
		const char *st = record_get(r, "status"), *prog = record_get(r, "progress"),
			   *asg = record_get(r, "assignee"), *due = record_get(r, "due");
		struct buf name = BUF_INIT;
		buf_addrep(&name, ' ', (size_t)rv->tasks[i].depth * 2);
		buf_adds(&name, record_get(r, "name"));
		/* Pad by display width so CJK task names keep the columns straight. */
		int pad = 44 - utf8_width(name.data);
		if (pad > 0)
			buf_addrep(&name, ' ', (size_t)pad);
		const char *sl = st ? choice_label(st) : "";
		lines_add(&tb->lines, value_role(kind_field(r->ki, "status"), st), r->id,
			  "%-8s %s%*s %s %4s%%  %-14s %s", rv->tasks[i].wbs, sl, text_pad(sl, 7), "",
			  name.data, prog ? prog : "0", asg ? ws_title(t->w, asg) : "", due ? due : "");
		buf_release(&name);
	}
	if (!rv->ntasks)
		lines_add(&tb->lines, C_MUTED, NULL, "%s", _("no tasks yet: a adds one"));
	tb->gen = t->gen;
}

/* ---- board ---- */

/* A task card's second line: who has it, and when it is due. */
static void task_sub(struct tui *t, const struct record *r, char *out, size_t n)
{
	const char *asg = record_get(r, "assignee"), *due = record_get(r, "due");
	snprintf(out, n, " %s%s%s", asg ? ws_title(t->w, asg) : "", due ? " · " : "", due ? due : "");
}

/* The board's cards are the project's tasks in WBS order, reloaded with them. */
static void board_load(struct tui *t, struct recview *rv)
{
	load_project(t, rv);
	if (!rv->board.by)
		board_init(&rv->board, kind_field(schema_kind(&t->w->sc, "task"), "status"), task_sub);
	if (rv->bgen == rv->pgen && rv->board.cards)
		return;
	struct record **cards = xcalloc(rv->ntasks + 1, sizeof(*cards));
	for (size_t i = 0; i < rv->ntasks; i++)
		cards[i] = rv->tasks[i].r;
	board_cards(&rv->board, cards, rv->ntasks);
	free(cards);
	rv->bgen = rv->pgen;
}

/* ---- timeline (Gantt) ---- */

static long day_of(const char *d)
{
	long v;
	char s[11];
	if (!d)
		return -1;
	snprintf(s, sizeof s, "%.10s", d);
	return date_parse(s, &v) ? v : -1;
}

static void gantt_draw(struct tui *t, struct recview *rv, int y, int h)
{
	int label_w = COLS >= 120 ? 40 : 28, x0 = label_w + 2, w = COLS - x0 - 1;
	long today = (long)(clock_now() / 86400), lo = today, hi = today;
	long rows = (long)(rv->ntasks + rv->nms);
	for (size_t i = 0; i < rv->ntasks; i++) {
		long s = day_of(record_get(rv->tasks[i].r, "start")),
		     d = day_of(record_get(rv->tasks[i].r, "due"));
		if (s >= 0 && s < lo)
			lo = s;
		if (d > hi)
			hi = d;
	}
	for (size_t i = 0; i < rv->nms; i++) {
		long d = day_of(record_get(rv->ms[i], "due"));
		if (d >= 0 && d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	if (!rv->gscale) { /* first view: fit the whole plan */
		rv->gscale = (int)((hi - lo + 1 + w - 1) / w);
		if (rv->gscale < 1)
			rv->gscale = 1;
		rv->gday0 = lo;
	}
	long d0 = rv->gday0;
	int sc = rv->gscale;
	/* The axis: month names where months begin, today marked. */
	move(y, 0);
	clrtoeol();
	char label[192];
	snprintf(label, sizeof label,
		 P_("%ld day per column · h l pan · + - zoom · t today",
		    "%ld days per column · h l pan · + - zoom · t today", (unsigned long)sc),
		 (long)sc);
	tui_put(y, 1, label_w, label, tui_attr(t, C_MUTED));
	static const char *const mon[] = {
		NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"), NC_("month", "Apr"),
		NC_("month", "May"), NC_("month", "Jun"), NC_("month", "Jul"), NC_("month", "Aug"),
		NC_("month", "Sep"), NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"),
	};
	/* A month's name where it begins inside a column, with the year on January's and on the
	 * first label shown, so every label names a month and the year is always on screen. A
	 * label that would run into the previous one is left out. */
	int free_x = 0;
	bool first = true;
	for (int c = 0; c < w; c++) {
		for (int k = 0; k < sc; k++) {
			char ds[11];
			days_to_date(ds, d0 + (long)c * sc + k);
			if (strcmp(ds + 8, "01") || c < free_x)
				continue;
			char m[48];
			int month = atoi(ds + 5);
			const char *mn = C_("month", mon[month - 1]);
			if (month == 1 || first)
				/* TRANSLATORS: a month on the Gantt axis with its year: "Jan 2026". */
				snprintf(m, sizeof m, C_("month", "%s %.4s"), mn, ds);
			else
				snprintf(m, sizeof m, "%s", mn);
			int mw = utf8_width(m);
			if (c + mw > w)
				break;
			tui_put(y, x0 + c, mw, m, tui_attr(t, C_HEAD));
			free_x = c + mw + 1;
			first = false;
			break;
		}
	}
	int today_x = today >= d0 ? (int)((today - d0) / sc) : -1;
	if (rv->gsel >= rows)
		rv->gsel = rows - 1;
	if (rv->gsel < 0)
		rv->gsel = 0;
	int body = h - 1;
	if (rv->gsel < rv->gtop)
		rv->gtop = rv->gsel;
	if (rv->gsel >= rv->gtop + body)
		rv->gtop = rv->gsel - body + 1;
	for (int r = 0; r < body; r++) {
		long i = rv->gtop + r;
		int yy = y + 1 + r;
		move(yy, 0);
		clrtoeol();
		if (today_x >= 0 && today_x < w)
		{
			attron(tui_attr(t, C_BAD));
			mvaddstr(yy, x0 + today_x, "│");
			attroff(tui_attr(t, C_BAD));
		}
		if (i >= rows)
			continue;
		bool sel = i == rv->gsel;
		if (i < (long)rv->ntasks) {
			const struct record *tk = rv->tasks[i].r;
			struct buf nm = BUF_INIT;
			buf_addrep(&nm, ' ', (size_t)rv->tasks[i].depth);
			buf_adds(&nm, record_get(tk, "name"));
			tui_put(yy, 1, label_w, nm.data, sel ? A_REVERSE : A_NORMAL);
			buf_release(&nm);
			long s = day_of(record_get(tk, "start")), d = day_of(record_get(tk, "due"));
			if (s < 0)
				s = d;
			if (d < 0)
				continue;
			const char *pv = record_get(tk, "progress"), *st = record_get(tk, "status");
			double prog = pv ? atof(pv) / 100 : 0;
			int a = (int)((s - d0) / sc), b = (int)((d - d0) / sc);
			int done_to = a + (int)((b - a + 1) * prog);
			enum role role = st && !strcmp(st, "done")      ? C_GOOD
					 : st && !strcmp(st, "blocked") ? C_BAD
					 : d < today                    ? C_WARN
									: C_KIND;
			attron(tui_attr(t, role));
			for (int c = a; c <= b; c++)
				if (c >= 0 && c < w)
					mvaddstr(yy, x0 + c, c < done_to ? "█" : "░");
			attroff(tui_attr(t, role));
		} else {
			const struct record *m = rv->ms[i - (long)rv->ntasks];
			const char *done = record_get(m, "done");
			long d = day_of(record_get(m, "due"));
			char nm[200];
			snprintf(nm, sizeof nm, "◆ %s", record_get(m, "name"));
			tui_put(yy, 1, label_w, nm, sel ? A_REVERSE : A_BOLD);
			int c = (int)((d - d0) / sc);
			enum role role = done ? C_GOOD : d < today ? C_BAD : C_HEAD;
			if (d >= d0 && c < w) {
				attron(tui_attr(t, role));
				mvaddstr(yy, x0 + c, "◆");
				attroff(tui_attr(t, role));
			}
		}
	}
}

static bool gantt_key(struct tui *t, struct recview *rv, int k)
{
	long rows = (long)(rv->ntasks + rv->nms);
	if (k == 'j' || k == FK(KEY_DOWN))
		rv->gsel = rv->gsel + 1 < rows ? rv->gsel + 1 : rv->gsel;
	else if (k == 'k' || k == FK(KEY_UP))
		rv->gsel = rv->gsel > 0 ? rv->gsel - 1 : 0;
	else if (k == 'h' || k == FK(KEY_LEFT) || k == 'l' || k == FK(KEY_RIGHT))
		/* A week, as the help says; a column when a column is more than a week. */
		rv->gday0 += (k == 'h' || k == FK(KEY_LEFT) ? -1 : 1) * (rv->gscale > 7 ? rv->gscale : 7L);
	else if (k == '+' || k == '=')
		rv->gscale = rv->gscale > 1 ? rv->gscale / 2 : 1;
	else if (k == '-')
		rv->gscale = rv->gscale < 64 ? rv->gscale * 2 : 64;
	else if (k == 't')
		rv->gday0 = (long)(clock_now() / 86400) - 14L * rv->gscale;
	else if (k == '\r' || k == '\n' || k == FK(KEY_ENTER)) {
		if (rv->gsel < (long)rv->ntasks)
			tui_open(t, rv->tasks[rv->gsel].r->id);
		else if (rv->gsel < rows)
			tui_open(t, rv->ms[rv->gsel - (long)rv->ntasks]->id);
	} else
		return false;
	return true;
}

/* ---- tabs ---- */

static struct tab *add_tab(struct recview *rv, const char *label, enum tabkind k)
{
	struct tab *tb = &rv->tabs[rv->ntabs++];
	memset(tb, 0, sizeof(*tb));
	snprintf(tb->label, sizeof tb->label, "%s", label);
	tb->kind = k;
	tb->gen = -1;
	tb->lines.selectable = true;
	return tb;
}

static void add_list_tab(struct tui *t, struct recview *rv, const char *label, const char *kind,
			 const char *field)
{
	if (rv->ntabs == (int)ARRAY_LEN(rv->tabs))
		return;
	const struct kindinfo *ki = schema_kind(&t->w->sc, kind);
	struct tab *tb = add_tab(rv, label, TAB_LIST);
	struct err e = { 0, "" };
	rlist_init(&tb->list, ki);
	tb->ref = kind_field(ki, field)->name;
	tb->list.q.cond[tb->list.q.ncond++] =
		(struct qcond){ .f = kind_field(ki, field), .op = Q_EQ,
				 .value = query_own(&tb->list.q, xstrdup(rv->id)) };
	ws_sort(t->w, &tb->list.q, NULL, &e);
	rlist_hide(&tb->list, field);
}

/* The label of the tab listing records of kind ki whose field f points at a record of kind k.
 * A tab says what the rows are to this record: a task's children are its "Subtasks", not
 * "Tasks (parent)"; what refers by `on` or by the kind's own name is just "Alerts", "Comments";
 * an alert's `task` (the follow-up task it created) must not make a second "Alerts". */
static void related_label(char *out, size_t n, const char *k, const struct kindinfo *ki,
			  const struct field *f)
{
	static const struct {
		const char *kind, *field, *label;
	} named[] = {
		{ "alert", "task", N_("Alerts (follow-up)") },
	};
	for (size_t i = 0; i < ARRAY_LEN(named); i++)
		if (!strcmp(ki->k->name, named[i].kind) && !strcmp(f->name, named[i].field)) {
			snprintf(out, n, "%s", _(named[i].label));
			return;
		}
	const char *pl = kind_plural_label(ki->k);
	char cap[64];
	tui_capital(cap, sizeof cap, pl);
	if (!strcmp(ki->k->name, k) && !strcmp(f->name, "parent"))
		/* TRANSLATORS: the tab of a record's children of its own kind: "Subtasks". */
		snprintf(out, n, _("Sub%s"), pl);
	else if (!strcmp(f->name, k) || !strcmp(f->name, "on"))
		tui_capital(out, n, pl);
	else
		/* TRANSLATORS: a tab of the records that refer to this one by a field: "Tasks (owner)". */
		snprintf(out, n, C_("tab", "%s (%s)"), cap, f->name);
}

static void build_tabs(struct tui *t, struct recview *rv)
{
	const char *k = rv->r->ki->k->name;
	if (!strcmp(k, "customer")) {
		add_tab(rv, _("Overview"), TAB_OVERVIEW);
		add_list_tab(t, rv, _("Timeline"), "interaction", "customer");
		add_list_tab(t, rv, _("Contacts"), "contact", "customer");
		add_list_tab(t, rv, _("Projects"), "project", "customer");
		add_list_tab(t, rv, _("Opportunities"), "opportunity", "customer");
		add_list_tab(t, rv, _("Contracts"), "contract", "customer");
		add_list_tab(t, rv, _("Invoices"), "invoice", "customer");
		add_list_tab(t, rv, _("Tickets"), "ticket", "customer");
		add_list_tab(t, rv, _("Surveys"), "survey", "customer");
		add_list_tab(t, rv, _("Requirements"), "requirement", "customer");
		add_list_tab(t, rv, _("Tasks"), "task", "customer");
		add_tab(rv, _("Health"), TAB_HEALTH); /* Shift-Tab from Overview */
		return;
	}
	if (!strcmp(k, "project")) {
		add_tab(rv, _("Overview"), TAB_OVERVIEW);
		add_tab(rv, _("Board"), TAB_BOARD);
		add_tab(rv, _("Timeline"), TAB_GANTT);
		add_tab(rv, _("WBS"), TAB_WBS);
		add_list_tab(t, rv, _("Milestones"), "milestone", "project");
		add_list_tab(t, rv, _("Time"), "time", "project");
		add_list_tab(t, rv, _("Expenses"), "expense", "project");
		add_list_tab(t, rv, _("Tickets"), "ticket", "project");
		add_tab(rv, _("Health"), TAB_HEALTH);
		return;
	}
	add_tab(rv, _("Details"), TAB_OVERVIEW);
	/* Every reference to this kind, from every kind, as in `rapport show`. */
	for (size_t i = 0; i < t->w->sc.nkinds; i++) {
		const struct kindinfo *ki = &t->w->sc.kinds[i];
		for (size_t j = 0; j < ki->nf; j++) {
			const struct field *f = ki->f[j];
			if (f->type != FT_REF || (f->ref && strcmp(f->ref, k)) || (ki->k->flags & K_CONFIG))
				continue;
			char label[40];
			related_label(label, sizeof label, k, ki, f);
			add_list_tab(t, rv, label, ki->k->name, f->name);
		}
	}
}

/* The Health tab is `rapport health ID --why`: score, trend, earned value, components by
 * points lost and the records behind them. */
static void health_lines(struct tui *t, struct recview *rv, struct tab *tb)
{
	char *argv[] = { "health", rv->id, "--why" }, *out = NULL;
	lines_clear(&tb->lines);
	int rc = tui_capture(t, 3, argv, &out);
	tb->gen = t->gen;
	for (char *p = out; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines_add(&tb->lines, rc ? C_BAD : C_RESET, NULL, "%s", p);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(out);
}

/* ---- the phase strip: where a governed record is in its process ---- */

/* The columns segments lo..hi take, two apart, with "✓ N done" before and "+N more" after for
 * what they leave out. */
static int window_width(const int *sw, int ns, int lo, int hi)
{
	int w = 0;
	char more[96];
	for (int i = lo; i <= hi; i++)
		w += sw[i] + 2;
	if (lo > 0) { /* "✓ N done", as strip_draw says it */
		snprintf(more, sizeof more, _("✓ %d done"), lo);
		w += utf8_width(more) + 2;
	}
	if (hi < ns - 1) {
		snprintf(more, sizeof more, _("+%d more"), ns - 1 - hi);
		w += utf8_width(more) + 2;
	}
	return w;
}

static void load_gate(struct tui *t, struct recview *rv)
{
	if (rv->ggen == t->gen)
		return;
	rv->ggen = t->gen;
	gate_free(&rv->gate);
	proc_free(&rv->proc);
	rv->gate_err[0] = '\0';
	rv->governed = process_stage_field(rv->r->ki) && !rv->r->deleted;
	if (!rv->governed)
		return;
	struct err e = { 0, "" };
	if (process_for(t->w, rv->r, &rv->proc, &e) ||
	    (rv->proc.r && process_gate(t->w, rv->r, &rv->proc, NULL, &rv->gate, &e)))
		str_copy(rv->gate_err, sizeof rv->gate_err, e.msg);
	else if (!rv->proc.r)
		rv->governed = false; /* no process governs its kind: nothing to show */
}

/* What the strip says after the stages: the SLA's working days left or over, approvals still
 * waiting, "blocked" when an item of the exit checklist fails. */
struct tail {
	char text[3][96];
	enum role role[3];
	int n;
};

static void strip_tail(const struct recview *rv, struct tail *tl)
{
	const struct gate *g = &rv->gate;
	tl->n = 0;
	if (g->stale) {
		snprintf(tl->text[tl->n], sizeof tl->text[0], "%s", _("stage no longer in the process"));
		tl->role[tl->n++] = C_WARN;
		return;
	}
	if (g->stage && g->sla_left != LONG_MIN) {
		long d = g->sla_left, a = d < 0 ? -d : d;
		if (d < 0)
			snprintf(tl->text[tl->n], sizeof tl->text[0],
				 P_("%ld day over", "%ld days over", (unsigned long)a), a);
		else
			snprintf(tl->text[tl->n], sizeof tl->text[0],
				 P_("%ld day left", "%ld days left", (unsigned long)a), a);
		tl->role[tl->n++] = d < 0 ? C_BAD : C_MUTED;
	}
	if (g->pending) {
		if (g->pending == 1)
			snprintf(tl->text[tl->n], sizeof tl->text[0], "%s", _("approval pending"));
		else
			snprintf(tl->text[tl->n], sizeof tl->text[0], _("%zu approvals pending"), g->pending);
		tl->role[tl->n++] = C_WARN;
	}
	bool blocked = false;
	for (size_t i = 0; g->next && i < g->n; i++)
		blocked |= !g->v[i].ok && strncmp(g->v[i].what, "approval by", 11);
	if (blocked) {
		snprintf(tl->text[tl->n], sizeof tl->text[0], "%s", _("blocked"));
		tl->role[tl->n++] = C_BAD;
	}
}

/* One line: "Phase  ✓ 3 done  ✓ configuration  ▶ migration  training  uat  +4 more  · 14 days
 * left". The stages done, the current one (highlighted, and marked, for a screen without
 * reverse video) and the later ones; when they do not all fit, a window from the current
 * stage — as many ahead as fit (what comes is what to work on), then the ones behind — with
 * what is left out counted at either end. */
static void strip_draw(struct tui *t, struct recview *rv, int y)
{
	move(y, 0);
	clrtoeol();
	tui_put(y, 1, 6, _("Phase"), tui_attr(t, C_HEAD));
	if (rv->gate_err[0]) {
		tui_put(y, 8, COLS - 9, rv->gate_err, tui_attr(t, C_BAD));
		return;
	}
	const struct procdef *d = &rv->proc.d;
	const struct gate *g = &rv->gate;
	int n = (int)d->n, cur = g->stage ? procdef_find(d, g->stage) : -1;
	/* Segments: the stages, behind a "not started" (or the stale stage) when not in one. */
	int off = cur < 0 ? 1 : 0, ns = n + off, c = cur < 0 ? 0 : cur;
	char **seg = xcalloc((size_t)ns + 1, sizeof(*seg));
	int *sw = xcalloc((size_t)ns + 1, sizeof(*sw));
	if (off)
		seg[0] = xasprintf("▶ %s", g->stage ? g->stage : _("not started"));
	for (int i = 0; i < n; i++)
		seg[i + off] = xasprintf("%s%s", i + off < c ? "✓ " : i + off == c ? "▶ " : "",
					 d->v[i].code);
	for (int i = 0; i < ns; i++)
		sw[i] = utf8_width(seg[i]);
	struct tail tl;
	strip_tail(rv, &tl);
	int tailw = 0;
	for (int i = 0; i < tl.n; i++)
		tailw += utf8_width(tl.text[i]) + 3;
	int avail = COLS - 2 - 7 - tailw;
	/* The window [lo, hi] and its width with the counts of what it leaves out. */
	int lo = c, hi = c;
#define GAP 2
	int order[64], no = 0;
	for (int i = c + 1; i < ns && no < 32; i++)
		order[no++] = i;
	for (int i = c - 1; i >= 0 && no < 64; i--)
		order[no++] = i;
	for (int k = 0; k < no; k++) {
		int i = order[k], l = i < lo ? i : lo, h = i > hi ? i : hi;
		if ((i == lo - 1 || i == hi + 1) && window_width(sw, ns, l, h) <= avail)
			lo = l, hi = h;
	}
	int x = 8;
	char more[96];
	if (lo > 0) {
		snprintf(more, sizeof more, _("✓ %d done"), lo);
		tui_put(y, x, utf8_width(more), more, tui_attr(t, C_MUTED));
		x += utf8_width(more) + GAP;
	}
	for (int i = lo; i <= hi; i++) {
		int attr = i < c ? tui_attr(t, C_MUTED) : i == c ? (int)(A_REVERSE | A_BOLD) : (int)A_NORMAL;
		tui_put(y, x, sw[i], seg[i], attr);
		x += sw[i] + GAP;
	}
	if (hi < ns - 1) {
		snprintf(more, sizeof more, _("+%d more"), ns - 1 - hi);
		tui_put(y, x, utf8_width(more), more, tui_attr(t, C_MUTED));
		x += utf8_width(more) + GAP;
	}
	for (int i = 0; i < tl.n && x < COLS - 1; i++) {
		tui_put(y, x, 2, "· ", tui_attr(t, C_MUTED));
		int w = utf8_width(tl.text[i]);
		tui_put(y, x + 2, w < COLS - 1 - x - 2 ? w : COLS - 1 - x - 2, tl.text[i],
			tui_attr(t, tl.role[i]));
		x += w + 3;
	}
#undef GAP
	for (int i = 0; i < ns; i++)
		free(seg[i]);
	free(seg);
	free(sw);
}

static void rv_draw(struct tui *t, struct view *v, int y, int h)
{
	struct recview *rv = (struct recview *)v;
	if (!reload(t, rv))
		return;
	if (!rv->ntabs)
		build_tabs(t, rv);
	load_gate(t, rv);
	if (rv->governed) {
		strip_draw(t, rv, y);
		y++;
		h--;
	}
	const char *labels[20];
	for (int i = 0; i < rv->ntabs; i++)
		labels[i] = rv->tabs[i].label;
	rv->taby = y;
	tui_tabs(t, y, labels, rv->ntabs, rv->cur, rv->tabx);
	struct tab *tb = &rv->tabs[rv->cur];
	int cy = y + 1, ch = h - 1;
	switch (tb->kind) {
	case TAB_OVERVIEW:
		if (tb->gen != t->gen)
			overview(t, rv, tb);
		lines_draw(t, &tb->lines, cy, ch);
		break;
	case TAB_WBS:
		if (tb->gen != t->gen)
			wbs_lines(t, rv, tb);
		lines_draw(t, &tb->lines, cy, ch);
		break;
	case TAB_HEALTH:
		if (tb->gen != t->gen)
			health_lines(t, rv, tb);
		lines_draw(t, &tb->lines, cy, ch);
		break;
	case TAB_LIST: rlist_draw(t, &tb->list, cy, ch); break;
	case TAB_BOARD:
		board_load(t, rv);
		board_draw(t, &rv->board, cy, ch);
		break;
	case TAB_GANTT:
		load_project(t, rv);
		gantt_draw(t, rv, cy, ch);
		break;
	}
}

/* Adds a record related to this one: the form starts with the reference filled in. */
static void add_related(struct tui *t, struct recview *rv, struct tab *tb)
{
	struct err e = { 0, "" };
	const char *kind = tb->kind == TAB_LIST ? tb->list.ki->k->name
			   : tb->kind == TAB_OVERVIEW ? rv->r->ki->k->name
						      : "task";
	struct view *f = view_form(t, kind, NULL, &e);
	if (!f) {
		tui_message(t, C_BAD, "%s", e.msg);
		return;
	}
	if (tb->kind != TAB_OVERVIEW) {
		char *a = xasprintf("%s=%s", tb->kind == TAB_LIST ? tb->ref : "project", rv->id);
		form_preset(t, f, a);
		free(a);
	}
	tui_push(t, f);
}

/* A: `rapport advance ID`, once the user has said yes to where it goes; what the engine says —
 * moved, the approvals it asked for, or why it cannot — goes on the bottom line. */
static void advance(struct tui *t, struct recview *rv)
{
	const struct gate *g = &rv->gate;
	if (rv->gate_err[0]) {
		tui_message(t, C_BAD, "%s", rv->gate_err);
		return;
	}
	if (!g->next) {
		tui_message(t, C_WARN, "%s is at %s, the last stage of %s", rv->v.title,
			    g->stage ? g->stage : _("(none)"), record_get(rv->proc.r, "name"));
		return;
	}
	char id[9];
	snprintf(id, sizeof id, "%.8s", rv->id); /* what the engine's message names it by */
	if (!tui_confirm(t, "Advance from %s to %s?", g->stage ? g->stage : _("(not started)"), g->next))
		return;
	char *argv[] = { "advance", id, NULL }, *out = NULL;
	int rc = tui_capture(t, 2, argv, &out);
	/* "0ed97a91…: migration -> training", or the approvals asked for, a line each: one line. */
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

static bool rv_key(struct tui *t, struct view *v, int k)
{
	struct recview *rv = (struct recview *)v;
	if (!rv->r)
		return false;
	struct tab *tb = &rv->tabs[rv->cur];
	if (k == '\t' || k == ']') {
		rv->cur = (rv->cur + 1) % rv->ntabs;
		return true;
	}
	if (k == FK(KEY_BTAB) || k == '[') {
		rv->cur = (rv->cur + rv->ntabs - 1) % rv->ntabs;
		return true;
	}
	if (k == 'H' && tb->kind != TAB_BOARD) {
		/* History, field by field (`rapport log ID`): of the selected row in a list tab, as
		 * a/e/d act on it, else of this record. */
		const struct record *row = tb->kind == TAB_LIST ? rlist_selected(t, &tb->list) : NULL;
		char cmd[64];
		snprintf(cmd, sizeof cmd, "log %s", row ? row->id : rv->id);
		tui_command(t, cmd);
		return true;
	}
	/* A governed record's gate and its next stage: `rapport gate` as a page of text, and
	 * `rapport advance` after asking. */
	if (rv->governed && k == 'c') {
		char cmd[64];
		snprintf(cmd, sizeof cmd, "gate %s", rv->id);
		tui_command(t, cmd);
		return true;
	}
	if (rv->governed && k == 'A') {
		advance(t, rv);
		return true;
	}
	/* Reports and the portal: the command line, filled in for this record, to adjust or run. */
	const char *kind = rv->r->ki->k->name;
	bool is_project = !strcmp(kind, "project"), is_customer = !strcmp(kind, "customer");
	if ((k == 'R' && (is_project || is_customer)) || (k == 'P' && is_customer)) {
		char init[160];
		if (k == 'P')
			snprintf(init, sizeof init, "portal %.8s -o portal-%.8s", rv->id, rv->id);
		else if (is_project)
			snprintf(init, sizeof init, "report status --project %.8s -o status-%.8s.html", rv->id,
				 rv->id);
		else
			snprintf(init, sizeof init, "report health --customer %.8s -o health-%.8s.html",
				 rv->id, rv->id);
		tui_prompt_command(t, init);
		return true;
	}
	switch (tb->kind) {
	case TAB_LIST:
		if (rlist_key(t, &tb->list, k))
			return true;
		break;
	case TAB_OVERVIEW:
	case TAB_WBS:
	case TAB_HEALTH:
		if (lines_key(t, &tb->lines, k))
			return true;
		break;
	case TAB_BOARD: {
		char moved[33];
		board_load(t, rv);
		int used = board_key(t, &rv->board, k, moved);
		if (used == 2) {
			board_load(t, rv); /* the task moved: keep it selected in its new column */
			board_follow(&rv->board, moved);
		}
		if (used)
			return true;
		break;
	}
	case TAB_GANTT:
		if (gantt_key(t, rv, k))
			return true;
		break;
	}
	/* a/e/d act on the selected row of a list, else on this record. */
	const struct record *target = rv->r;
	if (tb->kind == TAB_LIST)
		target = rlist_selected(t, &tb->list);
	else if (tb->kind == TAB_BOARD)
		target = board_selected(&rv->board);
	char id[33] = "";
	if (target)
		memcpy(id, target->id, sizeof id);
	switch (k) {
	case 'a': add_related(t, rv, tb); return true;
	case 'e':
		if (id[0])
			tui_form(t, NULL, id);
		return true;
	case 'd':
		if (id[0])
			tui_delete(t, id);
		return true;
	case 'u': tui_undelete(t); return true;
	}
	return false;
}

static void rv_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	struct recview *rv = (struct recview *)v;
	if (y == rv->taby) {
		for (int i = 0; i < rv->ntabs; i++)
			if (rv->tabx[i] >= 0 && x >= rv->tabx[i] && x < rv->tabx[i] + utf8_width(rv->tabs[i].label) + 2)
				rv->cur = i;
		return;
	}
	struct tab *tb = &rv->tabs[rv->cur];
	if (tb->kind == TAB_LIST)
		rlist_click(t, &tb->list, y, dbl);
	else if (tb->kind == TAB_OVERVIEW || tb->kind == TAB_WBS || tb->kind == TAB_HEALTH)
		lines_click(t, &tb->lines, y, rv->taby + 1, dbl);
}

static void rv_free(struct view *v)
{
	struct recview *rv = (struct recview *)v;
	for (int i = 0; i < rv->ntabs; i++) {
		if (rv->tabs[i].kind == TAB_LIST)
			rlist_free(&rv->tabs[i].list);
		lines_clear(&rv->tabs[i].lines);
	}
	free_project(rv);
	board_free(&rv->board);
	gate_free(&rv->gate);
	proc_free(&rv->proc);
	record_free(rv->r);
}

static const struct view_ops rv_ops = {
	NC_("screen", "record"),
	N_("Tab ] / Shift-Tab [\tnext / previous tab\n"
	   "j k ↓ ↑ Enter\tmove, open (lists and linked lines)\n"
	   "a\tadd a record here (in a tab: of that tab's kind, linked to this record)\n"
	   "e\tedit (the selected row, or this record)\n"
	   "d\tdelete (asks)\nu\tundelete the last deleted\n"
	   "H\thistory: who changed which field when (of the selected row in a list; not on the "
	   "Board)\n"
	   "R\treport: a project's status or a customer's health, to a file\n"
	   "c\tthe gate of a record a process governs: what its next stage needs, what blocks it\n"
	   "A\tadvance it to the next stage (asks first; may ask for approvals instead)\n"
	   "P\tportal: a customer's static site, to a directory\n"
	   "Board: h l\tcolumns\nBoard: H L < >\tmove the card to the previous / next status\n"
	   "Timeline: h l\tpan a week (a column if wider)\nTimeline: + -\tzoom\n"
	   "Timeline: t\tjump to today\n"),
	rv_draw, rv_key, rv_click, rv_free,
};

struct view *view_record(struct tui *t, const char *ref, struct err *e)
{
	char id[33];
	if (ws_resolve(t->w, ref, NULL, id, e))
		return NULL;
	struct recview *rv = xcalloc(1, sizeof(*rv));
	rv->v.ops = &rv_ops;
	memcpy(rv->id, id, sizeof id);
	rv->gen = rv->pgen = -1;
	rv->ggen = t->gen - 1;
	rv->taby = 1;
	if (!reload(t, rv)) {
		free(rv);
		err_set(e, RERR_NOTFOUND, "%s", t->msg);
		return NULL;
	}
	return &rv->v;
}
