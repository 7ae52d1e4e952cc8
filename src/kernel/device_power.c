// SPDX-License-Identifier: GPL-2.0
#include "kernel/device_power.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_PM 0x01
#define PCI_PM_CTRL 4
#define MAX_CAPS 48 /* as the kernel's own walk: a malformed list must not loop */

static const char *const pm_names[] = { "D0", "D1", "D2", "D3hot" };

int d0_pmcsr_power_state(const unsigned char *cfg, size_t len)
{
	unsigned int pos;

	if (len < 64 || (cfg[0] == 0xff && cfg[1] == 0xff) || !(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return -1;
	pos = cfg[PCI_CAPABILITY_LIST] & ~3u;
	for (int n = 0; n < MAX_CAPS && pos >= 0x40 && pos + PCI_PM_CTRL + 2 <= len; n++) {
		if (cfg[pos] == PCI_CAP_ID_PM) {
			unsigned int pmcsr = cfg[pos + PCI_PM_CTRL] | cfg[pos + PCI_PM_CTRL + 1] << 8;

			return pmcsr == 0xffff ? -1 : (int)(pmcsr & 3);
		}
		pos = cfg[pos + 1] & ~3u;
	}
	return -1;
}

static void read_word(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

void d0_device_power_check(const char *sysfs, const char *bdf, struct d0_device_power *p)
{
	unsigned char cfg[256];
	char path[256];
	ssize_t n;
	int fd;

	memset(p, 0, sizeof(*p));
	p->pmcsr = -1;
	snprintf(p->bdf, sizeof(p->bdf), "%s", bdf);
	snprintf(path, sizeof(path), "%s/%s/power_state", sysfs, bdf);
	read_word(path, p->kernel, sizeof(p->kernel));
	snprintf(path, sizeof(path), "%s/%s/power/runtime_status", sysfs, bdf);
	read_word(path, p->runtime, sizeof(p->runtime));
	if (!strcmp(p->kernel, "D3cold")) {
		snprintf(p->note, sizeof(p->note), "config not read: the PCI core would power the device up for it");
		p->agree = true;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s/config", sysfs, bdf);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : pread(fd, cfg, sizeof(cfg), 0);
	if (fd >= 0)
		close(fd);
	if (n < 64) {
		snprintf(p->note, sizeof(p->note), "cannot read its config (root needed beyond 64 bytes)");
		return;
	}
	p->pmcsr = d0_pmcsr_power_state(cfg, (size_t)n);
	if (p->pmcsr < 0) {
		snprintf(p->note, sizeof(p->note), "no PM capability, or config reads all-ones");
		p->agree = !strcmp(p->kernel, "unknown");
		return;
	}
	p->agree = !strcmp(p->kernel, pm_names[p->pmcsr]);
	if (!p->agree)
		snprintf(p->note, sizeof(p->note), "kernel says %s, PMCSR says %s: PM_CTRL written behind the PCI core?",
			 p->kernel, pm_names[p->pmcsr]);
}
