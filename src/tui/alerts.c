/*
 * alerts.c (TUI) — screen 5, Alerts: the open alerts, most severe first, each settled with one
 * key — A acknowledges, z snoozes for 7 days, Enter opens the record it is about. Opening the
 * screen evaluates the rules (`rapport alerts`); the keys run `ack` and `snooze`, the CLI's own
 * commands.
 */
#include "tui_int.h"

#include <unistd.h>

#include <sys/wait.h>

#include <fcntl.h>
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

struct alertview {
	struct view v;
	struct lines l;
	struct strv ids; /* parallel to l's lines: the alert's id, or "" */
	int gen;
	int cols; /* the width its lines were made for: who is told fits it */
};

/* Who an alert tells, as wide as the line leaves room for: every name, else the first and how
 * many more ("王芳 +1"), so a narrow terminal still says who, not "王…". */
static char *recipients(struct tui *t, const char *to, int room)
{
	char *all = ws_titles(t->w, to);
	struct strv ids = STRV_INIT;
	strv_split(&ids, to, ',');
	if (utf8_width(all) <= room || ids.n < 2) {
		strv_clear(&ids);
		return all;
	}
	free(all);
	char *first = xasprintf("%s +%zu", ws_title(t->w, ids.v[0]), ids.n - 1);
	strv_clear(&ids);
	return first;
}

static int sev(const char *s)
{
	return !s ? 3 : !strcmp(s, "critical") ? 0 : !strcmp(s, "warning") ? 1 : 2;
}

static int cmp(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a, *y = *(const struct record *const *)b;
	int d = sev(record_get(x, "severity")) - sev(record_get(y, "severity"));
	const char *rx = record_get(x, "raised"), *ry = record_get(y, "raised");
	if (!d)
		d = strcmp(ry ? ry : "", rx ? rx : "");
	return d ? d : strcmp(x->id, y->id);
}

static void reload(struct tui *t, struct alertview *a)
{
	struct query q;
	struct recs al = { NULL, 0 };
	struct err e = { 0, "" };
	lines_clear(&a->l);
	strv_clear(&a->ids);
	a->gen = t->gen;
	a->cols = COLS;
	query_init(&q, schema_kind(&t->w->sc, "alert"));
	if (!ws_filter(t->w, &q, "state=open", &e))
		store_query(t->w->st, &q, recs_add, &al, &e);
	query_free(&q);
	if (al.n)
		qsort(al.v, al.n, sizeof(*al.v), cmp);
	for (size_t i = 0; i < al.n; i++) {
		const struct record *r = al.v[i];
		const char *s = record_get(r, "severity"), *to = record_get(r, "to");
		const char *msg = record_get(r, "message");
		/* The line: severity (9), the message, "  → " and the names, in the screen's margins. */
		char *names = to ? recipients(t, to, COLS - 2 - 9 - utf8_width(msg ? msg : "") - 4) : NULL;
		const char *sl = s ? choice_label(s) : "";
		lines_add(&a->l, sev(s) == 0 ? C_BAD : sev(s) == 1 ? C_WARN : C_RESET, record_get(r, "on"),
			  "%s%*s %s%s%s", sl, text_pad(sl, 8), "", msg ? msg : "", to ? "  → " : "",
			  names ? names : "");
		free(names);
		strv_push(&a->ids, r->id);
	}
	if (!al.n) {
		lines_add(&a->l, C_GOOD, NULL, "%s", _("No open alerts."));
		strv_push(&a->ids, "");
	}
	a->l.selectable = true;
	recs_free(&al);
}

static void av_draw(struct tui *t, struct view *v, int y, int h)
{
	struct alertview *a = (struct alertview *)v;
	if (a->gen != t->gen || a->cols != COLS) {
		long sel = a->l.sel;
		bool resized = a->gen == t->gen;
		reload(t, a);
		if (resized) /* the same alerts, laid out again: the cursor stays */
			a->l.sel = sel;
	}
	lines_draw(t, &a->l, y, h);
}

static bool av_key(struct tui *t, struct view *v, int k)
{
	struct alertview *a = (struct alertview *)v;
	long i = a->l.sel;
	const char *id = i >= 0 && (size_t)i < a->ids.n ? a->ids.v[i] : "";
	char cmd[80];
	if ((k == 'A' || k == 'z') && *id) {
		snprintf(cmd, sizeof cmd, k == 'A' ? "ack %s" : "snooze %s 7", id);
		tui_command(t, cmd);
		return true;
	}
	return lines_key(t, &a->l, k);
}

static void av_click(struct tui *t, struct view *v, int y, int x, bool dbl)
{
	(void)x;
	lines_click(t, &((struct alertview *)v)->l, y, 1, dbl);
}

static void av_free(struct view *v)
{
	struct alertview *a = (struct alertview *)v;
	lines_clear(&a->l);
	strv_clear(&a->ids);
}

static const struct view_ops ops = {
	NC_("screen", "alerts"),
	N_("A\tacknowledge the selected alert\nz\tsnooze it for 7 days\nEnter\topen the record it is "
	   "about\n"),
	av_draw, av_key, av_click, av_free,
};

void tui_evaluate(struct tui *t)
{
	char *argv[] = { "alerts" }, *out = NULL;
	if (tui_capture(t, 1, argv, &out))
		tui_message(t, C_BAD, "%s", out);
	free(out);
	tui_changed(t);
}

#define RULES_RUNNING N_("Running the rules…")

void tui_evaluate_background(struct tui *t)
{
	if (t->rules_pid > 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		/* The child never touches the terminal; it opens the workspace afresh (a database
		 * connection must not cross a fork) and exits. */
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl("/proc/self/exe", "rapport", "-C", t->w->root, "alerts", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		tui_evaluate(t);
		return;
	}
	t->rules_pid = pid;
	tui_message(t, C_MUTED, RULES_RUNNING); /* translated as tui_rules_poll compares it */
}

void tui_rules_poll(struct tui *t)
{
	int status;
	if (t->rules_pid <= 0 || waitpid(t->rules_pid, &status, WNOHANG) != t->rules_pid)
		return;
	t->rules_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		tui_message(t, C_BAD, "The rules could not run: see 'rapport alerts'");
	else if (!strcmp(t->msg, _(RULES_RUNNING)))
		t->msg[0] = '\0';
	ws_forget_titles(t->w);
	tui_changed(t);
}

struct view *view_alerts(struct tui *t)
{
	struct alertview *a = xcalloc(1, sizeof(*a));
	a->v.ops = &ops;
	a->gen = t->gen - 1;
	snprintf(a->v.title, sizeof a->v.title, "%s", _("Alerts"));
	/* Fresh alerts for this screen, unless a run in the background will bring them. */
	if (t->rules_pid <= 0)
		tui_evaluate(t);
	return &a->v;
}
