// SPDX-License-Identifier: GPL-2.0
/*
 * Variant drivers: which ops of a bound vfio device's driver are
 * vfio_pci_core_* (hooked), which are the driver's own, and what that leaves
 * unobserved. See variant_ops.h.
 */
#include "kernel/variant_ops.h"
#include "lib/log.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const d0_variant_op_names[D0_OP_COUNT] = { "read", "write", "mmap", "ioctl" };

const char *d0_op_class_name(enum d0_op_class c)
{
	static const char *const n[] = { "none", "core", "reviewed", "private" };

	return c <= D0_OPC_PRIVATE ? n[c] : "?";
}

/*
 * Private ops known from the kernel source (7.2). `covered`: every BAR
 * access they make goes through a hooked function; otherwise `what` says
 * what is not observed.
 */
static const struct known_op {
	const char *name, *module;
	bool covered;
	const char *what;
} known_ops[] = {
	{ "virtiovf_pci_core_read", "virtio_vfio_pci", true,
	  "legacy I/O BAR0: the notify register through vfio_pci_core_ioread16 (hooked), the rest as admin-queue "
	  "commands to the PF; other regions through vfio_pci_core_read" },
	{ "virtiovf_pci_core_write", "virtio_vfio_pci", true,
	  "legacy I/O BAR0: the notify register through vfio_pci_core_iowrite16 (hooked), the rest as admin-queue "
	  "commands to the PF; other regions through vfio_pci_core_write" },
	{ "nvgrace_gpu_read", "nvgrace_gpu_vfio_pci", false,
	  "device memory (usemem/resmem) copied with plain CPU loads on its own memremap/ioremap_wc" },
	{ "nvgrace_gpu_write", "nvgrace_gpu_vfio_pci", false,
	  "device memory (usemem/resmem) written with plain CPU stores on its own memremap/ioremap_wc" },
	{ "nvgrace_gpu_mmap", "nvgrace_gpu_vfio_pci", false,
	  "device memory mapped by the driver itself (its own vm_ops), not vfio_pci_core_mmap's" },
	{ "hisi_acc_vfio_pci_read", "hisi_acc_vfio_pci", false,
	  "the live-migration code reads the VF's BAR2 with readl on its own ioremap (hisi_acc_vf_qm_init)" },
	{ "hisi_acc_vfio_pci_write", "hisi_acc_vfio_pci", false,
	  "the live-migration code writes the VF's BAR2 with writel on its own ioremap (hisi_acc_vf_qm_init)" },
};

/* Bounded copy: names longer than the field are cut, never overflow. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* "name [module]" -> name and module ("vmlinux" without brackets). */
static void split_sym(const char *sym, char *name, size_t nlen, char *mod, size_t mlen)
{
	const char *b = strchr(sym, ' ');
	size_t n = b ? (size_t)(b - sym) : strlen(sym);

	snprintf(name, nlen, "%.*s", (int)n, sym);
	if (b && b[1] == '[')
		snprintf(mod, mlen, "%.*s", (int)strcspn(b + 2, "]"), b + 2);
	else
		snprintf(mod, mlen, "vmlinux");
}

static void add_gap(struct d0_variant_dev *d, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(d->gap);

	if (len)
		len += (size_t)snprintf(d->gap + len, sizeof(d->gap) - len, "; ");
	if (len < sizeof(d->gap))
		snprintf(d->gap + len, sizeof(d->gap) - len, fmt, a, b);
}

void d0_variant_judge(struct d0_variant_dev *d)
{
	d->gap[0] = 0;
	if (!d->ops_known) {
		for (int i = 0; i < D0_OP_COUNT; i++)
			d->cls[i] = D0_OPC_PRIVATE;
		add_gap(d, "%s%s", "its vfio_device_ops could not be read (no config read reached the probe hook?): "
			   "which BAR paths its driver uses is unknown", "");
		return;
	}
	for (int i = 0; i < D0_OP_COUNT; i++) {
		char name[96], mod[64];
		const struct known_op *k = NULL;

		if (!d->sym[i][0]) {
			d->cls[i] = D0_OPC_NONE;
			continue;
		}
		if (!strncmp(d->sym[i], "0x", 2)) {
			d->cls[i] = D0_OPC_PRIVATE;
			add_gap(d, "its %s op at %s is not in /proc/kallsyms (addresses hidden by kptr_restrict?): "
				   "cannot tell whether it is vfio_pci_core's", d0_variant_op_names[i], d->sym[i]);
			continue;
		}
		split_sym(d->sym[i], name, sizeof(name), mod, sizeof(mod));
		if (!strncmp(name, "vfio_pci_core_", 14) && !strcmp(mod, "vfio_pci_core")) {
			d->cls[i] = D0_OPC_CORE;
			continue;
		}
		for (size_t j = 0; j < sizeof(known_ops) / sizeof(known_ops[0]); j++)
			if (!strcmp(name, known_ops[j].name) && !strcmp(mod, known_ops[j].module))
				k = &known_ops[j];
		if (k && k->covered) {
			d->cls[i] = D0_OPC_REVIEWED;
			continue;
		}
		d->cls[i] = D0_OPC_PRIVATE;
		if (k)
			add_gap(d, "%s: %s", d->sym[i], k->what);
		else
			add_gap(d, "%s is the driver's own %s op: BAR accesses it makes without vfio_pci_core_read/write/"
				   "mmap or the core I/O accessors are not observed", d->sym[i], d0_variant_op_names[i]);
	}
}

/* Is `module` vfio_pci_core itself's user (vfio_pci or a variant)? */
static bool uses_vfio_pci_core(const char *sysroot, const char *module)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/sys/module/vfio_pci_core/holders/%s", sysroot, module);
	return access(p, F_OK) == 0;
}

