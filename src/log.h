/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics: every message says what failed and, where it helps, what to do. */
#ifndef D0AUDIT_LOG_H
#define D0AUDIT_LOG_H

#include <stdio.h>

__attribute__((format(printf, 1, 2))) void d0_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_warn(const char *fmt, ...);
/* A note on progress (hooks attached, final counters): "d0audit: MSG" in text. */
__attribute__((format(printf, 1, 2))) void d0_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_debug(const char *fmt, ...);

/*
 * getopt_long's error ('?'), with opterr = 0: the message getopt would have
 * printed, through d0_err (JSON with -j, also when -j comes later on the
 * line), then USAGE on stderr in text mode only. Returns D0_EXIT_USAGE.
 */
struct option;
int d0_opt_error(int argc, char **argv, const char *optstring, const struct option *opts, void (*usage)(FILE *f));
/* An error of the command line: the message, then usage on stderr unless -j. */
void d0_usage_error(void (*usage)(FILE *f), const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Route libbpf's own messages through d0_debug/d0_warn (-v shows them all). */
void d0_log_setup_libbpf(void);

#endif /* D0AUDIT_LOG_H */
