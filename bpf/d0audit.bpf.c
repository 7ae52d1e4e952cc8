// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit kernel side: one program per row of the hook table
 * (include/d0audit/hooks.h). Programs observe, keep per-device state and
 * emit events; user space judges. Hot paths (BAR access, faults) only count
 * unless the device is not in D0 or everything is being recorded.
 */
#include "emit.h"
/* Our pt_regs uses the kernel's register names (di, si, ...), as vmlinux.h would. */
#define __VMLINUX_H__
#include <bpf/bpf_tracing.h>
/* the DMABUF-mmap series' programs, and the helpers the programs below call for it */
#include "series_dmabuf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define VFIO_DEVICE_FEATURE_MASK 0xffffu
#define VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY 3
#define VFIO_DEVICE_FEATURE_LOW_POWER_EXIT 5
#define VFIO_DEVICE_RESET 0x3b6f      /* _IO(VFIO_TYPE, VFIO_BASE + 11) */
#define VFIO_DEVICE_PCI_HOT_RESET 0x3b71

#define ERR_PTR_LIMIT ((unsigned long)-4095)

/* ---- power: vfio's own requests ---------------------------------------- */

SEC("fentry/vfio_pci_set_power_state")
int BPF_PROG(fentry_vfio_set_power, struct vfio_pci_core_device *vdev, pci_power_t state)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_SET_POWER);

	ctx_enter(CTX_INDEX(D0_CTX_VFIO_POWER));
	emit(D0_EV_POWER_REQUEST, D0_PH_ENTRY, D0_HOOK_VFIO_SET_POWER, pdev, vdev, st, state, 0, 0);
	return 0;
}

SEC("fexit/vfio_pci_set_power_state")
int BPF_PROG(fexit_vfio_set_power, struct vfio_pci_core_device *vdev, pci_power_t state, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_SET_POWER_RET);

	emit(D0_EV_POWER_REQUEST_DONE, D0_PH_EXIT, D0_HOOK_VFIO_SET_POWER_RET, pdev, vdev, st, state, 0, ret);
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_POWER));
	return 0;
}

SEC("fentry/vfio_pm_config_write")
int BPF_PROG(fentry_vfio_pm_config, struct vfio_pci_core_device *vdev, int pos, int count,
	     void *perm, int offset, __u32 val)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_PM_CONFIG);

	ctx_enter(CTX_INDEX(D0_CTX_VFIO_PM_CTRL));
	emit(D0_EV_PM_CTRL_WRITE, D0_PH_ENTRY, D0_HOOK_VFIO_PM_CONFIG, pdev, vdev, st, offset, val, 0);
	return 0;
}

SEC("fexit/vfio_pm_config_write")
int BPF_PROG(fexit_vfio_pm_config, struct vfio_pci_core_device *vdev, int pos, int count,
	     void *perm, int offset, __u32 val, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_PM_CONFIG_RET);

	emit(D0_EV_PM_CTRL_WRITE, D0_PH_EXIT, D0_HOOK_VFIO_PM_CONFIG_RET, pdev, vdev, st, offset, val, ret);
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_PM_CTRL));
	return 0;
}

/* ---- power: PCI-core choke points --------------------------------------- */

static __always_inline void power_change_enter(struct pci_dev *pdev, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_task_ctx *c;

	if (!dev_state_of_pdev(pdev, &vdev, hook))
		return;
	/* Remember the state at entry: nested updates would hide it at exit. */
	ctx_enter(CTX_INDEX(D0_CTX_PCI_POWER));
	c = ctx_get();
	if (c)
		c->power_before = BPF_CORE_READ(pdev, current_state);
}

static __always_inline void power_change_exit(struct pci_dev *pdev, pci_power_t state, int ret, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, hook);
	struct d0_task_ctx *c;
	struct d0_event e;
	__s8 before = D0_PWR_UNKNOWN;

	if (!st)
		return;
	c = ctx_get();
	if (c)
		before = c->power_before;
	event_begin(&e, D0_EV_POWER_CHANGE, D0_PH_EXIT, hook, pdev, vdev, st);
	e.power_before = before;
	e.a0 = state;
	e.ret = ret;
	event_submit(&e);
	ctx_leave(CTX_INDEX(D0_CTX_PCI_POWER));
}

SEC("fentry/__pci_set_power_state")
int BPF_PROG(fentry_pci_set_power, struct pci_dev *pdev, pci_power_t state)
{
	power_change_enter(pdev, D0_HOOK_PCI_SET_POWER);
	return 0;
}

/* Three arguments on 7.x (pdev, state, locked): BPF_PROG needs the ret slot right. */
SEC("fexit/__pci_set_power_state")
int BPF_PROG(fexit_pci_set_power, struct pci_dev *pdev, pci_power_t state, bool locked, int ret)
{
	power_change_exit(pdev, state, ret, D0_HOOK_PCI_SET_POWER_RET);
	return 0;
}

SEC("fentry/pci_set_power_state")
int BPF_PROG(fentry_pci_set_power_old, struct pci_dev *pdev, pci_power_t state)
{
	power_change_enter(pdev, D0_HOOK_PCI_SET_POWER_OLD);
	return 0;
}

SEC("fexit/pci_set_power_state")
int BPF_PROG(fexit_pci_set_power_old, struct pci_dev *pdev, pci_power_t state, int ret)
{
	power_change_exit(pdev, state, ret, D0_HOOK_PCI_SET_POWER_OLD_RET);
	return 0;
}

