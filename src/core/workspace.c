/*
 * workspace.c — finding, creating and opening workspaces; configuration; and the record
 * operations shared by every front end (resolve, assign, add, save). This is where a value typed
 * by a person becomes a checked, canonical value in the store, or a clear error and no change.
 */
#include "workspace.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int ws_locate(const char *dir, char **root, struct err *e)
{
	char buf[PATH_MAX];
	*root = NULL;
	if (!dir || !*dir)
		dir = getenv("RAPPORT_DIR");
	if (dir && *dir) {
		char *dot = xasprintf("%s/%s", dir, WS_DIRNAME);
		bool ok = is_dir(dot);
		free(dot);
		if (!ok)
			return err_set(e, RERR_USAGE,
				       "%s: not a rapport workspace (no %s/ there); create one with "
				       "'rapport init %s'",
				       dir, WS_DIRNAME, dir);
		*root = realpath(dir, NULL);
		return *root ? 0 : err_set(e, RERR_RUNTIME, "%s: %s", dir, strerror(errno));
	}
	if (!getcwd(buf, sizeof buf))
		return err_set(e, RERR_RUNTIME, "cannot read the current directory: %s",
			       strerror(errno));
	for (;;) {
		char *dot = xasprintf("%s/%s", buf, WS_DIRNAME);
		bool ok = is_dir(dot);
		free(dot);
		if (ok) {
			*root = xstrdup(buf);
			return 0;
		}
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			break;
		*slash = '\0';
	}
	return err_set(e, RERR_USAGE,
		       "not in a rapport workspace (no %s/ here or in any parent); use 'rapport "
		       "init', 'rapport demo', -C DIR or RAPPORT_DIR",
		       WS_DIRNAME);
}

int ws_create(const char *dir, struct err *e)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return err_set(e, RERR_RUNTIME, "%s: cannot create: %s", dir, strerror(errno));
	char *dot = xasprintf("%s/%s", dir, WS_DIRNAME);
	int rc = 0;
	if (is_dir(dot)) {
		rc = err_set(e, RERR_USAGE, "%s: already a rapport workspace", dir);
		goto out;
	}
	if (mkdir(dot, 0700) != 0) {
		rc = err_set(e, RERR_RUNTIME, "%s: cannot create: %s", dot, strerror(errno));
		goto out;
	}
	struct ws *w;
	if ((rc = ws_open(&w, dir, e)))
		goto out;
	/* The replica id tells this copy's writes apart from every other's once sync exists. */
	char rid[33];
	id_new(rid);
	rid[16] = '\0';
	rc = store_meta_set(w->st, "replica", rid, e);
	ws_close(w);
out:
	free(dot);
	return rc;
}

static int load_custom_fields(struct ws *w, struct err *e);

static int load_custom_fields(struct ws *w, struct err *e)
{
	const struct kindinfo *fk = schema_kind(&w->sc, "field");
	struct query q;
	struct recs defs = { NULL, 0 };
	query_init(&q, fk);
	q.sort[0].f = kind_field(fk, "created");
	q.nsort = 1;
	int rc = store_query(w->st, &q, recs_add, &defs, e);
	for (size_t i = 0; !rc && i < defs.n; i++) {
		struct err fe = { 0, "" };
		const struct record *d = defs.v[i];
		if (schema_add_custom(&w->sc, record_get(d, "kind"), record_get(d, "name"),
				      record_get(d, "type"), record_get(d, "choices"),
				      record_get(d, "label"), record_get(d, "audience"), &fe))
			strv_push_owned(&w->warnings, xasprintf("field %.8s: %s", d->id, fe.msg));
	}
	recs_free(&defs);
	if (rc)
		return rc;
	return store_migrate(w->st, &w->sc, e);
}

int ws_receipt_legacy(struct ws *w, const struct record *inv, const char *paid, const char *on,
		      struct err *e)
{
	const struct kindinfo *ki = schema_kind(&w->sc, "receipt");
	struct record *old = NULL, *r;
	struct err ge = { 0 };
	char id[33], day[11];
	double amount = paid ? strtod(paid, NULL) : 0;
	if (!paid && on)
		amount = record_num(inv, "amount");
	if (!ki || amount <= 0 || !inv->updated)
		return 0;
	snprintf(day, sizeof day, "%.10s", on ? on : inv->updated);
	id_derived(id, "rapport receipt carried over from invoice ", inv->id);
	bool have = !store_get(w->st, &w->sc, id, &old, &ge);
	if (have && (old->deleted || strcmp(inv->updated, old->updated) <= 0)) {
		record_free(old);
		return 0;
	}
	r = old ? old : record_new(ki);
	snprintf(r->id, sizeof r->id, "%s", id);
	static const char *const names[] = { "invoice", "customer", "amount", "currency", "date",
					     "note" };
	char num[64];
	snprintf(num, sizeof num, "%.2f", amount);
	const char *vals[] = { inv->id, record_get(inv, "customer"), num,
			       record_get(inv, "currency"), day,
			       "carried over from the invoice's paid amount" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const struct field *f = kind_field(ki, names[i]);
		if (f)
			record_put(r, kind_field_index(ki, f), vals[i] ? xstrdup(vals[i]) : NULL);
	}
	/* Stamped as the invoice was, so replicas carrying it over apart write the same bytes. */
	free(r->created);
	free(r->updated);
	free(r->author);
	r->created = xstrdup(have ? old->created : inv->updated);
	r->updated = xstrdup(inv->updated);
	r->author = inv->author ? xstrdup(inv->author) : NULL;
	r->deleted = inv->deleted;
	int rc = have ? store_update(w->st, r, e) : store_insert(w->st, r, e);
	record_free(r);
	return rc;
}

static int carry_invoice(const struct record *r, void *ctx)
{
	struct strv *ids = ctx;
	if (record_get(r, "paid_amount") || record_get(r, "paid_on"))
		strv_push(ids, r->id);
	return 0;
}

/* Once per workspace: invoices written before receipts existed keep what was paid as their
 * own receipt (ws_receipt_legacy). Read before anything writes an invoice, which would derive
 * its paid amount from receipts there are none of yet. */
static int carry_receipts(struct ws *w, struct err *e)
{
	const struct kindinfo *ki = schema_kind(&w->sc, "invoice");
	char *done = NULL;
	struct strv ids = STRV_INIT;
	struct query q;
	int rc = store_meta_get(w->st, "receipts", &done, e);
	if (rc || done || store_readonly(w->st)) {
		free(done);
		return rc;
	}
	query_init(&q, ki);
	q.deleted = 2;
	if ((rc = store_begin(w->st, e)))
		goto out;
	rc = store_query(w->st, &q, carry_invoice, &ids, e);
	for (size_t i = 0; !rc && i < ids.n; i++) {
		struct record *inv = NULL;
		struct err ge = { 0 };
		if (store_get(w->st, &w->sc, ids.v[i], &inv, &ge))
			continue;
		/* An invoice with receipts already came in from a replica that carried it over. */
		struct query rq;
		long n = 0;
		query_init(&rq, schema_kind(&w->sc, "receipt"));
		rq.deleted = 2;
		rq.cond[rq.ncond++] = (struct qcond){ kind_field(rq.ki, "invoice"), Q_EQ, inv->id, NULL };
		rc = store_count(w->st, &rq, &n, e);
		query_free(&rq);
		if (!rc && !n)
			rc = ws_receipt_legacy(w, inv, record_get(inv, "paid_amount"),
					       record_get(inv, "paid_on"), e);
		record_free(inv);
	}
	if (!rc)
		rc = store_meta_set(w->st, "receipts", "1", e);
	if (rc)
		store_rollback(w->st);
	else
		rc = store_commit(w->st, e);
out:
	query_free(&q);
	strv_clear(&ids);
	return rc;
}

static int open_at(struct ws **out, const char *root, const char *db, struct err *e)
{
	struct ws *w = xcalloc(1, sizeof(*w));
	int rc;
	*out = NULL;
	w->root = xstrdup(root);
	w->dotdir = xasprintf("%s/%s", root, WS_DIRNAME);
	w->author = xstrdup("unknown");
	schema_init(&w->sc);
	rc = store_open(&w->st, db, e);
	if (rc || (rc = store_migrate(w->st, &w->sc, e)) || (rc = load_custom_fields(w, e)) ||
	    (rc = store_fts_refresh(w->st, &w->sc, e)) || (rc = carry_receipts(w, e))) {
		ws_close(w);
		return rc;
	}
	char *lang = ws_config_get(w, "ui.lang");
	i18n_lang(lang);
	store_sort_zh(w->st, !strcmp(i18n_current(), "zh"));
	free(lang);
	*out = w;
	return 0;
}

