// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line errors the same way for every command: getopt_long runs with
 * opterr = 0 and the message it would have printed goes through d0_err, so
 * with -j it is one JSON object on stderr and no usage text follows.
 */
#include "cli/cli.h"
#include "cli/cli_opts.h"
#include "out/check_output.h"
#include "lib/duration.h"
#include "model/event_names.h"
#include "lib/log.h"
#include "model/verdict.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* -j or -p anywhere before "--": the user wants JSON, even after a bad flag. */
static void json_later(int argc, char **argv)
{
	for (int i = optind; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json") || !strcmp(argv[i], "-p") ||
		    !strcmp(argv[i], "--pretty"))
			d0_opts.json = true;
}

static void long_problem(char *msg, size_t len, const char *cmd, const char *word, const struct option *opts)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	int matches = 0, exact = -1;
	char alts[160] = "";

	for (int i = 0; opts && opts[i].name; i++) {
		if (strncmp(opts[i].name, name, n))
			continue;
		if (strlen(opts[i].name) == n)
			exact = i;
		matches++;
		snprintf(alts + strlen(alts), sizeof(alts) - strlen(alts), " '--%s'", opts[i].name);
	}
	if (exact < 0 && matches == 1)
		for (exact = 0; strncmp(opts[exact].name, name, n); exact++)
			;
	if (exact < 0 && matches > 1)
		snprintf(msg, len, "%s: option '--%.*s' is ambiguous; possibilities:%s", cmd, (int)n, name, alts);
	else if (exact < 0)
		snprintf(msg, len, "%s: unrecognized option '--%.*s'", cmd, (int)n, name);
	else if (opts[exact].has_arg == no_argument)
		snprintf(msg, len, "%s: option '--%s' doesn't allow an argument", cmd, opts[exact].name);
	else
		snprintf(msg, len, "%s: option '--%s' requires an argument", cmd, opts[exact].name);
}

int d0_opt_error(int argc, char **argv, const char *optstring, const struct option *opts)
{
	const char *cmd = argv[0], *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const char *p = optopt ? strchr(optstring, optopt) : NULL;
	char msg[512];

	if (!strncmp(word, "--", 2) && word[2])
		long_problem(msg, sizeof(msg), cmd, word, opts);
	else if (p && p[1] == ':')
		snprintf(msg, sizeof(msg), "%s: option requires an argument -- '%c'", cmd, optopt);
	else
		snprintf(msg, sizeof(msg), "%s: invalid option -- '%c'", cmd, optopt ? optopt : '?');
	json_later(argc, argv);
	d0_usage_error("%s", msg);
	return D0_EXIT_USAGE;
}

void d0_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d0_err("%s; try 'd0audit%s%s --help'", msg, d0_opts.command ? " " : "", d0_opts.command ? d0_opts.command : "");
}

bool d0_global_opt(int c)
{
	switch (c) {
	case 'p': d0_opts.json = d0_opts.pretty = true; return true;
	case 'q': d0_opts.quiet = true; return true;
	case 'v': d0_opts.verbose++; return true;
	default: return false;
	}
}

int d0_opt_mode(const char *arg, __u32 *mode)
{
	if (!d0_mode_from_name(arg, mode))
		return 0;
	d0_err("%s: --mode must be strict or kernel, not '%s'", d0_opts.command, arg);
	return -1;
}

int d0_opt_duration(const char *arg, unsigned long long *ms)
{
	if (!d0_parse_duration(arg, ms) && *ms)
		return 0;
	d0_err("%s: bad --duration '%s' (examples: 90, 90s, 250ms, 2m)", d0_opts.command, arg);
	return -1;
}

int d0_opt_ringbuf_size(const char *arg, unsigned long long *bytes)
{
	if (!d0_parse_ringbuf_size(arg, bytes))
		return 0;
	d0_err("%s: bad --ringbuf-size '%s': a power of two from 4k to 1G", d0_opts.command, arg);
	return -1;
}

int d0_opt_require(const char *arg, struct d0_requirement *req, int *n, int max)
{
	if (*n >= max) {
		d0_usage_error("%s: more than %d --require", d0_opts.command, max);
		return -1;
	}
	if (d0_require_parse(arg, &req[*n])) {
		d0_usage_error("%s: bad --require '%s': %s (EVENT[:DEVICE][:MIN])", d0_opts.command, arg, req[*n].why);
		return -1;
	}
	(*n)++;
	return 0;
}

int d0_opt_allow(const char *arg, struct d0_allow *allow, int *n, int max)
{
	struct d0_allow *a = &allow[*n];

	if (*n >= max) {
		d0_usage_error("%s: more than %d --allow", d0_opts.command, max);
		return -1;
	}
	if (d0_allow_parse(arg, a)) {
		d0_usage_error("%s: bad --allow '%s': %s (RULE[:DEVICE])", d0_opts.command, arg, a->why);
		return -1;
	}
	snprintf(a->text, sizeof(a->text), "%s", arg);
	(*n)++;
	return 0;
}

void d0_note_short_bdf(const char *opt, const char *arg, bool short_bdf, unsigned int bdf)
{
	/* after the whole command line is read: a -q after the option silences it too */
	if (short_bdf)
		d0_info("%s: %s %s: device taken as %04x:%02x:%02x.%x (domain 0000)", d0_opts.command, opt, arg,
			bdf >> 16, (bdf >> 8) & 0xff, (bdf >> 3) & 0x1f, bdf & 7);
}
