/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the kernel keeps the user PTEs on vfio BARs, hence what a zap is.
 * Decided from the running kernel's BTF (src/kernel/kernel_facts.c), never from its
 * version: a patched vfio-pci (the DMABUF-mmap series) may run on any kernel.
 */
#ifndef D0AUDIT_MAPPING_MODEL_H
#define D0AUDIT_MAPPING_MODEL_H

enum d0_mapping_model {
	D0_MAP_MODEL_UNKNOWN = 0,  /* vfio's module BTF is not loaded: not known yet */
	D0_MAP_MODEL_VMA_LIST,     /* 6.1..6.9: vfio zaps each VMA on vdev->vma_list */
	D0_MAP_MODEL_DEVICE_INODE, /* 6.10+: PTEs in the vfio device inode's address_space */
	D0_MAP_MODEL_DMABUF,       /* the DMABUF-mmap series: PTEs in each BAR-mmap DMABUF's file */
};

/* Short name for JSON and the trace header: "device-inode", "dmabuf", ... */
const char *d0_mapping_model_name(enum d0_mapping_model m);
/* One line for people: "DMABUF-backed PTEs (...)". */
const char *d0_mapping_model_text(enum d0_mapping_model m);
/* From a name written by d0_mapping_model_name; UNKNOWN for NULL or an unknown name. */
enum d0_mapping_model d0_mapping_model_parse(const char *name);

#endif
