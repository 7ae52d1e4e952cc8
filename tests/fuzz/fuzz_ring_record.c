// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: raw ring-buffer samples as the BPF side hands them to
 * user space (d0_consumer_sample). The input is a stream of samples:
 *   tag < 0x80: a raw sample of `tag` bytes (any size, any content), copied
 *               to a buffer of exactly that size so over-reads are caught;
 *   tag >= 0x80: a well-formed event built from the previous one, with the
 *               next byte as a signed sequence step (drops, reordering) and
 *               the one after as the kind.
 * Checked: only well-formed events reach the handler; with at most 64 Ki
 * distinct numbers, delivered + reported gaps = produced exactly, no gap
 * covers a delivered number, and every number lands in one of the two.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/consumer.h"
#include "trace/trace_writer.h"
#include "model/verdict.h"

#define SEQ_SPACE 65536

struct state {
	struct d0_verdict v;
	uint8_t seen[SEQ_SPACE];   /* delivered count per number */
	uint8_t gapped[SEQ_SPACE];
	bool dup, big;
	__u64 max_seq, gap_total;
};

static int on_event(const struct d0_event *e, void *ctx)
{
	struct state *s = ctx;
	char buf[1024];
	int n;

	if (e->kind >= D0_EV_COUNT || e->hook >= D0_HOOK_COUNT || e->phase > D0_PH_EXIT)
		abort(); /* a malformed record got through */
	n = d0_event_to_json(e, buf, sizeof(buf));
	if (n <= 0 || n >= (int)sizeof(buf))
		abort();
	d0_verdict_event(&s->v, e, e->violations);
	if (e->seq >= SEQ_SPACE) {
		s->big = true;
		return 0;
	}
	if (s->seen[e->seq]++)
		s->dup = true;
	if (e->seq > s->max_seq)
		s->max_seq = e->seq;
	return 0;
}

static void on_gap(__u64 first, __u64 count, void *ctx)
{
	struct state *s = ctx;

	s->gap_total += count;
	if (s->big || s->dup)
		return;
	for (__u64 q = first; q < first + count; q++) {
		if (q >= SEQ_SPACE || s->seen[q] || s->gapped[q]++)
			abort(); /* a gap over a delivered number, or twice over one */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state s;
	struct d0_consumer c;
	struct d0_event ev = { .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .bdf = 3 << 3, .comm = "fuzz" };
	struct d0_consumer_ops ops = { .event = on_event, .gap = on_gap, .ctx = &s };
	__u64 delivered_small = 0, produced;
	size_t i = 0;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	c.ops = ops;
	d0_verdict_init(&s.v, D0_MODE_STRICT, NULL, NULL);
	while (i < size) {
		uint8_t tag = data[i++];

		if (tag < 0x80) {
			size_t len = tag < size - i ? tag : size - i;
			uint8_t *raw = malloc(len ? len : 1);

			memcpy(raw, data + i, len);
			i += len;
			if (len == sizeof(ev))
				memcpy(&ev, raw, sizeof(ev)); /* later steps build on it */
			d0_consumer_sample(&c, raw, len);
			free(raw);
			continue;
		}
		if (size - i < 2)
			break;
		ev.seq += (int8_t)data[i];
		ev.kind = data[i + 1] % D0_EV_COUNT;
		ev.hook %= D0_HOOK_COUNT;
		ev.phase %= D0_PH_EXIT + 1;
		i += 2;
		d0_consumer_sample(&c, &ev, sizeof(ev));
	}
	for (__u64 q = 0; q < SEQ_SPACE; q++)
		delivered_small += s.seen[q] ? 1 : 0;
	produced = s.max_seq + 1;
	d0_seq_flush(&c.seq, &c.ops, produced);
	if (c.seq.lost_reported != s.gap_total)
		abort();
	if (!s.dup && !s.big && c.delivered && delivered_small + s.gap_total != produced)
		abort(); /* produced = delivered + dropped must hold exactly */
	free(c.seq.holes);
	d0_verdict_free(&s.v);
	return 0;
}
