// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* sched_getaffinity */
#include "kernel/loader.h"
#include "kernel/cold_multi.h"
#include "kernel/fexit_multi.h"
#include "kernel/parallel_load.h"
#include "lib/log.h"
#include "kernel/pin.h"
#include "lib/progress.h"
#include "kernel/verifier_log.h"
#include "kernel/seed.h"
#include "kernel/trace_target.h"
#include "d0audit.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define D0_DEFAULT_RINGBUF (4u << 20)

static struct bpf_program *prog_of(struct d0audit_bpf *skel, int hook)
{
	return bpf_object__find_program_by_name(skel->obj, d0_hooks[hook].prog);
}

/*
 * Open the object with only the hooks in want[] set to load. With `share`,
 * every map (ring buffer, device state, counters, rodata) is the one of an
 * object already loaded, so that late hooks feed the same state and stream.
 */
static int open_skel(const struct d0_kernel_facts *facts, const struct d0_load_opts *opts,
		     const bool want[D0_HOOK_COUNT], const bool *multi, struct d0audit_bpf *share,
		     struct d0audit_bpf **out)
{
	bool cold_entry = false, cold_exit = false, fexit_multi = false;
	struct d0audit_bpf *skel;
	struct bpf_map *m;

	/* fexit_multi's section, unknown to libbpf 1.1 (a failure leaves its rows to their own programs) */
	d0_fexit_multi_register();
	/* the fentry/fexit attach ids from the facts (src/kernel/trace_target.h); on failure libbpf finds them */
	d0_trace_targets_register();
	skel = d0audit_bpf__open();
	if (!skel) {
		d0_err("cannot open the embedded BPF object: %s", strerror(errno));
		return -errno;
	}
	skel->rodata->cfg_record_all = opts && opts->record_all;
	skel->rodata->cfg_mode = opts ? opts->mode : 0;
	/* 6.17's verifier (rdonly_untrusted_mem) lets the hot paths read vfio's config byte directly */
	skel->rodata->cfg_leaf_ptr_direct = d0_kernel_at_least(facts, 6, 17);
	memcpy(skel->rodata->cfg_kdata, facts->kdata, sizeof(skel->rodata->cfg_kdata));
	if (opts && opts->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_bytes);
	else
		bpf_map__set_max_entries(skel->maps.events, D0_DEFAULT_RINGBUF);
	/* the first object takes its maps from the pins, or pins them (late ones share its fds) */
	if (opts && opts->pin_dir && !share && d0_pin_set_map_paths(skel->obj, opts->pin_dir)) {
		d0audit_bpf__destroy(skel);
		return -EINVAL;
	}
	bpf_object__for_each_map(m, skel->obj) {
		struct bpf_map *own;
		int err;

		if (!share)
			break;
		own = bpf_object__find_map_by_name(share->obj, bpf_map__name(m));
		err = own ? bpf_map__reuse_fd(m, bpf_map__fd(own)) : -ENOENT;
		if (err) {
			d0_err("cannot share map %s with the loaded object: %s", bpf_map__name(m), strerror(-err));
			d0audit_bpf__destroy(skel);
			return err;
		}
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		struct bpf_program *p = prog_of(skel, i);

		if (!p) {
			d0_err("BPF object has no program %s for hook %s: build mismatch", d0_hooks[i].prog,
			       d0_hooks[i].name);
			d0audit_bpf__destroy(skel);
			return -ENOENT;
		}
		/* a row the multi-attached programs serve loads no program of its own */
		bpf_program__set_autoload(p, want[i] && !(multi && multi[i]));
		if (want[i] && multi && multi[i] && d0_fexit_multi_row(i)) {
			fexit_multi = true;
		} else if (want[i] && multi && multi[i]) {
			bool exit = d0_hooks[i].kind == D0_FEXIT || d0_hooks[i].kind == D0_KRETPROBE;

			cold_entry = true; /* exits keep their arguments at entry */
			cold_exit |= exit;
		}
	}
	/* one program for both links */
	bpf_program__set_autoload(skel->progs.cold_hook, cold_entry || cold_exit);
	bpf_program__set_autoload(skel->progs.fexit_multi, fexit_multi);
	if (fexit_multi) {
		int err = d0_fexit_multi_prepare(skel->progs.fexit_multi, facts);

		if (err) {
			d0_debug("cannot set fexit_multi up for loading: %s", strerror(-err));
			d0audit_bpf__destroy(skel);
			return err;
		}
	}
	*out = skel;
	return 0;
}

