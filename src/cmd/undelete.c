/*
 * undelete.c — `rapport undelete ID...`: brings tombstoned records back, exactly as they were.
 */
#include "cmd.h"

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_undelete = {
	"undelete", run, "undelete ID...", "Restore deleted records.",
	"Find deleted records with 'rapport list KIND --deleted'.\n", CMD_WS,
};

static int run(struct ctx *c, int argc, char **argv)
{
	return set_deleted(c, &cmd_undelete, argc, argv, 0);
}
