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
/*
 * The watchdog interval systemd asks for (WatchdogSec=: $WATCHDOG_USEC, for this
 * process per $WATCHDOG_PID) in milliseconds; 0 when there is none. The caller
 * sends "WATCHDOG=1" from its main loop at half that interval.
 */
unsigned long long d0_sd_watchdog_ms(void);

#endif
