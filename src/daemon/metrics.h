/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's metrics in Prometheus text format (version 0.0.4). Per-device
 * series are bounded: the first `device_cap` devices seen get their own
 * device label, every later one adds to device="other". Rendered into
 * memory, then served over HTTP or written as a node_exporter textfile.
 */
#ifndef D0AUDIT_METRICS_H
#define D0AUDIT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "kernel/consumer.h"
#include "d0audit/rules.h"
#include "model/rules_meta.h"
#include "model/verdict.h"

struct d0_metrics_dev {
	__u32 bdf;                 /* 0xfffffffe = "other" */
	__u64 transitions, zaps, dmabuf_moves, accesses, refused;
	int power;                 /* enum d0_power at the last event (or from sysfs at the scan) */
	__u64 viol_base[D0_RULE_MAX + 1]; /* violations counted by earlier daemons (src/daemon/metrics_pin.h) */
};

struct d0_metrics {
	unsigned int device_cap;
	struct d0_metrics_dev *devs;
	int ndevs;
	struct d0_metrics_dev other;
	__u64 gaps, lost;          /* monitoring gaps and the events they lost */
	__u64 late_attach;         /* times hooks were attached after start */
	__u64 hooks_detached;      /* hooks found detached under the daemon */
	__u64 pins_repaired;       /* link pins found removed or replaced, pinned again */
	__u64 resumed_drained;     /* events drained from the pinned ring buffer at start */
	__u64 filtered;            /* events on devices excluded by devices_allow/deny */
	double last_event_wall;    /* seconds since the epoch, 0 = none yet */
	double start_wall;
	bool cannot_audit;         /* the daemon could not start: d0audit_up 0 */
	int pin_fd;                /* DIR/metrics (src/daemon/metrics_pin.h), -1 if none */
	unsigned int pin_warned;
};

/* What the rest of the daemon knows, gathered at render time. */
struct d0_metrics_inputs {
	const struct d0_counters *counters;   /* kernel counters (may be NULL before start) */
	const struct d0_verdict *verdict;
	/* which hooks work now: rules not fully checked (NULL: none works yet) */
	const struct d0_hook_availability *avail;
	int hooks_attached, hooks_waiting;
	const char *sysfs;                    /* root for the BTF checks ("" = /sys; tests point elsewhere) */
	__u64 write_errors, suppressed, lines;
	double now_wall;
};

void d0_metrics_init(struct d0_metrics *m, unsigned int device_cap);
void d0_metrics_free(struct d0_metrics *m);
void d0_metrics_event(struct d0_metrics *m, const struct d0_event *e, double now_wall);
/* The slot a device's series go to (its own, or "other" beyond the cap). */
struct d0_metrics_dev *d0_metrics_slot(struct d0_metrics *m, __u32 bdf);
/*
 * Give every device bound to a vfio driver now (sysfs/bus/pci/devices/X/driver
 * named *vfio*) its slot, so that its violation series exist at 0 before the
 * first violation and increase() sees that one. sysfs "" = /sys. Returns how
 * many slots were added.
 */
int d0_metrics_scan_vfio(struct d0_metrics *m, const char *sysfs);
/* Violations of a rule in a slot: earlier daemons' (viol_base) and this one's verdict. */
__u64 d0_metrics_violations(const struct d0_metrics *m, const struct d0_verdict *v, int rule,
			    const struct d0_metrics_dev *slot);
/* Render everything into a malloc'ed buffer. Returns its length, or -1. */
long d0_metrics_render(const struct d0_metrics *m, const struct d0_metrics_inputs *in, char **out);
/* node_exporter textfile: write PATH.tmp, fsync, rename over PATH. 0 or -errno. */
int d0_metrics_write_textfile(const char *path, const char *buf, size_t len);

#endif
