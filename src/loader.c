// SPDX-License-Identifier: GPL-2.0
#include "loader.h"
#include "log.h"
#include "d0audit.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define D0_DEFAULT_RINGBUF (4u << 20)

static struct bpf_program *prog_of(struct d0audit_bpf *skel, int hook)
{
	return bpf_object__find_program_by_name(skel->obj, d0_hooks[hook].prog);
}

static int open_skel(struct d0_loader *l, const struct d0_load_opts *opts, int only_hook)
{
	struct d0audit_bpf *skel = d0audit_bpf__open();

	if (!skel) {
		d0_err("cannot open the embedded BPF object: %s", strerror(errno));
		return -errno;
	}
	skel->rodata->cfg_record_all = opts && opts->record_all;
	skel->rodata->cfg_mode = opts ? opts->mode : 0;
	if (opts && opts->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_bytes);
	else
		bpf_map__set_max_entries(skel->maps.events, D0_DEFAULT_RINGBUF);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		struct bpf_program *p = prog_of(skel, i);
		bool on = l->plan[i].decision == D0_PLAN_ATTACH && (only_hook < 0 || only_hook == i);

		if (!p) {
			d0_err("BPF object has no program %s for hook %s: build mismatch", d0_hooks[i].prog,
			       d0_hooks[i].name);
			d0audit_bpf__destroy(skel);
			return -ENOENT;
		}
		bpf_program__set_autoload(p, on);
	}
	l->skel = skel;
	return 0;
}

/*
 * The object failed to load: find which programs the kernel rejects, one at
 * a time. Returns -EPERM when it refuses every one for lack of permission.
 */
static int isolate_load_failures(struct d0_loader *l, const struct d0_load_opts *opts)
{
	int tried = 0, eperm = 0;

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		int err;

		if (l->plan[i].decision != D0_PLAN_ATTACH)
			continue;
		if (open_skel(l, opts, i))
			return -ENOENT;
		err = d0audit_bpf__load(l->skel);
		d0audit_bpf__destroy(l->skel);
		l->skel = NULL;
		tried++;
		eperm += err == -EPERM;
		if (!err)
			continue;
		l->plan[i].decision = D0_PLAN_UNAVAILABLE;
		l->plan[i].error = err;
		snprintf(l->plan[i].reason, sizeof(l->plan[i].reason), "the kernel refused to load %s: %s%s",
			 d0_hooks[i].prog, strerror(-err), err == -EACCES || err == -EINVAL ?
			 " (verifier; run with -vv for its log)" : "");
	}
	if (tried && eperm == tried) {
		d0_err("the kernel refused every tracing program with EPERM: tracing needs CAP_BPF+CAP_PERFMON "
		       "(or CAP_SYS_ADMIN) in the initial user namespace and no LSM/seccomp policy against it "
		       "(containers often block it)");
		return -EPERM;
	}
	return 0;
}

static int attach_one(struct d0_loader *l, int i)
{
	const struct d0_hook_def *h = &d0_hooks[i];
	struct bpf_program *p = prog_of(l->skel, i);
	struct bpf_link *link;

	if (h->kind == D0_KPROBE || h->kind == D0_KRETPROBE)
		link = bpf_program__attach_kprobe(p, h->kind == D0_KRETPROBE, l->plan[i].symbol);
	else
		link = bpf_program__attach(p);
	if (!link) {
		int err = -errno;

		l->plan[i].error = err;
		snprintf(l->plan[i].reason, sizeof(l->plan[i].reason), "attach to %s failed: %s",
			 l->plan[i].symbol, strerror(-err));
		return err;
	}
	l->links[i] = link;
	l->plan[i].attached = true;
	l->attached++;
	return 0;
}

int d0_loader_plan(struct d0_loader *l)
{
	int err = d0_kernel_facts_collect(&l->facts, NULL);

	if (err)
		return err;
	d0_plan_hooks(&l->facts, l->plan);
	return 0;
}

/* Open and load with the current plan; on failure nothing is left open. */
static int open_and_load(struct d0_loader *l, const struct d0_load_opts *opts)
{
	int err = open_skel(l, opts, -1);

	if (err)
		return err;
	err = d0audit_bpf__load(l->skel);
	if (err) {
		d0audit_bpf__destroy(l->skel);
		l->skel = NULL;
	}
	return err;
}

/* Is bpf(2) usable at all here? Otherwise every program would fail alike. */
static int bpf_preflight(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "d0_probe", sizeof(__u32), sizeof(__u32), 1, NULL);

	if (fd < 0) {
		int err = -errno;

		d0_err("bpf(2) is not permitted here (%s): needs root or CAP_BPF+CAP_PERFMON in the initial "
		       "user namespace, and no seccomp/LSM policy blocking bpf (containers often do)",
		       strerror(-err));
		return err;
	}
	close(fd);
	return 0;
}

int d0_loader_start(struct d0_loader *l, const struct d0_load_opts *opts)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = d0_loader_plan(l);
	if (err)
		return err;
	err = bpf_preflight();
	if (err)
		return err;
	err = open_and_load(l, opts);
	if (err) {
		d0_debug("BPF object failed to load (%s): finding the programs this kernel rejects",
			 strerror(-err));
		err = isolate_load_failures(l, opts);
		if (err)
			return err;
		err = open_and_load(l, opts);
		if (err) {
			d0_err("cannot load the BPF object even without the failing hooks: %s (run with -vv)",
			       strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (l->plan[i].decision == D0_PLAN_ATTACH)
			attach_one(l, i);
	return 0;
}

void d0_loader_stop(struct d0_loader *l)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
	d0audit_bpf__destroy(l->skel);
	l->skel = NULL;
}

const char *d0_hook_status(const struct d0_loader *l, int hook, bool loaded)
{
	const struct d0_hook_plan *p = &l->plan[hook];

	if (p->decision == D0_PLAN_SUPERSEDED)
		return "not-needed";
	if (p->decision == D0_PLAN_UNAVAILABLE)
		return p->error ? "failed" : "unavailable";
	if (!loaded)
		return "attachable";
	return p->attached ? "attached" : "failed";
}
