// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's command line: every flag is a "section.key=value" override
 * of the configuration files (src/daemon/daemon_config.h), so flags and files
 * share one parser and one set of checks.
 */
#define _GNU_SOURCE
#include "daemon/daemon_config.h"
#include "cli/cli.h"
#include "lib/log.h"
#include "kernel/pin.h"
#include "kernel/privileges.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define MAX_OVERRIDES 32

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit daemon [--config FILE] [OPTIONS]\n"
		"\n"
		"Run as a host service: attach whatever this kernel offers (vfio's hooks when\n"
		"vfio-pci loads), log each distinct violation and every D-state change as JSON\n"
		"lines, serve metrics, and run until SIGTERM. SIGHUP reloads the configuration\n"
		"(an invalid one is rejected, the old one stays); SIGUSR1 reopens the output file.\n"
		"\n"
		"  -c, --config FILE          configuration (default %s, then its conf.d/*.conf)\n"
		"      --conf-dir DIR         drop-in directory (default: conf.d beside the config)\n"
		"      --check-config         validate the configuration and exit (0 valid, 2 not)\n"
		"  -j, --json                 --check-config's result and every diagnostic as JSON\n"
		"  -m, --mode strict|kernel   [audit] mode\n"
		"      --ringbuf-size N       [audit] ringbuf_size (power of two, 4k..1G)\n"
		"      --allow-device GLOB    [audit] devices_allow: report only these (repeatable)\n"
		"      --deny-device GLOB     [audit] devices_deny: never report these (repeatable)\n"
		"  -o, --output FILE          [output] file: JSON lines, mode 0600\n"
		"      --stdout, --no-stdout  [output] stdout: lines with syslog priority prefixes\n"
		"      --rate-limit N         [output] violation_rate: reports per minute (0 = no limit)\n"
		"      --rate-burst N         [output] violation_burst\n"
		"      --metrics-textfile F   [metrics] textfile for node_exporter (written atomically)\n"
		"      --metrics-listen A     [metrics] listen: 127.0.0.1:PORT, [::1]:PORT or unix:/PATH\n"
		"      --metrics-listen-any   [metrics] listen_any: allow a non-loopback address\n"
		"      --metrics-interval D   [metrics] interval: textfile refresh (default 15s)\n"
		"      --metrics-device-cap N [metrics] device_cap: devices with their own label (64)\n"
		"  -u, --user NAME            [privileges] user to switch to once attached\n"
		"      --pin DIR              [audit] pin: keep maps and links in bpffs DIR so that a\n"
		"                             restart loses nothing (the unit uses %s)\n"
		"      --no-pin               [audit] pin = (none): hooks detach at stop\n"
		"      --release              unpin everything in the pin directory (hooks detach,\n"
		"                             vfio modules can unload) and exit\n"
		"\n"
		"Flags win over the files. Exit: 0 stopped by SIGTERM/SIGINT, 2 usage or\n"
		"configuration error, 3 cannot audit (no BPF).\n", D0_DEFAULT_CONFIG, D0_PIN_DEFAULT_DIR);
}

/* What start would find wrong on this host beyond the file's syntax: the pin directory, the user. */
int d0_daemon_check_host(const struct d0_daemon_config *c, char *err, size_t errlen)
{
	unsigned int uid, gid;

	if (c->pin_dir[0] && d0_pin_dir_check(c->pin_dir, err, errlen))
		return -1;
	if (c->user[0] && d0_user_lookup(D0_PASSWD, c->user, &uid, &gid, err, errlen))
		return -1;
	return 0;
}

/* Flags become "section.key=value" overrides, applied after the files on every (re)load. */
int d0_daemon_parse_flags(int argc, char **argv, struct d0_config_sources *s, bool *check_only, bool *release)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conf-dir", required_argument, NULL, 'D' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "allow-device", required_argument, NULL, 'a' },
		{ "deny-device", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "stdout", no_argument, NULL, 's' },
		{ "no-stdout", no_argument, NULL, 'S' },
		{ "rate-limit", required_argument, NULL, 'R' },
		{ "rate-burst", required_argument, NULL, 'B' },
		{ "metrics-textfile", required_argument, NULL, 't' },
		{ "metrics-listen", required_argument, NULL, 'l' },
		{ "metrics-listen-any", no_argument, NULL, 'L' },
		{ "metrics-interval", required_argument, NULL, 'i' },
		{ "metrics-device-cap", required_argument, NULL, 'k' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin", required_argument, NULL, 'P' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "release", no_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	static char *ov[MAX_OVERRIDES];
	static char allow[2048], deny[2048];
	const char *key;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:m:o:u:jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'c': s->main_path = optarg; s->main_required = true; continue;
		case 'D': s->dropin_dir = optarg; continue;
		case 'C': *check_only = true; continue;
		case 'X': *release = true; continue;
		case 'a':
		case 'd': {
			char *list = c == 'a' ? allow : deny;
			size_t len = strlen(list);

			snprintf(list + len, 2048 - len, "%s%s", len ? " " : "", optarg);
			continue;
		}
		case 'h': usage(stdout); return 1;
		case 'm': key = "audit.mode"; break;
		case 'r': key = "audit.ringbuf_size"; break;
		case 'o': key = "output.file"; break;
		case 's': key = "output.stdout"; optarg = "yes"; break;
		case 'S': key = "output.stdout"; optarg = "no"; break;
		case 'R': key = "output.violation_rate"; break;
		case 'B': key = "output.violation_burst"; break;
		case 't': key = "metrics.textfile"; break;
		case 'l': key = "metrics.listen"; break;
		case 'L': key = "metrics.listen_any"; optarg = "yes"; break;
		case 'i': key = "metrics.interval"; break;
		case 'k': key = "metrics.device_cap"; break;
		case 'u': key = "privileges.user"; break;
		case 'P': key = "audit.pin"; break;
		case 'N': key = "audit.pin"; optarg = ""; break;
		case 'j': d0_opts.json = true; continue;
		default:
			if (d0_global_opt(c))
				continue;
			d0_opt_error(argc, argv, "c:m:o:u:jh" D0_GLOBAL_SHORT, opts); return -1;
		}
		if (s->noverrides >= MAX_OVERRIDES - 2) {
			d0_err("daemon: more than %d configuration flags: put them in the configuration file",
			       MAX_OVERRIDES - 2);
			return -1;
		}
		if (asprintf(&ov[s->noverrides], "%s=%s", key, optarg) < 0)
			goto oom;
		s->noverrides++;
	}
	if (optind < argc) {
		d0_err("daemon: unexpected argument '%s' (see 'd0audit daemon --help')", argv[optind]);
		return -1;
	}
	if (*allow && asprintf(&ov[s->noverrides++], "audit.devices_allow=%s", allow) < 0)
		goto oom;
	if (*deny && asprintf(&ov[s->noverrides++], "audit.devices_deny=%s", deny) < 0)
		goto oom;
	s->overrides = (const char *const *)ov;
	return 0;
oom:
	d0_err("daemon: out of memory reading the command line");
	return -1;
}
