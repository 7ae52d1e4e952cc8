// SPDX-License-Identifier: GPL-2.0
/*
 * Seed maker for fuzz_ring_record: reads a recorded trace and writes its
 * events as the raw samples the ring buffer would have carried, in the
 * fuzzer's framing (a size byte, then the bytes). Used by tests/fuzz/mkcorpus.
 */
#include <stdio.h>
#include <stdlib.h>

#include "trace/trace_reader.h"

int main(int argc, char **argv)
{
	struct d0_trace_reader *r;
	struct d0_record rec;
	FILE *out;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_ring_seeds TRACE OUT\n");
		return 2;
	}
	r = d0_trace_reader_open(argv[1]);
	out = fopen(argv[2], "wb");
	if (!r || !out)
		return 1;
	while ((n = d0_trace_next(r, &rec)) == 1) {
		if (rec.type != D0_REC_EVENT)
			continue;
		fputc(sizeof(rec.ev), out);
		fwrite(&rec.ev, sizeof(rec.ev), 1, out);
	}
	d0_trace_reader_close(r);
	return fclose(out) || n < 0;
}
