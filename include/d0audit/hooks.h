/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook table: every kernel place d0audit attaches to.
 *
 * One row per BPF program. The BPF object defines a program named `prog`
 * for every row; user space decides per row, on the running kernel, whether
 * it can attach (see src/model/hook_plan.c) and attaches it, or records why not.
 *
 * Columns:
 *   id      enum suffix (D0_HOOK_<id>), also written into every event
 *   prog    BPF program (C function) name
 *   kind    FENTRY, FEXIT, KPROBE, KRETPROBE or ITER
 *   target  kernel function name (for ITER: the iterator, bpf_iter_<name>)
 *   module  "vmlinux" or the module whose BTF holds the function (for the
 *           seed's iterator: vfio_pci_core, whose types it reads)
 *   flags   D0_HF_* below
 *   alt     for a fallback row: the id of the row it replaces, else NONE
 *   requires "module:struct.member" that must exist in BTF for the hook to
 *           mean anything, or NULL (e.g. the zap filter needs the vfio
 *           device inode, which vfio has only since 6.10)
 *
 * A row with alt != NONE is a fallback: it is used only when the row named
 * in alt (always an earlier row) cannot attach — an older name of the same
 * path (pci_set_power_state before __pci_set_power_state existed, the 6.1
 * fault handler), or a kprobe where fentry cannot take the arguments (6.1's
 * nine-argument do_io_rw). D0_HF_CLONE lets a kprobe row attach to a
 * compiler clone (`name.constprop.N`, `name.isra.N`) when only that exists.
 */
#ifndef D0AUDIT_HOOKS_H
#define D0AUDIT_HOOKS_H

/* The four hooks without which no verdict about D0 ordering is possible. */
#define D0_HF_CORE     0x1u
/* May attach to a compiler clone of the target (kprobe only). */
#define D0_HF_CLONE    0x2u
/* Fires for every BAR access or fault: must stay cheap, emits only on need. */
#define D0_HF_HOT      0x4u
/*
 * Used only where the target named by alt is no function of its own (no
 * symbol, no BTF: the compiler inlined it into this row's target); wherever
 * it exists, the path is seen there or by the row it stands in for.
 */
#define D0_HF_INLINED_ALT 0x8u
/*
 * FEXIT row the shared fexit.multi program (fexit_multi, bpf/fexit_multi.bpf.h)
 * serves where the kernel has tracing multi links (7.2+): one program verified
 * once instead of one per row. Only rows of one module (one link, one BTF).
 */
#define D0_HF_FEXIT_MULTI 0x10u

#define D0_HOOK_TABLE(X)                                                                        \
	/* power: vfio's own requests and PM_CTRL emulation */                                   \
	X(VFIO_SET_POWER,       fentry_vfio_set_power,      FENTRY, "vfio_pci_set_power_state",  "vfio_pci_core", D0_HF_CORE, NONE, NULL) \
	X(VFIO_SET_POWER_RET,   fexit_vfio_set_power,       FEXIT,  "vfio_pci_set_power_state",  "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_PM_CONFIG,       fentry_vfio_pm_config,      FENTRY, "vfio_pm_config_write",      "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_PM_CONFIG_RET,   fexit_vfio_pm_config,       FEXIT,  "vfio_pm_config_write",      "vfio_pci_core", 0, NONE, NULL) \
	/* power: the PCI-core choke points every D-state change goes through */                  \
	X(PCI_SET_POWER,        fentry_pci_set_power,       FENTRY, "__pci_set_power_state",     "vmlinux", D0_HF_CORE, NONE, NULL) \
	X(PCI_SET_POWER_RET,    fexit_pci_set_power,        FEXIT,  "__pci_set_power_state",     "vmlinux", 0, NONE, NULL) \
	X(PCI_SET_POWER_OLD,    fentry_pci_set_power_old,   FENTRY, "pci_set_power_state",       "vmlinux", 0, PCI_SET_POWER, NULL) \
	X(PCI_SET_POWER_OLD_RET, fexit_pci_set_power_old,   FEXIT,  "pci_set_power_state",       "vmlinux", 0, PCI_SET_POWER_RET, NULL) \
	X(PCI_POWER_UP_RET,     fexit_pci_power_up,         FEXIT,  "pci_power_up",              "vmlinux", 0, NONE, NULL) \
	X(PCI_UPDATE_STATE_RET, fexit_pci_update_state,     FEXIT,  "pci_update_current_state",  "vmlinux", 0, NONE, NULL) \
	/* power: runtime PM (context for rules, and the tracepoints) */                          \
	X(PCI_RPM_SUSPEND,      fentry_pci_rpm_suspend,     FENTRY, "pci_pm_runtime_suspend",    "vmlinux", 0, NONE, NULL) \
	X(PCI_RPM_SUSPEND_RET,  fexit_pci_rpm_suspend,      FEXIT,  "pci_pm_runtime_suspend",    "vmlinux", 0, NONE, NULL) \
	X(PCI_RPM_RESUME,       fentry_pci_rpm_resume,      FENTRY, "pci_pm_runtime_resume",     "vmlinux", 0, NONE, NULL) \
	X(PCI_RPM_RESUME_RET,   fexit_pci_rpm_resume,       FEXIT,  "pci_pm_runtime_resume",     "vmlinux", 0, NONE, NULL) \
	X(VFIO_LP_FEATURE,      fentry_vfio_feature,        FENTRY, "vfio_pci_core_ioctl_feature", "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_LP_FEATURE_RET,  fexit_vfio_feature,         FEXIT,  "vfio_pci_core_ioctl_feature", "vfio_pci_core", 0, NONE, NULL) \
	/* mappings: zaps and the faults that install user PTEs on BARs */                        \
	X(ZAP,                  fentry_zap,                 FENTRY, "unmap_mapping_range",       "vmlinux", D0_HF_CORE, NONE, "vfio:vfio_device.inode") \
	X(ZAP_V61,              fexit_zap_v61,              FEXIT,  "vfio_pci_zap_and_vma_lock", "vfio_pci_core", 0, ZAP, NULL) \
	X(FAULT_INSERT_RET,     fexit_fault_insert,         FEXIT,  "vfio_pci_vmf_insert_pfn",   "vfio_pci_core", D0_HF_HOT, NONE, NULL) \
	X(FAULT_HUGE_RET,       fexit_fault_huge,           FEXIT,  "vfio_pci_mmap_huge_fault",  "vfio_pci_core", D0_HF_HOT, FAULT_INSERT_RET, NULL) \
	X(FAULT_V61_RET,        fexit_fault_v61,            FEXIT,  "vfio_pci_mmap_fault",       "vfio_pci_core", D0_HF_HOT, FAULT_HUGE_RET, NULL) \
	/* DMABUFs: export, revoke/unrevoke, per-buffer flips, importer grants, cleanup */        \
	X(DMABUF_MOVE,          fentry_dmabuf_move,         FENTRY, "vfio_pci_dma_buf_move",     "vfio_pci_core", D0_HF_CORE, NONE, "vfio_pci_core:vfio_pci_core_device.dmabufs") \
	X(DMABUF_MOVE_RET,      fexit_dmabuf_move,          FEXIT,  "vfio_pci_dma_buf_move",     "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_EXPORT_RET,    fexit_dmabuf_export,        FEXIT,  "vfio_pci_core_feature_dma_buf", "vfio_pci_core", D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(DMABUF_RELEASE,       fentry_dmabuf_release,      FENTRY, "vfio_pci_dma_buf_release",  "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_CLEANUP,       fentry_dmabuf_cleanup,      FENTRY, "vfio_pci_dma_buf_cleanup",  "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_MAP_RET,       fexit_dmabuf_map,           FEXIT,  "vfio_pci_dma_buf_map",      "vfio_pci_core", D0_HF_FEXIT_MULTI, NONE, NULL) \
	/* the pending DMABUF-mmap series (ground truth 5.1): probed, so its arrival shows */     \
	X(REVOKE_BARS,          fentry_revoke_bars,         FENTRY, "vfio_pci_revoke_bars",      "vfio_pci_core", 0, NONE, "vfio_pci_core:vfio_pci_core_device.zap_bars_on_revoke") \
	X(DMABUF_INVALIDATE,    fentry_dmabuf_invalidate,   FENTRY, "dma_buf_invalidate_mappings", "vmlinux", 0, NONE, "vfio_pci_core:vfio_pci_core_device.dmabufs") \
	X(DMABUF_MOVE_NOTIFY,   fentry_dmabuf_move_notify,  FENTRY, "dma_buf_move_notify",       "vmlinux", 0, DMABUF_INVALIDATE, "vfio_pci_core:vfio_pci_core_device.dmabufs") \
	/*                                                                                     \
	 * The DMABUF-mmap series ("vfio/pci: Add mmap() for DMABUFs", bpf/series_dmabuf.bpf.h):  \
	 * every BAR mmap is a DMABUF, its PTEs live in the buffer file's address_space. These    \
	 * learn each buffer's mapping (the zap filter), see the paths the series adds, and       \
	 * replace the inlined vfio_pci_revoke_bars. Absent elsewhere: doctor says so per row.    \
	 */                                                                                    \
	X(MMAP_PREP_DMABUF_RET, fexit_mmap_prep_dmabuf,     FEXIT,  "vfio_pci_core_mmap_prep_dmabuf", "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_MMAP_RET,      fexit_dmabuf_mmap,          FEXIT,  "vfio_pci_dma_buf_mmap",     "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_REVOKE,        fentry_dmabuf_revoke,       FENTRY, "vfio_pci_core_feature_dma_buf_revoke", "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_REVOKE_RET,    fexit_dmabuf_revoke,        FEXIT,  "vfio_pci_core_feature_dma_buf_revoke", "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_MEMATTR_RET,   fexit_dmabuf_memattr,       FEXIT,  "vfio_pci_core_feature_dma_buf_memattr", "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_SET_STATUS,    kprobe_dmabuf_set_status,   KPROBE, "vfio_pci_dma_buf_set_status", "vfio_pci_core", D0_HF_CLONE, NONE, NULL) \
	X(LOCK_REVOKE_BARS,     fentry_lock_revoke_bars,    FENTRY, "vfio_pci_lock_revoke_bars", "vfio_pci_core", 0, NONE, NULL) \
	X(LOCK_REVOKE_BARS_RET, fexit_lock_revoke_bars,     FEXIT,  "vfio_pci_lock_revoke_bars", "vfio_pci_core", 0, NONE, NULL) \
	X(UNREVOKE_BARS,        fentry_unrevoke_bars,       FENTRY, "vfio_pci_unrevoke_bars",    "vfio_pci_core", 0, NONE, NULL) \
	X(DMABUF_FIND_PFN_RET,  fexit_dmabuf_find_pfn,      FEXIT,  "vfio_pci_dma_buf_find_pfn", "vfio_pci_core", D0_HF_HOT, NONE, NULL) \
	X(FAULT_REFUSED_RET,    fexit_fault_refused,        FEXIT,  "vfio_pci_mmap_huge_fault",  "vfio_pci_core", D0_HF_HOT, NONE, "vfio_pci_core:vfio_pci_dma_buf.vfile") \
	/* BAR access through the device fd, ROM, ioeventfd, VGA */                              \
	X(BAR_IO,               fentry_bar_io,              FENTRY, "vfio_pci_core_do_io_rw",    "vfio_pci_core", D0_HF_HOT, NONE, NULL) \
	X(BAR_RW_RET,           fexit_bar_rw,               FEXIT,  "vfio_pci_bar_rw",           "vfio_pci_core", D0_HF_HOT, NONE, NULL) \
	X(BAR_IO_V61,           kprobe_bar_io_v61,          KPROBE, "do_io_rw",                  "vfio_pci_core", D0_HF_HOT, BAR_IO, NULL) \
	X(ROM_MAP,              fentry_rom_map,             FENTRY, "pci_map_rom",               "vmlinux", 0, NONE, NULL) \
	X(IOEVENTFD_WRITE,      fentry_ioeventfd_write,     FENTRY, "vfio_pci_ioeventfd_do_write", "vfio_pci_core", D0_HF_HOT, NONE, NULL) \
	X(VGA_RW,               fentry_vga_rw,              FENTRY, "vfio_pci_vga_rw",           "vfio_pci_core", 0, NONE, NULL) \
	/* config space: vfio's emulation and writes behind vfio's back */                       \
	X(VFIO_CONFIG_RW,       fentry_vfio_config_rw,      FENTRY, "vfio_pci_config_rw",        "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_CONFIG_RW_RET,   fexit_vfio_config_rw,       FEXIT,  "vfio_pci_config_rw",        "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_CMD_WRITE,       fentry_vfio_cmd_write,      FENTRY, "vfio_basic_config_write",   "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_CMD_WRITE_RET,   fexit_vfio_cmd_write,       FEXIT,  "vfio_basic_config_write",   "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_EXP_WRITE,       fentry_vfio_exp_write,      FENTRY, "vfio_exp_config_write",     "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_AF_WRITE,        fentry_vfio_af_write,       FENTRY, "vfio_af_config_write",      "vfio_pci_core", 0, NONE, NULL) \
	X(USER_CFG_BYTE,        fentry_user_cfg_byte,       FENTRY, "pci_user_write_config_byte",  "vmlinux", 0, NONE, NULL) \
	X(USER_CFG_WORD,        fentry_user_cfg_word,       FENTRY, "pci_user_write_config_word",  "vmlinux", 0, NONE, NULL) \
	X(USER_CFG_DWORD,       fentry_user_cfg_dword,      FENTRY, "pci_user_write_config_dword", "vmlinux", 0, NONE, NULL) \
	X(SYSFS_MMAP,           fentry_sysfs_mmap,          FENTRY, "pci_mmap_resource_range",   "vmlinux", 0, NONE, NULL) \
	/* lifecycle */                                                                            \
	X(REGISTER_RET,         fexit_register,             FEXIT,  "vfio_pci_core_register_device", "vfio_pci_core", 0, NONE, NULL) \
	X(UNREGISTER,           fentry_unregister,          FENTRY, "vfio_pci_core_unregister_device", "vfio_pci_core", 0, NONE, NULL) \
	X(ENABLE_RET,           fexit_enable,               FEXIT,  "vfio_pci_core_enable",      "vfio_pci_core", 0, NONE, NULL) \
	X(DISABLE,              fentry_disable,             FENTRY, "vfio_pci_core_disable",     "vfio_pci_core", 0, NONE, NULL) \
	X(CLOSE,                fentry_close,               FENTRY, "vfio_pci_core_close_device", "vfio_pci_core", 0, NONE, NULL) \
	/* resets */                                                                               \
	X(VFIO_IOCTL,           fentry_vfio_ioctl,          FENTRY, "vfio_pci_core_ioctl",       "vfio_pci_core", 0, NONE, NULL) \
	X(VFIO_IOCTL_RET,       fexit_vfio_ioctl,           FEXIT,  "vfio_pci_core_ioctl",       "vfio_pci_core", 0, NONE, NULL) \
	X(HOT_RESET,            kprobe_hot_reset,           KPROBE, "vfio_pci_dev_set_hot_reset", "vfio_pci_core", D0_HF_CLONE, NONE, NULL) \
	X(HOT_RESET_RET,        kretprobe_hot_reset,        KRETPROBE, "vfio_pci_dev_set_hot_reset", "vfio_pci_core", D0_HF_CLONE, NONE, NULL) \
	X(TRY_RESET,            fentry_try_reset,           FENTRY, "pci_try_reset_function",    "vmlinux", 0, NONE, NULL) \
	X(TRY_RESET_RET,        fexit_try_reset,            FEXIT,  "pci_try_reset_function",    "vmlinux", 0, NONE, NULL) \
	X(RESET_LOCKED,         fentry_reset_locked,        FENTRY, "__pci_reset_function_locked", "vmlinux", 0, NONE, NULL) \
	X(RESET_LOCKED_RET,     fexit_reset_locked,         FEXIT,  "__pci_reset_function_locked", "vmlinux", 0, NONE, NULL) \
	X(PM_RESET,             fentry_pm_reset,            FENTRY, "pci_pm_reset",              "vmlinux", 0, NONE, NULL) \
	X(BUS_RESET,            fentry_bus_reset,           FENTRY, "pci_reset_bus",             "vmlinux", 0, NONE, NULL) \
	X(BUS_RESET_RET,        fexit_bus_reset,            FEXIT,  "pci_reset_bus",             "vmlinux", 0, NONE, NULL) \
	/* beyond vfio (issue 14, bpf/beyond_vfio.bpf.h): reset prologues, bridge resets, recovery, FLR */ \
	X(RESET_FUNCTION,       fentry_reset_function,      FENTRY, "pci_reset_function",        "vmlinux", 0, NONE, NULL) \
	X(RESET_FUNCTION_RET,   fexit_reset_function,       FEXIT,  "pci_reset_function",        "vmlinux", 0, NONE, NULL) \
	X(TRY_RESET_BRIDGE,     fentry_try_reset_bridge,    FENTRY, "pci_try_reset_bridge",      "vmlinux", 0, NONE, NULL) \
	X(TRY_RESET_BRIDGE_RET, fexit_try_reset_bridge,     FEXIT,  "pci_try_reset_bridge",      "vmlinux", 0, NONE, NULL) \
	X(RESET_SUBORDINATE,    fentry_reset_subordinate,   FENTRY, "reset_subordinate_store",   "vmlinux", 0, TRY_RESET_BRIDGE, NULL) \
	X(RESET_SUBORDINATE_RET, fexit_reset_subordinate,   FEXIT,  "reset_subordinate_store",   "vmlinux", 0, TRY_RESET_BRIDGE_RET, NULL) \
	X(BUS_ERROR_RESET,      fentry_bus_error_reset,     FENTRY, "pci_bus_error_reset",       "vmlinux", 0, NONE, NULL) \
	X(BUS_ERROR_RESET_RET,  fexit_bus_error_reset,      FEXIT,  "pci_bus_error_reset",       "vmlinux", 0, NONE, NULL) \
	X(ERR_RECOVERY,         fentry_err_recovery,        FENTRY, "pcie_do_recovery",          "vmlinux", 0, NONE, NULL) \
	X(ERR_RECOVERY_RET,     fexit_err_recovery,         FEXIT,  "pcie_do_recovery",          "vmlinux", 0, NONE, NULL) \
	X(SECONDARY_BUS_RESET,  fentry_secondary_bus_reset, FENTRY, "pcibios_reset_secondary_bus", "vmlinux", 0, NONE, NULL) \
	X(SECONDARY_BUS_RESET_RET, fexit_secondary_bus_reset, FEXIT, "pcibios_reset_secondary_bus", "vmlinux", 0, NONE, NULL) \
	X(DPC_RESET,            fentry_dpc_reset,           FENTRY, "dpc_reset_link",            "vmlinux", 0, NONE, NULL) \
	X(DPC_RESET_RET,        fexit_dpc_reset,            FEXIT,  "dpc_reset_link",            "vmlinux", 0, NONE, NULL) \
	X(PCIE_FLR,             fentry_pcie_flr,            FENTRY, "pcie_flr",                  "vmlinux", 0, NONE, NULL) \
	X(AF_FLR,               fentry_af_flr,              FENTRY, "pci_af_flr",                "vmlinux", 0, NONE, NULL) \
	/* beyond vfio: user config writes to a bridge above a vfio device (rule 10) */ \
	X(BRIDGE_CFG_BYTE,      fentry_bridge_cfg_byte,     FENTRY, "pci_user_write_config_byte",  "vmlinux", 0, NONE, NULL) \
	X(BRIDGE_CFG_WORD,      fentry_bridge_cfg_word,     FENTRY, "pci_user_write_config_word",  "vmlinux", 0, NONE, NULL) \
	X(BRIDGE_CFG_DWORD,     fentry_bridge_cfg_dword,    FENTRY, "pci_user_write_config_dword", "vmlinux", 0, NONE, NULL) \
	/* IOMMU entries on a BAR (issue 14, bpf/iommu_grants.bpf.h): type1 pins a PFNMAP range, removes it */ \
	X(IOMMU_PIN_RET,        fexit_iommu_pin,            FEXIT,  "vfio_pin_pages_remote",     "vfio_iommu_type1", 0, NONE, NULL) \
	X(IOMMU_UNMAP_RET,      fexit_iommu_unmap,          FEXIT,  "vfio_unmap_unpin",          "vfio_iommu_type1", 0, NONE, NULL) \
	/* variant drivers (issue 14, bpf/variant.bpf.h) */ \
	X(CORE_IOREAD8_RET,     fexit_core_ioread8,         FEXIT,  "vfio_pci_core_ioread8",      "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOWRITE8_RET,    fexit_core_iowrite8,        FEXIT,  "vfio_pci_core_iowrite8",     "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOREAD16_RET,    fexit_core_ioread16,        FEXIT,  "vfio_pci_core_ioread16",     "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOWRITE16_RET,   fexit_core_iowrite16,       FEXIT,  "vfio_pci_core_iowrite16",    "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOREAD32_RET,    fexit_core_ioread32,        FEXIT,  "vfio_pci_core_ioread32",     "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOWRITE32_RET,   fexit_core_iowrite32,       FEXIT,  "vfio_pci_core_iowrite32",    "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOREAD64_RET,    fexit_core_ioread64,        FEXIT,  "vfio_pci_core_ioread64",     "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(CORE_IOWRITE64_RET,   fexit_core_iowrite64,       FEXIT,  "vfio_pci_core_iowrite64",    "vfio_pci_core", D0_HF_HOT | D0_HF_FEXIT_MULTI, NONE, NULL) \
	X(OPS_PROBE,            fentry_ops_probe,           FENTRY, "pci_user_read_config_dword", "vmlinux", 0, NONE, NULL) \
	X(OPS_REGISTER,         fentry_ops_register,        FENTRY, "vfio_pci_core_register_device", "vfio_pci_core", 0, NONE, NULL) \
	/* PREEMPT_RT (issue 14 class 10, bpf/preempt_rt.bpf.h) */                                \
	X(FAULT_PAGE_RET,       fexit_fault_page,           FEXIT,  "vfio_pci_mmap_page_fault",  "vfio_pci_core", D0_HF_HOT | D0_HF_INLINED_ALT, FAULT_HUGE_RET, NULL) \
	/* audits started mid-stream: the start-up seed (issue 14, bpf/seed.bpf.h) */ \
	X(SEED_VMAS,            seed_vfio_vmas,             ITER,   "bpf_iter_task_vma",         "vfio_pci_core", 0, NONE, NULL) \
	/* raw BAR access and hardware decode (issue 14 classes 3 and 5, bpf/raw_access.bpf.h) */ \
	X(CORE_CFG_BYTE,        fentry_core_cfg_byte,       FENTRY, "pci_write_config_byte",     "vmlinux", 0, NONE, NULL) \
	X(CORE_CFG_WORD,        fentry_core_cfg_word,       FENTRY, "pci_write_config_word",     "vmlinux", 0, NONE, NULL) \
	X(CORE_CFG_DWORD,       fentry_core_cfg_dword,      FENTRY, "pci_write_config_dword",    "vmlinux", 0, NONE, NULL) \
	X(RESTORE_STATE_RET,    fexit_restore_state,        FEXIT,  "pci_restore_state",         "vmlinux", 0, NONE, NULL) \
	X(SYSFS_IO_READ_RET,    fexit_sysfs_io_read,        FEXIT,  "pci_read_resource",         "vmlinux", 0, NONE, NULL) \
	X(SYSFS_IO_WRITE_RET,   fexit_sysfs_io_write,       FEXIT,  "pci_write_resource",        "vmlinux", 0, NONE, NULL) \
	X(SYSFS_IO_READ_OLD_RET, fexit_sysfs_io_read_old,   FEXIT,  "pci_read_resource_io",      "vmlinux", 0, SYSFS_IO_READ_RET, NULL) \
	X(SYSFS_IO_WRITE_OLD_RET, fexit_sysfs_io_write_old, FEXIT,  "pci_write_resource_io",     "vmlinux", 0, SYSFS_IO_WRITE_RET, NULL) \
	X(DEV_PORT_READ_RET,    fexit_dev_port_read,        FEXIT,  "read_port",                 "vmlinux", 0, NONE, NULL) \
	X(DEV_PORT_WRITE_RET,   fexit_dev_port_write,       FEXIT,  "write_port",                "vmlinux", 0, NONE, NULL) \
	X(DEV_MEM_READ_RET,     fexit_dev_mem_read,         FEXIT,  "read_mem",                  "vmlinux", 0, NONE, NULL) \
	X(DEV_MEM_WRITE_RET,    fexit_dev_mem_write,        FEXIT,  "write_mem",                 "vmlinux", 0, NONE, NULL) \
	X(DEV_MEM_MMAP_RET,     fexit_dev_mem_mmap,         FEXIT,  "mmap_mem_prepare",          "vmlinux", 0, NONE, NULL) \
	X(DEV_MEM_MMAP_OLD_RET, fexit_dev_mem_mmap_old,     FEXIT,  "mmap_mem",                  "vmlinux", 0, DEV_MEM_MMAP_RET, NULL)

enum d0_hook_kind {
	D0_FENTRY,
	D0_FEXIT,
	D0_KPROBE,
	D0_KRETPROBE,
	D0_ITER,     /* a BPF iterator run once after attach (the seed), never left attached */
};

enum d0_hook_id {
#define D0_HOOK_ENUM(id, prog, kind, target, module, flags, alt, requires) D0_HOOK_##id,
	D0_HOOK_TABLE(D0_HOOK_ENUM)
#undef D0_HOOK_ENUM
	D0_HOOK_COUNT,
	D0_HOOK_NONE = 0xffff,
};

#endif /* D0AUDIT_HOOKS_H */
