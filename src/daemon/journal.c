// SPDX-License-Identifier: GPL-2.0
#include "daemon/journal.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

bool d0_journal_is_stream(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

int d0_journal_send(const char *socket_path, const struct d0_journal_field *f, int n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = 0, off = 0;
	char *buf;
	int fd, err = 0;

	for (int i = 0; i < n; i++)
		len += strlen(f[i].name) + 1 + 8 + strlen(f[i].value) + 1;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	/* NAME \n le64(size) VALUE \n: binary-safe, a newline in comm cannot start a forged field */
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(f[i].name), vl = strlen(f[i].value);
		uint64_t le = htole64(vl);

		memcpy(buf + off, f[i].name, nl);
		buf[off + nl] = '\n';
		memcpy(buf + off + nl + 1, &le, 8);
		memcpy(buf + off + nl + 9, f[i].value, vl);
		buf[off + nl + 9 + vl] = '\n';
		off += nl + vl + 10;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	else if (sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len)
		err = errno ? -errno : -EMSGSIZE;
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}