static int read_link_base(const char *path, char *out, size_t len)
{
	char buf[512];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	const char *b;

	if (n <= 0)
		return -1;
	buf[n] = 0;
	b = strrchr(buf, '/');
	copy_str(out, len, b ? b + 1 : buf);
	return 0;
}

/* Every PCI device whose driver's module holds vfio_pci_core. */
static int list_bound(const char *sysroot, struct d0_variant_dev *out, int max)
{
	char p[512], drv[64], mod[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices", sysroot);
	dir = opendir(p);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver", sysroot, de->d_name);
		if (read_link_base(p, drv, sizeof(drv)))
			continue;
		snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/%s/module", sysroot, drv);
		if (read_link_base(p, mod, sizeof(mod)) || !uses_vfio_pci_core(sysroot, mod))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		copy_str(out[n].bdf, sizeof(out[n].bdf), de->d_name);
		copy_str(out[n].driver, sizeof(out[n].driver), drv);
		n++;
	}
	closedir(dir);
	return n;
}

/* The 4-byte config read that runs fentry_ops_probe for the device. */
static void probe_config(const char *sysroot, const char *bdf)
{
	char p[512];
	__u32 v;
	int fd;

	if (snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/config", sysroot, bdf) >= (int)sizeof(p))
		return;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		d0_warn("variant ops: cannot open %s: %s; the device's ops stay unknown", p, strerror(errno));
		return;
	}
	if (pread(fd, &v, sizeof(v), 0) != sizeof(v))
		d0_warn("variant ops: reading %s failed: %s; the device's ops stay unknown", p, strerror(errno));
	close(fd);
}

static __u32 bdf_key(const char *bdf)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return 0xffffffffu;
	return (dom << 16) | ((bus & 0xff) << 8) | ((dev & 0x1f) << 3) | (fn & 7);
}

struct addr_slot {
	unsigned long long addr;
	char *sym;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct addr_slot *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Name every wanted address from /proc/kallsyms ("name [module]"); unnamed ones stay "0x...". */
static void resolve(const char *sysroot, struct addr_slot *s, int n)
{
	char p[512], line[512], name[256], mod[128];
	unsigned long long addr;
	char type;
	FILE *f;

	qsort(s, n, sizeof(*s), cmp_slot);
	snprintf(p, sizeof(p), "%s/proc/kallsyms", sysroot);
	f = fopen(p, "re");
	if (!f) {
		d0_warn("variant ops: cannot read %s: %s; ops stay unnamed", p, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct addr_slot key, *hit;
		char *rest;
		int k;

		/* the address first: the rest of some 200k lines is parsed only for the few wanted */
		addr = strtoull(line, &rest, 16);
		if (!addr)
			continue;
		key.addr = addr;
		hit = bsearch(&key, s, n, sizeof(*s), cmp_slot);
		if (!hit)
			continue;
		mod[0] = 0;
		k = sscanf(rest, " %c %255s [%127[^]]]", &type, name, mod);
		if (k < 2)
			continue;
		/* equal addresses sit together: name them all */
		while (hit > s && hit[-1].addr == addr)
			hit--;
		for (; hit < s + n && hit->addr == addr; hit++)
			if (!strncmp(hit->sym, "0x", 2) &&
			    snprintf(hit->sym, 96, "%s%s%s%s", name, mod[0] ? " [" : "", mod, mod[0] ? "]" : "") >= 96)
				hit->sym[95] = 0;
	}
	fclose(f);
}

int d0_variant_probe(const char *sysroot)
{
	struct d0_variant_dev devs[D0_VARIANT_MAX];
	int n = list_bound(sysroot, devs, D0_VARIANT_MAX);

	for (int i = 0; i < n; i++)
		probe_config(sysroot, devs[i].bdf);
	return n;
}

int d0_variant_collect(int map_fd, const char *sysroot, struct d0_variant_dev *out, int max)
{
	struct addr_slot slots[D0_VARIANT_MAX * D0_OP_COUNT];
	struct d0_driver_ops v;
	__u32 key, next, *prev = NULL;
	int n, ns = 0;

	if (max > D0_VARIANT_MAX)
		max = D0_VARIANT_MAX;
	n = list_bound(sysroot, out, max);
	if (n < 0)
		return n;
	/* devices that registered during the audit and are gone from sysfs are in the map too */
	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		char bdf[16];
		int i;

		key = next;
		prev = &key;
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", key >> 16, (key >> 8) & 0xff, (key >> 3) & 0x1f,
			 key & 7);
		for (i = 0; i < n && bdf_key(out[i].bdf) != key; i++)
			;
		if (i == n) {
			if (n >= max)
				break;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].bdf, sizeof(out[n].bdf), "%s", bdf);
			n++;
		}
	}
	for (int i = 0; i < n; i++) {
		key = bdf_key(out[i].bdf);
		if (bpf_map_lookup_elem(map_fd, &key, &v))
			continue;
		out[i].ops_known = true;
		if (!out[i].driver[0])
			snprintf(out[i].driver, sizeof(out[i].driver), "%.*s", (int)sizeof(v.driver), v.driver);
		for (int j = 0; j < D0_OP_COUNT; j++) {
			if (!v.fn[j])
				continue;
			snprintf(out[i].sym[j], sizeof(out[i].sym[j]), "0x%llx", (unsigned long long)v.fn[j]);
			slots[ns].addr = v.fn[j];
			slots[ns++].sym = out[i].sym[j];
		}
	}
	if (ns)
		resolve(sysroot, slots, ns);
	for (int i = 0; i < n; i++)
		d0_variant_judge(&out[i]);
	return n;
}
