/*
 * billing.c — the cash end of lead to cash, for people and scripts: `rapport pay` records money
 * received against an invoice, `rapport billing` reads the payment plans (what is ready to
 * invoice, what waits for what), `rapport bill` drafts the invoice of a ready plan line, and
 * `rapport receivables` shows what customers owe by days past due, days sales outstanding and
 * when the cash should come in. The reading is the process layer's (billing.h).
 */
#include "billing.h"
#include "cmd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int run_pay(struct ctx *c, int argc, char **argv);
static int run_billing(struct ctx *c, int argc, char **argv);
static int run_bill(struct ctx *c, int argc, char **argv);
static int run_receivables(struct ctx *c, int argc, char **argv);

const struct command cmd_pay = {
	"pay", run_pay, "pay INVOICE [AMOUNT] [--on DATE] [--method METHOD] [--reference TEXT] [--json]",
	N_("Record money received against an invoice."),
	N_("Adds a receipt for the invoice: AMOUNT (default: what it still owes) received on --on\n"
	"(default today) by --method (bank, cash, card, cheque, alipay, wechat, offset, other).\n"
	"The invoice's paid_amount is the sum of its receipts and its paid_on the day they reached\n"
	"its amount; a part payment leaves it owing the rest. A payment over what it owes is\n"
	"refused: record the difference as a credit, a receipt of the customer's without an\n"
	"invoice ('add receipt'), and apply it later by setting its invoice. Prints the receipt's\n"
	"id.\n"),
	CMD_WS,
};

const struct command cmd_billing = {
	"billing", run_billing, "billing [--contract ID] [--customer ID] [--all] [--at DATE] [--json]",
	N_("What the payment plans have ready to invoice."),
	N_("Reads every contract's payment plan (its billing lines) at the status date. A line is\n"
	"ready when its trigger is reached (its date passed, its milestone done, or its\n"
	"milestone accepted: in the last stage of its process) and it has no invoice yet, or\n"
	"its invoice was voided. Lists the ready lines; --all every line with what it waits for\n"
	"and when its money is expected (a milestone's due date moved by its project's SPI:\n"
	"due + (due - start) x (1 - SPI) / SPI). Plans that do not add up to their contract's\n"
	"value are flagged on standard error.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_bill = {
	"bill", run_bill, "bill LINE [--date DATE] [--json]",
	N_("Draft the invoice of a ready payment plan line."),
	N_("Drafts the invoice a ready plan line owes (see 'rapport billing'): its amount in the\n"
	"contract's currency, the customer, contract, project and milestone linked, issued on\n"
	"--date (default today) and due the line's due_days (default 30) after its trigger was\n"
	"reached or after the issue date, whichever is later. The invoice is a draft until\n"
	"'rapport set ID status=issued'; the line records it, in the same transaction. Prints\n"
	"the invoice's id.\n"),
	CMD_WS,
};

const struct command cmd_receivables = {
	"receivables", run_receivables, "receivables [--customer ID] [--at DATE] [--json]",
	N_("What customers owe, by days past due, and when cash should come in."),
	N_("Outstanding amounts of issued invoices per customer and currency, by days past due: not\n"
	"due, 1-30, 31-60, 61-90 and over 90. Then days sales outstanding: what is owed over\n"
	"what was invoiced in the 90 days to the status date, times 90, in the team's currency.\n"
	"Then the collection forecast by month: outstanding invoices at their due date (the\n"
	"status date's month when overdue), plan lines not invoiced yet at their expected date.\n"
	"Sums are per currency.\n"),
	CMD_WS | CMD_PAGER,
};

static int run_pay(struct ctx *c, int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL }, *on = NULL, *method = NULL, *ref = NULL;
	const struct opt opts[] = { { "--on", NULL, &on, NULL },
				    { "--method", NULL, &method, NULL },
				    { "--reference", NULL, &ref, NULL },
				    { NULL, NULL, NULL, NULL } };
	int rc;
	if ((rc = args_parse(c, &cmd_pay, argc, argv, opts, pos, 2, NULL,
			     _("an invoice and an amount"))))
		return rc;
	if (!pos[0])
		return usage_error(c, &cmd_pay, "which invoice?");
	if ((rc = ctx_open(c)))
		return rc;
	struct ws *w = c->ws;
	struct record *inv = NULL, *r = NULL, *after = NULL;
	if ((rc = ws_load(w, pos[0], "invoice", &inv, &c->err)))
		return rc;
	double owed = record_num(inv, "amount") - record_num(inv, "paid_amount");
	char amount[40];
	if (pos[1])
		snprintf(amount, sizeof amount, "%s", pos[1]);
	else if (owed > 0.005)
		snprintf(amount, sizeof amount, "%.2f", owed);
	else {
		char where[80];
		record_where(inv, where, sizeof where);
		rc = err_set(&c->err, RERR_INPUT, "%s: nothing is owed on it", where);
		goto out;
	}
	r = record_new(schema_kind(&w->sc, "receipt"));
	if ((rc = ws_put_named(w, r, "invoice", inv->id, &c->err)) || (rc = ws_put_named(w, r, "amount", amount, &c->err)) ||
	    (rc = ws_put_named(w, r, "date", on, &c->err)) || (rc = ws_put_named(w, r, "method", method, &c->err)) ||
	    (rc = ws_put_named(w, r, "reference", ref, &c->err)) || (rc = ws_add(w, r, &c->err)))
		goto out;
	if ((rc = store_get(w->st, &w->sc, inv->id, &after, &c->err)))
		goto out;
	char *cur = ws_currency(w, after);
	double amt = record_num(after, "amount"), paid = record_num(after, "paid_amount");
	char *p = fmt_amount(paid, cur), *a = fmt_amount(amt, cur), *left = fmt_amount(amt - paid, cur);
	const char *no = record_get(after, "number") ? record_get(after, "number") : after->id;
	if (c->json) {
		struct buf jb = BUF_INIT;
		struct json j;
		json_init(&j, &jb, c->tty);
		json_obj_open(&j);
		json_key(&j, "receipt");
		json_str(&j, r->id);
		json_key(&j, "invoice");
		json_str(&j, after->id);
		json_key(&j, "paid");
		json_num(&j, paid);
		json_key(&j, "outstanding");
		json_num(&j, round((amt - paid) * 100) / 100);
		json_key(&j, "paid_on");
		json_str(&j, record_get(after, "paid_on"));
		json_obj_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
	} else
		fprintf(c->out, "%s\n", r->id);
	if (record_get(after, "paid_on"))
		fprintf(stderr, _("Invoice %s: paid in full (%s) on %s\n"), no, a,
			record_get(after, "paid_on"));
	else
		fprintf(stderr, _("Invoice %s: paid %s of %s; %s still owed\n"), no, p, a, left);
	free(cur);
	free(p);
	free(a);
	free(left);
out:
	record_free(inv);
	record_free(r);
	record_free(after);
	return rc;
}

