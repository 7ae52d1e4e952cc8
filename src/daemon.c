// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit daemon: the host service. Attaches whatever the kernel offers,
 * attaches vfio's hooks when vfio-pci loads later, then sleeps in poll(2)
 * on the ring buffer's epoll fd, a signalfd and the metrics sockets; a
 * timeout brings the metrics textfile and the loss check. Each distinct
 * (rule, device) violation and each D-state change becomes a JSON line.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "consumer.h"
#include "config_json.h"
#include "daemon_config.h"
#include "daemon_output.h"
#include "duration.h"
#include "escape.h"
#include "event_names.h"
#include "hook_table.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "metrics_pin.h"
#include "pin.h"
#include "privileges.h"
#include "rules_meta.h"
#include "sd_notify.h"
#include "verdict.h"
#include "version.h"
#include "violation_out.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define MODULE_CHECK_MS 1000
#define MAX_OVERRIDES 32

struct daemon {
	struct d0_daemon_config cfg;
	struct d0_config_sources src;
	struct d0_load_opts load;
	struct d0_loader loader;
	struct d0_consumer cons;
	struct d0_verdict verdict;
	struct d0_output out;
	struct d0_metrics metrics;
	struct d0_http http;
	struct d0_counters counters;        /* read at the last tick */
	__u64 drops_seen[D0_DROP_CAUSES];   /* drops already reported as gaps */
	struct d0_pin_status pin;           /* restart continuity (src/pin.h) */
	bool privileges_dropped;
	int sigfd;
	unsigned long long next_metrics_ms, next_module_ms;
};

static unsigned long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int hooks_waiting(const struct d0_loader *l)
{
	int n = 0;

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		n += !l->facts.t[i].module_present;
	return n;
}

/* "time": seconds since the epoch (as before), and "timestamp": the same instant in RFC 3339, UTC. */
static json_t *stamped(json_t *o)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06ldZ", ts.tv_nsec / 1000);
	json_object_set_new(o, "time", json_real(ts.tv_sec + ts.tv_nsec / 1e9));
	json_object_set_new(o, "timestamp", json_string(buf));
	return o;
}

static bool reported(const struct daemon *d, __u32 bdf)
{
	char dev[16];

	d0_bdf_format(bdf, dev, sizeof(dev));
	return d0_config_device_reported(&d->cfg, dev);
}

/* Called by the verdict at the first occurrence of each (rule, device). */
static void on_violation(const struct d0_verdict *v, const struct d0_violation *viol, void *ctx)
{
	struct daemon *d = ctx;
	const struct d0_event *e = &viol->first;
	struct d0_comm_text comm;
	char dev[16], line[512];

	if (!reported(d, viol->bdf) || !d0_output_rate_allow(&d->out, mono_ms()))
		return;
	d0_output_flush_suppressed(&d->out, mono_ms(), true);
	d0_bdf_format(viol->bdf, dev, sizeof(dev));
	snprintf(line, sizeof(line), "%s rule %d %s on %s: %s (%s %s in %s by pid %u %s, power %s)",
		 viol->allowed ? "ALLOWED" : "VIOLATION", viol->rule, d0_rule_meta[viol->rule].name, dev,
		 d0_rule_summary(viol->rule), d0_kind_name(e->kind) ?: "?", d0_phase_name(e->phase),
		 e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", e->pid, d0_comm_text(&comm, e->comm),
		 d0_power_name(e->power));
	d0_output_violation(&d->out, viol, line); /* fleet: a journald record with MESSAGE_ID under systemd */
	d0_output_json(&d->out, stamped(d0_violation_json(v, viol)), D0_LOG_INFO);
}

static void state_change(struct daemon *d, const struct d0_event *e)
{
	struct d0_comm_text comm;
	char dev[16];

	d0_bdf_format(e->bdf, dev, sizeof(dev));
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I}", "type", "state",
						  "dev", dev, "from", d0_power_name(e->power_before), "to",
						  d0_power_name(e->power), "kind", d0_kind_name(e->kind), "function",
						  e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", "pid",
						  (json_int_t)e->pid, "comm", d0_comm_text(&comm, e->comm), "seq", (json_int_t)e->seq)),
		       D0_LOG_INFO);
}

static int on_event(const struct d0_event *e, void *ctx)
{
	struct daemon *d = ctx;
	bool rep = e->bdf == 0xffffffffu || reported(d, e->bdf);

	if (rep)
		d0_metrics_event(&d->metrics, e, wall_now());
	else
		d->metrics.filtered++;
	d0_verdict_event(&d->verdict, e, e->violations);
	if (rep && d0_is_power_transition(e))
		state_change(d, e);
	return 0;
}