/* A D-state change made without __pci_set_power_state (runtime resume, re-reads). */
static __always_inline void power_update(struct pci_dev *pdev, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, hook);
	pci_power_t now;

	if (!st)
		return;
	now = BPF_CORE_READ(pdev, current_state);
	if (now == st->last_power && !cfg_record_all)
		return;
	emit(D0_EV_POWER_UPDATE, D0_PH_EXIT, hook, pdev, vdev, st, now, 0, 0);
}

SEC("fexit/pci_power_up")
int BPF_PROG(fexit_pci_power_up, struct pci_dev *pdev, int ret)
{
	power_update(pdev, D0_HOOK_PCI_POWER_UP_RET);
	return 0;
}

SEC("fexit/pci_update_current_state")
int BPF_PROG(fexit_pci_update_state, struct pci_dev *pdev, pci_power_t state)
{
	power_update(pdev, D0_HOOK_PCI_UPDATE_STATE_RET);
	return 0;
}

/* ---- power: runtime PM and the low-power feature ------------------------ */

static __always_inline void rpm_event(struct device *dev, __u16 kind, __u8 phase, __u32 hook, int ret)
{
	struct pci_dev *pdev = pdev_of_device(dev);
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, hook);

	if (st)
		emit(kind, phase, hook, pdev, vdev, st, 0, 0, ret);
}

SEC("fentry/pci_pm_runtime_suspend")
int BPF_PROG(fentry_pci_rpm_suspend, struct device *dev)
{
	ctx_enter(CTX_INDEX(D0_CTX_RPM_SUSPEND));
	rpm_event(dev, D0_EV_RPM_SUSPEND, D0_PH_ENTRY, D0_HOOK_PCI_RPM_SUSPEND, 0);
	return 0;
}

SEC("fexit/pci_pm_runtime_suspend")
int BPF_PROG(fexit_pci_rpm_suspend, struct device *dev, int ret)
{
	rpm_event(dev, D0_EV_RPM_SUSPEND, D0_PH_EXIT, D0_HOOK_PCI_RPM_SUSPEND_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_RPM_SUSPEND));
	return 0;
}

SEC("fentry/pci_pm_runtime_resume")
int BPF_PROG(fentry_pci_rpm_resume, struct device *dev)
{
	ctx_enter(CTX_INDEX(D0_CTX_RPM_RESUME));
	rpm_event(dev, D0_EV_RPM_RESUME, D0_PH_ENTRY, D0_HOOK_PCI_RPM_RESUME, 0);
	return 0;
}

SEC("fexit/pci_pm_runtime_resume")
int BPF_PROG(fexit_pci_rpm_resume, struct device *dev, int ret)
{
	rpm_event(dev, D0_EV_RPM_RESUME, D0_PH_EXIT, D0_HOOK_PCI_RPM_RESUME_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_RPM_RESUME));
	return 0;
}

static __always_inline bool is_low_power_feature(__u32 flags)
{
	__u32 f = flags & VFIO_DEVICE_FEATURE_MASK;

	return f >= VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY && f <= VFIO_DEVICE_FEATURE_LOW_POWER_EXIT;
}

SEC("fentry/vfio_pci_core_ioctl_feature")
int BPF_PROG(fentry_vfio_feature, struct vfio_pci_core_device *vdev, __u32 flags)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	ctx_enter(CTX_INDEX(D0_CTX_VFIO_FEATURE));
	if (!is_low_power_feature(flags))
		return 0;
	st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_LP_FEATURE);
	emit(D0_EV_LOW_POWER, D0_PH_ENTRY, D0_HOOK_VFIO_LP_FEATURE, pdev, vdev, st,
	     flags & VFIO_DEVICE_FEATURE_MASK, flags, 0);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl_feature")
int BPF_PROG(fexit_vfio_feature, struct vfio_pci_core_device *vdev, __u32 flags, void *arg,
	     size_t argsz, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	if (is_low_power_feature(flags)) {
		st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_LP_FEATURE_RET);
		emit(D0_EV_LOW_POWER, D0_PH_EXIT, D0_HOOK_VFIO_LP_FEATURE_RET, pdev, vdev, st,
		     flags & VFIO_DEVICE_FEATURE_MASK, flags, ret);
	}
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_FEATURE));
	return 0;
}

/* ---- mappings ------------------------------------------------------------ */

SEC("fentry/unmap_mapping_range")
int BPF_PROG(fentry_zap, struct address_space *mapping, loff_t holebegin, loff_t holelen)
{
	__u64 mkey = (__u64)mapping, key;
	__u64 *pkey = bpf_map_lookup_elem(&mappings, &mkey);
	struct d0_dev_state *st;

	/* not the vfio device inode: perhaps a DMABUF's file (the series) */
	if (!pkey)
		return series_zap(mkey, holebegin, holelen);
	key = *pkey;
	st = bpf_map_lookup_elem(&devices, &key);
	if (!st)
		return 0;
	zap_event(key, st, D0_ZAP_DEVICE_INODE, holebegin, holelen);
	/* A zap of the whole BAR window removes every PTE a fault installed. */
	if (holebegin <= 0 && (holelen == 0 || holelen >= D0_BAR_WINDOW)) {
		st->zap_gen = st->fault_gen;
		st->flags &= ~D0_DEVF_PRESTART;
	}
	return 0;
}

