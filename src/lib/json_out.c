// SPDX-License-Identifier: GPL-2.0
#include "lib/json_out.h"
#include "lib/global_opts.h"

static int dump(FILE *f, json_t *o, size_t flags)
{
	int rc = json_dumpf(o, f, flags | JSON_PRESERVE_ORDER);

	fputc('\n', f);
	json_decref(o);
	return rc || ferror(f) ? -1 : 0;
}

int d0_json_print(json_t *o)
{
	return dump(stdout, o, d0_opts.pretty ? JSON_INDENT(2) : JSON_COMPACT);
}

int d0_json_line(FILE *f, json_t *o)
{
	return o ? dump(f, o, JSON_COMPACT) : -1;
}
