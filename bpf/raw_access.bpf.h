/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14, classes 3 and 5 (state in raw_state.h). Included at the end of
 * d0audit.bpf.c; one program per row of the "raw access" block of
 * include/d0audit/hooks.h.
 *
 * - Hardware COMMAND (class 5): the PCI core's pci_write_config_* (enable,
 *   disable, vfio_pci_core_disable, pci_restore_config_space, memory-lock
 *   enables, INTx) next to the pci_user_write_config_* programs (vfio's
 *   passthrough, sysfs config); pci_restore_state puts the saved COMMAND
 *   back after a reset cleared it.
 * - Raw BAR access (class 3): sysfs resourceN read/write of an I/O BAR,
 *   /dev/port and /dev/mem reads and writes, /dev/mem mmaps. None has a
 *   power gate; each is judged at exit (bytes moved) against the owning
 *   vfio device's state. A live raw mapping at power-down is judged in
 *   event_begin (D0_ST_RAW_MAPPED).
 */
#ifndef D0AUDIT_RAW_ACCESS_BPF_H
#define D0AUDIT_RAW_ACCESS_BPF_H

/* ---- class 5: the PCI core's own config writes ------------------------------- */

static __always_inline void core_config_write(struct pci_dev *pdev, int where, __u32 val, int size, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;

	if (d0_byte_of(where, size, val, D0_PCI_COMMAND) < 0)
		return;
	count_hit(hook);
	if (dev_state_of_pdev(pdev, &vdev, hook))
		hw_config_write((__u64)pdev, where, val, size);
}

SEC("fentry/pci_write_config_byte")
int BPF_PROG(fentry_core_cfg_byte, struct pci_dev *pdev, int where, u8 val)
{
	core_config_write(pdev, where, val, 1, D0_HOOK_CORE_CFG_BYTE);
	return 0;
}

SEC("fentry/pci_write_config_word")
int BPF_PROG(fentry_core_cfg_word, struct pci_dev *pdev, int where, u16 val)
{
	core_config_write(pdev, where, val, 2, D0_HOOK_CORE_CFG_WORD);
	return 0;
}

SEC("fentry/pci_write_config_dword")
int BPF_PROG(fentry_core_cfg_dword, struct pci_dev *pdev, int where, u32 val)
{
	core_config_write(pdev, where, val, 4, D0_HOOK_CORE_CFG_DWORD);
	return 0;
}

/*
 * pci_restore_config_space writes COMMAND only where it differs from the
 * saved value; either way the hardware now holds the saved one. (6.1 returns
 * early when nothing was saved: the saved value is then stale, which can only
 * hide a decode-off, never invent one.)
 */
static __always_inline void restore_state(struct pci_dev *pdev, __u32 hook)
{
	struct vfio_pci_core_device *vdev = NULL;

	count_hit(hook);
	if (dev_state_of_pdev(pdev, &vdev, hook))
		hw_command_set((__u64)pdev, BPF_CORE_READ(pdev, saved_config_space[1]) & 0xffff);
}

SEC("fexit/pci_restore_state")
int BPF_PROG(fexit_restore_state, struct pci_dev *pdev)
{
	restore_state(pdev, D0_HOOK_RESTORE_STATE_RET);
	return 0;
}

/* ---- class 3: raw access from outside vfio ---------------------------------- */

/* A raw access as an event: more words than a global function takes as arguments. */
struct d0_raw_req {
	__u64 pdev;
	__u64 addr;
	__u64 count;
	__s64 ret;
	__u32 src;
	__u32 iswrite;
	__u32 hook;
	__u32 kind;
};

/*
 * A global function: verified and JITed once, not once per caller (seven
 * rows call it, and the multi-attached cold program calls it from each of
 * their acts).
 */
