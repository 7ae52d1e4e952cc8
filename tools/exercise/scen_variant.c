// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14, class 7: BAR reads through whatever driver the device is bound
 * to (vfio-pci or a variant such as virtio_vfio_pci). A modern virtio-net
 * has no BAR0, so the largest BAR is read. The D3hot read must be refused;
 * a variant whose read op bypasses vfio's gate lets it reach the device,
 * and the scenario then fails naming that, which is what d0audit must flag.
 */
#include "report.h"
#include "scenarios.h"
#include "vfio_dev.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* The largest implemented BAR region (lowest index on a tie). */
static void largest_bar(const struct vfio_dev *d, struct vfio_region *best)
{
	char name[8];

	*best = (struct vfio_region){ 0 };
	for (uint32_t i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		struct vfio_region r;

		snprintf(name, sizeof(name), "BAR%u", i);
		vdev_region_info(d, i, name, &r);
		if (r.size > best->size)
			*best = r;
	}
	if (best->size < 4)
		fail_msg("the device has no BAR of 4 bytes or more");
}

static ssize_t bar_read4(const struct vfio_dev *d, const struct vfio_region *r, uint32_t *val)
{
	step("pread 4 bytes of BAR%u through the device fd", r->index);
	return pread(d->device, val, sizeof(*val), (off_t)r->offset);
}

void scen_variant_d3_read(const struct scen_args *a)
{
	struct vfio_region bar;
	struct vfio_dev d;
	struct cfg_io cfg;
	unsigned int pm;
	uint32_t v;
	ssize_t n;

	vdev_open_any(&d, a->bdf);
	largest_bar(&d, &bar);
	if (bar_read4(&d, &bar, &v) != 4)
		fail();
	cfg = vdev_cfg(&d);
	pm = pci_find_pm_cap(&cfg);
	pci_set_power_state(&cfg, pm, PM_D3HOT);
	n = bar_read4(&d, &bar, &v);
	if (n < 0 && errno == EIO) {
		refused_as_expected("EIO");
	} else {
		/* the device stays in D3hot: closing the fd (vfio_pci_core_disable) brings it back to D0 */
		if (n < 0)
			fail();
		fail_msg("the read in D3hot reached the device (%zd bytes, 0x%08x): the driver's read op skips vfio's gate",
			 n, v);
	}
	pci_set_power_state(&cfg, pm, PM_D0);
	if (bar_read4(&d, &bar, &v) != 4)
		fail();
	vdev_close(&d);
}
