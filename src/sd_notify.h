/* SPDX-License-Identifier: GPL-2.0 */
/*
 * systemd's readiness protocol (Type=notify): one datagram to the unix
 * socket named by $NOTIFY_SOCKET. Written here in a few lines rather than
 * linking libsystemd, which Debian ships without a static archive (the
 * guests run the static binary).
 */
#ifndef D0AUDIT_SD_NOTIFY_H
#define D0AUDIT_SD_NOTIFY_H

/* "READY=1\nSTATUS=..." ; a no-op (0) when not started by systemd. -errno on failure. */
int d0_sd_notify(const char *state);

#endif
