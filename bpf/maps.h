/* SPDX-License-Identifier: GPL-2.0 */
/* Maps and configuration shared by every d0audit BPF program. */
#ifndef D0AUDIT_BPF_MAPS_H
#define D0AUDIT_BPF_MAPS_H

#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include "d0audit/event.h"
#include "d0audit/hooks.h"
#include "d0audit/rules.h"

/* Set by user space before load. */
const volatile __u32 cfg_record_all = 0;
const volatile __u32 cfg_mode = 0;       /* enum d0_mode: strict by default */
/* 6.17+: a typed pointer's member that points to a scalar (vdev->vconfig) is read directly */
const volatile __u32 cfg_leaf_ptr_direct = 0;

/* Sized for hosts with thousands of SR-IOV VFs; user space may resize. */
#define D0_MAX_DEVICES 16384

/* struct pci_dev * -> per-device state; entries go at unregister. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_DEVICES);
	__type(key, __u64);
	__type(value, struct d0_dev_state);
} devices SEC(".maps");

/* vfio device inode address_space -> struct pci_dev *: the zap filter. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_DEVICES);
	__type(key, __u64);
	__type(value, __u64);
} mappings SEC(".maps");

/*
 * The DMABUF-mmap series: each DMABUF's file address_space -> its state.
 * Learned when a buffer is created (BAR mmap, export) or first faulted;
 * the zap filter's second key. Entries go at vfio_pci_dma_buf_release.
 */
struct d0_buf_state {
	__u64 pdev;          /* devices key of the exporting device */
	__u64 priv;          /* struct vfio_pci_dma_buf * */
	__u64 size;          /* dmabuf->size: a zap of [0, size) removes every PTE */
	__u32 mapped;        /* a PTE was granted since the last whole-buffer zap */
	__u32 source;        /* D0_BUF_SRC_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, D0_MAX_DEVICES);
	__type(key, __u64);
	__type(value, struct d0_buf_state);
} buffers SEC(".maps");

/* Per-task context: which enclosing paths the task is in (D0_CTX_*). */
#define D0_CTX_BITS 16
struct d0_task_ctx {
	__u8 depth[D0_CTX_BITS]; /* nesting per context bit */
	__u32 bits;              /* D0_CTX_*: depth[i] != 0 */
	__s8 power_before;       /* current_state at __pci_set_power_state entry */
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct d0_task_ctx);
} task_ctx SEC(".maps");

/* The event stream. Size set by user space (power of two, page multiple). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Drops per (hook, cause), per CPU: index hook * D0_DROP_CAUSES + cause. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, D0_HOOK_COUNT * D0_DROP_CAUSES);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Hot-path counters per hook, per CPU: how often each program ran. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, D0_HOOK_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* Violations per rule (index = rule id), per CPU: counted even when the event is lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, D0_RULE_MAX + 1);
	__type(key, __u32);
	__type(value, __u64);
} violations SEC(".maps");

/* Every event ever produced takes one number; delivered + dropped = produced. */
__u64 d0_seq = 0;

/* The start-up seed (bpf/seed.bpf.h) walked every VMA: a device first seen open now has no unseen PTE. */
__u32 d0_seed_done = 0;

#endif /* D0AUDIT_BPF_MAPS_H */
