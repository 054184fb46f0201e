/*
 * rm.c — `rapport rm ID...`: deletes records as tombstones. Nothing is erased: a deleted record
 * keeps its data, leaves lists and search, and `undelete` brings it back; sync (later) carries
 * the tombstone to other replicas rather than a missing file.
 */
#include "cmd.h"

#include <stdlib.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_rm = {
	"rm", run, "rm ID...", "Delete records (reversible with undelete).",
	"A deleted record leaves lists, search and the 360 view but keeps its data;\n"
	"'rapport undelete ID' restores it. 'rapport list KIND --deleted' shows deleted records.\n"
	"Records that refer to a deleted one keep their reference.\n",
	CMD_WS,
};

/* Shared by rm and undelete: loads every id first, so one bad id changes nothing. */
int set_deleted(struct ctx *c, const struct command *cmd, int argc, char **argv, int deleted)
{
	int rc;
	if (argc < 2)
		return usage_error(c, cmd, "which record?");
	if ((rc = ctx_open(c)))
		return rc;
	struct record **rs = xcalloc((size_t)argc, sizeof(*rs));
	for (int i = 1; i < argc && !rc; i++) {
		rc = ws_load(c->ws, argv[i], NULL, &rs[i], &c->err);
		if (!rc && rs[i]->deleted == deleted)
			rc = err_set(&c->err, RERR_INPUT, "%s %.8s is %s", rs[i]->ki->k->name,
				     rs[i]->id, deleted ? "already deleted" : "not deleted");
	}
	if (!rc)
		rc = store_begin(c->ws->st, &c->err);
	for (int i = 1; i < argc && !rc; i++) {
		rs[i]->deleted = deleted;
		if (!deleted) {
			/* Undeleting settles a delete-against-edit conflict: the edits are already in. */
			char *rest = conflicts_without(rs[i]->conflicts, "deleted");
			free(rs[i]->conflicts);
			rs[i]->conflicts = rest;
		}
		rc = ws_save(c->ws, rs[i], &c->err);
	}
	if (!rc)
		rc = store_commit(c->ws->st, &c->err);
	else
		store_rollback(c->ws->st);
	for (int i = 1; i < argc; i++) {
		if (!rc && rs[i]) {
			char *t = record_title(rs[i]);
			fprintf(c->out, "%s %s %.8s ", deleted ? "Deleted" : "Restored",
				rs[i]->ki->k->name, rs[i]->id);
			out_safe(c, t);
			fputc('\n', c->out);
			free(t);
		}
		record_free(rs[i]);
	}
	free(rs);
	return rc;
}

static int run(struct ctx *c, int argc, char **argv)
{
	return set_deleted(c, &cmd_rm, argc, argv, 1);
}