/* 6.1: vfio zaps every VMA on its vma_list; returns 1 once all are zapped. */
SEC("fexit/vfio_pci_zap_and_vma_lock")
int BPF_PROG(fexit_zap_v61, struct vfio_pci_core_device *vdev, bool try, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_ZAP_V61);

	if (!st)
		return 0;
	if (ret) {
		st->zap_gen = st->fault_gen;
		st->flags &= ~D0_DEVF_PRESTART;
	}
	emit(D0_EV_ZAP, D0_PH_EXIT, D0_HOOK_ZAP_V61, pdev, vdev, st, try, 0, ret);
	return 0;
}

/*
 * vfio's view of COMMAND.MEMORY (vdev_mem_enabled()) where vdev is a typed
 * (BTF) pointer: vconfig and the bitfield are direct loads. The config byte:
 * before 6.17 vconfig (a u8 *) is a scalar to the verifier and takes a probe
 * read; from 6.17 it is read-only untrusted memory, a direct (PROBE_MEM) load
 * that reads 0 (decode off: judged) where the probe read failed (issue 18).
 * cfg_leaf_ptr_direct is a load-time constant: older verifiers never walk
 * the direct load.
 */
static __always_inline bool vdev_mem_enabled_typed(struct vfio_pci_core_device *vdev, struct pci_dev *pdev)
{
	u8 *vconfig;
	u8 cmd = 0;

	/* typed pdev: the bitfield's bytes are a direct (PROBE_MEM) load, not a helper call (issue 18) */
	if (BPF_CORE_READ_BITFIELD(pdev, no_command_memory))
		return true;
	vconfig = vdev->vconfig;
	if (!vconfig)
		return false;
	if (cfg_leaf_ptr_direct)
		return vconfig[PCI_COMMAND] & PCI_COMMAND_MEMORY;
	if (bpf_probe_read_kernel(&cmd, 1, vconfig + PCI_COMMAND))
		return false;
	return cmd & PCI_COMMAND_MEMORY;
}

/*
 * typed (a constant): vdev is a BTF-typed argument, so pdev came from a
 * direct load and pdev->current_state and vdev->vconfig are direct loads too
 * (PROBE_MEM) instead of bpf_probe_read_kernel calls. Same reads, same order.
 */
/* buf: the series' DMABUF behind the VMA (NULL: the PTE is the device inode's) */
static __always_inline void fault_done(struct vfio_pci_core_device *vdev, struct pci_dev *pdev, vm_fault_t ret,
				       __u32 order, __u32 hook, bool typed, struct d0_buf_state *buf)
{
	struct d0_dev_state *st;
	bool granted = (ret & VM_FAULT_NOPAGE) && !(ret & VM_FAULT_SIGBUS);
	__u32 flags = buf_fault_flags(buf);
	pci_power_t power;

	count_hit(hook);
	if (!pdev)
		return;
	st = dev_state_of(vdev, pdev, hook);
	if (!st)
		return;
	if (granted && buf) {
		buf->mapped = 1;
	} else if (granted) {
		__sync_fetch_and_add(&st->fault_gen, 1);
	} else {
		__sync_fetch_and_add(&st->faults_refused, 1);
	}
	power = typed ? pdev->current_state : BPF_CORE_READ(pdev, current_state);
	/* Quiet when a grant happens in D0, decode on, not in low power: the normal case. */
	if (granted && !flags && power == D0_PWR_D0 && !cfg_record_all && st->last_power == D0_PWR_D0 &&
	    (typed ? vdev_mem_enabled_typed(vdev, pdev) : vdev_mem_enabled(vdev, pdev)) &&
	    !(typed ? BPF_CORE_READ_BITFIELD(vdev, pm_runtime_engaged) :
		      BPF_CORE_READ_BITFIELD_PROBED(vdev, pm_runtime_engaged)) && !hw_mem_known_off((__u64)pdev))
		return;
	emit(D0_EV_FAULT, D0_PH_EXIT, hook, pdev, vdev, st, order, flags, ret);
}

SEC("fexit/vfio_pci_vmf_insert_pfn")
int BPF_PROG(fexit_fault_insert, struct vfio_pci_core_device *vdev, struct vm_fault *vmf,
	     unsigned long pfn, unsigned int order, vm_fault_t ret)
{
	/* the series' buffer behind the VMA; stock kernels skip the read (a load-time constant) */
	struct d0_buf_state *buf = SERIES_BAR_DMABUFS ?
		series_buf_of_vma(BPF_CORE_READ(vmf, vma), D0_HOOK_FAULT_INSERT_RET) : NULL;

	fault_done(vdev, vdev->pdev, ret, order, D0_HOOK_FAULT_INSERT_RET, true, buf);
	return 0;
}

SEC("fexit/vfio_pci_mmap_huge_fault")
int BPF_PROG(fexit_fault_huge, struct vm_fault *vmf, unsigned int order, vm_fault_t ret)
{
	struct vm_area_struct *vma = BPF_CORE_READ(vmf, vma);
	/* vm_private_data is the vdev, or on the DMABUF-mmap series the buffer */
	struct vfio_pci_core_device *vdev = vma_vdev(vma);

	fault_done(vdev, BPF_CORE_READ(vdev, pdev), ret, order, D0_HOOK_FAULT_HUGE_RET, false,
		   series_buf_of_vma(vma, D0_HOOK_FAULT_HUGE_RET));
	return 0;
}

SEC("fexit/vfio_pci_mmap_fault")
int BPF_PROG(fexit_fault_v61, struct vm_fault *vmf, vm_fault_t ret)
{
	struct vfio_pci_core_device *vdev = BPF_CORE_READ(vmf, vma, vm_private_data);

	fault_done(vdev, BPF_CORE_READ(vdev, pdev), ret, 0, D0_HOOK_FAULT_V61_RET, false, NULL);
	return 0;
}

