// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* hsearch_r */
#include "kernel/btf_index.h"

#include <bpf/btf.h>
#include <errno.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>

/* the two kinds d0audit looks up by name */
enum { IX_FUNC, IX_STRUCT, IX_KINDS };

struct d0_btf_index {
	struct hsearch_data tab[IX_KINDS];
	const struct d0_btf_index *base;
};

static int ix_kind(int btf_kind)
{
	return btf_kind == BTF_KIND_FUNC ? IX_FUNC : btf_kind == BTF_KIND_STRUCT ? IX_STRUCT : -1;
}

struct d0_btf_index *d0_btf_index_new(const struct btf *btf, const struct d0_btf_index *base_ix)
{
	const struct btf *base = btf__base_btf(btf);
	int first = base ? (int)btf__type_cnt(base) : 1, last = (int)btf__type_cnt(btf);
	size_t count[IX_KINDS] = {};
	struct d0_btf_index *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix->base = base_ix;
	for (int id = first; id < last; id++) {
		int k = ix_kind(btf_kind(btf__type_by_id(btf, id)));

		if (k >= 0)
			count[k]++;
	}
	/* twice the entries: hsearch's open addressing stays short */
	for (int k = 0; k < IX_KINDS; k++)
		if (!hcreate_r(2 * count[k] + 16, &ix->tab[k])) {
			d0_btf_index_free(ix);
			return NULL;
		}
	for (int id = first; id < last; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int k = ix_kind(btf_kind(t));
		/* the key points into the BTF's strings: the index lives no longer than its BTF */
		ENTRY e = { .key = (char *)btf__name_by_offset(btf, t->name_off), .data = (void *)(intptr_t)id }, *r;

		/* FIND-or-ENTER keeps an existing entry: the first id of a name stays */
		if (k >= 0 && e.key && e.key[0] && !hsearch_r(e, ENTER, &r, &ix->tab[k])) {
			d0_btf_index_free(ix);
			return NULL;
		}
	}
	return ix;
}

int d0_btf_index_find(const struct d0_btf_index *ix, const char *name, int kind)
{
	int k = ix_kind(kind);

	for (; ix && k >= 0; ix = ix->base) {
		ENTRY e = { .key = (char *)name }, *r = NULL;

		/* FIND never writes the table; hsearch_r's prototype is not const */
		if (hsearch_r(e, FIND, &r, (struct hsearch_data *)&ix->tab[k]) && r)
			return (int)(intptr_t)r->data;
	}
	return -ENOENT;
}

void d0_btf_index_free(struct d0_btf_index *ix)
{
	if (!ix)
		return;
	for (int k = 0; k < IX_KINDS; k++)
		hdestroy_r(&ix->tab[k]);
	free(ix);
}
