/*
 * app.c — the TUI application: terminal setup and teardown, the stack of views, the title and
 * status bars, keys every screen shares (q/Esc back, ? help, / search, : command line, 1-7, s sync
 * screens), mouse routing, live resize, and the ':' command line, which runs the same command
 * table as the CLI — so every action the TUI offers is also a CLI command, and the reverse.
 * Drawing is erase + draw + wnoutrefresh + one doupdate per frame: curses sends only the cells
 * that changed, so nothing flickers.
 */
#include "tui_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_tui = {
	"tui", run, "tui", N_("Open the full-screen terminal interface."),
	N_("Screens: 1 Dashboard (projects by status, overdue milestones, late invoices, open\n"
	"high-severity tickets, customers at risk, recent changes), 2 Customers, 3 Projects,\n"
	"4 Tickets, 5 Alerts (A acknowledges, z snoozes), 6 Sync (ahead/behind, conflicts: o keeps\n"
	"ours, t takes theirs), 7 Approvals (yours first; a approves, r rejects, w withdraws),\n"
	"8 Pipeline (opportunities by stage; H/L move one, W wins it). The rules run when the TUI\n"
	"starts and on Ctrl-L. Enter opens a record: a customer's 360 view (Overview, Timeline,\n"
	"Projects, Opportunities, Contracts, Invoices, Tickets, Surveys, Requirements, Tasks), a\n"
	"project's Overview, Board\n"
	"(kanban; H/L move a card), Timeline (Gantt), WBS and Time, or any record's details.\n"
	"Keys: arrows or h j k l, PgUp/PgDn, Home/End (g/G), Enter open, q or Esc back, Tab next\n"
	"tab, / search as you type, : command line (any rapport command: show ID, list KIND\n"
	"FILTERS, add KIND FIELD=VALUE..., set ID FIELD=VALUE..., quit), ? keys of the screen,\n"
	"a add, e edit (a form; long text in $EDITOR), d delete (asks), u undelete, s sync,\n"
	"H a record's history, Ctrl-L refresh (rules run again).\n"
	"Bare 'rapport' on a terminal opens it too. Needs at least 80x24.\n"),
	CMD_WS,
};

static const char *const global_keys = N_("q Esc\tback (quit on the dashboard)\n"
				  "1-8\tDashboard, Customers, Projects, Tickets, Alerts, Sync, "
				  "Approvals, Pipeline\n"
				  "s\tsync with the team (snapshot, pull, merge, push)\n"
				  "/\tsearch everything as you type\n"
				  ":\tcommand line: show ID, list KIND FILTERS, add, set, rm, quit…\n"
				  "Tab\tnext tab (Shift-Tab: previous)\n"
				  "?\tthis help\n"
				  "Ctrl-L\trefresh: run the rules, reload, redraw\n"
				  "R\twrite a report (health; status from a project)\n"
				  "Ctrl-C\tquit\n");

/* ---- the stack ---- */

void tui_push(struct tui *t, struct view *v)
{
	v->below = t->top;
	t->top = v;
}

void tui_pop(struct tui *t)
{
	struct view *v = t->top;
	if (!v)
		return;
	t->top = v->below;
	if (v->ops->free)
		v->ops->free(v);
	free(v);
}

void tui_message(struct tui *t, enum role r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, gettext(fmt), ap);
	va_end(ap);
	/* Multi-line errors (ambiguous ids) keep their first line on the status bar. */
	char *nl = strchr(t->msg, '\n');
	if (nl)
		*nl = '\0';
	t->msg_role = r;
}

void tui_changed(struct tui *t) { t->gen++; }

/* ---- bars ---- */

