/*
 * workspace.h — a workspace: the directory holding .rapport/ (database, config, later the snapshot
 * repository), its open store and runtime schema, who is working, and the record operations every
 * front end uses: resolving what a user typed to a record, assigning FIELD=VALUE, adding and
 * saving with full validation. CLI, TUI, import and sync all go through these, so a rule checked
 * here is checked everywhere.
 *
 * Errors: 0 or negative RERR_*; RERR_INPUT / RERR_NOTFOUND for what the user typed (exit 2).
 * A failed add or save writes nothing.
 */
#ifndef RAPPORT_WORKSPACE_H
#define RAPPORT_WORKSPACE_H

#include "core.h"
#include "store.h"

#define WS_DIRNAME ".rapport"
#define WS_DBNAME "rapport.db"

struct ws {
	char *root;   /* the directory holding .rapport/ */
	char *dotdir; /* root/.rapport */
	struct store *st;
	struct schema sc;
	/* Who is writing, "Name <email>", stamped on what this user writes: read them with
	 * ws_author and ws_email, which ask the author source the first time. */
	char *author;
	char *email;
	void (*author_source)(struct ws *w, void *ctx);
	void *author_ctx;
	struct strv warnings; /* problems met while opening (a bad custom field from a replica) */
	struct title_cache *titles; /* ws_title's cache of record names, by id hash */
};

/* Finds the workspace root: dir if given, else $RAPPORT_DIR, else the nearest parent of the
 * current directory holding .rapport/. *root is owned by the caller. */
int ws_locate(const char *dir, char **root, struct err *e);
/* Creates .rapport/ in dir (which may exist; a workspace already there is an error). */
int ws_create(const char *dir, struct err *e);
/* Opens a workspace at root. The author defaults to "unknown" until ws_set_author. */
int ws_open(struct ws **out, const char *root, struct err *e);
/* A workspace whose database lives in memory, with no directory: for unit tests. */
int ws_open_memory(struct ws **out, struct err *e);
void ws_close(struct ws *w);
void ws_set_author(struct ws *w, const char *name, const char *email);
/* Where the author comes from, asked once, when something first needs to know (the command
 * layer reads the config files and git's configuration, whose library starts a TLS stack: a
 * command that never writes never pays for that). */
void ws_set_author_source(struct ws *w, void (*source)(struct ws *w, void *ctx), void *ctx);
const char *ws_author(struct ws *w);
/* The author's email, NULL when none is known. */
const char *ws_email(struct ws *w);

/* Reads a key ("user.name") from .rapport/config, then $XDG_CONFIG_HOME/rapport/config (or
 * ~/.config/rapport/config). *out is NULL when unset. Config files are "[section]" and
 * "key = value" lines; '#' starts a comment. */
char *ws_config_get(const struct ws *w, const char *key);
/* ui.lang before any workspace is opened (for --help and usage errors): the workspace's
 * config that DIR (NULL: RAPPORT_DIR, else the current directory) is in, else the user's.
 * NULL when unset; free it. */
char *ws_lang_setting(const char *dir);
char *config_file_get(const char *path, const char *key);
int config_file_set(const char *path, const char *key, const char *value, struct err *e);

/* Resolves what a user typed for a record: an id or unique id prefix (4+ hex characters), or a
 * live record's name (of want_kind when given, else of any kind but the team's configuration)
 * — the whole name, else a unique start of it, else a unique part of it, case-insensitively
 * ("Fabrikam Health", "fabri", "health"); the order is in workspace.c (by_name). More than one
 * match is RERR_INPUT naming the candidates; none is RERR_NOTFOUND. */
int ws_resolve(struct ws *w, const char *ref, const char *want_kind, char out[33], struct err *e);
/* The same among deleted records (an id finds a record either way): what undelete names. */
int ws_resolve_deleted(struct ws *w, const char *ref, const char *want_kind, char out[33],
		       struct err *e);
int ws_load(struct ws *w, const char *ref, const char *want_kind, struct record **out,
	    struct err *e);
/* Applies "field=value" (empty value clears), "field+=item" or "field-=item" (sets). */
int ws_assign(struct ws *w, struct record *r, const char *assignment, struct err *e);
/* Sets one field from text, normalising and resolving references. */
int ws_put(struct ws *w, struct record *r, const struct field *f, const char *value,
	   struct err *e);
