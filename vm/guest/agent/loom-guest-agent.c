/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom-guest-agent: runs inside a Loom VM host (started by the guest's
 * init, vm/guest/init, from the host's root mounted over 9p) and serves
 * the host's requests on a virtio-serial port: "ready" and "exec" (argv,
 * no shell), in the frames of agent_proto.h.
 *
 *   loom-guest-agent [--port NAME | --device PATH | --stdio]
 *
 * --port (default org.loom.agent) finds the port by its name in
 * /sys/class/virtio-ports/ (no udev in the guest); --stdio serves stdin /
 * stdout (for testing the agent on the host without a VM).
 *
 * One request at a time. A virtio-serial port reads end-of-file while no
 * host program is connected to QEMU's side of it; the agent then waits for
 * the next connection and drops whatever half frame it was reading.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"

#define AGENT_VERSION "loom-guest-agent 1"
/* How long a reply may wait for the host to read it. */
#define REPLY_TIMEOUT_MS 30000

static const char *const child_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"LANG=C.UTF-8",
	"TERM=dumb",
	NULL,
};

/* The device of the virtio-serial port called name: /dev/vportNpM. */
static int find_port(const char *name, char *dev, size_t devlen)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[PATH_MAX], buf[256];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (strcmp(buf, name) == 0) {
				snprintf(dev, devlen, "/dev/%s", e->d_name);
				found = 0;
			}
		}
		fclose(f);
		if (found == 0)
			break;
	}
	closedir(d);
	return found;
}

