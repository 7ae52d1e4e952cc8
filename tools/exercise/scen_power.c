// SPDX-License-Identifier: GPL-2.0
/*
 * Power state (PM_CTRL), memory enable (COMMAND), runtime low power
 * (VFIO_DEVICE_FEATURE_LOW_POWER_*) and DMABUF export, all through vfio.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"
#include "timing.h"
#include "vfio_dev.h"

#define SUSPEND_TIMEOUT_MS 10000
#define WAKEUP_TIMEOUT_MS 2000

/* The kernel must refuse both CPU paths to BAR0 now. */
static void expect_bar_refused(const struct vfio_dev *d, const struct bar_map *m)
{
	bar_pread_expect_eio(d, E1000_STATUS);
	bar_touch_expect_sigbus(m, E1000_STATUS);
}

void scen_pm_d3(const struct scen_args *a)
{
	struct vfio_dev d;
	struct cfg_io cfg;
	struct bar_map m;
	unsigned int pm;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	cfg = vdev_cfg(&d);
	pm = pci_find_pm_cap(&cfg);
	pci_set_power_state(&cfg, pm, PM_D3HOT);
	expect_bar_refused(&d, &m);
	pci_set_power_state(&cfg, pm, PM_D0);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	vdev_close(&d);
}

void scen_cmd_mem(const struct scen_args *a)
{
	struct vfio_dev d;
	struct cfg_io cfg;
	struct bar_map m;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	cfg = vdev_cfg(&d);
	pci_set_memory(&cfg, false);
	expect_bar_refused(&d, &m);
	pci_set_memory(&cfg, true);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	vdev_close(&d);
}