static void on_hole(__u64 first, __u64 count, void *ctx)
{
	struct daemon *d = ctx;

	(void)first;
	/* the gap record itself is written from the drop counters, which see loss at once */
	d0_verdict_lost(&d->verdict, count);
}

/*
 * Loss shows in the kernel's drop counters right away: one gap record per
 * window with loss. The window is "running", or "restart" for what was lost
 * while no daemon ran (pinned: the counters kept counting).
 */
static void check_loss(struct daemon *d, const char *window)
{
	d0_consumer_counters(&d->cons, &d->counters);
	for (int c = 0; c < D0_DROP_CAUSES; c++) {
		__u64 n = d->counters.drops[c] - d->drops_seen[c];

		if (!n)
			continue;
		d->drops_seen[c] = d->counters.drops[c];
		d->metrics.gaps++;
		d->metrics.lost += n;
		d0_warn("daemon: monitoring gap%s: %llu event(s) lost (%s)%s; verdicts in this window are incomplete",
			strcmp(window, "restart") ? "" : " while no daemon ran", (unsigned long long)n, d0_drop_cause_name(c),
			c == 0 ? " - raise audit.ringbuf_size" : " - more devices than the device map holds");
		d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:I, s:s}", "type", "gap", "cause", d0_drop_cause_name(c),
							  "lost", (json_int_t)n, "window", window)), D0_LOG_WARNING);
	}
}

/*
 * What the next daemon needs to carry on where this one stops reading.
 * Saved after every batch read too (one map update), so that after a crash
 * only what the dead process read after its last save shows as a sequence
 * gap in the next one, never as silently skipped.
 */
static void save_pin_state(struct daemon *d, bool stopping)
{
	static bool warned;
	struct d0_pin_state st = {};
	const struct d0_seq_tracker *t = &d->cons.seq;
	int err;

	if (!d->pin.dir)
		return;
	st.abi = d->pin.abi; /* not d0_loader_abi: that hashes the whole BPF object, and this runs per batch */
	st.next_seq = t->next;
	st.delivered = d->cons.delivered;
	memcpy(st.drops_seen, d->drops_seen, sizeof(st.drops_seen));
	st.saved_wall_ns = (__u64)(wall_now() * 1e9);
	st.stopped = stopping;
	if (stopping)
		st.nholes = d0_seq_hand_over(&d->cons.seq, &d->cons.ops, st.holes, D0_PIN_HOLES);
	else
		st.nholes = d0_seq_holes(&d->cons.seq, st.holes, D0_PIN_HOLES);
	err = d0_pin_save(&d->pin, &st);
	if (err && !warned) {
		warned = true;
		d0_warn("daemon: cannot save the consumer state in %s/state: %s; a restart will count what this "
			"process delivered after the last save as lost", d->pin.dir, strerror(-err));
	}
}

/*
 * Self-monitoring: every attached hook still attached, and still pinned?
 * A removed or replaced pin costs nothing while this process holds the link,
 * but a restart would lose the hook: pin it again. A detached link is a
 * monitoring gap until the next start (which re-attaches what has no pin).
 */
static void check_hooks(struct daemon *d)
{
	struct d0_loader *l = &d->loader;

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		int err;

		if (!l->links[i])
			continue;
		err = d0_pin_link_check(l->links[i], d->pin.dir, h->name);
		if (!err)
			continue;
		if (err == -ENOENT || err == -ESTALE) {
			d->metrics.pins_repaired++;
			d0_warn("daemon: the pin %s/link_%s was %s; hook %s stays attached while this process runs; "
				"pinning it again so that a restart keeps it", d->pin.dir, h->name,
				err == -ENOENT ? "removed" : "replaced by another link", h->name);
			d0_pin_link(l->links[i], d->pin.dir, h->name);
			d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s}", "type", "pin_repaired", "hook",
								  h->name, "problem", err == -ENOENT ? "removed" :
								  "replaced")), D0_LOG_WARNING);
			continue;
		}
		if (err != -ENOLINK) {
			d0_debug("cannot check hook %s: %s", h->name, strerror(-err));
			continue;
		}
		d->metrics.hooks_detached++;
		d->metrics.gaps++;
		d0_warn("daemon: monitoring gap: hook %s (%s) was detached by someone else (bpftool link detach?); its "
			"events are not seen until d0audit restarts, which attaches it again", h->name, h->target);
		d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s, s:s, s:n, s:s}", "type", "gap", "cause",
							  "hook_detached", "hook", h->name, "function", h->target,
							  "lost", "window", "running")), D0_LOG_WARNING);
		if (d->pin.dir)
			d0_pin_unlink_link(d->pin.dir, h->name);
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
		l->plan[i].attached = false;
		l->attached--;
	}
}

