/*
 * merge.c — the three-way merge of one record's snapshot file, field by field.
 * Same change on both sides: take it. One side changed: take it. Sets (tags, depends) merge item
 * by item, honouring removals. Long text tries a line merge. Anything else is a true conflict:
 * the side with the greater rev wins and the loser is kept in the record as a conflict line
 * ("!field REV value") until someone resolves it. A delete against an edit stays deleted, keeps
 * the edit, and records a "!deleted" conflict so undelete brings the edited record back.
 *
 * A merge that breaks a whole-record rule of the kind (due before start, more paid than the
 * amount, a task its own parent) is settled like a true conflict: the field that came from the
 * older write goes back to the newer write's value, and its value is kept as a conflict line.
 *
 * Revs compare as written, except that a rev later than its side's cap (the time of the commit
 * carrying it plus the allowed clock skew) counts as that commit's time, and one that cannot be
 * read likewise or, without a cap, as older than any: a wrong clock cannot win every conflict.
 *
 * Every choice depends on the three texts and the two caps only, never on which side is "ours",
 * so merge(A, B) and merge(B, A) give the same bytes on every replica.
 */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

static const char *const meta_names[] = { "rev", "created", "updated", "author", "deleted" };

static bool is_meta(const char *n)
{
	for (size_t i = 0; i < ARRAY_LEN(meta_names); i++)
		if (!strcmp(n, meta_names[i]))
			return true;
	return false;
}

