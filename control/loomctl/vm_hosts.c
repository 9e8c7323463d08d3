/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_client.h"
#include "compile/vm_host.h"
#include "fabric_cmds.h"
#include "host_commands.h"
#include "qemu_launch.h"
#include "vm_hosts.h"

/* A guest under TCG boots in 5-15 s here (docs/VMS.md), longer on a loaded
 * machine and several at once on few cores. */
#define VM_READY_TIMEOUT_MS 180000
#define VM_CMD_TIMEOUT_MS 30000
#define VM_STOP_TIMEOUT_MS 5000
#define VM_MEM_MB 512
#define MAX_WORDS 32

static bool is_vm_host(const struct topology *t, int h, const bool *local)
{
	return t->hosts[h].port_type == TOPO_PORT_VM && host_is_served(t, h, local);
}

int vm_hosts_count(const struct topology *t, const bool *local)
{
	int n = 0;

	for (int h = 0; h < t->n_hosts; h++)
		n += is_vm_host(t, h, local);
	return n;
}

/* Next to loomctl in the build tree (build/vm/guest/agent/), else $LOOM_GUEST_AGENT. */
static void agent_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	const char *env = getenv("LOOM_GUEST_AGENT");
	ssize_t n;

	if (env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	buf[0] = '\0';
	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/../vm/guest/agent/loom-guest-agent", dirname(self));
	}
	char *real = realpath(buf, NULL);
	if (real) {
		snprintf(buf, len, "%s", real);
		free(real);
	}
}

/*
 * The image directory: $LOOM_GUEST_IMAGE, else what build-image.sh prints
 * on its last line (it builds the image the first time, ~35 s, and finds
 * it in its cache afterwards). Run with execv, its stderr shown.
 */
static int locate_image(char *image, size_t len)
{
	const char *env = getenv("LOOM_GUEST_IMAGE");
	char buf[4096];
	size_t used = 0;
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (env) {
		snprintf(image, len, "%s", env);
		return 0;
	}
	if (access(LOOM_VM_BUILD_IMAGE, X_OK) < 0) {
		fprintf(stderr, "loomctl: cannot run the guest image builder %s: %s\n", LOOM_VM_BUILD_IMAGE,
			strerror(errno));
		return -1;
	}
	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execl(LOOM_VM_BUILD_IMAGE, LOOM_VM_BUILD_IMAGE, "--quiet", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf + used, sizeof(buf) - 1 - used)) > 0) {
		used += (size_t)n;
		if (used == sizeof(buf) - 1) { /* keep the tail: the last line is the answer */
			memmove(buf, buf + used / 2, used - used / 2);
			used -= used / 2;
		}
	}
	close(pfd[0]);
	buf[used] = '\0';
	waitpid(pid, &status, 0);
	while (used && buf[used - 1] == '\n')
		buf[--used] = '\0';
	char *last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !*last) {
		fprintf(stderr, "loomctl: building the guest image failed (%s, above)\n", LOOM_VM_BUILD_IMAGE);
		return -1;
	}
	snprintf(image, len, "%s", last);
	return 0;
}

/* What the launcher needs for VM host h; strings in `mem` (MAC text). */
struct vm_spec {
	struct loom_vm_config c;
	char run_dir[128], agent[PATH_MAX];
	char socket[LOOM_VM_MAX_NICS][128], mac[LOOM_VM_MAX_NICS][18];
};