/* The cause libbpf's verifier log gives for the one program being loaded. */
struct refusal {
	char cause[120];     /* leaves room in the plan reason for the program and errno */
};

static void catch_refusal(const char *msg, void *ctx)
{
	struct refusal *r = ctx;

	if (!r->cause[0] && strstr(msg, "-- BEGIN PROG LOAD LOG --"))
		d0_verifier_log_cause(strchr(msg, '\n'), r->cause, sizeof(r->cause));
}

/*
 * The object failed to load: find which of the wanted programs the kernel
 * rejects, one at a time, and plan them out. Returns -EPERM when it refuses
 * every one for lack of permission.
 */
static int isolate_load_failures(struct d0_loader *l, const struct d0_load_opts *opts, bool want[D0_HOOK_COUNT],
				 struct d0audit_bpf *share)
{
	int tried = 0, eperm = 0;

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		bool only[D0_HOOK_COUNT] = {};
		struct refusal why = {};
		struct d0audit_bpf *skel;
		int err;

		if (!want[i])
			continue;
		only[i] = true;
		if (open_skel(&l->facts, opts, only, NULL, share, &skel))
			return -ENOENT;
		d0_log_tap_libbpf(catch_refusal, &why);
		err = d0audit_bpf__load(skel);
		d0_log_tap_libbpf(NULL, NULL);
		d0audit_bpf__destroy(skel);
		tried++;
		eperm += err == -EPERM;
		if (!err)
			continue;
		want[i] = false;
		l->plan[i].decision = D0_PLAN_UNAVAILABLE;
		l->plan[i].error = err;
		if (why.cause[0])
			snprintf(l->plan[i].reason, sizeof(l->plan[i].reason), "the kernel refused to load %s: %s: %s",
				 d0_hooks[i].prog, strerror(-err), why.cause);
		else
			snprintf(l->plan[i].reason, sizeof(l->plan[i].reason), "the kernel refused to load %s: %s%s",
				 d0_hooks[i].prog, strerror(-err), err == -EACCES || err == -EINVAL ?
				 " (verifier; run with -vv for its log)" : "");
	}
	if (tried && eperm == tried) {
		d0_err("the kernel refused every tracing program with EPERM: d0audit needs CAP_SYS_ADMIN "
		       "(CAP_BPF+CAP_PERFMON cannot reach module BTF) in the initial user namespace and no LSM/seccomp policy against it "
		       "(containers often block it)");
		return -EPERM;
	}
	return 0;
}

/* Hook i is attached through link (new, or re-opened from its pin). */
static void keep_link(struct d0_loader *l, int i, struct bpf_link *link)
{
	l->links[i] = link;
	l->plan[i].attached = true;
	l->attached++;
}

