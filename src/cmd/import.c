/*
 * import.c — `rapport import KIND FILE`: records from a spreadsheet or another CRM. Every row is
 * checked exactly as `rapport add` checks (ws_put, ws_add), references may be names, and by
 * default the import is all or nothing: one bad row and nothing is written, with every problem
 * listed by line and column. Encodings: UTF-8 with or without BOM (one: a second is named as
 * junk in the header), UTF-16 with BOM, and any legacy one iconv knows with --encoding;
 * invalid UTF-8 is caught and named, never stored. A leading ' that export put before a
 * formula-like cell is taken away.
 */
#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_import = {
	"import", run,
	"import KIND FILE [--dry-run] [--encoding ENC] [--map COLUMN=FIELD]... [--skip-invalid] "
	"[--update-by FIELD]",
	N_("Import records from a CSV file."),
	N_("The first row names the columns; each maps to the field with that name or label,\n"
	"ignoring case, spaces and underscores ('Renewal intent' is renewal_intent). --map\n"
	"COLUMN=FIELD maps the rest (--map COLUMN= ignores a column). Every row is checked as\n"
	"'rapport add' checks it; references take an id or a name (customer=Fabrikam).\n"
	"By default nothing is written if any row is invalid, and every problem is listed with\n"
	"its line and column; --skip-invalid writes the valid rows and lists the rest.\n"
	"--dry-run checks everything and writes nothing.\n"
	"Duplicates (the same name for customers, the same email for contacts and members, or\n"
	"the same --update-by FIELD) are skipped and reported; with --update-by they are updated\n"
	"from the row's non-empty cells. CSV is RFC 4180 (quotes, line breaks in quotes, CRLF);\n"
	"the separator (comma, semicolon or tab) is taken from the header; a leading ' before\n"
	"=, +, -, @, tab or CR is removed (export adds it against formulas). Files are UTF-8\n"
	"(one BOM at the start is fine) or UTF-16 with a BOM; others need --encoding (GBK,\n"
	"GB18030, BIG5, SHIFT_JIS, WINDOWS-1252, ...). FILE - reads standard input.\n"),
	CMD_WS,
};

#define MAX_SHOWN 50

struct column {
	char *name;
	const struct field *f; /* NULL: ignored */
};

static void norm_name(char *out, size_t n, const char *s)
{
	size_t k = 0;
	for (; *s && k + 1 < n; s++) {
		unsigned char ch = (unsigned char)*s;
		out[k++] = ch == ' ' || ch == '-' ? '_' : (char)tolower(ch);
	}
	out[k] = '\0';
	/* Trim what spreadsheets pad headers with. */
	while (k && out[k - 1] == '_')
		out[--k] = '\0';
}

static const struct field *match(const struct kindinfo *ki, const char *column)
{
	char want[128], label[128], nl[128];
	norm_name(want, sizeof want, column);
	for (size_t i = 0; i < ki->nf; i++) {
		field_label(ki->f[i], label, sizeof label);
		norm_name(nl, sizeof nl, label);
		if (!strcmp(want, ki->f[i]->name) || !strcmp(want, nl))
			return ki->f[i];
	}
	return NULL;
}

/* The "field 'NAME': " of the messages of ws_put and ws_add, in the interface language (as
 * err_set wrote them) or, when the catalogue words it otherwise, in English. */
static const char *field_at(const char *msg, const char *field, size_t *len)
{
	char pre[160];
	snprintf(pre, sizeof pre, _("field '%s': "), field);
	const char *p = strstr(msg, pre);
	if (!p) {
		snprintf(pre, sizeof pre, "field '%s': ", field);
		p = strstr(msg, pre);
	}
	*len = strlen(pre);
	return p;
}

/* "new customer: field 'due': 'x' is not a date" -> "'x' is not a date". */
static const char *reason(const char *msg, const char *field)
{
	size_t n;
	const char *p = field_at(msg, field, &n);
	return p ? p + n : msg;
}

