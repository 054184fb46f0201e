/*
 * records.c — reading and writing records, queries with filters and sorting, totals, and the
 * full-text index. SQL is generated from the schema (identifiers from the kind table only) and
 * every value is bound. Per-kind statements are cached, which is what makes bulk loads (demo
 * data, imports, sync) run at SQLite's speed rather than the parser's.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- binding and reading values by field type ---- */

static void bind_value(sqlite3_stmt *s, int i, const struct field *f, const char *v)
{
	if (!v) {
		sqlite3_bind_null(s, i);
		return;
	}
	switch (f->type) {
	case FT_NUMBER: sqlite3_bind_double(s, i, strtod(v, NULL)); break;
	case FT_INT: sqlite3_bind_int64(s, i, strtoll(v, NULL, 10)); break;
	case FT_BOOL: sqlite3_bind_int(s, i, !strcmp(v, "true")); break;
	default: sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	}
}

static char *read_value(sqlite3_stmt *s, int i, const struct field *f)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	switch (f->type) {
	case FT_NUMBER: {
		double d = sqlite3_column_double(s, i);
		return xasprintf("%.15g", d == 0 ? 0.0 : d);
	}
	case FT_INT: return xasprintf("%lld", (long long)sqlite3_column_int64(s, i));
	case FT_BOOL: return xstrdup(sqlite3_column_int(s, i) ? "true" : "false");
	default: return xstrdup((const char *)sqlite3_column_text(s, i));
	}
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* ---- the statement cache ---- */

static void select_list(struct buf *b, const struct kindinfo *ki)
{
	buf_adds(b, "SELECT id, created, updated, author, deleted, extra, rev, conflicts");
	for (size_t i = 0; i < ki->nf; i++)
		buf_addf(b, ", \"%s\"", field_column(ki->f[i]));
	buf_addf(b, " FROM \"%s\"", ki->k->name);
}

#define FIRST_FIELD_COL STORE_FIRST_FIELD_COL

static void build_insert(struct buf *sql, const struct kindinfo *ki)
{
	buf_addf(sql, "INSERT INTO \"%s\"(id, created, updated, author, deleted, extra, rev, conflicts",
		 ki->k->name);
	for (size_t i = 0; i < ki->nf; i++)
		buf_addf(sql, ", \"%s\"", field_column(ki->f[i]));
	buf_adds(sql, ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8");
	for (size_t i = 0; i < ki->nf; i++) {
		/* A derived stage is the database's own, whatever the record says. */
		if (ki->f[i]->flags & F_DERIVED) {
			buf_adds(sql, ", ");
			store_derive_sql(sql, ki->k->name, ki->f[i], ki);
		} else
			buf_addf(sql, ", ?%zu", FIRST_FIELD_COL + 1 + i);
	}
	buf_adds(sql, ")");
}

static void build_update(struct buf *sql, const struct kindinfo *ki);
static void build_byname(struct buf *sql, const struct kindinfo *ki);
static void build_get(struct buf *sql, const struct kindinfo *ki)
{
	select_list(sql, ki);
	buf_adds(sql, " WHERE id = ?");
}

/* The cached statement `which` for a kind, reset and ready to bind. */
static int kind_stmt(struct store *st, const struct kindinfo *ki, int which, sqlite3_stmt **out,
		     struct err *e)
{
	static void (*const build[KS_COUNT])(struct buf *, const struct kindinfo *) = {
		build_insert, build_update, build_get, build_byname
	};
	size_t need = (size_t)ki->index + 1;
	if (st->nkinds < need) {
		st->kstmt = xrealloc(st->kstmt, need * KS_COUNT * sizeof(*st->kstmt));
		memset(st->kstmt + st->nkinds * KS_COUNT, 0,
		       (need - st->nkinds) * KS_COUNT * sizeof(*st->kstmt));
		st->nkinds = need;
	}
	sqlite3_stmt **slot = &st->kstmt[(size_t)ki->index * KS_COUNT + (size_t)which];
	int rc = 0;
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
	} else {
		struct buf sql = BUF_INIT;
		build[which](&sql, ki);
		rc = store_prep(st, slot, sql.data, e);
		buf_release(&sql);
	}
	*out = *slot;
	return rc;
}

static struct record *row_to_record(sqlite3_stmt *s, const struct kindinfo *ki)
{
	struct record *r = record_new(ki);
	const unsigned char *id = sqlite3_column_text(s, 0);
	snprintf(r->id, sizeof r->id, "%s", id ? (const char *)id : "");
	r->created = col_dup(s, 1);
	r->updated = col_dup(s, 2);
	r->author = col_dup(s, 3);
	r->deleted = sqlite3_column_int(s, 4);
	r->extra = col_dup(s, 5);
	r->rev = col_dup(s, 6);
	r->conflicts = col_dup(s, 7);
	for (size_t i = 0; i < ki->nf; i++)
		r->val[i] = read_value(s, FIRST_FIELD_COL + (int)i, ki->f[i]);
	return r;
}

