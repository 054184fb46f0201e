/*
 * process.c — the process commands (rapport-process(5)): `process` (the team's processes as
 * text, through the loader rules use), `gate` (what the next stage needs), `advance`,
 * `approvals`, `approve`, `reject`, `withdraw`, and the decisions `log` shows. The
 * engine is src/process; this file parses options and prints.
 */
#include "cmd.h"
#include "process.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int run_process(struct ctx *c, int argc, char **argv);
static int run_template(struct ctx *c, int argc, char **argv);
static int run_gate(struct ctx *c, int argc, char **argv);
static int run_advance(struct ctx *c, int argc, char **argv);
static int run_approvals(struct ctx *c, int argc, char **argv);
static int run_decide(struct ctx *c, int argc, char **argv);

const struct command cmd_process = {
	"process", run_process,
	"process [list | show NAME | export [NAME] | check [FILE] | load FILE]",
	N_("The team's processes: stages, gates and approvals of projects, contracts, changes."),
	N_("A process governs one kind (project, contract, milestone, change): its stages in order,\n"
	"each with an owner, an SLA in working days, an entry condition, an exit checklist and\n"
	"the approvals needed to leave it (rapport-process(5)). export prints them as text; check\n"
	"validates a file (or the stored ones) with line numbers, compiling every condition as\n"
	"rules are; load adds or replaces processes by name from a file, all or nothing. The\n"
	"default processes are created the first time processes are used.\n"
	"Example: rapport process show erp-implementation\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_template = {
	"template", run_template,
	"template [list | show NAME | export [NAME] | check [FILE] | load FILE]",
	N_("Project templates: a process and the work breakdown a new project starts with."),
	N_("A template names a process and lists phases (its stages), tasks with an offset and a\n"
	"duration in working days from the project's start, owners by role, and milestones with\n"
	"deliverables the customer accepts (rapport-process(5) TEMPLATES). 'rapport add project\n"
	"... start=DATE --template NAME' builds the project from one. The default template,\n"
	"erp-standard, is created the first time templates are used.\n"
	"Example: rapport template show erp-standard\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_gate = {
	"gate", run_gate, "gate RECORD [--to STAGE] [--json]",
	N_("What stands between a record and its next stage."),
	N_("Lists the record's stage, the next one, each item of the exit checklist and the entry\n"
	"condition with whether it holds and why not, the approvals under way, and the days left\n"
	"of the stage's SLA. Exit status 0 whether or not the gate is open.\n"
	"Example: rapport gate \"WMS implementation\"\n"),
	CMD_WS,
};

const struct command cmd_advance = {
	"advance", run_advance, "advance RECORD [--to STAGE] [--override --reason TEXT]",
	N_("Move a record to its next stage, raising the approvals it needs."),
	N_("Checks the gate (rapport gate); when the stage needs approvals, raises them (their\n"
	"conditions evaluated now) and the record moves when the last one is approved; else it\n"
	"moves at once. --to goes back to an earlier stage, or names the next. --override passes\n"
	"the gate and the approvals by, for the roles the process names, with a reason; it is\n"
	"recorded and the rule stage-override raises an alert. A record's stage changes only so.\n"
	"Example: rapport advance \"WMS implementation\"\n"),
	CMD_WS,
};

const struct command cmd_approvals = {
	"approvals", run_approvals, "approvals [--mine] [--all] [--json]",
	N_("Approvals waiting for a decision, overdue first."),
	N_("Lists pending approvals: what, which stage, who decides, due. --mine only yours (by\n"
	"your member email), --all every state (approved, rejected, withdrawn, overridden).\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_approve = {
	"approve", run_decide, "approve APPROVAL [--reason TEXT] [--evidence TEXT]",
	N_("Approve what you were asked to."),
	N_("Only the approver decides their own approval. One a customer contact decides is\n"
	"recorded by a team member with --evidence (a mail id, a document, a meeting). The last\n"
	"approval of the last step moves the record to the stage it asked for.\n"),
	CMD_WS,
};

const struct command cmd_reject = {
	"reject", run_decide, "reject APPROVAL --reason TEXT [--evidence TEXT]",
	N_("Reject an approval; the record stays where it is."),
	N_("The round ends: what else waited in it is withdrawn, and the next advance starts a new\n"
	"one.\n"),
	CMD_WS,
};

const struct command cmd_withdraw = {
	"withdraw", run_decide, "withdraw APPROVAL [--reason TEXT]",
	N_("Withdraw a request for approval."),
	N_("By who asked for it (or a member whose role may override the process): the whole round\n"
	"is withdrawn.\n"),
	CMD_WS,
};

/* s made safe for a terminal (out_safe's escaping), to print inside a translated sentence. */
static char *safe_text(const char *s)
{
	struct buf b = BUF_INIT;
	term_text(&b, s ? s : "");
	return buf_detach(&b);
}

/* ---- definition files: processes and templates ---- */

/* A definition block as a file holds it: "WORD NAME" and header fields in the record text
 * format, then its body from the first line that starts with one of body_words. The header
 * goes into r (WORD's value as its name; a field that is not a header field is an error naming
 * its line and what may be written, `lines`), the body into *body with the header's lines left
 * blank, so both keep the file's line numbers. *first: the body's first line, 0 for none. */
static int definition_block(struct ctx *c, const char *file, const char *blk, const char *word,
			    const char *const *body_words, const char *body_field,
			    const char *lines, struct record *r, struct buf *body, int *first,
			    struct err *e)
{
	struct buf head = BUF_INIT;
	struct text_fields tf = { NULL, 0 };
	int line = 0, rc;
	*first = 0;
	for (const char *p = blk; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *w = p + strspn(p, " \t");
		size_t wn = strcspn(w, " \t\n");
		line++;
		for (size_t i = 0; !*first && body_words[i]; i++)
			if (wn == strlen(body_words[i]) && !strncmp(w, body_words[i], wn))
				*first = line;
		buf_add(*first ? body : &head, p, n);
		buf_addc(*first ? body : &head, '\n');
		if (!*first)
			buf_addc(body, '\n');
		p += n + (nl ? 1 : 0);
	}
	if ((rc = record_parse(head.data ? head.data : "", &tf, e)))
		err_prefix(e, "%s", file);
	for (size_t i = 0; !rc && i < tf.n; i++) {
		const char *name = !strcmp(tf.v[i].name, word) ? "name" : tf.v[i].name;
		const struct field *f = kind_field(r->ki, name);
		if (!f || (f->flags & F_META) || !strcmp(name, body_field))
			rc = err_set(e, RERR_INPUT, "%s: line %d: '%s' is not a %s line (%s)", file,
				     tf.v[i].line, tf.v[i].name, word, lines);
		else if ((rc = ws_put(c->ws, r, f, tf.v[i].value ? tf.v[i].value : "", e)))
			err_prefix(e, "%s: line %d", file, tf.v[i].line);
	}
	text_fields_free(&tf);
	buf_release(&head);
	return rc;
}


/* A process block: "process NAME", header fields (kind, label, default, override, enabled,
 * note) in the record text format, then its stages from the first "stage" line. */
static int process_block(struct ctx *c, const char *file, const char *blk, int start,
			 struct record **out, struct err *e)
{
	const struct kindinfo *pk = schema_kind(&c->ws->sc, "process");
	static const char *const body_words[] = { "stage", NULL };
	struct record *r = record_new(pk);
	struct buf st = BUF_INIT;
	struct procdef d = { NULL, 0 };
	int first = 0;
	*out = r;
	int rc = definition_block(c, file, blk, "process", body_words, "stages",
				  _("kind, label, default, override, enabled, note, then stages"), r, &st,
				  &first, e);
	if (!rc && !first)
		rc = err_set(e, RERR_INPUT, "%s: line %d: process %s has no stages", file, start,
			     record_get(r, "name") ? record_get(r, "name") : "");
	/* The stages in their canonical form: what is stored, synced and exported. */
	if (!rc && (rc = procdef_parse(st.data, 1, &d, e)))
		err_prefix(e, "%s", file);
	if (!rc) {
		struct buf canon = BUF_INIT;
		procdef_text(&canon, &d);
		if (canon.len && canon.data[canon.len - 1] == '\n')
			canon.data[--canon.len] = '\0';
		record_put(r, kind_field_index(pk, kind_field(pk, "stages")), buf_detach(&canon));
	}
	if (!rc && (rc = record_check(r, e)))
		err_prefix(e, "%s: line %d", file, start);
	/* Names and conditions, with the lines of the file: check the definition as parsed. */
	if (!rc) {
		const struct kindinfo *ki = schema_kind(&c->ws->sc, record_get(r, "kind"));
		if ((rc = procdef_check(&d, &c->ws->sc, ki, e)))
			err_prefix(e, "%s: process %s", file, record_get(r, "name"));
	}
	/* A member named by name must be one (a sync may bring the two together; a load not). */
	for (size_t i = 0; !rc && i < d.n; i++)
		for (size_t k = 0; !rc && k < d.v[i].nsteps; k++) {
			char id[33];
			const struct pstep *sp = &d.v[i].steps[k];
			if (!strncmp(sp->who, "member:", 7) && (rc = ws_resolve(c->ws, sp->who + 7, "member", id, e)))
				err_prefix(e, "%s: process %s: line %d: approve %s", file,
					   record_get(r, "name"), sp->line, sp->who);
		}
	if (!rc) {
		/* Conditions name the file's lines: check the stages as the file has them. */
		struct record *asfile = record_dup(r);
		record_put(asfile, kind_field_index(pk, kind_field(pk, "stages")), xstrdup(st.data));
		if ((rc = ws_rule_check(c->ws, asfile, e)))
			err_prefix(e, "%s", file);
		record_free(asfile);
	}
	procdef_free(&d);
	buf_release(&st);
	return rc;
}

static void process_row(struct ctx *c, const struct record *r, bool ok)
{
	struct procdef d;
	struct err e = { 0 };
	struct buf b = BUF_INIT;
	const char *en = record_get(r, "enabled"), *def = record_get(r, "default");
	if (!procdef_parse(record_get(r, "stages"), 1, &d, &e)) {
		for (size_t i = 0; i < d.n; i++)
			buf_addf(&b, "%s%s", i ? " > " : "", d.v[i].code);
		procdef_free(&d);
	}
	const char *dl = def && !strcmp(def, "true") ? _("default") : "",
		   *dis = en && !strcmp(en, "false") ? _("disabled") : "";
	fprintf(c->out, "%-22s %-10s %s%*s %s%*s ", record_get(r, "name"), record_get(r, "kind"), dl,
		text_pad(dl, 8), "", dis, text_pad(dis, 9), "");
	out_safe(c, b.data ? b.data : "");
	if (!ok)
		fputs(_("  (invalid)"), c->out);
	fputc('\n', c->out);
	buf_release(&b);
}

static int process_check_stored(struct ws *w, const struct record *r, struct err *e)
{
	int rc = record_check(r, e);
	return rc ? rc : ws_rule_check(w, r, e);
}

static void process_id(const struct record *r, char id[33])
{
	/* From the name: the same process loaded on two replicas is one record. */
	id_derived(id, "rapport process ", record_get(r, "name"));
}

static const struct teamdef process_def = {
	"process", "process", "processes", "process ", &cmd_process, process_block, process_text,
	process_row, process_check_stored, process_id,
};

static int open_seeded(struct ctx *c)
{
	int rc = ctx_open(c);
	if (!rc)
		rc = process_seed(c->ws, &c->err);
	return rc ? rc : template_seed(c->ws, &c->err);
}

/* ---- template files ---- */

/* A template block: "template NAME", header fields (label, process, note), then its work
 * breakdown from the first phase, task or milestone line. */
static int template_block(struct ctx *c, const char *file, const char *blk, int start,
			  struct record **out, struct err *e)
{
	const struct kindinfo *tk = schema_kind(&c->ws->sc, "template");
	static const char *const body_words[] = { "phase", "task", "milestone", NULL };
	struct record *r = record_new(tk);
	struct buf body = BUF_INIT;
	struct wbsdef d = { NULL, 0 };
	int first = 0;
	*out = r;
	int rc = definition_block(c, file, blk, "template", body_words, "wbs",
				  _("label, process, note, then phases, tasks and milestones"), r, &body,
				  &first, e);
	if (!rc && !first)
		rc = err_set(e, RERR_INPUT, "%s: line %d: template %s has no tasks or milestones", file,
			     start, record_get(r, "name") ? record_get(r, "name") : "");
	if (!rc && (rc = wbsdef_parse(body.data, 1, &d, e)))
		err_prefix(e, "%s: template %s", file, record_get(r, "name"));
	char pid[33];
	if (!rc && record_get(r, "process") &&
	    (rc = ws_resolve(c->ws, record_get(r, "process"), "process", pid, e)))
		err_prefix(e, "%s: template %s: process", file, record_get(r, "name"));
	if (!rc) {
		struct record *asfile = record_dup(r);
		record_put(asfile, kind_field_index(tk, kind_field(tk, "wbs")), xstrdup(body.data));
		if ((rc = ws_rule_check(c->ws, asfile, e)))
			err_prefix(e, "%s", file);
		record_free(asfile);
	}
	if (!rc) {
		struct buf canon = BUF_INIT;
		wbsdef_text(&canon, &d);
		if (canon.len && canon.data[canon.len - 1] == '\n')
			canon.data[--canon.len] = '\0';
		record_put(r, kind_field_index(tk, kind_field(tk, "wbs")), buf_detach(&canon));
		if ((rc = record_check(r, e)))
			err_prefix(e, "%s: line %d", file, start);
	}
	wbsdef_free(&d);
	buf_release(&body);
	return rc;
}

static void template_row(struct ctx *c, const struct record *r, bool ok)
{
	struct wbsdef d;
	struct err e = { 0 };
	long ph = 0, ta = 0, mi = 0;
	if (!wbsdef_parse(record_get(r, "wbs"), 1, &d, &e)) {
		for (size_t i = 0; i < d.n; i++)
			*(d.v[i].kind == WI_PHASE ? &ph : d.v[i].kind == WI_TASK ? &ta : &mi) += 1;
		wbsdef_free(&d);
	}
	const char *proc = record_get(r, "process") ? record_get(r, "process") : _("(no process)");
	char sph[48], sta[48], smi[48];
	snprintf(sph, sizeof sph, P_("%ld phase", "%ld phases", (unsigned long)ph), ph);
	snprintf(sta, sizeof sta, P_("%ld task", "%ld tasks", (unsigned long)ta), ta);
	snprintf(smi, sizeof smi, P_("%ld milestone", "%ld milestones", (unsigned long)mi), mi);
	fprintf(c->out, "%-22s %s%*s ", record_get(r, "name"), proc, text_pad(proc, 22), "");
	/* TRANSLATORS: a template's counts: "2 phases, 5 tasks, 3 milestones". */
	fprintf(c->out, _("%s, %s, %s"), sph, sta, smi);
	fputs("  ", c->out);
	out_safe(c, record_get(r, "label") ? record_get(r, "label") : "");
	if (!ok)
		fputs(_("  (invalid)"), c->out);
	fputc('\n', c->out);
}

static void template_id(const struct record *r, char id[33])
{
	id_derived(id, "rapport template ", record_get(r, "name"));
}

static const struct teamdef template_def = {
	"template", "template", "templates", "template ", &cmd_template, template_block,
	template_text, template_row, process_check_stored, template_id,
};

/* The wrong number of arguments for a subcommand: load FILE, show NAME, others at most one. */
static int sub_usage(struct ctx *c, const struct command *cmd, const char *sub)
{
	if (!strcmp(sub, "load"))
		return usage_error(c, cmd, "%s needs a FILE", sub);
	if (!strcmp(sub, "show"))
		return usage_error(c, cmd, "%s needs a NAME", sub);
	return usage_error(c, cmd, "%s needs at most one argument", sub);
}

static int run_template(struct ctx *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	bool one = !strcmp(sub, "show") || !strcmp(sub, "load");
	int rc;
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export") &&
	    strcmp(sub, "check") && strcmp(sub, "load"))
		return usage_error(c, &cmd_template, "'%s' is not list, show, export, check or load", sub);
	if ((one && argc != 3) || argc > 3)
		return sub_usage(c, &cmd_template, sub);
	if ((rc = open_seeded(c)))
		return rc;
	return teamdef_run(c, &template_def, sub, argc, argv);
}

static int run_process(struct ctx *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	int rc;
	bool one = !strcmp(sub, "show") || !strcmp(sub, "load");
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export") &&
	    strcmp(sub, "check") && strcmp(sub, "load"))
		return usage_error(c, &cmd_process, "'%s' is not list, show, export, check or load", sub);
	if ((one && argc != 3) || argc > 3)
		return sub_usage(c, &cmd_process, sub);
	if ((rc = open_seeded(c)))
		return rc;
	char today[11];
	fmt_date(today, clock_now());
	if ((rc = store_asof(c->ws->st, today, &c->err)))
		return rc;
	return teamdef_run(c, &process_def, sub, argc, argv);
}

/* ---- gate and advance ---- */

static void sla_text(char *out, size_t n, long left)
{
	if (left == LONG_MIN)
		snprintf(out, n, "%s", _("no SLA"));
	else if (left >= 0)
		snprintf(out, n, P_("%ld working day left", "%ld working days left", (unsigned long)left),
			 left);
	else
		snprintf(out, n, P_("%ld working day over", "%ld working days over", (unsigned long)-left),
			 -left);
}

static int run_gate(struct ctx *c, int argc, char **argv)
{
	const char *ref = NULL, *to = NULL;
	int rc;
	const struct opt opts[] = { { "--to", NULL, &to, NULL }, { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_gate, argc, argv, opts, &ref, 1, NULL, _("one record at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, &cmd_gate, "which record?");
	struct record *r = NULL;
	struct proc p = { 0 };
	struct gate g = { 0 };
	if ((rc = open_seeded(c)) || (rc = ws_load(c->ws, ref, NULL, &r, &c->err)))
		return rc;
	if (!process_stage_field(r->ki))
		rc = err_set(&c->err, RERR_INPUT, "a %s has no stages: processes govern projects, "
						  "contracts, milestones and changes",
			     kind_label(r->ki->k));
	else if (!(rc = process_for(c->ws, r, &p, &c->err)) && !p.r)
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s follows no process", kind_label(r->ki->k), r->id);
	if (rc || (rc = process_gate(c->ws, r, &p, to, &g, &c->err)))
		goto out;
	int idx = g.stage ? procdef_find(&p.d, g.stage) : -1;
	char sla[64];
	sla_text(sla, sizeof sla, g.sla_left);
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_obj_open(&j);
		json_key(&j, "id");
		json_str(&j, r->id);
		json_key(&j, "process");
		json_str(&j, record_get(p.r, "name"));
		json_key(&j, "stage");
		json_str(&j, g.stage);
		json_key(&j, "stale");
		json_bool(&j, g.stale);
		json_key(&j, "next");
		json_str(&j, g.next);
		json_key(&j, "round");
		json_int(&j, g.round);
		json_key(&j, "sla_left");
		if (g.sla_left == LONG_MIN)
			json_null(&j);
		else
			json_int(&j, g.sla_left);
		bool open = g.next != NULL;
		json_key(&j, "items");
		json_arr_open(&j);
		for (size_t i = 0; i < g.n; i++) {
			open &= g.v[i].ok;
			json_obj_open(&j);
			json_key(&j, "what");
			json_str(&j, g.v[i].what);
			json_key(&j, "ok");
			json_bool(&j, g.v[i].ok);
			json_key(&j, "why");
			json_str(&j, g.v[i].why);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_key(&j, "open");
		json_bool(&j, open && !g.pending);
		json_obj_close(&j);
		json_flush(c, &b);
		buf_release(&b);
		goto out;
	}
	char *title = record_title(r);
	fprintf(c->out, "%s%s%s ", col(c, C_HEAD), kind_label(r->ki->k), col(c, C_RESET));
	out_safe(c, title);
	free(title);
	fprintf(c->out, " (%s)\n", record_get(p.r, "name"));
	/* TRANSLATORS: "stage:" and "next:" head two lines, their values aligned after them. */
	const char *lstage = _("stage:"), *lnext = _("next:");
	int lw = utf8_width(lstage) > utf8_width(lnext) ? utf8_width(lstage) : utf8_width(lnext);
	fprintf(c->out, "  %s%*s%s", lstage, text_pad(lstage, lw + 1), "",
		g.stage ? g.stage : _("(not started)"));
	if (g.stale)
		fputs(_(" (stage no longer in the process)"), c->out);
	if (idx >= 0 && p.d.v[idx].label) {
		fputs("  ", c->out);
		out_safe(c, p.d.v[idx].label);
	}
	fprintf(c->out, "%s%s\n", g.stage ? ", " : "", g.stage ? sla : "");
	fprintf(c->out, "  %s%*s%s\n", lnext, text_pad(lnext, lw + 1), "",
		g.next ? g.next : _("(none: the last stage)"));
	bool open = g.next != NULL;
	for (size_t i = 0; i < g.n; i++) {
		open &= g.v[i].ok;
		fprintf(c->out, "  %s%s%s ", col(c, g.v[i].ok ? C_GOOD : C_BAD),
			g.v[i].ok ? C_("gate", "ok") : C_("gate", "no"), col(c, C_RESET));
		out_safe(c, g.v[i].what);
		if (!g.v[i].ok) {
			fputs(": ", c->out);
			out_safe(c, g.v[i].why);
		}
		fputc('\n', c->out);
	}
	if (!g.n)
		fprintf(c->out, "  %s\n", _("nothing to check"));
	if (g.next)
		fprintf(c->out, "  %s\n", g.pending ? _("waiting for approvals")
					: open ? _("open: 'rapport advance' moves it")
					       : _("blocked"));
out:
	gate_free(&g);
	proc_free(&p);
	record_free(r);
	return rc;
}

static void print_advance(struct ctx *c, const char *ref, const struct advance *a)
{
	if (a->moved)
		fprintf(c->out, "%s: %s -> %s\n", ref, a->from ? a->from : _("(start)"), a->to);
	else if (a->raised.n)
		fprintf(c->out, P_("%s: asked for %zu approval to go to %s\n",
				   "%s: asked for %zu approvals to go to %s\n", a->raised.n),
			ref, a->raised.n, a->to);
	for (size_t i = 0; i < a->raised.n; i++) {
		struct record *ap = NULL;
		struct err e = { 0 };
		if (store_get(c->ws->st, &c->ws->sc, a->raised.v[i], &ap, &e))
			continue;
		const char *who = record_get(ap, "approver") ? record_get(ap, "approver") : record_get(ap, "contact");
		const char *state = record_get(ap, "state") ? choice_label(record_get(ap, "state")) : "";
		fprintf(c->out, "  %s%.8s%s ", col(c, C_ID), ap->id, col(c, C_RESET));
		/* TRANSLATORS: an approval's step in its stage: "step 1". */
		fprintf(c->out, _("step %s"), record_get(ap, "step"));
		fprintf(c->out, " %s%*s ", state, text_pad(state, 8), "");
		out_safe(c, who ? ws_title(c->ws, who) : "");
		if (record_get(ap, "due"))
			fprintf(c->out, _(", due %s"), record_get(ap, "due"));
		fputc('\n', c->out);
		record_free(ap);
	}
	for (size_t i = 0; i < a->decided.n; i++) {
		fputs("  ", c->out);
		out_safe(c, a->decided.v[i]);
		fputc('\n', c->out);
	}
}

static int run_advance(struct ctx *c, int argc, char **argv)
{
	const char *ref = NULL, *to = NULL, *reason = NULL;
	bool override = false;
	int rc;
	const struct opt opts[] = { { "--to", NULL, &to, NULL },
				    { "--override", &override, NULL, NULL },
				    { "--reason", NULL, &reason, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_advance, argc, argv, opts, &ref, 1, NULL, _("one record at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, &cmd_advance, "which record?");
	if (reason && !override)
		return usage_error(c, &cmd_advance, "--reason goes with --override");
	struct advance a;
	if ((rc = open_seeded(c)) ||
	    (rc = process_advance(c->ws, ref, to, override, reason, &a, &c->err)))
		return rc;
	print_advance(c, ref, &a);
	advance_free(&a);
	return 0;
}

static int run_decide(struct ctx *c, int argc, char **argv)
{
	const char *verb = argv[0], *ref = NULL, *reason = NULL, *evidence = NULL;
	const struct command *cmd = !strcmp(verb, "approve") ? &cmd_approve
				    : !strcmp(verb, "reject") ? &cmd_reject : &cmd_withdraw;
	int rc;
	const struct opt opts[] = { { "--reason", NULL, &reason, NULL },
				    { cmd == &cmd_withdraw ? NULL : "--evidence", NULL, &evidence, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, cmd, argc, argv, opts, &ref, 1, NULL, _("one approval at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, cmd, "which approval? ('rapport approvals' lists them)");
	struct advance a;
	if ((rc = open_seeded(c)) ||
	    (rc = process_decide(c->ws, ref, verb, reason, evidence, &a, &c->err)))
		return rc;
	if (!strcmp(verb, "approve"))
		fprintf(c->out, _("%s: approved\n"), ref);
	else if (!strcmp(verb, "reject"))
		fprintf(c->out, _("%s: rejected\n"), ref);
	else
		fprintf(c->out, _("%s: withdrawn\n"), ref);
	if (a.moved) {
		fputs("  ", c->out);
		fprintf(c->out, _("moved: %s -> %s\n"), a.from ? a.from : _("(start)"), a.to);
	}
	for (size_t i = 0; i < a.decided.n; i++) {
		fputs("  ", c->out);
		out_safe(c, a.decided.v[i]);
		fputc('\n', c->out);
	}
	advance_free(&a);
	return 0;
}

/* ---- approvals and the log ---- */

static int cmp_due(const void *x, const void *y)
{
	const struct record *a = *(const struct record *const *)x, *b = *(const struct record *const *)y;
	const char *da = record_get(a, "due"), *db = record_get(b, "due");
	int d = !da - !db;
	if (!d && da)
		d = strcmp(da, db);
	return d ? d : strcmp(a->id, b->id);
}

static int run_approvals(struct ctx *c, int argc, char **argv)
{
	bool mine = false, all = false;
	int rc;
	const struct opt opts[] = { { "--mine", &mine, NULL, NULL },
				    { "--all", &all, NULL, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_approvals, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))))
		return rc;
	if ((rc = open_seeded(c)))
		return rc;
	const struct kindinfo *ak = schema_kind(&c->ws->sc, "approval");
	struct query q;
	struct recs v = { NULL, 0 };
	char me[33];
	query_init(&q, ak);
	if (!all)
		q.cond[q.ncond++] = (struct qcond){ .f = kind_field(ak, "state"), .op = Q_EQ, .value = "pending" };
	if (mine) {
		if (!ws_me(c->ws, me))
			return err_set(&c->err, RERR_INPUT, "--mine: no member has your email (%s)",
				       ws_email(c->ws) ? ws_email(c->ws) : _("none: set user.email"));
		q.cond[q.ncond++] = (struct qcond){ .f = kind_field(ak, "approver"), .op = Q_EQ, .value = me };
	}
	if ((rc = store_query(c->ws->st, &q, recs_add, &v, &c->err)))
		return rc;
	qsort(v.v, v.n, sizeof *v.v, cmp_due);
	char today[11];
	fmt_date(today, clock_now());
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_arr_open(&j);
		for (size_t i = 0; i < v.n; i++)
			json_record(&j, v.v[i]);
		json_arr_close(&j);
		json_flush(c, &b);
		buf_release(&b);
	} else if (!v.n) {
		if (all)
			fputs(mine ? _("No approvals for you.\n") : _("No approvals.\n"), c->out);
		else
			fputs(mine ? _("No pending approvals for you.\n") : _("No pending approvals.\n"), c->out);
	}
	for (size_t i = 0; !c->json && i < v.n; i++) {
		const struct record *a = v.v[i];
		const char *who = record_get(a, "approver") ? record_get(a, "approver") : record_get(a, "contact");
		const char *due = record_get(a, "due");
		bool late = due && strcmp(due, today) < 0 && !strcmp(record_get(a, "state"), "pending");
		const char *state = record_get(a, "state") ? choice_label(record_get(a, "state")) : "";
		fprintf(c->out, "%s%.8s%s  %s%*s %s%-10s%s ", col(c, C_ID), a->id, col(c, C_RESET), state,
			text_pad(state, 10), "", col(c, late ? C_BAD : C_RESET), due ? due : "", col(c, C_RESET));
		out_safe(c, ws_title(c->ws, record_get(a, "on")));
		fputs(": ", c->out);
		/* TRANSLATORS: an approval: which stage it lets the record leave, for which stage,
		 * then who decides. */
		fprintf(c->out, _("leave %s for %s, "), record_get(a, "stage"), record_get(a, "to"));
		out_safe(c, who ? ws_title(c->ws, who) : "");
		if (record_get(a, "contact"))
			fputs(_(" (customer)"), c->out);
		if (late)
			fprintf(c->out, "  %s", _("OVERDUE"));
		fputc('\n', c->out);
	}
	recs_free(&v);
	return 0;
}

struct event {
	const char *at;
	const struct record *r;
};

static int cmp_event(const void *x, const void *y)
{
	const struct event *a = x, *b = y;
	int d = strcmp(a->at ? a->at : "", b->at ? b->at : "");
	return d ? d : strcmp(a->r->id, b->r->id);
}

int decisions_print(struct ctx *c, const struct record *r)
{
	struct recs aps = { NULL, 0 }, trs = { NULL, 0 };
	int rc;
	const struct kindinfo *ak = schema_kind(&c->ws->sc, "approval"), *tk = schema_kind(&c->ws->sc, "transition");
	struct query q;
	query_init(&q, ak);
	q.cond[0] = (struct qcond){ .f = kind_field(ak, "on"), .op = Q_EQ, .value = r->id };
	q.ncond = 1;
	if (!(rc = store_query(c->ws->st, &q, recs_add, &aps, &c->err))) {
		query_init(&q, tk);
		q.cond[0] = (struct qcond){ .f = kind_field(tk, "on"), .op = Q_EQ, .value = r->id };
		q.ncond = 1;
		rc = store_query(c->ws->st, &q, recs_add, &trs, &c->err);
	}
	struct event *ev = xcalloc(aps.n * 2 + trs.n + 1, sizeof *ev);
	size_t n = 0;
	for (size_t i = 0; !rc && i < aps.n; i++) {
		ev[n++] = (struct event){ record_get(aps.v[i], "requested"), aps.v[i] };
		if (record_get(aps.v[i], "decided_at"))
			ev[n++] = (struct event){ record_get(aps.v[i], "decided_at"), aps.v[i] };
	}
	for (size_t i = 0; !rc && i < trs.n; i++)
		ev[n++] = (struct event){ record_get(trs.v[i], "at"), trs.v[i] };
	qsort(ev, n, sizeof *ev, cmp_event);
	if (!rc && n)
		fprintf(c->out, "%s%s%s\n", col(c, C_HEAD), _("Decisions"), col(c, C_RESET));
	for (size_t i = 0; !rc && i < n; i++) {
		const struct record *e = ev[i].r;
		fprintf(c->out, "  %.16s  ", ev[i].at ? ev[i].at : "");
		if (e->ki == tk) {
			const char *by = record_get(e, "by");
			bool ov = record_get(e, "override") && !strcmp(record_get(e, "override"), "true");
			fprintf(c->out, "%s -> %s", record_get(e, "from") ? record_get(e, "from") : _("(start)"),
				record_get(e, "to"));
			if (by) {
				char *t = safe_text(ws_title(c->ws, by));
				fputc(' ', c->out);
				/* TRANSLATORS: who moved the record: "by Ann Lee". */
				fprintf(c->out, _("by %s"), t);
				free(t);
			}
			if (ov) {
				fprintf(c->out, " %s%s%s: ", col(c, C_BAD), _("OVERRIDE"), col(c, C_RESET));
				out_safe(c, record_get(e, "reason") ? record_get(e, "reason") : "");
			}
		} else {
			const char *who = record_get(e, "approver") ? record_get(e, "approver") : record_get(e, "contact");
			bool decision = ev[i].at == record_get(e, "decided_at");
			if (!decision) {
				char *t = safe_text(who ? ws_title(c->ws, who) : "");
				fprintf(c->out, _("asked %s to approve leaving %s (step %s, %.8s)"), t,
					record_get(e, "stage"), record_get(e, "step"), e->id);
				free(t);
			} else {
				const char *state = record_get(e, "state");
				out_safe(c, who ? ws_title(c->ws, who) : "");
				fprintf(c->out, ": %s", state ? choice_label(state) : "");
				if (record_get(e, "by") && record_get(e, "contact")) {
					char *t = safe_text(ws_title(c->ws, record_get(e, "by")));
					fprintf(c->out, _(" (recorded by %s)"), t);
					free(t);
				}
				if (record_get(e, "reason")) {
					fputs(": ", c->out);
					out_safe(c, record_get(e, "reason"));
				}
				if (record_get(e, "evidence")) {
					char *t = safe_text(record_get(e, "evidence"));
					fputc(' ', c->out);
					fprintf(c->out, _("[evidence: %s]"), t);
					free(t);
				}
			}
			if (e->conflicts)
				fputs(_(" (conflicting decisions: rapport conflicts)"), c->out);
		}
		fputc('\n', c->out);
	}
	if (!rc && n)
		fputc('\n', c->out);
	free(ev);
	recs_free(&aps);
	recs_free(&trs);
	return rc;
}
