/*
 * synopsis.c — a command's synopsis ("list KIND [FIELD=V]... [--sort F,-G]") read as the grammar
 * it is. People read it in `rapport help` and rapport(1); args_parse holds each command's options
 * to it, and shell completion walks it to know what may come next. So the one string that
 * documents a command is also what keeps its documentation, its parser and its completion in
 * step: an option the parser takes but the synopsis does not show is an error on every run.
 *
 * The notation: [X] optional, (X) a group, X | Y either (spaced: binds loosest), a|b|c one of
 * these words (unspaced: binds tightest), X... one or more. A word starting with '-' is an
 * option; the word or group right after it is its value, unless a ']', ')' or '|' follows
 * (a flag). An upper-case word is a placeholder (KIND, ID, FIELD=VALUE); any other word is
 * typed as it stands (add, ours).
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

enum tok { T_END, T_WORD, T_BAR, T_LBRACK, T_RBRACK, T_LPAR, T_RPAR, T_DOTS };

struct parser {
	struct synopsis *s;
	const char *p;
	enum tok t;
	char *word; /* the T_WORD's text (owned until taken) */
	struct err *e;
};

static void next(struct parser *ps)
{
	const char *p = ps->p;
	free(ps->word);
	ps->word = NULL;
	while (*p == ' ')
		p++;
	if (!*p)
		ps->t = T_END;
	else if (*p == '[' || *p == ']' || *p == '(' || *p == ')') {
		ps->t = *p == '[' ? T_LBRACK : *p == ']' ? T_RBRACK : *p == '(' ? T_LPAR : T_RPAR;
		p++;
	} else if (!strncmp(p, "...", 3)) {
		ps->t = T_DOTS;
		p += 3;
	} else {
		const char *start = p;
		while (*p && !strchr(" []()", *p) && strncmp(p, "...", 3))
			p++;
		ps->word = xstrndup(start, (size_t)(p - start));
		ps->t = !strcmp(ps->word, "|") ? T_BAR : T_WORD;
	}
	ps->p = p;
}

static int node_new(struct synopsis *s, enum syn_type type, char *word)
{
	if (s->n == s->cap)
		s->node = xrealloc(s->node, (s->cap = 2 * s->cap + 16) * sizeof(*s->node));
	s->node[s->n] = (struct syn_node){ type, word, NULL, 0 };
	return (int)s->n++;
}

static void node_kid(struct synopsis *s, int node, int kid)
{
	struct syn_node *n = &s->node[node];
	n->kid = xrealloc(n->kid, (n->nkid + 1) * sizeof(*n->kid));
	n->kid[n->nkid++] = kid;
}

static int expr(struct parser *ps);

/* A word as typed: one literal or placeholder, or the choice a|b|c. */
static int word_node(struct synopsis *s, const char *w)
{
	if (!strchr(w, '|'))
		return node_new(s, SYN_WORD, xstrdup(w));
	int alt = node_new(s, SYN_ALT, NULL);
	for (const char *p = w; *p;) {
		size_t len = strcspn(p, "|");
		if (len)
			node_kid(s, alt, node_new(s, SYN_WORD, xstrndup(p, len)));
		p += len + (p[len] == '|');
	}
	return alt;
}

static int atom(struct parser *ps)
{
	struct synopsis *s = ps->s;
	int n;
	if (ps->t == T_LBRACK || ps->t == T_LPAR) {
		enum tok close = ps->t == T_LBRACK ? T_RBRACK : T_RPAR;
		next(ps);
		int inner = expr(ps);
		if (inner < 0)
			return -1;
		if (ps->t != close) {
			err_set(ps->e, RERR_RUNTIME, "a '%c' is not closed", close == T_RBRACK ? '[' : '(');
			return -1;
		}
		next(ps);
		if (close == T_RPAR)
			return inner;
		n = node_new(s, SYN_OPT, NULL);
		node_kid(s, n, inner);
		return n;
	}
	if (ps->t != T_WORD) {
		err_set(ps->e, RERR_RUNTIME, "a word or group expected at '%.20s'", ps->p);
		return -1;
	}
	if (ps->word[0] == '-' && ps->word[1]) {
		n = node_new(s, SYN_OPTION, ps->word);
		ps->word = NULL;
		next(ps);
		if ((ps->t == T_WORD && ps->word[0] != '-') || ps->t == T_LPAR) {
			int value = atom(ps);
			if (value < 0)
				return -1;
			node_kid(s, n, value);
		}
		return n;
	}
	n = word_node(s, ps->word);
	next(ps);
	return n;
}

static int seq(struct parser *ps)
{
	int n = node_new(ps->s, SYN_SEQ, NULL);
	while (ps->t != T_END && ps->t != T_BAR && ps->t != T_RBRACK && ps->t != T_RPAR) {
		int item = atom(ps);
		if (item < 0)
			return -1;
		if (ps->t == T_DOTS) {
			int rep = node_new(ps->s, SYN_REP, NULL);
			node_kid(ps->s, rep, item);
			item = rep;
			next(ps);
		}
		node_kid(ps->s, n, item);
	}
	/* A sequence of one is that one ((a|b) is the choice); the node stays unused. */
	return ps->s->node[n].nkid == 1 ? ps->s->node[n].kid[0] : n;
}

static int expr(struct parser *ps)
{
	int first = seq(ps);
	if (first < 0 || ps->t != T_BAR)
		return first;
	int alt = node_new(ps->s, SYN_ALT, NULL);
	node_kid(ps->s, alt, first);
	while (ps->t == T_BAR) {
		next(ps);
		int branch = seq(ps);
		if (branch < 0)
			return -1;
		node_kid(ps->s, alt, branch);
	}
	return alt;
}

int synopsis_parse(struct synopsis *s, const char *text, struct err *e)
{
	struct parser ps = { s, text, T_END, NULL, e };
	memset(s, 0, sizeof(*s));
	next(&ps);
	s->root = expr(&ps);
	if (s->root >= 0 && ps.t != T_END) {
		err_set(e, RERR_RUNTIME, "an unopened ')' or ']' at '%.20s'", ps.p);
		s->root = -1;
	}
	free(ps.word);
	if (s->root < 0) {
		err_prefix(e, "synopsis '%s'", text);
		synopsis_free(s);
		return RERR_RUNTIME;
	}
	return 0;
}

void synopsis_free(struct synopsis *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->node[i].word);
		free(s->node[i].kid);
	}
	free(s->node);
	memset(s, 0, sizeof(*s));
	s->root = -1;
}

const struct syn_node *synopsis_option(const struct synopsis *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->node[i].type == SYN_OPTION && !strcmp(s->node[i].word, name))
			return &s->node[i];
	return NULL;
}
