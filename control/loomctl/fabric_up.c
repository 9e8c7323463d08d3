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
 *
 * A SIGTERM, SIGINT or SIGHUP during `up` does not stop it half-way: the
 * step under way (the host script, loomd's start) ends, then `up` removes
 * everything it made, as `down` does, and exits 1 (up_signal below). The
 * state file is written before anything is created and again as soon as
 * loomd's pid is known, and the started process writes its pid to
 * loomd.pid before it becomes loomd (loomd_process.c), so a loomctl killed
 * outright (SIGKILL), even before it saved that pid, is still undone by
 * `loomctl down`; a second signal ends loomctl at once, with
 * the same remedy.
 *
 * up on a fabric whose loomd died (its state file names a dead pid) with
 * the same topology brings loomd back and keeps the hosts
 * (fabric_restart.c); with another topology it refuses (docs/RESTART.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
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
#include "loomd_process.h"
#include "compile/vxlan_link.h"
#include "vm_hosts.h"
#include "workload/workload.h"


/* The signal that interrupted `up` (0: none). */
static volatile sig_atomic_t up_signal;

static void up_on_signal(int sig)
{
	up_signal = sig;
}

/* From here on a termination signal lets the current step finish and is
 * then answered by removing the fabric (SA_RESETHAND: a second one
 * terminates). Children get the default back at exec. */
static void up_catch_signals(void)
{
	struct sigaction sa = {.sa_handler = up_on_signal, .sa_flags = SA_RESTART | SA_RESETHAND};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Whether `up` was interrupted; says so once, before it undoes itself. */
static bool up_interrupted(void)
{
	if (!up_signal)
		return false;
	fprintf(stderr, "loomctl up: interrupted by %s: removing what it created (as 'loomctl down' does; if loomctl "
			"is stopped before that ends, run 'loomctl down')\n", strsignal(up_signal));
	return true;
}

static int run_quiet(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool *local_mask(const struct topology *t, const char *only, int machine)
{
	bool *local = calloc((size_t)t->n_switches, sizeof(bool));
	char *list, *tok, *save = NULL;

	if (local && machine >= 0)
		for (int s = 0; s < t->n_switches; s++)
			local[s] = t->switches[s].machine == machine;
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

static int count_true(const bool *v, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += v[i];
	return c;
}

static json_t *state_for(const struct topology *t, const bool *local, bool with_hosts)
{
	json_t *ns = json_array(), *veths = json_array(), *vxlans = json_array();
	char veth[16], netns[96];

	for (int h = 0; with_hosts && h < t->n_hosts; h++) {
		if (!host_is_namespace(t, h, local))
			continue;
		loom_host_netns(t->hosts[h].name, netns, sizeof(netns));
		json_array_append_new(ns, json_string(netns));
		for (int i = 0; i < t->n_links; i++) {
			const struct topo_link *l = &t->links[i];
			const struct topo_end *he = l->a.is_host ? &l->a : l->b.is_host ? &l->b : NULL;
			if (he && he->node == h) {
				host_veth_name(h, he->port, veth, sizeof(veth));
				json_array_append_new(veths, json_string(veth));
			}
		}
	}
	/* the VXLAN interfaces of this machine's links to others (vxlan_link.h) */
	for (int i = 0; local && t->n_machines && i < t->n_links; i++)
		if (topo_link_crosses_machines(t, &t->links[i]) &&
		    (local[t->links[i].a.node] || local[t->links[i].b.node])) {
			vxlan_link_ifname(i, veth, sizeof(veth));
			json_array_append_new(vxlans, json_string(veth));
		}
	char *path = realpath(t->file, NULL);
	loom_host_netns("", netns, sizeof(netns));
	json_t *state = json_pack("{s:s, s:s, s:i, s:o, s:o, s:[], s:o, s:s}", "fabric", t->name, "topology",
				  path ? path : t->file, "pid", 0, "namespaces", ns, "veths", veths, "vms",
				  "vxlan_links", vxlans, "netns_prefix", netns);

	free(path);
	return state;
}

/* Whether the fabric of `state` (whose loomd died) is the one `up` was asked
 * for: the same configuration for loomd, the same namespaces and VM hosts.
 * Then `up` brings its loomd back instead of recreating it. */
static bool same_fabric(json_t *state, json_t *config, const struct topology *t, const bool *local, bool with_hosts)
{
	json_t *old_config = json_load_file(LOOM_CONFIG_FILE, 0, NULL);
	json_t *want = state_for(t, local, with_hosts);
	json_t *vms = json_object_get(state, "vms"), *e;
	bool same = old_config && json_equal(old_config, config) &&
		    json_equal(json_object_get(state, "namespaces"), json_object_get(want, "namespaces")) &&
		    (int)json_array_size(vms) == (with_hosts ? vm_hosts_count(t, local) : 0);
	size_t i;

	json_array_foreach(vms, i, e) {
		int h = topo_host_index(t, json_string_value(json_object_get(e, "host")) ?: "");
		same = same && h >= 0 && t->hosts[h].port_type == TOPO_PORT_VM;
	}
	json_decref(old_config);
	json_decref(want);
	return same;
}

/* --machine: the part of a fabric with `machines:` that runs here, its run
 * directory (/run/loom-FABRIC-MACHINE unless --run-dir) and its host
 * namespaces' names (loom-FABRIC-HOST). *machine -1: the whole fabric. */
static int choose_machine(const struct topology *t, const struct up_opts *o, int *machine)
{
	char names[256] = "", dir[128], prefix[64];
	size_t at = 0;

	*machine = -1;
	if (!t->n_machines) {
		if (o->machine) {
			fprintf(stderr, "%s: no 'machines:' section: the whole fabric runs on this machine; leave out "
					"--machine\n", t->file);
			return -1;
		}
		loom_netns_prefix_set("loom-");
		return 0;
	}
	for (int m = 0; m < t->n_machines && at < sizeof(names); m++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", m ? ", " : "", t->machines[m].name);
	if (!o->machine) {
		fprintf(stderr, "%s:%d: the fabric runs on machines %s: bring up one machine's part with --machine NAME\n",
			t->file, t->machines[0].pos.line, names);
		return -1;
	}
	*machine = topo_machine_index(t, o->machine);
	if (*machine < 0) {
		fprintf(stderr, "%s:%d: no machine '%s' in the file (machines: %s)\n", t->file,
			t->machines[0].pos.line, o->machine, names);
		return -1;
	}
	if (o->only) {
		fprintf(stderr, "loomctl up: --only and --machine: the machine's switches are the file's\n");
		return -1;
	}
	if (!o->run_dir_given) {
		loom_run_dir_of_machine(t->name, o->machine, dir, sizeof(dir));
		if (loom_run_dir_set(dir) < 0)
			return -1;
	}
	snprintf(prefix, sizeof(prefix), "loom-%s-", t->name);
	loom_netns_prefix_set(prefix);
	return 0;
}

/* --no-hosts: loomctl creates no namespace, and loomd attaches each
 * namespace host's port to the root-side interface the namespace would
 * have had (lmh<host>p<port>, `up --dry-run` prints how it is made): the
 * user brings those interfaces (their own namespaces, containers, a
 * bridge). Checked before anything is started, so that a missing one is
 * named here rather than by the af_packet driver inside loomd's log.
 * Generator hosts, VM hosts and hosts on a port with devargs need none. */
static int no_hosts_interfaces_check(const struct topology *t, const bool *part)
{
	int missing = 0;

	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *h = l->a.is_host ? &l->a : &l->b, *s = l->a.is_host ? &l->b : &l->a;
		char ifname[16];

		if (l->a.is_host == l->b.is_host || (part && !part[s->node]) || s->devargs[0] ||
		    t->hosts[h->node].port_type == TOPO_PORT_GENERATOR || t->hosts[h->node].port_type == TOPO_PORT_VM)
			continue;
		host_veth_name(h->node, h->port, ifname, sizeof(ifname));
		if (if_nametoindex(ifname) == 0) {
			if (missing++ < 4)
				fprintf(stderr, "loomctl up --no-hosts: host %s's interface %s does not exist\n",
					t->hosts[h->node].name, ifname);
		}
	}
	if (missing)
		fprintf(stderr, "loomctl up --no-hosts: %d host interface%s missing: with --no-hosts loomd attaches "
				"each host's port to an interface you create ('loomctl up %s --dry-run' prints the "
				"commands); without it loomctl creates them in namespaces\n",
			missing, missing > 1 ? "s are" : " is", t->file);
	return missing ? -1 : 0;
}

/* hosts-up.sh: the host namespaces and this machine's VXLAN links */
static void part_script_write(const struct topology *t, const bool *part, int machine, bool hosts, FILE *out)
{
	if (hosts)
		hosts_script_write(t, part, out);
	else
		fprintf(out, "#!/bin/sh\nset -e\n");
	if (machine >= 0)
		vxlan_links_script_write(t, machine, out);
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
	int machine;
	const bool *part;

	if (choose_machine(&t, o, &machine) < 0) {
		topo_free(&t);
		return 1;
	}
	local = local_mask(&t, o->only, machine);
	if (!local)
		return 1;
	part = o->only || machine >= 0 ? local : NULL; /* this loomd's switches; NULL: all */
	if (loomd_config_build(&t, part, &config, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o->dry_run) {
		/* The commands that would create the hosts; the configuration
		 * loomd would get is what `loomctl compile` prints. */
		if (!o->no_hosts || machine >= 0)
			part_script_write(&t, part, machine, !o->no_hosts, stdout);
		if (!o->no_hosts)
			vm_hosts_script_write(&t, part, stdout);
		json_decref(config);
		return 0;
	}
	state = fabric_state_load();
	if (state) {
		/* A fabric is up when its state file names a live loomd; one whose
		 * loomd died (killed, crashed) keeps its hosts: the same fabric is
		 * brought back as `loomctl restart` does, hosts and live changes
		 * kept; another one is refused (`down` first). */
		pid_t old = loomd_recorded_pid(state);

		if (loomd_pid_alive(old)) {
			fprintf(stderr, "loomctl: a fabric is already up (%s); run 'loomctl down' first\n",
				LOOM_STATE_FILE);
			rc = 1;
		} else if (same_fabric(state, config, &t, part, !o->no_hosts)) {
			printf("fabric %s is up without its loomd (pid %d is gone): bringing loomd back, hosts kept "
			       "(as 'loomctl restart' does)\n", t.name, (int)old);
			rc = fabric_bring_back(state);
		} else {
			fprintf(stderr,
				"loomctl: fabric %s (%s) is up without its loomd (pid %d is gone), and %s is not that "
				"fabric: 'loomctl restart' brings it back as it was, 'loomctl down' removes it\n",
				json_string_value(json_object_get(state, "fabric")) ?: "?",
				json_string_value(json_object_get(state, "topology")) ?: "?", (int)old, o->topology);
			rc = 1;
		}
		json_decref(state);
		json_decref(config);
		free(local);
		topo_free(&t);
		return rc;
	}
	if (o->no_hosts && no_hosts_interfaces_check(&t, part) < 0) {
		json_decref(config);
		free(local);
		topo_free(&t);
		return 1;
	}
	/* the guest image (built once) and every VM host's prerequisites,
	 * before anything is created */
	if (!o->no_hosts && vm_hosts_prepare(&t, part, image, sizeof(image)) < 0) {
		json_decref(config);
		return 1;
	}
	up_catch_signals();
	if (loom_run_dir_make() < 0) {
		json_decref(config);
		return 1;
	}
	rc = loom_output_json(config, LOOM_CONFIG_FILE, LOOM_OUTPUT_PRIVATE);
	json_decref(config);
	if (rc < 0) {
		fprintf(stderr, "loomctl: cannot write %s\n", LOOM_CONFIG_FILE);
		return 1;
	}
	/* a new fabric starts with no live changes (a directory left by an
	 * earlier one would be re-applied) */
	loom_remove_tree(LOOM_CHANGES_DIR);

	state = state_for(&t, part, !o->no_hosts);
	/* before creating anything: down removes what it lists */
	if (fabric_state_save(state) < 0) {
		fprintf(stderr, "loomctl: cannot write %s: nothing created\n", LOOM_STATE_FILE);
		goto fail;
	}
	if (up_interrupted())
		goto fail;
	if (!o->no_hosts || machine >= 0) {
		char why[512];
		const struct loom_run_paths *rp = loom_run_paths();

		f = loom_output_open(rp->hosts_script, LOOM_OUTPUT_PRIVATE, why, sizeof(why)); /* root runs it */
		if (!f) {
			fprintf(stderr, "loomctl: %s\n", why);
			goto fail;
		}
		part_script_write(&t, part, machine, !o->no_hosts, f);
		fclose(f);
		rc = loom_run_script(rp->hosts_script, rp->hosts_log);
		if (up_interrupted()) /* (a SIGINT from the terminal also ends the script) */
			goto fail;
		if (rc != 0) {
			fprintf(stderr, "loomctl: creating the host namespaces%s failed; see %s\n",
				machine >= 0 ? " and VXLAN links" : "", rp->hosts_log);
			loom_print_tail(rp->hosts_log, 5);
			goto fail;
		}
	}
	json_object_set_new(state, "worker_priority", o->worker_priority ? json_string(o->worker_priority) : json_null());
	pid = loomd_start(false, o->worker_priority);
	json_object_set_new(state, "pid", json_integer(pid));
	fabric_state_save(state);
	if (up_interrupted())
		goto fail;
	if (pid < 0 || loomd_wait(pid) < 0) {
		if (up_interrupted())
			goto fail;
		loomd_print_log_tail();
		goto fail;
	}
	if (up_interrupted())
		goto fail;
	if (!o->no_hosts && (vm_hosts_start(&t, part, image, state, fabric_state_save) < 0 ||
			     vm_hosts_ready(&t, state) < 0 || endpoint_apply_topology(&t, part) < 0))
		goto fail;
	if (up_interrupted())
		goto fail;
	if (machine >= 0)
		printf("fabric %s, machine %s is up: %d of %d switches, %d VXLAN links (loomd pid %d, run directory "
		       "%s)\n", t.name, t.machines[machine].name, count_true(local, t.n_switches), t.n_switches,
		       (int)json_array_size(json_object_get(state, "vxlan_links")), (int)pid, LOOM_RUN_DIR);
	else
		printf("fabric %s is up: %d switches, %d hosts (loomd pid %d, log %s)\n", t.name, t.n_switches,
		       o->no_hosts ? 0 : t.n_hosts, (int)pid, LOOM_LOOMD_LOG);
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

int cmd_down(void)
{
	json_error_t jerr;
	json_t *state = json_load_file(LOOM_STATE_FILE, 0, &jerr);
	json_t *v;
	size_t i;
	char cmd[256];

	if (!state) {
		if (access(LOOM_RUN_DIR, F_OK) == 0)
			loom_run_dir_remove();
		printf("no fabric is up\n");
		if (strcmp(LOOM_RUN_DIR, LOOM_RUN_DIR_DEFAULT) == 0)
			loom_run_dir_hint_parts();
		return 0;
	}
	/* The guests first: their run directories are outside /run/loom, and
	 * a QEMU nobody stops would keep running with nobody knowing it. */
	vm_hosts_stop(state);
	/* the state file's loomd, and the one that recorded itself in loomd.pid
	 * (the same, unless loomctl was killed before it saved the pid) */
	pid_t pids[2] = {(pid_t)json_integer_value(json_object_get(state, "pid")), loomd_pid_file_read()};

	for (int k = 0; k < 2; k++) {
		if (k == 1 && pids[1] == pids[0])
			break;
		loomd_stop(pids[k]);
		/* what a killed loomd could not remove itself */
		loomd_remove_runtime_dir(pids[k]);
	}
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
	/* this machine's VXLAN links (names of loomctl's own: lmxN) */
	json_array_foreach(json_object_get(state, "vxlan_links"), i, v) {
		snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null", json_string_value(v));
		run_quiet(cmd);
	}
	printf("fabric %s is down%s\n", json_string_value(json_object_get(state, "fabric")),
	       strcmp(LOOM_RUN_DIR, LOOM_RUN_DIR_DEFAULT) ? " here" : "");
	json_decref(state);
	loom_run_dir_remove();
	return 0;
}
