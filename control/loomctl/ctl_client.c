/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"

#define REPLY_MAX (16 << 20)

static int connect_to(const char *sock, char *err, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_sec = 10}; /* loomd answers in milliseconds */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(err, errlen, "cannot reach loomd at %s: %s (is a fabric up? try 'loomctl up FILE')", sock,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

json_t *ctl_request_raw(const char *sock, const char *request, char *err, size_t errlen)
{
	size_t len = strlen(request), used = 0, cap = 65536;
	char *buf = NULL;
	json_error_t jerr;
	json_t *reply = NULL;
	int fd = connect_to(sock, err, errlen);

	if (fd < 0)
		return NULL;
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len || send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		snprintf(err, errlen, "cannot send to loomd: %s", strerror(errno));
		goto out;
	}
	buf = malloc(cap);
	while (buf) {
		ssize_t n = recv(fd, buf + used, cap - used - 1, 0);
		/* a signal (Ctrl-C ending `loomctl capture`, whose handler does not
		 * restart calls) while waiting: the request is still answered */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s", n == 0 ? "loomd closed the connection without a reply"
				 : errno == EAGAIN || errno == EWOULDBLOCK ? "loomd did not answer within 10 s"
									  : strerror(errno));
			goto out;
		}
		used += (size_t)n;
		buf[used] = '\0';
		if (memchr(buf, '\n', used))
			break;
		if (used + 1 == cap) {
			char *bigger = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;
			if (!bigger) {
				snprintf(err, errlen, "reply from loomd too large");
				goto out;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	reply = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!reply)
		snprintf(err, errlen, "malformed reply from loomd: %s", jerr.text);
out:
	free(buf);
	close(fd);
	return reply;
}

json_t *ctl_call(const char *sock, const char *cmd, json_t *extra, char *err, size_t errlen)
{
	json_t *req = extra ? extra : json_object();
	json_t *reply, *result = NULL;
	char *line;

	json_object_set_new(req, "cmd", json_string(cmd));
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	reply = ctl_request_raw(sock, line, err, errlen);
	free(line);
	if (!reply)
		return NULL;
	if (json_is_true(json_object_get(reply, "ok"))) {
		result = json_incref(json_object_get(reply, "result"));
		/* done, with a caveat (a live change not recorded for a restart) */
		if (json_string_value(json_object_get(reply, "warning")))
			fprintf(stderr, "loomctl: warning: %s\n", json_string_value(json_object_get(reply, "warning")));
	} else {
		const char *e = json_string_value(json_object_get(reply, "error"));
		snprintf(err, errlen, "loomd: %s", e ? e : "error");
	}
	json_decref(reply);
	return result;
}

json_t *ctl_call_or_report(const char *cmd, json_t *extra)
{
	char err[512];
	json_t *r = ctl_call(LOOM_SOCKET, cmd, extra, err, sizeof(err));

	if (!r)
		fprintf(stderr, "loomctl: %s\n", err);
	return r;
}

void ctl_print_json(const json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2));
	putchar('\n');
}
