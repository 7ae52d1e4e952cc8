/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The start-up seed (issue 14, class 8; bpf/seed.bpf.h): right after the
 * hooks attach, walk every VMA once with a task_vma iterator and mark the
 * vfio devices that processes mapped before d0audit started.
 */
#ifndef D0AUDIT_SEED_H
#define D0AUDIT_SEED_H

#include <stddef.h>

struct d0audit_bpf;

/* What one walk did. */
struct d0_seed_result {
	unsigned long long vmas;    /* vfio VMAs found */
	unsigned long long marked;  /* devices judged mapped from them */
	unsigned long long ms;      /* the walk's wall time */
};

/*
 * Run the walk with the iterator program of `skel` (loaded, sharing the maps
 * of what runs). Returns 0 when it walked every VMA, or -errno with a
 * one-line reason in why.
 */
int d0_seed_run(struct d0audit_bpf *skel, struct d0_seed_result *res, char *why, size_t len);

#endif /* D0AUDIT_SEED_H */
