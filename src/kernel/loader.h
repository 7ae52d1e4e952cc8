/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening, loading and attaching the BPF object according to a hook plan.
 * A program that fails to load or attach is switched off and recorded with
 * its error; the rest keep working.
 *
 * audit, record and the daemon reach it only through the live session
 * (src/live/session.h): struct d0_loader is for the session, the ring consumer
 * and doctor's plan, not for commands.
 */
#ifndef D0AUDIT_LOADER_H
#define D0AUDIT_LOADER_H

#include <stdbool.h>
#include "model/hook_plan.h"
#include "kernel/kernel_facts.h"
#include "kernel/load_opts.h"

struct d0audit_bpf;
struct bpf_link;

/* Late attachments (modules loaded after start) kept apart, sharing the maps. */
#define D0_LATE_MAX 8

struct d0_loader {
	struct d0audit_bpf *skel;
	struct d0audit_bpf *late[D0_LATE_MAX];
	int nlate;
	/* objects loaded beside skel or a late one, on its maps (src/kernel/parallel_load.h) */
	struct d0audit_bpf *parts[2 * (D0_LATE_MAX + 1)];
	int nparts;
	struct d0_kernel_facts facts;
	struct d0_hook_plan plan[D0_HOOK_COUNT];
	struct bpf_link *links[D0_HOOK_COUNT];
	struct bpf_link *cold_links[2]; /* the cold rows' kprobe.multi and kretprobe.multi links, or NULL */
	int fexit_multi_fd;         /* the accessor rows' tracing multi link (src/kernel/fexit_multi.h)... */
	bool fexit_multi_on;        /* ...if there is one */
	int attached;               /* hooks attached */
	const char *pin_dir;        /* from the options: new links are pinned there */
	int reopened;               /* links re-opened from pins at start */
	/* the object whose seed program the last load round loaded with the hooks, until seed() runs it */
	struct d0audit_bpf *seed_skel;
};

/* Collect facts and plan only (no privileges needed). */
int d0_loader_plan(struct d0_loader *l);
/* Plan, load and attach. Returns 0 if the object loaded (some hooks may be off). */
int d0_loader_start(struct d0_loader *l, const struct d0_load_opts *opts);
void d0_loader_stop(struct d0_loader *l);
/* Detach every hook (pinned links too: only the pins outlive it); the object and its maps stay loaded. */
void d0_loader_detach(struct d0_loader *l);

/*
 * Modules loaded after start (vfio-pci at boot, after the daemon): true when
 * the BTF of a module some hook waits for has appeared. Cheap (one access(2)
 * per waiting module): called from the poll loop.
 */
bool d0_loader_modules_appeared(const struct d0_loader *l);
/*
 * Modules an attached (or, before load, planned) fentry/fexit program holds:
 * the kernel pins a module while a trampoline is attached to one of its
 * functions, so `rmmod` fails with EAGAIN until d0audit stops. Fills buf
 * with "vfio vfio_pci_core" style names; returns how many.
 */
int d0_loader_held_modules(const struct d0_loader *l, bool loaded, char *buf, unsigned long len);
/* Plan and attach the hooks of newly loaded modules, sharing every map with
 * what runs. Returns how many hooks were attached, or -errno. */
int d0_loader_extend(struct d0_loader *l, const struct d0_load_opts *opts);

/* "attached", "attachable", "failed", "unavailable" or "not-needed". */
const char *d0_hook_status(const struct d0_loader *l, int hook, bool loaded);

#endif /* D0AUDIT_LOADER_H */
