// SPDX-License-Identifier: GPL-2.0
/* Plain device accesses through vfio: open, mmap, pread, ROM, ioeventfd. */
#include <linux/pci_regs.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "timing.h"
#include "vfio_dev.h"

#define ROM_READ_LEN 512
#define IOEVENTFD_WRITES 3

void scen_open_close(const struct scen_args *a)
{
	struct vfio_dev d;

	vdev_open(&d, a->bdf);
	vdev_close(&d);
}

void scen_mmap_touch(const struct scen_args *a)
{
	struct vfio_dev d;
	struct bar_map m;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	bar_touch(&m, E1000_STATUS);
	bar_munmap(&m);
	vdev_close(&d);
}

void scen_pread_bar(const struct scen_args *a)
{
	struct vfio_dev d;

	vdev_open(&d, a->bdf);
	bar_pread(&d, E1000_STATUS);
	vdev_close(&d);
}

void scen_rom(const struct scen_args *a)
{
	unsigned char buf[ROM_READ_LEN];
	struct vfio_region rom;
	struct vfio_dev d;
	ssize_t n;

	vdev_open(&d, a->bdf);
	vdev_region_info(&d, VFIO_PCI_ROM_REGION_INDEX, "ROM", &rom);
	if (!rom.size)
		unsupported("the device has no ROM region");
	if (rom.size < sizeof(buf))
		fail_msg("ROM region is only 0x%llx bytes", (unsigned long long)rom.size);

	step("pread ROM region (first %zu bytes) via the device fd", sizeof(buf));
	n = pread(d.device, buf, sizeof(buf), (off_t)rom.offset);
	if (n < 0)
		fail();
	if ((size_t)n != sizeof(buf))
		fail_msg("short read (%zd bytes)", n);

	step("check ROM signature 0x55AA");
	if (buf[0] != 0x55 || buf[1] != 0xaa)
		fail_msg("ROM starts with %02x %02x", buf[0], buf[1]);
	note("ROM signature 55 aa, ROM region 0x%llx bytes",
	     (unsigned long long)rom.size);
	vdev_close(&d);
}

void scen_ioeventfd(const struct scen_args *a)
{
	struct vfio_device_ioeventfd io = {
		.argsz = sizeof(io),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.data = 0,
	};
	struct vfio_dev d;
	int efd, i;

	vdev_open(&d, a->bdf);
	step("eventfd");
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		fail();

	io.offset = d.bar0.offset + E1000_STATUS;
	io.fd = efd;
	step("VFIO_DEVICE_IOEVENTFD register BAR0+0x%x (4 bytes, data 0)", E1000_STATUS);
	if (ioctl(d.device, VFIO_DEVICE_IOEVENTFD, &io) < 0)
		fail();

	for (i = 1; i <= IOEVENTFD_WRITES; i++) {
		step("write eventfd (%d/%d)", i, IOEVENTFD_WRITES);
		if (eventfd_write(efd, 1) < 0)
			fail();
		usleep(10000);	/* let the kernel's virqfd do the write */
	}

	io.fd = -1;
	step("VFIO_DEVICE_IOEVENTFD unregister BAR0+0x%x (fd -1)", E1000_STATUS);
	if (ioctl(d.device, VFIO_DEVICE_IOEVENTFD, &io) < 0)
		fail();
	close_fd(&efd, "eventfd");
	vdev_close(&d);
}

static void print_elapsed(uint64_t start_ns)
{
	printf("elapsed_ns: %llu\n",
	       (unsigned long long)(monotonic_ns() - start_ns));
}

void scen_pread_loop(const struct scen_args *a)
{
	uint64_t off, start;
	struct vfio_dev d;
	unsigned long i;
	uint32_t val;
	ssize_t n;

	vdev_open(&d, a->bdf);
	off = d.bar0.offset + E1000_STATUS;
	step("pread BAR0+0x%x (4 bytes) x %lu via the device fd", E1000_STATUS, a->count);
	start = monotonic_ns();
	for (i = 0; i < a->count; i++) {
		n = pread(d.device, &val, sizeof(val), (off_t)off);
		if (n < 0)
			fail();
		if (n != sizeof(val))
			fail_msg("short read (%zd bytes) at iteration %lu", n, i);
	}
	print_elapsed(start);
	vdev_close(&d);
}

void scen_fault_loop(const struct scen_args *a)
{
	uint16_t cmd_on, cmd_off;
	struct vfio_dev d;
	struct cfg_io cfg;
	struct bar_map m;
	unsigned long i;
	uint64_t start;
	uint32_t val;

	vdev_open(&d, a->bdf);
	bar_mmap_vfio(&d, &m);
	cfg = vdev_cfg(&d);
	step("read COMMAND via %s", cfg.via);
	cmd_on = pci_read_command(&cfg);
	if (!(cmd_on & PCI_COMMAND_MEMORY))
		fail_msg("COMMAND 0x%04x: memory decoding is off", cmd_on);
	cmd_off = cmd_on & ~PCI_COMMAND_MEMORY;

	step("%lu x (touch mmapped %s+0x%x, COMMAND=0x%04x then 0x%04x via %s)",
	     a->count, m.name, E1000_STATUS, cmd_off, cmd_on, cfg.via);
	start = monotonic_ns();
	for (i = 0; i < a->count; i++) {
		if (bar_load32(&m, E1000_STATUS, &val) < 0)
			fail_msg("SIGBUS at iteration %lu", i);
		if (cfg_write16(&cfg, PCI_COMMAND, cmd_off) < 0 ||
		    cfg_write16(&cfg, PCI_COMMAND, cmd_on) < 0)
			fail();
	}
	print_elapsed(start);
	bar_munmap(&m);
	vdev_close(&d);
}

/*
 * Faults alone: each iteration maps one page of BAR0 afresh, touches it (one
 * fault: a PTE granted) and unmaps it. munmap() is not a zap (no
 * unmap_mapping_range on the device's inode) and nothing writes config space,
 * so of d0audit's hooks only the fault path fires: the hot-path figure for
 * faults (fault-loop adds a zap and two COMMAND writes per fault).
 */
void scen_fault_only_loop(const struct scen_args *a)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_dev d;
	struct bar_map m;
	unsigned long i;
	uint64_t start;
	uint32_t val;

	vdev_open(&d, a->bdf);
	if (!(d.bar0.flags & VFIO_REGION_INFO_FLAG_MMAP))
		fail_msg("BAR0 region is not mmap-capable (flags 0x%x)", d.bar0.flags);
	m.size = (size_t)page;
	m.name = "BAR0 page 0";
	step("%lu x (mmap the first page of BAR0, read +0x%x, munmap)", a->count, E1000_STATUS);
	start = monotonic_ns();
	for (i = 0; i < a->count; i++) {
		void *p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, d.device, (off_t)d.bar0.offset);

		if (p == MAP_FAILED)
			fail();
		m.base = p;
		if (bar_load32(&m, E1000_STATUS, &val) < 0)
			fail_msg("SIGBUS at iteration %lu", i);
		if (munmap(p, (size_t)page) < 0)
			fail();
	}
	print_elapsed(start);
	vdev_close(&d);
}
