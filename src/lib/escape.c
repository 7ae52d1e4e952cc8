// SPDX-License-Identifier: GPL-2.0
#include "lib/escape.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed, printable UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned int cp;

	if (p[0] < 0xc2 || p[0] > 0xf4) /* continuation, overlong 2-byte lead, beyond U+10FFFF */
		return 0;
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0; /* overlong, or beyond Unicode */
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0; /* surrogates and the two non-characters XML forbids */
	if (cp < 0xa0)
		return 0; /* C1 controls (0x80..0x9f): some terminals act on them */
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xfeff)
		return 0; /* invisible, line-breaking or reordering (bidi) format characters */
	return len;
}

size_t d0_escape(char *out, size_t outlen, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n = strnlen(s, max);

	if (!outlen)
		return 0;
	for (size_t i = 0; i < n;) {
		char esc[5];
		const char *piece = (const char *)p + i;
		size_t len = 1;

		if (p[i] == '\\') {
			piece = "\\\\";
			len = 2;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
			piece = esc;
			len = 4;
		} else if (p[i] >= 0x80) {
			len = utf8_len(p + i, n - i);
			if (!len) {
				snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
				piece = esc;
				len = 4;
			}
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, piece, len);
		o += len;
		/* input consumed: one byte, except for a whole UTF-8 sequence */
		i += piece == (const char *)p + i ? len : 1;
	}
	out[o] = 0;
	return o;
}

const char *d0_comm_text(struct d0_comm_text *buf, const char comm[D0_COMM_LEN])
{
	d0_escape(buf->s, sizeof(buf->s), comm, D0_COMM_LEN);
	return buf->s;
}

/* The visible form of s (at most max bytes) in a malloc'd buffer (NULL without memory). */
static char *visible(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *v = malloc(D0_ESC_SIZE(n));

	if (v)
		d0_escape(v, D0_ESC_SIZE(n), s, n);
	return v;
}

void d0_escape_fputs(FILE *f, const char *s)
{
	char *v = visible(s, strlen(s));

	if (v)
		fputs(v, f);
	free(v);
}

void d0_xml_escape(FILE *f, const char *s)
{
	d0_xml_escape_n(f, s, strlen(s));
}

void d0_xml_escape_n(FILE *f, const char *s, size_t max)
{
	char *v = visible(s, max);

	if (v)
		d0_xml_text(f, v);
	free(v);
}

void d0_xml_text(FILE *f, const char *v)
{
	for (const char *c = v; *c; c++) {
		switch (*c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*c, f);
		}
	}
}

json_t *d0_json_visible(const char *s)
{
	char *v = s ? visible(s, strlen(s)) : NULL;
	json_t *j = json_string(v ? v : "");

	free(v);
	return j;
}