/* ws_put by the field's name; a NULL value leaves the field as it is. */
int ws_put_named(struct ws *w, struct record *r, const char *field, const char *value,
		 struct err *e);
/* Fills defaults, stamps id/created/author, validates, inserts. Prints nothing. */
int ws_add(struct ws *w, struct record *r, struct err *e);
/* Validates and writes a changed record, stamping updated/author. */
int ws_save(struct ws *w, struct record *r, struct err *e);
/* The check ws_add and ws_save make that needs the database: a live rule's condition runs a
 * trial in the rules' sandbox (store_rule_trial; a disabled rule is only compiled). 0 for any
 * other record. Errors: "rule NAME: when: REASON". rules_check_record (rules.h) adds the
 * field checks. A sync runs it on rules arriving from the remote: what it refuses is held. */
int ws_rule_check(struct ws *w, const struct record *r, struct err *e);
/* An invoice's payment as a replica before receipts wrote it (paid_amount, paid_on in the
 * invoice itself; NULL when absent) becomes the invoice's own receipt, whose id derives from
 * the invoice's, so every replica carrying it over writes the same record. paid_on without an
 * amount means paid in full; a paid amount without a date was paid on the day the invoice was
 * last written. Made when missing, updated when the invoice is newer than it, never raised
 * again once someone deleted it. Opening a workspace carries over every invoice once (meta
 * "receipts"); a sync, each invoice a replica not yet carrying over sends. */
int ws_receipt_legacy(struct ws *w, const struct record *inv, const char *paid, const char *on,
		      struct err *e);
/* Numbering (team settings numbering.project, .contract, .quote, .invoice): a pattern such as
 * "P-{yyyy}-{seq:4}" numbers a new record that has none ({yyyy} {yy} {mm} {dd} from its date
 * field, else today; {seq} restarts when that date part changes). A local write may not give a
 * record a number another live record of its kind has. ws_number_pattern_check: RERR_INPUT
 * for a pattern without exactly one {seq}, with an unknown {token}, or over 60 characters. */
int ws_number_pattern_check(const char *pattern, struct err *e);
/* After a sync's import: records of a kind sharing a number (two replicas numbered offline)
 * are renumbered but the first created (then the smallest id), to the pattern's next number
 * (else "NUMBER-2"), the old number kept as a conflict; the same on every replica. Each renumber
 * is said in `said`. */
int ws_renumber(struct ws *w, struct strv *said, struct err *e);
/* Adds a custom field: validates, extends the schema and database, stores the definition. */
int ws_field_add(struct ws *w, const char *kind, const char *name, const char *type,
		 const char *choices, const char *label, const char *audience, char out_id[33],
		 struct err *e);
/* Adds the custom field a `field` record defines (one that arrived by sync), unless the schema
 * has it already. */
int ws_field_adopt(struct ws *w, const struct record *def, struct err *e);
/* Adds a filter typed by a person to q: FIELD=V, FIELD!=V, FIELD<V, FIELD>V, FIELD<=V, FIELD>=V,
 * FIELD~TEXT (case-insensitive substring). Values are checked like input (dates may be relative,
 * references may be names); FIELD= matches unset, FIELD!= set. On a list field = means "has". */
int ws_filter(struct ws *w, struct query *q, const char *expr, struct err *e);
/* Sets q's order from "f,-g" (- for descending); NULL or "" uses the kind's default order. */
int ws_sort(struct ws *w, struct query *q, const char *spec, struct err *e);

/* The currency of a record's amounts: its own, else its contract's, else its project's, else
 * the team's (store_team_currency); NULL when none is named anywhere. Owned by the caller. */
char *ws_currency(struct ws *w, const struct record *r);
/* A team setting's value ("calendar.weekend"), owned by the caller; NULL when unset. */
char *ws_setting(struct ws *w, const char *name);
/* The member record of the person working (by email), if there is one. */
bool ws_me(struct ws *w, char out[33]);
/* The display name of a record by id ("Contoso"), cached; the short id when unknown. */
const char *ws_title(struct ws *w, const char *id);
/* The names of a list of ids ("a,b" → "Ada Lovelace, Maria Rossi"), owned by the caller. */
char *ws_titles(struct ws *w, const char *ids);
/* Forgets every cached name: the data changed under us (another process wrote). */
void ws_forget_titles(struct ws *w);

#endif
