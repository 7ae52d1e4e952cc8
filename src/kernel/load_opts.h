/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF object is loaded with: the options a caller of the live
 * session (src/live/session.h) chooses, without seeing the loader itself.
 */
#ifndef D0AUDIT_LOAD_OPTS_H
#define D0AUDIT_LOAD_OPTS_H

#include <stdbool.h>

struct d0_load_opts {
	bool record_all;            /* emit hot-path events even in D0 */
	unsigned int mode;          /* enum d0_mode for the in-kernel verdicts */
	unsigned int ringbuf_bytes; /* 0 = default */
	const char *pin_dir;        /* bpffs directory to pin maps and links in, or NULL */
	bool resume;                /* pin_dir holds compatible pins: reuse them (src/kernel/pin.h) */
};

struct d0_pin_abi;
/* The ABI tag of this build's BPF object with these options (src/kernel/pin.h). */
void d0_loader_abi(const struct d0_load_opts *opts, struct d0_pin_abi *abi);

#endif /* D0AUDIT_LOAD_OPTS_H */
