/*
 * field.c — `rapport field add KIND NAME TYPE [CHOICES]`: the team's custom fields. A definition
 * is a record of kind `field` (so it syncs like data); the schema and database grow a column,
 * and from then on the field is validated, listed, filterable, searchable (text) and shown.
 */
#include "cmd.h"

#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_field = {
	"field", run, "field add KIND NAME TYPE [CHOICES] [--label TEXT] [--audience internal|customer|finance]",
	N_("Add a custom field to a record kind."),
	N_("TYPE is text, number, date, bool, choice or ref. A choice field takes its choices as\n"
	"a comma-separated list (gold,silver,bronze); a ref field takes the kind it refers to\n"
	"(contact). NAME is 1 to 40 characters a-z, 0-9 and '_' and must not clash with a field\n"
	"the kind already has. Remove a custom field with 'rapport rm ID' (its values are kept and\n"
	"come back with 'rapport undelete ID'); 'rapport list field' shows the definitions.\n"
	"--audience says who may see its values outside the team: internal (the default: never\n"
	"in a customer-facing export), customer (shown in the customer portal) or finance.\n"
	"Example: rapport field add customer tier choice gold,silver,bronze\n"),
	CMD_WS,
};

static int run(struct ctx *c, int argc, char **argv)
{
	const char *label = NULL, *audience = NULL;
	const char *pos[5];
	int rc;
	const struct opt opts[] = { { "--label", NULL, &label, NULL },
				    { "--audience", NULL, &audience, NULL },
				    { NULL, NULL, NULL, NULL } };
	size_t npos = 0;
	if ((rc = args_parse(c, &cmd_field, argc, argv, opts, pos, 5, &npos, N_("too many arguments"))))
		return rc;
	if (npos == 0 || strcmp(pos[0], "add"))
		return usage_error(c, &cmd_field, "the subcommand is 'add'");
	if (npos < 4)
		return usage_error(c, &cmd_field, "needs KIND, NAME and TYPE");
	if ((rc = ctx_open(c)))
		return rc;
	char id[33];
	rc = ws_field_add(c->ws, pos[1], pos[2], pos[3], npos == 5 ? pos[4] : NULL, label, audience, id,
			  &c->err);
	if (!rc)
		fprintf(c->out, "%s\n", id);
	return rc;
}
