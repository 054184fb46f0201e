/*
 * report.c — `rapport report health|status|portfolio` and `rapport portal CUSTOMER`: the
 * command side of src/report. It resolves names, picks the format (from --format, else -o's
 * extension, else text), supplies history from snapshots (--at REV reports on a past snapshot
 * rebuilt in memory; the status report's "what changed" reads the snapshot before --since),
 * and writes the file whole or not at all.
 */
#include "cmd.h"
#include "report.h"
#include "sync.h"

#include <stdlib.h>
#include <string.h>

static int run(struct ctx *c, int argc, char **argv);
static int run_portal(struct ctx *c, int argc, char **argv);

const struct command cmd_report = {
	"report", run,
	"report health|status|portfolio [--customer ID | --project ID] [--format html|md|txt] "
	"[-o FILE] [--at REV] [--since DATE]",
	N_("Write a health, project status or portfolio report (HTML, Markdown or text)."),
	N_("health: customers and projects by band, worst first, each red or amber score's 'why',\n"
	"its 12-week trend, and the open alerts (--customer or --project narrows it to one).\n"
	"status --project ID: the project's week — progress, earned value (SPI/CPI chart),\n"
	"milestones with a burn-up, what changed since the last status report of the project\n"
	"(or --since DATE; field by field when snapshots exist), risks, and next steps.\n"
	"portfolio: six months of KPIs, the risk distribution, receivables ageing, and customer\n"
	"value. HTML is one self-contained file (inline CSS and SVG, no scripts, prints on A4);\n"
	"Markdown renders on git hosts; text fits 80 columns. The format comes from --format,\n"
	"else from -o's extension (.html, .md, .txt), else text on standard output.\n"
	"--at REV reports on the data of snapshot REV, as of that snapshot's day.\n"),
	CMD_WS | CMD_PAGER,
};

const struct command cmd_portal = {
	"portal", run_portal, "portal CUSTOMER [-o DIR]",
	N_("Write a static site for one customer: their projects, milestones, requests, tickets."),
	N_("The site (index.html and a page per project, each a self-contained HTML file) shows\n"
	"the customer's projects with status and progress, visible milestones and deliverables,\n"
	"open requirements and tickets, and a timeline of what was delivered. Only\n"
	"customer-visible fields leave (the 'visible' flag of 'rapport fields', and custom\n"
	"fields added with --audience customer): never finance, internal notes, interactions,\n"
	"other customers or the team's emails. DIR defaults to portal-NAME; an existing DIR\n"
	"must be one an earlier portal wrote, and is replaced.\n"),
	CMD_WS,
};

static bool ext_format(const char *path, enum doc_format *f)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	return dot && doc_format_parse(dot + 1, f);
}

static int before(void *ctx, const char *kind, const char *id, char **text)
{
	return sync_past_read(ctx, kind, id, text);
}

