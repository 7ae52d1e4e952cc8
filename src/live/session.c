// SPDX-License-Identifier: GPL-2.0
#include "live/session.h"
#include "lib/global_opts.h"
#include "d0audit.skel.h"
#include "model/hook_table.h"
#include "kernel/loader.h"
#include "lib/log.h"
#include "model/mapping_model.h"
#include "model/rules_meta.h"
#include "trace/trace_writer.h"
#include "kernel/variant_ops.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define D0_POLL_MS 100

_Static_assert(D0_TRACE_UNOBSERVED_MAX == D0_UNOBSERVED_MAX, "the footer names every unobserved device");

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* ---- the phases ---------------------------------------------------------- */

int d0_session_open(struct d0_session *s, const struct d0_consumer_ops *ops)
{
	int err;

	if (!s->prefix)
		s->prefix = "";
	s->consuming = false;
	s->loader = calloc(1, sizeof(*s->loader));
	if (!s->loader) {
		d0_err("%scannot start: out of memory", s->prefix);
		return -ENOMEM;
	}
	err = d0_loader_start(s->loader, &s->load);
	if (err) {
		/* a failed start cleans up after itself: nothing for close to stop */
		free(s->loader);
		s->loader = NULL;
		return err;
	}
	err = d0_consumer_init(&s->cons, s->loader, ops);
	if (err)
		return err;
	s->consuming = true;
	/* devices bound before the session: BPF learns their driver's ops now (others at registration) */
	if (s->probe_variants)
		d0_variant_probe("");
	return 0;
}

int d0_session_poll(struct d0_session *s, int timeout_ms)
{
	return d0_consumer_poll(&s->cons, timeout_ms);
}

int d0_session_fd(const struct d0_session *s)
{
	return ring_buffer__epoll_fd(s->cons.rb);
}

/* "vfio_pci_core, vfio_iommu_type1": the modules whose hooks were waiting and are now present. */
static void modules_appeared(const struct d0_loader *l, const bool was_present[D0_HOOK_COUNT], char *buf,
			     size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	/* presence is decided per module (src/kernel/kernel_facts.c): its first row speaks for it */
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (d0_hook_module_first(i) == i && !was_present[i] && l->facts.t[i].module_present && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", d0_hooks[i].module);
}

/* Hand each hook attached since the last call to ops->attached (the verdict, the trace). */
static void tell_late(struct d0_session *s)
{
	unsigned long long newest = s->late_told_ns;

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		unsigned long long t = s->loader->plan[i].late_ns;

		if (!t || t <= s->late_told_ns || !s->loader->plan[i].attached)
			continue;
		if (s->cons.ops.attached)
			s->cons.ops.attached(i, t, s->cons.ops.ctx);
		if (t > newest)
			newest = t;
	}
	s->late_told_ns = newest;
}

int d0_session_attach_late(struct d0_session *s, int *added)
{
	bool was_present[D0_HOOK_COUNT];
	char mods[160];
	int n;

	*added = 0;
	if (!d0_loader_modules_appeared(s->loader))
		return 0;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		was_present[i] = s->loader->facts.t[i].module_present;
	n = d0_loader_extend(s->loader, &s->load);
	if (n < 0) {
		d0_warn("%smodules loaded after start, but attaching their hooks failed: %s ('d0audit doctor' tells "
			"which)", s->prefix, strerror(-n));
		return n;
	}
	*added = n;
	modules_appeared(s->loader, was_present, mods, sizeof(mods));
	if (n)
		d0_info("modules loaded after start (%s): %d more hooks attached (%d in all)", mods[0] ? mods : "?", n,
			s->loader->attached);
	tell_late(s);
	return 1;
}

/* Devices whose driver moves BAR data on paths no hook sees: the verdict on them cannot be clean. */
static void unobserved_paths(const struct d0_loader *l, struct d0_session_result *res)
{
	struct d0_variant_dev d[D0_VARIANT_MAX];
	int n = d0_variant_collect(bpf_map__fd(l->skel->maps.driver_ops), "", d, D0_VARIANT_MAX);

	if (n < 0)
		snprintf(res->unobserved[res->nunobserved++], sizeof(res->unobserved[0]),
			 "the drivers of the vfio devices could not be listed (%s): variant driver paths unchecked",
			 strerror(-n));
	for (int i = 0; i < n && res->nunobserved < D0_UNOBSERVED_MAX; i++)
		if (d[i].gap[0] && snprintf(res->unobserved[res->nunobserved++], sizeof(res->unobserved[0]),
					    "device %s (driver %s): %s", d[i].bdf, d[i].driver, d[i].gap) >=
					   (int)sizeof(res->unobserved[0]))
			strcpy(res->unobserved[res->nunobserved - 1] + sizeof(res->unobserved[0]) - 4, "...");
}

