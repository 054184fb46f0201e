/*
 * strmap.c — a hash map from strings to pointers, for the places that would otherwise search a
 * list once per row (an import's duplicate keys, the records a rule matched): open addressing
 * with linear probing, FNV-1a, doubled at half full. Keys are copied; values are the caller's.
 * Keys may compare ignoring ASCII case (`fold`), as the database compares names.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned char fold_ch(const struct strmap *m, unsigned char c)
{
	return m->fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static uint64_t hash(const struct strmap *m, const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ fold_ch(m, (unsigned char)*s)) * 1099511628211ULL;
	return h;
}

static bool same(const struct strmap *m, const char *a, const char *b)
{
	if (!m->fold)
		return !strcmp(a, b);
	for (;; a++, b++) {
		unsigned char x = fold_ch(m, (unsigned char)*a), y = fold_ch(m, (unsigned char)*b);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static struct strmap_ent *slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)hash(m, key) & (m->cap - 1);
	while (m->v[i].key && !same(m, m->v[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

void **strmap_put(struct strmap *m, const char *key, bool *added)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap g = { xcalloc(m->cap ? m->cap * 2 : 64, sizeof(*g.v)),
				    m->cap ? m->cap * 2 : 64, m->n, m->fold };
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*slot(&g, m->v[i].key) = m->v[i];
		free(m->v);
		*m = g;
	}
	struct strmap_ent *e = slot(m, key);
	if (added)
		*added = !e->key;
	if (!e->key) {
		e->key = xstrdup(key);
		e->val = NULL;
		m->n++;
	}
	return &e->val;
}

bool strmap_has(const struct strmap *m, const char *key)
{
	return m->cap && key && slot(m, key)->key;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return m->cap && key ? slot(m, key)->val : NULL;
}

void strmap_free(struct strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key) {
			free(m->v[i].key);
			if (free_val)
				free_val(m->v[i].val);
		}
	free(m->v);
	m->v = NULL;
	m->cap = m->n = 0;
}
