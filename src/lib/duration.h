/* SPDX-License-Identifier: GPL-2.0 */
#ifndef D0AUDIT_DURATION_H
#define D0AUDIT_DURATION_H

/* "90", "90s", "250ms", "2m", "1h" -> milliseconds. -EINVAL on anything else. */
int d0_parse_duration(const char *s, unsigned long long *ms);
/* Sizes: "4096", "64k", "4M" -> bytes. -EINVAL on anything else. */
int d0_parse_size(const char *s, unsigned long long *bytes);
/* A ring buffer size: a size that is a power of two from 4k to 1G. -EINVAL otherwise. */
int d0_parse_ringbuf_size(const char *s, unsigned long long *bytes);

#endif
