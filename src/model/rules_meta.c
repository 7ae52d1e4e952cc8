// SPDX-License-Identifier: GPL-2.0
#include "model/rules_meta.h"
#include "d0audit/rules.h"

#include <stdlib.h>
#include <string.h>

/*
 * ONE_OF(ZAP, ZAP_V61): a group of hook rows, by their names in
 * include/d0audit/hooks.h (a name not in the table does not compile, nor
 * does a fifth hook); NEEDS(group, ...): a rule's groups, at most six.
 */
#define HOOK_ID(x) D0_HOOK_##x
#define HOOK_IDS1(a) HOOK_ID(a)
#define HOOK_IDS2(a, b) HOOK_ID(a), HOOK_ID(b)
#define HOOK_IDS3(a, b, c) HOOK_ID(a), HOOK_ID(b), HOOK_ID(c)
#define HOOK_IDS4(a, b, c, d) HOOK_ID(a), HOOK_ID(b), HOOK_ID(c), HOOK_ID(d)
#define PICK_IDS(_1, _2, _3, _4, name, ...) name
#define HOOK_IDS(...) PICK_IDS(__VA_ARGS__, HOOK_IDS4, HOOK_IDS3, HOOK_IDS2, HOOK_IDS1)(__VA_ARGS__)
#define ONE_OF(...)                                                                               \
	{ sizeof((enum d0_hook_id[]){ HOOK_IDS(__VA_ARGS__) }) / sizeof(enum d0_hook_id),         \
	  { HOOK_IDS(__VA_ARGS__) } }
#define NEEDS(...) sizeof((struct d0_hook_group[]){ __VA_ARGS__ }) / sizeof(struct d0_hook_group), { __VA_ARGS__ }

#define POWER_HOOKS ONE_OF(PCI_SET_POWER_RET, PCI_SET_POWER_OLD_RET)
#define ZAP_HOOKS ONE_OF(ZAP, ZAP_V61)
#define FAULT_HOOKS ONE_OF(FAULT_INSERT_RET, FAULT_HUGE_RET, FAULT_V61_RET, FAULT_PAGE_RET)

