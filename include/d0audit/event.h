/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event ABI between the BPF object and user space: one fixed-size
 * record per observation, written into the BPF ring buffer. Also the
 * in-kernel per-device state. Both sides include this file; it must compile
 * with only <linux/types.h> style __u32 types available.
 */
#ifndef D0AUDIT_EVENT_H
#define D0AUDIT_EVENT_H

#define D0_EVENT_ABI_VERSION 1

/* PCI power states as the kernel encodes pci_power_t. */
enum d0_power {
	D0_PWR_ERROR = -1,
	D0_PWR_D0 = 0,
	D0_PWR_D1 = 1,
	D0_PWR_D2 = 2,
	D0_PWR_D3HOT = 3,
	D0_PWR_D3COLD = 4,
	D0_PWR_UNKNOWN = 5,
};

/* What happened. The payload fields used by each kind are listed beside it. */
#define D0_EVENT_KINDS(X)                                                                   \
	X(POWER_REQUEST,   "power-request")    /* vfio asks for a D-state: a0=state */         \
	X(POWER_REQUEST_DONE, "power-request-done") /* ret, power_after */                     \
	X(PM_CTRL_WRITE,   "pm-ctrl-write")    /* vfio PM_CTRL emulation: a0=offset a1=value */\
	X(POWER_CHANGE,    "power-change")     /* PCI core transition: a0=requested, before/after */ \
	X(POWER_UPDATE,    "power-update")     /* current_state re-read by PCI core: before/after */ \
	X(RPM_SUSPEND,     "rpm-suspend")      /* PCI runtime suspend of the device: ret */     \
	X(RPM_RESUME,      "rpm-resume")       /* PCI runtime resume: ret */                    \
	X(LOW_POWER,       "low-power")        /* feature ioctl: a0=feature a1=flags, ret */    \
	X(ZAP,             "zap")              /* a0=D0_ZAP_* a2=start a3=length */             \
	X(FAULT,           "fault")            /* PTE grant attempt: ret (vm_fault_t), a0=order */ \
	X(DMABUF_EXPORT,   "dmabuf-export")    /* ret = fd or -errno */                        \
	X(DMABUF_MOVE,     "dmabuf-move")      /* a0=revoked (1 revoke, 0 unrevoke) */          \
	X(DMABUF_FLIP,     "dmabuf-flip")      /* importers told to invalidate: a0=priv->revoked at that instant */  \
	X(DMABUF_MAP,      "dmabuf-map")       /* importer mapping granted: ret */              \
	X(DMABUF_RELEASE,  "dmabuf-release")                                                    \
	X(DMABUF_CLEANUP,  "dmabuf-cleanup")                                                    \
	/* the DMABUF-mmap series (bpf/series_dmabuf.bpf.h) */                                  \
	X(DMABUF_CREATE,   "dmabuf-create")    /* buffer behind a BAR mmap: a0=D0_BUF_SRC_* a2=size a3=BAR, ret */ \
	X(DMABUF_MMAP,     "dmabuf-mmap")      /* mmap of an exported DMABUF (a new grant): ret */ \
	X(DMABUF_REVOKE,   "dmabuf-revoke")    /* permanent revoke feature: a0=dmabuf fd, ret on exit */ \
	X(DMABUF_MEMATTR,  "dmabuf-memattr")   /* memattr feature: a0=dmabuf fd a1=memattr, ret */ \
	X(DMABUF_STATUS,   "dmabuf-status")    /* one buffer's status set: a0=new a1=old (D0_BUF_*) */ \
	X(REVOKE_BARS,     "revoke-bars")      /* vfio_pci_{lock_,un}revoke_bars: a0=1 revoke/0 unrevoke a1=zap_bars_on_revoke */ \
	X(BAR_ACCESS,      "bar-access")       /* a0=iswrite a1=test_mem a2=offset a3=count */  \
	X(BAR_RW_DONE,     "bar-rw-done")      /* ret (-EIO = refused) a2=offset a3=count */   \
	X(ROM_MAP,         "rom-map")                                                           \
	X(IOEVENTFD_WRITE, "ioeventfd-write")  /* a1=test_mem */                               \
	X(VGA_ACCESS,      "vga-access")       /* a0=iswrite */                                 \
	X(CONFIG_WRITE,    "config-write")     /* vfio emulated write: a0=offset a1=value a3=count */ \
	X(FLR_WRITE,       "flr-write")        /* vfio exp/af cap write: a0=offset a1=value */  \
	X(USER_CONFIG_WRITE, "user-config-write") /* pci_user_write_config_*: a0=offset a1=value a3=size */ \
	X(SYSFS_MMAP,      "sysfs-mmap")       /* a0=bar */                                     \
	X(REGISTER,        "register")                                                          \
	X(UNREGISTER,      "unregister")                                                        \
	X(OPEN,            "open")             /* vfio_pci_core_enable: ret */                  \
	X(DISABLE,         "disable")                                                           \
	X(CLOSE,           "close")                                                             \
	X(IOCTL,           "ioctl")            /* a0=cmd, ret on exit */                        \
	X(RESET,           "reset")            /* a0=hook-specific reset kind, ret on exit */   \
	X(HOT_RESET,       "hot-reset")        /* ret on exit */ \
	/* issue 14, paths beyond vfio's own (bpf/beyond_vfio.bpf.h) */ \
	X(BRIDGE_CONFIG_WRITE, "bridge-config-write") /* config write to a bridge above the device: \
	                                            a0=offset a1=value a3=size, a2=bridge bdf << 32 | its PM_CTRL */ \
	/* issue 14 class 4, IOMMU entries on a BAR (bpf/iommu_grants.bpf.h): type1 MAP_DMA of a BAR mmap */ \
	X(IOMMU_MAP,       "iommu-map")        /* grant: a0=BAR a1=pages a2=iova a3=BAR offset, ret=pages pinned */ \
	X(IOMMU_UNMAP,     "iommu-unmap")      /* the grant's IOMMU entries removed: a0=BAR a1=pages a2=iova a3=BAR offset */ \
	/* issue 14 class 8: the start-up seed of mappings made before d0audit (bpf/seed.bpf.h) */ \
	X(SEED_VMA,        "seed-vma")         /* a vfio VMA found at start: pid/comm its owner, a2-a3 the VMA, \
	                                            a0=D0_SEED_PTES_*, a1=1 a DMABUF's, ret=1 it made the device mapped */ \
	X(SEED_DONE,       "seed-done")        /* the seed walked every VMA: a2=vfio VMAs found, a3=devices marked */ \
	/* issue 14 classes 3 and 5: raw BAR access from outside vfio (bpf/raw_access.bpf.h) */ \
	X(RAW_ACCESS,      "raw-access")       /* a0=D0_RAW_* a1=iswrite a2=address (port or phys) a3=count, ret */ \
	X(RAW_MMAP,        "raw-mmap")         /* /dev/mem mmap over a BAR: a0=D0_RAW_DEV_MEM a2=phys a3=length, ret */