/* "new customer: field 'name' is required" -> "field 'name' is required": from the first
 * "field '" (the words before the name in the translated "field '%s': "). */
static const char *from_field(const char *msg)
{
	const char *t = _("field '%s': ");
	char pre[64];
	snprintf(pre, sizeof pre, "%.*s", (int)strcspn(t, "%"), t);
	const char *p = *pre ? strstr(msg, pre) : NULL;
	if (!p)
		p = strstr(msg, "field '");
	return p ? p : msg;
}

#define BOM "\xef\xbb\xbf" /* U+FEFF in UTF-8: Excel's byte-order mark */

/* A byte-order mark in a header cell: one at the very start of the file is dropped as Excel's,
 * any other (a file saved through two tools) is junk that would leave the column unmapped and
 * show up only later as "field 'name' is required". It is named here, shown as \ufeff. */
static int bom_in_header(struct ctx *c, const char *file, size_t col, const char *name,
			 const char *kind)
{
	struct buf b = BUF_INIT;
	for (const char *p = name, *m; *p; p = m + 3) {
		if (!(m = strstr(p, BOM))) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(m - p));
		buf_adds(&b, "\\ufeff");
	}
	int rc = err_set(&c->err, RERR_INPUT,
			 "%s: line 1: column %zu '%s' is not a field of %s: it holds a byte-order "
			 "mark (U+FEFF), which only the first bytes of a file may have",
			 file, col + 1, b.data, kind);
	buf_release(&b);
	return rc;
}

struct report {
	long created, updated, skipped, failed, shown;
};