static int vm_spec(const struct topology *t, int h, const char *image, struct vm_spec *s)
{
	memset(s, 0, sizeof(*s));
	vm_host_run_dir(t, h, s->run_dir, sizeof(s->run_dir));
	agent_path(s->agent, sizeof(s->agent));
	s->c.name = t->hosts[h].name;
	s->c.image_dir = image;
	s->c.agent = s->agent;
	s->c.run_dir = s->run_dir;
	s->c.mem_mb = VM_MEM_MB;
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *he = l->a.is_host && l->a.node == h ? &l->a :
					    l->b.is_host && l->b.node == h ? &l->b : NULL;
		uint8_t m[6];

		if (!he)
			continue;
		/* the guest names its NICs eth0, eth1... in device order: NIC i is eth<i> */
		if (he->port < 0 || he->port >= LOOM_VM_MAX_NICS) {
			fprintf(stderr, "%s:%d: VM host %s: interface eth%d: a guest has at most %d NICs\n", t->file,
				l->pos.line, t->hosts[h].name, he->port, LOOM_VM_MAX_NICS);
			return -1;
		}
		vm_host_nic_socket(t, h, he->port, s->socket[he->port], sizeof(s->socket[0]));
		topo_host_mac(h, he->port, m);
		snprintf(s->mac[he->port], sizeof(s->mac[0]), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		s->c.nics[he->port] = (struct loom_vm_nic){s->socket[he->port], s->mac[he->port], host_link_mtu(t, l)};
		if ((unsigned)he->port + 1 > s->c.n_nics)
			s->c.n_nics = (unsigned)he->port + 1;
	}
	for (unsigned i = 0; i < s->c.n_nics; i++)
		if (!s->c.nics[i].socket) {
			fprintf(stderr, "%s:%d: VM host %s has no interface eth%u but a higher one: a guest's NICs "
				"are eth0, eth1... without gaps\n", t->file, t->hosts[h].pos.line, t->hosts[h].name, i);
			return -1;
		}
	return 0;
}

int vm_hosts_prepare(const struct topology *t, const bool *local, char *image, size_t len)
{
	char err[1024];

	if (!vm_hosts_count(t, local))
		return 0;
	if (locate_image(image, len) < 0)
		return -1;
	for (int h = 0; h < t->n_hosts; h++) {
		struct vm_spec s;

		if (!is_vm_host(t, h, local))
			continue;
		if (vm_spec(t, h, image, &s) < 0)
			return -1;
		if (loom_vm_check(&s.c, err, sizeof(err)) < 0) {
			fprintf(stderr, "loomctl: VM host %s (%s:%d): %s\n", t->hosts[h].name, t->file,
				t->hosts[h].pos.line, err);
			return -1;
		}
		if (access(s.run_dir, F_OK) == 0) {
			fprintf(stderr, "loomctl: VM host %s: %s exists (a guest of another fabric, or left over: "
				"build/vm/guest/loom-vm stop --run-dir %s)\n", t->hosts[h].name, s.run_dir, s.run_dir);
			return -1;
		}
	}
	return 0;
}

/* LOOM_VM_RUN_BASE: root's, not writable by anyone else (sockets of root's
 * guests are created in it). */
