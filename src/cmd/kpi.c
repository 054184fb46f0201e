/*
 * kpi.c — `rapport kpi [--period month|quarter|year] [--periods N] [--at DATE] [--json]`: the
 * portfolio's key indicators over the last periods — on-time delivery, first-contact
 * resolution, complaint handling time, collection rate, receivable days, NPS, CSAT, retention,
 * revenue — and customer lifetime value (revenue to date and margin), highest first.
 */
#include "cmd.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_kpi = {
	"kpi", run, "kpi [--period month|quarter|year] [--periods N] [--at DATE] [--json]",
	"Portfolio KPIs by period, and customer lifetime value.",
	"Columns are periods (default: the last 4 months up to --at or today). On-time delivery:\n"
	"milestones due in the period done by their due date. First-contact resolution: tickets\n"
	"resolved within an hour of the first response, never reopened. Complaint handling: median\n"
	"hours from opened to resolved. Collection rate: share of the amount due in the period\n"
	"that was paid. Receivable days: outstanding / the last 90 days' invoicing x 90. NPS and\n"
	"CSAT: answers in the period. Retention: customers won before the period not churned.\n"
	"Customer value: invoiced to date, and margin after the cost of their projects so far.\n",
	CMD_WS | CMD_PAGER,
};

/* The period containing day d, as [from, to]; months back. */
static void period(long d, const char *kind, int back, char from[11], char to[11], char label[16])
{
	char ds[11];
	days_to_date(ds, d);
	int y = atoi(ds), m = atoi(ds + 5);
	int len = !strcmp(kind, "year") ? 12 : !strcmp(kind, "quarter") ? 3 : 1;
	int idx = (y * 12 + m - 1) / len * len - back * len; /* first month of the period */
	int fy = idx / 12, fm = idx % 12 + 1;
	int ly = (idx + len) / 12, lm = (idx + len) % 12 + 1;
	long first, next;
	char buf[32];
	snprintf(buf, sizeof buf, "%04d-%02d-01", fy, fm);
	date_parse(buf, &first);
	snprintf(buf, sizeof buf, "%04d-%02d-01", ly, lm);
	date_parse(buf, &next);
	days_to_date(from, first);
	days_to_date(to, next - 1);
	if (len == 12)
		snprintf(label, 16, "%04d", fy);
	else if (len == 3)
		snprintf(label, 16, "%04d-Q%d", fy, (fm - 1) / 3 + 1);
	else
		snprintf(label, 16, "%04d-%02d", fy, fm);
}

struct value {
	char id[33], name[96];
	double revenue, cost;
};
struct values {
	struct value *v;
	size_t n;
};

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct value *)a)->id, ((const struct value *)b)->id);
}

static int add_customer(const struct customer_facts *f, void *ctx)
{
	struct values *vs = ctx;
	vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
	struct value *v = &vs->v[vs->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->id, sizeof v->id, "%s", f->id);
	snprintf(v->name, sizeof v->name, "%s", f->name);
	v->revenue = f->revenue;
	return 0;
}

static int add_cost(const struct project_facts *f, void *ctx)
{
	struct values *vs = ctx;
	struct value key;
	snprintf(key.id, sizeof key.id, "%s", f->customer);
	struct value *v = vs->n ? bsearch(&key, vs->v, vs->n, sizeof(*vs->v), cmp_id) : NULL;
	if (v)
		v->cost += f->ac;
	return 0;
}

static int cmp_revenue(const void *a, const void *b)
{
	const struct value *x = a, *y = b;
	return x->revenue < y->revenue ? 1 : x->revenue > y->revenue ? -1 : strcmp(x->id, y->id);
}

