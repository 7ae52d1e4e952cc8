// SPDX-License-Identifier: GPL-2.0
/*
 * The rules of include/d0audit/rules.h: for each, an event that breaks it
 * and one that does not; then real recordings from 7.2 and 6.1 guests:
 * correct kernel flows (ground truth 1.5) are never flagged, bypasses are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "trace/trace_reader.h"
#include "model/verdict.h"
#include "d0audit/rules.h"
#include "model/violation_out.h"

#define VFIO_OPEN (D0_ST_VDEV_KNOWN | D0_ST_OPEN | D0_ST_MEM_ENABLED)

static struct d0_event ev(int kind, int phase, int before, int power, __u32 state, __u32 ctx)
{
	struct d0_event e = { .kind = kind, .phase = phase, .power_before = before, .power = power,
			      .state = state, .ctx = ctx, .bdf = 0x18 };

	return e;
}

static __u32 judge(struct d0_event e)
{
	return d0_rules_eval(&e, D0_MODE_STRICT);
}

#define BREAKS(rule, e) assert_true(judge(e) & D0_RULE_BIT(rule))
#define KEEPS(rule, e) assert_false(judge(e) & D0_RULE_BIT(rule))

static void test_rule1_zap_before_power_down(void **s)
{
	struct d0_event e = ev(D0_EV_POWER_CHANGE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D3HOT,
			       VFIO_OPEN | D0_ST_MAPPED | D0_ST_LOCK_W_CURRENT, D0_CTX_VFIO_POWER);

	(void)s;
	BREAKS(1, e);
	e.state &= ~D0_ST_MAPPED;
	KEEPS(1, e);
	/* on the way up the zap order does not matter */
	e = ev(D0_EV_POWER_CHANGE, D0_PH_EXIT, D0_PWR_D3HOT, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED, D0_CTX_VFIO_POWER);
	KEEPS(1, e);
	/* D1 counts as not D0 in strict mode only */
	e = ev(D0_EV_POWER_CHANGE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D1, VFIO_OPEN | D0_ST_MAPPED, D0_CTX_VFIO_POWER);
	BREAKS(1, e);
	assert_false(d0_rules_eval(&e, D0_MODE_KERNEL) & D0_RULE_BIT(1));
	/* D3cold via runtime PM is leaving D0 too */
	e = ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D3COLD, VFIO_OPEN | D0_ST_MAPPED, D0_CTX_RPM_SUSPEND);
	BREAKS(1, e);
}

static void test_rule2_revoke_before_power_down(void **s)
{
	struct d0_event e = ev(D0_EV_POWER_CHANGE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D3HOT, VFIO_OPEN, D0_CTX_RPM_SUSPEND);

	(void)s;
	e.nr_dmabufs = 2;
	e.nr_unrevoked = 1;
	BREAKS(2, e);
	e.nr_unrevoked = 0;
	KEEPS(2, e);
}

static void test_rule3_d0_before_unrevoke(void **s)
{
	struct d0_event e = ev(D0_EV_DMABUF_MOVE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0,
			       VFIO_OPEN | D0_ST_LOCK_W_CURRENT, D0_CTX_VFIO_PM_CTRL);

	(void)s;
	e.a0 = 0;
	KEEPS(3, e);
	e.power = D0_PWR_D3HOT;
	BREAKS(3, e);
	e.power = D0_PWR_D0;
	e.state &= ~D0_ST_MEM_ENABLED;
	BREAKS(3, e);
	e.state |= D0_ST_MEM_ENABLED;
	e.state &= ~D0_ST_LOCK_W_CURRENT;
	BREAKS(3, e);
	/* revoking outside D0 is not an unrevoke */
	e = ev(D0_EV_DMABUF_MOVE, D0_PH_ENTRY, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN | D0_ST_LOCK_W_CURRENT, 0);
	e.a0 = 1;
	KEEPS(3, e);
}

