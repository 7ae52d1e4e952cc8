// SPDX-License-Identifier: GPL-2.0
/* A full disk while writing a trace: reported with the path and the reason, never silent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_writer.h"

/* name must end in .gz to take the gzip path, so link the name to /dev/full */
static void full_disk(const char *name)
{
	char dir[] = "/tmp/d0audit-full-XXXXXX", path[256];
	struct d0_trace_writer *w;
	struct d0_event e = { .kind = D0_EV_ZAP, .comm = "test" };
	int first = 0, err;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink("/dev/full", path), 0);
	w = d0_trace_open(path);
	assert_non_null(w);
	for (int i = 0; i < 2000 && !first; i++) {
		e.seq = i;
		first = d0_trace_event(w, &e);
	}
	err = d0_trace_close(w);
	/* the first failed write, or the final flush at close, says why */
	assert_int_equal(first ? first : err, -ENOSPC);
	assert_int_not_equal(err, 0);
	unlink(path);
	rmdir(dir);
}

static void test_full_disk_plain(void **state)
{
	(void)state;
	full_disk("trace.ndjson");
}

static void test_full_disk_gzip(void **state)
{
	(void)state;
	full_disk("trace.ndjson.gz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_disk_plain),
		cmocka_unit_test(test_full_disk_gzip),
	};

	return cmocka_run_group_tests_name("trace_writer", tests, NULL, NULL);
}
