/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structured records to journald over its native protocol (one datagram to
 * /run/systemd/journal/socket, fields in the length-prefixed binary form, so
 * any byte in a value is safe), without linking libsystemd: the static
 * binary has no libsystemd.a to link. See systemd's "Native Journal Protocol".
 */
#ifndef D0AUDIT_JOURNAL_H
#define D0AUDIT_JOURNAL_H

#include <stdbool.h>

#define D0_JOURNAL_SOCKET "/run/systemd/journal/socket"

struct d0_journal_field {
	const char *name;   /* upper case, digits and '_' */
	const char *value;
};

/* Is fd the stream systemd connected to the journal ($JOURNAL_STREAM, "DEV:INODE")? */
bool d0_journal_is_stream(int fd);
/* Send one record. 0, or -errno (then the caller writes the line another way). */
int d0_journal_send(const char *socket_path, const struct d0_journal_field *f, int n);

#endif
