// SPDX-License-Identifier: GPL-2.0
#include "kernel/kernel_facts.h"
#include "kernel/btf_index.h"
#include "kernel/kernel_btf.h"
#include "kernel/fexit_multi.h"
#include "kernel/symbol_cache.h"
#include "lib/log.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *const ftrace_paths[] = {
	"/sys/kernel/tracing/available_filter_functions",
	"/sys/kernel/debug/tracing/available_filter_functions",
};

int d0_parse_release(const char *release, int *major, int *minor)
{
	if (sscanf(release, "%d.%d", major, minor) != 2)
		return -EINVAL;
	return 0;
}

/*
 * The hook targets by name, hashed: /proc/kallsyms has some 200k lines and
 * comparing each with every target (about 70) took seconds under TCG at
 * start-up. Targets are C identifiers (no '.'), so a symbol can only be a
 * target or a compiler clone of it ("name.isra.0", "name.constprop.0") if its
 * part before the first '.' is that target: one lookup per line.
 */
#define TARGET_BUCKETS 256

struct target_index {
	int head[TARGET_BUCKETS];
	int next[D0_HOOK_COUNT];
	unsigned char len[D0_HOOK_COUNT];
};

static unsigned int name_hash(const char *s, size_t n)
{
	unsigned int h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % TARGET_BUCKETS;
}

static void target_index_build(struct target_index *x)
{
	for (int b = 0; b < TARGET_BUCKETS; b++)
		x->head[b] = -1;
	for (int i = D0_HOOK_COUNT - 1; i >= 0; i--) {
		size_t n = strlen(d0_hooks[i].target);
		unsigned int b = name_hash(d0_hooks[i].target, n);

		x->len[i] = n;
		x->next[i] = x->head[b];
		x->head[b] = i;
	}
}

/* Calls fn(name, hook, k) for each hook whose target is name's part before any '.'. */
static void match_name(const struct target_index *x, const char *name, struct d0_kernel_facts *k,
		       void (*fn)(const char *name, size_t base, int hook, struct d0_kernel_facts *k))
{
	size_t n = strcspn(name, ".");

	for (int i = x->head[name_hash(name, n)]; i >= 0; i = x->next[i])
		if (x->len[i] == n && !memcmp(name, d0_hooks[i].target, n))
			fn(name, n, i, k);
}

#define D0_KDATA_NAME(id, name) #name,
static const char *const kdata_names[D0_KDATA_COUNT] = { D0_KDATA_TABLE(D0_KDATA_NAME) };
#undef D0_KDATA_NAME

/*
 * A kernel variable the programs read (include/d0audit/kernel_data.h): vmlinux's, the first one
 * listed. The module column (the rest of the line, in `save`) is read only for a matching name.
 */
static void mark_kdata(const char *addr, const char *name, char **save, struct d0_kernel_facts *k)
{
	for (int i = 0; i < D0_KDATA_COUNT; i++) {
		if (k->kdata[i] || strcmp(name, kdata_names[i]))
			continue;
		if (!strtok_r(NULL, " \t\n", save))
			k->kdata[i] = strtoull(addr, NULL, 16);
		return;
	}
}

/*
 * Calls fn for each line's symbol name; `field` is its column (0-based).
 * With `kdata`, the lines are kallsyms' ("address type name [module]").
 */
static void scan_names(FILE *f, int field, bool kdata, struct d0_kernel_facts *k,
		       void (*fn)(const char *name, size_t base, int hook, struct d0_kernel_facts *k))
{
	struct target_index x;
	char line[512];

	target_index_build(&x);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *first = strtok_r(line, " \t\n", &save), *tok = first;

		for (int i = 0; tok && i < field; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (!tok)
			continue;
		match_name(&x, tok, k, fn);
		if (kdata)
			mark_kdata(first, tok, &save, k);
	}
}

/* name is the target (base == its length), or target + '.' + suffix; .cold parts are not entry points. */
static void mark_kallsym(const char *name, size_t base, int hook, struct d0_kernel_facts *k)
{
	struct d0_target_facts *t = &k->t[hook];

	if (!name[base])
		t->sym_exact = true;
	else if (!t->clone[0] && !strstr(name + base, ".cold"))
		snprintf(t->clone, sizeof(t->clone), "%s", name);
}

static void mark_ftrace(const char *name, size_t base, int hook, struct d0_kernel_facts *k)
{
	if (!name[base])
		k->t[hook].ftrace_site = true;
}

