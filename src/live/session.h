/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live pipeline, one object for audit, record and the daemon, in phases:
 *
 *   open   plan, load and attach the BPF object, open the ring buffer;
 *   poll   hand what the ring buffer holds to the consumer; attach the hooks
 *          of modules that load later (vfio-pci after d0audit);
 *   stop   detach (nothing is produced after the final drain, every hole is
 *          reported) or keep pinned (drain only: the hooks keep writing for
 *          the next start); collect the counters and check that
 *          produced = delivered + dropped (pinned: + pending), loudly;
 *   close  free everything.
 *
 * d0_session_run() is audit's and record's loop over these phases (for a
 * duration, around a command, or until SIGINT/SIGTERM); the daemon drives
 * the same phases from its own poll(2). The loader stays opaque: callers use
 * the accessors below, never struct d0_loader.
 */
#ifndef D0AUDIT_SESSION_H
#define D0AUDIT_SESSION_H

#include "kernel/consumer.h"
#include "kernel/load_opts.h"

struct d0_loader;
struct d0_hook_plan;
struct d0_hook_availability;
struct d0_trace_start;
struct d0_trace_end;
struct bpf_link;

struct d0_session {
	const char *prefix;         /* "" or "daemon: ": starts every message the session prints */
	struct d0_load_opts load;
	bool probe_variants;        /* read the bound devices' config at open and stop (variant drivers' ops) */
	struct d0_loader *loader;   /* opaque: open allocates it */
	struct d0_consumer cons;    /* the ring buffer's consumer (the daemon's continuity carries its sequence) */
	bool consuming;             /* cons is set up */
	unsigned long long late_told_ns; /* late attaches up to here were handed to ops->attached */
};

enum d0_stop_how {
	D0_STOP_DETACH,             /* detach every hook, then drain: the counts are final */
	D0_STOP_KEEP_PINNED,        /* nothing detaches; what is produced after the drain waits in the pins */
};

/* At most this many devices whose driver has BAR paths d0audit does not observe are named. */
#define D0_UNOBSERVED_MAX 8

struct d0_session_result {
	int cmd_status;                   /* waitpid status, -1 if no command ran */
	const char *ended_by;             /* "duration", "command", "signal" */
	struct d0_counters counters;
	unsigned long bad_records;
	unsigned long long detach_ms;     /* D0_STOP_DETACH: what detaching cost the kernel */
	__u64 pending;                    /* D0_STOP_KEEP_PINNED: produced, neither delivered nor dropped yet */
	bool unaccounted;                 /* produced != delivered + dropped (+ pending): said loudly at stop */
	/* variant drivers (issue 14): "device BDF (driver X): what is not observed", one per device */
	char unobserved[D0_UNOBSERVED_MAX][256];
	int nunobserved;
};

/* open: 0, or -errno with the reason printed (and in d0_last_error()); close it either way. */
int d0_session_open(struct d0_session *s, const struct d0_consumer_ops *ops);
/* poll: wait up to timeout_ms; returns events handled or -errno. */
int d0_session_poll(struct d0_session *s, int timeout_ms);
/* The ring buffer's epoll fd, for a caller's own poll(2). */
int d0_session_fd(const struct d0_session *s);
/*
 * poll: attach the hooks of modules that appeared since the last call.
 * 0 if none appeared, 1 with *added (said on stderr, naming the modules)
 * if some did, -errno if attaching failed (warned). Each hook that attached
 * is handed to the consumer's ops->attached with the time it watches from.
 */
int d0_session_attach_late(struct d0_session *s, int *added);
/* stop: fills res (counters, drops, accounting); 0, or -errno if the final drain failed (warned). */
int d0_session_stop(struct d0_session *s, enum d0_stop_how how, struct d0_session_result *res);
void d0_session_close(struct d0_session *s);
/*
 * stop's check on res->counters: true if produced = delivered + dropped
 * (pinned: + pending, which it sets); else res->unaccounted and an error
 * saying how many events no counter saw and what to do.
 */
bool d0_session_accounting(enum d0_stop_how how, struct d0_session_result *res);

/* What the session attached, for summaries, metrics and records (valid from open until close). */
int d0_session_hooks_attached(const struct d0_session *s);
int d0_session_hooks_waiting(const struct d0_session *s);   /* their module is not loaded yet */
int d0_session_hooks_reopened(const struct d0_session *s);  /* from pins at open */
const struct d0_hook_plan *d0_session_plan(const struct d0_session *s, int hook);
/* Since when a hook watches (CLOCK_MONOTONIC ns): 0 = from the start, its late attach, or ~0 = not attached. */
unsigned long long d0_session_hook_since(const struct d0_session *s, int hook);
bool d0_session_iommufd(const struct d0_session *s);
void d0_session_availability(const struct d0_session *s, struct d0_hook_availability *a);
int d0_session_held_modules(const struct d0_session *s, char *buf, unsigned long len);
/* The trace header's and footer's facts (src/trace/trace_writer.h); e points into res. */
void d0_session_trace_start(const struct d0_session *s, struct d0_trace_start *t);
void d0_session_trace_end(const struct d0_session *s, const struct d0_session_result *res, struct d0_trace_end *e);

/* Pin continuity (the daemon): a hook's link, and dropping one someone else detached. */
struct bpf_link *d0_session_link(const struct d0_session *s, int hook);
void d0_session_forget_hook(struct d0_session *s, int hook);

/* audit and record: open, run until the duration, the command or a signal ends it, stop (detach). */
struct d0_session_run_opts {
	unsigned long long duration_ms;   /* 0 = no limit */
	char **cmd;                       /* NULL = no command */
	bool cmd_stdout_to_stderr;        /* keep our stdout for JSON only */
	/* called once hooks are attached, before the command starts */
	int (*ready)(struct d0_session *s, void *ctx);
	void *ready_ctx;
};

/* Returns 0 (res filled; close the session after reading it), or -errno if it could not start (printed). */
int d0_session_run(struct d0_session *s, const struct d0_session_run_opts *o, const struct d0_consumer_ops *ops,
		   struct d0_session_result *res);

/* Says that CMD (if any) was not run because the audit could not start. */
void d0_session_cmd_not_run(char **cmd);
/*
 * The command died of a signal of its own (a crash, kill -9), not of the
 * SIGTERM we send when stopping first: what it meant to exercise did not
 * all run. 1 with why[] ("killed by signal 11 (Segmentation fault)"), or 0.
 */
int d0_session_cmd_killed(const struct d0_session_result *res, char *why, unsigned long len);

#endif
