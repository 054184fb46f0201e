/*
 * remote.c — `rapport remote add NAME URL | remove NAME | list` and `rapport clone URL [DIR]`.
 * Remotes live in the snapshot repository's git config, as git keeps them.
 */
#include "cmd.h"
#include "sync.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int run_remote(struct ctx *c, int argc, char **argv);
static int run_clone(struct ctx *c, int argc, char **argv);

const struct command cmd_remote = {
	"remote", run_remote, "remote add NAME URL | remote remove NAME | remote list",
	N_("Manage the remotes this workspace syncs with."),
	N_("URL is any git remote: a path or file:// URL of a bare repository (a shared disk), ssh\n"
	"(ssh://host/path or host:path; ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa; the\n"
	"host must be in ~/.ssh/known_hosts) or https (a token in $RAPPORT_GIT_TOKEN, else git's\n"
	"credential helpers). Create the shared remote once with 'git init --bare'.\n"),
	CMD_WS,
};

const struct command cmd_clone = {
	"clone", run_clone, "clone URL [DIR]", N_("Create a workspace from a team's remote."),
	N_("DIR defaults to the last part of URL without .git. The new workspace has the remote as\n"
	"'origin' and every record of its latest snapshot. If the clone fails, nothing is left.\n"),
	0,
};

/* A relative path to an existing directory becomes absolute, so the remote works from anywhere.
 * Relative to -C DIR when given, as if rapport had been started there (like git -C). */
static char *remote_url(const char *base, const char *url)
{
	struct stat sb;
	if (url[0] != '/' && !strstr(url, "://")) {
		char *p = base ? xasprintf("%s/%s", base, url) : xstrdup(url);
		char *abs = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) ? realpath(p, NULL) : NULL;
		free(p);
		if (abs)
			return abs;
	}
	return xstrdup(url);
}

static int run_remote(struct ctx *c, int argc, char **argv)
{
	struct gitl *g = NULL;
	const char *sub = argc > 1 ? argv[1] : "list";
	int want = !strcmp(sub, "add") ? 4 : !strcmp(sub, "remove") ? 3 : !strcmp(sub, "list") ? 2 : 0;
	int rc;
	if (!want)
		return usage_error(c, &cmd_remote, "'%s' is not add, remove or list", sub);
	if (argc > want)
		return usage_error(c, &cmd_remote, "too many arguments");
	if (argc < want && strcmp(sub, "list"))
		return usage_error(c, &cmd_remote, "missing arguments");
	if ((rc = ctx_repo(c, &g)))
		return rc;
	if (!strcmp(sub, "add")) {
		char *url = remote_url(c->cdir, argv[3]);
		if (!(rc = gitl_remote_add(g, argv[2], url, &c->err)))
			fprintf(c->out, _("Added remote %s: %s\n"), argv[2], url);
		free(url);
	} else if (!strcmp(sub, "remove")) {
		if (!(rc = gitl_remote_remove(g, argv[2], &c->err)))
			fprintf(c->out, _("Removed remote %s\n"), argv[2]);
	} else {
		struct strv names = STRV_INIT, urls = STRV_INIT;
		if (!(rc = gitl_remote_list(g, &names, &urls, &c->err))) {
			if (c->json) {
				struct buf b = BUF_INIT;
				struct json j;
				json_init(&j, &b, c->tty);
				json_arr_open(&j);
				for (size_t i = 0; i < names.n; i++) {
					json_obj_open(&j);
					json_key(&j, "name");
					json_str(&j, names.v[i]);
					json_key(&j, "url");
					json_str(&j, urls.v[i]);
					json_obj_close(&j);
				}
				json_arr_close(&j);
				json_flush(c, &b);
				buf_release(&b);
			} else
				for (size_t i = 0; i < names.n; i++)
					fprintf(c->out, "%s\t%s\n", names.v[i], urls.v[i]);
		}
		strv_clear(&names);
		strv_clear(&urls);
	}
	gitl_close(g);
	return rc;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	return remove(p);
}

static int run_clone(struct ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return usage_error(c, &cmd_clone, "clone what? (a URL)");
	if (argc > 3)
		return usage_error(c, &cmd_clone, "too many arguments");
	if (argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-'))
		return usage_error(c, &cmd_clone, "unknown option '%s'",
				   argv[1][0] == '-' ? argv[1] : argv[2]);
	char *url = remote_url(NULL, argv[1]), *dir;
	if (argc == 3)
		dir = xstrdup(argv[2]);
	else {
		size_t n = strlen(url);
		while (n > 1 && url[n - 1] == '/')
			n--;
		size_t s = n;
		while (s > 0 && url[s - 1] != '/' && url[s - 1] != ':')
			s--;
		size_t e = n;
		if (e - s > 4 && !strncmp(url + e - 4, ".git", 4))
			e -= 4;
		dir = xstrndup(url + s, e - s);
		if (!*dir || !strcmp(dir, ".") || !strcmp(dir, "..")) {
			free(dir);
			dir = xstrdup("rapport");
		}
	}
	struct stat sb;
	bool existed = stat(dir, &sb) == 0;
	struct sync_report rep = { 0 };
	struct gitl *g = NULL;
	char *dot = NULL;
	int rc = ws_create(dir, &c->err);
	if (rc)
		goto out;
	dot = xasprintf("%s/%s", dir, WS_DIRNAME);
	c->cdir = dir;
	if ((rc = ctx_repo(c, &g)) || (rc = gitl_remote_add(g, "origin", url, &c->err)))
		goto fail;
	gitl_close(g);
	g = NULL;
	sync_interactive(c);
	if ((rc = sync_run(c->ws, "origin", SYNC_PULL, &rep, &c->err)))
		goto fail;
	sync_print(c, &rep, "origin");
	fprintf(c->out, _("Cloned %s into %s\n"), url, dir);
	goto out;
fail:
	/* Leave nothing behind: the workspace (and the directory, if clone made it). */
	gitl_close(g);
	g = NULL;
	ws_close(c->ws);
	c->ws = NULL;
	nftw(existed ? dot : dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
out:
	gitl_close(g);
	sync_report_free(&rep);
	free(dot);
	free(url);
	c->cdir = NULL; /* pointed into dir; the workspace stays open for main to close */
	free(dir);
	return rc;
}
