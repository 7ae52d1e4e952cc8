/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration space through a file descriptor: either the vfio config
 * region of the device fd (base = region offset) or
 * /sys/bus/pci/devices/BDF/config (base = 0). The same register-level actions
 * (PM_CTRL power state, COMMAND memory enable) then work on both paths.
 */
#ifndef PCI_CFG_H
#define PCI_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PM_CTRL power state field values. */
#define PM_D0 0
#define PM_D3HOT 3

struct cfg_io {
	int fd;
	uint64_t base;		/* file offset of config register 0 */
	const char *via;	/* "vfio config region" / "sysfs config" */
};

/* Raw accessors: 0 on success, -1 with errno set (ENODATA: short transfer). */
int cfg_read(const struct cfg_io *c, unsigned int off, void *buf, size_t len);
int cfg_write(const struct cfg_io *c, unsigned int off, const void *buf, size_t len);
int cfg_read16(const struct cfg_io *c, unsigned int off, uint16_t *val);
int cfg_write16(const struct cfg_io *c, unsigned int off, uint16_t val);

/* Actions: print their step, exit on failure. */

/* Walk the capability list; returns the PM capability offset. */
unsigned int pci_find_pm_cap(const struct cfg_io *c);
/* Write PM_CTRL power state (0 = D0 .. 3 = D3hot), then read it back. */
void pci_set_power_state(const struct cfg_io *c, unsigned int pm_cap,
			 unsigned int state);
/* Returns the COMMAND register value. */
uint16_t pci_read_command(const struct cfg_io *c);
/* Set or clear COMMAND.MEMORY (other bits kept), then read it back. */
void pci_set_memory(const struct cfg_io *c, bool enable);

#endif /* PCI_CFG_H */
