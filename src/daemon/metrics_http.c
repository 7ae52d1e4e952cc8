// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "daemon/metrics_http.h"
#include "daemon/daemon_config.h"
#include "lib/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_unix(struct d0_http *s, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	/* a socket left by a previous run (never any other kind of file) */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		int err = -errno;

		close(fd);
		return err;
	}
	snprintf(s->unix_path, sizeof(s->unix_path), "%s", path);
	return fd;
}

static int listen_tcp(const char *spec)
{
	/* numeric only: no name service in a static binary, and no surprise address */
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST }, *ai;
	char host[128], port[8];
	unsigned int p;
	int fd, one = 1, err;

	if (d0_split_host_port(spec, host, sizeof(host), &p))
		return -EINVAL;
	snprintf(port, sizeof(port), "%u", p);
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	err = getaddrinfo(host, port, &hints, &ai);
	if (err)
		return -EADDRNOTAVAIL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		freeaddrinfo(ai);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		freeaddrinfo(ai);
		return err;
	}
	freeaddrinfo(ai);
	return fd;
}

int d0_http_open(struct d0_http *s, const char *listen, const struct d0_http_handlers *h)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = -1;
	for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	s->h = *h;
	if (!listen || !*listen)
		return 0;
	s->listen_fd = !strncmp(listen, "unix:", 5) ? listen_unix(s, listen + 5) : listen_tcp(listen);
	if (s->listen_fd < 0) {
		int err = s->listen_fd;

		s->listen_fd = -1;
		d0_err("daemon: cannot serve metrics on %s: %s (is the port taken, or the socket's directory "
		       "missing or read-only?)", listen, strerror(-err));
		return err;
	}
	return 0;
}

static void drop_conn(struct d0_http_conn *c)
{
	close(c->fd);
	free(c->resp);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void d0_http_close(struct d0_http *s)
{
	for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			drop_conn(&s->conns[i]);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->unix_path[0])
		unlink(s->unix_path);
	s->listen_fd = -1;
	s->unix_path[0] = 0;
}

int d0_http_pollfds(const struct d0_http *s, struct pollfd *pfd, int max)
{
	int n = 0;

	if (s->listen_fd < 0 || max < 1)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	for (int i = 0; i < D0_HTTP_MAX_CONNS && n < max; i++)
		if (s->conns[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = s->conns[i].fd, .events = s->conns[i].resp ? POLLOUT : POLLIN };
	return n;
}

/* extra: more header lines, each ending in \r\n ("" for none) */
static char *reply_with(int code, const char *reason, const char *extra, const char *type, const char *body,
			size_t blen, bool head, size_t *len)
{
	char hdr[320];
	int n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\n%sContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\nCache-Control: no-store\r\n\r\n", code, reason, extra, type, blen);
	char *out = malloc(n + blen + 1);

	if (!out)
		return NULL;
	memcpy(out, hdr, n);
	if (!head)
		memcpy(out + n, body, blen);
	*len = n + (head ? 0 : blen);
	return out;
}

static char *reply(int code, const char *reason, const char *type, const char *body, size_t blen, bool head,
		   size_t *len)
{
	return reply_with(code, reason, "", type, body, blen, head, len);
}

static char *reply_text(int code, const char *reason, const char *body, size_t *len)
{
	return reply(code, reason, "text/plain; charset=utf-8", body, strlen(body), false, len);
}

char *d0_http_respond(struct d0_http *s, const char *req, size_t *len)
{
	/* the whole request fits: a long query string must not push "HTTP/1.1" out of the parse */
	static const char only_get[] = "only GET and HEAD\n";
	char method[8], path[D0_HTTP_MAX_REQUEST + 1], proto[16];
	bool head;

	s->requests++;
	if (sscanf(req, "%7s %2048s %15s", method, path, proto) != 3 || strncmp(proto, "HTTP/1.", 7))
		return reply_text(400, "Bad Request", "bad request\n", len);
	/* Prometheus' params: adds "?name=value"; nothing here takes parameters */
	path[strcspn(path, "?")] = 0;
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head)
		return reply_with(405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "text/plain; charset=utf-8",
				  only_get, strlen(only_get), false, len);
	if (!strcmp(path, "/metrics")) {
		char *body = NULL, *out;
		long n = s->h.metrics(s->h.ctx, &body);

		if (n < 0) {
			free(body);
			return reply_text(500, "Internal Server Error", "cannot render the metrics\n", len);
		}
		out = reply(200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, n, head, len);
		free(body);
		return out;
	}
	if (!strcmp(path, "/healthz")) {
		char msg[200], body[210];
		bool ok = s->h.health(s->h.ctx, msg, sizeof(msg));

		snprintf(body, sizeof(body), "%s\n", msg);
		return reply(ok ? 200 : 503, ok ? "OK" : "Service Unavailable", "text/plain; charset=utf-8", body,
			     strlen(body), head, len);
	}
	return reply_text(404, "Not Found", "only /metrics and /healthz\n", len);
}

