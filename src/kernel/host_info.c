// SPDX-License-Identifier: GPL-2.0
#include "kernel/host_info.h"
#include "lib/caps.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool exists(const char *root, const char *path)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, path);
	return access(p, F_OK) == 0;
}

static int cmp_str16(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void collect_devices(struct d0_host_info *h, const char *root)
{
	char p[512];
	struct dirent *de;
	DIR *d;

	snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/vfio-pci", root);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (fnmatch("[0-9a-f]*:[0-9a-f]*:[0-9a-f]*.[0-7]", de->d_name, 0) ||
		    strlen(de->d_name) >= sizeof(h->devices[0]))
			continue;
		if (h->vfio_devices < D0_MAX_LISTED_DEVICES)
			memcpy(h->devices[h->vfio_devices], de->d_name, strlen(de->d_name) + 1);
		h->vfio_devices++;
	}
	closedir(d);
	qsort(h->devices, h->vfio_devices < D0_MAX_LISTED_DEVICES ? h->vfio_devices : D0_MAX_LISTED_DEVICES,
	      sizeof(h->devices[0]), cmp_str16);
}

/* /sys/kernel/security/lockdown reads "none [integrity] confidentiality". */
static void collect_lockdown(struct d0_host_info *h, const char *root)
{
	char p[512], line[128];
	char *open_br, *close_br;
	FILE *f;

	snprintf(h->lockdown, sizeof(h->lockdown), "unknown");
	snprintf(p, sizeof(p), "%s/sys/kernel/security/lockdown", root);
	f = fopen(p, "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (open_br = strchr(line, '[')) && (close_br = strchr(open_br, ']'))) {
		*close_br = 0;
		snprintf(h->lockdown, sizeof(h->lockdown), "%s", open_br + 1);
	}
	fclose(f);
}

static void collect_caps(struct d0_host_info *h)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	h->root = geteuid() == 0;
	if (syscall(SYS_capget, &hdr, data))
		return;
	h->cap_sys_admin = data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	h->cap_perfmon = data[CAP_PERFMON / 32].effective & (1u << (CAP_PERFMON % 32));
	h->cap_bpf = data[CAP_BPF / 32].effective & (1u << (CAP_BPF % 32));
}

void d0_host_info_collect(struct d0_host_info *h, const char *sysroot)
{
	const char *root = sysroot ? sysroot : "";
	struct utsname u;

	memset(h, 0, sizeof(*h));
	uname(&u);
	snprintf(h->release, sizeof(h->release), "%s", u.release);
	h->preempt_rt = strstr(u.version, "PREEMPT_RT") != NULL;
	h->vmlinux_btf = exists(root, "/sys/kernel/btf/vmlinux");
	h->vfio_pci_core_btf = exists(root, "/sys/kernel/btf/vfio_pci_core");
	h->vfio_pci_loaded = exists(root, "/sys/bus/pci/drivers/vfio-pci");
	collect_devices(h, root);
	collect_lockdown(h, root);
	collect_caps(h);
}

/*
 * CAP_BPF+CAP_PERFMON load and attach tracing programs, but finding a
 * module's BTF (vfio_pci_core's, for CO-RE and for attaching to it) walks
 * BTF ids with BPF_BTF_GET_NEXT_ID, which the kernel allows only with
 * CAP_SYS_ADMIN (seen in the guest: libbpf "failed to iterate BTF objects").
 */
bool d0_host_can_trace(const struct d0_host_info *h)
{
	return h->cap_sys_admin;
}
