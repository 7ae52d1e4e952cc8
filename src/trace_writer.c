// SPDX-License-Identifier: GPL-2.0
#include "trace_writer.h"
#include "event_names.h"
#include "hook_table.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct d0_trace_writer {
	FILE *f;        /* plain output, or NULL */
	gzFile gz;      /* compressed output, or NULL */
	char path[256];
	int first_err;
	unsigned long errors;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

struct d0_trace_writer *d0_trace_open(const char *path)
{
	struct d0_trace_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	snprintf(w->path, sizeof(w->path), "%s", path);
	if (!strcmp(path, "-")) {
		w->f = stdout;
	} else if (ends_with(path, ".gz")) {
		w->gz = gzopen(path, "wb6");
	} else {
		w->f = fopen(path, "w");
	}
	if (!w->f && !w->gz) {
		d0_err("cannot create trace file %s: %s", path, strerror(errno));
		free(w);
		return NULL;
	}
	return w;
}

int d0_trace_line(struct d0_trace_writer *w, const char *json, unsigned long len)
{
	int ok;

	if (w->gz)
		ok = gzwrite(w->gz, json, len) == (int)len && gzputc(w->gz, '\n') == '\n';
	else
		ok = fwrite(json, 1, len, w->f) == len && fputc('\n', w->f) == '\n';
	if (ok)
		return 0;
	if (!w->errors++) {
		w->first_err = errno ? -errno : -EIO;
		d0_err("writing trace %s failed: %s (further lines are counted as write errors)", w->path,
		       strerror(-w->first_err));
	}
	return w->first_err;
}

/* JSON string escaping for short kernel strings (comm). */
static int json_str(char *buf, unsigned long len, const char *s, unsigned long max)
{
	unsigned long o = 0;

	for (unsigned long i = 0; i < max && s[i] && o + 7 < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += snprintf(buf + o, len - o, "\\u%04x", c);
		} else {
			buf[o++] = c;
		}
	}
	buf[o] = 0;
	return o;
}

static int bits_json(char *buf, unsigned long len, __u32 bits, const char *const names[])
{
	int o = snprintf(buf, len, "[");

	for (int i = 0; names[i] && (unsigned long)o < len; i++)
		if (bits & (1u << i))
			o += snprintf(buf + o, len - o, "%s\"%s\"", o > 1 ? "," : "", names[i]);
	if ((unsigned long)o < len)
		o += snprintf(buf + o, len - o, "]");
	return o;
}

int d0_event_to_json(const struct d0_event *e, char *buf, unsigned long len)
{
	char bdf[16], comm[8 * D0_COMM_LEN], ctx[256], st[192];
	const char *kind = d0_kind_name(e->kind);

	d0_bdf_format(e->bdf, bdf, sizeof(bdf));
	json_str(comm, sizeof(comm), e->comm, D0_COMM_LEN);
	bits_json(ctx, sizeof(ctx), e->ctx, d0_ctx_names);
	bits_json(st, sizeof(st), e->state, d0_state_names);
	return snprintf(buf, len,
		"{\"type\":\"event\",\"seq\":%llu,\"t\":%llu,\"kind\":\"%s\",\"phase\":\"%s\",\"hook\":\"%s\","
		"\"dev\":\"%s\",\"pid\":%u,\"tid\":%u,\"comm\":\"%s\",\"power\":\"%s\",\"power_before\":\"%s\","
		"\"rpm\":\"%s\",\"ctx\":%s,\"state\":%s,\"dmabufs\":%u,\"unrevoked\":%u,"
		"\"a0\":%u,\"a1\":%u,\"a2\":%llu,\"a3\":%llu,\"ret\":%lld}",
		(unsigned long long)e->seq, (unsigned long long)e->ts_ns, kind ? kind : "invalid",
		d0_phase_name(e->phase), d0_hook_name(e->hook), bdf,
		e->pid, e->tid, comm, d0_power_name(e->power), d0_power_name(e->power_before),
		d0_rpm_name(e->rpm_status), ctx, st, e->nr_dmabufs, e->nr_unrevoked, e->a0, e->a1,
		(unsigned long long)e->a2, (unsigned long long)e->a3, (long long)e->ret);
}

int d0_trace_event(struct d0_trace_writer *w, const struct d0_event *e)
{
	char buf[1024];
	int n = d0_event_to_json(e, buf, sizeof(buf));

	return d0_trace_line(w, buf, n);
}

int d0_trace_gap(struct d0_trace_writer *w, __u64 first_seq, __u64 count)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "{\"type\":\"gap\",\"first_seq\":%llu,\"lost\":%llu}",
			 (unsigned long long)first_seq, (unsigned long long)count);

	return d0_trace_line(w, buf, n);
}

unsigned long d0_trace_write_errors(const struct d0_trace_writer *w)
{
	return w->errors;
}

int d0_trace_close(struct d0_trace_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = w->first_err;
	if (w->gz) {
		if (gzclose(w->gz) != Z_OK && !err)
			err = -EIO;
	} else if (w->f == stdout) {
		if (fflush(stdout) && !err)
			err = -errno;
	} else if (fclose(w->f) && !err) {
		err = -errno;
	}
	if (err && !w->first_err)
		d0_err("closing trace %s failed: %s", w->path, strerror(-err));
	free(w);
	return err;
}
