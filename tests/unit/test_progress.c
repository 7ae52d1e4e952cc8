// SPDX-License-Identifier: GPL-2.0
/* The progress line (src/lib/progress.c) on a real terminal: a pseudo-terminal stands in for stderr. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/progress.h"

static int master, saved_stderr;

static int on_a_terminal(void **state)
{
	int slave;

	(void)state;
	if (openpty(&master, &slave, NULL, NULL, NULL))
		return -1;
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(slave, STDERR_FILENO);
	close(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	return 0;
}

static int back_to_stderr(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(master);
	return 0;
}

/* All the terminal got so far, as one string. */
static const char *screen(void)
{
	static char buf[8192];
	static size_t len;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(master, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	return buf;
}

static void test_short_steps_are_seen(void **state)
{
	(void)state;
	d0_progress_begin("reading kernel symbols and BTF");
	usleep(600 * 1000); /* past the 0.5 s before anything shows */
	d0_progress_step("loading BPF programs");
	d0_progress_step("attaching");
	d0_progress_count(0, 14); /* no tick in between: each is drawn at once */
	d0_progress_count(14, 14);
	d0_progress_end();
	assert_non_null(strstr(screen(), "\rd0audit: loading BPF programs ... 0s"));
	assert_non_null(strstr(screen(), "\rd0audit: attaching ... 0s"));
	assert_non_null(strstr(screen(), "\rd0audit: attaching 0/14 ... 0s"));
	/* erased at the end: the last bytes are spaces over the line, then \r */
	assert_int_equal(screen()[strlen(screen()) - 1], '\r');
}

static void test_nothing_before_half_a_second(void **state)
{
	size_t before = strlen(screen());

	(void)state;
	d0_progress_begin("reading a trace");
	d0_progress_step("building the timeline");
	d0_progress_count(0, 3);
	d0_progress_end();
	assert_int_equal(strlen(screen()), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_steps_are_seen),
		cmocka_unit_test(test_nothing_before_half_a_second),
	};

	return cmocka_run_group_tests(tests, on_a_terminal, back_to_stderr);
}
