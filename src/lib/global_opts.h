/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the user asked to be spoken to (-j, -p, -v, -q) and which command runs: set once by
 * main.c from the command line, read by every printer (log, progress, the JSON printer).
 * It lives at the bottom layer so those printers need nothing from the command line's code.
 */
#ifndef D0AUDIT_GLOBAL_OPTS_H
#define D0AUDIT_GLOBAL_OPTS_H
#include <stdbool.h>

struct d0_global_opts {
	bool json;
	bool pretty;
	int verbose;
	bool quiet;              /* -q: no progress line, no info notes */
	const char *command;     /* the subcommand running, for JSON diagnostics */
};

extern struct d0_global_opts d0_opts;

#endif /* D0AUDIT_GLOBAL_OPTS_H */