static int attach_one(struct d0_loader *l, struct d0audit_bpf *skel, int i)
{
	const struct d0_hook_def *h = &d0_hooks[i];
	struct bpf_program *p = prog_of(skel, i);
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
	keep_link(l, i, link);
	if (l->pin_dir)
		d0_pin_link(link, l->pin_dir, h->name);
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

/*
 * D0AUDIT_VERIFIER_STATS=1 (issue 18's profile of start-up): the verifier's
 * statistics per program (log level 4), printed after the load at -v.
 */
#define D0_STATS_LOG 1024

static char *verifier_stats_on(struct d0audit_bpf *skel)
{
	const char *on = getenv("D0AUDIT_VERIFIER_STATS");
	struct bpf_program *p;
	char *logs;
	int n = 0;

	if (!on || strcmp(on, "1"))
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		n++;
	logs = calloc(n, D0_STATS_LOG);
	if (!logs)
		return NULL;
	n = 0;
	bpf_object__for_each_program(p, skel->obj) {
		if (bpf_program__autoload(p)) {
			bpf_program__set_log_buf(p, logs + n * D0_STATS_LOG, D0_STATS_LOG);
			bpf_program__set_log_level(p, 4);
		}
		n++;
	}
	return logs;
}

static void verifier_stats_print(struct d0audit_bpf *skel, char *logs)
{
	struct bpf_program *p;
	int n = 0;

	if (!logs)
		return;
	bpf_object__for_each_program(p, skel->obj) {
		const char *log = logs + n++ * D0_STATS_LOG, *t = strstr(log, "verification time "),
			   *ins = strstr(log, "processed ");

		if (bpf_program__autoload(p) && t && ins)
			d0_info("verifier: %-28s %8ld us %8ld insns processed", bpf_program__name(p),
				strtol(t + 18, NULL, 10), strtol(ins + 10, NULL, 10));
	}
	free(logs);
}

/* Open and load the wanted hooks; on failure nothing is left open. */
static int open_and_load(const struct d0_kernel_facts *facts, const struct d0_load_opts *opts,
			 const bool want[D0_HOOK_COUNT], const bool *multi, struct d0audit_bpf *share,
			 struct d0audit_bpf **out)
{
	int err = open_skel(facts, opts, want, multi, share, out);
	char *stats;

	if (err)
		return err;
	stats = verifier_stats_on(*out);
	err = d0audit_bpf__load(*out);
	if (!err)
		verifier_stats_print(*out, stats);
	else
		free(stats);
	if (err) {
		d0audit_bpf__destroy(*out);
		*out = NULL;
	}
	return err;
}

/* Load the wanted hooks, isolating any the kernel rejects (without the multi-attached programs then). */
static int load_wanted(struct d0_loader *l, const struct d0_load_opts *opts, bool want[D0_HOOK_COUNT],
		       bool multi[D0_HOOK_COUNT], struct d0audit_bpf *share, struct d0audit_bpf **out)
{
	int err = open_and_load(&l->facts, opts, want, multi, share, out);

	if (err && memchr(multi, true, D0_HOOK_COUNT)) {
		d0_debug("BPF object with the multi-attached cold programs failed to load (%s): "
			 "loading every row's own program", strerror(-err));
		memset(multi, 0, D0_HOOK_COUNT * sizeof(multi[0]));
		err = open_and_load(&l->facts, opts, want, multi, share, out);
	}
	if (err) {
		d0_debug("BPF object failed to load (%s): finding the programs this kernel rejects",
			 strerror(-err));
		err = isolate_load_failures(l, opts, want, share);
		if (err)
			return err;
		err = open_and_load(&l->facts, opts, want, NULL, share, out);
		if (err) {
			d0_err("cannot load the BPF object even without the failing hooks: %s (run with -vv)",
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Attach the cold rows in multi[] with one kprobe.multi and one kretprobe.multi link of one program. */
static int attach_cold(struct d0_loader *l, struct d0audit_bpf *skel, const bool multi[D0_HOOK_COUNT])
{
	struct d0_cold_links c;
	struct bpf_link *entry = NULL, *exit = NULL;
	int err;

	d0_cold_links_build(l->plan, multi, &c);
	if (c.nentry) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = c.entry_syms, .cookies = c.entry_cookies,
			    .cnt = c.nentry);

		entry = bpf_program__attach_kprobe_multi_opts(skel->progs.cold_hook, NULL, &o);
		if (!entry) {
			err = -errno;
			d0_debug("kprobe.multi link for %d cold functions failed: %s", c.nentry, strerror(-err));
			return err;
		}
	}
	/* after the entry link: an exit finds the arguments its entry kept */
	if (c.nexit) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = c.exit_syms, .cookies = c.exit_cookies,
			    .cnt = c.nexit, .retprobe = true);

		exit = bpf_program__attach_kprobe_multi_opts(skel->progs.cold_hook, NULL, &o);
		if (!exit) {
			err = -errno;
			d0_debug("kretprobe.multi link for %d cold functions failed: %s", c.nexit, strerror(-err));
			bpf_link__destroy(entry);
			return err;
		}
	}
	l->cold_links[0] = entry;
	l->cold_links[1] = exit;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		l->plan[i].multi = multi[i];
		if (multi[i]) {
			l->plan[i].attached = true;
			l->attached++;
		}
	}
	d0_debug("cold rows: %d functions on one kprobe.multi link, %d on one kretprobe.multi link",
		 c.nentry, c.nexit);
	return 0;
}

/* The D0_HF_FEXIT_MULTI rows in multi[] on one fexit.multi link of fexit_multi (src/kernel/fexit_multi.h). */
static int attach_fexit_multi(struct d0_loader *l, struct d0audit_bpf *skel, const bool multi[D0_HOOK_COUNT])
{
	bool rows[D0_HOOK_COUNT];
	int n = 0, fd;

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		n += rows[i] = multi[i] && d0_fexit_multi_row(i);
	if (!n)
		return 0;
	fd = d0_fexit_multi_attach(bpf_program__fd(skel->progs.fexit_multi), &l->facts, rows);
	if (fd < 0) {
		d0_debug("fexit.multi link for %d functions failed: %s", n, strerror(-fd));
		return fd;
	}
	l->fexit_multi_fd = fd;
	l->fexit_multi_on = true;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (rows[i]) {
			l->plan[i].multi = true;
			l->plan[i].attached = true;
			l->attached++;
		}
	d0_debug("fexit.multi rows: %d functions on one fexit.multi link", n);
	return 0;
}

