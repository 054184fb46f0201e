/*
 * complete.c — `rapport __complete WORD...`: the candidates for the last WORD (which may be
 * empty), one per line, given the words before it; what contrib/completion's bash and zsh
 * scripts ask. Everything it offers comes from what the program already is: command names
 * from the command table, options and what may follow each word from the commands' synopses
 * (read as grammars by synopsis.c), kinds, fields and choices from the schema, record names
 * from the workspace's database. So a new command, option, kind, field or choice completes the
 * day it exists; the one thing this file knows by itself is what each placeholder of a synopsis
 * stands for (KIND: a kind; ID: a record), and the unit tests fail on a placeholder it does not.
 *
 * The command is hidden from help and gets its words verbatim (the CLI takes no --json or
 * --help from them). It never fails and never writes to stderr: the shell asked in the middle
 * of someone's typing, and an error there helps nobody. Outside a workspace it still completes
 * commands, options, kinds, fields and choices from the built-in schema. It needs no author,
 * so libgit2 never starts; the database is read only for names and custom fields. Record names
 * are printed as they are, at most MAX_NAMES of them, and the shell scripts quote them. A word
 * that takes a path prints only ":file" or ":dir", for the script to complete paths itself.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_complete = {
	"__complete", run, "__complete [WORD]...",
	N_("Print the shell completions of the last WORD, one per line (for contrib/completion)."),
	"", CMD_HIDDEN | CMD_VERBATIM,
};

/* main.c's options before the command, as `rapport help` lists them. */
static const char global_synopsis[] = "[-C DIR] [--json] [--no-color] [--version] [--help]";

enum { MAX_NAMES = 50 };

/* What a placeholder of a synopsis stands for. */
enum what {
	W_NONE,    /* free text: nothing to offer */
	W_KIND,    /* a record kind */
	W_RECORD,  /* a record, by name or id */
	W_ASSIGN,  /* FIELD=VALUE of add and set */
	W_FILTER,  /* a filter of list and export */
	W_FIELD,   /* a field's name */
	W_SORT,    /* fields, comma-separated, each may start with '-' */
	W_COLUMNS, /* fields, comma-separated */
	W_MAP,     /* COLUMN=FIELD: a field after the '=' */
	W_FILE,
	W_DIR,
	W_COMMAND,
	W_TYPE, /* a custom field's type */
};

static const struct {
	const char *word;
	enum what what;
} placeholders[] = {
	{ "KIND", W_KIND }, { "ID", W_RECORD }, { "FIELD=VALUE", W_ASSIGN },
	{ "FIELD=V", W_FILTER }, { "FIELD!=V", W_FILTER }, { "FIELD<V", W_FILTER },
	{ "FIELD>V", W_FILTER }, { "FIELD~TEXT", W_FILTER }, { "FILTER", W_FILTER },
	{ "FIELD", W_FIELD }, { "F,-G", W_SORT }, { "A,B", W_COLUMNS }, { "COLUMN=FIELD", W_MAP },
	{ "FILE", W_FILE }, { "DIR", W_DIR }, { "COMMAND", W_COMMAND }, { "TYPE", W_TYPE },
	{ "NAME", W_NONE }, { "URL", W_NONE }, { "REMOTE", W_NONE }, { "KEY", W_NONE },
	{ "VALUE", W_NONE }, { "TEXT", W_NONE }, { "REV", W_NONE }, { "DATE", W_NONE },
	{ "N", W_NONE }, { "DAYS", W_NONE }, { "ENC", W_NONE }, { "CHOICES", W_NONE },
	{ "WORD", W_NONE }, { "RECORD", W_RECORD }, { "STAGE", W_NONE }, { "AMOUNT", W_NONE },
	{ "METHOD", W_NONE },
};

/* Placeholders that name a record of one kind by another word than the kind's name. */
static const struct {
	const char *word, *kind;
} record_words[] = {
	{ "LINE", "billing" }, /* a payment plan line */
};

static bool is_placeholder(const char *word) { return word[0] >= 'A' && word[0] <= 'Z'; }

/* What a placeholder stands for; a kind's name in capitals (CUSTOMER, ALERT) is a record of
 * that kind, whose name goes to *kind. False for a word this file does not know. */
