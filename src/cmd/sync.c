/*
 * sync.c — `rapport sync [REMOTE]`, `pull [REMOTE]` and `push [REMOTE]`: the exchange of
 * snapshots with the team's remote (src/sync does the work; this file is the front).
 */
#include "cmd.h"
#include "rules.h"
#include "sync.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_sync = {
	"sync", run, "sync [REMOTE]", N_("Snapshot, pull, merge and push: exchange work with the team."),
	N_("Commits what changed here as a snapshot, fetches the remote (default: origin), merges\n"
	"field by field, imports the result in one transaction and pushes. A push the remote\n"
	"rejects (someone pushed first) is retried by fetching and merging again; nothing is ever\n"
	"force-pushed. Values both sides changed are settled by the newest write and the other\n"
	"value is kept as a conflict: see 'rapport conflicts'. Files from the remote that are not\n"
	"valid records are reported and skipped. Without a remote, only the snapshot is made.\n"),
	CMD_WS,
};

const struct command cmd_pull = {
	"pull", run, "pull [REMOTE]", N_("Snapshot, fetch and merge, without pushing."),
	N_("Like sync, but what is merged here is not sent back.\n"), CMD_WS,
};

const struct command cmd_push = {
	"push", run, "push [REMOTE]", N_("Snapshot and push (fails if the remote has new work)."),
	N_("Sends local snapshots. When the remote has snapshots this workspace has not merged yet,\n"
	"push fails and says so: run 'rapport sync'.\n"),
	CMD_WS,
};

int ctx_repo(struct ctx *c, struct gitl **g)
{
	int rc = ctx_open(c);
	return rc ? rc : sync_open(c->ws, g, &c->err);
}

void sync_interactive(struct ctx *c)
{
	const char *q = getenv("RAPPORT_QUIET");
	gitl_interactive(c->tty && c->out == stdout && isatty(2) && !(q && *q));
}

void sync_print(struct ctx *c, const struct sync_report *rep, const char *remote)
{
	/* On stderr for the CLI; with the rest when captured (the TUI shows it on screen). */
	FILE *w = c->out == stdout ? stderr : c->out;
	for (size_t i = 0; i < rep->warnings.n; i++) {
		struct buf b = BUF_INIT;
		term_text(&b, rep->warnings.v[i]);
		fprintf(w, _("rapport: warning: remote file %s\n"), b.data);
		buf_release(&b);
	}
	if (rep->skewed) {
		char ago[64];
		fmt_span(ago, sizeof ago, rep->skew_ms);
		fprintf(w,
			P_("rapport: warning: %ld record from replica %.8s carries a clock up to %s "
			   "ahead of this machine's: not adopted, and in merges counted as no later "
			   "than its snapshot's time (setting sync.max_skew); check that machine's "
			   "clock\n",
			   "rapport: warning: %ld records from replica %.8s carry a clock up to %s "
			   "ahead of this machine's: not adopted, and in merges counted as no later "
			   "than its snapshot's time (setting sync.max_skew); check that machine's "
			   "clock\n",
			   (unsigned long)rep->skewed),
			rep->skewed, rep->skew_replica, ago);
	}
	if (c->json)
		return;
	if (rep->held)
		fprintf(c->out,
			P_("%s%ld record held: the team's copy could not be read here; see "
			   "'rapport conflicts'.%s\n",
			   "%s%ld records held: the team's copy could not be read here; see "
			   "'rapport conflicts'.%s\n",
			   (unsigned long)rep->held),
			col(c, C_WARN), rep->held, col(c, C_RESET));
	if (rep->broken)
		fprintf(c->out,
			P_("%s%ld record came in breaking a rule of its kind; see 'rapport "
			   "conflicts'.%s\n",
			   "%s%ld records came in breaking a rule of their kind; see 'rapport "
			   "conflicts'.%s\n",
			   (unsigned long)rep->broken),
			col(c, C_WARN), rep->broken, col(c, C_RESET));
	if (rep->restored)
		fprintf(c->out,
			P_("%ld record missing from the remote's snapshot written again.\n",
			   "%ld records missing from the remote's snapshot written again.\n",
			   (unsigned long)rep->restored),
			rep->restored);
	if (rep->committed)
		fprintf(c->out,
			P_("Snapshot: %ld record\n", "Snapshot: %ld records\n",
			   (unsigned long)rep->exported),
			rep->exported);
	if (rep->fetched && rep->remote_empty)
		fprintf(c->out, _("The remote %s is empty.\n"), remote);
	if (rep->imported)
		fprintf(c->out,
			P_("Merged %ld record from %s.\n", "Merged %ld records from %s.\n",
			   (unsigned long)rep->imported),
			rep->imported, remote);
	if (rep->conflicts)
		fprintf(c->out,
			P_("%s%ld conflict%s: see 'rapport conflicts'.\n",
			   "%s%ld conflicts%s: see 'rapport conflicts'.\n",
			   (unsigned long)rep->conflicts),
			col(c, C_WARN), rep->conflicts, col(c, C_RESET));
	if (rep->pushed && rep->retries)
		fprintf(c->out, _("Pushed to %s (after merging what others pushed meanwhile).\n"),
			remote);
	else if (rep->pushed)
		fprintf(c->out, _("Pushed to %s.\n"), remote);
	if (rep->head[0])
		fprintf(c->out, _("At snapshot %.8s.\n"), rep->head);
}

