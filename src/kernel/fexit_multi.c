// SPDX-License-Identifier: GPL-2.0
#include "kernel/fexit_multi.h"
#include "kernel/cold_multi.h"
#include "kernel/kernel_btf.h"
#include "lib/log.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define D0_FEXIT_MULTI_SEC "d0.fexit.multi"

int d0_fexit_multi_type(const struct btf *vmlinux)
{
	int id = btf__find_by_name_kind(vmlinux, "bpf_attach_type", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;

	if (!t || btf__find_by_name_kind(vmlinux, "bpf_multi_func", BTF_KIND_FUNC) <= 0)
		return -1;
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(vmlinux, btf_enum(t)[i].name_off), "BPF_TRACE_FEXIT_MULTI"))
			return btf_enum(t)[i].val;
	return -1;
}

bool d0_fexit_multi_row(int hook)
{
	return hook >= 0 && hook < D0_HOOK_COUNT && d0_hooks[hook].kind == D0_FEXIT &&
	       (d0_hooks[hook].flags & D0_HF_FEXIT_MULTI);
}

bool d0_fexit_multi_usable(const struct d0_kernel_facts *k, const char **why)
{
	if (d0_multi_switched_off(why))
		return false;
	/* 0 is BPF_CGROUP_INET_INGRESS: never this type, and what facts without BTF hold */
	if (k->fexit_multi_type <= 0) {
		*why = "no tracing multi links in this kernel (BPF_TRACE_FEXIT_MULTI and bpf_multi_func, 7.2+)";
		return false;
	}
	*why = NULL;
	return true;
}

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int register_err;

static void register_handler(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, o);
	/* BPF_TRACE_FEXIT stands in for the type libbpf 1.1 does not know: d0_fexit_multi_prepare sets it */
	int id = libbpf_register_prog_handler(D0_FEXIT_MULTI_SEC, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, &o);

	register_err = id < 0 ? id : 0;
	if (id < 0)
		d0_warn("cannot register the %s section with libbpf: %s (those rows get their own programs)",
			D0_FEXIT_MULTI_SEC, strerror(-id));
}

int d0_fexit_multi_register(void)
{
	pthread_once(&registered, register_handler);
	return register_err;
}

/* The module BTF fd of one load: held until its link is made (src/kernel/loader.c runs one load at a time). */
static int module_btf_fd = -1;

int d0_fexit_multi_begin(const char *module)
{
	d0_fexit_multi_end();
	module_btf_fd = d0_kernel_btf_open(module, NULL);
	if (module_btf_fd < 0)
		d0_debug("fexit.multi: no BTF object of module %s in the kernel", module);
	return module_btf_fd < 0 ? module_btf_fd : 0;
}

void d0_fexit_multi_end(void)
{
	if (module_btf_fd >= 0)
		close(module_btf_fd);
	module_btf_fd = -1;
}

int d0_fexit_multi_prepare(struct bpf_program *p, const struct d0_kernel_facts *k)
{
	int err;

	if (module_btf_fd < 0)
		return -EBADF;
	err = bpf_program__set_expected_attach_type(p, k->fexit_multi_type);
	/*
	 * A target fd without a function name: libbpf passes it as attach_prog_fd,
	 * which shares its place in bpf_attr with attach_btf_obj_fd; the kernel,
	 * finding no program behind it, takes it as the attach BTF (7.2's bpf_prog_load).
	 */
	if (!err)
		err = bpf_program__set_attach_target(p, module_btf_fd, NULL);
	return err;
}

/* BPF_LINK_CREATE's tracing_multi member (7.2 uapi), which Debian 12's headers predate. */
struct link_create_tracing_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 ids;
	__aligned_u64 cookies;
	__u32 cnt;
};
_Static_assert(offsetof(struct link_create_tracing_multi, ids) == 16, "tracing_multi.ids at offset 16 of link_create");
_Static_assert(sizeof(struct link_create_tracing_multi) <= sizeof(union bpf_attr), "bpf_attr too small");

int d0_fexit_multi_attach(int prog_fd, const struct d0_kernel_facts *k, const bool rows[D0_HOOK_COUNT])
{
	union {
		union bpf_attr attr;
		struct link_create_tracing_multi lc;
	} a;
	__u32 ids[D0_HOOK_COUNT];
	__u64 cookies[D0_HOOK_COUNT];
	__u32 n = 0;
	int fd;

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		if (!rows[i])
			continue;
		if (k->t[i].btf_id <= 0) {
			d0_debug("fexit.multi: %s has no BTF id for %s", d0_hooks[i].name, d0_hooks[i].target);
			return -ENOENT;
		}
		ids[n] = k->t[i].btf_id;
		cookies[n++] = i;
	}
	if (!n)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.lc.prog_fd = prog_fd;
	a.lc.attach_type = k->fexit_multi_type;
	a.lc.ids = (__u64)(unsigned long)ids;
	a.lc.cookies = (__u64)(unsigned long)cookies;
	a.lc.cnt = n;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a.attr, sizeof(a.attr));
	return fd < 0 ? -errno : fd;
}
