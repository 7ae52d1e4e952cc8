/* SPDX-License-Identifier: GPL-2.0 */
#ifndef D0AUDIT_CONFIG_JSON_H
#define D0AUDIT_CONFIG_JSON_H

#include "daemon/daemon_config.h"

#include <jansson.h>

/* {"type":"config","valid":true,"audit":{...},"output":{...},"metrics":{...},"privileges":{...}} */
json_t *d0_config_json(const struct d0_daemon_config *c);

#endif
