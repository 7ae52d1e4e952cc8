// SPDX-License-Identifier: GPL-2.0
#include "daemon/metrics.h"
#include "model/event_names.h"
#include "d0audit/event_facts.h"
#include "model/rules_meta.h"
#include "lib/version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OTHER_BDF 0xfffffffeu

void d0_metrics_init(struct d0_metrics *m, unsigned int device_cap)
{
	memset(m, 0, sizeof(*m));
	m->device_cap = device_cap;
	m->other.bdf = OTHER_BDF;
	m->other.power = D0_PWR_UNKNOWN;
	m->pin_fd = -1;
}

void d0_metrics_free(struct d0_metrics *m)
{
	free(m->devs);
	if (m->pin_fd >= 0)
		close(m->pin_fd);
	m->pin_fd = -1;
	m->devs = NULL;
	m->ndevs = 0;
}

struct d0_metrics_dev *d0_metrics_slot(struct d0_metrics *m, __u32 bdf)
{
	struct d0_metrics_dev *d;

	for (int i = 0; i < m->ndevs; i++)
		if (m->devs[i].bdf == bdf)
			return &m->devs[i];
	if ((unsigned int)m->ndevs >= m->device_cap)
		return &m->other;
	d = realloc(m->devs, (m->ndevs + 1) * sizeof(*d));
	if (!d)
		return &m->other;
	m->devs = d;
	d = &m->devs[m->ndevs++];
	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	d->power = D0_PWR_UNKNOWN;
	return d;
}

/* Only the series that exist: a lookup that would not create a new slot. */
static const struct d0_metrics_dev *slot_of(const struct d0_metrics *m, __u32 bdf)
{
	for (int i = 0; i < m->ndevs; i++)
		if (m->devs[i].bdf == bdf)
			return &m->devs[i];
	return &m->other;
}

void d0_metrics_event(struct d0_metrics *m, const struct d0_event *e, double now_wall)
{
	struct d0_metrics_dev *d = d0_metrics_slot(m, e->bdf);

	m->last_event_wall = now_wall;
	d->power = e->power;
	if (d0_is_power_transition(e))
		d->transitions++;
	else if (e->kind == D0_EV_ZAP)
		d->zaps++;
	else if (d0_is_dmabuf_move_step(e))
		d->dmabuf_moves++;
	if (d0_event_is_access(e))
		d->accesses++;
	if (d0_refused(e))
		d->refused++;
}

int d0_metrics_scan_vfio(struct d0_metrics *m, const char *sysfs)
{
	char dir[256], link[sizeof(dir) + 256 + 16], target[256];
	struct dirent *de;
	int added = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs && *sysfs ? sysfs : "/sys");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		ssize_t n;
		__u32 bdf;
		int before = m->ndevs;
		const char *drv;

		if (d0_bdf_parse(de->d_name, &bdf))
			continue;
		snprintf(link, sizeof(link), "%s/%s/driver", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		drv = strrchr(target, '/');
		/* vfio-pci and its variant drivers (mlx5_vfio_pci, ...) */
		if (!strstr(drv ? drv + 1 : target, "vfio"))
			continue;
		if (d0_metrics_slot(m, bdf) != &m->other && m->ndevs > before) {
			/* the state before the first event: what the PCI core says now */
			char state[16] = "";
			FILE *ps;

			snprintf(link, sizeof(link), "%s/%s/power_state", dir, de->d_name);
			ps = fopen(link, "r");
			if (ps && fscanf(ps, "%15s", state) == 1)
				d0_power_from_name(state, &m->devs[m->ndevs - 1].power);
			if (ps)
				fclose(ps);
			added++;
		}
	}
	closedir(d);
	return added;
}

static void dev_label(__u32 bdf, char *buf, size_t len)
{
	if (bdf == OTHER_BDF)
		snprintf(buf, len, "other");
	else
		d0_bdf_format(bdf, buf, len);
}

static void per_device(FILE *f, const struct d0_metrics *m, const char *name, const char *help, size_t off)
{
	char dev[16];

	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (int i = 0; i <= m->ndevs; i++) {
		const struct d0_metrics_dev *d = i < m->ndevs ? &m->devs[i] : &m->other;

		dev_label(d->bdf, dev, sizeof(dev));
		fprintf(f, "%s{device=\"%s\"} %llu\n", name, dev, *(const unsigned long long *)((const char *)d + off));
	}
}

