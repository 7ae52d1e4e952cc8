// SPDX-License-Identifier: GPL-2.0
#include "trace/trace_reader.h"
#include "trace/event_codec.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "lib/log.h"
#include "trace/trace_writer.h"
#include "d0audit/rules.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct d0_trace_reader {
	gzFile gz;              /* zlib reads plain files transparently */
	char path[256];
	char *line;
	size_t cap;
	unsigned long lineno;
	bool seen_header;
	json_t *last;
	char error[768];
};

struct d0_trace_reader *d0_trace_reader_open_fd(int fd, const char *name)
{
	struct d0_trace_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		d0_err("cannot open trace %s: %s", name, strerror(ENOMEM));
		close(fd);
		return NULL;
	}
	snprintf(r->path, sizeof(r->path), "%s", name);
	errno = 0;
	r->gz = gzdopen(fd, "rb");
	/* zlib's default 8 KiB input buffer means a read() per 20 lines; 256 KiB is in the noise in RSS */
	if (r->gz)
		gzbuffer(r->gz, 256 << 10);
	r->cap = 1 << 16;
	r->line = malloc(r->cap);
	if (!r->gz || !r->line) {
		d0_err("cannot open trace %s: %s", name, strerror(errno ? errno : ENOMEM));
		if (r->gz)
			gzclose(r->gz);
		else
			close(fd);
		free(r->line);
		free(r);
		return NULL;
	}
	return r;
}

struct d0_trace_reader *d0_trace_reader_open(const char *path)
{
	int fd = !strcmp(path, "-") ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		d0_err("cannot open trace %s: %s", path, strerror(errno));
		return NULL;
	}
	/* open() takes a directory; its read error later would name no file */
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		d0_err("cannot open trace %s: %s", path, strerror(EISDIR));
		close(fd);
		return NULL;
	}
	return d0_trace_reader_open_fd(fd, path);
}

__attribute__((format(printf, 2, 3))) static int fail(struct d0_trace_reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->error, sizeof(r->error), "%s:%lu: %s", r->path, r->lineno, msg);
	return -1;
}

/* One line, however long; 0 at EOF, -1 on a read error or a last line without newline. */
static int read_line(struct d0_trace_reader *r, size_t *len)
{
	size_t n = 0;
	char *p;

	for (;;) {
		if (!gzgets(r->gz, r->line + n, r->cap - n)) {
			int err;
			const char *msg = gzerror(r->gz, &err);

			/* zlib's text for a failed read() names the fd, not the file: say it ourselves */
			if (err == Z_ERRNO)
				return fail(r, "read error: %s", strerror(errno));
			/* zlib prefixes its messages with the name it was given, "<fd:3>": the line already names the file */
			if (err != Z_OK && err != Z_STREAM_END)
				return fail(r, "read error: %s (corrupt compressed data?)",
					    strstr(msg, ">: ") && msg[0] == '<' ? strstr(msg, ">: ") + 3 : msg);
			if (n)
				return fail(r, "last line is cut off (no newline): truncated trace");
			return 0;
		}
		n += strlen(r->line + n);
		if (n && r->line[n - 1] == '\n')
			break;
		if (n + 1 < r->cap) {
			/* gzgets stops only at a newline, a full buffer or EOF: short of all three, a NUL byte */
			if (gzeof(r->gz))
				return fail(r, "last line is cut off (no newline): truncated trace");
			return fail(r, "NUL byte in the line: not a d0audit trace");
		}
		if (r->cap >= (64u << 20))
			return fail(r, "line longer than 64 MiB: not a d0audit trace");
		p = realloc(r->line, r->cap * 2);
		if (!p)
			return fail(r, "out of memory");
		r->line = p;
		r->cap *= 2;
	}
	r->line[--n] = 0;
	*len = n;
	return 1;
}

int d0_trace_next(struct d0_trace_reader *r, struct d0_record *rec)
{
	json_error_t jerr;
	const char *type;
	char why[256];
	size_t len = 0;
	int n;

	json_decref(r->last);
	r->last = NULL;
	r->lineno++;
	n = read_line(r, &len);
	if (n == 0 && !r->seen_header)
		return fail(r, "empty file: not a d0audit trace (no header)");
	if (n <= 0)
		return n;
	memset(rec, 0, sizeof(*rec));
	if (r->seen_header && d0_event_from_line(r->line, len, &rec->ev)) {
		rec->type = D0_REC_EVENT;
		return 1;
	}
	r->last = json_loadb(r->line, len, 0, &jerr);
	if (!r->last)
		return fail(r, "not valid JSON: %s (column %d)%s", jerr.text, jerr.column,
			    r->seen_header ? "" : ": not a d0audit trace");
	memset(rec, 0, sizeof(*rec));
	rec->json = r->last;
	type = json_string_value(json_object_get(r->last, "type"));
	if (!type)
		return fail(r, "record without a \"type\"%s", r->seen_header ? "" : ": not a d0audit trace");
	if (!r->seen_header) {
		json_int_t fmt = json_integer_value(json_object_get(r->last, "format"));

		if (strcmp(type, "header"))
			return fail(r, "first line is not a d0audit trace header");
		if (fmt > D0_TRACE_FORMAT)
			return fail(r, "trace format %lld is newer than this d0audit reads (%d): upgrade d0audit",
				    (long long)fmt, D0_TRACE_FORMAT);
		if (fmt < 1)
			return fail(r, "header has no valid \"format\": not a d0audit trace");
		r->seen_header = true;
		rec->type = D0_REC_HEADER;
		return 1;
	}
	if (!strcmp(type, "event")) {
		rec->type = D0_REC_EVENT;
		rec->json = NULL; /* as on the fast path: events are read from rec->ev only */
		if (d0_event_from_json(r->last, &rec->ev, why, sizeof(why)))
			return fail(r, "bad event: %s", why);
	} else if (!strcmp(type, "gap")) {
		rec->type = D0_REC_GAP;
		if (d0_json_get_u64(r->last, "first_seq", &rec->gap_first, why, sizeof(why)) ||
		    d0_json_get_u64(r->last, "lost", &rec->gap_lost, why, sizeof(why)))
			return fail(r, "bad gap: %s", why);
	} else if (!strcmp(type, "footer")) {
		rec->type = D0_REC_FOOTER;
	} else if (!strcmp(type, "attach")) {
		const struct d0_hook_def *d = d0_hook_by_name(json_string_value(json_object_get(r->last, "hook")) ?: "");

		rec->type = D0_REC_ATTACH;
		if (!json_is_string(json_object_get(r->last, "hook")))
			return fail(r, "bad attach: \"hook\" is not a string");
		if (d0_json_get_u64(r->last, "ts_ns", &rec->attach_ns, why, sizeof(why)))
			return fail(r, "bad attach: %s", why);
		rec->attach_hook = d ? (int)d->id : -1;
	} else if (!strcmp(type, "header")) {
		return fail(r, "a second header: two traces concatenated?");
	} else {
		return fail(r, "unknown record type '%s'", type);
	}
	return 1;
}

bool d0_trace_reader_saw_header(const struct d0_trace_reader *r)
{
	return r->seen_header;
}

const char *d0_trace_reader_error(const struct d0_trace_reader *r)
{
	return r->error;
}


void d0_trace_reader_close(struct d0_trace_reader *r)
{
	if (!r)
		return;
	json_decref(r->last);
	gzclose(r->gz);
	free(r->line);
	free(r);
}
