// SPDX-License-Identifier: GPL-2.0
#include "trace_reader.h"
#include "event_names.h"
#include "hook_table.h"
#include "log.h"
#include "trace_writer.h"
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

/* An integer field within [min, max]; a wrong type or range is an error, never a silent cut. */
static int get_int(json_t *o, const char *key, long long min, long long max, __u64 *out, char *why,
		   unsigned long whylen)
{
	json_t *v = json_object_get(o, key);
	long long n;

	if (!json_is_integer(v)) {
		snprintf(why, whylen, "field '%s' missing or not an integer", key);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		snprintf(why, whylen, "field '%s' out of range: %lld (%lld to %lld)", key, n, min, max);
		return -1;
	}
	*out = (__u64)n;
	return 0;
}

/* Counters and numbers that are never negative. */
static int get_u64(json_t *o, const char *key, __u64 *out, char *why, unsigned long whylen)
{
	return get_int(o, key, 0, LLONG_MAX, out, why, whylen);
}

static const char *get_str(json_t *o, const char *key, char *why, unsigned long whylen)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		snprintf(why, whylen, "field '%s' missing or not a string", key);
	return s;
}

static long long get_bits(json_t *o, const char *key, const char *const names[], char *why, unsigned long whylen)
{
	json_t *arr = json_object_get(o, key);
	const char *list[32];
	int n = json_array_size(arr), bad = -1;
	long long bits;

	if (!json_is_array(arr) || n > 32) {
		snprintf(why, whylen, "field '%s' missing or not an array of names", key);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		list[i] = json_string_value(json_array_get(arr, i));
		if (!list[i]) {
			snprintf(why, whylen, "field '%s'[%d] is not a string", key, i);
			return -1;
		}
	}
	bits = d0_bits_from_names(names, list, n, &bad);
	if (bits < 0)
		snprintf(why, whylen, "field '%s': unknown name '%s'", key, list[bad]);
	return bits;
}

/*
 * The writer escapes each comm byte >= 0x7f as the code point of the same
 * value (\u00XX), which jansson hands back as UTF-8: map U+0080..U+00FF
 * back to the byte, so a comm survives the trace unchanged.
 */
static void comm_from_json(char comm[D0_COMM_LEN], const char *s)
{
	int o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o < D0_COMM_LEN - 1; p++) {
		if ((p[0] == 0xc2 || p[0] == 0xc3) && (p[1] & 0xc0) == 0x80) {
			comm[o++] = (char)(((p[0] & 0x1f) << 6) | (p[1] & 0x3f));
			p++;
		} else {
			comm[o++] = (char)*p;
		}
	}
	comm[o] = 0;
}