/* ---- DMABUFs ------------------------------------------------------------- */

SEC("fentry/vfio_pci_dma_buf_move")
int BPF_PROG(fentry_dmabuf_move, struct vfio_pci_core_device *vdev, bool revoked)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_DMABUF_MOVE);

	ctx_enter(CTX_INDEX(D0_CTX_DMABUF_MOVE));
	emit(D0_EV_DMABUF_MOVE, D0_PH_ENTRY, D0_HOOK_DMABUF_MOVE, pdev, vdev, st, revoked, 0, 0);
	return 0;
}

SEC("fexit/vfio_pci_dma_buf_move")
int BPF_PROG(fexit_dmabuf_move, struct vfio_pci_core_device *vdev, bool revoked)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_DMABUF_MOVE_RET);

	/* On the DMABUF-mmap series the zaps a revoke does are seen by ZAP, buffer by buffer. */
	emit(D0_EV_DMABUF_MOVE, D0_PH_EXIT, D0_HOOK_DMABUF_MOVE_RET, pdev, vdev, st, revoked, 0, 0);
	ctx_leave(CTX_INDEX(D0_CTX_DMABUF_MOVE));
	return 0;
}

/*
 * The series' single place for BAR revocation (revoke + legacy zap): its
 * zaps and moves are seen by ZAP and DMABUF_MOVE; this only shows it runs.
 */
SEC("fentry/vfio_pci_revoke_bars")
int BPF_PROG(fentry_revoke_bars, struct vfio_pci_core_device *vdev)
{
	count_hit(D0_HOOK_REVOKE_BARS);
	return 0;
}

/* Its own program's and fexit_multi's (bpf/fexit_multi.bpf.h): reads are probed, so vdev may be a scalar. */
static __always_inline void dmabuf_export_done(struct vfio_pci_core_device *vdev, __u32 flags, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_DMABUF_EXPORT_RET);

	/* the new buffer's file mapping joins the zap filter (it can be mmapped on the series) */
	if (st && ret > 0)
		d0_learn_vdev_dmabufs(as_scalar(vdev), (__u64)pdev);
	emit(D0_EV_DMABUF_EXPORT, D0_PH_EXIT, D0_HOOK_DMABUF_EXPORT_RET, pdev, vdev, st, flags, 0, ret);
}

SEC("fexit/vfio_pci_core_feature_dma_buf")
int BPF_PROG(fexit_dmabuf_export, struct vfio_pci_core_device *vdev, __u32 flags, void *arg,
	     size_t argsz, int ret)
{
	dmabuf_export_done(vdev, flags, ret);
	return 0;
}

/* The exporter's device of a vfio DMABUF, or NULL once cleanup detached it. */
static __always_inline struct vfio_pci_core_device *dmabuf_vdev(struct dma_buf *dmabuf)
{
	struct vfio_pci_dma_buf *priv = BPF_CORE_READ(dmabuf, priv);

	if (!priv)
		return NULL;
	return BPF_CORE_READ(priv, vdev);
}

static __always_inline void dmabuf_event(struct vfio_pci_core_device *vdev, __u16 kind, __u8 phase,
					 __u32 hook, __u32 a0, __s64 ret)
{
	struct pci_dev *pdev = NULL;
	struct d0_dev_state *st = NULL;

	if (vdev)
		st = dev_state_of_vdev(vdev, &pdev, hook);
	emit(kind, phase, hook, pdev, st ? vdev : NULL, st, a0, 0, ret);
}

SEC("fentry/vfio_pci_dma_buf_release")
int BPF_PROG(fentry_dmabuf_release, struct dma_buf *dmabuf)
{
	dmabuf_event(dmabuf_vdev(dmabuf), D0_EV_DMABUF_RELEASE, D0_PH_ENTRY, D0_HOOK_DMABUF_RELEASE, 0, 0);
	series_buf_forget(dmabuf);
	return 0;
}

SEC("fentry/vfio_pci_dma_buf_cleanup")
int BPF_PROG(fentry_dmabuf_cleanup, struct vfio_pci_core_device *vdev)
{
	dmabuf_event(vdev, D0_EV_DMABUF_CLEANUP, D0_PH_ENTRY, D0_HOOK_DMABUF_CLEANUP, 0, 0);
	return 0;
}

/* Its own program's and fexit_multi's: sgt is the returned table or an ERR_PTR. */
static __always_inline void dmabuf_map_done(struct dma_buf_attachment *attach, int dir, __u64 sgt)
{
	struct dma_buf *dmabuf = BPF_CORE_READ(attach, dmabuf);
	long ret = sgt >= ERR_PTR_LIMIT ? (long)sgt : 0;

	dmabuf_event(dmabuf_vdev(dmabuf), D0_EV_DMABUF_MAP, D0_PH_EXIT, D0_HOOK_DMABUF_MAP_RET, dir, ret);
}

SEC("fexit/vfio_pci_dma_buf_map")
int BPF_PROG(fexit_dmabuf_map, struct dma_buf_attachment *attach, int dir, void *sgt)
{
	dmabuf_map_done(attach, dir, (__u64)sgt);
	return 0;
}

