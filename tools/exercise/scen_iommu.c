// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14, class 4: IOMMU entries that point at a BAR. VFIO_IOMMU_MAP_DMA
 * of a vaddr inside the device's own BAR0 mmap (peer DMA, what the kernel
 * selftest vfio_dma_mapping_mmio_test does) puts BAR0's PFNs into the type1
 * IOMMU. vfio's zap before D3hot removes the user PTEs, not these entries.
 *
 * - iommu-bar-low-power [--mapped]: map BAR0 for DMA, then LOW_POWER_ENTRY.
 *   Correct: VFIO_IOMMU_UNMAP_DMA first. --mapped: the IOMMU entry is still
 *   live when the device goes to D3hot (and while it stays there).
 * - iommu-bar-teardown: map BAR0 for DMA, close device, group and container
 *   without unmapping (the container teardown removes the entry), then open
 *   the device again and enter low power: correct.
 * - iommu-bar-map-low-power: BAR0 mapped and touched, low power, then
 *   VFIO_IOMMU_MAP_DMA of it. Correct: the zap removed the PTE, resolving it
 *   faults, vfio refuses (SIGBUS) and type1 fails the map with EFAULT: no
 *   entry. A kernel that forgot the zap hands type1 the stale PTE: an IOMMU
 *   entry on a BAR of a device in D3hot (the kernel mutant
 *   iommu-map-lowpower-zap-dropped).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"
#include "vfio_dev.h"

/* An IOVA above 4 GiB: clear of the VT-d interrupt window and of low reserved ranges. */
#define BAR_DMA_IOVA (1ULL << 32)

/*
 * VFIO_IOMMU_MAP_DMA of the first len bytes of the mapping at BAR_DMA_IOVA (flags:
 * VFIO_DMA_MAP_FLAG_*): the ioctl's result, errno set.
 */
static int try_iommu_map_bar(const struct vfio_dev *d, const struct bar_map *m, size_t len, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)m->base,
		.iova = BAR_DMA_IOVA,
		.size = len,
	};

	step("VFIO_IOMMU_MAP_DMA %s mmap (0x%zx bytes) at iova 0x%llx%s", m->name, len,
	     (unsigned long long)map.iova, flags & VFIO_DMA_MAP_FLAG_WRITE ? "" : ", read-only");
	return ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map);
}

static void iommu_map_bar(const struct vfio_dev *d, const struct bar_map *m)
{
	if (try_iommu_map_bar(d, m, m->size, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) < 0)
		fail();
}

static void iommu_unmap_bar(const struct vfio_dev *d, const struct bar_map *m)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = BAR_DMA_IOVA,
		.size = m->size,
	};

	step("VFIO_IOMMU_UNMAP_DMA iova 0x%llx (0x%zx bytes)", (unsigned long long)unmap.iova, m->size);
	if (ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		fail();
	if (unmap.size != m->size)
		fail_msg("VFIO_IOMMU_UNMAP_DMA unmapped 0x%llx bytes, not 0x%zx", (unsigned long long)unmap.size,
			 m->size);
}

/* The device open, BAR0 mapped and touched (a PTE exists). */
static void open_touched(struct vfio_dev *d, struct bar_map *m, const char *bdf)
{
	vdev_open(d, bdf);
	bar_mmap_vfio(d, m);
	bar_touch(m, E1000_STATUS);
}

/* ... and BAR0 mapped into the IOMMU. */
static void open_and_map(struct vfio_dev *d, struct bar_map *m, const char *bdf)
{
	open_touched(d, m, bdf);
	iommu_map_bar(d, m);
}

static void enter_low_power(const struct vfio_dev *d, const char *bdf)
{
	low_power_entry(d, -1);
	wait_runtime_suspended(bdf);
}

/* Low power and back; the zap makes the CPU path SIGBUS meanwhile. */
static void low_power_round(const struct vfio_dev *d, const struct bar_map *m, const char *bdf)
{
	enter_low_power(d, bdf);
	bar_touch_expect_sigbus(m, E1000_STATUS);
	low_power_exit(d);
	bar_touch(m, E1000_STATUS);
}

void scen_iommu_bar_low_power(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	open_and_map(&d, &m, a->bdf);
	if (!a->mapped)
		iommu_unmap_bar(&d, &m);
	low_power_round(&d, &m, a->bdf);
	if (a->mapped)
		iommu_unmap_bar(&d, &m);
	bar_munmap(&m);
	vdev_close(&d);
}

void scen_iommu_bar_teardown(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	open_and_map(&d, &m, a->bdf);
	/* no runtime suspend between the device's close and the container's (the entry is live then) */
	sysfs_set_power_control(a->bdf, "on");
	bar_munmap(&m);
	vdev_close(&d);
	sysfs_set_power_control(a->bdf, "auto");
	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	low_power_round(&d, &m, a->bdf);
	bar_munmap(&m);
	vdev_close(&d);
}

void scen_iommu_bar_map_low_power(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	open_touched(&d, &m, a->bdf);
	enter_low_power(&d, a->bdf);
	/*
	 * The one page the touch faulted in (the others would fault and fail anyway), read-only:
	 * for a writable map type1 takes only a writable PTE, and the touch was a read.
	 */
	if (try_iommu_map_bar(&d, &m, (size_t)sysconf(_SC_PAGESIZE), VFIO_DMA_MAP_FLAG_READ) == 0)
		fail_msg("type1 mapped BAR0 of a device in low power: its PTE was not zapped");
	if (errno != EFAULT)
		fail();
	refused_as_expected("EFAULT");
	low_power_exit(&d);
	bar_munmap(&m);
	vdev_close(&d);
}
