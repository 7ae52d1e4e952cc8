/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress on stderr for the slow parts (loading and attaching ~60 BPF
 * programs, reading a big trace): one line, redrawn in place, only when
 * stderr is a terminal, never with -j or -q. It appears only after the
 * step has taken 0.5 s, and is erased before any other message and at the
 * end, so what remains on the terminal is exactly what a pipe would get.
 * Once shown, a new step (and a counted step's total) is drawn at once,
 * not at the next tick: a step shorter than a tick is still seen.
 */
#ifndef D0AUDIT_PROGRESS_H
#define D0AUDIT_PROGRESS_H

/* Start with a first step ("reading kernel symbols"). No-op when progress is off. */
__attribute__((format(printf, 1, 2))) void d0_progress_begin(const char *fmt, ...);
/* Move on to the next step; no-op unless begun (so shared code paths stay silent elsewhere). */
__attribute__((format(printf, 1, 2))) void d0_progress_step(const char *fmt, ...);
/* How far the step is: done of total (total 0: a count without an end). */
void d0_progress_count(unsigned long long done, unsigned long long total);
/* Erase the line and stop. Safe to call when nothing was started. */
void d0_progress_end(void);
/* Erase the line now (before another message); it is redrawn on the next tick. */
void d0_progress_hide(void);

#endif
