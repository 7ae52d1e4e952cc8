/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule table (tests/unit/test_rule_table.c): one base event per rule that breaks
 * exactly that rule, and rows that change up to three of its fields, with the verdict
 * for that rule in strict and kernel mode. Shared with tests/vm/rule_table_bpf.c, which
 * runs the same events through the BPF build of rules.h (BPF_PROG_TEST_RUN).
 */
#ifndef D0AUDIT_TEST_RULE_TABLE_H
#define D0AUDIT_TEST_RULE_TABLE_H

#include <stddef.h>
#include <linux/types.h>

#include "d0audit/rules.h"

enum field { F_NONE, F_KIND, F_PHASE, F_POWER, F_BEFORE, F_ST_SET, F_ST_CLR, F_CTX, F_A0, F_A1, F_A2, F_A3,
	     F_RET, F_UNREV };
#define D0_RT_FLIPS 5

struct flip {
	enum field f;
	long long v;
};
/* one row: a rule's base event with up to D0_RT_FLIPS fields changed, and the verdict for that rule */
struct row {
	int rule;
	const char *what;
	struct flip flips[D0_RT_FLIPS];
	int strict, kernel;
};

#define VK D0_ST_VDEV_KNOWN
static const struct d0_event bases[D0_RULE_MAX + 1] = {
	[1] = { .kind = D0_EV_POWER_CHANGE, .phase = D0_PH_EXIT, .power_before = D0_PWR_D0, .power = D0_PWR_D3HOT,
		.state = VK | D0_ST_MAPPED | D0_ST_LOCK_W_CURRENT },
	[2] = { .kind = D0_EV_POWER_CHANGE, .phase = D0_PH_EXIT, .power_before = D0_PWR_D0, .power = D0_PWR_D3HOT,
		.state = VK | D0_ST_LOCK_W_CURRENT, .nr_dmabufs = 1, .nr_unrevoked = 1 },
	[3] = { .kind = D0_EV_DMABUF_MOVE, .phase = D0_PH_ENTRY, .power = D0_PWR_D3HOT, .a0 = 0,
		.state = VK | D0_ST_MEM_ENABLED | D0_ST_LOCK_W_CURRENT },
	[4] = { .kind = D0_EV_DMABUF_FLIP, .phase = D0_PH_POINT, .power = D0_PWR_D3HOT, .state = VK },
	[5] = { .kind = D0_EV_USER_CONFIG_WRITE, .phase = D0_PH_ENTRY, .a0 = D0_PCI_COMMAND, .a1 = 0x4, .a3 = 2,
		.ctx = D0_CTX_VFIO_CONFIG, .state = VK | D0_ST_MAPPED },
	[6] = { .kind = D0_EV_RESET, .phase = D0_PH_ENTRY, .state = VK | D0_ST_OPEN | D0_ST_MAPPED,
		.ctx = D0_CTX_RESET },
	[7] = { .kind = D0_EV_BAR_ACCESS, .phase = D0_PH_ENTRY, .power = D0_PWR_D3HOT, .a1 = 0,
		.state = VK | D0_ST_MEM_ENABLED },
	[8] = { .kind = D0_EV_ZAP, .phase = D0_PH_ENTRY, .state = VK | D0_ST_LOCK_W_OTHER },
	[9] = { .kind = D0_EV_POWER_CHANGE, .phase = D0_PH_EXIT, .power_before = D0_PWR_D3HOT, .power = D0_PWR_D0,
		.state = VK | D0_ST_OPEN, .ctx = D0_CTX_PCI_POWER },
	[10] = { .kind = D0_EV_USER_CONFIG_WRITE, .phase = D0_PH_ENTRY, .a0 = D0_PCI_COMMAND, .a1 = 0x6, .a3 = 2,
		 .state = VK },
	[11] = { .kind = D0_EV_DISABLE, .phase = D0_PH_ENTRY, .state = VK, .nr_dmabufs = 1, .nr_unrevoked = 1 },
	[12] = { .kind = D0_EV_RPM_SUSPEND, .phase = D0_PH_ENTRY, .state = VK | D0_ST_OPEN, .ctx = D0_CTX_RPM_SUSPEND },
};