static int run(struct ctx *c, int argc, char **argv)
{
	const struct command *cmd = !strcmp(argv[0], "pull")   ? &cmd_pull
				    : !strcmp(argv[0], "push") ? &cmd_push
							       : &cmd_sync;
	unsigned what = cmd == &cmd_pull ? SYNC_PULL : cmd == &cmd_push ? SYNC_PUSH
									: SYNC_PULL | SYNC_PUSH;
	struct sync_report rep = { 0 };
	int rc;
	if (argc > 2)
		return usage_error(c, cmd, "too many arguments");
	if (argc == 2 && argv[1][0] == '-')
		return usage_error(c, cmd, "unknown option '%s'", argv[1]);
	if ((rc = ctx_open(c)))
		return rc;
	sync_interactive(c);
	/* sync with no remote yet still keeps history: a local snapshot. */
	struct gitl *g = NULL;
	char *def = NULL;
	if (cmd == &cmd_sync && argc == 1 && !(rc = sync_open(c->ws, &g, &c->err))) {
		def = sync_default_remote(g);
		gitl_close(g);
		if (!def)
			what = 0;
	}
	free(def);
	if (rc)
		return rc;
	rc = sync_run(c->ws, argc == 2 ? argv[1] : NULL, what, &rep, &c->err);
	if (!rc && !what && !c->json)
		fputs(_("No remote yet: the snapshot is kept here. Share it with 'rapport "
			"remote add origin URL' and 'rapport sync'.\n"),
		      c->out);
	if (!rc || rep.committed)
		sync_print(c, &rep, argc == 2 ? argv[1] : "origin");
	/* What others did may need attention: the rules run on the merged data. */
	if (!rc && rep.imported && rules_exist(c->ws)) {
		struct rules_report rr = { 0 };
		char today[11];
		fmt_date(today, clock_now());
		if (!rules_evaluate(c->ws, today, &rr, &c->err) && rr.raised + rr.reopened && !c->json)
			fprintf(c->out,
				P_("%ld new alert: see 'rapport alerts'.\n",
				   "%ld new alerts: see 'rapport alerts'.\n",
				   (unsigned long)(rr.raised + rr.reopened)),
				rr.raised + rr.reopened);
		err_clear(&c->err);
		rules_report_free(&rr);
	}
	if (!rc && c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_obj_open(&j);
		json_key(&j, "head");
		json_str(&j, rep.head);
		json_key(&j, "exported");
		json_int(&j, rep.exported);
		json_key(&j, "imported");
		json_int(&j, rep.imported);
		json_key(&j, "conflicts");
		json_int(&j, rep.conflicts);
		json_key(&j, "pushed");
		json_bool(&j, rep.pushed);
		json_key(&j, "held");
		json_int(&j, rep.held);
		json_key(&j, "broken");
		json_int(&j, rep.broken);
		json_key(&j, "restored");
		json_int(&j, rep.restored);
		json_key(&j, "clock_skewed");
		json_int(&j, rep.skewed);
		json_key(&j, "skipped");
		json_arr_open(&j);
		for (size_t i = 0; i < rep.warnings.n; i++)
			json_str(&j, rep.warnings.v[i]);
		json_arr_close(&j);
		json_obj_close(&j);
		json_flush(c, &b);
		buf_release(&b);
	}
	sync_report_free(&rep);
	return rc;
}
