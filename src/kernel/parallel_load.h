/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading the own programs from two objects at once (issue 18). The kernel
 * verifies an object's programs one after the other in the loading thread,
 * and verification is most of start-up under TCG (8 s of about 12 s on
 * 7.2): two objects on the same maps, loaded by two threads, verify on two
 * CPUs. This says when, and which programs go to the second object.
 *
 * Measured on 7.2 (three starts each, session 8 of issue 18): load and verify
 * 8.2-8.6 s in one object, 4.8-5.0 s in two, with the guest's two vCPUs on
 * two host threads; under tools/vm/run's single-threaded TCG (two vCPUs,
 * one host thread) the two objects cost about 0.5 s more, which the guest
 * cannot tell from a real two-CPU machine.
 */
#ifndef D0AUDIT_PARALLEL_LOAD_H
#define D0AUDIT_PARALLEL_LOAD_H

#include <stdbool.h>
#include "model/hook_table.h"

/*
 * The multi-attached cold program costs about as much to verify as this many
 * own programs (7.2 under TCG, D0AUDIT_VERIFIER_STATS=1: 1.7 s against about
 * 0.2 s each): the split balances on it.
 */
#define D0_COLD_LOAD_WEIGHT 8
/* Below this many own programs a second object costs more than it saves. */
#define D0_PARALLEL_MIN_PROGRAMS 4

/*
 * Split the own programs (own[i]: row i loads a program of its own) in two
 * groups of about equal cost; the first also verifies the cold program when
 * `cold`. Sets second[i] for the rows of the second group; returns how many.
 */
int d0_load_split(const bool own[D0_HOOK_COUNT], bool cold, bool second[D0_HOOK_COUNT]);
/*
 * Load in two threads? Not with fewer than two CPUs to run on, fewer than
 * D0_PARALLEL_MIN_PROGRAMS own programs, or D0AUDIT_PARALLEL_LOAD=0 (one
 * object, to compare). *why says why not.
 */
bool d0_parallel_load_usable(int nown, long cpus, const char **why);

#endif /* D0AUDIT_PARALLEL_LOAD_H */
