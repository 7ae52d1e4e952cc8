// SPDX-License-Identifier: GPL-2.0
#include "lib/progress.h"
#include "lib/global_opts.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 200
#define SHOW_AFTER_MS 500

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
	char step[128];
	unsigned long long done, total;
	struct timespec t0;      /* start of the whole operation */
	int shown;               /* width of the line on the terminal, 0 = nothing shown */
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static bool wanted(void)
{
	return !d0_opts.json && !d0_opts.quiet && isatty(STDERR_FILENO);
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Called with P.mu held. */
static void erase(void)
{
	if (!P.shown)
		return;
	fprintf(stderr, "\r%*s\r", P.shown, "");
	fflush(stderr);
	P.shown = 0;
}

/* Called with P.mu held. Plain \r and spaces: no escape codes, so TERM=dumb works too. */
static void draw(void)
{
	static const char spin[] = "|/-\\";
	long long ms = ms_since(&P.t0);
	char line[160];
	int n;

	if (ms < SHOW_AFTER_MS)
		return;
	if (P.total)
		n = snprintf(line, sizeof(line), "d0audit: %s %llu/%llu ... %llds %c", P.step, P.done, P.total,
			     ms / 1000, spin[(ms / TICK_MS) % 4]);
	else if (P.done)
		n = snprintf(line, sizeof(line), "d0audit: %s %llu ... %llds %c", P.step, P.done, ms / 1000,
			     spin[(ms / TICK_MS) % 4]);
	else
		n = snprintf(line, sizeof(line), "d0audit: %s ... %llds %c", P.step, ms / 1000, spin[(ms / TICK_MS) % 4]);
	if (n > 79)
		n = 79;
	fprintf(stderr, "\r%.*s%*s", n, line, P.shown > n ? P.shown - n : 0, "");
	fflush(stderr);
	P.shown = n;
}

static void *ticker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&P.mu);
	while (!P.stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&P.cv, &P.mu, &until);
		if (!P.stop)
			draw();
	}
	erase();
	pthread_mutex_unlock(&P.mu);
	return NULL;
}

static void vstep(bool begin, const char *fmt, va_list ap)
{
	if (begin ? !wanted() : !P.running)
		return;
	pthread_mutex_lock(&P.mu);
	vsnprintf(P.step, sizeof(P.step), fmt, ap);
	P.done = P.total = 0;
	if (P.running) {
		draw(); /* a new step shows at once, not at the next tick */
	} else {
		clock_gettime(CLOCK_MONOTONIC, &P.t0);
		P.stop = false;
		P.running = !pthread_create(&P.thread, NULL, ticker, NULL);
	}
	pthread_mutex_unlock(&P.mu);
}

void d0_progress_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstep(true, fmt, ap);
	va_end(ap);
}

void d0_progress_step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstep(false, fmt, ap);
	va_end(ap);
}

void d0_progress_count(unsigned long long done, unsigned long long total)
{
	if (!P.running)
		return;
	pthread_mutex_lock(&P.mu);
	P.done = done;
	P.total = total;
	if (!done && total)
		draw(); /* a counted step shows its total at once */
	pthread_mutex_unlock(&P.mu);
}

void d0_progress_hide(void)
{
	if (!P.running)
		return;
	pthread_mutex_lock(&P.mu);
	erase();
	pthread_mutex_unlock(&P.mu);
}

void d0_progress_end(void)
{
	if (!P.running)
		return;
	pthread_mutex_lock(&P.mu);
	P.stop = true;
	pthread_cond_signal(&P.cv);
	pthread_mutex_unlock(&P.mu);
	pthread_join(P.thread, NULL);
	P.running = false;
}
