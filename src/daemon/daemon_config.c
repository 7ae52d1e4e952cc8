// SPDX-License-Identifier: GPL-2.0
#include "daemon/daemon_config.h"
#include "lib/duration.h"
#include "model/event_names.h"

#include <linux/types.h>
#include "d0audit/event.h"
#include "d0audit/rules.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct parse_state {
	struct d0_daemon_config *c;
	char msg[D0_CONF_ERR_LEN]; /* the first error */
	int err_line;              /* its line (0: a flag, no line) */
	/* our own line reader: libinih tells the handler no line number */
	const char *text;          /* parsing a buffer: what is left of it */
	FILE *file;                /* or a file */
	int lineno;
	char seen[64][96];         /* section.key already set in this file: a second one is an error */
	int seen_line[64];
	int nseen;
};

void d0_config_defaults(struct d0_daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = D0_MODE_STRICT;
	c->output_stdout = true;
	c->metrics_interval_ms = 15000;
	c->metrics_device_cap = 64;
	c->rate_per_min = 60;
	c->rate_burst = 20;
}

__attribute__((format(printf, 2, 3))) static int fail(struct parse_state *p, const char *fmt, ...)
{
	va_list ap;

	if (p->msg[0])
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	p->err_line = p->lineno;
	return 0; /* inih: this line is an error */
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(v, no[i]))
			return *out = false, 0;
	}
	return -1;
}

static int parse_uint(const char *v, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long n;

	if (!*v || *v == '-')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

static int set_path(struct parse_state *p, const char *key, const char *v, char *dst)
{
	if (*v && *v != '/')
		return fail(p, "%s must be an absolute path, not '%s'", key, v);
	if (strlen(v) >= D0_CONF_PATH_MAX)
		return fail(p, "%s is longer than %d characters", key, D0_CONF_PATH_MAX - 1);
	strcpy(dst, v);
	return 1;
}

/* A space- or comma-separated list of BDF globs; a later source replaces the whole list. */
static int set_patterns(struct parse_state *p, const char *key, const char *v, char pats[][64], int *n)
{
	char buf[D0_CONF_PATTERNS * 64], *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return fail(p, "%s: list too long", key);
	strcpy(buf, v);
	*n = 0;
	for (char *tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (*n >= D0_CONF_PATTERNS)
			return fail(p, "%s: more than %d patterns", key, D0_CONF_PATTERNS);
		if (strlen(tok) >= 64 || strspn(tok, "0123456789abcdefABCDEF:.*?[]-!") != strlen(tok))
			return fail(p, "%s: '%s' is not a PCI address glob (example: 0000:3b:*)", key, tok);
		strcpy(pats[(*n)++], tok);
	}
	return 1;
}

static bool loopback_host(const char *host);

/* metrics.listen's own syntax (not whether it is loopback: listen_any may come later). */
static int listen_syntax(const char *l, char *err, size_t errlen)
{
	char host[128];
	unsigned int port;

	if (!*l)
		return 0;
	if (!strncmp(l, "unix:", 5)) {
		if (l[5] != '/' || strlen(l + 5) >= 108)
			return snprintf(err, errlen, "metrics.listen 'unix:%s': needs an absolute socket path of at most "
					"107 characters", l + 5), -1;
		return 0;
	}
	if (d0_split_host_port(l, host, sizeof(host), &port))
		return snprintf(err, errlen, "metrics.listen '%s': expected 127.0.0.1:PORT, [::1]:PORT or unix:/PATH "
				"(PORT 1-65535)", l), -1;
	return 0;
}

/* "value # comment": a '#' after whitespace starts a comment, as ';' does for libinih. */
static const char *strip_comment(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v);

	for (size_t i = 1; i < n; i++)
		if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
			n = i;
			break;
		}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	snprintf(buf, len, "%.*s", (int)n, v);
	return buf;
}