/* The DMABUF-mmap series: one buffer's status change (vfio_pci_dma_buf_set_status) is judged like a move. */
static void test_series_buffer_status(void **s)
{
	struct d0_event e = ev(D0_EV_DMABUF_STATUS, D0_PH_POINT, D0_PWR_D0, D0_PWR_D0,
			       VFIO_OPEN | D0_ST_LOCK_W_CURRENT, D0_CTX_DMABUF_MOVE);

	(void)s;
	e.a0 = D0_BUF_OK;
	e.a1 = D0_BUF_TEMP_REVOKED;
	KEEPS(3, e);
	KEEPS(8, e);
	e.power = D0_PWR_D3HOT; /* unrevoked before D0 */
	BREAKS(3, e);
	e.power = D0_PWR_D0;
	e.state &= ~D0_ST_LOCK_W_CURRENT;
	BREAKS(3, e);
	BREAKS(8, e);
	/* a revoke outside D0 is not an unrevoke, but still needs the lock */
	e = ev(D0_EV_DMABUF_STATUS, D0_PH_POINT, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN, 0);
	e.a0 = D0_BUF_PERM_REVOKED;
	KEEPS(3, e);
	BREAKS(8, e);
}

/* The series' grants: a PTE through a revoked buffer, an mmap of an exported DMABUF. */
static void test_series_grants(void **s)
{
	struct d0_event e = ev(D0_EV_FAULT, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);

	(void)s;
	e.ret = D0_VM_FAULT_NOPAGE;
	KEEPS(7, e);
	e.a1 = D0_FAULT_BUF_REVOKED;
	BREAKS(7, e);
	/* refused before the insert (SIGBUS) on a revoked buffer: refused, not a violation */
	e.a1 = D0_FAULT_BUF_REVOKED | D0_FAULT_BEFORE_INSERT;
	e.ret = 2;
	KEEPS(7, e);
	assert_true(d0_refused(&e));

	e = ev(D0_EV_DMABUF_MMAP, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);
	KEEPS(7, e);
	e.power = D0_PWR_D3HOT;
	BREAKS(7, e);
	e.ret = -19; /* refused (ENODEV) */
	KEEPS(7, e);
	e = ev(D0_EV_DMABUF_MMAP, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);
	e.a1 = 1; /* granted on a revoked buffer */
	BREAKS(7, e);
}

static void test_rule4_revoke_in_d0(void **s)
{
	struct d0_event e = ev(D0_EV_DMABUF_FLIP, D0_PH_POINT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_LOCK_W_CURRENT,
			       D0_CTX_DMABUF_MOVE);

	(void)s;
	KEEPS(4, e);
	e.power = D0_PWR_D3HOT;
	BREAKS(4, e);
}

static void test_rule5_zap_revoke_before_mem_disable(void **s)
{
	struct d0_event e = ev(D0_EV_USER_CONFIG_WRITE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0,
			       VFIO_OPEN | D0_ST_LOCK_W_CURRENT, D0_CTX_VFIO_CONFIG | D0_CTX_VFIO_CMD);

	(void)s;
	e.a0 = 4;      /* PCI_COMMAND */
	e.a1 = 0x101;  /* MEMORY cleared */
	e.a3 = 2;
	KEEPS(5, e);   /* zapped and revoked before */
	e.state |= D0_ST_MAPPED;
	BREAKS(5, e);
	e.a1 = 0x103;  /* MEMORY set: nothing disabled */
	KEEPS(5, e);
	/* a dword write at 4 clears it too; a byte write at 5 cannot */
	e.a1 = 0x00100101;
	e.a3 = 4;
	BREAKS(5, e);
	e.a0 = 5;
	e.a1 = 0;
	e.a3 = 1;
	KEEPS(5, e);
	/* fuzz find: a write from offset 0 wider than 4 bytes shifted a1 by 32 (UB); a1 cannot hold COMMAND */
	e.a0 = 0;
	e.a3 = 8;
	KEEPS(5, e);
}

static void test_rule6_zap_revoke_before_reset(void **s)
{
	struct d0_event e = ev(D0_EV_RESET, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_LOCK_W_CURRENT,
			       D0_CTX_VFIO_IOCTL | D0_CTX_RESET);

	(void)s;
	e.a0 = D0_RESET_TRY;
	KEEPS(6, e);
	e.state |= D0_ST_MAPPED;
	BREAKS(6, e);
	e.state &= ~D0_ST_MAPPED;
	e.nr_dmabufs = e.nr_unrevoked = 1;
	BREAKS(6, e);
	/* the reset inside open: nothing can be mapped yet (state unknown is not a violation) */
	e = ev(D0_EV_RESET, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, D0_ST_VDEV_KNOWN | D0_ST_OPEN | D0_ST_MAPPED_UNKNOWN,
	       D0_CTX_RESET);
	KEEPS(6, e);
}

