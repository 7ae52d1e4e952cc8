/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deliberately tiny HTTP/1.x server for the metrics, driven from the
 * daemon's poll loop: non-blocking sockets, GET (or HEAD) /metrics and
 * /healthz only, one request per connection, requests bounded in size and
 * time, a handful of connections at once (when all are taken, the one
 * idle longest makes room: idle clients cannot lock out a scraper). Bound to loopback or a unix
 * socket; a wider address is refused unless explicitly allowed.
 */
#ifndef D0AUDIT_METRICS_HTTP_H
#define D0AUDIT_METRICS_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define D0_HTTP_MAX_CONNS 8
#define D0_HTTP_MAX_REQUEST 2048
#define D0_HTTP_TIMEOUT_MS 5000

struct d0_http_conn {
	int fd;                          /* -1 = free */
	char req[D0_HTTP_MAX_REQUEST + 1];
	size_t len;
	char *resp;                      /* once the request is complete */
	size_t resp_len, resp_off;
	unsigned long long deadline_ms;
};

struct d0_http_handlers {
	/* The metrics text, malloc'ed; returns its length or -1. */
	long (*metrics)(void *ctx, char **out);
	/* true if healthy; msg says why not (or "ok"). */
	bool (*health)(void *ctx, char *msg, size_t len);
	void *ctx;
};

struct d0_http {
	int listen_fd;                   /* -1 = not serving */
	char unix_path[108];
	struct d0_http_conn conns[D0_HTTP_MAX_CONNS];
	struct d0_http_handlers h;
	unsigned long requests, rejected, evicted;
};

/* listen: "127.0.0.1:PORT", "[::1]:PORT" or "unix:/path". 0, or -errno with a message. */
int d0_http_open(struct d0_http *s, const char *listen, const struct d0_http_handlers *h);
void d0_http_close(struct d0_http *s);
/* Add this server's fds to pfd (at most max); returns how many. */
int d0_http_pollfds(const struct d0_http *s, struct pollfd *pfd, int max);
/* Handle whatever poll reported on the fds d0_http_pollfds added, and timeouts. */
void d0_http_handle(struct d0_http *s, const struct pollfd *pfd, int n, unsigned long long now_ms);

/* The response to one complete request (exposed for tests). malloc'ed; sets *len. */
char *d0_http_respond(struct d0_http *s, const char *req, size_t *len);

#endif
