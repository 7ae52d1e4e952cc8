/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal CO-RE view of the kernel structures d0audit reads.
 *
 * Why not a generated vmlinux.h: the build host's kernel need not have vfio,
 * and a header dumped from one kernel pins layouts we do not care about. Each
 * struct here lists only the fields we read; preserve_access_index makes
 * every access a CO-RE relocation, resolved against the running kernel's
 * (and the vfio module's) BTF at load time. Field order and offsets here do
 * not matter; names and kinds do. Structs that move between versions use
 * bpf_core_field_exists() at the read site.
 */
#ifndef D0AUDIT_KERNEL_TYPES_H
#define D0AUDIT_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>

typedef _Bool bool;
#define true 1
#define false 0
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef long long loff_t;
typedef unsigned long size_t;
typedef long ssize_t;
typedef int pci_power_t;
typedef unsigned int vm_fault_t;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* x86-64 kernel register layout, for kprobes (bpf_tracing.h PT_REGS_PARMn). */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

struct task_struct {
	int pid;
	int tgid;                   /* the seed: a VMA's owner */
	char comm[16];
};

struct kobject {
	const char *name;
};

/* CO-RE matches a field's type by kind and name: it must be this enum, not an int. */
enum rpm_status { RPM_ACTIVE___d0 = 0, RPM_INVALID___d0 = -1 };

struct dev_pm_info {
	enum rpm_status runtime_status;
};

struct device {
	struct kobject kobj;
	void *driver_data;
	struct dev_pm_info power;
};

struct pci_driver {
	const char *name;
};

struct pci_dev;

struct pci_bus {
	unsigned char number;
	struct pci_bus *parent;     /* issue 14: walk from a device up to a reset bridge */
	struct pci_dev *self;       /* the bridge above the bus (NULL for a root bus) */
};

/* A BAR's window: flags (IORESOURCE_MEM: vfio gates it on decode); start/end (IOMMU grants on it,
 * raw access, issue 14); its child (the region vfio requested, IORESOURCE_BUSY). */
struct resource {
	u64 start;
	u64 end;
	unsigned long flags;
	struct resource *child;
};

struct pci_dev {
	struct pci_bus *bus;
	unsigned int devfn;
	u8 pm_cap;
	pci_power_t current_state;
	struct device dev;
	struct pci_driver *driver;
	unsigned int no_command_memory : 1;
	struct pci_bus *subordinate; /* issue 14: the bus below a bridge */
	u8 pcie_cap;                 /* issue 14: DEVCTL (FLR) and a bridge's type */
	struct resource resource[17]; /* BARs 0-5, ROM 6, ...: indexed by the relocated offsets */
	u32 saved_config_space[16];  /* issue 14 class 5: what pci_restore_state writes back */
};

typedef struct {
	s64 counter;
} atomic_long_t;

struct rw_semaphore {
	atomic_long_t count;
	atomic_long_t owner;
};

/*
 * PREEMPT_RT: struct rw_semaphore is { struct rwbase_rt rwbase; }, a reader
 * count plus an rtmutex the writer owns (include/linux/rwbase_rt.h). The
 * ___rt flavours match the same kernel structs; a read through them is
 * guarded by bpf_core_field_exists(memory_lock.rwbase).
 */
typedef struct {
	int counter;
} atomic_t;

struct rt_mutex_base {
	struct task_struct *owner;
};

struct rwbase_rt {
	atomic_t readers;
	struct rt_mutex_base rtmutex;
};

struct rw_semaphore___rt {
	struct rwbase_rt rwbase;
};

struct rb_node {
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
};

struct address_space {
	unsigned long nrpages;
	struct rb_root_cached i_mmap; /* issue 14 class 3: the iomem inode's VMAs (sysfs resourceN, /dev/mem) */
};

struct inode {
	struct address_space *i_mapping;
};

struct file {
	struct address_space *f_mapping;
	void *private_data;         /* 6.1 vfio device file: the struct vfio_device (the seed) */
};

struct vfio_device {
	struct device *dev;
	unsigned int open_count;
	struct inode *inode;        /* 6.10+: the zap target's owner */
};

struct vfio_pci_core_device {
	struct vfio_device vdev;
	struct pci_dev *pdev;
	u8 *vconfig;
	bool pm_runtime_engaged;    /* a :1 bitfield on 6.17: read with the PROBED helper */
	struct rw_semaphore memory_lock;
	struct list_head dmabufs;   /* 6.19+ */
	bool zap_bars_on_revoke;    /* the DMABUF-mmap series: a :1 bitfield on the 7.2 rebase */
};

struct vfio_pci_core_device___rt {
	struct rw_semaphore___rt memory_lock;
};

struct dma_buf {
	const char *exp_name;
	void *priv;
	struct file *file;          /* its f_mapping holds the series' user PTEs */
	size_t size;
};

struct vfio_pci_dma_buf {
	struct dma_buf *dmabuf;
	struct vfio_pci_core_device *vdev;
	struct list_head dmabufs_elm;
	u8 revoked : 1;             /* 6.19 .. 7.3; the series replaces it with `status` */
};

/*
 * The DMABUF-mmap series' view of the same struct (a CO-RE flavour: the
 * ___series suffix is ignored when matching). Its fields exist only there,
 * so every read is guarded by bpf_core_field_exists(). The enum keeps the
 * kernel's name: CO-RE matches an enum field by the enum's name.
 */
enum vfio_pci_dma_buf_status { VFIO_PCI_DMABUF_OK___d0 = 0 };

struct vfio_pci_dma_buf___series {
	struct vfio_pci_core_device *vdev;
	struct file *vfile;         /* the device fd a BAR-mmap buffer owns */
	enum vfio_pci_dma_buf_status status;
};

struct vm_area_struct {
	unsigned long vm_start;     /* in an anonymous union on 6.12+: CO-RE finds it */
	unsigned long vm_end;
	void *vm_private_data;      /* vdev; the series: struct vfio_pci_dma_buf * */
	struct file *vm_file;       /* the series: the DMABUF's file */
	/* issue 14 class 3: a VMA in an address_space's interval tree */
	unsigned long vm_pgoff;
	struct {
		struct rb_node rb;
		unsigned long rb_subtree_last;
	} shared;
};

/* 6.17+: an mmap being prepared (mmap_mem_prepare); the VMA does not exist yet */
struct vm_area_desc {
	unsigned long start;
	unsigned long end;
	unsigned long pgoff;
};

struct bin_attribute {
	void *private;              /* sysfs resourceN: the BAR index */
};

/* 6.1 only: vdev->vma_list holds the VMAs a fault populated (and no zap emptied since). */
struct vfio_pci_mmap_vma {
	struct vm_area_struct *vma;
	struct list_head vma_next;
};

struct vfio_pci_core_device___v61 {
	struct list_head vma_list;
};

/* The task_vma iterator's context (kernel/bpf/task_iter.c): each field an 8-byte slot. */
struct bpf_iter__task_vma {
	struct task_struct *task;
	struct vm_area_struct *vma;
};

struct bpf_map;

struct vm_fault {
	struct vm_area_struct *vma;
};

struct dma_buf_attachment {
	struct dma_buf *dmabuf;
};

struct vfio_pci_ioeventfd {
	struct vfio_pci_core_device *vdev;
	bool test_mem;
};

/* vfio_iommu_type1's record of one VFIO_IOMMU_MAP_DMA (module BTF: vfio_iommu_type1). */
struct vfio_dma {
	u64 iova;
	unsigned long vaddr;
	bool has_rsvd;              /* a PFNMAP (reserved) chunk was pinned: 5.13+ */
};

#pragma clang attribute pop

/* Only the rw_semaphore bits we test (include/linux/rwsem.h, kernel/locking/rwsem.c). */
#define RWSEM_WRITER_LOCKED   (1UL << 0)
#define RWSEM_OWNER_FLAGS_MASK 0x7UL
/* PREEMPT_RT (include/linux/rwbase_rt.h, rtmutex.h): readers == WRITER_BIAS once write-held. */
#define RWBASE_WRITER_BIAS    (1U << 30)
#define RT_MUTEX_HAS_WAITERS  1UL

#define PCI_COMMAND           0x04
#define PCI_COMMAND_MEMORY    0x2
#define PCI_PM_CTRL           4
#define IORESOURCE_MEM        0x00000200
#define PCI_ROM_RESOURCE      6
/* vfio-pci's region offset: index << 40 (VFIO_PCI_OFFSET_SHIFT) */
#define D0_VFIO_PCI_OFFSET_SHIFT 40

#define VM_FAULT_SIGBUS       0x000002
#define VM_FAULT_NOPAGE       0x000100

#define EIO 5

#endif /* D0AUDIT_KERNEL_TYPES_H */
