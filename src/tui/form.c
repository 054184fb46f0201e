/*
 * form.c — adding and editing records in a form generated from the kind table (custom fields
 * included). Each field is edited by its type: a line editor for text, numbers and dates; a
 * picker for choices; a picker with search for references (type part of a name); a toggle for
 * booleans; $EDITOR for long text. Values go through ws_put — the CLI's validation — when a
 * field is left, and the record through ws_add/ws_save on Save, so errors are the CLI's
 * messages, shown next to the field. Nothing is written until the whole record is valid;
 * Esc cancels. A new project's form has one more row, Template: saved with one, the project
 * is built by the process engine's template_build, as 'rapport add project --template' does.
 */
#include "process.h"
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

struct formview {
	struct view v;
	const struct kindinfo *ki;
	struct record *r;
	bool is_new, dirty;
	char **err; /* per field */
	char **raw; /* per field: what was typed, while it is in error */
	int sel, top;
	bool editing;
	struct lineedit le;
	/* the picker */
	bool picking;
	const struct field *pf;
	struct strv pvals, plabels;
	int psel;
	struct lineedit pq;
	char msg[1024];
	bool has_tmpl; /* a new project: the Template row after the fields */
	char *tmpl;    /* the template picked, NULL for none */
};

#define LABEL_W 18

/* The Template row's picker: a choice whose values are the template records' names. */
static const struct field tmpl_field = { .name = "template", .type = FT_CHOICE };

/* Rows: the fields, the Template row when there is one, [ Save ], [ Cancel ]. */
static int row_tmpl(struct formview *f) { return f->has_tmpl ? (int)f->ki->nf : -1; }
static int row_save(struct formview *f) { return (int)f->ki->nf + f->has_tmpl; }
static int nrows(struct formview *f) { return row_save(f) + 2; }

static void set_error(struct formview *f, int i, const char *msg)
{
	free(f->err[i]);
	f->err[i] = msg ? xstrdup(msg) : NULL;
	if (!msg) {
		free(f->raw[i]);
		f->raw[i] = NULL;
	}
}

/* Where an error message names a field: "field 'name'…", or the same in the interface
 * language; *len gets the length of what comes before the name. NULL when it names none. */
static const char *field_mark(const char *msg, size_t *len)
{
	const char *p = strstr(msg, "field '");
	*len = 7;
	if (p)
		return p;
	/* TRANSLATORS: how error messages name a field, up to the quote before its name (as in
	 * "field 'due': not a date"): exactly as those messages are translated, so the form can
	 * show an error under the field it is about. */
	const char *mark = _("field '");
	*len = strlen(mark);
	return strcmp(mark, "field '") ? strstr(msg, mark) : NULL;
}

/* Finds "field 'name'" in an error message: the field the error belongs next to. */
static int field_of_error(struct formview *f, const char *msg)
{
	size_t skip;
	const char *p = field_mark(msg, &skip);
	if (!p)
		return -1;
	p += skip;
	const char *q = strchr(p, '\'');
	for (size_t i = 0; q && i < f->ki->nf; i++)
		if (strlen(f->ki->f[i]->name) == (size_t)(q - p) &&
		    !strncmp(f->ki->f[i]->name, p, (size_t)(q - p)))
			return (int)i;
	return -1;
}

/* Sets a field from text through the CLI's own path; the error, if any, goes by the field. */
static bool put(struct tui *t, struct formview *f, int i, const char *text)
{
	struct err e = { 0, "" };
	const struct field *fd = f->ki->f[i];
	if (ws_put(t->w, f->r, fd, text, &e)) {
		/* Keep just "field 'x': …" — the record part is the form's title. */
		size_t skip;
		const char *m = field_mark(e.msg, &skip);
		set_error(f, i, m ? m : e.msg);
		free(f->raw[i]);
		f->raw[i] = xstrdup(text);
		return false;
	}
	set_error(f, i, NULL);
	f->dirty = true;
	return true;
}

void form_preset(struct tui *t, struct view *v, const char *assignment)
{
	struct formview *f = (struct formview *)v;
	struct err e = { 0, "" };
	if (ws_assign(t->w, f->r, assignment, &e))
		tui_message(t, C_BAD, "%s", e.msg);
}

