// SPDX-License-Identifier: GPL-2.0
#include "kernel/symbol_cache.h"
#include "lib/log.h"
#include "model/hook_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 2: the kernel variables' addresses (kdata lines); 3: the BTF facts (btf line, hook lines' BTF columns) */
#define CACHE_MAGIC "d0audit-symbols 3"

static void fnv(unsigned long long *h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		*h = (*h ^ *s++) * 1099511628211ULL;
}

static void fnv_str(unsigned long long *h, const char *s)
{
	fnv(h, s, strlen(s) + 1);
}

/* Adds the whole of a small file (boot_id, /proc/modules); false if it cannot be read. */
static bool fnv_file(unsigned long long *h, const char *path, char *names, size_t nlen)
{
	char line[512];
	size_t used = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		fnv_str(h, line);
		/* /proc/modules: the first field of each line, for the per-module look below */
		if (names) {
			size_t n = strcspn(line, " ");

			if (used + n + 2 < nlen) {
				memcpy(names + used, line, n);
				used += n;
				names[used++] = '\n';
			}
		}
	}
	if (names)
		names[used] = 0;
	fclose(f);
	return true;
}

int d0_symbol_cache_key(char *key, size_t len, const char *ftrace_path)
{
	unsigned long long h = 14695981039346656037ULL;
	char names[16384], path[160];
	struct stat st;

	if (!fnv_file(&h, "/proc/sys/kernel/random/boot_id", NULL, 0))
		return -ENOENT;
	/* no /proc/modules: a kernel without loadable modules, whose symbols never change within a boot */
	if (!fnv_file(&h, "/proc/modules", names, sizeof(names))) {
		fnv_str(&h, "no modules");
		names[0] = 0;
	}
	/* a module unloaded and loaded again (another build, same name and size) has new sysfs inodes */
	for (char *save = NULL, *m = strtok_r(names, "\n", &save); m; m = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "/sys/module/%s", m);
		if (!stat(path, &st))
			fnv(&h, &st.st_ino, sizeof(st.st_ino));
	}
	/* this d0audit's targets and variables: another hook table scans for other names */
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		fnv_str(&h, d0_hooks[i].name);
		fnv_str(&h, d0_hooks[i].target);
		/* the BTF facts too: which module's BTF holds the target, which member it requires */
		fnv_str(&h, d0_hooks[i].module);
		fnv_str(&h, d0_hooks[i].requires ? d0_hooks[i].requires : "-");
	}
#define D0_KDATA_KEY(id, name) fnv_str(&h, #name);
	D0_KDATA_TABLE(D0_KDATA_KEY)
#undef D0_KDATA_KEY
	fnv_str(&h, ftrace_path && access(ftrace_path, R_OK) == 0 ? ftrace_path : "-");
	snprintf(key, len, "%016llx", h);
	return 0;
}

bool d0_symbol_cache_load(const char *path, const char *key, struct d0_kernel_facts *k)
{
	struct d0_kernel_facts got = *k;
	char line[512], name[64], clone[D0_SYM_LEN];
	bool seen[D0_HOOK_COUNT] = {}, kseen[D0_KDATA_COUNT] = {}, end = false, btf = false;
	int nseen = 0, nkdata = 0, fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return false;
	/* written by this user only: anyone else's file could plan attaches to the wrong symbols */
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022) || !S_ISREG(st.st_mode) ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		return false;
	}
	if (!fgets(line, sizeof(line), f) || strcmp(line, CACHE_MAGIC "\n") || !fgets(line, sizeof(line), f) ||
	    strncmp(line, "key ", 4) || strncmp(line + 4, key, strlen(key)) || line[4 + strlen(key)] != '\n')
		goto miss;
	while (fgets(line, sizeof(line), f) && !end) {
		int exact, site, list, kd, present, missing, nargs, id, vmlinux, multi, model, iommufd;
		unsigned obj;
		unsigned long long addr;
		const struct d0_hook_def *d;

		if (sscanf(line, "hook %63s %d %d %127s %d %d %d %d %u", name, &exact, &site, clone, &present, &missing,
			   &nargs, &id, &obj) == 9) {
			struct d0_target_facts *t;

			d = d0_hook_by_name(name);
			if (!d || seen[d->id])
				goto miss;
			seen[d->id] = true;
			nseen++;
			t = &got.t[d->id];
			t->sym_exact = exact;
			t->ftrace_site = site;
			snprintf(t->clone, sizeof(t->clone), "%s", strcmp(clone, "-") ? clone : "");
			t->module_present = present;
			t->requires_missing = missing;
			t->btf_nargs = nargs;
			t->btf_id = id;
			t->btf_obj_id = obj;
		} else if (sscanf(line, "btf %d %d %d %d", &vmlinux, &multi, &model, &iommufd) == 4) {
			got.vmlinux_btf = vmlinux;
			got.fexit_multi_type = multi;
			got.mapping_model = (enum d0_mapping_model)model;
			got.iommufd = iommufd;
			btf = true;
		} else if (sscanf(line, "kdata %d %llx", &kd, &addr) == 2) {
			if (kd < 0 || kd >= D0_KDATA_COUNT || kseen[kd])
				goto miss;
			kseen[kd] = true;
			nkdata++;
			got.kdata[kd] = addr;
		} else if (sscanf(line, "ftrace_list %d", &list) == 1) {
			got.ftrace_list = list;
		} else if (!strcmp(line, "end\n")) {
			end = true;
		} else {
			goto miss;
		}
	}
	if (!end || !btf || nseen != D0_HOOK_COUNT || nkdata != D0_KDATA_COUNT)
		goto miss;
	fclose(f);
	*k = got;
	return true;
miss:
	fclose(f);
	return false;
}

int d0_symbol_cache_store(const char *path, const char *key, const struct d0_kernel_facts *k)
{
	char tmp[256], dir[256];
	char *slash;
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	fprintf(f, CACHE_MAGIC "\nkey %s\n", key);
	fprintf(f, "btf %d %d %d %d\n", k->vmlinux_btf, k->fexit_multi_type, (int)k->mapping_model, k->iommufd);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_target_facts *t = &k->t[i];

		fprintf(f, "hook %s %d %d %s %d %d %d %d %u\n", d0_hooks[i].name, t->sym_exact, t->ftrace_site,
			t->clone[0] ? t->clone : "-", t->module_present, t->requires_missing, t->btf_nargs, t->btf_id,
			t->btf_obj_id);
	}
	for (int i = 0; i < D0_KDATA_COUNT; i++)
		fprintf(f, "kdata %d %llx\n", i, k->kdata[i]);
	fprintf(f, "ftrace_list %d\nend\n", k->ftrace_list);
	if (fclose(f) || rename(tmp, path)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}