/* The cold rows' two links and the fexit.multi rows' one. */
static void close_multi_links(struct d0_loader *l)
{
	for (int i = 0; i < 2; i++) {
		bpf_link__destroy(l->cold_links[i]);
		l->cold_links[i] = NULL;
	}
	if (l->fexit_multi_on)
		close(l->fexit_multi_fd);
	l->fexit_multi_on = false;
}

/* Undo what the multi links attached (one of them failed): their rows go back to own programs. */
static void detach_multi(struct d0_loader *l)
{
	close_multi_links(l);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (l->plan[i].multi) {
			l->plan[i].multi = false;
			l->plan[i].attached = false;
			l->attached--;
		}
}

/*
 * The D0_HF_FEXIT_MULTI rows fexit_multi serves here (7.2+, no pins): those of the
 * first one's module, since one link resolves its ids in one BTF.
 */
static void plan_fexit_multi(struct d0_loader *l, const bool want[D0_HOOK_COUNT], bool multi[D0_HOOK_COUNT])
{
	const char *why = NULL, *module = NULL;

	if (!d0_fexit_multi_usable(&l->facts, &why) || d0_fexit_multi_register()) {
		d0_debug("fexit.multi rows (accessors, DMABUF exits) served by their own programs: %s", why ? why : "libbpf refused the section");
		return;
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		if (!want[i] || !d0_fexit_multi_row(i) || l->facts.t[i].btf_id <= 0)
			continue;
		if (!module)
			module = d0_hooks[i].module;
		multi[i] = !strcmp(module, d0_hooks[i].module);
	}
	if (module && d0_fexit_multi_begin(module))
		for (int i = 0; i < D0_HOOK_COUNT; i++)
			multi[i] &= !d0_fexit_multi_row(i);
}

/*
 * What load_objects() loaded: the own programs in part[0] (with the cold
 * program) and, loaded at once on a second thread, part[1] for the rows
 * in second[]; `maps` is the object of maps only both share when there was
 * no object to share yet (the start).
 */
struct loaded {
	struct d0audit_bpf *maps, *part[2];
	bool second[D0_HOOK_COUNT];
};

static void loaded_destroy(struct loaded *o)
{
	d0audit_bpf__destroy(o->part[1]);
	d0audit_bpf__destroy(o->part[0]);
	d0audit_bpf__destroy(o->maps);
	memset(o, 0, sizeof(*o));
}

struct part_job {
	const struct d0_kernel_facts *facts;
	const struct d0_load_opts *opts;
	const bool *want;
	struct d0audit_bpf *share, *out;
	int err;
};

static void *load_part(void *arg)
{
	struct part_job *j = arg;

	j->err = open_and_load(j->facts, j->opts, j->want, NULL, j->share, &j->out);
	return NULL;
}

/*
 * The own programs from two objects on two threads (src/kernel/parallel_load.h).
 * On any failure nothing stays loaded and the caller loads serially, which
 * finds the programs the kernel refuses.
 */
static int load_two(struct d0_loader *l, const struct d0_load_opts *opts, const bool want[D0_HOOK_COUNT],
		    const bool multi[D0_HOOK_COUNT], struct d0audit_bpf *share, struct loaded *o)
{
	bool none[D0_HOOK_COUNT] = {}, own[D0_HOOK_COUNT], first[D0_HOOK_COUNT];
	struct part_job job = { .facts = &l->facts, .opts = opts, .want = o->second };
	pthread_t t;
	int err;

	if (!share) {
		err = open_and_load(&l->facts, opts, none, NULL, NULL, &o->maps);
		if (err)
			return err;
		share = o->maps;
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		own[i] = want[i] && !multi[i];
	d0_load_split(own, memchr(multi, true, D0_HOOK_COUNT) != NULL, o->second);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		first[i] = want[i] && !o->second[i];
	job.share = share;
	err = pthread_create(&t, NULL, load_part, &job);
	if (err) {
		loaded_destroy(o);
		return -err;
	}
	err = open_and_load(&l->facts, opts, first, multi, share, &o->part[0]);
	pthread_join(t, NULL);
	o->part[1] = job.out;
	if (!err)
		err = job.err;
	if (err)
		loaded_destroy(o);
	return err;
}

/* The CPUs this process may run on (a cpuset or taskset limits them, not only those online). */
static long usable_cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
}

