/*
 * init.c — `rapport init [DIR]`: creates a workspace. Everything a workspace needs later (the
 * snapshot repository, hooks) is created on first use, so init stays small and cannot half-fail.
 */
#include "cmd.h"

#include <stdlib.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_init = {
	"init", run, "init [DIR]", N_("Create an empty workspace in DIR (default: the current directory)."),
	N_("A workspace is a directory holding .rapport/: the SQLite database, local config and,\n"
	"once synced, the snapshot repository. DIR is created if it does not exist.\n"),
	0,
};

static int run(struct ctx *c, int argc, char **argv)
{
	if (argc > 2)
		return usage_error(c, &cmd_init, "too many arguments");
	const char *dir = argc == 2 ? argv[1] : c->cdir ? c->cdir : ".";
	if (argc == 2 && argv[1][0] == '-')
		return usage_error(c, &cmd_init, "unknown option '%s'", argv[1]);
	int rc = ws_create(dir, &c->err);
	if (rc)
		return rc;
	char *abs = realpath(dir, NULL);
	fprintf(c->out, _("Initialized empty rapport workspace in %s/.rapport\n"), abs ? abs : dir);
	free(abs);
	return 0;
}
