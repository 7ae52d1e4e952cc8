// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's log records (tools/schema/d0audit-output.schema.json,
 * "daemon_log"): one builder per record type, each stamped with the time.
 */
#include "daemon/daemon.h"
#include "cli/cli.h"
#include "lib/escape.h"
#include "model/event_names.h"
#include "model/hook_plan.h"
#include "model/hook_table.h"
#include "lib/log.h"
#include "model/rules_meta.h"
#include "lib/version.h"
#include "model/violation_out.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void put(struct daemon *d, json_t *o, int prio)
{
	d0_output_json(&d->out, stamped(o), prio);
}

void d0_rec_start(struct daemon *d)
{
	const struct d0_session *s = &d->session;
	json_t *off = json_array();

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_plan *p = d0_session_plan(s, i);

		if (!p->attached && p->decision != D0_PLAN_SUPERSEDED)
			json_array_append_new(off, json_pack("{s:s, s:s}", "name", d0_hooks[i].name, "reason",
							     p->reason));
	}
	put(d, json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:s?, s:b}", "type", "start", "d0audit", D0AUDIT_VERSION,
			 "mode", d0_mode_name(d->cfg.mode), "hooks_attached", d0_session_hooks_attached(s),
			 "hooks_waiting", d0_session_hooks_waiting(s), "hooks_off", off, "pin", d->pin.dir, "resumed",
			 d->pin.resumed), D0_LOG_INFO);
}

/* At the first occurrence of each reported (rule, device): the human line, then the JSON record. */
void d0_rec_violation(struct daemon *d, const struct d0_violation *viol)
{
	const struct d0_event *e = &viol->first;
	struct d0_comm_text comm;
	char dev[16], line[512];

	d0_bdf_format(viol->bdf, dev, sizeof(dev));
	snprintf(line, sizeof(line), "%s rule %d %s on %s: %s (%s %s in %s by pid %u %s, power %s)",
		 viol->allowed ? "ALLOWED" : "VIOLATION", viol->rule, d0_rule_meta[viol->rule].name, dev,
		 d0_rule_summary(viol->rule), d0_kind_name(e->kind) ?: "?", d0_phase_name(e->phase),
		 e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", e->pid, d0_comm_text(&comm, e->comm),
		 d0_power_name(e->power));
	d0_output_violation(&d->out, viol, line); /* fleet: a journald record with MESSAGE_ID under systemd */
	put(d, d0_violation_json(&d->verdict, viol), D0_LOG_INFO);
}

void d0_rec_state(struct daemon *d, const struct d0_event *e)
{
	struct d0_comm_text comm;
	char dev[16];

	d0_bdf_format(e->bdf, dev, sizeof(dev));
	put(d, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I}", "type", "state", "dev", dev, "from",
			 d0_power_name(e->power_before), "to", d0_power_name(e->power), "kind", d0_kind_name(e->kind),
			 "function", e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?", "pid",
			 (json_int_t)e->pid, "comm", d0_comm_text(&comm, e->comm), "seq", (json_int_t)e->seq),
	    D0_LOG_INFO);
}

void d0_rec_gap(struct daemon *d, const char *cause, const char *hook, const char *function, const char *reason,
		long long lost, const char *window)
{
	json_t *o = json_pack("{s:s, s:s}", "type", "gap", "cause", cause);

	if (hook)
		json_object_set_new(o, "hook", json_string(hook));
	if (function)
		json_object_set_new(o, "function", json_string(function));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "lost", lost < 0 ? json_null() : json_integer(lost));
	json_object_set_new(o, "window", json_string(window));
	put(d, o, D0_LOG_WARNING);
}

void d0_rec_attach(struct daemon *d, int added)
{
	put(d, json_pack("{s:s, s:i, s:i}", "type", "attach", "added", added, "hooks_attached",
			 d0_session_hooks_attached(&d->session)), D0_LOG_INFO);
}

