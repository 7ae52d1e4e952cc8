// SPDX-License-Identifier: GPL-2.0
#include "daemon/daemon_output.h"
#include "model/event_names.h"
#include "model/hook_table.h"
#include "daemon/journal.h"
#include "lib/log.h"
#include "model/rules_meta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_log(const char *path)
{
	/* 0600 whatever the umask: the log names processes and devices */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		int err = -errno;

		d0_err("daemon: cannot open the output file %s: %s (check the directory exists and is writable; "
		       "under systemd it must be in ReadWritePaths=)", path, strerror(-err));
		return err;
	}
	return fd;
}

int d0_output_open(struct d0_output *o, const char *path, bool to_stdout, unsigned int rate_per_min,
		   unsigned int burst)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->to_stdout = to_stdout;
	o->journal = d0_journal_is_stream(STDOUT_FILENO);
	o->journal_socket = D0_JOURNAL_SOCKET;
	d0_output_set_rate(o, rate_per_min, burst);
	if (path && *path) {
		o->fd = open_log(path);
		if (o->fd < 0)
			return o->fd;
		snprintf(o->path, sizeof(o->path), "%s", path);
	}
	return 0;
}

int d0_output_reopen(struct d0_output *o, const char *path)
{
	int fd = -1;

	if (path && *path) {
		fd = open_log(path);
		if (fd < 0)
			return fd; /* keep writing where we were */
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = fd;
	snprintf(o->path, sizeof(o->path), "%s", path ? path : "");
	return 0;
}

void d0_output_set_rate(struct d0_output *o, unsigned int rate_per_min, unsigned int burst)
{
	o->rate_per_min = rate_per_min;
	o->burst = burst ? burst : 1;
	o->tokens = o->burst;
	o->refill_ms = 0;
}

void d0_output_close(struct d0_output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

/* The whole line or nothing: a partial line is cut off again so the file stays valid JSON lines. */
static int write_line(int fd, const char *buf, size_t len)
{
	struct stat st;
	bool regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;

			if (done && regular && ftruncate(fd, st.st_size))
				d0_debug("cannot cut a partial line off: %s", strerror(errno));
			return -err;
		}
		done += n;
	}
	return 0;
}

static void account(struct d0_output *o, struct d0_sink_health *h, const char *sink, int err)
{
	if (!err) {
		if (h->failing)
			d0_info("writing %s works again after %llu failed line(s)", sink,
				(unsigned long long)h->burst_errors);
		h->failing = false;
		h->burst_errors = 0;
		return;
	}
	o->write_errors++;
	h->burst_errors++;
	if (!h->failing)
		d0_err("daemon: writing %s failed: %s; the lines are lost (counted in "
		       "d0audit_output_write_errors_total; reported again once writes work)", sink, strerror(-err));
	h->failing = true;
}

static void emit(struct d0_output *o, const char *line, size_t len, bool file, int prio)
{
	int err = 0, e;

	if (file && o->fd >= 0) {
		err = write_line(o->fd, line, len);
		account(o, &o->file_health, o->path, err);
	}
	if (prio >= 0 && o->to_stdout) {
		char *buf = malloc(len + 8);
		int n;

		if (!buf)
			return;
		n = snprintf(buf, len + 8, "<%d>%s", prio, line);
		e = write_line(STDOUT_FILENO, buf, n);
		account(o, &o->stdout_health, "stdout", e);
		err = err ?: e;
		free(buf);
	}
	if (!err)
		o->lines++;
}

void d0_output_json(struct d0_output *o, json_t *obj, int prio)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t n;

	json_decref(obj);
	if (!s) {
		o->write_errors++;
		return;
	}
	n = strlen(s);
	s = realloc(s, n + 2) ?: s;
	s[n] = '\n';
	s[n + 1] = 0;
	emit(o, s, n + 1, true, prio);
	free(s);
}

void d0_output_human(struct d0_output *o, int prio, const char *text)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "d0audit: %s\n", text);

	emit(o, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1, false, prio);
}