static void draw_title(struct tui *t)
{
	struct buf b = BUF_INIT;
	struct view *stack[64];
	int n = 0;
	for (struct view *v = t->top; v && n < 64; v = v->below)
		stack[n++] = v;
	for (int i = n - 1; i >= 0; i--)
		buf_addf(&b, "%s%s", i == n - 1 ? " rapport › " : " › ", stack[i]->title);
	/* Keep the end of a long trail: where you are matters more than where you came from. */
	const char *s = b.data;
	while (utf8_width(s) > COLS - 10 && *s) {
		s++;
		while ((*s & 0xc0) == 0x80)
			s++;
	}
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	attroff(A_REVERSE);
	tui_put(0, 0, COLS - 9, s, A_REVERSE | A_BOLD);
	tui_put(0, COLS - 9, 9, _("  ? help "), A_REVERSE);
	buf_release(&b);
}

static void draw_status(struct tui *t)
{
	move(LINES - 1, 0);
	clrtoeol();
	if (t->msg[0]) {
		tui_put(LINES - 1, 1, COLS - 2, t->msg, tui_attr(t, t->msg_role));
		return;
	}
	const struct kindinfo *cu = schema_kind(&t->w->sc, "customer"),
			      *pr = schema_kind(&t->w->sc, "project"),
			      *tk = schema_kind(&t->w->sc, "ticket");
	if (t->census_gen != t->gen) {
		/* Only what the bar shows: counting a million interactions each frame would not do. */
		const struct kindinfo *shown[] = { cu, pr, tk };
		struct err e = { 0, "" };
		for (size_t i = 0; i < ARRAY_LEN(shown); i++) {
			struct query q;
			query_init(&q, shown[i]);
			store_count(t->w->st, &q, &t->census[shown[i]->index], &e);
		}
		snprintf(t->syncbar, sizeof t->syncbar, "%s", tui_sync_bar(t));
		t->census_gen = t->gen;
	}
	const char *base = strrchr(t->w->root, '/');
	char line[512];
	/* Sync state right after the workspace: what matters survives a narrow terminal. */
	const char *who = ws_author(t->w) ? ws_author(t->w) : "";
	for (int pass = 0; pass < 2; pass++) {
		/* Too wide for the terminal, the author is the name without the email. */
		const char *lt = pass ? strstr(who, " <") : NULL;
		snprintf(line, sizeof line, _("%s%s · %.*s · %ld customers · %ld projects · %ld tickets"),
			 base ? base + 1 : t->w->root, t->syncbar, lt ? (int)(lt - who) : (int)strlen(who),
			 who, t->census[cu->index], t->census[pr->index], t->census[tk->index]);
		if (utf8_width(line) <= COLS - 2)
			break;
	}
	tui_put(LINES - 1, 1, COLS - 2, line, tui_attr(t, C_MUTED));
}

/* The terminal is under 80×24: say so in words wrapped to its width and centred, so the
 * message itself is never what gets cut (only a word wider than the terminal is). */
static void too_small(void)
{
	char m[256];
	snprintf(m, sizeof m, _("rapport needs at least 80×24 (this terminal is %d×%d)"), COLS, LINES);
	struct strv words = STRV_INIT, rows = STRV_INIT;
	struct buf line = BUF_INIT;
	strv_split(&words, m, ' ');
	for (size_t i = 0; i < words.n; i++) {
		if (line.len && utf8_width(line.data) + 1 + utf8_width(words.v[i]) > COLS) {
			strv_push(&rows, line.data);
			buf_reset(&line);
		}
		buf_addf(&line, "%s%s", line.len ? " " : "", words.v[i]);
	}
	if (line.len)
		strv_push(&rows, line.data);
	int y0 = (LINES - (int)rows.n) / 2;
	for (size_t i = 0; i < rows.n; i++) {
		int w = utf8_width(rows.v[i]), x = w < COLS ? (COLS - w) / 2 : 0;
		tui_put(y0 + (int)i, x, COLS - x, rows.v[i], A_BOLD);
	}
	buf_release(&line);
	strv_clear(&words);
	strv_clear(&rows);
}

static void draw(struct tui *t);
void tui_redraw(struct tui *t)
{
	draw(t);
}