enum d0_event_kind {
#define D0_KIND_ENUM(name, str) D0_EV_##name,
	D0_EVENT_KINDS(D0_KIND_ENUM)
#undef D0_KIND_ENUM
	D0_EV_COUNT,
};

enum d0_phase {
	D0_PH_POINT = 0,  /* a single observation */
	D0_PH_ENTRY = 1,  /* function entry */
	D0_PH_EXIT = 2,   /* function exit: ret is valid */
};

/*
 * Context bits: which enclosing kernel paths the current task is inside,
 * tracked per task between a function's entry and exit. They say who
 * caused a step (vfio, runtime PM, a reset, a user config write...).
 * X(NAME, bit): the one list of them; their names in traces and reports are
 * d0_ctx_names[] (src/model/event_names.c, in bit order: the build checks the count).
 */
#define D0_CTX_LIST(X) \
	X(VFIO_POWER,       0) /* vfio_pci_set_power_state */ \
	X(VFIO_PM_CTRL,     1) /* vfio_pm_config_write */ \
	X(VFIO_CONFIG,      2) /* vfio_pci_config_rw: vfio's own user config access */ \
	X(VFIO_CMD,         3) /* vfio_basic_config_write */ \
	X(RPM_SUSPEND,      4) /* pci_pm_runtime_suspend */ \
	X(RPM_RESUME,       5) /* pci_pm_runtime_resume */ \
	X(VFIO_FEATURE,     6) /* vfio_pci_core_ioctl_feature */ \
	X(VFIO_IOCTL,       7) /* vfio_pci_core_ioctl */ \
	X(RESET,            8) /* pci_try_reset_function / __pci_reset_function_locked */ \
	X(BUS_RESET,        9) /* pci_reset_bus */ \
	X(HOT_RESET,       10) /* vfio_pci_dev_set_hot_reset */ \
	X(DMABUF_MOVE,     11) /* vfio_pci_dma_buf_move */ \
	X(VFIO_FLR,        12) /* vfio_exp/af_config_write */ \
	X(PCI_POWER,       13) /* __pci_set_power_state / pci_set_power_state */ \
	X(ERR_RECOVERY,    14) /* pcie_do_recovery: AER/DPC error recovery (issue 14) */
