// SPDX-License-Identifier: GPL-2.0
#include "session.h"
#include "cli.h"
#include "d0audit.skel.h"
#include "log.h"
#include "variant_ops.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define D0_POLL_MS 100

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static pid_t start_command(char **cmd, bool stdout_to_stderr)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (stdout_to_stderr)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(cmd[0], cmd);
		d0_err("cannot run '%s': %s", cmd[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		d0_err("cannot fork to run '%s': %s", cmd[0], strerror(errno));
	return pid;
}

/* Devices whose driver moves BAR data on paths no hook sees: the verdict on them cannot be clean. */
static void unobserved_paths(const struct d0_loader *l, struct d0_session_result *res)
{
	struct d0_variant_dev d[D0_VARIANT_MAX];
	int n = d0_variant_collect(bpf_map__fd(l->skel->maps.driver_ops), "", d, D0_VARIANT_MAX);

	if (n < 0)
		snprintf(res->unobserved[res->nunobserved++], sizeof(res->unobserved[0]),
			 "the drivers of the vfio devices could not be listed (%s): variant driver paths unchecked",
			 strerror(-n));
	for (int i = 0; i < n && res->nunobserved < D0_UNOBSERVED_MAX; i++)
		if (d[i].gap[0] && snprintf(res->unobserved[res->nunobserved++], sizeof(res->unobserved[0]),
					    "device %s (driver %s): %s", d[i].bdf, d[i].driver, d[i].gap) >=
					   (int)sizeof(res->unobserved[0]))
			strcpy(res->unobserved[res->nunobserved - 1] + sizeof(res->unobserved[0]) - 4, "...");
}

int d0_session_run(const struct d0_session_opts *o, const struct d0_consumer_ops *ops,
		   struct d0_loader *l, struct d0_session_result *res)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct d0_consumer c;
	unsigned long long deadline = 0;
	pid_t child = -1;
	int err;

	memset(res, 0, sizeof(*res));
	res->cmd_status = -1;
	err = d0_loader_start(l, &o->load);
	if (err) {
		d0_session_cmd_not_run(o->cmd);
		return err;
	}
	err = d0_consumer_init(&c, l, ops);
	if (err)
		goto out_stop;
	/* devices bound before the session: BPF learns their driver's ops now (others at registration) */
	d0_variant_probe("");
	if (o->ready && (err = o->ready(l, o->ready_ctx)))
		goto out_free;
	stop_signal = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o->duration_ms) {
		/* saturate: a huge --duration must mean "for ever", not wrap to "already over" */
		deadline = now_ms();
		deadline = o->duration_ms > ~0ULL - deadline ? ~0ULL : deadline + o->duration_ms;
	}
	if (o->cmd) {
		child = start_command(o->cmd, o->cmd_stdout_to_stderr);
		if (child < 0) {
			err = -ECHILD;
			goto out_free;
		}
	}
	for (;;) {
		int n = d0_consumer_poll(&c, D0_POLL_MS);

		if (n < 0) {
			d0_err("reading the ring buffer failed: %s", strerror(-n));
			err = n;
			break;
		}
		if (o->wait_modules && d0_loader_modules_appeared(l)) {
			int added = d0_loader_extend(l, &o->load);

			if (added < 0)
				d0_warn("modules loaded after start, but attaching their hooks failed: %s "
					"(d0audit doctor tells which)", strerror(-added));
			else if (added)
				d0_info("modules loaded after start: %d more hooks attached (%d in all)", added,
					l->attached);
		}
		if (child > 0 && waitpid(child, &res->cmd_status, WNOHANG) == child) {
			res->ended_by = "command";
			child = -1;
			break;
		}
		if (stop_signal) {
			res->ended_by = "signal";
			break;
		}
		if (deadline && now_ms() >= deadline) {
			res->ended_by = "duration";
			break;
		}
	}
	if (child > 0) {
		/* We are stopping first: let the command go with us, and reap it. */
		kill(child, SIGTERM);
		waitpid(child, &res->cmd_status, 0);
	}
	/* and those bound since without registering in sight (vfio-pci probing as its module loads) */
	d0_variant_probe("");
	/* Detach first so that nothing is produced after the final drain. */
	for (int i = 0; i < D0_HOOK_COUNT; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
	if (d0_consumer_finish(&c))
		d0_warn("the final drain of the ring buffer failed: counts below may be short");
	d0_consumer_counters(&c, &res->counters);
	res->bad_records = c.bad_records;
	unobserved_paths(l, res);
out_free:
	d0_consumer_free(&c);
	if (err && child < 0 && !res->ended_by)
		d0_session_cmd_not_run(o->cmd);
out_stop:
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	d0_loader_stop(l);
	return err;
}

void d0_session_cmd_not_run(char **cmd)
{
	char line[512] = "";

	if (!cmd)
		return;
	for (int i = 0; cmd[i] && strlen(line) < sizeof(line) - 2; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "", cmd[i]);
	d0_err("%s: nothing was audited, so the command was not run: %s", d0_opts.command ? d0_opts.command : "d0audit",
	       line);
}

int d0_session_cmd_killed(const struct d0_session_result *res, char *why, unsigned long len)
{
	if (res->cmd_status < 0 || !WIFSIGNALED(res->cmd_status) || !res->ended_by ||
	    strcmp(res->ended_by, "command"))
		return 0;
	snprintf(why, len, "killed by signal %d (%s)%s", WTERMSIG(res->cmd_status), strsignal(WTERMSIG(res->cmd_status)),
		 WCOREDUMP(res->cmd_status) ? ", core dumped" : "");
	return 1;
}
