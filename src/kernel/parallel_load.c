// SPDX-License-Identifier: GPL-2.0
#include "kernel/parallel_load.h"

#include <stdlib.h>
#include <string.h>

int d0_load_split(const bool own[D0_HOOK_COUNT], bool cold, bool second[D0_HOOK_COUNT])
{
	int first_cost = cold ? D0_COLD_LOAD_WEIGHT : 0, second_cost = 0, n = 0;

	/* in table order, each to the lighter group: neighbours (an entry and its exit) spread out */
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		second[i] = false;
		if (!own[i])
			continue;
		if (second_cost < first_cost) {
			second[i] = true;
			second_cost++;
			n++;
		} else {
			first_cost++;
		}
	}
	return n;
}

bool d0_parallel_load_usable(int nown, long cpus, const char **why)
{
	const char *on = getenv("D0AUDIT_PARALLEL_LOAD");

	*why = NULL;
	if (on && !strcmp(on, "0"))
		*why = "D0AUDIT_PARALLEL_LOAD=0";
	else if (cpus < 2)
		*why = "one CPU to run on";
	else if (nown < D0_PARALLEL_MIN_PROGRAMS)
		*why = "too few programs of their own";
	return !*why;
}
