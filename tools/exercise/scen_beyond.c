// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14: paths that reset or cut off the device without vfio's own calls.
 * Each class has a correct flow (vfio zapped first, or nothing mapped: the
 * auditor must stay quiet) and a violating one (BAR0 mmapped and touched:
 * the PTE is live when the device is reset or cut off).
 *
 * - sysfs-reset [--mapped]: `echo 1 > reset` on the device. Correct: vfio
 *   put it in D3hot first (zap), pci_reset_function wakes it to D0 in its
 *   prologue. --mapped: BAR0 mapped and touched.
 * - reset-subordinate [--mapped]: `echo 1 > reset_subordinate` on the bridge
 *   above the device (a secondary bus reset; 6.15+). Correct: vfio D3hot.
 * - aer-fatal [--mapped]: inject an uncorrectable fatal error (Malformed TLP)
 *   for the device through /dev/aer_inject; AER recovery resets the link
 *   below the root port. Correct: nothing mapped.
 * - bridge-config [--mapped]: setpci-style writes to the bridge above the
 *   device through its sysfs config. Correct: a harmless write (SERR enable
 *   in BRIDGE_CONTROL toggled). --mapped: memory forwarding off/on in the
 *   bridge's COMMAND and a secondary bus reset through BRIDGE_CONTROL.
 * - sysfs-bar-write: BAR0 rewritten (same value) through the device's sysfs
 *   config behind vfio's back (always a violation: rule 10).
 * - rom-decode-off / rom-info-decode-off, hold: classes 6 and 8, below.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/pci_regs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"
#include "vfio_dev.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
/* How long AER recovery may take under TCG before the scenario gives up. */
#define AER_RECOVERY_WAIT_S 20

/* The bridge directly above the device, from its sysfs path. */
static void upstream_bridge(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], *parent;

	snprintf(path, sizeof(path), "%s/%s", PCI_DEVICES, bdf);
	step("resolve the bridge above %s", bdf);
	if (!realpath(path, real))
		fail();
	parent = basename(dirname(real));
	if (!bdf_valid(parent))
		unsupported("%s is on a root bus (parent %s): no bridge above it; use tools/vm/run --root-port",
			    bdf, parent);
	snprintf(out, len, "%s", parent);
	note("bridge above %s: %s", bdf, out);
}

/*
 * echo 1 > /sys/bus/pci/devices/BDF/FILE; a missing file is "not supported
 * here". ENOTTY after a bus reset: the reset was made, but the link did not
 * come back within the kernel's wait (QEMU's pcie-root-port never sets Data
 * Link Layer Link Active): reported, not a failure.
 */
static void sysfs_write_one(const char *bdf, const char *file)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", PCI_DEVICES, bdf, file);
	step("echo 1 > %s", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		unsupported("this kernel has no %s (sysfs %s)", file, path);
	if (fd < 0)
		fail();
	if (write(fd, "1", 1) != 1) {
		if (errno != ENOTTY)
			fail();
		note("%s: %s (the reset was made; the link did not come back in time)", path, strerror(errno));
	}
	if (close(fd) < 0)
		fail();
}

/* Open, BAR0 mmapped; mapped: touched (a live PTE); else vfio puts it in D3hot (zap). */
struct beyond {
	struct vfio_dev d;
	struct bar_map m;
	struct cfg_io cfg;
	unsigned int pm;
	bool mapped;
};

static void beyond_begin(struct beyond *b, const struct scen_args *a, bool d3_if_unmapped)
{
	vdev_open(&b->d, a->bdf);
	bar_mmap_vfio(&b->d, &b->m);
	b->cfg = vdev_cfg(&b->d);
	b->mapped = a->mapped;
	b->pm = 0;
	if (b->mapped) {
		bar_touch(&b->m, E1000_STATUS);
	} else if (d3_if_unmapped) {
		bar_touch(&b->m, E1000_STATUS);
		b->pm = pci_find_pm_cap(&b->cfg);
		pci_set_power_state(&b->cfg, b->pm, PM_D3HOT);
	}
}

static void beyond_end(struct beyond *b)
{
	/* vfio still believes D3hot: tell it D0 so its state matches the hardware's again */
	if (b->pm)
		pci_set_power_state(&b->cfg, b->pm, PM_D0);
	bar_munmap(&b->m);
	vdev_close(&b->d);
}

void scen_sysfs_reset(const struct scen_args *a)
{
	struct beyond b;

	beyond_begin(&b, a, true);
	sysfs_write_one(a->bdf, "reset");
	beyond_end(&b);
}

