// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit daemon: the host service. Opens the live session (whatever the
 * kernel offers), attaches vfio's hooks when vfio-pci loads later, then
 * sleeps in poll(2) on the ring buffer's epoll fd, a signalfd and the
 * metrics sockets; a timeout brings the metrics textfile and the loss
 * check. Each distinct (rule, device) violation and each D-state change
 * becomes a JSON line (daemon_records.c). This file is the loop and the
 * signals; src/daemon/daemon.h says where the rest lives.
 */
#define _GNU_SOURCE
#include "daemon/daemon.h"
#include "cli/cli.h"
#include "daemon/config_json.h"
#include "model/event_names.h"
#include "lib/json_out.h"
#include "lib/log.h"
#include "daemon/metrics_pin.h"
#include "kernel/privileges.h"
#include "daemon/sd_notify.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define MODULE_CHECK_MS 1000

unsigned long long d0_daemon_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

double d0_daemon_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

	(void)v;
	if (!reported(d, viol->bdf) || !d0_output_rate_allow(&d->out, d0_daemon_mono_ms()))
		return;
	d0_output_flush_suppressed(&d->out, d0_daemon_mono_ms(), true);
	d0_rec_violation(d, viol);
}

static int on_event(const struct d0_event *e, void *ctx)
{
	struct daemon *d = ctx;
	bool rep = e->bdf == 0xffffffffu || reported(d, e->bdf);

	if (rep)
		d0_metrics_event(&d->metrics, e, d0_daemon_wall_now());
	else
		d->metrics.filtered++;
	d0_verdict_event(&d->verdict, e, e->violations);
	if (rep && d0_is_power_transition(e))
		d0_rec_state(d, e);
	return 0;
}

