// SPDX-License-Identifier: GPL-2.0
#include "kernel/consumer.h"
#include "kernel/loader.h"
#include "lib/log.h"
#include "d0audit.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A hole this far behind the newest event is a drop, not CPU reordering. */
#define D0_REORDER_WINDOW 65536

static void report_hole(struct d0_seq_tracker *t, const struct d0_hole *h, const struct d0_consumer_ops *ops)
{
	t->lost_reported += h->end - h->first;
	if (ops && ops->gap)
		ops->gap(h->first, h->end - h->first, ops->ctx);
}

static void add_hole(struct d0_seq_tracker *t, __u64 first, __u64 end)
{
	if (t->nholes == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct d0_hole *h = realloc(t->holes, cap * sizeof(*h));

		if (!h)
			return; /* the footer's produced/delivered/dropped totals still hold */
		t->holes = h;
		t->cap = cap;
	}
	t->holes[t->nholes++] = (struct d0_hole){ first, end };
}

/* A late event fills part of a hole: shrink or split it. */
static void fill_hole(struct d0_seq_tracker *t, __u64 seq)
{
	for (int i = 0; i < t->nholes; i++) {
		struct d0_hole *h = &t->holes[i];

		if (seq < h->first || seq >= h->end)
			continue;
		if (h->end - h->first == 1) {
			t->holes[i] = t->holes[--t->nholes];
		} else if (seq == h->first) {
			h->first++;
		} else if (seq == h->end - 1) {
			h->end--;
		} else {
			__u64 end = h->end;

			h->end = seq;
			add_hole(t, seq + 1, end);
		}
		return;
	}
}

void d0_seq_see(struct d0_seq_tracker *t, __u64 seq, const struct d0_consumer_ops *ops, bool final)
{
	if (seq == t->next) {
		t->next++;
	} else if (seq > t->next) {
		add_hole(t, t->next, seq);
		t->next = seq + 1;
	} else {
		fill_hole(t, seq);
	}
	for (int i = 0; i < t->nholes; i++) {
		if (final || t->next - t->holes[i].end > D0_REORDER_WINDOW) {
			report_hole(t, &t->holes[i], ops);
			t->holes[i--] = t->holes[--t->nholes];
		}
	}
}

void d0_seq_flush(struct d0_seq_tracker *t, const struct d0_consumer_ops *ops, __u64 produced)
{
	/* Numbers taken after the last delivered event were all dropped too. */
	if (produced > t->next) {
		add_hole(t, t->next, produced);
		t->next = produced;
	}
	for (int i = 0; i < t->nholes; i++)
		report_hole(t, &t->holes[i], ops);
	t->nholes = 0;
}

void d0_seq_start(struct d0_seq_tracker *t, __u64 next, const __u64 (*holes)[2], int nholes)
{
	t->next = next;
	t->nholes = 0;
	for (int i = 0; i < nholes; i++)
		if (holes[i][0] < holes[i][1] && holes[i][1] <= next)
			add_hole(t, holes[i][0], holes[i][1]);
}

int d0_seq_holes(const struct d0_seq_tracker *t, __u64 (*holes)[2], int max)
{
	int n = 0;

	for (; n < t->nholes && n < max; n++) {
		holes[n][0] = t->holes[n].first;
		holes[n][1] = t->holes[n].end;
	}
	return n;
}

int d0_seq_hand_over(struct d0_seq_tracker *t, const struct d0_consumer_ops *ops, __u64 (*holes)[2], int max)
{
	int n = d0_seq_holes(t, holes, max);

	for (int i = n; i < t->nholes; i++)
		report_hole(t, &t->holes[i], ops);
	t->nholes = 0;
	return n;
}

int d0_consumer_sample(struct d0_consumer *c, const void *data, size_t size)
{
	struct d0_event e;

	/*
	 * The BPF side reserves exactly one struct d0_event; any other size, or
	 * a kind or hook this build does not know, is an ABI mismatch. Such a
	 * record is counted, never read further: its sequence number is not
	 * trusted either, so its number shows up as a gap.
	 */
	if (size != sizeof(e)) {
		c->bad_records++;
		return 0;
	}
	memcpy(&e, data, sizeof(e));
	if (e.kind >= D0_EV_COUNT || e.hook >= D0_HOOK_COUNT || e.phase > D0_PH_EXIT) {
		c->bad_records++;
		return 0;
	}
	c->delivered++;
	c->by_kind[e.kind]++;
	d0_seq_see(&c->seq, e.seq, &c->ops, false);
	return c->ops.event ? c->ops.event(&e, c->ops.ctx) : 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	return d0_consumer_sample(ctx, data, size);
}

int d0_consumer_init(struct d0_consumer *c, struct d0_loader *l, const struct d0_consumer_ops *ops)
{
	memset(c, 0, sizeof(*c));
	c->loader = l;
	if (ops)
		c->ops = *ops;
	c->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events), on_sample, c, NULL);
	if (!c->rb) {
		int err = -errno;

		d0_err("cannot open the BPF ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

int d0_consumer_poll(struct d0_consumer *c, int timeout_ms)
{
	int n = ring_buffer__poll(c->rb, timeout_ms);

	if (n == -EINTR)
		return 0;
	return n;
}

int d0_consumer_finish(struct d0_consumer *c)
{
	int n = ring_buffer__consume(c->rb);

	d0_seq_flush(&c->seq, &c->ops, c->loader->skel->bss->d0_seq);
	return n < 0 ? n : 0;
}

int d0_consumer_drain(struct d0_consumer *c)
{
	int n = ring_buffer__consume(c->rb);

	return n < 0 ? n : 0;
}

void d0_consumer_free(struct d0_consumer *c)
{
	ring_buffer__free(c->rb);
	free(c->seq.holes);
	c->rb = NULL;
	c->seq.holes = NULL;
}

/* Sum a per-CPU u64 array entry over every possible CPU. */
static __u64 percpu_sum(int map_fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals, sum = 0;

	if (ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(map_fd, &key, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void d0_consumer_counters(const struct d0_consumer *c, struct d0_counters *out)
{
	struct d0audit_bpf *skel = c->loader->skel;
	int drops_fd = bpf_map__fd(skel->maps.drops), hits_fd = bpf_map__fd(skel->maps.hits);

	memset(out, 0, sizeof(*out));
	out->produced = skel->bss->d0_seq;
	out->delivered = c->delivered;
	for (__u32 h = 0; h < D0_HOOK_COUNT; h++) {
		for (__u32 cause = 0; cause < D0_DROP_CAUSES; cause++) {
			__u64 v = percpu_sum(drops_fd, h * D0_DROP_CAUSES + cause);

			out->drops[cause] += v;
			if (cause == D0_DROP_RINGBUF_FULL)
				out->drops_by_hook[h] += v;
		}
		out->hits[h] = percpu_sum(hits_fd, h);
	}
	for (__u32 r = 1; r <= D0_RULE_MAX; r++)
		out->violations[r] = percpu_sum(bpf_map__fd(skel->maps.violations), r);
}
