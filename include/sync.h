/*
 * sync.h — team sync: snapshots of the database as text in a bare git repository
 * inside .rapport/, the record-level three-way merge, import of merged snapshots into the
 * database, and the exchange with remotes. Also the history built on snapshots: log, diff,
 * restore, and conflicts.
 *
 * Invariants kept here: nothing saved is lost (every value survives or is kept as a conflict);
 * replicas that exchanged the same commits hold the same data; a crash at any point leaves a
 * workspace the next sync completes (the database records the snapshot it holds, and the branch
 * only moves after the database committed); nothing from a remote runs, becomes a file, or
 * reaches the database without passing the same checks as typed input.
 *
 * Errors: 0 or negative RERR_*; problems with single files from a remote are not errors but
 * warnings in the report (path and reason), and the rest of the sync goes on.
 */
#ifndef RAPPORT_SYNC_H
#define RAPPORT_SYNC_H

#include "gitlayer.h"
#include "workspace.h"

#define SYNC_REPO "snapshots.git"
#define SYNC_BRANCH "refs/heads/main"
#define SYNC_FORMAT "rapport snapshot 1\n"
#define SYNC_MAX_FILE (1u << 20) /* a record file larger than this from a remote is refused */

struct sync_report {
	long exported;  /* records written into a new snapshot */
	long imported;  /* records that came into the database */
	long conflicts; /* new conflicts recorded by merges */
	long held;      /* remote files held: the tree keeps them, the database could not take them */
	long broken;    /* records imported although they break a whole-record rule */
	long restored;  /* records the remote's tree lost, written again by the next snapshot */
	long skewed;    /* records whose rev was too far ahead of this clock to be observed */
	long long skew_ms;     /* the furthest ahead of those, in ms */
	char skew_replica[17]; /* and the replica that wrote it */
	bool committed, merged, pushed, fetched, remote_empty;
	int retries;
	char head[GITL_OID];
	struct strv warnings; /* remote files held or otherwise reported: "PATH: reason" */
};
void sync_report_free(struct sync_report *r);

/* The team setting sync.max_skew (how far a rev may be ahead of the wall clock and still be
 * adopted): a number of hours, or "90m", "36h", "2d". */
int sync_skew_parse(const char *v, long long *ms, struct err *e);

/* Opens the workspace's snapshot repository (creating it) and finishes what a crashed sync left:
 * when the database already holds a snapshot the branch does not point at yet, the branch moves. */
int sync_open(struct ws *w, struct gitl **out, struct err *e);
/* Commits the records written since the last snapshot (all of them the first time). */
int sync_snapshot(struct ws *w, struct gitl *g, struct sync_report *rep, struct err *e);

enum { SYNC_PULL = 1, SYNC_PUSH = 2 };
/* snapshot → fetch → merge → import → push (as `what` asks), retrying a rejected push a few
 * times by fetching and merging again. With no remote configured, only snapshots. */
int sync_run(struct ws *w, const char *remote, unsigned what, struct sync_report *rep,
	     struct err *e);
/* The first remote's name ("origin" when there is one), or NULL. */
char *sync_default_remote(struct gitl *g);

/* Where the workspace stands (no network, no writes): for `status` and the TUI's status bar. */
struct sync_status {
	long local;          /* records written since the last snapshot */
	long conflicts;      /* records holding conflicts */
	long held;           /* records held or marked broken by syncs (rapport conflicts) */
	long skewed;         /* the last sync that met revs too far ahead: how many, */
	long long skew_ms;   /* how far ahead at most, */
	char skew_replica[17]; /* and from which replica */
	bool have_head, have_remote;
	char head[GITL_OID];
	char remote[64];
	size_t ahead, behind; /* snapshots, against the remote as of the last fetch */
};
int sync_status(struct ws *w, struct sync_status *s, struct err *e);

/* Merges three versions of a record file (NULL: absent) — symmetric in ours and theirs.
 * *nconflicts counts true conflicts, and the fields a whole-record rule sent back. NULL when a
 * text does not parse. ki NULL (a kind this rapport does not know) merges field by field all
 * the same, fields in name order. The capped form counts a side's rev that is later than
 * cap->over (or cannot be read) as cap->as: a commit's time plus the allowed skew, and the
 * commit's time, as the time part of a rev ("YYYY-MM-DDTHH:MM:SS.mmmZ"). NULL: no cap. */
struct rev_cap {
	char over[25], as[25];
};
char *merge_record(const struct kindinfo *ki, const char *base, const char *ours,
		   const char *theirs, int *nconflicts);
char *merge_record_capped(const struct kindinfo *ki, const char *base, const char *ours,
			  const char *theirs, const struct rev_cap *ocap, const struct rev_cap *tcap,
			  int *nconflicts);

/* Where a record lives in a snapshot: "<kind>/<id[0:2]>/<id>". */
void sync_path(char *out, size_t n, const char *kind, const char *id);
/* Splits a snapshot path into kind and id; false when it is not a record path. */
bool sync_parse_path(const char *path, char kind[32], char id[33]);


/* The workspace as snapshot `rev` holds it: a new in-memory workspace with every record (and
 * custom field) of that commit, read as strictly as a sync reads a remote; files that fail are
 * listed in warnings and left out. commit and date (YYYY-MM-DD, the commit's day) say which. */
int sync_materialize(struct ws *w, const char *rev, struct ws **out, char commit[GITL_OID],
		     char date[11], struct strv *warnings, struct err *e);

/* Records as the newest snapshot made before a day held them: for "what changed since". Opens
 * nothing (and *out stays NULL) when there are no snapshots or none is that old. */
struct sync_past;
int sync_past_open(struct ws *w, const char *date, struct sync_past **out, struct err *e);
/* The record's file text then (owned), or *text NULL when it did not exist. */
int sync_past_read(struct sync_past *p, const char *kind, const char *id, char **text);
const char *sync_past_commit(const struct sync_past *p);
void sync_past_close(struct sync_past *p);

#endif
