// SPDX-License-Identifier: GPL-2.0
#include "trace/trace_replay.h"
#include "lib/progress.h"
#include "model/hook_table.h"

#include <string.h>

void d0_trace_replay(struct d0_trace_reader *r, const struct d0_replay_ops *ops, void *ctx,
		     struct d0_replay_end *end)
{
	struct d0_record rec;
	int n = d0_trace_next(r, &rec);

	memset(end, 0, sizeof(*end));
	end->any = n == 1;
	if (n == 1 && ops->header)
		ops->header(rec.json, ctx);
	while (n == 1 && (n = d0_trace_next(r, &rec)) == 1) {
		switch (rec.type) {
		case D0_REC_EVENT:
			if (ops->event && ops->event(&rec.ev, ctx)) {
				end->stopped = true;
				return;
			}
			if (!(++end->events & 0xfff))
				d0_progress_count(end->events, 0);
			break;
		case D0_REC_GAP:
			if (ops->gap && ops->gap(rec.gap_first, rec.gap_lost, ctx)) {
				end->stopped = true;
				return;
			}
			break;
		case D0_REC_ATTACH:
			if (ops->attach && rec.attach_hook >= 0)
				ops->attach(rec.attach_hook, rec.attach_ns, ctx);
			break;
		case D0_REC_FOOTER:
			end->footer = true;
			if (ops->footer)
				ops->footer(rec.json, ctx);
			break;
		default:
			break;
		}
	}
	end->error = n < 0;
}

void d0_replay_hook_since(json_t *hdr, struct d0_verdict *v)
{
	json_t *hooks = json_object_get(hdr, "hooks"), *h;
	size_t i;

	for (i = 0; i < D0_HOOK_COUNT; i++)
		d0_verdict_hook_since(v, i, D0_HOOK_NEVER);
	json_array_foreach(hooks, i, h) {
		const struct d0_hook_def *d = d0_hook_by_name(json_string_value(json_object_get(h, "name")) ?: "");
		const char *status = json_string_value(json_object_get(h, "status")) ?: "";

		if (d && !strcmp(status, "attached"))
			d0_verdict_hook_since(v, d->id, 0);
	}
}