static long render_metrics(void *ctx, char **out)
{
	struct daemon *d = ctx;
	struct d0_hook_availability avail;
	struct d0_metrics_inputs in = {
		.counters = &d->counters, .verdict = &d->verdict, .hooks_attached = d->loader.attached,
		.hooks_waiting = hooks_waiting(&d->loader), .write_errors = d->out.write_errors,
		.suppressed = d->out.suppressed, .lines = d->out.lines, .now_wall = wall_now(),
		.avail = &avail, /* fleet: d0audit_rule_checked */
	};

	/* fleet (issue 19): which rules are fully checked, as audit.c's summary judges it */
	d0_availability_live(&avail, d->loader.plan, &d->loader.facts);
	if (d->cons.rb)
		d0_consumer_counters(&d->cons, &d->counters);
	return d0_metrics_render(&d->metrics, &in, out);
}

static bool health(void *ctx, char *msg, size_t len)
{
	struct daemon *d = ctx;

	if (!d->loader.attached) {
		snprintf(msg, len, "no hook attached");
		return false;
	}
	if (hooks_waiting(&d->loader))
		snprintf(msg, len, "ok: %d hooks attached, vfio hooks wait for vfio-pci to load", d->loader.attached);
	else
		snprintf(msg, len, "ok: %d hooks attached", d->loader.attached);
	return true;
}

static void write_textfile(struct daemon *d)
{
	char *buf = NULL;
	long n;
	int err;

	if (!d->cfg.metrics_textfile[0])
		return;
	n = render_metrics(d, &buf);
	err = n < 0 ? -ENOMEM : d0_metrics_write_textfile(d->cfg.metrics_textfile, buf, n);
	free(buf);
	if (err) {
		d->out.write_errors++;
		d0_err("daemon: cannot write the metrics textfile %s: %s (counted in "
		       "d0audit_output_write_errors_total)", d->cfg.metrics_textfile, strerror(-err));
	}
}

static void drop_privileges(struct daemon *d)
{
	char err[256];

	if (d->privileges_dropped)
		return;
	if (hooks_waiting(&d->loader)) {
		if (d0_priv_keep_attach_caps(err, sizeof(err)))
			d0_warn("daemon: cannot narrow capabilities while waiting for vfio-pci: %s", err);
		else
			d0_debug("keeping CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE and CAP_SYS_ADMIN until vfio-pci loads");
		return;
	}
	if (d0_priv_drop_all(d->cfg.user, err, sizeof(err))) {
		d0_err("daemon: cannot drop privileges: %s; stopping rather than running with more than needed", err);
		exit(D0_EXIT_USAGE);
	}
	d->privileges_dropped = true;
	d0_info("daemon: every capability dropped%s%s", d->cfg.user[0] ? ", running as " : "",
		d->cfg.user);
}

static void late_attach(struct d0_loader *l, struct daemon *d)
{
	int added;

	if (!d0_loader_modules_appeared(l))
		return;
	added = d0_loader_extend(l, &d->load);
	if (added < 0) {
		d0_warn("daemon: vfio modules loaded, but attaching their hooks failed: %s ('d0audit doctor' tells "
			"which)", strerror(-added));
		return;
	}
	d->metrics.late_attach++;
	d0_info("modules loaded after start: %d more hooks attached (%d in all)", added,
		l->attached);
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:i, s:i}", "type", "attach", "added", added,
						  "hooks_attached", l->attached)), D0_LOG_INFO);
	drop_privileges(d);
}

static void start_record(struct daemon *d)
{
	json_t *off = json_array();

	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (!d->loader.plan[i].attached && d->loader.plan[i].decision != D0_PLAN_SUPERSEDED)
			json_array_append_new(off, json_pack("{s:s, s:s}", "name", d0_hooks[i].name, "reason",
							     d->loader.plan[i].reason));
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:s?, s:b}", "type", "start",
						  "d0audit", D0AUDIT_VERSION, "mode", d0_mode_name(d->cfg.mode),
						  "hooks_attached", d->loader.attached, "hooks_waiting",
						  hooks_waiting(&d->loader), "hooks_off", off, "pin", d->pin.dir,
						  "resumed", d->pin.resumed)), D0_LOG_INFO);
}

/*
 * After a restart on pins: carry the sequence on, drain what waited in the
 * ring buffer, and say what the window without a daemon cost. Pins that
 * could not be reused were released: that window is a gap of unknown size.
 */
