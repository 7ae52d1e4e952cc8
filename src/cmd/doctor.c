// SPDX-License-Identifier: GPL-2.0
/*
 * d0audit doctor: can this host be audited, and if not, exactly why.
 * Reports the kernel, BTF, vfio, privileges, lockdown and, per hook, whether
 * it attaches here. With privileges it really loads and attaches the BPF
 * object (then detaches), so "attached" means proven, not predicted.
 */
#include "cli/cli.h"
#include "d0audit.skel.h"
#include "kernel/device_power.h"
#include "kernel/host_info.h"
#include "kernel/loader.h"
#include "lib/log.h"
#include "kernel/variant_ops.h"
#include "lib/json_out.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MAX_PROBLEMS 16

struct verdict {
	const char *problems[MAX_PROBLEMS];
	char storage[MAX_PROBLEMS][256];
	int n;
};

__attribute__((format(printf, 2, 3))) static void problem(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->n >= MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(v->storage[v->n], sizeof(v->storage[0]), fmt, ap);
	va_end(ap);
	v->problems[v->n] = v->storage[v->n];
	v->n++;
}

static bool hook_works(const struct d0_loader *l, int hook, bool loaded)
{
	enum d0_hook_status s = d0_plan_status(&l->plan[hook], loaded);

	return s == D0_HS_ATTACHED || s == D0_HS_ATTACHABLE;
}

/* A core hook is covered when a fallback row for it works (6.1's names). */
static bool fallback_works(const struct d0_loader *l, int hook, bool loaded)
{
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (d0_hooks[i].alt == (enum d0_hook_id)hook && hook_works(l, i, loaded))
			return true;
	return false;
}

static void judge(const struct d0_host_info *h, const struct d0_loader *l, bool loaded, struct verdict *v)
{
	if (!h->vmlinux_btf)
		problem(v, "no kernel BTF (/sys/kernel/btf/vmlinux): d0audit needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (!h->vfio_pci_loaded)
		problem(v, "nothing to audit: vfio-pci is not loaded on this host (modprobe vfio-pci, then bind a device to it; "
			"no device? 'make demo' in the source tree audits one in a VM)");
	else if (!h->vfio_pci_core_btf)
		problem(v, "vfio-pci is loaded but vfio_pci_core has no BTF (/sys/kernel/btf/vfio_pci_core): needs CONFIG_DEBUG_INFO_BTF_MODULES=y");
	if (!d0_host_can_trace(h))
		problem(v, "insufficient privileges: run as root, or with CAP_SYS_ADMIN (CAP_BPF and CAP_PERFMON are "
			   "not enough: finding the vfio modules' BTF needs CAP_SYS_ADMIN)");
	if (!strcmp(h->lockdown, "confidentiality"))
		problem(v, "kernel lockdown is 'confidentiality': BPF may not read kernel memory (boot with lockdown=integrity or none)");
	if (!h->vfio_pci_loaded)
		return;
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		if (!(d0_hooks[i].flags & D0_HF_CORE) || hook_works(l, i, loaded))
			continue;
		/* The path does not exist on this kernel (no DMABUFs before 6.19): nothing to miss. */
		if (l->facts.t[i].requires_missing && !strcmp(d0_hooks[i].module, "vfio_pci_core"))
			continue;
		if (fallback_works(l, i, loaded))
			continue;
		problem(v, "core hook %s (%s) %s: %s", d0_hooks[i].name, d0_hooks[i].target, d0_hook_status(l, i, loaded),
			l->plan[i].reason);
	}
}

static json_t *hooks_json(const struct d0_loader *l, bool loaded)
{
	json_t *arr = json_array();

	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *d = &d0_hooks[i];
		const struct d0_hook_plan *p = &l->plan[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:s}",
			"name", d->name, "program", d->prog, "kind", d0_hook_kind_name(d->kind),
			"target", d->target, "module", d->module, "core", (d->flags & D0_HF_CORE) != 0,
			"hot", (d->flags & D0_HF_HOT) != 0, "status", d0_hook_status(l, i, loaded),
			"symbol", p->symbol, "reason", p->reason,
			/* issue 18: its own program, or the shared kprobe.multi/kretprobe.multi programs */
			"served", p->multi ? "multi" : "own"));
	}
	return arr;
}

