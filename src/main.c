// SPDX-License-Identifier: GPL-2.0
/* d0audit: command dispatch (bpftool style: d0audit [OPTIONS] COMMAND [ARGS]). */
#include "cli/cli.h"
#include "lib/log.h"
#include "trace/trace_writer.h"
#include "lib/version.h"

#include <linux/types.h>
#include "d0audit/event.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};



static const struct command commands[] = {
	{ "doctor", cmd_doctor, "can this host be audited? kernel, BTF, vfio, privileges, every hook" },
	{ "audit",  cmd_audit,  "attach, watch for a duration or around a command, report violations" },
	{ "record", cmd_record, "write the raw event stream (NDJSON trace) to a file" },
	{ "check",  cmd_check,  "judge a recorded trace offline (for CI)" },
	{ "daemon", cmd_daemon, "run as a host service (logs, metrics)" },
	{ "report", cmd_report, "render a trace as a per-device timeline" },
	{ "rules",  cmd_rules,  "list the ordering rules d0audit enforces" },
	{ "help",   NULL,       "this help, or 'help COMMAND': that command's" },
};

static const struct command *find_command(const char *name)
{
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(name, commands[c].name))
			return &commands[c];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: d0audit [-j|--json] [-p|--pretty] [-q|--quiet] [-v|--verbose] COMMAND [ARGS]\n"
		   "       d0audit --version | --help | help [COMMAND]\n\n"
		   "eBPF auditor of the vfio-pci power-state ordering rules: no BAR may be reachable\n"
		   "while a device is outside D0.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  -j, --json     JSON on stdout, and every diagnostic as a JSON object on stderr\n"
		   "  -p, --pretty   indented JSON (implies -j)\n"
		   "  -q, --quiet    no progress line and no progress notes (errors and warnings stay)\n"
		   "  -v, --verbose  more detail; -vv adds libbpf's log\n"
		   "These options may also follow the command (d0audit check -q TRACE).\n"
		   "Progress (loading BPF programs, reading big traces) shows only when stderr is a\n"
		   "terminal, never with -j. Colour: report text on a terminal, unless NO_COLOR is set.\n"
		   "\n'd0audit help COMMAND' (or 'd0audit COMMAND --help') describes a command.\n\n"
		   "Exit codes:\n"
		   "  0  ok: nothing wrong found\n"
		   "  1  rule violations found\n"
		   "  2  usage or setup error\n"
		   "  3  cannot audit, or the verdict is incomplete (lost events, missing hooks)\n"
		   "No demo device at hand? 'make demo' in the source tree runs an audit in a VM.\n");
}

static void version(void)
{
	if (d0_opts.json) {
		printf("{\"type\":\"version\",\"version\":\"%s\",\"commit\":\"%s\",\"libbpf\":\"%s\","
		       "\"event_abi\":%d,\"trace_format\":%d,\"output_schema\":%d}\n",
		       D0AUDIT_VERSION, D0AUDIT_COMMIT, libbpf_version_string(), D0_EVENT_ABI_VERSION,
		       D0_TRACE_FORMAT, D0AUDIT_OUTPUT_SCHEMA);
		return;
	}
	printf("d0audit %s (commit %s, libbpf %s)\n", D0AUDIT_VERSION, D0AUDIT_COMMIT, libbpf_version_string());
}

/*
 * A result cut short by a full disk or a closed pipe must not pass for a
 * whole one: a failed write to stdout is a setup error (exit 2).
 */
static int flush_stdout(int code)
{
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		d0_err("writing the output to stdout failed: %s; what was written is incomplete",
		       errno ? strerror(errno) : "write error");
		return D0_EXIT_USAGE;
	}
	return code;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	int i;

	d0_log_setup_libbpf();
	/* Global options come before the command; commands parse their own. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			d0_opts.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			d0_opts.json = d0_opts.pretty = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			d0_opts.verbose++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			d0_opts.quiet = true;
		} else if (!strcmp(a, "-vv")) {
			d0_opts.verbose += 2;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return flush_stdout(D0_EXIT_OK);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			version();
			return flush_stdout(D0_EXIT_OK);
		} else {
			d0_usage_error("unknown option '%s'", a);
			return D0_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		d0_usage_error("no command given (commands: doctor audit record check daemon report rules help)");
		return D0_EXIT_USAGE;
	}
	/* every command's getopt error goes through d0_opt_error (JSON with -j) */
	opterr = 0;
	cmd = find_command(argv[i]);
	if (cmd && !cmd->fn) {
		/* help [COMMAND]: the command's own --help */
		char *help[] = { argv[i + 1], "--help", NULL };

		if (i + 1 >= argc) {
			usage(stdout);
			return flush_stdout(D0_EXIT_OK);
		}
		cmd = find_command(argv[i + 1]);
		if (!cmd || !cmd->fn || i + 2 < argc) {
			d0_usage_error(i + 2 < argc ? "help: one COMMAND at most" : "help: unknown command '%s'", argv[i + 1]);
			return D0_EXIT_USAGE;
		}
		d0_opts.command = cmd->name;
		return flush_stdout(cmd->fn(2, help));
	}
	if (cmd) {
		d0_opts.command = cmd->name;
		return flush_stdout(cmd->fn(argc - i, argv + i));
	}
	d0_usage_error("unknown command '%s' (commands: doctor audit record check daemon report rules help)", argv[i]);
	return D0_EXIT_USAGE;
}
