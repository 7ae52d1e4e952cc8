// SPDX-License-Identifier: GPL-2.0
#include "model/mapping_model.h"

#include <string.h>

static const struct {
	const char *name, *text;
} models[] = {
	[D0_MAP_MODEL_UNKNOWN] = { "unknown", "unknown (vfio_pci_core's BTF was not loaded)" },
	[D0_MAP_MODEL_VMA_LIST] = { "vma-list", "per-VMA PTEs (vfio zaps each VMA on its vma_list)" },
	[D0_MAP_MODEL_DEVICE_INODE] = { "device-inode",
		"device-inode PTEs (zapped with unmap_mapping_range on the vfio device inode)" },
	[D0_MAP_MODEL_DMABUF] = { "dmabuf",
		"DMABUF-backed PTEs (each BAR mmap is a DMABUF, zapped in its file's mapping)" },
};

const char *d0_mapping_model_name(enum d0_mapping_model m)
{
	return m <= D0_MAP_MODEL_DMABUF ? models[m].name : "unknown";
}

const char *d0_mapping_model_text(enum d0_mapping_model m)
{
	return m <= D0_MAP_MODEL_DMABUF ? models[m].text : models[0].text;
}

enum d0_mapping_model d0_mapping_model_parse(const char *name)
{
	for (unsigned int i = 0; name && i < sizeof(models) / sizeof(models[0]); i++)
		if (!strcmp(models[i].name, name))
			return i;
	return D0_MAP_MODEL_UNKNOWN;
}
