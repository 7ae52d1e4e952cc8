/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Draining the BPF ring buffer with exact loss accounting: every event
 * carries a sequence number taken before its reserve, so a number never
 * delivered is a counted drop. Holes are reported as gaps once they cannot
 * be reordering between CPUs any more; at the end, produced = delivered +
 * dropped must hold, and is checked.
 */
#ifndef D0AUDIT_CONSUMER_H
#define D0AUDIT_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "d0audit/event.h"
#include "model/hook_table.h"
#include "d0audit/rules.h"

struct d0_loader;
struct ring_buffer;

struct d0_consumer_ops {
	int (*event)(const struct d0_event *e, void *ctx);
	void (*gap)(__u64 first_seq, __u64 count, void *ctx);
	/* a hook attached late (its module loaded after the start): it watches from ts_ns on */
	void (*attached)(int hook, __u64 ts_ns, void *ctx);
	void *ctx;
};

struct d0_hole {
	__u64 first, end;   /* [first, end) */
};

struct d0_seq_tracker {
	__u64 next;          /* lowest sequence number not yet seen in order */
	struct d0_hole *holes;
	int nholes, cap;
	__u64 lost_reported;
};

struct d0_consumer {
	struct ring_buffer *rb;
	struct d0_loader *loader;
	struct d0_consumer_ops ops;
	struct d0_seq_tracker seq;
	__u64 delivered;
	__u64 by_kind[D0_EV_COUNT];
	__u64 bad_records;   /* wrong size or unknown kind/hook: ABI mismatch */
};

struct d0_counters {
	__u64 produced;
	__u64 delivered;
	__u64 drops[D0_DROP_CAUSES];
	__u64 drops_by_hook[D0_HOOK_COUNT];
	__u64 hits[D0_HOOK_COUNT];
	__u64 violations[D0_RULE_MAX + 1];  /* counted in the kernel, lost events included */
};

int d0_consumer_init(struct d0_consumer *c, struct d0_loader *l, const struct d0_consumer_ops *ops);
/* Wait up to timeout_ms for events and handle them. Returns events handled or -errno. */
int d0_consumer_poll(struct d0_consumer *c, int timeout_ms);
/* Take everything left in the buffer, then report every remaining hole. */
int d0_consumer_finish(struct d0_consumer *c);
void d0_consumer_free(struct d0_consumer *c);
void d0_consumer_counters(const struct d0_consumer *c, struct d0_counters *out);

/* One raw ring-buffer sample: checked, counted, then handed to ops (exposed for tests and fuzzing). */
int d0_consumer_sample(struct d0_consumer *c, const void *data, size_t size);

/* Sequence tracking on its own, for tests. */
void d0_seq_see(struct d0_seq_tracker *t, __u64 seq, const struct d0_consumer_ops *ops, bool final);
void d0_seq_flush(struct d0_seq_tracker *t, const struct d0_consumer_ops *ops, __u64 produced);
/*
 * Restart continuity: start at the first number the previous process did
 * not deliver, with the holes it still waited for (reordering between CPUs).
 */
void d0_seq_start(struct d0_seq_tracker *t, __u64 next, const __u64 (*holes)[2], int nholes);
/*
 * Stop without flushing (the links stay pinned and keep producing): copy up
 * to max pending holes for the next process; any beyond are reported lost
 * now. Returns how many were copied.
 */
int d0_seq_hand_over(struct d0_seq_tracker *t, const struct d0_consumer_ops *ops, __u64 (*holes)[2], int max);
/* The pending holes as [first, end) pairs, at most max of them (the tracker is unchanged). */
int d0_seq_holes(const struct d0_seq_tracker *t, __u64 (*holes)[2], int max);
/* Take everything in the buffer without declaring the rest lost (pinned: the next process continues). */
int d0_consumer_drain(struct d0_consumer *c);

#endif /* D0AUDIT_CONSUMER_H */