/* A key whose unset value ("") is written as null. */
static void opt_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_str(j, *v ? v : NULL);
}

void bill_line_json(struct json *j, const struct bill_line *l)
{
	json_obj_open(j);
	json_key(j, "id");
	json_str(j, l->id);
	json_key(j, "contract");
	json_str(j, l->contract);
	json_key(j, "customer");
	json_str(j, l->customer);
	json_key(j, "label");
	json_str(j, l->label);
	json_key(j, "trigger");
	json_str(j, l->trigger);
	opt_str(j, "milestone", l->milestone);
	opt_str(j, "project", l->project);
	json_key(j, "amount");
	json_num(j, l->amount);
	opt_str(j, "currency", l->currency);
	json_key(j, "percent");
	json_num(j, round(l->percent * 100) / 100);
	opt_str(j, "reached", l->reached);
	opt_str(j, "planned", l->planned);
	opt_str(j, "forecast", l->forecast);
	opt_str(j, "expected", l->due);
	json_key(j, "ready");
	json_bool(j, l->ready);
	opt_str(j, "invoice", l->invoice);
	json_key(j, "state");
	json_str(j, l->why);
	json_obj_close(j);
}

size_t bill_lines_print(struct ctx *c, const struct billing *b, const char *project, bool all,
			int indent)
{
	struct table t;
	size_t n = 0, ncol = project ? 5 : 6;
	table_init(&t, ncol);
	static const char *const head[] = { "ID", N_("CONTRACT"), N_("LINE"), N_("AMOUNT"),
					    N_("EXPECTED"), N_("STATE") };
	for (size_t i = 0; i < 6; i++)
		if (!(project && i == 1))
			table_cell(&t, i ? _(head[i]) : head[i], C_HEAD);
	table_right(&t, project ? 2 : 3);
	for (size_t i = 0; i < b->n; i++) {
		const struct bill_line *l = &b->v[i];
		if ((!all && !l->ready) || (project && strcmp(l->project, project)))
			continue;
		char sid[9], *amt = fmt_amount(l->amount, l->currency);
		snprintf(sid, sizeof sid, "%.8s", l->id);
		table_cell(&t, sid, C_ID);
		if (!project)
			table_cell(&t, l->contract_title, C_RESET);
		table_cell(&t, l->label, C_RESET);
		table_cell(&t, amt, C_RESET);
		table_cell(&t, l->due, C_MUTED);
		table_cell(&t, l->why_shown ? l->why_shown : "", l->ready ? C_WARN : l->invoice[0] ? C_GOOD : C_MUTED);
		free(amt);
		n++;
	}
	if (n && project) {
		fprintf(c->out, "\n%s", col(c, C_HEAD));
		fprintf(c->out, _("Payment plan (%zu)"), n);
		fprintf(c->out, "%s\n", col(c, C_RESET));
	}
	if (n)
		table_print(c, &t, indent);
	table_free(&t);
	return n;
}

