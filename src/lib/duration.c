// SPDX-License-Identifier: GPL-2.0
#include "lib/duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A whole number followed by one of the units; multiplier of the unit found. */
static int parse_scaled(const char *s, const char *const units[], const unsigned long long mult[],
			unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (int i = 0; units[i]; i++) {
		if (strcmp(end, units[i]))
			continue;
		if (mult[i] && v > ~0ULL / mult[i])
			return -EINVAL;
		*out = v * mult[i];
		return 0;
	}
	return -EINVAL;
}

int d0_parse_duration(const char *s, unsigned long long *ms)
{
	static const char *const units[] = { "", "s", "ms", "m", "h", NULL };
	static const unsigned long long mult[] = { 1000, 1000, 1, 60000, 3600000 };

	return parse_scaled(s, units, mult, ms);
}

int d0_parse_size(const char *s, unsigned long long *bytes)
{
	static const char *const units[] = { "", "k", "K", "m", "M", "g", "G", NULL };
	static const unsigned long long mult[] = { 1, 1ULL << 10, 1ULL << 10, 1ULL << 20, 1ULL << 20,
						   1ULL << 30, 1ULL << 30 };

	return parse_scaled(s, units, mult, bytes);
}

int d0_parse_ringbuf_size(const char *s, unsigned long long *bytes)
{
	unsigned long long v;

	if (d0_parse_size(s, &v) || v < 4096 || v > (1ULL << 30) || (v & (v - 1)))
		return -EINVAL;
	*bytes = v;
	return 0;
}
