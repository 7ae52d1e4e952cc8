/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One observation session, shared by record and audit: attach, run for a
 * duration, around a command, or until SIGINT/SIGTERM, then drain
 * everything that is left and collect the counters.
 */
#ifndef D0AUDIT_SESSION_H
#define D0AUDIT_SESSION_H

#include "consumer.h"
#include "loader.h"

struct d0_session_opts {
	unsigned long long duration_ms;   /* 0 = no limit */
	char **cmd;                       /* NULL = no command */
	bool cmd_stdout_to_stderr;        /* keep our stdout for JSON only */
	struct d0_load_opts load;
	/* called once hooks are attached, before the command starts */
	int (*ready)(struct d0_loader *l, void *ctx);
	void *ready_ctx;
	/* attach the hooks of modules that load later (vfio-pci after d0audit) */
	bool wait_modules;
};

/* At most this many devices whose driver has BAR paths d0audit does not observe are named. */
#define D0_UNOBSERVED_MAX 8

struct d0_session_result {
	int cmd_status;                   /* waitpid status, -1 if no command ran */
	const char *ended_by;             /* "duration", "command", "signal" */
	struct d0_counters counters;
	unsigned long bad_records;
	/* variant drivers (issue 14): "device BDF (driver X): what is not observed", one per device */
	char unobserved[D0_UNOBSERVED_MAX][256];
	int nunobserved;
};

/*
 * The command died of a signal of its own (a crash, kill -9), not of the
 * SIGTERM we send when stopping first: what it meant to exercise did not
 * all run. 1 with why[] ("killed by signal 11 (Segmentation fault)"), or 0.
 */
/* Says that CMD (if any) was not run because the audit could not start. */
void d0_session_cmd_not_run(char **cmd);
int d0_session_cmd_killed(const struct d0_session_result *res, char *why, unsigned long len);

/* Returns 0, or -errno if the session could not start (message printed). */
int d0_session_run(const struct d0_session_opts *o, const struct d0_consumer_ops *ops,
		   struct d0_loader *l, struct d0_session_result *res);

#endif
