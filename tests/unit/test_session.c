// SPDX-License-Identifier: GPL-2.0
/* The command under audit/record: a crash or kill of its own is reported; our own SIGTERM is not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_killed),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
