/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics: every message says what failed and, where it helps, what to do. */
#ifndef D0AUDIT_LOG_H
#define D0AUDIT_LOG_H

__attribute__((format(printf, 1, 2))) void d0_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void d0_debug(const char *fmt, ...);

/* Route libbpf's own messages through d0_debug/d0_warn (-v shows them all). */
void d0_log_setup_libbpf(void);

#endif /* D0AUDIT_LOG_H */
