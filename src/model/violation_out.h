/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering a violation of the verdict (verdict.h) for the user: text, JSON, and the events behind it. */
#ifndef D0AUDIT_VIOLATION_OUT_H
#define D0AUDIT_VIOLATION_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "model/verdict.h"

void d0_violation_text(FILE *f, const struct d0_verdict *v, const struct d0_violation *viol);
json_t *d0_violation_json(const struct d0_verdict *v, const struct d0_violation *viol);
/*
 * A violation on a device judged mapped because of a VMA made before the
 * start: "mapped before the audit started: pid N comm X vma A-B" into buf;
 * false (buf untouched) otherwise.
 */
bool d0_violation_seed_reason(const struct d0_violation *viol, char *buf, size_t len);
/* "<kind> <phase> in <function> by pid N (comm)" */
void d0_event_describe(const struct d0_event *e, __u64 t0, char *buf, size_t len);

#endif /* D0AUDIT_VIOLATION_OUT_H */