static bool placeholder(const char *word, enum what *what, const char **kind)
{
	*kind = NULL;
	for (size_t i = 0; i < ARRAY_LEN(placeholders); i++)
		if (!strcmp(word, placeholders[i].word)) {
			*what = placeholders[i].what;
			return true;
		}
	for (size_t i = 0; i < ARRAY_LEN(record_words); i++)
		if (!strcmp(word, record_words[i].word)) {
			*what = W_RECORD;
			*kind = record_words[i].kind;
			return true;
		}
	for (size_t k = 0; k < kind_count; k++)
		if (!strcasecmp(word, kind_table[k].name)) {
			*what = W_RECORD;
			*kind = kind_table[k].name;
			return true;
		}
	return false;
}

int complete_check(const struct command *cmd, struct err *e)
{
	struct synopsis s;
	enum what what;
	const char *kind;
	int rc = synopsis_parse(&s, cmd->synopsis, e);
	for (size_t i = 0; !rc && i < s.n; i++)
		if (s.node[i].type == SYN_WORD && is_placeholder(s.node[i].word) &&
		    !placeholder(s.node[i].word, &what, &kind))
			rc = err_set(e, RERR_RUNTIME,
				     "%s: completion does not know what %s stands for (complete.c)",
				     cmd->name, s.node[i].word);
	synopsis_free(&s);
	return rc;
}

struct comp {
	struct ctx *c;
	struct ws *ws; /* NULL outside a workspace */
	const struct schema *sc;
	struct schema builtin; /* the schema when there is no workspace */
	const struct command *cmd;
	const char *cur; /* the word being completed */
	struct strv out;
	size_t names; /* record names in out */
	bool file, dir;
	/* What the words so far named: the kind of a KIND, the word an ID took. */
	const struct kindinfo *ki;
	const char *record;
};

/* Offers s if it completes the word (ignoring ASCII case for names the database matched so):
 * once, and only text that is safe to show (record text never drives the terminal). */
static bool add(struct comp *cp, const char *s, bool fold)
{
	size_t n = strlen(cp->cur);
	if (fold ? strncasecmp(s, cp->cur, n) : strncmp(s, cp->cur, n))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	if (!utf8_valid(s, strlen(s)) || strv_has(&cp->out, s))
		return false;
	strv_push(&cp->out, s);
	return true;
}

static bool add2(struct comp *cp, const char *head, const char *tail, bool fold)
{
	char *s = xasprintf("%s%s", head, tail);
	bool added = add(cp, s, fold);
	free(s);
	return added;
}

/* A kind people name things by: its name field is indexed (customers, contacts, projects...),
 * so its names are a walk of an index away; ws_resolve looks there first too. */
static bool named_kind(const struct kindinfo *ki)
{
	for (size_t i = 0; i < ki->nf; i++)
		if (ki->f[i]->flags & F_NAME)
			return (ki->f[i]->flags & F_INDEX) && !(ki->k->flags & K_CONFIG);
	return false;
}

/* The names of records (of kind, else of every named_kind) starting with prefix, and ids when
 * prefix could start one; each printed after head. */
static void offer_names(struct comp *cp, const char *kind, const char *head, const char *prefix)
{
	struct err e = { 0, "" };
	struct strv got = STRV_INIT, kinds = STRV_INIT;
	/* The one command whose records are the deleted ones. */
	bool deleted = !strcmp(cp->cmd->name, "undelete");
	if (!cp->ws)
		return;
	for (size_t k = 0; k < cp->sc->nkinds && cp->names < MAX_NAMES; k++) {
		const struct kindinfo *ki = &cp->sc->kinds[k];
		if (kind ? strcmp(ki->k->name, kind) != 0 : !named_kind(ki))
			continue;
		if (store_names(cp->ws->st, ki, prefix, deleted, MAX_NAMES - cp->names, &got, &e))
			continue;
		for (size_t i = 0; i < got.n && cp->names < MAX_NAMES; i++)
			cp->names += add2(cp, head, got.v[i], true);
		strv_clear(&got);
	}
	if (id_is_hex(prefix, 4, 32) &&
	    !store_prefix(cp->ws->st, prefix, MAX_NAMES, &got, &kinds, &e))
		for (size_t i = 0; i < got.n && cp->names < MAX_NAMES; i++)
			if (!kind || !strcmp(kinds.v[i], kind))
				cp->names += add2(cp, head, got.v[i], false);
	strv_clear(&got);
	strv_clear(&kinds);
}

