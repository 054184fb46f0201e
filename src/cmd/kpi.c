/*
 * kpi.c — `rapport kpi [--period month|quarter|year] [--periods N] [--at DATE] [--json]`: the
 * portfolio's key indicators over the last periods — on-time delivery, first-contact
 * resolution, complaint handling time, collection rate, receivable days, NPS, CSAT, retention,
 * revenue — and customer lifetime value (revenue to date and margin), highest first.
 */
#include "cmd.h"
#include "health.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_kpi = {
	"kpi", run, "kpi [--period month|quarter|year] [--periods N] [--at DATE] [--json]",
	N_("Portfolio KPIs by period, and customer lifetime value."),
	N_("Columns are periods (default: the last 4 months up to --at or today). On-time delivery:\n"
	"milestones due in the period done by their due date. First-contact resolution: tickets\n"
	"resolved within an hour of the first response, never reopened. Complaint handling: median\n"
	"hours from opened to resolved. Collection rate: share of the amount due in the period\n"
	"that was paid. Receivable days: outstanding / the last 90 days' invoicing x 90. NPS and\n"
	"CSAT: answers in the period. Retention: of the customers won at the period's start, the\n"
	"share not churned at its end (churn: the share churned). Lead conversion: of the period's\n"
	"leads and prospects, the share won by its end. These read each customer's stage history\n"
	"(its stage_since days). Revenue per member: invoiced / members. Utilisation: billable\n"
	"hours over the members' capacity (hours a week, default 40) for the period.\n"
	"Customer value: invoiced to date, and margin after the cost of their projects so far.\n"
	"The period holding the status date counts to that date only and is marked partial\n"
	"(its column headed with *, \"partial\": true in JSON).\n"),
	CMD_WS | CMD_PAGER,
};

