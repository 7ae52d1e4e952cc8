// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14, classes 3 and 5: the device's BARs reached from outside vfio,
 * and decode as the hardware was last told. --mapped is the violating flow.
 *
 * - raw-sysfs-io [--mapped]: read the I/O BAR through sysfs resourceN.
 * - raw-dev-port [--mapped]: read the same port through /dev/port.
 * - raw-dev-mem [--mapped]: read BAR0 through /dev/mem at its physical
 *   address: refused either way on 7.2 (EFAULT under strict iomem checks
 *   and with iomem=relaxed: x86 read_mem does not map MMIO), so reported,
 *   not a failure. --mapped: vfio put the device in D3hot first,
 *   then /dev/mem is also mmapped at BAR0 and touched (iomem=relaxed: the
 *   mapping reaches the D3hot device).
 * - raw-mmap [--mapped]: mmap sysfs resource0 of the open device (iomem=
 *   relaxed), touch it; --mapped: vfio puts it in D3hot while that mapping is
 *   live (vfio's zap never removes it); correct: munmap first.
 * - hw-decode-off [--mapped]: correct: COMMAND memory off through vfio, pread
 *   BAR0 (refused), on, pread. --mapped: memory off through sysfs config
 *   behind vfio's back (vfio's copy still says on), pread BAR0 through vfio:
 *   vfio's gate lets it through to a device with decode off.
 * - hw-bus-reset [--mapped]: secondary bus reset through the bridge's
 *   BRIDGE_CONTROL (--root-port): COMMAND is 0 in hardware and nobody
 *   restores it. Correct: vfio's own VFIO_DEVICE_RESET (reset, then
 *   pci_restore_state), then pread. --mapped: pread BAR0 after the bus reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"
#include "vfio_dev.h"

#define IORESOURCE_IO 0x100
#define IORESOURCE_MEM 0x200

struct bar_range {
	int index;
	uint64_t start, end;
};

/* The first BAR with `flag` (IORESOURCE_IO/MEM) from sysfs `resource` ("start end flags" per line). */
static struct bar_range sysfs_bar(const char *bdf, unsigned long flag)
{
	char path[PATH_MAX], line[256];
	struct bar_range b = { .index = -1 };
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	step("read %s, find the first %s BAR", path, flag == IORESOURCE_IO ? "I/O" : "memory");
	f = fopen(path, "re");
	if (!f)
		fail();
	for (int i = 0; i < 6 && fgets(line, sizeof(line), f); i++) {
		uint64_t s, e, fl;

		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &fl) == 3 && (fl & flag) && e > s) {
			b = (struct bar_range){ i, s, e };
			break;
		}
	}
	fclose(f);
	if (b.index < 0)
		unsupported("%s has no %s BAR", bdf, flag == IORESOURCE_IO ? "I/O" : "memory");
	note("BAR%d: 0x%" PRIx64 "-0x%" PRIx64, b.index, b.start, b.end);
	return b;
}

/* Open through vfio; --mapped: vfio puts the device in D3hot (it zaps what it knows of). */
struct raw {
	struct vfio_dev d;
	struct cfg_io cfg;
	unsigned int pm;
};

static void raw_begin(struct raw *r, const struct scen_args *a)
{
	vdev_open(&r->d, a->bdf);
	r->cfg = vdev_cfg(&r->d);
	r->pm = 0;
}

static void raw_d3hot(struct raw *r)
{
	r->pm = pci_find_pm_cap(&r->cfg);
	pci_set_power_state(&r->cfg, r->pm, PM_D3HOT);
}

static void raw_end(struct raw *r)
{
	if (r->pm)
		pci_set_power_state(&r->cfg, r->pm, PM_D0);
	vdev_close(&r->d);
}

/* pread 4 bytes of PATH at OFF; the outcome is reported (a refusal is what the kernel decided). */
static void pread_report(const char *path, uint64_t off, size_t len)
{
	uint32_t val = 0;
	ssize_t n;
	int fd;

	step("open %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail();
	step("pread %zu bytes of %s at 0x%" PRIx64, len, path, off);
	n = pread(fd, &val, len, (off_t)off);
	if (n < 0)
		note("%s at 0x%" PRIx64 ": %s (refused: nothing reached the device)", path, off, strerror(errno));
	else
		note("%s at 0x%" PRIx64 ": %zd bytes, 0x%08x", path, off, n, val);
	close_fd(&fd, path);
}

void scen_raw_sysfs_io(const struct scen_args *a)
{
	struct bar_range io = sysfs_bar(a->bdf, IORESOURCE_IO);
	char path[PATH_MAX];
	struct raw r;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", a->bdf, io.index);
	raw_begin(&r, a);
	if (a->mapped)
		raw_d3hot(&r);
	pread_report(path, 0, 4);
	raw_end(&r);
}

void scen_raw_dev_port(const struct scen_args *a)
{
	struct bar_range io = sysfs_bar(a->bdf, IORESOURCE_IO);
	struct raw r;

	raw_begin(&r, a);
	if (a->mapped)
		raw_d3hot(&r);
	pread_report("/dev/port", io.start, 4);
	raw_end(&r);
}

void scen_raw_dev_mem(const struct scen_args *a)
{
	struct bar_range mem = sysfs_bar(a->bdf, IORESOURCE_MEM);
	struct raw r;

	raw_begin(&r, a);
	if (a->mapped)
		raw_d3hot(&r);
	pread_report("/dev/mem", mem.start + E1000_STATUS, 4);
	if (a->mapped) {
		struct bar_map m;
		int fd;

		step("open /dev/mem");
		fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
		if (fd < 0)
			fail();
		step("mmap /dev/mem at BAR0 (0x%" PRIx64 ")", mem.start);
		m.base = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)mem.start);
		if (m.base == MAP_FAILED) {
			note("/dev/mem mmap of BAR0: %s (refused)", strerror(errno));
		} else {
			uint32_t val = 0;

			m.size = 4096;
			m.name = "/dev/mem BAR0";
			if (bar_load32(&m, E1000_STATUS, &val) < 0)
				note("/dev/mem BAR0 touch: SIGBUS");
			else
				note("/dev/mem BAR0+0x%x = 0x%08x (the mapping reached the device)", E1000_STATUS, val);
			bar_munmap(&m);
		}
		close_fd(&fd, "/dev/mem");
	}
	raw_end(&r);
}

