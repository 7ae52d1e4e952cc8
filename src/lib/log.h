/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics: every message says what failed and, where it helps, what to do. */
#ifndef D0AUDIT_LOG_H
#define D0AUDIT_LOG_H

#include <stdbool.h>
#include <stdio.h>

__attribute__((format(printf, 1, 2))) void d0_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_warn(const char *fmt, ...);
/* A note on progress (hooks attached, final counters): "d0audit: MSG" in text. */
__attribute__((format(printf, 1, 2))) void d0_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_debug(const char *fmt, ...);

/* The last error message logged ("" if none): what a daemon that cannot audit says it died of. */
const char *d0_last_error(void);

/* Route libbpf's own messages through d0_debug/d0_warn (-v shows them all). */
void d0_log_setup_libbpf(void);
/* While set (NULL clears), each libbpf warning is also handed to tap, verbosity aside. */
void d0_log_tap_libbpf(void (*tap)(const char *msg, void *ctx), void *ctx);

#endif /* D0AUDIT_LOG_H */
