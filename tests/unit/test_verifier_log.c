// SPDX-License-Identifier: GPL-2.0
/* A refused program's cause, from real verifier logs (7.2-rt before the rwbase_rt read). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/verifier_log.h"

static char *slurp(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

/* libbpf's fixed-up log of fentry_vfio_set_power on 7.2.13+deb14-rt-amd64 with the non-RT rwsem read */
static void test_core_relocation_names_the_field(void **state)
{
	char *log = slurp("verifier-log-7.2-rt-memory-lock.txt"), cause[200];

	(void)state;
	assert_true(d0_verifier_log_cause(log, cause, sizeof(cause)));
	assert_string_equal(cause, "CO-RE: this kernel has no struct vfio_pci_core_device.memory_lock.count.counter");
	free(log);
}

/* a verifier complaint: its last line before the statistics, not an instruction dump */
static void test_verifier_message_is_the_last_line(void **state)
{
	static const char log[] = "0: R1=ctx() R10=fp0\n"
				  "; int BPF_PROG(x) @ d0audit.bpf.c:28\n"
				  "0: (79) r1 = *(u64 *)(r1 +0)\n"
				  "1: (61) r2 = *(u32 *)(r1 +8)\n"
				  "R1 invalid mem access 'scalar'\n"
				  "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"
				  "-- END PROG LOAD LOG --\n";
	char cause[200];

	(void)state;
	assert_true(d0_verifier_log_cause(log, cause, sizeof(cause)));
	assert_string_equal(cause, "verifier: R1 invalid mem access 'scalar'");
}

static void test_nothing_to_say(void **state)
{
	char cause[200] = "x";

	(void)state;
	assert_false(d0_verifier_log_cause("0: R1=ctx() R10=fp0\nprocessed 0 insns\n", cause, sizeof(cause)));
	assert_string_equal(cause, "");
	assert_false(d0_verifier_log_cause(NULL, cause, sizeof(cause)));
	assert_false(d0_verifier_log_cause("", cause, sizeof(cause)));
}

/* a long cause is cut to the buffer, never overrun */
static void test_truncates(void **state)
{
	char cause[24];

	(void)state;
	assert_true(d0_verifier_log_cause("failed to resolve CO-RE relocation <byte_off> [1] struct a_very_long_name.field (0:1 @ offset 8)\n",
					  cause, sizeof(cause)));
	assert_int_equal(strlen(cause), sizeof(cause) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_relocation_names_the_field),
		cmocka_unit_test(test_verifier_message_is_the_last_line),
		cmocka_unit_test(test_nothing_to_say),
		cmocka_unit_test(test_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
