// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the command-line value parsers (--duration,
 * --ringbuf-size, --allow, --require, --format, rule names, PCI
 * addresses). The input, cut at the first NUL, is one argument. Accepted
 * values are checked against an independent reading: a duration or size
 * is digits and a known unit, never more than 64 bits; a device formats
 * back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out/check_output.h"
#include "lib/duration.h"
#include "model/event_names.h"
#include "model/rules_meta.h"
#include "model/verdict.h"

/* digits then a unit from the list; the exact value, or -1 if not one */
static int reference(const char *s, const char *const units[], const unsigned long long mult[],
		     unsigned long long *out)
{
	unsigned __int128 v = 0;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > ~0ULL)
			return -1;
	}
	for (int u = 0; units[u]; u++) {
		if (strcmp(s + i, units[u]))
			continue;
		v *= mult[u];
		if (v > ~0ULL)
			return -1;
		*out = (unsigned long long)v;
		return 0;
	}
	return -1;
}

static void check_number_parsers(const char *s)
{
	static const char *const dur_units[] = { "", "s", "ms", "m", "h", NULL };
	static const unsigned long long dur_mult[] = { 1000, 1000, 1, 60000, 3600000 };
	static const char *const size_units[] = { "", "k", "K", "m", "M", "g", "G", NULL };
	static const unsigned long long size_mult[] = { 1, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30, 1 << 30 };
	unsigned long long got, want;
	int ok, ref;

	ok = d0_parse_duration(s, &got);
	ref = reference(s, dur_units, dur_mult, &want);
	if ((ok == 0) != (ref == 0) || (ok == 0 && got != want))
		abort();
	ok = d0_parse_size(s, &got);
	ref = reference(s, size_units, size_mult, &want);
	if ((ok == 0) != (ref == 0) || (ok == 0 && got != want))
		abort();
}

static void check_device(const char *s)
{
	__u32 bdf, again;
	char buf[16];

	if (d0_bdf_parse(s, &bdf))
		return;
	d0_bdf_format(bdf, buf, sizeof(buf));
	if (d0_bdf_parse(buf, &again) || again != bdf)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct d0_requirement q;
	struct d0_allow a;
	enum d0_check_format f;
	int rule;

	memcpy(s, data, size);
	s[size] = 0;
	check_number_parsers(s);
	check_device(s);
	if (!d0_allow_parse(s, &a) && (a.rule < 1 || a.rule > D0_RULE_MAX))
		abort();
	memset(&q, 0, sizeof(q));
	if (!d0_require_parse(s, &q) && (q.kind < 0 || q.kind >= D0_EV_COUNT || q.min < 1 ||
					  strcmp(q.text, s)))
		abort();
	rule = d0_rule_parse(s);
	if (rule < 0 || rule > D0_RULE_MAX)
		abort();
	if (!d0_check_format_parse(s, &f) && (int)f > D0_FMT_TAP)
		abort();
	free(s);
	return 0;
}