int d0_event_from_json(json_t *o, struct d0_event *e, char *why, unsigned long whylen)
{
	const char *kind, *phase, *hook, *dev, *power, *before, *rpm, *comm;
	__u64 v[11];
	long long ctx, st;
	const struct d0_hook_def *h;
	int k, ph, pw, pb, rs;
	json_t *viol;

	memset(e, 0, sizeof(*e));
	if (!(kind = get_str(o, "kind", why, whylen)) || !(phase = get_str(o, "phase", why, whylen)) ||
	    !(hook = get_str(o, "hook", why, whylen)) || !(dev = get_str(o, "dev", why, whylen)) ||
	    !(power = get_str(o, "power", why, whylen)) || !(before = get_str(o, "power_before", why, whylen)) ||
	    !(rpm = get_str(o, "rpm", why, whylen)) || !(comm = get_str(o, "comm", why, whylen)))
		return -1;
	/* a2, a3 and ret are raw 64-bit kernel values, written signed so any JSON reader takes them */
	if (get_u64(o, "seq", &v[0], why, whylen) || get_u64(o, "t", &v[1], why, whylen) ||
	    get_int(o, "pid", 0, UINT32_MAX, &v[2], why, whylen) || get_int(o, "tid", 0, UINT32_MAX, &v[3], why, whylen) ||
	    get_int(o, "a0", 0, UINT32_MAX, &v[4], why, whylen) || get_int(o, "a1", 0, UINT32_MAX, &v[5], why, whylen) ||
	    get_int(o, "a2", LLONG_MIN, LLONG_MAX, &v[6], why, whylen) ||
	    get_int(o, "a3", LLONG_MIN, LLONG_MAX, &v[7], why, whylen) ||
	    get_int(o, "ret", LLONG_MIN, LLONG_MAX, &v[8], why, whylen) ||
	    get_int(o, "dmabufs", 0, UINT16_MAX, &v[9], why, whylen) ||
	    get_int(o, "unrevoked", 0, UINT16_MAX, &v[10], why, whylen))
		return -1;
	e->nr_dmabufs = v[9];
	e->nr_unrevoked = v[10];
	if ((k = d0_kind_from_name(kind)) < 0)
		return snprintf(why, whylen, "unknown event kind '%s'", kind), -1;
	if ((ph = d0_phase_from_name(phase)) < 0)
		return snprintf(why, whylen, "unknown phase '%s'", phase), -1;
	if (!(h = d0_hook_by_name(hook)))
		return snprintf(why, whylen, "unknown hook '%s' (trace from another d0audit version?)", hook), -1;
	if (d0_power_from_name(power, &pw) || d0_power_from_name(before, &pb))
		return snprintf(why, whylen, "unknown power state '%s' or '%s'", power, before), -1;
	if ((rs = d0_rpm_from_name(rpm)) < 0)
		return snprintf(why, whylen, "unknown runtime-PM status '%s'", rpm), -1;
	if (d0_bdf_parse(dev, &e->bdf))
		return snprintf(why, whylen, "malformed device '%s'", dev), -1;
	if ((ctx = get_bits(o, "ctx", d0_ctx_names, why, whylen)) < 0 ||
	    (st = get_bits(o, "state", d0_state_names, why, whylen)) < 0)
		return -1;
	viol = json_object_get(o, "violations");
	if (viol && !json_is_array(viol))
		return snprintf(why, whylen, "field 'violations' is not an array of rule ids"), -1;
	for (size_t i = 0; i < json_array_size(viol); i++) {
		json_int_t r = json_integer_value(json_array_get(viol, i));

		if (r < 1 || r > D0_RULE_MAX)
			return snprintf(why, whylen, "unknown rule %lld in 'violations'", (long long)r), -1;
		e->violations |= D0_RULE_BIT(r);
	}
	e->kind = k;
	e->phase = ph;
	e->hook = h->id;
	e->power = pw;
	e->power_before = pb;
	e->rpm_status = rs;
	e->seq = v[0];
	e->ts_ns = v[1];
	e->pid = v[2];
	e->tid = v[3];
	e->a0 = v[4];
	e->a1 = v[5];
	e->a2 = v[6];
	e->a3 = v[7];
	e->ret = (__s64)v[8];
	e->ctx = ctx;
	e->state = st;
	e->dev = e->bdf;
	comm_from_json(e->comm, comm);
	return 0;
}

/*
 * The fast path: an event line exactly as d0_event_to_json() writes it (that
 * key order, no whitespace, canonical integers, ASCII strings, comm escapes
 * \" \\ \u00XX only) is scanned straight into the event. It gives the same
 * event jansson + d0_event_from_json would, or declines (returns false) and
 * the line goes the jansson way, which also words every error: so odd
 * input (hand edits, other key orders, out-of-range or non-canonical numbers,
 * unknown names, duplicate keys) behaves exactly as before.
 * tests/unit/test_trace_reader.c and tests/fuzz/fuzz_trace_reader.c hold the
 * two paths to that.
 */