static void draw(struct tui *t)
{
	erase();
	if (COLS < 80 || LINES < 24) {
		too_small();
	} else {
		draw_title(t);
		t->want_cursor = false;
		if (t->top)
			t->top->ops->draw(t, t->top, 1, LINES - 2);
		draw_status(t);
	}
	if (t->want_cursor)
		move(t->cur_y, t->cur_x);
	curs_set(t->want_cursor ? 1 : 0);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- input ---- */

int tui_getkey(void)
{
	wint_t ch;
	int rc = get_wch(&ch);
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES)
		return FK((int)ch);
	return (int)ch;
}

char *tui_prompt(struct tui *t, const char *prompt, const char *initial)
{
	struct lineedit le;
	le_init(&le, initial);
	curs_set(1);
	for (;;) {
		draw(t);
		move(LINES - 1, 0);
		clrtoeol();
		tui_put(LINES - 1, 0, utf8_width(prompt), prompt, A_BOLD);
		le_draw(&le, LINES - 1, utf8_width(prompt), COLS - utf8_width(prompt) - 1, A_NORMAL);
		refresh();
		int k = tui_getkey();
		if (k == KEY_ESC || k == CTRL('c') || k == CTRL('g')) {
			le_free(&le);
			curs_set(0);
			return NULL;
		}
		if (k == '\n' || k == '\r' || k == FK(KEY_ENTER))
			break;
		le_key(&le, k);
	}
	curs_set(0);
	return buf_detach(&le.text);
}

bool tui_confirm(struct tui *t, const char *fmt, ...)
{
	char q[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, gettext(fmt), ap);
	va_end(ap);
	draw(t);
	move(LINES - 1, 0);
	clrtoeol();
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s (y/n) ", q);
	tui_put(LINES - 1, 1, COLS - 2, b.data, tui_attr(t, C_WARN) | A_BOLD);
	buf_release(&b);
	refresh();
	int k;
	while ((k = tui_getkey()) == -1 || k == FK(KEY_RESIZE))
		;
	return k == 'y' || k == 'Y';
}

int tui_edit_text(struct tui *t, const char *text, char **out)
{
	char path[] = "/tmp/rapport-edit-XXXXXX";
	int fd = mkstemp(path);
	*out = NULL;
	if (fd < 0) {
		tui_message(t, C_BAD, "cannot create a temporary file: %s", strerror(errno));
		return -1;
	}
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n &&
		  (n == 0 || text[n - 1] == '\n' || write(fd, "\n", 1) == 1);
	close(fd);
	struct err e = { 0, "" };
	def_prog_mode();
	endwin();
	int rc = ok ? run_editor(path, &e) : err_set(&e, RERR_RUNTIME, "cannot write %s", path);
	reset_prog_mode();
	refresh();
	if (!rc) {
		size_t len;
		char *s = file_read(path, &len);
		if (s) {
			if (len && s[len - 1] == '\n')
				s[len - 1] = '\0';
			*out = s;
		} else
			rc = RERR_RUNTIME;
	}
	if (rc)
		tui_message(t, C_BAD, "%s; nothing changed", e.msg[0] ? e.msg : _("the editor failed"));
	unlink(path);
	return rc ? -1 : 0;
}

/* ---- the command line ---- */

/* Splits a command line into words, honouring '…', "…" and backslashes. */
static int split_words(const char *s, struct strv *out, struct err *e)
{
	struct buf w = BUF_INIT;
	bool in = false;
	char q = 0;
	for (;; s++) {
		if (!*s) {
			if (q) {
				buf_release(&w);
				return err_set(e, RERR_USAGE, "unbalanced quote %c", q);
			}
			if (in)
				strv_push_owned(out, buf_detach(&w));
			return 0;
		}
		if (q) {
			if (*s == q)
				q = 0;
			else if (*s == '\\' && q == '"' && s[1])
				buf_addc(&w, *++s);
			else
				buf_addc(&w, *s);
		} else if (*s == '\'' || *s == '"') {
			q = *s;
			in = true;
		} else if (*s == '\\' && s[1]) {
			buf_addc(&w, *++s);
			in = true;
		} else if (*s == ' ' || *s == '\t') {
			if (in)
				strv_push_owned(out, buf_detach(&w));
			in = false;
		} else {
			buf_addc(&w, *s);
			in = true;
		}
	}
}

