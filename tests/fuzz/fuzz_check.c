// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole `d0audit check` command on a fuzzed trace,
 * in every output format and mode (chosen by the first byte), so the
 * header's hook list, the verdict, the summary and the four writers
 * (text, JSON, JUnit XML, TAP) all see hostile input. stdout goes to
 * /dev/null. The exit code must be 0, 1 or 3: the trace is there, so
 * never a usage error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "text", "json", "junit", "tap" };
	char path[64];
	int fd, code;
	uint8_t sel;

	if (!size)
		return 0;
	sel = data[0];
	data++;
	size--;
	fd = memfd_create("trace", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	{
		char *argv[] = { "check", "--format", (char *)formats[sel & 3], "--mode",
				 sel & 4 ? "kernel" : "strict", "--require", "zap::1", "--allow",
				 sel & 8 ? "BYPASS:0000:00:03.0" : "7", path, NULL };

		code = cmd_check(sizeof(argv) / sizeof(argv[0]) - 1, argv);
	}
	close(fd);
	fflush(stdout);
	if (code != D0_EXIT_OK && code != D0_EXIT_VIOLATIONS && code != D0_EXIT_CANNOT)
		abort();
	return 0;
}
