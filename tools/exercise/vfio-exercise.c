// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-exercise: drive the real vfio-pci UAPI on a device bound to vfio-pci
 * (written for QEMU's emulated e1000e) through the power-state orderings that
 * d0audit checks. See usage() and scenarios.h.
 *
 * Exit status: 0 ok, 1 failure, 2 usage error, 3 not supported here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bar_access.h"
#include "report.h"
#include "scenarios.h"
#include "sysfs.h"

enum params {
	P_NONE,		/* no argument */
	P_COUNT,	/* N: iterations */
	P_DMABUF,	/* optional --dmabuf */
	P_MAPPED,	/* optional --mapped (scen_beyond.c) */
};

struct scenario {
	const char *name;
	scenario_fn *run;
	enum params params;
	bool in_all;	/* must succeed on a correct kernel */
	const char *help;
};

static const struct scenario scenarios[] = {
	{ "open-close", scen_open_close, P_NONE, true,
	  "open the device fd, close it" },
	{ "mmap-touch", scen_mmap_touch, P_NONE, true,
	  "mmap BAR0, read STATUS (0x8), munmap" },
	{ "pread-bar", scen_pread_bar, P_NONE, true,
	  "pread 4 bytes of BAR0 through the device fd" },
	{ "pm-d3", scen_pm_d3, P_NONE, true,
	  "PM_CTRL D3hot via vfio: pread EIO, mmap SIGBUS; D0; touch works" },
	{ "cmd-mem", scen_cmd_mem, P_NONE, true,
	  "COMMAND memory off via vfio: pread EIO, mmap SIGBUS; on; touch works" },
	{ "low-power", scen_low_power, P_NONE, true,
	  "LOW_POWER_ENTRY, wait runtime-suspended, mmap SIGBUS, LOW_POWER_EXIT" },
	{ "low-power-wakeup", scen_low_power_wakeup, P_NONE, true,
	  "LOW_POWER_ENTRY_WITH_WAKEUP, suspend, config pread wakes, eventfd, EXIT" },
	{ "reset", scen_reset, P_NONE, true,
	  "VFIO_DEVICE_RESET with BAR0 mmapped and touched" },
	{ "hot-reset", scen_hot_reset, P_NONE, true,
	  "VFIO_DEVICE_PCI_HOT_RESET (exit 3 when no slot/bus reset exists)" },
	{ "dmabuf", scen_dmabuf, P_NONE, true,
	  "export a BAR0 DMABUF, D3hot/D0, memory off/on (exit 3 before 6.19)" },
	{ "dmabuf-low-power", scen_dmabuf_low_power, P_NONE, true,
	  "export a BAR0 DMABUF, mmap; LOW_POWER_ENTRY, suspend, EXIT; close" },
	{ "dmabuf-reset", scen_dmabuf_reset, P_NONE, true,
	  "export a BAR0 DMABUF, mmap, PM_CTRL D3hot, VFIO_DEVICE_RESET" },
	{ "dmabuf-close", scen_dmabuf_close, P_NONE, true,
	  "export a BAR0 DMABUF, close the device first, then the DMABUF" },
	{ "rom", scen_rom, P_NONE, true,
	  "pread the first 512 bytes of the ROM region, check 0x55AA" },
	{ "ioeventfd", scen_ioeventfd, P_NONE, true,
	  "VFIO_DEVICE_IOEVENTFD on BAR0+0x8, fire it, unregister" },
	/* the DMABUF-mmap series: not in "all" (exit 3 on every released kernel) */
	{ "dmabuf-mmap", scen_dmabuf_mmap, P_NONE, false,
	  "series: export a BAR0 DMABUF, mmap the DMABUF fd, touch, munmap" },
	{ "dmabuf-revoke", scen_dmabuf_revoke, P_NONE, false,
	  "series: mmap+touch a DMABUF, DMA_BUF_REVOKE: SIGBUS, EBADFD, mmap ENODEV" },
	{ "dmabuf-memattr", scen_dmabuf_memattr, P_NONE, false,
	  "series: DMA_BUF_MEMATTR WC on a DMABUF, then mmap and touch it" },
	{ "dmabuf-mmap-reset", scen_dmabuf_mmap_reset, P_NONE, false,
	  "series: VFIO_DEVICE_RESET with BAR0 and a DMABUF mmapped and touched" },
	{ "dmabuf-d3hot", scen_dmabuf_d3hot, P_NONE, false,
	  "series: PM_CTRL D3hot with BAR0 and a DMABUF mmapped: SIGBUS; D0; touch" },
	{ "sysfs-pm-d3", scen_sysfs_pm_d3, P_DMABUF, false,
	  "[--dmabuf] PM_CTRL D3hot/D0 through sysfs config behind vfio's back" },
	{ "sysfs-cmd-mem", scen_sysfs_cmd_mem, P_DMABUF, false,
	  "[--dmabuf] COMMAND memory off/on through sysfs config behind vfio's back" },
	{ "sysfs-mmap", scen_sysfs_mmap, P_NONE, false,
	  "mmap sysfs resource0 of the idle vfio-bound device, read STATUS,\n"
	  "                    open through vfio, read it again (SIGBUS if revoked)" },
	/* issue 14: resets and config writes beyond vfio's own calls (scen_beyond.c) */
	{ "sysfs-reset", scen_sysfs_reset, P_MAPPED, false,
	  "[--mapped] echo 1 > reset; correct: vfio put it in D3hot (zapped) first" },
	{ "reset-subordinate", scen_reset_subordinate, P_MAPPED, false,
	  "[--mapped] echo 1 > reset_subordinate of the bridge above (--root-port)" },
	{ "aer-fatal", scen_aer_fatal, P_MAPPED, false,
	  "[--mapped] fatal AER error via /dev/aer_inject: recovery resets the link" },
	{ "bridge-config", scen_bridge_config, P_MAPPED, false,
	  "[--mapped] bridge config writes: harmless; --mapped: memory off, bus reset" },
	{ "sysfs-bar-write", scen_sysfs_bar_write, P_NONE, false,
	  "rewrite BAR0 (same value) through sysfs config behind vfio's back" },
	{ "rom-decode-off", scen_rom_decode_off, P_NONE, false,
	  "COMMAND memory off via vfio, pread the ROM (its header is read before the gate)" },
	{ "rom-info-decode-off", scen_rom_info_decode_off, P_NONE, false,
	  "COMMAND memory off via vfio, ROM region info (vfio forces decode on)" },
	/* issue 14 classes 3 and 5: raw BAR access from outside vfio, hardware decode (scen_raw.c) */
	{ "raw-sysfs-io", scen_raw_sysfs_io, P_MAPPED, false,
	  "[--mapped] read the I/O BAR through sysfs resourceN; --mapped: vfio D3hot first" },
	{ "raw-dev-port", scen_raw_dev_port, P_MAPPED, false,
	  "[--mapped] read the I/O BAR's first port through /dev/port; --mapped: D3hot" },
	{ "raw-dev-mem", scen_raw_dev_mem, P_MAPPED, false,
	  "[--mapped] read BAR0 through /dev/mem (iomem=relaxed); --mapped: D3hot" },
	{ "raw-mmap", scen_raw_mmap, P_MAPPED, false,
	  "[--mapped] mmap sysfs resource0 of the open device (iomem=relaxed), touch,\n"
	  "                    munmap, vfio D3hot; --mapped: D3hot with it still mapped" },
	{ "hw-decode-off", scen_hw_decode_off, P_MAPPED, false,
	  "[--mapped] memory off via vfio, pread EIO, on; --mapped: off via sysfs, pread" },
	{ "hw-bus-reset", scen_hw_bus_reset, P_MAPPED, false,
	  "[--mapped] VFIO_DEVICE_RESET, pread; --mapped: bridge bus reset, pread" },
	{ "hold", scen_hold, P_NONE, false,
	  "open, map, touch BAR0, print 'hold: ready'; SIGUSR1: D3hot via vfio;\n"
	  "                    SIGTERM: D0, close (an audit started mid-stream)" },
	/* issue 14, class 4: IOMMU entries on a BAR (scen_iommu.c) */
	{ "iommu-bar-low-power", scen_iommu_bar_low_power, P_MAPPED, false,
	  "[--mapped] VFIO_IOMMU_MAP_DMA of the BAR0 mmap, then LOW_POWER_ENTRY;\n"
	  "                    correct: VFIO_IOMMU_UNMAP_DMA first" },
	{ "iommu-bar-map-low-power", scen_iommu_bar_map_low_power, P_NONE, false,
	  "BAR0 mapped and touched, LOW_POWER_ENTRY, VFIO_IOMMU_MAP_DMA of it:\n"
	  "                    refused (EFAULT: the zap removed the PTE)" },
	{ "iommu-bar-teardown", scen_iommu_bar_teardown, P_NONE, false,
	  "VFIO_IOMMU_MAP_DMA of the BAR0 mmap, close all (the container teardown\n"
	  "                    unmaps), reopen, LOW_POWER_ENTRY" },
	{ "variant-d3-read", scen_variant_d3_read, P_NONE, false,
	  "any vfio device (no BAR0 needed): pread its largest BAR in D0, in D3hot\n"
	  "                    via vfio (must be refused), in D0 again" },
	{ "hold-untouched", scen_hold_untouched, P_NONE, false,
	  "hold, but BAR0 only mapped, never touched (no fault, no PTE)" },
	{ "pread-loop", scen_pread_loop, P_COUNT, false,
	  "N: N preads of BAR0, prints elapsed_ns" },
	{ "fault-loop", scen_fault_loop, P_COUNT, false,
	  "N: N x (touch BAR0, COMMAND memory off/on), prints elapsed_ns" },
	{ "fault-only-loop", scen_fault_only_loop, P_COUNT, false,
	  "N: N x (mmap a BAR0 page, touch it: one fault, munmap), no zap\n"
	  "                    or config write, prints elapsed_ns" },
};

#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: vfio-exercise [-d BDF] [-v] SCENARIO [ARGS]\n"
		"  -d BDF  device bound to vfio-pci (default: first in "
		"/sys/bus/pci/drivers/vfio-pci/)\n"
		"  -v      print register values and region layout (info: lines)\n"
		"Scenarios:\n");
	for (i = 0; i < N_SCENARIOS; i++)
		fprintf(out, "  %-17s %s\n", scenarios[i].name, scenarios[i].help);
	fprintf(out,
		"  %-17s every scenario that must succeed on a correct kernel\n"
		"  %-17s print the scenario names\n"
		"Exit status: 0 ok, 1 failure, 2 usage error, 3 not supported here.\n",
		"all", "list");
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vfio-exercise: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static const struct scenario *find_scenario(const char *name)
{
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

static unsigned long parse_count(const char *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n == 0 || s[0] == '-')
		usage_error("bad iteration count '%s'", s);
	return n;
}

