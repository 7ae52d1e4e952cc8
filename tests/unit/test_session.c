// SPDX-License-Identifier: GPL-2.0
/*
 * The command under audit/record: a crash or kill of its own is reported; our own SIGTERM is not.
 * The session's accounting at stop: produced = delivered + dropped (+ pending when pinned).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live/session.h"

/* A real waitpid status for a child that dies of sig (0: exits with code). */
static int status_of(int sig, int code)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (sig) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
		_exit(code);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void test_command_killed(void **state)
{
	struct d0_session_result res = { .ended_by = "command" };
	char why[96];

	(void)state;
	res.cmd_status = status_of(SIGKILL, 0);
	assert_int_equal(d0_session_cmd_killed(&res, why, sizeof(why)), 1);
	assert_string_equal(why, "killed by signal 9 (Killed)");
	res.cmd_status = status_of(0, 3);   /* a failing test suite: its own business */
	assert_int_equal(d0_session_cmd_killed(&res, why, sizeof(why)), 0);
	res.cmd_status = -1;                /* no command */
	assert_int_equal(d0_session_cmd_killed(&res, why, sizeof(why)), 0);
	res.cmd_status = status_of(SIGTERM, 0);
	res.ended_by = "duration";          /* we stopped first and sent the SIGTERM */
	assert_int_equal(d0_session_cmd_killed(&res, why, sizeof(why)), 0);
}

/* Loss no counter saw is caught at stop, for audit, record and the daemon alike. */
static void test_accounting(void **state)
{
	struct d0_session_result res = {};

	(void)state;
	res.counters = (struct d0_counters){ .produced = 100, .delivered = 96, .drops = { 4, 7 } };
	assert_true(d0_session_accounting(D0_STOP_DETACH, &res));   /* devmap_full drops have no sequence number */
	assert_false(res.unaccounted);
	res.counters.delivered = 93;                                 /* 3 events vanished */
	assert_false(d0_session_accounting(D0_STOP_DETACH, &res));
	assert_true(res.unaccounted);
	res.counters.delivered = 101;                                /* more delivered than produced */
	assert_false(d0_session_accounting(D0_STOP_DETACH, &res));
	assert_true(res.unaccounted);
	/* pinned: what was produced after the drain waits for the next start */
	res.counters.delivered = 90;
	assert_true(d0_session_accounting(D0_STOP_KEEP_PINNED, &res));
	assert_false(res.unaccounted);
	assert_int_equal(res.pending, 6);
	res.counters.delivered = 97;                                 /* 97 + 4 > 100: not a pending count */
	assert_false(d0_session_accounting(D0_STOP_KEEP_PINNED, &res));
	assert_true(res.unaccounted);
	assert_int_equal(res.pending, 0);
	/* detached, nothing may be pending */
	res.counters.delivered = 90;
	assert_false(d0_session_accounting(D0_STOP_DETACH, &res));
	assert_true(res.unaccounted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_killed),
		cmocka_unit_test(test_accounting),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