#define stmt_for store_stmt

/* ---- full-text index ---- */

static bool cjk(uint32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
	       (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) ||
	       (cp >= 0x20000 && cp <= 0x3ffff);
}

/* unicode61 sees a run of CJK characters as one token; spacing them makes each character a token,
 * so a query for any part of a Chinese or Japanese name matches as a phrase. */
void store_fts_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			i++;
			continue;
		}
		if (cjk(cp)) {
			buf_addc(b, ' ');
			buf_add(b, p + i, k);
			buf_addc(b, ' ');
		} else
			buf_add(b, p + i, k);
		i += k;
	}
}

/* What the index holds for a record, as a number in meta "fts": when this build indexes
 * differently (2: names' pinyin), store_fts_refresh indexes every record again. */
#define FTS_FORMAT "2"

/* Indexes a record's text under its ids number n; `fresh`: n was just allocated (ids rows are
 * never deleted, so no entry can exist and there is nothing to remove first). */
static int fts_put(struct store *st, const struct record *r, sqlite3_int64 n, bool fresh,
		   struct err *e)
{
	struct buf text = BUF_INIT;
	int rc = 0;
	if (!fresh) {
		if ((rc = stmt_for(st, &st->fts_del, "DELETE FROM fts WHERE rowid = ?", e)))
			return rc;
		sqlite3_bind_int64(st->fts_del, 1, n);
		rc = sqlite3_step(st->fts_del) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "search index");
		sqlite3_reset(st->fts_del);
		if (rc)
			return rc;
	}
	if (r->deleted)
		return 0;
	for (size_t i = 0; i < r->ki->nf; i++)
		if ((r->ki->f[i]->flags & F_FTS) && r->val[i]) {
			store_fts_text(&text, r->val[i]);
			/* A Chinese name is also found by its pinyin and initials ("mingyuan", "mykj"). */
			if (r->ki->f[i]->flags & F_NAME)
				text_pinyin_forms(&text, r->val[i]);
			buf_addc(&text, '\n');
		}
	if (!text.len)
		goto out;
	if ((rc = stmt_for(st, &st->fts_ins, "INSERT INTO fts(rowid, kind, body) VALUES(?, ?, ?)",
			   e)))
		goto out;
	sqlite3_bind_int64(st->fts_ins, 1, n);
	sqlite3_bind_text(st->fts_ins, 2, r->ki->k->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->fts_ins, 3, text.data, (int)text.len, SQLITE_STATIC);
	if (sqlite3_step(st->fts_ins) != SQLITE_DONE)
		rc = store_sqlerr(st, e, "search index");
	sqlite3_reset(st->fts_ins);
out:
	buf_release(&text);
	return rc;
}

/* ---- writes ---- */

static void bind_record(sqlite3_stmt *s, const struct record *r, const char *rev)
{
	sqlite3_bind_text(s, 1, r->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, r->created, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, r->updated, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, r->author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, r->deleted);
	sqlite3_bind_text(s, 6, r->extra, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, rev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, r->conflicts, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; i < r->ki->nf; i++)
		if (!(r->ki->f[i]->flags & F_DERIVED))
			bind_value(s, FIRST_FIELD_COL + 1 + (int)i, r->ki->f[i], r->val[i]);
}

/* Binds a record to a cached insert or update and runs it. A local write gets the next rev of
 * this replica's clock and is queued for the next snapshot; an imported one keeps its rev. */
static int write_row(struct store *st, sqlite3_stmt *s, const struct record *r, struct err *e)
{
	char rev[REV_MAX];
	if (st->wmode == STORE_LOCAL)
		store_rev_next(st, rev);
	else
		snprintf(rev, sizeof rev, "%s", r->rev ? r->rev : "");
	bind_record(s, r, rev);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, r->ki->k->name);
	sqlite3_reset(s);
	if (rc || st->wmode == STORE_IMPORT || !st->tracking)
		return rc;
	if ((rc = stmt_for(st, &st->dirty_put,
			   "INSERT OR REPLACE INTO dirty(id, rev) VALUES(?, ?)", e)))
		return rc;
	sqlite3_bind_text(st->dirty_put, 1, r->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->dirty_put, 2, rev, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st->dirty_put) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "dirty");
	sqlite3_reset(st->dirty_put);
	return rc;
}