/* Nothing, or exactly `flag`: is it there? */
static bool optional_flag(int argc, char **argv, const char *flag)
{
	if (argc > 1 || (argc == 1 && strcmp(argv[0], flag)))
		usage_error("unexpected argument '%s'", argv[0]);
	return argc == 1;
}

/* Fill args from the words after the scenario name. */
static void parse_params(const struct scenario *sc, int argc, char **argv,
			 struct scen_args *args)
{
	switch (sc->params) {
	case P_NONE:
		if (argc > 0)
			usage_error("unexpected argument '%s'", argv[0]);
		break;
	case P_COUNT:
		if (argc != 1)
			usage_error("%s needs exactly one argument N", sc->name);
		args->count = parse_count(argv[0]);
		break;
	case P_DMABUF:
		args->dmabuf = optional_flag(argc, argv, "--dmabuf");
		break;
	case P_MAPPED:
		args->mapped = optional_flag(argc, argv, "--mapped");
		break;
	}
}

static void run_one(const struct scenario *sc, const struct scen_args *args)
{
	report_begin(sc->name, args->bdf);
	sc->run(args);
	printf("ok: %s\n", sc->name);
}

/* Each scenario in its own process: a failure exits only that child. */
static int run_all(const struct scen_args *args)
{
	unsigned int passed = 0, skipped = 0, failed = 0;
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++) {
		const struct scenario *sc = &scenarios[i];
		int status, code;
		pid_t pid;

		if (!sc->in_all)
			continue;
		printf("scenario: %s\n", sc->name);
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			fail();
		if (pid == 0) {
			run_one(sc, args);
			fflush(stdout);
			_exit(EXIT_OK);
		}
		if (waitpid(pid, &status, 0) < 0)
			fail();
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (code == EXIT_OK) {
			passed++;
		} else if (code == EXIT_UNSUPPORTED) {
			skipped++;
			printf("skip: %s (not supported here)\n", sc->name);
		} else {
			failed++;
			fprintf(stderr, "vfio-exercise: all: %s failed (exit %d)\n",
				sc->name, code);
		}
	}
	note("all: %u passed, %u skipped, %u failed", passed, skipped, failed);
	if (failed)
		return EXIT_FAIL;
	printf("ok: all\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct scen_args args = { 0 };
	const struct scenario *sc = NULL;
	static char default_bdf[32];
	const char *name;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "+d:vh")) != -1) {
		switch (opt) {
		case 'd':
			if (!bdf_valid(optarg))
				usage_error("bad BDF '%s' (want DDDD:BB:DD.F)", optarg);
			args.bdf = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		usage_error("%s", "missing SCENARIO");
	name = argv[optind++];

	if (!strcmp(name, "list")) {
		size_t i;

		if (optind < argc)
			usage_error("unexpected argument '%s'", argv[optind]);
		for (i = 0; i < N_SCENARIOS; i++)
			printf("%s\n", scenarios[i].name);
		printf("all\n");
		return EXIT_OK;
	}
	if (strcmp(name, "all")) {
		sc = find_scenario(name);
		if (!sc)
			usage_error("unknown scenario '%s'", name);
		parse_params(sc, argc - optind, argv + optind, &args);
	} else if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
	}

	report_begin(name, args.bdf);
	if (!args.bdf) {
		sysfs_default_bdf(default_bdf, sizeof(default_bdf));
		args.bdf = default_bdf;
	}
	bar_access_init();

	if (!sc)
		return run_all(&args);
	run_one(sc, &args);
	return EXIT_OK;
}
