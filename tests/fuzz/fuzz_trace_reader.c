// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the trace reader. The input is a whole trace file, fed
 * through a memfd so the real open path (zlib, plain or gzip by content)
 * runs. Every event read is judged, written back as JSON and read again:
 * the round trip must give the same event. A plain input is also read a
 * second time gzip-compressed: both paths must agree record for record.
 * Each line is also read by the fast event-line scanner and by jansson +
 * d0_event_from_json: whatever the scanner takes must read the same both
 * ways, and every line the writer makes must take the scanner.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "out/check_output.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"
#include "model/verdict.h"

struct outcome {
	unsigned long records;
	int rc;
	char error[768];
};

static int memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("trace", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			abort();
		data += n;
		size -= n;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* What the writer makes of an event, the reader must give back. */
static void roundtrip(const struct d0_event *e)
{
	char buf[1024], why[256];
	struct d0_event back;
	json_error_t jerr;
	json_t *o;
	int n = d0_event_to_json(e, buf, sizeof(buf));

	if (n <= 0 || n >= (int)sizeof(buf))
		abort();
	o = json_loadb(buf, n, 0, &jerr);
	if (!o)
		abort();
	if (d0_event_from_json(o, &back, why, sizeof(why)))
		abort();
	json_decref(o);
	{
		struct d0_event fast;

		if (!d0_event_from_line(buf, n, &fast) || memcmp(&fast, &back, sizeof(fast)))
			abort();
	}
	if (strcmp(back.comm, e->comm))
		abort();
	if (back.seq != e->seq || back.ts_ns != e->ts_ns || back.kind != e->kind || back.phase != e->phase ||
	    back.hook != e->hook || back.bdf != e->bdf || back.power != e->power ||
	    back.power_before != e->power_before || back.rpm_status != e->rpm_status || back.ctx != e->ctx ||
	    back.state != e->state || back.a0 != e->a0 || back.a1 != e->a1 || back.a2 != e->a2 ||
	    back.a3 != e->a3 || back.ret != e->ret || back.violations != e->violations ||
	    back.nr_dmabufs != e->nr_dmabufs || back.nr_unrevoked != e->nr_unrevoked || back.pid != e->pid ||
	    back.tid != e->tid)
		abort();
}

static void read_all(const uint8_t *data, size_t size, struct outcome *out)
{
	struct d0_trace_reader *r = d0_trace_reader_open_fd(memfd_with(data, size), "fuzz.ndjson");
	struct d0_check_result res = {};
	struct d0_verdict v;
	struct d0_record rec;
	int n;

	memset(out, 0, sizeof(*out));
	if (!r)
		abort();
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	d0_require_parse("zap::1", &res.req[0]);
	res.nreq = 1;
	while ((n = d0_trace_next(r, &rec)) == 1) {
		out->records++;
		/* events come from rec.ev only; the other records keep their JSON */
		if (!rec.json != (rec.type == D0_REC_EVENT))
			abort();
		if (rec.type == D0_REC_EVENT) {
			d0_verdict_event(&v, &rec.ev, (long long)rec.ev.violations);
			d0_check_count_requirements(&res, &rec.ev);
			roundtrip(&rec.ev);
		} else if (rec.type == D0_REC_GAP) {
			d0_verdict_lost(&v, rec.gap_lost);
		}
	}
	out->rc = n;
	if (n < 0)
		snprintf(out->error, sizeof(out->error), "%s", d0_trace_reader_error(r));
	d0_trace_reader_close(r);
	d0_verdict_free(&v);
}

/* gzip-compress in memory (what `record -o x.gz` writes). */
static uint8_t *gzip(const uint8_t *data, size_t size, size_t *outlen)
{
	z_stream z = {};
	uLong cap;
	uint8_t *out;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&z, size) + 32;
	out = malloc(cap);
	z.next_in = (Bytef *)data;
	z.avail_in = size;
	z.next_out = out;
	z.avail_out = cap;
	if (!out || deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* The fast path never reads a line otherwise than jansson does. */
static void differential(const char *line, size_t len)
{
	struct d0_event fast, slow;
	json_error_t jerr;
	const char *type;
	char why[256];
	json_t *o;

	if (!d0_event_from_line(line, len, &fast))
		return;
	o = json_loadb(line, len, 0, &jerr);
	type = json_string_value(json_object_get(o, "type"));
	if (!o || !type || strcmp(type, "event") || d0_event_from_json(o, &slow, why, sizeof(why)) ||
	    memcmp(&fast, &slow, sizeof(fast)))
		abort();
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome plain, packed;
	size_t glen;
	uint8_t *g;

	for (size_t i = 0, start = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			differential((const char *)data + start, i - start);
			start = i + 1;
		}
	}
	read_all(data, size, &plain);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0; /* already compressed: corrupt-gzip inputs end here */
	g = gzip(data, size, &glen);
	read_all(g, glen, &packed);
	free(g);
	if (plain.records != packed.records || plain.rc != packed.rc || strcmp(plain.error, packed.error))
		abort();
	return 0;
}
