// SPDX-License-Identifier: GPL-2.0
#include "cli.h"
#include "log.h"
int cmd_record(int argc, char **argv)
{
	(void)argc; (void)argv;
	d0_err("'record' is not implemented yet");
	return D0_EXIT_USAGE;
}