/* ---- the picker ---- */

struct pickctx {
	struct formview *f;
};

static int pick_cb(const struct record *r, void *p)
{
	struct formview *f = ((struct pickctx *)p)->f;
	char *title = record_title(r);
	strv_push(&f->pvals, r->id);
	strv_push_owned(&f->plabels, title);
	return 0;
}

static int tmpl_cb(const struct record *r, void *p)
{
	struct formview *f = ((struct pickctx *)p)->f;
	const char *name = record_get(r, "name"), *label = record_get(r, "label");
	strv_push(&f->pvals, name);
	strv_push_owned(&f->plabels, label ? xasprintf("%s  %s", name, label) : xstrdup(name));
	return 0;
}

/* The templates to build from, by name; a workspace that never had one gets the default
 * first, so the list shows what 'Save' will build from. */
static void tmpl_fill(struct tui *t, struct formview *f)
{
	struct err e = { 0, "" };
	const struct kindinfo *ki = schema_kind(&t->w->sc, "template");
	if (process_seed(t->w, &e) || template_seed(t->w, &e)) {
		tui_message(t, C_BAD, "%s", e.msg);
		return;
	}
	struct query q;
	query_init(&q, ki);
	ws_sort(t->w, &q, "name", &e);
	struct pickctx pc = { f };
	store_query(t->w->st, &q, tmpl_cb, &pc, &e);
	query_free(&q);
}

/* Fills the picker: a choice's values, or records of the referenced kind matching the query. */
static void pick_fill(struct tui *t, struct formview *f)
{
	strv_clear(&f->pvals);
	strv_clear(&f->plabels);
	/* "(unset)" heads the list only until a filter is typed: what someone types is a name
	 * they are looking for, so Enter picks the first match, never the blank. */
	if (!f->pq.text.len) {
		strv_push(&f->pvals, "");
		strv_push(&f->plabels, f->pf == &tmpl_field ? _("(none: the fields as typed)") : _("(unset)"));
	}
	if (f->pf == &tmpl_field) {
		tmpl_fill(t, f);
		return;
	}
	if (f->pf->type == FT_CHOICE) {
		struct strv codes = STRV_INIT;
		strv_split(&codes, f->pf->choices, ',');
		for (size_t i = 0; i < codes.n; i++) {
			strv_push(&f->pvals, codes.v[i]);
			strv_push(&f->plabels, choice_label(codes.v[i])); /* the code, said in words */
		}
		strv_clear(&codes);
		return;
	}
	const struct kindinfo *ki = f->pf->ref ? schema_kind(&t->w->sc, f->pf->ref) : NULL;
	struct pickctx pc = { f };
	struct err e = { 0, "" };
	if (!ki) { /* a reference to any kind: search everything */
		if (f->pq.text.len)
			store_search(t->w->st, &t->w->sc, f->pq.text.data, 30, pick_cb, &pc, &e);
		return;
	}
	struct query q;
	query_init(&q, ki);
	const struct field *nf = NULL;
	for (size_t i = 0; i < ki->nf; i++)
		if (ki->f[i]->flags & F_NAME)
			nf = ki->f[i];
	if (nf && f->pq.text.len)
		q.cond[q.ncond++] = (struct qcond){ .f = nf, .op = Q_LIKE, .value = f->pq.text.data };
	ws_sort(t->w, &q, NULL, &e);
	q.limit = 30;
	store_query(t->w->st, &q, pick_cb, &pc, &e);
	query_free(&q);
}

static void pick_open(struct tui *t, struct formview *f, const struct field *fd)
{
	f->picking = true;
	f->pf = fd;
	f->psel = 0;
	le_init(&f->pq, "");
	pick_fill(t, f);
	if (fd->type == FT_CHOICE) {
		const char *cur = fd == &tmpl_field ? f->tmpl : f->r->val[f->sel];
		for (size_t i = 0; cur && i < f->pvals.n; i++)
			if (!strcmp(f->pvals.v[i], cur))
				f->psel = (int)i;
	}
}