static int run(struct ctx *c, int argc, char **argv)
{
	const char *kind = NULL, *customer = NULL, *project = NULL, *fmt = NULL, *path = NULL,
		   *at = NULL, *since = NULL;
	const struct opt opts[] = { { "--customer", NULL, &customer, NULL },
				    { "--project", NULL, &project, NULL },
				    { "--format", NULL, &fmt, NULL },
				    { "-o", NULL, &path, NULL },
				    { "--at", NULL, &at, NULL },
				    { "--since", NULL, &since, NULL },
				    { NULL, NULL, NULL, NULL } };
	int prc = args_parse(c, &cmd_report, argc, argv, opts, &kind, 1, NULL, N_("one report at a time"));
	if (prc)
		return prc;
	if (!kind)
		return usage_error(c, &cmd_report, "which report? health, status or portfolio");
	if (strcmp(kind, "health") && strcmp(kind, "status") && strcmp(kind, "portfolio"))
		return usage_error(c, &cmd_report, "'%s' is not a report (health, status, portfolio)", kind);
	if (customer && project)
		return usage_error(c, &cmd_report, "--customer or --project, not both");
	if (!strcmp(kind, "status") && !project)
		return usage_error(c, &cmd_report, "the status report is of one project: --project ID");
	if (!strcmp(kind, "portfolio") && (customer || project))
		return usage_error(c, &cmd_report, "the portfolio report covers every customer");
	enum doc_format f = DOC_TXT;
	if (fmt && !doc_format_parse(fmt, &f))
		return usage_error(c, &cmd_report, "--format: '%s' is not html, md or txt", fmt);
	if (!fmt && path && strcmp(path, "-") && !ext_format(path, &f))
		return usage_error(c, &cmd_report, "-o %s: say --format html, md or txt (the name "
						   "ends in none of .html, .md, .txt)", path);
	int rc;
	if ((rc = ctx_open(c)))
		return rc;

	struct ws *w = c->ws, *past = NULL;
	char cid[33], pid[33], commit[GITL_OID], date[11], since_d[11], *source = NULL;
	struct strv warnings = STRV_INIT;
	struct sync_past *hist = NULL;
	struct doc *d = NULL;
	struct buf out = BUF_INIT;
	if ((customer && (rc = ws_resolve(w, customer, "customer", cid, &c->err))) ||
	    (project && (rc = ws_resolve(w, project, "project", pid, &c->err))))
		return rc;
	if (at) {
		if ((rc = sync_materialize(w, at, &past, commit, date, &warnings, &c->err)))
			goto out;
		for (size_t i = 0; i < warnings.n; i++)
			fprintf(stderr, _("rapport: snapshot %.8s: skipped %s\n"), commit, warnings.v[i]);
		source = xasprintf(_("snapshot %.8s"), commit);
		w = past;
		/* The record asked about must exist in the snapshot, not only today. */
		const char *want = customer ? cid : project ? pid : NULL;
		struct record *r = NULL;
		if (want && ws_load(w, want, NULL, &r, &c->err) == RERR_NOTFOUND) {
			if (customer)
				rc = err_set(&c->err, RERR_INPUT,
					     "customer %.8s did not exist in snapshot %.8s", want, commit);
			else
				rc = err_set(&c->err, RERR_INPUT,
					     "project %.8s did not exist in snapshot %.8s", want, commit);
			goto out;
		}
		record_free(r);
	} else
		fmt_date(date, clock_now());

	/* Since: --since, else the last status report of this project, else a week back. */
	char meta_key[64] = "";
	if (!strcmp(kind, "status")) {
		snprintf(meta_key, sizeof meta_key, "report.status.%s", pid);
		long t;
		char *last = NULL;
		if (since) {
			time_t st;
			if (!date_relative(since, clock_now(), &st) && !datetime_parse(since, &st)) {
				rc = err_set(&c->err, RERR_INPUT, "--since: '%s' is not a date (YYYY-MM-DD)",
					     since);
				goto out;
			}
			fmt_date(since_d, st);
		} else if (!at && !store_meta_get(c->ws->st, meta_key, &last, &c->err) && last &&
			   date_parse(last, &t) && strcmp(last, date) < 0) {
			snprintf(since_d, sizeof since_d, "%.10s", last);
		} else {
			date_parse(date, &t);
			days_to_date(since_d, t - 7);
		}
		free(last);
		if (!at && (rc = sync_past_open(c->ws, since_d, &hist, &c->err)))
			goto out;
	}
	struct report_opts o = {
		.kind = kind,
		.customer = customer ? cid : NULL,
		.project = project ? pid : NULL,
		.date = date,
		.since = since_d,
		.source = source,
		.before = hist ? before : NULL,
		.before_ctx = hist,
	};
	if ((rc = report_build(w, &o, &d, &c->err)))
		goto out;
	doc_render(d, f, &out);
	if (path && strcmp(path, "-")) {
		if ((rc = file_write_atomic(path, out.data, out.len, &c->err)))
			goto out;
		if (c->tty)
			fprintf(c->out, _("Wrote %s (%zu bytes)\n"), path, out.len);
	} else
		fwrite(out.data, 1, out.len, c->out);
	/* The next status report of this project starts from today. The report is out already:
	 * a database too busy to remember that is worth a warning, not a failure. */
	if (*meta_key && !at && !since) {
		struct err me = { 0, "" };
		if (store_meta_set(c->ws->st, meta_key, date, &me))
			fprintf(stderr, _("rapport: could not note the report's date: %s\n"), me.msg);
	}
out:
	doc_free(d);
	buf_release(&out);
	sync_past_close(hist);
	strv_clear(&warnings);
	free(source);
	ws_close(past);
	return rc;
}

static int run_portal(struct ctx *c, int argc, char **argv)
{
	const char *who = NULL, *dir = NULL;
	const struct opt opts[] = { { "-o", NULL, &dir, NULL }, { NULL, NULL, NULL, NULL } };
	int prc = args_parse(c, &cmd_portal, argc, argv, opts, &who, 1, NULL, N_("one customer at a time"));
	if (prc)
		return prc;
	if (!who)
		return usage_error(c, &cmd_portal, "which customer?");
	int rc;
	char id[33], date[11];
	if ((rc = ctx_open(c)) || (rc = ws_resolve(c->ws, who, "customer", id, &c->err)))
		return rc;
	fmt_date(date, clock_now());
	char *defdir = NULL;
	if (!dir) {
		/* portal-NAME, with the name cut to letters, digits and '-'. */
		struct buf b = BUF_INIT;
		buf_adds(&b, "portal-");
		for (const char *p = ws_title(c->ws, id); *p && b.len < 60; p++) {
			unsigned char ch = (unsigned char)*p;
			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
				buf_addc(&b, (char)ch);
			else if (ch >= 'A' && ch <= 'Z')
				buf_addc(&b, (char)(ch - 'A' + 'a'));
			else if (b.data[b.len - 1] != '-')
				buf_addc(&b, '-');
		}
		while (b.len > 7 && b.data[b.len - 1] == '-')
			b.data[--b.len] = '\0';
		if (b.len == 7)
			buf_addf(&b, "%.8s", id);
		dir = defdir = buf_detach(&b);
	}
	struct portal_stats st;
	if (!(rc = portal_write(c->ws, id, dir, date, &st, &c->err))) {
		char *n[5];
		n[0] = xasprintf(P_("%ld page", "%ld pages", (unsigned long)st.pages), st.pages);
		n[1] = xasprintf(P_("%ld project", "%ld projects", (unsigned long)st.projects),
				 st.projects);
		n[2] = xasprintf(P_("%ld milestone", "%ld milestones", (unsigned long)st.milestones),
				 st.milestones);
		n[3] = xasprintf(P_("%ld requirement", "%ld requirements",
				    (unsigned long)st.requirements),
				 st.requirements);
		n[4] = xasprintf(P_("%ld ticket", "%ld tickets", (unsigned long)st.tickets),
				 st.tickets);
		/* TRANSLATORS: the directory, then pages, projects, milestones, requirements and
		 * tickets, each counted ("3 pages"). */
		fprintf(c->out, _("Wrote %s: %s, %s, %s, %s, %s\n"), dir, n[0], n[1], n[2], n[3], n[4]);
		for (int i = 0; i < 5; i++)
			free(n[i]);
	}
	free(defdir);
	return rc;
}
