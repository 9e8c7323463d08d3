/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's thread: serves up to CTL_MAX_CLIENTS clients at
 * once with poll(2), each with its own request buffer and reply buffer.
 * It never touches switch state itself; ctl_commands.c does, through the
 * worker's mailbox, so requests that reach the worker are serialized
 * there whatever the number of clients.
 *
 * No client can hold the socket:
 *  - a request line must be complete within CTL_REQUEST_DEADLINE_MS of
 *    its first byte (a byte every second does not extend it): else the
 *    client gets an error reply and is dropped;
 *  - a request line is at most CTL_LINE_MAX bytes (error reply, dropped);
 *  - a client that does not read its replies for CTL_REQUEST_DEADLINE_MS
 *    is dropped; replies are written without blocking;
 *  - a client that says nothing takes a slot, not the thread; it is
 *    dropped after CTL_IDLE_MS so that idle clients cannot fill the slots;
 *    beyond CTL_MAX_CLIENTS a new client is told so and closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "ctl.h"

#define CTL_LINE_MAX 65536
#define CTL_MAX_CLIENTS 16
#define CTL_REQUEST_DEADLINE_MS 2000
#define CTL_IDLE_MS 60000
#define CTL_POLL_MS 100

struct ctl_client {
	int fd;                 /* -1: free slot */
	char *in;               /* CTL_LINE_MAX bytes */
	size_t used;
	uint64_t request_start; /* ms: first byte of the unfinished request (0: none) */
	uint64_t last_active;   /* ms: last complete request or accept */
	char *out;              /* replies not yet sent */
	size_t out_len, out_off, out_cap;
	uint64_t out_since;     /* ms: when the unsent reply began to wait */
	bool closing;           /* drop once `out` is sent */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void client_close(struct ctl_client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Append a reply line to the client's output (sent by client_flush). */
static int client_queue(struct ctl_client *c, const char *s, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return -1;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
	return 0;
}

static void client_reply(struct ctl_client *c, json_t *r, uint64_t now)
{
	static const char fallback[] = "{\"ok\": false, \"error\": \"cannot encode the reply\"}";
	char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
	int rc;

	if (c->out_off == c->out_len)
		c->out_since = now;
	if (s) {
		rc = client_queue(c, s, strlen(s));
		free(s);
	} else {
		rc = client_queue(c, fallback, sizeof(fallback) - 1);
	}
	if (rc == 0)
		rc = client_queue(c, "\n", 1);
	if (rc < 0)
		c->closing = true, c->out_len = c->out_off; /* out of memory: drop it */
	json_decref(r);
}

static void client_error(struct ctl_client *c, const char *msg, uint64_t now)
{
	client_reply(c, json_pack("{s:b, s:s}", "ok", 0, "error", msg), now);
	c->closing = true;
}

/* Send what the socket takes now. -1: the client is gone. */
static int client_flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* Read what arrived and answer every complete line. -1: the client is gone. */
static int client_read(struct ctl_server *srv, struct ctl_client *c, uint64_t now)
{
	ssize_t n = recv(c->fd, c->in + c->used, CTL_LINE_MAX - 1 - c->used, MSG_DONTWAIT);
	char *line, *nl;

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	if (memchr(c->in + c->used, '\0', (size_t)n)) {
		client_error(c, "malformed request: NUL byte", now);
		return 0;
	}
	if (c->used == 0)
		c->request_start = now;
	c->used += (size_t)n;
	c->in[c->used] = '\0';
	line = c->in;
	while (!c->closing && (nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		client_reply(c, ctl_handle_request(srv->st, line), now);
		c->last_active = now;
		line = nl + 1;
	}
	if (line != c->in) {
		c->used -= (size_t)(line - c->in);
		memmove(c->in, line, c->used + 1);
		/* the next request's deadline runs from its own first byte */
		c->request_start = c->used ? now : 0;
	}
	if (!c->closing && c->used == CTL_LINE_MAX - 1)
		client_error(c, "request line too long (the limit is 65535 bytes)", now);
	return 0;
}

static void accept_client(struct ctl_server *srv, struct ctl_client *cl, uint64_t now)
{
	int fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ctl_client *c = NULL;

	if (fd < 0)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cl[i].fd < 0) {
			c = &cl[i];
			break;
		}
	if (c)
		c->in = malloc(CTL_LINE_MAX);
	if (!c || !c->in) {
		static const char busy[] = "{\"ok\": false, \"error\": \"too many control clients\"}\n";

		(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	c->fd = fd;
	c->last_active = now;
}

/* Deadlines: an unfinished request, an unread reply, an idle client. */
static void client_check_time(struct ctl_client *c, uint64_t now)
{
	/* first: a client being closed with an error still unread is dropped
	 * at the deadline too */
	if (c->out_off < c->out_len && now - c->out_since > CTL_REQUEST_DEADLINE_MS) {
		c->out_off = c->out_len; /* it does not read: nothing more to say */
		c->closing = true;
		return;
	}
	if (c->closing)
		return;
	if (c->used && now - c->request_start > CTL_REQUEST_DEADLINE_MS) {
		client_error(c, "request not completed within 2000 ms", now);
	} else if (!c->used && now - c->last_active > CTL_IDLE_MS) {
		client_error(c, "idle for 60 s", now);
	}
}

static void *ctl_thread(void *arg)
{
	struct ctl_server *srv = arg;
	struct ctl_client cl[CTL_MAX_CLIENTS];
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	int who[CTL_MAX_CLIENTS + 1];

	memset(cl, 0, sizeof(cl));
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		cl[i].fd = -1;
	while (!atomic_load(srv->st->stop)) {
		int n = 1;
		uint64_t now;

		pfd[0] = (struct pollfd){.fd = srv->fd, .events = POLLIN};
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = &cl[i];

			if (c->fd < 0)
				continue;
			/* a client with replies pending is not read: it
			 * gets no further until it reads them */
			pfd[n] = (struct pollfd){.fd = c->fd,
						 .events = c->out_off < c->out_len ? POLLOUT : POLLIN};
			who[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, CTL_POLL_MS) < 0 && errno != EINTR)
			break;
		now = now_ms();
		for (int k = 1; k < n; k++) {
			struct ctl_client *c = &cl[who[k]];
			int gone = 0;

			if (pfd[k].revents & POLLOUT)
				gone = client_flush(c);
			else if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				gone = client_read(srv, c, now);
			if (!gone)
				client_check_time(c, now);
			if (!gone && c->out_off < c->out_len)
				gone = client_flush(c);
			if (gone || (c->closing && c->out_off == c->out_len))
				client_close(c);
		}
		if (pfd[0].revents & POLLIN)
			accept_client(srv, cl, now);
	}
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cl[i].fd >= 0)
			client_close(&cl[i]);
	return NULL;
}

int ctl_server_start(struct ctl_server *srv, const char *path, struct loomd_state *st, char *err, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	mode_t old;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memset(srv, 0, sizeof(*srv));
	srv->st = st;
	strcpy(srv->path, path);
	strcpy(addr.sun_path, path);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Another loomd answering on this path keeps it: refuse, do not steal. */
	if (connect(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
		snprintf(err, errlen, "another loomd is listening on %s", path);
		close(srv->fd);
		return -1;
	}
	close(srv->fd);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	/* bind creates the socket file 0777 & ~umask: 0177 leaves 0600, so
	 * only root (the owner) connects (umask 0077 gave 0700). */
	old = umask(0177);
	if (bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv->fd, 16) < 0) {
		umask(old);
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(srv->fd);
		return -1;
	}
	umask(old);
	/* An EAL control thread: it runs on the cores not used by lcores, so
	 * it does not compete with the worker. */
	if (rte_ctrl_thread_create(&srv->thread, "loomd-ctl", NULL, ctl_thread, srv) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		close(srv->fd);
		return -1;
	}
	return 0;
}

void ctl_server_stop(struct ctl_server *srv)
{
	pthread_join(srv->thread, NULL);
	close(srv->fd);
	unlink(srv->path);
}
