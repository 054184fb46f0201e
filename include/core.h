/*
 * core.h — records and the one description of record kinds. The static kind table
 * plus the team's custom fields form the runtime schema, which drives the database schema,
 * validation, the CLI's add/set/list/show, search, the TUI's forms and import — and, with the
 * issues that bring them, snapshots, export and portal redaction. Adding a field to rapport is
 * one row in src/core/kinds.c.
 *
 * Ownership: a struct record owns its strings; schema field pointers stay valid while the schema
 * lives. Errors follow rapport.h: 0 or a negative RERR_* with a message naming record and field.
 */
#ifndef RAPPORT_CORE_H
#define RAPPORT_CORE_H

#include "util.h"

enum ftype {
	FT_TEXT,     /* one line of text */
	FT_LONG,     /* multi-line text; $EDITOR in forms */
	FT_NUMBER,   /* decimal number */
	FT_INT,      /* whole number */
	FT_DATE,     /* YYYY-MM-DD */
	FT_DATETIME, /* YYYY-MM-DDTHH:MM:SSZ */
	FT_BOOL,     /* true / false */
	FT_CHOICE,   /* one of field->choices */
	FT_REF,      /* id of a record of kind field->ref (NULL: any kind) */
	FT_REFS,     /* comma-separated ids of records of kind field->ref */
	FT_EMAIL,    /* an address of the shape local@domain.tld */
	FT_SET,      /* comma-separated tags, kept sorted and unique */
	FT_CURRENCY, /* a currency's three-letter code (ISO 4217), stored in capitals: CNY */
};

enum fflag {
	F_REQ = 1 << 0,    /* required */
	F_LIST = 1 << 1,   /* a default column of `list` */
	F_FTS = 1 << 2,    /* indexed for full-text search */
	F_NAME = 1 << 3,   /* the record's display name */
	F_FIN = 1 << 4,    /* finance: never leaves in a customer-facing export */
	F_INT = 1 << 5,    /* internal: never leaves in a customer-facing export */
	F_VIS = 1 << 6,    /* customer-visible: may appear in the portal */
	F_INDEX = 1 << 7,  /* indexed for filters and sorting */
	F_CUSTOM = 1 << 8, /* a team-defined custom field */
	F_META = 1 << 9,   /* id, created, updated, author: every record has them */
	/* Computed by the database in the transaction that writes what it is computed from
	 * (store.h): never in a record's text, never typed. A stage (F_STAGE) comes from the
	 * record's transitions and approvals; an invoice's paid amount and date from its receipts. */
	F_DERIVED = 1 << 10,
	/* A gated stage (project phase, contract state): derived, and only `rapport advance`
	 * moves it. */
	F_STAGE = 1 << 11,
};

struct field {
	const char *name;
	enum ftype type;
	unsigned flags;
	const char *choices; /* FT_CHOICE: "a,b,c" */
	const char *ref;     /* FT_REF / FT_REFS: target kind, NULL for any */
	const char *def;     /* default on add: a literal, "now", "today" or "@me" */
	double min, max;     /* numeric range when min < max */
	const char *label;   /* NULL: derived from the name */
	const char *column;  /* database column; NULL means the name */
};

enum kflag {
	K_INTERNAL = 1 << 0, /* the whole kind is internal (interactions, time, comments) */
	K_FINANCE = 1 << 1,  /* the whole kind is finance (contracts, quotes, invoices, expenses) */
	K_CONFIG = 1 << 2,   /* team configuration rather than customer data */
	/* Merges as a whole: when both sides changed it, the greater rev's version wins every
	 * field and the other's values are kept as conflicts (a process definition is one
	 * design, not fields to combine). */
	K_WHOLE = 1 << 3,
	/* A team definition (a process): when a command takes any record, found by its whole
	 * name only, so that "ERP" means the project, not the process erp-implementation. */
	K_DEFINITION = 1 << 4,
	/* Written only by the process engine (transitions, approvals): add, set, edit, import,
	 * rm and undelete refuse it, so a decision is only ever made by `approve` and its kin. */
	K_ENGINE = 1 << 5,
};

