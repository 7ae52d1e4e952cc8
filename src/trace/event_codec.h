/* SPDX-License-Identifier: GPL-2.0 */
/* The event's JSON form in traces: one codec, writer and readers (event_codec.c). */
#ifndef D0AUDIT_EVENT_CODEC_H
#define D0AUDIT_EVENT_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "d0audit/event.h"

/* Formats an event as one JSON object into buf; returns its length. */
int d0_event_to_json(const struct d0_event *e, char *buf, unsigned long len);

/* Parse one event object (any key order, every error worded). 0, or -1 with why[] filled. */
int d0_event_from_json(json_t *o, struct d0_event *e, char *why, unsigned long whylen);
/*
 * The fast path for an event line exactly as d0_event_to_json makes it: true
 * with *e filled, the same event jansson + d0_event_from_json give; false for
 * anything else, which then takes that path.
 */
bool d0_event_from_line(const char *line, size_t len, struct d0_event *e);
/* A non-negative integer field of a trace record (a gap's too): 0, or -1 with why[] naming key and problem. */
int d0_json_get_u64(json_t *o, const char *key, __u64 *out, char *why, unsigned long whylen);

#endif /* D0AUDIT_EVENT_CODEC_H */
