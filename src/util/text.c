/*
 * text.c — Chinese text: the pinyin a name is searched by, and the collation names sort by
 * under a Chinese locale. The only file that talks to ICU. Pinyin comes from a table ICU's
 * Han-Latin wrote at build time (tools/pinyin_gen.c, build/gen/pinyin_table.h); the collation
 * is ICU's "zh" (pinyin order), opened on first use and shared by every thread.
 */
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>

#include "pinyin_table.h"

const char *text_pinyin_of(uint32_t cp)
{
	if (cp < PINYIN_FIRST || cp > PINYIN_LAST || !pinyin_of[cp - PINYIN_FIRST])
		return NULL;
	return pinyin_syl[pinyin_of[cp - PINYIN_FIRST]];
}

/* Words whose characters read otherwise alone: one reading per character (ICU's) makes 银行
 * "yin xing" and 长沙 "zhang sha". These are the ones company and place names use most; a
 * name they miss is still found by its characters or by a part of it. */
static const struct {
	const char *word, *syl[2];
} phrases[] = {
	{ "银行", { "yin", "hang" } },	 { "行业", { "hang", "ye" } },
	{ "商行", { "shang", "hang" } },	 { "车行", { "che", "hang" } },
	{ "长沙", { "chang", "sha" } },	 { "长春", { "chang", "chun" } },
	{ "长安", { "chang", "an" } },	 { "长城", { "chang", "cheng" } },
	{ "长江", { "chang", "jiang" } },	 { "重庆", { "chong", "qing" } },
	{ "厦门", { "xia", "men" } },	 { "会计", { "kuai", "ji" } },
	{ "重工", { "zhong", "gong" } },	 { "调度", { "diao", "du" } },
	{ "音乐", { "yin", "yue" } },	 { "蚌埠", { "beng", "bu" } },
	{ "六安", { "lu", "an" } },	 { "番禺", { "pan", "yu" } },
};

/* A run's forms from each of its characters on are what a prefix query can find: "mingyuan"
 * is a prefix of the form that starts at 明. Forms stop after PINYIN_SPAN characters, so a
 * long Chinese text costs a bounded number of bytes per character, not its length squared. */
#define PINYIN_SPAN 12

static void run_forms(struct buf *b, const char **syl, int n)
{
	for (int i = 0; i < n; i++) {
		int end = i + PINYIN_SPAN < n ? i + PINYIN_SPAN : n;
		buf_addc(b, ' ');
		for (int j = i; j < end; j++)
			buf_adds(b, syl[j]);
		buf_addc(b, ' ');
		for (int j = i; j < end; j++)
			buf_addc(b, syl[j][0]);
	}
}

void text_pinyin_forms(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	const char *syl[64];
	int n = 0;
	while (i < len) {
		/* Every phrase is Chinese: ASCII, most of what an index write sees, skips the table. */
		size_t w = ARRAY_LEN(phrases);
		if (p[i] >= 0x80)
			for (w = 0; w < ARRAY_LEN(phrases); w++)
				if (!strncmp(s + i, phrases[w].word, strlen(phrases[w].word)))
					break;
		if (w < ARRAY_LEN(phrases) && n + 2 <= (int)ARRAY_LEN(syl)) {
			syl[n++] = phrases[w].syl[0];
			syl[n++] = phrases[w].syl[1];
			i += strlen(phrases[w].word);
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		const char *py = k ? text_pinyin_of(cp) : NULL;
		if (py && n < (int)ARRAY_LEN(syl))
			syl[n++] = py;
		else if (n) {
			run_forms(b, syl, n);
			n = py ? (syl[0] = py, 1) : 0;
		}
		i += k ? k : 1;
	}
	if (n)
		run_forms(b, syl, n);
}

static UCollator *zh;
static pthread_once_t zh_once = PTHREAD_ONCE_INIT;

static void zh_open(void)
{
	UErrorCode st = U_ZERO_ERROR;
	zh = ucol_open("zh", &st);
	if (U_FAILURE(st)) {
		ucol_close(zh);
		zh = NULL;
	}
}

int text_collate_zh(void *arg, int na, const void *a, int nb, const void *b)
{
	(void)arg;
	pthread_once(&zh_once, zh_open);
	if (zh) {
		UErrorCode st = U_ZERO_ERROR;
		UCollationResult r = ucol_strcollUTF8(zh, a, na, b, nb, &st);
		if (U_SUCCESS(st) && r != UCOL_EQUAL)
			return r == UCOL_LESS ? -1 : 1;
	}
	/* Equal for ICU (or no ICU data): bytes decide, so the order is total and stable. */
	int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
	return c ? c : na - nb;
}

const char *text_lang(const char *setting)
{
	const char *env[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v = setting && *setting ? setting : NULL;
	for (size_t i = 0; !v && i < ARRAY_LEN(env); i++) {
		const char *e = getenv(env[i]);
		if (e && *e)
			v = e;
	}
	return v && !strncmp(v, "zh", 2) ? "zh" : "en";
}
