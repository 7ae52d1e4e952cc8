/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpffs pinning for restart continuity. DIR (default /sys/fs/bpf/d0audit)
 * holds:
 *   map_<name>   every map of the BPF object (ring buffer, device state,
 *                counters, .bss with the sequence counter, .rodata)
 *   link_<hook>  one link per attached hook, named as in d0_hooks[]
 *   state        a one-entry array written by user space: the ABI tag the
 *                pins were made with and where the consumer stopped
 * Pinned links keep running with no process: the kernel keeps writing the
 * ring buffer, and the next daemon drains it and carries on.
 */
#ifndef D0AUDIT_PIN_H
#define D0AUDIT_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "d0audit/event.h"

#define D0_PIN_DEFAULT_DIR "/sys/fs/bpf/d0audit"
#define D0_PIN_MAGIC 0x643061756469740aULL /* "d0audit\n" */
#define D0_PIN_LAYOUT 1                    /* of struct d0_pin_state */
#define D0_PIN_HOLES 16

struct bpf_object;
struct bpf_link;

/* What the pinned programs and maps were built and configured with. */
struct d0_pin_abi {
	__u64 magic;
	__u32 layout;
	__u32 event_size;        /* sizeof(struct d0_event) */
	__u64 object_hash;       /* FNV-1a of the embedded BPF object: programs, maps, event ABI */
	__u32 hook_count;
	__u32 mode;              /* .rodata cfg_mode */
	__u32 record_all;        /* .rodata cfg_record_all */
	__u32 ringbuf_bytes;     /* ring buffer size */
};

/* Where the last consumer stopped (rewritten at every tick and at stop). */
struct d0_pin_state {
	struct d0_pin_abi abi;
	__u64 next_seq;          /* first sequence number not yet delivered in order */
	__u64 delivered;         /* events delivered to every process so far */
	__u64 drops_seen[D0_DROP_CAUSES]; /* drops already reported as gaps */
	__u64 saved_wall_ns;     /* CLOCK_REALTIME of the save */
	__u32 stopped;           /* 1: saved by a clean stop; 0: by a tick (the process may have died) */
	__u32 nholes;            /* numbers below next_seq not yet seen (CPU reordering) */
	__u64 holes[D0_PIN_HOLES][2]; /* [first, end) */
};

/* Outcome of d0_pin_prepare, for the daemon's records. */
struct d0_pin_status {
	const char *dir;         /* NULL: not pinning */
	int dir_fd;              /* holds the lock: one daemon per DIR */
	int state_fd;
	bool resumed;            /* maps (and links) came from pins */
	bool had_state;          /* a previous state record was read */
	bool released_incompatible; /* pins were there, incompatible, released */
	char why[400];           /* the incompatibility, when released */
	struct d0_pin_state prev;/* the previous state, when had_state */
	struct d0_pin_abi abi;   /* this process's tag (the object hashed once, at prepare) */
	int links_reopened, links_missing, links_repinned;
};

/* FNV-1a 64 (pure). */
__u64 d0_pin_hash(const void *data, size_t len);
/* The tag this build would pin with these settings (pure). */
void d0_pin_abi_make(struct d0_pin_abi *a, const void *obj, size_t objsz, unsigned int mode, bool record_all,
		     unsigned int ringbuf_bytes);
/* Pure: true if a daemon of `want` can reuse pins made as `pinned`; else why names the first difference. */
bool d0_pin_abi_compatible(const struct d0_pin_abi *pinned, const struct d0_pin_abi *want, char *why, size_t len);

/*
 * Check DIR is on bpffs (creating DIR if its parent is), lock it, read its
 * state and compare the ABI. Incompatible pins are released (s->why says
 * why) and the start is fresh. Returns 0 or -errno with err filled.
 */
/* Is dir on bpffs, or creatable in a bpffs directory? What --check-config and d0_pin_prepare ask. */
int d0_pin_dir_check(const char *dir, char *err, size_t errlen);
int d0_pin_prepare(struct d0_pin_status *s, const char *dir, const struct d0_pin_abi *want, char *err,
		   size_t errlen);
/* Set every map's pin path in DIR (before load): libbpf reuses or pins. */
int d0_pin_set_map_paths(struct bpf_object *obj, const char *dir);
/* Pin (or re-pin, replacing a stale file) a hook's link as DIR/link_<hook>. */
int d0_pin_link(struct bpf_link *link, const char *dir, const char *hook);
/* Remove DIR/link_<hook> (the link detaches once no fd holds it). */
int d0_pin_unlink_link(const char *dir, const char *hook);
/* Open DIR/link_<hook>; NULL with errno (ENOENT: not pinned). */
struct bpf_link *d0_pin_open_link(const char *dir, const char *hook);
/* Is our link still the one pinned, and still attached? 0, or -errno naming the trouble:
 * -ENOENT pin gone, -ESTALE pin now holds another link, -ENOLINK detached. */
int d0_pin_link_check(struct bpf_link *link, const char *dir, const char *hook);
/* Write the state record (creating and pinning it the first time). */
int d0_pin_save(struct d0_pin_status *s, const struct d0_pin_state *st);
void d0_pin_close(struct d0_pin_status *s);

/*
 * `d0audit daemon --release`: unpin every file in DIR, then remove DIR.
 * Links with no process left detach, maps go. Returns files removed, or
 * -errno with err filled (-ENOENT nothing pinned, -EBUSY a daemon runs).
 */
int d0_pin_release(const char *dir, char *err, size_t errlen);

#endif
