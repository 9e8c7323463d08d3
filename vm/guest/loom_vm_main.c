/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom-vm: one Loom guest by hand (and for the VM tests), on the pieces
 * `loomctl up/exec/console/down` will use: qemu_launch.c and agent_client.c.
 *
 *   loom-vm start NAME --image DIR [--run-dir DIR] [--agent PATH] [--mem MB] [--cpus N]
 *                 [--accel kvm|tcg] [--nic SOCKET[,mac=MAC][,mtu=N]]... [--tap IFNAME[,mac=MAC][,mtu=N]]...
 *                 [--dry-run]
 *       starts QEMU, prints its PID (--dry-run prints the argv, one per line); --tap: a NIC on the
 *       kernel's tap interface IFNAME (QEMU creates it when missing; it goes when QEMU exits)
 *   loom-vm ready NAME|--run-dir DIR [--timeout MS]
 *       waits until the guest's agent answers; prints the guest's kernel and the wait
 *   loom-vm exec  NAME|--run-dir DIR [--timeout MS] [--stdin] -- CMD [ARG...]
 *       runs CMD in the guest (no shell): its stdout and stderr, its exit status
 *       (128+signal when killed, 124 on timeout, 125 when the agent cannot be asked)
 *   loom-vm stop  NAME|--run-dir DIR [--timeout MS]
 *       stops QEMU and removes the run directory and the NIC sockets
 *
 * The run directory defaults to /run/loom-vm/NAME; the agent to the
 * loom-guest-agent built beside this program.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent_client.h"
#include "agent/agent_proto.h"
#include "qemu_launch.h"

#define RUN_BASE "/run/loom-vm"

static int usage(void)
{
	fprintf(stderr,
		"usage: loom-vm start NAME --image DIR [--run-dir DIR] [--agent PATH] [--mem MB] [--cpus N]\n"
		"                 [--accel kvm|tcg] [--nic SOCKET[,mac=MAC][,mtu=N]]... [--tap IFNAME[,mac=MAC][,mtu=N]]...\n"
		"                 [--dry-run]\n"
		"       loom-vm ready NAME|--run-dir DIR [--timeout MS]\n"
		"       loom-vm exec NAME|--run-dir DIR [--timeout MS] [--stdin] -- CMD [ARG...]\n"
		"       loom-vm stop NAME|--run-dir DIR [--timeout MS]\n");
	return 2;
}

static void default_run_dir(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", RUN_BASE, name);
}

/*
 * /run/loom-vm, created root-only-writable when missing. Not under
 * /run/loom: `loomctl down` removes that whole tree today, and with it the
 * sockets of guests it does not know about yet.
 */
static int make_run_base(void)
{
	struct stat st;

	if (mkdir(RUN_BASE, 0755) < 0 && errno != EEXIST)
		return -1;
	if (lstat(RUN_BASE, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void default_agent(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	out[0] = '\0';
	if (len <= 0)
		return;
	self[len] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, n, "%s/agent/loom-guest-agent", self);
}

static int parse_nic(char *spec, bool tap, struct loom_vm_nic *nic)
{
	char *save = NULL, *tok = strtok_r(spec, ",", &save);

	memset(nic, 0, sizeof(*nic));
	if (tap)
		nic->tap = tok;
	else
		nic->socket = tok;
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (strncmp(tok, "mac=", 4) == 0)
			nic->mac = tok + 4;
		else if (strncmp(tok, "mtu=", 4) == 0)
			nic->mtu = (unsigned)strtoul(tok + 4, NULL, 10);
		else {
			fprintf(stderr, "loom-vm: unknown NIC option '%s' (mac=, mtu=)\n", tok);
			return -1;
		}
	}
	return nic->socket || nic->tap ? 0 : -1;
}

static int cmd_start(int argc, char **argv)
{
	struct loom_vm_config c = { 0 };
	char run_dir[256] = "", agent[PATH_MAX], img[PATH_MAX], err[1024];
	int dry = 0;

	if (argc < 1 || argv[0][0] == '-')
		return usage();
	c.name = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--dry-run") == 0) {
			dry = 1;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (strcmp(o, "--image") == 0)
			c.image_dir = v;
		else if (strcmp(o, "--run-dir") == 0)
			snprintf(run_dir, sizeof(run_dir), "%s", v);
		else if (strcmp(o, "--agent") == 0)
			c.agent = v;
		else if (strcmp(o, "--mem") == 0)
			c.mem_mb = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(o, "--cpus") == 0)
			c.cpus = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(o, "--accel") == 0)
			c.accel = v;
		else if (strcmp(o, "--qemu") == 0)
			c.qemu = v;
		else if (strcmp(o, "--nic") == 0 || strcmp(o, "--tap") == 0) {
			if (c.n_nics == LOOM_VM_MAX_NICS ||
			    parse_nic(argv[i], strcmp(o, "--tap") == 0, &c.nics[c.n_nics]) < 0)
				return usage();
			c.n_nics++;
		} else
			return usage();
	}
	if (!c.image_dir) {
		fprintf(stderr, "loom-vm: --image DIR (printed by vm/guest/build-image.sh) is required\n");
		return 2;
	}
	if (realpath(c.image_dir, img))
		c.image_dir = img;
	if (!c.agent) {
		default_agent(agent, sizeof(agent));
		c.agent = agent;
	}
	if (!run_dir[0]) {
		default_run_dir(c.name, run_dir, sizeof(run_dir));
		if (!dry && make_run_base() < 0) {
			fprintf(stderr, "loom-vm: cannot create %s: %s\n", RUN_BASE, strerror(errno));
			return 1;
		}
	}
	c.run_dir = run_dir;
	if (dry) {
		struct loom_vm_argv a;
		if (loom_vm_build_argv(&c, &a, err, sizeof(err)) < 0) {
			fprintf(stderr, "loom-vm: %s\n", err);
			return 1;
		}
		for (int i = 0; i < a.argc; i++)
			printf("%s\n", a.argv[i]);
		loom_vm_argv_free(&a);
		return 0;
	}
	struct loom_vm vm;
	if (loom_vm_start(&c, &vm, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		return 1;
	}
	printf("%d\n", (int)vm.pid);
	fprintf(stderr, "loom-vm: %s started (pid %d, %s), run directory %s\n", c.name, (int)vm.pid, vm.accel,
		vm.run_dir);
	return 0;
}