/* The state and context bits each rule's verdict may depend on (the rest must not move it). */
static const __u32 rule_state[D0_RULE_MAX + 1] = {
	[1] = VK | D0_ST_MAPPED | D0_ST_RAW_MAPPED,
	[2] = VK,
	[3] = VK | D0_ST_MEM_ENABLED | D0_ST_LOCK_W_CURRENT,
	[4] = VK,
	[5] = VK | D0_ST_MAPPED | D0_ST_RAW_MAPPED,
	[6] = VK | D0_ST_OPEN | D0_ST_CLOSING | D0_ST_MAPPED | D0_ST_RAW_MAPPED,
	[7] = VK | D0_ST_MEM_ENABLED | D0_ST_ENGAGED | D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF | D0_ST_HW_IO_OFF,
	[8] = VK | D0_ST_LOCK_W_CURRENT,
	[9] = VK | D0_ST_OPEN | D0_ST_CLOSING,
	[10] = VK,
	[11] = VK,
	[12] = VK | D0_ST_OPEN | D0_ST_CLOSING | D0_ST_ENGAGED,
};
static const __u32 rule_ctx[D0_RULE_MAX + 1] = {
	[9] = D0_CTX_POWER_OWNERS,
	[10] = D0_CTX_VFIO_CONFIG,
};

#define FL(field, value) { F_##field, (long long)(value) }
#define SET(bits) FL(ST_SET, bits)
#define CLR(bits) FL(ST_CLR, bits)
#define BOTH(x) x, x

