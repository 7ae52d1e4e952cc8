/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU access to a BAR: through an mmap (vfio device fd or sysfs resourceN),
 * with SIGBUS caught, and through pread of the vfio device fd.
 */
#ifndef BAR_ACCESS_H
#define BAR_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "vfio_dev.h"

/* e1000e (82574L) STATUS register, read-only, always readable in D0. */
#define E1000_STATUS 0x8

struct bar_map {
	volatile uint8_t *base;
	size_t size;
	const char *name;	/* "BAR0", "sysfs resource0" */
};

/* Install the SIGBUS handler used by the guarded loads; once per process. */
void bar_access_init(void);

/* Raw guarded 32-bit load: 0 on success, -1 if it raised SIGBUS. */
int bar_load32(const struct bar_map *m, uint32_t off, uint32_t *val);

/* Actions: print their step, exit on failure. */
void bar_mmap_vfio(const struct vfio_dev *d, struct bar_map *m);
void bar_mmap_fd(int fd, size_t size, const char *name, struct bar_map *m);
void bar_munmap(struct bar_map *m);
uint32_t bar_touch(const struct bar_map *m, uint32_t off);
void bar_touch_expect_sigbus(const struct bar_map *m, uint32_t off);
uint32_t bar_pread(const struct vfio_dev *d, uint32_t off);
void bar_pread_expect_eio(const struct vfio_dev *d, uint32_t off);

#endif /* BAR_ACCESS_H */
