/*
 * main.c — the entry point: global options (-C, --json, --no-color, --version, --help), the
 * locale, colour and pager decisions, dispatch through the command table, and turning a
 * command's error into "rapport: message" and the exit status of rapport(1) EXIT STATUS.
 */
#include "cmd.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* Record text is UTF-8 whatever the user's locale, and widths need a UTF-8 LC_CTYPE. Numbers
 * are read and written with a decimal point whatever the locale: values, JSON, CSV and XLSX
 * are data that other tools and replicas read, and a German LC_NUMERIC made strtod stop at
 * the '.' of 12.5. */
static void setup_locale(void)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8"))
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "en_US.UTF-8");
}

/* ui.lang for what is said before a command opens the workspace (help, usage). */
static void ui_lang(const char *cdir)
{
	char *lang = ws_lang_setting(cdir);
	if (lang && *lang)
		i18n_lang(lang);
	free(lang);
}

static FILE *open_pager(void)
{
	const char *pager = getenv("RAPPORT_PAGER");
	if (!pager)
		pager = getenv("PAGER");
	if (!pager)
		pager = "less";
	if (!*pager || !strcmp(pager, "cat"))
		return NULL;
	/* Like git: quit if one screen, keep colours, do not clear the screen. */
	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
	signal(SIGPIPE, SIG_IGN);
	return popen(pager, "w");
}

int main(int argc, char **argv)
{
	struct ctx c = { .out = stdout };
	bool no_color = false;
	int i;
	setup_locale();
	i18n_init();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-C") && i + 1 < argc)
			c.cdir = argv[++i];
		else if (!strncmp(a, "-C", 2) && a[2])
			c.cdir = a + 2;
		else if (!strcmp(a, "--json"))
			c.json = true;
		else if (!strcmp(a, "--no-color"))
			no_color = true;
		else if (!strcmp(a, "--version")) {
			printf("rapport %s\n", RAPPORT_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ui_lang(c.cdir);
			help_overview(&c);
			return 0;
		} else {
			fprintf(stderr, _("rapport: unknown option '%s'\nusage: rapport [-C DIR] [--json] "
					"[--no-color] COMMAND [ARGS]\n"),
				a);
			return 2;
		}
	}
	ui_lang(c.cdir);
	const struct command *cmd = i < argc ? command_find(argv[i]) : NULL;
	/* Completion gets the words as the shell has them, and nothing here may refuse it. */
	bool verbatim = cmd && (cmd->flags & CMD_VERBATIM);
	if (!verbatim && clock_check(&c.err)) {
		fprintf(stderr, "rapport: %s\n", c.err.msg);
		return 2;
	}
	if (i == argc) {
		/* Bare `rapport` on a terminal, in a workspace, opens the TUI; otherwise, help. */
		char *root = NULL;
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || ws_locate(c.cdir, &root, &c.err)) {
			help_overview(&c);
			return 0;
		}
		free(root);
		cmd = command_find("tui");
	}
	if (!cmd) {
		fprintf(stderr, _("rapport: '%s' is not a rapport command; see 'rapport help'\n"),
			argv[i]);
		return 2;
	}
	if (i == argc)
		i--; /* the TUI runs as if typed: argv[i] stands for the command name */
	/* --json and --no-color may also follow the command, as people type them. */
	int j = verbatim ? argc : i + 1;
	for (int k = j; k < argc; k++) {
		if (!strcmp(argv[k], "--")) {
			while (k < argc)
				argv[j++] = argv[k++];
			break;
		}
		if (!strcmp(argv[k], "--json"))
			c.json = true;
		else if (!strcmp(argv[k], "--no-color"))
			no_color = true;
		else
			argv[j++] = argv[k];
	}
	argc = j;
	argv[argc] = NULL;
	c.tty = isatty_out();
	const char *quiet = getenv("RAPPORT_QUIET");
	if (isatty(STDERR_FILENO) && !(quiet && *quiet))
		c.progress = progress_stderr;
	const char *nc = getenv("NO_COLOR");
	c.color = c.tty && !no_color && !(nc && *nc) && !c.json;
	FILE *pager = NULL;
	if (c.tty && (cmd->flags & CMD_PAGER) && (pager = open_pager()))
		c.out = pager;
	int rc;
	if (!verbatim && want_help(argc - i, argv + i)) {
		cmd_usage(&c, cmd);
		rc = 0;
	} else
		rc = cmd->run(&c, argc - i, argv + i);
	fflush(c.out);
	if (pager)
		pclose(pager);
	ctx_warnings(&c);
	ws_close(c.ws);
	if (rc) {
		fprintf(stderr, "rapport: %s\n", c.err.msg[0] ? c.err.msg : _("failed"));
		return err_exit_status(c.err.code ? c.err.code : rc);
	}
	if (ferror(stdout))
		return 1;
	return 0;
}
