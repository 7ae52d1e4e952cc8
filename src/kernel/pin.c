// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "kernel/pin.h"
#include "model/hook_table.h"
#include "lib/log.h"
#include "model/event_names.h"
#include "d0audit/rules.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

__u64 d0_pin_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void d0_pin_abi_make(struct d0_pin_abi *a, const void *obj, size_t objsz, unsigned int mode, bool record_all,
		     unsigned int ringbuf_bytes)
{
	memset(a, 0, sizeof(*a));
	a->magic = D0_PIN_MAGIC;
	a->layout = D0_PIN_LAYOUT;
	a->event_size = sizeof(struct d0_event);
	a->object_hash = d0_pin_hash(obj, objsz);
	a->hook_count = D0_HOOK_COUNT;
	a->mode = mode;
	a->record_all = record_all;
	a->ringbuf_bytes = ringbuf_bytes;
}

bool d0_pin_abi_compatible(const struct d0_pin_abi *p, const struct d0_pin_abi *w, char *why, size_t len)
{
	if (p->magic != D0_PIN_MAGIC || p->layout != w->layout)
		snprintf(why, len, "the state record is not one this build writes (layout %u, this build %u)",
			 p->magic == D0_PIN_MAGIC ? p->layout : 0, w->layout);
	else if (p->event_size != w->event_size || p->hook_count != w->hook_count)
		snprintf(why, len, "event ABI differs (event %u bytes and %u hooks, this build %u and %u)",
			 p->event_size, p->hook_count, w->event_size, w->hook_count);
	else if (p->object_hash != w->object_hash)
		snprintf(why, len, "pinned by another build (BPF object %016llx, this build %016llx)",
			 (unsigned long long)p->object_hash, (unsigned long long)w->object_hash);
	else if (p->mode != w->mode)
		snprintf(why, len, "audit.mode differs (pinned %s, configured %s)", d0_mode_name(p->mode),
			 d0_mode_name(w->mode));
	else if (p->record_all != w->record_all)
		snprintf(why, len, "record-all differs (pinned %u, wanted %u)", p->record_all, w->record_all);
	else if (p->ringbuf_bytes != w->ringbuf_bytes)
		snprintf(why, len, "audit.ringbuf_size differs (pinned %u bytes, configured %u)", p->ringbuf_bytes,
			 w->ringbuf_bytes);
	else
		return true;
	return false;
}

static int state_path(char *buf, size_t len, const char *dir)
{
	return snprintf(buf, len, "%s/state", dir) >= (int)len ? -ENAMETOOLONG : 0;
}

/* Is path on bpffs? 0, -ENOENT, or -ENOTDIR/-EXDEV style errors with err filled. */
static int check_bpffs(const char *path, char *err, size_t errlen)
{
	struct statfs fs;

	if (statfs(path, &fs)) {
		int e = -errno;

		snprintf(err, errlen, "pin directory %s: %s", path, strerror(-e));
		return e;
	}
	if ((unsigned long)fs.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen, "pin directory %s is not on a BPF filesystem (bpffs): mount one with "
			 "'mount -t bpf bpf /sys/fs/bpf' or choose a directory under it (--pin DIR)", path);
		return -EXDEV;
	}
	return 0;
}

/* The parent directory, to tell "bpffs not mounted" from "DIR missing". */
static void parent_of(const char *dir, char *buf, size_t len)
{
	const char *slash;

	snprintf(buf, len, "%s", dir);
	slash = strrchr(buf, '/');
	if (slash == buf)
		buf[1] = 0;
	else if (slash)
		buf[slash - buf] = 0;
	else
		snprintf(buf, len, ".");
}

static int read_state(int fd, struct d0_pin_state *st)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(fd, &key, st) ? -errno : 0;
}

/* Unlink every pin in DIR, then DIR itself. Returns files removed or -errno. */
static int unpin_all(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0, rc = 0;

	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(-rc));
		return rc;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0)) {
			rc = -errno;
			snprintf(err, errlen, "cannot unpin %s/%s: %s", dir, de->d_name, strerror(-rc));
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && rmdir(dir) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "cannot remove %s: %s", dir, strerror(-rc));
	}
	return rc ? rc : n;
}