#define LIT(p, end, s) (((size_t)((end) - (p)) >= sizeof(s) - 1 && !memcmp((p), (s), sizeof(s) - 1)) ? \
			((p) += sizeof(s) - 1, true) : false)

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A JSON integer jansson would read as a json integer in [min, max]; canonical form only. */
static bool fast_int(const char **pp, const char *end, long long min, long long max, __u64 *out)
{
	const char *p = *pp;
	unsigned long long v = 0;
	bool neg = false;
	long long s;
	int nd = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || !is_digit(*p))
		return false;
	if (*p == '0') {
		p++;
		if (neg || (p < end && is_digit(*p)))
			return false; /* -0, 01: leave them to jansson */
	} else {
		while (p < end && is_digit(*p)) {
			if (++nd > 19)
				return false;
			v = v * 10 + (unsigned)(*p++ - '0');
		}
	}
	if (neg) {
		if (v > (1ULL << 63))
			return false;
		s = v == (1ULL << 63) ? LLONG_MIN : -(long long)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return false;
		s = (long long)v;
	}
	if (s < min || s > max)
		return false;
	*out = (__u64)s;
	*pp = p;
	return true;
}

/* A plain string: printable ASCII, no escapes. *pp after the opening quote; span excludes quotes. */
static bool fast_plain(const char **pp, const char *end, const char **s, size_t *n)
{
	const char *p = *pp;

	*s = p;
	while (p < end && *p != '"') {
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			return false;
		p++;
	}
	if (p >= end)
		return false;
	*n = (size_t)(p - *s);
	*pp = p + 1;
	return true;
}

/* A small name -> value cache per field: traces repeat the same few names. */
#define FAST_MEMO_KEY 256
#define FAST_MEMO_WAYS 16

struct fast_memo {
	struct {
		char key[FAST_MEMO_KEY];
		size_t n;
		long long v;
	} e[FAST_MEMO_WAYS];
	unsigned int used, next;
};

typedef bool (*fast_lookup)(const char *s, long long *v);

static bool lk_kind(const char *s, long long *v) { return (*v = d0_kind_from_name(s)) >= 0; }
static bool lk_phase(const char *s, long long *v) { return (*v = d0_phase_from_name(s)) >= 0; }
static bool lk_rpm(const char *s, long long *v) { return (*v = d0_rpm_from_name(s)) >= 0; }

static bool lk_hook(const char *s, long long *v)
{
	const struct d0_hook_def *h = d0_hook_by_name(s);

	if (h)
		*v = h->id;
	return h;
}

static bool lk_power(const char *s, long long *v)
{
	int p;

	if (d0_power_from_name(s, &p))
		return false;
	*v = p;
	return true;
}

/* s: the array text from '[' to ']', already checked to be ["name",...] with plain names */
static bool lk_bits(const char *s, const char *const names[], long long *v)
{
	char buf[FAST_MEMO_KEY];
	const char *list[32];
	int n = 0, bad;
	char *p;

	snprintf(buf, sizeof(buf), "%s", s);
	for (p = buf + 1; *p == '"'; ) {
		list[n++] = ++p;
		p = strchr(p, '"');
		*p++ = 0;
		if (*p == ',')
			p++;
	}
	return (*v = d0_bits_from_names(names, list, n, &bad)) >= 0;
}

static bool lk_ctx(const char *s, long long *v) { return lk_bits(s, d0_ctx_names, v); }
static bool lk_state(const char *s, long long *v) { return lk_bits(s, d0_state_names, v); }

static bool fast_lookup_memo(struct fast_memo *m, const char *s, size_t n, fast_lookup fn, long long *v)
{
	unsigned int i;

	for (i = 0; i < m->used; i++) {
		if (m->e[i].n == n && !memcmp(m->e[i].key, s, n)) {
			*v = m->e[i].v;
			return true;
		}
	}
	if (n >= FAST_MEMO_KEY)
		return false;
	i = m->used < FAST_MEMO_WAYS ? m->used : m->next++ % FAST_MEMO_WAYS;
	m->e[i].n = SIZE_MAX; /* matches nothing until filled */
	memcpy(m->e[i].key, s, n);
	m->e[i].key[n] = 0;
	if (!fn(m->e[i].key, v))
		return false;
	m->e[i].n = n;
	m->e[i].v = *v;
	if (m->used < FAST_MEMO_WAYS)
		m->used++;
	return true;
}