/* A long command's progress on the bottom line: what, a bar across the screen, the percent. */
static void tui_progress(void *arg, const char *what, double fraction)
{
	struct tui *t = arg;
	(void)t;
	if (fraction >= 1)
		return; /* the command's own message replaces the bar */
	int w = COLS - utf8_width(what) - 10;
	w = w < 10 ? 10 : w;
	int full = (int)(fraction * w);
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	addstr(what);
	attroff(A_BOLD);
	addstr(" ");
	attron(A_REVERSE);
	for (int i = 0; i < full; i++)
		addch(' ');
	attroff(A_REVERSE);
	for (int i = full; i < w; i++)
		addch(ACS_CKBOARD);
	printw(" %3.0f%%", fraction * 100);
	refresh();
}

int tui_capture(struct tui *t, int argc, char **argv, char **out)
{
	const struct command *cmd = command_find(argv[0]);
	size_t len = 0;
	*out = NULL;
	if (!cmd) {
		*out = xasprintf(_("'%s' is not a command"), argv[0]);
		return RERR_USAGE;
	}
	/* Run it exactly as the CLI would, on this workspace, capturing what it prints. */
	struct ctx sub = *t->c;
	sub.out = open_memstream(out, &len);
	sub.tty = sub.color = sub.json = false;
	sub.progress = tui_progress;
	sub.progress_arg = t;
	sub.progress_start = sub.progress_last = 0;
	err_clear(&sub.err);
	int rc = want_help(argc, argv) ? (cmd_usage(&sub, cmd), 0) : cmd->run(&sub, argc, argv);
	fclose(sub.out);
	if (rc) {
		free(*out);
		*out = xstrdup(sub.err.msg);
	}
	return rc;
}

void tui_form(struct tui *t, const char *kind, const char *id)
{
	struct err e = { 0, "" };
	struct view *f = view_form(t, kind, id, &e);
	if (f)
		tui_push(t, f);
	else
		tui_message(t, C_BAD, "%s", e.msg);
}

void tui_delete(struct tui *t, const char *ref)
{
	char id[33];
	snprintf(id, sizeof id, "%s", ref); /* ref may live in a window the reload below frees */
	struct record *r = NULL;
	struct err e = { 0, "" };
	if (store_get(t->w->st, &t->w->sc, id, &r, &e)) {
		tui_message(t, C_BAD, "%s", e.msg);
		return;
	}
	char *title = record_title(r);
	if (r->deleted)
		tui_message(t, C_WARN, "%s %.8s is already deleted", kind_label(r->ki->k), r->id);
	else if (tui_confirm(t, "Delete %s '%s'?", kind_label(r->ki->k), title)) {
		r->deleted = 1;
		if (ws_save(t->w, r, &e))
			tui_message(t, C_BAD, "%s", e.msg);
		else {
			memcpy(t->last_deleted, r->id, sizeof t->last_deleted);
			tui_changed(t);
			tui_message(t, C_GOOD, "Deleted %s '%s' (u or :undelete %.8s brings it back)",
				    kind_label(r->ki->k), title, r->id);
		}
	}
	free(title);
	record_free(r);
}

void tui_undelete(struct tui *t)
{
	if (!t->last_deleted[0]) {
		tui_message(t, C_WARN, "nothing deleted in this session; use :undelete ID");
		return;
	}
	char *argv[] = { "undelete", t->last_deleted, NULL };
	char *out = NULL;
	int rc = tui_capture(t, 2, argv, &out);
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	tui_message(t, rc ? C_BAD : C_GOOD, "%s", out);
	free(out);
	if (!rc) {
		t->last_deleted[0] = '\0';
		tui_changed(t);
	}
}