static const struct row rows[] = {
	/* 1: leaving D0 while mapped */
	{ 1, "base: D0 -> D3hot mapped", {}, BOTH(1) },
	{ 1, "power-update too", { FL(KIND, D0_EV_POWER_UPDATE) }, BOTH(1) },
	{ 1, "power-request is not a transition", { FL(KIND, D0_EV_POWER_REQUEST) }, BOTH(0) },
	{ 1, "entry: not yet left", { FL(PHASE, D0_PH_ENTRY) }, BOTH(0) },
	{ 1, "point", { FL(PHASE, D0_PH_POINT) }, BOTH(0) },
	{ 1, "not mapped", { CLR(D0_ST_MAPPED) }, BOTH(0) },
	{ 1, "mapped unknown alone is not mapped", { CLR(D0_ST_MAPPED), SET(D0_ST_MAPPED_UNKNOWN) }, BOTH(0) },
	{ 1, "not a vfio device", { CLR(VK) }, BOTH(0) },
	{ 1, "from D3hot: was not in D0", { FL(BEFORE, D0_PWR_D3HOT) }, BOTH(0) },
	{ 1, "from D1 to D3hot", { FL(BEFORE, D0_PWR_D1) }, BOTH(0) },
	{ 1, "to D0", { FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 1, "to D1", { FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 1, "to D2", { FL(POWER, D0_PWR_D2) }, 1, 0 },
	{ 1, "to D3cold", { FL(POWER, D0_PWR_D3COLD) }, BOTH(1) },
	{ 1, "to power error", { FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 1, "to unknown", { FL(POWER, D0_PWR_UNKNOWN) }, BOTH(1) },
	{ 1, "unrevoked DMABUFs are rule 2's", { CLR(D0_ST_MAPPED), FL(UNREV, 1) }, BOTH(0) },
	{ 1, "an IOMMU grant on a BAR is a mapping (BPF sets both bits)", { SET(D0_ST_IOMMU_MAPPED) }, BOTH(1) },
	{ 1, "issue 14: a live sysfs/devmem mapping is a PTE", { CLR(D0_ST_MAPPED), SET(D0_ST_RAW_MAPPED) }, BOTH(1) },
	{ 1, "issue 14: raw mapping, to D0", { CLR(D0_ST_MAPPED), SET(D0_ST_RAW_MAPPED), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	/* 2: leaving D0 with an unrevoked DMABUF */
	{ 2, "base: D0 -> D3hot, one unrevoked", {}, BOTH(1) },
	{ 2, "all revoked", { FL(UNREV, 0) }, BOTH(0) },
	{ 2, "two unrevoked", { FL(UNREV, 2) }, BOTH(1) },
	{ 2, "power-update", { FL(KIND, D0_EV_POWER_UPDATE) }, BOTH(1) },
	{ 2, "dmabuf-move", { FL(KIND, D0_EV_DMABUF_MOVE), FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 2, "entry", { FL(PHASE, D0_PH_ENTRY) }, BOTH(0) },
	{ 2, "from D2", { FL(BEFORE, D0_PWR_D2) }, BOTH(0) },
	{ 2, "to D0", { FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 2, "to D1", { FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 2, "to D3cold", { FL(POWER, D0_PWR_D3COLD) }, BOTH(1) },
	{ 2, "to power error", { FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 2, "not a vfio device", { CLR(VK) }, BOTH(0) },
	{ 2, "mapped is rule 1's", { FL(UNREV, 0), SET(D0_ST_MAPPED) }, BOTH(0) },
	/* 3: unrevoke in D0, decode on, under the lock */
	{ 3, "base: unrevoke in D3hot", {}, BOTH(1) },
	{ 3, "revoke", { FL(A0, 1) }, BOTH(0) },
	{ 3, "exit", { FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 3, "flip, not move", { FL(KIND, D0_EV_DMABUF_FLIP) }, BOTH(0) },
	{ 3, "in D0, decode on, locked", { FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 3, "in D1", { FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 3, "in D2", { FL(POWER, D0_PWR_D2) }, 1, 0 },
	{ 3, "in D3cold", { FL(POWER, D0_PWR_D3COLD) }, BOTH(1) },
	{ 3, "in power error", { FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 3, "D0 but decode off", { FL(POWER, D0_PWR_D0), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 3, "D0 but not locked", { FL(POWER, D0_PWR_D0), CLR(D0_ST_LOCK_W_CURRENT) }, BOTH(1) },
	{ 3, "D0, locked by another task", { FL(POWER, D0_PWR_D0), CLR(D0_ST_LOCK_W_CURRENT), SET(D0_ST_LOCK_W_OTHER) },
	  BOTH(1) },
	{ 3, "D1 in kernel mode, decode off", { FL(POWER, D0_PWR_D1), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 3, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 4: importers told while in D0 */
	{ 4, "base: flip in D3hot", {}, BOTH(1) },
	{ 4, "in D0", { FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 4, "in D1", { FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 4, "in D2", { FL(POWER, D0_PWR_D2) }, 1, 0 },
	{ 4, "in D3cold", { FL(POWER, D0_PWR_D3COLD) }, BOTH(1) },
	{ 4, "in power error", { FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 4, "any phase: entry", { FL(PHASE, D0_PH_ENTRY) }, BOTH(1) },
	{ 4, "any phase: exit", { FL(PHASE, D0_PH_EXIT) }, BOTH(1) },
	{ 4, "dmabuf-cleanup is not a flip", { FL(KIND, D0_EV_DMABUF_CLEANUP) }, BOTH(0) },
	{ 4, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 5: COMMAND.MEMORY cleared in hardware while reachable (whoever writes it) */
	{ 5, "base: COMMAND word write, memory off, mapped", {}, BOTH(1) },
	{ 5, "issue 14: a live raw mapping", { CLR(D0_ST_MAPPED), SET(D0_ST_RAW_MAPPED) }, BOTH(1) },
	{ 5, "memory stays on", { FL(A1, 0x6) }, BOTH(0) },
	{ 5, "only the memory bit", { FL(A1, 0x2) }, BOTH(0) },
	{ 5, "nothing reachable", { CLR(D0_ST_MAPPED) }, BOTH(0) },
	{ 5, "an unrevoked DMABUF", { CLR(D0_ST_MAPPED), FL(UNREV, 1) }, BOTH(1) },
	{ 5, "byte write of COMMAND", { FL(A3, 1) }, BOTH(1) },
	{ 5, "byte write of COMMAND's high byte", { FL(A0, 5), FL(A3, 1) }, BOTH(0) },
	{ 5, "byte write just below COMMAND", { FL(A0, 3), FL(A3, 1) }, BOTH(0) },
	{ 5, "dword at 0: ends below COMMAND", { FL(A0, 0), FL(A3, 4), FL(A1, 0) }, BOTH(0) },
	{ 5, "dword at 2, memory off", { FL(A0, 2), FL(A3, 4), FL(A1, 0x10000) }, BOTH(1) },
	{ 5, "dword at 2, memory on", { FL(A0, 2), FL(A3, 4), FL(A1, 0x20000) }, BOTH(0) },
	{ 5, "dword at 1, memory off", { FL(A0, 1), FL(A3, 4), FL(A1, 0) }, BOTH(1) },
	{ 5, "dword at 1, memory on", { FL(A0, 1), FL(A3, 4), FL(A1, 0x2000000) }, BOTH(0) },
	{ 5, "a BAR register", { FL(A0, 0x10), FL(A3, 4) }, BOTH(0) },
	{ 5, "vfio's emulated write is not the hardware write", { FL(KIND, D0_EV_CONFIG_WRITE) }, BOTH(0) },
	{ 5, "in D3hot too", { FL(POWER, D0_PWR_D3HOT) }, BOTH(1) },
	{ 5, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 6: reset with something reachable, while open */
	{ 6, "base: reset entry, open, mapped", {}, BOTH(1) },
	{ 6, "issue 14: a live raw mapping", { CLR(D0_ST_MAPPED), SET(D0_ST_RAW_MAPPED) }, BOTH(1) },
	{ 6, "exit", { FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 6, "hot-reset event kind", { FL(KIND, D0_EV_HOT_RESET) }, BOTH(0) },
	{ 6, "nothing reachable", { CLR(D0_ST_MAPPED) }, BOTH(0) },
	{ 6, "an unrevoked DMABUF", { CLR(D0_ST_MAPPED), FL(UNREV, 1) }, BOTH(1) },
	{ 6, "closed", { CLR(D0_ST_OPEN) }, BOTH(0) },
	{ 6, "reset during close", { SET(D0_ST_CLOSING) }, BOTH(0) },
	{ 6, "in D3hot too", { FL(POWER, D0_PWR_D3HOT) }, BOTH(1) },
	{ 6, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 7: accesses reaching a device not in D0 or with decode off */
	{ 7, "base: I/O-style BAR access in D3hot", {}, BOTH(1) },
	{ 7, "in D0", { FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "in D1", { FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "in D3cold", { FL(POWER, D0_PWR_D3COLD) }, BOTH(1) },
	{ 7, "in power error", { FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 7, "no decode needed: decode off does not matter", { CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "no decode needed, D0, decode off", { FL(POWER, D0_PWR_D0), CLR(D0_ST_MEM_ENABLED) }, BOTH(0) },
	{ 7, "test_mem in D3hot: vfio's gate refuses it", { FL(A1, 1) }, BOTH(0) },
	{ 7, "test_mem in D1: the gate lets it through", { FL(A1, 1), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "test_mem in D2", { FL(A1, 1), FL(POWER, D0_PWR_D2) }, 1, 0 },
	{ 7, "test_mem in power error: the gate lets it through", { FL(A1, 1), FL(POWER, D0_PWR_ERROR) }, BOTH(1) },
	{ 7, "test_mem in D1, decode off: the gate refuses it", { FL(A1, 1), FL(POWER, D0_PWR_D1), CLR(D0_ST_MEM_ENABLED) },
	  BOTH(0) },
	{ 7, "test_mem in D0", { FL(A1, 1), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "ioeventfd write, as a BAR access", { FL(KIND, D0_EV_IOEVENTFD_WRITE) }, BOTH(1) },
	{ 7, "ioeventfd test_mem in D1", { FL(KIND, D0_EV_IOEVENTFD_WRITE), FL(A1, 1), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "ioeventfd test_mem in D3hot", { FL(KIND, D0_EV_IOEVENTFD_WRITE), FL(A1, 1) }, BOTH(0) },
	{ 7, "rom map in D3hot", { FL(KIND, D0_EV_ROM_MAP) }, BOTH(1) },
	{ 7, "rom map in D1", { FL(KIND, D0_EV_ROM_MAP), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "rom map in D0", { FL(KIND, D0_EV_ROM_MAP), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "vga in D3hot", { FL(KIND, D0_EV_VGA_ACCESS) }, BOTH(1) },
	{ 7, "vga in D2", { FL(KIND, D0_EV_VGA_ACCESS), FL(POWER, D0_PWR_D2) }, 1, 0 },
	{ 7, "vga in D0", { FL(KIND, D0_EV_VGA_ACCESS), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "bar-rw-done is the outcome, not the access", { FL(KIND, D0_EV_BAR_RW_DONE) }, BOTH(0) },
	{ 7, "IOMMU grant on a BAR in D3hot", { FL(KIND, D0_EV_IOMMU_MAP) }, BOTH(1) },
	{ 7, "IOMMU grant on a BAR in D1", { FL(KIND, D0_EV_IOMMU_MAP), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "IOMMU grant on a BAR in D0", { FL(KIND, D0_EV_IOMMU_MAP), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "IOMMU grant on a BAR in D0, decode off", { FL(KIND, D0_EV_IOMMU_MAP), FL(POWER, D0_PWR_D0),
	  CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "IOMMU entries removed in D3hot: not a grant", { FL(KIND, D0_EV_IOMMU_UNMAP) }, BOTH(0) },
	{ 7, "a config write is not a BAR access", { FL(KIND, D0_EV_CONFIG_WRITE) }, BOTH(0) },
	{ 7, "not a vfio device", { CLR(VK) }, BOTH(0) },
};

/* Rule 7's other event kinds need their own bases: each row sets the kind first. */
static const struct row rows7[] = {
	{ 7, "fault granted in D3hot", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT) }, BOTH(1) },
	{ 7, "fault granted with NOPAGE", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(RET, D0_VM_FAULT_NOPAGE) },
	  BOTH(1) },
	{ 7, "fault refused with SIGBUS", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(RET, 0x2) }, BOTH(0) },
	{ 7, "fault refused with OOM", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(RET, 0x1) }, BOTH(0) },
	{ 7, "fault refused with FALLBACK", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(RET, 0x800) }, BOTH(0) },
	{ 7, "fault entry: not granted yet", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_ENTRY) }, BOTH(0) },
	{ 7, "fault in D1", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "fault in D0", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	{ 7, "dmabuf map granted in D3hot", { FL(KIND, D0_EV_DMABUF_MAP), FL(PHASE, D0_PH_EXIT) }, BOTH(1) },
	{ 7, "dmabuf map refused", { FL(KIND, D0_EV_DMABUF_MAP), FL(PHASE, D0_PH_EXIT), FL(RET, -1) }, BOTH(0) },
	{ 7, "dmabuf map in D1", { FL(KIND, D0_EV_DMABUF_MAP), FL(PHASE, D0_PH_EXIT), FL(POWER, D0_PWR_D1) }, 1, 0 },
	{ 7, "dmabuf map in D0", { FL(KIND, D0_EV_DMABUF_MAP), FL(PHASE, D0_PH_EXIT), FL(POWER, D0_PWR_D0) }, BOTH(0) },
	/* bar-rw-done: bytes moved where vfio's gate must refuse (a broken gate) */
	{ 7, "bar-rw-done: memory BAR read in D3hot moved bytes", { FL(KIND, D0_EV_BAR_RW_DONE), FL(PHASE, D0_PH_EXIT),
	  FL(A1, 1), FL(RET, 4) }, BOTH(1) },
	{ 7, "bar-rw-done: in D3cold", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 4), FL(POWER, D0_PWR_D3COLD) },
	  BOTH(1) },
	{ 7, "bar-rw-done: refused with -EIO", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, -5) }, BOTH(0) },
	{ 7, "bar-rw-done: nothing moved", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 0) }, BOTH(0) },
	{ 7, "bar-rw-done: an I/O BAR is judged at entry", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 0), FL(RET, 4) },
	  BOTH(0) },
	{ 7, "bar-rw-done: D1 with decode on is judged at entry", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 4),
	  FL(POWER, D0_PWR_D1) }, BOTH(0) },
	{ 7, "bar-rw-done: D1 with decode off moved bytes", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 4),
	  FL(POWER, D0_PWR_D1), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "bar-rw-done: power error passes the gate (judged at entry)", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1),
	  FL(RET, 4), FL(POWER, D0_PWR_ERROR) }, BOTH(0) },
	/* issue 14 class 3: raw access from outside vfio, judged on what moved */
	{ 7, "raw: sysfs I/O read in D3hot moved bytes", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_SYSFS_IO),
	  FL(RET, 2) }, BOTH(1) },
	{ 7, "raw: /dev/port in D3hot", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_PORT), FL(RET, 1) }, BOTH(1) },
	{ 7, "raw: /dev/mem in D3hot", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_MEM), FL(RET, 4) }, BOTH(1) },
	{ 7, "raw: refused", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_MEM), FL(RET, -1) }, BOTH(0) },
	{ 7, "raw: nothing moved", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_SYSFS_IO), FL(RET, 0) }, BOTH(0) },
	{ 7, "raw: in D1", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_PORT), FL(RET, 1), FL(POWER, D0_PWR_D1) },
	  1, 0 },
	{ 7, "raw: /dev/mem mmap of a D3hot device", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, 0) }, BOTH(1) },
	{ 7, "raw: /dev/mem mmap refused", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, -1) }, BOTH(0) },
	/* issue 14 class 5: vfio's gate reads vconfig; the hardware's decode does not change what passes it */
	{ 7, "test_mem in D1, decode off only in hardware: the gate lets it through", { FL(A1, 1),
	  FL(POWER, D0_PWR_D1), SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, 1, 0 },
};

/* Rule 7 in D0: what decode-off and low power mean for faults and DMABUF maps. */
static const struct row rows7_d0[] = {
	{ 7, "fault in D0, decode off", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "fault in D0, low power engaged", { FL(KIND, D0_EV_FAULT), FL(PHASE, D0_PH_EXIT), SET(D0_ST_ENGAGED) },
	  BOTH(1) },
	{ 7, "fault refused in D0 while engaged", { FL(KIND, D0_EV_FAULT), FL(RET, 0x2), SET(D0_ST_ENGAGED) }, BOTH(0) },
	{ 7, "dmabuf map in D0, decode off", { FL(KIND, D0_EV_DMABUF_MAP), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "dmabuf map in D0, engaged is not rule 7's", { FL(KIND, D0_EV_DMABUF_MAP), SET(D0_ST_ENGAGED) }, BOTH(0) },
	{ 7, "bar access in D0 while engaged", { SET(D0_ST_ENGAGED) }, BOTH(0) },
	{ 7, "bar-rw-done in D0, decode off, bytes moved (gate broken)", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1),
	  FL(RET, 4), CLR(D0_ST_MEM_ENABLED) }, BOTH(1) },
	{ 7, "bar-rw-done in D0, decode off, an I/O BAR", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 0), FL(RET, 4),
	  CLR(D0_ST_MEM_ENABLED) }, BOTH(0) },
	{ 7, "bar-rw-done in D0, decode on", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 4) }, BOTH(0) },
	/* issue 14 class 5: decode as the hardware COMMAND was last written, vconfig still on */
	{ 7, "hw: bar-rw-done in D0, memory decode off in hardware", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1),
	  FL(RET, 4), SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(1) },
	{ 7, "hw: unknown hardware state is not off", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1), FL(RET, 4),
	  SET(D0_ST_HW_MEM_OFF) }, BOTH(0) },
	{ 7, "hw: only I/O decode off: a memory BAR still decodes", { FL(KIND, D0_EV_BAR_RW_DONE), FL(A1, 1),
	  FL(RET, 4), SET(D0_ST_HW_KNOWN | D0_ST_HW_IO_OFF) }, BOTH(0) },
	{ 7, "hw: fault granted with memory decode off in hardware", { FL(KIND, D0_EV_FAULT),
	  SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(1) },
	{ 7, "hw: dmabuf map with memory decode off in hardware", { FL(KIND, D0_EV_DMABUF_MAP),
	  SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(1) },
	{ 7, "hw: rom map with decode off in hardware", { FL(KIND, D0_EV_ROM_MAP), SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) },
	  BOTH(1) },
	{ 7, "raw: sysfs I/O read in D0, I/O decode off in hardware", { FL(KIND, D0_EV_RAW_ACCESS),
	  FL(A0, D0_RAW_SYSFS_IO), FL(RET, 2), SET(D0_ST_HW_KNOWN | D0_ST_HW_IO_OFF) }, BOTH(1) },
	{ 7, "raw: I/O read, only memory decode off", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_PORT), FL(RET, 1),
	  SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(0) },
	{ 7, "raw: I/O read in D0, hardware state unknown", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_PORT),
	  FL(RET, 1), SET(D0_ST_HW_IO_OFF) }, BOTH(0) },
	{ 7, "raw: /dev/mem read in D0, memory decode off in hardware", { FL(KIND, D0_EV_RAW_ACCESS),
	  FL(A0, D0_RAW_DEV_MEM), FL(RET, 4), SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(1) },
	{ 7, "raw: /dev/mem read in D0, vfio's copy says off: not the hardware", { FL(KIND, D0_EV_RAW_ACCESS),
	  FL(A0, D0_RAW_DEV_MEM), FL(RET, 4), CLR(D0_ST_MEM_ENABLED) }, BOTH(0) },
	{ 7, "raw: /dev/mem read in D0, decode on", { FL(KIND, D0_EV_RAW_ACCESS), FL(A0, D0_RAW_DEV_MEM), FL(RET, 4) },
	  BOTH(0) },
	{ 7, "raw: /dev/mem mmap in D0", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, 0) }, BOTH(0) },
	{ 7, "raw: /dev/mem mmap in D0, decode off in hardware", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, 0),
	  SET(D0_ST_HW_KNOWN | D0_ST_HW_MEM_OFF) }, BOTH(1) },
};