void d0_scan_kallsyms(FILE *f, struct d0_kernel_facts *k)
{
	/* "ffffffff81000000 T name [module]" */
	scan_names(f, 2, true, k, mark_kallsym);
}

void d0_scan_ftrace(FILE *f, struct d0_kernel_facts *k)
{
	/* "name [module]" */
	scan_names(f, 0, false, k, mark_ftrace);
	k->ftrace_list = true;
}

/* A parsed BTF with its name index (src/kernel/btf_index.h). */
struct btf_ref {
	struct btf *btf;
	struct d0_btf_index *ix;
};

/* The BTF FUNC's argument count (-1: no such FUNC) and, in *id, its type id. */
static int btf_func_nargs(const struct btf_ref *r, const char *name, int *id)
{
	const struct btf_type *fn, *proto;

	*id = d0_btf_index_find(r->ix, name, BTF_KIND_FUNC);
	if (*id <= 0) {
		*id = 0;
		return -1;
	}
	fn = btf__type_by_id(r->btf, *id);
	proto = btf__type_by_id(r->btf, fn->type);
	return proto ? btf_vlen(proto) : -1;
}

/*
 * Module BTFs, each parsed and indexed once (src/kernel/btf_index.h): most
 * targets live in vfio_pci_core, and parsing its split BTF again per hook
 * (and per "requires") was tens of parses at every start-up.
 */
struct btf_cache {
	struct btf_ref vmlinux;
	int n;
	struct {
		char module[64];
		struct btf_ref ref; /* btf NULL: could not be parsed */
	} m[8];
};

/* A BTF and its index: both or neither (the index keys point into the BTF's strings). */
static struct btf_ref btf_ref_open(const char *path, const struct btf_ref *base)
{
	struct btf_ref r = { .btf = base ? btf__parse_split(path, base->btf) : btf__parse(path, NULL) };

	if (r.btf)
		r.ix = d0_btf_index_new(r.btf, base ? base->ix : NULL);
	if (r.btf && !r.ix) {
		d0_debug("cannot index the BTF of %s: %s", path, strerror(errno));
		btf__free(r.btf);
		r.btf = NULL;
	}
	return r;
}

static void btf_ref_close(struct btf_ref *r)
{
	d0_btf_index_free(r->ix);
	btf__free(r->btf);
	r->ix = NULL;
	r->btf = NULL;
}

/* The module's BTF (vmlinux's for "vmlinux"); ref->btf NULL if it cannot be parsed. */
static struct btf_ref module_btf(struct btf_cache *c, const char *dir, const char *module)
{
	char path[512];
	struct btf_ref r;

	if (!strcmp(module, "vmlinux"))
		return c->vmlinux;
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->m[i].module, module))
			return c->m[i].ref;
	snprintf(path, sizeof(path), "%s/%s", dir, module);
	r = btf_ref_open(path, &c->vmlinux);
	if (c->n < (int)(sizeof(c->m) / sizeof(c->m[0]))) {
		snprintf(c->m[c->n].module, sizeof(c->m[c->n].module), "%s", module);
		c->m[c->n++].ref = r;
	} else {
		/* more modules than slots: not cached, btf_ref_done frees it */
	}
	return r;
}

/* The caller is done with a module_btf() result. */
static void btf_ref_done(const struct btf_cache *c, struct btf_ref *r)
{
	if (r->btf == c->vmlinux.btf)
		return;
	for (int i = 0; i < c->n; i++)
		if (c->m[i].ref.btf == r->btf)
			return;
	btf_ref_close(r);
}

static void btf_cache_free(struct btf_cache *c)
{
	for (int i = 0; i < c->n; i++)
		btf_ref_close(&c->m[i].ref);
	btf_ref_close(&c->vmlinux);
}

/* Does "module:struct.member" exist in that module's BTF? Unknown counts as yes. */
static bool member_exists(struct btf_cache *c, const char *dir, const char *req)
{
	char module[64], type[64], member[64];
	const struct btf_type *t;
	struct btf_ref r;
	bool found = false;
	int id;

	if (sscanf(req, "%63[^:]:%63[^.].%63s", module, type, member) != 3)
		return true;
	r = module_btf(c, dir, module);
	if (!r.btf)
		return true;
	id = d0_btf_index_find(r.ix, type, BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(r.btf, id) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(r.btf, btf_members(t)[i].name_off), member))
			found = true;
	btf_ref_done(c, &r);
	return found || !t;
}

