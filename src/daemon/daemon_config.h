/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's configuration: /etc/d0audit/d0audit.conf, then
 * /etc/d0audit/conf.d/NAME.conf in lexical order, then command-line flags;
 * a later source wins key by key. Parsing never touches the running daemon:
 * a SIGHUP builds a new config, validates it whole, and only then swaps.
 */
#ifndef D0AUDIT_DAEMON_CONFIG_H
#define D0AUDIT_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define D0_CONF_PATH_MAX 256
#define D0_CONF_PATTERNS 32
#define D0_CONF_ERR_LEN 512
#define D0_DEFAULT_CONFIG "/etc/d0audit/d0audit.conf"

struct d0_daemon_config {
	unsigned int mode;                 /* enum d0_mode */
	unsigned int ringbuf_bytes;        /* 0 = the loader's default */
	char output_file[D0_CONF_PATH_MAX];/* "" = no file */
	bool output_stdout;
	char metrics_textfile[D0_CONF_PATH_MAX];
	char metrics_listen[D0_CONF_PATH_MAX]; /* "127.0.0.1:9717", "[::1]:9717", "unix:/run/x.sock", "" */
	bool metrics_listen_any;           /* allow a non-loopback address */
	unsigned int metrics_interval_ms;  /* textfile refresh */
	unsigned int metrics_device_cap;   /* devices with their own label; the rest are "other" */
	char allow[D0_CONF_PATTERNS][64];  /* BDF globs (fnmatch); none = every device */
	int nallow;
	char deny[D0_CONF_PATTERNS][64];
	int ndeny;
	unsigned int rate_per_min;         /* violation log lines per minute; 0 = unlimited */
	unsigned int rate_burst;
	char user[64];                     /* "" = stay as started */
	char pin_dir[D0_CONF_PATH_MAX];    /* bpffs directory for restart continuity; "" = no pinning */
};

/* Where a config comes from, for error messages and reload. */
struct d0_config_sources {
	const char *main_path;             /* NULL = D0_DEFAULT_CONFIG */
	bool main_required;                /* --config given: a missing file is an error */
	const char *dropin_dir;            /* NULL = <dir of main>/conf.d */
	/* flags as "section.key=value", applied last (flag > file) */
	const char *const *overrides;
	int noverrides;
};

void d0_config_defaults(struct d0_daemon_config *c);

/*
 * Parse INI text into c (keys not in the text keep their value). `name` is
 * used in errors ("name:line: what"). Returns 0, or -1 with err filled.
 * Works on a memory buffer so that a fuzzer can drive it.
 */
int d0_config_parse_buffer(struct d0_daemon_config *c, const char *text, const char *name, char *err,
			   size_t errlen);
/* One "section.key=value" (a flag). */
int d0_config_set(struct d0_daemon_config *c, const char *assignment, char *err, size_t errlen);
/* Whole-config checks that no single key can make (e.g. listen address vs listen_any). */
int d0_config_validate(const struct d0_daemon_config *c, char *err, size_t errlen);
/* Defaults, main file, drop-ins, overrides, validate. */
int d0_config_load(struct d0_daemon_config *c, const struct d0_config_sources *s, char *err, size_t errlen);

/* "HOST:PORT" or "[V6]:PORT" -> host and port; -1 if malformed. */
int d0_split_host_port(const char *s, char *host, size_t hostlen, unsigned int *port);

/* Is this device (e.g. "0000:00:03.0", "-" when unknown) reported? */
bool d0_config_device_reported(const struct d0_daemon_config *c, const char *bdf);

/*
 * The daemon's command line (src/daemon/daemon_flags.c) as overrides in s, applied
 * after the files on every (re)load. 0; 1 after --help (printed); -1 on a
 * usage error (printed).
 */
int d0_daemon_parse_flags(int argc, char **argv, struct d0_config_sources *s, bool *check_only, bool *release);
/* What start would find wrong on this host beyond the file's syntax: the pin directory, the user. */
int d0_daemon_check_host(const struct d0_daemon_config *c, char *err, size_t errlen);

#endif
