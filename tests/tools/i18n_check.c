/*
 * i18n_check.c — a test's eye, not part of rapport: finds English that reached the user
 * without going through the catalogue. Under the en@pseudo catalogue every translated message
 * arrives wrapped in U+2062 … U+2063 (invisible, zero columns, so layouts and the suite's own
 * assertions do not change once they are stripped). What is left of a line outside the markers
 * is data — or a message that skipped gettext. The messages are known: every string literal of
 * the sources (xgettext --extract-all, marked or not, the demo's data left out) split at its
 * printf directives and line breaks into phrases of two words or more (SQL and the
 * "rapport: COMMAND" prefix left out). A phrase found outside the markers is a finding.
 *
 * Usage: i18n_check STRINGS.pot WHERE < text   (prints each finding; exit 1 when any)
 *        i18n_check --strip < text             (the text without the markers)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN "\xe2\x81\xa2"
#define CLOSE "\xe2\x81\xa3"

static char **tab;
static size_t tabn, tabcap; /* open addressing, power of two */

static unsigned long hash(const char *s, size_t n)
{
	unsigned long h = 5381;
	for (size_t i = 0; i < n; i++)
		h = h * 33 + (unsigned char)s[i];
	return h;
}

static int find(const char *s, size_t n)
{
	for (unsigned long i = hash(s, n) & (tabcap - 1);; i = (i + 1) & (tabcap - 1)) {
		if (!tab[i])
			return 0;
		if (strlen(tab[i]) == n && !memcmp(tab[i], s, n))
			return 1;
	}
}

static void insert(const char *s, size_t n);

static void grow(void)
{
	char **old = tab;
	size_t oldcap = tabcap;
	tabcap = tabcap ? tabcap * 2 : 4096;
	tab = calloc(tabcap, sizeof *tab);
	tabn = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i]) {
			insert(old[i], strlen(old[i]));
			free(old[i]);
		}
	free(old);
}

static void insert(const char *s, size_t n)
{
	if ((tabn + 1) * 2 > tabcap)
		grow();
	if (find(s, n))
		return;
	unsigned long i = hash(s, n) & (tabcap - 1);
	while (tab[i])
		i = (i + 1) & (tabcap - 1);
	tab[i] = strndup(s, n);
	tabn++;
}

static int letter(int c)
{
	return isalpha(c) != 0;
}

/* A fragment counts when, trimmed to its first and last letter, it has two words of two
 * letters or more and a space: single words are too often data ("Website" is a label and a
 * project's name), and "lead,prospect,active" is a list of codes. */
static void fragment(const char *s, size_t n)
{
	while (n && !letter((unsigned char)*s))
		s++, n--;
	while (n && !letter((unsigned char)s[n - 1]))
		n--;
	int words = 0, run = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && letter((unsigned char)s[i])) {
			run++;
			continue;
		}
		if (run >= 2)
			words++;
		run = 0;
	}
	static const char *const not_prose[] = { "SELECT", "INSERT", "CREATE", "DROP", "UPDATE",
						 "DELETE", "WITH", "ALTER", "PRAGMA", "REPLACE", "rapport: " };
	for (size_t i = 0; i < sizeof not_prose / sizeof *not_prose; i++)
		if (!strncmp(s, not_prose[i], strlen(not_prose[i])))
			return;
	if (words >= 2 && memchr(s, ' ', n))
		insert(s, n);
}

/* Splits a msgid at printf directives and newlines. */
static void phrases(const char *m)
{
	const char *start = m, *p = m;
	while (*p) {
		if (*p == '\n') {
			fragment(start, (size_t)(p - start));
			start = ++p;
		} else if (*p == '%') {
			fragment(start, (size_t)(p - start));
			p++;
			while (*p && strchr("0123456789.-+ #*'$lhzjt", *p))
				p++;
			if (*p)
				p++;
			start = p;
		} else
			p++;
	}
	fragment(start, (size_t)(p - start));
}