#define D0_CTX_BIT_(name, bit) D0_CTX_##name = 1u << bit,
enum d0_ctx_bit { D0_CTX_LIST(D0_CTX_BIT_) };

/* State bits snapshotted into every event (read live from the kernel); X() as for D0_CTX_LIST. */
#define D0_ST_LIST(X) \
	X(OPEN,             0) /* vdev open_count > 0 */ \
	X(MEM_ENABLED,      1) /* vfio's virtual COMMAND.MEMORY (or no_command_memory) */ \
	X(LOCK_W_CURRENT,   2) /* memory_lock write-held by the current task */ \
	X(LOCK_W_OTHER,     3) /* memory_lock write-held by another task */ \
	X(ENGAGED,          4) /* pm_runtime_engaged (low-power feature on) */ \
	X(MAPPED,           5) /* a PTE was granted since the last full zap */ \
	X(MAPPED_UNKNOWN,   6) /* device was open before d0audit saw it */ \
	X(VDEV_KNOWN,       7) /* the event carries vfio state (vdev found) */ \
	X(CLOSING,          8) /* close_device started; open_count not yet dropped */ \
	X(IOMMU_MAPPED,     9) /* an IOMMU entry (type1 MAP_DMA) points at a BAR; also sets MAPPED */ \
	X(SEEDED,          10) /* mapped before d0audit started (the seed), no zap since */ \
	/* issue 14 class 5: COMMAND as last written to the hardware (bpf/hw_decode.h), not vfio's vconfig */ \
	X(HW_KNOWN,        11) /* a COMMAND write, reset or restore was seen since d0audit met the device */ \
	X(HW_MEM_OFF,      12) /* ...and it left memory decode off in hardware */ \
	X(HW_IO_OFF,       13) /* ...and it left I/O decode off in hardware */ \
	/* issue 14 class 3: a sysfs resourceN or /dev/mem mapping (the iomem inode's) spans a memory BAR, live */ \
	X(RAW_MAPPED,      14)
#define D0_ST_BIT_(name, bit) D0_ST_##name = 1u << bit,
enum d0_state_bit { D0_ST_LIST(D0_ST_BIT_) };

#define D0_COMM_LEN 16

struct d0_event {
	__u64 seq;           /* global sequence number, gap = lost events */
	__u64 ts_ns;         /* bpf_ktime_get_ns() */
	__u64 dev;           /* struct pci_dev * of the device: opaque identity */
	__u64 a2;            /* kind-specific (offsets, lengths) */
	__u64 a3;            /* kind-specific */
	__s64 ret;           /* return value on exit events */
	__u32 a0;            /* kind-specific */
	__u32 a1;            /* kind-specific */
	__u32 bdf;           /* domain << 16 | bus << 8 | devfn; 0xffffffff unknown */
	__u32 pid;           /* tgid */
	__u32 tid;
	__u32 ctx;           /* D0_CTX_* of the current task */
	__u32 state;         /* D0_ST_* */
	__s8 power;          /* pdev->current_state when observed */
	__s8 power_before;   /* for POWER_* exits: current_state at entry */
	__u8 rpm_status;     /* dev.power.runtime_status */
	__u8 phase;          /* enum d0_phase */
	__u16 kind;          /* enum d0_event_kind */
	__u16 hook;          /* enum d0_hook_id that observed it */
	__u16 nr_dmabufs;    /* DMABUFs on vdev->dmabufs (bounded walk) */
	__u16 nr_unrevoked;  /* of those, not revoked */
	__u32 violations;    /* D0_RULE_BIT()s this event broke, judged in the kernel */
	char comm[D0_COMM_LEN];
};