static int push_items(const char *value, void *strv)
{
	strv_split(strv, value, ',');
	return 0;
}

/* What may follow FIELD= (or another operator) for field f: its choices, true and false, the
 * names of records it may refer to, the tags in use. A choice, reference or tag list takes
 * several, comma-separated: the last one is completed. */
static void offer_values(struct comp *cp, const struct kindinfo *ki, const struct field *f,
			 const char *head, const char *value)
{
	const char *comma = strrchr(value, ',');
	char *h = xasprintf("%s%.*s", head, comma ? (int)(comma + 1 - value) : 0, value);
	const char *part = comma ? comma + 1 : value;
	struct strv items = STRV_INIT;
	switch (f->type) {
	case FT_CHOICE: strv_split(&items, f->choices, ','); break;
	case FT_BOOL:
		strv_push(&items, "true");
		strv_push(&items, "false");
		break;
	case FT_REF:
	case FT_REFS: {
		/* Only where an index finds the names: a task's parent among 200,000 tasks would
		 * be a read of them all while someone waits for the Tab key. */
		const struct kindinfo *rk = f->ref ? schema_kind(cp->sc, f->ref) : NULL;
		if (rk && named_kind(rk))
			offer_names(cp, f->ref, h, part);
		break;
	}
	case FT_SET:
		if (cp->ws) {
			struct query q;
			struct err e = { 0, "" };
			query_init(&q, ki);
			store_distinct(cp->ws->st, &q, f, 200, push_items, &items, &e);
			strv_sort(&items);
		}
		break;
	default: break;
	}
	for (size_t i = 0; i < items.n; i++)
		add2(cp, h, items.v[i], false);
	strv_clear(&items);
	free(h);
}

/* Field names of ki after head, each followed by tail: its own fields, then, where a name is
 * all that is asked (not an assignment), the meta fields every record has. */
static void offer_fields(struct comp *cp, const struct kindinfo *ki, const char *head,
			 const char *tail, bool meta)
{
	for (size_t i = 0; i < ki->nf; i++) {
		char *s = xasprintf("%s%s%s", head, ki->f[i]->name, tail);
		add(cp, s, false);
		free(s);
	}
	for (size_t i = 0; meta && i < meta_count; i++) {
		char *s = xasprintf("%s%s%s", head, meta_fields[i].name, tail);
		add(cp, s, false);
		free(s);
	}
}

/* FIELD=VALUE (assign: add, set) or a filter (list, export): the field, then its values. The
 * operators are those ws_assign and ws_filter read. */
static void offer_assignment(struct comp *cp, bool filter)
{
	static const char *const assign_ops[] = { "+=", "-=", "=" };
	static const char *const filter_ops[] = { "!=", "<=", ">=", "=", "<", ">", "~" };
	const char *cur = cp->cur;
	const struct kindinfo *ki = cp->ki;
	size_t n = strspn(cur, filter ? "abcdefghijklmnopqrstuvwxyz0123456789_."
				     : "abcdefghijklmnopqrstuvwxyz0123456789_");
	char *name = xstrndup(cur, n), *dot = filter ? strchr(name, '.') : NULL;
	char *head = NULL;
	/* REF.FIELD: a field of the record a reference points at. */
	if (dot) {
		*dot = '\0';
		const struct field *via = kind_field(ki, name);
		ki = via && via->type == FT_REF && via->ref ? schema_kind(cp->sc, via->ref) : NULL;
		head = xstrndup(cur, (size_t)(dot + 1 - name));
		memmove(name, dot + 1, strlen(dot + 1) + 1);
	}
	if (!ki)
		goto out;
	if (!cur[n]) {
		offer_fields(cp, ki, head ? head : "", "=", filter);
		goto out;
	}
	const char *const *ops = filter ? filter_ops : assign_ops;
	size_t nops = filter ? ARRAY_LEN(filter_ops) : ARRAY_LEN(assign_ops);
	for (size_t o = 0; o < nops; o++)
		if (!strncmp(cur + n, ops[o], strlen(ops[o]))) {
			const struct field *f = kind_field(ki, name);
			const char *value = cur + n + strlen(ops[o]);
			if (f && !(f->flags & F_META) && strcmp(ops[o], "~")) {
				char *h = xstrndup(cur, (size_t)(value - cur));
				offer_values(cp, ki, f, h, value);
				free(h);
			}
			break;
		}
out:
	free(name);
	free(head);
}

