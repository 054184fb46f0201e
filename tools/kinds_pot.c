/*
 * kinds_pot.c — a build step, not part of rapport: writes the translatable words of the kind
 * table (src/core/kinds.c) as a gettext template, which xgettext cannot see because they are
 * codes in a table: each kind's name and plural (context "kind"), each field's label as
 * field_label derives it (context "field"), and each choice code (context "choice"). The
 * program shows them through C_() and stores the codes, so a zh and an en teammate sync the
 * same bytes.
 *
 * Usage: kinds_pot > kinds.pot
 */
#include "core.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static char *seen[4096];
static size_t nseen;

static void entry(const char *ctx, const char *id, const char *where)
{
	char key[256];
	snprintf(key, sizeof key, "%s\004%s", ctx, id);
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i], key))
			return;
	if (nseen < sizeof seen / sizeof seen[0])
		seen[nseen++] = xstrdup(key);
	printf("#. %s\n#: src/core/kinds.c\nmsgctxt \"%s\"\nmsgid \"%s\"\nmsgstr \"\"\n\n", where, ctx, id);
}

int main(void)
{
	for (size_t k = 0; k < kind_count; k++) {
		const struct kind *kd = &kind_table[k];
		char where[160], label[128];
		snprintf(where, sizeof where, "the kind %s", kd->name);
		entry("kind", kd->name, where);
		entry("kind", kd->plural, where);
		/* Headings capitalise the English before it is looked up (show's sections). */
		char cap[64];
		snprintf(cap, sizeof cap, "%s", kd->plural);
		cap[0] = (char)toupper((unsigned char)cap[0]);
		entry("kind", cap, where);
		for (size_t i = 0; i < kd->nfields; i++) {
			const struct field *f = &kd->fields[i];
			field_label(f, label, sizeof label);
			snprintf(where, sizeof where, "the field %s.%s", kd->name, f->name);
			entry("field", label, where);
			for (const char *p = f->type == FT_CHOICE ? f->choices : NULL; p && *p;) {
				size_t n = strcspn(p, ",");
				char code[64];
				snprintf(code, sizeof code, "%.*s", (int)n, p);
				snprintf(where, sizeof where, "a choice of %s.%s", kd->name, f->name);
				entry("choice", code, where);
				p += n;
				if (*p)
					p++;
			}
		}
	}
	return 0;
}
