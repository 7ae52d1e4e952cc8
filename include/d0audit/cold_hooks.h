/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the cold rows of the hook table are served where the kernel can
 * multi-attach (issue 18): by ONE generic entry program (kprobe.multi) and
 * ONE generic exit program (kretprobe.multi) that look the row up by the
 * link's per-function cookie and run what this table says, instead of one
 * program per row (about 125 ms of load, verification and trampoline each
 * under TCG). bpf/cold_multi.bpf.h is the handler.
 *
 * A row of include/d0audit/hooks.h that is not listed here (hot paths,
 * hooks with specific logic, and every new row by default) keeps its own
 * program. Listed rows keep their own program too, as the fallback on
 * kernels without multi-attach of module functions (6.1): the hook table
 * stays the single source of what is hooked; this says how.
 *
 * Columns (each row does exactly what its own program in bpf/ does):
 *   id      hook row (D0_HOOK_<id>); entry rows (FENTRY, KPROBE) and exit rows
 *           (FEXIT, KRETPROBE) by the row's kind
 *   dev     where the device comes from: NONE, VDEV (vfio_pci_core_device,
 *           event always), PDEV (pci_dev, event only for a tracked vfio device),
 *           DEVICE (struct device of a pci_dev, likewise)
 *   darg    argument index (0-based) of that pointer
 *   kind    event kind (D0_EV_<kind>), or NONE_EV: context only, no event
 *   a0, a1  event words: ARG(n) an argument, BOOL(n) an argument tested != 0,
 *           K(v) a constant
 *   ret     event ret: K(0), ARG(n) (an int argument), RC32/RC64 (the return value,
 *           int or long)
 *   ctx     D0_CTX_* entered at entry, left at exit (after the event), or 0
 *   filter  F_NONE, F_LP_FEATURE(arg), F_RESET_IOCTL(arg), F_CMD_TOUCH(pos arg,
 *           count arg at n, n+1), F_NOT_PROBE(arg), F_RET_OK: when the event is
 *           emitted (what the row's own program tests)
 *   hit     1: the row counts its runs in `hits` (as its own program does)
 *   act     NONE, or the row's own logic that is more than an event: POWER_ENTER/
 *           POWER_EXIT (__pci_set_power_state: the state at entry kept per task),
 *           POWER_UPDATE (an event only when the state changed), OPEN, CLOSE,
 *           UNREGISTER (the per-device state they reset or remove), BRIDGE_RESET
 *           (one event per tracked device below the bridge, a0 the reset kind),
 *           USER_CFG/BRIDGE_CFG (pci_user_write_config_*: where, val in arguments 1
 *           and 2, a0 the access size), CORE_CFG (pci_write_config_*: the same
 *           arguments, the hardware COMMAND it writes), RESTORE_STATE (the saved
 *           COMMAND back), SYSFS_IO (sysfs resourceN of an I/O BAR, a0 1 for a
 *           write), CHAR_ACCESS (/dev/port, /dev/mem: a0 1 for a write, a1 the
 *           space, 1 for I/O ports), MEM_MMAP_DESC/MEM_MMAP_VMA (a /dev/mem mmap
 *           from its vm_area_desc or its VMA); two entry rows may share a function
 *
 * An exit row keeps its function's arguments at entry when it emits an event
 * or has an act (d0_cold_exit_keeps_args).
 */
#ifndef D0AUDIT_COLD_HOOKS_H
#define D0AUDIT_COLD_HOOKS_H

/* value sources (a0, a1, ret): kind in bits 8..15, argument or constant below */
#define D0_SRC_K       0x000u
#define D0_SRC_ARG     0x100u
#define D0_SRC_BOOL    0x200u
#define D0_SRC_RC32    0x300u
#define D0_SRC_RC64    0x400u
#define K(v)    (D0_SRC_K | (v))
#define ARG(n)  (D0_SRC_ARG | (n))
#define BOOL(n) (D0_SRC_BOOL | (n))
#define RC32    D0_SRC_RC32
#define RC64    D0_SRC_RC64

enum d0_cold_dev { D0_COLD_NONE, D0_COLD_VDEV, D0_COLD_PDEV, D0_COLD_DEVICE };
enum d0_cold_act {
	D0_ACT_NONE, D0_ACT_POWER_ENTER, D0_ACT_POWER_EXIT, D0_ACT_POWER_UPDATE, D0_ACT_OPEN, D0_ACT_CLOSE,
	D0_ACT_UNREGISTER, D0_ACT_BRIDGE_RESET, D0_ACT_USER_CFG, D0_ACT_BRIDGE_CFG, D0_ACT_CORE_CFG,
	D0_ACT_RESTORE_STATE, D0_ACT_SYSFS_IO, D0_ACT_CHAR_ACCESS, D0_ACT_MEM_MMAP_DESC, D0_ACT_MEM_MMAP_VMA,
};

/* filter: kind in bits 8..15, argument index below */
#define D0_F_NONE        0x000u
#define D0_F_LP_FEATURE  0x100u
#define D0_F_RESET_IOCTL 0x200u
#define D0_F_CMD_TOUCH   0x300u
#define D0_F_NOT_PROBE   0x400u
#define D0_F_RET_OK      0x500u
#define F_NONE           D0_F_NONE
#define F_LP_FEATURE(n)  (D0_F_LP_FEATURE | (n))
#define F_RESET_IOCTL(n) (D0_F_RESET_IOCTL | (n))
#define F_CMD_TOUCH(n)   (D0_F_CMD_TOUCH | (n))
#define F_NOT_PROBE(n)   (D0_F_NOT_PROBE | (n))
#define F_RET_OK         D0_F_RET_OK

#define D0_EV_NONE_EV 0xffffu

#define D0_COLD_TABLE(X)                                                                                       \
	/* id                   dev     darg kind             a0                       a1       ret      ctx                  filter            hit act */ \
	X(PCI_SET_POWER,        PDEV,   0, NONE_EV,            K(0),                    K(0),    K(0),    0,                   F_NONE,           0, POWER_ENTER) \
	X(PCI_SET_POWER_RET,    PDEV,   0, POWER_CHANGE,       ARG(1),                  K(0),    RC32,    0,                   F_NONE,           0, POWER_EXIT) \
	X(PCI_SET_POWER_OLD,    PDEV,   0, NONE_EV,            K(0),                    K(0),    K(0),    0,                   F_NONE,           0, POWER_ENTER) \
	X(PCI_SET_POWER_OLD_RET, PDEV,  0, POWER_CHANGE,       ARG(1),                  K(0),    RC32,    0,                   F_NONE,           0, POWER_EXIT) \
	X(PCI_POWER_UP_RET,     PDEV,   0, POWER_UPDATE,       K(0),                    K(0),    K(0),    0,                   F_NONE,           0, POWER_UPDATE) \
	X(PCI_UPDATE_STATE_RET, PDEV,   0, POWER_UPDATE,       K(0),                    K(0),    K(0),    0,                   F_NONE,           0, POWER_UPDATE) \
	X(ENABLE_RET,           VDEV,   0, OPEN,               K(0),                    K(0),    RC32,    0,                   F_NONE,           0, OPEN) \
	X(CLOSE,                VDEV,   0, CLOSE,              K(0),                    K(0),    K(0),    0,                   F_NONE,           0, CLOSE) \
	X(UNREGISTER,           VDEV,   0, UNREGISTER,         K(0),                    K(0),    K(0),    0,                   F_NONE,           0, UNREGISTER) \
	X(SECONDARY_BUS_RESET,  NONE,   0, NONE_EV,            K(D0_RESET_SECONDARY_BUS), K(0),  K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, BRIDGE_RESET) \
	X(DPC_RESET,            NONE,   0, NONE_EV,            K(D0_RESET_DPC),         K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, BRIDGE_RESET) \
	X(USER_CFG_BYTE,        PDEV,   0, NONE_EV,            K(1),                    K(0),    K(0),    0,                   F_NONE,           0, USER_CFG) \
	X(USER_CFG_WORD,        PDEV,   0, NONE_EV,            K(2),                    K(0),    K(0),    0,                   F_NONE,           0, USER_CFG) \
	X(USER_CFG_DWORD,       PDEV,   0, NONE_EV,            K(4),                    K(0),    K(0),    0,                   F_NONE,           0, USER_CFG) \
	X(BRIDGE_CFG_BYTE,      PDEV,   0, NONE_EV,            K(1),                    K(0),    K(0),    0,                   F_NONE,           0, BRIDGE_CFG) \
	X(BRIDGE_CFG_WORD,      PDEV,   0, NONE_EV,            K(2),                    K(0),    K(0),    0,                   F_NONE,           0, BRIDGE_CFG) \
	X(BRIDGE_CFG_DWORD,     PDEV,   0, NONE_EV,            K(4),                    K(0),    K(0),    0,                   F_NONE,           0, BRIDGE_CFG) \
	X(VFIO_SET_POWER,       VDEV,   0, POWER_REQUEST,      ARG(1),                  K(0),    K(0),    D0_CTX_VFIO_POWER,   F_NONE,           0, NONE) \
	X(VFIO_SET_POWER_RET,   VDEV,   0, POWER_REQUEST_DONE, ARG(1),                  K(0),    RC32,    D0_CTX_VFIO_POWER,   F_NONE,           0, NONE) \
	X(VFIO_PM_CONFIG,       VDEV,   0, PM_CTRL_WRITE,      ARG(4),                  ARG(5),  K(0),    D0_CTX_VFIO_PM_CTRL, F_NONE,           0, NONE) \
	X(VFIO_PM_CONFIG_RET,   VDEV,   0, PM_CTRL_WRITE,      ARG(4),                  ARG(5),  RC32,    D0_CTX_VFIO_PM_CTRL, F_NONE,           0, NONE) \
	X(PCI_RPM_SUSPEND,      DEVICE, 0, RPM_SUSPEND,        K(0),                    K(0),    K(0),    D0_CTX_RPM_SUSPEND,  F_NONE,           0, NONE) \
	X(PCI_RPM_SUSPEND_RET,  DEVICE, 0, RPM_SUSPEND,        K(0),                    K(0),    RC32,    D0_CTX_RPM_SUSPEND,  F_NONE,           0, NONE) \
	X(PCI_RPM_RESUME,       DEVICE, 0, RPM_RESUME,         K(0),                    K(0),    K(0),    D0_CTX_RPM_RESUME,   F_NONE,           0, NONE) \
	X(PCI_RPM_RESUME_RET,   DEVICE, 0, RPM_RESUME,         K(0),                    K(0),    RC32,    D0_CTX_RPM_RESUME,   F_NONE,           0, NONE) \
	X(VFIO_LP_FEATURE,      VDEV,   0, LOW_POWER,          ARG(1),                  ARG(1),  K(0),    D0_CTX_VFIO_FEATURE, F_LP_FEATURE(1),  0, NONE) \
	X(VFIO_LP_FEATURE_RET,  VDEV,   0, LOW_POWER,          ARG(1),                  ARG(1),  RC32,    D0_CTX_VFIO_FEATURE, F_LP_FEATURE(1),  0, NONE) \
	X(DMABUF_MOVE,          VDEV,   0, DMABUF_MOVE,        BOOL(1),                 K(0),    K(0),    D0_CTX_DMABUF_MOVE,  F_NONE,           0, NONE) \
	X(DMABUF_MOVE_RET,      VDEV,   0, DMABUF_MOVE,        BOOL(1),                 K(0),    K(0),    D0_CTX_DMABUF_MOVE,  F_NONE,           0, NONE) \
	X(ROM_MAP,              PDEV,   0, ROM_MAP,            K(0),                    K(0),    K(0),    0,                   F_NONE,           0, NONE) \
	X(VGA_RW,               VDEV,   0, VGA_ACCESS,         BOOL(4),                 K(0),    K(0),    0,                   F_NONE,           0, NONE) \
	X(VFIO_CONFIG_RW,       NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_VFIO_CONFIG,  F_NONE,           0, NONE) \
	X(VFIO_CONFIG_RW_RET,   NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_VFIO_CONFIG,  F_NONE,           0, NONE) \
	X(VFIO_CMD_WRITE,       VDEV,   0, CONFIG_WRITE,       ARG(1),                  ARG(5),  ARG(2),  D0_CTX_VFIO_CMD,     F_CMD_TOUCH(1),   0, NONE) \
	X(VFIO_CMD_WRITE_RET,   VDEV,   0, CONFIG_WRITE,       ARG(1),                  ARG(5),  RC32,    D0_CTX_VFIO_CMD,     F_CMD_TOUCH(1),   0, NONE) \
	X(VFIO_EXP_WRITE,       VDEV,   0, FLR_WRITE,          ARG(1),                  ARG(5),  K(0),    0,                   F_NONE,           0, NONE) \
	X(VFIO_AF_WRITE,        VDEV,   0, FLR_WRITE,          ARG(1),                  ARG(5),  K(0),    0,                   F_NONE,           0, NONE) \
	X(SYSFS_MMAP,           PDEV,   0, SYSFS_MMAP,         ARG(1),                  K(0),    K(0),    0,                   F_NONE,           0, NONE) \
	X(REGISTER_RET,         VDEV,   0, REGISTER,           K(0),                    K(0),    RC32,    0,                   F_RET_OK,         0, NONE) \
	X(DISABLE,              VDEV,   0, DISABLE,            K(0),                    K(0),    K(0),    0,                   F_NONE,           0, NONE) \
	X(VFIO_IOCTL,           VDEV,   0, IOCTL,              ARG(1),                  K(0),    K(0),    D0_CTX_VFIO_IOCTL,   F_RESET_IOCTL(1), 0, NONE) \
	X(VFIO_IOCTL_RET,       VDEV,   0, IOCTL,              ARG(1),                  K(0),    RC64,    D0_CTX_VFIO_IOCTL,   F_RESET_IOCTL(1), 0, NONE) \
	X(HOT_RESET,            NONE,   0, HOT_RESET,          K(0),                    K(0),    K(0),    D0_CTX_HOT_RESET,    F_NONE,           0, NONE) \
	X(HOT_RESET_RET,        NONE,   0, HOT_RESET,          K(0),                    K(0),    RC32,    D0_CTX_HOT_RESET,    F_NONE,           0, NONE) \
	X(TRY_RESET,            PDEV,   0, RESET,              K(D0_RESET_TRY),         K(0),    K(0),    D0_CTX_RESET,        F_NONE,           0, NONE) \
	X(TRY_RESET_RET,        PDEV,   0, RESET,              K(D0_RESET_TRY),         K(0),    RC32,    D0_CTX_RESET,        F_NONE,           0, NONE) \
	X(RESET_LOCKED,         PDEV,   0, RESET,              K(D0_RESET_LOCKED),      K(0),    K(0),    D0_CTX_RESET,        F_NONE,           0, NONE) \
	X(RESET_LOCKED_RET,     PDEV,   0, RESET,              K(D0_RESET_LOCKED),      K(0),    RC32,    D0_CTX_RESET,        F_NONE,           0, NONE) \
	X(PM_RESET,             PDEV,   0, RESET,              K(D0_RESET_PM),          K(0),    K(0),    0,                   F_NOT_PROBE(1),   0, NONE) \
	X(BUS_RESET,            PDEV,   0, RESET,              K(D0_RESET_BUS),         K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(BUS_RESET_RET,        PDEV,   0, RESET,              K(D0_RESET_BUS),         K(0),    RC32,    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(RESET_FUNCTION,       PDEV,   0, RESET,              K(D0_RESET_FUNCTION),    K(0),    K(0),    D0_CTX_RESET,        F_NONE,           1, NONE) \
	X(RESET_FUNCTION_RET,   PDEV,   0, RESET,              K(D0_RESET_FUNCTION),    K(0),    RC32,    D0_CTX_RESET,        F_NONE,           0, NONE) \
	X(TRY_RESET_BRIDGE,     NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           1, NONE) \
	X(TRY_RESET_BRIDGE_RET, NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(RESET_SUBORDINATE,    NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           1, NONE) \
	X(RESET_SUBORDINATE_RET, NONE,  0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(BUS_ERROR_RESET,      NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           1, NONE) \
	X(BUS_ERROR_RESET_RET,  NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(ERR_RECOVERY,         NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_ERR_RECOVERY, F_NONE,           1, NONE) \
	X(ERR_RECOVERY_RET,     NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_ERR_RECOVERY, F_NONE,           0, NONE) \
	X(SECONDARY_BUS_RESET_RET, NONE, 0, NONE_EV,           K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(DPC_RESET_RET,        NONE,   0, NONE_EV,            K(0),                    K(0),    K(0),    D0_CTX_BUS_RESET,    F_NONE,           0, NONE) \
	X(PCIE_FLR,             PDEV,   0, RESET,              K(D0_RESET_FLR),         K(0),    K(0),    0,                   F_NONE,           1, NONE) \
	X(AF_FLR,               PDEV,   0, RESET,              K(D0_RESET_FLR),         K(0),    K(0),    0,                   F_NOT_PROBE(1),   1, NONE) \
	X(CORE_CFG_BYTE,        PDEV,   0, NONE_EV,            K(1),                    K(0),    K(0),    0,                   F_NONE,           0, CORE_CFG) \
	X(CORE_CFG_WORD,        PDEV,   0, NONE_EV,            K(2),                    K(0),    K(0),    0,                   F_NONE,           0, CORE_CFG) \
	X(CORE_CFG_DWORD,       PDEV,   0, NONE_EV,            K(4),                    K(0),    K(0),    0,                   F_NONE,           0, CORE_CFG) \
	X(RESTORE_STATE_RET,    PDEV,   0, NONE_EV,            K(0),                    K(0),    K(0),    0,                   F_NONE,           0, RESTORE_STATE) \
	X(SYSFS_IO_READ_RET,    NONE,   0, NONE_EV,            K(0),                    K(0),    RC64,    0,                   F_NONE,           0, SYSFS_IO) \
	X(SYSFS_IO_WRITE_RET,   NONE,   0, NONE_EV,            K(1),                    K(0),    RC64,    0,                   F_NONE,           0, SYSFS_IO) \
	X(SYSFS_IO_READ_OLD_RET, NONE,  0, NONE_EV,            K(0),                    K(0),    RC64,    0,                   F_NONE,           0, SYSFS_IO) \
	X(SYSFS_IO_WRITE_OLD_RET, NONE, 0, NONE_EV,            K(1),                    K(0),    RC64,    0,                   F_NONE,           0, SYSFS_IO) \
	X(DEV_PORT_READ_RET,    NONE,   0, NONE_EV,            K(0),                    K(1),    RC64,    0,                   F_NONE,           0, CHAR_ACCESS) \
	X(DEV_PORT_WRITE_RET,   NONE,   0, NONE_EV,            K(1),                    K(1),    RC64,    0,                   F_NONE,           0, CHAR_ACCESS) \
	X(DEV_MEM_READ_RET,     NONE,   0, NONE_EV,            K(0),                    K(0),    RC64,    0,                   F_NONE,           0, CHAR_ACCESS) \
	X(DEV_MEM_WRITE_RET,    NONE,   0, NONE_EV,            K(1),                    K(0),    RC64,    0,                   F_NONE,           0, CHAR_ACCESS) \
	X(DEV_MEM_MMAP_RET,     NONE,   0, NONE_EV,            K(0),                    K(0),    RC32,    0,                   F_NONE,           0, MEM_MMAP_DESC) \
	X(DEV_MEM_MMAP_OLD_RET, NONE,   1, NONE_EV,            K(0),                    K(0),    RC32,    0,                   F_NONE,           0, MEM_MMAP_VMA)

/* The row's configuration as the generic handler reads it (one per hook id; unlisted rows: served = 0). */
struct d0_cold_cfg {
	__u16 kind;     /* D0_EV_*, or D0_EV_NONE_EV */
	__u16 a0, a1, ret; /* D0_SRC_* | n */
	__u16 filter;   /* D0_F_* | n */
	__u16 ctx;      /* index of the D0_CTX_* bit + 1, or 0 */
	__u8 served;    /* listed in D0_COLD_TABLE */
	__u8 dev;       /* enum d0_cold_dev */
	__u8 darg;
	__u8 hit;
	__u8 act;       /* enum d0_cold_act */
	__u8 pad[3];
};

#define D0_COLD_CFG_ROW(id, dev_, darg_, kind_, a0_, a1_, ret_, ctx_, filter_, hit_, act_)              \
	[D0_HOOK_##id] = { .kind = D0_EV_##kind_, .a0 = a0_, .a1 = a1_, .ret = ret_, .filter = filter_,     \
			   .ctx = (ctx_) != 0 ? __builtin_ctz(ctx_) + 1 : 0, .served = 1, .dev = D0_COLD_##dev_, \
			   .darg = darg_, .hit = hit_, .act = D0_ACT_##act_ },

/* An exit row reads its function's arguments (kept at entry): it emits an event or runs an act. */
static inline int d0_cold_exit_keeps_args(const struct d0_cold_cfg *c)
{
	return c->served && (c->kind != D0_EV_NONE_EV || c->act != D0_ACT_NONE);
}

/*
 * The entry program's cookie: entry row in bits 0..15, the same function's exit row in 16..31,
 * a second entry row on the same function in 32..47 (NONE: none), run after the first.
 */
#define D0_COLD_COOKIE2(entry, exit, entry2) ((__u64)(entry) | (__u64)(exit) << 16 | (__u64)(entry2) << 32)
#define D0_COLD_COOKIE(entry, exit) D0_COLD_COOKIE2(entry, exit, D0_HOOK_NONE)
/* The exit link's cookie: this bit and the exit row (the same program serves both links). */
#define D0_COLD_EXIT (1ull << 63)

#endif /* D0AUDIT_COLD_HOOKS_H */
