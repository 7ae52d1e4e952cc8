// SPDX-License-Identifier: GPL-2.0
#include "model/event_names.h"
#include "d0audit/rules.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[D0_EV_COUNT] = {
#define D0_KIND_NAME(name, str) [D0_EV_##name] = str,
	D0_EVENT_KINDS(D0_KIND_NAME)
#undef D0_KIND_NAME
};

const char *d0_kind_name(unsigned int kind)
{
	return kind < D0_EV_COUNT ? kind_names[kind] : NULL;
}

int d0_kind_from_name(const char *name)
{
	for (int i = 0; i < D0_EV_COUNT; i++)
		if (!strcmp(kind_names[i], name))
			return i;
	return -1;
}

const char *d0_phase_name(unsigned int phase)
{
	switch (phase) {
	case D0_PH_ENTRY: return "entry";
	case D0_PH_EXIT: return "exit";
	default: return "point";
	}
}

const char *d0_power_name(int power)
{
	switch (power) {
	case D0_PWR_ERROR: return "error";
	case D0_PWR_D0: return "D0";
	case D0_PWR_D1: return "D1";
	case D0_PWR_D2: return "D2";
	case D0_PWR_D3HOT: return "D3hot";
	case D0_PWR_D3COLD: return "D3cold";
	default: return "unknown";
	}
}

const char *d0_rpm_name(unsigned int status)
{
	static const char *const names[] = { "active", "resuming", "suspended", "suspending", "blocked" };

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}

const char *d0_mode_name(__u32 mode)
{
	return mode == D0_MODE_KERNEL ? "kernel" : "strict";
}

int d0_mode_from_name(const char *name, __u32 *mode)
{
	if (!strcmp(name, "strict"))
		*mode = D0_MODE_STRICT;
	else if (!strcmp(name, "kernel"))
		*mode = D0_MODE_KERNEL;
	else
		return -1;
	return 0;
}

/* Must follow the bit order of D0_CTX_LIST in include/d0audit/event.h. */
const char *const d0_ctx_names[] = {
	"vfio-power", "vfio-pm-ctrl", "vfio-config", "vfio-cmd", "rpm-suspend", "rpm-resume",
	"vfio-feature", "vfio-ioctl", "reset", "bus-reset", "hot-reset", "dmabuf-move", "vfio-flr",
	"pci-power", "err-recovery", NULL,
};

/* Must follow the bit order of D0_ST_LIST in include/d0audit/event.h. */
const char *const d0_state_names[] = {
	"open", "mem-enabled", "lock-held", "lock-held-other", "low-power", "mapped", "mapped-unknown",
	"vfio", "closing", "iommu-mapped", "seeded", "hw-known", "hw-mem-off", "hw-io-off", "raw-mapped", NULL,
};

/* One name per bit, and the bits dense from 0: a bit added without its name does not build. */
#define ONE_(name, bit) +1
#define CTX_OR_(name, bit) | D0_CTX_##name
#define ST_OR_(name, bit) | D0_ST_##name
enum { CTX_BITS = 0 D0_CTX_LIST(ONE_), ST_BITS = 0 D0_ST_LIST(ONE_) };
_Static_assert((0 D0_CTX_LIST(CTX_OR_)) == (1u << CTX_BITS) - 1, "D0_CTX_LIST: bits not dense from 0");
_Static_assert((0 D0_ST_LIST(ST_OR_)) == (1u << ST_BITS) - 1, "D0_ST_LIST: bits not dense from 0");
_Static_assert(sizeof(d0_ctx_names) / sizeof(d0_ctx_names[0]) == CTX_BITS + 1, "a D0_CTX_ bit without its name");
_Static_assert(sizeof(d0_state_names) / sizeof(d0_state_names[0]) == ST_BITS + 1, "a D0_ST_ bit without its name");

const char *d0_drop_cause_name(unsigned int cause)
{
#define DROP_NAME_(name, text, what) [D0_DROP_##name] = text,
	static const char *const names[D0_DROP_CAUSES] = { D0_DROP_CAUSE_LIST(DROP_NAME_) };

	return cause < D0_DROP_CAUSES ? names[cause] : "?";
}

const char *d0_drop_cause_meaning(unsigned int cause)
{
#define DROP_WHAT_(name, text, what) [D0_DROP_##name] = what,
	static const char *const what[D0_DROP_CAUSES] = { D0_DROP_CAUSE_LIST(DROP_WHAT_) };

	return cause < D0_DROP_CAUSES ? what[cause] : "?";
}

void d0_bdf_format(__u32 bdf, char *buf, unsigned long len)
{
	if (bdf == 0xffffffffu) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%04x:%02x:%02x.%x", bdf >> 16, (bdf >> 8) & 0xff, (bdf >> 3) & 0x1f, bdf & 7);
}

int d0_phase_from_name(const char *name)
{
	if (!strcmp(name, "entry"))
		return D0_PH_ENTRY;
	if (!strcmp(name, "exit"))
		return D0_PH_EXIT;
	if (!strcmp(name, "point"))
		return D0_PH_POINT;
	return -1;
}

int d0_power_from_name(const char *name, int *power)
{
	for (int p = D0_PWR_ERROR; p <= D0_PWR_UNKNOWN; p++) {
		if (!strcmp(d0_power_name(p), name)) {
			*power = p;
			return 0;
		}
	}
	return -1;
}

int d0_rpm_from_name(const char *name)
{
	for (unsigned int s = 0; s < 5; s++)
		if (!strcmp(d0_rpm_name(s), name))
			return s;
	return !strcmp(name, "unknown") ? 0xff : -1;
}

long long d0_bits_from_names(const char *const names[], const char *const *list, int n, int *bad)
{
	long long bits = 0;

	for (int i = 0; i < n; i++) {
		int j;

		for (j = 0; names[j] && strcmp(names[j], list[i]); j++)
			;
		if (!names[j]) {
			*bad = i;
			return -1;
		}
		bits |= 1LL << j;
	}
	return bits;
}

int d0_bdf_parse_arg(const char *s, __u32 *bdf, bool *short_form)
{
	char full[24];

	*short_form = false;
	if (!d0_bdf_parse(s, bdf))
		return 0;
	/* exactly two colon-separated parts: BB:DD.F */
	if (!strchr(s, ':') || strchr(strchr(s, ':') + 1, ':') || strlen(s) > 12)
		return -1;
	snprintf(full, sizeof(full), "0000:%s", s);
	if (d0_bdf_parse(full, bdf))
		return -1;
	*short_form = true;
	return 0;
}

int d0_bdf_parse(const char *s, __u32 *bdf)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (!strcmp(s, "-")) {
		*bdf = 0xffffffffu;
		return 0;
	}
	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4 || dom > 0xffff || bus > 0xff ||
	    dev > 0x1f || fn > 7)
		return -1;
	*bdf = dom << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}
