/* SPDX-License-Identifier: GPL-2.0 */
/* What doctor reports about the host: kernel, BTF, vfio, privileges, lockdown. */
#ifndef D0AUDIT_HOST_INFO_H
#define D0AUDIT_HOST_INFO_H

#include <stdbool.h>

#define D0_MAX_LISTED_DEVICES 64

struct d0_host_info {
	char release[65];
	bool preempt_rt;          /* uname -v says PREEMPT_RT: memory_lock is the rwbase_rt rwsem */
	bool vmlinux_btf;
	bool vfio_pci_core_btf;   /* /sys/kernel/btf/vfio_pci_core */
	bool vfio_pci_loaded;     /* /sys/bus/pci/drivers/vfio-pci exists */
	int vfio_devices;         /* devices bound to vfio-pci */
	char devices[D0_MAX_LISTED_DEVICES][16];
	bool root;                /* effective uid 0 */
	bool cap_bpf, cap_perfmon, cap_sys_admin;
	char lockdown[32];        /* none / integrity / confidentiality / unknown */
};

/* Root under which /sys and /proc are read; tests point it at a fixture tree. */
void d0_host_info_collect(struct d0_host_info *h, const char *sysroot);

/* Can a process with these privileges load and attach tracing programs? */
bool d0_host_can_trace(const struct d0_host_info *h);

#endif /* D0AUDIT_HOST_INFO_H */
