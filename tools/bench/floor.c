// SPDX-License-Identifier: GPL-2.0
/*
 * floor: attach empty fentry/fexit programs to the functions d0audit hooks
 * (the hook table, include/d0audit/hooks.h), for benchmark figure 1's floor.
 *
 *   floor [--hot] [--multi] [--obj PATH]
 *
 * Default: every FENTRY/FEXIT row of the table whose function exists in the
 * running kernel's BTF (fallback rows only when their primary is missing),
 * so that a loop costs the same trampolines as under d0audit. --hot: only
 * the D0_HF_HOT rows. --multi: the rows d0audit serves with its two
 * multi-attached program (include/d0audit/cold_hooks.h) go on one empty
 * program's kprobe.multi and kretprobe.multi links instead, the floor of
 * d0audit's own attach mechanism (issue 18), and where the kernel has tracing
 * multi links (7.2+) the D0_HF_FEXIT_MULTI rows go on one empty
 * program's fexit.multi link, loaded as d0audit loads fexit_multi. Prints "floor: N programs attached" on stderr once
 * attached, then waits for SIGINT/SIGTERM and detaches.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include "d0audit/hooks.h"
#include "d0audit/event.h"
#include "d0audit/rules.h"
#include "d0audit/cold_hooks.h"
#include "kernel/fexit_multi.h"

static const struct d0_cold_cfg cold[D0_HOOK_COUNT] = { D0_COLD_TABLE(D0_COLD_CFG_ROW) };

struct row {
	const char *id;
	enum d0_hook_kind kind;
	const char *target;
	const char *module;
	unsigned flags;
	int alt;
};

#define ROW(id, prog, kind, target, module, flags, alt, requires) \
	{ #id, D0_##kind, target, module, flags, D0_HOOK_##alt },
static const struct row rows[] = { D0_HOOK_TABLE(ROW) };
#undef ROW
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))
#define NPROGS 64

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* The function's BTF id in its module's BTF (vmlinux or a loaded module), 0 if it has none. */
static int func_btf_id(struct btf *vmlinux, const char *module, const char *func)
{
	char path[256];
	struct btf *btf = vmlinux;
	int found;

	if (strcmp(module, "vmlinux")) {
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
		if (access(path, R_OK))
			return 0;
		btf = btf__parse_split(path, vmlinux);
		if (!btf)
			return 0;
	}
	found = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	found = found > 0 ? found : 0;
	if (btf != vmlinux)
		btf__free(btf);
	return found;
}

/* available_filter_functions, whole, for traceable(); NULL if it cannot be read */
static char *ftrace_list;

static void ftrace_list_read(void)
{
	FILE *f = fopen("/sys/kernel/tracing/available_filter_functions", "r");
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap + 2);

	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return;
	}
	buf[len++] = '\n';
	for (size_t n; (n = fread(buf + len, 1, cap - len, f)) > 0;) {
		len += n;
		if (len == cap && !(buf = realloc(buf, (cap *= 2) + 2)))
			break;
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	ftrace_list = buf;
}