/* "name" looked up through fn; *pp at the opening quote */
static bool fast_name(const char **pp, const char *end, struct fast_memo *m, fast_lookup fn, long long *v)
{
	const char *s;
	size_t n;

	if (*pp >= end || **pp != '"')
		return false;
	(*pp)++;
	return fast_plain(pp, end, &s, &n) && fast_lookup_memo(m, s, n, fn, v);
}

/* ["name",...] (at most 32, like the jansson path) looked up as a whole through fn */
static bool fast_names(const char **pp, const char *end, struct fast_memo *m, fast_lookup fn, long long *v)
{
	const char *p = *pp, *start = p, *s;
	size_t n;
	int count = 0;

	if (!LIT(p, end, "["))
		return false;
	if (!LIT(p, end, "]")) {
		for (;;) {
			if (++count > 32 || !LIT(p, end, "\"") || !fast_plain(&p, end, &s, &n))
				return false;
			if (LIT(p, end, "]"))
				break;
			if (!LIT(p, end, ","))
				return false;
		}
	}
	*pp = p;
	return fast_lookup_memo(m, start, (size_t)(p - start), fn, v);
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* lowercase hex digits, exactly n of them (the writer's %0Nx) */
static bool fast_hex(const char *p, int n, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]) && !(p[i] >= 'a' && p[i] <= 'f'))
			return false;
		v = v << 4 | (unsigned int)hexval(p[i]);
	}
	*out = v;
	return true;
}

/* "-" or "dddd:bb:dd.f", the writer's form of d0_bdf_format() */
static bool fast_dev(const char **pp, const char *end, __u32 *bdf)
{
	const char *p = *pp;
	unsigned int dom, bus, dev, fn;

	if (LIT(p, end, "\"-\"")) {
		*bdf = 0xffffffffu;
	} else {
		if (end - p < 14 || p[0] != '"' || p[5] != ':' || p[8] != ':' || p[11] != '.' || p[13] != '"' ||
		    !fast_hex(p + 1, 4, &dom) || !fast_hex(p + 6, 2, &bus) || !fast_hex(p + 9, 2, &dev) ||
		    !fast_hex(p + 12, 1, &fn) || dev > 0x1f || fn > 7)
			return false;
		*bdf = dom << 16 | bus << 8 | dev << 3 | fn;
		p += 14;
	}
	*pp = p;
	return true;
}

/*
 * comm: printable ASCII, \" \\ and \u00XX (XX != 00). jansson turns \u00XX
 * into the code point and comm_from_json() maps it back to the byte, keeping
 * the first D0_COMM_LEN - 1 bytes: the same here in one step.
 */
static bool fast_comm(const char **pp, const char *end, char comm[D0_COMM_LEN])
{
	const char *p = *pp;
	int o = 0;

	if (!LIT(p, end, "\""))
		return false;
	while (p < end && *p != '"') {
		int c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e)
			return false;
		if (c == '\\') {
			if (end - p >= 2 && (p[1] == '"' || p[1] == '\\')) {
				c = p[1];
				p += 2;
			} else if (end - p >= 6 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && hexval(p[4]) >= 0 &&
				   hexval(p[5]) >= 0) {
				c = hexval(p[4]) << 4 | hexval(p[5]);
				if (!c)
					return false; /* \u0000: jansson refuses the line */
				p += 6;
			} else {
				return false;
			}
		} else {
			p++;
		}
		if (o < D0_COMM_LEN - 1)
			comm[o++] = (char)c;
	}
	if (p >= end)
		return false;
	comm[o] = 0;
	*pp = p + 1;
	return true;
}