/*
 * Every event the hooks produced was delivered or counted as dropped; pinned,
 * the rest waits in the ring buffer for the next start. Anything else is loss
 * no counter saw: said here, for audit, record and the daemon alike.
 */
bool d0_session_accounting(enum d0_stop_how how, struct d0_session_result *res)
{
	const struct d0_counters *c = &res->counters;
	__u64 dropped = c->drops[D0_DROP_RINGBUF_FULL], accounted = c->delivered + dropped;

	res->pending = 0;
	res->unaccounted = false;
	if (how == D0_STOP_KEEP_PINNED && c->produced >= accounted) {
		res->pending = c->produced - accounted;
		return true;
	}
	if (c->produced == accounted)
		return true;
	res->unaccounted = true;
	d0_err("%s: accounting mismatch: produced %llu != delivered %llu + dropped %llu%s: %llu %s; this is a "
	       "d0audit bug (BPF object and d0audit from different builds?): report it with 'd0audit doctor -j'",
	       d0_opts.command ? d0_opts.command : "d0audit", (unsigned long long)c->produced,
	       (unsigned long long)c->delivered, (unsigned long long)dropped,
	       how == D0_STOP_KEEP_PINNED ? " + pending" : "",
	       (unsigned long long)(c->produced > accounted ? c->produced - accounted : accounted - c->produced),
	       c->produced > accounted ? "event(s) lost without being counted as dropped: the verdicts may miss them"
				       : "more event(s) delivered or dropped than produced: the counters disagree");
	return false;
}

int d0_session_stop(struct d0_session *s, enum d0_stop_how how, struct d0_session_result *res)
{
	int err;

	/* and those bound since without registering in sight (vfio-pci probing as its module loads) */
	if (s->probe_variants)
		d0_variant_probe("");
	if (how == D0_STOP_DETACH) {
		/* detach first so that nothing is produced after the final drain; the kernel's
		 * cost (trampoline and kprobe removal) grows with the hooks, so it is measured */
		unsigned long long t0 = now_ms();

		d0_loader_detach(s->loader);
		res->detach_ms = now_ms() - t0;
		err = d0_consumer_finish(&s->cons);
	} else {
		err = d0_consumer_drain(&s->cons);
	}
	if (err)
		d0_warn("%sthe final drain of the ring buffer failed: %s", s->prefix,
			how == D0_STOP_DETACH ? "counts below may be short" : "the next start drains it");
	d0_consumer_counters(&s->cons, &res->counters);
	res->bad_records = s->cons.bad_records;
	if (s->probe_variants)
		unobserved_paths(s->loader, res);
	d0_session_accounting(how, res);
	return err;
}

void d0_session_close(struct d0_session *s)
{
	if (s->consuming)
		d0_consumer_free(&s->cons);
	s->consuming = false;
	if (s->loader)
		d0_loader_stop(s->loader);
	free(s->loader);
	s->loader = NULL;
}

/* ---- what the session attached ------------------------------------------- */

/* Before open, or after it failed: nothing attached, every module still awaited (a zeroed loader). */
static const struct d0_loader not_open;

static const struct d0_loader *L(const struct d0_session *s)
{
	return s->loader ? s->loader : &not_open;
}

int d0_session_hooks_attached(const struct d0_session *s)
{
	return L(s)->attached;
}

int d0_session_hooks_waiting(const struct d0_session *s)
{
	int n = 0;

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		n += !L(s)->facts.t[i].module_present;
	return n;
}

int d0_session_hooks_reopened(const struct d0_session *s)
{
	return L(s)->reopened;
}

const struct d0_hook_plan *d0_session_plan(const struct d0_session *s, int hook)
{
	return &L(s)->plan[hook];
}

unsigned long long d0_session_hook_since(const struct d0_session *s, int hook)
{
	const struct d0_hook_plan *p = &L(s)->plan[hook];

	if (!p->attached)
		return ~0ULL;
	return p->late_ns;
}

bool d0_session_iommufd(const struct d0_session *s)
{
	return L(s)->facts.iommufd;
}

void d0_session_availability(const struct d0_session *s, struct d0_hook_availability *a)
{
	d0_availability_live(a, L(s)->plan, &L(s)->facts);
}

int d0_session_held_modules(const struct d0_session *s, char *buf, unsigned long len)
{
	return d0_loader_held_modules(s->loader, true, buf, len);
}