/* A late hook (vfio-pci loaded after the daemon): rules needing it judge only what came after. */
static void on_attached(int hook, __u64 ts_ns, void *ctx)
{
	d0_verdict_hook_since(&((struct daemon *)ctx)->verdict, hook, ts_ns);
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
void d0_daemon_check_loss(struct daemon *d, const char *window)
{
	d0_consumer_counters(&d->session.cons, &d->counters);
	for (int c = 0; c < D0_DROP_CAUSES; c++) {
		__u64 n = d->counters.drops[c] - d->drops_seen[c];

		if (!n)
			continue;
		d->drops_seen[c] = d->counters.drops[c];
		d->metrics.gaps++;
		d->metrics.lost += n;
		d0_warn("daemon: monitoring gap%s: %llu event(s) lost (%s: %s); verdicts in this window are incomplete",
			strcmp(window, "restart") ? "" : " while no daemon ran", (unsigned long long)n, d0_drop_cause_name(c),
			d0_drop_cause_meaning(c));
		d0_rec_gap(d, d0_drop_cause_name(c), NULL, NULL, NULL, (long long)n, window);
	}
}

static long render_metrics(void *ctx, char **out)
{
	struct daemon *d = ctx;
	struct d0_hook_availability avail;
	struct d0_metrics_inputs in = {
		.counters = &d->counters, .verdict = &d->verdict,
		.hooks_attached = d0_session_hooks_attached(&d->session),
		.hooks_waiting = d0_session_hooks_waiting(&d->session), .write_errors = d->out.write_errors,
		.suppressed = d->out.suppressed, .lines = d->out.lines, .now_wall = d0_daemon_wall_now(),
		.avail = &avail, /* fleet: d0audit_rule_checked */
	};

	/* fleet (issue 19): which rules are fully checked, as audit.c's summary judges it */
	d0_session_availability(&d->session, &avail);
	if (d->session.consuming)
		d0_consumer_counters(&d->session.cons, &d->counters);
	return d0_metrics_render(&d->metrics, &in, out);
}

static bool health(void *ctx, char *msg, size_t len)
{
	struct daemon *d = ctx;
	int attached = d0_session_hooks_attached(&d->session);

	if (!attached) {
		snprintf(msg, len, "no hook attached");
		return false;
	}
	if (d0_session_hooks_waiting(&d->session))
		snprintf(msg, len, "ok: %d hooks attached, vfio hooks wait for vfio-pci to load", attached);
	else
		snprintf(msg, len, "ok: %d hooks attached", attached);
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

/* 0, or -1 if they could not be dropped (said): the daemon stops rather than run with more than needed. */
static int drop_privileges(struct daemon *d)
{
	char err[256];

	if (d->privileges_dropped)
		return 0;
	if (d0_session_hooks_waiting(&d->session)) {
		if (d0_priv_keep_attach_caps(err, sizeof(err)))
			d0_warn("daemon: cannot narrow capabilities while waiting for vfio-pci: %s", err);
		else
			d0_debug("keeping CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE and CAP_SYS_ADMIN until vfio-pci loads");
		return 0;
	}
	if (d0_priv_drop_all(d->cfg.user, err, sizeof(err))) {
		d0_err("daemon: cannot drop privileges: %s; stopping rather than running with more than needed", err);
		return -1;
	}
	d->privileges_dropped = true;
	d0_info("daemon: every capability dropped%s%s", d->cfg.user[0] ? ", running as " : "",
		d->cfg.user);
	return 0;
}

/* vfio-pci loaded after the daemon: its hooks attach, then what is no longer needed is dropped. */
static int late_attach(struct daemon *d)
{
	int added;

	if (d0_session_attach_late(&d->session, &added) <= 0)
		return 0;
	d->metrics.late_attach++;
	d0_rec_attach(d, added);
	return drop_privileges(d);
}

static void reload(struct daemon *d)
{
	struct d0_daemon_config *n = malloc(sizeof(*n));
	char err[D0_CONF_ERR_LEN];

	d0_sd_notify("RELOADING=1");
	if (!n || d0_config_load(n, &d->src, err, sizeof(err))) {
		d0_err("daemon: reload rejected: %s; the previous configuration stays in force",
		       n ? err : "out of memory");
		d0_rec_reload(d, n ? err : "out of memory");
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
	d0_rec_reload(d, NULL);
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

/* The session's stop phase: pinned, nothing detaches (fast) and the hooks keep writing for the next start. */
static void stop(struct daemon *d, int sig)
{
	struct d0_session_result res = {};
	bool pinned = d->pin.dir;

	d0_session_stop(&d->session, pinned ? D0_STOP_KEEP_PINNED : D0_STOP_DETACH, &res);
	d0_daemon_check_loss(d, "running");
	if (pinned) {
		d0_daemon_save_pin_state(d, true);
		d0_metrics_pin_save(&d->metrics, &d->verdict); /* fleet */
	}
	d0_rec_stop(d, sig, &res);
	write_textfile(d);
}

/* Returns an exit code: 0 stopped by a signal, D0_EXIT_CANNOT, D0_EXIT_USAGE (privileges; said). */
static int run(struct daemon *d)
{
	struct pollfd pfd[2 + D0_HTTP_MAX_CONNS + 1];
	/* WatchdogSec=: "WATCHDOG=1" from this loop at half the interval, so a hung loop gets restarted */
	unsigned long long watchdog_ms = d0_sd_watchdog_ms() / 2, next_watchdog_ms = d0_daemon_mono_ms();
	int sig = 0;

	d->next_metrics_ms = d0_daemon_mono_ms();
	d->next_module_ms = d0_daemon_mono_ms() + MODULE_CHECK_MS;
	while (!sig) {
		unsigned long long now = d0_daemon_mono_ms(), wake = d->next_metrics_ms;
		bool waiting = d0_session_hooks_waiting(&d->session);
		int n = 2, timeout;

		if (watchdog_ms && now >= next_watchdog_ms) {
			d0_sd_notify("WATCHDOG=1");
			next_watchdog_ms = now + watchdog_ms;
		}
		if (watchdog_ms && next_watchdog_ms < wake)
			wake = next_watchdog_ms;
		if (waiting && d->next_module_ms < wake)
			wake = d->next_module_ms;
		for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
			if (d->http.conns[i].fd >= 0 && d->http.conns[i].deadline_ms < wake)
				wake = d->http.conns[i].deadline_ms;
		timeout = wake > now ? (int)(wake - now) : 0;
		pfd[0] = (struct pollfd){ .fd = d0_session_fd(&d->session), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		n += d0_http_pollfds(&d->http, pfd + 2, D0_HTTP_MAX_CONNS + 1);
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			d0_err("daemon: poll failed: %s", strerror(errno));
			return D0_EXIT_CANNOT;
		}
		now = d0_daemon_mono_ms();
		if (pfd[0].revents) {
			int got = d0_session_poll(&d->session, 0);

			if (got < 0)
				d0_warn("daemon: reading the ring buffer failed: %s", strerror(-got));
			else if (got > 0)
				d0_daemon_save_pin_state(d, false);
		}
		if (pfd[1].revents)
			sig = handle_signals(d);
		d0_http_handle(&d->http, pfd + 2, n - 2, now);
		if (d0_session_hooks_waiting(&d->session) && now >= d->next_module_ms) {
			if (late_attach(d))
				return D0_EXIT_USAGE;
			d->next_module_ms = now + MODULE_CHECK_MS;
		}
		if (now >= d->next_metrics_ms) {
			d0_daemon_check_hooks(d);
			d0_daemon_check_loss(d, "running");
			d0_daemon_save_pin_state(d, false);
			d0_metrics_pin_save(&d->metrics, &d->verdict); /* fleet: series carry on over a restart */
			d0_output_flush_suppressed(&d->out, now, false);
			d0_metrics_scan_vfio(&d->metrics, ""); /* fleet: new vfio devices' series at 0 */
			write_textfile(d);
			d->next_metrics_ms = now + d->cfg.metrics_interval_ms;
		}
	}
	stop(d, sig);
	return D0_EXIT_OK;
}

/*
 * The daemon cannot audit this host (no BTF, EPERM, no ring buffer): one last record in
 * the log and in systemctl status saying why, then exit 3, which the unit's
 * RestartPreventExitStatus= keeps from restarting every RestartSec (retrying cannot help).
 */
static void cannot_audit(struct daemon *d)
{
	const char *why = d0_last_error()[0] ? d0_last_error() : "the BPF object could not be loaded";
	char status[400];

	d->metrics.cannot_audit = true; /* fleet: d0audit_up 0 and d0audit_btf_missing say why */
	write_textfile(d);
	d0_output_human(&d->out, D0_LOG_WARNING, why);
	d0_rec_cannot_audit(d, why);
	snprintf(status, sizeof(status), "STATUS=cannot audit: %.360s", why);
	d0_sd_notify(status);
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

/* --check-config: the configuration as JSON (-j) or one line, 0 when it would start. */
static int check_config(const struct daemon *d)
{
	const struct d0_daemon_config *c = &d->cfg;
	char err[D0_CONF_ERR_LEN];

	if (d0_daemon_check_host(c, err, sizeof(err))) {
		d0_err("daemon: the configuration would not start: %s", err);
		return D0_EXIT_USAGE;
	}
	if (d0_opts.json) {
		d0_json_print(d0_config_json(c));
		return D0_EXIT_OK;
	}
	printf("configuration valid: mode %s, output %s%s, metrics %s%s%s, pin %s\n", d0_mode_name(c->mode),
	       c->output_file[0] ? c->output_file : "-", c->output_stdout ? " + stdout" : "",
	       c->metrics_textfile[0] ? c->metrics_textfile : "",
	       c->metrics_textfile[0] && c->metrics_listen[0] ? " + " : "",
	       c->metrics_listen[0] ? c->metrics_listen : (c->metrics_textfile[0] ? "" : "none"),
	       c->pin_dir[0] ? c->pin_dir : "none");
	return D0_EXIT_OK;
}

/* From the session's open to READY=1: returns 0, or an exit code (said). */
static int start(struct daemon *d, const struct d0_consumer_ops *ops)
{
	char status[160];
	int waiting;

	d0_metrics_scan_vfio(&d->metrics, ""); /* fleet: violation series at 0 from the start */
	d0_verdict_init(&d->verdict, d->cfg.mode, on_violation, d);
	if (d0_session_open(&d->session, ops)) {
		cannot_audit(d);
		return D0_EXIT_CANNOT;
	}
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		d0_verdict_hook_since(&d->verdict, i, d0_session_hook_since(&d->session, i));
	waiting = d0_session_hooks_waiting(&d->session);
	d0_info("daemon: %d hooks attached, mode %s%s", d0_session_hooks_attached(&d->session),
		d0_mode_name(d->cfg.mode), waiting ? "; vfio's hooks attach when vfio-pci loads" : "");
	d0_rec_start(d);
	/* fleet: before the drain, so the drained events add to the saved counters */
	d0_metrics_pin_open(&d->metrics, d->pin.dir, d->pin.resumed);
	d0_daemon_resume(d);
	d0_daemon_save_pin_state(d, false); /* the ABI tag is there from the first moment */
	if (drop_privileges(d))
		return D0_EXIT_USAGE;
	snprintf(status, sizeof(status), "READY=1\nSTATUS=%d hooks attached%s",
		 d0_session_hooks_attached(&d->session), waiting ? ", waiting for vfio-pci" : "");
	d0_sd_notify(status);
	return 0;
}

int cmd_daemon(int argc, char **argv)
{
	static struct daemon d; /* large: not on the stack */
	struct d0_consumer_ops ops = { .event = on_event, .gap = on_hole, .attached = on_attached, .ctx = &d };
	struct d0_http_handlers hh = { .metrics = render_metrics, .health = health, .ctx = &d };
	char err[D0_CONF_ERR_LEN];
	bool check_only = false, release = false;
	int rc;

	rc = d0_daemon_parse_flags(argc, argv, &d.src, &check_only, &release);
	if (rc)
		return rc > 0 ? D0_EXIT_OK : D0_EXIT_USAGE;
	if (d0_config_load(&d.cfg, &d.src, err, sizeof(err))) {
		d0_err("daemon: invalid configuration: %s", err);
		return D0_EXIT_USAGE;
	}
	if (release)
		return d0_daemon_release_pins(d.cfg.pin_dir[0] ? d.cfg.pin_dir : D0_PIN_DEFAULT_DIR);
	if (check_only)
		return check_config(&d);
	d.sigfd = block_signals();
	if (d.sigfd < 0) {
		d0_err("daemon: signalfd failed: %s", strerror(errno));
		return D0_EXIT_USAGE;
	}
	if (d0_output_open(&d.out, d.cfg.output_file, d.cfg.output_stdout, d.cfg.rate_per_min, d.cfg.rate_burst) ||
	    d0_http_open(&d.http, d.cfg.metrics_listen, &hh))
		return D0_EXIT_USAGE;
	d0_metrics_init(&d.metrics, d.cfg.metrics_device_cap);
	d.metrics.start_wall = d0_daemon_wall_now();
	d.session.prefix = "daemon: ";
	d.session.load.mode = d.cfg.mode;
	d.session.load.ringbuf_bytes = d.cfg.ringbuf_bytes;
	if (d0_daemon_prepare_pins(&d)) {
		d0_http_close(&d.http);
		return D0_EXIT_USAGE;
	}
	rc = start(&d, &ops);
	if (!rc) {
		rc = run(&d);
		d0_sd_notify("STOPPING=1");
	}
	d0_session_close(&d.session);
	d0_pin_close(&d.pin);
	d0_http_close(&d.http);
	d0_output_close(&d.out);
	d0_metrics_free(&d.metrics);
	d0_verdict_free(&d.verdict);
	return rc;
}