/* Comma-separated field names (--sort F,-G, --columns A,B): the last one is completed. */
static void offer_field_list(struct comp *cp, bool minus)
{
	const char *comma = strrchr(cp->cur, ',');
	const char *part = comma ? comma + 1 : cp->cur;
	if (minus && *part == '-')
		part++;
	char *head = xstrndup(cp->cur, (size_t)(part - cp->cur));
	offer_fields(cp, cp->ki, head, "", true);
	free(head);
}

static void offer_commands(struct comp *cp)
{
	for (size_t i = 0; commands[i]; i++)
		if (!(commands[i]->flags & CMD_HIDDEN))
			add(cp, commands[i]->name, false);
}

static void offer_options(struct comp *cp, const struct synopsis *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->node[i].type == SYN_OPTION)
			add(cp, s->node[i].word, false);
}

/* The kind the words so far name: a KIND's, else the kind of the record an ID named — by an
 * id or id prefix, or by a name (whole, its start, a part) of a named_kind, the records
 * offer_names offers. Not ws_resolve: for a name it also reads every task and interaction,
 * too slow for a key press; a record named only so gets no field names. */
static const struct kindinfo *words_kind(struct comp *cp)
{
	struct strv ids = STRV_INIT, kinds = STRV_INIT;
	struct err e = { 0, "" };
	if (cp->ki || !cp->record || !cp->ws)
		return cp->ki;
	if (id_is_hex(cp->record, 4, 32) && !store_prefix(cp->ws->st, cp->record, 2, &ids, &kinds, &e) &&
	    kinds.n == 1)
		cp->ki = schema_kind(cp->sc, kinds.v[0]);
	static const enum name_match hows[] = { NAME_EXACT, NAME_PREFIX, NAME_CONTAINS };
	for (size_t how = 0; how < ARRAY_LEN(hows) && !cp->ki; how++)
		for (size_t k = 0; k < cp->sc->nkinds && !cp->ki; k++) {
			const struct kindinfo *ki = &cp->sc->kinds[k];
			if (named_kind(ki) &&
			    !store_name_match(cp->ws->st, ki, cp->record, hows[how], false, 1, &ids, &e) &&
			    ids.n)
				cp->ki = ki;
			strv_clear(&ids);
		}
	strv_clear(&ids);
	strv_clear(&kinds);
	return cp->ki;
}

/* Offers what a word of a synopsis (a literal or placeholder) takes. kind narrows an ID to a
 * kind (--customer ID: a customer). */
static void offer_word(struct comp *cp, const char *word, const char *kind)
{
	enum what what;
	const char *pkind;
	if (!is_placeholder(word)) {
		add(cp, word, false);
		return;
	}
	if (!placeholder(word, &what, &pkind))
		return;
	switch (what) {
	case W_NONE: break;
	case W_KIND:
		/* What add and import refuse to write (the process engine's kinds) is not offered
		 * there. */
		for (size_t k = 0; k < cp->sc->nkinds; k++)
			if (!((cp->sc->kinds[k].k->flags & K_ENGINE) &&
			      (!strcmp(cp->cmd->name, "add") || !strcmp(cp->cmd->name, "import"))))
				add(cp, cp->sc->kinds[k].k->name, false);
		break;
	case W_RECORD: offer_names(cp, pkind ? pkind : kind, "", cp->cur); break;
	case W_ASSIGN:
	case W_FILTER:
		if (words_kind(cp))
			offer_assignment(cp, what == W_FILTER);
		break;
	case W_FIELD:
		if (words_kind(cp))
			offer_fields(cp, cp->ki, "", "", true);
		break;
	case W_SORT:
	case W_COLUMNS:
		if (words_kind(cp))
			offer_field_list(cp, what == W_SORT);
		break;
	case W_MAP: {
		const char *eq = strchr(cp->cur, '=');
		if (eq && words_kind(cp)) {
			char *head = xstrndup(cp->cur, (size_t)(eq + 1 - cp->cur));
			offer_fields(cp, cp->ki, head, "", false);
			free(head);
		}
		break;
	}
	case W_FILE: cp->file = true; break;
	case W_DIR: cp->dir = true; break;
	case W_COMMAND: offer_commands(cp); break;
	case W_TYPE: {
		const struct kindinfo *fk = schema_kind(cp->sc, "field");
		const struct field *f = fk ? kind_field(fk, "type") : NULL;
		if (f && f->choices) {
			struct strv types = STRV_INIT;
			strv_split(&types, f->choices, ',');
			for (size_t i = 0; i < types.n; i++)
				add(cp, types.v[i], false);
			strv_clear(&types);
		}
		break;
	}
	}
}