struct record;
struct kind {
	const char *name, *plural;
	const struct field *fields;
	size_t nfields;
	unsigned flags;
	const char *sort;        /* default order of `list` and related lists, e.g. "-at" */
	const char *require_any; /* at least one of these fields, e.g. "project,customer" */
	/* Cross-field rules; field-level ones come from the table. May be NULL. */
	int (*check)(const struct record *r, struct err *e);
	/* Extra composite indexes over live records, ";"-separated column lists with an optional
	 * " WHERE condition", for the hot questions health and rules ask ("customer,at": the last
	 * contact; "customer,at WHERE executive = 1": the last executive contact). */
	const char *indexes;
};

extern const struct kind kind_table[];
extern const size_t kind_count;
extern const struct field meta_fields[];
extern const size_t meta_count;

/* The runtime description of one kind: built-in fields followed by custom ones. */
struct kindinfo {
	const struct kind *k;
	int index;
	const struct field **f;
	size_t nf;
};

struct schema {
	struct kindinfo *kinds;
	size_t nkinds;
	struct field **custom; /* owned, each with owned strings */
	size_t ncustom;
};

void schema_init(struct schema *sc);
void schema_free(struct schema *sc);
/* Adds a custom field from a `field` record's values; checks name and type. audience is
 * "internal" (also NULL: nothing leaves in customer-facing exports), "customer" (F_VIS: the
 * portal shows it) or "finance" (F_FIN). */
int schema_add_custom(struct schema *sc, const char *kind, const char *name, const char *type,
		      const char *choices, const char *label, const char *audience, struct err *e);
/* Gives an existing custom field a new definition (checked as schema_add_custom checks it), in
 * place: pointers to the field stay valid. *changed tells whether anything differs. */
int schema_redefine_custom(struct schema *sc, const char *kind, const char *name,
			   const char *type, const char *choices, const char *label,
			   const char *audience, bool *changed, struct err *e);
const struct kindinfo *schema_kind(const struct schema *sc, const char *name);
/* Looks a field up by name, including the meta fields; NULL when unknown. */
const struct field *kind_field(const struct kindinfo *ki, const char *name);
int kind_field_index(const struct kindinfo *ki, const struct field *f);
const char *field_column(const struct field *f);
/* A label for humans in the interface language: a custom field's label, else the name with
 * '_' as ' ' and a capital ("Renewal intent"), translated (context "field"). */
void field_label(const struct field *f, char *out, size_t n);
/* What a choice code, a kind's name and its plural read as in the interface language (the
 * catalogue's "choice" and "kind" contexts); the code itself in English. Never stored. */
const char *choice_label(const char *code);
/* The code that v names among choices: v itself when it is a code, else the choice whose label
 * in the interface language is v ("活跃" under zh is active). A copy (free it), NULL for none. */
char *choice_code(const char *choices, const char *v);
const char *kind_label(const struct kind *k);
const char *kind_plural_label(const struct kind *k);
const char *ftype_name(enum ftype t);
bool choice_ok(const char *choices, const char *v);
/* The position of v among choices ("low,medium,high": high is 2), -1 when it is none of them.
 * The table lists choices in their order of meaning, so this is how choices compare. */
int choice_index(const char *choices, const char *v);
/* Names of all kinds as "a, b, c" for error messages. */
char *kind_names(const struct schema *sc);

/* A record in memory: values are normalised text (see value_normalize), NULL when unset. */
struct record {
	const struct kindinfo *ki;
	char id[33];
	char *created, *updated, *author;
	int deleted;
	char **val; /* ki->nf entries */
	char *extra; /* fields this version does not know (from newer replicas), kept verbatim */
	char *rev;   /* the clock and replica of the last write (store.h), NULL before the first */
	char *conflicts; /* losing values of merges, as record text lines "!field REV value" */
};

