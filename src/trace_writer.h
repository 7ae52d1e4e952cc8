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
#include "event_codec.h"

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
struct d0_loader;
struct d0_session_result;
/* Header: format, versions, kernel, mode, and every hook's status and reason. */
int d0_trace_header(struct d0_trace_writer *w, const struct d0_loader *l, unsigned int mode, bool record_all);
/* Footer: produced / delivered / drops by cause and hook, hot-path hits. */
/* `late_attached` in the footer: hooks of modules that loaded after the header. */
int d0_trace_footer(struct d0_trace_writer *w, const struct d0_loader *l, const struct d0_session_result *res);


#endif /* D0AUDIT_TRACE_WRITER_H */
