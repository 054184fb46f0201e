/*
 * record.c — fuzz target for the snapshot record parser and merge (what a hostile remote feeds
 * rapport). libFuzzer's entry point; `make fuzz` builds it with clang -fsanitize=fuzzer, and
 * tests/fuzz/driver.c runs it without libFuzzer. Checks, beyond "no crash, no sanitizer report":
 *   - a file that reads as a record writes back to bytes that read as the same record (the
 *     format is a fixed point after one round);
 *   - merging it with a fixed record gives the same bytes whichever side it is on.
 */
#include "sync.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const other =
	"rev 2026-11-22T10:00:00.000Z-aaaaaaaaaaaaaaaa\ncreated 2026-11-22T09:00:00Z\n"
	"updated 2026-11-22T09:00:00Z\nname Contoso\nstage active\ntags a,b\nnote x\n  y\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct schema sc;
	static bool ready;
	if (!ready) {
		schema_init(&sc);
		git_libgit2_init(); /* held, so the line merge does not set libgit2 up per call */
		ready = true;
	}
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	const struct kindinfo *ki = schema_kind(&sc, "customer");
	struct record *r = NULL, *r2 = NULL;
	struct err e = { 0, "" };
	if (record_from_text(ki, "0123456789abcdef0123456789abcdef", text, 0, &r, &e) == 0) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		record_file(&a, r);
		if (record_from_text(ki, r->id, a.data, 0, &r2, &e))
			abort(); /* what we write must read back */
		record_file(&b, r2);
		if (strcmp(a.data, b.data))
			abort(); /* and write the same bytes again */
		buf_release(&a);
		buf_release(&b);
		record_free(r2);
		record_free(r);
	}
	int n1 = 0, n2 = 0;
	char *m1 = merge_record(ki, NULL, text, other, &n1);
	char *m2 = merge_record(ki, NULL, other, text, &n2);
	if ((m1 == NULL) != (m2 == NULL) || (m1 && strcmp(m1, m2)) || n1 != n2)
		abort(); /* merge(A,B) == merge(B,A) */
	free(m1);
	free(m2);
	free(text);
	return 0;
}