/* Load the wanted hooks: in two objects at once where it pays, else in one (isolating refused programs). */
static int load_objects(struct d0_loader *l, const struct d0_load_opts *opts, bool want[D0_HOOK_COUNT],
			bool multi[D0_HOOK_COUNT], struct d0audit_bpf *share, struct loaded *o)
{
	const char *why;
	int nown = 0, err;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		nown += want[i] && !multi[i];
	if (d0_parallel_load_usable(nown, usable_cpus(), &why)) {
		err = load_two(l, opts, want, multi, share, o);
		if (!err)
			return 0;
		d0_debug("loading in two objects at once failed (%s): loading them in one", strerror(-err));
	} else {
		d0_debug("programs loaded from one object: %s", why);
	}
	return load_wanted(l, opts, want, multi, share, &o->part[0]);
}

/* Keep an object whose programs run until stop (the start's or a late round's second part). */
static void keep_object(struct d0_loader *l, struct d0audit_bpf *obj)
{
	if (obj)
		l->parts[l->nparts++] = obj;
}

/* How many rows get a program of their own (not served by a multi link). */
static int own_programs(const bool want[D0_HOOK_COUNT], const bool multi[D0_HOOK_COUNT])
{
	int n = 0;

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		n += want[i] && !multi[i];
	return n;
}

/* After a load of `load` (want and the seed): the hooks refused are no longer wanted; where the seed loaded. */
static void seed_loaded(struct d0_loader *l, const bool load[D0_HOOK_COUNT], bool want[D0_HOOK_COUNT],
			const struct loaded *o)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (d0_hooks[i].kind != D0_ITER)
			want[i] = load[i];
	l->seed_skel = load[D0_HOOK_SEED_VMAS] ? o->part[o->second[D0_HOOK_SEED_VMAS]] : NULL;
}

/* Load the wanted hooks (isolating any the kernel rejects), then attach them. */
static int load_and_attach_round(struct d0_loader *l, const struct d0_load_opts *opts, bool want[D0_HOOK_COUNT],
			   struct d0audit_bpf *share, struct d0audit_bpf **out)
{
	bool multi[D0_HOOK_COUNT] = {}, cold[D0_HOOK_COUNT], load[D0_HOOK_COUNT];
	const char *why = NULL;
	int err, total, nmulti = 0, links, fexit_links = 0;
	struct timespec t0, t1, t2;
	struct loaded o;

	/*
	 * The seed's program loads with the hooks, in the same object (a second
	 * object of its own parsed vmlinux BTF and relocated again: about a
	 * second of start-up under TCG, issue 18); seed() runs it once they are
	 * attached. A kernel that refuses it still loses the seed only: the load
	 * isolates it like any refused program, and the plan says why.
	 */
	memcpy(load, want, sizeof(load));
	load[D0_HOOK_SEED_VMAS] = l->plan[D0_HOOK_SEED_VMAS].decision == D0_PLAN_ATTACH;
	l->seed_skel = NULL;