void scen_reset_subordinate(const struct scen_args *a)
{
	char bridge[32];
	struct beyond b;

	upstream_bridge(a->bdf, bridge, sizeof(bridge));
	beyond_begin(&b, a, true);
	sysfs_write_one(bridge, "reset_subordinate");
	beyond_end(&b);
}

/* drivers/pci/pcie/aer_inject.c's struct aer_error_inj (the ABI of /dev/aer_inject). */
struct aer_error_inj {
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
	uint32_t uncor_status;
	uint32_t cor_status;
	uint32_t header_log0;
	uint32_t header_log1;
	uint32_t header_log2;
	uint32_t header_log3;
	uint32_t domain;
};

#define AER_UNC_MALF_TLP 0x00040000u /* fatal by default severity */

/* /dev/kmsg positioned at its end: only records written from now on are read. */
static int kmsg_open_at_end(void)
{
	int fd;

	step("open /dev/kmsg at its end");
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0)
		fail();
	return fd;
}

/*
 * Wait until the kernel log says the recovery finished ("AER: device
 * recovery successful" or "... failed", printed by the root port: under
 * QEMU the link does not come back after the reset, so it fails after it).
 */
static void wait_aer_recovery(int kmsg, const char *bdf)
{
	const char *done = "AER: device recovery";
	time_t end = time(NULL) + AER_RECOVERY_WAIT_S;
	char rec[1024];
	ssize_t n;

	step("wait for '%s' in /dev/kmsg (error injected for %s)", done, bdf);
	while (time(NULL) < end) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = 0;
			if (strstr(rec, done)) {
				rec[strcspn(rec, "\n")] = 0;
				note("%s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
				return;
			}
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EPIPE)
			fail();
		usleep(100 * 1000);
	}
	fail_msg("no AER recovery message within %d s", AER_RECOVERY_WAIT_S);
}

