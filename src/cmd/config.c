/*
 * config.c — `rapport config [--global] KEY [VALUE]`: reads or writes settings such as
 * user.name, user.email and ui.lang, in the workspace (.rapport/config) or the user's XDG config file.
 */
#include "cmd.h"
#include "calendar.h"
#include "health.h"
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_config = {
	"config", run, "config [--global | --team] KEY [VALUE]", N_("Read or write a setting."),
	N_("Keys: user.name and user.email (who you are; default: git's user.name and user.email);\n"
	"ui.lang: en or zh, or a locale of them such as zh_CN (with zh, names sort in Chinese\n"
	"order; default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG).\n"
	"Without --global the workspace's .rapport/config is used; with it,\n"
	"$XDG_CONFIG_HOME/rapport/config (default ~/.config/rapport/config). Reading a key\n"
	"looks in the workspace first, then the global file.\n"
	"--team reads or writes the team's settings, which sync with the records: health weights,\n"
	"anchors and bands (health.project.spi.weight 25, health.band.green 80; see rapport(1),\n"
	"HEALTH), and sync.max_skew, how far ahead of a machine's clock a teammate's clock may be\n"
	"before sync stops adopting it (hours, or 90m, 36h, 2d; default 24h; see rapport(1), SYNC),\n"
	"currency.default, the currency of amounts whose record, contract and project name\n"
	"none (CNY, EUR, USD...), and numbering.project, .contract, .quote and .invoice: the\n"
	"pattern new codes and numbers follow, such as P-{yyyy}-{seq:4} ({yyyy} {yy} {mm} {dd}\n"
	"from the record's date; {seq} counts up and restarts when that date part changes).\n"
	"An empty VALUE removes the setting.\n"),
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

/* Team settings are records of kind `setting`: they sync, and a bad one is refused before it
 * is written (checked by loading the health configuration with it). */
static int team(struct ctx *c, const char *key, const char *value)
{
	struct strv ids = STRV_INIT;
	const struct kindinfo *sk = schema_kind(&c->ws->sc, "setting");
	struct record *r = NULL;
	int rc = store_by_name(c->ws->st, sk, key, 1, &ids, &c->err);
	if (!rc && ids.n)
		rc = store_get(c->ws->st, &c->ws->sc, ids.v[0], &r, &c->err);
	strv_clear(&ids);
	if (rc)
		return rc;
	if (!value) {
		if (r)
			fprintf(c->out, "%s\n", record_get(r, "value"));
		else
			rc = err_set(&c->err, RERR_NOTFOUND, "config: team setting %s is not set", key);
		record_free(r);
		return rc;
	}
	bool skew = !strcmp(key, "sync.max_skew");
	bool cal = !strcmp(key, "calendar.weekend") || !strcmp(key, "calendar.holidays") ||
		   !strcmp(key, "calendar.workdays");
	bool cur = !strcmp(key, "currency.default");
	bool num = !strcmp(key, "numbering.project") || !strcmp(key, "numbering.contract") ||
		   !strcmp(key, "numbering.quote") || !strcmp(key, "numbering.invoice");
	char code[4];
	long long ms;
	if (strncmp(key, "health.", 7) && !skew && !cal && !cur && !num) {
		record_free(r);
		return err_set(&c->err, RERR_INPUT,
			       "config: '%s' is not a team setting (health.…, sync.max_skew, "
			       "calendar.weekend, calendar.holidays, calendar.workdays, "
			       "currency.default, numbering.project, numbering.contract, "
			       "numbering.quote, numbering.invoice)",
			       key);
	}
	if (num && *value && (rc = ws_number_pattern_check(value, &c->err))) {
		err_prefix(&c->err, "config: %s", key);
		record_free(r);
		return rc;
	}
	if (cur && *value) {
		if (!currency_code(value)) {
			record_free(r);
			return err_set(&c->err, RERR_INPUT,
				       "config: currency.default: '%s' is not a currency (a "
				       "three-letter code such as CNY, EUR, USD)",
				       value);
		}
		snprintf(code, sizeof code, "%s", currency_code(value));
		value = code;
	}
	if (skew && *value && (rc = sync_skew_parse(value, &ms, &c->err))) {
		record_free(r);
		return rc;
	}
	if (cal) {
		/* Checked as the calendar will read it, with the other two settings as they are. */
		struct calendar k;
		const char *names[] = { "calendar.weekend", "calendar.holidays", "calendar.workdays" };
		char *v[3];
		for (int i = 0; i < 3; i++)
			v[i] = strcmp(names[i], key) ? ws_setting(c->ws, names[i]) : xstrdup(value);
		rc = calendar_parse(&k, v[0], v[1], v[2], &c->err);
		calendar_free(&k);
		for (int i = 0; i < 3; i++)
			free(v[i]);
		if (rc) {
			record_free(r);
			return rc;
		}
	}
	if (!*value) { /* removal: a tombstone, so it syncs */
		if (r) {
			r->deleted = 1;
			rc = ws_save(c->ws, r, &c->err);
		}
		record_free(r);
		return rc;
	}
	struct health_config cfg;
	bool add = !r;
	if (add) {
		r = record_new(sk);
		rc = ws_put(c->ws, r, kind_field(sk, "name"), key, &c->err);
	}
	if (!rc)
		rc = ws_put(c->ws, r, kind_field(sk, "value"), value, &c->err);
	if (!rc && !(rc = store_begin(c->ws->st, &c->err))) {
		rc = add ? ws_add(c->ws, r, &c->err) : ws_save(c->ws, r, &c->err);
		if (!rc)
			rc = health_config_load(c->ws, &cfg, &c->err);
		rc = rc ? (store_rollback(c->ws->st), rc) : store_commit(c->ws->st, &c->err);
	}
	record_free(r);
	return rc;
}

/* en or zh, alone or as a locale names them (zh_CN, zh-Hans, en_US.UTF-8). */
static bool lang_ok(const char *v)
{
	return (!strncmp(v, "en", 2) || !strncmp(v, "zh", 2)) && strchr("_-.", v[2]) != NULL;
}

static int run(struct ctx *c, int argc, char **argv)
{
	bool global = false, teamwide = false;
	const char *pos[2];
	int rc = 0;
	const struct opt opts[] = { { "--global", &global, NULL, NULL },
				    { "--team", &teamwide, NULL, NULL },
				    { NULL, NULL, NULL, NULL } };
	size_t npos = 0;
	if ((rc = args_parse(c, &cmd_config, argc, argv, opts, pos, 2, &npos, N_("too many arguments"))))
		return rc;
	if (!npos)
		return usage_error(c, &cmd_config, "which key?");
	if (!strchr(pos[0], '.'))
		return usage_error(c, &cmd_config, "'%s' is not section.key", pos[0]);
	if (global && teamwide)
		return usage_error(c, &cmd_config, "--global or --team, not both");
	if (teamwide) {
		if ((rc = ctx_open(c)))
			return rc;
		return team(c, pos[0], npos == 2 ? pos[1] : NULL);
	}
	char *path = NULL;
	if (global) {
		if (!(path = global_path(npos == 2)))
			return err_set(&c->err, RERR_RUNTIME, "config: no HOME or XDG_CONFIG_HOME");
	} else {
		if ((rc = ctx_open(c)))
			return rc;
		path = xasprintf("%s/config", c->ws->dotdir);
	}
	if (npos == 2 && !strcmp(pos[0], "ui.lang") && *pos[1] && !lang_ok(pos[1])) {
		free(path);
		return err_set(&c->err, RERR_INPUT,
			       "config: ui.lang: '%s' is not a language rapport speaks (en, zh, or a "
			       "locale of them such as zh_CN)", pos[1]);
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
