/*
 * driver.c — runs a libFuzzer target without libFuzzer (no clang on the machine): reads the
 * seed files named on the command line, then mutates them at random (bit flips, byte
 * insertions and deletions, splices of two inputs, interesting bytes) for a number of seconds.
 * Far weaker than coverage-guided fuzzing, but it runs under gcc's sanitizers in `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t s = 88172645463325252ull;
static uint64_t next(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

int main(int argc, char **argv)
{
	double secs = 10;
	uint8_t *seeds[256];
	size_t lens[256], n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-max_total_time=", 16)) {
			secs = atof(argv[i] + 16);
			continue;
		}
		FILE *f = fopen(argv[i], "rb");
		if (!f || n == 256)
			continue;
		seeds[n] = malloc(1 << 16);
		lens[n] = fread(seeds[n], 1, 1 << 16, f);
		fclose(f);
		LLVMFuzzerTestOneInput(seeds[n], lens[n]);
		n++;
	}
	if (!n)
		return fprintf(stderr, "driver: no seeds\n"), 2;
	static const uint8_t special[] = { 0, '\n', ' ', '\\', 'x', '!', 0x1b, 0x7f, 0xff, 0xc3, '\r' };
	uint8_t buf[1 << 17];
	long runs = 0;
	time_t end = time(NULL) + (time_t)secs;
	while (time(NULL) < end) {
		for (int k = 0; k < 1000; k++, runs++) {
			size_t i = next() % n, len = lens[i];
			memcpy(buf, seeds[i], len);
			for (int m = 1 + (int)(next() % 6); m > 0; m--) {
				size_t at = len ? next() % len : 0;
				switch (next() % 6) {
				case 0: if (len) buf[at] ^= (uint8_t)(1u << (next() % 8)); break;
				case 1: if (len) buf[at] = special[next() % sizeof special]; break;
				case 2: if (len + 1 < sizeof buf) { memmove(buf + at + 1, buf + at, len - at); buf[at] = special[next() % sizeof special]; len++; } break;
				case 3: if (len) { memmove(buf + at, buf + at + 1, len - at - 1); len--; } break;
				case 4: { size_t j = next() % n, from = lens[j] ? next() % lens[j] : 0, k2 = lens[j] - from;
					if (at + k2 < sizeof buf) { memcpy(buf + at, seeds[j] + from, k2); len = at + k2; } } break;
				case 5: if (len) buf[at] = (uint8_t)next(); break;
				}
			}
			LLVMFuzzerTestOneInput(buf, len);
		}
	}
	printf("driver: %ld runs in %.0f s, no failure\n", runs, secs);
	for (size_t i = 0; i < n; i++)
		free(seeds[i]);
	return 0;
}
