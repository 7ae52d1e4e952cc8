/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON printer of the commands (bpftool style): -j output on stdout,
 * indented with -p, keys in insertion order. Each call takes the reference.
 */
#ifndef D0AUDIT_JSON_OUT_H
#define D0AUDIT_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/* o and a newline on stdout, pretty with -p: 0, or -1 (o NULL or the write failed). */
int d0_json_print(json_t *o);
/* o as one line on f whatever -p says (diagnostics, JSON lines); nothing if o is NULL. */
int d0_json_line(FILE *f, json_t *o);

#endif /* D0AUDIT_JSON_OUT_H */
