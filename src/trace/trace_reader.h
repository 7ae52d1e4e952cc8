/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading trace files (plain or gzip NDJSON) back into events. A corrupt or
 * truncated trace yields every intact record, then an error naming the
 * line; a trace from a newer format is refused up front.
 */
#ifndef D0AUDIT_TRACE_READER_H
#define D0AUDIT_TRACE_READER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "d0audit/event.h"
#include "trace/event_codec.h"

enum d0_record_type {
	D0_REC_HEADER,
	D0_REC_EVENT,
	D0_REC_GAP,
	D0_REC_FOOTER,
	D0_REC_ATTACH,
};

struct d0_record {
	enum d0_record_type type;
	struct d0_event ev;        /* D0_REC_EVENT; ev.violations = the recorded (live) verdict */
	__u64 gap_first, gap_lost; /* D0_REC_GAP */
	int attach_hook;           /* D0_REC_ATTACH: the hook, -1 if this d0audit does not know its name */
	__u64 attach_ns;           /* D0_REC_ATTACH: it watches from then on */
	json_t *json;              /* the whole line of a header, gap or footer; NULL for events; owned by the reader */
};

struct d0_trace_reader;

/* NULL with a message on error. */
struct d0_trace_reader *d0_trace_reader_open(const char *path);
/* Reads fd (taken over: closed by d0_trace_reader_close); name is for messages. */
struct d0_trace_reader *d0_trace_reader_open_fd(int fd, const char *name);
/* 1 = a record, 0 = end of file, -1 = error (message in d0_trace_reader_error). */
int d0_trace_next(struct d0_trace_reader *r, struct d0_record *rec);
const char *d0_trace_reader_error(const struct d0_trace_reader *r);
/* false: the input never had a d0audit header (empty, or not a trace at all). */
bool d0_trace_reader_saw_header(const struct d0_trace_reader *r);
void d0_trace_reader_close(struct d0_trace_reader *r);


#endif
