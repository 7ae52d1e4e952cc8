/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name lookups in a kernel BTF without libbpf 1.1's btf__find_by_name_kind,
 * which scans every type from id 1: a module's split BTF is vmlinux's
 * ~126k types again for each name. One pass over a BTF's own FUNCs and
 * STRUCTs fills a hash (issue 18: the per-hook lookups were a fifth of
 * start-up under TCG). First match wins, as with btf__find_by_name_kind.
 */
#ifndef D0AUDIT_BTF_INDEX_H
#define D0AUDIT_BTF_INDEX_H

struct btf;
struct d0_btf_index;

/*
 * Index btf's own types (a split BTF's, not its base's). With base_ix, the
 * index of its base, a name not among them is looked up there. NULL on
 * allocation failure (errno set).
 */
struct d0_btf_index *d0_btf_index_new(const struct btf *btf, const struct d0_btf_index *base_ix);

/* The type id of the first FUNC or STRUCT (kind: BTF_KIND_*) of that name, or -ENOENT. */
int d0_btf_index_find(const struct d0_btf_index *ix, const char *name, int kind);

void d0_btf_index_free(struct d0_btf_index *ix);

#endif /* D0AUDIT_BTF_INDEX_H */