int store_insert(struct store *st, const struct record *r, struct err *e)
{
	const struct kindinfo *ki = r->ki;
	sqlite3_stmt *s;
	int rc;
	if ((rc = kind_stmt(st, ki, KS_INSERT, &s, e)) || (rc = store_begin(st, e)))
		return rc;
	if ((rc = write_row(st, s, r, e)))
		goto fail;
	if ((rc = stmt_for(st, &st->ids_ins, "INSERT INTO ids(id, kind) VALUES(?, ?)", e)))
		goto fail;
	sqlite3_bind_text(st->ids_ins, 1, r->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st->ids_ins, 2, ki->k->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->ids_ins) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "ids");
	sqlite3_reset(st->ids_ins);
	if (rc)
		goto fail;
	if ((rc = fts_put(st, r, sqlite3_last_insert_rowid(st->db), true, e)))
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return rc;
}

static int id_number(struct store *st, const char *id, sqlite3_int64 *n, struct err *e)
{
	int rc = stmt_for(st, &st->ids_n, "SELECT n FROM ids WHERE id = ?", e);
	if (rc)
		return rc;
	sqlite3_bind_text(st->ids_n, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st->ids_n) == SQLITE_ROW;
	if (rc)
		*n = sqlite3_column_int64(st->ids_n, 0);
	/* Reset at once: a statement left stepping holds a read snapshot open. */
	sqlite3_reset(st->ids_n);
	return rc ? 0 : err_set(e, RERR_NOTFOUND, "no record %s", id);
}

static void build_update(struct buf *sql, const struct kindinfo *ki)
{
	buf_addf(sql, "UPDATE \"%s\" SET created = ?2, updated = ?3, author = ?4, deleted = ?5, "
		      "extra = ?6, rev = ?7, conflicts = ?8",
		 ki->k->name);
	for (size_t i = 0; i < ki->nf; i++) {
		buf_addf(sql, ", \"%s\" = ", field_column(ki->f[i]));
		if (ki->f[i]->flags & F_DERIVED)
			store_derive_sql(sql, ki->k->name, ki->f[i], ki);
		else
			buf_addf(sql, "?%zu", FIRST_FIELD_COL + 1 + i);
	}
	buf_adds(sql, " WHERE id = ?1");
}

int store_update(struct store *st, const struct record *r, struct err *e)
{
	const struct kindinfo *ki = r->ki;
	sqlite3_int64 n = 0;
	sqlite3_stmt *s;
	int rc;
	if ((rc = kind_stmt(st, ki, KS_UPDATE, &s, e)) || (rc = store_begin(st, e)))
		return rc;
	if ((rc = write_row(st, s, r, e)))
		goto fail;
	if (sqlite3_changes(st->db) != 1) {
		rc = err_set(e, RERR_NOTFOUND, "%s %s: no such record", ki->k->name, r->id);
		goto fail;
	}
	if ((rc = id_number(st, r->id, &n, e)) || (rc = fts_put(st, r, n, false, e)))
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return rc;
}

/* ---- reads ---- */

int store_kind_of(struct store *st, const char *id, char **kind, struct err *e)
{
	*kind = NULL;
	int rc = stmt_for(st, &st->ids_kind, "SELECT kind FROM ids WHERE id = ?", e);
	if (rc)
		return rc;
	sqlite3_bind_text(st->ids_kind, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st->ids_kind);
	if (rc == SQLITE_ROW)
		*kind = col_dup(st->ids_kind, 0);
	else if (rc != SQLITE_DONE)
		store_sqlerr(st, e, "ids");
	sqlite3_reset(st->ids_kind);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? err_set(e, RERR_NOTFOUND, "no record with id %s", id) : RERR_RUNTIME;
}