const struct d0_rule_meta d0_rule_meta[D0_RULE_MAX + 1] = {
	[D0_RULE_ZAP_BEFORE_POWER_DOWN] = { 1, "ZAP_BEFORE_POWER_DOWN",
		"When the device's power state goes from D0 to anything else, no user PTE may have been granted "
		"on its BARs since the last zap of the whole BAR window (vfio zaps before D3hot: config.c:716, core.c:378), "
		"no IOMMU entry may point at them (a type1 VFIO_IOMMU_MAP_DMA of a BAR mmap, which the zap does not "
		"remove: it lasts until VFIO_IOMMU_UNMAP_DMA or the container's teardown), "
		"and no sysfs resourceN or /dev/mem mapping of a memory BAR may be live (vfio never zaps those).",
		"user space, or a device doing DMA through the IOMMU, could still reach the BARs of a device no longer in D0.",
		NEEDS(POWER_HOOKS, ZAP_HOOKS, FAULT_HOOKS) },
	[D0_RULE_REVOKE_BEFORE_POWER_DOWN] = { 2, "REVOKE_BEFORE_POWER_DOWN",
		"When the device leaves D0, every DMABUF on vdev->dmabufs must be revoked, whatever path moved it, "
		"runtime PM included (config.c:717, core.c:379).",
		"a DMABUF importer (a peer device doing P2P DMA) could still reach BARs of a device outside D0.",
		NEEDS(POWER_HOOKS, ONE_OF(DMABUF_MOVE)) },
	[D0_RULE_D0_BEFORE_UNREVOKE] = { 3, "D0_BEFORE_UNREVOKE",
		"vfio_pci_dma_buf_move(vdev, false) must run with the device in D0, memory decode on, and memory_lock "
		"write-held by the task (every unrevoke follows a D0 transition or __vfio_pci_memory_enabled()).",
		"importers were handed back access to BARs that were not reachable.",
		NEEDS(ONE_OF(DMABUF_MOVE)) },
	[D0_RULE_REVOKE_IN_D0] = { 4, "REVOKE_IN_D0",
		"Importers told to invalidate their mappings may touch the device while letting go, so that must "
		"happen while it is still in D0.",
		"importers were asked to quiesce against a device that was already outside D0.",
		NEEDS(ONE_OF(DMABUF_INVALIDATE, DMABUF_MOVE_NOTIFY)) },
	[D0_RULE_ZAP_REVOKE_BEFORE_MEM_DISABLE] = { 5, "ZAP_REVOKE_BEFORE_MEM_DISABLE",
		"A hardware write clearing PCI_COMMAND.MEMORY must come after the zap and the revoke (config.c:593-597 "
		"before :616), whoever writes it; a live IOMMU entry on a BAR counts as a mapping.",
		"mappings and DMABUFs pointed at BARs whose decoding was being switched off.",
		NEEDS(ONE_OF(USER_CFG_WORD, USER_CFG_DWORD), ZAP_HOOKS) },
	[D0_RULE_ZAP_REVOKE_BEFORE_RESET] = { 6, "ZAP_REVOKE_BEFORE_RESET",
		"When a reset of an open vfio device starts (pci_try_reset_function, __pci_reset_function_locked, "
		"pci_pm_reset, pci_reset_bus; and beyond vfio: pci_reset_function (sysfs reset), a secondary bus reset "
		"of any bridge above it (pcibios_reset_secondary_bus: reset_subordinate, AER recovery, slot resets), "
		"DPC, FLR), no PTE, no IOMMU entry on a BAR and no unrevoked DMABUF may remain. Where the path makes a D0 "
		"transition, the revoke follows it; the order of the zap relative to D0 does not matter.",
		"the device was reset while user space or importers could still reach its BARs.",
		NEEDS(ONE_OF(TRY_RESET, RESET_LOCKED, PM_RESET, BUS_RESET), ZAP_HOOKS) },
	[D0_RULE_NO_ACCESS_OUTSIDE_D0] = { 7, "NO_ACCESS_OUTSIDE_D0",
		"No BAR read/write through the device fd, no PTE grant, no IOMMU grant of a BAR (type1 MAP_DMA), no ROM "
		"read, no ioeventfd write and no DMABUF map may reach a device that is not in D0 or has decode off. Accesses the kernel refused (-EIO, SIGBUS) "
		"are counted as refused, not as violations. Beyond vfio: no read or write through sysfs resourceN "
		"(I/O BARs), /dev/port or /dev/mem, and no /dev/mem mmap, inside a BAR of such a device. Decode off is "
		"what vfio's config copy says or what the hardware COMMAND register was last written (or a reset "
		"cleared it to) by anyone.",
		"a stray access reached a device outside D0; on some platforms that escalates to a system fault.",
		NEEDS(ONE_OF(BAR_IO, BAR_IO_V61), FAULT_HOOKS,
		      /* issue 14: raw access from outside vfio, and decode as the hardware was told */
		      ONE_OF(SYSFS_IO_READ_RET, SYSFS_IO_READ_OLD_RET), ONE_OF(DEV_PORT_READ_RET),
		      ONE_OF(DEV_MEM_READ_RET), ONE_OF(CORE_CFG_WORD)) },
	[D0_RULE_LOCK_DISCIPLINE] = { 8, "LOCK_DISCIPLINE",
		"Zap (7.x), DMABUF move and a vfio power-down must run with vdev->memory_lock write-held by the "
		"current task (lockdep asserts core.c:328, dmabuf.c:341).",
		"a fault or access could race with the step that was supposed to exclude it.",
		NEEDS(ZAP_HOOKS, ONE_OF(VFIO_SET_POWER)) },
	[D0_RULE_FOREIGN_POWER_CHANGE] = { 9, "FOREIGN_POWER_CHANGE",
		"An open vfio device may change power state only through vfio (vfio_pci_set_power_state), runtime PM "
		"(pci_pm_runtime_suspend/resume) or a reset path.",
		"something other than vfio moved the device's power state behind its back.",
		NEEDS(POWER_HOOKS, ONE_OF(VFIO_SET_POWER), ONE_OF(PCI_RPM_SUSPEND), ONE_OF(PCI_RPM_RESUME)) },
	[D0_RULE_BYPASS] = { 10, "BYPASS",
		"PM_CTRL, PCI_COMMAND, a BAR, the ROM BAR or DEVCTL's FLR bit written through pci_user_write_config_* "
		"outside vfio_pci_config_rw (sysfs config, /proc/bus/pci, setpci), or a sysfs resource or /dev/mem mmap of "
		"a vfio-bound device's BAR; or, on a bridge above an open vfio device, a write that resets or cuts it off "
		"(BRIDGE_CONTROL secondary bus reset, COMMAND memory off, a memory window, PM_CTRL out of D0).",
		"root changed the device behind vfio's back: vfio neither zapped nor revoked for it.",
		NEEDS(ONE_OF(USER_CFG_WORD), ONE_OF(USER_CFG_BYTE), ONE_OF(USER_CFG_DWORD), ONE_OF(VFIO_CONFIG_RW)) },
	[D0_RULE_CLEANUP_BEFORE_DISABLE] = { 11, "CLEANUP_BEFORE_DISABLE",
		"At close, DMABUFs must be cleaned up (revoked) before vfio_pci_core_disable clears memory decode and "
		"releases the BARs (CVE-2026-53322, 6.19 .. 7.0.9).",
		"importers kept mappings of BARs that were being released.",
		NEEDS(ONE_OF(DISABLE), ONE_OF(DMABUF_MOVE)) },
	[D0_RULE_RUNTIME_SUSPEND_REQUESTED] = { 12, "RUNTIME_SUSPEND_REQUESTED",
		"An open vfio device runtime-suspends only after user space asked for low power (pm_runtime_engaged); "
		"otherwise vfio holds a usage count.",
		"the device went to low power without the zap and revoke of LOW_POWER_ENTRY.",
		NEEDS(ONE_OF(PCI_RPM_SUSPEND)) },
};