/*
 * Where user PTEs on BARs live, from vfio's module BTF: the DMABUF-mmap
 * series has vfio_pci_core_mmap_prep_dmabuf (every BAR mmap is a DMABUF);
 * 6.10+ vfio zaps the device inode (vfio_device.inode); 6.1 its vma_list.
 */
static enum d0_mapping_model mapping_model(struct btf_cache *c, const char *dir)
{
	char path[512];
	struct btf_ref core;
	enum d0_mapping_model m = D0_MAP_MODEL_UNKNOWN;

	snprintf(path, sizeof(path), "%s/vfio_pci_core", dir);
	if (!c->vmlinux.btf || access(path, R_OK))
		return m;
	core = module_btf(c, dir, "vfio_pci_core");
	if (!core.btf)
		return m;
	if (d0_btf_index_find(core.ix, "vfio_pci_core_mmap_prep_dmabuf", BTF_KIND_FUNC) > 0)
		m = D0_MAP_MODEL_DMABUF;
	else if (d0_btf_index_find(core.ix, "vfio_pci_zap_and_vma_lock", BTF_KIND_FUNC) > 0)
		m = D0_MAP_MODEL_VMA_LIST;
	else if (member_exists(c, dir, "vfio:vfio_device.inode"))
		m = D0_MAP_MODEL_DEVICE_INODE;
	btf_ref_done(c, &core);
	return m;
}

/*
 * Is iommufd in this kernel (CONFIG_IOMMUFD, off in every Debian config up
 * to 7.3)? Its module's BTF, or its bind call in vmlinux BTF when built in.
 */
static bool iommufd_built(struct btf_cache *c, const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/iommufd", dir);
	if (!access(path, R_OK))
		return true;
	return c->vmlinux.btf && d0_btf_index_find(c->vmlinux.ix, "iommufd_device_bind", BTF_KIND_FUNC) > 0;
}

/*
 * The kernel BTF object id of each row's module, by the row that names it
 * first (d0_hook_module_first); all 0 for BTF read from elsewhere (tests).
 */
static void kernel_btf_ids(const char *dir, __u32 ids[D0_HOOK_COUNT])
{
	const char *modules[D0_HOOK_COUNT];
	int row[D0_HOOK_COUNT], n = 0;
	__u32 found[D0_HOOK_COUNT];

	memset(ids, 0, D0_HOOK_COUNT * sizeof(ids[0]));
	if (strcmp(dir, "/sys/kernel/btf"))
		return;
	for (int i = 0; i < D0_HOOK_COUNT; i++)
		if (d0_hook_module_first(i) == i && strcmp(d0_hooks[i].module, "vmlinux")) {
			row[n] = i;
			modules[n++] = d0_hooks[i].module;
		}
	d0_kernel_btf_ids(modules, found, n);
	for (int m = 0; m < n; m++)
		ids[row[m]] = found[m];
}

/* Look every target up in vmlinux BTF and in its module's split BTF. */
static void collect_btf(struct d0_kernel_facts *k, const char *dir)
{
	__u32 ids_before[D0_HOOK_COUNT], ids_after[D0_HOOK_COUNT];
	struct btf_cache c = {};
	char path[512];

	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	c.vmlinux = btf_ref_open(path, NULL);
	k->vmlinux_btf = c.vmlinux.btf != NULL;
	k->fexit_multi_type = c.vmlinux.btf ? d0_fexit_multi_type(c.vmlinux.btf) : -1;
	/*
	 * One look per module, before any BTF is parsed: a module loading while
	 * we parse (modprobe vfio-pci) is then present for all its hooks or for
	 * none, never for the later half only.
	 */
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		int first = d0_hook_module_first(i);

		snprintf(path, sizeof(path), "%s/%s", dir, d0_hooks[i].module);
		k->t[i].module_present = first < i ? k->t[first].module_present
				       : !strcmp(d0_hooks[i].module, "vmlinux") || access(path, R_OK) == 0;
	}
	kernel_btf_ids(dir, ids_before);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		const struct d0_hook_def *h = &d0_hooks[i];
		struct d0_target_facts *t = &k->t[i];
		struct btf_ref mod;

		t->btf_nargs = -1;
		if (!c.vmlinux.btf || !t->module_present)
			continue;
		if (h->requires)
			t->requires_missing = !member_exists(&c, dir, h->requires);
		mod = module_btf(&c, dir, h->module);
		if (mod.btf)
			t->btf_nargs = btf_func_nargs(&mod, h->target, &t->btf_id);
		btf_ref_done(&c, &mod);
	}
	/* the ids are of the BTF parsed only if no module was reloaded meanwhile (object ids are never reused) */
	kernel_btf_ids(dir, ids_after);
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		int first = d0_hook_module_first(i);

		if (strcmp(d0_hooks[i].module, "vmlinux") && ids_before[first] == ids_after[first])
			k->t[i].btf_obj_id = ids_before[first];
	}
	k->mapping_model = mapping_model(&c, dir);
	k->iommufd = iommufd_built(&c, dir);
	btf_cache_free(&c);
}

