/*
 * config.c — `rapport config [--global] KEY [VALUE]`: reads or writes settings such as
 * user.name and user.email, in the workspace (.rapport/config) or the user's XDG config file.
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_config = {
	"config", run, "config [--global] KEY [VALUE]", "Read or write a setting.",
	"Keys: user.name and user.email (who you are; default: git's user.name and user.email).\n"
	"Without --global the workspace's .rapport/config is used; with it,\n"
	"$XDG_CONFIG_HOME/rapport/config (default ~/.config/rapport/config). Reading a key\n"
	"looks in the workspace first, then the global file.\n",
	0,
};

static char *global_path(bool mk)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? xasprintf("%s/rapport", xdg)
		    : home && *home ? xasprintf("%s/.config/rapport", home)
				    : NULL;
	if (!dir)
		return NULL;
	if (mk) {
		char *parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));
		mkdir(parent, 0777);
		mkdir(dir, 0777);
		free(parent);
	}
	char *p = xasprintf("%s/config", dir);
	free(dir);
	return p;
}

static int run(struct ctx *c, int argc, char **argv)
{
	bool global = false;
	const char *pos[3];
	int npos = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--global"))
			global = true;
		else if (argv[i][0] == '-')
			return usage_error(c, &cmd_config, "unknown option '%s'", argv[i]);
		else if (npos == 2)
			return usage_error(c, &cmd_config, "too many arguments");
		else
			pos[npos++] = argv[i];
	}
	if (!npos)
		return usage_error(c, &cmd_config, "which key?");
	if (!strchr(pos[0], '.'))
		return usage_error(c, &cmd_config, "'%s' is not section.key", pos[0]);
	char *path = NULL;
	if (global) {
		if (!(path = global_path(npos == 2)))
			return err_set(&c->err, RERR_RUNTIME, "config: no HOME or XDG_CONFIG_HOME");
	} else {
		if ((rc = ctx_open(c)))
			return rc;
		path = xasprintf("%s/config", c->ws->dotdir);
	}
	if (npos == 2) {
		rc = config_file_set(path, pos[0], pos[1], &c->err);
	} else {
		char *v = global ? config_file_get(path, pos[0]) : ws_config_get(c->ws, pos[0]);
		if (v)
			fprintf(c->out, "%s\n", v);
		else
			rc = err_set(&c->err, RERR_NOTFOUND, "config: %s is not set", pos[0]);
		free(v);
	}
	free(path);
	return rc;
}
