/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI device opened through the legacy vfio group/container UAPI with the
 * type1v2 IOMMU: container, group and device fds, region layout.
 */
#ifndef VFIO_DEV_H
#define VFIO_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "pci_cfg.h"
#include "vfio_uapi_compat.h"	/* <linux/vfio.h> plus newer UAPI */

struct vfio_region {
	uint32_t index;
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;	/* file offset in the device fd */
};

struct vfio_dev {
	char bdf[16];
	int group_id;
	int container;
	int group;
	int device;
	uint32_t device_flags;	/* VFIO_DEVICE_FLAGS_* */
	struct vfio_region config;
	struct vfio_region bar0;
};

/* Actions: print their steps, exit on failure. */
void vdev_open(struct vfio_dev *d, const char *bdf);
/* The same for a device that may lack BAR0 (a modern virtio-net: BAR1, BAR4). */
void vdev_open_any(struct vfio_dev *d, const char *bdf);
void vdev_close(struct vfio_dev *d);
void vdev_region_info(const struct vfio_dev *d, uint32_t index,
		      const char *name, struct vfio_region *r);
/*
 * Export a DMABUF of [offset, offset+len) of a BAR region; returns its fd.
 * Exits EXIT_UNSUPPORTED when the kernel has no VFIO_DEVICE_FEATURE_DMA_BUF.
 */
int vdev_export_dmabuf(const struct vfio_dev *d, uint32_t region,
		       uint64_t offset, uint64_t len);

/* Close *fd as a step (nothing if it is < 0), then set it to -1. */
void close_fd(int *fd, const char *what);

/* Config region of the device fd, for the pci_cfg helpers. */
struct cfg_io vdev_cfg(const struct vfio_dev *d);

/*
 * VFIO_DEVICE_FEATURE with an optional payload (copied after the header).
 * Raw: returns the ioctl result, -1 with errno on failure.
 */
int vdev_feature(const struct vfio_dev *d, uint32_t flags,
		 const void *payload, size_t len);

#endif /* VFIO_DEV_H */
