/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One escaping policy for every output (text, JSON, JUnit, TAP, SVG, Perfetto,
 * the daemon's log). Strings that come from outside d0audit (a task's comm,
 * which any process sets with prctl(PR_SET_NAME), file paths, a trace's header
 * strings) are first made visible: printable ASCII and well-formed UTF-8 pass;
 * a control byte (C0, DEL, C1), a byte of invalid UTF-8 (overlong, surrogate,
 * beyond U+10FFFF, truncated) and the non-characters U+FFFE/U+FFFF become
 * \xNN, and so are the invisible and bidi format characters; a backslash becomes \\ so the rendering is unambiguous. The result is
 * valid UTF-8 with no control character: no terminal escape, no newline that
 * forges a TAP line, nothing XML or JSON refuses. Each sink then applies only
 * its own syntax (XML entities, JSON quoting).
 */
#ifndef D0AUDIT_ESCAPE_H
#define D0AUDIT_ESCAPE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "d0audit/event.h"

/* Room for the visible form of n input bytes (each at most \xNN) and the NUL. */
#define D0_ESC_SIZE(n) (4 * (n) + 1)

/*
 * Writes the visible form of s (stops at a NUL or after max bytes) into out,
 * always NUL-terminated; returns its length. A sequence that does not fit
 * whole is left out, so the output stays valid UTF-8.
 */
size_t d0_escape(char *out, size_t outlen, const char *s, size_t max);

/* A task's comm (D0_COMM_LEN bytes, not always NUL-terminated), made visible. */
struct d0_comm_text { char s[D0_ESC_SIZE(D0_COMM_LEN)]; };
const char *d0_comm_text(struct d0_comm_text *buf, const char comm[D0_COMM_LEN]);

/* The visible form written to f; the result of d0_escape() escaped for XML text and attributes. */
void d0_escape_fputs(FILE *f, const char *s);
void d0_xml_escape(FILE *f, const char *s);
void d0_xml_escape_n(FILE *f, const char *s, size_t max);
/* XML entities only, for a string that is visible already (d0_event_describe's text). */
void d0_xml_text(FILE *f, const char *visible);

/* A JSON string of the visible form (never NULL for lack of valid UTF-8). */
json_t *d0_json_visible(const char *s);

#endif