/* The same key twice in one file: the second would silently win; say where the first is. */
static bool duplicate(struct parse_state *p, const char *full)
{
	if (!p->lineno)
		return false; /* a flag */
	for (int i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], full))
			return fail(p, "duplicate key %s (first set on line %d)", full, p->seen_line[i]), true;
	if (p->nseen < 64) {
		snprintf(p->seen[p->nseen], sizeof(p->seen[0]), "%s", full);
		p->seen_line[p->nseen++] = p->lineno;
	}
	return false;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *p = user;
	struct d0_daemon_config *c = p->c;
	unsigned long long n;
	char full[96], v[D0_CONF_PATH_MAX * 4], why[D0_CONF_ERR_LEN];

	snprintf(full, sizeof(full), "%s.%s", section, key);
	strip_comment(value, v, sizeof(v));
	if (duplicate(p, full))
		return 0;
	if (!strcmp(full, "audit.mode")) {
		if (d0_mode_from_name(v, &c->mode))
			return fail(p, "audit.mode must be strict or kernel, not '%s'", v);
	} else if (!strcmp(full, "audit.ringbuf_size")) {
		if (d0_parse_ringbuf_size(v, &n))
			return fail(p, "audit.ringbuf_size must be a power of two from 4k to 1G, not '%s'", v);
		c->ringbuf_bytes = n;
	} else if (!strcmp(full, "audit.pin")) {
		return set_path(p, full, v, c->pin_dir);
	} else if (!strcmp(full, "audit.devices_allow")) {
		return set_patterns(p, full, v, c->allow, &c->nallow);
	} else if (!strcmp(full, "audit.devices_deny")) {
		return set_patterns(p, full, v, c->deny, &c->ndeny);
	} else if (!strcmp(full, "output.file")) {
		return set_path(p, full, v, c->output_file);
	} else if (!strcmp(full, "output.stdout")) {
		if (parse_bool(v, &c->output_stdout))
			return fail(p, "output.stdout must be yes or no, not '%s'", v);
	} else if (!strcmp(full, "output.violation_rate")) {
		if (parse_uint(v, 1000000, &c->rate_per_min))
			return fail(p, "output.violation_rate must be lines per minute (0 = unlimited), not '%s'", v);
	} else if (!strcmp(full, "output.violation_burst")) {
		if (parse_uint(v, 1000000, &c->rate_burst) || !c->rate_burst)
			return fail(p, "output.violation_burst must be a number of lines >= 1, not '%s'", v);
	} else if (!strcmp(full, "metrics.textfile")) {
		return set_path(p, full, v, c->metrics_textfile);
	} else if (!strcmp(full, "metrics.listen")) {
		if (strlen(v) >= D0_CONF_PATH_MAX)
			return fail(p, "metrics.listen is too long");
		if (listen_syntax(v, why, sizeof(why)))
			return fail(p, "%s", why);
		strcpy(c->metrics_listen, v);
	} else if (!strcmp(full, "metrics.listen_any")) {
		if (parse_bool(v, &c->metrics_listen_any))
			return fail(p, "metrics.listen_any must be yes or no, not '%s'", v);
	} else if (!strcmp(full, "metrics.interval")) {
		if (d0_parse_duration(v, &n) || n < 1000 || n > 3600000)
			return fail(p, "metrics.interval must be a duration from 1s to 1h, not '%s'", v);
		c->metrics_interval_ms = n;
	} else if (!strcmp(full, "metrics.device_cap")) {
		if (parse_uint(v, 4096, &c->metrics_device_cap))
			return fail(p, "metrics.device_cap must be a number from 0 to 4096, not '%s'", v);
	} else if (!strcmp(full, "privileges.user")) {
		if (strlen(v) >= sizeof(c->user) || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != strlen(v))
			return fail(p, "privileges.user '%s' is not a user name", v);
		strcpy(c->user, v);
	} else {
		return fail(p, "unknown key '%s' in section [%s] (keys: audit.mode ringbuf_size pin devices_allow "
			    "devices_deny; output.file stdout violation_rate violation_burst; metrics.textfile listen "
			    "listen_any interval device_cap; privileges.user)", key, section);
	}
	return 1;
}

static int finish(struct parse_state *p, int rc, const char *name, char *err, size_t errlen)
{
	if (rc == 0 && !p->msg[0])
		return 0;
	if (rc == -2)
		snprintf(err, errlen, "%s: out of memory while parsing", name);
	else if (p->msg[0] && (rc <= 0 || p->err_line <= rc))
		snprintf(err, errlen, "%s:%d: %s", name, p->err_line, p->msg);
	else if (rc > 0)
		snprintf(err, errlen, "%s:%d: not INI syntax ('[section]' or 'key = value'; lines at most %d chars)",
			 name, rc, INI_MAX_LINE);
	else
		snprintf(err, errlen, "%s: cannot read: %s", name, strerror(errno));
	return -1;
}

/*
 * libinih's line reader, counting lines (so that the handler's errors carry theirs)
 * and catching a section header without its ']', which libinih reports on the line
 * but then takes the following keys into the previous section.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *p = stream;
	const char *s = str;

	if (p->file) {
		if (!fgets(str, num, p->file))
			return NULL;
	} else {
		const char *nl;
		int n;

		if (!*p->text)
			return NULL;
		nl = strchr(p->text, '\n');
		n = nl ? (int)(nl - p->text + 1) : (int)strlen(p->text);
		if (n > num - 1)
			n = num - 1;
		memcpy(str, p->text, n);
		str[n] = 0;
		p->text += n;
	}
	/* a line longer than the buffer comes in pieces: count it once */
	if (!p->lineno || strchr(str, '\n') || !p->file)
		p->lineno++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[' && !strchr(s, ']'))
		fail(p, "section header %.*s has no closing ']'", (int)strcspn(s, "\r\n"), s);
	return str;
}

