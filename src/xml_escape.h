/* SPDX-License-Identifier: GPL-2.0 */
/* XML text escaping, shared by the JUnit output of check and the SVG report. */
#ifndef D0AUDIT_XML_ESCAPE_H
#define D0AUDIT_XML_ESCAPE_H

#include <stdio.h>

/* Writes s escaped for XML text or attribute values; drops the control
 * characters XML 1.0 forbids (all below 0x20 but tab and newline). */
void d0_xml_escape(FILE *f, const char *s);

#endif
