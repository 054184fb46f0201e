/*
 * cmd.h — the command layer: one file per subcommand (src/cmd/NAME.c), each exporting a
 * struct command; the table in src/cmd/commands.c is what the CLI dispatches through and what
 * `rapport help` lists. Output helpers here make every command print the same way: aligned
 * tables sized to the terminal, terminal-safe text, colour by role, --json.
 *
 * A command returns 0 or a negative RERR_* with ctx->err filled; the CLI prints the message and
 * maps the code to the exit status.
 */
#ifndef RAPPORT_CMD_H
#define RAPPORT_CMD_H

#include "workspace.h"

struct ctx {
	const char *cdir; /* -C DIR */
	bool json, color, tty;
	FILE *out;
	struct ws *ws;
	struct err err;
	/* Who watches a long command (import, export): the CLI on a terminal draws a bar on
	 * stderr, the TUI on its bottom line; NULL when nobody does. */
	void (*progress)(void *arg, const char *what, double fraction);
	void *progress_arg;
	double progress_start, progress_last; /* seconds: when the work began, was last drawn */
	size_t warned; /* the workspace's warnings printed so far (the rest are printed at exit) */
};

enum cmdflag {
	CMD_WS = 1 << 0,       /* needs an open workspace */
	CMD_PAGER = 1 << 1,    /* long output goes through $PAGER on a terminal */
	CMD_HIDDEN = 1 << 2,   /* for programs, not people: not in `rapport help`, not completed */
	CMD_VERBATIM = 1 << 3, /* gets its arguments as typed: the CLI takes no --json, --no-color
				* or --help from them, and runs it even when RAPPORT_NOW is bad */
};

struct command {
	const char *name;
	int (*run)(struct ctx *c, int argc, char **argv);
	const char *synopsis; /* after "rapport ": "add KIND FIELD=VALUE..." (a grammar: see below) */
	const char *summary;  /* one line for `rapport help` */
	const char *help;     /* the rest of `rapport help NAME`, as in rapport(1) */
	unsigned flags;
};

extern const struct command *const commands[];
const struct command *command_find(const char *name);
/* What the test suite asks of every command for shell completion (complete.c): its synopsis
 * parses, and completion knows what each placeholder in it (KIND, ID, FILE...) stands for. */
int complete_check(const struct command *cmd, struct err *e);

/* Reports progress (fraction 0..1; 1 ends it). Shown only for work that has taken longer
 * than RAPPORT_PROGRESS_AFTER seconds (default 0.5), at most ten times a second, so quick
 * commands never flash a bar. */
void ctx_progress(struct ctx *c, const char *what, double fraction);
/* The CLI's watcher: "what [#####.....]  45%" on a terminal's stderr. */
void progress_stderr(void *arg, const char *what, double fraction);

/* Opens the workspace (once) and sets the author from config or git. */
int ctx_open(struct ctx *c);
/* Prints the workspace's warnings not printed yet (on stderr): those met while opening, and
 * those a command left (an edit allowed on a record that breaks a rule it did not touch). */
