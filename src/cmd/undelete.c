/*
 * undelete.c — `rapport undelete ID...`: brings tombstoned records back, exactly as they were.
 * What is named is looked for among deleted records (set_deleted in rm.c), by id or by name.
 */
#include "cmd.h"

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_undelete = {
	"undelete", run, "undelete ID...", N_("Restore deleted records."),
	N_("A record is named by id or by name, as elsewhere (a deleted record's name, whole or a\n"
	"unique part). Find deleted records with 'rapport list KIND --deleted'.\n"),
	CMD_WS,
};

static int run(struct ctx *c, int argc, char **argv)
{
	return set_deleted(c, &cmd_undelete, argc, argv, 0);
}
