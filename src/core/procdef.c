/*
 * procdef.c — the stages of a process as text (rapport-process(5)): parsing the `stages` field
 * of a process record into stages with their owner, SLA, entry condition, exit checklist and
 * approval steps, checking the names it uses against the governed kind, and writing it back in
 * one canonical form, so that what a team reviews, what sync compares and what the engine runs
 * are the same bytes. Conditions stay SQL text here: the rules' sandbox compiles them
 * (workspace.c), the process engine runs them (src/process).
 */
#include "core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STAGES 64
#define MAX_ITEMS 64

void procdef_free(struct procdef *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct pstage *s = &d->v[i];
		free(s->code);
		free(s->label);
		free(s->owner);
		free(s->entry);
		for (size_t k = 0; k < s->nchecks; k++)
			free(s->checks[k].arg);
		free(s->checks);
		for (size_t k = 0; k < s->nsteps; k++) {
			free(s->steps[k].who);
			free(s->steps[k].when);
		}
		free(s->steps);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

int procdef_find(const struct procdef *d, const char *code)
{
	for (size_t i = 0; code && i < d->n; i++)
		if (!strcmp(d->v[i].code, code))
			return (int)i;
	return -1;
}

static bool code_ok(const char *s, size_t n)
{
	if (!n || n > 40 || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return true;
}

/* A WHO: role:ROLE, member:NAME, contact:ROLE, or a path of reference fields ending at a
 * member (manager, manager.reports_to, project.manager). */
static bool who_ok(const char *w)
{
	if (!strncmp(w, "role:", 5) || !strncmp(w, "contact:", 8))
		return code_ok(strchr(w, ':') + 1, strlen(strchr(w, ':') + 1));
	if (!strncmp(w, "member:", 7))
		return w[7] != '\0';
	int parts = 0;
	for (const char *p = w;; parts++) {
		size_t n = strcspn(p, ".");
		if (!code_ok(p, n) || parts >= 4)
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static const struct {
	const char *word;
	enum pitem kind;
	bool arg;
} items[] = {
	{ "require", PI_REQUIRE, true },	  { "check", PI_CHECK, true },
	{ "milestone", PI_MILESTONE, true },	  { "no-blockers", PI_NO_BLOCKERS, false },
	{ "tasks-done", PI_TASKS_DONE, false },
};

const char *procdef_item_word(enum pitem k)
{
	for (size_t i = 0; i < ARRAY_LEN(items); i++)
		if (items[i].kind == k)
			return items[i].word;
	return "?";
}

/* "WHO [any|all] [when EXPR]" */
static int parse_step(const char *rest, int line, struct pstep *st, struct err *e)
{
	size_t n = strcspn(rest, " \t");
	memset(st, 0, sizeof *st);
	st->line = line;
	st->who = xstrndup(rest, n);
	if (!who_ok(st->who))
		return err_set(e, RERR_INPUT,
			       "line %d: approve '%s': who decides is a member field (manager), a path "
			       "to one (manager.reports_to), role:ROLE, member:NAME or contact:ROLE",
			       line, st->who);
	const char *p = rest + n;
	p += strspn(p, " \t");
	if (!strncmp(p, "all", 3) && (!p[3] || isspace((unsigned char)p[3]))) {
		st->all = true;
		p += 3;
	} else if (!strncmp(p, "any", 3) && (!p[3] || isspace((unsigned char)p[3])))
		p += 3;
	p += strspn(p, " \t");
	if (!strncmp(p, "when", 4) && (!p[4] || isspace((unsigned char)p[4]))) {
		p += 4;
		p += strspn(p, " \t");
		if (!*p)
			return err_set(e, RERR_INPUT, "line %d: approve %s: 'when' needs a condition",
				       line, st->who);
		st->when = xstrdup(p);
	} else if (*p)
		return err_set(e, RERR_INPUT,
			       "line %d: approve %s: '%s' is not 'any', 'all' or 'when CONDITION'",
			       line, st->who, p);
	return 0;
}

static int stage_line(struct pstage *s, const char *word, size_t wn, const char *rest, int line,
		      struct err *e)
{
#define IS(w) (wn == strlen(w) && !strncmp(word, w, wn))
	if (IS("label") || IS("owner") || IS("entry") || IS("sla")) {
		char **slot = IS("label") ? &s->label : IS("owner") ? &s->owner : IS("entry") ? &s->entry : NULL;
		if (!*rest)
			return err_set(e, RERR_INPUT, "line %d: '%.*s' needs a value", line, (int)wn, word);
		if (!slot) {
			char *end;
			long v = strtol(rest, &end, 10);
			if (*end || v < 0 || v > 1000 || !isdigit((unsigned char)rest[0]))
				return err_set(e, RERR_INPUT,
					       "line %d: sla '%s' is not a number of working days (0 to "
					       "1000)",
					       line, rest);
			s->sla = (int)v;
			return 0;
		}
		if (*slot)
			return err_set(e, RERR_INPUT, "line %d: stage %s has a second '%.*s'", line,
				       s->code, (int)wn, word);
		if (slot == &s->owner && !who_ok(rest))
			return err_set(e, RERR_INPUT,
				       "line %d: owner '%s' is a member field (manager), a path to one "
				       "(manager.reports_to), role:ROLE, member:NAME or contact:ROLE",
				       line, rest);
		*slot = xstrdup(rest);
		if (slot == &s->entry)
			s->entry_line = line;
		return 0;
	}
	if (IS("approve")) {
		if (s->nsteps >= MAX_ITEMS)
			return err_set(e, RERR_INPUT, "line %d: more than %d approval steps", line,
				       MAX_ITEMS);
		s->steps = xrealloc(s->steps, (s->nsteps + 1) * sizeof(*s->steps));
		int rc = parse_step(rest, line, &s->steps[s->nsteps], e);
		s->nsteps++;
		return rc;
	}
	for (size_t i = 0; i < ARRAY_LEN(items); i++)
		if (IS(items[i].word)) {
			if (items[i].arg && !*rest && items[i].kind == PI_REQUIRE)
				return err_set(e, RERR_INPUT, "line %d: '%s' needs a field", line,
					       items[i].word);
			if (items[i].arg && !*rest && items[i].kind == PI_CHECK)
				return err_set(e, RERR_INPUT, "line %d: '%s' needs a condition", line,
					       items[i].word);
			if (items[i].arg && !*rest)
				return err_set(e, RERR_INPUT, "line %d: '%s' needs a milestone's name",
					       line, items[i].word);
			if (!items[i].arg && *rest)
				return err_set(e, RERR_INPUT, "line %d: '%s' takes nothing after it", line,
					       items[i].word);
			if (s->nchecks >= MAX_ITEMS)
				return err_set(e, RERR_INPUT, "line %d: more than %d checks", line,
					       MAX_ITEMS);
			s->checks = xrealloc(s->checks, (s->nchecks + 1) * sizeof(*s->checks));
			s->checks[s->nchecks++] =
				(struct pcheck){ items[i].kind, *rest ? xstrdup(rest) : NULL, line };
			return 0;
		}
	return err_set(e, RERR_INPUT,
		       "line %d: '%.*s' is not a stage line (label, owner, sla, entry, require, "
		       "check, milestone, no-blockers, tasks-done, approve)",
		       line, (int)wn, word);
#undef IS
}

/* The next line of a definition that says something: trimmed both ends, in *buf (the
 * caller's, freed and replaced each call), its number counted in *line; NULL at the end.
 * Blank lines and '#' comments are skipped. */
static char *next_line(const char **p, int *line, char **buf)
{
	while (**p) {
		const char *nl = strchr(*p, '\n');
		size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
		free(*buf);
		*buf = xstrndup(*p, n);
		(*line)++;
		*p += n + (nl ? 1 : 0);
		char *s = *buf + strspn(*buf, " \t");
		size_t len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		if (*s && *s != '#')
			return s;
	}
	return NULL;
}

int procdef_parse(const char *text, int line0, struct procdef *out, struct err *e)
{
	int rc = 0, line = line0 - 1;
	struct pstage *cur = NULL;
	memset(out, 0, sizeof *out);
	const char *p = text ? text : "";
	char *ln = NULL, *s;
	while (!rc && (s = next_line(&p, &line, &ln))) {
		size_t wn = strcspn(s, " \t");
		const char *rest = s + wn + strspn(s + wn, " \t");
		if (wn == 5 && !strncmp(s, "stage", 5)) {
			size_t cn = strcspn(rest, " \t");
			if (!code_ok(rest, cn))
				rc = err_set(e, RERR_INPUT,
					     "line %d: a stage's code is lower-case letters, digits, '_' "
					     "or '-' (at most 40), not '%.*s'",
					     line, (int)cn, rest);
			else if (out->n >= MAX_STAGES)
				rc = err_set(e, RERR_INPUT, "line %d: more than %d stages", line,
					     MAX_STAGES);
			else {
				char *code = xstrndup(rest, cn);
				if (procdef_find(out, code) >= 0) {
					rc = err_set(e, RERR_INPUT, "line %d: a second stage '%s'", line,
						     code);
					free(code);
				} else {
					out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
					cur = &out->v[out->n++];
					memset(cur, 0, sizeof *cur);
					cur->code = code;
					cur->line = line;
					cur->sla = -1;
					const char *lab = rest + cn + strspn(rest + cn, " \t");
					if (*lab)
						cur->label = xstrdup(lab);
				}
			}
		} else if (!cur)
			rc = err_set(e, RERR_INPUT, "line %d: the stages start with a 'stage CODE' line",
				     line);
		else
			rc = stage_line(cur, s, wn, rest, line, e);
	}
	free(ln);
	if (!rc && !out->n)
		rc = err_set(e, RERR_INPUT, "a process needs at least one stage");
	if (rc)
		procdef_free(out);
	return rc;
}

/* A path of reference fields from the governed kind that ends at a member. */
static int member_path(const struct schema *sc, const struct kindinfo *ki, const char *who,
		       int line, struct err *e)
{
	const struct kindinfo *at = ki;
	for (const char *p = who; at;) {
		size_t n = strcspn(p, ".");
		char name[48];
		snprintf(name, sizeof name, "%.*s", (int)(n < 47 ? n : 47), p);
		const struct field *f = kind_field(at, name);
		if (!f || f->type != FT_REF || !f->ref)
			return err_set(e, RERR_INPUT, "line %d: '%s': %s has no field '%s' naming a "
						      "record",
				       line, who, at->k->name, name);
		at = schema_kind(sc, f->ref);
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!at)
		return err_set(e, RERR_INPUT, "line %d: '%s' names a record, not a member", line,
			       who);
	if (strcmp(at->k->name, "member"))
		return err_set(e, RERR_INPUT, "line %d: '%s' names a %s, not a member", line, who,
			       at->k->name);
	return 0;
}

static int who_check(const struct schema *sc, const struct kindinfo *ki, const char *who,
		     int line, struct err *e)
{
	if (!strncmp(who, "member:", 7))
		return 0; /* a name: the workspace resolves it when the process is written */
	const char *role = strchr(who, ':');
	if (!role)
		return member_path(sc, ki, who, line, e);
	const struct kindinfo *k = schema_kind(sc, who[0] == 'r' ? "member" : "contact");
	const struct field *f = k ? kind_field(k, "role") : NULL;
	if (f && !choice_ok(f->choices, role + 1))
		return err_set(e, RERR_INPUT, "line %d: '%s': a %s's role is one of %s", line, who,
			       k->k->name, f->choices);
	return 0;
}

int procdef_check(const struct procdef *d, const struct schema *sc, const struct kindinfo *ki,
		  struct err *e)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct pstage *s = &d->v[i];
		int rc = s->owner ? who_check(sc, ki, s->owner, s->line, e) : 0;
		for (size_t k = 0; !rc && k < s->nsteps; k++)
			rc = who_check(sc, ki, s->steps[k].who, s->steps[k].line, e);
		for (size_t k = 0; !rc && k < s->nchecks; k++) {
			const struct pcheck *c = &s->checks[k];
			if (c->kind == PI_REQUIRE && (!kind_field(ki, c->arg) ||
						      (kind_field(ki, c->arg)->flags & F_DERIVED)))
				rc = err_set(e, RERR_INPUT, "line %d: require %s: %s has no field '%s'",
					     c->line, c->arg, ki->k->name, c->arg);
			else if ((c->kind == PI_MILESTONE || c->kind == PI_TASKS_DONE) &&
				 strcmp(ki->k->name, "project"))
				rc = err_set(e, RERR_INPUT, "line %d: '%s' is a check of projects",
					     c->line, procdef_item_word(c->kind));
		}
		if (rc)
			return rc;
	}
	return 0;
}

void procdef_text(struct buf *b, const struct procdef *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct pstage *s = &d->v[i];
		if (i)
			buf_addc(b, '\n');
		buf_addf(b, "stage %s%s%s\n", s->code, s->label ? " " : "", s->label ? s->label : "");
		if (s->owner)
			buf_addf(b, "  owner %s\n", s->owner);
		if (s->sla >= 0)
			buf_addf(b, "  sla %d\n", s->sla);
		if (s->entry)
			buf_addf(b, "  entry %s\n", s->entry);
		for (size_t k = 0; k < s->nchecks; k++)
			buf_addf(b, "  %s%s%s\n", procdef_item_word(s->checks[k].kind),
				 s->checks[k].arg ? " " : "", s->checks[k].arg ? s->checks[k].arg : "");
		for (size_t k = 0; k < s->nsteps; k++)
			buf_addf(b, "  approve %s%s%s%s\n", s->steps[k].who, s->steps[k].all ? " all" : "",
				 s->steps[k].when ? " when " : "", s->steps[k].when ? s->steps[k].when : "");
	}
}

/* ---- project templates: the work breakdown a template builds (rapport-process(5)) ---- */

void wbsdef_free(struct wbsdef *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].code);
		free(d->v[i].owner);
		free(d->v[i].deliverable);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