/* Lock DIR so that two daemons never share one ring buffer (released at exit). */
static int lock_dir(const char *dir, int *fd_out, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int e = -errno;

		snprintf(err, errlen, "cannot open pin directory %s: %s", dir, strerror(-e));
		return e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = -errno;

		close(fd);
		if (e == -EWOULDBLOCK) {
			snprintf(err, errlen, "another d0audit daemon is using %s (its ring buffer has one reader): "
				 "stop it first (systemctl stop d0audit)", dir);
			return -EBUSY;
		}
		snprintf(err, errlen, "cannot lock %s: %s", dir, strerror(-e));
		return e;
	}
	*fd_out = fd;
	return 0;
}

int d0_pin_dir_check(const char *dir, char *err, size_t errlen)
{
	char parent[512];
	int rc = check_bpffs(dir, err, errlen);

	if (rc != -ENOENT)
		return rc;
	parent_of(dir, parent, sizeof(parent));
	rc = check_bpffs(parent, err, errlen);
	if (rc == -ENOENT)
		snprintf(err, errlen, "pin directory %s cannot be created: %s does not exist (choose a directory under "
			 "a mounted bpffs, e.g. %s)", dir, parent, D0_PIN_DEFAULT_DIR);
	return rc;
}

int d0_pin_prepare(struct d0_pin_status *s, const char *dir, const struct d0_pin_abi *want, char *err,
		   size_t errlen)
{
	char path[512];
	int err_, fd;

	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->abi = *want;
	s->dir_fd = s->state_fd = -1;
	err_ = check_bpffs(dir, err, errlen);
	if (err_ == -ENOENT) {
		err_ = d0_pin_dir_check(dir, err, errlen);
		if (err_)
			return err_;
		if (mkdir(dir, 0700) && errno != EEXIST) {
			err_ = -errno;
			snprintf(err, errlen, "cannot create pin directory %s: %s", dir, strerror(-err_));
			return err_;
		}
	} else if (err_) {
		return err_;
	}
	err_ = lock_dir(dir, &s->dir_fd, err, errlen);
	if (err_)
		return err_;
	if ((err_ = state_path(path, sizeof(path), dir))) {
		snprintf(err, errlen, "pin directory %s: path too long", dir);
		return err_;
	}
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT) {
		struct stat st;
		char link0[600];

		/* maps or links without a state record: not ours to reuse */
		snprintf(link0, sizeof(link0), "%s/map_events", dir);
		if (stat(link0, &st) == 0) {
			snprintf(s->why, sizeof(s->why), "pins in %s have no state record (a crash during the "
				 "first start, or another tool's pins)", dir);
			goto release;
		}
		return 0; /* a fresh start */
	}
	if (fd < 0) {
		err_ = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-err_));
		return err_;
	}
	if (read_state(fd, &s->prev)) {
		snprintf(s->why, sizeof(s->why), "%.200s/state is not a d0audit state record", dir);
		close(fd);
		goto release;
	}
	if (!d0_pin_abi_compatible(&s->prev.abi, want, s->why, sizeof(s->why))) {
		close(fd);
		goto release;
	}
	s->state_fd = fd;
	s->had_state = true;
	s->resumed = true;
	return 0;

release:
	/* Reusing maps of another layout would corrupt state: start fresh, say so. */
	memset(&s->prev, 0, sizeof(s->prev));
	s->released_incompatible = true;
	err_ = unpin_all(dir, err, errlen);
	if (err_ < 0)
		return err_;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err_ = -errno;
		snprintf(err, errlen, "cannot re-create pin directory %s: %s", dir, strerror(-err_));
		return err_;
	}
	/* the lock was on the removed directory: take it on the new one */
	close(s->dir_fd);
	s->dir_fd = -1;
	return lock_dir(dir, &s->dir_fd, err, errlen);
}

/* map_<name>, with the dots of internal maps (.bss, .rodata) made plain. */
static void map_pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	size_t n = snprintf(buf, len, "%s/map_", dir);

	for (; *name && n + 1 < len; name++)
		buf[n++] = (*name == '.' ? '_' : *name);
	buf[n] = 0;
}

