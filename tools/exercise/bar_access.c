// SPDX-License-Identifier: GPL-2.0
#include "bar_access.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report.h"

static sigjmp_buf sigbus_env;
static volatile sig_atomic_t sigbus_armed;

static void on_sigbus(int sig)
{
	if (!sigbus_armed) {
		/* A SIGBUS outside a guarded load is a real crash. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	sigbus_armed = 0;
	siglongjmp(sigbus_env, 1);
}

void bar_access_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		fail();
}

int bar_load32(const struct bar_map *m, uint32_t off, uint32_t *val)
{
	const volatile uint32_t *p = (const volatile uint32_t *)(m->base + off);

	if (sigsetjmp(sigbus_env, 1))
		return -1;
	sigbus_armed = 1;
	*val = *p;
	sigbus_armed = 0;
	return 0;
}

void bar_mmap_fd(int fd, size_t size, const char *name, struct bar_map *m)
{
	void *p;

	step("mmap %s (0x%zx bytes)", name, size);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		fail();
	m->base = p;
	m->size = size;
	m->name = name;
}

void bar_mmap_vfio(const struct vfio_dev *d, struct bar_map *m)
{
	void *p;

	if (!(d->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		step("mmap BAR0");
		fail_msg("BAR0 region is not mmap-capable (flags 0x%x)", d->bar0.flags);
	}
	step("mmap BAR0 (offset 0x%llx, 0x%llx bytes) of the device fd",
	     (unsigned long long)d->bar0.offset, (unsigned long long)d->bar0.size);
	p = mmap(NULL, d->bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 d->device, (off_t)d->bar0.offset);
	if (p == MAP_FAILED)
		fail();
	m->base = p;
	m->size = d->bar0.size;
	m->name = "BAR0";
}

void bar_munmap(struct bar_map *m)
{
	step("munmap %s", m->name);
	if (munmap((void *)m->base, m->size) < 0)
		fail();
	m->base = NULL;
}

uint32_t bar_touch(const struct bar_map *m, uint32_t off)
{
	uint32_t val;

	step("touch mmapped %s+0x%x (32-bit load)", m->name, off);
	if (bar_load32(m, off, &val) < 0)
		fail_msg("SIGBUS");
	note("mmapped %s+0x%x = 0x%08x", m->name, off, val);
	return val;
}

void bar_touch_expect_sigbus(const struct bar_map *m, uint32_t off)
{
	uint32_t val;

	step("touch mmapped %s+0x%x (32-bit load), expect SIGBUS", m->name, off);
	if (bar_load32(m, off, &val) == 0)
		fail_msg("kernel did not refuse: load returned 0x%08x", val);
	refused_as_expected("SIGBUS");
}

/* Returns the pread result; errors are left in errno. */
static ssize_t pread32(const struct vfio_dev *d, uint32_t off, uint32_t *val)
{
	return pread(d->device, val, sizeof(*val), (off_t)(d->bar0.offset + off));
}

uint32_t bar_pread(const struct vfio_dev *d, uint32_t off)
{
	uint32_t val;
	ssize_t n;

	step("pread BAR0+0x%x (4 bytes) via the device fd", off);
	n = pread32(d, off, &val);
	if (n < 0)
		fail();
	if (n != sizeof(val))
		fail_msg("short read (%zd bytes)", n);
	note("BAR0+0x%x = 0x%08x", off, val);
	return val;
}

void bar_pread_expect_eio(const struct vfio_dev *d, uint32_t off)
{
	uint32_t val;
	ssize_t n;

	step("pread BAR0+0x%x (4 bytes) via the device fd, expect EIO", off);
	n = pread32(d, off, &val);
	if (n >= 0)
		fail_msg("kernel did not refuse: read %zd bytes, 0x%08x", n, val);
	if (errno != EIO)
		fail_msg("refused with %s, expected EIO", strerror(errno));
	refused_as_expected("EIO");
}