/* Has the function an ftrace site ("name" or "name [module]" on a line)? A multi link needs every one. */
static int traceable(const char *func)
{
	char pat[160];

	if (!ftrace_list)
		return 1;
	snprintf(pat, sizeof(pat), "\n%s\n", func);
	if (strstr(ftrace_list, pat))
		return 1;
	snprintf(pat, sizeof(pat), "\n%s [", func);
	return strstr(ftrace_list, pat) != NULL;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL;
	struct bpf_program *prog, *progs[NROWS];
	struct bpf_link *links[2 * NPROGS + 2];
	struct bpf_object *obj;
	struct btf *vmlinux;
	int hot = 0, multi = 0, used[NROWS], present[NROWS], nfentry = 0, nfexit = 0, nlinks = 0, i;
	const char *msyms[2][NROWS];
	int nm[2] = {0, 0}, j, nfm = 0, fm_fd = -1;
	static struct d0_kernel_facts facts; /* what d0_fexit_multi_attach reads: the type and the BTF ids */
	bool fm[NROWS] = {};
	char self[4096], defpath[4200];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hot"))
			hot = 1;
		else if (!strcmp(argv[i], "--multi"))
			multi = 1;
		else if (!strcmp(argv[i], "--obj") && i + 1 < argc)
			obj_path = argv[++i];
		else {
			fprintf(stderr, "usage: floor [--hot] [--multi] [--obj PATH]\n");
			return 2;
		}
	}
	if (!obj_path) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n < 0)
			return 1;
		self[n] = 0;
		*strrchr(self, '/') = 0;
		snprintf(defpath, sizeof(defpath), "%s/floor.bpf.o", self);
		obj_path = defpath;
	}
	libbpf_set_print(quiet);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		fprintf(stderr, "floor: no vmlinux BTF\n");
		return 1;
	}
	for (i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];

		used[i] = 0;
		/* the BTF id itself: a tracing multi link names its functions by it */
		present[i] = r->kind == D0_FENTRY || r->kind == D0_FEXIT ? func_btf_id(vmlinux, r->module, r->target) : 0;
		if (!present[i] || (hot && !(r->flags & D0_HF_HOT)))
			continue;
		/* a fallback only when the row it replaces is missing */
		if (r->alt != D0_HOOK_NONE && present[r->alt])
			continue;
		used[i] = 1;
	}
	if (multi)
		ftrace_list_read();
	facts.fexit_multi_type = multi ? d0_fexit_multi_type(vmlinux) : -1;
	if (facts.fexit_multi_type > 0 && d0_fexit_multi_register())
		facts.fexit_multi_type = -1;
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "floor: cannot open %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	for (i = 0; i < NROWS; i++) {
		char name[32];
		int fentry = rows[i].kind == D0_FENTRY;

		if (!used[i])
			continue;
		if (facts.fexit_multi_type > 0 && d0_fexit_multi_row(i) && present[i]) {
			facts.t[i].btf_id = present[i];
			fm[i] = true;
			nfm++;
			progs[i] = NULL;
			continue;
		}
		if (multi && cold[i].served) {
			/* like d0audit's plan: a function without an ftrace site is not attached */
			if (!traceable(rows[i].target)) {
				used[i] = 0;
				continue;
			}
			/* one symbol once per link: a repeated one fails the whole link (ESRCH) */
			for (j = 0; j < nm[!fentry] && strcmp(msyms[!fentry][j], rows[i].target); j++)
				;
			if (j == nm[!fentry])
				msyms[!fentry][nm[!fentry]++] = rows[i].target;
			progs[i] = NULL;
			continue;
		}
		/* floor.bpf.c numbers them with two octal digits: fentry_00 .. fentry_77 */
		snprintf(name, sizeof(name), "%s_%02o", fentry ? "fentry" : "fexit", fentry ? nfentry++ : nfexit++);
		if (nfentry > NPROGS || nfexit > NPROGS)
			return fprintf(stderr, "floor: more than %d programs of a kind\n", NPROGS), 1;
		prog = bpf_object__find_program_by_name(obj, name);
		if (!prog || bpf_program__set_attach_target(prog, 0, rows[i].target))
			return fprintf(stderr, "floor: %s: cannot target %s\n", name, rows[i].target), 1;
		bpf_program__set_autoload(prog, true);
		progs[i] = prog;
	}
	bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "multi_cold"), nm[0] + nm[1] > 0);
	prog = bpf_object__find_program_by_name(obj, "multi_fexit");
	bpf_program__set_autoload(prog, nfm > 0);
	if (nfm && (d0_fexit_multi_begin("vfio_pci_core") || d0_fexit_multi_prepare(prog, &facts)))
		return fprintf(stderr, "floor: cannot set the fexit.multi program up\n"), 1;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floor: load failed: %s\n", strerror(errno));
		return 1;
	}
	if (nfm) {
		fm_fd = d0_fexit_multi_attach(bpf_program__fd(prog), &facts, fm);
		d0_fexit_multi_end();
		if (fm_fd < 0)
			return fprintf(stderr, "floor: fexit.multi link on %d functions failed: %s\n", nfm,
				       strerror(-fm_fd)), 1;
	}
	for (int k = 0; k < 2; k++) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, o, .syms = msyms[k], .cnt = nm[k], .retprobe = k == 1);

		if (!nm[k])
			continue;
		links[nlinks] = bpf_program__attach_kprobe_multi_opts(
			bpf_object__find_program_by_name(obj, "multi_cold"), NULL, &o);
		if (!links[nlinks])
			return fprintf(stderr, "floor: %s link on %d functions failed: %s\n",
				       k ? "kretprobe.multi" : "kprobe.multi", nm[k], strerror(errno)), 1;
		nlinks++;
	}
	/* like d0audit: a function without an ftrace site (notrace) is skipped */
	for (i = 0; i < NROWS; i++) {
		if (!used[i] || !progs[i])
			continue;
		links[nlinks] = bpf_program__attach(progs[i]);
		if (!links[nlinks]) {
			fprintf(stderr, "floor: %s %s: attach failed (%s), skipped\n", bpf_program__name(progs[i]),
				rows[i].target, strerror(errno));
			used[i] = 0;
			continue;
		}
		nlinks++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor: %d programs attached:", nlinks + (fm_fd >= 0));
	for (i = 0; i < NROWS; i++)
		if (used[i])
			fprintf(stderr, " %s", rows[i].id);
	fputc('\n', stderr);
	while (!stop)
		pause();
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	if (fm_fd >= 0)
		close(fm_fd);
	bpf_object__close(obj);
	btf__free(vmlinux);
	return 0;
}