/* A field's value in parsed text: NULL when unset or absent. */
static const char *val(const struct text_fields *tf, const char *name)
{
	for (size_t i = 0; i < tf->n; i++)
		if (!strcmp(tf->v[i].name, name))
			return tf->v[i].value;
	return NULL;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void add_unique(struct strv *v, const char *s)
{
	if (!strv_has(v, s))
		strv_push(v, s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void split(struct strv *out, const char *v, char sep)
{
	for (const char *p = v; p && *p;) {
		size_t n = strcspn(p, (char[]){ sep, 0 });
		if (n)
			strv_push_owned(out, xstrndup(p, n));
		p += n;
		if (*p)
			p++;
	}
}

/* Item-wise three-way merge of comma-separated sets: kept on both sides, or added on one. */
static char *merge_set(const char *b, const char *o, const char *t)
{
	struct strv sb = STRV_INIT, so = STRV_INIT, st = STRV_INIT, res = STRV_INIT;
	split(&sb, b, ',');
	split(&so, o, ',');
	split(&st, t, ',');
	for (size_t i = 0; i < so.n; i++)
		if (strv_has(&st, so.v[i]) || !strv_has(&sb, so.v[i]))
			add_unique(&res, so.v[i]);
	for (size_t i = 0; i < st.n; i++)
		if (!strv_has(&sb, st.v[i]))
			add_unique(&res, st.v[i]);
	if (res.n)
		qsort(res.v, res.n, sizeof(*res.v), cmp_str);
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < res.n; i++)
		buf_addf(&out, "%s%s", i ? "," : "", res.v[i]);
	strv_clear(&sb);
	strv_clear(&so);
	strv_clear(&st);
	strv_clear(&res);
	return out.len ? buf_detach(&out) : (buf_release(&out), NULL);
}

struct side {
	struct text_fields tf;
	const char *rev; /* as written */
	char eff[REV_MAX]; /* as it counts: capped, "" when unreadable and uncapped */
	bool present;
};

/* How a side's rev counts against its cap (NULL: none). */
static void effective(struct side *s, const struct rev_cap *cap)
{
	bool ok = rev_ok(s->rev);
	if (ok && (!cap || strncmp(s->rev, cap->over, 24) <= 0))
		snprintf(s->eff, sizeof s->eff, "%s", s->rev);
	else if (cap)
		snprintf(s->eff, sizeof s->eff, "%.24s%s", cap->as, ok ? s->rev + 24 : "-0000000000000000");
	else
		s->eff[0] = '\0';
}

/* The rev of a conflict line must read back: an unreadable one becomes the oldest rev. */
static const char *line_rev(const struct side *s)
{
	return s->eff[0] ? s->eff : "0000-01-01T00:00:00.000Z-0000000000000000";
}

/* Conflict lines of a side as "name value" strings. */
static void conflicts_of(const struct side *s, struct strv *out)
{
	for (size_t i = 0; i < s->tf.n; i++)
		if (s->tf.v[i].name[0] == '!') {
			char *k = xasprintf("%s %s", s->tf.v[i].name, s->tf.v[i].value ? s->tf.v[i].value : "");
			add_unique(out, k);
			free(k);
		}
}

/* Whether a side changed any field other than meta ones against base. */
static bool edited(const struct side *s, const struct side *base)
{
	for (size_t i = 0; i < s->tf.n; i++)
		if (s->tf.v[i].name[0] != '!' && !is_meta(s->tf.v[i].name) &&
		    !same(s->tf.v[i].value, val(&base->tf, s->tf.v[i].name)))
			return true;
	for (size_t i = 0; i < base->tf.n; i++)
		if (base->tf.v[i].name[0] != '!' && !is_meta(base->tf.v[i].name) &&
		    !same(base->tf.v[i].value, val(&s->tf, base->tf.v[i].name)))
			return true;
	return false;
}

static int load(struct side *s, const char *text)
{
	struct err e = { 0 };
	memset(s, 0, sizeof(*s));
	s->present = text != NULL;
	if (text && record_parse(text, &s->tf, &e))
		return -1;
	s->rev = val(&s->tf, "rev");
	if (!s->rev)
		s->rev = "";
	return 0;
}

/* Writes the merged record in the format's canonical order. */
static void emit(struct buf *out, const struct kindinfo *ki, const struct text_fields *res,
		 const struct side *win, const char *created, const struct strv *conf)
{
	const char *del = val(res, "deleted");
	if (win->eff[0])
		text_put(out, "rev", win->eff);
	if (created)
		text_put(out, "created", created);
	if (val(&win->tf, "updated"))
		text_put(out, "updated", val(&win->tf, "updated"));
	if (val(&win->tf, "author"))
		text_put(out, "author", val(&win->tf, "author"));
	if (del && !strcmp(del, "true"))
		text_put(out, "deleted", "true");
	/* Known fields in schema order, then unknown ones by name: the format's canonical order. */
	struct strv unknown = STRV_INIT;
	for (size_t i = 0; ki && i < ki->nf; i++) {
		const char *v = val(res, ki->f[i]->name);
		if (v)
			text_put(out, ki->f[i]->name, v);
	}
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].value && strcmp(res->v[i].name, "deleted") &&
		    !(ki && kind_field(ki, res->v[i].name)))
			strv_push(&unknown, res->v[i].name);
	if (unknown.n)
		qsort(unknown.v, unknown.n, sizeof(*unknown.v), cmp_str);
	for (size_t i = 0; i < unknown.n; i++)
		text_put(out, unknown.v[i], val(res, unknown.v[i]));
	strv_clear(&unknown);
	/* Conflict lines, sorted as record_from_text would sort them. */
	struct strv lines = STRV_INIT;
	for (size_t i = 0; i < conf->n; i++) {
		struct buf l = BUF_INIT;
		char *sp = strchr(conf->v[i], ' ');
		*sp = '\0';
		text_put(&l, conf->v[i], sp[1] ? sp + 1 : NULL);
		*sp = ' ';
		strv_push_owned(&lines, buf_detach(&l));
	}
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(*lines.v), cmp_str);
	for (size_t i = 0; i < lines.n; i++)
		buf_adds(out, lines.v[i]);
	strv_clear(&lines);
}

/* Whether the merged text passes the kind's whole-record rules. A text that is not a valid
 * record at all passes here: it is held by the import, which names why. */
static bool whole_ok(const struct kindinfo *ki, const char *text)
{
	struct record *r = NULL;
	struct err e = { 0 };
	if (record_from_text(ki, "00000000000000000000000000000000", text, 0, &r, &e))
		return true;
	bool ok = r->deleted || !record_check(r, &e);
	record_free(r);
	return ok;
}

