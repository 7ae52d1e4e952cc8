// SPDX-License-Identifier: GPL-2.0
#include "kernel/kernel_btf.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Calls fn(name, id, fd, ctx) for each kernel BTF object until it returns nonzero (it then owns fd). */
static int each_kernel_btf(int (*fn)(const char *name, __u32 id, int fd, void *ctx), void *ctx)
{
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[64] = "";
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf && fn(name, id, fd, ctx))
			return 0;
		close(fd);
	}
	return -ENOENT;
}

struct open_one {
	const char *module;
	__u32 id;
	int fd;
};

static int match_open(const char *name, __u32 id, int fd, void *ctx)
{
	struct open_one *o = ctx;

	if (strcmp(name, o->module))
		return 0;
	o->id = id;
	o->fd = fd;
	return 1;
}

int d0_kernel_btf_open(const char *module, __u32 *id)
{
	struct open_one o = { .module = module, .fd = -ENOENT };

	each_kernel_btf(match_open, &o);
	if (id)
		*id = o.fd >= 0 ? o.id : 0;
	return o.fd;
}

struct ids_all {
	const char *const *modules;
	__u32 *ids;
	int n;
};

static int match_ids(const char *name, __u32 id, int fd, void *ctx)
{
	struct ids_all *a = ctx;

	(void)fd;
	for (int i = 0; i < a->n; i++)
		if (!strcmp(name, a->modules[i]))
			a->ids[i] = id;
	return 0;
}

void d0_kernel_btf_ids(const char *const *modules, __u32 *ids, int n)
{
	struct ids_all a = { .modules = modules, .ids = ids, .n = n };

	memset(ids, 0, n * sizeof(ids[0]));
	each_kernel_btf(match_ids, &a);
}
