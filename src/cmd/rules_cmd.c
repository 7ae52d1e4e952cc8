// SPDX-License-Identifier: GPL-2.0
/* d0audit rules: the rules, their ids and what each checks. */
#include "cli/cli.h"
#include "lib/log.h"
#include "model/rules_meta.h"
#include "d0audit/rules.h"
#include "lib/json_out.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'j': d0_opts.json = true; break;
		case 'h':
			printf("Usage: d0audit rules [-j]\n\nLists the ordering rules with their stable ids.\n"
			       "Mode strict (default): any state but D0 counts as not D0 (the vfio maintainers'\n"
			       "wording). Mode kernel: D3hot and below, what vfio itself enforces.\n");
			return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "jh" D0_GLOBAL_SHORT, opts);
		}
	}
	if (optind < argc) {
		d0_err("rules: unexpected argument '%s'", argv[optind]);
		return D0_EXIT_USAGE;
	}
	if (d0_opts.json) {
		json_t *arr = json_array(), *o;

		for (int r = 1; r <= D0_RULE_MAX; r++)
			json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s, s:s}", "id", r, "name",
				d0_rule_meta[r].name, "summary", d0_rule_summary(r), "explain", d0_rule_meta[r].explain,
				"means", d0_rule_meta[r].means));
		o = json_pack("{s:s, s:s, s:o}", "type", "rules", "default_mode", "strict", "rules", arr);
		d0_json_print(o);
		return D0_EXIT_OK;
	}
	for (int r = 1; r <= D0_RULE_MAX; r++)
		printf("%2d  %-30s %s\n    %s\n\n", r, d0_rule_meta[r].name, d0_rule_summary(r), d0_rule_meta[r].explain);
	printf("Default mode: strict (D1/D2 count as not D0); --mode kernel judges D3hot and below only.\n");
	return D0_EXIT_OK;
}