int ws_open(struct ws **out, const char *root, struct err *e)
{
	char *db = xasprintf("%s/%s/%s", root, WS_DIRNAME, WS_DBNAME);
	int rc = open_at(out, root, db, e);
	free(db);
	return rc;
}

int ws_open_memory(struct ws **out, struct err *e)
{
	return open_at(out, "/nonexistent", ":memory:", e);
}

#define NTITLES 256
struct title_cache {
	char id[33];
	char *title;
};

void ws_close(struct ws *w)
{
	if (!w)
		return;
	store_close(w->st);
	schema_free(&w->sc);
	strv_clear(&w->warnings);
	free(w->root);
	free(w->dotdir);
	free(w->author);
	free(w->email);
	ws_forget_titles(w);
	free(w->titles);
	free(w);
}

char *ws_titles(struct ws *w, const char *ids)
{
	struct strv v = STRV_INIT, names = STRV_INIT;
	strv_split(&v, ids ? ids : "", ',');
	for (size_t i = 0; i < v.n; i++)
		strv_push(&names, ws_title(w, v.v[i]));
	char *s = strv_join(&names, ", ");
	strv_clear(&v);
	strv_clear(&names);
	return s;
}

void ws_forget_titles(struct ws *w)
{
	for (size_t i = 0; w->titles && i < NTITLES; i++) {
		free(w->titles[i].title);
		w->titles[i].title = NULL;
		w->titles[i].id[0] = '\0';
	}
}

void ws_set_author_source(struct ws *w, void (*source)(struct ws *w, void *ctx), void *ctx)
{
	w->author_source = source;
	w->author_ctx = ctx;
}

static void author_known(struct ws *w)
{
	void (*source)(struct ws *, void *) = w->author_source;
	w->author_source = NULL; /* once, even if it sets nothing */
	if (source)
		source(w, w->author_ctx);
}

const char *ws_author(struct ws *w)
{
	author_known(w);
	return w->author;
}

const char *ws_email(struct ws *w)
{
	author_known(w);
	return w->email;
}

void ws_set_author(struct ws *w, const char *name, const char *email)
{
	w->author_source = NULL;
	free(w->author);
	free(w->email);
	w->email = email && *email ? xstrdup(email) : NULL;
	w->author = w->email ? xasprintf("%s <%s>", name && *name ? name : w->email, w->email)
			     : xstrdup(name && *name ? name : "unknown");
}

/* ---- configuration ---- */

char *config_file_get(const char *path, const char *key)
{
	char *text = file_read(path, NULL);
	if (!text)
		return NULL;
	const char *dot = strchr(key, '.');
	char section[64] = "", want_sec[64];
	snprintf(want_sec, sizeof want_sec, "%.*s", dot ? (int)(dot - key) : 0, key);
	const char *want_key = dot ? dot + 1 : key;
	char *result = NULL, *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '#' || *line == ';' || !*line)
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');
			snprintf(section, sizeof section, "%.*s", end ? (int)(end - line - 1) : 0,
				 line + 1);
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		char *k = line, *kend = eq;
		while (kend > k && isspace((unsigned char)kend[-1]))
			kend--;
		char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		char *vend = v + strlen(v);
		while (vend > v && isspace((unsigned char)vend[-1]))
			vend--;
		if (!strcmp(section, want_sec) && (size_t)(kend - k) == strlen(want_key) &&
		    !strncmp(k, want_key, (size_t)(kend - k))) {
			free(result);
			result = xstrndup(v, (size_t)(vend - v));
		}
	}
	free(text);
	return result;
}

int config_file_set(const char *path, const char *key, const char *value, struct err *e)
{
	const char *dot = strchr(key, '.');
	if (!dot || strchr(value, '\n'))
		return err_set(e, RERR_USAGE, "config: '%s' is not section.key", key);
	char *text = file_read(path, NULL);
	struct buf out = BUF_INIT;
	char section[64] = "";
	bool done = false;
	char *save = NULL;
	int sec_len = (int)(dot - key);
	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *t = line;
		while (isspace((unsigned char)*t))
			t++;
		if (*t == '[') {
			if (!done && !strncmp(section, key, (size_t)sec_len) &&
			    !section[sec_len]) {
				buf_addf(&out, "\t%s = %s\n", dot + 1, value);
				done = true;
			}
			const char *end = strchr(t, ']');
			snprintf(section, sizeof section, "%.*s", end ? (int)(end - t - 1) : 0, t + 1);
		} else if (!done && !strncmp(section, key, (size_t)sec_len) && !section[sec_len]) {
			size_t kl = strlen(dot + 1);
			if (!strncmp(t, dot + 1, kl) && (t[kl] == ' ' || t[kl] == '=' || t[kl] == '\t')) {
				buf_addf(&out, "\t%s = %s\n", dot + 1, value);
				done = true;
				continue;
			}
		}
		buf_addf(&out, "%s\n", line);
	}
	if (!done && !strncmp(section, key, (size_t)sec_len) && !section[sec_len])
		buf_addf(&out, "\t%s = %s\n", dot + 1, value);
	else if (!done)
		buf_addf(&out, "[%.*s]\n\t%s = %s\n", sec_len, key, dot + 1, value);
	free(text);
	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0)
		rc = err_set(e, RERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
	buf_release(&out);
	return rc;
}

static char *global_config_get(const char *key);

char *ws_config_get(const struct ws *w, const char *key)
{
	char *path = xasprintf("%s/config", w->dotdir);
	char *v = config_file_get(path, key);
	free(path);
	return v ? v : global_config_get(key);
}

char *ws_lang_setting(const char *dir)
{
	char *root = NULL, *v = NULL;
	struct err e = { 0 };
	if (!ws_locate(dir, &root, &e)) {
		char *path = xasprintf("%s/%s/config", root, WS_DIRNAME);
		v = config_file_get(path, "ui.lang");
		free(path);
	}
	free(root);
	return v ? v : global_config_get("ui.lang");
}

static char *global_config_get(const char *key)
{
	char *path, *v;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		path = xasprintf("%s/rapport/config", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/rapport/config", home);
	else
		return NULL;
	v = config_file_get(path, key);
	free(path);
	return v;
}

/* ---- resolving what users type ---- */

static int ambiguous(struct ws *w, const char *ref, struct strv *ids, struct err *e)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < ids->n && i < 8; i++) {
		char *kind = NULL;
		store_kind_of(w->st, ids->v[i], &kind, NULL);
		buf_addf(&b, "\n  %s %s  %s", kind ? kind : "?", ids->v[i], ws_title(w, ids->v[i]));
		free(kind);
	}
	if (ids->n > 8)
		buf_adds(&b, "\n  …");
	int rc = err_set(e, RERR_INPUT, "'%s' is ambiguous; it could be:%s", ref, b.data);
	buf_release(&b);
	return rc;
}

/* Kinds people name things by: their name field is indexed for lookups (customer, contact,
 * project, invoice and quote numbers, member, rule), so a prefix is a range walk of that index
 * and a substring a read of one modest table. */
static bool named_kind(const struct kindinfo *ki)
{
	for (size_t i = 0; i < ki->nf; i++)
		if (ki->f[i]->flags & F_NAME)
			return (ki->f[i]->flags & F_INDEX) != 0;
	return false;
}

/* Records named ref, by the first way that finds any (WANT more are not looked for):
 *   1. the whole name, in every kind that may be meant;
 *   2. the start of the name, then 3. anywhere in it — in the wanted kind, or with no kind
 *      wanted in the kinds people name things by (named_kind);
 *   4. with no kind wanted, live records of the other kinds (tasks, tickets, interactions…)
 *      with a word of the name starting with ref, through the full-text index;
 *   5. with no kind wanted, the whole name of a team definition (a process: K_DEFINITION),
 *      which the steps before leave out, so "Quick" is the project, not the process quick.
 * So an exact name always wins, a customer's name beats an interaction's summary, and nothing
 * here reads a large table row by row that the exact lookup would not. */