static int resolve_opt(struct ctx *c, const char *opt, const char *v, const char *kind, char out[33])
{
	int rc = v ? ws_resolve(c->ws, v, kind, out, &c->err) : 0;
	if (rc)
		err_prefix(&c->err, "%s", opt);
	return rc;
}

static int run_billing(struct ctx *c, int argc, char **argv)
{
	const char *contract = NULL, *cust = NULL, *at = NULL;
	bool all = false;
	const struct opt opts[] = { { "--contract", NULL, &contract, NULL },
				    { "--customer", NULL, &cust, NULL },
				    { "--all", &all, NULL, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	char kid[33], cid[33], date[11];
	int rc;
	if ((rc = args_parse(c, &cmd_billing, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))) ||
	    (rc = ctx_open(c)) || (rc = resolve_opt(c, "--contract", contract, "contract", kid)) ||
	    (rc = resolve_opt(c, "--customer", cust, "customer", cid)) ||
	    (rc = status_date(c, at, date)))
		return rc;
	struct billing b;
	if ((rc = billing_plan(c->ws, date, contract ? kid : NULL, cust ? cid : NULL, &b, &c->err)))
		return rc;
	for (size_t i = 0; i < b.flags.n; i++)
		fprintf(stderr, _("warning: %s\n"), b.flags.v[i]);
	struct msum ready = { 0 };
	long nready = billing_ready(&b, &ready);
	if (c->json) {
		struct buf jb = BUF_INIT;
		struct json j;
		json_init(&j, &jb, c->tty);
		json_obj_open(&j);
		json_key(&j, "date");
		json_str(&j, date);
		json_money(&j, "ready", &ready);
		json_key(&j, "lines");
		json_arr_open(&j);
		for (size_t i = 0; i < b.n; i++)
			if (all || b.v[i].ready)
				bill_line_json(&j, &b.v[i]);
		json_arr_close(&j);
		json_key(&j, "flags");
		json_arr_open(&j);
		for (size_t i = 0; i < b.flags.n; i++)
			json_str(&j, b.flags.v[i]);
		json_arr_close(&j);
		json_obj_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
	} else {
		size_t shown = bill_lines_print(c, &b, NULL, all, 0);
		char *m = msum_fmt(&ready);
		fputs(shown ? "\n" : "", c->out);
		if (nready)
			fprintf(c->out,
				P_("%ld line ready to invoice (%s): 'rapport bill LINE' drafts one\n",
				   "%ld lines ready to invoice (%s): 'rapport bill LINE' drafts one\n",
				   (unsigned long)nready),
				nready, m);
		else
			fprintf(c->out, _("0 lines ready to invoice (%s)\n"), m);
		free(m);
	}
	msum_free(&ready);
	billing_free(&b);
	return 0;
}

static int run_bill(struct ctx *c, int argc, char **argv)
{
	const char *ref = NULL, *date = NULL;
	const struct opt opts[] = { { "--date", NULL, &date, NULL }, { NULL, NULL, NULL, NULL } };
	char day[11], id[33];
	int rc;
	if ((rc = args_parse(c, &cmd_bill, argc, argv, opts, &ref, 1, NULL, _("one line at a time"))))
		return rc;
	if (!ref)
		return usage_error(c, &cmd_bill, "which payment plan line?");
	if ((rc = ctx_open(c)) || (rc = status_date(c, date, day)))
		return rc;
	if ((rc = billing_draft(c->ws, ref, day, id, &c->err)))
		return rc;
	struct record *inv = NULL;
	if ((rc = store_get(c->ws->st, &c->ws->sc, id, &inv, &c->err)))
		return rc;
	if (c->json) {
		struct buf jb = BUF_INIT;
		struct json j;
		json_init(&j, &jb, c->tty);
		json_obj_open(&j);
		json_key(&j, "invoice");
		json_str(&j, id);
		json_key(&j, "amount");
		json_num(&j, record_num(inv, "amount"));
		json_key(&j, "due");
		json_str(&j, record_get(inv, "due"));
		json_obj_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
	} else
		fprintf(c->out, "%s\n", id);
	char *cur = ws_currency(c->ws, inv), *amt = fmt_amount(record_num(inv, "amount"), cur);
	fprintf(stderr, _("Drafted invoice %.8s: %s, due %s ('rapport set %.8s status=issued' issues it)\n"),
		id, amt, record_get(inv, "due"), id);
	free(cur);
	free(amt);
	record_free(inv);
	return 0;
}

static void json_aging(struct json *j, const struct aging *a)
{
	json_obj_open(j);
	if (a->customer[0]) {
		json_key(j, "customer");
		json_str(j, a->customer);
		json_key(j, "name");
		json_str(j, a->name);
	}
	json_key(j, "currency");
	json_str(j, a->currency[0] ? a->currency : NULL);
	for (int b = 0; b < AGE_BUCKETS; b++) {
		json_key(j, age_labels[b]);
		json_num(j, round(a->bucket[b] * 100) / 100);
	}
	json_key(j, "total");
	json_num(j, round(a->total * 100) / 100);
	json_key(j, "invoices");
	json_int(j, a->invoices);
	json_key(j, "overdue");
	json_int(j, a->overdue);
	json_obj_close(j);
}

static void aging_row(struct table *t, const char *who, const struct aging *a)
{
	table_cell(t, who, a->customer[0] ? C_RESET : C_HEAD);
	table_cell(t, a->currency, C_MUTED);
	for (int b = 0; b < AGE_BUCKETS; b++) {
		char *m = a->bucket[b] > 0.005 ? fmt_money(a->bucket[b]) : xstrdup("-");
		table_cell(t, m, b >= AGE_60 && a->bucket[b] > 0.005 ? C_BAD
				 : b > AGE_CURRENT && a->bucket[b] > 0.005 ? C_WARN : C_RESET);
		free(m);
	}
	char *m = fmt_money(a->total);
	table_cell(t, m, C_RESET);
	free(m);
}

static int run_receivables(struct ctx *c, int argc, char **argv)
{
	const char *cust = NULL, *at = NULL;
	const struct opt opts[] = { { "--customer", NULL, &cust, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	char cid[33], date[11];
	int rc;
	if ((rc = args_parse(c, &cmd_receivables, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))) ||
	    (rc = ctx_open(c)) || (rc = resolve_opt(c, "--customer", cust, "customer", cid)) ||
	    (rc = status_date(c, at, date)))
		return rc;
	struct receivables r;
	if ((rc = billing_receivables(c->ws, date, cust ? cid : NULL, &r, NULL, &c->err)))
		return rc;
	if (c->json) {
		struct buf jb = BUF_INIT;
		struct json j;
		json_init(&j, &jb, c->tty);
		json_obj_open(&j);
		json_key(&j, "date");
		json_str(&j, date);
		json_key(&j, "customers");
		json_arr_open(&j);
		for (size_t i = 0; i < r.ncustomers; i++)
			json_aging(&j, &r.customers[i]);
		json_arr_close(&j);
		json_key(&j, "total");
		json_arr_open(&j);
		for (size_t i = 0; i < r.ntotal; i++)
			json_aging(&j, &r.total[i]);
		json_arr_close(&j);
		json_key(&j, "dso");
		if (r.has_dso)
			json_num(&j, round(r.dso * 10) / 10);
		else
			json_null(&j);
		json_key(&j, "currency");
		json_str(&j, r.team[0] ? r.team : NULL);
		json_key(&j, "owed");
		json_num(&j, round(r.owed_base * 100) / 100);
		json_key(&j, "invoiced_90_days");
		json_num(&j, round(r.billed90_base * 100) / 100);
		json_key(&j, "unconverted");
		json_int(&j, r.missing);
		json_key(&j, "forecast");
		json_arr_open(&j);
		for (size_t i = 0; i < r.nforecast; i++) {
			json_obj_open(&j);
			json_key(&j, "month");
			json_str(&j, r.forecast[i].month);
			json_key(&j, "currency");
			json_str(&j, r.forecast[i].currency[0] ? r.forecast[i].currency : NULL);
			json_key(&j, "invoiced");
			json_num(&j, round(r.forecast[i].invoiced * 100) / 100);
			json_key(&j, "planned");
			json_num(&j, round(r.forecast[i].planned * 100) / 100);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_key(&j, "overpaid");
		json_arr_open(&j);
		for (size_t i = 0; i < r.overpaid.n; i++)
			json_str(&j, r.overpaid.v[i]);
		json_arr_close(&j);
		json_obj_close(&j);
		json_flush(c, &jb);
		buf_release(&jb);
		receivables_free(&r);
		return 0;
	}
	fprintf(c->out, _("Receivables at %s, by days past due\n\n"), date);
	if (!r.ncustomers)
		fprintf(c->out, " %s\n", _("Nothing is owed."));
	else {
		struct table t;
		table_init(&t, 3 + AGE_BUCKETS);
		table_cell(&t, _("CUSTOMER"), C_HEAD);
		table_cell(&t, _("CUR"), C_HEAD);
		for (int b = 0; b < AGE_BUCKETS; b++)
			table_cell(&t, b ? age_labels[b] : _("NOT DUE"), C_HEAD);
		table_cell(&t, _("TOTAL"), C_HEAD);
		for (size_t k = 2; k < 3 + AGE_BUCKETS; k++)
			table_right(&t, k);
		for (size_t i = 0; i < r.ncustomers; i++)
			aging_row(&t, r.customers[i].name, &r.customers[i]);
		for (size_t i = 0; i < r.ntotal; i++)
			aging_row(&t, _("All customers"), &r.total[i]);
		table_print(c, &t, 0);
		table_free(&t);
	}
	if (r.has_dso) {
		char *o = fmt_amount(r.owed_base, r.team), *b = fmt_amount(r.billed90_base, r.team);
		fputc('\n', c->out);
		fprintf(c->out, _("Days sales outstanding: %.0f (%s owed, %s invoiced in the 90 days "
				  "to %s)\n"),
			r.dso, o, b, date);
		free(o);
		free(b);
	} else {
		fputc('\n', c->out);
		fprintf(c->out, _("Days sales outstanding: - (nothing invoiced in the 90 days to %s)\n"),
			date);
	}
	if (r.missing) {
		fputc(' ', c->out);
		fprintf(c->out,
			P_("%ld invoice left out: no fx rate converts it to %s\n",
			   "%ld invoices left out: no fx rate converts them to %s\n", (unsigned long)r.missing),
			r.missing, r.team);
	}
	if (r.nforecast) {
		fprintf(c->out, "\n%s\n\n", _("Collection forecast"));
		struct table t;
		table_init(&t, 4);
		table_cell(&t, _("MONTH"), C_HEAD);
		table_cell(&t, _("CUR"), C_HEAD);
		table_cell(&t, _("INVOICED"), C_HEAD);
		table_cell(&t, _("PLANNED"), C_HEAD);
		table_right(&t, 2);
		table_right(&t, 3);
		for (size_t i = 0; i < r.nforecast; i++) {
			char *a = fmt_money(r.forecast[i].invoiced), *b = fmt_money(r.forecast[i].planned);
			table_cell(&t, r.forecast[i].month, C_RESET);
			table_cell(&t, r.forecast[i].currency, C_MUTED);
			table_cell(&t, a, C_RESET);
			table_cell(&t, b, C_MUTED);
			free(a);
			free(b);
		}
		table_print(c, &t, 0);
		table_free(&t);
	}
	for (size_t i = 0; i < r.overpaid.n; i++)
		fprintf(stderr, _("warning: overpaid: %s (receipts from two replicas?)\n"), r.overpaid.v[i]);
	receivables_free(&r);
	return 0;
}
