/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Serving the D0_HF_FEXIT_MULTI rows (include/d0audit/hooks.h) with one
 * fexit.multi program on one tracing multi link (issue 18; 7.2+): the kernel
 * verifies fexit_multi (bpf/fexit_multi.bpf.h) once instead of one program per
 * row, and runs it on each row's own trampoline.
 *
 * libbpf 1.1 knows neither the attach type nor the link, so:
 * - the section "d0.fexit.multi" is registered as a TRACING program;
 * - its expected attach type is this kernel's BPF_TRACE_FEXIT_MULTI, read
 *   from vmlinux BTF (src/kernel/kernel_facts.c), and its attach BTF the
 *   module's (the link's BTF ids resolve there);
 * - the link is made with a raw BPF_LINK_CREATE: the rows' BTF ids, each
 *   with its row as cookie.
 */
#ifndef D0AUDIT_FEXIT_MULTI_H
#define D0AUDIT_FEXIT_MULTI_H

#include <stdbool.h>
#include "model/hook_plan.h"

struct bpf_program;
struct btf;

/*
 * The value of BPF_TRACE_FEXIT_MULTI in this kernel's enum bpf_attach_type
 * (Debian 12's headers and libbpf 1.1 predate it), if vmlinux BTF also has
 * bpf_multi_func, the prototype the kernel gives such programs. -1: none.
 */
int d0_fexit_multi_type(const struct btf *vmlinux);

/* Is row `hook` one fexit_multi can serve (D0_HF_FEXIT_MULTI)? */
bool d0_fexit_multi_row(int hook);
/*
 * Does this kernel have tracing multi links? False without BPF_TRACE_FEXIT_MULTI
 * in its BTF, and when D0AUDIT_NO_MULTI=1 is set. *why says why not.
 */
bool d0_fexit_multi_usable(const struct d0_kernel_facts *k, const char **why);

/*
 * Before the object is opened, once per process: the section handler.
 * Returns 0 or -errno (then no row is served by the multi link).
 */
int d0_fexit_multi_register(void);

/*
 * For one load: the module BTF fd the program is verified against (the
 * first served row's module). Returns -errno when the module's BTF is not
 * in the kernel (unloaded meanwhile). d0_fexit_multi_end() closes it.
 */
int d0_fexit_multi_begin(const char *module);
void d0_fexit_multi_end(void);
/* Set fexit_multi up for loading (between begin and end). */
int d0_fexit_multi_prepare(struct bpf_program *p, const struct d0_kernel_facts *k);

/*
 * Attach the rows in rows[] (all of one module) to the loaded program:
 * returns the link's fd, or -errno (E2BIG/EINVAL/ENOENT as the kernel says).
 */
int d0_fexit_multi_attach(int prog_fd, const struct d0_kernel_facts *k, const bool rows[D0_HOOK_COUNT]);

#endif /* D0AUDIT_FEXIT_MULTI_H */