	/* pinned links are kept per row (src/kernel/pin.h): a pinned daemon keeps one program per row */
	if (!l->pin_dir && d0_cold_multi_usable(&l->facts, &why))
		for (int i = 0; i < D0_HOOK_COUNT; i++)
			multi[i] = want[i] && d0_cold_row(i);
	else
		d0_debug("cold rows served by their own programs: %s", why ? why : "links are pinned per row");
	if (!l->pin_dir)
		plan_fexit_multi(l, want, multi);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = load_objects(l, opts, load, multi, share, &o);
	if (err) {
		d0_fexit_multi_end();
		return err;
	}
	seed_loaded(l, load, want, &o);
	/* after the load: an object refused with the multi programs was loaded without them (multi[] cleared) */
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		cold[i] = multi[i] && !d0_fexit_multi_row(i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d0_progress_step("attaching");
	/* the two multi links count as one step each, so the count shows from the start of the step */
	links = !!memchr(cold, true, sizeof(cold));
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		fexit_links |= multi[i] && d0_fexit_multi_row(i);
	d0_progress_count(0, own_programs(want, multi) + links + fexit_links);
	if ((links && (err = attach_cold(l, o.part[0], cold))) ||
	    (err = attach_fexit_multi(l, o.part[0], multi))) {
		d0_warn("cannot multi-attach the cold or fexit.multi hooks (%s): loading one program per hook instead",
			strerror(-err));
		d0_fexit_multi_end();
		detach_multi(l);
		loaded_destroy(&o);
		l->seed_skel = NULL; /* it was one of those objects */
		memset(multi, 0, sizeof(multi));
		err = load_objects(l, opts, load, multi, share, &o);
		if (err)
			return err;
		seed_loaded(l, load, want, &o);
	}
	d0_fexit_multi_end();
	if (!memchr(multi, true, sizeof(multi)))
		links = fexit_links = 0;
	total = own_programs(want, multi);
	for (int i = 0, n = links + fexit_links; i < D0_HOOK_COUNT; i++)
		if (want[i] && !multi[i]) {
			attach_one(l, o.part[o.second[i]], i);
			d0_progress_count(++n, total + links + fexit_links);
		}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		nmulti += multi[i];
	d0_debug("start-up: load and verify %.0f ms%s, attach %.0f ms (%d own programs, %d rows on the multi links)",
		 (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
		 o.part[1] ? " (two objects at once)" : "",
		 (t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6, total, nmulti);
	/* the caller keeps *out (the maps' owner at start); the other parts are kept here */
	if (o.maps) {
		*out = o.maps;
		keep_object(l, o.part[0]);
	} else {
		*out = o.part[0];
	}
	keep_object(l, o.part[1]);
	return 0;
}

/* One round of loads, the fentry/fexit programs' attach ids taken from the round's facts. */
static int load_and_attach(struct d0_loader *l, const struct d0_load_opts *opts, bool want[D0_HOOK_COUNT],
			   struct d0audit_bpf *share, struct d0audit_bpf **out)
{
	int err;

	d0_trace_targets_begin(&l->facts);
	err = load_and_attach_round(l, opts, want, share, out);
	d0_trace_targets_end();
	return err;
}

/* Is bpf(2) usable at all here? Otherwise every program would fail alike. */
static int bpf_preflight(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "d0_probe", sizeof(__u32), sizeof(__u32), 1, NULL);

	if (fd < 0) {
		int err = -errno;

		d0_err("bpf(2) is not permitted here (%s): needs root or CAP_SYS_ADMIN in the initial "
		       "user namespace, and no seccomp/LSM policy blocking bpf (containers often do)",
		       strerror(-err));
		return err;
	}
	close(fd);
	return 0;
}

/*
 * Pins from a compatible build: the maps come from them (no program is
 * loaded) and every pinned link is re-opened, so nothing detaches and no
 * event is missed. If a hook the plan wants has no pin (vfio loaded while
 * no daemon ran, or a pin was removed), everything is reloaded and
 * re-attached on the pinned maps, as a late attach does.
 */
static int resume(struct d0_loader *l, const struct d0_load_opts *opts, const bool want[D0_HOOK_COUNT])
{
	bool none[D0_HOOK_COUNT] = {};
	int missing = 0, err, before;

	err = open_and_load(&l->facts, opts, none, NULL, NULL, &l->skel);
	if (err) {
		d0_err("cannot reuse the maps pinned in %s: %s (release them: d0audit daemon --release --pin %s)",
		       opts->pin_dir, strerror(-err), opts->pin_dir);
		return err;
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		struct bpf_link *link = d0_pin_open_link(opts->pin_dir, d0_hooks[i].name);

		if (!link) {
			missing += want[i];
			continue;
		}
		keep_link(l, i, link);
		l->reopened++;
	}
	if (!missing)
		return 0;
	d0_warn("%d planned hook(s) have no pin in %s: reloading and re-attaching every hook on the pinned maps",
		missing, opts->pin_dir);
	before = l->attached;
	err = d0_loader_extend(l, opts);
	/* extend restores what ran on failure: the re-opened links keep auditing */
	if (err < 0 && l->attached == before)
		d0_warn("re-attaching on the pinned maps failed (%s): carrying on with the %d re-opened hooks",
			strerror(-err), before);
	return 0;
}

/* The hooks to load and keep attached: planned ones, but not the iterators (run once, below). */
static void wanted(const struct d0_loader *l, bool want[D0_HOOK_COUNT])
{
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		want[i] = l->plan[i].decision == D0_PLAN_ATTACH && d0_hooks[i].kind != D0_ITER;
}

/*
 * The start-up seed (src/kernel/seed.h), once the hooks are attached: its program
 * was loaded with them (l->seed_skel), or, where they were re-opened from pins,
 * is loaded now on its own, sharing every map with what runs. On failure the
 * verdict stays incomplete for devices open before the start (MAPPED_UNKNOWN),
 * and doctor says why.
 */
static void seed(struct d0_loader *l, const struct d0_load_opts *opts)
{
	struct d0_hook_plan *p = &l->plan[D0_HOOK_SEED_VMAS];
	bool only[D0_HOOK_COUNT] = { [D0_HOOK_SEED_VMAS] = true };
	struct d0audit_bpf *skel = l->seed_skel, *own = NULL;
	struct d0_seed_result r;
	int err = 0;

	l->seed_skel = NULL;
	if (p->decision != D0_PLAN_ATTACH || !l->skel)
		return;
	d0_progress_step("seeding from the VMAs that exist (mappings made before the start)");
	if (!skel) {
		err = open_and_load(&l->facts, opts, only, NULL, l->skel, &own);
		skel = own;
	}
	if (err) {
		snprintf(p->reason, sizeof(p->reason), "the kernel refused to load %s: %s (run with -vv for its log)",
			 d0_hooks[D0_HOOK_SEED_VMAS].prog, strerror(-err));
	} else if (!opts) {
		/* doctor: the program loads; the walk runs where the verdict needs it */
		d0audit_bpf__destroy(own);
		p->attached = true;
		snprintf(p->reason, sizeof(p->reason), "loads; walks every VMA once when audit, record or the daemon start");
		return;
	} else {
		err = d0_seed_run(skel, &r, p->reason, sizeof(p->reason));
		d0audit_bpf__destroy(own);
	}
	p->error = err;
	if (err) {
		d0_warn("seed: %s; devices open before the start are judged incomplete where a mapping matters",
			p->reason);
		return;
	}
	/* "attached" = it ran; l->attached counts the links that stay, so not it */
	p->attached = true;
	snprintf(p->reason, sizeof(p->reason), "seeded in %llu ms: %llu vfio VMA(s), %llu device(s) mapped before the start",
		 r.ms, r.vmas, r.marked);
	d0_debug("seed: %s", p->reason);
}

int d0_loader_start(struct d0_loader *l, const struct d0_load_opts *opts)
{
	bool want[D0_HOOK_COUNT];
	int err;

	memset(l, 0, sizeof(*l));
	d0_progress_begin("reading kernel symbols and BTF");
	err = d0_loader_plan(l);
	if (!err)
		err = bpf_preflight();
	wanted(l, want);
	l->pin_dir = opts ? opts->pin_dir : NULL;
	if (!err && l->pin_dir && opts->resume) {
		d0_progress_step("re-opening the pinned hooks");
		err = resume(l, opts, want);
	} else if (!err) {
		d0_progress_step("loading BPF programs (the kernel verifies each)");
		err = load_and_attach(l, opts, want, NULL, &l->skel);
	}
	/* doctor (no options) only loads it: a walk would change no state of its own anyway */
	if (!err)
		seed(l, opts);
	d0_progress_end();
	return err;
}

int d0_loader_held_modules(const struct d0_loader *l, bool loaded, char *buf, unsigned long len)
{
	const char *seen[D0_HOOK_COUNT];
	int n = 0;
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		bool dup = false;

		if (h->kind != D0_FENTRY && h->kind != D0_FEXIT) /* kprobes hold no module reference */
			continue;
		if (!strcmp(h->module, "vmlinux"))
			continue;
		if (loaded ? !l->plan[i].attached : l->plan[i].decision != D0_PLAN_ATTACH)
			continue;
		for (int j = 0; j < n && !dup; j++)
			dup = !strcmp(seen[j], h->module);
		if (dup)
			continue;
		seen[n++] = h->module;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? " " : "", h->module);
	}
	return n;
}

