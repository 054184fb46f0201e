/*
 * identity.c — who is working, as git knows it. libgit2 reads the same files git does
 * (~/.gitconfig, XDG, /etc/gitconfig), so a team member configured for git needs no setup here.
 */
#include "gitlayer.h"
#include "util.h"

#include <git2.h>
#include <stdlib.h>

static char *get(git_config *cfg, const char *key)
{
	git_buf b = { 0 };
	char *v = NULL;
	if (git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && *b.ptr)
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	return v;
}

void gitl_identity(char **name, char **email)
{
	git_config *cfg = NULL;
	*name = *email = NULL;
	git_libgit2_init();
	if (git_config_open_default(&cfg) == 0) {
		*name = get(cfg, "user.name");
		*email = get(cfg, "user.email");
		git_config_free(cfg);
	}
	git_libgit2_shutdown();
}
