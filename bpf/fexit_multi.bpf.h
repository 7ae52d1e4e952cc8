/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 18: the D0_HF_FEXIT_MULTI rows of include/d0audit/hooks.h (the eight
 * core I/O accessors, the DMABUF export and map exits: all vfio_pci_core's)
 * from one program on one fexit.multi link, where the kernel has tracing
 * multi links (7.2+; loaded and attached by src/kernel/fexit_multi.c, which
 * registers this section with libbpf 1.1). The kernel verifies it once, and
 * runs it on each row's own trampoline.
 *
 * The kernel types the program int bpf_multi_func(void): the arguments come
 * from bpf_get_func_arg as scalars (so every read below is probed) and the row
 * from the link's cookie. Each row runs the helper its own program runs.
 */
#ifndef D0AUDIT_FEXIT_MULTI_BPF_H
#define D0AUDIT_FEXIT_MULTI_BPF_H

SEC("d0.fexit.multi")
int fexit_multi(void *ctx)
{
	__u32 hook = bpf_get_attach_cookie(ctx), i = hook - D0_HOOK_CORE_IOREAD8_RET;
	__u64 a0 = 0, a1 = 0, a3 = 0, ret = 0;
	struct pci_dev *pdev;

	bpf_get_func_arg(ctx, 0, &a0);
	bpf_get_func_arg(ctx, 1, &a1);
	bpf_get_func_ret(ctx, &ret);
	switch (hook) {
	case D0_HOOK_DMABUF_EXPORT_RET:
		dmabuf_export_done((struct vfio_pci_core_device *)a0, (__u32)a1, (int)ret);
		return 0;
	case D0_HOOK_DMABUF_MAP_RET:
		dmabuf_map_done((struct dma_buf_attachment *)a0, (int)a1, ret);
		return 0;
	}
	if (i >= D0_ACCESSOR_ROWS)
		return 0;
	/* vfio_pci_core_io{read,write}N(vdev, test_mem, val, io) */
	bpf_get_func_arg(ctx, 3, &a3);
	pdev = BPF_CORE_READ((struct vfio_pci_core_device *)a0, pdev);
	/* a bool argument: only its low byte is defined */
	accessor((struct vfio_pci_core_device *)a0, pdev, BPF_CORE_READ(pdev, current_state), a1 & 0xff, a3,
		 1u << (i / 2), i & 1, (int)ret, hook);
	return 0;
}

#endif /* D0AUDIT_FEXIT_MULTI_BPF_H */