/* Only buffers exported by vfio-pci: exp_name is KBUILD_MODNAME "vfio_pci_core". */
static __always_inline bool dmabuf_is_vfio(struct dma_buf *dmabuf)
{
	static const char want[] = "vfio_pci_core";
	const char *name = BPF_CORE_READ(dmabuf, exp_name);
	char s[sizeof(want)] = {};

	if (!name || bpf_probe_read_kernel_str(s, sizeof(s), name) != sizeof(want))
		return false;
	for (int i = 0; i < (int)sizeof(want); i++)
		if (s[i] != want[i])
			return false;
	return true;
}

static __always_inline void dmabuf_flip(struct dma_buf *dmabuf, __u32 hook)
{
	struct vfio_pci_dma_buf *priv;
	__u32 revoked = 0;
	bool known;

	if (!dmabuf_is_vfio(dmabuf))
		return;
	priv = BPF_CORE_READ(dmabuf, priv);
	if (priv)
		revoked = dmabuf_priv_revoked(priv, &known);
	dmabuf_event(dmabuf_vdev(dmabuf), D0_EV_DMABUF_FLIP, D0_PH_POINT, hook, revoked, 0);
}

SEC("fentry/dma_buf_invalidate_mappings")
int BPF_PROG(fentry_dmabuf_invalidate, struct dma_buf *dmabuf)
{
	dmabuf_flip(dmabuf, D0_HOOK_DMABUF_INVALIDATE);
	return 0;
}

SEC("fentry/dma_buf_move_notify")
int BPF_PROG(fentry_dmabuf_move_notify, struct dma_buf *dmabuf)
{
	dmabuf_flip(dmabuf, D0_HOOK_DMABUF_MOVE_NOTIFY);
	return 0;
}

/* ---- BAR access (hot) ------------------------------------------------------ */

/*
 * Per access: the caller reads vdev->pdev->current_state; in D0 only a
 * per-CPU counter follows. Anything else (or record-everything) takes the
 * slow path.
 */
static __always_inline void bar_access(struct vfio_pci_core_device *vdev, struct pci_dev *pdev,
				       pci_power_t power, bool test_mem, __u64 off, __u64 count, bool iswrite,
				       __u32 hook)
{
	struct d0_dev_state *st;
	struct d0_event e;

	count_hit(hook);
	if (power == D0_PWR_D0 && !cfg_record_all)
		return;
	st = dev_state_of(vdev, pdev, hook);
	if (!st)
		return;
	__sync_fetch_and_add(&st->nond0_accesses, 1);
	event_begin(&e, D0_EV_BAR_ACCESS, D0_PH_ENTRY, hook, pdev, vdev, st);
	e.a0 = iswrite;
	e.a1 = test_mem;
	e.a2 = off;
	e.a3 = count;
	event_submit(&e);
}

SEC("fentry/vfio_pci_core_do_io_rw")
int BPF_PROG(fentry_bar_io, struct vfio_pci_core_device *vdev, bool test_mem, void *io, char *buf,
	     loff_t off, size_t count, size_t x_start, size_t x_end, bool iswrite)
{
	/*
	 * vdev is a typed (BTF) argument: plain loads, which the verifier turns
	 * into two fault-safe PROBE_MEM loads (a NULL pdev reads as 0, D0, as
	 * bpf_probe_read_kernel's zeroed result did), instead of two helper calls.
	 */
	struct pci_dev *pdev = vdev->pdev;

	bar_access(vdev, pdev, pdev->current_state, test_mem, off, count, iswrite, D0_HOOK_BAR_IO);
	return 0;
}

/* 6.1: static do_io_rw with nine arguments; fentry there cannot take more than six. */
SEC("kprobe")
int BPF_KPROBE(kprobe_bar_io_v61, struct vfio_pci_core_device *vdev, bool test_mem, void *io, char *buf,
	       loff_t off)
{
	unsigned long sp = PT_REGS_SP(ctx);
	__u64 count = ctx->r9, iswrite = 0;

	/* x86-64: argument 6 in r9; 7..9 on the stack above the return address. */
	struct pci_dev *pdev = BPF_CORE_READ(vdev, pdev);

	bpf_probe_read_kernel(&iswrite, sizeof(iswrite), (void *)(sp + 3 * 8));
	/* a kprobe's arguments are untyped: CO-RE reads */
	bar_access(vdev, pdev, BPF_CORE_READ(pdev, current_state), test_mem, off, count, iswrite & 1,
		   D0_HOOK_BAR_IO_V61);
	return 0;
}

SEC("fexit/vfio_pci_bar_rw")
int BPF_PROG(fexit_bar_rw, struct vfio_pci_core_device *vdev, char *buf, size_t count, loff_t *ppos,
	     bool iswrite, long ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;
	struct d0_event e;
	__u64 pos = 0;
	bool mem;

	/*
	 * Bytes moved (ret > 0) are what the kernel did: they are judged when the
	 * device was not in D0 or vfio's decode was off, where vfio's gate must
	 * have refused (rule 7: a broken gate shows here, not at entry). In D0
	 * with decode on, the common case costs two direct loads and one byte read.
	 */
	if (ret == 0 && !cfg_record_all)
		return 0;
	if (ret > 0 && !cfg_record_all && vdev->pdev->current_state == D0_PWR_D0 &&
	    vdev_mem_enabled_typed(vdev, vdev->pdev) && !hw_mem_known_off((__u64)vdev->pdev))
		return 0;
	st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_BAR_RW_RET);
	if (!st)
		return 0;
	if (ret == -EIO)
		__sync_fetch_and_add(&st->bar_refused, 1);
	/* reads before event_begin: no call between it and event_submit (bpf/emit.h) */
	if (ppos)
		bpf_probe_read_kernel(&pos, sizeof(pos), ppos);
	/* the region is a memory BAR or the ROM, which vfio gates on decode (test_mem) */
	mem = bar_is_mem(pdev, pos >> D0_VFIO_PCI_OFFSET_SHIFT);
	event_begin(&e, D0_EV_BAR_RW_DONE, D0_PH_EXIT, D0_HOOK_BAR_RW_RET, pdev, vdev, st);
	e.a0 = iswrite;
	e.a1 = mem;
	e.a2 = pos;
	e.a3 = count;
	e.ret = ret;
	event_submit(&e);
	return 0;
}

