// SPDX-License-Identifier: GPL-2.0
/*
 * preadrate: benchmark figure 3's flood. T threads, each pinned to its own
 * CPU, pread 4 bytes of BAR0 through one vfio device fd at RATE reads per
 * second in total (0: as fast as possible) for SECONDS, paced per
 * millisecond. Prints "reads N seconds S rate R" (achieved) on stdout.
 *
 *   preadrate [-d BDF] THREADS RATE SECONDS
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "sysfs.h"
#include "vfio_dev.h"

static struct vfio_dev dev;
static uint64_t bar_off, per_ms, end_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct worker {
	pthread_t tid;
	int cpu;
	uint64_t reads;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t tick = now_ns(), i;
	cpu_set_t set;
	uint32_t val;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (now_ns() < end_ns) {
		uint64_t n = per_ms ? per_ms : 256;

		for (i = 0; i < n; i++) {
			if (pread(dev.device, &val, sizeof(val), (off_t)bar_off) != sizeof(val)) {
				perror("pread");
				exit(1);
			}
		}
		w->reads += n;
		if (per_ms) {
			struct timespec ts;

			tick += 1000000;
			ts.tv_sec = (time_t)(tick / 1000000000ull);
			ts.tv_nsec = (long)(tick % 1000000000ull);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char bdf[32];
	const char *want = NULL;
	struct worker *w;
	uint64_t start, total = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int threads, i;
	double secs;

	if (argc == 6 && !strcmp(argv[1], "-d")) {
		want = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: preadrate [-d BDF] THREADS RATE SECONDS\n");
		return 2;
	}
	threads = atoi(argv[1]);
	if (threads < 1 || threads > 64) {
		fprintf(stderr, "preadrate: 1 to 64 threads\n");
		return 2;
	}
	per_ms = strtoull(argv[2], NULL, 10) / 1000 / (uint64_t)threads;
	if (strtoull(argv[2], NULL, 10) && !per_ms)
		per_ms = 1;
	secs = atof(argv[3]);
	if (!want) {
		sysfs_default_bdf(bdf, sizeof(bdf));
		want = bdf;
	}
	report_begin("preadrate", want);
	vdev_open(&dev, want);
	bar_off = dev.bar0.offset + 0x8; /* E1000_STATUS */
	w = calloc((size_t)threads, sizeof(*w));
	if (!w)
		return 1;
	start = now_ns();
	end_ns = start + (uint64_t)(secs * 1e9);
	for (i = 0; i < threads; i++) {
		w[i].cpu = (int)(i % (ncpu > 0 ? ncpu : 1));
		pthread_create(&w[i].tid, NULL, run, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].reads;
	}
	secs = (double)(now_ns() - start) / 1e9;
	printf("reads %llu seconds %.3f rate %.0f\n", (unsigned long long)total, secs, (double)total / secs);
	vdev_close(&dev);
	return 0;
}
