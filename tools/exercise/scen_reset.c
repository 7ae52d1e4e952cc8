// SPDX-License-Identifier: GPL-2.0
/* Function reset (VFIO_DEVICE_RESET) and bus/slot reset (PCI_HOT_RESET). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "vfio_dev.h"

void scen_reset(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	vdev_open(&d, a->bdf);
	if (!(d.device_flags & VFIO_DEVICE_FLAGS_RESET)) {
		step("check VFIO_DEVICE_FLAGS_RESET");
		unsupported("the device has no reset method (VFIO_DEVICE_FLAGS_RESET clear)");
	}
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	step("VFIO_DEVICE_RESET");
	if (ioctl(d.device, VFIO_DEVICE_RESET) < 0)
		fail();
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	vdev_close(&d);
}

static struct vfio_pci_hot_reset_info *hot_reset_info(const struct vfio_dev *d)
{
	struct vfio_pci_hot_reset_info probe = { .argsz = sizeof(probe) };
	struct vfio_pci_hot_reset_info *hi;
	size_t size;
	uint32_t i;

	step("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO (count)");
	if (ioctl(d->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &probe) < 0) {
		if (errno == ENODEV)
			unsupported("no slot or bus reset can reach this device "
				    "(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s)",
				    strerror(errno));
		if (errno != ENOSPC)
			fail();
	}

	size = sizeof(*hi) + probe.count * sizeof(hi->devices[0]);
	hi = calloc(1, size);
	if (!hi)
		fail();
	hi->argsz = size;
	step("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO (%u devices)", probe.count);
	if (ioctl(d->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi) < 0)
		fail();
	for (i = 0; i < hi->count; i++)
		note("hot reset affects %04x:%02x:%02x.%x (group %u)",
		     hi->devices[i].segment, hi->devices[i].bus,
		     hi->devices[i].devfn >> 3, hi->devices[i].devfn & 7,
		     hi->devices[i].group_id);
	return hi;
}

/*
 * One fd per distinct group of the affected devices: ours, or another group
 * opened here (it must be viable, i.e. fully bound to vfio-pci).
 * Returns the number of fds; owned[i] says whether fds[i] was opened here.
 */
static uint32_t collect_group_fds(const struct vfio_dev *d,
				  const struct vfio_pci_hot_reset_info *hi,
				  int32_t *fds, int32_t *ids, bool *owned)
{
	uint32_t i, j, n = 0;
	char path[64];

	for (i = 0; i < hi->count; i++) {
		int32_t id = (int32_t)hi->devices[i].group_id;

		for (j = 0; j < n && ids[j] != id; j++)
			;
		if (j < n)
			continue;
		ids[n] = id;
		owned[n] = id != d->group_id;
		if (owned[n]) {
			snprintf(path, sizeof(path), "/dev/vfio/%d", id);
			step("open %s (another group reset with the device)", path);
			fds[n] = open(path, O_RDWR | O_CLOEXEC);
			if (fds[n] < 0)
				fail();
		} else {
			fds[n] = d->group;
		}
		n++;
	}
	return n;
}

void scen_hot_reset(const struct scen_args *a)
{
	struct vfio_pci_hot_reset_info *hi;
	struct vfio_pci_hot_reset *hr;
	int32_t *fds, *ids;
	struct vfio_dev d;
	struct bar_map m;
	uint32_t n, i;
	bool *owned;
	size_t size;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	hi = hot_reset_info(&d);

	size = sizeof(*hr) + (hi->count + 1) * sizeof(hr->group_fds[0]);
	hr = calloc(1, size);
	ids = calloc(hi->count + 1, sizeof(*ids));
	owned = calloc(hi->count + 1, sizeof(*owned));
	if (!hr || !ids || !owned)
		fail();
	fds = hr->group_fds;
	n = collect_group_fds(&d, hi, fds, ids, owned);
	hr->argsz = sizeof(*hr) + n * sizeof(hr->group_fds[0]);
	hr->count = n;

	step("VFIO_DEVICE_PCI_HOT_RESET with %u group fd(s)", n);
	if (ioctl(d.device, VFIO_DEVICE_PCI_HOT_RESET, hr) < 0) {
		if (errno == ENODEV)
			unsupported("no slot or bus reset can reach this device "
				    "(VFIO_DEVICE_PCI_HOT_RESET: %s)", strerror(errno));
		/* vfio ran its whole hot-reset path; the bridge refused the bus reset itself
		 * (QEMU's emulated pcie-root-port does this) */
		if (errno == ENOTTY)
			unsupported("the bus reset itself is not supported by the bridge above this device "
				    "(VFIO_DEVICE_PCI_HOT_RESET: %s)", strerror(errno));
		fail();
	}
	bar_touch(&m, E1000_STATUS);

	for (i = 0; i < n; i++)
		if (owned[i])
			close_fd(&fds[i], "other group fd");
	free(owned);
	free(ids);
	free(hr);
	free(hi);
	bar_munmap(&m);
	vdev_close(&d);
}
