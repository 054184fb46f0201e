/*
 * rand.c — randomness for ids. Real ids come from the kernel (getrandom), so two replicas never
 * mint the same id; demo data calls rng_seed() to get a deterministic xoshiro256** stream instead.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool seeded;
static uint64_t st[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		st[i] = splitmix(&seed);
	seeded = true;
}

uint64_t rng_next(void)
{
	if (!seeded) {
		/* Kernel randomness, fetched 64 values at a time: one system call per id made a bulk
		 * import spend 3% of its time entering the kernel. */
		static uint64_t pool[64];
		static size_t left;
		if (!left) {
			size_t got = 0;
			while (got < sizeof(pool)) {
				ssize_t n = getrandom((char *)pool + got, sizeof(pool) - got, 0);
				if (n > 0)
					got += (size_t)n;
			}
			left = 64;
		}
		uint64_t v = pool[--left];
		pool[left] = 0; /* used randomness does not linger */
		return v;
	}
	uint64_t r = rotl(st[1] * 5, 7) * 9, t = st[1] << 17;
	st[2] ^= st[0];
	st[3] ^= st[1];
	st[1] ^= st[2];
	st[0] ^= st[3];
	st[2] ^= t;
	st[3] = rotl(st[3], 45);
	return r;
}

uint64_t rng_below(uint64_t n)
{
	if (n <= 1)
		return 0;
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;
	do
		v = rng_next();
	while (v >= lim);
	return v % n;
}

void id_derived(char out[33], const char *what, const char *name)
{
	uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;
	for (const char *p = what; *p; p++)
		h1 = (h1 ^ (unsigned char)*p) * 0x100000001b3ull;
	for (const char *p = name; *p; p++) {
		h1 = (h1 ^ (unsigned char)*p) * 0x100000001b3ull;
		h2 = (h2 ^ (unsigned char)*p) * 0x100000001b3ull;
		h2 ^= h1 >> 29;
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

void id_new(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = rng_next(), b = rng_next();
	for (int i = 0; i < 16; i++) {
		out[i] = hex[(a >> (60 - 4 * i)) & 15];
		out[16 + i] = hex[(b >> (60 - 4 * i)) & 15];
	}
	out[32] = '\0';
}

bool id_is_hex(const char *s, size_t minlen, size_t maxlen)
{
	size_t n = strlen(s);
	if (n < minlen || n > maxlen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}
