// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the daemon's INI config parser and validator, as a
 * SIGHUP would run them on whatever an operator wrote. Properties: never
 * crash; a rejected config always says why, naming the file; an accepted
 * one keeps every string terminated and every count in range, and parsing
 * the same text again gives the same config (no state outside it).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct d0_daemon_config a, b;
	char err[D0_CONF_ERR_LEN];
	char *text = malloc(size + 1);
	int ra, rb;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0; /* a file is read up to a NUL anyway */
	d0_config_defaults(&a);
	err[0] = 0;
	ra = d0_config_parse_buffer(&a, text, "fuzz.conf", err, sizeof(err));
	if (ra) {
		assert(strstr(err, "fuzz.conf"));
	} else {
		assert(a.nallow >= 0 && a.nallow <= D0_CONF_PATTERNS);
		assert(a.ndeny >= 0 && a.ndeny <= D0_CONF_PATTERNS);
		assert(memchr(a.output_file, 0, sizeof(a.output_file)));
		assert(memchr(a.metrics_listen, 0, sizeof(a.metrics_listen)));
		assert(memchr(a.user, 0, sizeof(a.user)));
		if (d0_config_validate(&a, err, sizeof(err)))
			assert(err[0]);
	}
	d0_config_defaults(&b);
	rb = d0_config_parse_buffer(&b, text, "fuzz.conf", err, sizeof(err));
	assert(ra == rb);
	if (!ra)
		assert(!memcmp(&a, &b, sizeof(a)));
	free(text);
	return 0;
}
