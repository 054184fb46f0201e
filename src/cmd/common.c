/*
 * common.c — what every command shares: opening the workspace with the right identity, help and
 * usage errors, colour roles, how values are shown, aligned tables and JSON records. Keeping this
 * in one place is what makes `list`, `show` and `search` read alike.
 */
#include "cmd.h"
#include "sync.h"
#include "gitlayer.h"

#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Who the user is: the workspace's or the global config, else git's, else $USER. */
static void author_from_config(struct ws *w, void *ctx)
{
	(void)ctx;
	char *name = ws_config_get(w, "user.name");
	char *email = ws_config_get(w, "user.email");
	if (!name || !email) {
		char *gn, *ge, *cache = xasprintf("%s/git-identity", w->dotdir);
		gitl_identity(cache, &gn, &ge);
		free(cache);
		if (!name)
			name = gn;
		else
			free(gn);
		if (!email)
			email = ge;
		else
			free(ge);
	}
	if (!name && getenv("USER"))
		name = xstrdup(getenv("USER"));
	ws_set_author(w, name, email);
	free(name);
	free(email);
}

int ctx_open(struct ctx *c)
{
	char *root = NULL;
	int rc;
	if (c->ws)
		return 0;
	if ((rc = ws_locate(c->cdir, &root, &c->err)))
		return rc;
	rc = ws_open(&c->ws, root, &c->err);
	free(root);
	if (rc)
		return rc;
	ws_set_author_source(c->ws, author_from_config, NULL);
	ctx_warnings(c);
	return 0;
}

void ctx_warnings(struct ctx *c)
{
	/* A total that left amounts out says so, and how to put them in. (Not how many: a
	 * view's amount may be read by several of a command's totals.) */
	char pair[8];
	if (store_fx_missing(pair, true) && pair[0] && pair[3] == '>') {
		pair[3] = 0;
		if (pair[0] == '?' || pair[4] == '?')
			fputs(_("rapport: warning: amounts with no currency while others name "
				"one were left out of totals (set the team's: rapport config "
				"--team currency.default CODE)\n"),
			      stderr);
		else
			fprintf(stderr,
				_("rapport: warning: amounts in %s were left out of totals: no exchange "
				  "rate from %s to %s (rapport add fx from=%s to=%s rate=N as_of=DATE)\n"),
				pair, pair, pair + 4, pair, pair + 4);
	}
	for (; c->ws && c->warned < c->ws->warnings.n; c->warned++) {
		struct buf b = BUF_INIT;
		term_text(&b, c->ws->warnings.v[c->warned]);
		fprintf(stderr, _("rapport: warning: %s\n"), b.data);
		buf_release(&b);
	}
}

int args_parse(struct ctx *c, const struct command *cmd, int argc, char **argv,
	       const struct opt *opts, const char **pos, size_t npos, size_t *n, const char *extra)
{
	size_t got = 0;
	struct synopsis syn;
	int rc = synopsis_parse(&syn, cmd->synopsis, &c->err);
	for (const struct opt *o = opts; !rc && o && o->name; o++)
		if (!synopsis_option(&syn, o->name))
			rc = err_set(&c->err, RERR_RUNTIME,
				     "internal error: %s takes %s but its synopsis does not show it", cmd->name,
				     o->name);
	synopsis_free(&syn);
	if (rc)
		return rc;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o = opts;
		while (o && o->name && strcmp(o->name, a))
			o++;
		if (o && o->name && o->flag)
			*o->flag = true;
		else if (o && o->name && i + 1 >= argc)
			return usage_error(c, cmd, "%s needs a value", a);
		else if (o && o->name && o->values)
			strv_push(o->values, argv[++i]);
		else if (o && o->name)
			*o->value = argv[++i];
		else if (a[0] == '-' && a[1]) /* a lone '-' is an argument: standard input */
			return usage_error(c, cmd, "unknown option '%s'", a);
		else if (got == npos) /* extra is the caller's, marked with N_() */
			return usage_error(c, cmd, "%s", extra && *extra ? _(extra) : extra);
		else
			pos[got++] = a;
	}
	if (n)
		*n = got;
	return 0;
}

bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

void cmd_usage(struct ctx *c, const struct command *cmd)
{
	/* summary and help are marked with N_() where each command is defined. */
	fprintf(c->out, _("usage: rapport %s\n\n%s\n"), cmd->synopsis,
		*cmd->summary ? _(cmd->summary) : "");
	if (cmd->help && *cmd->help)
		fprintf(c->out, "\n%s", _(cmd->help));
}

int usage_error(struct ctx *c, const struct command *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, gettext(fmt), ap);
	va_end(ap);
	return err_set(&c->err, RERR_USAGE, "%s: %s\nusage: rapport %s", cmd->name, msg,
		       cmd->synopsis);
}

const char *col(const struct ctx *c, enum role r)
{
	static const char *seq[] = { "\033[0m", "\033[1m", "\033[33m", "\033[2m",
				     "\033[32m", "\033[33m", "\033[31m", "\033[36m" };
	return c->color ? seq[r] : "";
}

enum role value_role(const struct field *f, const char *v)
{
	static const char *good[] = { "done", "active", "loyal", "resolved", "closed", "accepted",
				      "delivered", "paid" };
	static const char *warn[] = { "paused", "review", "pending", "prospect", "high", "sent" };
	static const char *bad[] = { "blocked", "at_risk", "churned", "critical", "cancelled",
				     "rejected", "terminated", "expired" };
	if (!v || f->type != FT_CHOICE)
		return C_RESET;
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		if (!strcmp(v, good[i]))
			return C_GOOD;
	for (size_t i = 0; i < ARRAY_LEN(warn); i++)
		if (!strcmp(v, warn[i]))
			return C_WARN;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (!strcmp(v, bad[i]))
			return C_BAD;
	return C_RESET;
}

static char *group_number(const char *v)
{
	double d = strtod(v, NULL);
	if (fabs(d) < 1000 || fabs(d) >= 1e15)
		return xstrdup(v);
	char raw[64];
	bool frac = d != floor(d);
	snprintf(raw, sizeof raw, frac ? "%.2f" : "%.0f", fabs(d));
	char *dot = strchr(raw, '.');
	size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
	struct buf b = BUF_INIT;
	if (d < 0)
		buf_addc(&b, '-');
	for (size_t i = 0; i < ilen; i++) {
		if (i && (ilen - i) % 3 == 0)
			buf_addc(&b, ',');
		buf_addc(&b, raw[i]);
	}
	if (dot)
		buf_adds(&b, dot);
	return buf_detach(&b);
}

char *display_value(struct ctx *c, const struct field *f, const char *v)
{
	if (!v)
		return xstrdup("");
	switch (f->type) {
	case FT_REF: return xstrdup(ws_title(c->ws, v));
	case FT_REFS: {
		struct strv ids = STRV_INIT, names = STRV_INIT;
		strv_split(&ids, v, ',');
		for (size_t i = 0; i < ids.n; i++)
			strv_push(&names, ws_title(c->ws, ids.v[i]));
		char *s = strv_join(&names, ", ");
		strv_clear(&ids);
		strv_clear(&names);
		return s;
	}
	case FT_BOOL: return xstrdup(!strcmp(v, "true") ? _("yes") : _("no"));
	case FT_CHOICE: return xstrdup(choice_label(v));
	case FT_NUMBER: return group_number(v);
	case FT_DATETIME:
		/* 2026-11-22T10:30:00Z reads as 2026-11-22 10:30 in tables and lists. */
		if (strlen(v) == 20)
			return xasprintf("%.10s %.5s", v, v + 11);
		return xstrdup(v);
	case FT_SET: {
		char *s = xstrdup(v);
		for (char *p = s; *p; p++)
			if (*p == ',')
				*p = ' ';
		return s;
	}
	default: return xstrdup(v);
	}
}

/* ---- tables ---- */

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = xcalloc(ncols, sizeof(bool));
}