/* Per-device state kept in the BPF hash map, keyed by struct pci_dev *. */
struct d0_dev_state {
	__u64 vdev;          /* struct vfio_pci_core_device *, 0 if not vfio */
	__u64 mapping;       /* the vfio device inode's address_space, zap filter */
	__u64 fault_gen;     /* successful PTE grants (also the grant count) */
	__u64 zap_gen;       /* fault_gen value at the last full zap */
	__u64 bar_refused;   /* BAR reads/writes the kernel refused (-EIO) */
	__u64 faults_refused;/* faults answered with SIGBUS */
	__u64 nond0_accesses;/* accesses observed while not in D0 */
	__u32 bdf;
	__u32 flags;         /* D0_DEVF_* */
	__s32 last_power;    /* current_state at the last event: detects changes */
	__u32 iommu_grants;  /* live type1 IOMMU grants on its BARs (bpf/iommu_grants.bpf.h) */
};

/* First seen while already open: PTEs may exist that were granted unseen. */
#define D0_DEVF_MAPPED_UNKNOWN (1u << 0)
/* vfio_pci_core_close_device ran since the last successful enable. */
#define D0_DEVF_CLOSING (1u << 1)
/* The start-up seed found a VMA made before d0audit: judged mapped until a full zap. */
#define D0_DEVF_SEEDED (1u << 2)
/* What a full zap, an open or the last close makes exact again. */
#define D0_DEVF_PRESTART (D0_DEVF_MAPPED_UNKNOWN | D0_DEVF_SEEDED)

/* D0_EV_SEED_VMA a0: what is known of the VMA's PTEs. */
#define D0_SEED_PTES_POSSIBLE 0u  /* 6.10+: not readable cheaply, judged present */
#define D0_SEED_PTES_PRESENT  1u  /* 6.1: the VMA is on vdev->vma_list (a fault populated it) */
#define D0_SEED_PTES_ABSENT   2u  /* 6.1: not on vma_list (never faulted, or zapped) */

/* DMABUF-mmap series: where a buffer came from (D0_EV_DMABUF_CREATE a0). */
#define D0_BUF_SRC_BAR_MMAP  1u  /* vfio_pci_core_mmap_prep_dmabuf: a BAR mmap of the device fd */
#define D0_BUF_SRC_EXPORT    2u  /* vfio_pci_core_feature_dma_buf: VFIO_DEVICE_FEATURE_DMA_BUF */
/* A buffer's status (the series' enum vfio_pci_dma_buf_status; D0_EV_DMABUF_STATUS a0/a1). */
#define D0_BUF_OK            0u
#define D0_BUF_TEMP_REVOKED  1u
#define D0_BUF_PERM_REVOKED  2u
/* D0_EV_FAULT a1 bits (the series' DMABUF-backed faults). */
#define D0_FAULT_BUF_REVOKED    (1u << 0) /* the faulting buffer was revoked at that instant */
#define D0_FAULT_BEFORE_INSERT  (1u << 1) /* refused in vfio_pci_mmap_huge_fault before any insert */
/* D0_EV_ZAP a0: which address_space was zapped. */
#define D0_ZAP_DEVICE_INODE  0u  /* the vfio device inode (stock kernels, zap_bars_on_revoke) */
#define D0_ZAP_DMABUF        1u  /* one DMABUF's file mapping (the series) */

/* D0_EV_RAW_ACCESS a0: which path reached the BAR from outside vfio. */
#define D0_RAW_SYSFS_IO  1u  /* sysfs resourceN read/write of an I/O BAR (pci_read/write_resource[_io]) */
#define D0_RAW_DEV_PORT  2u  /* /dev/port (read_port/write_port): a port inside an I/O BAR */
#define D0_RAW_DEV_MEM   3u  /* /dev/mem (read_mem/write_mem/mmap_mem): inside a memory BAR */

/*
 * Drop causes counted in the kernel, per CPU (index into the drops map):
 * X(NAME, name in traces, metrics and daemon records, what was lost and what to do).
 * Only RINGBUF_FULL takes a sequence number (a gap); the others are counted only.
 */
#define D0_DROP_CAUSE_LIST(X) \
	X(RINGBUF_FULL, "ringbuf_full", "the ring buffer was full: raise audit.ringbuf_size") \
	X(DEVMAP_FULL,  "devmap_full", "more devices than the device map holds: their events were not tracked") \
	X(NO_ENTRY,     "exit_without_entry", \
	  "exits on the multi-attached link came without their entry (recursion guard, nesting, stash full); " \
	  "D0AUDIT_NO_MULTI=1 avoids that link")
#define D0_DROP_(name, text, what) D0_DROP_##name,
enum d0_drop_cause {
	D0_DROP_CAUSE_LIST(D0_DROP_)
	D0_DROP_CAUSES,
};


#endif /* D0AUDIT_EVENT_H */
