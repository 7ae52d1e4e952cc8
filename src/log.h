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

/*
 * getopt_long's error ('?'), with opterr = 0: the message getopt would have
 * printed, through d0_usage_error (JSON with -j, also when -j comes later on
 * the line). Returns D0_EXIT_USAGE.
 */
struct option;
int d0_opt_error(int argc, char **argv, const char *optstring, const struct option *opts);
/* An error of the command line: one line, "MSG; try 'd0audit COMMAND --help'" (not the whole usage). */
void d0_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The global flags -p, -q and -v also after the command (bpftool style), as -j:
 * each command adds D0_GLOBAL_SHORT to its optstring, D0_GLOBAL_LONG to its
 * options, and gives every option it does not know to d0_global_opt first.
 */
#define D0_GLOBAL_SHORT "pqv"
#define D0_GLOBAL_LONG \
	{ "pretty", no_argument, NULL, 'p' }, { "quiet", no_argument, NULL, 'q' }, { "verbose", no_argument, NULL, 'v' }
/* true if c was -p, -q or -v (and is now in d0_opts) */
bool d0_global_opt(int c);

/* The last error message logged ("" if none): what a daemon that cannot audit says it died of. */
const char *d0_last_error(void);

/* Route libbpf's own messages through d0_debug/d0_warn (-v shows them all). */
void d0_log_setup_libbpf(void);
/* While set (NULL clears), each libbpf warning is also handed to tap, verbosity aside. */
void d0_log_tap_libbpf(void (*tap)(const char *msg, void *ctx), void *ctx);

#endif /* D0AUDIT_LOG_H */