/* NAME or --run-dir DIR, then the command's options; returns the next index. */
static int target(int argc, char **argv, char *run_dir, size_t n)
{
	if (argc >= 2 && strcmp(argv[0], "--run-dir") == 0) {
		snprintf(run_dir, n, "%s", argv[1]);
		return 2;
	}
	if (argc >= 1 && argv[0][0] != '-') {
		default_run_dir(argv[0], run_dir, n);
		return 1;
	}
	return -1;
}

/* Has some process connected to the unix socket path (an accepted socket named like it)? */
static int socket_connected(const char *path)
{
	char line[4500];
	int found = 0;
	FILE *f = fopen("/proc/net/unix", "re");

	if (!f)
		return 1;
	while (!found && fgets(line, sizeof(line), f)) {
		char sp[4200] = "";
		unsigned st = 0;
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %*s %*s %x %*s %4199s", &st, sp) == 2 && st == 3 && strcmp(sp, path) == 0)
			found = 1;
	}
	fclose(f);
	return found;
}

/* The first NIC socket of run_dir no vhost-user backend is connected to (QEMU waits for it), or 0. */
static int nic_waiting(const char *run_dir, char *sock, size_t n)
{
	char path[PATH_MAX];
	int waiting = 0;

	snprintf(path, sizeof(path), "%s/nic-sockets", run_dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (!waiting && fgets(sock, (int)n, f)) {
		sock[strcspn(sock, "\n")] = '\0';
		if (sock[0] && !socket_connected(sock))
			waiting = 1;
	}
	fclose(f);
	return waiting;
}

static int cmd_ready(int argc, char **argv)
{
	char run_dir[256], sock[PATH_MAX], err[1024];
	int timeout = 120000, i = target(argc, argv, run_dir, sizeof(run_dir));

	if (i < 0)
		return usage();
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else
			return usage();
	}
	snprintf(sock, sizeof(sock), "%s/agent.sock", run_dir);
	struct loom_agent a = { .fd = -1 };
	struct loom_agent_info info;
	int64_t t0 = loom_agent_now_ms();
	if (loom_agent_wait_ready(&a, sock, timeout, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		char nic[PATH_MAX];
		if (nic_waiting(run_dir, nic, sizeof(nic)))
			fprintf(stderr, "loom-vm: no vhost-user backend is connected to %s: QEMU starts the guest "
					"once every NIC's backend has connected\n", nic);
		return 1;
	}
	printf("ready kernel=%s hostname=%s guest_uptime_ms=%lld waited_ms=%lld\n", info.kernel, info.hostname,
	       (long long)info.uptime_ms, (long long)(loom_agent_now_ms() - t0));
	loom_agent_close(&a);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int cmd_exec(int argc, char **argv)
{
	char run_dir[256], sock[PATH_MAX], err[1024];
	int timeout = 60000, use_stdin = 0, i = target(argc, argv, run_dir, sizeof(run_dir));

	if (i < 0)
		return usage();
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else if (strcmp(argv[i], "--stdin") == 0)
			use_stdin = 1;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			return usage();
	}
	if (i >= argc)
		return usage();
	char *in = NULL;
	size_t in_len = 0;
	if (use_stdin && loom_agent_read_input(0, &in, &in_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		return 125;
	}
	snprintf(sock, sizeof(sock), "%s/agent.sock", run_dir);
	struct loom_agent a = { .fd = -1 };
	if (loom_agent_connect(&a, sock, 5000, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		free(in);
		return 125;
	}
	struct loom_agent_exec_req req = {
		.argv = (const char *const *)(argv + i),
		.stdin_data = in,
		.stdin_len = in_len,
		.timeout_ms = timeout,
	};
	struct loom_agent_result res;
	int rc = loom_agent_exec(&a, &req, &res, err, sizeof(err));
	loom_agent_close(&a);
	free(in);
	if (rc < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		return 125;
	}
	write_all(1, res.out, res.out_len);
	write_all(2, res.err, res.err_len);
	if (res.out_truncated || res.err_truncated)
		fprintf(stderr, "loom-vm: output truncated\n");
	if (res.timed_out)
		fprintf(stderr, "loom-vm: %s timed out after %d ms (killed)\n", argv[i], timeout);
	int status = loom_agent_result_status(&res);
	loom_agent_result_free(&res);
	return status;
}

static int cmd_stop(int argc, char **argv)
{
	char run_dir[256], err[1024];
	int timeout = 5000, i = target(argc, argv, run_dir, sizeof(run_dir));

	if (i < 0)
		return usage();
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else
			return usage();
	}
	if (loom_vm_stop(run_dir, timeout, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-vm: %s\n", err);
		return 1;
	}
	rmdir(RUN_BASE); /* when it was the last guest */
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "start") == 0)
		return cmd_start(argc - 2, argv + 2);
	if (strcmp(argv[1], "ready") == 0)
		return cmd_ready(argc - 2, argv + 2);
	if (strcmp(argv[1], "exec") == 0)
		return cmd_exec(argc - 2, argv + 2);
	if (strcmp(argv[1], "stop") == 0)
		return cmd_stop(argc - 2, argv + 2);
	return usage();
}