struct record *record_new(const struct kindinfo *ki);
void record_free(struct record *r);
struct record *record_dup(const struct record *r);
const char *record_get(const struct record *r, const char *field);
/* A numeric field's value; 0 when unset. */
double record_num(const struct record *r, const char *field);
/* Replaces a value (takes ownership of v; NULL clears). */
void record_put(struct record *r, int idx, char *v);
/* The record's display name: its name field, else a short description, else its short id. */
char *record_title(const struct record *r);
/* "customer 3fa9c2d1" or "new customer" for messages. */
void record_where(const struct record *r, char *out, size_t n);

/* A growing array of records, and the record_cb-shaped function that fills it (copies). */
struct recs {
	struct record **v;
	size_t n;
};
int recs_add(const struct record *r, void *recs);
void recs_free(struct recs *rs);

/* The conflict lines (record->conflicts) without those of one field; NULL when none remain. */
char *conflicts_without(const char *conflicts, const char *field);

/* Normalises a value for a field without touching the database: types, ranges, choices, dates
 * (ISO or relative: today, +3d), bools (yes/no/true/false/1/0), numbers, sets. References are
 * returned as given; workspace code resolves them. *out is owned by the caller. */
int value_normalize(const struct field *f, const char *in, time_t now, char **out, struct err *e);
/* Applies set semantics: adds or removes one item to a normalised set value. */
char *set_edit(const char *set, const char *item, bool add);
/* Record-level checks from the table: required fields, require_any, the kind's own check. */
int record_check(const struct record *r, struct err *e);

/* ---- the record text format (rapport(5)): what `edit` shows and sync snapshots store ----
 * One field per line, "name value", in schema order. In values, a backslash is "\\", a control
 * byte (and a trailing space) "\xNN"; a line break starts a continuation line indented by two
 * spaces. The text of a record is byte-deterministic. */

/* Appends r as text: set fields only, or every field (unset ones as a bare name) when all. */
void record_text(struct buf *b, const struct record *r, bool all);

/* One line "name value" as the format writes it (value NULL: a bare name). */
void text_put(struct buf *b, const char *name, const char *v);

/* The snapshot file of a record (rapport(5)): rev, created, updated, author, deleted when set,
 * the set fields in schema order, fields this version does not know (sorted), then conflict
 * lines "!field REV value" (sorted). Byte-deterministic: equal records give equal bytes. */
void record_file(struct buf *b, const struct record *r);
/* Reads a snapshot file strictly: every known value must be valid as `add` would take it and
 * references must be ids; unknown fields are kept in r->extra. Errors name the line. */
int record_from_text(const struct kindinfo *ki, const char *id, const char *text, time_t now,
		     struct record **out, struct err *e);
/* The line of a stage (F_STAGE) in a record file, which reading ignores: a stage comes from
 * transitions and approvals, never from text someone typed. 0 when there is none;
 * *field names it. */
int record_derived_line(const struct kindinfo *ki, const char *text, const char **field);
/* Reads what can be read of a snapshot file that record_from_text refuses for its values: a value
 * (or the rev) that does not validate takes fallback's (NULL: none) and its reason, naming the
 * line, goes to why. Fails, as record_from_text does, only for what leaves no record: broken
 * lines, meta lines, a required field that neither the text nor the fallback has. */
int record_salvage(const struct kindinfo *ki, const char *id, const char *text, time_t now,
		   const struct record *fallback, struct record **out, struct strv *why,
		   struct err *e);
/* A rev: "YYYY-MM-DDTHH:MM:SS.mmmZ-" and 16 hex digits of the replica id. */
#define REV_LEN 41
bool rev_ok(const char *s);

