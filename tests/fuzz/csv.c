/*
 * csv.c — fuzz target for the CSV reader (what a spreadsheet or another CRM hands `import`).
 * Beyond "no crash, no sanitizer report": the reader always ends; line numbers never go back;
 * and rows written back by csv_cell (export's writer) read back as the same rows (for input without
 * NUL bytes or carriage returns, which reading rejects or normalises); every cell written as text
 * (csv_text_cell, with its guard against formulas) comes back exactly through csv_text_value.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A text cell as export writes it (a leading ' before a formula) and import reads it back. */
static void text_round_trip(const char *v)
{
	struct buf one = BUF_INIT;
	struct strv back = STRV_INIT;
	struct err e = { 0, "" };
	struct csv c;
	csv_text_cell(&one, v);
	csv_init(&c, one.data, one.len);
	if (csv_row(&c, &back, &e) != 1 || back.n != 1 || strcmp(csv_text_value(back.v[0]), v))
		abort();
	strv_clear(&back);
	buf_release(&one);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv c, c2;
	struct strv row = STRV_INIT, row2 = STRV_INIT;
	struct err e = { 0, "" };
	struct buf out = BUF_INIT;
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	csv_init(&c, text, size);
	int rc, last = 0;
	size_t rows = 0;
	while ((rc = csv_row(&c, &row, &e)) == 1) {
		if (c.line < last || ++rows > size + 1)
			abort(); /* lines only move forward; no more rows than bytes */
		last = c.line;
		for (size_t i = 0; i < row.n; i++) {
			if (i)
				buf_addc(&out, c.sep);
			csv_cell(&out, row.v[i]); /* the writer export uses */
			if (!memchr(text, '\r', size) && row.v[i][0])
				text_round_trip(row.v[i]);
		}
		buf_adds(&out, "\r\n");
	}
	/* What was read, written back quoted, reads back the same — for text without NUL bytes
	 * (import refuses those) or carriage returns (line ends are normalised on reading). */
	if (rc == 0 && out.len && !memchr(text, '\0', size) && !memchr(text, '\r', size)) {
		struct csv r = c;
		csv_init(&c2, out.data, out.len);
		c2.sep = r.sep;
		csv_init(&c, text, size);
		c.sep = r.sep;
		while (csv_row(&c, &row, &e) == 1) {
			if (csv_row(&c2, &row2, &e) != 1 || row.n != row2.n)
				abort();
			for (size_t i = 0; i < row.n; i++)
				if (strcmp(row.v[i], row2.v[i]))
					abort();
		}
	}
	strv_clear(&row);
	strv_clear(&row2);
	buf_release(&out);
	free(text);
	return 0;
}