static int make_run_base(void)
{
	struct stat st;

	if (mkdir(LOOM_VM_RUN_BASE, 0755) < 0 && errno != EEXIST)
		return -1;
	if (lstat(LOOM_VM_RUN_BASE, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int vm_hosts_start(const struct topology *t, const bool *local, const char *image, json_t *state,
		   int (*save)(json_t *state))
{
	json_t *vms = json_object_get(state, "vms");
	char err[1024];

	if (!vm_hosts_count(t, local))
		return 0;
	if (make_run_base() < 0) {
		fprintf(stderr, "loomctl: %s: %s (it must be a directory of root's, not group/world-writable)\n",
			LOOM_VM_RUN_BASE, strerror(errno));
		return -1;
	}
	for (int h = 0; h < t->n_hosts; h++) {
		struct vm_spec s;
		struct loom_vm vm;
		json_t *e;

		if (!is_vm_host(t, h, local))
			continue;
		if (vm_spec(t, h, image, &s) < 0)
			return -1;
		e = json_pack("{s:s, s:s, s:i, s:s}", "host", t->hosts[h].name, "run_dir", s.run_dir, "pid", 0,
			      "accel", "");
		json_array_append_new(vms, e);
		save(state);
		if (loom_vm_start(&s.c, &vm, err, sizeof(err)) < 0) {
			fprintf(stderr, "loomctl: VM host %s: %s\n", t->hosts[h].name, err);
			return -1;
		}
		json_object_set_new(e, "pid", json_integer(vm.pid));
		json_object_set_new(e, "accel", json_string(vm.accel));
		save(state);
	}
	return 0;
}

struct comment_sink {
	struct host_cmd_sink base;
	FILE *out;
};

static int comment_cmd(struct host_cmd_sink *sink, const char *line, bool quiet)
{
	(void)quiet;
	fprintf(((struct comment_sink *)sink)->out, "#   %s\n", line);
	return 0;
}

void vm_hosts_script_write(const struct topology *t, const bool *local, FILE *out)
{
	for (int h = 0; h < t->n_hosts; h++) {
		struct comment_sink sink = {.base.cmd = comment_cmd, .out = out};
		char dir[128];

		if (!is_vm_host(t, h, local))
			continue;
		vm_host_run_dir(t, h, dir, sizeof(dir));
		fprintf(out, "\n# VM host %s: a QEMU guest (run directory %s, NIC eth<i> on its nic<i>.sock),\n"
			"# started after loomd, then configured through its guest agent with:\n", t->hosts[h].name, dir);
		host_config_commands(t, h, &sink.base);
	}
}

/* --- waiting for and configuring the guests ------------------------------- */

struct vm_job {
	const struct topology *t;
	int host;
	const char *name, *run_dir;
	struct timespec t0;
	double ready_s, config_s;
	int rc;
	char err[1024];
};

/*
 * Runs host commands in a guest. Each agent round trip starts a program
 * from the host's root over 9p, which takes most of a second under TCG: a
 * run of consecutive `ip` commands goes to one `ip -batch -` on stdin
 * (host_commands.h keeps them free of options for that).
 */
struct agent_sink {
	struct host_cmd_sink base;
	struct loom_agent *agent;
	char *err;
	size_t errlen;
	char batch[8192]; /* pending `ip` commands, without "ip ", one a line */
	size_t batch_len;
};

/* Run argv in the guest; what: how to name it in an error. */
static int agent_run(struct agent_sink *s, const char *const *argv, const char *in, size_t in_len, const char *what)
{
	struct loom_agent_exec_req req = {.argv = argv, .stdin_data = in, .stdin_len = in_len,
					  .timeout_ms = VM_CMD_TIMEOUT_MS};
	struct loom_agent_result res;
	int status;

	if (loom_agent_exec(s->agent, &req, &res, s->err, s->errlen) < 0)
		return -1;
	status = loom_agent_result_status(&res);
	if (status != 0) {
		while (res.err_len && res.err[res.err_len - 1] == '\n')
			res.err[--res.err_len] = '\0';
		snprintf(s->err, s->errlen, "%s failed (status %d): %s", what, status, res.err);
	}
	loom_agent_result_free(&res);
	return status != 0 ? -1 : 0;
}

static int agent_flush(struct agent_sink *s)
{
	static const char *const argv[] = {"ip", "-batch", "-", NULL};
	char what[sizeof(s->batch) + 64];
	int rc;

	if (!s->batch_len)
		return 0;
	/* ip names the failing line of its batch (-:N); the batch is named too */
	snprintf(what, sizeof(what), "'ip -batch -' of [%.*s]", (int)s->batch_len - 1, s->batch);
	for (char *p = what; *p; p++)
		if (*p == '\n')
			*p = ';';
	rc = agent_run(s, argv, s->batch, s->batch_len, what);
	s->batch_len = 0;
	return rc;
}

/* A host command as an argv: words separated by single spaces, none with
 * a space of its own (host_commands.h). */
static int agent_cmd(struct host_cmd_sink *sink, const char *line, bool quiet)
{
	struct agent_sink *s = (struct agent_sink *)sink;
	char copy[512], what[540], *words[MAX_WORDS + 1], *save = NULL;
	size_t len = strlen(line);
	int n = 0;

	(void)quiet; /* the output is not shown either way */
	if (strncmp(line, "ip ", 3) == 0 && line[3] != '-') {
		if (s->batch_len + len > sizeof(s->batch) && agent_flush(s) < 0)
			return -1;
		memcpy(s->batch + s->batch_len, line + 3, len - 3);
		s->batch_len += len - 3;
		s->batch[s->batch_len++] = '\n';
		return 0;
	}
	if (agent_flush(s) < 0)
		return -1;
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *w = strtok_r(copy, " ", &save); w && n < MAX_WORDS; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	words[n] = NULL;
	snprintf(what, sizeof(what), "'%s'", line);
	return agent_run(s, (const char *const *)words, NULL, 0, what);
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *vm_job_run(void *arg)
{
	struct vm_job *j = arg;
	struct loom_agent a;
	struct loom_agent_info info;
	char sock[192];
	struct agent_sink sink = {.base.cmd = agent_cmd, .agent = &a, .err = j->err, .errlen = sizeof(j->err)};

	snprintf(sock, sizeof(sock), "%s/agent.sock", j->run_dir);
	if (loom_agent_wait_ready(&a, sock, VM_READY_TIMEOUT_MS, &info, j->err, sizeof(j->err)) < 0) {
		j->rc = -1;
		return NULL;
	}
	j->ready_s = since(&j->t0);
	j->rc = host_config_commands(j->t, j->host, &sink.base);
	if (j->rc == 0)
		j->rc = agent_flush(&sink);
	j->config_s = since(&j->t0) - j->ready_s;
	loom_agent_close(&a);
	return NULL;
}

int vm_hosts_ready(const struct topology *t, json_t *state)
{
	json_t *vms = json_object_get(state, "vms"), *e;
	size_t n = json_array_size(vms), i;
	struct vm_job *jobs = calloc(n + 1, sizeof(*jobs));
	pthread_t *th = calloc(n + 1, sizeof(*th));
	int rc = 0;

	if (!jobs || !th) {
		free(jobs);
		free(th);
		return -1;
	}
	json_array_foreach(vms, i, e) {
		struct vm_job *j = &jobs[i];

		j->t = t;
		j->name = json_string_value(json_object_get(e, "host"));
		j->run_dir = json_string_value(json_object_get(e, "run_dir"));
		j->host = topo_host_index(t, j->name);
		clock_gettime(CLOCK_MONOTONIC, &j->t0);
		if (pthread_create(&th[i], NULL, vm_job_run, j) != 0) {
			j->rc = -1;
			snprintf(j->err, sizeof(j->err), "cannot start a thread");
			th[i] = 0;
		}
	}
	for (i = 0; i < n; i++) {
		const struct vm_job *j = &jobs[i];
		json_t *v = json_array_get(vms, i);

		if (th[i])
			pthread_join(th[i], NULL);
		if (j->rc < 0) {
			fprintf(stderr, "loomctl: VM host %s: %s (console: %s/console.log)\n", j->name, j->err,
				j->run_dir);
			rc = -1;
			continue;
		}
		printf("VM host %s: agent ready %.1f s after start, configured in %.1f s (%s)\n", j->name, j->ready_s,
		       j->config_s, json_string_value(json_object_get(v, "accel")));
	}
	free(jobs);
	free(th);
	return rc;
}

void vm_hosts_stop(json_t *state)
{
	json_t *e;
	size_t i;
	char err[1024];

	json_array_foreach(json_object_get(state, "vms"), i, e) {
		const char *dir = json_string_value(json_object_get(e, "run_dir"));

		if (!dir || access(dir, F_OK) < 0)
			continue;
		if (loom_vm_stop(dir, VM_STOP_TIMEOUT_MS, err, sizeof(err)) < 0)
			fprintf(stderr, "loomctl: VM host %s: %s\n", json_string_value(json_object_get(e, "host")),
				err);
	}
	/* the base goes with its last guest (a loom-vm guest may still use it) */
	if (json_array_size(json_object_get(state, "vms")))
		rmdir(LOOM_VM_RUN_BASE);
}

json_t *vm_hosts_status(json_t *state)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(state, "vms"), i, e) {
		const char *dir = json_string_value(json_object_get(e, "run_dir"));
		pid_t pid = dir ? loom_vm_running(dir) : 0;

		json_array_append_new(out, json_pack("{s:O, s:i, s:b, s:O, s:O}", "host", json_object_get(e, "host"),
						     "pid", (int)pid, "alive", pid > 0, "accel",
						     json_object_get(e, "accel"), "run_dir", json_object_get(e, "run_dir")));
	}
	return out;
}

const char *vm_hosts_run_dir(json_t *state, const char *host)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(state, "vms"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "host")) ?: "", host) == 0)
			return json_string_value(json_object_get(e, "run_dir"));
	return NULL;
}
