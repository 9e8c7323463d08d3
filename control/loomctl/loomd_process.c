/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loom_open_nofollow.h"
#include "loomd_process.h"

#define UP_TIMEOUT_S 60

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

bool loomd_pid_alive(pid_t pid)
{
	char path[64], stat[128] = "", *end;
	FILE *f;

	if (pid <= 0)
		return false;
	/* loomctl's own child, exited: reaped here */
	waitpid(pid, NULL, WNOHANG);
	/* "PID (COMM) STATE ...": the name is loomd's, and the process has not
	 * exited (a killed loomd whose parent is gone may stay a zombie) */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	end = strrchr(stat, ')');
	return strstr(stat, " (loomd) ") && end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/* loomd by absolute path only, never from PATH or the current
 * directory (loomctl runs as root). */
int loomd_path(char *buf, size_t len)
{
	char self[PATH_MAX], *dir;
	ssize_t n;
	const char *env = getenv("LOOMD");

	if (env && *env) {
		if (env[0] != '/') {
			fprintf(stderr, "loomctl: $LOOMD must be an absolute path\n");
			return -1;
		}
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		dir = dirname(self); /* absolute: the kernel's path of this executable */
		snprintf(buf, len, "%s/../dataplane/loomd", dir);
		if (access(buf, X_OK) == 0)
			return 0;
		snprintf(buf, len, "%s/loomd", dir);
		if (access(buf, X_OK) == 0)
			return 0;
	}
	snprintf(buf, len, "%s", LOOM_INSTALL_BINDIR "/loomd");
	if (buf[0] == '/' && access(buf, X_OK) == 0)
		return 0;
	fprintf(stderr, "loomctl: loomd not found beside loomctl, in its build tree or in %s (set LOOMD=/path/to/loomd)\n",
		LOOM_INSTALL_BINDIR);
	return -1;
}

/*
 * In the child, before it execs loomd (the pid stays across exec): its pid
 * into the run directory, so that whatever happens to loomctl next, `down`
 * finds it. Written to a new file (O_EXCL|O_NOFOLLOW: never through a link
 * someone left) and renamed over the old one, so a reader sees a whole pid
 * or the previous file, never a part. 0 or -1 (errno).
 */
static int pid_file_write_own(void)
{
	char tmp[200], buf[24];
	int fd, n, saved;

	snprintf(tmp, sizeof(tmp), "%s.new", LOOM_LOOMD_PID_FILE);
	unlink(tmp); /* a child killed half-way left it */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, LOOM_LOOMD_PID_FILE) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

pid_t loomd_pid_file_read(void)
{
	char buf[24] = "", *end;
	int fd = open(LOOM_LOOMD_PID_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	long v;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return v > 0 && v < INT_MAX && *end == '\n' ? (pid_t)v : 0;
}

pid_t loomd_recorded_pid(const json_t *state)
{
	pid_t saved = (pid_t)json_integer_value(json_object_get(state, "pid")), own = loomd_pid_file_read();

	if (loomd_pid_alive(saved))
		return saved;
	if (loomd_pid_alive(own))
		return own;
	return saved > 0 ? saved : own;
}

pid_t loomd_start(bool append_log, const char *worker_priority)
{
	char path[PATH_MAX];
	pid_t pid;

	if (loomd_path(path, sizeof(path)) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = loom_open_nofollow(LOOM_LOOMD_LOG, O_WRONLY | O_CREAT | (append_log ? O_APPEND : O_TRUNC), 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		setsid();
		/* nothing of loomctl's caller: a lock file a shell held (flock),
		 * say, would be held as long as loomd runs */
		close_range(3, ~0u, 0);
		/* one argument list; --worker-priority only when the user gave one */
		char *argv[] = {"loomd", "--config", (char *)LOOM_CONFIG_FILE, "--socket", (char *)LOOM_SOCKET,
				"--changes-dir", (char *)LOOM_CHANGES_DIR, "--worker-priority", (char *)worker_priority,
				NULL};

		if (!worker_priority)
			argv[7] = NULL;
		if (pid_file_write_own() < 0) {
			/* a loomd nobody could find after a killed loomctl: not started */
			fprintf(stderr, "loomctl: cannot write %s: %s; loomd not started\n", LOOM_LOOMD_PID_FILE,
				strerror(errno));
			_exit(126);
		}
		execv(path, argv);
		fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

int loomd_wait(pid_t pid)
{
	char err[256];

	for (int i = 0; i < UP_TIMEOUT_S * 100; i++) {
		json_t *r;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		/* up when it forwards: loomd answers on its socket before its
		 * worker runs, and before the worker's scheduling is set (status
		 * then said priority 0, no scheduling) */
		r = ctl_call(LOOM_SOCKET, "status", NULL, err, sizeof(err));
		if (r) {
			bool forwarding = json_integer_value(json_object_get(r, "forwarding_since_monotonic_ns")) != 0;

			json_decref(r);
			if (forwarding)
				return 0;
		}
		/* 10 ms: the restart's outage is measured up to here */
		sleep_ms(10);
	}
	return -1;
}

void loomd_print_log_tail(void)
{
	char line[1024];
	char *lines[20] = {0};
	int n = 0;
	FILE *f = fopen(LOOM_LOOMD_LOG, "r");

	fprintf(stderr, "loomctl: loomd did not come up; its log (%s):\n", LOOM_LOOMD_LOG);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		free(lines[n % 20]);
		lines[n % 20] = strdup(line);
		n++;
	}
	fclose(f);
	for (int i = n > 20 ? n - 20 : 0; i < n; i++) {
		fputs(lines[i % 20] ? lines[i % 20] : "", stderr);
		free(lines[i % 20]);
	}
}

void loomd_stop(pid_t pid)
{
	char err[256];
	json_t *r;

	if (!loomd_pid_alive(pid))
		return;
	r = ctl_call(LOOM_SOCKET, "shutdown", NULL, err, sizeof(err));
	json_decref(r);
	if (!r)
		kill(pid, SIGTERM);
	for (int i = 0; i < 1000 && loomd_pid_alive(pid); i++)
		sleep_ms(10);
	if (loomd_pid_alive(pid)) {
		fprintf(stderr, "loomctl: loomd (pid %d) did not stop; killing it\n", (int)pid);
		kill(pid, SIGKILL);
		for (int i = 0; i < 100 && loomd_pid_alive(pid); i++)
			sleep_ms(10);
	}
}

void loomd_remove_runtime_dir(pid_t pid)
{
	char dir[64], path[384];
	struct dirent *e;
	DIR *d;
	int dfd;

	if (pid <= 0 || loomd_pid_alive(pid))
		return;
	/* the name loomd gives its EAL (--file-prefix loomdPID, dataplane/loomd.c) */
	snprintf(dir, sizeof(dir), "/var/run/dpdk/loomd%d", (int)pid);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dfd, e->d_name, 0); /* sockets and files; never follows a link */
	closedir(d);
	snprintf(path, sizeof(path), "%s", dir);
	rmdir(path);
}
