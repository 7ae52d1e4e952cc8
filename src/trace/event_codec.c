// SPDX-License-Identifier: GPL-2.0
/*
 * The event's JSON form, both ways, in one place: d0_event_to_json writes the
 * trace line; d0_event_from_json reads any event object (jansson), and
 * d0_event_from_line reads the writer's own lines fast, giving the same event
 * or declining. tests/unit/test_trace_reader.c holds the three to each other
 * (every written line takes the fast path and reads back to the event it came
 * from, exactly as jansson reads it); tests/fuzz/fuzz_trace_reader.c too.
 */
#include "trace/event_codec.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "d0audit/rules.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

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
	char bdf[16], comm[8 * D0_COMM_LEN], ctx[256], st[192], viol[64];
	const char *kind = d0_kind_name(e->kind);
	int o = snprintf(viol, sizeof(viol), "[");

	for (int r = 1; r <= D0_RULE_MAX; r++)
		if (e->violations & D0_RULE_BIT(r))
			o += snprintf(viol + o, sizeof(viol) - o, "%s%d", o > 1 ? "," : "", r);
	snprintf(viol + o, sizeof(viol) - o, "]");

	d0_bdf_format(e->bdf, bdf, sizeof(bdf));
	json_str(comm, sizeof(comm), e->comm, D0_COMM_LEN);
	bits_json(ctx, sizeof(ctx), e->ctx, d0_ctx_names);
	bits_json(st, sizeof(st), e->state, d0_state_names);
	return snprintf(buf, len,
		"{\"type\":\"event\",\"seq\":%llu,\"t\":%llu,\"kind\":\"%s\",\"phase\":\"%s\",\"hook\":\"%s\","
		"\"dev\":\"%s\",\"pid\":%u,\"tid\":%u,\"comm\":\"%s\",\"power\":\"%s\",\"power_before\":\"%s\","
		"\"rpm\":\"%s\",\"ctx\":%s,\"state\":%s,\"dmabufs\":%u,\"unrevoked\":%u,"
		"\"a0\":%u,\"a1\":%u,\"a2\":%lld,\"a3\":%lld,\"ret\":%lld,\"violations\":%s}",
		(unsigned long long)e->seq, (unsigned long long)e->ts_ns, kind ? kind : "invalid",
		d0_phase_name(e->phase), d0_hook_name(e->hook), bdf,
		e->pid, e->tid, comm, d0_power_name(e->power), d0_power_name(e->power_before),
		d0_rpm_name(e->rpm_status), ctx, st, e->nr_dmabufs, e->nr_unrevoked, e->a0, e->a1,
		/* signed: JSON readers (jansson, jq) lose or refuse integers beyond 2^63 */
		(long long)e->a2, (long long)e->a3, (long long)e->ret, viol);
}

/* ---- reading ---- */

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
int d0_json_get_u64(json_t *o, const char *key, __u64 *out, char *why, unsigned long whylen)
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
	if (d0_json_get_u64(o, "seq", &v[0], why, whylen) || d0_json_get_u64(o, "t", &v[1], why, whylen) ||
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
