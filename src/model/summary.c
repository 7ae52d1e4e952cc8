// SPDX-License-Identifier: GPL-2.0
#include "model/summary.h"
#include "model/violation_out.h"
#include "lib/escape.h"
#include "lib/exit_codes.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "model/iommu_coverage.h"

#include <stdarg.h>
#include <string.h>

void d0_summary_problem(struct d0_summary *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nproblems >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(s->problems[s->nproblems++], sizeof(s->problems[0]), fmt, ap);
	va_end(ap);
}

void d0_summary_drops(struct d0_summary *s, const __u64 drops[D0_DROP_CAUSES])
{
	/* ringbuf_full drops took sequence numbers: the verdict already counts them as lost */
	for (int c = 0; c < D0_DROP_CAUSES; c++)
		if (c != D0_DROP_RINGBUF_FULL && drops[c])
			d0_summary_problem(s, "%llu event(s) not judged (%s): %s", (unsigned long long)drops[c],
					   d0_drop_cause_name(c), d0_drop_cause_meaning(c));
}

void d0_summary_coverage(struct d0_summary *s)
{
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		s->coverage[r] = d0_rule_coverage(r, &s->avail, &s->missing[r]);
		if (s->coverage[r] == D0_BLIND)
			d0_summary_problem(s, "rule %d %s not fully checked: no working hook for %s", r,
					   d0_rule_meta[r].name, s->missing[r]);
	}
	d0_summary_iommu(s);
	if (s->v->lost)
		d0_summary_problem(s, "%llu events were lost (ring buffer full): verdicts in them are counted by the kernel only",
				   (unsigned long long)s->v->lost);
	if (s->v->unseen_mapping) {
		const struct d0_event *e = &s->v->first_unseen_mapping;
		const char *fn = e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?";
		int r = __builtin_ctz(s->v->first_unseen_mapping_rules) + 1;
		char bdf[16];

		d0_bdf_format(e->bdf, bdf, sizeof(bdf));
		d0_summary_problem(s, "%s was open before the audit started: rule %d %s not judged at %llu step(s) "
				   "(first: %s in %s); the start-up seed of BAR mappings made before the audit did not "
				   "complete (the warning at start, and hook SEED_VMAS in a trace header, say why)",
				   bdf, r, d0_rule_meta[r].name, (unsigned long long)s->v->unseen_mapping,
				   d0_kind_name(e->kind), fn);
	}
	if (s->v->before_attach) {
		const struct d0_event *e = &s->v->first_before_attach;
		const struct d0_hook_def *late = &d0_hooks[s->v->first_before_attach_hook];
		int r = s->v->first_before_attach_rule;
		char bdf[16];

		d0_bdf_format(e->bdf, bdf, sizeof(bdf));
		d0_summary_problem(s, "rule %d %s not judged at %llu step(s) made before hook %s attached (module %s "
				   "loaded after the start; first: %s on %s, seq %llu): load %s before starting d0audit, "
				   "or wait for its 'more hooks attached' line naming the module before using the devices",
				   r, d0_rule_meta[r].name, (unsigned long long)s->v->before_attach, late->name,
				   late->module, d0_kind_name(e->kind), bdf, (unsigned long long)e->seq, late->module);
	}
	if (s->v->mismatches)
		d0_summary_problem(s, "%llu events judged differently than the kernel judged them (first: seq %llu)",
				   (unsigned long long)s->v->mismatches, (unsigned long long)s->v->first_mismatch.seq);
	if (s->have_kernel_counts) {
		for (int r = 1; r <= D0_RULE_MAX; r++)
			if (s->kernel_by_rule[r] > s->v->by_rule[r] + s->v->before_attach_by_rule[r])
				d0_summary_problem(s, "the kernel counted %llu violations of rule %d, %llu reached user space",
						   (unsigned long long)s->kernel_by_rule[r], r,
						   (unsigned long long)s->v->by_rule[r]);
	}
}

int d0_summary_exit(const struct d0_summary *s)
{
	bool kernel_only = false;

	for (int r = 1; s->have_kernel_counts && r <= D0_RULE_MAX; r++)
		kernel_only |= s->kernel_by_rule[r] > s->v->by_rule[r] + s->v->before_attach_by_rule[r];
	if (d0_verdict_unwaived(s->v) || kernel_only)
		return D0_EXIT_VIOLATIONS;
	return s->nproblems ? D0_EXIT_CANNOT : D0_EXIT_OK;
}

void d0_summary_text(FILE *f, const struct d0_summary *s)
{
	const struct d0_verdict *v = s->v;
	int code = d0_summary_exit(s);

	fprintf(f, "\nsummary (mode %s%s):\n", d0_mode_name(v->mode),
		v->mode == D0_MODE_STRICT ? ": D1/D2 count as not D0" : ": D3hot and below count");
	fprintf(f, "  devices %d, events %llu, power transitions %llu, accesses %llu, refused attempts %llu, lost %llu\n",
		v->ndevs, (unsigned long long)v->events, (unsigned long long)v->transitions,
		(unsigned long long)v->accesses, (unsigned long long)v->refused, (unsigned long long)v->lost);
	for (int r = 1; r <= D0_RULE_MAX; r++) {
		if (!v->by_rule[r] && s->coverage[r] == D0_COVERED)
			continue;
		fprintf(f, "  rule %2d %-30s %llu violation(s)%s%s\n", r, d0_rule_meta[r].name,
			(unsigned long long)v->by_rule[r],
			s->coverage[r] == D0_NOT_APPLICABLE ? ", not applicable on this kernel" : "",
			s->coverage[r] == D0_BLIND ? ", NOT FULLY CHECKED" : "");
	}
	for (int i = 0; i < v->nviols; i++) {
		char bdf[16];

		d0_bdf_format(v->viols[i].bdf, bdf, sizeof(bdf));
		fprintf(f, "  %s rule %d on %s: %llu time(s)\n", v->viols[i].allowed ? "allowed" : "violated",
			v->viols[i].rule, bdf, (unsigned long long)v->viols[i].count);
	}
	for (int i = 0; i < s->nproblems; i++)
	{
		fputs("  incomplete: ", f);
		d0_escape_fputs(f, s->problems[i]);
		fputc('\n', f);
	}
	fprintf(f, "verdict: %s\n", code == D0_EXIT_OK ? "clean" : code == D0_EXIT_VIOLATIONS ? "VIOLATIONS" : "INCOMPLETE");
}

json_t *d0_summary_json(const struct d0_summary *s)
{
	const struct d0_verdict *v = s->v;
	json_t *rules = json_array(), *problems = json_array(), *viols = json_array();

	for (int r = 1; r <= D0_RULE_MAX; r++)
		json_array_append_new(rules, json_pack("{s:i, s:s, s:s, s:I}", "id", r, "name", d0_rule_meta[r].name,
			"coverage", d0_coverage_name(s->coverage[r]), "violations", (json_int_t)v->by_rule[r]));
	for (int i = 0; i < s->nproblems; i++)
		json_array_append_new(problems, d0_json_visible(s->problems[i]));
	for (int i = 0; i < v->nviols; i++)
		json_array_append_new(viols, d0_violation_json(v, &v->viols[i]));
	return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:i}", "type", "summary",
		"mode", d0_mode_name(v->mode), "devices", v->ndevs, "events", (json_int_t)v->events,
		"transitions", (json_int_t)v->transitions, "accesses", (json_int_t)v->accesses,
		"refused", (json_int_t)v->refused, "lost", (json_int_t)v->lost, "rules", rules,
		"violations", viols, "incomplete", problems, "exit_code", d0_summary_exit(s));
}