static void pick_close(struct formview *f)
{
	f->picking = false;
	le_free(&f->pq);
	strv_clear(&f->pvals);
	strv_clear(&f->plabels);
}

static void pick_draw(struct tui *t, struct formview *f, int y, int h)
{
	int w = COLS > 70 ? 60 : COLS - 4, x = (COLS - w) / 2;
	int rows = (int)f->plabels.n < h - 4 ? (int)f->plabels.n : h - 4;
	bool search = f->pf->type != FT_CHOICE;
	int top = y + 1, bh = rows + (search ? 3 : 2);
	char title[192];
	snprintf(title, sizeof title, " %s: %s ", f->pf->name,
		 search ? _("type to search, ↓ ↑ choose, Enter pick") : _("↓ ↑ choose, Enter pick"));
	for (int r = 0; r < bh; r++) {
		move(top + r, x);
		attron(A_REVERSE);
		hline(' ', w);
		attroff(A_REVERSE);
	}
	tui_put(top, x + 1, w - 2, title, A_REVERSE | A_BOLD);
	int ly = top + 1;
	if (search) {
		le_draw(&f->pq, ly, x + 2, w - 4, A_UNDERLINE);
		ly++;
	}
	if (!f->plabels.n)
		tui_put(ly, x + 2, w - 4, _("nothing matches"), A_REVERSE | A_DIM);
	int first = f->psel >= rows ? f->psel - rows + 1 : 0;
	for (int r = 0; r < rows; r++) {
		int i = first + r;
		if (i >= (int)f->plabels.n)
			break;
		tui_put(ly + r, x + 2, w - 4, f->plabels.v[i], i == f->psel ? A_BOLD : A_REVERSE);
	}
	if (search) {
		le_draw(&f->pq, top + 1, x + 2, w - 4, A_UNDERLINE);
		tui_cursor_here(t);
	}
}

static void pick_key(struct tui *t, struct formview *f, int k)
{
	if (k == KEY_ESC) {
		pick_close(f);
		return;
	}
	if (k == FK(KEY_DOWN) || (f->pf->type == FT_CHOICE && k == 'j'))
		f->psel = f->psel + 1 < (int)f->pvals.n ? f->psel + 1 : f->psel;
	else if (k == FK(KEY_UP) || (f->pf->type == FT_CHOICE && k == 'k'))
		f->psel = f->psel > 0 ? f->psel - 1 : 0;
	else if (k == '\r' || k == '\n' || k == FK(KEY_ENTER)) {
		if (!f->pvals.n)
			return; /* nothing matches what was typed: keep the picker to retype */
		if (f->psel < (int)f->pvals.n && f->pf == &tmpl_field) {
			free(f->tmpl);
			f->tmpl = f->pvals.v[f->psel][0] ? xstrdup(f->pvals.v[f->psel]) : NULL;
			f->dirty = true;
		} else if (f->psel < (int)f->pvals.n) {
			if (f->pf->type == FT_REFS && f->pvals.v[f->psel][0]) {
				/* A list of references: Enter adds one. */
				char *next = set_edit(f->r->val[f->sel], f->pvals.v[f->psel], true);
				put(t, f, f->sel, next ? next : "");
				free(next);
			} else
				put(t, f, f->sel, f->pvals.v[f->psel]);
		}
		pick_close(f);
	} else if (f->pf->type != FT_CHOICE && le_key(&f->pq, k)) {
		f->psel = 0;
		pick_fill(t, f);
	}
}

/* ---- the form ---- */

static char *shown(struct tui *t, struct formview *f, int i)
{
	const char *v = f->r->val[i];
	if (!v)
		return xstrdup("");
	char *d = display_value(t->c, f->ki->f[i], v);
	if (f->ki->f[i]->type == FT_LONG) {
		char *nl = strchr(d, '\n');
		if (nl)
			strcpy(nl, " …");
	}
	return d;
}

