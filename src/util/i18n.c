/*
 * i18n.c — the interface language: which gettext catalogue ("rapport", under share/locale)
 * the messages come from, chosen by ui.lang, a report's --lang, or the locale. The only file
 * that calls bindtextdomain and that sets LANGUAGE. Stored data never depends on it: codes
 * are stored, labels are shown.
 */
#include "util.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static char lang_now[32] = "en";

static bool has_catalogue(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof path, "%s/zh_CN/LC_MESSAGES/rapport.mo", dir);
	return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0;
}

/* The catalogues: $RAPPORT_LOCALEDIR; else beside the program, installed
 * (bin/../share/locale) or in the build tree (build/rapport, build/san/rapport → build/locale);
 * else where `make install` puts them. */
static const char *locale_dir(void)
{
	static char found[PATH_MAX];
	const char *env = getenv("RAPPORT_LOCALEDIR");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		const char *rel[] = { "../share/locale", "build/locale", "locale", "../locale" };
		for (size_t i = 0; i < ARRAY_LEN(rel); i++) {
			int m = snprintf(found, sizeof found, "%s/%s", exe, rel[i]);
			if (m > 0 && (size_t)m < sizeof found && has_catalogue(found))
				return found;
		}
	}
	return LOCALEDIR;
}

void i18n_init(void)
{
	bindtextdomain("rapport", locale_dir());
	bind_textdomain_codeset("rapport", "UTF-8");
	textdomain("rapport");
	i18n_lang(NULL);
}

/* glibc reads LANGUAGE only when the messages locale is not "C", and a machine may have no
 * zh_CN locale at all: so a chosen language moves LC_MESSAGES to C.UTF-8 (always there since
 * glibc 2.35) when it is C, and names the catalogue in LANGUAGE, which gettext reads per call.
 * LANG=zh_CN.UTF-8 on a machine without that locale still gets Chinese messages this way. */
static char *env_language; /* LANGUAGE as the user set it, before any setting moved it */
static bool env_saved;

static void messages_not_c(void)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);
	if (!cur || !strcmp(cur, "C") || !strcmp(cur, "POSIX"))
		if (!setlocale(LC_MESSAGES, "C.UTF-8"))
			setlocale(LC_MESSAGES, "en_US.UTF-8");
}

void i18n_lang(const char *setting)
{
	if (!env_saved) {
		const char *v = getenv("LANGUAGE");
		env_language = v && *v ? xstrdup(v) : NULL;
		env_saved = true;
	}
	if (setting && *setting) {
		const char *cat = !strncmp(setting, "zh", 2)		 ? "zh_CN"
				  : !strncmp(setting, "en@pseudo", 9) ? "en@pseudo"
								       : "en";
		messages_not_c();
		setenv("LANGUAGE", cat, 1);
		snprintf(lang_now, sizeof lang_now, "%s", cat[0] == 'z' ? "zh" : "en");
	} else if (env_language) {
		messages_not_c();
		setenv("LANGUAGE", env_language, 1);
		snprintf(lang_now, sizeof lang_now, "%s", text_lang(NULL));
	} else {
		unsetenv("LANGUAGE");
		bool zh = !strcmp(text_lang(NULL), "zh");
		if (zh) {
			messages_not_c();
			setenv("LANGUAGE", "zh_CN", 1);
		}
		snprintf(lang_now, sizeof lang_now, "%s", zh ? "zh" : "en");
	}
	/* A new LANGUAGE takes effect only once gettext's cache is told (textdomain bumps it). */
	textdomain("rapport");
}

const char *i18n_current(void)
{
	return lang_now;
}

const char *i18n_ctx(const char *ctx, const char *msgid)
{
	char key[512];
	if (!msgid || !*msgid)
		return msgid ? msgid : "";
	int n = snprintf(key, sizeof key, "%s\004%s", ctx, msgid);
	if (n < 0 || (size_t)n >= sizeof key)
		return msgid;
	const char *t = dcgettext(NULL, key, LC_MESSAGES);
	return t == key ? msgid : t;
}