int store_get(struct store *st, const struct schema *sc, const char *id, struct record **out,
	      struct err *e)
{
	char *kind;
	int rc;
	*out = NULL;
	if ((rc = store_kind_of(st, id, &kind, e)))
		return rc;
	const struct kindinfo *ki = schema_kind(sc, kind);
	free(kind);
	if (!ki)
		return err_set(e, RERR_RUNTIME, "record %s has a kind this rapport does not know", id);
	sqlite3_stmt *s;
	if ((rc = kind_stmt(st, ki, KS_GET, &s, e)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = row_to_record(s, ki);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, e, ki->k->name);
	return err_set(e, RERR_NOTFOUND, "no record with id %s", id);
}

int store_prefix(struct store *st, const char *prefix, size_t max, struct strv *ids,
		 struct strv *kinds, struct err *e)
{
	sqlite3_stmt *s;
	/* Ids are lower-case hex, so every id with this prefix sorts between prefix and prefix+"g". */
	char *hi = xasprintf("%sg", prefix);
	int rc = store_prep(st, &s,
			    "SELECT id, kind FROM ids WHERE id >= ? AND id < ? ORDER BY id LIMIT ?", e);
	if (rc) {
		free(hi);
		return rc;
	}
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		strv_push(ids, (const char *)sqlite3_column_text(s, 0));
		if (kinds)
			strv_push(kinds, (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	free(hi);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, "ids");
}

static const struct field *name_field(const struct kindinfo *ki)
{
	for (size_t i = 0; i < ki->nf; i++)
		if (ki->f[i]->flags & F_NAME)
			return ki->f[i];
	return NULL;
}

static void build_byname(struct buf *sql, const struct kindinfo *ki)
{
	const struct field *nf = name_field(ki);
	buf_addf(sql, "SELECT id FROM \"%s\" WHERE \"%s\" = ? COLLATE NOCASE AND deleted = 0 "
		      "ORDER BY id LIMIT ?",
		 ki->k->name, nf ? field_column(nf) : "id");
}

int store_by_name(struct store *st, const struct kindinfo *ki, const char *name, size_t max,
		  struct strv *ids, struct err *e)
{
	sqlite3_stmt *s;
	int rc;
	if (!name_field(ki))
		return 0;
	if ((rc = kind_stmt(st, ki, KS_BYNAME, &s, e)))
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strv_push(ids, (const char *)sqlite3_column_text(s, 0));
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, ki->k->name);
	sqlite3_reset(s);
	return rc;
}

static char *fts_query(const char *text);

/* Name lookups for what people type, built per call: they run far less often than the cached
 * exact lookup (store_by_name) of imports, sync and references. The bounds
 * [text, text + 0xFF) hold exactly the names starting with text under NOCASE (it folds ASCII
 * only and compares bytes; no UTF-8 text holds a 0xFF byte), so a prefix is a range walk of
 * the name's NOCASE index where the kind has one. */
int store_name_match(struct store *st, const struct kindinfo *ki, const char *text,
		     enum name_match how, bool deleted, size_t max, struct strv *ids, struct err *e)
{
	const struct field *nf = name_field(ki);
	if (!nf || !text || !*text)
		return 0;
	const char *col = field_column(nf), *t = ki->k->name;
	char *fq = NULL, *hi = NULL;
	struct buf sql = BUF_INIT;
	int rc = 0;
	switch (how) {
	case NAME_EXACT:
		buf_addf(&sql, "SELECT id FROM \"%s\" WHERE \"%s\" = ?1 COLLATE NOCASE AND "
			       "deleted = ?3 ORDER BY id LIMIT ?4", t, col);
		break;
	case NAME_PREFIX:
		buf_addf(&sql, "SELECT id FROM \"%s\" WHERE \"%s\" >= ?1 COLLATE NOCASE AND "
			       "\"%s\" < ?2 COLLATE NOCASE AND deleted = ?3 ORDER BY \"%s\" "
			       "COLLATE NOCASE, id LIMIT ?4", t, col, col, col);
		hi = xasprintf("%s\xff", text);
		break;
	case NAME_WORD:
		/* Live records only (the search index holds no deleted ones), and only where the
		 * name is indexed for search: then a name with a word starting with the text is
		 * found through the index instead of by reading every row. */
		if (deleted || !(nf->flags & F_FTS) || !*(fq = fts_query(text)))
			goto out;
		buf_addf(&sql, "SELECT t.id FROM fts JOIN ids ON ids.n = fts.rowid JOIN \"%s\" t "
			       "ON t.id = ids.id WHERE fts MATCH ?2 AND fts.kind = ?5 AND "
			       "t.deleted = ?3 AND (instr(lower(t.\"%s\"), lower(?1)) > 0 OR "
			       "instr(rapport_pinyin(t.\"%s\"), ' ' || lower(?1)) > 0) "
			       "ORDER BY t.\"%s\" COLLATE NOCASE, t.id LIMIT ?4", t, col, col, col);
		break;
	case NAME_CONTAINS:
		/* Letters alone may be the pinyin of a Chinese name, or its initials. */
		buf_addf(&sql, "SELECT id FROM \"%s\" WHERE deleted = ?3 AND (instr(lower(\"%s\"), "
			       "lower(?1)) > 0", t, col);
		if (!text[strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")])
			buf_addf(&sql, " OR instr(rapport_pinyin(\"%s\"), ' ' || lower(?1)) > 0", col);
		buf_addf(&sql, ") ORDER BY \"%s\" COLLATE NOCASE, id LIMIT ?4", col);
		break;
	}
	sqlite3_stmt *s;
	if ((rc = store_prep(st, &s, sql.data, e)))
		goto out;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	if (hi || fq)
		sqlite3_bind_text(s, 2, hi ? hi : fq, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, deleted);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	if (fq)
		sqlite3_bind_text(s, 5, t, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strv_push(ids, (const char *)sqlite3_column_text(s, 0));
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, t);
	sqlite3_finalize(s);
out:
	buf_release(&sql);
	free(fq);
	free(hi);
	return rc;
}

int store_names(struct store *st, const struct kindinfo *ki, const char *prefix, bool deleted,
		size_t max, struct strv *names, struct err *e)
{
	const struct field *nf = name_field(ki);
	if (!nf)
		return 0;
	const char *col = field_column(nf);
	struct buf sql = BUF_INIT;
	/* The same range as NAME_PREFIX above: a walk of the name's index where there is one. */
	buf_addf(&sql, "SELECT DISTINCT \"%s\" FROM \"%s\" WHERE \"%s\" >= ?1 COLLATE NOCASE "
		       "AND \"%s\" < ?2 COLLATE NOCASE AND deleted = ?3 ORDER BY \"%s\" COLLATE "
		       "NOCASE LIMIT ?4", col, ki->k->name, col, col, col);
	char *hi = xasprintf("%s\xff", prefix);
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc) {
		free(hi);
		return rc;
	}
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, deleted);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strv_push(names, (const char *)sqlite3_column_text(s, 0));
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, ki->k->name);
	sqlite3_finalize(s);
	free(hi);
	return rc;
}