SEC("fentry/pci_map_rom")
int BPF_PROG(fentry_rom_map, struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, D0_HOOK_ROM_MAP);

	if (st)
		emit(D0_EV_ROM_MAP, D0_PH_ENTRY, D0_HOOK_ROM_MAP, pdev, vdev, st, 0, 0, 0);
	return 0;
}

SEC("fentry/vfio_pci_ioeventfd_do_write")
int BPF_PROG(fentry_ioeventfd_write, struct vfio_pci_ioeventfd *ioeventfd, bool test_mem)
{
	struct vfio_pci_core_device *vdev = BPF_CORE_READ(ioeventfd, vdev);
	struct pci_dev *pdev = BPF_CORE_READ(vdev, pdev);
	struct d0_dev_state *st;

	count_hit(D0_HOOK_IOEVENTFD_WRITE);
	if (BPF_CORE_READ(pdev, current_state) == D0_PWR_D0 && !cfg_record_all)
		return 0;
	st = dev_state_of(vdev, pdev, D0_HOOK_IOEVENTFD_WRITE);
	if (st)
		emit(D0_EV_IOEVENTFD_WRITE, D0_PH_ENTRY, D0_HOOK_IOEVENTFD_WRITE, pdev, vdev, st, 1, test_mem, 0);
	return 0;
}

SEC("fentry/vfio_pci_vga_rw")
int BPF_PROG(fentry_vga_rw, struct vfio_pci_core_device *vdev, char *buf, size_t count, loff_t *ppos,
	     bool iswrite)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VGA_RW);

	emit(D0_EV_VGA_ACCESS, D0_PH_ENTRY, D0_HOOK_VGA_RW, pdev, vdev, st, iswrite, 0, 0);
	return 0;
}

/* ---- config space ---------------------------------------------------------- */

SEC("fentry/vfio_pci_config_rw")
int BPF_PROG(fentry_vfio_config_rw)
{
	ctx_enter(CTX_INDEX(D0_CTX_VFIO_CONFIG));
	return 0;
}

SEC("fexit/vfio_pci_config_rw")
int BPF_PROG(fexit_vfio_config_rw)
{
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_CONFIG));
	return 0;
}

/* Does a write of `count` bytes at `pos` touch the 16-bit register at `reg`? */
static __always_inline bool touches(int pos, int count, int reg)
{
	return pos < reg + 2 && pos + count > reg;
}

SEC("fentry/vfio_basic_config_write")
int BPF_PROG(fentry_vfio_cmd_write, struct vfio_pci_core_device *vdev, int pos, int count, void *perm,
	     int offset, __u32 val)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	ctx_enter(CTX_INDEX(D0_CTX_VFIO_CMD));
	if (!touches(pos, count, PCI_COMMAND) && !cfg_record_all)
		return 0;
	st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_CMD_WRITE);
	emit(D0_EV_CONFIG_WRITE, D0_PH_ENTRY, D0_HOOK_VFIO_CMD_WRITE, pdev, vdev, st, pos, val, count);
	return 0;
}

SEC("fexit/vfio_basic_config_write")
int BPF_PROG(fexit_vfio_cmd_write, struct vfio_pci_core_device *vdev, int pos, int count, void *perm,
	     int offset, __u32 val, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	if (touches(pos, count, PCI_COMMAND) || cfg_record_all) {
		st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_CMD_WRITE_RET);
		emit(D0_EV_CONFIG_WRITE, D0_PH_EXIT, D0_HOOK_VFIO_CMD_WRITE_RET, pdev, vdev, st, pos, val, ret);
	}
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_CMD));
	return 0;
}

static __always_inline void flr_write(struct vfio_pci_core_device *vdev, int pos, __u32 val, __u32 hook)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, hook);

	emit(D0_EV_FLR_WRITE, D0_PH_ENTRY, hook, pdev, vdev, st, pos, val, 0);
}

SEC("fentry/vfio_exp_config_write")
int BPF_PROG(fentry_vfio_exp_write, struct vfio_pci_core_device *vdev, int pos, int count, void *perm,
	     int offset, __u32 val)
{
	flr_write(vdev, pos, val, D0_HOOK_VFIO_EXP_WRITE);
	return 0;
}

SEC("fentry/vfio_af_config_write")
int BPF_PROG(fentry_vfio_af_write, struct vfio_pci_core_device *vdev, int pos, int count, void *perm,
	     int offset, __u32 val)
{
	flr_write(vdev, pos, val, D0_HOOK_VFIO_AF_WRITE);
	return 0;
}

/*
 * pci_user_write_config_*: sysfs `config`, /proc/bus/pci and vfio itself.
 * vfio's own passthrough writes are only interesting when they hit
 * COMMAND or PM_CTRL; anything outside vfio_pci_config_rw always is.
 */