/* The grammar walk. Positions are word indexes 0..n (words[n] is the word being completed);
 * step takes the set of positions a node may start at and gives those it may end at. A word
 * node tried at position n is a place the next word may fill: it is marked in asked. A node
 * that matches a word binds what the rest needs (a KIND's kind, the word an ID took). */
struct walk {
	struct comp *cp;
	const struct synopsis *s;
	char **words;
	size_t n;
	bool *asked; /* per node */
};

static void step(struct walk *w, int node, const bool *in, bool *out)
{
	const struct syn_node *nd = &w->s->node[node];
	size_t np = w->n + 1;
	bool *a = xcalloc(np, sizeof(bool)), *b = xcalloc(np, sizeof(bool));
	memset(out, 0, np * sizeof(bool));
	switch (nd->type) {
	case SYN_SEQ:
		memcpy(a, in, np * sizeof(bool));
		for (size_t k = 0; k < nd->nkid; k++) {
			step(w, nd->kid[k], a, b);
			memcpy(a, b, np * sizeof(bool));
		}
		memcpy(out, a, np * sizeof(bool));
		break;
	case SYN_ALT:
		for (size_t k = 0; k < nd->nkid; k++) {
			step(w, nd->kid[k], in, a);
			for (size_t i = 0; i < np; i++)
				out[i] |= a[i];
		}
		break;
	case SYN_OPT:
		step(w, nd->kid[0], in, out);
		for (size_t i = 0; i < np; i++)
			out[i] |= in[i];
		break;
	case SYN_REP: {
		/* One or more: repeat from the new ends until no new end appears. */
		bool grew = true;
		memcpy(a, in, np * sizeof(bool));
		while (grew) {
			step(w, nd->kid[0], a, b);
			grew = false;
			for (size_t i = 0; i < np; i++) {
				grew |= b[i] && !out[i];
				out[i] |= b[i];
			}
			memcpy(a, b, np * sizeof(bool));
		}
		break;
	}
	case SYN_OPTION: /* options were taken out of the words before the walk */
		memcpy(out, in, np * sizeof(bool));
		break;
	case SYN_WORD:
		for (size_t i = 0; i < np; i++) {
			if (!in[i])
				continue;
			if (i == w->n) {
				w->asked[node] = true;
				continue;
			}
			enum what what = W_NONE;
			const char *kind = NULL;
			if (!is_placeholder(nd->word)) {
				out[i + 1] |= !strcmp(nd->word, w->words[i]);
				continue;
			}
			out[i + 1] = true;
			placeholder(nd->word, &what, &kind);
			if (what == W_KIND)
				w->cp->ki = schema_kind(w->cp->sc, w->words[i]);
			else if (what == W_RECORD && !kind)
				w->cp->record = w->words[i];
		}
		break;
	}
	free(a);
	free(b);
}

/* Walks node over words[0..n-1] from position 0, offering what may fill words[n] (when offer;
 * else only for what the words bind). */
static void walk(struct comp *cp, const struct synopsis *s, int node, char **words, size_t n,
		 bool offer, const char *kind)
{
	struct walk w = { cp, s, words, n, xcalloc(s->n, sizeof(bool)) };
	bool *in = xcalloc(n + 1, sizeof(bool)), *out = xcalloc(n + 1, sizeof(bool));
	in[0] = true;
	step(&w, node, in, out);
	for (size_t i = 0; offer && i < s->n; i++)
		if (w.asked[i])
			offer_word(cp, s->node[i].word, kind);
	free(in);
	free(out);
	free(w.asked);
}