/* ---- queries ---- */

bool store_sort_nocase(const struct field *f)
{
	return f->type == FT_TEXT || f->type == FT_LONG || f->type == FT_EMAIL;
}

void query_init(struct query *q, const struct kindinfo *ki)
{
	memset(q, 0, sizeof(*q));
	q->ki = ki;
}

const char *query_own(struct query *q, char *v)
{
	strv_push_owned(&q->owned, v);
	return v;
}

void query_free(struct query *q)
{
	strv_clear(&q->owned);
}

static const char *qcol(const struct field *f)
{
	return field_column(f);
}

/* One condition on one column, as SQL with a ? for the value. */
static void cond_sql(struct buf *b, const struct qcond *c)
{
	const char *col = qcol(c->f);
	bool set = c->f->type == FT_SET || c->f->type == FT_REFS;
	switch (c->op) {
	case Q_NULL: buf_addf(b, "\"%s\" IS NULL", col); break;
	case Q_NOTNULL: buf_addf(b, "\"%s\" IS NOT NULL", col); break;
	case Q_EQ:
		if (set)
			buf_addf(b, "instr(',' || \"%s\" || ',', ',' || ? || ',') > 0", col);
		else
			buf_addf(b, "\"%s\" = ?", col);
		break;
	case Q_NE:
		if (set)
			buf_addf(b, "(\"%s\" IS NULL OR instr(',' || \"%s\" || ',', ',' || ? || ',') = 0)",
				 col, col);
		else
			buf_addf(b, "(\"%s\" IS NULL OR \"%s\" <> ?)", col, col);
		break;
	case Q_LT: buf_addf(b, "\"%s\" < ?", col); break;
	case Q_GT: buf_addf(b, "\"%s\" > ?", col); break;
	case Q_LE: buf_addf(b, "\"%s\" <= ?", col); break;
	case Q_GE: buf_addf(b, "\"%s\" >= ?", col); break;
	case Q_LIKE: buf_addf(b, "instr(lower(CAST(\"%s\" AS TEXT)), lower(?)) > 0", col); break;
	case Q_IN: buf_addf(b, "instr(',' || ? || ',', ',' || \"%s\" || ',') > 0", col); break;
	}
}

static void where_clause(struct buf *b, const struct query *q)
{
	buf_adds(b, q->deleted == 0 ? " WHERE deleted = 0" : q->deleted == 1 ? " WHERE deleted = 1"
									      : " WHERE 1");
	for (size_t i = 0; i < q->ncond; i++) {
		const struct qcond *c = &q->cond[i];
		buf_adds(b, " AND ");
		if (c->via) {
			buf_addf(b, "\"%s\" IN (SELECT id FROM \"%s\" WHERE deleted = 0 AND ",
				 qcol(c->via), c->via->ref);
			cond_sql(b, c);
			buf_adds(b, ")");
		} else
			cond_sql(b, c);
	}
}

