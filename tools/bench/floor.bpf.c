// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of benchmark figure 1: empty fentry and fexit programs. Each has
 * no target in its section name; tools/bench/floor.c points them at the
 * functions d0audit hooks (bpf_program__set_attach_target) before loading,
 * and leaves the unused ones unloaded.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define EMPTY(kind, n) SEC(#kind) int kind##_##n(void *ctx) { return 0; }
#define EMPTY8(kind, a)                                                                   \
	EMPTY(kind, a##0) EMPTY(kind, a##1) EMPTY(kind, a##2) EMPTY(kind, a##3)           \
	EMPTY(kind, a##4) EMPTY(kind, a##5) EMPTY(kind, a##6) EMPTY(kind, a##7)
#define EMPTY64(kind)                                                                     \
	EMPTY8(kind, 0) EMPTY8(kind, 1) EMPTY8(kind, 2) EMPTY8(kind, 3)                   \
	EMPTY8(kind, 4) EMPTY8(kind, 5) EMPTY8(kind, 6) EMPTY8(kind, 7)

EMPTY64(fentry)
EMPTY64(fexit)

/* floor --multi: the cold rows on one empty program, entry and exit links, as d0audit serves them (issue 18) */
SEC("kprobe.multi") int multi_cold(void *ctx) { return 0; }
/* ...and the D0_HF_FEXIT_MULTI rows on one empty program's tracing multi link (7.2+), as fexit_multi */
SEC("d0.fexit.multi") int multi_fexit(void *ctx) { return 0; }
