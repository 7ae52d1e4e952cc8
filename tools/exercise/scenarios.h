/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenarios. Each one opens the device, does its sequence and closes it;
 * on any failure it exits (see report.h). Returning means success.
 */
#ifndef SCENARIOS_H
#define SCENARIOS_H

#include <stdbool.h>

/* Every DMABUF the scenarios export: BAR0, one range of this size at 0. */
#define SCEN_DMABUF_LEN 4096u

struct scen_args {
	const char *bdf;
	unsigned long count;	/* pread-loop, fault-loop: iterations */
	bool dmabuf;		/* sysfs-pm-d3, sysfs-cmd-mem: --dmabuf */
	bool mapped;		/* scen_beyond.c: --mapped, the violating flow */
};

typedef void scenario_fn(const struct scen_args *a);

/* scen_access.c: plain accesses through vfio */
scenario_fn scen_open_close, scen_mmap_touch, scen_pread_bar, scen_rom,
	    scen_ioeventfd, scen_pread_loop, scen_fault_loop,
	scen_fault_only_loop;
/* scen_power.c: power state, memory enable, runtime PM, DMABUF */
scenario_fn scen_pm_d3, scen_cmd_mem, scen_low_power, scen_low_power_wakeup,
	    scen_dmabuf, scen_dmabuf_low_power, scen_dmabuf_reset, scen_dmabuf_close;
/* scen_power.c's low-power steps, shared with scen_iommu.c (wakeup_fd < 0: no wakeup eventfd) */
struct vfio_dev;
void low_power_entry(const struct vfio_dev *d, int wakeup_fd);
void low_power_exit(const struct vfio_dev *d);
void wait_runtime_suspended(const char *bdf);
/* scen_variant.c: any vfio device, BAR0 or not (variant drivers, issue 14) */
scenario_fn scen_variant_d3_read;
/* scen_reset.c */
scenario_fn scen_reset, scen_hot_reset;
/* scen_series.c: the DMABUF-mmap series (exit 3 without it) */
scenario_fn scen_dmabuf_mmap, scen_dmabuf_revoke, scen_dmabuf_memattr,
	    scen_dmabuf_mmap_reset, scen_dmabuf_d3hot;
/* scen_sysfs.c: behind vfio's back */
scenario_fn scen_sysfs_pm_d3, scen_sysfs_cmd_mem, scen_sysfs_mmap;
/* scen_beyond.c: resets and config writes beyond vfio's own calls (issue 14) */
scenario_fn scen_sysfs_reset, scen_reset_subordinate, scen_aer_fatal, scen_bridge_config,
	    scen_sysfs_bar_write, scen_rom_decode_off, scen_rom_info_decode_off, scen_hold,
	    scen_hold_untouched;
/* scen_iommu.c: IOMMU entries on a BAR (issue 14, class 4) */
scenario_fn scen_iommu_bar_low_power, scen_iommu_bar_teardown, scen_iommu_bar_map_low_power;
/* scen_raw.c: raw BAR access from outside vfio, hardware decode (issue 14 classes 3 and 5) */
scenario_fn scen_raw_sysfs_io, scen_raw_dev_port, scen_raw_dev_mem, scen_raw_mmap, scen_hw_decode_off,
	    scen_hw_bus_reset;

#endif /* SCENARIOS_H */