static void bind_conds(sqlite3_stmt *s, const struct query *q, int *idx)
{
	for (size_t i = 0; i < q->ncond; i++) {
		const struct qcond *c = &q->cond[i];
		if (c->op == Q_NULL || c->op == Q_NOTNULL)
			continue;
		bool set = c->f->type == FT_SET || c->f->type == FT_REFS;
		if (c->op == Q_LIKE || c->op == Q_IN || set)
			sqlite3_bind_text(s, (*idx)++, c->value, -1, SQLITE_TRANSIENT);
		else
			bind_value(s, (*idx)++, c->f, c->value);
	}
}

int store_query(struct store *st, const struct query *q, record_cb cb, void *ctx, struct err *e)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *s;
	select_list(&sql, q->ki);
	where_clause(&sql, q);
	/* Unset values sort last going up and first going down: each direction is the same sort
	 * index walked one way or the other, ties broken by id in the last key's direction. */
	buf_adds(&sql, " ORDER BY ");
	bool desc = q->reverse;
	for (size_t i = 0; i < q->nsort; i++) {
		const struct field *f = q->sort[i].f;
		desc = q->sort[i].desc != q->reverse;
		const char *dir = desc ? "DESC" : "ASC";
		buf_addf(&sql, "(\"%s\" IS NULL) %s, \"%s\"%s %s, ", qcol(f), dir, qcol(f),
			 !store_sort_nocase(f) ? "" : st->zh ? " COLLATE rapport_zh" : " COLLATE NOCASE",
			 dir);
	}
	buf_addf(&sql, "id %s", desc ? "DESC" : "ASC");
	buf_adds(&sql, " LIMIT ? OFFSET ?");
	int rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc)
		return rc;
	int idx = 1;
	bind_conds(s, q, &idx);
	sqlite3_bind_int64(s, idx++, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_int64(s, idx++, q->offset > 0 ? q->offset : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct record *r = row_to_record(s, q->ki);
		int stop = cb(r, ctx);
		record_free(r);
		if (stop) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, q->ki->k->name);
}

static int aggregate(struct store *st, const struct query *q, const char *expr, double *out,
		     struct err *e)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *s;
	buf_addf(&sql, "SELECT %s FROM \"%s\"", expr, q->ki->k->name);
	/* Counting live records: the narrowest thing that lists them all is the partial index on
	 * updated; sampled statistics sometimes send the planner through the wide table instead. */
	if (!q->ncond && q->deleted == 0 && !strcmp(expr, "count(*)"))
		buf_addf(&sql, " INDEXED BY \"%s_updated_sort\"", q->ki->k->name);
	where_clause(&sql, q);
	int rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc)
		return rc;
	int idx = 1;
	bind_conds(s, q, &idx);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_double(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(st, e, q->ki->k->name);
}

int store_count(struct store *st, const struct query *q, long *n, struct err *e)
{
	double d = 0;
	int rc = aggregate(st, q, "count(*)", &d, e);
	*n = (long)d;
	return rc;
}

int store_sum(struct store *st, const struct query *q, const struct field *f, double *out,
	      struct err *e)
{
	char expr[128];
	snprintf(expr, sizeof expr, "total(\"%s\")", qcol(f));
	return aggregate(st, q, expr, out, e);
}

int store_sum_money(struct store *st, const struct query *q, const struct field *f,
		    const struct field *minus, struct msum *out, struct err *e)
{
	const struct kindinfo *ki = q->ki;
	const char *t = ki->k->name;
	int rc = store_views(st, e);
	if (rc)
		return rc;
	/* The record's currency as ws_currency finds it: its own, its contract's, its project's
	 * (or that project's contract's), the team's. */
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT COALESCE(");
	if (kind_field(ki, "currency"))
		buf_addf(&sql, "\"%s\".currency, ", t);
	if (kind_field(ki, "contract") && kind_field(ki, "contract")->type == FT_REF)
		buf_addf(&sql, "(SELECT c.currency FROM contract c WHERE c.id = \"%s\".contract), ", t);
	if (kind_field(ki, "project") && kind_field(ki, "project")->type == FT_REF)
		buf_addf(&sql, "(SELECT COALESCE(p.currency, (SELECT c.currency FROM contract c WHERE "
			       "c.id = p.contract)) FROM project p WHERE p.id = \"%s\".project), ", t);
	buf_addf(&sql, "(SELECT code FROM team_currency)), total(\"%s\")", qcol(f));
	if (minus)
		buf_addf(&sql, " - total(\"%s\")", qcol(minus));
	buf_addf(&sql, " FROM \"%s\"", t);
	where_clause(&sql, q);
	buf_adds(&sql, " GROUP BY 1");
	sqlite3_stmt *s;
	rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc)
		return rc;
	int idx = 1, step;
	bind_conds(s, q, &idx);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		msum_add(out, (const char *)sqlite3_column_text(s, 0), sqlite3_column_double(s, 1));
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, e, t);
}

