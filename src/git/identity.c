/*
 * identity.c — who is working, as git knows it. libgit2 reads the same files git does
 * (~/.gitconfig, XDG, /etc/gitconfig), so a team member configured for git needs no setup here.
 *
 * Starting libgit2 costs more than the rest of a short command together (with Debian's mbedTLS
 * it parses the whole CA bundle), and a command that writes needs the author's name. So the
 * answer is kept in a small cache file next to the workspace, valid while every config file git
 * would read is exactly as it was (path, size, inode, modification time to the nanosecond). A
 * config that includes other files is never cached: those files could change unseen.
 */
#include "gitlayer.h"
#include "util.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static char *get(git_config *cfg, const char *key)
{
	git_buf b = { 0 };
	char *v = NULL;
	if (git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && *b.ptr)
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	return v;
}

static void from_libgit2(char **name, char **email)
{
	git_config *cfg = NULL;
	git_libgit2_init();
	if (git_config_open_default(&cfg) == 0) {
		*name = get(cfg, "user.name");
		*email = get(cfg, "user.email");
		git_config_free(cfg);
	}
	git_libgit2_shutdown();
}

/* Whether a config file names others to read ([include], [includeIf]). */
static bool includes(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	bool found = false;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f))
		for (const char *p = line; *p && !found; p++)
			found = !strncasecmp(p, "include", 7);
	fclose(f);
	return found;
}

/* The state of every file libgit2's default config reads, as one line; false when the answer
 * must not be cached. */
static bool config_state(struct buf *sig)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char *paths[3];
	bool ok = home && *home;
	if (!ok)
		return false;
	paths[0] = xasprintf("%s/.gitconfig", home);
	paths[1] = xdg && *xdg ? xasprintf("%s/git/config", xdg) : xasprintf("%s/.config/git/config", home);
	paths[2] = xstrdup("/etc/gitconfig");
	buf_adds(sig, "rapport git identity 1");
	for (size_t i = 0; i < 3; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) == 0) {
			buf_addf(sig, " %s:%lld:%llu:%lld.%09ld", paths[i], (long long)sb.st_size,
				 (unsigned long long)sb.st_ino, (long long)sb.st_mtim.tv_sec,
				 sb.st_mtim.tv_nsec);
			if (includes(paths[i]))
				ok = false;
		} else {
			buf_addf(sig, " %s:-", paths[i]);
		}
		free(paths[i]);
	}
	return ok && !strchr(sig->data, '\n');
}

static char *line_of(char **p)
{
	char *nl = strchr(*p, '\n');
	if (!nl)
		return NULL;
	*nl = '\0';
	char *v = *p;
	*p = nl + 1;
	return v;
}

void gitl_identity(const char *cache, char **name, char **email)
{
	struct buf sig = BUF_INIT;
	*name = *email = NULL;
	bool cacheable = cache && config_state(&sig);
	if (cacheable) {
		FILE *f = fopen(cache, "r");
		char text[4096];
		size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
		char *p = text, *s = line_of(&p), *nm = s ? line_of(&p) : NULL, *em = nm ? line_of(&p) : NULL;
		if (em && !strcmp(s, sig.data)) {
			*name = *nm ? xstrdup(nm) : NULL;
			*email = *em ? xstrdup(em) : NULL;
			buf_release(&sig);
			return;
		}
	}
	from_libgit2(name, email);
	if (cacheable && !(*name && strchr(*name, '\n')) && !(*email && strchr(*email, '\n'))) {
		/* Written whole or not at all: a reader never sees half a file. Failing to write only
		 * costs the next command the slow path. */
		char *tmp = xasprintf("%s.%ld", cache, (long)getpid());
		FILE *f = fopen(tmp, "w");
		if (f) {
			bool ok = fprintf(f, "%s\n%s\n%s\n", sig.data, *name ? *name : "",
					  *email ? *email : "") > 0;
			ok = fclose(f) == 0 && ok;
			if (!ok || rename(tmp, cache) != 0)
				unlink(tmp);
		}
		free(tmp);
	}
	buf_release(&sig);
}