/*
 * A module's BTF appears while it is still COMING (its init running, the
 * kernel refusing to attach to it): wait until it is live. No initstate
 * (built in) counts as live.
 */
static bool module_live(const char *name)
{
	char path[128], state[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (!fgets(state, sizeof(state), f))
		state[0] = 0;
	fclose(f);
	return !strncmp(state, "live", 4);
}

bool d0_loader_modules_appeared(const struct d0_loader *l)
{
	char path[96];

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		/* many hooks wait for the same module, present or not for all of them: one look per module */
		if (l->facts.t[i].module_present || d0_hook_module_first(i) != i)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", d0_hooks[i].module);
		if (access(path, R_OK) == 0 && module_live(d0_hooks[i].module))
			return true;
	}
	return false;
}

/*
 * Programs loaded before vfio's BTF existed were verified without their vfio
 * reads (bpf/device.h), so everything is reloaded, not only the new hooks:
 * the new programs attach first, then the old links go. Maps are shared, so
 * device state, counters and the stream carry on.
 */
int d0_loader_extend(struct d0_loader *l, const struct d0_load_opts *opts)
{
	struct bpf_link *old[D0_HOOK_COUNT], *old_cold[2];
	bool old_fexit_on = l->fexit_multi_on;
	int old_fexit_fd = l->fexit_multi_fd;
	struct d0_hook_plan old_plan[D0_HOOK_COUNT];
	struct d0_kernel_facts facts;
	bool want[D0_HOOK_COUNT];
	struct timespec now;
	int err, old_attached = l->attached;

	if (l->nlate >= D0_LATE_MAX) {
		d0_warn("modules appeared again, but %d late attachments were already made: not attaching more "
			"(restart d0audit to watch them)", D0_LATE_MAX);
		/* stop waiting, or the poll loop would ask again forever */
		for (int i = 0; i < D0_HOOK_COUNT; i++)
			l->facts.t[i].module_present = true;
		return 0;
	}
	err = d0_kernel_facts_collect(&facts, NULL);
	if (err)
		return err;
	memcpy(old, l->links, sizeof(old));
	memcpy(old_plan, l->plan, sizeof(old_plan));
	memset(l->links, 0, sizeof(l->links));
	memcpy(old_cold, l->cold_links, sizeof(old_cold));
	memset(l->cold_links, 0, sizeof(l->cold_links));
	l->fexit_multi_on = false;
	l->facts = facts;
	d0_plan_hooks(&l->facts, l->plan);
	l->attached = 0;
	wanted(l, want);
	err = load_and_attach(l, opts, want, l->skel, &l->late[l->nlate]);
	if (err) {
		/* keep what ran */
		memcpy(l->links, old, sizeof(old));
		memcpy(l->cold_links, old_cold, sizeof(old_cold));
		l->fexit_multi_on = old_fexit_on;
		l->fexit_multi_fd = old_fexit_fd;
		memcpy(l->plan, old_plan, sizeof(old_plan));
		l->attached = old_attached;
		return err;
	}
	l->nlate++;
	bpf_link__destroy(old_cold[0]);
	bpf_link__destroy(old_cold[1]);
	if (old_fexit_on)
		close(old_fexit_fd);
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		/* a hook no longer attached must not stay pinned (a replaced pin was already swapped) */
		if (old[i] && !l->links[i] && l->pin_dir)
			d0_pin_unlink_link(l->pin_dir, d0_hooks[i].name);
		bpf_link__destroy(old[i]);
		if (l->plan[i].attached && !old_plan[i].attached)
			l->plan[i].late_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
		else
			l->plan[i].late_ns = old_plan[i].late_ns;
	}
	/* vfio's VMAs may predate its hooks too: walk again (only devices still unknown are seeded) */
	seed(l, opts);
	return l->attached - old_attached;
}

void d0_loader_stop(struct d0_loader *l)
{
	d0_loader_detach(l);
	for (int i = 0; i < l->nparts; i++)
		d0audit_bpf__destroy(l->parts[i]);
	l->nparts = 0;
	for (int i = 0; i < l->nlate; i++)
		d0audit_bpf__destroy(l->late[i]);
	l->nlate = 0;
	d0audit_bpf__destroy(l->skel);
	l->skel = NULL;
}

void d0_loader_abi(const struct d0_load_opts *opts, struct d0_pin_abi *abi)
{
	size_t sz;
	const void *obj = d0audit_bpf__elf_bytes(&sz);

	d0_pin_abi_make(abi, obj, sz, opts->mode, opts->record_all,
			opts->ringbuf_bytes ? opts->ringbuf_bytes : D0_DEFAULT_RINGBUF);
}

const char *d0_hook_status(const struct d0_loader *l, int hook, bool loaded)
{
	return d0_hook_status_name(d0_plan_status(&l->plan[hook], loaded));
}

void d0_loader_detach(struct d0_loader *l)
{
	close_multi_links(l);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
}
