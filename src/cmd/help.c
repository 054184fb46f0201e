/*
 * help.c — `rapport help [COMMAND]`: the command list, or one command's help — the same text
 * that `COMMAND --help` prints and that rapport(1) documents (a test keeps them in step).
 */
#include "cmd.h"

#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_help = {
	"help", run, "help [COMMAND]", N_("Show help for rapport or one command."), "", CMD_PAGER,
};

void help_overview(struct ctx *c)
{
	fputs(_("usage: rapport [-C DIR] [--json] [--no-color] COMMAND [ARGS]\n\n"
		"rapport keeps the whole customer picture — contacts, conversations, projects,\n"
		"contracts, invoices, tickets, surveys — in a local workspace.\n\nCommands:\n"),
	      c->out);
	for (size_t i = 0; commands[i]; i++)
		if (!(commands[i]->flags & CMD_HIDDEN))
			fprintf(c->out, "  %-10s %s\n", commands[i]->name,
				*commands[i]->summary ? _(commands[i]->summary) : "");
	fputc('\n', c->out);
	fputs(_("Global options:\n"
		"  -C DIR       use the workspace in DIR (else $RAPPORT_DIR, else the nearest\n"
		"               parent directory holding .rapport/)\n"
		"  --json       machine-readable output (list, show, search, fields)\n"
		"  --no-color   no colour (also when NO_COLOR is set or output is not a terminal)\n"
		"  --version    print the version\n\n"
		"With no command, on a terminal inside a workspace, rapport opens the TUI.\n"
		"'rapport help COMMAND' or 'rapport COMMAND --help' for one command; man rapport.\n"),
	      c->out);
}

static int run(struct ctx *c, int argc, char **argv)
{
	if (argc > 2)
		return usage_error(c, &cmd_help, "too many arguments");
	if (argc == 1) {
		help_overview(c);
		return 0;
	}
	const struct command *cmd = command_find(argv[1]);
	if (!cmd)
		return err_set(&c->err, RERR_USAGE, "help: '%s' is not a rapport command", argv[1]);
	cmd_usage(c, cmd);
	return 0;
}