static void set_value(struct text_fields *res, const char *name, const char *v)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->v[i].name, name)) {
			free(res->v[i].value);
			res->v[i].value = v ? xstrdup(v) : NULL;
		}
}

/* A merge that breaks a whole-record rule: the fields whose merged value is not the newer
 * write's go back to it, one at a time in schema order until the record passes (or all of
 * them), each keeping the value it had as a conflict line. */
static int repair(const struct kindinfo *ki, struct text_fields *res, const struct side *win,
		  const struct side *lose, const char *created, struct strv *conf, struct buf *out)
{
	struct strv tried = STRV_INIT;
	int n = 0;
	for (size_t i = 0; i < ki->nf && !whole_ok(ki, out->data); i++) {
		const char *name = ki->f[i]->name, *wv = val(&win->tf, name);
		char *mv = val(res, name) ? xstrdup(val(res, name)) : NULL;
		if (same(mv, wv)) {
			free(mv);
			continue;
		}
		/* Alone first: the one field whose return settles it. */
		struct text_fields alone = { xcalloc(res->n, sizeof(*res->v)), res->n };
		for (size_t k = 0; k < res->n; k++) {
			alone.v[k].name = xstrdup(res->v[k].name);
			alone.v[k].value = res->v[k].value ? xstrdup(res->v[k].value) : NULL;
		}
		set_value(&alone, name, wv);
		struct buf t = BUF_INIT;
		emit(&t, ki, &alone, win, created, conf);
		bool fixes = whole_ok(ki, t.data);
		buf_release(&t);
		text_fields_free(&alone);
		if (fixes) {
			set_value(res, name, wv);
			char *k = xasprintf("!%s %s%s%s", name, line_rev(lose), mv ? " " : "",
					    mv ? mv : "");
			add_unique(conf, k);
			free(k);
			n++;
			buf_reset(out);
			emit(out, ki, res, win, created, conf);
		} else
			strv_push(&tried, name);
		free(mv);
	}
	/* No single field settles it: every field tried goes back together. */
	if (!whole_ok(ki, out->data)) {
		for (size_t i = 0; i < tried.n; i++) {
			const char *mv = val(res, tried.v[i]);
			char *k = xasprintf("!%s %s%s%s", tried.v[i], line_rev(lose), mv ? " " : "",
					    mv ? mv : "");
			add_unique(conf, k);
			free(k);
			set_value(res, tried.v[i], val(&win->tf, tried.v[i]));
			n++;
		}
		buf_reset(out);
		emit(out, ki, res, win, created, conf);
	}
	strv_clear(&tried);
	return n;
}

char *merge_record(const struct kindinfo *ki, const char *base, const char *ours,
		   const char *theirs, int *nconflicts)
{
	return merge_record_capped(ki, base, ours, theirs, NULL, NULL, nconflicts);
}