static void form_draw(struct tui *t, struct view *v, int y, int h)
{
	struct formview *f = (struct formview *)v;
	int n = nrows(f);
	/* Rows on screen: a field, plus a line for its error. */
	int *ypos = xcalloc((size_t)n, sizeof(int));
	if (f->sel < f->top)
		f->top = f->sel;
	for (;;) {
		int row = 0;
		for (int i = f->top; i < n; i++) {
			ypos[i] = row;
			row += 1 + (i < (int)f->ki->nf && f->err[i] ? 1 : 0);
		}
		if (ypos[f->sel] + 2 < h - 2 || f->top >= f->sel)
			break;
		f->top++;
	}
	char head[512];
	if (f->is_new)
		snprintf(head, sizeof head, _("New %s · Enter edit a field · Ctrl-S save · Esc cancel"),
			 kind_label(f->ki->k));
	else
		snprintf(head, sizeof head, _("Edit %s · Enter edit a field · Ctrl-S save · Esc cancel"),
			 kind_label(f->ki->k));
	tui_put(y, 1, COLS - 2, head, tui_attr(t, C_MUTED));
	int vx = LABEL_W + 3, vw = COLS - vx - 2, cy = -1, cx = 0;
	for (int i = f->top; i < n; i++) {
		int yy = y + 2 + ypos[i];
		if (yy >= y + h - 1)
			break;
		bool sel = i == f->sel;
		if (i == row_tmpl(f)) {
			tui_put(yy, 1, LABEL_W + 1, _("Template"), sel ? A_BOLD : A_NORMAL);
			const char *d = f->tmpl ? f->tmpl : sel ? _("(none: Enter to pick; it builds the "
								    "phases, tasks and milestones from start)")
							   : "";
			tui_put(yy, vx, vw, d, sel ? (int)A_REVERSE : f->tmpl ? (int)A_NORMAL : tui_attr(t, C_MUTED));
			continue;
		}
		if (i >= (int)f->ki->nf) {
			const char *b = i == row_save(f) ? _("[ Save ]") : _("[ Cancel ]");
			tui_put(yy, vx, 12, b, sel ? A_REVERSE | A_BOLD : A_BOLD);
			continue;
		}
		const struct field *fd = f->ki->f[i];
		char label[64], l2[72];
		field_label(fd, label, sizeof label);
		snprintf(l2, sizeof l2, "%s%s", label, fd->flags & F_REQ ? " *" : "");
		tui_put(yy, 1, LABEL_W + 1, l2, sel ? A_BOLD : A_NORMAL);
		if (sel && f->editing) {
			le_draw(&f->le, yy, vx, vw, A_UNDERLINE);
			getyx(stdscr, cy, cx);
		} else if (f->raw[i]) {
			tui_put(yy, vx, vw, f->raw[i], sel ? (int)A_REVERSE : tui_attr(t, C_BAD));
		} else {
			char *d = shown(t, f, i);
			char hint[160] = "";
			if (!*d && sel)
				snprintf(hint, sizeof hint, "(%s%s%s)", ftype_name(fd->type),
					 fd->type == FT_DATE ? _(": YYYY-MM-DD, today, +3d") : "",
					 fd->type == FT_REF ? _(": Enter to pick") : "");
			tui_put(yy, vx, vw, *d ? d : hint, sel ? (int)A_REVERSE : (*d ? (int)A_NORMAL : tui_attr(t, C_MUTED)));
			free(d);
		}
		if (f->err[i])
			tui_put(yy + 1, vx, vw, f->err[i], tui_attr(t, C_BAD));
	}
	if (f->msg[0])
		tui_put(y + h - 1, 1, COLS - 2, f->msg, tui_attr(t, C_BAD));
	free(ypos);
	if (f->picking)
		pick_draw(t, f, y, h);
	else if (cy >= 0) {
		move(cy, cx);
		tui_cursor_here(t);
	}
}

