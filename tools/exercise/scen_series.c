// SPDX-License-Identifier: GPL-2.0
/*
 * Flows of the DMABUF-mmap series ("vfio/pci: Add mmap() for DMABUFs"):
 * mmap of an exported DMABUF fd, permanent revoke, memattr, a reset and
 * D3hot with live DMABUF mappings. On a kernel without the series the first
 * mmap of a DMABUF fd fails and the scenario exits 3 (not supported here).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "vfio_dev.h"

/* mmap a DMABUF fd of SCEN_DMABUF_LEN bytes; exit 3 if this kernel cannot. */
static void dmabuf_mmap(int fd, struct bar_map *m)
{
	void *p;

	step("mmap the DMABUF fd %d (0x%x bytes)", fd, SCEN_DMABUF_LEN);
	p = mmap(NULL, SCEN_DMABUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		/* dma_buf_mmap_internal: -EINVAL when the exporter has no .mmap */
		if (errno == EINVAL)
			unsupported("vfio DMABUFs cannot be mmapped here (%s): no DMABUF-mmap series",
				    strerror(errno));
		fail();
	}
	m->base = p;
	m->size = SCEN_DMABUF_LEN;
	m->name = "DMABUF";
}

/* A mmap the kernel must refuse with `want` (a revoked buffer: ENODEV). */
static void dmabuf_mmap_expect(int fd, int want, const char *want_name)
{
	void *p;

	step("mmap the DMABUF fd %d again, expect %s", fd, want_name);
	p = mmap(NULL, SCEN_DMABUF_LEN, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		fail_msg("kernel did not refuse the mmap");
	if (errno != want)
		fail_msg("refused with %s, expected %s", strerror(errno), strerror(want));
	refused_as_expected(want_name);
}

static int export_bar0(const struct vfio_dev *d)
{
	return vdev_export_dmabuf(d, VFIO_PCI_BAR0_REGION_INDEX, 0, SCEN_DMABUF_LEN);
}

/* VFIO_DEVICE_FEATURE SET DMA_BUF_REVOKE: returns 0 or an errno. */
static int dmabuf_revoke(const struct vfio_dev *d, int fd)
{
	const struct vfio_device_feature_dma_buf_revoke r = { .dmabuf_fd = fd };

	step("VFIO_DEVICE_FEATURE SET DMA_BUF_REVOKE (feature %d) of DMABUF fd %d",
	     VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, fd);
	return vdev_feature(d, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
			    &r, sizeof(r)) < 0 ? errno : 0;
}

/* Export, mmap the DMABUF fd, touch it: the series' second CPU path to BARs. */
void scen_dmabuf_mmap(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;
	int fd;

	vdev_open(&d, a->bdf);
	fd = export_bar0(&d);
	dmabuf_mmap(fd, &m);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	close_fd(&fd, "DMABUF fd");
	vdev_close(&d);
}

/*
 * Permanent revoke of a mapped, touched buffer: the PTE goes (SIGBUS), a
 * second revoke is EBADFD, a new mmap ENODEV; the device itself stays usable.
 */
void scen_dmabuf_revoke(const struct scen_args *a)
{
	struct bar_map m, bar;
	struct vfio_dev d;
	int fd, err;

	vdev_open(&d, a->bdf);
	fd = export_bar0(&d);
	dmabuf_mmap(fd, &m);
	bar_touch(&m, E1000_STATUS);
	err = dmabuf_revoke(&d, fd);
	if (err == ENOTTY || err == EOPNOTSUPP)
		unsupported("no VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (%s)", strerror(err));
	if (err)
		fail_errno(err);
	bar_touch_expect_sigbus(&m, E1000_STATUS);
	err = dmabuf_revoke(&d, fd);
	if (err != EBADFD)
		fail_msg("second revoke: %s, expected EBADFD", err ? strerror(err) : "success");
	refused_as_expected("EBADFD");
	dmabuf_mmap_expect(fd, ENODEV, "ENODEV");
	bar_mmap_vfio(&d, &bar);
	bar_touch(&bar, E1000_STATUS);
	bar_munmap(&bar);
	bar_munmap(&m);
	close_fd(&fd, "DMABUF fd");
	vdev_close(&d);
}

/* Write-combining for later mmaps of the buffer, then one of them. */
void scen_dmabuf_memattr(const struct scen_args *a)
{
	struct vfio_device_feature_dma_buf_memattr attr = {
		.memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC,
	};
	struct vfio_dev d;
	struct bar_map m;
	int fd;

	vdev_open(&d, a->bdf);
	fd = export_bar0(&d);
	attr.dmabuf_fd = fd;
	step("VFIO_DEVICE_FEATURE SET DMA_BUF_MEMATTR (feature %d) WC of DMABUF fd %d",
	     VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, fd);
	if (vdev_feature(&d, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
			 &attr, sizeof(attr)) < 0) {
		if (errno == ENOTTY || errno == EOPNOTSUPP)
			unsupported("no VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (%s)", strerror(errno));
		fail();
	}
	dmabuf_mmap(fd, &m);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	close_fd(&fd, "DMABUF fd");
	vdev_close(&d);
}

/* BAR0 through both paths (the device fd's BAR-mmap DMABUF, an exported one), both touched. */
static int map_both(const struct vfio_dev *d, struct bar_map *bar, struct bar_map *buf)
{
	int fd = export_bar0(d);

	dmabuf_mmap(fd, buf);
	bar_mmap_vfio(d, bar);
	bar_touch(bar, E1000_STATUS);
	bar_touch(buf, E1000_STATUS);
	return fd;
}

static void unmap_both(struct bar_map *bar, struct bar_map *buf, int *fd)
{
	bar_munmap(bar);
	bar_munmap(buf);
	close_fd(fd, "DMABUF fd");
}

/* VFIO_DEVICE_RESET with live DMABUF mappings: the series zaps them after D0. */
void scen_dmabuf_mmap_reset(const struct scen_args *a)
{
	struct bar_map bar, buf;
	struct vfio_dev d;
	int fd;

	vdev_open(&d, a->bdf);
	if (!(d.device_flags & VFIO_DEVICE_FLAGS_RESET)) {
		step("check VFIO_DEVICE_FLAGS_RESET");
		unsupported("the device has no reset method (VFIO_DEVICE_FLAGS_RESET clear)");
	}
	fd = map_both(&d, &bar, &buf);
	step("VFIO_DEVICE_RESET");
	if (ioctl(d.device, VFIO_DEVICE_RESET) < 0)
		fail();
	bar_touch(&bar, E1000_STATUS);
	bar_touch(&buf, E1000_STATUS);
	unmap_both(&bar, &buf, &fd);
	vdev_close(&d);
}

/* PM_CTRL D3hot with live DMABUF mappings: both refused (SIGBUS) until D0. */
void scen_dmabuf_d3hot(const struct scen_args *a)
{
	struct bar_map bar, buf;
	struct vfio_dev d;
	struct cfg_io cfg;
	unsigned int pm;
	int fd;

	vdev_open(&d, a->bdf);
	fd = map_both(&d, &bar, &buf);
	cfg = vdev_cfg(&d);
	pm = pci_find_pm_cap(&cfg);
	pci_set_power_state(&cfg, pm, PM_D3HOT);
	bar_touch_expect_sigbus(&bar, E1000_STATUS);
	bar_touch_expect_sigbus(&buf, E1000_STATUS);
	bar_pread_expect_eio(&d, E1000_STATUS);
	pci_set_power_state(&cfg, pm, PM_D0);
	bar_touch(&bar, E1000_STATUS);
	bar_touch(&buf, E1000_STATUS);
	unmap_both(&bar, &buf, &fd);
	vdev_close(&d);
}
