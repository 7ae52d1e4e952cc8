/* SPDX-License-Identifier: GPL-2.0 */
/* The device's sysfs files: /sys/bus/pci/devices/BDF/... */
#ifndef SYSFS_H
#define SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "pci_cfg.h"

/* "DDDD:BB:DD.F" with hex digits. */
bool bdf_valid(const char *bdf);

/* Actions: print their step, exit on failure. */

/* First (lowest) device bound to vfio-pci, written to out. */
void sysfs_default_bdf(char *out, size_t len);
/* Number of the device's IOMMU group. */
int sysfs_iommu_group(const char *bdf);
/* power/runtime_status, e.g. "active", "suspended"; -1 with errno on error. */
int sysfs_runtime_status(const char *bdf, char *buf, size_t len);
/* power/control ("auto" or "on"); -1 with errno on error. */
int sysfs_power_control(const char *bdf, char *buf, size_t len);
/* Write power/control ("on" forbids runtime suspend, "auto" allows it): an action. */
void sysfs_set_power_control(const char *bdf, const char *value);
/* Open .../config read-write: a cfg_io that bypasses vfio. */
struct cfg_io sysfs_cfg_open(const char *bdf);
void sysfs_cfg_close(struct cfg_io *c);
/* Open .../resource<bar> read-write; returns the fd. */
int sysfs_resource_open(const char *bdf, int bar);
/* Size of .../resource<bar> (the BAR size). */
size_t sysfs_resource_size(const char *bdf, int bar);

#endif /* SYSFS_H */