void d0_rec_resume(struct daemon *d, double down_s, __u64 lost)
{
	const struct d0_pin_state *p = &d->pin.prev;

	put(d, json_pack("{s:s, s:s, s:s, s:f, s:i, s:I, s:I, s:I, s:I}", "type", "resume", "pin", d->pin.dir,
			 "previous", p->stopped ? "stop" : "crash", "down_s", down_s, "hooks_reopened",
			 d0_session_hooks_reopened(&d->session), "first_seq", (json_int_t)p->next_seq, "drained",
			 (json_int_t)d->metrics.resumed_drained, "lost", (json_int_t)lost, "produced",
			 (json_int_t)d->counters.produced), D0_LOG_INFO);
}

void d0_rec_pin_repaired(struct daemon *d, const char *hook, const char *problem)
{
	put(d, json_pack("{s:s, s:s, s:s}", "type", "pin_repaired", "hook", hook, "problem", problem),
	    D0_LOG_WARNING);
}

/* error: NULL when the new configuration is in force */
void d0_rec_reload(struct daemon *d, const char *error)
{
	if (error)
		put(d, json_pack("{s:s, s:b, s:s}", "type", "reload", "ok", 0, "error", error), D0_LOG_WARNING);
	else
		put(d, json_pack("{s:s, s:b}", "type", "reload", "ok", 1), D0_LOG_INFO);
}

/* The last record, and the last line on stderr: what was produced, delivered, lost, and how the hooks went. */
void d0_rec_stop(struct daemon *d, int sig, const struct d0_session_result *res)
{
	const struct d0_counters *c = &res->counters;
	json_t *byrule = json_object();
	__u64 lost = c->drops[D0_DROP_RINGBUF_FULL];
	int attached = d0_session_hooks_attached(&d->session);
	char how[320];

	for (int r = 1; r <= D0_RULE_MAX; r++)
		if (c->violations[r])
			json_object_set_new(byrule, d0_rule_meta[r].name, json_integer(c->violations[r]));
	d0_output_flush_suppressed(&d->out, d0_daemon_mono_ms(), true);
	put(d, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "type", "stop", "signal",
			 strsignal(sig), "produced", (json_int_t)c->produced, "delivered", (json_int_t)c->delivered,
			 "lost", (json_int_t)lost, "pending", (json_int_t)res->pending, "devmap_full",
			 (json_int_t)c->drops[D0_DROP_DEVMAP_FULL], "exit_without_entry",
			 (json_int_t)c->drops[D0_DROP_NO_ENTRY], "kernel_violations", byrule,
			 "distinct_violations", (json_int_t)d->verdict.nviols, "write_errors",
			 (json_int_t)d->out.write_errors, "suppressed", (json_int_t)d->out.suppressed), D0_LOG_INFO);
	/* pinned: what the hooks produced after the final drain waits for the next start */
	if (d->pin.dir)
		snprintf(how, sizeof(how), "%d hooks stay attached, pinned in %s (%llu event(s) wait there for the "
			 "next start; 'd0audit daemon --release' detaches)", attached, d->pin.dir,
			 (unsigned long long)res->pending);
	else
		snprintf(how, sizeof(how), "detaching %d hooks took %llu ms", attached, res->detach_ms);
	d0_info("daemon: stopped by %s: %llu events produced, %llu delivered, %llu lost, "
		"%d distinct violation(s), %llu output write error(s); %s",
		strsignal(sig), (unsigned long long)c->produced, (unsigned long long)c->delivered,
		(unsigned long long)lost, d->verdict.nviols, (unsigned long long)d->out.write_errors, how);
}

void d0_rec_cannot_audit(struct daemon *d, const char *why)
{
	put(d, json_pack("{s:s, s:s, s:i}", "type", "cannot_audit", "reason", why, "exit_code", D0_EXIT_CANNOT),
	    D0_LOG_WARNING);
}