/*
 * journald MESSAGE_ID of each rule's violation record (journalctl MESSAGE_ID=...).
 * Fixed forever: log shippers and saved searches select on them. A new rule
 * gets a new id (python3 -c 'import uuid; print(uuid.uuid4().hex)'); never reuse one.
 */
const char *const d0_rule_message_id[D0_RULE_MAX + 1] = {
	[D0_RULE_ZAP_BEFORE_POWER_DOWN] = "e0730117b8354e919e2b4046b0f70836",
	[D0_RULE_REVOKE_BEFORE_POWER_DOWN] = "f5b4ca079d234813b7ea92e7e8ad955b",
	[D0_RULE_D0_BEFORE_UNREVOKE] = "883f2a9119b54b8c9cddf5576a5302a4",
	[D0_RULE_REVOKE_IN_D0] = "4d395722ca3646babaa03ff5f73b2a33",
	[D0_RULE_ZAP_REVOKE_BEFORE_MEM_DISABLE] = "03ab33356de14d5b9f4c7d5fa5356ec3",
	[D0_RULE_ZAP_REVOKE_BEFORE_RESET] = "163c6b58e8584defafad0b226a029d7f",
	[D0_RULE_NO_ACCESS_OUTSIDE_D0] = "d56d49dc9ced4793ad0ef88291299ffe",
	[D0_RULE_LOCK_DISCIPLINE] = "9575af181bc045589a9402d61272288f",
	[D0_RULE_FOREIGN_POWER_CHANGE] = "bd7c243d1aac48efa88c7c1903943218",
	[D0_RULE_BYPASS] = "57f8f076ea4c40d1b691a3231a3911da",
	[D0_RULE_CLEANUP_BEFORE_DISABLE] = "63df5b332c6b42cfae38d99530622d53",
	[D0_RULE_RUNTIME_SUSPEND_REQUESTED] = "2fb8309ca55943b5bfe4e3aa64b3be16",
};