struct text_field {
	char *name, *value; /* value NULL for a bare name (unset) */
	int line;
};
struct text_fields {
	struct text_field *v;
	size_t n;
};
/* Parses text into fields in order; '#' lines and blank lines are skipped. Errors name the
 * line ("line 4: ..."). Names are not checked against a kind: the caller decides. */
int record_parse(const char *text, struct text_fields *out, struct err *e);
void text_fields_free(struct text_fields *tf);

/* The value of a field in parsed text; *has tells a bare name (unset) from an absent one. */
const char *text_value(const struct text_fields *tf, const char *name, bool *has);
/* The fields that differ between two versions of a record's text (rev, created, updated and
 * author aside): old and new are NULL where unset. Conflict lines ("!field") compare as a
 * set; a recorded one has only new, a resolved one only old. At most max are returned. */
struct text_change {
	const char *name, *old, *new;
};
size_t text_changes(const struct text_fields *a, const struct text_fields *b,
		    struct text_change *out, size_t max);

/* ---- process definitions (rapport-process(5)): the `stages` field of a process ----
 * Stages in order; each with an owner, an SLA in working days (-1: none), an entry condition,
 * an exit checklist and approval steps run in order. WHO is FIELD (a member field of the
 * governed kind: manager), FIELD.reports_to, role:ROLE, member:NAME or contact:ROLE (the
 * customer's contacts with that role). Conditions are SQL text, compiled by the workspace. */
enum pitem { PI_REQUIRE, PI_CHECK, PI_MILESTONE, PI_NO_BLOCKERS, PI_TASKS_DONE };
struct pcheck {
	enum pitem kind;
	char *arg; /* the field, the condition, the milestone's name; NULL for the others */
	int line;
};
struct pstep {
	char *who;
	bool all;   /* every person WHO names must approve (else one is enough) */
	char *when; /* NULL: always */
	int line;
};
struct pstage {
	char *code, *label, *owner, *entry;
	int sla, line, entry_line;
	struct pcheck *checks;
	size_t nchecks;
	struct pstep *steps;
	size_t nsteps;
};
struct procdef {
	struct pstage *v;
	size_t n;
};
/* Parses stages text; line0 is the number of its first line (errors name lines as a file
 * containing it would). Errors: RERR_INPUT "line N: ...". */
int procdef_parse(const char *text, int line0, struct procdef *out, struct err *e);
/* Checks the names a definition uses against the kind it governs: member fields, roles,
 * required fields, project-only checks. */
int procdef_check(const struct procdef *d, const struct schema *sc, const struct kindinfo *ki,
		  struct err *e);
/* The canonical text (what the `stages` field stores), without a final newline's absence. */
void procdef_text(struct buf *b, const struct procdef *d);
void procdef_free(struct procdef *d);
/* The index of a stage by code, -1 when the definition has none. */
int procdef_find(const struct procdef *d, const char *code);
const char *procdef_item_word(enum pitem k);

/* ---- project templates (rapport-process(5) TEMPLATES): the `wbs` field of a template ----
 * Phases (a stage of the template's process: a summary task), tasks with an offset and a
 * duration in working days from the project's start, milestones with an offset, a
 * deliverable and whether the customer accepts them. */
enum witem_kind { WI_PHASE, WI_TASK, WI_MILESTONE };
struct witem {
	enum witem_kind kind;
	char *name, *code; /* code: a phase's stage */
	int offset, days, line;
	int phase; /* the index of the phase it belongs to, -1 for none */
	char *owner, *deliverable;
	bool key, accept;
	double estimate;
};
struct wbsdef {
	struct witem *v;
	size_t n;
};
int wbsdef_parse(const char *text, int line0, struct wbsdef *out, struct err *e);
/* Phases name stages of `stages` (NULL: no process to check against); owners are valid for a
 * project. */
int wbsdef_check(const struct wbsdef *d, const struct procdef *stages, const struct schema *sc,
		 struct err *e);
void wbsdef_text(struct buf *b, const struct wbsdef *d);
void wbsdef_free(struct wbsdef *d);

#endif
