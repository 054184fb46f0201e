/*
 * process.h — the process engine (rapport-process(5)). A process governs one kind (project,
 * contract, milestone, change): an ordered list of stages, each with an owner, an SLA in
 * working days, an entry condition, an exit checklist and approval steps. A governed record's
 * stage (its F_DERIVED field: a project's phase, a contract's state) is never written: the
 * database derives it from the record's transition and approval records (store.h), which
 * this engine writes. Their ids derive from (record, process, stage, step, round), so two
 * replicas advancing at once write the same records, and sync merges them field by field.
 *
 * Errors: 0 or negative RERR_*. RERR_INPUT for what the user asked that the process does not
 * allow (a blocked gate, an approval that is not theirs, an unknown stage), with a message
 * that says why and what to do; nothing is written then.
 */
#ifndef RAPPORT_PROCESS_H
#define RAPPORT_PROCESS_H

#include "calendar.h"
#include "workspace.h"

struct proc {
	struct record *r; /* the process record; NULL: none governs */
	struct procdef d;
};
void proc_free(struct proc *p);

/* The process a record follows: its `process` field, else its kind's default (the enabled
 * process of that kind marked default, or the only enabled one). p->r is NULL when none. */
int process_for(struct ws *w, const struct record *r, struct proc *p, struct err *e);
/* A process by name or id. */
int process_get(struct ws *w, const char *ref, struct proc *p, struct err *e);
/* The derived stage field of a kind (NULL: the kind is not governed by processes). */
const struct field *process_stage_field(const struct kindinfo *ki);

/* The team's working calendar (settings calendar.weekend, calendar.holidays,
 * calendar.workdays). */
int process_calendar(struct ws *w, struct calendar *cal, struct err *e);

/* What stands between a record and a stage. */
struct gate_item {
	char *what; /* "check budget > 0", "milestone Blueprint signed", "approval by Li Wei" */
	bool ok;
	char *why;  /* NULL when ok */
};
struct gate {
	char *stage;        /* the current stage, NULL before the first */
	char *next;         /* the stage an advance goes to, NULL at the last */
	bool stale;         /* the current stage is no longer in the process */
	int round;          /* the round of leaving the current stage */
	struct gate_item *v;
	size_t n;
	size_t pending;     /* approvals of this round still to decide */
	char entered[21];   /* when the record entered its stage ("" unknown) */
	long sla_left;      /* working days left of the stage's SLA; LONG_MIN when none */
};
void gate_free(struct gate *g);
/* Evaluates the exit checklist of the record's stage and the entry condition of `to` (NULL:
 * the next stage) at today's date. Approvals are listed as items too. */
int process_gate(struct ws *w, const struct record *r, const struct proc *p, const char *to,
		 struct gate *g, struct err *e);

struct advance {
	char *from, *to;     /* the stage left (NULL: entering the process) and the one asked */
	bool moved;          /* the record is now at `to` */
	struct strv raised;  /* ids of the approvals raised (pending first step, waiting rest) */
	struct strv decided; /* with a decision: what it settled, as lines for people */
};
void advance_free(struct advance *a);

/* Moves a record to the next stage (or to `to`): checks the gate; raises the stage's
 * approvals (their conditions evaluated now, stored with them) or, when none apply, writes
 * the transition. With override the gate and approvals are passed by: only members whose
 * role the process's `override` lists may, with a reason; pending approvals become
 * overridden; a rule (stage-override) raises an alert. */
int process_advance(struct ws *w, const char *ref, const char *to, bool override,
		    const char *reason, struct advance *out, struct err *e);

/* Decides an approval: "approve", "reject" (a reason is required) or "withdraw" (by whoever
 * asked for it, or the record's owner). Only the approver decides their own; a customer
 * contact's is recorded by a team member with evidence. The last approval of the last step
 * moves the record. */
int process_decide(struct ws *w, const char *approval, const char *verb, const char *reason,
		   const char *evidence, struct advance *out, struct err *e);

/* Creates the default processes (rapport-process(5) DEFAULT PROCESSES) when the workspace has
 * never had any. Their ids derive from their names, so replicas seeding them merge. */
int process_seed(struct ws *w, struct err *e);

/* The process file's text of a process record: "process NAME", its header, its stages. */
void process_text(struct buf *b, const struct record *r);

/* ---- templates (rapport-process(5) TEMPLATES) ---- */
struct template_built {
	long phases, tasks, milestones;
	char due[11];
};
/* Adds `project` (not yet written; it must have its start) built from template `name`: the
 * template's process, the project entering its first stage, a summary task per phase, its
 * tasks and milestones dated in working days from the start on the team calendar, owners
 * resolved for the project, milestones the customer accepts entered in their acceptance
 * process, and the project's due date the plan's end unless given. One transaction. A
 * workspace that never had processes or templates is given the defaults first. */
int template_build(struct ws *w, struct record *project, const char *name,
		   struct template_built *out, struct err *e);
/* The template file's text of a template record. */
void template_text(struct buf *b, const struct record *r);
/* Creates the default template (erp-standard) when the workspace has never had one. */
int template_seed(struct ws *w, struct err *e);

#endif