enum { WANT = 9 };
static int by_name(struct ws *w, const char *ref, const char *want_kind, bool deleted,
		   struct strv *ids, struct err *e)
{
	int rc = 0;
	for (int step = 1; step <= 5 && !rc && !ids->n; step++) {
		if (step >= 4 && want_kind)
			break;
		for (size_t k = 0; k < w->sc.nkinds && !rc && ids->n < WANT; k++) {
			const struct kindinfo *ki = &w->sc.kinds[k];
			if (want_kind ? strcmp(ki->k->name, want_kind) != 0 : (ki->k->flags & K_CONFIG) != 0)
				continue;
			bool def = !want_kind && (ki->k->flags & K_DEFINITION);
			if (def != (step == 5))
				continue;
			if (step == 5) {
				rc = deleted ? store_name_match(w->st, ki, ref, NAME_EXACT, true,
								WANT - ids->n, ids, e)
					     : store_by_name(w->st, ki, ref, WANT - ids->n, ids, e);
				continue;
			}
			size_t room = WANT - ids->n;
			if (step == 1)
				rc = deleted ? store_name_match(w->st, ki, ref, NAME_EXACT, true, room, ids, e)
					     : store_by_name(w->st, ki, ref, room, ids, e);
			else if (step < 4 && (want_kind || named_kind(ki)))
				rc = store_name_match(w->st, ki, ref, step == 2 ? NAME_PREFIX : NAME_CONTAINS,
						      deleted, room, ids, e);
			else if (step == 4 && !named_kind(ki))
				rc = store_name_match(w->st, ki, ref, NAME_WORD, deleted, room, ids, e);
		}
	}
	return rc;
}

static int resolve(struct ws *w, const char *ref, const char *want_kind, bool deleted, char out[33],
		   struct err *e)
{
	struct strv ids = STRV_INIT, kinds = STRV_INIT;
	int rc = 0;
	out[0] = '\0';
	if (id_is_hex(ref, 4, 32)) {
		if ((rc = store_prefix(w->st, ref, 9, &ids, &kinds, e)))
			goto done;
		if (ids.n == 1) {
			if (want_kind && strcmp(kinds.v[0], want_kind)) {
				bool an = strchr("aeiou", kinds.v[0][0]),
				     want_an = strchr("aeiou", want_kind[0]);
				if (an && want_an)
					rc = err_set(e, RERR_INPUT, "'%s' is an %s, not an %s", ref,
						     kinds.v[0], want_kind);
				else if (an)
					rc = err_set(e, RERR_INPUT, "'%s' is an %s, not a %s", ref,
						     kinds.v[0], want_kind);
				else if (want_an)
					rc = err_set(e, RERR_INPUT, "'%s' is a %s, not an %s", ref,
						     kinds.v[0], want_kind);
				else
					rc = err_set(e, RERR_INPUT, "'%s' is a %s, not a %s", ref,
						     kinds.v[0], want_kind);
				goto done;
			}
			snprintf(out, 33, "%s", ids.v[0]);
			goto done;
		}
		if (ids.n > 1) {
			rc = ambiguous(w, ref, &ids, e);
			goto done;
		}
	}
	/* A name: of the wanted kind, or of any kind when the caller takes any record. */
	if ((rc = by_name(w, ref, want_kind, deleted, &ids, e)))
		goto done;
	if (ids.n == 1)
		snprintf(out, 33, "%s", ids.v[0]);
	else if (ids.n > 1)
		rc = ambiguous(w, ref, &ids, e);
	else if (want_kind && deleted)
		rc = err_set(e, RERR_NOTFOUND,
			     "no deleted %s '%s' (not an id, id prefix or part of a name)", want_kind,
			     ref);
	else if (want_kind)
		rc = err_set(e, RERR_NOTFOUND, "no %s '%s' (not an id, id prefix or part of a name)",
			     want_kind, ref);
	else if (deleted)
		rc = err_set(e, RERR_NOTFOUND, "no deleted record with id or name '%s'", ref);
	else
		rc = err_set(e, RERR_NOTFOUND, "no record with id or name '%s'", ref);
done:
	strv_clear(&ids);
	strv_clear(&kinds);
	return rc;
}

int ws_resolve(struct ws *w, const char *ref, const char *want_kind, char out[33], struct err *e)
{
	return resolve(w, ref, want_kind, false, out, e);
}

int ws_resolve_deleted(struct ws *w, const char *ref, const char *want_kind, char out[33],
		       struct err *e)
{
	return resolve(w, ref, want_kind, true, out, e);
}

int ws_load(struct ws *w, const char *ref, const char *want_kind, struct record **out,
	    struct err *e)
{
	char id[33];
	int rc = ws_resolve(w, ref, want_kind, id, e);
	return rc ? rc : store_get(w->st, &w->sc, id, out, e);
}

char *ws_setting(struct ws *w, const char *name)
{
	const struct kindinfo *sk = schema_kind(&w->sc, "setting");
	struct strv ids = STRV_INIT;
	struct err e = { 0 };
	struct record *r = NULL;
	char *v = NULL;
	if (!store_by_name(w->st, sk, name, 1, &ids, &e) && ids.n &&
	    !store_get(w->st, &w->sc, ids.v[0], &r, &e) && !r->deleted && record_get(r, "value"))
		v = xstrdup(record_get(r, "value"));
	record_free(r);
	strv_clear(&ids);
	return v;
}

bool ws_me(struct ws *w, char out[33])
{
	struct strv ids = STRV_INIT;
	const struct kindinfo *mk = schema_kind(&w->sc, "member");
	struct query q;
	bool found = false;
	if (!ws_email(w))
		return false;
	query_init(&q, mk);
	q.cond[0] = (struct qcond){ .f = kind_field(mk, "email"), .op = Q_EQ, .value = w->email };
	q.ncond = 1;
	q.limit = 1;
	struct recs hit = { NULL, 0 };
	if (store_query(w->st, &q, recs_add, &hit, NULL) == 0 && hit.n) {
		snprintf(out, 33, "%s", hit.v[0]->id);
		found = true;
	}
	recs_free(&hit);
	strv_clear(&ids);
	return found;
}

const char *ws_title(struct ws *w, const char *id)
{
	unsigned h = 0;
	for (const char *p = id; *p; p++)
		h = h * 31 + (unsigned char)*p;
	if (!w->titles)
		w->titles = xcalloc(NTITLES, sizeof(*w->titles));
	struct title_cache *c = &w->titles[h % NTITLES];
	if (c->title && !strcmp(c->id, id))
		return c->title;
	struct record *r = NULL;
	free(c->title);
	snprintf(c->id, sizeof c->id, "%s", id);
	if (store_get(w->st, &w->sc, id, &r, NULL) == 0) {
		c->title = record_title(r);
		record_free(r);
	} else
		c->title = xstrndup(id, 8);
	return c->title;
}

static void title_forget(struct ws *w, const char *id)
{
	for (size_t i = 0; w->titles && i < NTITLES; i++)
		if (w->titles[i].title && !strcmp(w->titles[i].id, id)) {
			free(w->titles[i].title);
			w->titles[i].title = NULL;
		}
}

/* ---- assigning and saving ---- */

/* @me in a member reference: the member whose email is yours. 1 when v is not @me. */
static int member_me(struct ws *w, const struct field *f, const char *v, char out[33],
		     struct err *e)
{
	if (!f->ref || strcmp(f->ref, "member") || (strcmp(v, "@me") && strcmp(v, "me")))
		return 1;
	if (ws_me(w, out))
		return 0;
	return err_set(e, RERR_INPUT,
		       "'%s': no member has your email (%s); add one with 'rapport add member "
		       "name=... email=...'",
		       v, ws_email(w) ? ws_email(w) : _("none set"));
}

static int resolve_ref(struct ws *w, const struct field *f, const char *v, char out[33],
		       struct err *e)
{
	int rc = member_me(w, f, v, out, e);
	if (rc <= 0)
		return rc;
	rc = ws_resolve(w, v, f->ref, out, e);
	if (rc)
		return rc;
	struct record *t;
	if ((rc = store_get(w->st, &w->sc, out, &t, e)))
		return rc;
	if (t->deleted)
		rc = err_set(e, RERR_INPUT, "%s %.8s is deleted ('rapport undelete %.8s' first)",
			     t->ki->k->name, t->id, t->id);
	record_free(t);
	return rc;
}