int d0_config_parse_buffer(struct d0_daemon_config *c, const char *text, const char *name, char *err,
			   size_t errlen)
{
	struct parse_state p = { .c = c, .text = text };

	return finish(&p, ini_parse_stream(read_line, &p, handler, &p), name, err, errlen);
}

static int parse_file(struct d0_daemon_config *c, const char *path, char *err, size_t errlen)
{
	struct parse_state p = { .c = c };
	int rc;

	p.file = fopen(path, "r");
	if (!p.file) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, &p, handler, &p);
	fclose(p.file);
	return finish(&p, rc, path, err, errlen);
}

int d0_config_set(struct d0_daemon_config *c, const char *assignment, char *err, size_t errlen)
{
	struct parse_state p = { .c = c };
	char section[32], *dot, *eq, buf[D0_CONF_PATH_MAX + 64];

	snprintf(buf, sizeof(buf), "%s", assignment);
	dot = strchr(buf, '.');
	eq = strchr(buf, '=');
	if (!dot || !eq || dot > eq || (size_t)(dot - buf) >= sizeof(section)) {
		snprintf(err, errlen, "flag value '%s' is not section.key=value", assignment);
		return -1;
	}
	*dot = *eq = 0;
	memcpy(section, buf, dot - buf + 1);
	if (!handler(&p, section, dot + 1, eq + 1)) {
		snprintf(err, errlen, "command line: %s", p.msg);
		return -1;
	}
	return 0;
}

static bool loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int d0_split_host_port(const char *s, char *host, size_t hostlen, unsigned int *port)
{
	const char *colon;
	size_t n;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		n = close - s - 1;
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = colon - s;
	}
	if (!n || n >= hostlen || parse_uint(colon + 1, 65535, port) || !*port)
		return -1;
	memcpy(host, s, n);
	host[n] = 0;
	return 0;
}

int d0_config_validate(const struct d0_daemon_config *c, char *err, size_t errlen)
{
	const char *l = c->metrics_listen;
	char host[128];
	unsigned int port;

	if (!c->output_file[0] && !c->output_stdout) {
		snprintf(err, errlen, "no output: set output.file (--output) or output.stdout = yes");
		return -1;
	}
	if (!*l || !strncmp(l, "unix:", 5))
		return listen_syntax(l, err, errlen);
	if (d0_split_host_port(l, host, sizeof(host), &port))
		return listen_syntax(l, err, errlen);
	if (!loopback_host(host) && !c->metrics_listen_any) {
		snprintf(err, errlen, "metrics.listen '%s' is not a loopback address: the metrics would be reachable "
			 "from the network; use 127.0.0.1 or a unix socket, or set metrics.listen_any = yes "
			 "(--metrics-listen-any) if you mean it", l);
		return -1;
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int conf_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

int d0_config_load(struct d0_daemon_config *c, const struct d0_config_sources *s, char *err, size_t errlen)
{
	const char *main_path = s->main_path ? s->main_path : D0_DEFAULT_CONFIG;
	char dir[D0_CONF_PATH_MAX + 16], path[D0_CONF_PATH_MAX + 16 + 260];
	struct dirent **names = NULL;
	int n, rc = 0;

	d0_config_defaults(c);
	if (s->main_required || access(main_path, F_OK) == 0)
		if (parse_file(c, main_path, err, errlen))
			return -1;
	if (s->dropin_dir) {
		snprintf(dir, sizeof(dir), "%s", s->dropin_dir);
	} else {
		const char *slash = strrchr(main_path, '/');
		int len = slash ? (int)(slash - main_path) : 1;

		snprintf(dir, sizeof(dir), "%.*s/conf.d", len, slash ? main_path : ".");
	}
	n = scandir(dir, &names, conf_file, by_name);
	if (n < 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot list drop-ins: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!rc && parse_file(c, path, err, errlen))
			rc = -1;
		free(names[i]);
	}
	free(names);
	if (rc)
		return rc;
	for (int i = 0; i < s->noverrides; i++)
		if (d0_config_set(c, s->overrides[i], err, errlen))
			return -1;
	return d0_config_validate(c, err, errlen);
}

bool d0_config_device_reported(const struct d0_daemon_config *c, const char *bdf)
{
	bool ok = c->nallow == 0;

	for (int i = 0; i < c->nallow && !ok; i++)
		ok = !fnmatch(c->allow[i], bdf, 0);
	for (int i = 0; i < c->ndeny && ok; i++)
		ok = fnmatch(c->deny[i], bdf, 0) != 0;
	return ok;
}
