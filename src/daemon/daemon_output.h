/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's event log: JSON lines to a file (0600, reopened on SIGUSR1
 * for logrotate) and/or to stdout with syslog priority prefixes ("<4>",
 * "<6>") that journald turns into levels. A failed write is counted and
 * reported once per burst of failures; nothing is ever claimed written
 * that was not. Violation reports pass a token bucket; the ones it holds
 * back are counted and summarised in one line when reports flow again.
 * Under systemd (stdout is the journal stream) a violation's human line is
 * a structured journald record instead: MESSAGE_ID per rule, D0AUDIT_*
 * fields (src/daemon/journal.h); the JSON line is the same either way.
 */
#ifndef D0AUDIT_DAEMON_OUTPUT_H
#define D0AUDIT_DAEMON_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <linux/types.h>
#include "model/verdict.h"

#define D0_LOG_WARNING 4
#define D0_LOG_INFO 6

struct d0_output {
	int fd;                    /* the JSON-lines file, -1 if none */
	char path[256];
	bool to_stdout;
	bool journal;              /* stdout is the journal stream: violations go as native records */
	const char *journal_socket; /* D0_JOURNAL_SOCKET (tests point elsewhere) */
	__u64 journal_errors;      /* native records that failed, written to stdout instead */
	__u64 lines;               /* lines written whole */
	__u64 write_errors;        /* lines that failed on some sink */
	struct d0_sink_health {
		bool failing;      /* inside a burst of failures: reported once */
		__u64 burst_errors;
	} file_health, stdout_health;
	/* token bucket for violation reports */
	unsigned int rate_per_min, burst;
	double tokens;
	unsigned long long refill_ms;
	__u64 suppressed;          /* held back in all */
	__u64 suppressed_pending;  /* held back, not yet summarised */
};

/* Open (create 0600, append) the file if path is non-empty. -errno with a message. */
int d0_output_open(struct d0_output *o, const char *path, bool to_stdout, unsigned int rate_per_min,
		   unsigned int burst);
/* SIGUSR1 (logrotate moved the file) or SIGHUP with a new path. Keeps the old fd if it fails. */
int d0_output_reopen(struct d0_output *o, const char *path);
void d0_output_set_rate(struct d0_output *o, unsigned int rate_per_min, unsigned int burst);
void d0_output_close(struct d0_output *o);

/* One JSON line (steals obj) to the file and, with prio, to stdout. */
void d0_output_json(struct d0_output *o, json_t *obj, int prio);
/* One human line, stdout only ("<prio>d0audit: text"). */
void d0_output_human(struct d0_output *o, int prio, const char *text);

/*
 * A violation's human line (stdout only, at warning): a journald record with
 * MESSAGE_ID and D0AUDIT_RULE=, D0AUDIT_DEV=, ... fields when stdout is the
 * journal, else the plain "<4>d0audit: line" as d0_output_human writes it.
 */
void d0_output_violation(struct d0_output *o, const struct d0_violation *viol, const char *line);

/* Token bucket: may one more violation be reported now? Counts a refusal. */
bool d0_output_rate_allow(struct d0_output *o, unsigned long long now_ms);
/* Write the "N suppressed" summary if reports flow again (or at the end, with force). */
void d0_output_flush_suppressed(struct d0_output *o, unsigned long long now_ms, bool force);

#endif
