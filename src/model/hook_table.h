/* SPDX-License-Identifier: GPL-2.0 */
/* The hook table of include/d0audit/hooks.h as data for user space. */
#ifndef D0AUDIT_HOOK_TABLE_H
#define D0AUDIT_HOOK_TABLE_H

#include <linux/types.h>
#include "d0audit/hooks.h"

struct d0_hook_def {
	enum d0_hook_id id;
	const char *name;      /* e.g. "VFIO_SET_POWER" */
	const char *prog;      /* BPF program name */
	enum d0_hook_kind kind;
	const char *target;    /* kernel function */
	const char *module;    /* "vmlinux" or module name */
	unsigned int flags;    /* D0_HF_* */
	enum d0_hook_id alt;   /* fallback for this row, or D0_HOOK_NONE */
	const char *requires;  /* "module:struct.member" needed in BTF, or NULL */
};

extern const struct d0_hook_def d0_hooks[D0_HOOK_COUNT];

const char *d0_hook_kind_name(enum d0_hook_kind kind);
/* Row name of a hook id ("ZAP"), "invalid" when out of range. */
const char *d0_hook_name(unsigned int id);
/* Row by its name ("ZAP") or program name; NULL if none. */
const struct d0_hook_def *d0_hook_by_name(const char *name);
/* The first row of the table whose target lives in the same module as this one (itself if none earlier). */
int d0_hook_module_first(int hook);

#endif /* D0AUDIT_HOOK_TABLE_H */
