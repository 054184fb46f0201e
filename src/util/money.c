/*
 * money.c — currencies and amounts: what a currency code is (ISO 4217's shape, and the
 * symbols and names people type for the common ones), how an amount reads with its currency,
 * and per-currency totals, so that no total anywhere adds two currencies together.
 */
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What people type for a currency besides its code: symbols, and 人民币/RMB for the yuan. */
static const struct {
	const char *typed, *code;
} aliases[] = {
	{ "¥", "CNY" },	 { "￥", "CNY" }, { "RMB", "CNY" }, { "人民币", "CNY" }, { "元", "CNY" },
	{ "€", "EUR" },	 { "$", "USD" },  { "US$", "USD" }, { "£", "GBP" },	{ "HK$", "HKD" },
	{ "港币", "HKD" }, { "美元", "USD" }, { "欧元", "EUR" }, { "日元", "JPY" }, { "英镑", "GBP" },
};

/* How an amount in a currency is written: the symbol a reader knows it by, else the code. The
 * yuan takes ¥ (as Chinese invoices write it), so the yen is JP¥. */
static const struct {
	const char *code, *symbol;
} symbols[] = {
	{ "CNY", "¥" }, { "EUR", "€" }, { "USD", "$" }, { "GBP", "£" }, { "JPY", "JP¥" },
	{ "HKD", "HK$" },
};

const char *currency_code(const char *in)
{
	static _Thread_local char code[4];
	size_t n = strlen(in);
	while (n && isspace((unsigned char)in[n - 1]))
		n--;
	while (n && isspace((unsigned char)*in))
		in++, n--;
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strlen(aliases[i].typed) == n && !strncasecmp(aliases[i].typed, in, n))
			return aliases[i].code;
	if (n != 3)
		return NULL;
	for (size_t i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)in[i]) || (unsigned char)in[i] >= 0x80)
			return NULL;
		code[i] = (char)toupper((unsigned char)in[i]);
	}
	code[3] = 0;
	return code;
}

char *fmt_amount(double v, const char *cur)
{
	char *m = fmt_money(v);
	if (!cur || !*cur)
		return m;
	const char *sym = NULL;
	for (size_t i = 0; i < ARRAY_LEN(symbols); i++)
		if (!strcmp(symbols[i].code, cur))
			sym = symbols[i].symbol;
	char *out = sym ? (*m == '-' ? xasprintf("-%s%s", sym, m + 1) : xasprintf("%s%s", sym, m))
			: xasprintf("%s %s", cur, m);
	free(m);
	return out;
}

void msum_add(struct msum *m, const char *cur, double v)
{
	const char *c = cur ? cur : "";
	size_t i = 0;
	while (i < m->n && strcmp(m->v[i].cur, c) < 0)
		i++;
	if (i < m->n && !strcmp(m->v[i].cur, c)) {
		m->v[i].v += v;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 4;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof(*m->v));
	snprintf(m->v[i].cur, sizeof m->v[i].cur, "%s", c);
	m->v[i].v = v;
	m->n++;
}

double msum_one(const struct msum *m, bool *single)
{
	*single = m->n <= 1;
	return m->n == 1 ? m->v[0].v : 0;
}

char *msum_fmt(const struct msum *m)
{
	if (!m->n)
		return fmt_money(0);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < m->n; i++) {
		char *a = fmt_amount(m->v[i].v, m->v[i].cur);
		buf_addf(&b, "%s%s", i ? " + " : "", a);
		free(a);
	}
	return buf_detach(&b);
}

void msum_free(struct msum *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