static void resume(struct daemon *d)
{
	const struct d0_pin_state *p = &d->pin.prev;
	__u64 before, lost_before = d->metrics.lost;
	double down;

	if (d->pin.released_incompatible) {
		d->metrics.gaps++;
		d0_warn("daemon: monitoring gap: the pins in %s could not be reused: %s; released them and started "
			"fresh (what happened since the previous daemon stopped is not seen)", d->pin.dir, d->pin.why);
		d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s, s:n, s:s}", "type", "gap", "cause",
							  "pins_incompatible", "reason", d->pin.why, "lost", "window",
							  "restart")), D0_LOG_WARNING);
	}
	if (!d->pin.resumed)
		return;
	d0_seq_start(&d->cons.seq, p->next_seq, p->holes, p->nholes < D0_PIN_HOLES ? p->nholes : D0_PIN_HOLES);
	d->cons.delivered = p->delivered;
	memcpy(d->drops_seen, p->drops_seen, sizeof(d->drops_seen));
	before = d->cons.delivered;
	if (d0_consumer_drain(&d->cons))
		d0_warn("daemon: draining the pinned ring buffer failed: the counts below may be short");
	check_loss(d, "restart");
	d->metrics.resumed_drained = d->cons.delivered - before;
	down = wall_now() - p->saved_wall_ns / 1e9;
	d0_info("daemon: resumed from %s after %.1f s (%s): %d hooks kept attached, %llu event(s) "
		"drained, %llu lost while no daemon ran; sequence continues at %llu", d->pin.dir, down,
		p->stopped ? "clean stop" : "no clean stop", d->loader.reopened,
		(unsigned long long)d->metrics.resumed_drained, (unsigned long long)(d->metrics.lost - lost_before),
		(unsigned long long)p->next_seq);
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:s, s:f, s:i, s:I, s:I, s:I, s:I}", "type", "resume",
						  "pin", d->pin.dir, "previous", p->stopped ? "stop" : "crash",
						  "down_s", down, "hooks_reopened", d->loader.reopened, "first_seq",
						  (json_int_t)p->next_seq, "drained",
						  (json_int_t)d->metrics.resumed_drained, "lost",
						  (json_int_t)(d->metrics.lost - lost_before), "produced",
						  (json_int_t)d->counters.produced)), D0_LOG_INFO);
}

static void reload(struct daemon *d)
{
	struct d0_daemon_config *n = malloc(sizeof(*n));
	char err[D0_CONF_ERR_LEN];

	d0_sd_notify("RELOADING=1");
	if (!n || d0_config_load(n, &d->src, err, sizeof(err))) {
		d0_err("daemon: reload rejected: %s; the previous configuration stays in force",
		       n ? err : "out of memory");
		d0_output_json(&d->out, stamped(json_pack("{s:s, s:b, s:s}", "type", "reload", "ok", 0, "error",
							  n ? err : "out of memory")), D0_LOG_WARNING);
		free(n);
		d0_sd_notify("READY=1\nSTATUS=reload rejected; previous configuration in force");
		return;
	}
	if (n->mode != d->cfg.mode || n->ringbuf_bytes != d->cfg.ringbuf_bytes || strcmp(n->user, d->cfg.user) ||
	    strcmp(n->pin_dir, d->cfg.pin_dir))
		d0_warn("daemon: audit.mode, audit.ringbuf_size, audit.pin and privileges.user take effect at the next "
			"start; keeping mode %s", d0_mode_name(d->cfg.mode));
	n->mode = d->cfg.mode;
	snprintf(n->pin_dir, sizeof(n->pin_dir), "%s", d->cfg.pin_dir);
	n->ringbuf_bytes = d->cfg.ringbuf_bytes;
	snprintf(n->user, sizeof(n->user), "%s", d->cfg.user);
	if (d0_output_reopen(&d->out, n->output_file))
		snprintf(n->output_file, sizeof(n->output_file), "%s", d->out.path);
	d->out.to_stdout = n->output_stdout;
	d0_output_set_rate(&d->out, n->rate_per_min, n->rate_burst);
	if (strcmp(n->metrics_listen, d->cfg.metrics_listen)) {
		struct d0_http_handlers h = d->http.h;

		d0_http_close(&d->http);
		if (d0_http_open(&d->http, n->metrics_listen, &h))
			n->metrics_listen[0] = 0;
	}
	d->metrics.device_cap = n->metrics_device_cap;
	d->cfg = *n;
	free(n);
	d0_info("daemon: configuration reloaded");
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:b}", "type", "reload", "ok", 1)), D0_LOG_INFO);
	write_textfile(d);
	d0_sd_notify("READY=1\nSTATUS=configuration reloaded");
}

/* Returns the signal that stops the daemon, or 0. */
static int handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(d);
			break;
		case SIGUSR1:
			if (!d0_output_reopen(&d->out, d->cfg.output_file))
				d0_debug("output reopened: %s", d->cfg.output_file);
			break;
		default:
			return si.ssi_signo;
		}
	}
	return 0;
}