/* wakeup_fd < 0: plain LOW_POWER_ENTRY; else LOW_POWER_ENTRY_WITH_WAKEUP. */
void low_power_entry(const struct vfio_dev *d, int wakeup_fd)
{
	struct vfio_device_low_power_entry_with_wakeup w = {
		.wakeup_eventfd = wakeup_fd,
	};
	int ret;

	if (wakeup_fd < 0) {
		step("VFIO_DEVICE_FEATURE SET LOW_POWER_ENTRY");
		ret = vdev_feature(d, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
	} else {
		step("VFIO_DEVICE_FEATURE SET LOW_POWER_ENTRY_WITH_WAKEUP (eventfd %d)",
		     wakeup_fd);
		ret = vdev_feature(d, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
				   &w, sizeof(w));
	}
	if (ret < 0)
		fail();
}

void low_power_exit(const struct vfio_dev *d)
{
	step("VFIO_DEVICE_FEATURE SET LOW_POWER_EXIT");
	if (vdev_feature(d, VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0) < 0)
		fail();
}

void wait_runtime_suspended(const char *bdf)
{
	uint64_t start = monotonic_ns(), ms;
	char status[32], control[32];

	step("wait for power/runtime_status 'suspended' (up to %d ms)",
	     SUSPEND_TIMEOUT_MS);
	for (;;) {
		if (sysfs_runtime_status(bdf, status, sizeof(status)) < 0)
			fail();
		ms = (monotonic_ns() - start) / 1000000;
		if (!strcmp(status, "suspended")) {
			note("runtime_status suspended after %llu ms",
			     (unsigned long long)ms);
			return;
		}
		if (ms >= SUSPEND_TIMEOUT_MS)
			break;
		usleep(10000);
	}
	if (sysfs_power_control(bdf, control, sizeof(control)) < 0)
		snprintf(control, sizeof(control), "unreadable: %s", strerror(errno));
	fail_msg("runtime_status still '%s' after %d ms (power/control '%s')",
		 status, SUSPEND_TIMEOUT_MS, control);
}

static void note_runtime_status(const char *bdf)
{
	char status[32];

	if (sysfs_runtime_status(bdf, status, sizeof(status)) < 0)
		fail();
	note("runtime_status %s", status);
}

void scen_low_power(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	low_power_entry(&d, -1);
	wait_runtime_suspended(a->bdf);
	bar_touch_expect_sigbus(&m, E1000_STATUS);
	low_power_exit(&d);
	step("read power/runtime_status");
	note_runtime_status(a->bdf);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	vdev_close(&d);
}

static void expect_eventfd_signalled(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	eventfd_t count;
	int ret;

	step("poll the wakeup eventfd (up to %d ms)", WAKEUP_TIMEOUT_MS);
	ret = poll(&p, 1, WAKEUP_TIMEOUT_MS);
	if (ret < 0)
		fail();
	if (ret == 0)
		fail_msg("the wakeup eventfd was not signalled");
	step("read the wakeup eventfd");
	if (eventfd_read(fd, &count) < 0)
		fail();
	note("wakeup eventfd signalled, count %llu", (unsigned long long)count);
}

void scen_low_power_wakeup(const struct scen_args *a)
{
	struct vfio_dev d;
	struct cfg_io cfg;
	struct bar_map m;
	uint16_t vendor;
	int efd;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	step("eventfd");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		fail();
	low_power_entry(&d, efd);
	wait_runtime_suspended(a->bdf);
	bar_touch_expect_sigbus(&m, E1000_STATUS);

	cfg = vdev_cfg(&d);
	step("pread VENDOR_ID via %s (wakes the device)", cfg.via);
	if (cfg_read16(&cfg, PCI_VENDOR_ID, &vendor) < 0)
		fail();
	note("VENDOR_ID 0x%04x", vendor);
	expect_eventfd_signalled(efd);
	step("read power/runtime_status");
	note_runtime_status(a->bdf);

	low_power_exit(&d);
	bar_touch(&m, E1000_STATUS);
	close_fd(&efd, "eventfd");
	bar_munmap(&m);
	vdev_close(&d);
}

void scen_dmabuf(const struct scen_args *a)
{
	struct vfio_dev d;
	struct cfg_io cfg;
	unsigned int pm;
	int dmabuf;

	vdev_open(&d, a->bdf);
	dmabuf = vdev_export_dmabuf(&d, VFIO_PCI_BAR0_REGION_INDEX, 0, SCEN_DMABUF_LEN);
	cfg = vdev_cfg(&d);
	pm = pci_find_pm_cap(&cfg);
	pci_set_power_state(&cfg, pm, PM_D3HOT);
	pci_set_power_state(&cfg, pm, PM_D0);
	pci_set_memory(&cfg, false);
	pci_set_memory(&cfg, true);
	close_fd(&dmabuf, "dmabuf fd");
	vdev_close(&d);
}

/*
 * DMABUF life cycles the kernel-mutant suite (tests/mutants/kernel) drives:
 * the exported buffer stays open across runtime low power, a reset from
 * D3hot, and the close of the device.
 */

/* Open, export a BAR0 DMABUF, mmap BAR0 and touch it; returns the DMABUF fd. */
static int open_export_map(struct vfio_dev *d, const char *bdf, struct bar_map *m)
{
	int dmabuf;

	vdev_open(d, bdf);
	dmabuf = vdev_export_dmabuf(d, VFIO_PCI_BAR0_REGION_INDEX, 0, SCEN_DMABUF_LEN);
	bar_mmap_vfio(d, m);
	bar_touch(m, E1000_STATUS);
	return dmabuf;
}

/* The BAR is back: touch it, then unmap and close everything. */
static void touch_unmap_close(struct vfio_dev *d, struct bar_map *m, int *dmabuf)
{
	bar_touch(m, E1000_STATUS);
	bar_munmap(m);
	close_fd(dmabuf, "dmabuf fd");
	vdev_close(d);
}

void scen_dmabuf_low_power(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;
	int dmabuf = open_export_map(&d, a->bdf, &m);

	low_power_entry(&d, -1);
	wait_runtime_suspended(a->bdf);
	bar_touch_expect_sigbus(&m, E1000_STATUS);
	low_power_exit(&d);
	touch_unmap_close(&d, &m, &dmabuf);
}

void scen_dmabuf_reset(const struct scen_args *a)
{
	struct vfio_dev d;
	struct cfg_io cfg;
	struct bar_map m;
	int dmabuf = open_export_map(&d, a->bdf, &m);

	if (!(d.device_flags & VFIO_DEVICE_FLAGS_RESET)) {
		step("check VFIO_DEVICE_FLAGS_RESET");
		unsupported("the device has no reset method (VFIO_DEVICE_FLAGS_RESET clear)");
	}
	cfg = vdev_cfg(&d);
	pci_set_power_state(&cfg, pci_find_pm_cap(&cfg), PM_D3HOT);
	step("VFIO_DEVICE_RESET (from D3hot)");
	if (ioctl(d.device, VFIO_DEVICE_RESET) < 0)
		fail();
	touch_unmap_close(&d, &m, &dmabuf);
}

void scen_dmabuf_close(const struct scen_args *a)
{
	struct vfio_dev d;
	int dmabuf;

	vdev_open(&d, a->bdf);
	dmabuf = vdev_export_dmabuf(&d, VFIO_PCI_BAR0_REGION_INDEX, 0, SCEN_DMABUF_LEN);
	vdev_close(&d);
	close_fd(&dmabuf, "dmabuf fd (after the device)");
}
