/* test_rules.c — rules_check_record, the check a rule record gets wherever it comes from (typed,
 * loaded from a file, arriving from a remote): field checks, then its condition compiled and
 * tried in the rules' sandbox; what it refuses, and that the sandbox stays usable after. */
#include "t.h"
#include "rules.h"

#include <stdlib.h>

/* A rule record from FIELD=VALUE assignments, as a remote's or a file's would arrive. */
static struct record *rule(struct ws *w, const char *name, const char *when, const char *enabled)
{
	struct err e = { 0, "" };
	struct record *r = record_new(schema_kind(&w->sc, "rule"));
	char *kv[] = { xasprintf("name=%s", name), xasprintf("when=%s", when),
		       xasprintf("enabled=%s", enabled ? enabled : "true") };
	CHECK(ws_assign(w, r, "watch=task", &e) == 0);
	CHECK(ws_assign(w, r, "message=x", &e) == 0);
	for (size_t i = 0; i < ARRAY_LEN(kv); i++) {
		CHECK(ws_assign(w, r, kv[i], &e) == 0);
		free(kv[i]);
	}
	return r;
}

/* rules_check_record's verdict: 0, or the code with the message checked for `want`. */
static int verdict(struct ws *w, const char *when, const char *enabled, const char *want)
{
	struct record *r = rule(w, "probe", when, enabled);
	struct err e = { 0, "" };
	int rc = rules_check_record(w, r, &e);
	if (want && !strstr(e.msg, want)) {
		fprintf(stderr, "  rules_check_record(%s): '%s', wanted '%s'\n", when, e.msg, want);
		rc = 1;
	}
	record_free(r);
	return rc;
}

static int count_row(int n, const char *const *names, const char *const *vals, void *ctx)
{
	(void)n, (void)names, (void)vals;
	(*(int *)ctx)++;
	return 0;
}

void suite_rules(void)
{
	struct ws *w = NULL, *mem = NULL;
	struct err e = { 0, "" };
	char dir[] = "/tmp/rapport-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	CHECK(ws_create(dir, &e) == 0);
	CHECK(ws_open(&w, dir, &e) == 0);
	if (!w)
		return;
	struct record *c = record_new(schema_kind(&w->sc, "customer"));
	CHECK(ws_assign(w, c, "name=Acme", &e) == 0 && ws_add(w, c, &e) == 0);
	struct record *t = record_new(schema_kind(&w->sc, "task"));
	CHECK(ws_assign(w, t, "name=Only", &e) == 0 && ws_assign(w, t, "customer=Acme", &e) == 0 &&
	      ws_add(w, t, &e) == 0);
	record_free(t);

	CHECK(verdict(w, "late_days > 3", NULL, NULL) == 0);
	/* The catalogue is not a documented view. */
	CHECK(verdict(w, "(SELECT count(*) FROM sqlite_master) > 0", NULL,
		      "rule probe: when: reads or does something rules may not") == RERR_INPUT);
	CHECK(verdict(w, "(SELECT count(*) FROM sqlite_master) > 0", "false",
		      "reads or does something rules may not") == RERR_INPUT);
	CHECK(verdict(w, "id IN (SELECT id FROM member)", NULL, "rules may not") == RERR_INPUT);
	CHECK(verdict(w, "late_days >", NULL, "syntax error") == RERR_INPUT);
	/* The bombs: refused by the trial, before they allocate. */
	CHECK(verdict(w, "length(randomblob(999999999)) > 0", NULL,
		      "rule probe: when: stopped: a value would be larger than 16 MiB") == RERR_INPUT);
	CHECK(verdict(w, "max(hex(zeroblob(8000000)), hex(zeroblob(8000000)), hex(zeroblob(8000000)), "
			 "hex(zeroblob(8000000)), hex(zeroblob(8000000))) > ''",
		      NULL, "stopped: needed more than 64 MiB") == RERR_INPUT);
	CHECK(verdict(w, "instr(printf('%.*c', 4000000, 'a'), printf('%.*c', 400000, 'a') || 'b') > 0",
		      NULL, "stopped: instr() on values of 4000000 and 400001 bytes") == RERR_INPUT);
	/* Disabled, a bomb is only compiled: it can always be turned off. */
	CHECK(verdict(w, "length(randomblob(999999999)) > 0", "false", NULL) == 0);
	/* The sandbox is usable after a stopped rule; the bounded functions give the built-ins'
	 * results. */
	const char *same = "name LIKE 'o%' AND name NOT LIKE 'x%' AND 'a_c' LIKE 'a!_c' ESCAPE '!' "
			   "AND name GLOB 'O*' AND instr(name, 'l') = 3 AND "
			   "replace(name, 'O', 'o') = 'only' AND trim('xOnlyx', 'x') = name AND "
			   "ltrim('xxOnly', 'x') = rtrim('Onlyxx', 'x') AND "
			   "printf('%s-%.*c-%5.1f', name, 2, 'z', 1.25) = 'Only-zz-  1.3' AND "
			   "format('%d', 7) = '7' AND (NULL LIKE name) IS NULL AND "
			   "json_patch('{\"a\":1}', '{\"b\":2}') = '{\"a\":1,\"b\":2}'";
	int rows = 0;
	CHECK(verdict(w, same, NULL, NULL) == 0);
	CHECK(store_rule_run(w->st, "task", same, RULE_SECONDS, count_row, &rows, &e) == 0);
	CHECK(rows == 1);
	err_clear(&e);
	CHECK(store_rule_run(w->st, "task", "'ab' LIKE 'a' ESCAPE 'xy'", RULE_SECONDS, count_row,
			     &rows, &e) == RERR_INPUT && strstr(e.msg, "ESCAPE expression"));
	struct record *ok = rule(w, "fine", "late_days > 3", NULL);
	CHECK(ws_add(w, ok, &e) == 0);
	record_free(ok);
	/* Fields first: a rule without a watched kind. */
	struct record *r = record_new(schema_kind(&w->sc, "rule"));
	CHECK(ws_assign(w, r, "name=bare", &e) == 0 && ws_assign(w, r, "when=1", &e) == 0);
	CHECK(rules_check_record(w, r, &e) == RERR_INPUT);
	record_free(r);
	CHECK(rules_check_record(w, c, &e) == RERR_INPUT && strstr(e.msg, "not a rule"));
	record_free(c);
	/* While a second connection is open (health's thread), rules do not run: the heap limit
	 * they set is the whole process's. */
	struct store *reader = NULL;
	CHECK(store_open_reader(w->st, &reader, &e) == 0);
	r = rule(w, "probe", "late_days > 3", NULL);
	err_clear(&e);
	CHECK(rules_check_record(w, r, &e) == RERR_RUNTIME && strstr(e.msg, "second connection"));
	store_close(reader);
	err_clear(&e);
	CHECK(rules_check_record(w, r, &e) == 0);
	record_free(r);
	/* A database in memory has no second connection to run rules on. */
	CHECK(ws_open_memory(&mem, &e) == 0);
	if (mem) {
		r = rule(mem, "probe", "late_days > 3", NULL);
		CHECK(rules_check_record(mem, r, &e) == RERR_RUNTIME && strstr(e.msg, "on disk"));
		record_free(r);
		ws_close(mem);
	}
	ws_close(w);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
}
