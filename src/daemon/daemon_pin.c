// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's restart continuity on bpffs pins (src/kernel/pin.h): check the pin
 * directory before anything loads, save where reading stopped, carry the
 * sequence on after a restart, and keep every attached hook pinned.
 */
#include "daemon/daemon.h"
#include "cli/cli.h"
#include "model/hook_plan.h"
#include "model/hook_table.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Pinning: check the directory and what it holds before anything loads. */
int d0_daemon_prepare_pins(struct daemon *d)
{
	struct d0_pin_abi want;
	char err[D0_CONF_ERR_LEN];
	int rc;

	d->pin.dir_fd = d->pin.state_fd = -1;
	if (!d->cfg.pin_dir[0])
		return 0;
	d0_loader_abi(&d->session.load, &want);
	rc = d0_pin_prepare(&d->pin, d->cfg.pin_dir, &want, err, sizeof(err));
	if (rc) {
		d0_err("daemon: %s", err);
		return rc;
	}
	d->session.load.pin_dir = d->pin.dir;
	d->session.load.resume = d->pin.resumed;
	return 0;
}

/* `d0audit daemon --release`: the admin's way to stop for good. */
int d0_daemon_release_pins(const char *dir)
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

/*
 * What the next daemon needs to carry on where this one stops reading.
 * Saved after every batch read too (one map update), so that after a crash
 * only what the dead process read after its last save shows as a sequence
 * gap in the next one, never as silently skipped.
 */
void d0_daemon_save_pin_state(struct daemon *d, bool stopping)
{
	static bool warned;
	struct d0_consumer *c = &d->session.cons;
	struct d0_pin_state st = {};
	int err;

	if (!d->pin.dir)
		return;
	st.abi = d->pin.abi; /* not d0_loader_abi: that hashes the whole BPF object, and this runs per batch */
	st.next_seq = c->seq.next;
	st.delivered = c->delivered;
	memcpy(st.drops_seen, d->drops_seen, sizeof(st.drops_seen));
	st.saved_wall_ns = (__u64)(d0_daemon_wall_now() * 1e9);
	st.stopped = stopping;
	if (stopping)
		st.nholes = d0_seq_hand_over(&c->seq, &c->ops, st.holes, D0_PIN_HOLES);
	else
		st.nholes = d0_seq_holes(&c->seq, st.holes, D0_PIN_HOLES);
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
void d0_daemon_check_hooks(struct daemon *d)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		struct bpf_link *link = d0_session_link(&d->session, i);
		int err;

		if (!link)
			continue;
		err = d0_pin_link_check(link, d->pin.dir, h->name);
		if (!err)
			continue;
		if (err == -ENOENT || err == -ESTALE) {
			d->metrics.pins_repaired++;
			d0_warn("daemon: the pin %s/link_%s was %s; hook %s stays attached while this process runs; "
				"pinning it again so that a restart keeps it", d->pin.dir, h->name,
				err == -ENOENT ? "removed" : "replaced by another link", h->name);
			d0_pin_link(link, d->pin.dir, h->name);
			d0_rec_pin_repaired(d, h->name, err == -ENOENT ? "removed" : "replaced");
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
		d0_rec_gap(d, "hook_detached", h->name, h->target, NULL, -1, "running");
		if (d->pin.dir)
			d0_pin_unlink_link(d->pin.dir, h->name);
		d0_session_forget_hook(&d->session, i);
	}
}

/*
 * After a restart on pins: carry the sequence on, drain what waited in the
 * ring buffer, and say what the window without a daemon cost. Pins that
 * could not be reused were released: that window is a gap of unknown size.
 */
void d0_daemon_resume(struct daemon *d)
{
	const struct d0_pin_state *p = &d->pin.prev;
	struct d0_consumer *c = &d->session.cons;
	__u64 before, lost_before = d->metrics.lost;
	double down;

	if (d->pin.released_incompatible) {
		d->metrics.gaps++;
		d0_warn("daemon: monitoring gap: the pins in %s could not be reused: %s; released them and started "
			"fresh (what happened since the previous daemon stopped is not seen)", d->pin.dir, d->pin.why);
		d0_rec_gap(d, "pins_incompatible", NULL, NULL, d->pin.why, -1, "restart");
	}
	if (!d->pin.resumed)
		return;
	d0_seq_start(&c->seq, p->next_seq, p->holes, p->nholes < D0_PIN_HOLES ? p->nholes : D0_PIN_HOLES);
	c->delivered = p->delivered;
	memcpy(d->drops_seen, p->drops_seen, sizeof(d->drops_seen));
	before = c->delivered;
	if (d0_consumer_drain(c))
		d0_warn("daemon: draining the pinned ring buffer failed: the counts below may be short");
	d0_daemon_check_loss(d, "restart");
	d->metrics.resumed_drained = c->delivered - before;
	down = d0_daemon_wall_now() - p->saved_wall_ns / 1e9;
	d0_info("daemon: resumed from %s after %.1f s (%s): %d hooks kept attached, %llu event(s) "
		"drained, %llu lost while no daemon ran; sequence continues at %llu", d->pin.dir, down,
		p->stopped ? "clean stop" : "no clean stop", d0_session_hooks_reopened(&d->session),
		(unsigned long long)d->metrics.resumed_drained, (unsigned long long)(d->metrics.lost - lost_before),
		(unsigned long long)p->next_seq);
	d0_rec_resume(d, down, d->metrics.lost - lost_before);
}
