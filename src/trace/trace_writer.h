/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace files: newline-delimited JSON, gzip-compressed when the name ends in
 * ".gz". Line 1 is the header, then events and gaps, then the footer.
 * The schema is documented in the README ("Trace format").
 */
#ifndef D0AUDIT_TRACE_WRITER_H
#define D0AUDIT_TRACE_WRITER_H

#include <stdbool.h>
#include <linux/types.h>
#include "d0audit/event.h"
#include "d0audit/hooks.h"
#include "trace/event_codec.h"

#define D0_TRACE_FORMAT 1

struct d0_trace_writer;

/* path "-" is stdout. NULL on error, with the reason printed. */
struct d0_trace_writer *d0_trace_open(const char *path);
/* Returns 0, or -errno of the first failed write (e.g. disk full). */
int d0_trace_close(struct d0_trace_writer *w);
/* The session failed: close; remove the file if nothing was written, else say it is incomplete. */
void d0_trace_abandon(struct d0_trace_writer *w);

/* One complete JSON object (without newline) as a line. */
int d0_trace_line(struct d0_trace_writer *w, const char *json, unsigned long len);
int d0_trace_event(struct d0_trace_writer *w, const struct d0_event *e);
int d0_trace_gap(struct d0_trace_writer *w, __u64 first_seq, __u64 count);
/* A hook attached late (its module loaded after the header): it watches from ts_ns on. */
int d0_trace_attach(struct d0_trace_writer *w, int hook, __u64 ts_ns);

/*
 * What the header and footer say, as plain facts: the live session fills
 * them (d0_session_trace_start/_end in src/live/session.h), so that the writer
 * knows nothing of the loader or the session.
 */
struct d0_trace_hook {
	const char *target;   /* the symbol attached to (may be a clone), or the table's target */
	const char *status;   /* "attached", "attachable", "failed", "unavailable" or "not-needed" */
	const char *reason;
};

struct d0_trace_start {
	unsigned int mode;    /* enum d0_mode */
	bool record_all;
	const char *mapping_model;
	bool iommufd;
	struct d0_trace_hook hooks[D0_HOOK_COUNT];
};

#define D0_TRACE_UNOBSERVED_MAX 8

struct d0_counters;
struct d0_trace_end {
	const struct d0_counters *counters;
	unsigned long long late_ns[D0_HOOK_COUNT];  /* hooks of modules that loaded after the header; 0 = not late */
	unsigned long bad_records;
	const char *ended_by;                       /* NULL: the session failed ("error") */
	const char *unobserved[D0_TRACE_UNOBSERVED_MAX]; /* variant drivers' BAR paths no hook sees */
	int nunobserved;
};

/* Header: format, versions, kernel, mode, and every hook's status and reason. */
int d0_trace_header(struct d0_trace_writer *w, const struct d0_trace_start *s);
/* Footer: produced / delivered / drops by cause and hook, hot-path hits, late attachments. */
int d0_trace_footer(struct d0_trace_writer *w, const struct d0_trace_end *e);

#endif /* D0AUDIT_TRACE_WRITER_H */