struct buf {
	char *data;
	size_t len, cap, limit;
	bool truncated;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > b->limit) {
		b->truncated = true;
		n = b->limit - b->len;
	}
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->truncated = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Read what a pipe has now; returns false at end of file or error. */
static bool drain(int fd, struct buf *b)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_add(b, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

static json_t *error_reply(const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static json_t *do_exec(json_t *req)
{
	json_t *jargv = json_object_get(req, "argv");
	size_t argc = json_is_array(jargv) ? json_array_size(jargv) : 0;
	json_int_t timeout_ms = LOOM_AGENT_DEFAULT_TIMEOUT_MS;
	json_int_t max_output = LOOM_AGENT_DEFAULT_OUTPUT;
	const char *cwd = NULL;
	unsigned char *in = NULL;
	size_t in_len = 0, in_off = 0;
	json_t *v;

	if (argc == 0)
		return error_reply("exec needs a non-empty \"argv\" array of strings%s", "");
	char **argv = calloc(argc + 1, sizeof(char *));
	if (!argv)
		return error_reply("out of memory%s", "");
	for (size_t i = 0; i < argc; i++) {
		argv[i] = (char *)json_string_value(json_array_get(jargv, i));
		if (!argv[i] || strlen(argv[i]) != json_string_length(json_array_get(jargv, i))) {
			free(argv);
			return error_reply("argv must hold strings without NUL bytes%s", "");
		}
	}
	if ((v = json_object_get(req, "timeout_ms")) && json_is_integer(v) && json_integer_value(v) > 0)
		timeout_ms = json_integer_value(v);
	if ((v = json_object_get(req, "max_output")) && json_is_integer(v) && json_integer_value(v) >= 0)
		max_output = json_integer_value(v) > LOOM_AGENT_MAX_OUTPUT ? LOOM_AGENT_MAX_OUTPUT
									  : json_integer_value(v);
	if ((v = json_object_get(req, "cwd")) && json_is_string(v))
		cwd = json_string_value(v);
	if ((v = json_object_get(req, "stdin")) && json_is_string(v)) {
		in = loom_b64_decode(json_string_value(v), &in_len);
		if (!in) {
			free(argv);
			return error_reply("\"stdin\" is not base64%s", "");
		}
	}

	int pin[2], pout[2], perr[2];
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		free(argv);
		free(in);
		return error_reply("pipe: %s", strerror(errno));
	}
	int64_t start = loom_agent_now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		signal(SIGPIPE, SIG_DFL);
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		if (cwd && chdir(cwd) < 0) {
			dprintf(2, "loom-guest-agent: cannot chdir to %s: %s\n", cwd, strerror(errno));
			_exit(126);
		}
		environ = (char **)child_env;
		execvp(argv[0], argv);
		int e = errno;
		dprintf(2, "loom-guest-agent: cannot run %s: %s\n", argv[0], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	free(argv);
	if (pid < 0) {
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		free(in);
		return error_reply("fork: %s", strerror(errno));
	}
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	set_nonblock(pin[1]);
	set_nonblock(pout[0]);
	set_nonblock(perr[0]);
	if (in_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	}

	struct buf out = { .limit = (size_t)max_output }, err = { .limit = (size_t)max_output };
	int status = 0;
	bool exited = false, timed_out = false;
	int64_t deadline = start + timeout_ms;
	while (!exited) {
		struct pollfd p[4];
		int n = 0, io = -1, oo = -1, eo = -1, po = -1;

		if (pin[1] >= 0) {
			io = n;
			p[n++] = (struct pollfd){ .fd = pin[1], .events = POLLOUT };
		}
		if (pout[0] >= 0) {
			oo = n;
			p[n++] = (struct pollfd){ .fd = pout[0], .events = POLLIN };
		}
		if (perr[0] >= 0) {
			eo = n;
			p[n++] = (struct pollfd){ .fd = perr[0], .events = POLLIN };
		}
		if (pidfd >= 0) {
			po = n;
			p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		}
		int64_t left = deadline - loom_agent_now_ms();
		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		/* without a pidfd, look at the child every 50 ms */
		int wait = pidfd >= 0 ? (left > 1000 ? 1000 : (int)left) : (left > 50 ? 50 : (int)left);
		if (poll(p, (nfds_t)n, wait) < 0 && errno != EINTR)
			break;
		if (io >= 0 && p[io].revents) {
			if (p[io].revents & POLLOUT) {
				ssize_t w = write(pin[1], in + in_off, in_len - in_off);
				if (w > 0)
					in_off += (size_t)w;
			}
			if ((p[io].revents & (POLLERR | POLLHUP)) || in_off == in_len) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
		if (oo >= 0 && p[oo].revents && !drain(pout[0], &out)) {
			close(pout[0]);
			pout[0] = -1;
		}
		if (eo >= 0 && p[eo].revents && !drain(perr[0], &err)) {
			close(perr[0]);
			perr[0] = -1;
		}
		if ((po < 0 || p[po].revents) && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	}
	/* What the command wrote before it ended; a daemon it left behind may
	 * keep the pipes open, so do not wait for their end. */
	if (pout[0] >= 0) {
		drain(pout[0], &out);
		close(pout[0]);
	}
	if (perr[0] >= 0) {
		drain(perr[0], &err);
		close(perr[0]);
	}
	if (pin[1] >= 0)
		close(pin[1]);
	if (pidfd >= 0)
		close(pidfd);
	free(in);

	char *o64 = loom_b64_encode(out.data ? out.data : "", out.len);
	char *e64 = loom_b64_encode(err.data ? err.data : "", err.len);
	free(out.data);
	free(err.data);
	json_t *rep = json_pack("{s:b, s:I, s:i, s:b, s:s?, s:s?, s:b, s:b, s:I}", "ok", 1, "exit_code",
				(json_int_t)(WIFEXITED(status) ? WEXITSTATUS(status) : -1), "signal",
				WIFSIGNALED(status) ? WTERMSIG(status) : 0, "timed_out", timed_out, "stdout", o64,
				"stderr", e64, "stdout_truncated", out.truncated, "stderr_truncated", err.truncated,
				"duration_ms", (json_int_t)(loom_agent_now_ms() - start));
	free(o64);
	free(e64);
	return rep;
}

static json_t *do_ready(void)
{
	struct utsname u;
	char host[256] = "";
	struct timespec ts;

	uname(&u);
	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return json_pack("{s:b, s:b, s:s, s:s, s:s, s:I}", "ok", 1, "ready", 1, "agent", AGENT_VERSION, "kernel",
			 u.release, "hostname", host,
			 "uptime_ms", (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static json_t *handle_request(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(text, len, 0, &jerr), *rep;

	if (!json_is_object(req)) {
		json_decref(req);
		return error_reply("request is not a JSON object: %s", jerr.text);
	}
	const char *op = json_string_value(json_object_get(req, "op"));
	if (!op)
		rep = error_reply("request has no \"op\"%s", "");
	else if (strcmp(op, "ready") == 0)
		rep = do_ready();
	else if (strcmp(op, "exec") == 0)
		rep = do_exec(req);
	else
		rep = error_reply("unknown op \"%.100s\"", op);
	json_t *id = json_object_get(req, "id");
	if (rep && id)
		json_object_set(rep, "id", id);
	json_decref(req);
	return rep;
}

/* Serve requests on in/out until end of stream. */
static void serve(int in, int out)
{
	for (;;) {
		char *text;
		size_t len;

		if (loom_agent_read_frame(in, &text, &len, -1) < 0) {
			if (errno == EMSGSIZE)
				fprintf(stderr, "loom-guest-agent: frame too large; resynchronising\n");
			else
				return;
			continue;
		}
		json_t *rep = handle_request(text, len);
		free(text);
		char *s = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
		json_decref(rep);
		if (s && loom_agent_write_frame(out, s, strlen(s), loom_agent_now_ms() + REPLY_TIMEOUT_MS) < 0) {
			free(s);
			return;
		}
		free(s);
	}
}

int main(int argc, char **argv)
{
	const char *port = LOOM_AGENT_PORT_NAME, *device = NULL;
	bool use_stdio = false;
	char dev[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = argv[++i];
		else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
			device = argv[++i];
		else if (strcmp(argv[i], "--stdio") == 0)
			use_stdio = true;
		else {
			fprintf(stderr, "usage: loom-guest-agent [--port NAME | --device PATH | --stdio]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (use_stdio) {
		serve(0, 1);
		return 0;
	}
	if (!device) {
		for (int tries = 0; find_port(port, dev, sizeof(dev)) < 0; tries++) {
			if (tries == 50) {
				fprintf(stderr, "loom-guest-agent: no virtio-serial port named %s\n", port);
				return 1;
			}
			usleep(100000);
		}
		device = dev;
	}
	int fd = open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "loom-guest-agent: cannot open %s: %s\n", device, strerror(errno));
		return 1;
	}
	/*
	 * While no host program is connected to QEMU's side, the port polls as
	 * hung up (and readable: reads return end of file). The driver signals
	 * SIGIO when the host side opens; wait for it, looking again every
	 * 200 ms in case it does not come.
	 */
	sigset_t sigio;
	sigemptyset(&sigio);
	sigaddset(&sigio, SIGIO);
	sigprocmask(SIG_BLOCK, &sigio, NULL);
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
	fprintf(stderr, "loom-guest-agent: serving on %s\n", device);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return 1;
		if (p.revents & (POLLHUP | POLLERR)) {
			struct timespec wait = { .tv_nsec = 200000000 };
			sigtimedwait(&sigio, NULL, &wait);
			continue;
		}
		if (p.revents & POLLIN)
			serve(fd, fd);
	}
}
