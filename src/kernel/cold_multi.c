// SPDX-License-Identifier: GPL-2.0
#include "kernel/cold_multi.h"

#include <stdlib.h>
#include <string.h>
#include "d0audit/event.h"
#include "d0audit/rules.h"
#include "d0audit/cold_hooks.h"

static const struct d0_cold_cfg cold_cfg[D0_HOOK_COUNT] = {
	D0_COLD_TABLE(D0_COLD_CFG_ROW)
};

bool d0_cold_row(int hook)
{
	return hook >= 0 && hook < D0_HOOK_COUNT && cold_cfg[hook].served;
}

bool d0_multi_switched_off(const char **why)
{
	const char *off = getenv("D0AUDIT_NO_MULTI");

	if (off && !strcmp(off, "1")) {
		*why = "D0AUDIT_NO_MULTI=1";
		return true;
	}
	return false;
}

bool d0_cold_multi_usable(const struct d0_kernel_facts *k, const char **why)
{
	if (d0_multi_switched_off(why))
		return false;
	if (!d0_kernel_at_least(k, D0_MULTI_MIN_MAJOR, D0_MULTI_MIN_MINOR)) {
		*why = "kernel older than 6.10 (kprobe.multi on module functions)";
		return false;
	}
	*why = NULL;
	return true;
}

static bool is_exit(const struct d0_hook_def *h)
{
	return h->kind == D0_FEXIT || h->kind == D0_KRETPROBE;
}

/* The entry slot for symbol sym, added if new (cookie: no entry row, no exit row yet). */
static int entry_slot(struct d0_cold_links *o, const char *sym)
{
	for (int j = 0; j < o->nentry; j++)
		if (!strcmp(o->entry_syms[j], sym))
			return j;
	o->entry_syms[o->nentry] = sym;
	o->entry_cookies[o->nentry] = D0_COLD_COOKIE(D0_HOOK_NONE, D0_HOOK_NONE);
	return o->nentry++;
}

void d0_cold_links_build(const struct d0_hook_plan plan[D0_HOOK_COUNT], const bool multi[D0_HOOK_COUNT],
			 struct d0_cold_links *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		int j;

		if (!multi[i])
			continue;
		if (!is_exit(h)) {
			j = entry_slot(o, plan[i].symbol);
			if ((o->entry_cookies[j] & 0xffff) == D0_HOOK_NONE)
				o->entry_cookies[j] = (o->entry_cookies[j] & ~0xffffull) | (unsigned)i;
			else /* a second entry row on this function (rows are in table order) */
				o->entry_cookies[j] = (o->entry_cookies[j] & ~(0xffffull << 32)) | (__u64)i << 32;
			continue;
		}
		o->exit_syms[o->nexit] = plan[i].symbol;
		o->exit_cookies[o->nexit++] = D0_COLD_EXIT | (unsigned)i;
		if (d0_cold_exit_keeps_args(&cold_cfg[i])) {
			/* its arguments are kept at entry */
			j = entry_slot(o, plan[i].symbol);
			o->entry_cookies[j] = (o->entry_cookies[j] & ~(0xffffull << 16)) | (__u64)i << 16;
		}
	}
}
