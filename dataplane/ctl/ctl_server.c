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
#include <sys/un.h>
#include <unistd.h>

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
	char *s = json_dumps(r, JSON_COMPACT);
	int rc = -1;

	if (s) {
		rc = write_all(fd, s, strlen(s));
		if (rc == 0)
			rc = write_all(fd, "\n", 1);
		free(s);
	}
	json_decref(r);
	return rc;
}

static void serve_client(struct ctl_server *srv, int fd)
{
	char *buf = malloc(CTL_LINE_MAX);
	size_t used = 0;

	if (!buf)
		return;
	while (!atomic_load(srv->st->stop)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(fd, buf + used, CTL_LINE_MAX - 1 - used, 0);
		if (n <= 0)
			break;
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
	unlink(path);
	old = umask(0077); /* the socket is created 0600: root only */
	if (bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv->fd, 4) < 0) {
		umask(old);
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(srv->fd);
		return -1;
	}
	umask(old);
	if (pthread_create(&srv->thread, NULL, ctl_thread, srv) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		close(srv->fd);
		return -1;
	}
	pthread_setname_np(srv->thread, "loomd-ctl");
	return 0;
}

void ctl_server_stop(struct ctl_server *srv)
{
	pthread_join(srv->thread, NULL);
	close(srv->fd);
	unlink(srv->path);
}
