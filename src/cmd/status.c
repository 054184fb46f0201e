/*
 * status.c — `rapport status`: where this workspace stands against the team: local changes not
 * yet in a snapshot, snapshots ahead of and behind the remote (as of the last fetch), and open
 * conflicts. It reads only: no fetch, no write.
 */
#include "cmd.h"
#include "sync.h"

#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_status = {
	"status", run, "status", N_("Local changes, ahead/behind the remote, open conflicts."),
	N_("Ahead and behind count snapshots against the remote as of the last sync or fetch.\n"),
	CMD_WS,
};

static int run(struct ctx *c, int argc, char **argv)
{
	struct sync_status s;
	int rc;
	if (argc > 1)
		return usage_error(c, &cmd_status, "unexpected '%s'", argv[1]);
	if ((rc = ctx_open(c)) || (rc = sync_status(c->ws, &s, &c->err)))
		return rc;
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_obj_open(&j);
		json_key(&j, "snapshot");
		json_str(&j, s.have_head ? s.head : NULL);
		json_key(&j, "local_changes");
		json_int(&j, s.local);
		json_key(&j, "remote");
		json_str(&j, s.remote[0] ? s.remote : NULL);
		json_key(&j, "ahead");
		json_int(&j, (long long)s.ahead);
		json_key(&j, "behind");
		json_int(&j, (long long)s.behind);
		json_key(&j, "conflicts");
		json_int(&j, s.conflicts);
		json_key(&j, "held");
		json_int(&j, s.held);
		json_key(&j, "clock_skew_ms");
		json_int(&j, s.skewed ? s.skew_ms : 0);
		json_obj_close(&j);
		json_flush(c, &b);
		buf_release(&b);
		return 0;
	}
	if (s.have_head)
		fprintf(c->out, _("On snapshot %s%.8s%s\n"), col(c, C_ID), s.head, col(c, C_RESET));
	else
		fprintf(c->out, _("No snapshot yet.\n"));
	fprintf(c->out, _("Local changes not yet snapshotted: %ld\n"), s.local);
	if (!s.remote[0])
		fprintf(c->out, _("No remote: 'rapport remote add origin URL' to share.\n"));
	else if (!s.have_remote)
		fprintf(c->out, _("Remote %s: nothing fetched yet ('rapport sync').\n"), s.remote);
	else
		fprintf(c->out, _("Remote %s: %zu ahead, %zu behind (as of the last sync)\n"), s.remote,
			s.ahead, s.behind);
	if (s.conflicts) {
		fputs(col(c, C_WARN), c->out);
		fprintf(c->out,
			P_("Conflicts: %ld record ('rapport conflicts')",
			   "Conflicts: %ld records ('rapport conflicts')", (unsigned long)s.conflicts),
			s.conflicts);
		fprintf(c->out, "%s\n", col(c, C_RESET));
	} else
		fprintf(c->out, _("Conflicts: none\n"));
	if (s.held) {
		fputs(col(c, C_WARN), c->out);
		fprintf(c->out,
			P_("Held: %ld record (the team's copy could not be taken as it is; "
			   "'rapport conflicts')",
			   "Held: %ld records (the team's copy could not be taken as it is; "
			   "'rapport conflicts')",
			   (unsigned long)s.held),
			s.held);
		fprintf(c->out, "%s\n", col(c, C_RESET));
	}
	if (s.skewed) {
		char span[64];
		fmt_span(span, sizeof span, s.skew_ms);
		fputs(col(c, C_WARN), c->out);
		fprintf(c->out,
			P_("Clock: a sync met %ld record from replica %.8s stamped up to %s ahead of "
			   "this machine; not adopted (setting sync.max_skew)",
			   "Clock: a sync met %ld records from replica %.8s stamped up to %s ahead of "
			   "this machine; not adopted (setting sync.max_skew)",
			   (unsigned long)s.skewed),
			s.skewed, s.skew_replica, span);
		fprintf(c->out, "%s\n", col(c, C_RESET));
	}
	return 0;
}