static void save(struct tui *t, struct formview *f)
{
	struct err e = { 0, "" };
	for (size_t i = 0; i < f->ki->nf; i++)
		if (f->err[i]) {
			f->sel = (int)i;
			snprintf(f->msg, sizeof f->msg, "%s", _("fix the marked field first"));
			return;
		}
	int rc;
	struct template_built b = { 0 };
	if (f->is_new) {
		if (!strcmp(f->ki->k->name, "field")) {
			snprintf(f->msg, sizeof f->msg, "%s", _("custom fields are added with :field add"));
			return;
		}
		rc = f->tmpl ? template_build(t->w, f->r, f->tmpl, &b, &e) : ws_add(t->w, f->r, &e);
	} else
		rc = f->dirty ? ws_save(t->w, f->r, &e) : 0;
	if (rc) {
		int i = field_of_error(f, e.msg);
		if (i >= 0) {
			size_t skip;
			const char *m = field_mark(e.msg, &skip);
			set_error(f, i, m);
			f->sel = i;
		}
		snprintf(f->msg, sizeof f->msg, "%s", e.msg);
		return;
	}
	char *title = record_title(f->r);
	if (f->tmpl)
		tui_message(t, C_GOOD, "Added project '%s' (%.8s) from template %s: %ld phases, %ld "
				       "tasks, %ld milestones; due %s",
			    title, f->r->id, f->tmpl, b.phases, b.tasks, b.milestones, b.due);
	else if (f->is_new)
		tui_message(t, C_GOOD, "Added %s '%s' (%.8s)", kind_label(f->ki->k), title, f->r->id);
	else
		tui_message(t, C_GOOD, "Saved %s '%s' (%.8s)", kind_label(f->ki->k), title, f->r->id);
	free(title);
	tui_changed(t);
	tui_pop(t);
}

static bool form_key(struct tui *t, struct view *v, int k)
{
	struct formview *f = (struct formview *)v;
	f->msg[0] = '\0';
	if (f->picking) {
		pick_key(t, f, k);
		return true;
	}
	if (f->editing) {
		if (k == KEY_ESC) {
			f->editing = false;
			le_free(&f->le);
		} else if (k == '\r' || k == '\n' || k == FK(KEY_ENTER) || k == '\t') {
			put(t, f, f->sel, f->le.text.data);
			f->editing = false;
			le_free(&f->le);
			if (!f->err[f->sel] && f->sel + 1 < nrows(f))
				f->sel++;
		} else
			le_key(&f->le, k);
		return true;
	}
	if (k == CTRL('s')) {
		save(t, f);
		return true;
	}
	if (k == 'j' || k == FK(KEY_DOWN) || k == '\t') {
		f->sel = f->sel + 1 < nrows(f) ? f->sel + 1 : f->sel;
		return true;
	}
	if (k == 'k' || k == FK(KEY_UP) || k == FK(KEY_BTAB)) {
		f->sel = f->sel > 0 ? f->sel - 1 : 0;
		return true;
	}
	if (k == 'g' || k == FK(KEY_HOME) || k == 'G' || k == FK(KEY_END)) {
		f->sel = k == 'g' || k == FK(KEY_HOME) ? 0 : nrows(f) - 1;
		return true;
	}
	if (k == 'q' || k == KEY_ESC) {
		if (!f->dirty || (f->is_new ? tui_confirm(t, "Discard this new record?")
					    : tui_confirm(t, "Discard this edit?")))
			tui_pop(t);
		return true;
	}
	if (k != '\r' && k != '\n' && k != FK(KEY_ENTER) && k != ' ')
		return k == '?' ? false : true; /* a form takes every other key, so nothing leaks out */
	if (f->sel == row_save(f)) {
		save(t, f);
		return true;
	}
	if (f->sel == row_save(f) + 1) {
		tui_pop(t);
		return true;
	}
	if (f->sel == row_tmpl(f)) {
		pick_open(t, f, &tmpl_field);
		return true;
	}
	const struct field *fd = f->ki->f[f->sel];
	const char *cur = f->r->val[f->sel];
	if (fd->flags & F_STAGE) { /* shown, never typed: the process moves it */
		tui_message(t, C_WARN, "%s moves only through its process: 'rapport gate' says what "
				       "the next stage needs, 'rapport advance' moves it", fd->name);
		return true;
	}
	if (fd->flags & F_DERIVED) {
		tui_message(t, C_WARN, "%s comes from the invoice's receipts: 'rapport pay' records "
				       "one", fd->name);
		return true;
	}
	switch (fd->type) {
	case FT_BOOL:
		put(t, f, f->sel, !cur ? "true" : !strcmp(cur, "true") ? "false" : "");
		break;
	case FT_CHOICE:
	case FT_REF:
	case FT_REFS: pick_open(t, f, fd); break;
	case FT_LONG: {
		char *text = NULL;
		if (tui_edit_text(t, cur ? cur : "", &text) == 0) {
			put(t, f, f->sel, text);
			free(text);
		}
		break;
	}
	default:
		f->editing = true;
		le_init(&f->le, f->raw[f->sel] ? f->raw[f->sel] : cur ? cur : "");
	}
	return true;
}