int store_max_width(struct store *st, const struct query *q, const struct field *f, int *out,
		    struct err *e)
{
	char expr[160];
	double d = 0;
	snprintf(expr, sizeof expr, "max(rapport_width(\"%s\"))", qcol(f));
	int rc = aggregate(st, q, expr, &d, e);
	*out = (int)d;
	return rc;
}

int store_distinct(struct store *st, const struct query *q, const struct field *f, long limit,
		   int (*cb)(const char *value, void *ctx), void *ctx, struct err *e)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *s;
	buf_addf(&sql, "SELECT DISTINCT \"%s\" FROM \"%s\"", qcol(f), q->ki->k->name);
	where_clause(&sql, q);
	buf_addf(&sql, " AND \"%s\" IS NOT NULL LIMIT ?", qcol(f));
	int rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc)
		return rc;
	int idx = 1;
	bind_conds(s, q, &idx);
	sqlite3_bind_int64(s, idx, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop = cb((const char *)sqlite3_column_text(s, 0), ctx);
		if (stop) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, q->ki->k->name);
}

long long store_data_version(struct store *st)
{
	sqlite3_stmt *s;
	long long v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

int store_census(struct store *st, const struct schema *sc, long *n, struct err *e)
{
	for (size_t i = 0; i < sc->nkinds; i++) {
		struct query q;
		query_init(&q, &sc->kinds[i]);
		int rc = store_count(st, &q, &n[i], e);
		if (rc)
			return rc;
	}
	return 0;
}

/* Turns what a person types into an FTS5 query: every word must match, as a prefix; CJK runs
 * become phrases of single characters; quotes are escaped so no input is FTS5 syntax. */
static char *fts_query(const char *text)
{
	struct strv words = STRV_INIT;
	struct buf q = BUF_INIT;
	strv_split(&words, text, ' ');
	for (size_t i = 0; i < words.n; i++) {
		struct buf w = BUF_INIT;
		store_fts_text(&w, words.v[i]);
		struct strv parts = STRV_INIT;
		strv_split(&parts, w.data, ' ');
		if (parts.n) {
			buf_adds(&q, q.len ? " AND \"" : "\"");
			for (size_t j = 0; j < parts.n; j++) {
				for (const char *p = parts.v[j]; *p; p++)
					buf_add(&q, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
				if (j + 1 < parts.n)
					buf_addc(&q, ' ');
			}
			buf_adds(&q, "\"*");
		}
		strv_clear(&parts);
		buf_release(&w);
	}
	strv_clear(&words);
	return buf_detach(&q);
}

int store_search(struct store *st, const struct schema *sc, const char *text, long limit,
		 record_cb cb, void *ctx, struct err *e)
{
	char *q = fts_query(text);
	sqlite3_stmt *s;
	int rc = 0;
	if (!*q) {
		free(q);
		return err_set(e, RERR_USAGE, "search: nothing to search for");
	}
	if ((rc = store_prep(st, &s, "SELECT ids.id FROM fts JOIN ids ON ids.n = fts.rowid "
				     "WHERE fts MATCH ? ORDER BY rank LIMIT ?",
			     e))) {
		free(q);
		return rc;
	}
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : 50);
	struct strv ids = STRV_INIT;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strv_push(&ids, (const char *)sqlite3_column_text(s, 0));
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, "search");
	sqlite3_finalize(s);
	free(q);
	for (size_t i = 0; !rc && i < ids.n; i++) {
		struct record *r;
		if ((rc = store_get(st, sc, ids.v[i], &r, e)))
			break;
		rc = cb(r, ctx);
		record_free(r);
	}
	strv_clear(&ids);
	return rc;
}

/* ---- the queue of local writes for sync ---- */

int store_dirty_list(struct store *st, struct strv *ids, struct strv *revs, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "SELECT id, rev FROM dirty ORDER BY id", e);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		strv_push(ids, (const char *)sqlite3_column_text(s, 0));
		strv_push(revs, (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, e, "dirty");
}

int store_dirty_rev(struct store *st, const char *id, char **rev, struct err *e)
{
	return store_text_by_key(st, "SELECT rev FROM dirty WHERE id = ?", id, rev, "dirty", e);
}

int store_dirty_clear(struct store *st, const char *id, const char *rev, struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, "DELETE FROM dirty WHERE id = ? AND rev = ?", e);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rev, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sqlerr(st, e, "dirty");
	sqlite3_finalize(s);
	return rc;
}

int store_dirty_count(struct store *st, long *n, struct err *e)
{
	return store_count_sql(st, "SELECT count(*) FROM dirty", n, "dirty", e);
}

