/* SPDX-License-Identifier: GPL-2.0 */
#ifndef D0AUDIT_VERSION_H
#define D0AUDIT_VERSION_H

#define D0AUDIT_VERSION "0.1.0"
#ifndef D0AUDIT_COMMIT
#define D0AUDIT_COMMIT "unknown"
#endif

#endif