static void power_states(FILE *f, const struct d0_metrics *m)
{
	char dev[16];

	fprintf(f, "# HELP d0audit_device_power_state Each device's PCI power state at its last event: -1 error, "
		   "0 D0, 1 D1, 2 D2, 3 D3hot, 4 D3cold, 5 unknown\n# TYPE d0audit_device_power_state gauge\n");
	for (int i = 0; i < m->ndevs; i++) { /* not "other": several devices have no one state */
		dev_label(m->devs[i].bdf, dev, sizeof(dev));
		fprintf(f, "d0audit_device_power_state{device=\"%s\"} %d\n", dev, m->devs[i].power);
	}
}

static void scalar(FILE *f, const char *name, const char *type, const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

/* The series of one device slot (i == ndevs: "other"). */
static const struct d0_metrics_dev *slot_at(const struct d0_metrics *m, int i)
{
	return i < m->ndevs ? &m->devs[i] : &m->other;
}

__u64 d0_metrics_violations(const struct d0_metrics *m, const struct d0_verdict *v, int rule,
			    const struct d0_metrics_dev *slot)
{
	__u64 n = slot->viol_base[rule];

	/* several devices beyond the cap add up in "other" */
	for (int i = 0; v && i < v->nviols; i++)
		if (v->viols[i].rule == rule && slot_of(m, v->viols[i].bdf) == slot)
			n += v->viols[i].count;
	return n;
}

static void violations(FILE *f, const struct d0_metrics *m, const struct d0_metrics_inputs *in)
{
	char dev[16];

	/*
	 * One series per (rule, device slot), every one from the start at 0 so
	 * that increase() sees the first violation. Bounded: D0_RULE_MAX x
	 * (device_cap + 1).
	 */
	fprintf(f, "# HELP d0audit_violations_total Rule violations seen on delivered events, by rule id "
		   "('d0audit rules') and device\n# TYPE d0audit_violations_total counter\n");
	for (int k = 0; k <= m->ndevs; k++) {
		const struct d0_metrics_dev *d = slot_at(m, k);

		dev_label(d->bdf, dev, sizeof(dev));
		for (int r = 1; r <= D0_RULE_MAX; r++)
			fprintf(f, "d0audit_violations_total{rule=\"%d\",device=\"%s\"} %llu\n", r, dev,
				(unsigned long long)d0_metrics_violations(m, in->verdict, r, d));
	}
	fprintf(f, "# HELP d0audit_kernel_violations_total Rule violations judged in the kernel, lost events "
		   "included, by rule id\n# TYPE d0audit_kernel_violations_total counter\n");
	for (int r = 1; r <= D0_RULE_MAX; r++)
		fprintf(f, "d0audit_kernel_violations_total{rule=\"%d\"} %llu\n", r,
			in->counters ? (unsigned long long)in->counters->violations[r] : 0ULL);
}

/* Rule names for joins in alerts and dashboards, and which rules are fully checked now. */
static void rules(FILE *f, const struct d0_metrics_inputs *in)
{
	static const struct d0_hook_availability none;
	const struct d0_hook_availability *a = in->avail ? in->avail : &none;

	fprintf(f, "# HELP d0audit_rule_info The name of each rule id, always 1\n# TYPE d0audit_rule_info gauge\n");
	for (int r = 1; r <= D0_RULE_MAX; r++)
		fprintf(f, "d0audit_rule_info{rule=\"%d\",name=\"%s\"} 1\n", r, d0_rule_meta[r].name);
	fprintf(f, "# HELP d0audit_rule_checked 1 if every hook the rule needs works (or its paths do not exist "
		   "on this kernel), 0 if its verdicts are incomplete\n# TYPE d0audit_rule_checked gauge\n");
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		const char *missing;

		fprintf(f, "d0audit_rule_checked{rule=\"%d\"} %d\n", r, d0_rule_coverage(r, a, &missing) != D0_BLIND);
	}
}

/* 1 when the kernel (or the loaded vfio_pci_core module) has no BTF: d0audit cannot audit it. */
static void btf(FILE *f, const char *sysfs)
{
	char path[256];
	bool vmlinux, vfio_loaded, vfio_btf;

	sysfs = sysfs && *sysfs ? sysfs : "/sys";
	snprintf(path, sizeof(path), "%s/kernel/btf/vmlinux", sysfs);
	vmlinux = !access(path, F_OK);
	/* initstate: a loaded module (a built-in one has its BTF in vmlinux) */
	snprintf(path, sizeof(path), "%s/module/vfio_pci_core/initstate", sysfs);
	vfio_loaded = !access(path, F_OK);
	snprintf(path, sizeof(path), "%s/kernel/btf/vfio_pci_core", sysfs);
	vfio_btf = !access(path, F_OK);
	fprintf(f, "# HELP d0audit_btf_missing 1 if the kernel, or the loaded module, has no BTF: "
		   "its hooks cannot be audited\n# TYPE d0audit_btf_missing gauge\n"
		   "d0audit_btf_missing{module=\"vmlinux\"} %d\nd0audit_btf_missing{module=\"vfio_pci_core\"} %d\n",
		!vmlinux, vfio_loaded && !vfio_btf);
}