void ctx_warnings(struct ctx *c);
/* Prints the command list and global options (`rapport help`). */
void help_overview(struct ctx *c);
/* Prints `rapport help NAME` for a command to c->out. */
void cmd_usage(struct ctx *c, const struct command *cmd);
/* True when argv holds -h or --help; commands answer it before anything else. */
bool want_help(int argc, char **argv);
int usage_error(struct ctx *c, const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One option of a command, for args_parse: a flag sets *flag; an option with a value sets
 * *value to the argument after it, or, when repeatable, pushes it onto *values. */
struct opt {
	const char *name;
	bool *flag;
	const char **value;
	struct strv *values;
};
/* Parses argv[1..]: the options in opts (ended by a NULL name), the other arguments into
 * pos[0..npos-1] in order, *n how many (n may be NULL). An unknown option, an option without
 * its value, or more than npos other arguments (`extra` says why, "one record at a time") is
 * a usage error, whose exit code is returned; else 0. Every option in opts must appear in
 * cmd's synopsis (help and completion read options from there): one that does not is a
 * RERR_RUNTIME naming it, on every run, so no test of the command can miss it. */
int args_parse(struct ctx *c, const struct command *cmd, int argc, char **argv,
	       const struct opt *opts, const char **pos, size_t npos, size_t *n, const char *extra);

/* A synopsis read as a grammar (src/cmd/synopsis.c has the notation). Nodes are in one array;
 * kid holds indexes into it: several for SYN_SEQ and SYN_ALT, one for SYN_OPT ([X]) and SYN_REP
 * (X...), the value for SYN_OPTION (none for a flag). SYN_WORD is a literal ("add") or an
 * upper-case placeholder ("KIND"). */
enum syn_type { SYN_SEQ, SYN_ALT, SYN_OPT, SYN_REP, SYN_WORD, SYN_OPTION };
struct syn_node {
	enum syn_type type;
	char *word; /* SYN_WORD: the word; SYN_OPTION: "--sort" */
	int *kid;
	size_t nkid;
};
struct synopsis {
	struct syn_node *node;
	size_t n, cap;
	int root; /* -1 when unparsed */
};
/* Reads text; a synopsis that is not well formed (an unclosed bracket) is RERR_RUNTIME, a bug
 * the test suite catches. */
int synopsis_parse(struct synopsis *s, const char *text, struct err *e);
void synopsis_free(struct synopsis *s);
/* The option node named name ("--sort"), NULL when the synopsis shows no such option. */
const struct syn_node *synopsis_option(const struct synopsis *s, const char *name);

/* Colour roles: the terminal sequences for each, or "" without colour. */
enum role { C_RESET, C_HEAD, C_ID, C_MUTED, C_GOOD, C_WARN, C_BAD, C_KIND };
const char *col(const struct ctx *c, enum role r);
/* The role a value deserves on screen (done is good, blocked is bad, ...). */
enum role value_role(const struct field *f, const char *v);

/* A value as people read it: names for references, grouped numbers, yes/no, short datetimes. */
char *display_value(struct ctx *c, const struct field *f, const char *v);

/* Aligned tables. Cells are copied; printing makes them terminal-safe. */
struct table {
	size_t ncols;
	struct strv cells; /* row-major, header row first */
	enum role *roles;  /* per cell, parallel to cells */
	size_t nroles;     /* roles allocated */
	bool *right;       /* per column: right-align */
};
void table_init(struct table *t, size_t ncols);
void table_cell(struct table *t, const char *s, enum role r);
void table_right(struct table *t, size_t col);
/* Prints with one space of indent and two between columns, shrinking the widest columns to fit
 * the terminal when output is one. */
void table_print(struct ctx *c, struct table *t, int indent);
/* A table of records: the header row (ID, then the fields' labels in capitals, numbers
 * right-aligned), and one row per record (short id, display values coloured by role). */
void table_records_head(struct table *t, const struct field *const *cols, size_t ncols);
void table_record(struct ctx *c, struct table *t, const struct record *r,
		  const struct field *const *cols, size_t ncols);
void table_free(struct table *t);

/* JSON for one record: all fields, typed (numbers, booleans, arrays for sets), null when unset. */
void json_record(struct json *j, const struct record *r);
/* Writes the JSON document in b and a newline to c->out. */
void json_flush(struct ctx *c, struct buf *b);
/* "KEY": the total when one currency holds it (else null), and "KEY_by_currency": {"CNY":
 * n, ...} — "" for amounts in the team's unnamed currency. Scripts read one shape always. */
void json_money(struct json *j, const char *key, const struct msum *m);

/* The kind named by a command argument, or a usage error listing the kinds. */
int kind_arg(struct ctx *c, const char *name, const struct kindinfo **out);
/* rm and undelete: flips the tombstone of every named record, all or none. */
int set_deleted(struct ctx *c, const struct command *cmd, int argc, char **argv, int deleted);

/* What a sync did, for people (warnings about skipped remote files go to stderr). */
struct sync_report;
void sync_print(struct ctx *c, const struct sync_report *rep, const char *remote);
/* Opens the workspace and its snapshot repository (caller closes it with gitl_close). */
struct gitl;
int ctx_repo(struct ctx *c, struct gitl **g);
/* Progress and prompts for sync only when a person is at this command's terminal. */
void sync_interactive(struct ctx *c);

/* The status date of health, kpi and alerts: --at DATE (ISO or relative) or today. */
int status_date(struct ctx *c, const char *at, char out[11]);

/* Payment plan lines (billing.h) for people and scripts, shared by billing and show: a
 * table of the ready lines (all: every line; project: that project's lines, under a "Payment
 * plan" heading, without the contract column), returning how many; one line as JSON. */
struct billing;
struct bill_line;
size_t bill_lines_print(struct ctx *c, const struct billing *b, const char *project, bool all,
			int indent);
void bill_line_json(struct json *j, const struct bill_line *l);

/* RERR_INPUT when a kind is the process engine's (K_ENGINE), naming the command that does what
 * was asked; 0 for any other kind. */
int engine_refuses(struct ctx *c, const struct kindinfo *ki);

/* Terminal-safe printing of record text. */
void out_safe(struct ctx *c, const char *s);

/* Team definitions kept as text (rules, processes): records of one kind named by their `name`
 * field, listed, shown, exported, checked with file line numbers and loaded by name, all or
 * nothing. One loader (src/cmd/rules.c) for every such kind. */
struct teamdef {
	const char *kind, *noun, *plural; /* "process", "process", "processes" */
	const char *head;                 /* a block starts at a line beginning with it: "name " */
	const struct command *cmd;
	/* Makes the record a block describes (blk has the file's earlier lines blank, so line
	 * numbers hold) and checks it as it would be stored; errors "FILE: line N: ...". *out is
	 * the caller's, even on error. */
	int (*parse_block)(struct ctx *c, const char *file, const char *blk, int start,
			   struct record **out, struct err *e);
	void (*text)(struct buf *b, const struct record *r); /* export and show */
	void (*row)(struct ctx *c, const struct record *r, bool ok); /* list */
	int (*check)(struct ws *w, const struct record *r, struct err *e); /* a stored one */
	void (*id_of)(const struct record *r, char id[33]); /* a new one's id; NULL: random */
};
/* list | show NAME | export [NAME] | check [FILE] | load FILE, on an open workspace. */
int teamdef_run(struct ctx *c, const struct teamdef *d, const char *sub, int argc, char **argv);

/* A governed record's transitions and decisions, oldest first, under a "Decisions" heading
 * (nothing when it has none): what `rapport log ID` shows before the snapshot history. */
int decisions_print(struct ctx *c, const struct record *r);

#endif