static json_t *device_power_json(const struct d0_device_power *p, int n)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s}", "bdf", p[i].bdf, "kernel", p[i].kernel,
				      "runtime_status", p[i].runtime, "agree", p[i].agree, "note", p[i].note);

		json_object_set_new(o, "pmcsr", p[i].pmcsr < 0 ? json_null() : json_integer(p[i].pmcsr));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Before the report: a disagreement is a finding of its own, not a reason to refuse auditing. */
static void print_devices(const struct d0_device_power *p, int n)
{
	if (n < 0)
		return;
	printf("device power cross-check (kernel current_state vs PMCSR):\n");
	if (!n)
		printf("  no vfio devices\n");
	for (int i = 0; i < n; i++)
		printf("  %-13s kernel %-7s runtime %-10s PMCSR %-5s %s%s%s\n", p[i].bdf, p[i].kernel, p[i].runtime,
		       p[i].pmcsr < 0 ? "-" : (const char *[]){ "D0", "D1", "D2", "D3hot" }[p[i].pmcsr],
		       p[i].agree ? "agree" : "DISAGREE", p[i].note[0] ? ": " : "", p[i].note);
	printf("\n");
}

/* Per bound device: its driver's ops (core or its own) and what d0audit does not observe. */
static void print_drivers(const struct d0_variant_dev *d, int n)
{
	if (n < 0) {
		printf("vfio device drivers: not checked (the BPF object was not loaded)\n\n");
		return;
	}
	printf("vfio device drivers (vfio_device_ops named through kallsyms):\n");
	if (!n)
		printf("  no device bound to a vfio_pci_core driver\n");
	for (int i = 0; i < n; i++) {
		printf("  %-13s %-18s", d[i].bdf, d[i].driver);
		for (int j = 0; j < D0_OP_COUNT; j++) {
			if (d[i].cls[j] == D0_OPC_CORE || d[i].cls[j] == D0_OPC_NONE)
				printf(" %s=%s", d0_variant_op_names[j], d0_op_class_name(d[i].cls[j]));
			else
				printf(" %s=%s (%s)", d0_variant_op_names[j], d[i].sym[j], d0_op_class_name(d[i].cls[j]));
		}
		printf("\n    %s%s\n", d[i].gap[0] ? "NOT observed: " : "every BAR path observed", d[i].gap);
	}
	printf("\n");
}

static json_t *drivers_json(const struct d0_variant_dev *d, int n)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		json_t *ops = json_object();

		for (int j = 0; j < D0_OP_COUNT; j++)
			json_object_set_new(ops, d0_variant_op_names[j],
					    json_pack("{s:s?, s:s}", "symbol", d[i].sym[j][0] ? d[i].sym[j] : NULL,
						      "class", d0_op_class_name(d[i].cls[j])));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o, s:s?}", "bdf", d[i].bdf, "driver",
						     d[i].driver, "ops_known", d[i].ops_known, "ops", ops,
						     "not_observed", d[i].gap[0] ? d[i].gap : NULL));
	}
	return arr;
}