long d0_metrics_render(const struct d0_metrics *m, const struct d0_metrics_inputs *in, char **out)
{
	const struct d0_counters *c = in->counters;
	size_t len = 0;
	FILE *f = open_memstream(out, &len);

	if (!f)
		return -1;
	fprintf(f, "# HELP d0audit_build_info The running d0audit's version and commit, always 1\n"
		   "# TYPE d0audit_build_info gauge\nd0audit_build_info{version=\"%s\",commit=\"%s\"} 1\n",
		D0AUDIT_VERSION, D0AUDIT_COMMIT);
	scalar(f, "d0audit_up", "gauge", "1 while the daemon audits, 0 if it could not start", !m->cannot_audit);
	scalar(f, "d0audit_start_time_seconds", "gauge", "When the daemon started (Unix time)", m->start_wall);
	per_device(f, m, "d0audit_power_transitions_total", "D-state changes seen",
		   offsetof(struct d0_metrics_dev, transitions));
	per_device(f, m, "d0audit_zaps_total", "vfio BAR mapping zaps", offsetof(struct d0_metrics_dev, zaps));
	per_device(f, m, "d0audit_dmabuf_moves_total", "DMABUF revokes and unrevokes",
		   offsetof(struct d0_metrics_dev, dmabuf_moves));
	per_device(f, m, "d0audit_accesses_total", "BAR accesses that reached the device",
		   offsetof(struct d0_metrics_dev, accesses));
	per_device(f, m, "d0audit_refused_attempts_total", "BAR accesses and faults the kernel refused",
		   offsetof(struct d0_metrics_dev, refused));
	power_states(f, m);
	violations(f, m, in);
	rules(f, in);
	btf(f, in->sysfs);
	scalar(f, "d0audit_events_produced_total", "counter", "Events the BPF programs produced",
	       c ? c->produced : 0);
	scalar(f, "d0audit_events_delivered_total", "counter", "Events read from the ring buffer",
	       c ? c->delivered : 0);
	fprintf(f, "# HELP d0audit_drops_total Events lost in the kernel, by cause\n# TYPE d0audit_drops_total counter\n");
	for (int i = 0; i < D0_DROP_CAUSES; i++)
		fprintf(f, "d0audit_drops_total{cause=\"%s\"} %llu\n", d0_drop_cause_name(i), c ? (unsigned long long)c->drops[i] : 0ULL);
	scalar(f, "d0audit_monitoring_gaps_total", "counter", "Windows in which events were lost", m->gaps);
	scalar(f, "d0audit_filtered_events_total", "counter",
	       "Events on devices excluded by devices_allow/devices_deny", m->filtered);
	scalar(f, "d0audit_hooks_attached", "gauge", "Kernel hooks attached now", in->hooks_attached);
	scalar(f, "d0audit_hooks_waiting", "gauge", "Hooks waiting for their module (vfio-pci) to load",
	       in->hooks_waiting);
	scalar(f, "d0audit_late_attach_total", "counter", "Times hooks were attached after start (modules loaded later)",
	       m->late_attach);
	scalar(f, "d0audit_hooks_detached_total", "counter", "Hooks found detached while the daemon ran (a monitoring gap each)",
	       m->hooks_detached);
	scalar(f, "d0audit_pins_repaired_total", "counter", "Link pins found removed or replaced and pinned again",
	       m->pins_repaired);
	scalar(f, "d0audit_resume_drained_events", "gauge",
	       "Events that waited in the pinned ring buffer while no daemon ran, drained at start", m->resumed_drained);
	scalar(f, "d0audit_last_event_age_seconds", "gauge",
	       "Seconds since the last event was read (-1: none yet)",
	       m->last_event_wall ? in->now_wall - m->last_event_wall : -1);
	scalar(f, "d0audit_output_lines_total", "counter", "Output lines written whole", in->lines);
	scalar(f, "d0audit_output_write_errors_total", "counter", "Output lines that failed to be written",
	       in->write_errors);
	scalar(f, "d0audit_output_suppressed_total", "counter", "Violation reports held back by the rate limit",
	       in->suppressed);
	if (fclose(f))
		return -1;
	return len;
}

int d0_metrics_write_textfile(const char *path, const char *buf, size_t len)
{
	char tmp[512];
	int fd, err = 0;

	/* not *.prom: node_exporter must never read a half-written file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* the exporter runs as another user: readable whatever the daemon's umask */
	if (fchmod(fd, 0644))
		err = -errno;
	for (size_t done = 0; done < len && !err;) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -errno : -ENOSPC;
		else
			done += n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