void d0_session_trace_start(const struct d0_session *s, struct d0_trace_start *t)
{
	const struct d0_loader *l = s->loader;

	t->mode = s->load.mode;
	t->record_all = s->load.record_all;
	t->mapping_model = d0_mapping_model_name(l->facts.mapping_model);
	t->iommufd = l->facts.iommufd;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		t->hooks[i] = (struct d0_trace_hook){
			.target = l->plan[i].symbol[0] ? l->plan[i].symbol : d0_hooks[i].target,
			.status = d0_hook_status(l, i, true),
			.reason = l->plan[i].reason,
		};
}

void d0_session_trace_end(const struct d0_session *s, const struct d0_session_result *res, struct d0_trace_end *e)
{
	memset(e, 0, sizeof(*e));
	e->counters = &res->counters;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		e->late_ns[i] = s->loader->plan[i].late_ns;
	e->bad_records = res->bad_records;
	e->ended_by = res->ended_by;
	for (int i = 0; i < res->nunobserved; i++)
		e->unobserved[i] = res->unobserved[i];
	e->nunobserved = res->nunobserved;
}

struct bpf_link *d0_session_link(const struct d0_session *s, int hook)
{
	return s->loader->links[hook];
}

void d0_session_forget_hook(struct d0_session *s, int hook)
{
	struct d0_loader *l = s->loader;

	bpf_link__destroy(l->links[hook]);
	l->links[hook] = NULL;
	l->plan[hook].attached = false;
	l->attached--;
}

/* ---- audit's and record's loop ------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static pid_t start_command(char **cmd, bool stdout_to_stderr)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (stdout_to_stderr)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(cmd[0], cmd);
		d0_err("cannot run '%s': %s", cmd[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		d0_err("cannot fork to run '%s': %s", cmd[0], strerror(errno));
	return pid;
}

/* Polls until the command, the duration or a signal ends the session; res->ended_by says which. */
static int poll_until_done(struct d0_session *s, unsigned long long deadline, pid_t *child,
			   struct d0_session_result *res)
{
	for (;;) {
		int added, n = d0_session_poll(s, D0_POLL_MS);

		if (n < 0) {
			d0_err("reading the ring buffer failed: %s", strerror(-n));
			return n;
		}
		d0_session_attach_late(s, &added);
		if (*child > 0 && waitpid(*child, &res->cmd_status, WNOHANG) == *child) {
			res->ended_by = "command";
			*child = -1;
			return 0;
		}
		if (stop_signal) {
			res->ended_by = "signal";
			return 0;
		}
		if (deadline && now_ms() >= deadline) {
			res->ended_by = "duration";
			return 0;
		}
	}
}

int d0_session_run(struct d0_session *s, const struct d0_session_run_opts *o, const struct d0_consumer_ops *ops,
		   struct d0_session_result *res)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long deadline = 0;
	pid_t child = -1;
	int err;

	memset(res, 0, sizeof(*res));
	res->cmd_status = -1;
	err = d0_session_open(s, ops);
	if (err || (o->ready && (err = o->ready(s, o->ready_ctx)))) {
		d0_session_cmd_not_run(o->cmd);
		return err;
	}
	stop_signal = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o->duration_ms) {
		/* saturate: a huge --duration must mean "for ever", not wrap to "already over" */
		deadline = now_ms();
		deadline = o->duration_ms > ~0ULL - deadline ? ~0ULL : deadline + o->duration_ms;
	}
	if (o->cmd && (child = start_command(o->cmd, o->cmd_stdout_to_stderr)) < 0) {
		err = -ECHILD;
		d0_session_cmd_not_run(o->cmd);
	} else
		err = poll_until_done(s, deadline, &child, res);
	if (child > 0) {
		/* We are stopping first: let the command go with us, and reap it. */
		kill(child, SIGTERM);
		waitpid(child, &res->cmd_status, 0);
	}
	if (!err)
		d0_session_stop(s, D0_STOP_DETACH, res);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return err;
}

void d0_session_cmd_not_run(char **cmd)
{
	char line[512] = "";

	if (!cmd)
		return;
	for (int i = 0; cmd[i] && strlen(line) < sizeof(line) - 2; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "", cmd[i]);
	d0_err("%s: nothing was audited, so the command was not run: %s", d0_opts.command ? d0_opts.command : "d0audit",
	       line);
}

int d0_session_cmd_killed(const struct d0_session_result *res, char *why, unsigned long len)
{
	if (res->cmd_status < 0 || !WIFSIGNALED(res->cmd_status) || !res->ended_by ||
	    strcmp(res->ended_by, "command"))
		return 0;
	snprintf(why, len, "killed by signal %d (%s)%s", WTERMSIG(res->cmd_status), strsignal(WTERMSIG(res->cmd_status)),
		 WCOREDUMP(res->cmd_status) ? ", core dumped" : "");
	return 1;
}