static void test_rule7_no_access_outside_d0(void **s)
{
	struct d0_event e = ev(D0_EV_BAR_ACCESS, D0_PH_ENTRY, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN, 0);

	(void)s;
	e.a1 = 1;      /* test_mem: vfio refuses it in D3hot */
	KEEPS(7, e);
	e.a1 = 0;      /* I/O BAR / VGA / variant driver: reaches the device */
	BREAKS(7, e);
	e.power = e.power_before = D0_PWR_D1;
	e.a1 = 1;      /* vfio lets D1 through: strict says no */
	BREAKS(7, e);
	assert_false(d0_rules_eval(&e, D0_MODE_KERNEL) & D0_RULE_BIT(7));
	/* a core accessor's exit (variant drivers): ret 0 = the MMIO ran, even through a test_mem gate */
	e = ev(D0_EV_BAR_ACCESS, D0_PH_EXIT, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN, 0);
	e.a1 = 1;
	BREAKS(7, e); /* a broken gate let it through */
	e.ret = -5;
	KEEPS(7, e);  /* -EIO: the gate refused it */
	e.ret = 0;
	e.power = e.power_before = D0_PWR_D0;
	KEEPS(7, e);
	/* a PTE grant: refused (SIGBUS) is not a violation, granted in D3hot or while engaged is */
	e = ev(D0_EV_FAULT, D0_PH_EXIT, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN, 0);
	e.ret = 0x2;
	KEEPS(7, e);
	assert_true(d0_refused(&e));
	e.ret = 0x100;
	BREAKS(7, e);
	e.power = D0_PWR_D0;
	KEEPS(7, e);
	e.state |= D0_ST_ENGAGED;
	BREAKS(7, e);
	e = ev(D0_EV_ROM_MAP, D0_PH_ENTRY, D0_PWR_D3HOT, D0_PWR_D3HOT, VFIO_OPEN, 0);
	BREAKS(7, e);
	e = ev(D0_EV_DMABUF_MAP, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, D0_ST_VDEV_KNOWN | D0_ST_OPEN, 0);
	BREAKS(7, e); /* decode off */
}

static void test_rule8_lock_discipline(void **s)
{
	struct d0_event e = ev(D0_EV_ZAP, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, D0_CTX_VFIO_PM_CTRL);

	(void)s;
	BREAKS(8, e);
	e.state |= D0_ST_LOCK_W_CURRENT;
	KEEPS(8, e);
	/* 6.1 zaps before taking the lock: its zap event is an exit, not judged for the lock */
	e = ev(D0_EV_ZAP, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);
	KEEPS(8, e);
	e = ev(D0_EV_POWER_REQUEST, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_LOCK_W_OTHER, 0);
	e.a0 = D0_PWR_D3HOT;
	BREAKS(8, e);
	e.a0 = D0_PWR_D0; /* vfio goes to D0 unlocked at probe and runtime suspend: allowed */
	KEEPS(8, e);
}

static void test_rule9_foreign_power_change(void **s)
{
	struct d0_event e = ev(D0_EV_POWER_CHANGE, D0_PH_EXIT, D0_PWR_D0, D0_PWR_D3HOT, VFIO_OPEN, D0_CTX_PCI_POWER);

	(void)s;
	BREAKS(9, e);
	e.ctx |= D0_CTX_VFIO_POWER;
	KEEPS(9, e);
	e.ctx = D0_CTX_PCI_POWER | D0_CTX_RESET;
	KEEPS(9, e);
	e = ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D3HOT, D0_PWR_D0, VFIO_OPEN, 0);
	BREAKS(9, e); /* up counts too */
	e.state &= ~D0_ST_OPEN;
	KEEPS(9, e);  /* a closed device belongs to the PCI core */
}