__noinline int d0_raw_event(const struct d0_raw_req *r)
{
	struct vfio_pci_core_device *vdev = NULL;
	struct d0_dev_state *st;
	struct d0_event e;

	if (!r)
		return 0;
	st = dev_state_of_pdev((struct pci_dev *)r->pdev, &vdev, r->hook);
	if (!st)
		return 0;
	event_begin(&e, r->kind, D0_PH_EXIT, r->hook, (struct pci_dev *)r->pdev, vdev, st);
	e.a0 = r->src;
	e.a1 = r->iswrite;
	e.a2 = r->addr;
	e.a3 = r->count;
	e.ret = r->ret;
	event_submit(&e);
	return 0;
}

static __always_inline void raw_event(struct pci_dev *pdev, __u16 kind, __u32 hook, __u32 src, __u32 iswrite,
				      __u64 addr, __u64 count, __s64 ret)
{
	struct d0_raw_req r = { .pdev = (__u64)pdev, .addr = addr, .count = count, .ret = ret, .src = src,
				.iswrite = iswrite, .hook = hook, .kind = kind };

	d0_raw_event(&r);
}

/* sysfs resourceN of an I/O BAR: the kobject is the device's; attr->private the BAR. */
static __always_inline void sysfs_io(struct kobject *kobj, struct bin_attribute *attr, loff_t off, size_t count,
				     __u32 iswrite, ssize_t ret, __u32 hook)
{
	/* a plain value: the BAR index below makes a variable offset, which a typed pointer may not take */
	struct pci_dev *pdev = (struct pci_dev *)(as_scalar(kobj) - bpf_core_field_offset(struct device, kobj) -
						  bpf_core_field_offset(struct pci_dev, dev));
	__u64 bar = (__u64)BPF_CORE_READ(attr, private);

	count_hit(hook);
	if (bar >= D0_RAW_BARS)
		return;
	raw_event(pdev, D0_EV_RAW_ACCESS, hook, D0_RAW_SYSFS_IO, iswrite,
		  BPF_CORE_READ(pdev_resource(pdev, bar), start) + off, count, ret);
}

SEC("fexit/pci_read_resource")
int BPF_PROG(fexit_sysfs_io_read, struct file *filp, struct kobject *kobj, struct bin_attribute *attr, char *buf,
	     loff_t off, size_t count, ssize_t ret)
{
	sysfs_io(kobj, attr, off, count, 0, ret, D0_HOOK_SYSFS_IO_READ_RET);
	return 0;
}

SEC("fexit/pci_write_resource")
int BPF_PROG(fexit_sysfs_io_write, struct file *filp, struct kobject *kobj, struct bin_attribute *attr, char *buf,
	     loff_t off, size_t count, ssize_t ret)
{
	sysfs_io(kobj, attr, off, count, 1, ret, D0_HOOK_SYSFS_IO_WRITE_RET);
	return 0;
}

/* The same path before 6.x renamed it. */
SEC("fexit/pci_read_resource_io")
int BPF_PROG(fexit_sysfs_io_read_old, struct file *filp, struct kobject *kobj, struct bin_attribute *attr,
	     char *buf, loff_t off, size_t count, ssize_t ret)
{
	sysfs_io(kobj, attr, off, count, 0, ret, D0_HOOK_SYSFS_IO_READ_OLD_RET);
	return 0;
}

SEC("fexit/pci_write_resource_io")
int BPF_PROG(fexit_sysfs_io_write_old, struct file *filp, struct kobject *kobj, struct bin_attribute *attr,
	     char *buf, loff_t off, size_t count, ssize_t ret)
{
	sysfs_io(kobj, attr, off, count, 1, ret, D0_HOOK_SYSFS_IO_WRITE_OLD_RET);
	return 0;
}

/*
 * /dev/port and /dev/mem read/write: *ppos has moved past the bytes done, so
 * the access started ret bytes before it. The device is the tracked one
 * whose BAR holds the first byte (bar_windows).
 */