/* Appends a C-quoted po string's contents ("…" with \n, \t, \", \\) to cur. */
static void unquote(const char *q, char **cur, size_t *len)
{
	const char *p = strchr(q, '"');
	if (!p)
		return;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			p++;
			c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		}
		*cur = realloc(*cur, *len + 2);
		(*cur)[(*len)++] = c;
		(*cur)[*len] = 0;
	}
}

static void load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	char line[8192], *cur = NULL;
	size_t len = 0;
	int in = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "msgid ", 6) || !strncmp(line, "msgid_plural ", 13)) {
			if (cur)
				phrases(cur);
			free(cur);
			cur = calloc(1, 1);
			len = 0;
			in = 1;
			unquote(line, &cur, &len);
		} else if (line[0] == '"' && in)
			unquote(line, &cur, &len);
		else
			in = 0;
	}
	if (cur)
		phrases(cur);
	free(cur);
	fclose(f);
}

/* The line with marked runs blanked. Runs nest (an error's prefix inside its message); a
 * line cut short (the TUI ends a long text with "…") may hold an OPEN without its CLOSE, and
 * a wrapped message's later line a CLOSE without its OPEN: what came before it was marked. */
static void unmarked(char *s)
{
	int depth;
	/* Leading CLOSEs without an OPEN: blank up to the last of them. */
	depth = 0;
	char *cut = NULL;
	for (char *p = s; (p = strstr(p, "\xe2\x81")); p += 3) {
		if (p[2] == '\xa2')
			depth++;
		else if (p[2] == '\xa3') {
			if (depth == 0)
				cut = p + 3;
			else
				depth--;
		}
	}
	if (cut)
		memset(s, ' ', (size_t)(cut - s));
	depth = 0;
	for (char *p = s; *p; p++) {
		if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x81 &&
		    ((unsigned char)p[2] == 0xa2 || (unsigned char)p[2] == 0xa3)) {
			depth += (unsigned char)p[2] == 0xa2 ? 1 : -1;
			if (depth < 0)
				depth = 0;
			memset(p, ' ', 3);
			p += 2;
			continue;
		}
		if (depth > 0)
			*p = ' ';
	}
}

static int check_line(const char *orig, char *s, const char *where)
{
	unmarked(s);
	size_t n = strlen(s);
	size_t starts[512], ends[512];
	int w = 0;
	for (size_t i = 0; i < n && w < 512;) {
		if (!letter((unsigned char)s[i])) {
			i++;
			continue;
		}
		starts[w] = i;
		while (i < n && letter((unsigned char)s[i]))
			i++;
		ends[w++] = i;
	}
	for (int a = 0; a < w; a++) {
		/* Longest first, so the finding names the whole message. */
		for (int b = w - 1; b > a; b--) {
			if (find(s + starts[a], ends[b] - starts[a])) {
				printf("%s: untranslated \"%.*s\" in: %s\n", where, (int)(ends[b] - starts[a]),
				       s + starts[a], orig);
				return 1;
			}
		}
	}
	return 0;
}

static void strip(void)
{
	int c, state = 0;
	char held[3];
	while ((c = getchar()) != EOF) {
		/* Both markers are E2 81 A2/A3; anything else after E2 81 goes out as it came. */
		if (state == 0 && c == 0xe2) {
			held[0] = (char)c;
			state = 1;
		} else if (state == 1 && c == 0x81) {
			held[1] = (char)c;
			state = 2;
		} else if (state == 2 && (c == 0xa2 || c == 0xa3)) {
			state = 0;
		} else {
			if (state)
				fwrite(held, 1, (size_t)state, stdout);
			state = 0;
			if (c == 0xe2) {
				held[0] = (char)c;
				state = 1;
			} else
				putchar(c);
		}
	}
	if (state)
		fwrite(held, 1, (size_t)state, stdout);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--strip")) {
		strip();
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: i18n_check STRINGS.pot WHERE < text | i18n_check --strip < text\n");
		return 2;
	}
	load(argv[1]);
	char line[65536];
	int found = 0;
	while (fgets(line, sizeof line, stdin)) {
		static char copy[sizeof line];
		line[strcspn(line, "\n")] = 0;
		memcpy(copy, line, sizeof line);
		found |= check_line(line, copy, argv[2]);
	}
	return found;
}
