/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-device metrics series across a restart with pins: user-space
 * counters (by device, and violations by rule and device) are kept in
 * DIR/metrics, a pinned array next to the state record (src/kernel/pin.h), so that
 * after `systemctl restart` they carry on from where the last daemon saved
 * them instead of starting again from 0. Prometheus' increase() cannot tell
 * a restart whose first scrape already counts the drained events from no
 * change at all; carried-on counters never reset, so nothing is lost.
 * Saved at every metrics tick and at stop: after a crash, what the dead
 * process counted since its last tick is missing here (the kernel's
 * per-rule counters still have it).
 */
#ifndef D0AUDIT_METRICS_PIN_H
#define D0AUDIT_METRICS_PIN_H

#include <stddef.h>
#include "daemon/metrics.h"

/*
 * Open DIR/metrics into m->pin_fd (nothing if dir is NULL). With resume (the
 * pins were reused), add the counters it holds to m's slots; otherwise, or
 * if its shape differs (another device_cap or layout), start it afresh.
 * 0, or -errno with a warning (the series then start from 0, as unpinned).
 */
int d0_metrics_pin_open(struct d0_metrics *m, const char *dir, bool resume);
/* Write every slot's counters, violations included (from the verdict). 0 or -errno (warned once). */
int d0_metrics_pin_save(struct d0_metrics *m, const struct d0_verdict *v);

#endif
