// SPDX-License-Identifier: GPL-2.0
#include "pci_cfg.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <unistd.h>

#include "report.h"

static const char *const state_name[] = { "D0", "D1", "D2", "D3hot" };

int cfg_read(const struct cfg_io *c, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(c->fd, buf, len, (off_t)(c->base + off));

	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = ENODATA;
		return -1;
	}
	return 0;
}

int cfg_write(const struct cfg_io *c, unsigned int off, const void *buf, size_t len)
{
	ssize_t n = pwrite(c->fd, buf, len, (off_t)(c->base + off));

	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = ENODATA;
		return -1;
	}
	return 0;
}

/* Config space is little endian; so is every target of this tool (x86-64). */
int cfg_read16(const struct cfg_io *c, unsigned int off, uint16_t *val)
{
	return cfg_read(c, off, val, sizeof(*val));
}

int cfg_write16(const struct cfg_io *c, unsigned int off, uint16_t val)
{
	return cfg_write(c, off, &val, sizeof(val));
}

static uint8_t read8_or_fail(const struct cfg_io *c, unsigned int off)
{
	uint8_t v;

	if (cfg_read(c, off, &v, sizeof(v)) < 0)
		fail();
	return v;
}

static uint16_t read16_or_fail(const struct cfg_io *c, unsigned int off)
{
	uint16_t v;

	if (cfg_read16(c, off, &v) < 0)
		fail();
	return v;
}

unsigned int pci_find_pm_cap(const struct cfg_io *c)
{
	unsigned int pos, guard;

	step("find PM capability via %s", c->via);
	if (!(read16_or_fail(c, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		fail_msg("no capability list");
	pos = read8_or_fail(c, PCI_CAPABILITY_LIST) & ~3u;
	/* 48 = max capabilities in 256 bytes; stops a looping list. */
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (read8_or_fail(c, pos + PCI_CAP_LIST_ID) == PCI_CAP_ID_PM) {
			info("PM capability at 0x%02x", pos);
			return pos;
		}
		pos = read8_or_fail(c, pos + PCI_CAP_LIST_NEXT) & ~3u;
	}
	fail_msg("no PM capability in the capability list");
}

void pci_set_power_state(const struct cfg_io *c, unsigned int pm_cap,
			 unsigned int state)
{
	unsigned int reg = pm_cap + PCI_PM_CTRL;
	uint16_t old, val;

	step("read PM_CTRL (0x%02x) via %s", reg, c->via);
	old = read16_or_fail(c, reg);
	/* Keep PME_En; never write 1 to PME_Status (RW1C). */
	val = (uint16_t)((old & ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS)) | state);
	info("PM_CTRL 0x%04x -> 0x%04x", old, val);

	step("write PM_CTRL=0x%04x (%s) via %s", val, state_name[state], c->via);
	if (cfg_write16(c, reg, val) < 0)
		fail();

	step("read back PM_CTRL via %s", c->via);
	old = read16_or_fail(c, reg);
	if ((old & PCI_PM_CTRL_STATE_MASK) != state)
		fail_msg("PM_CTRL reads 0x%04x, power state is not %s",
			 old, state_name[state]);
}

uint16_t pci_read_command(const struct cfg_io *c)
{
	return read16_or_fail(c, PCI_COMMAND);
}

void pci_set_memory(const struct cfg_io *c, bool enable)
{
	uint16_t cmd, val;

	step("read COMMAND via %s", c->via);
	cmd = read16_or_fail(c, PCI_COMMAND);
	val = enable ? (cmd | PCI_COMMAND_MEMORY) : (cmd & ~PCI_COMMAND_MEMORY);
	info("COMMAND 0x%04x -> 0x%04x", cmd, val);

	step("write COMMAND=0x%04x (memory %s) via %s", val,
	     enable ? "on" : "off", c->via);
	if (cfg_write16(c, PCI_COMMAND, val) < 0)
		fail();

	step("read back COMMAND via %s", c->via);
	cmd = read16_or_fail(c, PCI_COMMAND);
	if (!!(cmd & PCI_COMMAND_MEMORY) != enable)
		fail_msg("COMMAND reads 0x%04x, memory is not %s",
			 cmd, enable ? "on" : "off");
}