void table_cell(struct table *t, const char *s, enum role r)
{
	strv_push(&t->cells, s ? s : "");
	if (t->cells.n > t->nroles)
		t->roles = xrealloc(t->roles, (t->nroles = 2 * t->cells.n + 16) * sizeof(*t->roles));
	t->roles[t->cells.n - 1] = r;
}

void table_right(struct table *t, size_t col) { t->right[col] = true; }

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	return cols && atoi(cols) > 20 ? atoi(cols) : 80;
}

void table_print(struct ctx *c, struct table *t, int indent)
{
	size_t nrows = t->ncols ? t->cells.n / t->ncols : 0;
	int *w = xcalloc(t->ncols, sizeof(int));
	for (size_t i = 0; i < t->cells.n; i++) {
		int cw = utf8_width(t->cells.v[i]);
		/* Long text is cut in a table; `show` prints it whole. */
		if (cw > 48)
			cw = 48;
		if (cw > w[i % t->ncols])
			w[i % t->ncols] = cw;
	}
	if (c->tty) {
		int total = indent, avail = term_width();
		for (size_t k = 0; k < t->ncols; k++)
			total += w[k] + (k ? 2 : 0);
		while (total > avail) {
			size_t widest = 0;
			for (size_t k = 1; k < t->ncols; k++)
				if (w[k] > w[widest])
					widest = k;
			if (w[widest] <= 6)
				break;
			w[widest]--;
			total--;
		}
	}
	struct buf line = BUF_INIT;
	for (size_t r = 0; r < nrows; r++) {
		buf_reset(&line);
		buf_addrep(&line, ' ', (size_t)indent);
		for (size_t k = 0; k < t->ncols; k++) {
			size_t i = r * t->ncols + k;
			bool last = k + 1 == t->ncols;
			enum role role = r == 0 ? C_HEAD : t->roles[i];
			if (k)
				buf_adds(&line, "  ");
			if (role != C_RESET)
				buf_adds(&line, col(c, role));
			if (t->right[k]) {
				int cw = utf8_width(t->cells.v[i]);
				if (cw < w[k])
					buf_addrep(&line, ' ', (size_t)(w[k] - cw));
				term_safe(&line, t->cells.v[i], w[k], 0);
			} else
				term_safe(&line, t->cells.v[i], w[k], last ? 0 : w[k]);
			if (role != C_RESET)
				buf_adds(&line, col(c, C_RESET));
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		fprintf(c->out, "%s\n", line.data);
	}
	buf_release(&line);
	free(w);
}

void table_records_head(struct table *t, const struct field *const *cols, size_t ncols)
{
	table_init(t, ncols + 1);
	table_cell(t, "ID", C_HEAD);
	for (size_t i = 0; i < ncols; i++) {
		char label[64];
		field_label(cols[i], label, sizeof label);
		for (char *p = label; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		table_cell(t, label, C_HEAD);
		if (cols[i]->type == FT_NUMBER || cols[i]->type == FT_INT)
			table_right(t, i + 1);
	}
}

void table_record(struct ctx *c, struct table *t, const struct record *r,
		  const struct field *const *cols, size_t ncols)
{
	char sid[9];
	snprintf(sid, sizeof sid, "%.8s", r->id);
	table_cell(t, sid, C_ID);
	for (size_t i = 0; i < ncols; i++) {
		const char *v = record_get(r, cols[i]->name);
		char *d = display_value(c, cols[i], v);
		table_cell(t, d, value_role(cols[i], v));
		free(d);
	}
}

void table_free(struct table *t)
{
	strv_clear(&t->cells);
	free(t->roles);
	free(t->right);
	memset(t, 0, sizeof(*t));
}

/* ---- JSON ---- */

void json_money(struct json *j, const char *key, const struct msum *m)
{
	bool single;
	double v = msum_one(m, &single);
	json_key(j, key);
	if (single)
		json_num(j, v);
	else
		json_null(j);
	char *k = xasprintf("%s_by_currency", key);
	json_key(j, k);
	free(k);
	json_obj_open(j);
	for (size_t i = 0; i < m->n; i++) {
		json_key(j, m->v[i].cur);
		json_num(j, m->v[i].v);
	}
	json_obj_close(j);
}

static void json_value(struct json *j, const struct field *f, const char *v)
{
	if (!v) {
		json_null(j);
		return;
	}
	switch (f->type) {
	case FT_NUMBER: json_num(j, strtod(v, NULL)); break;
	case FT_INT: json_int(j, strtoll(v, NULL, 10)); break;
	case FT_BOOL: json_bool(j, !strcmp(v, "true")); break;
	case FT_SET:
	case FT_REFS: {
		struct strv items = STRV_INIT;
		strv_split(&items, v, ',');
		json_arr_open(j);
		for (size_t i = 0; i < items.n; i++)
			json_str(j, items.v[i]);
		json_arr_close(j);
		strv_clear(&items);
		break;
	}
	default: json_str(j, v);
	}
}

void json_record(struct json *j, const struct record *r)
{
	json_obj_open(j);
	json_key(j, "kind");
	json_str(j, r->ki->k->name);
	json_key(j, "id");
	json_str(j, r->id);
	for (size_t i = 0; i < r->ki->nf; i++) {
		json_key(j, r->ki->f[i]->name);
		json_value(j, r->ki->f[i], r->val[i]);
	}
	json_key(j, "created");
	json_str(j, r->created);
	json_key(j, "updated");
	json_str(j, r->updated);
	json_key(j, "author");
	json_str(j, r->author);
	json_key(j, "deleted");
	json_bool(j, r->deleted != 0);
	json_obj_close(j);
}

void json_flush(struct ctx *c, struct buf *b)
{
	fwrite(b->data, 1, b->len, c->out);
	fputc('\n', c->out);
}

int engine_refuses(struct ctx *c, const struct kindinfo *ki)
{
	if (!(ki->k->flags & K_ENGINE))
		return 0;
	return err_set(&c->err, RERR_INPUT,
		       "%ss are written by the process engine: 'rapport advance' moves a record, "
		       "'rapport approve', 'reject' and 'withdraw' decide its approvals",
		       kind_label(ki->k));
}

void out_safe(struct ctx *c, const char *s)
{
	struct buf b = BUF_INIT;
	term_text(&b, s);
	fputs(b.data, c->out);
	buf_release(&b);
}

int status_date(struct ctx *c, const char *at, char out[11])
{
	time_t now = clock_now(), t = now;
	if (at && !date_relative(at, now, &t) && !datetime_parse(at, &t))
		return err_set(&c->err, RERR_INPUT, "--at: '%s' is not a date (YYYY-MM-DD)", at);
	fmt_date(out, t);
	return 0;
}

/* ---- progress ---- */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void ctx_progress(struct ctx *c, const char *what, double fraction)
{
	if (!c->progress)
		return;
	double now = mono();
	if (c->progress_start <= 0) {
		c->progress_start = now;
		c->progress_last = 0;
	}
	if (fraction >= 1) {
		if (c->progress_last > 0)
			c->progress(c->progress_arg, what, 1);
		c->progress_start = c->progress_last = 0;
		return;
	}
	const char *after = getenv("RAPPORT_PROGRESS_AFTER");
	double wait = after && *after ? atof(after) : 0.5;
	if (now - c->progress_start < wait || now - c->progress_last < 0.1)
		return;
	bool first = c->progress_last == 0;
	c->progress_last = now;
	c->progress(c->progress_arg, what, fraction < 0 ? 0 : fraction);
	if (first)
		crashpoint("progress"); /* RAPPORT_PAUSE=progress:FILE holds the bar for tests */
}

void progress_stderr(void *arg, const char *what, double fraction)
{
	(void)arg;
	if (fraction >= 1) {
		fputs("\r\033[K", stderr);
		return;
	}
	char bar[31];
	int full = (int)(fraction * 30);
	for (int i = 0; i < 30; i++)
		bar[i] = i < full ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%%", what, bar, fraction * 100);
	fflush(stderr);
}