int ws_put(struct ws *w, struct record *r, const struct field *f, const char *value,
	   struct err *e)
{
	char where[80];
	char *norm = NULL;
	int idx = kind_field_index(r->ki, f), rc = 0;
	record_where(r, where, sizeof where);
	if (idx < 0)
		return err_set(e, RERR_INPUT, "%s: field '%s' cannot be set", where, f->name);
	bool same = (value && r->val[idx] && !strcmp(value, r->val[idx])) ||
		    (!r->val[idx] && !(value && *value));
	if ((f->flags & F_DERIVED) && !(f->flags & F_STAGE) && !same)
		return err_set(e, RERR_INPUT,
			       "%s: field '%s' comes from the invoice's receipts: record a "
			       "payment with 'rapport pay %.8s AMOUNT'",
			       where, f->name, r->id[0] ? r->id : "ID");
	if ((f->flags & F_DERIVED) && !same)
		return err_set(e, RERR_INPUT,
			       "%s: field '%s' moves only through its process: 'rapport gate %.8s' "
			       "says what the next stage needs, 'rapport advance %.8s' moves it",
			       where, f->name, r->id[0] ? r->id : "ID", r->id[0] ? r->id : "ID");
	if (!value || !*value) {
		record_put(r, idx, NULL);
		return 0;
	}
	if ((rc = value_normalize(f, value, clock_now(), &norm, e)))
		goto fail;
	if (f->type == FT_REF) {
		char id[33];
		if ((rc = resolve_ref(w, f, norm, id, e))) {
			err_prefix(e, "field '%s'", f->name);
			goto fail;
		}
		free(norm);
		norm = xstrdup(id);
	} else if (f->type == FT_REFS) {
		struct strv items = STRV_INIT;
		char *acc = NULL;
		strv_split(&items, norm, ',');
		for (size_t i = 0; i < items.n && !rc; i++) {
			char id[33];
			if ((rc = resolve_ref(w, f, items.v[i], id, e)))
				err_prefix(e, "field '%s'", f->name);
			else {
				char *next = set_edit(acc, id, true);
				free(acc);
				acc = next;
			}
		}
		strv_clear(&items);
		free(norm);
		norm = acc;
		if (rc)
			goto fail;
	}
	record_put(r, idx, norm);
	return 0;
fail:
	free(norm);
	err_prefix(e, "%s", where);
	return rc;
}

int ws_put_named(struct ws *w, struct record *r, const char *field, const char *value,
		 struct err *e)
{
	const struct field *f = kind_field(r->ki, field);
	if (!value)
		return 0;
	return f ? ws_put(w, r, f, value, e)
		 : err_set(e, RERR_INPUT, "%s has no field '%s'", r->ki->k->name, field);
}

int ws_assign(struct ws *w, struct record *r, const char *a, struct err *e)
{
	char where[80];
	record_where(r, where, sizeof where);
	size_t n = strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789_");
	int mode = 0; /* 0 set, '+' add to set, '-' remove from set */
	const char *v;
	if (a[n] == '=')
		v = a + n + 1;
	else if ((a[n] == '+' || a[n] == '-') && a[n + 1] == '=') {
		mode = a[n];
		v = a + n + 2;
	} else
		return err_set(e, RERR_USAGE, "%s: '%s' is not FIELD=VALUE", where, a);
	char *name = xstrndup(a, n);
	const struct field *f = kind_field(r->ki, name);
	int rc = 0;
	if (!f) {
		rc = err_set(e, RERR_INPUT, "%s: %s has no field '%s' (see 'rapport fields %s')",
			     where, r->ki->k->name, name, r->ki->k->name);
	} else if (f->flags & F_META) {
		rc = err_set(e, RERR_INPUT, "%s: field '%s' is kept by rapport and cannot be set",
			     where, name);
	} else if (mode && f->type != FT_SET && f->type != FT_REFS) {
		rc = err_set(e, RERR_INPUT, "%s: field '%s' is not a list; use %s=VALUE", where, name,
			     name);
	} else if (mode) {
		/* Normalise and resolve the one item through a scratch record, then edit the set. */
		struct record *tmp = record_new(r->ki);
		int idx = kind_field_index(r->ki, f);
		memcpy(tmp->id, r->id, sizeof tmp->id);
		if (!*v && mode == '+')
			rc = err_set(e, RERR_INPUT, "%s: field '%s': nothing to add", where, name);
		else if (!*v)
			rc = err_set(e, RERR_INPUT, "%s: field '%s': nothing to remove", where, name);
		else if (strchr(v, ','))
			rc = err_set(e, RERR_INPUT, "%s: field '%s': add or remove one item at a time",
				     where, name);
		else if (mode == '-' && f->type == FT_SET)
			record_put(tmp, idx, xstrdup(v));
		else
			rc = ws_put(w, tmp, f, v, e);
		if (!rc)
			record_put(r, idx, set_edit(r->val[idx], tmp->val[idx], mode == '+'));
		record_free(tmp);
	} else
		rc = ws_put(w, r, f, v, e);
	free(name);
	return rc;
}

/* The currency a record names itself or through its contract, then its project (a contract
 * is what was agreed, so it decides first); NULL when none does. Depth bounds a chain of
 * references a hostile file could make circular. */
static char *named_currency(struct ws *w, const struct record *r, int depth)
{
	const char *own = record_get(r, "currency");
	if (own && *own)
		return xstrdup(own);
	static const char *const via[] = { "invoice", "contract", "project" };
	for (size_t i = 0; depth < 3 && i < ARRAY_LEN(via); i++) {
		const struct field *f = kind_field(r->ki, via[i]);
		const char *id = record_get(r, via[i]);
		struct record *up = NULL;
		struct err e = { 0, "" };
		char *c = NULL;
		if (f && f->type == FT_REF && id && !store_get(w->st, &w->sc, id, &up, &e))
			c = named_currency(w, up, depth + 1);
		record_free(up);
		if (c)
			return c;
	}
	return NULL;
}

char *ws_currency(struct ws *w, const struct record *r)
{
	char *c = named_currency(w, r, 0), team[4];
	struct err e = { 0, "" };
	if (c)
		return c;
	return !store_team_currency(w->st, team, &e) && *team ? xstrdup(team) : NULL;
}