static void final_record(struct daemon *d, int sig, unsigned long long detach_ms)
{
	const struct d0_counters *c = &d->counters;
	json_t *byrule = json_object();
	__u64 lost = c->drops[D0_DROP_RINGBUF_FULL];
	/* pinned: what the hooks produced after the final drain waits for the next start */
	__u64 pending = c->produced > c->delivered + lost ? c->produced - c->delivered - lost : 0;
	char how[320];

	for (int r = 1; r <= D0_RULE_MAX; r++)
		if (c->violations[r])
			json_object_set_new(byrule, d0_rule_meta[r].name, json_integer(c->violations[r]));
	d0_output_flush_suppressed(&d->out, mono_ms(), true);
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}",
						  "type", "stop", "signal", strsignal(sig), "produced",
						  (json_int_t)c->produced, "delivered", (json_int_t)c->delivered,
						  "lost", (json_int_t)lost, "pending", (json_int_t)pending, "devmap_full",
						  (json_int_t)c->drops[D0_DROP_DEVMAP_FULL], "kernel_violations", byrule,
						  "distinct_violations", (json_int_t)d->verdict.nviols,
						  "write_errors", (json_int_t)d->out.write_errors, "suppressed",
						  (json_int_t)d->out.suppressed)), D0_LOG_INFO);
	if (d->pin.dir)
		snprintf(how, sizeof(how), "%d hooks stay attached, pinned in %s (%llu event(s) wait there for the "
			 "next start; 'd0audit daemon --release' detaches)", d->loader.attached, d->pin.dir,
			 (unsigned long long)pending);
	else
		snprintf(how, sizeof(how), "detaching %d hooks took %llu ms", d->loader.attached, detach_ms);
	d0_info("daemon: stopped by %s: %llu events produced, %llu delivered, %llu lost, "
		"%d distinct violation(s), %llu output write error(s); %s",
		strsignal(sig), (unsigned long long)c->produced, (unsigned long long)c->delivered,
		(unsigned long long)lost, d->verdict.nviols, (unsigned long long)d->out.write_errors, how);
}