static int run(struct ctx *c, int argc, char **argv)
{
	const char *kind = "month", *at = NULL;
	long nper = 4;
	int rc;
	const char *periods = NULL;
	const struct opt opts[] = { { "--period", NULL, &kind, NULL },
				    { "--periods", NULL, &periods, NULL },
				    { "--at", NULL, &at, NULL },
				    { NULL, NULL, NULL, NULL } };
	if ((rc = args_parse(c, &cmd_kpi, argc, argv, opts, NULL, 0, NULL,
			     _("no arguments, only options"))))
		return rc;
	if (strcmp(kind, "month") && strcmp(kind, "quarter") && strcmp(kind, "year"))
		return usage_error(c, &cmd_kpi, "--period: '%s' is not month, quarter or year", kind);
	if (periods) {
		char *end;
		nper = strtol(periods, &end, 10);
		if (*end || nper < 1 || nper > 24)
			return usage_error(c, &cmd_kpi, "--periods: '%s' is not 1-24", periods);
	}
	if ((rc = ctx_open(c)))
		return rc;
	char date[11];
	long today;
	if ((rc = status_date(c, at, date)))
		return rc;
	date_parse(date, &today);
	/* The money KPIs read invoice_status, which computes against the status date. */
	char team[4];
	if ((rc = store_asof(c->ws->st, date, &c->err)) ||
	    (rc = store_team_currency(c->ws->st, team, &c->err)))
		return rc;
	struct kpis *k = xcalloc((size_t)nper, sizeof(*k));
	char (*labels)[16] = xcalloc((size_t)nper, 16);
	char partial_from[11] = ""; /* the current period, when it has not ended: to date */
	for (long p = 0; p < nper && !rc; p++) {
		char from[11], to[11];
		if (health_period(today, kind, (int)(nper - 1 - p), from, to, labels[p]))
			memcpy(partial_from, from, sizeof from);
		rc = store_kpis(c->ws->st, from, to, &k[p], &c->err);
	}
	/* Customer value from the same scoring pass the portfolio report uses. */
	struct cvalues vs = { NULL, 0 };
	struct health_config cfg;
	struct healths ps = { NULL, 0, 0 }, cs = { NULL, 0, 0 };
	if (!rc && !(rc = health_config_load(c->ws, &cfg, &c->err))) {
		cfg.brief = true;
		if (!(rc = health_customers(c->ws, &cfg, date, NULL, &cs, &ps, &c->err)))
			health_values_of(&cs, &ps, &vs);
	}
	healths_free(&ps);
	healths_free(&cs);
	if (rc)
		goto out;
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_obj_open(&j);
		json_key(&j, "currency"); /* of revenue and customer value */
		json_str(&j, *team ? team : NULL);
		json_key(&j, "periods");
		json_arr_open(&j);
		for (long p = 0; p < nper; p++) {
			json_obj_open(&j);
			json_key(&j, "period");
			json_str(&j, labels[p]);
			json_key(&j, "partial"); /* the current period, to the status date only */
			json_bool(&j, partial_from[0] && p == nper - 1);
			for (size_t r = 0; r < kpi_ndefs; r++) {
				json_key(&j, kpi_defs[r].key);
				double v;
				if (kpi_get(&k[p], &kpi_defs[r], &v))
					json_num(&j, v);
				else
					json_null(&j);
			}
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_key(&j, "customer_value");
		json_arr_open(&j);
		for (size_t i = 0; i < vs.n && i < 10; i++) {
			json_obj_open(&j);
			json_key(&j, "id");
			json_str(&j, vs.v[i].id);
			json_key(&j, "name");
			json_str(&j, vs.v[i].name);
			json_key(&j, "revenue");
			json_num(&j, vs.v[i].revenue);
			json_key(&j, "margin");
			json_num(&j, vs.v[i].revenue - vs.v[i].cost);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_flush(c, &b);
		buf_release(&b);
		goto out;
	}
	struct table tb;
	table_init(&tb, (size_t)nper + 1);
	table_cell(&tb, _("KPI"), C_HEAD);
	for (long p = 0; p < nper; p++) {
		char head[20];
		snprintf(head, sizeof head, "%s%s", labels[p], partial_from[0] && p == nper - 1 ? "*" : "");
		table_cell(&tb, head, C_HEAD);
		table_right(&tb, (size_t)p + 1);
	}
	for (size_t r = 0; r < kpi_ndefs; r++) {
		table_cell(&tb, _(kpi_defs[r].label), C_RESET);
		for (long p = 0; p < nper; p++) {
			char cell[32] = "-";
			double v;
			if (kpi_get(&k[p], &kpi_defs[r], &v))
				snprintf(cell, sizeof cell, kpi_defs[r].fmt, v);
			table_cell(&tb, cell, cell[0] == '-' && !cell[1] ? C_MUTED : C_RESET);
		}
	}
	table_print(c, &tb, 0);
	table_free(&tb);
	if (partial_from[0] && !strcmp(kind, "year"))
		fprintf(c->out, _("* %s to date (%s to %s): not a whole year, so not comparable with the "
				  "others\n"),
			labels[nper - 1], partial_from, date);
	else if (partial_from[0] && !strcmp(kind, "quarter"))
		fprintf(c->out, _("* %s to date (%s to %s): not a whole quarter, so not comparable with "
				  "the others\n"),
			labels[nper - 1], partial_from, date);
	else if (partial_from[0])
		fprintf(c->out, _("* %s to date (%s to %s): not a whole month, so not comparable with the "
				  "others\n"),
			labels[nper - 1], partial_from, date);
	if (*team)
		fprintf(c->out, _("Money in %s: amounts in other currencies at the newest rate on or "
				  "before their date.\n"),
			team);
	fputc('\n', c->out);
	fprintf(c->out, _("Customer lifetime value (to %s)\n"), date);
	table_init(&tb, 4);
	table_cell(&tb, _("CUSTOMER"), C_HEAD);
	table_cell(&tb, _("REVENUE"), C_HEAD);
	table_cell(&tb, _("MARGIN"), C_HEAD);
	/* xgettext:no-c-format */
	table_cell(&tb, _("MARGIN %"), C_HEAD);
	table_right(&tb, 1);
	table_right(&tb, 2);
	table_right(&tb, 3);
	for (size_t i = 0; i < vs.n && i < 10 && vs.v[i].revenue > 0; i++) {
		char *rev = fmt_amount(vs.v[i].revenue, team),
		     *mar = fmt_amount(vs.v[i].revenue - vs.v[i].cost, team);
		char pct[16];
		snprintf(pct, sizeof pct, "%.0f%%", 100 * (vs.v[i].revenue - vs.v[i].cost) / vs.v[i].revenue);
		table_cell(&tb, vs.v[i].name, C_RESET);
		table_cell(&tb, rev, C_RESET);
		table_cell(&tb, mar, vs.v[i].revenue >= vs.v[i].cost ? C_GOOD : C_BAD);
		table_cell(&tb, pct, C_RESET);
		free(rev);
		free(mar);
	}
	table_print(c, &tb, 0);
	table_free(&tb);
out:
	free(k);
	free(labels);
	cvalues_free(&vs);
	return rc;
}
