/*
 * add.c — `rapport add KIND FIELD=VALUE...`: creates one record and prints its id. All checking
 * is the workspace's (ws_assign, ws_add), so the CLI, forms and import accept exactly the same.
 */
#include "cmd.h"
#include "process.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_add = {
	"add", run, "add KIND FIELD=VALUE... [--template NAME]", N_("Add a record and print its new id."),
	N_("Fields are those of 'rapport fields KIND'. References take an id, a unique id prefix\n"
	"(4+ characters) or a name, whole or a unique part of it: customer=Fabrikam. Dates are\n"
	"YYYY-MM-DD or relative (today, tomorrow, +3d, -2w). Lists take comma-separated items:\n"
	"tags=vip,emea.\n"
	"Unset fields get their defaults (a task's status is todo, an interaction's time is now).\n"
	"--template NAME builds a project from a template (rapport template): its process, its\n"
	"phases, tasks and milestones dated in working days from start=DATE, in one go.\n"
	"Example: rapport add contact customer=Fabrikam name='Li Wei' email=li@fabrikam.example\n"),
	CMD_WS,
};

int kind_arg(struct ctx *c, const char *name, const struct kindinfo **out)
{
	*out = schema_kind(&c->ws->sc, name);
	if (*out)
		return 0;
	char *names = kind_names(&c->ws->sc);
	err_set(&c->err, RERR_USAGE, "'%s' is not a record kind (%s)", name, names);
	free(names);
	return RERR_USAGE;
}

static int run(struct ctx *c, int argc, char **argv)
{
	const struct kindinfo *ki;
	int rc;
	if (argc < 2)
		return usage_error(c, &cmd_add, "which kind of record?");
	if ((rc = ctx_open(c)) || (rc = kind_arg(c, argv[1], &ki)))
		return rc;
	if (ki->k->flags & K_CONFIG)
		return usage_error(c, &cmd_add, "custom fields are added with 'rapport field add'");
	if ((rc = engine_refuses(c, ki)))
		return rc;
	struct record *r = record_new(ki);
	const char *tmpl = NULL;
	for (int i = 2; i < argc && !rc; i++) {
		if (!strcmp(argv[i], "--template")) {
			if (tmpl)
				rc = usage_error(c, &cmd_add, "one --template");
			else if (i + 1 >= argc)
				rc = usage_error(c, &cmd_add, "--template needs a NAME");
			else
				tmpl = argv[++i];
		} else
			rc = ws_assign(c->ws, r, argv[i], &c->err);
	}
	struct template_built b;
	if (!rc && tmpl) {
		if (!(rc = template_build(c->ws, r, tmpl, &b, &c->err)))
			fprintf(stderr,
				_("Built from template %s: %ld phases, %ld tasks, %ld milestones; due %s\n"),
				tmpl, b.phases, b.tasks, b.milestones, b.due);
	} else if (!rc)
		rc = ws_add(c->ws, r, &c->err);
	if (!rc)
		fprintf(c->out, "%s\n", r->id);
	record_free(r);
	return rc;
}