static __always_inline void user_config_write(struct pci_dev *pdev, int where, __u32 val, int size, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, hook);
	int pm_ctrl;
	__u64 regs;
	struct d0_event e;

	if (!st)
		return;
	pm_ctrl = BPF_CORE_READ(pdev, pm_cap) + PCI_PM_CTRL;
	if ((ctx_bits() & D0_CTX_VFIO_CONFIG) && !cfg_record_all &&
	    !touches(where, size, PCI_COMMAND) && !touches(where, size, pm_ctrl))
		return;
	/* issue 14: bits 16..23 carry the PCIe capability (DEVCTL's FLR bit, rule 10); read before event_begin */
	regs = pm_ctrl | (__u64)BPF_CORE_READ(pdev, pcie_cap) << 16;
	event_begin(&e, D0_EV_USER_CONFIG_WRITE, D0_PH_ENTRY, hook, pdev, vdev, st);
	e.a0 = where;
	e.a1 = val;
	e.a2 = regs;
	e.a3 = size;
	event_submit(&e);
	/* vfio's passthrough and sysfs config both reach the hardware here (issue 14 class 5) */
	hw_config_write((__u64)pdev, where, val, size);
}

SEC("fentry/pci_user_write_config_byte")
int BPF_PROG(fentry_user_cfg_byte, struct pci_dev *pdev, int where, u8 val)
{
	user_config_write(pdev, where, val, 1, D0_HOOK_USER_CFG_BYTE);
	return 0;
}

SEC("fentry/pci_user_write_config_word")
int BPF_PROG(fentry_user_cfg_word, struct pci_dev *pdev, int where, u16 val)
{
	user_config_write(pdev, where, val, 2, D0_HOOK_USER_CFG_WORD);
	return 0;
}

SEC("fentry/pci_user_write_config_dword")
int BPF_PROG(fentry_user_cfg_dword, struct pci_dev *pdev, int where, u32 val)
{
	user_config_write(pdev, where, val, 4, D0_HOOK_USER_CFG_DWORD);
	return 0;
}

SEC("fentry/pci_mmap_resource_range")
int BPF_PROG(fentry_sysfs_mmap, struct pci_dev *pdev, int bar)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, D0_HOOK_SYSFS_MMAP);

	if (st)
		emit(D0_EV_SYSFS_MMAP, D0_PH_ENTRY, D0_HOOK_SYSFS_MMAP, pdev, vdev, st, bar, 0, 0);
	return 0;
}

/* ---- lifecycle ------------------------------------------------------------- */

SEC("fexit/vfio_pci_core_register_device")
int BPF_PROG(fexit_register, struct vfio_pci_core_device *vdev, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	if (ret)
		return 0;
	st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_REGISTER_RET);
	emit(D0_EV_REGISTER, D0_PH_EXIT, D0_HOOK_REGISTER_RET, pdev, vdev, st, 0, 0, ret);
	return 0;
}

SEC("fentry/vfio_pci_core_unregister_device")
int BPF_PROG(fentry_unregister, struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_UNREGISTER);
	__u64 key = (__u64)pdev;

	emit(D0_EV_UNREGISTER, D0_PH_ENTRY, D0_HOOK_UNREGISTER, pdev, vdev, st, 0, 0, 0);
	if (st) {
		__u64 mkey = st->mapping;

		if (mkey)
			bpf_map_delete_elem(&mappings, &mkey);
		bpf_map_delete_elem(&devices, &key);
		raw_forget_device(key);
	}
	return 0;
}

SEC("fexit/vfio_pci_core_enable")
int BPF_PROG(fexit_enable, struct vfio_pci_core_device *vdev, int ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_ENABLE_RET);

	/* A fresh open: no VMA of this device can exist yet (VMAs pin the fd). */
	if (st && !ret) {
		st->zap_gen = st->fault_gen;
		st->flags &= ~(D0_DEVF_PRESTART | D0_DEVF_CLOSING);
	}
	emit(D0_EV_OPEN, D0_PH_EXIT, D0_HOOK_ENABLE_RET, pdev, vdev, st, 0, 0, ret);
	return 0;
}

SEC("fentry/vfio_pci_core_disable")
int BPF_PROG(fentry_disable, struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_DISABLE);

	emit(D0_EV_DISABLE, D0_PH_ENTRY, D0_HOOK_DISABLE, pdev, vdev, st, 0, 0, 0);
	return 0;
}

SEC("fentry/vfio_pci_core_close_device")
int BPF_PROG(fentry_close, struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_CLOSE);

	/* The last fd is closing: every VMA (each pins the file) is gone, so no PTEs remain. */
	if (st) {
		st->zap_gen = st->fault_gen;
		st->flags &= ~D0_DEVF_PRESTART;
	}
	emit(D0_EV_CLOSE, D0_PH_ENTRY, D0_HOOK_CLOSE, pdev, vdev, st, 0, 0, 0);
	/* From here on the device is being given back, although open_count drops only later. */
	if (st)
		st->flags |= D0_DEVF_CLOSING;
	return 0;
}

/* ---- resets ------------------------------------------------------------------ */

static __always_inline bool is_reset_ioctl(unsigned int cmd)
{
	return cmd == VFIO_DEVICE_RESET || cmd == VFIO_DEVICE_PCI_HOT_RESET;
}

SEC("fentry/vfio_pci_core_ioctl")
int BPF_PROG(fentry_vfio_ioctl, struct vfio_pci_core_device *vdev, unsigned int cmd)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	ctx_enter(CTX_INDEX(D0_CTX_VFIO_IOCTL));
	if (!is_reset_ioctl(cmd) && !cfg_record_all)
		return 0;
	st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_IOCTL);
	emit(D0_EV_IOCTL, D0_PH_ENTRY, D0_HOOK_VFIO_IOCTL, pdev, vdev, st, cmd, 0, 0);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl")
