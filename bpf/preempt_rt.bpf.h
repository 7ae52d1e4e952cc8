/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issue 14 class 10: PREEMPT_RT kernels. Included at the end of d0audit.bpf.c
 * (it uses fault_done()). The RT lock layout itself is read in device.h
 * (vdev_lock_state, CO-RE flavours of struct rw_semaphore).
 *
 * PREEMPT_RT excludes transparent huge pages, hence huge PFN maps: vfio-pci
 * has no .huge_fault there, and gcc inlines vfio_pci_mmap_huge_fault() and
 * vfio_pci_vmf_insert_pfn() into the .fault handler (objdump of Debian
 * 7.2.13-rt's vfio-pci-core.ko: only vfio_pci_mmap_page_fault calls
 * vmf_insert_pfn). The exported vfio_pci_vmf_insert_pfn stays attachable but
 * vfio-pci's own faults never reach it, so the fault is seen at the exit of
 * the handler. The planner uses this row only where vfio_pci_mmap_huge_fault
 * has no body of its own (D0_HF_INLINED_ALT), never on the other kernels.
 */
#ifndef D0AUDIT_PREEMPT_RT_BPF_H
#define D0AUDIT_PREEMPT_RT_BPF_H

SEC("fexit/vfio_pci_mmap_page_fault")
int BPF_PROG(fexit_fault_page, struct vm_fault *vmf, vm_fault_t ret)
{
	struct vm_area_struct *vma = BPF_CORE_READ(vmf, vma);
	struct vfio_pci_core_device *vdev = vma_vdev(vma);

	/* order 0: without huge PFN maps every fault inserts one page */
	fault_done(vdev, BPF_CORE_READ(vdev, pdev), ret, 0, D0_HOOK_FAULT_PAGE_RET, false,
		   series_buf_of_vma(vma, D0_HOOK_FAULT_PAGE_RET));
	return 0;
}

#endif /* D0AUDIT_PREEMPT_RT_BPF_H */