bool d0_event_from_line(const char *line, size_t len, struct d0_event *e)
{
	static __thread struct fast_memo m_kind, m_phase, m_hook, m_power, m_before, m_rpm, m_ctx, m_state;
	const char *p = line, *end = line + len;
	long long kind, phase, hook, power, before, rpm, ctx, state;
	__u64 v;

	memset(e, 0, sizeof(*e));
	if (!LIT(p, end, "{\"type\":\"event\",\"seq\":") || !fast_int(&p, end, 0, LLONG_MAX, &e->seq) ||
	    !LIT(p, end, ",\"t\":") || !fast_int(&p, end, 0, LLONG_MAX, &e->ts_ns) ||
	    !LIT(p, end, ",\"kind\":") || !fast_name(&p, end, &m_kind, lk_kind, &kind) ||
	    !LIT(p, end, ",\"phase\":") || !fast_name(&p, end, &m_phase, lk_phase, &phase) ||
	    !LIT(p, end, ",\"hook\":") || !fast_name(&p, end, &m_hook, lk_hook, &hook) ||
	    !LIT(p, end, ",\"dev\":") || !fast_dev(&p, end, &e->bdf) ||
	    !LIT(p, end, ",\"pid\":") || !fast_int(&p, end, 0, UINT32_MAX, &v))
		return false;
	e->pid = v;
	if (!LIT(p, end, ",\"tid\":") || !fast_int(&p, end, 0, UINT32_MAX, &v))
		return false;
	e->tid = v;
	if (!LIT(p, end, ",\"comm\":") || !fast_comm(&p, end, e->comm) ||
	    !LIT(p, end, ",\"power\":") || !fast_name(&p, end, &m_power, lk_power, &power) ||
	    !LIT(p, end, ",\"power_before\":") || !fast_name(&p, end, &m_before, lk_power, &before) ||
	    !LIT(p, end, ",\"rpm\":") || !fast_name(&p, end, &m_rpm, lk_rpm, &rpm) ||
	    !LIT(p, end, ",\"ctx\":") || !fast_names(&p, end, &m_ctx, lk_ctx, &ctx) ||
	    !LIT(p, end, ",\"state\":") || !fast_names(&p, end, &m_state, lk_state, &state) ||
	    !LIT(p, end, ",\"dmabufs\":") || !fast_int(&p, end, 0, UINT16_MAX, &v))
		return false;
	e->nr_dmabufs = v;
	if (!LIT(p, end, ",\"unrevoked\":") || !fast_int(&p, end, 0, UINT16_MAX, &v))
		return false;
	e->nr_unrevoked = v;
	if (!LIT(p, end, ",\"a0\":") || !fast_int(&p, end, 0, UINT32_MAX, &v))
		return false;
	e->a0 = v;
	if (!LIT(p, end, ",\"a1\":") || !fast_int(&p, end, 0, UINT32_MAX, &v))
		return false;
	e->a1 = v;
	if (!LIT(p, end, ",\"a2\":") || !fast_int(&p, end, LLONG_MIN, LLONG_MAX, &e->a2) ||
	    !LIT(p, end, ",\"a3\":") || !fast_int(&p, end, LLONG_MIN, LLONG_MAX, &e->a3) ||
	    !LIT(p, end, ",\"ret\":") || !fast_int(&p, end, LLONG_MIN, LLONG_MAX, &v) ||
	    !LIT(p, end, ",\"violations\":["))
		return false;
	e->ret = (__s64)v;
	if (!LIT(p, end, "]")) {
		for (;;) {
			if (!fast_int(&p, end, 1, D0_RULE_MAX, &v))
				return false;
			e->violations |= D0_RULE_BIT(v);
			if (LIT(p, end, "]"))
				break;
			if (!LIT(p, end, ","))
				return false;
		}
	}
	if (!LIT(p, end, "}") || p != end)
		return false;
	e->kind = kind;
	e->phase = phase;
	e->hook = hook;
	e->power = power;
	e->power_before = before;
	e->rpm_status = rpm;
	e->ctx = ctx;
	e->state = state;
	e->dev = e->bdf;
	return true;
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
		if (get_u64(r->last, "first_seq", &rec->gap_first, why, sizeof(why)) ||
		    get_u64(r->last, "lost", &rec->gap_lost, why, sizeof(why)))
			return fail(r, "bad gap: %s", why);
	} else if (!strcmp(type, "footer")) {
		rec->type = D0_REC_FOOTER;
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
