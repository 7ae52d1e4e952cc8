/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio UAPI definitions newer than the build host's linux-libc-dev (6.1).
 *
 * Copied from the Linux uapi header include/uapi/linux/vfio.h
 * (VFIO_DEVICE_FEATURE_DMA_BUF, added in Linux 6.19). Each block is guarded
 * so a newer <linux/vfio.h> takes precedence.
 */
#ifndef VFIO_UAPI_COMPAT_H
#define VFIO_UAPI_COMPAT_H

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
/*
 * Upon VFIO_DEVICE_FEATURE_GET create a dma_buf fd for the regions selected.
 * open_flags are the typical flags passed to open(2); offset/length specify a
 * slice of the region; nr_ranges is the number of ranges; flags must be 0.
 * Return: the fd number on success, -1 and errno on failure.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF */

#endif /* VFIO_UAPI_COMPAT_H */
