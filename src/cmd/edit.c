/*
 * edit.c — `rapport edit ID`: the whole record as text in $EDITOR, applied through the same
 * checks as `set`. What the user typed is never lost: the text lives in .rapport/edit-ID.txt
 * until it has been applied, and a failed edit (a bad date, an unknown field) leaves it there;
 * the next `rapport edit ID` resumes it.
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_edit = {
	"edit", run, "edit ID", N_("Edit a record as text in $EDITOR."),
	N_("The record opens as one 'name value' line per field, every field listed (a bare name is\n"
	"unset). Change values, clear a field by leaving its name alone, continue long text on\n"
	"lines indented by two spaces; references take an id or a name. Saving applies every\n"
	"change with the checks of 'rapport set' — all or nothing. An empty file cancels.\n"
	"If anything is wrong, nothing changes and your text stays in .rapport/edit-ID.txt;\n"
	"'rapport edit ID' again resumes it. The format is rapport(5)'s record format.\n"),
	CMD_WS,
};

static bool only_comments(const char *s)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t k = strspn(p, " \t\r");
		if (k < n && p[k] != '#')
			return false;
		p += n + (nl ? 1 : 0);
	}
	return true;
}

/* Applies parsed text to r (a copy): every listed field, checked; unknown names are errors. */
static int apply(struct ctx *c, struct record *r, const struct text_fields *tf, const char *path)
{
	for (size_t i = 0; i < tf->n; i++) {
		const struct field *f = kind_field(r->ki, tf->v[i].name);
		if (!f || (f->flags & F_META))
			return err_set(&c->err, RERR_INPUT, "%s: line %d: %s has no field '%s' you can set",
				       path, tf->v[i].line, kind_label(r->ki->k), tf->v[i].name);
		if (ws_put(c->ws, r, f, tf->v[i].value, &c->err)) {
			err_prefix(&c->err, "%s: line %d", path, tf->v[i].line);
			return c->err.code;
		}
	}
	return 0;
}

static int run(struct ctx *c, int argc, char **argv)
{
	struct record *r = NULL, *before = NULL;
	struct text_fields tf = { NULL, 0 };
	struct buf text = BUF_INIT;
	char *path = NULL, *edited = NULL;
	int rc;
	if (argc < 2)
		return usage_error(c, &cmd_edit, "which record?");
	if (argc > 2)
		return usage_error(c, &cmd_edit, "one record at a time");
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, argv[1], NULL, &r, &c->err)))
		return rc;
	if ((rc = engine_refuses(c, r->ki)))
		goto out;
	if (r->deleted) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s is deleted ('rapport undelete' first)",
			     kind_label(r->ki->k), r->id);
		goto out;
	}
	if (r->ki->k->flags & K_CONFIG) {
		rc = err_set(&c->err, RERR_INPUT,
			     "%s %.8s is a custom field definition; remove it and add a new one",
			     kind_label(r->ki->k), r->id);
		goto out;
	}
	path = xasprintf("%s/edit-%s.txt", c->ws->dotdir, r->id);
	char *resume = file_read(path, NULL);
	if (resume) {
		fprintf(stderr, _("rapport: resuming your unsaved edit in %s\n"), path);
		buf_adds(&text, resume);
		free(resume);
	} else {
		char *title = record_title(r);
		/* TRANSLATORS: comments atop the file 'rapport edit' opens: every line starts "# " */
		buf_addf(&text,
			 _("# Editing %s %.8s: %s\n"
			   "# One field per line: NAME VALUE. A bare NAME is unset. Lines indented by two\n"
			   "# spaces continue the field above. Save and quit to apply; empty the file to "
			   "cancel.\n"),
			 kind_label(r->ki->k), r->id, title);
		free(title);
		record_text(&text, r, true);
		FILE *f = fopen(path, "w");
		if (!f || fwrite(text.data, 1, text.len, f) != text.len || fclose(f) != 0) {
			rc = err_set(&c->err, RERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
			goto out;
		}
	}
	if ((rc = run_editor(path, &c->err))) {
		err_prefix(&c->err, "edit: your text is kept in %s", path);
		goto out;
	}
	if (!(edited = file_read(path, NULL))) {
		rc = err_set(&c->err, RERR_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (only_comments(edited)) {
		fprintf(c->out, _("Cancelled; %s %.8s is unchanged.\n"), kind_label(r->ki->k), r->id);
		unlink(path);
		goto out;
	}
	before = record_dup(r);
	if ((rc = record_parse(edited, &tf, &c->err))) {
		err_prefix(&c->err, "%s", path);
		goto kept;
	}
	if ((rc = apply(c, r, &tf, path)) || (rc = record_check(r, &c->err)))
		goto kept;
	bool changed = false;
	for (size_t i = 0; i < r->ki->nf; i++) {
		const char *x = before->val[i], *y = r->val[i];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			changed = true;
	}
	if (changed && (rc = ws_save(c->ws, r, &c->err)))
		goto kept;
	unlink(path);
	fprintf(c->out, changed ? _("Saved %s %.8s\n") : _("No changes to %s %.8s\n"),
		kind_label(r->ki->k), r->id);
	goto out;
kept:
	/* Nothing was written; the text stays for the next `rapport edit`. */
	{
		size_t n = strlen(c->err.msg);
		snprintf(c->err.msg + n, sizeof c->err.msg - n,
			 _("\nnothing changed; your text is kept: 'rapport edit %.8s' resumes it"), r->id);
	}
out:
	text_fields_free(&tf);
	buf_release(&text);
	free(edited);
	free(path);
	record_free(before);
	record_free(r);
	return rc;
}