int d0_pin_set_map_paths(struct bpf_object *obj, const char *dir)
{
	struct bpf_map *m;
	char path[512];

	bpf_object__for_each_map(m, obj) {
		int err;

		map_pin_path(path, sizeof(path), dir, bpf_map__name(m));
		err = bpf_map__set_pin_path(m, path);
		if (err) {
			d0_err("cannot set pin path %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void link_path(char *buf, size_t len, const char *dir, const char *hook)
{
	snprintf(buf, len, "%s/link_%s", dir, hook);
}

int d0_pin_link(struct bpf_link *link, const char *dir, const char *hook)
{
	char path[512];

	link_path(path, sizeof(path), dir, hook);
	/* a stale pin (the link this one replaces) gives way; the old one is still held by its fd */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	/* bpf_obj_pin, not bpf_link__pin: libbpf would refuse to pin a link a second time */
	if (bpf_obj_pin(bpf_link__fd(link), path)) {
		int err = -errno;

		d0_warn("cannot pin hook %s as %s: %s; it detaches when d0audit stops", hook, path, strerror(-err));
		return err;
	}
	return 0;
}

int d0_pin_unlink_link(const char *dir, const char *hook)
{
	char path[512];

	link_path(path, sizeof(path), dir, hook);
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

struct bpf_link *d0_pin_open_link(const char *dir, const char *hook)
{
	char path[512];

	link_path(path, sizeof(path), dir, hook);
	return bpf_link__open(path);
}

static int link_info(int fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int d0_pin_link_check(struct bpf_link *link, const char *dir, const char *hook)
{
	struct bpf_link_info mine, pinned;
	char path[512];
	int fd, err;

	err = link_info(bpf_link__fd(link), &mine);
	if (err)
		return err;
	/*
	 * No program behind the link: treated as detached. On 7.2 none of the
	 * link kinds d0audit uses (fentry, fexit, kprobe, kretprobe) can be
	 * detached at all (BPF_LINK_DETACH: EOPNOTSUPP, tested), so this is a
	 * guard for other kernels, not exercised by the tests.
	 */
	if (!mine.prog_id)
		return -ENOLINK;
	if (!dir)
		return 0;
	link_path(path, sizeof(path), dir, hook);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno == -ENOENT ? -ENOENT : -errno;
	err = link_info(fd, &pinned);
	close(fd);
	if (err)
		return err;
	return pinned.id == mine.id ? 0 : -ESTALE;
}

int d0_pin_save(struct d0_pin_status *s, const struct d0_pin_state *st)
{
	char path[512];
	__u32 key = 0;

	if (!s->dir)
		return 0;
	if (s->state_fd < 0) {
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "d0audit_state", sizeof(key), sizeof(*st), 1, NULL);

		if (fd < 0)
			return -errno;
		state_path(path, sizeof(path), s->dir);
		if (bpf_obj_pin(fd, path)) {
			int err = -errno;

			close(fd);
			return err;
		}
		s->state_fd = fd;
	}
	return bpf_map_update_elem(s->state_fd, &key, st, BPF_ANY) ? -errno : 0;
}

void d0_pin_close(struct d0_pin_status *s)
{
	if (s->state_fd >= 0)
		close(s->state_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	s->state_fd = s->dir_fd = -1;
}

int d0_pin_release(const char *dir, char *err, size_t errlen)
{
	char parent[512];
	int rc, lockfd;

	rc = check_bpffs(dir, err, errlen);
	if (rc == -ENOENT) {
		parent_of(dir, parent, sizeof(parent));
		rc = check_bpffs(parent, err, errlen);
		if (rc)
			return rc;
		snprintf(err, errlen, "nothing pinned: %s does not exist", dir);
		return -ENOENT;
	}
	if (rc)
		return rc;
	rc = lock_dir(dir, &lockfd, err, errlen);
	if (rc)
		return rc;
	rc = unpin_all(dir, err, errlen);
	close(lockfd);
	if (rc == 0) {
		snprintf(err, errlen, "nothing pinned: %s was empty (removed)", dir);
		return -ENOENT;
	}
	return rc;
}
