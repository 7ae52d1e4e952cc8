// SPDX-License-Identifier: GPL-2.0
#include "model/hook_table.h"

#include <string.h>

const struct d0_hook_def d0_hooks[D0_HOOK_COUNT] = {
#define D0_HOOK_ROW(id_, prog_, kind_, target_, module_, flags_, alt_, requires_) \
	[D0_HOOK_##id_] = {                                              \
		.id = D0_HOOK_##id_,                                     \
		.name = #id_,                                            \
		.prog = #prog_,                                          \
		.kind = D0_##kind_,                                      \
		.target = target_,                                       \
		.module = module_,                                       \
		.flags = flags_,                                         \
		.alt = D0_HOOK_##alt_,                                   \
		.requires = requires_,                                   \
	},
	D0_HOOK_TABLE(D0_HOOK_ROW)
#undef D0_HOOK_ROW
};

const char *d0_hook_kind_name(enum d0_hook_kind kind)
{
	switch (kind) {
	case D0_FENTRY: return "fentry";
	case D0_FEXIT: return "fexit";
	case D0_KPROBE: return "kprobe";
	case D0_KRETPROBE: return "kretprobe";
	case D0_ITER: return "iter";
	}
	return "?";
}

const struct d0_hook_def *d0_hook_by_name(const char *name)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (!strcmp(d0_hooks[i].name, name) || !strcmp(d0_hooks[i].prog, name))
			return &d0_hooks[i];
	return NULL;
}

int d0_hook_module_first(int hook)
{
	int i = 0;

	while (i < hook && strcmp(d0_hooks[i].module, d0_hooks[hook].module))
		i++;
	return i;
}

const char *d0_hook_name(unsigned int id)
{
	return id < D0_HOOK_COUNT ? d0_hooks[id].name : "invalid";
}