void d0_output_violation(struct d0_output *o, const struct d0_violation *viol, const char *line)
{
	const struct d0_event *e = &viol->first;
	char msg[1024], rule[8], dev[16], pid[16], seq[24], count[24], comm[sizeof(e->comm) + 1];
	/* the buffers are filled below, before the send */
	const struct d0_journal_field f[] = {
		{ "MESSAGE", msg },
		{ "MESSAGE_ID", d0_rule_message_id[viol->rule] },
		{ "PRIORITY", "4" },
		{ "SYSLOG_IDENTIFIER", "d0audit" },
		{ "D0AUDIT_RULE", rule },
		{ "D0AUDIT_RULE_NAME", d0_rule_meta[viol->rule].name },
		{ "D0AUDIT_DEV", dev },
		{ "D0AUDIT_ALLOWED", viol->allowed ? "1" : "0" },
		{ "D0AUDIT_KIND", d0_kind_name(e->kind) ?: "?" },
		{ "D0AUDIT_PHASE", d0_phase_name(e->phase) },
		{ "D0AUDIT_FUNCTION", e->hook < D0_HOOK_COUNT ? d0_hooks[e->hook].target : "?" },
		{ "D0AUDIT_POWER", d0_power_name(e->power) },
		{ "D0AUDIT_PID", pid },
		{ "D0AUDIT_COMM", comm },
		{ "D0AUDIT_SEQ", seq },
		{ "D0AUDIT_COUNT", count },
	};
	int err;

	if (!o->to_stdout)
		return;
	if (!o->journal || viol->rule < 1 || viol->rule > D0_RULE_MAX) {
		d0_output_human(o, D0_LOG_WARNING, line);
		return;
	}
	snprintf(msg, sizeof(msg), "d0audit: %s", line);
	snprintf(rule, sizeof(rule), "%d", viol->rule);
	d0_bdf_format(viol->bdf, dev, sizeof(dev));
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)e->seq);
	snprintf(count, sizeof(count), "%llu", (unsigned long long)viol->count);
	/* comm is not always NUL-terminated in the kernel's copy */
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(e->comm), e->comm);
	err = d0_journal_send(o->journal_socket, f, sizeof(f) / sizeof(f[0]));
	if (!err) {
		o->lines++;
		return;
	}
	if (!o->journal_errors++)
		d0_warn("daemon: cannot send a structured record to journald (%s): %s; violations go to stdout as "
			"plain lines", o->journal_socket, strerror(-err));
	d0_output_human(o, D0_LOG_WARNING, line);
}

static void refill(struct d0_output *o, unsigned long long now_ms)
{
	if (o->refill_ms && now_ms > o->refill_ms) {
		o->tokens += (double)(now_ms - o->refill_ms) * o->rate_per_min / 60000.0;
		if (o->tokens > o->burst)
			o->tokens = o->burst;
	}
	o->refill_ms = now_ms;
}

bool d0_output_rate_allow(struct d0_output *o, unsigned long long now_ms)
{
	if (!o->rate_per_min)
		return true;
	refill(o, now_ms);
	if (o->tokens >= 1.0) {
		o->tokens -= 1.0;
		return true;
	}
	o->suppressed++;
	o->suppressed_pending++;
	return false;
}

void d0_output_flush_suppressed(struct d0_output *o, unsigned long long now_ms, bool force)
{
	char text[256];

	if (!o->suppressed_pending)
		return;
	if (!force) {
		refill(o, now_ms);
		if (o->tokens < 1.0)
			return;
		o->tokens -= 1.0;
	}
	snprintf(text, sizeof(text), "%llu violation report(s) held back by the rate limit (output.violation_rate); "
		 "metrics count every violation", (unsigned long long)o->suppressed_pending);
	d0_output_human(o, D0_LOG_WARNING, text);
	d0_output_json(o, json_pack("{s:s, s:I, s:s}", "type", "suppressed", "count",
				    (json_int_t)o->suppressed_pending, "reason", "rate limit"), D0_LOG_INFO);
	o->suppressed_pending = 0;
}
