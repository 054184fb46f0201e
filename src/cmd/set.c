/*
 * set.c — `rapport set ID FIELD=VALUE...`: changes fields of one record. All assignments apply
 * together or not at all.
 */
#include "cmd.h"

#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_set = {
	"set", run, "set ID FIELD=VALUE...", N_("Change fields of a record."),
	N_("FIELD= (empty) clears a field. For lists, FIELD+=ITEM adds one item and FIELD-=ITEM\n"
	"removes one: rapport set 3fa9 tags+=vip tags-=trial. ID may be a unique prefix.\n"
	"Every assignment is checked before anything is written; one bad value changes nothing.\n"),
	CMD_WS,
};

static bool same(const struct record *a, const struct record *b)
{
	for (size_t i = 0; i < a->ki->nf; i++) {
		const char *x = a->val[i], *y = b->val[i];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			return false;
	}
	return true;
}

static int run(struct ctx *c, int argc, char **argv)
{
	struct record *r = NULL, *before = NULL;
	int rc;
	if (argc < 2)
		return usage_error(c, &cmd_set, "which record?");
	if (argc < 3)
		return usage_error(c, &cmd_set, "nothing to set");
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, argv[1], NULL, &r, &c->err)))
		return rc;
	if (r->ki->k->flags & K_CONFIG) {
		rc = err_set(&c->err, RERR_INPUT,
			     "field %.8s: a custom field's definition cannot be changed; remove it "
			     "with 'rapport rm' and add a new one",
			     r->id);
		goto out;
	}
	if ((rc = engine_refuses(c, r->ki)))
		goto out;
	if (r->deleted) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s is deleted ('rapport undelete %.8s' first)",
			     kind_label(r->ki->k), r->id, r->id);
		goto out;
	}
	before = record_dup(r);
	for (int i = 2; i < argc && !rc; i++)
		rc = ws_assign(c->ws, r, argv[i], &c->err);
	if (!rc && !same(before, r))
		rc = ws_save(c->ws, r, &c->err);
out:
	record_free(before);
	record_free(r);
	return rc;
}
