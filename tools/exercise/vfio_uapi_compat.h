/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio UAPI definitions newer than the build host's linux-libc-dev (6.1).
 *
 * Copied from the Linux uapi header include/uapi/linux/vfio.h
 * (VFIO_DEVICE_FEATURE_DMA_BUF, added in Linux 6.19), and the DMABUF-mmap
 * series' features (below). Each block is guarded so a newer <linux/vfio.h>
 * takes precedence.
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

/*
 * The DMABUF-mmap series ("[PATCH v4 00/10] vfio/pci: Add mmap() for
 * DMABUFs", not in any released kernel). The numbers are those of the
 * series' patched include/uapi/linux/vfio.h as rebased on Debian 7.2.13
 * (../shared/kernel/series-v4/rebased-7.2.13, patches 09 and 10). Linux 7.3
 * already uses 13 for VFIO_DEVICE_FEATURE_ZPCI_ERROR: a rebase on 7.3 must
 * renumber, and then these must follow that patched header (which, when
 * installed, takes precedence through the guards).
 */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE
#define VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE 13

struct vfio_device_feature_dma_buf_revoke {
	__s32 dmabuf_fd;
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE */

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR 14

enum vfio_device_dma_buf_memattr {
	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC = 0, /* pgprot_noncached */
	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC = 1, /* pgprot_writecombine */
};

struct vfio_device_feature_dma_buf_memattr {
	__s32 dmabuf_fd;
	__u32 memattr;
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR */

#endif /* VFIO_UAPI_COMPAT_H */