static void test_rule10_bypass(void **s)
{
	struct d0_event e = ev(D0_EV_USER_CONFIG_WRITE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);

	(void)s;
	e.a0 = 0xcc;   /* PM_CTRL */
	e.a2 = 0xcc;   /* pm_cap + 4 */
	e.a3 = 2;
	BREAKS(10, e);
	e.ctx = D0_CTX_VFIO_CONFIG | D0_CTX_VFIO_PM_CTRL;
	KEEPS(10, e);  /* vfio's own write */
	e.ctx = 0;
	e.a0 = 0x3c;   /* interrupt line: not what rule 10 is about */
	KEEPS(10, e);
	e.a0 = 0x10;   /* issue 14: a BAR moved behind vfio's back (BARs are rule 10 since) */
	e.a3 = 4;
	BREAKS(10, e);
	e.a0 = 0x30;   /* the ROM BAR */
	BREAKS(10, e);
	e.a3 = 2;
	e.a0 = 4;
	BREAKS(10, e);
	e = ev(D0_EV_SYSFS_MMAP, D0_PH_ENTRY, D0_PWR_D3HOT, D0_PWR_D3HOT, D0_ST_VDEV_KNOWN, 0);
	BREAKS(10, e);
	/* not a vfio device: nothing to judge */
	e.state = 0;
	assert_int_equal(judge(e), 0);
}

/* Issue 14: the vfio device's own FLR bit, resets beyond vfio's calls, bridges above the device. */
static void test_beyond_vfio(void **s)
{
	struct d0_event e = ev(D0_EV_USER_CONFIG_WRITE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);

	(void)s;
	e.a2 = 0xcc | 0xe0 << 16; /* PM_CTRL at 0xcc, PCIe capability at 0xe0 */
	e.a0 = 0xe8;              /* DEVCTL */
	e.a3 = 2;
	e.a1 = 0x2810;            /* payload size, no FLR */
	KEEPS(10, e);
	e.a1 = 0xa810;            /* BCR_FLR (bit 15) */
	BREAKS(10, e);
	e.a0 = 0xe9;              /* a byte write of the high byte */
	e.a3 = 1;
	e.a1 = 0x80;
	BREAKS(10, e);
	e.a2 = 0xcc;              /* no PCIe capability: DEVCTL is not there */
	KEEPS(10, e);

	/* a secondary bus reset reaching a mapped open device is rule 6; zapped, it is not */
	e = ev(D0_EV_RESET, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED, D0_CTX_BUS_RESET);
	e.a0 = D0_RESET_SECONDARY_BUS;
	BREAKS(6, e);
	e.state &= ~D0_ST_MAPPED;
	KEEPS(6, e);
	e.a0 = D0_RESET_DPC;
	e.nr_unrevoked = 1;
	BREAKS(6, e);
	/* the reset prologue's wake to D0 belongs to the reset (class 9) */
	e = ev(D0_EV_POWER_UPDATE, D0_PH_EXIT, D0_PWR_D3HOT, D0_PWR_D0, VFIO_OPEN, D0_CTX_RESET);
	KEEPS(9, e);
	e.ctx = D0_CTX_BUS_RESET | D0_CTX_ERR_RECOVERY;
	KEEPS(9, e);
	e.ctx = D0_CTX_ERR_RECOVERY; /* recovery itself owns no power change */
	BREAKS(9, e);

	/* writes to a bridge above an open vfio device */
	e = ev(D0_EV_BRIDGE_CONFIG_WRITE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);
	e.a2 = (__u64)0x18 << 32 | 0x4c; /* bridge PM_CTRL at 0x4c */
	e.a0 = 0x3e;
	e.a3 = 2;
	e.a1 = 0x0002;            /* BRIDGE_CONTROL: SERR only */
	KEEPS(10, e);
	e.a1 = 0x0042;            /* secondary bus reset */
	BREAKS(10, e);
	e.a0 = 0x04;
	e.a1 = 0x0107;            /* COMMAND, memory on */
	KEEPS(10, e);
	e.a1 = 0x0105;            /* memory forwarding off */
	BREAKS(10, e);
	e.a0 = 0x20;              /* memory window */
	e.a3 = 4;
	e.a1 = 0xfeb0fea0;
	BREAKS(10, e);
	e.a0 = 0x4c;              /* bridge PM_CTRL */
	e.a3 = 2;
	e.a1 = 0x0008;            /* D0, NoSoftReset */
	KEEPS(10, e);
	e.a1 = 0x0003;            /* D3hot */
	BREAKS(10, e);
	e.state &= ~D0_ST_OPEN;   /* nothing of vfio's below is in use */
	KEEPS(10, e);

	/* class 6: a ROM read with decode off, unless vfio forced decode on under memory_lock */
	e = ev(D0_EV_ROM_MAP, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, D0_ST_VDEV_KNOWN | D0_ST_OPEN, 0);
	BREAKS(7, e);
	e.state |= D0_ST_LOCK_W_CURRENT;
	KEEPS(7, e);
	e.state |= D0_ST_MEM_ENABLED;
	KEEPS(7, e);

	/* class 8: open before the audit, decode on, not zapped since: a reset may hit an unseen PTE */
	e = ev(D0_EV_RESET, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN | D0_ST_MAPPED_UNKNOWN, 0);
	KEEPS(6, e);
	assert_int_equal(d0_rules_if_unseen_mapping(&e, D0_MODE_STRICT), D0_RULE_BIT(6));
	e.state &= ~D0_ST_MEM_ENABLED; /* inside its own open (no vconfig yet), or zapped by decode off */
	assert_int_equal(d0_rules_if_unseen_mapping(&e, D0_MODE_STRICT), 0);
	e.state |= D0_ST_MEM_ENABLED | D0_ST_MAPPED; /* a seen mapping is a violation, not a doubt */
	BREAKS(6, e);
	assert_int_equal(d0_rules_if_unseen_mapping(&e, D0_MODE_STRICT), 0);
}

