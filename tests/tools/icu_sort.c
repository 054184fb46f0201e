/*
 * icu_sort.c — a test's reference, not part of rapport: sorts stdin's lines by ICU's own "zh"
 * collation, so tests/cli/chinese.sh compares rapport's list order with ICU's, not with a list
 * someone typed in the order they believed right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>

static UCollator *zh;

static int cmp(const void *a, const void *b)
{
	UErrorCode st = U_ZERO_ERROR;
	return ucol_strcollUTF8(zh, *(char *const *)a, -1, *(char *const *)b, -1, &st);
}

int main(void)
{
	UErrorCode st = U_ZERO_ERROR;
	zh = ucol_open("zh", &st);
	if (U_FAILURE(st))
		return 1;
	char *line[4096], buf[1024];
	size_t n = 0;
	while (n < 4096 && fgets(buf, sizeof buf, stdin)) {
		buf[strcspn(buf, "\n")] = '\0';
		line[n++] = strdup(buf);
	}
	qsort(line, n, sizeof line[0], cmp);
	for (size_t i = 0; i < n; i++)
		puts(line[i]);
	return 0;
}
