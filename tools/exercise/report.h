/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress and error reporting shared by every scenario.
 *
 * stdout (line buffered):
 *   step: <what>        printed BEFORE the action, so tests can correlate it
 *                       with kernel events
 *   step: refused as expected (EIO|SIGBUS)
 *   note: <fact>        an observation worth keeping (always printed)
 *   info: <detail>      register values, region layout (only with -v)
 *   ok: <scenario>
 * stderr:
 *   vfio-exercise: <scenario>: <step>: <error> (device <BDF>)
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdnoreturn.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_UNSUPPORTED = 3,	/* the kernel or device lacks the feature */
};

extern int verbose;

/* Names used in error messages from now on. */
void report_begin(const char *scenario, const char *bdf);

void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void refused_as_expected(const char *how);

/* Report the current step with strerror(errno), exit EXIT_FAIL. */
noreturn void fail(void);
/* Report the current step with strerror(err), exit EXIT_FAIL. */
noreturn void fail_errno(int err);
/* Report the current step with a message, exit EXIT_FAIL. */
noreturn void fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report the current step as not supported here, exit EXIT_UNSUPPORTED. */
noreturn void unsupported(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* REPORT_H */
