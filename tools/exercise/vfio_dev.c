// SPDX-License-Identifier: GPL-2.0
#include "vfio_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report.h"
#include "sysfs.h"

static void open_container(struct vfio_dev *d)
{
	int ret;

	step("open /dev/vfio/vfio");
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		fail();

	step("VFIO_GET_API_VERSION");
	ret = ioctl(d->container, VFIO_GET_API_VERSION);
	if (ret < 0)
		fail();
	if (ret != VFIO_API_VERSION)
		fail_msg("API version %d, expected %d", ret, VFIO_API_VERSION);

	step("VFIO_CHECK_EXTENSION VFIO_TYPE1v2_IOMMU");
	ret = ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (ret < 0)
		fail();
	if (ret == 0)
		fail_msg("the container does not support the type1v2 IOMMU");
}

static void open_group(struct vfio_dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group_id);
	step("open %s", path);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		fail();

	step("VFIO_GROUP_GET_STATUS group %d", d->group_id);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) < 0)
		fail();
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		fail_msg("group %d is not viable (every device in it must be bound to vfio-pci)",
			 d->group_id);

	step("VFIO_GROUP_SET_CONTAINER group %d", d->group_id);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container) < 0)
		fail();

	step("VFIO_SET_IOMMU VFIO_TYPE1v2_IOMMU");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		fail();
}

static void open_device(struct vfio_dev *d)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };

	step("VFIO_GROUP_GET_DEVICE_FD %s", d->bdf);
	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->device < 0)
		fail();

	step("VFIO_DEVICE_GET_INFO");
	if (ioctl(d->device, VFIO_DEVICE_GET_INFO, &dinfo) < 0)
		fail();
	if (!(dinfo.flags & VFIO_DEVICE_FLAGS_PCI))
		fail_msg("not a vfio-pci device (flags 0x%x)", dinfo.flags);
	if (dinfo.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		fail_msg("only %u regions", dinfo.num_regions);
	d->device_flags = dinfo.flags;
	info("device flags 0x%x, %u regions, %u irqs", dinfo.flags,
	     dinfo.num_regions, dinfo.num_irqs);
}

void vdev_region_info(const struct vfio_dev *d, uint32_t index,
		      const char *name, struct vfio_region *r)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	step("VFIO_DEVICE_GET_REGION_INFO %s", name);
	if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		fail();
	r->index = index;
	r->flags = ri.flags;
	r->size = ri.size;
	r->offset = ri.offset;
	info("%s: offset 0x%llx size 0x%llx flags 0x%x", name,
	     (unsigned long long)ri.offset, (unsigned long long)ri.size, ri.flags);
}

void vdev_open(struct vfio_dev *d, const char *bdf)
{
	vdev_open_any(d, bdf);
	if (!d->bar0.size)
		fail_msg("BAR0 is not implemented");
}

void vdev_open_any(struct vfio_dev *d, const char *bdf)
{
	memset(d, 0, sizeof(*d));
	d->container = d->group = d->device = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->group_id = sysfs_iommu_group(bdf);

	open_container(d);
	open_group(d);
	open_device(d);
	vdev_region_info(d, VFIO_PCI_CONFIG_REGION_INDEX, "config", &d->config);
	vdev_region_info(d, VFIO_PCI_BAR0_REGION_INDEX, "BAR0", &d->bar0);
}

void close_fd(int *fd, const char *what)
{
	if (*fd < 0)
		return;
	step("close %s", what);
	if (close(*fd) < 0)
		fail();
	*fd = -1;
}

void vdev_close(struct vfio_dev *d)
{
	close_fd(&d->device, "device fd");
	close_fd(&d->group, "group fd");
	close_fd(&d->container, "container fd");
}

struct cfg_io vdev_cfg(const struct vfio_dev *d)
{
	struct cfg_io c = {
		.fd = d->device,
		.base = d->config.offset,
		.via = "vfio config region",
	};

	return c;
}

int vdev_feature(const struct vfio_dev *d, uint32_t flags,
		 const void *payload, size_t len)
{
	/* Header plus the largest payload used here (DMABUF with one range). */
	uint64_t storage[(sizeof(struct vfio_device_feature) + 64) / 8];
	struct vfio_device_feature *hdr = (struct vfio_device_feature *)storage;

	if (sizeof(*hdr) + len > sizeof(storage)) {
		errno = E2BIG;
		return -1;
	}
	memset(storage, 0, sizeof(storage));
	hdr->argsz = sizeof(*hdr) + len;
	hdr->flags = flags;
	if (len)
		memcpy(hdr->data, payload, len);
	return ioctl(d->device, VFIO_DEVICE_FEATURE, hdr);
}

int vdev_export_dmabuf(const struct vfio_dev *d, uint32_t region,
		       uint64_t offset, uint64_t len)
{
	const struct vfio_device_feature_dma_buf get = {
		.region_index = region,
		.open_flags = O_RDWR | O_CLOEXEC,
		.flags = 0,
		.nr_ranges = 1,
	};
	const struct vfio_region_dma_range range = { .offset = offset, .length = len };
	uint8_t req[sizeof(get) + sizeof(range)];
	int fd;

	step("VFIO_DEVICE_FEATURE PROBE|GET DMA_BUF");
	if (vdev_feature(d, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0) < 0) {
		if (errno == ENOTTY || errno == EINVAL)
			unsupported("kernel has no VFIO_DEVICE_FEATURE_DMA_BUF (%s; Linux < 6.19)",
				    strerror(errno));
		if (errno == EOPNOTSUPP)
			unsupported("driver does not export DMABUFs for this device (%s)",
				    strerror(errno));
		fail();
	}

	step("VFIO_DEVICE_FEATURE GET DMA_BUF region %u offset 0x%llx length 0x%llx",
	     region, (unsigned long long)offset, (unsigned long long)len);
	memcpy(req, &get, sizeof(get));
	memcpy(req + sizeof(get), &range, sizeof(range));
	fd = vdev_feature(d, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
			  req, sizeof(req));
	if (fd < 0)
		fail();
	note("dmabuf fd %d", fd);
	return fd;
}