static int each_where(struct store *st, const struct kindinfo *ki, const char *where, record_cb cb,
		      void *ctx, struct err *e)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *s;
	select_list(&sql, ki);
	buf_addf(&sql, " %s ORDER BY id", where);
	int rc = store_prep(st, &s, sql.data, e);
	buf_release(&sql);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct record *r = row_to_record(s, ki);
		rc = cb(r, ctx);
		record_free(r);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlerr(st, e, ki->k->name);
	sqlite3_finalize(s);
	return rc;
}

int store_conflicted(struct store *st, const struct schema *sc, record_cb cb, void *ctx,
		     struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < sc->nkinds && !rc; i++)
		rc = each_where(st, &sc->kinds[i], "WHERE conflicts IS NOT NULL", cb, ctx, e);
	return rc;
}

/* Runs a query of (id, value) rows through cb. */
static int values_of(struct store *st, const struct kindinfo *ki, const char *sql,
		     int (*cb)(const char *id, const char *value, void *ctx), void *ctx,
		     struct err *e)
{
	sqlite3_stmt *s;
	int rc = store_prep(st, &s, sql, e), step;
	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb((const char *)sqlite3_column_text(s, 0),
			     (const char *)sqlite3_column_text(s, 1), ctx)))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = store_sqlerr(st, e, ki->k->name);
	sqlite3_finalize(s);
	return rc;
}

int store_values(struct store *st, const struct kindinfo *ki, const struct field *f,
		 int (*cb)(const char *id, const char *value, void *ctx), void *ctx, struct err *e)
{
	struct buf sql = BUF_INIT;
	buf_addf(&sql, "SELECT id, \"%s\" FROM \"%s\" WHERE deleted = 0 AND \"%s\" IS NOT NULL",
		 field_column(f), ki->k->name, field_column(f));
	int rc = values_of(st, ki, sql.data, cb, ctx, e);
	buf_release(&sql);
	return rc;
}

int store_values_shared(struct store *st, const struct kindinfo *ki, const struct field *f,
			int (*cb)(const char *id, const char *value, void *ctx), void *ctx,
			struct err *e)
{
	struct buf sql = BUF_INIT;
	const char *c = field_column(f), *t = ki->k->name;
	buf_addf(&sql, "SELECT id, \"%s\" FROM \"%s\" WHERE deleted = 0 AND \"%s\" IN (SELECT "
		       "\"%s\" FROM \"%s\" WHERE deleted = 0 AND \"%s\" IS NOT NULL GROUP BY \"%s\" "
		       "HAVING count(*) > 1) ORDER BY \"%s\", id",
		 c, t, c, c, t, c, c, c);
	int rc = values_of(st, ki, sql.data, cb, ctx, e);
	buf_release(&sql);
	return rc;
}

int store_each(struct store *st, const struct kindinfo *ki, record_cb cb, void *ctx,
	       struct err *e)
{
	return each_where(st, ki, "", cb, ctx, e);
}

int store_fts_refresh(struct store *st, const struct schema *sc, struct err *e)
{
	char *have = NULL;
	int rc = store_meta_get(st, "fts", &have, e);
	bool same = !rc && have && !strcmp(have, FTS_FORMAT);
	free(have);
	if (rc || same || sqlite3_db_readonly(st->db, "main") == 1)
		return rc;
	if ((rc = store_begin(st, e)))
		return rc;
	rc = store_exec(st, "DELETE FROM fts", e);
	for (size_t k = 0; !rc && k < sc->nkinds; k++) {
		const struct kindinfo *ki = &sc->kinds[k];
		bool any = false;
		for (size_t i = 0; i < ki->nf; i++)
			any |= (ki->f[i]->flags & F_FTS) != 0;
		if (!any)
			continue;
		/* select_list's columns, then the ids number the index is keyed by */
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "SELECT k.*, ids.n FROM (");
		select_list(&sql, ki);
		buf_adds(&sql, " WHERE deleted = 0) k JOIN ids ON ids.id = k.id");
		sqlite3_stmt *s;
		rc = store_prep(st, &s, sql.data, e);
		buf_release(&sql);
		if (rc)
			break;
		int step, ncol = FIRST_FIELD_COL + (int)ki->nf;
		while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
			struct record *r = row_to_record(s, ki);
			rc = fts_put(st, r, sqlite3_column_int64(s, ncol), true, e);
			record_free(r);
		}
		if (!rc && step != SQLITE_DONE)
			rc = store_sqlerr(st, e, "search index");
		sqlite3_finalize(s);
	}
	if (!rc)
		rc = store_meta_set(st, "fts", FTS_FORMAT, e);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, e);
}
