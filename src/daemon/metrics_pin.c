// SPDX-License-Identifier: GPL-2.0
#include "daemon/metrics_pin.h"
#include "lib/log.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SAVED_MAGIC 0x64306d31u /* "d0m1": the layout of struct saved_dev */
#define OTHER_BDF 0xfffffffeu
#define NO_BDF 0xffffffffu

/* One slot. Key 0 is "other", keys 1..device_cap the devices in slot order. */
struct saved_dev {
	__u32 magic;
	__u32 bdf;                 /* NO_BDF: unused */
	__s32 power;
	__u32 pad;
	__u64 transitions, zaps, dmabuf_moves, accesses, refused;
	__u64 viols[D0_RULE_MAX + 1];
};

static void pin_path(char *buf, size_t len, const char *dir)
{
	snprintf(buf, len, "%s/metrics", dir);
}

/* Does the pinned map have this daemon's shape? */
static bool same_shape(int fd, unsigned int entries)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &ilen) && info.type == BPF_MAP_TYPE_ARRAY &&
	       info.key_size == sizeof(__u32) && info.value_size == sizeof(struct saved_dev) &&
	       info.max_entries == entries;
}

static void load(struct d0_metrics *m, int fd)
{
	for (__u32 k = 0; k <= m->device_cap; k++) {
		struct saved_dev s;
		struct d0_metrics_dev *d;

		if (bpf_map_lookup_elem(fd, &k, &s) || s.magic != SAVED_MAGIC || s.bdf == NO_BDF)
			continue;
		d = k ? d0_metrics_slot(m, s.bdf) : &m->other;
		d->power = s.power;
		d->transitions = s.transitions;
		d->zaps = s.zaps;
		d->dmabuf_moves = s.dmabuf_moves;
		d->accesses = s.accesses;
		d->refused = s.refused;
		memcpy(d->viol_base, s.viols, sizeof(d->viol_base));
	}
}

int d0_metrics_pin_open(struct d0_metrics *m, const char *dir, bool resume)
{
	unsigned int entries = m->device_cap + 1;
	char path[512];
	int fd;

	if (!dir)
		return 0;
	pin_path(path, sizeof(path), dir);
	fd = bpf_obj_get(path);
	if (fd >= 0 && resume && same_shape(fd, entries)) {
		load(m, fd);
		m->pin_fd = fd;
		return 0;
	}
	if (fd >= 0) {
		/* a fresh start, or another device_cap: these counters start again from 0 */
		close(fd);
		unlink(path);
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "d0audit_metrics", sizeof(__u32), sizeof(struct saved_dev), entries,
			    NULL);
	if (fd < 0 || bpf_obj_pin(fd, path)) {
		int err = -errno;

		d0_warn("daemon: cannot create %s (%u entries of %zu bytes): %s; the per-device metrics series "
			"will start from 0 at the next restart", path, entries, sizeof(struct saved_dev), strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	m->pin_fd = fd;
	return 0;
}

static void fill(struct saved_dev *s, const struct d0_metrics_dev *d)
{
	memset(s, 0, sizeof(*s));
	s->magic = SAVED_MAGIC;
	s->bdf = d->bdf;
	s->power = d->power;
	s->transitions = d->transitions;
	s->zaps = d->zaps;
	s->dmabuf_moves = d->dmabuf_moves;
	s->accesses = d->accesses;
	s->refused = d->refused;
}

static int save(int fd, const struct d0_metrics *m, const struct d0_verdict *v)
{
	for (int i = -1; i < m->ndevs; i++) {
		const struct d0_metrics_dev *d = i < 0 ? &m->other : &m->devs[i];
		__u32 key = i + 1;
		struct saved_dev s;

		fill(&s, d);
		for (int r = 1; r <= D0_RULE_MAX; r++)
			s.viols[r] = d0_metrics_violations(m, v, r, d);
		/* E2BIG: a reload raised device_cap beyond the map; those slots are not carried on */
		if (bpf_map_update_elem(fd, &key, &s, BPF_ANY))
			return errno == E2BIG ? 0 : -errno;
	}
	return 0;
}

int d0_metrics_pin_save(struct d0_metrics *m, const struct d0_verdict *v)
{
	int err;

	if (m->pin_fd < 0)
		return 0;
	err = save(m->pin_fd, m, v);
	if (err && !m->pin_warned++)
		d0_warn("daemon: cannot save the metrics counters in the pinned map: %s; after a restart the "
			"per-device series may miss what this daemon counted", strerror(-err));
	return err;
}