static int print_json(const struct d0_host_info *h, const struct d0_loader *l, bool loaded,
		      const struct verdict *v, int code, const struct d0_device_power *power, int ndev,
		      const struct d0_variant_dev *drivers, int ndrivers)
{
	json_t *devs = json_array(), *problems = json_array(), *root, *held_arr = json_array();
	char held[128], *save = NULL;

	d0_loader_held_modules(l, loaded, held, sizeof(held));
	for (char *m = strtok_r(held, " ", &save); m; m = strtok_r(NULL, " ", &save))
		json_array_append_new(held_arr, json_string(m));

	for (int i = 0; i < h->vfio_devices && i < D0_MAX_LISTED_DEVICES; i++)
		json_array_append_new(devs, json_string(h->devices[i]));
	for (int i = 0; i < v->n; i++)
		json_array_append_new(problems, json_string(v->problems[i]));
	root = json_pack("{s:s, s:{s:s, s:b, s:b, s:b}, s:{s:b, s:i, s:o}, s:{s:b, s:b, s:b, s:b, s:b}, s:s, s:b, s:o, s:o, s:{s:b, s:i, s:o}}",
		"type", "doctor", "kernel", "release", h->release, "btf", h->vmlinux_btf, "vfio_pci_core_btf", h->vfio_pci_core_btf,
		"preempt_rt", h->preempt_rt,
		"vfio", "pci_loaded", h->vfio_pci_loaded, "device_count", h->vfio_devices, "devices", devs,
		"privileges", "root", h->root, "cap_bpf", h->cap_bpf, "cap_perfmon", h->cap_perfmon,
		"cap_sys_admin", h->cap_sys_admin, "sufficient", d0_host_can_trace(h),
		"lockdown", h->lockdown,
		"hooks_loaded", loaded,
		"hooks", hooks_json(l, loaded), "holds_modules", held_arr,
		"verdict", "can_audit", code == D0_EXIT_OK, "exit_code", code, "problems", problems);
	if (root && ndev >= 0)
		json_object_set_new(root, "device_power", device_power_json(power, ndev));
	if (root && ndrivers >= 0)
		json_object_set_new(root, "drivers", drivers_json(drivers, ndrivers));
	/* where user PTEs on BARs live: what the zap hook must see (from BTF) */
	if (root)
		json_object_set_new(root, "mapping_model", json_string(d0_mapping_model_name(l->facts.mapping_model)));
	/* issue 14, class 4: DMABUF imports into an iommufd IOAS are not tracked as grants */
	if (root)
		json_object_set_new(root, "iommufd", json_boolean(l->facts.iommufd));
	if (!root) {
		d0_err("internal error: cannot build the doctor JSON");
		return D0_EXIT_CANNOT;
	}
	d0_json_print(root);
	return code;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static int print_text(const struct d0_host_info *h, const struct d0_loader *l, bool loaded,
		      const struct verdict *v, int code, const struct d0_variant_dev *drivers, int ndrivers)
{
	char held[128];

	printf("kernel:            %s\n", h->release);
	if (h->preempt_rt) /* only here: other kernels' report stays as it was */
		printf("preemption:        PREEMPT_RT (vfio memory_lock is an rtmutex-based rwsem: its lock state is read in that layout)\n");
	printf("kernel BTF:        %s\n", yes(h->vmlinux_btf));
	printf("vfio_pci_core BTF: %s\n", yes(h->vfio_pci_core_btf));
	printf("vfio-pci loaded:   %s\n", yes(h->vfio_pci_loaded));
	printf("vfio-pci devices:  %d", h->vfio_devices);
	for (int i = 0; i < h->vfio_devices && i < D0_MAX_LISTED_DEVICES; i++)
		printf("%s%s", i ? " " : " (", h->devices[i]);
	printf("%s\n", h->vfio_devices ? ")" : "");
	printf("privileges:        root=%s CAP_BPF=%s CAP_PERFMON=%s CAP_SYS_ADMIN=%s\n", yes(h->root),
	       yes(h->cap_bpf), yes(h->cap_perfmon), yes(h->cap_sys_admin));
	printf("lockdown:          %s\n", h->lockdown);
	printf("mapping model:     %s\n", d0_mapping_model_text(l->facts.mapping_model));
	printf("iommufd:           %s\n", l->facts.iommufd
	       ? "built: its IOMMU entries for vfio DMABUF imports are not tracked (audits say incomplete)"
	       : "not built (CONFIG_IOMMUFD off): IOMMU entries on BARs come only from type1, tracked");
	printf("\nhooks (%s):\n", loaded ? "loaded and attached for real, then detached"
					 : "predicted from BTF, kallsyms and ftrace; not loaded");
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *d = &d0_hooks[i];
		const struct d0_hook_plan *p = &l->plan[i];

		printf("  %-22s %-9s %-32s %-11s%s%s\n", d->name, d0_hook_kind_name(d->kind), d->target,
		       d0_hook_status(l, i, loaded), p->reason[0] ? " " : "", p->reason);
	}
	if (d0_loader_held_modules(l, loaded, held, sizeof(held)))
		printf("\nwhile d0audit is attached, modules %s cannot be unloaded (its fentry programs hold a\n"
		       "reference; rmmod fails with 'Resource temporarily unavailable'): stop it first.\n", held);
	printf("\n");
	if (code == D0_EXIT_OK) {
		printf("verdict: ready to audit %d device(s)\n", h->vfio_devices);
		for (int i = 0; i < ndrivers; i++)
			if (drivers[i].gap[0])
				printf("  but audits will be incomplete (exit 3) for %s (driver %s): see above\n",
				       drivers[i].bdf, drivers[i].driver);
	} else {
		printf("verdict: cannot audit this host:\n");
		for (int i = 0; i < v->n; i++)
			printf("  - %s\n", v->problems[i]);
	}
	return code;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: d0audit doctor [--no-load] [--devices] [-j] [-p]\n"
		"\n"
		"Tells whether this host can be audited and, if not, why: kernel release, kernel\n"
		"and vfio module BTF, vfio-pci and its devices, privileges, lockdown, and for every\n"
		"hook whether it attaches here (with the reason when it does not).\n"
		"\n"
		"  --no-load   only predict attachability; do not load the BPF object\n"
		"  --devices   cross-check each vfio device's power state: the kernel's view against\n"
		"              the PMCSR bits in config space (flags writes behind the PCI core)\n"
		"  -j, --json  JSON on stdout\n"
		"  -p, --pretty  indented JSON\n"
		"\n"
		"Exit: 0 ready to audit, 2 usage error, 3 cannot audit (reasons printed).\n");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-load", no_argument, NULL, 'n' },
		{ "devices", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		D0_GLOBAL_LONG,
		{ 0 },
	};
	struct d0_device_power power[D0_MAX_LISTED_DEVICES];
	struct d0_variant_dev drivers[D0_VARIANT_MAX];
	int ndrivers = -1;
	struct d0_host_info host;
	struct d0_loader loader = {};
	int ndev;
	struct verdict v = {};
	bool load = true, loaded = false, check_devices = false;
	int c, code, load_err = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh" D0_GLOBAL_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'n': load = false; break;
		case 'd': check_devices = true; break;
		case 'j': d0_opts.json = true; break;
		case 'h': usage(stdout); return D0_EXIT_OK;
		default:
			if (d0_global_opt(c))
				break;
			return d0_opt_error(argc, argv, "jh" D0_GLOBAL_SHORT, opts);
		}
	}
	if (optind < argc) {
		d0_usage_error("doctor: unexpected argument '%s'", argv[optind]);
		return D0_EXIT_USAGE;
	}
	d0_host_info_collect(&host, NULL);
	if (load && d0_host_can_trace(&host) && host.vmlinux_btf) {
		load_err = d0_loader_start(&loader, NULL);
		loaded = load_err == 0;
		if (loaded && d0_variant_probe("") >= 0)
			ndrivers = d0_variant_collect(bpf_map__fd(loader.skel->maps.driver_ops), "", drivers,
						      D0_VARIANT_MAX);
		d0_loader_stop(&loader);
	}
	if (!loaded && d0_loader_plan(&loader))
		return D0_EXIT_CANNOT;
	if (load_err)
		problem(&v, "the BPF object could not be loaded: %s (see the error above)", strerror(-load_err));
	judge(&host, &loader, loaded, &v);
	code = v.n ? D0_EXIT_CANNOT : D0_EXIT_OK;
	ndev = check_devices ? host.vfio_devices < D0_MAX_LISTED_DEVICES ? host.vfio_devices : D0_MAX_LISTED_DEVICES : -1;
	for (int i = 0; i < ndev; i++)
		d0_device_power_check("/sys/bus/pci/devices", host.devices[i], &power[i]);
	if (d0_opts.json)
		return print_json(&host, &loader, loaded, &v, code, power, ndev, drivers, ndrivers);
	print_devices(power, ndev);
	print_drivers(drivers, ndrivers);
	return print_text(&host, &loader, loaded, &v, code, drivers, ndrivers);
}
