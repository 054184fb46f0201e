/*
 * git_int.h — the git layer's private parts, shared by src/git only.
 */
#ifndef RAPPORT_GIT_INT_H
#define RAPPORT_GIT_INT_H

#include <git2.h>

struct gitl {
	git_repository *repo;
	git_odb_backend *mempack; /* set between gitl_write_begin(many) and gitl_write_end */
};

/* Fills e from libgit2's last error: "what: message". Returns a RERR_* code. */
int gitl_fail(struct err *e, int rc, const char *what);

#endif