static const char *ftrace_path(void)
{
	for (size_t i = 0; i < sizeof(ftrace_paths) / sizeof(ftrace_paths[0]); i++)
		if (!access(ftrace_paths[i], R_OK))
			return ftrace_paths[i];
	return NULL;
}

static bool symbol_cache_on(void)
{
	const char *e = getenv("D0AUDIT_SYMBOL_CACHE");

	return !(e && !strcmp(e, "0")) && geteuid() == 0;
}

/*
 * The live system's symbol facts from this boot's cache (src/kernel/symbol_cache.h):
 * true on a hit; key[] is the system's key before the scan ("" when off).
 */
static bool symbols_cached(struct d0_kernel_facts *k, char key[32])
{
	key[0] = 0;
	if (!symbol_cache_on() || d0_symbol_cache_key(key, 32, ftrace_path())) {
		key[0] = 0;
		return false;
	}
	if (!d0_symbol_cache_load(D0_SYMBOL_CACHE_PATH, key, k))
		return false;
	d0_debug("symbols: from %s (key %s), /proc/kallsyms and BTF not read", D0_SYMBOL_CACHE_PATH, key);
	return true;
}

/* Kept only if nothing changed during the scan (a module loading meanwhile: its symbols may be half seen). */
static void symbols_store(const struct d0_kernel_facts *k, const char *before)
{
	char key[32];
	int err;

	if (!before[0] || d0_symbol_cache_key(key, sizeof(key), ftrace_path()) || strcmp(key, before))
		return;
	err = d0_symbol_cache_store(D0_SYMBOL_CACHE_PATH, key, k);
	if (!err)
		d0_debug("symbols: cached in %s (key %s) for the next start in this boot", D0_SYMBOL_CACHE_PATH, key);
	else
		d0_debug("symbols: not cached in %s: %s (every start reads /proc/kallsyms)", D0_SYMBOL_CACHE_PATH,
			 strerror(-err));
}

int d0_kernel_facts_collect(struct d0_kernel_facts *k, const struct d0_fact_sources *src)
{
	const char *kallsyms = src && src->kallsyms ? src->kallsyms : "/proc/kallsyms";
	const char *btf_dir = src && src->btf_dir ? src->btf_dir : "/sys/kernel/btf";
	char key[32] = "";
	struct utsname u;
	const char *release;
	FILE *f;

	memset(k, 0, sizeof(*k));
	if (src && src->release) {
		release = src->release;
	} else {
		uname(&u);
		release = u.release;
	}
	if (d0_parse_release(release, &k->major, &k->minor))
		d0_warn("cannot parse kernel release '%s': assuming a recent kernel", release);

	/* the key before any scan: a module loading meanwhile changes it, and nothing is stored */
	if (!src && symbols_cached(k, key))
		return 0;
	collect_btf(k, btf_dir);

	f = fopen(kallsyms, "r");
	if (!f) {
		int err = -errno;

		d0_err("cannot read %s: %s (needed to tell inlined functions from attachable ones)",
		       kallsyms, strerror(errno));
		return err;
	}
	d0_scan_kallsyms(f, k);
	fclose(f);

	if (src && src->ftrace) {
		f = fopen(src->ftrace, "r");
	} else {
		f = NULL;
		for (size_t i = 0; !f && i < sizeof(ftrace_paths) / sizeof(ftrace_paths[0]); i++)
			f = fopen(ftrace_paths[i], "r");
	}
	if (f) {
		d0_scan_ftrace(f, k);
		fclose(f);
	} else {
		d0_debug("no available_filter_functions (tracefs not mounted?): notrace functions are found at attach time");
	}
	if (!src)
		symbols_store(k, key);
	return 0;
}
