/*
 * fields.c — `rapport fields KIND`: the fields of a kind as the kind table and the team's custom
 * fields define them — the reference a user needs to write add/set/list commands.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_fields = {
	"fields", run, "fields [KIND]", N_("Show the fields of a record kind (or list the kinds)."),
	N_("Columns: the field's name, type, whether it is required, its choices or the kind it\n"
	"refers to, its default, and flags: list (a default column of 'list'), search (full-text\n"
	"indexed), finance, internal, visible (may be shown to the customer), custom, derived (a\n"
	"stage the database derives from transitions and approvals; only 'advance' moves it).\n"),
	CMD_WS | CMD_PAGER,
};

static char *flags_of(const struct field *f)
{
	struct strv v = STRV_INIT;
	if (f->flags & F_LIST)
		strv_push(&v, "list");
	if (f->flags & F_FTS)
		strv_push(&v, "search");
	if (f->flags & F_FIN)
		strv_push(&v, "finance");
	if (f->flags & F_INT)
		strv_push(&v, "internal");
	if (f->flags & F_VIS)
		strv_push(&v, "visible");
	if (f->flags & F_CUSTOM)
		strv_push(&v, "custom");
	if (f->flags & F_DERIVED)
		strv_push(&v, "derived");
	char *s = strv_join(&v, ",");
	strv_clear(&v);
	return s;
}

static const char *range_or_choices(const struct field *f, char *buf, size_t n)
{
	if (f->type == FT_CHOICE)
		return f->choices;
	if (f->type == FT_REF || f->type == FT_REFS)
		return f->ref ? f->ref : _("any kind");
	if (f->min < f->max) {
		snprintf(buf, n, _("%g to %g"), f->min, f->max);
		return buf;
	}
	return "";
}

static int run(struct ctx *c, int argc, char **argv)
{
	int rc;
	if (argc > 2)
		return usage_error(c, &cmd_fields, "too many arguments");
	if ((rc = ctx_open(c)))
		return rc;
	struct buf jb = BUF_INIT;
	struct json j;
	struct table t;
	if (argc == 1) {
		long *n = xcalloc(c->ws->sc.nkinds, sizeof(long));
		if ((rc = store_census(c->ws->st, &c->ws->sc, n, &c->err))) {
			free(n);
			return rc;
		}
		json_init(&j, &jb, true);
		table_init(&t, 3);
		table_cell(&t, _("KIND"), C_HEAD);
		table_cell(&t, _("FIELDS"), C_HEAD);
		table_cell(&t, _("RECORDS"), C_HEAD);
		table_right(&t, 2);
		json_obj_open(&j);
		for (size_t i = 0; i < c->ws->sc.nkinds; i++) {
			const struct kindinfo *ki = &c->ws->sc.kinds[i];
			char nf[16], nr[24];
			snprintf(nf, sizeof nf, "%zu", ki->nf);
			snprintf(nr, sizeof nr, "%ld", n[i]);
			table_cell(&t, ki->k->name, C_KIND);
			table_cell(&t, nf, C_RESET);
			table_cell(&t, nr, C_RESET);
			json_key(&j, ki->k->name);
			json_int(&j, n[i]);
		}
		json_obj_close(&j);
		free(n);
	} else {
		const struct kindinfo *ki;
		if ((rc = kind_arg(c, argv[1], &ki)))
			return rc;
		json_init(&j, &jb, true);
		json_arr_open(&j);
		table_init(&t, 6);
		const char *heads[] = { N_("FIELD"), N_("TYPE"), N_("REQUIRED"),
					N_("CHOICES/REFERS TO"), N_("DEFAULT"), N_("FLAGS") };
		for (size_t i = 0; i < ARRAY_LEN(heads); i++)
			table_cell(&t, _(heads[i]), C_HEAD);
		for (size_t i = 0; i < ki->nf; i++) {
			const struct field *f = ki->f[i];
			char rb[64];
			char *fl = flags_of(f);
			const char *extra = range_or_choices(f, rb, sizeof rb);
			table_cell(&t, f->name, C_RESET);
			table_cell(&t, _(ftype_name(f->type)), C_RESET);
			table_cell(&t, f->flags & F_REQ ? _("yes") : "", C_RESET);
			table_cell(&t, extra, C_MUTED);
			table_cell(&t, f->def ? f->def : "", C_RESET);
			table_cell(&t, fl, C_MUTED);
			json_obj_open(&j);
			json_key(&j, "name");
			json_str(&j, f->name);
			json_key(&j, "type");
			json_str(&j, ftype_name(f->type));
			json_key(&j, "required");
			json_bool(&j, f->flags & F_REQ);
			json_key(&j, "choices");
			json_str(&j, f->type == FT_CHOICE ? f->choices : NULL);
			json_key(&j, "ref");
			json_str(&j, f->type == FT_REF || f->type == FT_REFS ? (f->ref ? f->ref : "*")
									   : NULL);
			json_key(&j, "min");
			if (f->min < f->max)
				json_num(&j, f->min);
			else
				json_null(&j);
			json_key(&j, "max");
			if (f->min < f->max)
				json_num(&j, f->max);
			else
				json_null(&j);
			json_key(&j, "default");
			json_str(&j, f->def);
			json_key(&j, "flags");
			json_str(&j, fl);
			json_obj_close(&j);
			free(fl);
		}
		json_arr_close(&j);
	}
	if (c->json)
		json_flush(c, &jb);
	else
		table_print(c, &t, 0);
	table_free(&t);
	buf_release(&jb);
	return 0;
}
