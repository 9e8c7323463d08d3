/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl up` and `loomctl down`.
 *
 * up: validate the topology, compile loomd's configuration (routes
 * included), find the guest image when there are VM hosts, create the host
 * namespaces, start loomd and wait until it answers, then start the VM
 * hosts' guests (after loomd: QEMU does not run a guest until every
 * vhost-user backend of it has connected) and configure them. Everything it creates is written to /run/loom/state.json
 * first, so that `down` (or a failed `up`) removes exactly that.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loom_output_file.h"
#include "compile/loomd_config.h"
#include "ctl_client.h"
#include "endpoint_cmd.h"
#include "fabric_cmds.h"
#include "vm_hosts.h"
#include "workload/workload.h"

#define STATE_FILE LOOM_RUN_DIR "/state.json"
#define CONFIG_FILE LOOM_RUN_DIR "/config.json"
#define HOSTS_SCRIPT LOOM_RUN_DIR "/hosts-up.sh"
#define LOOMD_LOG LOOM_RUN_DIR "/loomd.log"
#define UP_TIMEOUT_S 60

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static int run_quiet(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The pid is a running loomd (and not a process that got its number after
 * loomd exited). */
static bool pid_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strcmp(comm, "loomd\n") == 0;
}

/* loomd by absolute path only, never from PATH or the current
 * directory (loomctl runs as root): $LOOMD when it is an absolute path,
 * else next to loomctl in the build tree (BUILD/control/loomctl ->
 * BUILD/dataplane/loomd), else beside loomctl (both installed in one
 * bin/), else the install prefix's bindir. -1 with a message when none
 * is there. */
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

static bool *local_mask(const struct topology *t, const char *only)
{
	bool *local = calloc((size_t)t->n_switches, sizeof(bool));
	char *list, *tok, *save = NULL;

	if (!local || !only)
		return local;
	list = strdup(only);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s = topo_switch_index(t, tok);
		if (s < 0) {
			fprintf(stderr, "loomctl: --only: no switch '%s' in %s\n", tok, t->file);
			free(list);
			free(local);
			return NULL;
		}
		local[s] = true;
	}
	free(list);
	return local;
}

static json_t *state_for(const struct topology *t, const bool *local, bool with_hosts)
{
	json_t *ns = json_array(), *veths = json_array();
	char veth[16];

	for (int h = 0; with_hosts && h < t->n_hosts; h++) {
		if (!host_is_namespace(t, h, local))
			continue;
		json_array_append_new(ns, json_sprintf("loom-%s", t->hosts[h].name));
		for (int i = 0; i < t->n_links; i++) {
			const struct topo_link *l = &t->links[i];
			const struct topo_end *he = l->a.is_host ? &l->a : l->b.is_host ? &l->b : NULL;
			if (he && he->node == h) {
				host_veth_name(h, he->port, veth, sizeof(veth));
				json_array_append_new(veths, json_string(veth));
			}
		}
	}
	char *path = realpath(t->file, NULL);
	json_t *state = json_pack("{s:s, s:s, s:i, s:o, s:o, s:[]}", "fabric", t->name, "topology",
				  path ? path : t->file, "pid", 0, "namespaces", ns, "veths", veths, "vms");

	free(path);
	return state;
}

static int save_state(json_t *state)
{
	return loom_output_json(state, STATE_FILE, LOOM_OUTPUT_PRIVATE);
}

json_t *fabric_state_load(void)
{
	return json_load_file(STATE_FILE, 0, NULL);
}

static pid_t start_loomd(const char *worker_priority)
{
	char path[PATH_MAX];
	pid_t pid;

	if (loomd_path(path, sizeof(path)) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(LOOMD_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		setsid();
		if (worker_priority)
			execl(path, "loomd", "--config", CONFIG_FILE, "--socket", LOOM_SOCKET, "--worker-priority",
			      worker_priority, (char *)NULL);
		else
			execl(path, "loomd", "--config", CONFIG_FILE, "--socket", LOOM_SOCKET, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait until loomd answers a ping, or dies, or the timeout passes. */
static int wait_for_loomd(pid_t pid)
{
	char err[256];

	for (int i = 0; i < UP_TIMEOUT_S * 10; i++) {
		json_t *r;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		r = ctl_call(LOOM_SOCKET, "ping", NULL, err, sizeof(err));
		if (r) {
			json_decref(r);
			return 0;
		}
		sleep_ms(100);
	}
	return -1;
}

static void print_log_tail(void)
{
	fprintf(stderr, "loomctl: loomd did not come up; its log (%s):\n", LOOMD_LOG);
	run_quiet("tail -n 20 " LOOMD_LOG " >&2");
}

/* A fabric is up when its state file names a live loomd. A state file
 * whose loomd is gone (killed, machine rebooted without clearing /run) is
 * stale: its leftovers are removed so that a new fabric can come up. */
static bool fabric_is_up(void)
{
	json_t *state = json_load_file(STATE_FILE, 0, NULL);
	pid_t pid;

	if (!state)
		return false;
	pid = (pid_t)json_integer_value(json_object_get(state, "pid"));
	json_decref(state);
	if (pid_alive(pid))
		return true;
	fprintf(stderr, "loomctl: the fabric in %s has no loomd any more; removing its leftovers\n", STATE_FILE);
	cmd_down();
	return false;
}

int cmd_up(const struct up_opts *o)
{
	struct topology t;
	char err[1024];
	bool *local;
	json_t *state, *config;
	char image[PATH_MAX] = "";
	FILE *f;
	pid_t pid;
	int rc;

	if (topo_load(o->topology, &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (t.clock == TOPO_CLOCK_VIRTUAL) {
		fprintf(stderr,
			"loomctl: %s has 'clock: virtual': a virtual-time fabric is not brought up, it is run "
			"to the end of its duration: loomctl run %s [--out RESULTS]\n",
			o->topology, o->topology);
		topo_free(&t);
		return 1;
	}
	local = local_mask(&t, o->only);
	if (!local)
		return 1;
	if (loomd_config_build(&t, o->only ? local : NULL, &config, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o->dry_run) {
		/* The commands that would create the hosts; the configuration
		 * loomd would get is what `loomctl compile` prints. */
		if (!o->no_hosts) {
			hosts_script_write(&t, o->only ? local : NULL, stdout);
			vm_hosts_script_write(&t, o->only ? local : NULL, stdout);
		}
		json_decref(config);
		return 0;
	}
	if (fabric_is_up()) {
		fprintf(stderr, "loomctl: a fabric is already up (%s); run 'loomctl down' first\n", STATE_FILE);
		json_decref(config);
		return 1;
	}
	/* the guest image (built once) and every VM host's prerequisites,
	 * before anything is created */
	if (!o->no_hosts && vm_hosts_prepare(&t, o->only ? local : NULL, image, sizeof(image)) < 0) {
		json_decref(config);
		return 1;
	}
	if (mkdir(LOOM_RUN_DIR, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "loomctl: cannot create %s: %s (run as root)\n", LOOM_RUN_DIR, strerror(errno));
		json_decref(config);
		return 1;
	}
	rc = loom_output_json(config, CONFIG_FILE, LOOM_OUTPUT_PRIVATE);
	json_decref(config);
	if (rc < 0) {
		fprintf(stderr, "loomctl: cannot write %s\n", CONFIG_FILE);
		return 1;
	}

	state = state_for(&t, o->only ? local : NULL, !o->no_hosts);
	save_state(state); /* before creating anything: down removes what it lists */
	if (!o->no_hosts) {
		char why[512];

		f = loom_output_open(HOSTS_SCRIPT, LOOM_OUTPUT_PRIVATE, why, sizeof(why)); /* root runs it */
		if (!f) {
			fprintf(stderr, "loomctl: %s\n", why);
			goto fail;
		}
		hosts_script_write(&t, o->only ? local : NULL, f);
		fclose(f);
		if (run_quiet("sh " HOSTS_SCRIPT " > " LOOM_RUN_DIR "/hosts-up.log 2>&1") != 0) {
			fprintf(stderr, "loomctl: creating the host namespaces failed; see %s/hosts-up.log\n",
				LOOM_RUN_DIR);
			run_quiet("tail -n 5 " LOOM_RUN_DIR "/hosts-up.log >&2");
			goto fail;
		}
	}
	pid = start_loomd(o->worker_priority);
	json_object_set_new(state, "pid", json_integer(pid));
	save_state(state);
	if (pid < 0 || wait_for_loomd(pid) < 0) {
		print_log_tail();
		goto fail;
	}
	if (!o->no_hosts && (vm_hosts_start(&t, o->only ? local : NULL, image, state, save_state) < 0 ||
			     vm_hosts_ready(&t, state) < 0 || endpoint_apply_topology(&t, o->only ? local : NULL) < 0))
		goto fail;
	printf("fabric %s is up: %d switches, %d hosts (loomd pid %d, log %s)\n", t.name, t.n_switches,
	       o->no_hosts ? 0 : t.n_hosts, (int)pid, LOOMD_LOG);
	json_decref(state);
	free(local);
	topo_free(&t);
	return 0;
fail:
	json_decref(state);
	free(local);
	topo_free(&t);
	fflush(stderr);
	cmd_down();
	return 1;
}

static void stop_loomd(pid_t pid)
{
	char err[256];
	json_t *r;

	if (!pid_alive(pid))
		return;
	r = ctl_call(LOOM_SOCKET, "shutdown", NULL, err, sizeof(err));
	json_decref(r);
	if (!r)
		kill(pid, SIGTERM);
	for (int i = 0; i < 100 && pid_alive(pid); i++) {
		waitpid(pid, NULL, WNOHANG);
		sleep_ms(100);
	}
	if (pid_alive(pid)) {
		fprintf(stderr, "loomctl: loomd (pid %d) did not stop; killing it\n", (int)pid);
		kill(pid, SIGKILL);
		sleep_ms(200);
	}
}

int cmd_down(void)
{
	json_error_t jerr;
	json_t *state = json_load_file(STATE_FILE, 0, &jerr);
	json_t *v;
	size_t i;
	char cmd[256];

	if (!state) {
		if (access(LOOM_RUN_DIR, F_OK) == 0)
			run_quiet("rm -rf " LOOM_RUN_DIR);
		printf("no fabric is up\n");
		return 0;
	}
	/* The guests first: their run directories are outside /run/loom, and
	 * a QEMU nobody stops would keep running with nobody knowing it. */
	vm_hosts_stop(state);
	stop_loomd((pid_t)json_integer_value(json_object_get(state, "pid")));
	/* Deleting a namespace deletes its veth ends, and with them the peers. */
	/* Processes left in a namespace (an iperf3 server, say) would keep it
	 * alive after `ip netns del`. */
	json_array_foreach(json_object_get(state, "namespaces"), i, v) {
		snprintf(cmd, sizeof(cmd), "ip netns pids %s 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del %s 2>/dev/null",
			 json_string_value(v), json_string_value(v));
		run_quiet(cmd);
	}
	json_array_foreach(json_object_get(state, "veths"), i, v) {
		snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null", json_string_value(v));
		run_quiet(cmd);
	}
	printf("fabric %s is down\n", json_string_value(json_object_get(state, "fabric")));
	json_decref(state);
	run_quiet("rm -rf " LOOM_RUN_DIR);
	return 0;
}
