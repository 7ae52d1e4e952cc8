/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware cross-check of a device's power state: the kernel's view
 * (sysfs power_state, i.e. pdev->current_state) against the PowerState bits
 * of the PMCSR register read from config space. They disagree when someone
 * wrote PM_CTRL behind the PCI core's back, or the device changed by itself.
 */
#ifndef D0AUDIT_DEVICE_POWER_H
#define D0AUDIT_DEVICE_POWER_H

#include <stdbool.h>
#include <stddef.h>

struct d0_device_power {
	char bdf[16];
	char kernel[16];      /* "D0", "D3hot", "D3cold", "unknown", or "?" if unreadable */
	char runtime[16];     /* power/runtime_status */
	int pmcsr;            /* 0..3 = D0..D3hot from PMCSR, -1 not read (see note) */
	bool agree;
	char note[112];        /* why PMCSR was not read, or what disagrees */
};

/*
 * PowerState (PMCSR bits 1:0) from raw config space bytes: walks the
 * capability list to the PM capability. 0..3, or -1 with no capability list,
 * no PM capability, a looping list, or an all-ones read (device gone/D3cold).
 */
int d0_pmcsr_power_state(const unsigned char *cfg, size_t len);

/*
 * Fill `p` for device `bdf` from `sysfs` (normally "/sys/bus/pci/devices").
 * Config space is not read for a device the kernel thinks is in D3cold: the
 * PCI core would power it up to serve the read.
 */
void d0_device_power_check(const char *sysfs, const char *bdf, struct d0_device_power *p);

#endif
