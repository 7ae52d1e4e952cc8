// SPDX-License-Identifier: GPL-2.0
/* d0audit -j daemon --check-config: the configuration in force, by section and key. */
#include "cli/cli.h"
#include "daemon/daemon_config.h"
#include "daemon/config_json.h"
#include "model/verdict.h"

#include <jansson.h>

static json_t *patterns(const char (*p)[64], int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(p[i]));
	return a;
}

json_t *d0_config_json(const struct d0_daemon_config *c)
{
	return json_pack("{s:s, s:b, s:{s:s, s:I, s:o, s:o, s:s}, s:{s:s, s:b, s:I, s:I}, s:{s:s, s:s, s:b, s:I, s:I}, s:{s:s}}",
		"type", "config", "valid", 1,
		"audit", "mode", d0_mode_name(c->mode), "ringbuf_size", (json_int_t)c->ringbuf_bytes,
		"devices_allow", patterns(c->allow, c->nallow), "devices_deny", patterns(c->deny, c->ndeny), "pin", c->pin_dir,
		"output", "file", c->output_file, "stdout", c->output_stdout, "violation_rate", (json_int_t)c->rate_per_min,
		"violation_burst", (json_int_t)c->rate_burst,
		"metrics", "textfile", c->metrics_textfile, "listen", c->metrics_listen, "listen_any", c->metrics_listen_any,
		"interval_ms", (json_int_t)c->metrics_interval_ms, "device_cap", (json_int_t)c->metrics_device_cap,
		"privileges", "user", c->user);
}
