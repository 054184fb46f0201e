/*
 * pipeline.c — the sales end of lead to cash. `rapport pipeline`: open opportunities as a
 * funnel by stage and by month of expected close, amounts and weighted amounts per currency
 * (and in the team's currency where rates convert them), with the last twelve months' wins,
 * losses, win rate and cycle time. `rapport won OPP`: the opportunity won, its contract and
 * project made with the links filled in, all in one transaction.
 */
#include "cmd.h"
#include "health.h"
#include "process.h"

#include <stdlib.h>
#include <string.h>

static int run_pipeline(struct ctx *c, int argc, char **argv);
static int run_won(struct ctx *c, int argc, char **argv);

const struct command cmd_pipeline = {
	"pipeline", run_pipeline, "pipeline [--customer ID] [--owner ID] [--at DATE] [--json]",
	N_("Open opportunities by stage and by month of expected close."),
	N_("The funnel: for each open stage (qualify, propose, negotiate) how many opportunities,\n"
	"their amounts and their weighted amounts (amount x probability; an opportunity without\n"
	"its own probability takes its stage's: qualify 10%, propose 30%, negotiate 60%). Then the\n"
	"weighted amounts by month of expected close; a month before the status date's is past, and\n"
	"its opportunities are late. Sums are per currency; the weighted total is also given in the\n"
	"team's currency, each amount converted at the newest fx rate on or before its expected\n"
	"close. Last, the twelve months to the status date: opportunities won and lost, the win\n"
	"rate and the mean days from creation to a win. --customer and --owner narrow it down.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_won = {
	"won", run_won, "won ID [--template NAME] [--start DATE] [--json]",
	N_("Win an opportunity: make its contract and project."),
	N_("Marks the opportunity won (closed today) and makes, in one transaction: a contract for\n"
	"its customer (title the opportunity's name, value its amount, in its currency, signed and\n"
	"starting on the start date), and a project under that contract (budget the amount,\n"
	"starting on --start, default today), built from --template NAME when given, as 'add\n"
	"project --template' builds one. The opportunity keeps both ids, and a customer who was a\n"
	"lead or prospect becomes active. Prints the contract's id, then the project's.\n"
	"Refused, with nothing written: a lost opportunity, one without an amount, one already\n"
	"won into a contract or project.\n"),
	CMD_WS,
};

/* ---- pipeline ---- */

static void json_bucket(struct json *j, const char *name, const struct pbucket *b)
{
	json_obj_open(j);
	json_key(j, name);
	json_str(j, *b->key ? b->key : NULL);
	json_key(j, "count");
	json_int(j, b->n);
	json_money(j, "amount", &b->amount);
	json_money(j, "weighted", &b->weighted);
}

static void cell_money(struct table *tb, const struct msum *m, enum role r)
{
	if (!m->n) {
		table_cell(tb, "-", C_MUTED);
		return;
	}
	char *s = msum_fmt(m);
	table_cell(tb, s, r);
	free(s);
}

static void print_pipe(struct ctx *c, struct pipeline *p, const char *date, const char *team)
{
	long open = p->open;
	char *w = msum_fmt(&p->weighted);
	fprintf(c->out, P_("Pipeline at %s: %ld open opportunity, weighted %s\n\n",
			   "Pipeline at %s: %ld open opportunities, weighted %s\n\n", (unsigned long)open),
		date, open, w);
	free(w);
	struct table tb;
	table_init(&tb, 4);
	table_cell(&tb, _("STAGE"), C_HEAD);
	table_cell(&tb, _("OPEN"), C_HEAD);
	table_cell(&tb, _("AMOUNT"), C_HEAD);
	table_cell(&tb, _("WEIGHTED"), C_HEAD);
	table_right(&tb, 1);
	table_right(&tb, 2);
	table_right(&tb, 3);
	for (size_t i = 0; i < PIPELINE_STAGES; i++) {
		char n[24];
		snprintf(n, sizeof n, "%ld", p->stage[i].n);
		table_cell(&tb, choice_label(pipeline_stages[i]), C_RESET);
		table_cell(&tb, n, p->stage[i].n ? C_RESET : C_MUTED);
		cell_money(&tb, &p->stage[i].amount, C_RESET);
		cell_money(&tb, &p->stage[i].weighted, C_RESET);
	}
	table_print(c, &tb, 0);
	table_free(&tb);
	if (p->nmonth) {
		fprintf(c->out, "\n%s\n", _("By expected close"));
		table_init(&tb, 3);
		table_cell(&tb, _("MONTH"), C_HEAD);
		table_cell(&tb, _("OPEN"), C_HEAD);
		table_cell(&tb, _("WEIGHTED"), C_HEAD);
		table_right(&tb, 1);
		table_right(&tb, 2);
		for (size_t i = 0; i < p->nmonth; i++) {
			const struct pbucket *b = &p->month[i];
			bool past = *b->key && strncmp(b->key, date, 7) < 0;
			char label[64], n[24];
			if (past)
				snprintf(label, sizeof label, "%s%s", b->key, _(" (past)"));
			else
				snprintf(label, sizeof label, "%s", *b->key ? b->key : _("no date"));
			snprintf(n, sizeof n, "%ld", b->n);
			table_cell(&tb, label, past ? C_BAD : C_RESET);
			table_cell(&tb, n, C_RESET);
			cell_money(&tb, &b->weighted, C_RESET);
		}
		table_print(c, &tb, 0);
		table_free(&tb);
	}
	if (*team && open) {
		char *base = fmt_amount(p->weighted_base, team);
		fputc('\n', c->out);
		fprintf(c->out, _("Weighted in %s: %s (each amount at the newest rate on or before its "
				  "expected close)\n"),
			team, base);
		free(base);
	}
	/* TRANSLATORS: the line goes on with the amount won in brackets, ", N lost", "; win rate"
	 * and "; N days from creation to a win on average". */
	fputc('\n', c->out);
	fprintf(c->out, _("Closed %s to %s: %ld won"), p->from, p->to, p->won);
	if (p->won) {
		char *a = msum_fmt(&p->won_amount);
		/* TRANSLATORS: the amount won, after "N won". */
		fprintf(c->out, _(" (%s)"), a);
		free(a);
	}
	fprintf(c->out, _(", %ld lost"), p->lost);
	if (p->won + p->lost)
		fprintf(c->out, _("; win rate %.0f%%"), 100.0 * (double)p->won / (double)(p->won + p->lost));
	if (p->won)
		fprintf(c->out, _("; %.0f days from creation to a win on average"),
			(double)p->cycle_days / (double)p->won);
	fprintf(c->out, "\n");
}

static void json_pipe(struct ctx *c, struct pipeline *p, const char *date, const char *team)
{
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b, c->tty);
	json_obj_open(&j);
	json_key(&j, "as_of");
	json_str(&j, date);
	json_key(&j, "currency");
	json_str(&j, *team ? team : NULL);
	json_key(&j, "stages");
	json_arr_open(&j);
	for (size_t i = 0; i < PIPELINE_STAGES; i++) {
		struct pbucket s = p->stage[i];
		snprintf(s.key, sizeof s.key, "%s", pipeline_stages[i]);
		json_bucket(&j, "stage", &s);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_key(&j, "months");
	json_arr_open(&j);
	for (size_t i = 0; i < p->nmonth; i++) {
		json_bucket(&j, "month", &p->month[i]);
		json_key(&j, "past");
		json_bool(&j, *p->month[i].key && strncmp(p->month[i].key, date, 7) < 0);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_money(&j, "weighted", &p->weighted);
	json_key(&j, "weighted_base"); /* in the team's currency; null when a rate is missing */
	if (*team && !p->unconverted)
		json_num(&j, p->weighted_base);
	else
		json_null(&j);
	json_key(&j, "closed");
	json_obj_open(&j);
	json_key(&j, "from");
	json_str(&j, p->from);
	json_key(&j, "to");
	json_str(&j, p->to);
	json_key(&j, "won");
	json_int(&j, p->won);
	json_key(&j, "lost");
	json_int(&j, p->lost);
	json_money(&j, "won_amount", &p->won_amount);
	json_key(&j, "win_rate");
	if (p->won + p->lost)
		json_num(&j, 100.0 * (double)p->won / (double)(p->won + p->lost));
	else
		json_null(&j);
	json_key(&j, "cycle_days");
	if (p->won)
		json_num(&j, (double)p->cycle_days / (double)p->won);
	else
		json_null(&j);
	json_obj_close(&j);
	json_obj_close(&j);
	json_flush(c, &b);
	buf_release(&b);
}

static int run_pipeline(struct ctx *c, int argc, char **argv)
{
	const char *cust = NULL, *owner = NULL, *at = NULL;
	const struct opt opts[] = { { "--customer", NULL, &cust, NULL },
				    { "--owner", NULL, &owner, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	int rc;
	if ((rc = args_parse(c, &cmd_pipeline, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))) ||
	    (rc = ctx_open(c)))
		return rc;
	char cid[33], oid[33], date[11];
	const char *opt = "--customer";
	if ((cust && (rc = ws_resolve(c->ws, cust, "customer", cid, &c->err))) ||
	    (opt = "--owner", owner && (rc = ws_resolve(c->ws, owner, "member", oid, &c->err)))) {
		err_prefix(&c->err, "%s", opt);
		return rc;
	}
	struct pipeline p;
	if ((rc = status_date(c, at, date)))
		return rc;
	if (!(rc = health_pipeline(c->ws, date, cust ? cid : NULL, owner ? oid : NULL, &p, &c->err))) {
		if (c->json)
			json_pipe(c, &p, date, p.team);
		else
			print_pipe(c, &p, date, p.team);
	}
	pipeline_free(&p);
	return rc;
}

/* ---- won ---- */

static int run_won(struct ctx *c, int argc, char **argv)
{
	const char *ref = NULL, *tmpl = NULL, *start = NULL;
	const struct opt opts[] = { { "--template", NULL, &tmpl, NULL },
				    { "--start", NULL, &start, NULL },
				    { NULL, NULL, NULL, NULL } };
	int rc;
	if ((rc = args_parse(c, &cmd_won, argc, argv, opts, &ref, 1, NULL,
			     _("one opportunity at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, &cmd_won, "which opportunity?");
	if ((rc = ctx_open(c)))
		return rc;
	struct ws *w = c->ws;
	struct record *o = NULL, *k = NULL, *p = NULL, *cu = NULL;
	if ((rc = ws_load(w, ref, "opportunity", &o, &c->err)))
		return rc;
	const char *stage = record_get(o, "stage"), *amount = record_get(o, "amount"),
		   *name = record_get(o, "name");
	char where[80];
	record_where(o, where, sizeof where);
	if (stage && !strcmp(stage, "lost"))
		rc = err_set(&c->err, RERR_INPUT,
			     "%s: it was lost; open it again first (rapport set %.8s stage=negotiate)",
			     where, o->id);
	else if (record_get(o, "contract"))
		rc = err_set(&c->err, RERR_INPUT, "%s: already won into contract %.8s", where,
			     record_get(o, "contract"));
	else if (record_get(o, "project"))
		rc = err_set(&c->err, RERR_INPUT, "%s: already won into project %.8s", where,
			     record_get(o, "project"));
	else if (!amount)
		rc = err_set(&c->err, RERR_INPUT,
			     "%s: field 'amount': unset; a contract needs its value (rapport set %.8s "
			     "amount=N)",
			     where, o->id);
	if (rc)
		goto out;
	char day[11];
	fmt_date(day, clock_now());
	if ((rc = store_begin(w->st, &c->err)))
		goto out;
	k = record_new(schema_kind(&w->sc, "contract"));
	p = record_new(schema_kind(&w->sc, "project"));
	const char *cur = record_get(o, "currency");
	if ((rc = ws_put_named(w, k, "customer", record_get(o, "customer"), &c->err)) ||
	    (rc = ws_put_named(w, k, "title", name, &c->err)) || (rc = ws_put_named(w, k, "value", amount, &c->err)) ||
	    (rc = ws_put_named(w, k, "currency", cur, &c->err)) || (rc = ws_put_named(w, k, "signed", day, &c->err)) ||
	    (rc = ws_put_named(w, k, "start", start ? start : day, &c->err)) ||
	    (rc = ws_add(w, k, &c->err)))
		goto fail;
	if ((rc = ws_put_named(w, p, "customer", record_get(o, "customer"), &c->err)) ||
	    (rc = ws_put_named(w, p, "name", name, &c->err)) || (rc = ws_put_named(w, p, "contract", k->id, &c->err)) ||
	    (rc = ws_put_named(w, p, "budget", amount, &c->err)) || (rc = ws_put_named(w, p, "currency", cur, &c->err)) ||
	    (rc = ws_put_named(w, p, "manager", record_get(o, "owner"), &c->err)) ||
	    (rc = ws_put_named(w, p, "start", start ? start : day, &c->err)))
		goto fail;
	struct template_built b;
	if ((rc = tmpl ? template_build(w, p, tmpl, &b, &c->err) : ws_add(w, p, &c->err)))
		goto fail;
	if ((rc = ws_put_named(w, o, "stage", "won", &c->err)) || (rc = ws_put_named(w, o, "contract", k->id, &c->err)) ||
	    (rc = ws_put_named(w, o, "project", p->id, &c->err)) || (rc = ws_save(w, o, &c->err)))
		goto fail;
	/* Winning is what makes a lead a customer: the conversion KPIs count from this change. */
	const char *cst = NULL;
	bool convert = !store_get(w->st, &w->sc, record_get(o, "customer"), &cu, &c->err) &&
		       (cst = record_get(cu, "stage")) && (!strcmp(cst, "lead") || !strcmp(cst, "prospect"));
	err_clear(&c->err);
	if (convert && ((rc = ws_put_named(w, cu, "stage", "active", &c->err)) || (rc = ws_save(w, cu, &c->err))))
		goto fail;
	if ((rc = store_commit(w->st, &c->err)))
		goto out;
	if (c->json) {
		struct buf jb = BUF_INIT;
		struct json j;
		json_init(&j, &jb, c->tty);
		json_obj_open(&j);
		json_key(&j, "opportunity");
		json_str(&j, o->id);
		json_key(&j, "contract");
		json_str(&j, k->id);
		json_key(&j, "project");
		json_str(&j, p->id);
		json_obj_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
	} else
		fprintf(c->out, "%s\n%s\n", k->id, p->id);
	fprintf(stderr, _("Won %s: contract %.8s, project %.8s"), name, k->id, p->id);
	if (tmpl)
		fprintf(stderr, _(" from template %s (%ld phases, %ld tasks, %ld milestones; due %s)"),
			tmpl, b.phases, b.tasks, b.milestones, b.due);
	if (convert)
		fprintf(stderr, _("; %s is now an active customer"), ws_title(w, cu->id));
	fprintf(stderr, "\n");
	goto out;
fail:
	store_rollback(w->st);
out:
	record_free(o);
	record_free(k);
	record_free(p);
	record_free(cu);
	return rc;
}
