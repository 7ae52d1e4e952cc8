/* SPDX-License-Identifier: GPL-2.0 */
#ifndef D0AUDIT_VERSION_H
#define D0AUDIT_VERSION_H

#define D0AUDIT_VERSION "0.1.0"
/*
 * The version of the -j output (tools/schema/d0audit-output.schema.json):
 * fields and enum values may be added within one version; a field removed,
 * renamed, retyped or given another meaning bumps it.
 */
#define D0AUDIT_OUTPUT_SCHEMA 1
#ifndef D0AUDIT_COMMIT
#define D0AUDIT_COMMIT "unknown"
#endif

#endif