static const struct row rows_rest[] = {
	/* 8: zap, move and power-down under memory_lock write-held by this task */
	{ 8, "base: zap entry, lock held by another task", {}, BOTH(1) },
	{ 8, "zap under the lock", { SET(D0_ST_LOCK_W_CURRENT) }, BOTH(0) },
	{ 8, "zap exit (6.1 zaps before the lock)", { FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 8, "zap point", { FL(PHASE, D0_PH_POINT) }, BOTH(0) },
	{ 8, "revoke entry unlocked", { FL(KIND, D0_EV_DMABUF_MOVE), FL(A0, 1) }, BOTH(1) },
	{ 8, "revoke entry locked", { FL(KIND, D0_EV_DMABUF_MOVE), FL(A0, 1), SET(D0_ST_LOCK_W_CURRENT) }, BOTH(0) },
	{ 8, "revoke exit unlocked", { FL(KIND, D0_EV_DMABUF_MOVE), FL(A0, 1), FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 8, "power request to D3hot unlocked", { FL(KIND, D0_EV_POWER_REQUEST), FL(A0, D0_PWR_D3HOT) }, BOTH(1) },
	{ 8, "power request to D1 unlocked", { FL(KIND, D0_EV_POWER_REQUEST), FL(A0, D0_PWR_D1) }, BOTH(1) },
	{ 8, "power request to D0 unlocked", { FL(KIND, D0_EV_POWER_REQUEST), FL(A0, D0_PWR_D0) }, BOTH(0) },
	{ 8, "power request to D3hot locked", { FL(KIND, D0_EV_POWER_REQUEST), FL(A0, D0_PWR_D3HOT), SET(D0_ST_LOCK_W_CURRENT) },
	  BOTH(0) },
	{ 8, "power request exit", { FL(KIND, D0_EV_POWER_REQUEST), FL(A0, D0_PWR_D3HOT), FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 8, "power change is not a request", { FL(KIND, D0_EV_POWER_CHANGE), FL(A0, D0_PWR_D3HOT) }, BOTH(0) },
	{ 8, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 9: an open device's power changed by a path that does not own it */
	{ 9, "base: D3hot -> D0 by pci power alone", {}, BOTH(1) },
	{ 9, "down too", { FL(BEFORE, D0_PWR_D0), FL(POWER, D0_PWR_D3HOT) }, BOTH(1) },
	{ 9, "D0 -> D1, either mode", { FL(BEFORE, D0_PWR_D0), FL(POWER, D0_PWR_D1) }, BOTH(1) },
	{ 9, "no change", { FL(BEFORE, D0_PWR_D0) }, BOTH(0) },
	{ 9, "power-update", { FL(KIND, D0_EV_POWER_UPDATE) }, BOTH(1) },
	{ 9, "entry", { FL(PHASE, D0_PH_ENTRY) }, BOTH(0) },
	{ 9, "power request", { FL(KIND, D0_EV_POWER_REQUEST) }, BOTH(0) },
	{ 9, "closed", { CLR(D0_ST_OPEN) }, BOTH(0) },
	{ 9, "closing", { SET(D0_ST_CLOSING) }, BOTH(0) },
	{ 9, "by vfio", { FL(CTX, D0_CTX_PCI_POWER | D0_CTX_VFIO_POWER) }, BOTH(0) },
	{ 9, "by runtime suspend", { FL(CTX, D0_CTX_RPM_SUSPEND) }, BOTH(0) },
	{ 9, "by runtime resume", { FL(CTX, D0_CTX_RPM_RESUME) }, BOTH(0) },
	{ 9, "by a function reset", { FL(CTX, D0_CTX_RESET) }, BOTH(0) },
	{ 9, "by a bus reset", { FL(CTX, D0_CTX_BUS_RESET) }, BOTH(0) },
	{ 9, "by a hot reset", { FL(CTX, D0_CTX_HOT_RESET) }, BOTH(0) },
	{ 9, "vfio's PM_CTRL emulation alone does not own it", { FL(CTX, D0_CTX_VFIO_PM_CTRL) }, BOTH(1) },
	{ 9, "a vfio ioctl alone does not own it", { FL(CTX, D0_CTX_VFIO_IOCTL | D0_CTX_VFIO_FEATURE) }, BOTH(1) },
	{ 9, "no context", { FL(CTX, 0) }, BOTH(1) },
	{ 9, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 10: behind vfio's back */
	{ 10, "base: COMMAND written from sysfs", {}, BOTH(1) },
	{ 10, "through vfio", { FL(CTX, D0_CTX_VFIO_CONFIG) }, BOTH(0) },
	{ 10, "a BAR register (issue 14: a BAR moved behind vfio's back)", { FL(A0, 0x10), FL(A3, 4) }, BOTH(1) },
	{ 10, "COMMAND's high byte", { FL(A0, 5), FL(A3, 1) }, BOTH(1) },
	{ 10, "the byte below COMMAND", { FL(A0, 3), FL(A3, 1) }, BOTH(0) },
	{ 10, "dword at 0 ends below COMMAND", { FL(A0, 0), FL(A3, 4) }, BOTH(0) },
	{ 10, "dword at 2 covers COMMAND", { FL(A0, 2), FL(A3, 4) }, BOTH(1) },
	{ 10, "PM_CTRL given in a2", { FL(A0, 0xcc), FL(A2, 0xcc), FL(A3, 2) }, BOTH(1) },
	{ 10, "the byte after PM_CTRL's word", { FL(A0, 0xce), FL(A2, 0xcc), FL(A3, 1) }, BOTH(0) },
	{ 10, "a word from the byte below PM_CTRL", { FL(A0, 0xcb), FL(A2, 0xcc), FL(A3, 2) }, BOTH(1) },
	{ 10, "the byte below PM_CTRL", { FL(A0, 0xcb), FL(A2, 0xcc), FL(A3, 1) }, BOTH(0) },
	{ 10, "a2 of 4 or less is no PM_CTRL", { FL(A0, 0xcc), FL(A2, 4), FL(A3, 2) }, BOTH(0) },
	{ 10, "vfio's emulated write", { FL(KIND, D0_EV_CONFIG_WRITE) }, BOTH(0) },
	{ 10, "a sysfs resource mmap", { FL(KIND, D0_EV_SYSFS_MMAP) }, BOTH(1) },
	{ 10, "a sysfs resource mmap, even in vfio's context", { FL(KIND, D0_EV_SYSFS_MMAP), FL(CTX, D0_CTX_VFIO_CONFIG) },
	  BOTH(1) },
	{ 10, "not a vfio device", { CLR(VK) }, BOTH(0) },
	{ 10, "issue 14: a /dev/mem mmap over a BAR", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, 0) }, BOTH(1) },
	{ 10, "issue 14: a /dev/mem mmap refused", { FL(KIND, D0_EV_RAW_MMAP), FL(RET, -1) }, BOTH(0) },
	{ 10, "issue 14: a raw read is not a bypass", { FL(KIND, D0_EV_RAW_ACCESS), FL(RET, 4) }, BOTH(0) },
	/* 11: disabled with DMABUFs unrevoked */
	{ 11, "base: disable with one unrevoked", {}, BOTH(1) },
	{ 11, "all revoked", { FL(UNREV, 0) }, BOTH(0) },
	{ 11, "exit too", { FL(PHASE, D0_PH_EXIT) }, BOTH(1) },
	{ 11, "close is not disable", { FL(KIND, D0_EV_CLOSE) }, BOTH(0) },
	{ 11, "not a vfio device", { CLR(VK) }, BOTH(0) },
	/* 12: runtime suspend of an open device without low power requested */
	{ 12, "base: open, not engaged", {}, BOTH(1) },
	{ 12, "engaged", { SET(D0_ST_ENGAGED) }, BOTH(0) },
	{ 12, "closed", { CLR(D0_ST_OPEN) }, BOTH(0) },
	{ 12, "closing", { SET(D0_ST_CLOSING) }, BOTH(0) },
	{ 12, "exit", { FL(PHASE, D0_PH_EXIT) }, BOTH(0) },
	{ 12, "runtime resume", { FL(KIND, D0_EV_RPM_RESUME) }, BOTH(0) },
	{ 12, "not a vfio device", { CLR(VK) }, BOTH(0) },
};

static inline void apply(struct d0_event *e, const struct flip *f)
{
	switch (f->f) {
	case F_NONE: break;
	case F_KIND: e->kind = f->v; break;
	case F_PHASE: e->phase = f->v; break;
	case F_POWER: e->power = f->v; break;
	case F_BEFORE: e->power_before = f->v; break;
	case F_ST_SET: e->state |= f->v; break;
	case F_ST_CLR: e->state &= ~f->v; break;
	case F_CTX: e->ctx = f->v; break;
	case F_A0: e->a0 = f->v; break;
	case F_A1: e->a1 = f->v; break;
	case F_A2: e->a2 = f->v; break;
	case F_A3: e->a3 = f->v; break;
	case F_RET: e->ret = f->v; break;
	case F_UNREV: e->nr_unrevoked = f->v; e->nr_dmabufs = f->v ? f->v : 1; break;
	}
}

/* Rule 7's fault and DMABUF-map rows start from its base with these changes. */
static inline struct d0_event rt_base7_fault(void)
{
	struct d0_event e = bases[7];

	e.ret = 0;
	return e;
}

static inline struct d0_event rt_base7_d0(void)
{
	struct d0_event e = bases[7];

	e.power = D0_PWR_D0;
	e.phase = D0_PH_EXIT;
	return e;
}

/* A row's event: its base (or *override) with its changes made. */
static inline struct d0_event rt_row_event(const struct row *r, const struct d0_event *override)
{
	struct d0_event e = override ? *override : bases[r->rule];

	for (size_t k = 0; k < D0_RT_FLIPS; k++)
		apply(&e, &r->flips[k]);
	return e;
}

#define RT_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