static int run(struct daemon *d)
{
	struct pollfd pfd[2 + D0_HTTP_MAX_CONNS + 1];
	/* WatchdogSec=: "WATCHDOG=1" from this loop at half the interval, so a hung loop gets restarted */
	unsigned long long detach_ms, watchdog_ms = d0_sd_watchdog_ms() / 2, next_watchdog_ms = mono_ms();
	int stop = 0;

	d->next_metrics_ms = mono_ms();
	d->next_module_ms = mono_ms() + MODULE_CHECK_MS;
	while (!stop) {
		unsigned long long now = mono_ms(), wake = d->next_metrics_ms;
		int n = 2, timeout;

		if (watchdog_ms && now >= next_watchdog_ms) {
			d0_sd_notify("WATCHDOG=1");
			next_watchdog_ms = now + watchdog_ms;
		}
		if (watchdog_ms && next_watchdog_ms < wake)
			wake = next_watchdog_ms;
		if (hooks_waiting(&d->loader) && d->next_module_ms < wake)
			wake = d->next_module_ms;
		for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
			if (d->http.conns[i].fd >= 0 && d->http.conns[i].deadline_ms < wake)
				wake = d->http.conns[i].deadline_ms;
		timeout = wake > now ? (int)(wake - now) : 0;
		pfd[0] = (struct pollfd){ .fd = ring_buffer__epoll_fd(d->cons.rb), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		n += d0_http_pollfds(&d->http, pfd + 2, D0_HTTP_MAX_CONNS + 1);
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			d0_err("daemon: poll failed: %s", strerror(errno));
			return -errno;
		}
		now = mono_ms();
		if (pfd[0].revents) {
			int got = d0_consumer_poll(&d->cons, 0);

			if (got < 0)
				d0_warn("daemon: reading the ring buffer failed: %s", strerror(-got));
			else if (got > 0)
				save_pin_state(d, false);
		}
		if (pfd[1].revents)
			stop = handle_signals(d);
		d0_http_handle(&d->http, pfd + 2, n - 2, now);
		if (hooks_waiting(&d->loader) && now >= d->next_module_ms) {
			late_attach(&d->loader, d);
			d->next_module_ms = now + MODULE_CHECK_MS;
		}
		if (now >= d->next_metrics_ms) {
			check_hooks(d);
			check_loss(d, "running");
			save_pin_state(d, false);
			d0_metrics_pin_save(&d->metrics, &d->verdict); /* fleet: series carry on over a restart */
			d0_output_flush_suppressed(&d->out, now, false);
			d0_metrics_scan_vfio(&d->metrics, ""); /* fleet: new vfio devices' series at 0 */
			write_textfile(d);
			d->next_metrics_ms = now + d->cfg.metrics_interval_ms;
		}
	}
	if (d->pin.dir) {
		/* pinned: nothing detaches (fast), the hooks keep writing the ring buffer for the next start */
		if (d0_consumer_drain(&d->cons))
			d0_warn("daemon: the final drain of the ring buffer failed: the next start drains it");
		check_loss(d, "running");
		save_pin_state(d, true);
		d0_metrics_pin_save(&d->metrics, &d->verdict); /* fleet */
		final_record(d, stop, 0);
		write_textfile(d);
		return 0;
	}
	/* detach first so that nothing is produced after the final drain; the kernel's
	 * cost (trampoline and kprobe removal) grows with the hooks, so it is reported */
	detach_ms = mono_ms();
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		bpf_link__destroy(d->loader.links[i]);
		d->loader.links[i] = NULL;
	}
	detach_ms = mono_ms() - detach_ms;
	if (d0_consumer_finish(&d->cons))
		d0_warn("daemon: the final drain of the ring buffer failed: the final counts may be short");
	check_loss(d, "running");
	final_record(d, stop, detach_ms);
	write_textfile(d);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit daemon [--config FILE] [OPTIONS]\n"
		"\n"
		"Run as a host service: attach whatever this kernel offers (vfio's hooks when\n"
		"vfio-pci loads), log each distinct violation and every D-state change as JSON\n"
		"lines, serve metrics, and run until SIGTERM. SIGHUP reloads the configuration\n"
		"(an invalid one is rejected, the old one stays); SIGUSR1 reopens the output file.\n"
		"\n"
		"  -c, --config FILE          configuration (default %s, then its conf.d/*.conf)\n"
		"      --conf-dir DIR         drop-in directory (default: conf.d beside the config)\n"
		"      --check-config         validate the configuration and exit (0 valid, 2 not)\n"
		"  -j, --json                 --check-config's result and every diagnostic as JSON\n"
		"  -m, --mode strict|kernel   [audit] mode\n"
		"      --ringbuf-size N       [audit] ringbuf_size (power of two, 4k..1G)\n"
		"      --allow-device GLOB    [audit] devices_allow: report only these (repeatable)\n"
		"      --deny-device GLOB     [audit] devices_deny: never report these (repeatable)\n"
		"  -o, --output FILE          [output] file: JSON lines, mode 0600\n"
		"      --stdout, --no-stdout  [output] stdout: lines with syslog priority prefixes\n"
		"      --rate-limit N         [output] violation_rate: reports per minute (0 = no limit)\n"
		"      --rate-burst N         [output] violation_burst\n"
		"      --metrics-textfile F   [metrics] textfile for node_exporter (written atomically)\n"
		"      --metrics-listen A     [metrics] listen: 127.0.0.1:PORT, [::1]:PORT or unix:/PATH\n"
		"      --metrics-listen-any   [metrics] listen_any: allow a non-loopback address\n"
		"      --metrics-interval D   [metrics] interval: textfile refresh (default 15s)\n"
		"      --metrics-device-cap N [metrics] device_cap: devices with their own label (64)\n"
		"  -u, --user NAME            [privileges] user to switch to once attached\n"
		"      --pin DIR              [audit] pin: keep maps and links in bpffs DIR so that a\n"
		"                             restart loses nothing (the unit uses %s)\n"
		"      --no-pin               [audit] pin = (none): hooks detach at stop\n"
		"      --release              unpin everything in the pin directory (hooks detach,\n"
		"                             vfio modules can unload) and exit\n"
		"\n"
		"Flags win over the files. Exit: 0 stopped by SIGTERM/SIGINT, 2 usage or\n"
		"configuration error, 3 cannot audit (no BPF).\n", D0_DEFAULT_CONFIG, D0_PIN_DEFAULT_DIR);
}

/* Flags become "section.key=value" overrides, applied after the files on every (re)load. */
/*
 * The daemon cannot audit this host (no BTF, EPERM, no ring buffer): one last record in
 * the log and in systemctl status saying why, then exit 3, which the unit's
 * RestartPreventExitStatus= keeps from restarting every RestartSec (retrying cannot help).
 */
static void cannot_audit(struct daemon *d)
{
	const char *why = d0_last_error()[0] ? d0_last_error() : "the BPF object could not be loaded";
	char status[400];

	d0_output_human(&d->out, D0_LOG_WARNING, why);
	d0_output_json(&d->out, stamped(json_pack("{s:s, s:s, s:i}", "type", "cannot_audit", "reason", why,
						  "exit_code", D0_EXIT_CANNOT)), D0_LOG_WARNING);
	snprintf(status, sizeof(status), "STATUS=cannot audit: %.360s", why);
	d0_sd_notify(status);
}

/* What start would find wrong on this host beyond the file's syntax: the pin directory, the user. */
static int check_host(const struct d0_daemon_config *c, char *err, size_t errlen)
{
	unsigned int uid, gid;

	if (c->pin_dir[0] && d0_pin_dir_check(c->pin_dir, err, errlen))
		return -1;
	if (c->user[0] && d0_user_lookup(D0_PASSWD, c->user, &uid, &gid, err, errlen))
		return -1;
	return 0;
}

