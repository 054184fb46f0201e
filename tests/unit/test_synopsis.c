/* test_synopsis.c — every command's synopsis reads as a grammar that shell completion knows
 * every placeholder of, and the reader's notation: groups, choices, options and their values. */
#include "t.h"
#include "cmd.h"

static void every_command(void)
{
	for (size_t i = 0; commands[i]; i++) {
		struct err e = { 0, "" };
		int rc = complete_check(commands[i], &e);
		if (rc)
			fprintf(stderr, "  %s\n", e.msg);
		CHECK(rc == 0);
	}
}

static void notation(void)
{
	struct synopsis s;
	struct err e = { 0, "" };
	CHECK(synopsis_parse(&s, "x ID (FIELD (ours|theirs) | --held (ours|theirs)) [-o FILE] [--why]"
				 " [--a | --b] A...", &e) == 0);
	const struct syn_node *o = synopsis_option(&s, "--held");
	CHECK(o && o->nkid == 1 && s.node[o->kid[0]].type == SYN_ALT);
	CHECK((o = synopsis_option(&s, "-o")) && o->nkid == 1 && !strcmp(s.node[o->kid[0]].word, "FILE"));
	CHECK((o = synopsis_option(&s, "--why")) && o->nkid == 0);
	CHECK((o = synopsis_option(&s, "--a")) && o->nkid == 0);
	CHECK((o = synopsis_option(&s, "--b")) && o->nkid == 0);
	CHECK(!synopsis_option(&s, "--c"));
	CHECK(s.node[s.root].type == SYN_SEQ);
	const struct syn_node *last = &s.node[s.node[s.root].kid[s.node[s.root].nkid - 1]];
	CHECK(last->type == SYN_REP);
	synopsis_free(&s);
	CHECK(synopsis_parse(&s, "x [A", &e) != 0);
	CHECK(strstr(e.msg, "not closed") != NULL);
	CHECK(synopsis_parse(&s, "x A)", &e) != 0);
	CHECK(synopsis_parse(&s, "x [A | (B]", &e) != 0);
}

void suite_synopsis(void)
{
	every_command();
	notation();
}
