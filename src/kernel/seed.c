// SPDX-License-Identifier: GPL-2.0
#include "kernel/seed.h"
#include "d0audit.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ULL + t.tv_nsec / 1000000;
}

int d0_seed_run(struct d0audit_bpf *skel, struct d0_seed_result *res, char *why, size_t len)
{
	unsigned long long t0 = now_ms();
	struct bpf_link *link;
	char buf[256];
	int fd, err = 0;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	/* a test stands in for a kernel without the iterator: the verdict must then say incomplete */
	if (getenv("D0AUDIT_NO_SEED")) {
		snprintf(why, len, "not run: D0AUDIT_NO_SEED is set");
		return -ECANCELED;
	}
	/* .bss is shared with what runs and mmapped: set single fields, never the whole value */
	skel->bss->d0_seed_vmas = 0;
	skel->bss->d0_seed_marked = 0;
	skel->bss->d0_seed_ended = 0;
	link = bpf_program__attach_iter(skel->progs.seed_vfio_vmas, NULL);
	if (!link) {
		err = -errno;
		snprintf(why, len, "cannot attach the task_vma iterator: %s", strerror(-err));
		return err;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "cannot create the task_vma iterator: %s", strerror(-err));
	}
	/* the program writes nothing: read() runs it over every VMA and returns 0 at the end */
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			snprintf(why, len, "the task_vma walk failed: %s", strerror(-err));
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	res->ms = now_ms() - t0;
	if (!err && !skel->bss->d0_seed_ended) {
		snprintf(why, len, "the walk ended without reaching its end (vfio's BTF not loaded into the program?)");
		err = -EAGAIN;
	}
	res->vmas = skel->bss->d0_seed_vmas;
	res->marked = skel->bss->d0_seed_marked;
	return err;
}