int BPF_PROG(fexit_vfio_ioctl, struct vfio_pci_core_device *vdev, unsigned int cmd, unsigned long arg, long ret)
{
	struct pci_dev *pdev;
	struct d0_dev_state *st;

	if (is_reset_ioctl(cmd) || cfg_record_all) {
		st = dev_state_of_vdev(vdev, &pdev, D0_HOOK_VFIO_IOCTL_RET);
		emit(D0_EV_IOCTL, D0_PH_EXIT, D0_HOOK_VFIO_IOCTL_RET, pdev, vdev, st, cmd, 0, ret);
	}
	ctx_leave(CTX_INDEX(D0_CTX_VFIO_IOCTL));
	return 0;
}

/* Only a .constprop clone exists on 6.12+: kprobe, no per-device argument. */
SEC("kprobe")
int BPF_KPROBE(kprobe_hot_reset)
{
	ctx_enter(CTX_INDEX(D0_CTX_HOT_RESET));
	emit(D0_EV_HOT_RESET, D0_PH_ENTRY, D0_HOOK_HOT_RESET, NULL, NULL, NULL, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(kretprobe_hot_reset, int ret)
{
	emit(D0_EV_HOT_RESET, D0_PH_EXIT, D0_HOOK_HOT_RESET_RET, NULL, NULL, NULL, 0, 0, ret);
	ctx_leave(CTX_INDEX(D0_CTX_HOT_RESET));
	return 0;
}

static __always_inline void reset_event(struct pci_dev *pdev, __u32 kind, __u8 phase, __u32 hook, int ret)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st = dev_state_of_pdev(pdev, &vdev, hook);

	if (!st)
		return;
	emit(D0_EV_RESET, phase, hook, pdev, vdev, st, kind, 0, ret);
	/* the reset proper clears COMMAND in hardware until pci_restore_state (issue 14 class 5) */
	if (phase == D0_PH_ENTRY && (kind == D0_RESET_PM || kind == D0_RESET_FLR))
		hw_command_set((__u64)pdev, 0);
}

SEC("fentry/pci_try_reset_function")
int BPF_PROG(fentry_try_reset, struct pci_dev *pdev)
{
	ctx_enter(CTX_INDEX(D0_CTX_RESET));
	reset_event(pdev, D0_RESET_TRY, D0_PH_ENTRY, D0_HOOK_TRY_RESET, 0);
	return 0;
}

SEC("fexit/pci_try_reset_function")
int BPF_PROG(fexit_try_reset, struct pci_dev *pdev, int ret)
{
	reset_event(pdev, D0_RESET_TRY, D0_PH_EXIT, D0_HOOK_TRY_RESET_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_RESET));
	return 0;
}

SEC("fentry/__pci_reset_function_locked")
int BPF_PROG(fentry_reset_locked, struct pci_dev *pdev)
{
	ctx_enter(CTX_INDEX(D0_CTX_RESET));
	reset_event(pdev, D0_RESET_LOCKED, D0_PH_ENTRY, D0_HOOK_RESET_LOCKED, 0);
	return 0;
}

SEC("fexit/__pci_reset_function_locked")
int BPF_PROG(fexit_reset_locked, struct pci_dev *pdev, int ret)
{
	reset_event(pdev, D0_RESET_LOCKED, D0_PH_EXIT, D0_HOOK_RESET_LOCKED_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_RESET));
	return 0;
}

/* probe == true only asks whether the method exists: nothing happens. */
SEC("fentry/pci_pm_reset")
int BPF_PROG(fentry_pm_reset, struct pci_dev *pdev, bool probe)
{
	if (!probe)
		reset_event(pdev, D0_RESET_PM, D0_PH_ENTRY, D0_HOOK_PM_RESET, 0);
	return 0;
}

SEC("fentry/pci_reset_bus")
int BPF_PROG(fentry_bus_reset, struct pci_dev *pdev)
{
	ctx_enter(CTX_INDEX(D0_CTX_BUS_RESET));
	reset_event(pdev, D0_RESET_BUS, D0_PH_ENTRY, D0_HOOK_BUS_RESET, 0);
	return 0;
}

SEC("fexit/pci_reset_bus")
int BPF_PROG(fexit_bus_reset, struct pci_dev *pdev, int ret)
{
	reset_event(pdev, D0_RESET_BUS, D0_PH_EXIT, D0_HOOK_BUS_RESET_RET, ret);
	ctx_leave(CTX_INDEX(D0_CTX_BUS_RESET));
	return 0;
}

/* Issue 14: resets, config writes and recovery paths beyond vfio's own calls. */
#include "beyond_vfio.bpf.h"
#include "iommu_grants.bpf.h"
/* Issue 14: variant drivers (core I/O accessors, which ops a driver uses). */
#include "variant.bpf.h"
#include "preempt_rt.bpf.h"
/* Issue 14 class 8: the start-up seed of mappings made before d0audit started. */
#include "seed.bpf.h"
/* Issue 14 classes 3 and 5: raw BAR access from outside vfio, hardware decode. */
#include "raw_access.bpf.h"
/* Issue 18: the cold rows served by two multi-attached programs where the kernel can (after every row's helpers). */
#include "cold_multi.bpf.h"
/* Issue 18: the accessor and DMABUF exit rows on one tracing multi link where the kernel has them. */
#include "fexit_multi.bpf.h"