static __always_inline void char_access(loff_t *ppos, size_t count, ssize_t ret, __u8 space, __u32 src,
					__u32 iswrite, __u32 hook)
{
	__u64 pos = 0, key;

	count_hit(hook);
	bpf_probe_read_kernel(&pos, sizeof(pos), ppos);
	if (ret > 0)
		pos -= ret;
	key = bar_owner(space, pos);
	if (key)
		raw_event((struct pci_dev *)key, D0_EV_RAW_ACCESS, hook, src, iswrite, pos, count, ret);
}

SEC("fexit/read_port")
int BPF_PROG(fexit_dev_port_read, struct file *file, char *buf, size_t count, loff_t *ppos, ssize_t ret)
{
	char_access(ppos, count, ret, 1, D0_RAW_DEV_PORT, 0, D0_HOOK_DEV_PORT_READ_RET);
	return 0;
}

SEC("fexit/write_port")
int BPF_PROG(fexit_dev_port_write, struct file *file, const char *buf, size_t count, loff_t *ppos, ssize_t ret)
{
	char_access(ppos, count, ret, 1, D0_RAW_DEV_PORT, 1, D0_HOOK_DEV_PORT_WRITE_RET);
	return 0;
}

SEC("fexit/read_mem")
int BPF_PROG(fexit_dev_mem_read, struct file *file, char *buf, size_t count, loff_t *ppos, ssize_t ret)
{
	char_access(ppos, count, ret, 0, D0_RAW_DEV_MEM, 0, D0_HOOK_DEV_MEM_READ_RET);
	return 0;
}

SEC("fexit/write_mem")
int BPF_PROG(fexit_dev_mem_write, struct file *file, const char *buf, size_t count, loff_t *ppos, ssize_t ret)
{
	char_access(ppos, count, ret, 0, D0_RAW_DEV_MEM, 1, D0_HOOK_DEV_MEM_WRITE_RET);
	return 0;
}

/* /dev/mem mmap over a BAR: a mapping vfio's zap never reaches (rule 10), a grant (rule 7). */
static __always_inline void dev_mem_mmap(__u64 pgoff, __u64 len, int ret, __u32 hook)
{
	__u64 phys = pgoff << D0_RAW_PAGE_SHIFT, key;

	count_hit(hook);
	key = bar_owner(0, phys);
	if (!key && len)
		key = bar_owner(0, phys + len - 1);
	if (key)
		raw_event((struct pci_dev *)key, D0_EV_RAW_MMAP, hook, D0_RAW_DEV_MEM, 0, phys, len, ret);
}

/* 6.17+: mmap_prepare, before the VMA exists */
static __always_inline void dev_mem_mmap_desc(struct vm_area_desc *desc, int ret, __u32 hook)
{
	dev_mem_mmap(BPF_CORE_READ(desc, pgoff), BPF_CORE_READ(desc, end) - BPF_CORE_READ(desc, start), ret, hook);
}

static __always_inline void dev_mem_mmap_vma(struct vm_area_struct *vma, int ret, __u32 hook)
{
	dev_mem_mmap(BPF_CORE_READ(vma, vm_pgoff), BPF_CORE_READ(vma, vm_end) - BPF_CORE_READ(vma, vm_start), ret,
		     hook);
}

SEC("fexit/mmap_mem_prepare")
int BPF_PROG(fexit_dev_mem_mmap, struct vm_area_desc *desc, int ret)
{
	dev_mem_mmap_desc(desc, ret, D0_HOOK_DEV_MEM_MMAP_RET);
	return 0;
}

SEC("fexit/mmap_mem")
int BPF_PROG(fexit_dev_mem_mmap_old, struct file *file, struct vm_area_struct *vma, int ret)
{
	dev_mem_mmap_vma(vma, ret, D0_HOOK_DEV_MEM_MMAP_OLD_RET);
	return 0;
}

#endif /* D0AUDIT_RAW_ACCESS_BPF_H */