void tui_command(struct tui *t, const char *line)
{
	struct strv words = STRV_INIT;
	struct err e = { 0, "" };
	/* What the bar said before ("Syncing…") is over once the command has run: its own
	 * result replaces it, or nothing when the result opens a screen of text. */
	t->msg[0] = '\0';
	if (split_words(line, &words, &e)) {
		tui_message(t, C_BAD, "%s", e.msg);
		return;
	}
	if (!words.n)
		goto out;
	const char *name = words.v[0];
	struct view *v = NULL;
	if (!strcmp(name, "q") || !strcmp(name, "quit") || !strcmp(name, "exit")) {
		t->quit = true;
	} else if (!strcmp(name, "show") && words.n == 2) {
		if ((v = view_record(t, words.v[1], &e)))
			tui_push(t, v);
	} else if (!strcmp(name, "list") && words.n >= 2 && !want_help((int)words.n, words.v)) {
		if ((v = view_list(t, words.v[1], (int)words.n - 2, words.v + 2, &e)))
			tui_push(t, v);
	} else if (!strcmp(name, "search") && words.n == 1) {
		tui_push(t, view_search(t));
	} else if ((!strcmp(name, "add") && words.n == 2) || (!strcmp(name, "edit") && words.n == 2)) {
		bool add = !strcmp(name, "add");
		if ((v = view_form(t, add ? words.v[1] : NULL, add ? NULL : words.v[1], &e)))
			tui_push(t, v);
	} else {
		const struct command *cmd = command_find(name);
		if (!cmd || cmd == &cmd_tui || (cmd->flags & CMD_HIDDEN) || !strcmp(name, "demo") ||
		    !strcmp(name, "init")) {
			tui_message(t, C_BAD, "'%s' is not a command here; try ':help'", name);
			goto out;
		}
		char *text = NULL;
		size_t len;
		int rc = tui_capture(t, (int)words.n, words.v, &text);
		len = strlen(text);
		tui_changed(t);
		if (rc)
			tui_message(t, C_BAD, "%s", text);
		else if (len && memchr(text, '\n', len) != text + len - 1)
			tui_push(t, view_text(t, name, text));
		else if (len) {
			text[len - 1] = '\0';
			tui_message(t, C_GOOD, "%s", text);
		} else
			tui_message(t, C_GOOD, "done: %s", line);
		free(text);
	}
	if (e.code)
		tui_message(t, C_BAD, "%s", e.msg);
out:
	strv_clear(&words);
}

void tui_prompt_command(struct tui *t, const char *initial)
{
	char *line = tui_prompt(t, ":", initial);
	if (line)
		tui_command(t, line);
	free(line);
}

void tui_open(struct tui *t, const char *ref)
{
	char id[33];
	snprintf(id, sizeof id, "%s", ref);
	struct err e = { 0, "" };
	struct view *v = view_record(t, id, &e);
	if (v)
		tui_push(t, v);
	else
		tui_message(t, C_BAD, "%s", e.msg);
}

/* ---- help: the keys of the screen and the global ones ---- */

/* The help screen lays its "key<TAB>meaning" lines out by display width (keys such as
 * "j k ↓ ↑" are more bytes than columns), the meanings in one column after the widest key and
 * wrapped under themselves rather than cut; laid out again when the terminal's width changes. */
struct helpview {
	struct view v;
	struct lines l;
	char *own; /* the screen's keys, copied: the screen may be gone before the help is */
	char name[32];
	int cols;  /* the width it was laid out for */
};

static int keys_width(const char *spec)
{
	int w = 0;
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, "\n"), k = strcspn(p, "\t");
		if (k < n) {
			char *key = xstrndup(p, k);
			int kw = utf8_width(key);
			w = kw > w ? kw : w;
			free(key);
		}
		p += n + (p[n] ? 1 : 0);
	}
	return w;
}

/* The bytes of the character at p and whether it is wide (two columns: Chinese). */
static size_t one_char(const char *p, bool *wide)
{
	uint32_t cp;
	size_t k = utf8_decode((const unsigned char *)p, strlen(p), &cp);
	k = k ? k : 1;
	char c[8];
	memcpy(c, p, k);
	c[k] = '\0';
	*wide = utf8_width(c) == 2;
	return k;
}

/* The next word of a meaning: up to a space or a wide character; a wide character alone, as
 * Chinese text has no spaces and breaks between any two of its characters. */
