/*
 * search.c — `rapport search TEXT`: full-text search over every live record, best match first.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_search = {
	"search", run, "search TEXT... [--limit N]", N_("Search all records for words."),
	N_("Every word must match the start of a word in a record's text fields (names, titles,\n"
	"summaries, notes, emails, tags, custom text fields); Chinese, Japanese and Korean text\n"
	"matches any run of characters. Deleted records are not searched. Default limit: 50.\n"),
	CMD_WS | CMD_PAGER,
};

struct hits {
	struct ctx *c;
	struct table t;
	struct json j;
	struct buf jb;
	long n;
};

static int hit(const struct record *r, void *p)
{
	struct hits *h = p;
	h->n++;
	if (h->c->json) {
		json_record(&h->j, r);
		return 0;
	}
	char sid[9];
	char *title = record_title(r);
	snprintf(sid, sizeof sid, "%.8s", r->id);
	table_cell(&h->t, kind_label(r->ki->k), C_KIND);
	table_cell(&h->t, sid, C_ID);
	table_cell(&h->t, title, C_RESET);
	free(title);
	/* Where it belongs: the customer or project it hangs off, when it has one. */
	const char *owner = record_get(r, "customer");
	if (!owner)
		owner = record_get(r, "project");
	table_cell(&h->t, owner ? ws_title(h->c->ws, owner) : "", C_MUTED);
	return 0;
}

static int run(struct ctx *c, int argc, char **argv)
{
	struct hits h = { .c = c, .jb = BUF_INIT };
	struct strv words = STRV_INIT;
	long limit = 50;
	int rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			char *end;
			limit = strtol(argv[++i], &end, 10);
			if (*end || limit <= 0) {
				strv_clear(&words);
				return usage_error(c, &cmd_search, "--limit: '%s' is not a count",
						   argv[i]);
			}
		} else
			strv_push(&words, argv[i]);
	}
	if (!words.n)
		return usage_error(c, &cmd_search, "search for what?");
	char *text = strv_join(&words, " ");
	strv_clear(&words);
	if ((rc = ctx_open(c)))
		goto out;
	if (c->json) {
		json_init(&h.j, &h.jb, true);
		json_arr_open(&h.j);
	} else {
		table_init(&h.t, 4);
		table_cell(&h.t, _("KIND"), C_HEAD);
		table_cell(&h.t, _("ID"), C_HEAD);
		table_cell(&h.t, _("TITLE"), C_HEAD);
		/* TRANSLATORS: the column of the customer or project a search hit belongs to */
		table_cell(&h.t, _("OF"), C_HEAD);
	}
	rc = store_search(c->ws->st, &c->ws->sc, text, limit, hit, &h, &c->err);
	if (!rc && c->json) {
		json_arr_close(&h.j);
		json_flush(c, &h.jb);
	} else if (!rc && h.n)
		table_print(c, &h.t, 0);
	else if (!rc && c->tty)
		fprintf(stderr, _("Nothing matches '%s'.\n"), text);
	if (!c->json)
		table_free(&h.t);
out:
	buf_release(&h.jb);
	free(text);
	return rc;
}