void scen_raw_mmap(const struct scen_args *a)
{
	struct bar_map m;
	struct raw r;
	int fd;

	raw_begin(&r, a);
	fd = sysfs_resource_open(a->bdf, 0);
	bar_mmap_fd(fd, sysfs_resource_size(a->bdf, 0), "sysfs resource0", &m);
	if (bar_load32(&m, E1000_STATUS, &(uint32_t){ 0 }) < 0)
		unsupported("the sysfs mapping of an open vfio device was refused or revoked "
			    "(strict iomem checks: boot with iomem=relaxed)");
	note("sysfs resource0 mapped and touched while vfio has the device open");
	if (!a->mapped) {
		bar_munmap(&m);
		close_fd(&fd, "sysfs resource0");
	}
	raw_d3hot(&r);
	raw_end(&r);
	if (a->mapped) {
		bar_munmap(&m);
		close_fd(&fd, "sysfs resource0");
	}
}

void scen_hw_decode_off(const struct scen_args *a)
{
	struct cfg_io scfg;
	struct raw r;

	raw_begin(&r, a);
	if (!a->mapped) {
		pci_set_memory(&r.cfg, false);
		bar_pread_expect_eio(&r.d, E1000_STATUS);
		pci_set_memory(&r.cfg, true);
		bar_pread(&r.d, E1000_STATUS);
	} else {
		scfg = sysfs_cfg_open(a->bdf);
		pci_set_memory(&scfg, false);
		/* vfio's copy still says on: its gate lets the read through to hardware that does not decode */
		bar_pread(&r.d, E1000_STATUS);
		pci_set_memory(&scfg, true);
		sysfs_cfg_close(&scfg);
	}
	raw_end(&r);
}

/* The bridge directly above the device (its sysfs parent). */
static void bridge_of(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], *parent;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	step("resolve the bridge above %s", bdf);
	if (!realpath(path, real))
		fail();
	parent = basename(dirname(real));
	if (!bdf_valid(parent))
		unsupported("%s has no bridge above it: use tools/vm/run --root-port", bdf);
	snprintf(out, len, "%s", parent);
}

void scen_hw_bus_reset(const struct scen_args *a)
{
	struct cfg_io bcfg;
	char bridge[32];
	uint16_t ctl;
	struct raw r;

	bridge_of(a->bdf, bridge, sizeof(bridge));
	raw_begin(&r, a);
	if (!a->mapped) {
		step("VFIO_DEVICE_RESET (vfio restores the saved config after the reset)");
		if (ioctl(r.d.device, VFIO_DEVICE_RESET) < 0)
			fail();
		bar_pread(&r.d, E1000_STATUS);
		raw_end(&r);
		return;
	}
	bcfg = sysfs_cfg_open(bridge);
	step("read BRIDGE_CONTROL of %s via %s", bridge, bcfg.via);
	if (cfg_read16(&bcfg, PCI_BRIDGE_CONTROL, &ctl) < 0)
		fail();
	step("secondary bus reset through BRIDGE_CONTROL of %s (set, then release)", bridge);
	if (cfg_write16(&bcfg, PCI_BRIDGE_CONTROL, ctl | PCI_BRIDGE_CTL_BUS_RESET) < 0)
		fail();
	usleep(2000);
	if (cfg_write16(&bcfg, PCI_BRIDGE_CONTROL, ctl) < 0)
		fail();
	usleep(100 * 1000);
	sysfs_cfg_close(&bcfg);
	/* nobody restored COMMAND: vfio's copy says on, the hardware decodes nothing */
	step("pread BAR0+0x%x via the device fd after the bus reset", E1000_STATUS);
	{
		uint32_t val = 0;
		ssize_t n = pread(r.d.device, &val, sizeof(val), (off_t)r.d.bar0.offset + E1000_STATUS);

		note("pread after the bus reset: %zd (0x%08x)%s", n, val, n < 0 ? strerror(errno) : "");
	}
	step("VFIO_DEVICE_RESET to give vfio a device it knows again");
	if (ioctl(r.d.device, VFIO_DEVICE_RESET) < 0)
		note("VFIO_DEVICE_RESET: %s", strerror(errno));
	raw_end(&r);
}