static size_t help_word(const char *p)
{
	bool wide;
	size_t n = one_char(p, &wide);
	if (wide)
		return n;
	while (p[n] && p[n] != ' ') {
		size_t k = one_char(p + n, &wide);
		if (wide)
			break;
		n += k;
	}
	return n;
}

/* One key: the key padded to keyw columns, then its meaning cut into words that fit. */
static void help_entry(struct lines *l, const char *key, const char *text, int keyw, int width)
{
	struct buf line = BUF_INIT;
	int room = width - 2 - keyw - 2, used = 0;
	room = room < 20 ? 20 : room;
	buf_addf(&line, "  %s", key);
	buf_addrep(&line, ' ', (size_t)(keyw - utf8_width(key) + 2));
	for (const char *p = text; *p;) {
		bool spaced = false;
		while (*p == ' ') {
			p++;
			spaced = true;
		}
		if (!*p)
			break;
		size_t n = help_word(p);
		char *word = xstrndup(p, n);
		int ww = utf8_width(word);
		/* A space goes between words only where the text has one (none inside Chinese). */
		bool gap = used && spaced;
		if (used && used + gap + ww > room) {
			lines_add(l, C_RESET, NULL, "%s", line.data);
			buf_reset(&line);
			buf_addrep(&line, ' ', (size_t)(2 + keyw + 2));
			used = 0;
			gap = false;
		}
		buf_addf(&line, "%s%s", gap ? " " : "", word);
		used += gap + ww;
		free(word);
		p += n;
	}
	lines_add(l, C_RESET, NULL, "%s", line.data);
	buf_release(&line);
}

static void help_section(struct lines *l, const char *spec, int keyw, int width)
{
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, "\n"), k = strcspn(p, "\t");
		if (k < n) {
			char *key = xstrndup(p, k), *text = xstrndup(p + k + 1, n - k - 1);
			help_entry(l, key, text, keyw, width);
			free(key);
			free(text);
		}
		p += n + (p[n] ? 1 : 0);
	}
}

static void help_draw(struct tui *t, struct view *v, int y, int h)
{
	struct helpview *hv = (struct helpview *)v;
	if (hv->cols != COLS) {
		const char *global = _(global_keys);
		int keyw = keys_width(hv->own), g = keys_width(global);
		keyw = g > keyw ? g : keyw;
		long top = hv->l.top;
		lines_clear(&hv->l);
		lines_add(&hv->l, C_HEAD, NULL, _("Keys of this screen (%s)"), hv->name);
		help_section(&hv->l, hv->own, keyw, COLS - 2);
		lines_add(&hv->l, C_HEAD, NULL, "%s", "");
		lines_add(&hv->l, C_HEAD, NULL, "%s", _("Everywhere"));
		help_section(&hv->l, global, keyw, COLS - 2);
		hv->l.top = top;
		hv->cols = COLS;
	}
	lines_draw(t, &hv->l, y, h);
}

static bool help_key(struct tui *t, struct view *v, int k)
{
	return lines_key(t, &((struct helpview *)v)->l, k);
}

static void help_free(struct view *v)
{
	struct helpview *hv = (struct helpview *)v;
	lines_clear(&hv->l);
	free(hv->own);
}

static const struct view_ops help_ops = {
	NC_("screen", "help"), N_("j k ↓ ↑\tscroll\nPgDn PgUp Space\tpage\n"), help_draw, help_key, NULL,
	help_free,
};

static void show_help(struct tui *t)
{
	struct helpview *hv = xcalloc(1, sizeof(*hv));
	hv->v.ops = &help_ops;
	/* The screen's keys and name in the interface language (the tables hold them marked). */
	const char *keys = t->top ? t->top->ops->keys : NULL;
	hv->own = xstrdup(keys && *keys ? _(keys) : "");
	snprintf(hv->name, sizeof hv->name, "%s", t->top ? C_("screen", t->top->ops->name) : "");
	snprintf(hv->v.title, sizeof hv->v.title, "%s", _("Help"));
	tui_push(t, &hv->v);
}