static const char *const summaries[D0_RULE_MAX + 1] = {
#define D0_RULE_SUMMARY(n, name, summary) [n] = summary,
	D0_RULE_TABLE(D0_RULE_SUMMARY)
#undef D0_RULE_SUMMARY
};

const char *d0_coverage_name(enum d0_rule_coverage c)
{
	switch (c) {
	case D0_COVERED: return "covered";
	case D0_NOT_APPLICABLE: return "not-applicable";
	case D0_BLIND: return "blind";
	}
	return "?";
}

enum d0_rule_coverage d0_rule_coverage(int rule, const struct d0_hook_availability *a, const char **missing)
{
	const struct d0_rule_meta *m = &d0_rule_meta[rule];

	for (unsigned int g = 0; g < m->n_needs; g++) {
		const struct d0_hook_group *grp = &m->needs[g];
		bool works = false, absent = true, predates = true;

		for (unsigned int i = 0; i < grp->n; i++) {
			enum d0_hook_id h = grp->hook[i];

			works |= a->of[h] == D0_AVAIL_WORKS;
			absent &= a->of[h] == D0_AVAIL_NO_PATH;
			predates &= a->of[h] == D0_AVAIL_UNRECORDED;
		}
		/* a trace older than every hook of the group never claimed to watch its path */
		if (works || predates)
			continue;
		if (missing)
			*missing = d0_hook_name(grp->hook[0]);
		return absent ? D0_NOT_APPLICABLE : D0_BLIND;
	}
	return D0_COVERED;
}

int d0_rule_unwatched_at(int rule, const unsigned long long since[D0_HOOK_COUNT], unsigned long long ts_ns)
{
	const struct d0_rule_meta *m = &d0_rule_meta[rule];

	for (unsigned int g = 0; g < m->n_needs; g++) {
		const struct d0_hook_group *grp = &m->needs[g];
		unsigned long long first = ~0ULL;
		int hook = -1;

		for (unsigned int i = 0; i < grp->n; i++)
			if (since[grp->hook[i]] < first) {
				first = since[grp->hook[i]];
				hook = grp->hook[i];
			}
		/* hook stays -1 when none ever attached: coverage judges that */
		if (hook >= 0 && first > ts_ns)
			return hook;
	}
	return -1;
}

void d0_availability_live(struct d0_hook_availability *a, const struct d0_hook_plan plan[D0_HOOK_COUNT],
			  const struct d0_kernel_facts *k)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		if (plan[i].attached)
			a->of[i] = D0_AVAIL_WORKS;
		else if (!k->t[i].module_present)
			a->of[i] = D0_AVAIL_NO_MODULE;
		else if (k->t[i].requires_missing)
			a->of[i] = D0_AVAIL_NO_PATH;
		else
			a->of[i] = D0_AVAIL_MISSING;
	}
}

enum d0_hook_avail d0_avail_recorded(const char *status, const char *reason)
{
	if (d0_hook_status_parse(status) == D0_HS_ATTACHED)
		return D0_AVAIL_WORKS;
	switch (d0_plan_cause_of(reason)) {
	case D0_CAUSE_PATH_ABSENT: return D0_AVAIL_NO_PATH;
	case D0_CAUSE_MODULE_ABSENT: return D0_AVAIL_NO_MODULE;
	case D0_CAUSE_OTHER: break;
	}
	return D0_AVAIL_MISSING;
}

int d0_rule_parse(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n >= 1 && n <= D0_RULE_MAX ? (int)n : 0;
	for (int r = 1; r <= D0_RULE_MAX; r++)
		if (!strcasecmp(s, d0_rule_meta[r].name))
			return r;
	return 0;
}

/* The one-line summaries live in include/d0audit/rules.h with the rules. */
const char *d0_rule_summary(int rule)
{
	return rule >= 1 && rule <= D0_RULE_MAX ? summaries[rule] : "";
}
