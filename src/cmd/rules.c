/*
 * rules.c — `rapport rules [list] | export | check [FILE] | load FILE | test NAME`, and
 * `rapport alerts [--all]`, `ack ALERT`, `snooze ALERT DAYS`. Rules are records of kind
 * `rule`; as text (rapport-rules(5)) they are a file of rule blocks the team can review, check
 * with line numbers and load. Alerts are evaluated by `alerts` (and by the TUI and sync).
 */
#include "cmd.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

static int run_rules(struct ctx *c, int argc, char **argv);
static int run_alerts(struct ctx *c, int argc, char **argv);
static int run_ack(struct ctx *c, int argc, char **argv);

const struct command cmd_rules = {
	"rules", run_rules, "rules [list | export | check [FILE] | load FILE | test NAME]",
	N_("The team's rules: list, review as text, check, load, try one."),
	N_("A rule watches a kind (task, project, customer, contract, invoice, ticket, survey,\n"
	"milestone); its 'when' is an SQL expression over that kind's view, run read-only and\n"
	"stopped past 2 s, 64 MiB of memory or a 16 MiB value (rapport-rules(5), LIMITS).\n"
	"export prints every rule as text; check validates a file (or the stored rules) with line\n"
	"numbers, compiling each condition and trying it on the first 100 rows of its view; load\n"
	"adds or replaces rules by name from a file, all or nothing, after the same check; test\n"
	"shows what a rule matches now. The default rules are created the first time rules are\n"
	"used.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_alerts = {
	"alerts", run_alerts, "alerts [--all] [--json] [--at DATE]",
	N_("Evaluate the rules and list open alerts."),
	N_("Runs every enabled rule (idempotent: one alert per rule and record; alerts whose\n"
	"condition stopped holding resolve themselves; snoozed ones wake when the snooze ends),\n"
	"then lists open alerts, most severe first. --all lists acked, snoozed and resolved\n"
	"ones too. A new alert runs .rapport/hooks/on-alert, if it is executable, with the alert\n"
	"as JSON on stdin.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_ack = {
	"ack", run_ack, "ack ALERT", N_("Acknowledge an alert."),
	N_("It leaves the list of open alerts until its condition stops holding and holds again.\n"),
	CMD_WS,
};

const struct command cmd_snooze = {
	"snooze", run_ack, "snooze ALERT DAYS", N_("Hide an alert for some days."),
	N_("It comes back when the days are over if its condition still holds.\n"), CMD_WS,
};

/* ---- team definitions as text: rules, processes (cmd.h, struct teamdef) ---- */

/* A rule block is rule fields in the record text format, starting at its name line. */
static int rule_block(struct ctx *c, const char *file, const char *blk, int start,
		      struct record **out, struct err *e)
{
	const struct kindinfo *rk = schema_kind(&c->ws->sc, "rule");
	struct text_fields tf;
	struct record *r = record_new(rk);
	int rc;
	*out = r;
	if ((rc = record_parse(blk, &tf, e)))
		return err_prefix(e, "%s", file), rc;
	for (size_t i = 0; !rc && i < tf.n; i++) {
		const struct field *f = kind_field(rk, tf.v[i].name);
		if (!f || (f->flags & F_META))
			rc = err_set(e, RERR_INPUT, "%s: line %d: '%s' is not a rule field", file,
				     tf.v[i].line, tf.v[i].name);
		else if ((rc = ws_put(c->ws, r, f, tf.v[i].value ? tf.v[i].value : "", e)))
			err_prefix(e, "%s: line %d", file, tf.v[i].line);
	}
	if (!rc) {
		/* rules_check_record's two steps, so that a problem of the condition names the line
		 * of its 'when'. */
		struct err ce = { 0, "" };
		int when = start;
		for (size_t i = 0; i < tf.n; i++)
			if (!strcmp(tf.v[i].name, "when"))
				when = tf.v[i].line;
		/* A whole-record check names the field it is about ("actions: …"); the line is
		 * that field's, else (a field missing) the rule's first. */
		if (record_check(r, &ce)) {
			int at = start;
			for (size_t i = 0; i < tf.n; i++) {
				char key[80];
				snprintf(key, sizeof key, ": %s: ", tf.v[i].name);
				if (strstr(ce.msg, key))
					at = tf.v[i].line;
			}
			const char *m = ce.msg;
			if (!strncmp(m, "rule ", 5) && strstr(m, ": ")) /* said below */
				m = strstr(m, ": ") + 2;
			rc = err_set(e, RERR_INPUT, "%s: line %d: rule %s: %s", file, at,
				     record_get(r, "name"), m);
		} else if (ws_rule_check(c->ws, r, &ce))
			rc = err_set(e, RERR_INPUT, "%s: line %d: %s", file, when, ce.msg);
	}
	text_fields_free(&tf);
	return rc;
}

static void rule_row(struct ctx *c, const struct record *r, bool ok)
{
	const char *en = record_get(r, "enabled");
	const char *sev = record_get(r, "severity") ? choice_label(record_get(r, "severity")) : "",
		   *dis = en && !strcmp(en, "false") ? _("disabled") : "";
	fprintf(c->out, "%-22s %-9s %s%*s %s%*s %s", record_get(r, "name"), record_get(r, "watch"), sev,
		text_pad(sev, 9), "", dis, text_pad(dis, 8), "", record_get(r, "when"));
	if (!ok)
		fputs(_("  (invalid)"), c->out);
	fputc('\n', c->out);
}

static void rule_text(struct buf *b, const struct record *r)
{
	record_text(b, r, false); /* the record text format, in the kind's order */
}

static const struct teamdef rule_def = {
	"rule", "rule", "rules", "name ", &cmd_rules, rule_block, rule_text, rule_row,
	rules_check_record, NULL,
};

struct block {
	struct record *r;
	int line;
};

/* Splits a file into blocks (one starts at each line beginning with d->head) and makes each
 * the record it describes, checked as it would be stored. Errors name the file and line. */
/* The kind a team definition is of, as prose shows it ("rule", "process", "template"). */
static const char *def_label(struct ctx *c, const struct teamdef *d)
{
	const struct kindinfo *ki = schema_kind(&c->ws->sc, d->kind);
	return ki ? kind_label(ki->k) : d->kind;
}

static int parse_blocks(struct ctx *c, const struct teamdef *d, const char *file,
			const char *text, struct block **out, size_t *n, struct err *e)
{
	int rc = 0, line = 1, start = 0;
	size_t hl = strlen(d->head);
	*out = NULL;
	*n = 0;
	const char *p = text, *bstart = NULL;
	for (;; line++) {
		bool at_head = p && !strncmp(p, d->head, hl);
		if ((!p || !*p || at_head) && bstart) {
			/* Parse the block with its line numbers intact: pad with blank lines. */
			struct buf blk = BUF_INIT;
			for (int i = 1; i < start; i++)
				buf_addc(&blk, '\n');
			buf_add(&blk, bstart, (size_t)((p && *p ? p : bstart + strlen(bstart)) - bstart));
			struct record *r = NULL;
			rc = d->parse_block(c, file, blk.data, start, &r, e);
			buf_release(&blk);
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = (struct block){ r, start };
			bstart = NULL;
			if (rc)
				break;
		}
		if (!p || !*p)
			break;
		if (at_head) {
			bstart = p;
			start = line;
		} else if (!bstart && p[strspn(p, " \t\r")] != '\n' && p[0] != '#' && p[strspn(p, " \t\r")]) {
			rc = err_set(e, RERR_INPUT, "%s: line %d: a %s starts with its '%.*s' line", file,
				     line, def_label(c, d), (int)hl - 1, d->head);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	for (size_t i = 0; !rc && i < *n; i++)
		for (size_t k = 0; k < i; k++)
			if (!strcmp(record_get((*out)[i].r, "name"), record_get((*out)[k].r, "name")))
				rc = err_set(e, RERR_INPUT, "%s: line %d: a second %s named %s", file,
					     (*out)[i].line, def_label(c, d), record_get((*out)[i].r, "name"));
	return rc;
}

static void blocks_free(struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		record_free(b[i].r);
	free(b);
}

/* Live ones, or with deleted, every one: a name loaded again takes back its record. */
static int load_all(struct ctx *c, const char *kind, bool deleted, struct recs *out)
{
	struct query q;
	query_init(&q, schema_kind(&c->ws->sc, kind));
	if (deleted)
		q.deleted = 2;
	return store_query(c->ws->st, &q, recs_add, out, &c->err);
}

/* Adds or replaces by name, all or nothing. */
static int load_blocks(struct ctx *c, const struct teamdef *d, const char *file,
		       struct block *b, size_t n)
{
	struct recs have = { NULL, 0 };
	long added = 0, changed = 0;
	int rc = load_all(c, d->kind, true, &have);
	if (rc || (rc = store_begin(c->ws->st, &c->err)))
		return recs_free(&have), rc;
	for (size_t i = 0; i < n && !rc; i++) {
		struct record *old = NULL;
		for (size_t k = 0; k < have.n; k++)
			if (!strcmp(record_get(have.v[k], "name"), record_get(b[i].r, "name")) &&
			    (!old || old->deleted))
				old = have.v[k];
		if (!old && d->id_of)
			d->id_of(b[i].r, b[i].r->id);
		if (old) {
			/* Replace the fields, keep the identity (and the alerts). */
			for (size_t f = 0; f < old->ki->nf; f++) {
				free(old->val[f]);
				old->val[f] = b[i].r->val[f];
				b[i].r->val[f] = NULL;
			}
			old->deleted = 0;
			rc = ws_save(c->ws, old, &c->err);
			changed++;
		} else {
			rc = ws_add(c->ws, b[i].r, &c->err);
			added++;
		}
	}
	rc = rc ? (store_rollback(c->ws->st), rc) : store_commit(c->ws->st, &c->err);
	if (!rc)
		fprintf(c->out, _("Loaded %s: %ld added, %ld replaced\n"), file, added, changed);
	recs_free(&have);
	return rc;
}

int teamdef_run(struct ctx *c, const struct teamdef *d, const char *sub, int argc, char **argv)
{
	struct recs all = { NULL, 0 };
	int rc = 0;
	if (!strcmp(sub, "check") && argc == 3) {
		char *text = NULL;
		struct block *b = NULL;
		size_t n = 0;
		if (!(text = file_read(argv[2], NULL)))
			return err_set(&c->err, RERR_INPUT, "%s: cannot read it", argv[2]);
		rc = parse_blocks(c, d, argv[2], text, &b, &n, &c->err);
		/* TRANSLATORS: "rules.txt: 3 rules, all valid"; the third %s is the kind of
		 * definition (rule, process, template), made plural in English by the s after it. */
		if (!rc)
			fprintf(c->out, P_("%s: %zu %s, valid\n", "%s: %zu %ss, all valid\n", n), argv[2], n,
				def_label(c, d));
		blocks_free(b, n);
		free(text);
		return rc;
	}
	if (!strcmp(sub, "load")) {
		char *text = NULL;
		struct block *b = NULL;
		size_t n = 0;
		if (!(text = file_read(argv[2], NULL)))
			return err_set(&c->err, RERR_INPUT, "%s: cannot read it", argv[2]);
		if (!(rc = parse_blocks(c, d, argv[2], text, &b, &n, &c->err)))
			rc = load_blocks(c, d, argv[2], b, n);
		blocks_free(b, n);
		free(text);
		return rc;
	}
	if ((rc = load_all(c, d->kind, false, &all)))
		return rc;
	long bad = 0, shown = 0;
	const char *only = !strcmp(sub, "show") || (!strcmp(sub, "export") && argc == 3) ? argv[2] : NULL;
	for (size_t i = 0; i < all.n; i++) {
		const struct record *r = all.v[i];
		if (only && strcmp(record_get(r, "name"), only))
			continue;
		if (!strcmp(sub, "export") || !strcmp(sub, "show")) {
			struct buf b = BUF_INIT;
			d->text(&b, r);
			fprintf(c->out, "%s", shown++ ? "\n" : "");
			fputs(b.data, c->out); /* the record text format escapes control bytes */
			buf_release(&b);
			continue;
		}
		struct err ce = { 0, "" };
		bool ok = !d->check(c->ws, r, &ce);
		bad += !ok;
		if (!strcmp(sub, "check")) {
			if (!ok) {
				out_safe(c, ce.msg);
				fputc('\n', c->out);
			}
			continue;
		}
		d->row(c, r, ok);
	}
	if (only && !shown)
		rc = err_set(&c->err, RERR_NOTFOUND, "no %s named %s (see rapport %s)", def_label(c, d),
			     only, d->cmd->name);
	if (!strcmp(sub, "check")) {
		if (bad && all.n == 1)
			rc = err_set(&c->err, RERR_INPUT, "%ld of %zu %s is invalid", bad, all.n,
				     def_label(c, d));
		else if (bad)
			/* TRANSLATORS: "2 of 5 rules are invalid": the kind made plural by the s. */
			rc = err_set(&c->err, RERR_INPUT,
				     P_("%ld of %zu %ss is invalid", "%ld of %zu %ss are invalid",
					(unsigned long)bad),
				     bad, all.n, def_label(c, d));
		else
			/* TRANSLATORS: "5 rules, all valid": the kind made plural by the s. */
			fprintf(c->out, P_("%zu %s, valid\n", "%zu %ss, all valid\n", all.n), all.n,
				def_label(c, d));
	}
	recs_free(&all);
	return rc;
}

static int test_row(int n, const char *const *names, const char *const *vals, void *ctx)
{
	struct ctx *c = ctx;
	const char *id = NULL, *name = NULL;
	for (int i = 0; i < n; i++) {
		if (!strcmp(names[i], "id"))
			id = vals[i];
		else if (!name && (!strcmp(names[i], "name") || !strcmp(names[i], "title") ||
				   !strcmp(names[i], "number") || !strcmp(names[i], "customer_name")))
			name = vals[i];
	}
	fprintf(c->out, "%s%.8s%s ", col(c, C_ID), id ? id : "", col(c, C_RESET));
	out_safe(c, name ? name : "");
	fputc('\n', c->out);
	return 0;
}

static int run_rules(struct ctx *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	int rc;
	if ((!strcmp(sub, "load") || !strcmp(sub, "test")) && argc != 3)
		return sub[0] == 'l' ? usage_error(c, &cmd_rules, "%s needs a FILE", sub)
				     : usage_error(c, &cmd_rules, "%s needs a NAME", sub);
	if (strcmp(sub, "list") && strcmp(sub, "export") && strcmp(sub, "check") &&
	    strcmp(sub, "load") && strcmp(sub, "test"))
		return usage_error(c, &cmd_rules, "'%s' is not list, export, check, load or test", sub);
	if ((rc = ctx_open(c)) || (rc = rules_seed(c->ws, &c->err)))
		return rc;
	char today[11];
	fmt_date(today, clock_now());
	if ((rc = store_asof(c->ws->st, today, &c->err)))
		return rc;
	if (strcmp(sub, "test"))
		return teamdef_run(c, &rule_def, sub, strcmp(sub, "export") ? argc : 2, argv);
	struct recs rules = { NULL, 0 };
	if ((rc = load_all(c, "rule", false, &rules)))
		return rc;
	const struct record *r = NULL;
	for (size_t k = 0; k < rules.n; k++)
		if (!strcmp(record_get(rules.v[k], "name"), argv[2]))
			r = rules.v[k];
	if (!r)
		rc = err_set(&c->err, RERR_NOTFOUND, "no rule named %s (see rapport rules)", argv[2]);
	else if ((rc = rules_test(c->ws, r, today, test_row, c, &c->err)))
		err_prefix(&c->err, "rule %s", argv[2]);
	recs_free(&rules);
	return rc;
}

/* ---- alerts ---- */

/* Severity in the order the kind table lists it (info, warning, critical): most severe first. */
static int sev_rank(const struct record *a)
{
	const struct field *f = kind_field(a->ki, "severity");
	return -choice_index(f ? f->choices : NULL, record_get(a, "severity"));
}

static int cmp_alert(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a, *y = *(const struct record *const *)b;
	int d = sev_rank(x) - sev_rank(y);
	if (d)
		return d;
	const char *rx = record_get(x, "raised"), *ry = record_get(y, "raised");
	d = strcmp(ry ? ry : "", rx ? rx : "");
	return d ? d : strcmp(x->id, y->id);
}

static int run_alerts(struct ctx *c, int argc, char **argv)
{
	bool all = false;
	const char *at = NULL;
	int rc;
	const struct opt opts[] = { { "--all", &all, NULL, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_alerts, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))))
		return rc;
	if ((rc = ctx_open(c)))
		return rc;
	char date[11];
	if ((rc = status_date(c, at, date)))
		return rc;
	struct rules_report rep = { 0 };
	if ((rc = rules_seed(c->ws, &c->err)) || (rc = rules_evaluate(c->ws, date, &rep, &c->err))) {
		rules_report_free(&rep);
		return rc;
	}
	for (size_t i = 0; i < rep.errors.n; i++) {
		struct buf b = BUF_INIT;
		term_text(&b, rep.errors.v[i]);
		fprintf(c->out == stdout ? stderr : c->out, _("rapport: warning: %s\n"), b.data);
		buf_release(&b);
	}
	struct query q;
	struct recs alerts = { NULL, 0 };
	const struct kindinfo *ak = schema_kind(&c->ws->sc, "alert");
	query_init(&q, ak);
	if ((rc = store_query(c->ws->st, &q, recs_add, &alerts, &c->err)))
		goto out;
	size_t n = 0;
	for (size_t i = 0; i < alerts.n; i++) {
		const char *st = record_get(alerts.v[i], "state");
		if (all || !st || !strcmp(st, "open"))
			alerts.v[n++] = alerts.v[i];
		else
			record_free(alerts.v[i]);
	}
	alerts.n = n;
	if (n)
		qsort(alerts.v, n, sizeof(*alerts.v), cmp_alert);
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_arr_open(&j);
		for (size_t i = 0; i < n; i++) {
			json_record(&j, alerts.v[i]);
		}
		json_arr_close(&j);
		json_flush(c, &b);
		buf_release(&b);
	} else {
		if (rep.raised || rep.resolved || rep.tasks || rep.at_risk || rep.reopened) {
			char tasks[64], risk[80];
			snprintf(tasks, sizeof tasks,
				 P_("%ld follow-up task", "%ld follow-up tasks", (unsigned long)rep.tasks),
				 rep.tasks);
			snprintf(risk, sizeof risk,
				 P_("%ld customer marked at risk", "%ld customers marked at risk",
				    (unsigned long)rep.at_risk),
				 rep.at_risk);
			/* TRANSLATORS: the last two %s: "2 follow-up tasks", "1 customer marked at risk". */
			fprintf(c->out, _("%ld new, %ld back, %ld resolved, %s, %s\n"), rep.raised,
				rep.reopened, rep.resolved, tasks, risk);
		}
		for (size_t i = 0; i < n; i++) {
			const struct record *a = alerts.v[i];
			const char *sev = record_get(a, "severity"), *st = record_get(a, "state");
			const char *sevl = sev ? choice_label(sev) : "", *stl = st ? choice_label(st) : "";
			fprintf(c->out, "%s%.8s%s  %s%s%*s%s ", col(c, C_ID), a->id, col(c, C_RESET),
				col(c, sev && !strcmp(sev, "critical") ? C_BAD
				       : sev && !strcmp(sev, "warning") ? C_WARN
									 : C_MUTED),
				sevl, text_pad(sevl, 8), "", col(c, C_RESET));
			if (all)
				fprintf(c->out, "%s%*s ", stl, text_pad(stl, 9), "");
			out_safe(c, record_get(a, "message"));
			if (record_get(a, "to")) {
				char *to = ws_titles(c->ws, record_get(a, "to"));
				fprintf(c->out, "%s  → ", col(c, C_MUTED));
				out_safe(c, to);
				fputs(col(c, C_RESET), c->out);
				free(to);
			}
			fputc('\n', c->out);
		}
		if (!n)
			fputs(all ? _("No alerts.\n") : _("No open alerts.\n"), c->out);
	}
out:
	recs_free(&alerts);
	rules_report_free(&rep);
	return rc;
}

static int run_ack(struct ctx *c, int argc, char **argv)
{
	bool snooze = !strcmp(argv[0], "snooze");
	const struct command *cmd = snooze ? &cmd_snooze : &cmd_ack;
	struct record *a = NULL;
	int rc;
	if (argc > (snooze ? 3 : 2))
		return usage_error(c, cmd, "too many arguments");
	if (argc < (snooze ? 3 : 2))
		return snooze ? usage_error(c, cmd, "which alert, for how many days?")
			      : usage_error(c, cmd, "which alert?");
	long days = 0;
	if (snooze) {
		char *end;
		days = strtol(argv[2], &end, 10);
		if (*end || days < 1 || days > 3650)
			return usage_error(c, cmd, "DAYS: '%s' is not a number of days (1-3650)", argv[2]);
	}
	if ((rc = ctx_open(c)) || (rc = ws_load(c->ws, argv[1], "alert", &a, &c->err)))
		return rc;
	if (strcmp(a->ki->k->name, "alert")) {
		rc = err_set(&c->err, RERR_INPUT, "%s %.8s is not an alert", kind_label(a->ki->k), a->id);
		goto out;
	}
	const char *st = record_get(a, "state");
	if (st && !strcmp(st, "resolved")) {
		rc = err_set(&c->err, RERR_INPUT, "alert %.8s is resolved", a->id);
		goto out;
	}
	const struct kindinfo *ki = a->ki;
	record_put(a, kind_field_index(ki, kind_field(ki, "state")), xstrdup(snooze ? "snoozed" : "acked"));
	if (snooze) {
		char until[11];
		long today;
		char d[11];
		fmt_date(d, clock_now());
		date_parse(d, &today);
		days_to_date(until, today + days);
		record_put(a, kind_field_index(ki, kind_field(ki, "snoozed_until")), xstrdup(until));
		fprintf(c->out, _("Snoozed alert %.8s until %s\n"), a->id, until);
	} else {
		char me[33];
		if (ws_me(c->ws, me))
			record_put(a, kind_field_index(ki, kind_field(ki, "acked_by")), xstrdup(me));
		fprintf(c->out, _("Acknowledged alert %.8s\n"), a->id);
	}
	rc = ws_save(c->ws, a, &c->err);
out:
	record_free(a);
	return rc;
}
