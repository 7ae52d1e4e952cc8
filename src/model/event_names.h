/* SPDX-License-Identifier: GPL-2.0 */
/* Names for event fields, shared by the trace writer, reader and reports. */
#ifndef D0AUDIT_EVENT_NAMES_H
#define D0AUDIT_EVENT_NAMES_H

#include <stdbool.h>
#include <linux/types.h>
#include "d0audit/event.h"

const char *d0_kind_name(unsigned int kind);      /* "zap"; NULL if out of range */
int d0_kind_from_name(const char *name);          /* -1 if unknown */
const char *d0_phase_name(unsigned int phase);    /* "entry", "exit", "point" */
const char *d0_power_name(int power);             /* "D0", "D3hot", ... */
const char *d0_rpm_name(unsigned int status);     /* "active", "suspended", ... */
const char *d0_mode_name(__u32 mode);             /* D0_MODE_*: "kernel", "strict" */
int d0_mode_from_name(const char *name, __u32 *mode); /* 0, or -1 if neither */

/* Reverse lookups for reading traces; -1 / D0_PWR_UNKNOWN+1 on unknown names. */
int d0_phase_from_name(const char *name);
int d0_power_from_name(const char *name, int *power);   /* 0 ok, -1 unknown */
int d0_rpm_from_name(const char *name);
/* Bits from an array of names; -1 if a name is unknown (its index in *bad). */
long long d0_bits_from_names(const char *const names[], const char *const *list, int n, int *bad);
/* "0000:00:03.0" -> bdf; "-" -> unknown; -1 on malformed. */
int d0_bdf_parse(const char *s, __u32 *bdf);
/*
 * A device on the command line: DDDD:BB:DD.F, or lspci's short form BB:DD.F, taken
 * as domain 0000 (*short_form then true, so the caller can say so). 0 or -1.
 */
int d0_bdf_parse_arg(const char *s, __u32 *bdf, bool *short_form);

/* Bit names, in bit order; NULL-terminated. */
extern const char *const d0_ctx_names[];
extern const char *const d0_state_names[];
/* D0_DROP_*: "ringbuf_full", "devmap_full", ... (trace footer, metrics, daemon records) */
const char *d0_drop_cause_name(unsigned int cause);
/* What a drop of this cause lost, and what to do about it (one sentence). */
const char *d0_drop_cause_meaning(unsigned int cause);

/* "0000:00:03.0"; "-" for an unknown device. buf >= 16 bytes. */
void d0_bdf_format(__u32 bdf, char *buf, unsigned long len);

#endif /* D0AUDIT_EVENT_NAMES_H */