char *merge_record_capped(const struct kindinfo *ki, const char *base, const char *ours,
			  const char *theirs, const struct rev_cap *ocap, const struct rev_cap *tcap,
			  int *nconflicts)
{
	struct side b = { 0 }, o = { 0 }, t = { 0 };
	struct strv names = STRV_INIT, conf = STRV_INIT, cb = STRV_INIT, co = STRV_INIT,
		    ct = STRV_INIT;
	struct buf out = BUF_INIT;
	*nconflicts = 0;
	if (load(&b, base) || load(&o, ours) || load(&t, theirs))
		goto fail;
	effective(&o, ocap);
	effective(&t, tcap);
	/* The winner of true conflicts: greater rev as it counts, then greater bytes. */
	int c = strcmp(o.eff, t.eff);
	if (!c)
		c = strcmp(ours ? ours : "", theirs ? theirs : "");
	const struct side *win = c >= 0 ? &o : &t, *lose = c >= 0 ? &t : &o;

	const struct side *all[] = { &b, &o, &t };
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < all[k]->tf.n; i++)
			if (all[k]->tf.v[i].name[0] != '!' && !is_meta(all[k]->tf.v[i].name))
				add_unique(&names, all[k]->tf.v[i].name);
	add_unique(&names, "deleted");

	/* Conflict lines merge as a set: one resolved on either side stays resolved. */
	conflicts_of(&b, &cb);
	conflicts_of(&o, &co);
	conflicts_of(&t, &ct);
	for (size_t i = 0; i < co.n; i++)
		if (strv_has(&ct, co.v[i]) || !strv_has(&cb, co.v[i]))
			add_unique(&conf, co.v[i]);
	for (size_t i = 0; i < ct.n; i++)
		if (!strv_has(&cb, ct.v[i]))
			add_unique(&conf, ct.v[i]);

	/* A kind that merges as a whole: both sides changed it, so one version wins entire. */
	bool whole = ki && (ki->k->flags & K_WHOLE) && edited(&o, &b) && edited(&t, &b);
	struct text_fields res = { NULL, 0 };
	res.v = xcalloc(names.n + 1, sizeof(*res.v));
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		const char *bv = val(&b.tf, n), *ov = val(&o.tf, n), *tv = val(&t.tf, n);
		const struct field *f = ki ? kind_field(ki, n) : NULL;
		char *r = NULL;
		if (same(ov, tv) || (!whole && same(tv, bv)))
			r = ov ? xstrdup(ov) : NULL;
		else if (!whole && same(ov, bv))
			r = tv ? xstrdup(tv) : NULL;
		else if (!whole && f && (f->type == FT_SET || f->type == FT_REFS))
			r = merge_set(bv, ov, tv);
		else {
			struct buf m = BUF_INIT;
			const char *wv = val(&win->tf, n), *lv = val(&lose->tf, n);
			/* Line merge in a fixed order (loser, winner) so both replicas agree. */
			if (!whole && f && f->type == FT_LONG && ov && tv &&
			    !gitl_merge_text(bv ? bv : "", lv, wv, &m) && m.len) {
				r = buf_detach(&m);
			} else {
				buf_release(&m);
				r = wv ? xstrdup(wv) : NULL;
				char *k = xasprintf("!%s %s%s%s", n, line_rev(lose), lv ? " " : "",
						    lv ? lv : "");
				add_unique(&conf, k);
				free(k);
				(*nconflicts)++;
			}
		}
		res.v[res.n].name = xstrdup(n);
		res.v[res.n++].value = r;
	}
	/* Delete against edit: deleted stays, the edit stays, and the conflict says so. */
	const char *del = val(&res, "deleted");
	if (del && !strcmp(del, "true") && b.present) {
		const char *od = val(&o.tf, "deleted"), *td = val(&t.tf, "deleted");
		bool o_del = od && !strcmp(od, "true"), t_del = td && !strcmp(td, "true");
		const struct side *editor = o_del && !t_del ? &t : t_del && !o_del ? &o : NULL;
		if (editor && edited(editor, &b)) {
			char *k = xasprintf("!deleted %s false", line_rev(editor));
			add_unique(&conf, k);
			free(k);
			(*nconflicts)++;
		}
	}

	/* Meta: the newest rev; the first created; who wrote last. */
	const char *cr_o = val(&o.tf, "created"), *cr_t = val(&t.tf, "created");
	const char *created = !cr_o ? cr_t : !cr_t ? cr_o : strcmp(cr_o, cr_t) <= 0 ? cr_o : cr_t;
	emit(&out, ki, &res, win, created, &conf);
	if (ki && !whole_ok(ki, out.data))
		*nconflicts += repair(ki, &res, win, lose, created, &conf, &out);
	text_fields_free(&res);
	strv_clear(&names);
	strv_clear(&conf);
	strv_clear(&cb);
	strv_clear(&co);
	strv_clear(&ct);
	text_fields_free(&b.tf);
	text_fields_free(&o.tf);
	text_fields_free(&t.tf);
	return buf_detach(&out);
fail:
	text_fields_free(&b.tf);
	text_fields_free(&o.tf);
	text_fields_free(&t.tf);
	buf_release(&out);
	return NULL;
}
