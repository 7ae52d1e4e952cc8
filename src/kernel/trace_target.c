// SPDX-License-Identifier: GPL-2.0
#include "kernel/trace_target.h"
#include "lib/log.h"
#include "model/hook_table.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int register_err;

/* Between begin and end: the facts, and the module BTF fds opened so far (both loading threads use them). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const struct d0_kernel_facts *facts;
static struct {
	unsigned obj_id;
	int fd;
} opened[8];
static int nopened;

/* The row whose program this is (the hook table names one program per row; tests/unit/test_hook_programs.c). */
static int row_of(const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if ((d0_hooks[i].kind == D0_FENTRY || d0_hooks[i].kind == D0_FEXIT) && !strcmp(d0_hooks[i].prog, name))
			return i;
	return -1;
}

/* An fd of kernel BTF object obj_id, opened once per begin/end; -errno if it is gone. */
static int module_fd(unsigned obj_id)
{
	int fd;

	for (int i = 0; i < nopened; i++)
		if (opened[i].obj_id == obj_id)
			return opened[i].fd;
	if (nopened == (int)(sizeof(opened) / sizeof(opened[0])))
		return -EMFILE;
	fd = bpf_btf_get_fd_by_id(obj_id);
	if (fd < 0)
		return -errno;
	opened[nopened].obj_id = obj_id;
	opened[nopened++].fd = fd;
	return fd;
}

static int prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	int i = row_of(prog), fd = 0, err = 0;
	const struct d0_target_facts *t;

	(void)cookie;
	pthread_mutex_lock(&lock);
	if (!facts || i < 0) {
		d0_warn("program %s: no hook row or kernel facts to take its attach target from (build mismatch)",
			bpf_program__name(prog));
		err = -ENOENT;
		goto out;
	}
	t = &facts->t[i];
	if (t->btf_id <= 0) {
		d0_debug("hook %s: no BTF id for %s in %s", d0_hooks[i].name, d0_hooks[i].target, d0_hooks[i].module);
		err = -ENOENT;
		goto out;
	}
	if (strcmp(d0_hooks[i].module, "vmlinux")) {
		fd = t->btf_obj_id ? module_fd(t->btf_obj_id) : -ENOENT;
		if (fd < 0) {
			d0_warn("hook %s: the BTF of module %s that d0audit read (object %u) is gone: %s; "
				"was the module reloaded? run d0audit again", d0_hooks[i].name, d0_hooks[i].module,
				t->btf_obj_id, strerror(-fd));
			err = fd;
			goto out;
		}
	}
	opts->attach_btf_id = t->btf_id;
	opts->attach_btf_obj_fd = fd;
out:
	pthread_mutex_unlock(&lock);
	return err;
}

static int attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	(void)cookie;
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

static void register_handlers(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, o, .prog_prepare_load_fn = prepare, .prog_attach_fn = attach);
	/* found before libbpf's own "fentry+" and "fexit+" (custom handlers are looked up first) */
	int a = libbpf_register_prog_handler("fentry+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, &o);
	int b = a < 0 ? a : libbpf_register_prog_handler("fexit+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, &o);

	if (b < 0 && a >= 0)
		libbpf_unregister_prog_handler(a);
	register_err = b < 0 ? b : 0;
	if (b < 0)
		d0_debug("cannot register the fentry/fexit section handlers with libbpf (%s): libbpf finds the ids",
			 strerror(-b));
}

int d0_trace_targets_register(void)
{
	pthread_once(&registered, register_handlers);
	return register_err;
}

void d0_trace_targets_begin(const struct d0_kernel_facts *k)
{
	pthread_mutex_lock(&lock);
	facts = k;
	pthread_mutex_unlock(&lock);
}

void d0_trace_targets_end(void)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nopened; i++)
		close(opened[i].fd);
	nopened = 0;
	facts = NULL;
	pthread_mutex_unlock(&lock);
}