static int parse_flags(int argc, char **argv, struct d0_config_sources *s, bool *check_only, bool *release)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conf-dir", required_argument, NULL, 'D' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "allow-device", required_argument, NULL, 'a' },
		{ "deny-device", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "stdout", no_argument, NULL, 's' },
		{ "no-stdout", no_argument, NULL, 'S' },
		{ "rate-limit", required_argument, NULL, 'R' },
		{ "rate-burst", required_argument, NULL, 'B' },
		{ "metrics-textfile", required_argument, NULL, 't' },
		{ "metrics-listen", required_argument, NULL, 'l' },
		{ "metrics-listen-any", no_argument, NULL, 'L' },
		{ "metrics-interval", required_argument, NULL, 'i' },
		{ "metrics-device-cap", required_argument, NULL, 'k' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin", required_argument, NULL, 'P' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "release", no_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	static char *ov[MAX_OVERRIDES];
	static char allow[2048], deny[2048];
	const char *key;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:m:o:u:jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'c': s->main_path = optarg; s->main_required = true; continue;
		case 'D': s->dropin_dir = optarg; continue;
		case 'C': *check_only = true; continue;
		case 'X': *release = true; continue;
		case 'a':
		case 'd': {
			char *list = c == 'a' ? allow : deny;
			size_t len = strlen(list);

			snprintf(list + len, 2048 - len, "%s%s", len ? " " : "", optarg);
			continue;
		}
		case 'h': usage(stdout); exit(D0_EXIT_OK);
		case 'm': key = "audit.mode"; break;
		case 'r': key = "audit.ringbuf_size"; break;
		case 'o': key = "output.file"; break;
		case 's': key = "output.stdout"; optarg = "yes"; break;
		case 'S': key = "output.stdout"; optarg = "no"; break;
		case 'R': key = "output.violation_rate"; break;
		case 'B': key = "output.violation_burst"; break;
		case 't': key = "metrics.textfile"; break;
		case 'l': key = "metrics.listen"; break;
		case 'L': key = "metrics.listen_any"; optarg = "yes"; break;
		case 'i': key = "metrics.interval"; break;
		case 'k': key = "metrics.device_cap"; break;
		case 'u': key = "privileges.user"; break;
		case 'P': key = "audit.pin"; break;
		case 'N': key = "audit.pin"; optarg = ""; break;
		case 'j': d0_opts.json = true; continue;
		default:
			if (d0_global_opt(c))
				continue;
			d0_opt_error(argc, argv, "c:m:o:u:jh" D0_GLOBAL_SHORT, opts); return -1;
		}
		if (s->noverrides >= MAX_OVERRIDES - 2 || asprintf(&ov[s->noverrides], "%s=%s", key, optarg) < 0)
			return -1;
		s->noverrides++;
	}
	if (optind < argc) {
		d0_err("daemon: unexpected argument '%s' (see 'd0audit daemon --help')", argv[optind]);
		return -1;
	}
	if (*allow && asprintf(&ov[s->noverrides++], "audit.devices_allow=%s", allow) < 0)
		return -1;
	if (*deny && asprintf(&ov[s->noverrides++], "audit.devices_deny=%s", deny) < 0)
		return -1;
	s->overrides = (const char *const *)ov;
	return 0;
}

static int block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* `d0audit daemon --release`: the admin's way to stop for good. */
static int release_pins(const char *dir)
{
	char err[D0_CONF_ERR_LEN];
	int n = d0_pin_release(dir, err, sizeof(err));

	if (n < 0) {
		d0_err("daemon --release: %s", err);
		return D0_EXIT_USAGE;
	}
	printf("released %s: %d pin(s) removed; hooks without a running daemon are detached, vfio modules can "
	       "unload\n", dir, n);
	return D0_EXIT_OK;
}

/* Pinning: check the directory and what it holds before anything loads. */
static int prepare_pins(struct daemon *d)
{
	struct d0_pin_abi want;
	char err[D0_CONF_ERR_LEN];
	int rc;

	d->pin.dir_fd = d->pin.state_fd = -1;
	if (!d->cfg.pin_dir[0])
		return 0;
	d0_loader_abi(&d->load, &want);
	rc = d0_pin_prepare(&d->pin, d->cfg.pin_dir, &want, err, sizeof(err));
	if (rc) {
		d0_err("daemon: %s", err);
		return rc;
	}
	d->load.pin_dir = d->pin.dir;
	d->load.resume = d->pin.resumed;
	return 0;
}

