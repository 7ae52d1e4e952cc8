/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one replay loop over a recorded trace (check, report): the header,
 * every intact record in order, and how the file ended. Stops at the first
 * corrupt record, so what came before it is still judged or drawn.
 */
#ifndef D0AUDIT_TRACE_REPLAY_H
#define D0AUDIT_TRACE_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <linux/types.h>
#include "model/verdict.h"
#include "trace/trace_reader.h"

struct d0_replay_ops {
	void (*header)(json_t *hdr, void *ctx);                     /* the first record, if any */
	int (*event)(const struct d0_event *e, void *ctx);          /* non-zero stops the replay */
	int (*gap)(__u64 first, __u64 lost, void *ctx);             /* non-zero stops the replay */
	void (*footer)(json_t *footer, void *ctx);
	void (*attach)(int hook, __u64 ts_ns, void *ctx);           /* a hook attached late, known to this d0audit */
};

struct d0_replay_end {
	bool any;       /* the file had a first record */
	bool footer;    /* ...and a footer: the recording finished */
	bool stopped;   /* a callback stopped it */
	bool error;     /* a corrupt record ended it: d0_trace_reader_error(r) says which */
	__u64 events;   /* events handed to ops->event */
};

/* Replays r to its end (progress on a terminal counts events); NULL callbacks are skipped. */
/*
 * The verdict's hook_since from a trace header: a hook attached at the start
 * watches from 0, any other from never; ops->attach then moves a late one.
 */
void d0_replay_hook_since(json_t *hdr, struct d0_verdict *v);

void d0_trace_replay(struct d0_trace_reader *r, const struct d0_replay_ops *ops, void *ctx,
		     struct d0_replay_end *end);

#endif /* D0AUDIT_TRACE_REPLAY_H */
