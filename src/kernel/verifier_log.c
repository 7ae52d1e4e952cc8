// SPDX-License-Identifier: GPL-2.0
#include "kernel/verifier_log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* libbpf's rewrite of a poisoned instruction (fixup_verifier_log). */
#define CORE_FAILED "failed to resolve CO-RE relocation "

/* "<byte_off> [87] struct vfio_pci_core_device.memory_lock.count.counter (0:4:0:0 @ offset 48)" */
static bool core_cause(const char *line, size_t len, char *out, size_t n)
{
	const char *end = line + len, *what = memchr(line, ']', len), *spec;

	if (!what || what + 2 >= end)
		return false;
	what += 2;
	spec = strstr(what, " (");
	if (!spec || spec > end)
		spec = end;
	snprintf(out, n, "CO-RE: this kernel has no %.*s", (int)(spec - what), what);
	return true;
}

/* Instruction dumps ("12: (b7) r2 = 1"), source lines ("; ..."), and the statistics say nothing. */
static bool is_noise(const char *line, size_t len)
{
	size_t i = 0;

	if (!len || line[0] == ';' || line[0] == '-')
		return true;
	while (i < len && isdigit((unsigned char)line[i]))
		i++;
	if (i && i < len && line[i] == ':')
		return true;
	return !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
	       !strncmp(line, "stack depth", 11) || !strncmp(line, "<invalid", 8) ||
	       !strncmp(line, "Func#", 5) || !strncmp(line, "func#", 5);
}

bool d0_verifier_log_cause(const char *log, char *out, size_t n)
{
	const char *last = NULL, *p = log;
	size_t last_len = 0;

	out[0] = 0;
	if (!log)
		return false;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, CORE_FAILED, strlen(CORE_FAILED)))
			return core_cause(p + strlen(CORE_FAILED), len - strlen(CORE_FAILED), out, n);
		if (!is_noise(p, len)) {
			last = p;
			last_len = len;
		}
		p += len + (nl != NULL);
	}
	if (!last)
		return false;
	snprintf(out, n, "verifier: %.*s", (int)last_len, last);
	return true;
}
