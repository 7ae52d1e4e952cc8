// SPDX-License-Identifier: GPL-2.0
/*
 * Variant drivers: a device's ops are judged by their kallsyms names, not by
 * the driver's name; every op that is not vfio_pci_core_* or reviewed leaves
 * a gap (the audit becomes incomplete); a device whose ops BPF never learnt
 * is a gap too, never a clean pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/variant_ops.h"

static void set_ops(struct d0_variant_dev *d, const char *r, const char *w, const char *m, const char *i)
{
	const char *s[D0_OP_COUNT] = { r, w, m, i };

	memset(d, 0, sizeof(*d));
	d->ops_known = true;
	snprintf(d->bdf, sizeof(d->bdf), "0000:01:00.0");
	for (int j = 0; j < D0_OP_COUNT; j++)
		snprintf(d->sym[j], sizeof(d->sym[j]), "%s", s[j] ? s[j] : "");
	d0_variant_judge(d);
}

static void test_all_core(void **state)
{
	struct d0_variant_dev d;

	(void)state;
	set_ops(&d, "vfio_pci_core_read [vfio_pci_core]", "vfio_pci_core_write [vfio_pci_core]",
		"vfio_pci_core_mmap [vfio_pci_core]", "vfio_pci_core_ioctl [vfio_pci_core]");
	for (int j = 0; j < D0_OP_COUNT; j++)
		assert_int_equal(d.cls[j], D0_OPC_CORE);
	assert_string_equal(d.gap, "");
}

static void test_reviewed_and_private(void **state)
{
	struct d0_variant_dev d;

	(void)state;
	/* virtio's legacy ops: reviewed (their BAR paths end in hooked functions) */
	set_ops(&d, "virtiovf_pci_core_read [virtio_vfio_pci]", "virtiovf_pci_core_write [virtio_vfio_pci]",
		"vfio_pci_core_mmap [vfio_pci_core]", "vfio_pci_core_ioctl [vfio_pci_core]");
	assert_int_equal(d.cls[D0_OP_READ], D0_OPC_REVIEWED);
	assert_int_equal(d.cls[D0_OP_WRITE], D0_OPC_REVIEWED);
	assert_string_equal(d.gap, "");
	/* the same name from another module is not the reviewed function */
	set_ops(&d, "virtiovf_pci_core_read [my_variant]", "vfio_pci_core_write [vfio_pci_core]",
		"vfio_pci_core_mmap [vfio_pci_core]", "vfio_pci_core_ioctl [vfio_pci_core]");
	assert_int_equal(d.cls[D0_OP_READ], D0_OPC_PRIVATE);
	assert_non_null(strstr(d.gap, "virtiovf_pci_core_read [my_variant] is the driver's own read op"));
	/* a vfio_pci_core_ name outside vfio_pci_core is no core op either */
	set_ops(&d, "vfio_pci_core_read [fake]", NULL, NULL, NULL);
	assert_int_equal(d.cls[D0_OP_READ], D0_OPC_PRIVATE);
	assert_int_equal(d.cls[D0_OP_WRITE], D0_OPC_NONE);
	/* nvgrace-gpu: known, not covered, with its reason; two gaps joined */
	set_ops(&d, "nvgrace_gpu_read [nvgrace_gpu_vfio_pci]", "vfio_pci_core_write [vfio_pci_core]",
		"nvgrace_gpu_mmap [nvgrace_gpu_vfio_pci]", "vfio_pci_core_ioctl [vfio_pci_core]");
	assert_int_equal(d.cls[D0_OP_READ], D0_OPC_PRIVATE);
	assert_int_equal(d.cls[D0_OP_MMAP], D0_OPC_PRIVATE);
	assert_non_null(strstr(d.gap, "plain CPU loads"));
	assert_non_null(strstr(d.gap, "; nvgrace_gpu_mmap [nvgrace_gpu_vfio_pci]: device memory mapped"));
	/* an address kallsyms does not name (kptr_restrict) */
	set_ops(&d, "0xffffffffc0000000", NULL, NULL, NULL);
	assert_int_equal(d.cls[D0_OP_READ], D0_OPC_PRIVATE);
	assert_non_null(strstr(d.gap, "is not in /proc/kallsyms"));
}

static void test_unknown_ops(void **state)
{
	struct d0_variant_dev d = { .ops_known = false };

	(void)state;
	d0_variant_judge(&d);
	assert_non_null(strstr(d.gap, "could not be read"));
}

/* A sysfs tree with one device on a vfio_pci_core driver and one on another driver; no BPF map. */
static void test_collect_without_ops(void **state)
{
	char root[] = "/tmp/d0variant.XXXXXX", p[2048];
	struct d0_variant_dev d[4];
	int n;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "mkdir -p %s/sys/bus/pci/devices/0000:01:00.0 %s/sys/bus/pci/devices/0000:00:02.0 "
		 "%s/sys/bus/pci/drivers/virtio_vfio_pci %s/sys/bus/pci/drivers/e1000e "
		 "%s/sys/module/virtio_vfio_pci %s/sys/module/e1000e %s/sys/module/vfio_pci_core/holders && "
		 "ln -s ../../../module/virtio_vfio_pci %s/sys/bus/pci/drivers/virtio_vfio_pci/module && "
		 "ln -s ../../../module/e1000e %s/sys/bus/pci/drivers/e1000e/module && "
		 "ln -s ../../../module/virtio_vfio_pci %s/sys/module/vfio_pci_core/holders/virtio_vfio_pci && "
		 "ln -s ../../drivers/virtio_vfio_pci %s/sys/bus/pci/devices/0000:01:00.0/driver && "
		 "ln -s ../../drivers/e1000e %s/sys/bus/pci/devices/0000:00:02.0/driver",
		 root, root, root, root, root, root, root, root, root, root, root, root);
	assert_int_equal(system(p), 0);
	n = d0_variant_collect(-1, root, d, 4);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].bdf, "0000:01:00.0");
	assert_string_equal(d[0].driver, "virtio_vfio_pci");
	assert_false(d[0].ops_known);
	assert_non_null(strstr(d[0].gap, "could not be read"));
	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_core),
		cmocka_unit_test(test_reviewed_and_private),
		cmocka_unit_test(test_unknown_ops),
		cmocka_unit_test(test_collect_without_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