static int number(const char *s, size_t n, long lo, long hi, long *out)
{
	char b[24], *end;
	if (!n || n >= sizeof b)
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	long v = strtol(b, &end, 10);
	if (*end || !isdigit((unsigned char)b[0]) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "; owner WHO", "; key", "; estimate H", "; deliverable TEXT", "; accept", "; weight N" */
static int wbs_attr(struct witem *it, const char *a, int line, struct err *e)
{
	size_t wn = strcspn(a, " \t");
	const char *v = a + wn + strspn(a + wn, " \t");
	bool task = it->kind == WI_TASK;
#define IS(w) (wn == strlen(w) && !strncmp(a, w, wn))
	if (task && IS("owner") && *v) {
		if (!who_ok(v))
			return err_set(e, RERR_INPUT, "line %d: owner '%s' is a member field (manager), a "
						      "path to one, role:ROLE or member:NAME",
				       line, v);
		free(it->owner);
		it->owner = xstrdup(v);
	} else if (task && IS("key") && !*v)
		it->key = true;
	else if (task && IS("estimate") && *v) {
		char *end;
		it->estimate = strtod(v, &end);
		if (*end || it->estimate < 0 || it->estimate > 1e6)
			return err_set(e, RERR_INPUT, "line %d: estimate '%s' is not a number of hours",
				       line, v);
	} else if (!task && IS("deliverable") && *v) {
		free(it->deliverable);
		it->deliverable = xstrdup(v);
	} else if (!task && IS("accept") && !*v)
		it->accept = true;
	else if (task)
		return err_set(e, RERR_INPUT,
			       "line %d: '%s' is not one of a task's: owner WHO, key, estimate HOURS",
			       line, a);
	else
		return err_set(e, RERR_INPUT,
			       "line %d: '%s' is not one of a milestone's: deliverable TEXT, accept",
			       line, a);
	return 0;
#undef IS
}

int wbsdef_parse(const char *text, int line0, struct wbsdef *out, struct err *e)
{
	int rc = 0, line = line0 - 1, phase = -1;
	memset(out, 0, sizeof *out);
	const char *p = text ? text : "";
	char *ln = NULL, *s;
	while (!rc && (s = next_line(&p, &line, &ln))) {
		if (out->n >= 2000) {
			rc = err_set(e, RERR_INPUT, "line %d: more than 2000 items", line);
			break;
		}
		size_t wn = strcspn(s, " \t");
		const char *rest = s + wn + strspn(s + wn, " \t");
		struct witem it = { .line = line, .phase = phase };
		if (wn == 5 && !strncmp(s, "phase", 5)) {
			size_t cn = strcspn(rest, " \t");
			it.kind = WI_PHASE;
			it.phase = -1;
			if (!code_ok(rest, cn))
				rc = err_set(e, RERR_INPUT, "line %d: a phase names its stage's code, not '%.*s'",
					     line, (int)cn, rest);
			else {
				it.code = xstrndup(rest, cn);
				const char *lab = rest + cn + strspn(rest + cn, " \t");
				it.name = xstrdup(*lab ? lab : it.code);
				phase = (int)out->n;
			}
		} else if ((wn == 4 && !strncmp(s, "task", 4)) || (wn == 9 && !strncmp(s, "milestone", 9))) {
			it.kind = s[0] == 't' ? WI_TASK : WI_MILESTONE;
			/* task OFFSET DAYS NAME[; attr]... / milestone OFFSET NAME[; attr]... */
			char *semi = strchr(rest, ';');
			char *head = xstrndup(rest, semi ? (size_t)(semi - rest) : strlen(rest));
			size_t hl = strlen(head);
			while (hl && isspace((unsigned char)head[hl - 1]))
				head[--hl] = '\0';
			const char *q = head;
			size_t a = strcspn(q, " \t");
			long off = 0, days = 1;
			if (number(q, a, 0, 10000, &off))
				rc = err_set(e, RERR_INPUT, "line %d: '%.*s' is not an offset in working days "
							    "(0 to 10000)",
					     line, (int)a, q);
			q += a;
			q += strspn(q, " \t");
			if (!rc && it.kind == WI_TASK) {
				size_t b = strcspn(q, " \t");
				if (number(q, b, 1, 10000, &days))
					rc = err_set(e, RERR_INPUT, "line %d: '%.*s' is not a number of "
								    "working days (1 to 10000)",
						     line, (int)b, q);
				q += b;
				q += strspn(q, " \t");
			}
			if (!rc && !*q && it.kind == WI_TASK)
				rc = err_set(e, RERR_INPUT, "line %d: the task has no name", line);
			if (!rc && !*q && it.kind != WI_TASK)
				rc = err_set(e, RERR_INPUT, "line %d: the milestone has no name", line);
			if (!rc) {
				it.offset = (int)off;
				it.days = (int)days;
				it.name = xstrdup(q);
			}
			free(head);
			for (const char *at = semi; !rc && at;) {
				const char *next = strchr(at + 1, ';');
				char *attr = xstrndup(at + 1, next ? (size_t)(next - at - 1) : strlen(at + 1));
				char *t = attr + strspn(attr, " \t");
				size_t tl = strlen(t);
				while (tl && isspace((unsigned char)t[tl - 1]))
					t[--tl] = '\0';
				rc = wbs_attr(&it, t, line, e);
				free(attr);
				at = next;
			}
		} else
			rc = err_set(e, RERR_INPUT, "line %d: '%.*s' is not a template line (phase, task, "
						    "milestone)",
				     line, (int)wn, s);
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = it;
	}
	free(ln);
	if (!rc && !out->n)
		rc = err_set(e, RERR_INPUT, "a template needs at least one task or milestone");
	if (rc)
		wbsdef_free(out);
	return rc;
}

int wbsdef_check(const struct wbsdef *d, const struct procdef *stages, const struct schema *sc,
		 struct err *e)
{
	const struct kindinfo *pk = schema_kind(sc, "project");
	for (size_t i = 0; i < d->n; i++) {
		const struct witem *it = &d->v[i];
		if (it->kind == WI_PHASE && stages && procdef_find(stages, it->code) < 0)
			return err_set(e, RERR_INPUT, "line %d: phase %s is not a stage of the template's "
						      "process",
				       it->line, it->code);
		if (it->owner) {
			int rc = who_check(sc, pk, it->owner, it->line, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

void wbsdef_text(struct buf *b, const struct wbsdef *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct witem *it = &d->v[i];
		if (it->kind == WI_PHASE) {
			buf_addf(b, "%sphase %s", i ? "\n" : "", it->code);
			if (strcmp(it->name, it->code))
				buf_addf(b, " %s", it->name);
			buf_addc(b, '\n');
			continue;
		}
		const char *ind = it->phase >= 0 ? "  " : "";
		if (it->kind == WI_TASK) {
			buf_addf(b, "%stask %d %d %s", ind, it->offset, it->days, it->name);
			if (it->owner)
				buf_addf(b, "; owner %s", it->owner);
			if (it->key)
				buf_adds(b, "; key");
			if (it->estimate > 0)
				buf_addf(b, "; estimate %g", it->estimate);
		} else {
			buf_addf(b, "%smilestone %d %s", ind, it->offset, it->name);
			if (it->deliverable)
				buf_addf(b, "; deliverable %s", it->deliverable);
			if (it->accept)
				buf_adds(b, "; accept");
		}
		buf_addc(b, '\n');
	}
}