int cmd_daemon(int argc, char **argv)
{
	static struct daemon d; /* large: not on the stack */
	struct d0_consumer_ops ops = { .event = on_event, .gap = on_hole, .ctx = &d };
	struct d0_http_handlers hh = { .metrics = render_metrics, .health = health, .ctx = &d };
	char err[D0_CONF_ERR_LEN], status[160];
	bool check_only = false, release = false;
	int rc;

	if (parse_flags(argc, argv, &d.src, &check_only, &release))
		return D0_EXIT_USAGE;
	if (d0_config_load(&d.cfg, &d.src, err, sizeof(err))) {
		d0_err("daemon: invalid configuration: %s", err);
		return D0_EXIT_USAGE;
	}
	if (release)
		return release_pins(d.cfg.pin_dir[0] ? d.cfg.pin_dir : D0_PIN_DEFAULT_DIR);
	if (check_only && check_host(&d.cfg, err, sizeof(err))) {
		d0_err("daemon: the configuration would not start: %s", err);
		return D0_EXIT_USAGE;
	}
	if (check_only && d0_opts.json) {
		json_t *o = d0_config_json(&d.cfg);

		json_dumpf(o, stdout, (d0_opts.pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
		return D0_EXIT_OK;
	}
	if (check_only) {
		printf("configuration valid: mode %s, output %s%s, metrics %s%s%s, pin %s\n", d0_mode_name(d.cfg.mode),
		       d.cfg.output_file[0] ? d.cfg.output_file : "-", d.cfg.output_stdout ? " + stdout" : "",
		       d.cfg.metrics_textfile[0] ? d.cfg.metrics_textfile : "",
		       d.cfg.metrics_textfile[0] && d.cfg.metrics_listen[0] ? " + " : "",
		       d.cfg.metrics_listen[0] ? d.cfg.metrics_listen : (d.cfg.metrics_textfile[0] ? "" : "none"),
		       d.cfg.pin_dir[0] ? d.cfg.pin_dir : "none");
		return D0_EXIT_OK;
	}
	d.sigfd = block_signals();
	if (d.sigfd < 0) {
		d0_err("daemon: signalfd failed: %s", strerror(errno));
		return D0_EXIT_USAGE;
	}
	if (d0_output_open(&d.out, d.cfg.output_file, d.cfg.output_stdout, d.cfg.rate_per_min, d.cfg.rate_burst) ||
	    d0_http_open(&d.http, d.cfg.metrics_listen, &hh))
		return D0_EXIT_USAGE;
	d0_metrics_init(&d.metrics, d.cfg.metrics_device_cap);
	d.metrics.start_wall = wall_now();
	d.load.mode = d.cfg.mode;
	d.load.ringbuf_bytes = d.cfg.ringbuf_bytes;
	if (prepare_pins(&d)) {
		d0_http_close(&d.http);
		return D0_EXIT_USAGE;
	}
	d0_metrics_scan_vfio(&d.metrics, ""); /* fleet: violation series at 0 from the start */
	if (d0_loader_start(&d.loader, &d.load)) {
		d.metrics.cannot_audit = true; /* fleet: d0audit_up 0 and d0audit_btf_missing say why */
		write_textfile(&d);
		cannot_audit(&d);
		d0_pin_close(&d.pin);
		d0_http_close(&d.http);
		return D0_EXIT_CANNOT;
	}
	d0_verdict_init(&d.verdict, d.cfg.mode, on_violation, &d);
	if (d0_consumer_init(&d.cons, &d.loader, &ops)) {
		cannot_audit(&d);
		d0_loader_stop(&d.loader);
		d0_pin_close(&d.pin);
		d0_http_close(&d.http);
		return D0_EXIT_CANNOT;
	}
	d0_info("daemon: %d hooks attached, mode %s%s", d.loader.attached,
		d0_mode_name(d.cfg.mode),
		hooks_waiting(&d.loader) ? "; vfio's hooks attach when vfio-pci loads" : "");
	start_record(&d);
	/* fleet: before the drain, so the drained events add to the saved counters */
	d0_metrics_pin_open(&d.metrics, d.pin.dir, d.pin.resumed);
	resume(&d);
	save_pin_state(&d, false); /* the ABI tag is there from the first moment */
	drop_privileges(&d);
	snprintf(status, sizeof(status), "READY=1\nSTATUS=%d hooks attached%s", d.loader.attached,
		 hooks_waiting(&d.loader) ? ", waiting for vfio-pci" : "");
	d0_sd_notify(status);
	rc = run(&d);
	d0_sd_notify("STOPPING=1");
	d0_consumer_free(&d.cons);
	d0_loader_stop(&d.loader);
	d0_pin_close(&d.pin);
	d0_http_close(&d.http);
	d0_output_close(&d.out);
	d0_metrics_free(&d.metrics);
	d0_verdict_free(&d.verdict);
	return rc ? D0_EXIT_CANNOT : D0_EXIT_OK;
}
