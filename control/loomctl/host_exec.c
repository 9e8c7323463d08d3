/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl exec HOST -- CMD...` and `loomctl console HOST`: a command on any
 * host of the fabric that is up, with its output and exit status. A
 * namespace host runs it under `ip netns exec loom-HOST` (execvp, argv as
 * given: no shell); a VM host through its guest agent (vm/guest/agent:
 * argv again, no shell in the guest either). The command reads loomctl's
 * stdin only with --stdin, on both kinds alike: a namespace host's command
 * shares it (streamed), a VM host's gets it whole in the request (read to
 * its end first, at most the agent's 4 MiB); without --stdin both read
 * /dev/null, so that a command that reads stdin cannot hang on a terminal
 * or pipe on one kind and not the other. The console is a VM's serial
 * console (a shell on ttyS0), relayed between this terminal and QEMU's
 * console socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent_client.h"
#include "fabric_cmds.h"
#include "vm_hosts.h"

/* Ctrl-] leaves the console, as in telnet. */
#define CONSOLE_ESCAPE 0x1d
/* stdin not a terminal: after its end, the console's output is relayed
 * until it is quiet this long */
#define CONSOLE_DRAIN_MS 1500

static bool has_namespace(json_t *state, const char *host)
{
	char ns[64];
	json_t *v;
	size_t i;

	loom_host_netns(host, ns, sizeof(ns));
	json_array_foreach(json_object_get(state, "namespaces"), i, v)
		if (strcmp(json_string_value(v) ?: "", ns) == 0)
			return true;
	return false;
}

static json_t *state_or_report(void)
{
	json_t *state = fabric_state_load();

	if (!state)
		fprintf(stderr, "loomctl: no fabric is up\n");
	return state;
}

/* timeout_ms 0: none; else its process group is killed then, status 124
 * as for a VM host (and timeout(1)) */
static int exec_namespace(const char *host, int argc, char **argv, int timeout_ms, bool use_stdin)
{
	char ns[64];
	char **args = calloc((size_t)argc + 5, sizeof(char *));
	int status;
	pid_t pid;

	if (!args)
		return 1;
	loom_host_netns(host, ns, sizeof(ns));
	args[0] = "ip";
	args[1] = "netns";
	args[2] = "exec";
	args[3] = ns;
	memcpy(args + 4, argv, (size_t)argc * sizeof(char *));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (!use_stdin) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0 || dup2(fd, STDIN_FILENO) < 0) {
				fprintf(stderr, "loomctl: /dev/null: %s\n", strerror(errno));
				_exit(126);
			}
		}
		execvp("ip", args);
		fprintf(stderr, "loomctl: cannot run ip: %s\n", strerror(errno));
		_exit(127);
	}
	free(args);
	if (pid < 0)
		return 1;
	setpgid(pid, pid); /* also here: no race with the child's own */
	for (int waited = 0;; waited += 20) {
		pid_t r = waitpid(pid, &status, timeout_ms ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0)
			return 1;
		if (waited >= timeout_ms) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "loomctl: host %s: the command timed out\n", host);
			return 124;
		}
		usleep(20000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int exec_vm(const char *host, const char *run_dir, int argc, char **argv, int timeout_ms, bool use_stdin)
{
	struct loom_agent a;
	struct loom_agent_result res;
	struct loom_agent_exec_req req = {.argv = (const char *const *)argv, .timeout_ms = timeout_ms};
	char sock[192], err[1024], *in = NULL;
	size_t in_len = 0;
	int status;

	(void)argc;
	if (use_stdin && loom_agent_read_input(STDIN_FILENO, &in, &in_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: VM host %s: %s\n", host, err);
		return 1;
	}
	req.stdin_data = in;
	req.stdin_len = in_len;
	snprintf(sock, sizeof(sock), "%s/agent.sock", run_dir);
	if (loom_agent_connect(&a, sock, 5000, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: VM host %s: %s\n", host, err);
		free(in);
		return 1;
	}
	if (loom_agent_exec(&a, &req, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: VM host %s: %s\n", host, err);
		loom_agent_close(&a);
		free(in);
		return 1;
	}
	loom_agent_close(&a);
	free(in);
	write_all(STDOUT_FILENO, res.out, res.out_len);
	write_all(STDERR_FILENO, res.err, res.err_len);
	if (res.out_truncated || res.err_truncated)
		fprintf(stderr, "loomctl: (output truncated)\n");
	if (res.timed_out)
		fprintf(stderr, "loomctl: VM host %s: the command timed out\n", host);
	status = loom_agent_result_status(&res);
	loom_agent_result_free(&res);
	return status;
}

int cmd_exec(const char *host, int argc, char **argv, int timeout_ms, bool use_stdin)
{
	json_t *state = state_or_report();
	const char *run_dir;
	int rc;

	if (!state)
		return 1;
	run_dir = vm_hosts_run_dir(state, host);
	if (run_dir)
		rc = exec_vm(host, run_dir, argc, argv, timeout_ms, use_stdin);
	else if (has_namespace(state, host))
		rc = exec_namespace(host, argc, argv, timeout_ms, use_stdin);
	else {
		fprintf(stderr, "loomctl: no host '%s' in the fabric that is up\n", host);
		rc = 1;
	}
	json_decref(state);
	return rc;
}

/* --- console ----------------------------------------------------------------- */

static int console_connect(const char *run_dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/console.sock", run_dir);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Relay stdin -> console, console -> stdout. On a terminal: raw mode,
 * Ctrl-] leaves. Otherwise: until stdin ends and the console is quiet. */
static int console_relay(int fd)
{
	bool tty = isatty(STDIN_FILENO), in_open = true;
	struct termios saved, raw;
	char buf[4096];
	int rc = 0;

	if (tty) {
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN}};
		int n = poll(p, 2, in_open ? -1 : CONSOLE_DRAIN_MS);
		ssize_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* stdin ended and the console went quiet */
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			len = read(fd, buf, sizeof(buf));
			if (len <= 0) {
				rc = len < 0;
				break; /* QEMU went away */
			}
			write_all(STDOUT_FILENO, buf, (size_t)len);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			len = read(STDIN_FILENO, buf, sizeof(buf));
			if (len <= 0) {
				in_open = false;
				continue;
			}
			if (tty && memchr(buf, CONSOLE_ESCAPE, (size_t)len))
				break;
			if (write_all(fd, buf, (size_t)len) < 0) {
				rc = 1;
				break;
			}
		}
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputc('\n', stdout);
	}
	return rc;
}

int cmd_console(const char *host)
{
	json_t *state = state_or_report();
	const char *run_dir;
	int fd, rc;

	if (!state)
		return 1;
	run_dir = vm_hosts_run_dir(state, host);
	if (!run_dir) {
		fprintf(stderr, "loomctl: '%s' is not a VM host of the fabric that is up (a namespace host has no "
			"console: loomctl exec %s -- CMD)\n", host, host);
		json_decref(state);
		return 1;
	}
	fd = console_connect(run_dir);
	if (fd < 0) {
		fprintf(stderr, "loomctl: VM host %s: cannot connect to its console: %s (is it alive? loomctl "
			"status)\n", host, strerror(errno));
		json_decref(state);
		return 1;
	}
	json_decref(state);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "console of %s (Ctrl-] leaves)\r\n", host);
	signal(SIGPIPE, SIG_IGN);
	rc = console_relay(fd);
	close(fd);
	return rc;
}