void scen_aer_fatal(const struct scen_args *a)
{
	unsigned int dom, bus, dev, fn;
	struct aer_error_inj inj = { 0 };
	struct beyond b;
	int fd, kmsg;

	if (sscanf(a->bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		fail_msg("bad BDF %s", a->bdf);
	step("open /dev/aer_inject");
	fd = open("/dev/aer_inject", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		unsupported("no /dev/aer_inject: load the aer_inject module (CONFIG_PCIEAER_INJECT), boot with pcie_ports=native");
	if (fd < 0)
		fail();
	beyond_begin(&b, a, false);
	inj.domain = dom;
	inj.bus = bus;
	inj.dev = dev;
	inj.fn = fn;
	inj.uncor_status = AER_UNC_MALF_TLP;
	kmsg = kmsg_open_at_end();
	step("inject an uncorrectable fatal error (Malformed TLP) for %s", a->bdf);
	if (write(fd, &inj, sizeof(inj)) != (ssize_t)sizeof(inj))
		fail();
	wait_aer_recovery(kmsg, a->bdf);
	close_fd(&kmsg, "/dev/kmsg");
	close_fd(&fd, "/dev/aer_inject");
	beyond_end(&b);
}

static void cfg_write16_step(const struct cfg_io *c, unsigned int reg, uint16_t val, const char *what)
{
	step("write 0x%04x to 0x%02x (%s) via %s", val, reg, what, c->via);
	if (cfg_write16(c, reg, val) < 0)
		fail();
}

static uint16_t cfg_read16_step(const struct cfg_io *c, unsigned int reg)
{
	uint16_t v;

	step("read 0x%02x via %s", reg, c->via);
	if (cfg_read16(c, reg, &v) < 0)
		fail();
	return v;
}

void scen_bridge_config(const struct scen_args *a)
{
	struct cfg_io bcfg;
	char bridge[32];
	struct beyond b;
	uint16_t ctl, cmd;

	upstream_bridge(a->bdf, bridge, sizeof(bridge));
	beyond_begin(&b, a, false);
	bar_touch(&b.m, E1000_STATUS);
	bcfg = sysfs_cfg_open(bridge);
	ctl = cfg_read16_step(&bcfg, PCI_BRIDGE_CONTROL);
	if (!a->mapped) {
		cfg_write16_step(&bcfg, PCI_BRIDGE_CONTROL, ctl ^ PCI_BRIDGE_CTL_SERR, "BRIDGE_CONTROL, SERR toggled");
		cfg_write16_step(&bcfg, PCI_BRIDGE_CONTROL, ctl, "BRIDGE_CONTROL restored");
	} else {
		cmd = cfg_read16_step(&bcfg, PCI_COMMAND);
		cfg_write16_step(&bcfg, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY, "bridge COMMAND, memory forwarding off");
		cfg_write16_step(&bcfg, PCI_COMMAND, cmd, "bridge COMMAND restored");
		cfg_write16_step(&bcfg, PCI_BRIDGE_CONTROL, ctl | PCI_BRIDGE_CTL_BUS_RESET,
				 "BRIDGE_CONTROL, secondary bus reset");
		usleep(2000);
		cfg_write16_step(&bcfg, PCI_BRIDGE_CONTROL, ctl, "BRIDGE_CONTROL, reset released");
	}
	sysfs_cfg_close(&bcfg);
	/* after a secondary bus reset the device's BARs are 0 until vfio restores them: no touch here */
	beyond_end(&b);
}

void scen_sysfs_bar_write(const struct scen_args *a)
{
	struct cfg_io scfg;
	struct beyond b;
	uint32_t bar0;

	beyond_begin(&b, a, false);
	bar_touch(&b.m, E1000_STATUS);
	scfg = sysfs_cfg_open(a->bdf);
	step("read BAR0 via %s", scfg.via);
	if (cfg_read(&scfg, PCI_BASE_ADDRESS_0, &bar0, sizeof(bar0)) < 0)
		fail();
	step("write BAR0=0x%08x (its own value) via %s", bar0, scfg.via);
	if (cfg_write(&scfg, PCI_BASE_ADDRESS_0, &bar0, sizeof(bar0)) < 0)
		fail();
	sysfs_cfg_close(&scfg);
	beyond_end(&b);
}

/*
 * Class 6: the ROM with memory decode off. rom-decode-off reads it through
 * the device fd (vfio_pci_bar_rw maps the ROM, reading its header, before
 * any gate): whatever the read returns, the header read reached a device
 * with decode off. rom-info-decode-off asks for the ROM region's info, where
 * vfio forces decode on in hardware around pci_map_rom: correct.
 */
static void rom_with_decode_off(const struct scen_args *a, bool read_it)
{
	struct vfio_region rom;
	struct vfio_dev d;
	struct cfg_io cfg;
	uint8_t buf[2];
	ssize_t n;

	vdev_open(&d, a->bdf);
	cfg = vdev_cfg(&d);
	if (read_it)
		vdev_region_info(&d, VFIO_PCI_ROM_REGION_INDEX, "ROM", &rom);
	pci_set_memory(&cfg, false);
	if (read_it) {
		step("pread 2 bytes of the ROM region with memory decode off");
		n = pread(d.device, buf, sizeof(buf), (off_t)rom.offset);
		if (n < 0)
			note("ROM pread with decode off: %s (the header was read before vfio's gate)", strerror(errno));
		else
			note("ROM pread with decode off returned %zd bytes: %02x %02x", n, buf[0], buf[n > 1]);
	} else {
		vdev_region_info(&d, VFIO_PCI_ROM_REGION_INDEX, "ROM", &rom);
		note("ROM region 0x%llx bytes (vfio forced decode on to size it)", (unsigned long long)rom.size);
	}
	pci_set_memory(&cfg, true);
	vdev_close(&d);
}

void scen_rom_decode_off(const struct scen_args *a)
{
	rom_with_decode_off(a, true);
}

void scen_rom_info_decode_off(const struct scen_args *a)
{
	rom_with_decode_off(a, false);
}

/*
 * Class 8: a process that had the device open, BAR0 mapped and touched
 * (untouched: mapped only, no fault, so no PTE) before the audit started.
 * Prints "hold: ready"; on SIGUSR1 puts it in D3hot through vfio (vfio
 * zaps: "hold: zapped"); on SIGTERM returns it to D0 and closes.
 */
static void hold(const struct scen_args *a, bool touch)
{
	struct beyond b;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		fail();
	beyond_begin(&b, a, false);
	if (touch)
		bar_touch(&b.m, E1000_STATUS);
	printf("hold: ready\n");
	while (sig != SIGTERM) {
		step("wait for SIGUSR1 (zap) or SIGTERM (close)");
		if (sigwait(&set, &sig))
			fail();
		if (sig == SIGUSR1 && !b.pm) {
			b.pm = pci_find_pm_cap(&b.cfg);
			pci_set_power_state(&b.cfg, b.pm, PM_D3HOT);
			printf("hold: zapped\n");
		}
	}
	beyond_end(&b);
}

void scen_hold(const struct scen_args *a)
{
	hold(a, true);
}

void scen_hold_untouched(const struct scen_args *a)
{
	hold(a, false);
}