static int apply_defaults(struct ws *w, struct record *r, struct err *e)
{
	for (size_t i = 0; i < r->ki->nf; i++) {
		const struct field *f = r->ki->f[i];
		if (r->val[i] || !f->def)
			continue;
		if (!strcmp(f->def, "@currency")) {
			/* what the record names, else the team's setting: never a guess written */
			char *c = named_currency(w, r, 0);
			if (!c)
				c = ws_setting(w, "currency.default");
			if (c && currency_code(c))
				record_put(r, (int)i, xstrdup(currency_code(c)));
			free(c);
			continue;
		}
		if (!strcmp(f->def, "@me")) {
			char me[33];
			if (ws_me(w, me))
				record_put(r, (int)i, xstrdup(me));
			continue;
		}
		int rc = ws_put(w, r, f, f->def, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* A condition of a process, compiled (and with trial, tried) like a rule's 'when'. */
static int condition_check(struct ws *w, const char *kind, const char *expr, bool trial,
			   const char *what, int line, struct err *e)
{
	int rc = trial ? store_rule_trial(w->st, kind, expr, e)
		       : store_rule_compile(w->st, kind, expr, e);
	if (rc)
		err_prefix(e, "line %d: %s", line, what);
	return rc;
}

/* A process: its stages parse, name what its kind has, and every condition compiles against
 * the kind's view; the members it names by name exist. */
static int process_check(struct ws *w, const struct record *r, struct err *e)
{
	const char *kind = record_get(r, "kind"), *en = record_get(r, "enabled");
	const struct kindinfo *ki = kind ? schema_kind(&w->sc, kind) : NULL;
	bool trial = !(en && !strcmp(en, "false"));
	struct procdef d;
	int rc;
	if (!ki)
		return 0; /* record_check says the kind is missing */
	if ((rc = procdef_parse(record_get(r, "stages"), 1, &d, e)))
		return rc;
	rc = procdef_check(&d, &w->sc, ki, e);
	for (size_t i = 0; !rc && i < d.n; i++) {
		const struct pstage *s = &d.v[i];
		if (s->entry)
			rc = condition_check(w, kind, s->entry, trial, "entry", s->entry_line, e);
		for (size_t k = 0; !rc && k < s->nchecks; k++)
			if (s->checks[k].kind == PI_CHECK)
				rc = condition_check(w, kind, s->checks[k].arg, trial, "check",
						     s->checks[k].line, e);
		for (size_t k = 0; !rc && k < s->nsteps; k++) {
			const struct pstep *st = &s->steps[k];
			/* (member:NAME is resolved by load and at advance: the member may come in the
			 * same sync as the process.) */
			if (st->when)
				rc = condition_check(w, kind, st->when, trial, "approve ... when",
						     st->line, e);
		}
	}
	procdef_free(&d);
	if (rc)
		err_prefix(e, "process %s: stages", record_get(r, "name") ? record_get(r, "name") : "");
	return rc;
}

/* A template: its work breakdown parses, its phases are stages of its process (which must
 * exist), its owners are what a project can name. */
static int template_check(struct ws *w, const struct record *r, struct err *e)
{
	struct wbsdef d;
	struct procdef pd = { NULL, 0 };
	struct record *pr = NULL;
	const char *pname = record_get(r, "process");
	char id[33];
	int rc = wbsdef_parse(record_get(r, "wbs"), 1, &d, e);
	if (rc)
		goto out;
	/* A process not here (yet: it may arrive in the same sync) is for load and for building
	 * a project to refuse; its stages are checked when it is. */
	struct err ne = { 0 };
	bool have = pname && !ws_resolve(w, pname, "process", id, &ne) &&
		    !store_get(w->st, &w->sc, id, &pr, &ne);
	if (have)
		rc = procdef_parse(record_get(pr, "stages"), 1, &pd, e);
	if (!rc)
		rc = wbsdef_check(&d, have ? &pd : NULL, &w->sc, e);
	wbsdef_free(&d);
	procdef_free(&pd);
	record_free(pr);
out:
	if (rc)
		err_prefix(e, "template %s", record_get(r, "name") ? record_get(r, "name") : "");
	return rc;
}

/* ---- numbering: team-set patterns, unique numbers, renumbering at merge ---- */

/* The kinds that carry a number, the field, and the date its pattern's date part reads. */
static const struct numbered {
	const char *kind, *field, *date;
} numbered[] = {
	{ "project", "code", "start" },
	{ "contract", "number", "signed" },
	{ "quote", "number", "date" },
	{ "invoice", "number", "issued" },
};

static const struct numbered *numbered_of(const char *kind)
{
	for (size_t i = 0; i < ARRAY_LEN(numbered); i++)
		if (!strcmp(numbered[i].kind, kind))
			return &numbered[i];
	return NULL;
}

/* The text of a date token of a pattern for day (YYYY-MM-DD), or NULL when tok is not one. */
static const char *date_token(const char *tok, size_t n, const char *day, char out[5])
{
	static const struct {
		const char *name;
		int at, len;
	} t[] = { { "yyyy", 0, 4 }, { "yy", 2, 2 }, { "mm", 5, 2 }, { "dd", 8, 2 } };
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (strlen(t[i].name) == n && !strncmp(tok, t[i].name, n)) {
			snprintf(out, 5, "%.*s", t[i].len, day + t[i].at);
			return out;
		}
	return NULL;
}

int ws_number_pattern_check(const char *pat, struct err *e)
{
	int seqs = 0;
	if (!pat || !*pat || strlen(pat) > 60)
		return err_set(e, RERR_INPUT, "a numbering pattern is 1 to 60 characters");
	for (const char *p = pat; *p; p++) {
		char d[5];
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ',')
			return err_set(e, RERR_INPUT, "'%s': a numbering pattern holds no control "
						      "characters or commas", pat);
		if (*p == '}')
			return err_set(e, RERR_INPUT, "'%s': a '}' without its '{'", pat);
		if (*p != '{')
			continue;
		const char *close = strchr(p, '}');
		if (!close)
			return err_set(e, RERR_INPUT, "'%s': a '{' without its '}'", pat);
		size_t n = (size_t)(close - p - 1);
		if (n >= 3 && !strncmp(p + 1, "seq", 3) &&
		    (n == 3 || (n == 5 && p[4] == ':' && p[5] >= '1' && p[5] <= '9')))
			seqs++;
		else if (!date_token(p + 1, n, "2000-01-01", d))
			return err_set(e, RERR_INPUT,
				       "'%s': {%.*s} is not {yyyy}, {yy}, {mm}, {dd}, {seq} or {seq:N}",
				       pat, (int)n, p + 1);
		p = close;
	}
	if (seqs != 1)
		return err_set(e, RERR_INPUT, "'%s': a numbering pattern needs {seq} (or {seq:N}, N "
					      "digits) exactly once", pat);
	return 0;
}

/* The number of seq in pattern on day; with want, the seq value `v` has under that pattern and
 * day instead (-1: it is not one of them). */
static long number_of(const char *pat, const char *day, long seq, const char *v, char *out,
		      size_t outn)
{
	struct buf b = BUF_INIT;
	long got = -1;
	const char *q = v;
	for (const char *p = pat; *p; p++) {
		if (*p != '{') {
			if (v && *q++ != *p)
				goto miss;
			buf_addc(&b, *p);
			continue;
		}
		const char *close = strchr(p, '}');
		size_t n = (size_t)(close - p - 1);
		char d[5];
		if (date_token(p + 1, n, day, d)) {
			if (v && strncmp(q, d, strlen(d)))
				goto miss;
			q += v ? strlen(d) : 0;
			buf_adds(&b, d);
		} else if (v) {
			char *end;
			if (*q < '0' || *q > '9')
				goto miss;
			got = strtol(q, &end, 10);
			q = end;
		} else
			buf_addf(&b, "%0*ld", n == 5 ? p[5] - '0' : 1, seq);
		p = close;
	}
	if (v && *q)
		got = -1;
	if (!v && out)
		snprintf(out, outn, "%s", b.data ? b.data : "");
	buf_release(&b);
	return got;
miss:
	buf_release(&b);
	return -1;
}

struct seq_scan {
	const char *pat, *day;
	long max;
};

static int seq_cb(const char *id, const char *value, void *ctx)
{
	struct seq_scan *s = ctx;
	long n = number_of(s->pat, s->day, 0, value, NULL, 0);
	(void)id;
	if (n > s->max)
		s->max = n;
	return 0;
}

/* The next number of a pattern for a record of ki on day: one past the greatest seq any record
 * of the kind has under the same date part, so {seq} restarts when the date part changes. */
static int number_next(struct ws *w, const struct kindinfo *ki, const struct field *f,
		       const char *pat, const char *day, char *out, size_t n, struct err *e)
{
	struct seq_scan s = { pat, day, 0 };
	int rc = store_values(w->st, ki, f, seq_cb, &s, e);
	if (!rc)
		number_of(pat, day, s.max + 1, NULL, out, n);
	return rc;
}

/* The day a record's number is dated by: its date field, else today. */
static void number_day(const struct record *r, const struct numbered *nb, char day[11])
{
	const char *d = record_get(r, nb->date);
	if (d && strlen(d) >= 10)
		snprintf(day, 11, "%.10s", d);
	else
		fmt_date(day, clock_now());
}

/* Gives a new record of a numbered kind the next number of the team's pattern
 * (numbering.KIND) when it has none. */
static int assign_number(struct ws *w, struct record *r, struct err *e)
{
	const struct numbered *nb = numbered_of(r->ki->k->name);
	const struct field *f = nb ? kind_field(r->ki, nb->field) : NULL;
	char key[40], day[11], num[128];
	if (!f || record_get(r, nb->field))
		return 0;
	snprintf(key, sizeof key, "numbering.%s", nb->kind);
	char *pat = ws_setting(w, key);
	struct err pe = { 0 };
	int rc = 0;
	if (pat && !ws_number_pattern_check(pat, &pe)) {
		number_day(r, nb, day);
		if (!(rc = number_next(w, r->ki, f, pat, day, num, sizeof num, e)))
			record_put(r, kind_field_index(r->ki, f), xstrdup(num));
	}
	free(pat);
	return rc;
}

/* The live record of ki other than `except` whose field f is v: its id in other, "" none. */
static int number_holder(struct ws *w, const struct kindinfo *ki, const struct field *f,
			 const char *v, const char *except, char other[33], struct err *e)
{
	struct query q;
	struct recs found = { 0 };
	query_init(&q, ki);
	q.cond[q.ncond++] = (struct qcond){ f, Q_EQ, v, NULL };
	q.limit = 2;
	int rc = store_query(w->st, &q, recs_add, &found, e);
	query_free(&q);
	other[0] = '\0';
	for (size_t i = 0; !rc && i < found.n && !other[0]; i++)
		if (strcmp(found.v[i]->id, except))
			snprintf(other, 33, "%s", found.v[i]->id);
	recs_free(&found);
	return rc;
}

/* A number is the team's one record's: a local write may not give it to a second. Only when
 * it changes, so a record that arrived sharing one (and was renumbered) can still be edited. */
static int number_unique(struct ws *w, const struct record *r, struct err *e)
{
	const struct numbered *nb = numbered_of(r->ki->k->name);
	const char *v = nb ? record_get(r, nb->field) : NULL;
	struct record *old = NULL;
	struct err ge = { 0 };
	if (!v || r->deleted)
		return 0;
	if (r->id[0] && !store_get(w->st, &w->sc, r->id, &old, &ge) && record_get(old, nb->field) &&
	    !strcmp(record_get(old, nb->field), v)) {
		record_free(old);
		return 0;
	}
	record_free(old);
	char other[33];
	int rc = number_holder(w, r->ki, kind_field(r->ki, nb->field), v, r->id, other, e);
	if (!rc && other[0]) {
		char where[80];
		record_where(r, where, sizeof where);
		rc = err_set(e, RERR_INPUT, "%s: field '%s': '%s' is already %s %.8s's (numbers are "
					    "unique in the team)",
			     where, nb->field, v, nb->kind, other);
	}
	return rc;
}

struct numval {
	char id[33];
	char *value;
};

static int numval_cb(const char *id, const char *value, void *ctx)
{
	struct { struct numval *v; size_t n; } *a = ctx;
	a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
	snprintf(a->v[a->n].id, sizeof a->v[a->n].id, "%s", id);
	a->v[a->n++].value = xstrdup(value);
	return 0;
}

static int cmp_numval(const void *a, const void *b)
{
	const struct numval *x = a, *y = b;
	int c = strcmp(x->value, y->value);
	return c ? c : strcmp(x->id, y->id);
}

/* Who keeps a number two records share: the one created first (then the smaller id), which
 * every replica reads the same. */
static int keeps_first(const void *a, const void *b)
{
	const struct record *x = *(struct record *const *)a, *y = *(struct record *const *)b;
	int c = strcmp(x->created ? x->created : "", y->created ? y->created : "");
	return c ? c : strcmp(x->id, y->id);
}

/* The record's conflicts with one line more, kept sorted like every conflict text. */
static void add_conflict(struct record *r, const char *field, const char *value)
{
	struct strv lines = STRV_INIT;
	if (r->conflicts)
		strv_split(&lines, r->conflicts, '\n');
	strv_push_owned(&lines, xasprintf("!%s %s %s", field, r->rev && *r->rev ? r->rev : "-", value));
	strv_sort(&lines);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < lines.n; i++)
		if (*lines.v[i])
			buf_addf(&b, "%s\n", lines.v[i]);
	free(r->conflicts);
	r->conflicts = b.data ? xstrdup(b.data) : NULL;
	buf_release(&b);
	strv_clear(&lines);
}

int ws_renumber(struct ws *w, struct strv *said, struct err *e)
{
	int rc = 0;
	for (size_t k = 0; k < ARRAY_LEN(numbered) && !rc; k++) {
		const struct kindinfo *ki = schema_kind(&w->sc, numbered[k].kind);
		const struct field *f = ki ? kind_field(ki, numbered[k].field) : NULL;
		struct { struct numval *v; size_t n; } all = { NULL, 0 };
		if (!f || (rc = store_values_shared(w->st, ki, f, numval_cb, &all, e)))
			goto next;
		if (all.n)
			qsort(all.v, all.n, sizeof *all.v, cmp_numval);
		for (size_t i = 0; i < all.n && !rc;) {
			size_t j = i + 1;
			while (j < all.n && !strcmp(all.v[j].value, all.v[i].value))
				j++;
			if (j - i > 1) {
				struct record **rs = xcalloc(j - i, sizeof *rs);
				size_t n = 0;
				for (size_t x = i; x < j; x++) {
					struct err ge = { 0 };
					if (!store_get(w->st, &w->sc, all.v[x].id, &rs[n], &ge))
						n++;
				}
				qsort(rs, n, sizeof *rs, keeps_first);
				char key[40];
				snprintf(key, sizeof key, "numbering.%s", numbered[k].kind);
				char *pat = ws_setting(w, key);
				struct err pe = { 0 };
				bool patterned = pat && !ws_number_pattern_check(pat, &pe);
				for (size_t x = 1; x < n && !rc; x++) {
					char num[160], day[11];
					const char *old = all.v[i].value;
					number_day(rs[x], &numbered[k], day);
					if (patterned && number_of(pat, day, 0, old, NULL, 0) >= 0)
						rc = number_next(w, ki, f, pat, day, num, sizeof num, e);
					else {
						/* Not the pattern's: the first free "OLD-2", "OLD-3"... */
						char other[33] = "x";
						for (int s = 2; !rc && other[0]; s++) {
							snprintf(num, sizeof num, "%.120s-%d", old, s);
							rc = number_holder(w, ki, f, num, "", other, e);
						}
					}
					if (rc)
						break;
					add_conflict(rs[x], numbered[k].field, old);
					record_put(rs[x], kind_field_index(ki, f), xstrdup(num));
					store_write_mode(w->st, STORE_MERGED);
					rc = store_update(w->st, rs[x], e);
					store_write_mode(w->st, STORE_LOCAL);
					if (!rc && said)
						strv_push_owned(said, xasprintf(_("%s %.8s renumbered %s -> %s: %s "
										"is %s %.8s's, numbered first on "
										"another replica (kept as a conflict: "
										"rapport conflicts)"),
										numbered[k].kind, rs[x]->id, old,
										num, old, numbered[k].kind,
										rs[0]->id));
				}
				free(pat);
				for (size_t x = 0; x < n; x++)
					record_free(rs[x]);
				free(rs);
			}
			i = j;
		}
	next:
		for (size_t i = 0; i < all.n; i++)
			free(all.v[i].value);
		free(all.v);
	}
	return rc;
}

int ws_rule_check(struct ws *w, const struct record *r, struct err *e)
{
	if (!strcmp(r->ki->k->name, "setting") && !r->deleted && record_get(r, "name") &&
	    !strncmp(record_get(r, "name"), "numbering.", 10)) {
		const char *kind = record_get(r, "name") + 10;
		int rc = numbered_of(kind) ? ws_number_pattern_check(record_get(r, "value"), e)
			 : err_set(e, RERR_INPUT, "numbering is for project, contract, quote and invoice, "
						  "not '%s'", kind);
		if (rc)
			err_prefix(e, "setting %s", record_get(r, "name"));
		return rc;
	}
	if (!strcmp(r->ki->k->name, "process") && !r->deleted)
		return process_check(w, r, e);
	if (!strcmp(r->ki->k->name, "template") && !r->deleted)
		return template_check(w, r, e);
	if (strcmp(r->ki->k->name, "rule") || r->deleted)
		return 0;
	/* Disabled, it is only compiled: a rule that arrived as a bomb can always be turned off. */
	const char *en = record_get(r, "enabled");
	int rc = en && !strcmp(en, "false")
			 ? store_rule_compile(w->st, record_get(r, "watch"), record_get(r, "when"), e)
			 : store_rule_trial(w->st, record_get(r, "watch"), record_get(r, "when"), e);
	if (rc)
		err_prefix(e, "rule %s: when", record_get(r, "name") ? record_get(r, "name") : "");
	return rc;
}

/* An opportunity's closed date follows its stage, so win rate and cycle time (store_kpis) count
 * every sale that ended, however its stage was moved: `won`, `set`, a form, an import. A date
 * the writer gave is kept. */
static int settle_closed(struct ws *w, struct record *r, struct err *e)
{
	const char *stage;
	const struct field *f;
	if (!(stage = record_get(r, "stage")) ||
	    !(f = kind_field(r->ki, "closed")))
		return 0;
	int i = kind_field_index(r->ki, f);
	if (strcmp(stage, "won") && strcmp(stage, "lost")) {
		record_put(r, i, NULL);
		return 0;
	}
	return r->val[i] ? 0 : ws_put(w, r, f, "today", e);
}

/* A receipt's customer is its invoice's unless it says otherwise (and it may not). */
static int settle_receipt(struct ws *w, struct record *r, struct err *e)
{
	const char *inv = record_get(r, "invoice");
	const struct field *f = kind_field(r->ki, "customer");
	struct record *i = NULL;
	struct err ge = { 0 };
	if (!inv || record_get(r, "customer") || !f ||
	    store_get(w->st, &w->sc, inv, &i, &ge))
		return 0;
	const char *c = record_get(i, "customer");
	if (c)
		record_put(r, kind_field_index(r->ki, f), xstrdup(c));
	record_free(i);
	(void)e;
	return 0;
}

/* What a receipt may say: its invoice is issued (not a draft, not void), of its customer and in
 * its currency, and the receipts on it do not pass its amount: money over it is a credit on the
 * customer, a receipt without an invoice. Local writes only: a receipt from the remote is money
 * somebody received, imported whatever it brings (`rapport receivables` shows an overpaid
 * invoice). */
static int receipt_check(struct ws *w, const struct record *r, struct err *e)
{
	const char *inv = record_get(r, "invoice");
	struct record *i = NULL;
	struct err ge = { 0 };
	char where[80];
	int rc = 0;
	if (r->deleted || !inv)
		return 0;
	record_where(r, where, sizeof where);
	if (store_get(w->st, &w->sc, inv, &i, &ge))
		return err_set(e, RERR_INPUT, "%s: field 'invoice': no invoice %.8s", where, inv);
	const char *num = record_get(i, "number") ? record_get(i, "number") : i->id;
	const char *status = record_get(i, "status"), *cust = record_get(r, "customer");
	char *cur = ws_currency(w, i);
	const char *mine = record_get(r, "currency");
	if (status && !strcmp(status, "void"))
		rc = err_set(e, RERR_INPUT, "%s: invoice %s is void: nothing is owed on it", where,
			     num);
	else if (status && strcmp(status, "issued"))
		rc = err_set(e, RERR_INPUT,
			     "%s: invoice %s is a draft: issue it first (rapport set ID status=issued)",
			     where, num);
	else if (cust && record_get(i, "customer") && strcmp(cust, record_get(i, "customer")))
		rc = err_set(e, RERR_INPUT, "%s: field 'customer': invoice %s is another customer's",
			     where, num);
	else if (mine && cur && strcmp(mine, cur))
		rc = err_set(e, RERR_INPUT, "%s: field 'currency': invoice %s is in %s, not %s",
			     where, num, cur, mine);
	if (!rc) {
		struct query q;
		double others = 0;
		query_init(&q, r->ki);
		q.cond[q.ncond++] = (struct qcond){ kind_field(r->ki, "invoice"), Q_EQ, inv, NULL };
		q.cond[q.ncond++] = (struct qcond){ &meta_fields[0], Q_NE, r->id, NULL };
		rc = store_sum(w->st, &q, kind_field(r->ki, "amount"), &others, e);
		query_free(&q);
		double amount = record_num(i, "amount"), total = others + record_num(r, "amount");
		if (!rc && total > amount + 0.005) {
			char *a = fmt_amount(amount, cur), *t = fmt_amount(total, cur),
			     *over = fmt_money(total - amount);
			rc = err_set(e, RERR_INPUT,
				     "%s: field 'amount': invoice %s would be paid %s of %s; record what "
				     "is over as a credit on the customer: a receipt without an invoice "
				     "(rapport add receipt customer=%.8s amount=%s)",
				     where, num, t, a, record_get(i, "customer"), over);
			free(a);
			free(t);
			free(over);
		}
	}
	free(cur);
	record_free(i);
	return rc;
}

/* A customer's stage_since follows its stage: a write that changes the stage (or adds the
 * customer) without saying since when sets today. */
static int settle_stage(struct ws *w, struct record *r, struct err *e)
{
	const struct field *f = kind_field(r->ki, "stage_since");
	struct record *old = NULL;
	struct err ge = { 0 };
	if (!f || !record_get(r, "stage"))
		return 0;
	int i = kind_field_index(r->ki, f);
	bool have = r->id[0] && !store_get(w->st, &w->sc, r->id, &old, &ge);
	const char *was = have ? record_get(old, "stage") : NULL,
		   *since = have ? record_get(old, "stage_since") : NULL;
	bool moved = !was || strcmp(was, record_get(r, "stage"));
	bool given = r->val[i] && !(since && !strcmp(since, r->val[i]));
	record_free(old);
	return moved && !given ? ws_put(w, r, f, "today", e) : 0;
}

/* What a kind's local writes keep and check beyond its fields and record_check: a value that
 * follows another (settle, before the checks), and a check that reads the database. */
static const struct kind_rules {
	const char *kind;
	int (*settle)(struct ws *w, struct record *r, struct err *e);
	int (*check)(struct ws *w, const struct record *r, struct err *e);
} kind_rules[] = {
	{ "opportunity", settle_closed, NULL },
	{ "customer", settle_stage, NULL },
	{ "receipt", settle_receipt, receipt_check },
};

static const struct kind_rules *rules_of(const struct record *r)
{
	for (size_t i = 0; i < ARRAY_LEN(kind_rules); i++)
		if (!strcmp(kind_rules[i].kind, r->ki->k->name))
			return &kind_rules[i];
	return NULL;
}

static int settle(struct ws *w, struct record *r, struct err *e)
{
	const struct kind_rules *k = rules_of(r);
	return k && k->settle ? k->settle(w, r, e) : 0;
}

/* The kind's own database check, and a number unique in the team (every numbered kind). */
static int db_check(struct ws *w, const struct record *r, struct err *e)
{
	const struct kind_rules *k = rules_of(r);
	int rc = k && k->check ? k->check(w, r, e) : 0;
	return rc ? rc : number_unique(w, r, e);
}

int ws_add(struct ws *w, struct record *r, struct err *e)
{
	char ts[21];
	int rc;
	if ((rc = apply_defaults(w, r, e)) || (rc = settle(w, r, e)) || (rc = record_check(r, e)) ||
	    (rc = ws_rule_check(w, r, e)) || (rc = assign_number(w, r, e)) ||
	    (rc = db_check(w, r, e)))
		return rc;
	if (!r->id[0])
		id_new(r->id);
	fmt_datetime(ts, clock_now());
	free(r->created);
	free(r->updated);
	free(r->author);
	r->created = xstrdup(ts);
	r->updated = xstrdup(ts);
	r->author = xstrdup(ws_author(w));
	return store_insert(w->st, r, e);
}

/* A record that already broke a whole-record rule (it arrived so from the remote) can still be
 * edited: when the stored copy fails the same check with the same words, the edit did not touch
 * what is wrong, and it is saved with a warning that says what still is. */
static int check_again(struct ws *w, const struct record *r, struct err *e)
{
	struct record *old = NULL;
	struct err ge = { 0 }, oe = { 0 };
	int rc = record_check(r, e);
	if (!rc)
		return 0;
	if (!store_get(w->st, &w->sc, r->id, &old, &ge) && record_check(old, &oe) &&
	    !strcmp(oe.msg, e->msg)) {
		strv_push_owned(&w->warnings,
				xasprintf(_("%s (saved: this edit did not touch it; still to repair)"),
					  e->msg));
		err_clear(e);
		rc = 0;
	}
	record_free(old);
	return rc;
}

int ws_save(struct ws *w, struct record *r, struct err *e)
{
	char ts[21];
	struct held *h = NULL;
	struct err he = { 0 };
	int rc;
	if ((rc = settle(w, r, e)) || (rc = check_again(w, r, e)) || (rc = ws_rule_check(w, r, e)) ||
	    (rc = db_check(w, r, e)))
		return rc;
	fmt_datetime(ts, clock_now());
	free(r->updated);
	free(r->author);
	r->updated = xstrdup(ts);
	r->author = xstrdup(ws_author(w));
	title_forget(w, r->id);
	/* A record marked broken (it arrived breaking a whole-record rule) that passes them now is
	 * repaired: the mark goes in the same transaction as the write. */
	bool repaired = !store_held_get(w->st, r->id, &h, &he) && h->broken && !record_check(r, &he);
	held_free(h);
	if (!repaired)
		return store_update(w->st, r, e);
	if ((rc = store_begin(w->st, e)))
		return rc;
	if ((rc = store_update(w->st, r, e)) || (rc = store_held_drop(w->st, r->id, e))) {
		store_rollback(w->st);
		return rc;
	}
	return store_commit(w->st, e);
}

int ws_field_adopt(struct ws *w, const struct record *d, struct err *e)
{
	const struct kindinfo *ki = schema_kind(&w->sc, record_get(d, "kind") ? record_get(d, "kind") : "");
	const char *name = record_get(d, "name");
	const struct field *f = ki && name ? kind_field(ki, name) : NULL;
	if (d->deleted)
		return 0;
	if (f && (f->flags & F_CUSTOM)) {
		/* The same field defined on two replicas is one record (its id derives from kind and
		 * name); the merged definition wins here too. Values that do not fit it are held
		 * when they arrive. */
		bool changed;
		return schema_redefine_custom(&w->sc, record_get(d, "kind"), name, record_get(d, "type"),
					      record_get(d, "choices"), record_get(d, "label"),
					      record_get(d, "audience"), &changed, e);
	}
	if (f)
		return 0;
	int rc = schema_add_custom(&w->sc, record_get(d, "kind"), name, record_get(d, "type"),
				   record_get(d, "choices"), record_get(d, "label"), record_get(d, "audience"), e);
	return rc ? rc : store_migrate(w->st, &w->sc, e);
}

int ws_field_add(struct ws *w, const char *kind, const char *name, const char *type,
		 const char *choices, const char *label, const char *audience, char out_id[33],
		 struct err *e)
{
	const struct kindinfo *fk = schema_kind(&w->sc, "field");
	struct record *r = record_new(fk), *old = NULL;
	struct err ge = { 0 };
	int rc;
	/* schema_add_custom checks everything before it changes the schema, and the field record is
	 * checked before the database grows a column, so a bad definition changes nothing. */
	const char *vals[][2] = { { "kind", kind }, { "name", name }, { "type", type },
				  { "choices", choices }, { "label", label }, { "audience", audience } };
	for (size_t i = 0; i < ARRAY_LEN(vals); i++)
		if (vals[i][1] && (rc = ws_put(w, r, kind_field(fk, vals[i][0]), vals[i][1], e)))
			goto out;
	if ((rc = record_check(r, e)))
		goto out;
	/* The id derives from kind and name: two members who add the same field before syncing
	 * make one record, whose definitions merge (a differing type is kept as a conflict). */
	char *key = xasprintf("%s.%s", kind, name);
	id_derived(r->id, "rapport custom field ", key);
	free(key);
	bool again = store_get(w->st, &w->sc, r->id, &old, &ge) == 0; /* removed once, now back */
	if ((rc = schema_add_custom(&w->sc, kind, name, type, choices, label, audience, e)) ||
	    (rc = store_migrate(w->st, &w->sc, e)))
		goto out;
	if (again) {
		free(r->created);
		r->created = old->created ? xstrdup(old->created) : NULL;
		free(r->conflicts);
		r->conflicts = old->conflicts ? xstrdup(old->conflicts) : NULL;
		rc = ws_save(w, r, e);
	} else
		rc = ws_add(w, r, e);
	if (rc)
		goto out;
	snprintf(out_id, 33, "%s", r->id);
out:
	record_free(r);
	record_free(old);
	return rc;
}

/* ---- filters and order, as people type them ---- */

int ws_filter(struct ws *w, struct query *q, const char *expr, struct err *e)
{
	static const struct {
		const char *tok;
		enum qop op;
	} ops[] = { { "!=", Q_NE }, { "<=", Q_LE }, { ">=", Q_GE }, { "=", Q_EQ },
		    { "<", Q_LT },  { ">", Q_GT },  { "~", Q_LIKE } };
	size_t n = strspn(expr, "abcdefghijklmnopqrstuvwxyz0123456789_.");
	size_t o;
	for (o = 0; o < ARRAY_LEN(ops); o++)
		if (!strncmp(expr + n, ops[o].tok, strlen(ops[o].tok)))
			break;
	if (!n || o == ARRAY_LEN(ops))
		return err_set(e, RERR_USAGE,
			       "'%s' is not a filter (FIELD=V, FIELD!=V, FIELD<V, FIELD>V, FIELD~TEXT)",
			       expr);
	if (q->ncond == ARRAY_LEN(q->cond))
		return err_set(e, RERR_USAGE, "too many filters (at most %zu)", ARRAY_LEN(q->cond));
	char *name = xstrndup(expr, n);
	const char *v = expr + n + strlen(ops[o].tok);
	enum qop op = ops[o].op;
	int rc = 0;
	char *norm = NULL;
	/* "project.status=active": a field of the record a reference points at. */
	const struct field *via = NULL, *f;
	const struct kindinfo *fk = q->ki;
	char *dot = strchr(name, '.');
	if (dot) {
		*dot = '\0';
		via = kind_field(q->ki, name);
		if (!via || via->type != FT_REF || !via->ref || strchr(dot + 1, '.')) {
			rc = err_set(e, RERR_INPUT,
				     "filter '%s': '%s' is not a reference of %s to follow (FIELD.FIELD "
				     "works through one reference to a kind)",
				     expr, name, q->ki->k->name);
			goto out;
		}
		fk = w ? schema_kind(&w->sc, via->ref) : NULL;
		memmove(name, dot + 1, strlen(dot + 1) + 1);
	}
	f = fk ? kind_field(fk, name) : NULL;
	if (!f) {
		rc = err_set(e, RERR_INPUT, "filter '%s': %s has no field '%s' (see 'rapport fields %s')",
			     expr, fk ? fk->k->name : "?", name, fk ? fk->k->name : "?");
		goto out;
	}
	if (!*v && (op == Q_EQ || op == Q_NE)) {
		op = op == Q_EQ ? Q_NULL : Q_NOTNULL;
	} else if (op == Q_LIKE) {
		norm = xstrdup(v);
	} else if (f->flags & F_META) {
		norm = xstrdup(v);
	} else if (f->type == FT_REF || f->type == FT_REFS) {
		char id[33];
		if ((rc = member_me(w, f, v, id, e)) > 0)
			rc = ws_resolve(w, v, f->ref, id, e);
		if (rc) {
			err_prefix(e, "filter '%s'", expr);
			goto out;
		}
		norm = xstrdup(id);
	} else if (f->type == FT_SET) {
		norm = xstrdup(v);
	} else if (f->type == FT_CHOICE && op == Q_EQ && strchr(v, ',')) {
		/* status=open,pending: any of the choices, each checked. */
		struct strv items = STRV_INIT;
		strv_split(&items, v, ',');
		for (size_t i = 0; i < items.n && !rc; i++) {
			char *code = choice_code(f->choices, items.v[i]);
			if (!code)
				rc = err_set(e, RERR_INPUT, "filter '%s': '%s' is not one of: %s", expr,
					     items.v[i], f->choices);
			else {
				free(items.v[i]);
				items.v[i] = code;
			}
		}
		norm = rc ? NULL : strv_join(&items, ",");
		strv_clear(&items);
		if (rc)
			goto out;
		op = Q_IN;
	} else if ((rc = value_normalize(f, v, clock_now(), &norm, e))) {
		err_prefix(e, "filter");
		goto out;
	}
	q->cond[q->ncond++] = (struct qcond){ f, op, norm ? query_own(q, norm) : NULL, via };
out:
	free(name);
	return rc;
}

int ws_sort(struct ws *w, struct query *q, const char *spec, struct err *e)
{
	(void)w;
	struct strv keys = STRV_INIT;
	int rc = 0;
	strv_split(&keys, spec && *spec ? spec : q->ki->k->sort, ',');
	q->nsort = 0;
	for (size_t i = 0; i < keys.n && !rc; i++) {
		const char *k = keys.v[i];
		bool desc = *k == '-';
		if (*k == '-' || *k == '+')
			k++;
		const struct field *f = kind_field(q->ki, k);
		if (!f)
			rc = err_set(e, RERR_INPUT, "sort: %s has no field '%s'", q->ki->k->name, k);
		else if (q->nsort == ARRAY_LEN(q->sort))
			rc = err_set(e, RERR_USAGE, "sort: at most %zu keys", ARRAY_LEN(q->sort));
		else {
			q->sort[q->nsort].f = f;
			q->sort[q->nsort++].desc = desc;
		}
	}
	strv_clear(&keys);
	return rc;
}