static void form_free(struct view *v)
{
	struct formview *f = (struct formview *)v;
	for (size_t i = 0; i < f->ki->nf; i++) {
		free(f->err[i]);
		free(f->raw[i]);
	}
	free(f->err);
	free(f->raw);
	free(f->tmpl);
	if (f->editing)
		le_free(&f->le);
	if (f->picking)
		pick_close(f);
	record_free(f->r);
}

static void form_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)t;
	(void)x;
	(void)dbl;
	struct formview *f = (struct formview *)v;
	if (f->editing || f->picking)
		return;
	int i = f->top + (y - 3);
	if (i >= 0 && i < nrows(f) && !f->err[i < (int)f->ki->nf ? i : 0])
		f->sel = i;
}

static const struct view_ops form_ops = {
	NC_("screen", "form"),
	N_("j k ↓ ↑ Tab\tmove between fields\ng G\tfirst field, [ Cancel ]\n"
	   "Enter\tedit the field (text), pick (choices, references), toggle (yes/no), $EDITOR (long "
	   "text)\n"
	   "in a field: Enter\tkeep the value (checked at once; errors show under the field)\n"
	   "in a field: Esc\tleave it unchanged\n"
	   "Ctrl-S, [ Save ]\tsave (only a valid record is saved)\n"
	   "Template row\ta new project: pick a template; Save builds its phases, tasks, milestones\n"
	   "Esc q\tcancel\n"),
	form_draw, form_key, form_click, form_free,
};

struct view *view_form(struct tui *t, const char *kind, const char *id, struct err *e)
{
	struct formview *f = xcalloc(1, sizeof(*f));
	f->v.ops = &form_ops;
	if (id) {
		if (ws_load(t->w, id, NULL, &f->r, e)) {
			free(f);
			return NULL;
		}
		if (f->r->deleted || (f->r->ki->k->flags & K_CONFIG)) {
			if (f->r->deleted)
				err_set(e, RERR_INPUT,
					"%s %.8s cannot be edited here (it is deleted; u brings it back)",
					kind_label(f->r->ki->k), f->r->id);
			else
				err_set(e, RERR_INPUT, "%s %.8s cannot be edited here",
					kind_label(f->r->ki->k), f->r->id);
			record_free(f->r);
			free(f);
			return NULL;
		}
		f->ki = f->r->ki;
	} else {
		f->ki = schema_kind(&t->w->sc, kind);
		if (!f->ki || (f->ki->k->flags & K_CONFIG)) {
			err_set(e, RERR_USAGE, "'%s' is not a record kind you can add here", kind);
			free(f);
			return NULL;
		}
		f->r = record_new(f->ki);
		f->is_new = true;
		f->has_tmpl = !strcmp(f->ki->k->name, "project") && schema_kind(&t->w->sc, "template");
	}
	f->err = xcalloc(f->ki->nf, sizeof(char *));
	f->raw = xcalloc(f->ki->nf, sizeof(char *));
	char *title = f->is_new ? NULL : record_title(f->r);
	if (f->is_new)
		snprintf(f->v.title, sizeof f->v.title, _("New %s"), kind_label(f->ki->k));
	else
		snprintf(f->v.title, sizeof f->v.title, _("Edit %s"), title ? title : kind_label(f->ki->k));
	free(title);
	return &f->v;
}
