// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line errors the same way for every command: getopt_long runs with
 * opterr = 0 and the message it would have printed goes through d0_err, so
 * with -j it is one JSON object on stderr and no usage text follows.
 */
#include "cli.h"
#include "log.h"

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

int d0_opt_error(int argc, char **argv, const char *optstring, const struct option *opts, void (*usage)(FILE *f))
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
	d0_usage_error(usage, "%s", msg);
	return D0_EXIT_USAGE;
}

void d0_usage_error(void (*usage)(FILE *f), const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d0_err("%s", msg);
	if (usage && !d0_opts.json)
		usage(stderr);
}
