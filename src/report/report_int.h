/*
 * report_int.h — what the report builders (report.c, portal.c) share and nobody else needs.
 * Errors follow rapport.h.
 */
#ifndef RAPPORT_REPORT_INT_H
#define RAPPORT_REPORT_INT_H

#include "report.h"

/* Records of a kind matching filters (a NULL-terminated list of "field=value" strings as
 * `rapport list` takes them), in `sort` order (NULL: the kind's own); deleted: 0 live ones,
 * 2 deleted ones too. out is emptied first and left empty on error. */
int report_fetch(struct ws *w, const char *kind, const char *sort, int deleted, struct recs *out,
		 struct err *e, ...);

/* A project's progress as reports and the portal state it: the share of its planned work done,
 * each task weighted by its estimate (1 without one), done tasks whole, others by their
 * progress. -1 when the project has no tasks; *done counts the done tasks. */
double report_progress(const struct recs *tasks, long *done);

#endif
