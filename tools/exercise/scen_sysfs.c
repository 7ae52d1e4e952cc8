// SPDX-License-Identifier: GPL-2.0
/*
 * Behind vfio's back, through /sys/bus/pci/devices/BDF/:
 * - sysfs-pm-d3 / sysfs-cmd-mem: while the device is open through vfio with
 *   BAR0 mmapped (and optionally a DMABUF exported), change PM_CTRL or COMMAND
 *   through config. vfio is not told, so it neither zaps nor revokes.
 * - sysfs-mmap: map resource0 of the vfio-bound device and read it.
 * The auditor must flag all of them.
 */
#include <stdint.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"
#include "vfio_dev.h"

struct bypass {
	struct vfio_dev d;
	struct bar_map m;
	struct cfg_io sysfs_cfg;
	int dmabuf;
};

static void bypass_begin(struct bypass *b, const struct scen_args *a)
{
	vdev_open(&b->d, a->bdf);
	bar_mmap_vfio(&b->d, &b->m);
	bar_touch(&b->m, E1000_STATUS);
	b->dmabuf = -1;
	if (a->dmabuf)
		b->dmabuf = vdev_export_dmabuf(&b->d, VFIO_PCI_BAR0_REGION_INDEX,
					       0, SCEN_DMABUF_LEN);
	b->sysfs_cfg = sysfs_cfg_open(a->bdf);
}

static void bypass_end(struct bypass *b)
{
	sysfs_cfg_close(&b->sysfs_cfg);
	close_fd(&b->dmabuf, "dmabuf fd");
	bar_munmap(&b->m);
	vdev_close(&b->d);
}

void scen_sysfs_pm_d3(const struct scen_args *a)
{
	struct bypass b;
	unsigned int pm;

	bypass_begin(&b, a);
	pm = pci_find_pm_cap(&b.sysfs_cfg);
	pci_set_power_state(&b.sysfs_cfg, pm, PM_D3HOT);
	pci_set_power_state(&b.sysfs_cfg, pm, PM_D0);
	bypass_end(&b);
}

void scen_sysfs_cmd_mem(const struct scen_args *a)
{
	struct bypass b;

	bypass_begin(&b, a);
	pci_set_memory(&b.sysfs_cfg, false);
	pci_set_memory(&b.sysfs_cfg, true);
	bypass_end(&b);
}

/*
 * After the vfio open, touch the sysfs mapping again. Where
 * CONFIG_IO_STRICT_DEVMEM is set (Debian), vfio requesting the BAR at open
 * revoked every sysfs/devmem mapping of it (revoke_iomem() zaps the iomem
 * inode's mapping) and the VMA has no fault handler: SIGBUS. Elsewhere the
 * mapping is still live: report it, it is not an error.
 */
static void touch_after_vfio_claim(const struct bar_map *m)
{
	uint32_t val;

	step("touch mmapped %s+0x%x (32-bit load) after the vfio open",
	     m->name, E1000_STATUS);
	if (bar_load32(m, E1000_STATUS, &val) < 0) {
		refused_as_expected("SIGBUS");
		note("the kernel revoked the sysfs mapping when vfio requested the BAR");
	} else {
		note("sysfs mapping still live while vfio owns the device: 0x%08x", val);
	}
}

/*
 * mmap resource0 while the device is bound to vfio-pci but not open: once
 * vfio has requested the BARs (at open), CONFIG_IO_STRICT_DEVMEM makes them
 * exclusive and pci_mmap_resource() refuses with EINVAL before reaching
 * pci_mmap_resource_range(). The first touch therefore reaches an idle device
 * (vfio-pci lets it runtime-suspend; memory decoding is off after close).
 */
void scen_sysfs_mmap(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;
	char status[32];
	int fd;

	step("read power/runtime_status");
	if (sysfs_runtime_status(a->bdf, status, sizeof(status)) < 0)
		fail();
	note("runtime_status %s (device not open through vfio)", status);
	fd = sysfs_resource_open(a->bdf, 0);
	bar_mmap_fd(fd, sysfs_resource_size(a->bdf, 0), "sysfs resource0", &m);
	bar_touch(&m, E1000_STATUS);
	vdev_open(&d, a->bdf);
	touch_after_vfio_claim(&m);
	bar_munmap(&m);
	close_fd(&fd, "sysfs resource0");
	vdev_close(&d);
}