static int run(struct ctx *c, int argc, char **argv)
{
	const char *kind = "month", *at = NULL;
	long nper = 4;
	int rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--period") && i + 1 < argc) {
			kind = argv[++i];
			if (strcmp(kind, "month") && strcmp(kind, "quarter") && strcmp(kind, "year"))
				return usage_error(c, &cmd_kpi, "--period: '%s' is not month, quarter or year",
						   kind);
		} else if (!strcmp(argv[i], "--periods") && i + 1 < argc) {
			char *end;
			nper = strtol(argv[++i], &end, 10);
			if (*end || nper < 1 || nper > 24)
				return usage_error(c, &cmd_kpi, "--periods: '%s' is not 1-24", argv[i]);
		} else if (!strcmp(argv[i], "--at") && i + 1 < argc)
			at = argv[++i];
		else
			return usage_error(c, &cmd_kpi, "unknown argument '%s'", argv[i]);
	}
	if ((rc = ctx_open(c)))
		return rc;
	char date[11];
	long today;
	if ((rc = status_date(c, at, date)))
		return rc;
	date_parse(date, &today);
	struct kpis *k = xcalloc((size_t)nper, sizeof(*k));
	char (*labels)[16] = xcalloc((size_t)nper, 16);
	for (long p = 0; p < nper && !rc; p++) {
		char from[11], to[11];
		period(today, kind, (int)(nper - 1 - p), from, to, labels[p]);
		rc = store_kpis(c->ws->st, from, to, &k[p], &c->err);
	}
	struct values vs = { NULL, 0 };
	if (!rc && !(rc = store_asof(c->ws->st, date, &c->err)) &&
	    !(rc = store_customer_facts(c->ws->st, NULL, add_customer, &vs, &c->err)))
		rc = store_project_facts(c->ws->st, NULL, NULL, add_cost, &vs, &c->err);
	if (rc)
		goto out;
	if (vs.n)
		qsort(vs.v, vs.n, sizeof(*vs.v), cmp_revenue);
	static const struct {
		const char *key, *label, *fmt;
		size_t off, has;
	} rows[] = {
#define R(f, l, fmt) { #f, l, fmt, offsetof(struct kpis, f), offsetof(struct kpis, has_##f) }
		R(on_time_delivery, "On-time delivery", "%.0f%%"),
		R(first_contact_resolution, "First-contact resolution", "%.0f%%"),
		R(complaint_hours, "Complaint handling (median)", "%.1f h"),
		R(collection_rate, "Collection rate", "%.0f%%"),
		R(receivable_days, "Receivable days", "%.0f d"),
		R(nps, "NPS", "%+.0f"),
		R(csat, "CSAT", "%.0f%%"),
		R(retention, "Retention", "%.0f%%"),
		R(revenue, "Revenue invoiced", "%.0f"),
#undef R
	};
	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b, c->tty);
		json_obj_open(&j);
		json_key(&j, "periods");
		json_arr_open(&j);
		for (long p = 0; p < nper; p++) {
			json_obj_open(&j);
			json_key(&j, "period");
			json_str(&j, labels[p]);
			for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
				json_key(&j, rows[r].key);
				if (*(bool *)((char *)&k[p] + rows[r].has))
					json_num(&j, *(double *)((char *)&k[p] + rows[r].off));
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
	table_cell(&tb, "KPI", C_HEAD);
	for (long p = 0; p < nper; p++) {
		table_cell(&tb, labels[p], C_HEAD);
		table_right(&tb, (size_t)p + 1);
	}
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		table_cell(&tb, rows[r].label, C_RESET);
		for (long p = 0; p < nper; p++) {
			char cell[32] = "-";
			if (*(bool *)((char *)&k[p] + rows[r].has))
				snprintf(cell, sizeof cell, rows[r].fmt, *(double *)((char *)&k[p] + rows[r].off));
			table_cell(&tb, cell, cell[0] == '-' && !cell[1] ? C_MUTED : C_RESET);
		}
	}
	table_print(c, &tb, 0);
	table_free(&tb);
	fprintf(c->out, "\nCustomer lifetime value (to %s)\n", date);
	table_init(&tb, 4);
	table_cell(&tb, "CUSTOMER", C_HEAD);
	table_cell(&tb, "REVENUE", C_HEAD);
	table_cell(&tb, "MARGIN", C_HEAD);
	table_cell(&tb, "MARGIN %", C_HEAD);
	table_right(&tb, 1);
	table_right(&tb, 2);
	table_right(&tb, 3);
	for (size_t i = 0; i < vs.n && i < 10 && vs.v[i].revenue > 0; i++) {
		char *rev = fmt_money(vs.v[i].revenue), *mar = fmt_money(vs.v[i].revenue - vs.v[i].cost);
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
	free(vs.v);
	return rc;
}
