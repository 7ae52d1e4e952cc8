/* SPDX-License-Identifier: GPL-2.0 */
/* Exit codes are part of the interface (README, --help): the model's judgement maps onto them. */
#ifndef D0AUDIT_EXIT_CODES_H
#define D0AUDIT_EXIT_CODES_H

enum d0_exit {
	D0_EXIT_OK = 0,          /* clean: nothing wrong found */
	D0_EXIT_VIOLATIONS = 1,  /* rule violations found */
	D0_EXIT_USAGE = 2,       /* usage or setup error */
	D0_EXIT_CANNOT = 3,      /* cannot audit, or verdict incomplete */
};

#endif /* D0AUDIT_EXIT_CODES_H */