static void problem(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct report *r, const char *fmt, ...)
{
	if (r->shown++ < MAX_SHOWN) {
		va_list ap;
		va_start(ap, fmt);
		fputs("rapport: import: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

/* An existing live record with the same key (name ignoring case, or an exact field value). */
static int find_dup(struct ctx *c, const struct kindinfo *ki, const struct field *key,
		    const char *value, char out[33])
{
	struct strv ids = STRV_INIT;
	struct err e = { 0, "" };
	out[0] = '\0';
	if (key->flags & F_NAME)
		store_by_name(c->ws->st, ki, value, 1, &ids, &e);
	else {
		struct query q;
		struct recs hit = { NULL, 0 };
		query_init(&q, ki);
		q.cond[q.ncond++] = (struct qcond){ .f = key, .op = Q_EQ, .value = value };
		q.limit = 1;
		store_query(c->ws->st, &q, recs_add, &hit, &e);
		if (hit.n)
			strv_push(&ids, hit.v[0]->id);
		recs_free(&hit);
		query_free(&q);
	}
	if (ids.n)
		snprintf(out, 33, "%s", ids.v[0]);
	strv_clear(&ids);
	return 0;
}

/* The duplicate keys of an import in memory (key -> id): the kind's live values, loaded in one
 * pass, and every row written since; one probe per row instead of one query. Keys fold as the
 * database compares them: names ignoring ASCII case (COLLATE NOCASE), other text exactly. */
static void dm_put(struct strmap *m, const char *key, const char *id)
{
	bool added;
	void **v = strmap_put(m, key, &added);
	if (added) /* the first record with a key is the one rows are matched to */
		*v = xstrdup(id);
}

static int dm_load(const char *id, const char *value, void *ctx)
{
	dm_put(ctx, value, id);
	return 0;
}

/* Puts a row's cells on r; every bad cell is reported. Returns the number of bad cells. */
static int put_cells(struct ctx *c, struct record *r, const struct column *cols, size_t ncols,
		     const struct strv *cells, int line, struct report *rep, bool *fatal)
{
	int bad = 0;
	for (size_t i = 0; i < ncols && i < cells->n; i++) {
		if (!cols[i].f)
			continue;
		const char *v = cells->v[i];
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			continue;
		v = csv_text_value(v); /* export writes =x as '=x, out of a spreadsheet's reach */
		char *val = xstrdup(v);
		size_t n = strlen(val);
		while (n && (val[n - 1] == ' ' || val[n - 1] == '\t'))
			val[--n] = '\0';
		struct err e = { 0, "" };
		int rc = ws_put(c->ws, r, cols[i].f, val, &e);
		if (rc == RERR_RUNTIME)
			*fatal = true;
		if (rc) {
			problem(rep, _("line %d, column '%s' (%s): %s"), line, cols[i].name, cols[i].f->name,
				reason(e.msg, cols[i].f->name));
			bad++;
		}
		free(val);
	}
	return bad;
}

static int run(struct ctx *c, int argc, char **argv)
{
	const char *kind = NULL, *file = NULL, *enc = NULL, *update_by = NULL;
	bool dry = false, skip = false;
	struct strv maps = STRV_INIT;
	struct strmap dm = { 0 };
	int rc = 0;
	const char *pos[2] = { NULL, NULL };
	const struct opt opts[] = { { "--dry-run", &dry, NULL, NULL },
				    { "--skip-invalid", &skip, NULL, NULL },
				    { "--encoding", NULL, &enc, NULL },
				    { "--update-by", NULL, &update_by, NULL },
				    { "--map", NULL, NULL, &maps },
				    { NULL, NULL, NULL, NULL } };
	rc = args_parse(c, &cmd_import, argc, argv, opts, pos, 2, NULL, N_("too many arguments"));
	for (size_t i = 0; !rc && i < maps.n; i++)
		if (!strchr(maps.v[i], '='))
			rc = usage_error(c, &cmd_import, "--map takes COLUMN=FIELD, not '%s'", maps.v[i]);
	if (rc) {
		strv_clear(&maps);
		return rc;
	}
	kind = pos[0];
	file = pos[1];
	if (!file) {
		strv_clear(&maps);
		return usage_error(c, &cmd_import, "needs KIND and FILE");
	}
	const struct kindinfo *ki;
	char *raw = NULL, *text = NULL;
	size_t len = 0, tlen = 0;
	struct column *cols = NULL;
	size_t ncols = 0;
	struct strv cells = STRV_INIT;
	struct report rep = { 0 };
	bool in_tx = false;
	if ((rc = ctx_open(c)) || (rc = kind_arg(c, kind, &ki)))
		goto out;
	if (ki->k->flags & K_CONFIG) {
		rc = usage_error(c, &cmd_import, "custom fields are added with 'rapport field add'");
		goto out;
	}
	if ((rc = engine_refuses(c, ki)))
		goto out;
	const struct field *key = NULL;
	if (update_by) {
		key = kind_field(ki, update_by);
		if (!key || (key->flags & F_META && strcmp(update_by, "id"))) {
			rc = err_set(&c->err, RERR_USAGE, "--update-by: %s has no field '%s'", kind,
				     update_by);
			goto out;
		}
	} else if (!strcmp(kind, "customer"))
		key = kind_field(ki, "name");
	else if (!strcmp(kind, "contact") || !strcmp(kind, "member"))
		key = kind_field(ki, "email");

	/* ---- bytes to UTF-8 text ---- */
	if (!(raw = file_read(file, &len))) {
		rc = err_set(&c->err, RERR_INPUT, "%s: cannot read: %s", file, strerror(errno));
		goto out;
	}
	const char *body = raw;
	size_t blen = len;
	if (!enc && len >= 2 && ((unsigned char)raw[0] == 0xff && (unsigned char)raw[1] == 0xfe))
		enc = "UTF-16";
	else if (!enc && len >= 2 && ((unsigned char)raw[0] == 0xfe && (unsigned char)raw[1] == 0xff))
		enc = "UTF-16";
	if (enc) {
		if ((rc = to_utf8(enc, raw, len, &text, &tlen, &c->err))) {
			err_prefix(&c->err, "%s", file);
			goto out;
		}
		body = text;
		blen = tlen;
	}
	if (blen >= 3 && !memcmp(body, BOM, 3)) { /* Excel's; a second one is the header's problem */
		body += 3;
		blen -= 3;
	}
	const char *nul = memchr(body, '\0', blen);
	if (nul) {
		int line = 1;
		for (const char *p = body; p < nul; p++)
			line += *p == '\n';
		rc = err_set(&c->err, RERR_INPUT,
			     "%s: line %d: a NUL byte — not a text file (or UTF-16 without a BOM: try "
			     "--encoding UTF-16LE)",
			     file, line);
		goto out;
	}
	if (!enc && !utf8_valid(body, blen)) {
		int line = 1;
		for (size_t i = 0; i < blen;) {
			uint32_t cp;
			size_t k = utf8_decode((const unsigned char *)body + i, blen - i, &cp);
			if (!k)
				break;
			line += body[i] == '\n';
			i += k;
		}
		rc = err_set(&c->err, RERR_INPUT,
			     "%s: line %d: not valid UTF-8; if the file is in another encoding, say "
			     "which: --encoding GBK (Chinese Excel), SHIFT_JIS, BIG5 or WINDOWS-1252",
			     file, line);
		goto out;
	}

	/* ---- the header ---- */
	struct csv csv;
	csv_init(&csv, body, blen);
	int got = csv_row(&csv, &cells, &c->err);
	if (got < 0) {
		rc = got;
		err_prefix(&c->err, "%s", file);
		goto out;
	}
	if (got == 0) {
		rc = err_set(&c->err, RERR_INPUT, "%s: empty — the first row must name the columns", file);
		goto out;
	}
	ncols = cells.n;
	cols = xcalloc(ncols, sizeof(*cols));
	size_t mapped = 0;
	for (size_t i = 0; i < ncols; i++) {
		cols[i].name = xstrdup(cells.v[i]);
		const char *target = NULL;
		bool ignore = false;
		for (size_t m = 0; m < maps.n; m++) {
			const char *eq = strrchr(maps.v[m], '=');
			if ((size_t)(eq - maps.v[m]) == strlen(cells.v[i]) &&
			    !strncasecmp(maps.v[m], cells.v[i], (size_t)(eq - maps.v[m]))) {
				target = eq + 1;
				ignore = !*target;
			}
		}
		if (ignore)
			continue;
		if (!target && strstr(cells.v[i], BOM)) {
			rc = bom_in_header(c, file, i, cells.v[i], kind);
			goto out;
		}
		if (target) {
			cols[i].f = kind_field(ki, target);
			if (!cols[i].f || (cols[i].f->flags & F_META)) {
				rc = err_set(&c->err, RERR_USAGE, "--map %s=%s: %s has no field '%s'",
					     cells.v[i], target, kind, target);
				goto out;
			}
		} else
			cols[i].f = match(ki, cells.v[i]);
		for (size_t j = 0; cols[i].f && j < i; j++)
			if (cols[j].f == cols[i].f) {
				rc = err_set(&c->err, RERR_USAGE,
					     "%s: columns '%s' and '%s' both map to field '%s' (use --map "
					     "to choose)",
					     file, cols[j].name, cols[i].name, cols[i].f->name);
				goto out;
			}
		mapped += cols[i].f != NULL;
	}
	for (size_t m = 0; m < maps.n; m++) {
		const char *eq = strrchr(maps.v[m], '=');
		bool found = false;
		for (size_t i = 0; i < ncols; i++)
			if ((size_t)(eq - maps.v[m]) == strlen(cols[i].name) &&
			    !strncasecmp(maps.v[m], cols[i].name, (size_t)(eq - maps.v[m])))
				found = true;
		if (!found) {
			rc = err_set(&c->err, RERR_USAGE, "--map %s: %s has no column '%.*s'", maps.v[m],
				     file, (int)(eq - maps.v[m]), maps.v[m]);
			goto out;
		}
	}
	if (!mapped) {
		rc = err_set(&c->err, RERR_INPUT,
			     "%s: no column maps to a field of %s; name them in the first row or use "
			     "--map COLUMN=FIELD (see 'rapport fields %s')",
			     file, kind, kind);
		goto out;
	}

	/* --update-by id: the ids are in a column of that name; they are keys, not values. */
	int idcol = -1;
	for (size_t i = 0; key && !strcmp(key->name, "id") && i < ncols; i++)
		if (!strcasecmp(cols[i].name, "id"))
			idcol = (int)i;
	if (key && !strcmp(key->name, "id") && idcol < 0) {
		rc = err_set(&c->err, RERR_USAGE, "--update-by id: %s has no column 'id'", file);
		goto out;
	}

	/* ---- the rows, in one transaction ---- */
	if ((rc = store_bulk(c->ws->st, &c->err)) || (rc = store_begin(c->ws->st, &c->err)))
		goto out;
	in_tx = true;
	/* A big load into a kind that holds fewer records than the file: rebuilding the order
	 * indexes once at the end beats updating them row by row. */
	long lines = 0, existing = 0;
	for (const char *p = body; (p = memchr(p, '\n', (size_t)(body + blen - p))); p++)
		lines++;
	struct query cq;
	query_init(&cq, ki);
	cq.deleted = 2;
	struct err ce = { 0, "" };
	store_count(c->ws->st, &cq, &existing, &ce); /* only to choose the bulk path */
	query_free(&cq);
	bool bulk = lines >= 2000 && lines >= existing / 2;
	if (bulk && (rc = store_bulk_begin(c->ws->st, ki, key, &c->err)))
		goto out;
	/* Keys of names, emails and text fields are probed in memory; others (numbers, sets, ids)
	 * keep the database's own comparison. */
	dm.fold = key && (key->flags & F_NAME);
	bool use_dm = key && idcol < 0 &&
		      (key->type == FT_TEXT || key->type == FT_EMAIL || key->type == FT_LONG);
	if (use_dm && (rc = store_values(c->ws->st, ki, key, dm_load, &dm, &c->err)))
		goto out;
	long rows = 0;
	for (;;) {
		int line = csv.line;
		got = csv_row(&csv, &cells, &c->err);
		if (got < 0) {
			err_prefix(&c->err, "%s", file);
			problem(&rep, "%s", c->err.msg);
			rep.failed++;
			break; /* an open quote swallows the rest: nothing after it can be trusted */
		}
		if (!got)
			break;
		bool blank = true;
		for (size_t i = 0; i < cells.n; i++)
			if (cells.v[i][strspn(cells.v[i], " \t")])
				blank = false;
		if (blank)
			continue;
		rows++;
		if (rows % 256 == 0)
			ctx_progress(c, "import", (double)(csv.p - body) / (double)(blen + 1));
		if (cells.n > ncols) {
			problem(&rep, _("line %d: %zu cells, but the header has %zu columns"), line, cells.n,
				ncols);
			rep.failed++;
			continue;
		}
		bool fatal = false;
		struct record *r = record_new(ki);
		int bad = put_cells(c, r, cols, ncols, &cells, line, &rep, &fatal);
		char dup[33] = "";
		/* The key: the row's id cell for --update-by id, else the normalised field value. */
		int idx = key ? kind_field_index(ki, key) : -1;
		const char *kv = idcol >= 0 ? ((size_t)idcol < cells.n && *cells.v[idcol] ? cells.v[idcol] : NULL)
			       : idx >= 0 ? r->val[idx]
					  : NULL;
		if (!bad && kv && use_dm) {
			const char *hit = strmap_get(&dm, kv);
			snprintf(dup, sizeof dup, "%s", hit ? hit : "");
		} else if (!bad && kv)
			find_dup(c, ki, key, kv, dup);
		struct err e = { 0, "" };
		if (bad) {
			rep.failed++;
		} else if (dup[0] && update_by) {
			struct record *old = NULL;
			int urc = store_get(c->ws->st, &c->ws->sc, dup, &old, &e);
			if (!urc)
				urc = put_cells(c, old, cols, ncols, &cells, line, &rep, &fatal) ? RERR_INPUT
												   : 0;
			if (!urc && !(urc = ws_save(c->ws, old, &e)))
				rep.updated++;
			else {
				if (e.msg[0])
					problem(&rep, _("line %d: %s"), line, e.msg);
				fatal |= urc == RERR_RUNTIME;
				rep.failed++;
			}
			record_free(old);
		} else if (dup[0]) {
			problem(&rep,
				_("line %d: skipped, a duplicate of %s %.8s '%s' (--update-by %s updates it)"),
				line, kind_label(ki->k), dup, ws_title(c->ws, dup), key->name);
			rep.skipped++;
		} else {
			int arc = ws_add(c->ws, r, &e);
			if (arc) {
				problem(&rep, _("line %d: %s"), line, from_field(e.msg));
				rep.failed++;
				fatal |= arc == RERR_RUNTIME;
			} else {
				rep.created++;
				if (use_dm && kv)
					dm_put(&dm, kv, r->id);
			}
		}
		record_free(r);
		if (fatal) {
			/* Not the row's fault (the disk, the database): stop, write nothing. */
			store_rollback(c->ws->st);
			in_tx = false;
			rc = err_set(&c->err, RERR_RUNTIME, "import: stopped at line %d; nothing was imported",
				     line);
			goto out;
		}
	}
	ctx_progress(c, "import", 1);
	if (rep.shown > MAX_SHOWN)
		fprintf(stderr, _("rapport: import: … and %ld more problems\n"), rep.shown - MAX_SHOWN);
	bool all_or_nothing_failed = rep.failed && !skip;
	if (dry || all_or_nothing_failed) {
		store_rollback(c->ws->st);
		in_tx = false;
	} else {
		in_tx = false;
		if (bulk && (rc = store_bulk_end(c->ws->st, ki, &c->err))) {
			store_rollback(c->ws->st);
			goto out;
		}
		if ((rc = store_commit(c->ws->st, &c->err)))
			goto out;
		if (rep.created > 1000)
			store_analyze(c->ws->st, NULL);
	}
	if (dry || all_or_nothing_failed)
		fprintf(c->out, _("%s: nothing written; %ld would be created, %ld updated, %ld skipped, "
				  "%ld failed\n"),
			kind_label(ki->k), rep.created, rep.updated, rep.skipped, rep.failed);
	else
		fprintf(c->out, _("%s: %ld created, %ld updated, %ld skipped, %ld failed\n"),
			kind_label(ki->k),
			rep.created, rep.updated, rep.skipped, rep.failed);
	struct strv ignored = STRV_INIT;
	for (size_t i = 0; i < ncols; i++)
		if (!cols[i].f && (int)i != idcol)
			strv_push(&ignored, cols[i].name);
	if (ignored.n) {
		char *list = strv_join(&ignored, "', '");
		fprintf(c->out, _("Ignored columns: '%s' (--map COLUMN=FIELD to import them)\n"), list);
		free(list);
	}
	strv_clear(&ignored);
	if (all_or_nothing_failed) {
		char *msg = xasprintf(P_("import: %ld invalid row; nothing was imported (fix them, or "
					 "--skip-invalid to import the valid rows)",
					 "import: %ld invalid rows; nothing was imported (fix them, or "
					 "--skip-invalid to import the valid rows)",
					 (unsigned long)rep.failed),
				      rep.failed);
		rc = err_set(&c->err, RERR_INPUT, "%s", msg);
		free(msg);
	}
out:
	strmap_free(&dm, free);
	if (in_tx)
		store_rollback(c->ws->st);
	for (size_t i = 0; i < ncols; i++)
		free(cols[i].name);
	free(cols);
	strv_clear(&cells);
	strv_clear(&maps);
	free(raw);
	free(text);
	return rc;
}
