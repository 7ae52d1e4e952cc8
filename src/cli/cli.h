/* SPDX-License-Identifier: GPL-2.0 */
/* The command-line contract: exit codes, global options, subcommand table. */
#ifndef D0AUDIT_CLI_H
#define D0AUDIT_CLI_H

#include <stdbool.h>
#include "cli/cli_opts.h"
#include "lib/exit_codes.h"
#include "lib/global_opts.h"

int cmd_doctor(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_daemon(int argc, char **argv);

#endif /* D0AUDIT_CLI_H */
