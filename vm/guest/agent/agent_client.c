/* SPDX-License-Identifier: BSD-3-Clause */
/* The host's side of the guest agent (agent_client.h). */
#include "agent_client.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_proto.h"
#include "vm_err.h"

/* Slack on top of a command's own timeout: the guest may be slow (TCG). */
#define EXEC_SLACK_MS 15000

static int connect_once(const char *path, int *fd_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*fd_out = fd;
	return 0;
}

int loom_agent_connect(struct loom_agent *a, const char *path, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = loom_agent_now_ms() + timeout_ms;

	a->fd = -1;
	if (a->next_id == 0)
		a->next_id = 1;
	for (;;) {
		if (connect_once(path, &a->fd) == 0)
			return 0;
		int e = errno;
		if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) || loom_agent_now_ms() >= deadline) {
			vm_set_err(err, errlen, "cannot connect to the guest agent socket %s: %s", path, strerror(e));
			return -1;
		}
		usleep(50000);
	}
}

void loom_agent_close(struct loom_agent *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Send req (its "id" is set here) and read the reply with the same id. */
static json_t *call(struct loom_agent *a, json_t *req, int64_t deadline, char *err, size_t errlen)
{
	int64_t id = a->next_id++;

	json_object_set_new(req, "id", json_integer(id));
	char *s = json_dumps(req, JSON_COMPACT);
	if (!s) {
		vm_set_err(err, errlen, "cannot encode the request");
		return NULL;
	}
	int rc = loom_agent_write_frame(a->fd, s, strlen(s), deadline);
	free(s);
	if (rc < 0) {
		vm_set_err(err, errlen, "cannot send to the guest agent: %s",
			errno == EPIPE ? "QEMU closed the socket" : strerror(errno));
		return NULL;
	}
	for (;;) {
		char *text;
		size_t len;
		json_error_t jerr;

		if (loom_agent_read_frame(a->fd, &text, &len, deadline) < 0) {
			vm_set_err(err, errlen, "no reply from the guest agent: %s",
				errno == ETIMEDOUT ? "timed out"
				: errno == EPIPE   ? "QEMU closed the socket"
						   : strerror(errno));
			return NULL;
		}
		json_t *rep = json_loadb(text, len, 0, &jerr);
		free(text);
		if (!json_is_object(rep)) {
			json_decref(rep);
			continue; /* not ours (a torn frame) */
		}
		json_t *rid = json_object_get(rep, "id");
		if (!json_is_integer(rid) || json_integer_value(rid) != id) {
			json_decref(rep); /* the reply to an earlier client's request */
			continue;
		}
		if (!json_is_true(json_object_get(rep, "ok"))) {
			const char *m = json_string_value(json_object_get(rep, "error"));
			vm_set_err(err, errlen, "guest agent: %s", m ? m : "request failed");
			json_decref(rep);
			return NULL;
		}
		return rep;
	}
}

static void copy_str(char *dst, size_t n, json_t *v)
{
	const char *s = json_string_value(v);
	snprintf(dst, n, "%s", s ? s : "");
}

int loom_agent_wait_ready(struct loom_agent *a, const char *path, int timeout_ms, struct loom_agent_info *info,
			  char *err, size_t errlen)
{
	int64_t deadline = loom_agent_now_ms() + timeout_ms;
	char why[256] = "";

	a->fd = -1;
	if (a->next_id <= 0)
		a->next_id = 1;
	for (;;) {
		int64_t left = deadline - loom_agent_now_ms();
		if (left <= 0)
			break;
		if (a->fd < 0 && loom_agent_connect(a, path, (int)left, why, sizeof(why)) < 0)
			break;
		json_t *r = json_pack("{s:s}", "op", "ready");
		json_t *rep = call(a, r, deadline, why, sizeof(why));
		json_decref(r);
		if (rep) {
			if (info) {
				copy_str(info->kernel, sizeof(info->kernel), json_object_get(rep, "kernel"));
				copy_str(info->hostname, sizeof(info->hostname), json_object_get(rep, "hostname"));
				copy_str(info->agent, sizeof(info->agent), json_object_get(rep, "agent"));
				info->uptime_ms = json_integer_value(json_object_get(rep, "uptime_ms"));
			}
			json_decref(rep);
			return 0;
		}
		/* QEMU went away or reset the connection: connect again. */
		loom_agent_close(a);
		usleep(100000);
	}
	loom_agent_close(a);
	vm_set_err(err, errlen, "the guest agent on %s was not ready within %d ms%s%s", path, timeout_ms,
		why[0] ? ": " : "", why);
	return -1;
}

static char *decode_field(json_t *rep, const char *key, size_t *len)
{
	const char *s = json_string_value(json_object_get(rep, key));
	size_t n = 0;
	char *d = loom_b64_decode(s ? s : "", &n);
	char *out = d ? realloc(d, n + 1) : NULL;

	if (!out) {
		free(d);
		*len = 0;
		return calloc(1, 1);
	}
	out[n] = '\0';
	*len = n;
	return out;
}

int loom_agent_exec(struct loom_agent *a, const struct loom_agent_exec_req *req, struct loom_agent_result *res,
		    char *err, size_t errlen)
{
	int timeout = req->timeout_ms > 0 ? req->timeout_ms : LOOM_AGENT_DEFAULT_TIMEOUT_MS;

	memset(res, 0, sizeof(*res));
	if (a->fd < 0) {
		vm_set_err(err, errlen, "not connected to the guest agent");
		return -1;
	}
	if (!req->argv || !req->argv[0]) {
		vm_set_err(err, errlen, "exec: empty command");
		return -1;
	}
	json_t *argv = json_array();
	for (const char *const *p = req->argv; *p; p++)
		json_array_append_new(argv, json_string(*p));
	json_t *j = json_pack("{s:s, s:o, s:i}", "op", "exec", "argv", argv, "timeout_ms", timeout);
	if (req->max_output)
		json_object_set_new(j, "max_output", json_integer((json_int_t)req->max_output));
	if (req->cwd)
		json_object_set_new(j, "cwd", json_string(req->cwd));
	if (req->stdin_len > 0) {
		char *b = loom_b64_encode(req->stdin_data, req->stdin_len);
		json_object_set_new(j, "stdin", json_string(b ? b : ""));
		free(b);
	}
	json_t *rep = call(a, j, loom_agent_now_ms() + timeout + EXEC_SLACK_MS, err, errlen);
	json_decref(j);
	if (!rep)
		return -1;
	res->exit_code = (int)json_integer_value(json_object_get(rep, "exit_code"));
	res->signal = (int)json_integer_value(json_object_get(rep, "signal"));
	res->timed_out = json_is_true(json_object_get(rep, "timed_out"));
	res->out = decode_field(rep, "stdout", &res->out_len);
	res->err = decode_field(rep, "stderr", &res->err_len);
	res->out_truncated = json_is_true(json_object_get(rep, "stdout_truncated"));
	res->err_truncated = json_is_true(json_object_get(rep, "stderr_truncated"));
	res->duration_ms = json_integer_value(json_object_get(rep, "duration_ms"));
	json_decref(rep);
	return 0;
}

void loom_agent_result_free(struct loom_agent_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

int loom_agent_read_input(int fd, char **data, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			/* one byte past the limit, to tell "exactly the limit" from "more" */
			size_t want = cap ? cap * 2 : 65536;
			char *nb;

			if (want > LOOM_AGENT_MAX_OUTPUT + 1)
				want = LOOM_AGENT_MAX_OUTPUT + 1;
			if (want == cap)
				break;
			nb = realloc(buf, want);
			if (!nb) {
				free(buf);
				vm_set_err(err, errlen, "stdin: out of memory");
				return -1;
			}
			buf = nb;
			cap = want;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			vm_set_err(err, errlen, "stdin: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > LOOM_AGENT_MAX_OUTPUT) {
		free(buf);
		vm_set_err(err, errlen, "stdin is longer than %u bytes, the guest agent's limit", LOOM_AGENT_MAX_OUTPUT);
		return -1;
	}
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	*data = buf;
	*len = n;
	return 0;
}

int loom_agent_result_status(const struct loom_agent_result *res)
{
	if (res->timed_out)
		return 124;
	if (res->exit_code >= 0)
		return res->exit_code;
	return 128 + res->signal;
}