/* words[0] is the command's name, words[n] the word to complete. */
static void complete_command(struct comp *cp, char **words, size_t n)
{
	struct synopsis s;
	struct err e = { 0, "" };
	if (synopsis_parse(&s, cp->cmd->synopsis, &e))
		return;
	/* Options (and their values) out, the rest for the grammar; an unknown option is
	 * taken as a flag. After "--" every word is an argument. */
	char **pos = xcalloc(n + 1, sizeof(*pos));
	size_t np = 0;
	const struct syn_node *value_of = NULL;
	bool args_only = false;
	pos[np++] = words[0];
	for (size_t i = 1; i < n; i++) {
		const char *a = words[i];
		if (!args_only && !strcmp(a, "--"))
			args_only = true;
		else if (!args_only && a[0] == '-' && a[1]) {
			const struct syn_node *o = synopsis_option(&s, a);
			if (o && o->nkid && i + 1 == n)
				value_of = o;
			else if (o && o->nkid)
				i++;
		} else
			pos[np++] = words[i];
	}
	/* The arguments tell the kind an option's value may need (--sort after list task). */
	if (value_of) {
		walk(cp, &s, s.root, pos, np, false, NULL);
		/* --customer ID, --project ID: a record of the kind the option names. */
		const char *kind = NULL;
		for (size_t k = 0; k < kind_count; k++)
			if (!strcmp(value_of->word + strspn(value_of->word, "-"), kind_table[k].name))
				kind = kind_table[k].name;
		walk(cp, &s, value_of->kid[0], pos, 0, true, kind);
	} else if (!args_only && cp->cur[0] == '-')
		offer_options(cp, &s);
	else
		walk(cp, &s, s.root, pos, np, true, NULL);
	free(pos);
	synopsis_free(&s);
}

static int run(struct ctx *c, int argc, char **argv)
{
	struct comp cp = { .c = c, .out = STRV_INIT };
	char **words = argv + 1;
	size_t n = argc > 1 ? (size_t)argc - 2 : 0, i = 0; /* words[n]: the word to complete */
	const char *cdir = c->cdir;
	cp.cur = argc > 1 ? words[n] : "";
	/* main's options first: -C DIR names the workspace whose names to offer. */
	for (; i < n && words[i][0] == '-'; i++) {
		if (!strcmp(words[i], "-C") && i + 1 < n)
			cdir = words[++i];
		else if (!strcmp(words[i], "-C"))
			cp.dir = true;
		else if (!strncmp(words[i], "-C", 2))
			cdir = words[i] + 2;
	}
	schema_init(&cp.builtin);
	cp.sc = &cp.builtin;
	cp.ws = c->ws; /* the TUI's, when it runs us */
	char *root = NULL;
	struct err e = { 0, "" };
	if (!cp.ws && !ws_locate(cdir, &root, &e) && ws_open(&cp.ws, root, &e))
		cp.ws = NULL;
	free(root);
	if (cp.ws)
		cp.sc = &cp.ws->sc;
	if (cp.dir) {
		/* -C's directory */
	} else if (i == n && cp.cur[0] == '-') {
		struct synopsis s;
		if (!synopsis_parse(&s, global_synopsis, &e)) {
			offer_options(&cp, &s);
			synopsis_free(&s);
		}
	} else if (i == n)
		offer_commands(&cp);
	else if ((cp.cmd = command_find(words[i])) && !(cp.cmd->flags & CMD_HIDDEN))
		complete_command(&cp, words + i, n - i);
	for (size_t k = 0; k < cp.out.n; k++)
		fprintf(c->out, "%s\n", cp.out.v[k]);
	if (!cp.out.n && (cp.file || cp.dir))
		fprintf(c->out, "%s\n", cp.file ? ":file" : ":dir");
	strv_clear(&cp.out);
	if (cp.ws != c->ws)
		ws_close(cp.ws);
	schema_free(&cp.builtin);
	return 0;
}
