/*
 * sync.c (TUI) — screen 6, Sync: where the workspace stands against the team (local changes,
 * ahead/behind, the remote) and every open conflict with both values, each settled with one
 * key. `s` anywhere syncs. Every action here is the CLI's own command run through the command
 * table (sync, resolve, undelete), so the TUI and the CLI cannot disagree.
 */
#include "tui_int.h"
#include "cmd.h"
#include "sync.h"

#include <stdlib.h>
#include <string.h>

struct syncview {
	struct view v;
	struct lines l;
	struct strv fields; /* parallel to l's lines: the conflict's field, or "" */
	int gen;
};

struct fill {
	struct tui *t;
	struct syncview *s;
	long n;
};

static int add_conflicts(const struct record *r, void *ctx)
{
	struct fill *f = ctx;
	struct text_fields tf;
	struct err e = { 0, "" };
	if (!r->conflicts || record_parse(r->conflicts, &tf, &e))
		return 0;
	char *title = record_title(r);
	for (size_t i = 0; i < tf.n; i++) {
		const char *v = tf.v[i].value;
		if (tf.v[i].name[0] != '!' || !v || strlen(v) < REV_LEN)
			continue;
		const char *field = tf.v[i].name + 1, *other = v[REV_LEN] ? v + REV_LEN + 1 : NULL;
		f->n++;
		const char *kl = kind_label(r->ki->k);
		int pad = text_pad(kl, 10);
		if (!strcmp(field, "deleted")) {
			lines_add(&f->s->l, C_WARN, r->id, "%s%*s %-28.28s %s", kl, pad, "", title,
				  _("deleted on one side, edited on the other (edits kept)"));
		} else {
			const char *cur = record_get(r, field);
			char *what = xasprintf(_("%s: kept %s | other %s (%.10s)"), field,
					       cur ? cur : _("(unset)"), other ? other : _("(unset)"), v);
			lines_add(&f->s->l, C_WARN, r->id, "%s%*s %-28.28s %s", kl, pad, "", title, what);
			free(what);
		}
		strv_push(&f->s->fields, field);
	}
	free(title);
	text_fields_free(&tf);
	return 0;
}

static void add_plain(struct syncview *s, enum role r, const char *text)
{
	lines_add(&s->l, r, NULL, "%s", text);
	strv_push(&s->fields, "");
}

/* "Snapshot      3fa9c0de": a label in a column 14 wide (by display width), then the text. */
static void add_row(struct syncview *s, enum role r, const char *label, const char *text)
{
	char *line = xasprintf("%s%*s%s", label, text_pad(label, 14), "", text);
	add_plain(s, r, line);
	free(line);
}

static void reload(struct tui *t, struct syncview *s)
{
	struct sync_status st;
	struct err e = { 0, "" };
	char line[512];
	lines_clear(&s->l);
	strv_clear(&s->fields);
	s->gen = t->gen;
	if (sync_status(t->w, &st, &e)) {
		add_plain(s, C_BAD, e.msg);
		return;
	}
	if (st.have_head)
		snprintf(line, sizeof line, "%.8s", st.head);
	else
		snprintf(line, sizeof line, "%s", _("none yet"));
	add_row(s, C_RESET, _("Snapshot"), line);
	snprintf(line, sizeof line, _("%ld not yet snapshotted"), st.local);
	add_row(s, C_RESET, _("Local changes"), line);
	if (st.remote[0])
		snprintf(line, sizeof line, _("%s: %zu ahead, %zu behind (as of the last sync)"),
			 st.remote, st.ahead, st.behind);
	else
		snprintf(line, sizeof line, "%s", _("none (:remote add origin URL)"));
	add_row(s, C_RESET, _("Remote"), line);
	add_plain(s, C_RESET, "");
	struct fill f = { t, s, 0 };
	snprintf(line, sizeof line, P_("%ld record", "%ld records", st.conflicts), st.conflicts);
	add_row(s, st.conflicts ? C_WARN : C_GOOD, _("Conflicts"), line);
	if (store_conflicted(t->w->st, &t->w->sc, add_conflicts, &f, &e))
		add_plain(s, C_BAD, e.msg);
	s->l.selectable = true;
}

static void sv_draw(struct tui *t, struct view *v, int y, int h)
{
	struct syncview *s = (struct syncview *)v;
	if (s->gen != t->gen)
		reload(t, s);
	lines_draw(t, &s->l, y, h);
}

static bool sv_key(struct tui *t, struct view *v, int k)
{
	struct syncview *s = (struct syncview *)v;
	long i = s->l.sel;
	const char *field = i >= 0 && (size_t)i < s->fields.n ? s->fields.v[i] : "";
	const char *id = i >= 0 && (size_t)i < s->l.links.n ? s->l.links.v[i] : "";
	char cmd[160];
	if ((k == 'o' || k == 't') && *field && *id) {
		if (!strcmp(field, "deleted") && k == 't')
			snprintf(cmd, sizeof cmd, "undelete %s", id);
		else
			snprintf(cmd, sizeof cmd, "resolve %s %s %s", id, field, k == 'o' ? "ours" : "theirs");
		tui_command(t, cmd);
		return true;
	}
	if (k == 'H' && *id) {
		snprintf(cmd, sizeof cmd, "log %s", id);
		tui_command(t, cmd);
		return true;
	}
	return lines_key(t, &s->l, k);
}

static void sv_free(struct view *v)
{
	struct syncview *s = (struct syncview *)v;
	lines_clear(&s->l);
	strv_clear(&s->fields);
}

static const struct view_ops sync_ops = {
	NC_("screen", "sync"),
	N_("s\tsync now\no\tkeep the current value of the selected conflict\n"
	   "t\ttake the other value (undelete, for a deleted record)\nH\tthe record's history\n"
	   "Enter\topen the record\n"),
	sv_draw, sv_key, NULL, sv_free,
};

struct view *view_sync(struct tui *t)
{
	struct syncview *s = xcalloc(1, sizeof(*s));
	s->v.ops = &sync_ops;
	s->gen = t->gen - 1;
	snprintf(s->v.title, sizeof s->v.title, "%s", _("Sync"));
	return &s->v;
}

void tui_sync(struct tui *t)
{
	tui_message(t, C_MUTED, "Syncing…");
	tui_redraw(t);
	tui_command(t, "sync");
}

const char *tui_sync_bar(struct tui *t)
{
	static char bar[192];
	struct sync_status st;
	struct err e = { 0, "" };
	if (sync_status(t->w, &st, &e) || !st.remote[0])
		return ""; /* a workspace nobody shares has nothing to report */
	int n = 0;
	if (st.remote[0])
		n = snprintf(bar, sizeof bar, " · ↑%zu ↓%zu", st.ahead, st.behind);
	if (st.local)
		n += snprintf(bar + n, sizeof bar - (size_t)n, _(" · %ld unsynced"), st.local);
	if (st.conflicts)
		snprintf(bar + n, sizeof bar - (size_t)n,
			 P_(" · %ld conflict (6)", " · %ld conflicts (6)", st.conflicts), st.conflicts);
	if (!n && !st.conflicts)
		bar[0] = '\0';
	return bar;
}
