/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's thread: accepts one client at a time, reads
 * request lines (bounded in size), writes reply lines. It never touches
 * switch state itself; ctl_commands.c does, through the worker's mailbox.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "ctl.h"

#define CTL_LINE_MAX 65536

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int reply(int fd, json_t *r)
{
	static const char fallback[] = "{\"ok\": false, \"error\": \"cannot encode the reply\"}";
	char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
	int rc = -1;

	if (!s)
		return write_all(fd, fallback, sizeof(fallback) - 1) == 0 ? write_all(fd, "\n", 1) : -1;

	if (s) {
		rc = write_all(fd, s, strlen(s));
		if (rc == 0)
			rc = write_all(fd, "\n", 1);
		free(s);
	}
	json_decref(r);
	return rc;
}

/* One client at a time, so none may hold the socket: a client that sends
 * nothing for CTL_IDLE_MS, or does not read its replies within the send
 * timeout, is disconnected. */
#define CTL_IDLE_MS 2000

static void serve_client(struct ctl_server *srv, int fd)
{
	struct timeval send_timeout = {.tv_sec = 1};
	char *buf = malloc(CTL_LINE_MAX);
	size_t used = 0;
	int idle_ms = 0;

	if (!buf)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
	while (!atomic_load(srv->st->stop) && idle_ms < CTL_IDLE_MS) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0) {
			idle_ms += 200;
			continue;
		}
		idle_ms = 0;
		n = recv(fd, buf + used, CTL_LINE_MAX - 1 - used, 0);
		if (n <= 0)
			break;
		if (memchr(buf + used, '\0', (size_t)n)) {
			reply(fd, json_pack("{s:b, s:s}", "ok", 0, "error", "malformed request: NUL byte"));
			break;
		}
		used += (size_t)n;
		buf[used] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (reply(fd, ctl_handle_request(srv->st, buf)) < 0)
				goto out;
			used -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, used + 1);
		}
		if (used == CTL_LINE_MAX - 1) {
			json_t *r = json_pack("{s:b, s:s}", "ok", 0, "error", "request line too long");
			reply(fd, r);
			break;
		}
	}
out:
	free(buf);
}

static void *ctl_thread(void *arg)
{
	struct ctl_server *srv = arg;

	while (!atomic_load(srv->st->stop)) {
		struct pollfd pfd = {.fd = srv->fd, .events = POLLIN};
		int fd;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept(srv->fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_client(srv, fd);
		close(fd);
	}
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
	old = umask(0077); /* the socket is created 0600: root only */
	if (bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv->fd, 4) < 0) {
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