/* class 8 seeded: the seed's VMA is what makes the device mapped, and the report names it */
static void test_seeded_mapping_named(void **s)
{
	struct d0_event seed = ev(D0_EV_SEED_VMA, D0_PH_POINT, D0_PWR_D0, D0_PWR_D0,
				  VFIO_OPEN | D0_ST_MAPPED | D0_ST_SEEDED, 0);
	struct d0_event reset = ev(D0_EV_RESET, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0,
				   VFIO_OPEN | D0_ST_MAPPED | D0_ST_SEEDED, D0_CTX_RESET);
	struct d0_verdict v;
	char why[192];
	json_t *j;

	(void)s;
	seed.pid = 228;
	memcpy(seed.comm, "vfio-exercise", 14);
	seed.a2 = 0x7f0000001000;
	seed.a3 = 0x7f0000021000;
	seed.ret = 1;
	seed.ts_ns = 1;
	reset.ts_ns = 2;
	assert_int_equal(judge(seed), 0);
	BREAKS(6, reset);
	assert_int_equal(d0_rules_if_unseen_mapping(&reset, D0_MODE_STRICT), 0);
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	d0_verdict_event(&v, &seed, -1);
	d0_verdict_event(&v, &reset, -1);
	assert_int_equal(v.nviols, 1);
	assert_true(d0_violation_seed_reason(&v.viols[0], why, sizeof(why)));
	assert_string_equal(why, "mapped before the audit started: pid 228 comm vfio-exercise vma "
				 "0x7f0000001000-0x7f0000021000, PTEs possibly present");
	j = d0_violation_json(&v, &v.viols[0]);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "mapped_before_start"), "pid")), 228);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "mapped_before_start"), "vma_end")),
			    "0x7f0000021000");
	json_decref(j);
	d0_verdict_free(&v);

	/* mapped again by a fault after a zap: not the seed's doing, no seed reason */
	reset.state &= ~D0_ST_SEEDED;
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	d0_verdict_event(&v, &seed, -1);
	d0_verdict_event(&v, &reset, -1);
	assert_int_equal(v.nviols, 1);
	assert_false(d0_violation_seed_reason(&v.viols[0], why, sizeof(why)));
	j = d0_violation_json(&v, &v.viols[0]);
	assert_null(json_object_get(j, "mapped_before_start"));
	json_decref(j);
	d0_verdict_free(&v);

	/* a seed-vma that marked nothing (6.1: not on vma_list) explains nothing */
	seed.ret = 0;
	seed.a0 = D0_SEED_PTES_ABSENT;
	reset.state |= D0_ST_SEEDED;
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	d0_verdict_event(&v, &seed, -1);
	d0_verdict_event(&v, &reset, -1);
	assert_false(d0_violation_seed_reason(&v.viols[0], why, sizeof(why)));
	d0_verdict_free(&v);
}

static void test_rule11_cleanup_before_disable(void **s)
{
	struct d0_event e = ev(D0_EV_DISABLE, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, 0);

	(void)s;
	KEEPS(11, e);
	e.nr_dmabufs = e.nr_unrevoked = 1;
	BREAKS(11, e);
}

