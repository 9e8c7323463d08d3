/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's side of the guest agent (agent_proto.h): connect to the unix
 * socket of QEMU's virtio-serial chardev, wait until the guest's agent
 * answers "ready", run commands (argv, no shell) in the guest.
 * `loomctl exec` and the VM tests use these.
 */
#ifndef LOOM_AGENT_CLIENT_H
#define LOOM_AGENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loom_agent {
	int fd;
	int64_t next_id;
};

struct loom_agent_info {
	char kernel[128];
	char hostname[128];
	char agent[64];
	int64_t uptime_ms; /* the guest's, when it answered */
};

struct loom_agent_exec_req {
	const char *const *argv; /* NULL-terminated, argv[0] looked up on the guest's PATH */
	const void *stdin_data;  /* may be NULL */
	size_t stdin_len;
	int timeout_ms;          /* in the guest; 0: LOOM_AGENT_DEFAULT_TIMEOUT_MS */
	const char *cwd;         /* may be NULL */
	size_t max_output;       /* per stream; 0: LOOM_AGENT_DEFAULT_OUTPUT */
};

struct loom_agent_result {
	int exit_code; /* -1 when killed by a signal */
	int signal;
	bool timed_out;
	char *out, *err; /* NUL-terminated (the length excludes the NUL) */
	size_t out_len, err_len;
	bool out_truncated, err_truncated;
	int64_t duration_ms;
};

/*
 * Connect to the agent socket, retrying while it does not exist or refuses
 * (QEMU starting) until timeout_ms. 0 or -1 with a message in err.
 */
int loom_agent_connect(struct loom_agent *a, const char *socket_path, int timeout_ms, char *err, size_t errlen);
void loom_agent_close(struct loom_agent *a);

/*
 * Connect and wait until the guest's agent answers "ready" (the guest has
 * booted), at most timeout_ms. On success a is connected.
 */
int loom_agent_wait_ready(struct loom_agent *a, const char *socket_path, int timeout_ms,
			  struct loom_agent_info *info, char *err, size_t errlen);

/* Run a command. 0 (res filled, free with loom_agent_result_free) or -1 with err. */
int loom_agent_exec(struct loom_agent *a, const struct loom_agent_exec_req *req, struct loom_agent_result *res,
		    char *err, size_t errlen);
void loom_agent_result_free(struct loom_agent_result *res);

/*
 * Read fd to its end as a command's stdin: at most LOOM_AGENT_MAX_OUTPUT
 * bytes (the agent's limit per stream). 0 with *data (malloc'd, NULL when
 * empty) and *len, or -1 with a message in err (too long, a read error).
 */
int loom_agent_read_input(int fd, char **data, size_t *len, char *err, size_t errlen);

/* A shell-like status of a result: exit code, 128+signal, 124 on timeout. */
int loom_agent_result_status(const struct loom_agent_result *res);

#endif