static void root_screen(struct tui *t, int which)
{
	while (t->top && t->top->below)
		tui_pop(t);
	if (which == 1)
		return;
	if (which >= 5) {
		tui_push(t, which == 5   ? view_alerts(t)
			    : which == 6 ? view_sync(t)
			    : which == 7 ? view_approvals(t)
					 : view_pipeline(t));
		return;
	}
	static const char *const kinds[] = { NULL, NULL, "customer", "project", "ticket" };
	char *open_only[] = { "status!=closed" };
	struct err e = { 0, "" };
	struct view *v = view_list(t, kinds[which], which == 4 ? 1 : 0, which == 4 ? open_only : NULL, &e);
	if (v)
		tui_push(t, v);
}

static void mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || !t->top || !t->top->ops->click)
		return;
	bool dbl = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED))
		t->top->ops->click(t, t->top, ev.y, ev.x, dbl);
}

static int loop(struct tui *t)
{
	long long seen = store_data_version(t->w->st);
	/* Wake every second to notice what another rapport (a CLI in another terminal, a sync)
	 * wrote, so every screen shows the database as it is. */
	timeout(1000);
	while (!t->quit && t->top) {
		draw(t);
		int k = tui_getkey();
		tui_rules_poll(t);
		long long now = store_data_version(t->w->st);
		if (now != seen) {
			seen = now;
			ws_forget_titles(t->w); /* a name may have changed too */
			tui_changed(t);
		}
		/* Time is read when it is needed, never kept; but what a screen computed from
		 * "today" (days late, the today marker, alerts) is stale after midnight: a new day
		 * runs the rules again and reloads every screen. */
		long day = (long)(clock_now() / 86400);
		if (day != t->day) {
			t->day = day;
			tui_evaluate_background(t);
			tui_changed(t);
		}
		if (k == FK(KEY_RESIZE) || k == -1)
			continue;
		t->msg[0] = '\0';
		if (k == FK(KEY_MOUSE)) {
			mouse(t);
			continue;
		}
		if (k == CTRL('c')) {
			t->quit = true;
			continue;
		}
		if (t->top->ops->key && t->top->ops->key(t, t->top, k))
			continue;
		switch (k) {
		case 'q':
		case KEY_ESC:
			if (t->top->below)
				tui_pop(t);
			else
				t->quit = true;
			break;
		case '?': show_help(t); break;
		case '/': tui_push(t, view_search(t)); break;
		case ':': tui_prompt_command(t, ""); break;
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8': root_screen(t, k - '0'); break;
		case 's': tui_sync(t); break;
		case 'R': tui_prompt_command(t, "report health -o health-report.html"); break;
		case CTRL('l'):
			/* Refresh: the rules run again, every screen reloads, the terminal repaints. */
			tui_evaluate_background(t);
			clearok(curscr, TRUE);
			break;
		default: break;
		}
	}
	return 0;
}

static int run(struct ctx *c, int argc, char **argv)
{
	int rc;
	if (argc > 1)
		return usage_error(c, &cmd_tui, "no arguments");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(&c->err, RERR_USAGE, "tui: needs a terminal (use the CLI commands in scripts)");
	if ((rc = ctx_open(c)))
		return rc;
	struct tui t = { .c = c, .w = c->ws, .census_gen = -1 };
	const char *nc = getenv("NO_COLOR");
	t.color = c->color && !(nc && *nc);
	set_escdelay(25);
	if (!initscr())
		return err_set(&c->err, RERR_RUNTIME, "tui: cannot start the terminal interface");
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(200);
	if (t.color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_YELLOW, -1);
		init_pair(2, COLOR_GREEN, -1);
		init_pair(3, COLOR_RED, -1);
		init_pair(4, COLOR_CYAN, -1);
	} else
		t.color = false;
	/* The rules run as the TUI starts, in a child process (seconds on a big workspace), so the
	 * screen answers keys at once and reloads with today's alerts and health when they end. */
	tui_push(&t, view_dashboard(&t));
	tui_evaluate_background(&t);
	t.day = (long)(clock_now() / 86400);
	rc = loop(&t);
	while (t.top)
		tui_pop(&t);
	endwin();
	return rc;
}
