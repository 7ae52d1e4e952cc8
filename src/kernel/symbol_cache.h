/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc/kallsyms, available_filter_functions and the kernel's BTF say
 * about the hook targets (and the addresses of include/d0audit/kernel_data.h),
 * kept per boot: scanning them (some 200k lines the kernel formats on every
 * read) was seconds of every start-up under TCG, and parsing and indexing
 * vmlinux BTF about a second more (issue 18). The key changes
 * with the boot, any module loaded, unloaded or reloaded, the hook table and
 * whether tracefs can be read; a file that is not this user's, not exactly
 * this format or not complete is a miss, and the scan runs as before.
 */
#ifndef D0AUDIT_SYMBOL_CACHE_H
#define D0AUDIT_SYMBOL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "model/hook_plan.h"

/* Where start-up keeps it (tmpfs: gone at reboot); D0AUDIT_SYMBOL_CACHE=0 turns it off. */
#define D0_SYMBOL_CACHE_PATH "/run/d0audit/symbols"

/* The running system's key; 0, or -errno if boot_id or /proc/modules cannot be read. */
int d0_symbol_cache_key(char *key, size_t len, const char *ftrace_path);
/*
 * On a hit, sets k's symbol facts (sym_exact, clone and ftrace_site of every hook, ftrace_list, kdata) and its
 * BTF facts (module_present, requires_missing, btf_nargs, btf_id, btf_obj_id; vmlinux_btf, fexit_multi_type,
 * mapping_model, iommufd); else k is untouched.
 */
bool d0_symbol_cache_load(const char *path, const char *key, struct d0_kernel_facts *k);
/* Written to a temporary file and renamed: 0, or -errno. */
int d0_symbol_cache_store(const char *path, const char *key, const struct d0_kernel_facts *k);

#endif