static void test_rule12_runtime_suspend_requested(void **s)
{
	struct d0_event e = ev(D0_EV_RPM_SUSPEND, D0_PH_ENTRY, D0_PWR_D0, D0_PWR_D0, VFIO_OPEN, D0_CTX_RPM_SUSPEND);

	(void)s;
	BREAKS(12, e);
	e.state |= D0_ST_ENGAGED;
	KEEPS(12, e);
	e.state &= ~D0_ST_ENGAGED;
	e.state |= D0_ST_CLOSING;  /* idle suspend while the close is still finishing (seen on 6.1) */
	KEEPS(12, e);
	e.state &= ~(D0_ST_CLOSING | D0_ST_OPEN);
	KEEPS(12, e);
}

/* Replay a real recording; returns the union of rules broken, checking the kernel agreed. */
static __u32 replay(const char *name, __u64 *events)
{
	char path[512];
	struct d0_trace_reader *r;
	struct d0_record rec;
	struct d0_verdict v;
	__u32 all = 0;
	int n;

	snprintf(path, sizeof(path), "%s/traces/%s", FIXTURES, name);
	r = d0_trace_reader_open(path);
	assert_non_null(r);
	d0_verdict_init(&v, D0_MODE_STRICT, NULL, NULL);
	while ((n = d0_trace_next(r, &rec)) == 1) {
		if (rec.type != D0_REC_EVENT)
			continue;
		all |= d0_rules_eval(&rec.ev, D0_MODE_STRICT);
		d0_verdict_event(&v, &rec.ev, rec.ev.violations);
	}
	assert_int_equal(n, 0);
	*events = v.events;
	assert_true(v.events > 20);
	/* the kernel's verdict, recorded in each event, is the same */
	assert_int_equal(v.mismatches, 0);
	d0_verdict_free(&v);
	d0_trace_reader_close(r);
	return all;
}

static void test_correct_kernel_flows_are_clean(void **s)
{
	static const char *const clean[] = {
		"pm-d3-7.2.ndjson.gz", "cmd-mem-7.2.ndjson.gz", "low-power-7.2.ndjson.gz",
		"low-power-wakeup-7.2.ndjson.gz", "reset-7.2.ndjson.gz", "dmabuf-7.2.ndjson.gz",
		"open-close-7.2.ndjson.gz", "rom-7.2.ndjson.gz", "pm-d3-6.1.ndjson.gz", "low-power-6.1.ndjson.gz",
	};
	__u64 events;

	(void)s;
	for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		__u32 got = replay(clean[i], &events);

		if (got)
			fail_msg("%s: rules 0x%x flagged on a correct kernel flow", clean[i], got);
	}
}

static void test_bypasses_are_flagged(void **s)
{
	__u64 events;

	(void)s;
	assert_int_equal(replay("sysfs-pm-d3-7.2.ndjson.gz", &events), D0_RULE_BIT(10));
	assert_int_equal(replay("sysfs-cmd-mem-7.2.ndjson.gz", &events), D0_RULE_BIT(10) | D0_RULE_BIT(5));
	assert_int_equal(replay("sysfs-mmap-7.2.ndjson.gz", &events), D0_RULE_BIT(10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule1_zap_before_power_down),
		cmocka_unit_test(test_rule2_revoke_before_power_down),
		cmocka_unit_test(test_rule3_d0_before_unrevoke),
		cmocka_unit_test(test_rule4_revoke_in_d0),
		cmocka_unit_test(test_rule5_zap_revoke_before_mem_disable),
		cmocka_unit_test(test_rule6_zap_revoke_before_reset),
		cmocka_unit_test(test_rule7_no_access_outside_d0),
		cmocka_unit_test(test_rule8_lock_discipline),
		cmocka_unit_test(test_rule9_foreign_power_change),
		cmocka_unit_test(test_series_buffer_status),
		cmocka_unit_test(test_series_grants),
		cmocka_unit_test(test_rule10_bypass),
		cmocka_unit_test(test_beyond_vfio),
		cmocka_unit_test(test_seeded_mapping_named),
		cmocka_unit_test(test_rule11_cleanup_before_disable),
		cmocka_unit_test(test_rule12_runtime_suspend_requested),
		cmocka_unit_test(test_correct_kernel_flows_are_clean),
		cmocka_unit_test(test_bypasses_are_flagged),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