/*
 * Every slot taken: the connection that has waited longest without a whole
 * request goes, so clients that connect and say nothing cannot keep a
 * scraper or a health check out. Returns the freed slot, or -1 if every
 * slot is sending an answer.
 */
static int evict_idle(struct d0_http *s)
{
	int oldest = -1;

	for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
		if (!s->conns[i].resp && (oldest < 0 || s->conns[i].deadline_ms < s->conns[oldest].deadline_ms))
			oldest = i;
	if (oldest >= 0) {
		drop_conn(&s->conns[oldest]);
		s->evicted++;
	}
	return oldest;
}

static void accept_all(struct d0_http *s, unsigned long long now_ms)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

		if (fd < 0)
			return; /* EAGAIN, or a client that went away */
		for (i = 0; i < D0_HTTP_MAX_CONNS && s->conns[i].fd >= 0; i++)
			;
		if (i == D0_HTTP_MAX_CONNS)
			i = evict_idle(s);
		if (i < 0) {
			s->rejected++;
			close(fd); /* every slot is sending an answer: the scraper retries */
			continue;
		}
		s->conns[i].fd = fd;
		s->conns[i].deadline_ms = now_ms + D0_HTTP_TIMEOUT_MS;
	}
}

static void read_request(struct d0_http *s, struct d0_http_conn *c)
{
	ssize_t n = read(c->fd, c->req + c->len, D0_HTTP_MAX_REQUEST - c->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_conn(c);
		return;
	}
	c->len += n;
	c->req[c->len] = 0;
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		c->resp = d0_http_respond(s, c->req, &c->resp_len);
	else if (c->len == D0_HTTP_MAX_REQUEST)
		c->resp = reply_text(431, "Request Header Fields Too Large", "request too large\n", &c->resp_len);
	if (c->len == D0_HTTP_MAX_REQUEST && !c->resp)
		drop_conn(c);
}

static void write_response(struct d0_http_conn *c)
{
	ssize_t n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_conn(c);
		return;
	}
	c->resp_off += n;
	if (c->resp_off == c->resp_len)
		drop_conn(c); /* one request per connection */
}

void d0_http_handle(struct d0_http *s, const struct pollfd *pfd, int n, unsigned long long now_ms)
{
	for (int k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (pfd[k].fd == s->listen_fd) {
			accept_all(s, now_ms);
			continue;
		}
		for (int i = 0; i < D0_HTTP_MAX_CONNS; i++) {
			struct d0_http_conn *c = &s->conns[i];

			if (c->fd != pfd[k].fd)
				continue;
			if (pfd[k].revents & (POLLERR | POLLNVAL))
				drop_conn(c);
			else if (!c->resp)
				read_request(s, c);
			else
				write_response(c);
			if (c->fd >= 0 && c->resp && !c->resp_off)
				write_response(c);
			break;
		}
	}
	for (int i = 0; i < D0_HTTP_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0 && now_ms >= s->conns[i].deadline_ms)
			drop_conn(&s->conns[i]); /* slow or idle client */
}
