/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a command line the same way in every command (cli_opts.c): getopt
 * errors, the global flags after the command, and typed option parsers whose
 * errors are one usage line (JSON with -j).
 */
#ifndef D0AUDIT_CLI_OPTS_H
#define D0AUDIT_CLI_OPTS_H

#include <stdbool.h>

#include <linux/types.h>

struct d0_allow;
struct d0_requirement;

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

/*
 * Typed option parsers: each takes optarg, stores the value and returns 0, or
 * prints the command's error for that option and returns -1 (the caller
 * returns D0_EXIT_USAGE).
 */
int d0_opt_mode(const char *arg, __u32 *mode);                     /* --mode strict|kernel */
int d0_opt_duration(const char *arg, unsigned long long *ms);      /* --duration, > 0 */
int d0_opt_ringbuf_size(const char *arg, unsigned long long *bytes); /* --ringbuf-size */
/* One --require into req[*n] (at most max). */
int d0_opt_require(const char *arg, struct d0_requirement *req, int *n, int max);
/* One --allow of a command line into allow[*n] (at most max): 0, or -1 after a one-line usage error. */
int d0_opt_allow(const char *arg, struct d0_allow *allow, int *n, int max);
/* "check: --allow BYPASS:00:03.0: device taken as 0000:00:03.0 (domain 0000)", once the options are read. */
void d0_note_short_bdf(const char *opt, const char *arg, bool short_bdf, unsigned int bdf);

#endif /* D0AUDIT_CLI_OPTS_H */
