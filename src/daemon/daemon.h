/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state, shared by its files, one job each:
 *   daemon.c          the loop and signals: start, poll, reload, stop;
 *   daemon_records.c  the JSON-lines records, one builder per schema type;
 *   daemon_pin.c      restart continuity on bpffs pins;
 *   daemon_flags.c    the command line, as overrides of the configuration.
 * The live pipeline itself is the session (src/live/session.h).
 */
#ifndef D0AUDIT_DAEMON_H
#define D0AUDIT_DAEMON_H

#include "daemon/daemon_config.h"
#include "daemon/daemon_output.h"
#include "daemon/metrics.h"
#include "daemon/metrics_http.h"
#include "kernel/pin.h"
#include "live/session.h"
#include "model/verdict.h"

struct daemon {
	struct d0_daemon_config cfg;
	struct d0_config_sources src;
	struct d0_session session;
	struct d0_verdict verdict;
	struct d0_output out;
	struct d0_metrics metrics;
	struct d0_http http;
	struct d0_counters counters;        /* read at the last tick */
	__u64 drops_seen[D0_DROP_CAUSES];   /* drops already reported as gaps */
	struct d0_pin_status pin;           /* restart continuity (src/kernel/pin.h) */
	bool privileges_dropped;
	int sigfd;
	unsigned long long next_metrics_ms, next_module_ms;
};

unsigned long long d0_daemon_mono_ms(void);
double d0_daemon_wall_now(void);
/* Loss in the kernel's drop counters since the last look: one gap record per cause ("running", "restart"). */
void d0_daemon_check_loss(struct daemon *d, const char *window);

/* daemon_pin.c: restart continuity */
int d0_daemon_prepare_pins(struct daemon *d);
int d0_daemon_release_pins(const char *dir);
void d0_daemon_save_pin_state(struct daemon *d, bool stopping);
void d0_daemon_check_hooks(struct daemon *d);
void d0_daemon_resume(struct daemon *d);

/* daemon_records.c: one builder per record type of the daemon's log (tools/schema, "daemon_log") */
void d0_rec_start(struct daemon *d);
void d0_rec_violation(struct daemon *d, const struct d0_violation *viol);
void d0_rec_state(struct daemon *d, const struct d0_event *e);
/* lost < 0: unknown (null); hook, function, reason: NULL = absent */
void d0_rec_gap(struct daemon *d, const char *cause, const char *hook, const char *function, const char *reason,
		long long lost, const char *window);
void d0_rec_attach(struct daemon *d, int added);
void d0_rec_resume(struct daemon *d, double down_s, __u64 lost);
void d0_rec_pin_repaired(struct daemon *d, const char *hook, const char *problem);
void d0_rec_reload(struct daemon *d, const char *error);
void d0_rec_stop(struct daemon *d, int sig, const struct d0_session_result *res);
void d0_rec_cannot_audit(struct daemon *d, const char *why);

#endif /* D0AUDIT_DAEMON_H */
