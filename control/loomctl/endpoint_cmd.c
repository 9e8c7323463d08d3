/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl endpoint set HOST ...` / `loomctl endpoint show HOST [--json]`:
 * the endpoint programs of a namespace or VM host (docs/ENDPOINTS.md).
 * Every argument is checked before the host is touched. A namespace host
 * is entered with setns and handled here (endpoint/ep_host.c); a VM host's
 * guest runs loom-endpoint, the same code, through its agent
 * (endpoint_vm.c). A load or attach that fails leaves the host as it was
 * and shows libbpf's log (the verifier's).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endpoint_cmd.h"
#include "endpoint_vm.h"
#include "ep_host.h"
#include "fabric_cmds.h"
#include "topo/topology.h"
#include "vm_hosts.h"

#define EP_LOG_LEN (1 << 20)
/* The state file's list of VM hosts with programs attached: what `loomctl
 * stats` asks (a guest is asked through its agent, one command at a time,
 * so not every guest at every `stats`). */
#define EP_STATE_VMS "endpoint_vms"

static int ep_netns_enter(const char *host, int *saved, char *err, size_t errlen)
{
	char path[160], ns[96];
	int fd;

	loom_host_netns(host, ns, sizeof(ns));
	if (snprintf(path, sizeof(path), "/var/run/netns/%s", ns) >= (int)sizeof(path) ||
	    strchr(host, '/')) {
		snprintf(err, errlen, "bad host name");
		return -1;
	}
	*saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0) {
		snprintf(err, errlen, "cannot open this process's network namespace: %s", strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "cannot enter the network namespace %s: %s", ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		close(*saved);
		return -1;
	}
	close(fd);
	return 0;
}

static void ep_netns_leave(int saved)
{
	if (setns(saved, CLONE_NEWNET) < 0)
		fprintf(stderr, "loomctl: cannot return to the network namespace: %s\n", strerror(errno));
	close(saved);
}

/* What a host is: 0 namespace host, 1 VM host (its run directory in
 * run_dir), -1 none (message printed). */
static int host_kind(const char *host, char *run_dir, size_t len)
{
	json_t *state = fabric_state_load(), *v;
	const char *rd;
	char ns[96];
	size_t i;
	int kind = -1;

	if (!state) {
		fprintf(stderr, "loomctl: no fabric is up\n");
		return -1;
	}
	loom_host_netns(host, ns, sizeof(ns));
	rd = vm_hosts_run_dir(state, host);
	if (rd && snprintf(run_dir, len, "%s", rd) < (int)len)
		kind = 1;
	json_array_foreach(json_object_get(state, "namespaces"), i, v)
		if (strcmp(json_string_value(v) ?: "", ns) == 0)
			kind = 0;
	json_decref(state);
	if (kind < 0)
		fprintf(stderr, "loomctl: no namespace or VM host '%s' in the fabric that is up "
				"(endpoint programs run on namespace and VM hosts)\n", host);
	return kind;
}

/* Record in the state file whether VM host `host` has programs attached. */
static void state_mark_vm(const char *host, bool attached)
{
	json_t *state = fabric_state_load(), *list, *v;
	size_t i;
	bool changed = false;

	if (!state)
		return;
	list = json_object_get(state, EP_STATE_VMS);
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(state, EP_STATE_VMS, list);
	}
	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v) ?: "", host) == 0)
			break;
	if (attached && i == json_array_size(list)) {
		json_array_append_new(list, json_string(host));
		changed = true;
	} else if (!attached && i < json_array_size(list)) {
		json_array_remove(list, i);
		changed = true;
	}
	if (changed && fabric_state_save(state) < 0)
		fprintf(stderr, "loomctl: cannot record %s's endpoint programs in %s\n", host, LOOM_STATE_FILE);
	json_decref(state);
}

/* Set the host's programs with the options (argc/argv): checked against
 * the defaults first, then applied to the defaults (first attach) or to
 * the programs' current configuration. 0, 1 failure (host as it was), 2
 * bad options. */
static int endpoint_set_host(const char *host, int argc, char **argv)
{
	struct loom_ep_config c;
	char err[256], warn[160], run_dir[256], *log;
	int kind, saved, rc;

	kind = host_kind(host, run_dir, sizeof(run_dir));
	if (kind < 0)
		return 1;
	ep_config_defaults(&c);
	if (ep_options_apply(argc, argv, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl endpoint: %s\n", err);
		return 2;
	}
	if (kind == 1) {
		json_t *reply;

		rc = endpoint_vm_set(host, run_dir, argc, argv, &reply);
		if (rc == 0) {
			const char *lb = json_string_value(json_object_get(reply, "lb")) ?: "?";
			bool measure = json_is_true(json_object_get(reply, "measure"));

			state_mark_vm(host, strcmp(lb, "off") != 0 || measure);
			printf("%s: lb %s, measure %s\n", host, lb, measure ? "on" : "off");
		} else {
			fprintf(stderr, "loomctl: VM host %s: the endpoint programs were not changed\n", host);
		}
		json_decref(reply);
		return rc;
	}
	if (ep_netns_enter(host, &saved, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: %s\n", err);
		return 1;
	}
	log = calloc(1, EP_LOG_LEN);
	if (!log) {
		ep_netns_leave(saved);
		return 1;
	}
	rc = ep_host_set(&c, argc, argv, err, sizeof(err), log, EP_LOG_LEN, warn, sizeof(warn));
	ep_netns_leave(saved);
	if (log[0])
		fputs(log, stderr);
	free(log);
	if (rc < 0) {
		fprintf(stderr, "loomctl: host %s: %s; the host is left as it was\n", host, err);
		return 1;
	}
	if (warn[0])
		fprintf(stderr, "loomctl: host %s: %s\n", host, warn);
	printf("%s: lb %s, measure %s\n", host, ep_lb_name(c.lb_mode), c.measure ? "on" : "off");
	return 0;
}

int endpoint_apply_topology(const struct topology *t, const bool *local)
{
	_Static_assert((int)TOPO_EP_LB_N == (int)LOOM_EP_LB_N && (int)TOPO_EP_LB_REPATH == (int)LOOM_EP_LB_REPATH,
		       "topology and program modes differ");
	for (int h = 0; h < t->n_hosts; h++) {
		const struct topo_endpoint *e = &t->hosts[h].endpoint;
		char gap[24], round[24], rounds[16], ports[LOOM_EP_UDP_PORTS * 6 + 1] = "";
		char *argv[16];
		int argc = 0;

		if (!e->given || (e->lb == TOPO_EP_LB_OFF && !e->measure) ||
		    !(host_is_namespace(t, h, local) ||
		      (t->hosts[h].port_type == TOPO_PORT_VM && host_is_served(t, h, local))))
			continue;
		/* the topology's settings as `set` options: one path for both kinds of host */
		argv[argc++] = "--lb";
		argv[argc++] = (char *)ep_lb_name((unsigned)e->lb);
		argv[argc++] = "--measure";
		argv[argc++] = e->measure ? "on" : "off";
		if (e->flowlet_gap_ns) {
			snprintf(gap, sizeof(gap), "%llu", (unsigned long long)e->flowlet_gap_ns);
			argv[argc++] = "--flowlet-gap-ns";
			argv[argc++] = gap;
		}
		if (e->round_ns) {
			snprintf(round, sizeof(round), "%llu", (unsigned long long)e->round_ns);
			argv[argc++] = "--round-ns";
			argv[argc++] = round;
		}
		if (e->rounds) {
			snprintf(rounds, sizeof(rounds), "%u", e->rounds);
			argv[argc++] = "--rounds";
			argv[argc++] = rounds;
		}
		for (int i = 0; i < TOPO_EP_UDP_PORTS && e->udp_ports[i]; i++)
			snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), "%s%u", i ? "," : "",
				 e->udp_ports[i]);
		if (ports[0]) {
			argv[argc++] = "--udp-ports";
			argv[argc++] = ports;
		}
		if (endpoint_set_host(t->hosts[h].name, argc, argv) != 0)
			return -1;
	}
	return 0;
}

/* A namespace host's figures (run_dir NULL) or a VM host's (its guest asked). */
static json_t *host_show(const char *host, const char *run_dir, bool with_flows, char *err, size_t errlen)
{
	int saved;
	json_t *o;

	if (run_dir)
		return endpoint_vm_show(run_dir, with_flows, err, errlen);
	if (ep_netns_enter(host, &saved, err, errlen) < 0)
		return NULL;
	o = ep_host_show(with_flows, err, errlen);
	ep_netns_leave(saved);
	return o;
}

void endpoint_print(const char *host, json_t *o)
{
	json_t *s = json_object_get(o, "sender"), *r = json_object_get(o, "receiver"), *d, *v;
	size_t i;

	if (!json_is_true(json_object_get(o, "attached"))) {
		printf("%s: no endpoint programs\n", host);
		return;
	}
	printf("%s: lb %s (flowlet gap %lld ns, round %lld ns x %lld), measure %s\n", host,
	       json_string_value(json_object_get(o, "lb")),
	       (long long)json_integer_value(json_object_get(o, "flowlet_gap_ns")),
	       (long long)json_integer_value(json_object_get(o, "round_ns")),
	       (long long)json_integer_value(json_object_get(o, "repath_rounds")),
	       json_is_true(json_object_get(o, "measure")) ? "on" : "off");
	printf("  sender:   %lld packets, %lld rewritten, %lld entropy changes, %lld repaths, %lld echoes\n",
	       (long long)json_integer_value(json_object_get(s, "packets")),
	       (long long)json_integer_value(json_object_get(s, "rewritten")),
	       (long long)json_integer_value(json_object_get(s, "entropy_changes")),
	       (long long)json_integer_value(json_object_get(s, "repaths")),
	       (long long)json_integer_value(json_object_get(s, "echoes")));
	printf("  receiver: %lld packets, %lld measured, %lld out of order (%lld within a flowlet), %lld CE; distances",
	       (long long)json_integer_value(json_object_get(r, "packets")),
	       (long long)json_integer_value(json_object_get(r, "measured")),
	       (long long)json_integer_value(json_object_get(r, "out_of_order")),
	       (long long)json_integer_value(json_object_get(r, "late_same_entropy")),
	       (long long)json_integer_value(json_object_get(r, "ce")));
	d = json_object_get(r, "distance");
	json_array_foreach(d, i, v)
		printf(" %s%lld", i == 0 ? "1:" : "", (long long)json_integer_value(v));
	printf("\n");
}

int cmd_endpoint(int argc, char **argv)
{
	char err[1024], run_dir[256];
	json_t *o;
	bool json;
	int kind;

	if (argc >= 2 && strcmp(argv[0], "set") == 0)
		return endpoint_set_host(argv[1], argc - 2, argv + 2);
	if (!(argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0)) || strcmp(argv[0], "show") != 0) {
		fprintf(stderr, "usage: loomctl endpoint set HOST [--lb off|packet|flowlet|repath] [--measure on|off]\n"
				"         [--flowlet-gap-us N|--flowlet-gap-ns N] [--round-us N|--round-ns N] [--rounds N]\n"
				"         [--udp-ports P,P..|none]\n"
				"       loomctl endpoint show HOST [--json]\n");
		return 2;
	}
	json = argc == 3;
	kind = host_kind(argv[1], run_dir, sizeof(run_dir));
	if (kind < 0)
		return 1;
	o = host_show(argv[1], kind == 1 ? run_dir : NULL, json, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "loomctl: host %s: %s\n", argv[1], err);
		return 1;
	}
	if (json) {
		char *s = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", s ? s : "{}");
		free(s);
	} else {
		endpoint_print(argv[1], o);
	}
	json_decref(o);
	return 0;
}

json_t *endpoint_stats_json(void)
{
	json_t *state = fabric_state_load(), *out = json_object(), *v;
	size_t i;

	if (!state)
		return out;
	json_array_foreach(json_object_get(state, "namespaces"), i, v) {
		const char *ns = json_string_value(v) ?: "";
		char err[256];
		json_t *o;

		if (strncmp(ns, "loom-", 5) != 0)
			continue;
		o = host_show(ns + 5, NULL, false, err, sizeof(err));
		if (o && json_is_true(json_object_get(o, "attached")))
			json_object_set_new(out, ns + 5, o);
		else
			json_decref(o);
	}
	/* the VM hosts `endpoint set` attached programs to */
	json_array_foreach(json_object_get(state, EP_STATE_VMS), i, v) {
		const char *host = json_string_value(v) ?: "", *run_dir = vm_hosts_run_dir(state, host);
		char err[1024];
		json_t *o;

		if (!run_dir)
			continue;
		o = host_show(host, run_dir, false, err, sizeof(err));
		if (!o)
			fprintf(stderr, "loomctl: VM host %s: %s\n", host, err);
		if (o && json_is_true(json_object_get(o, "attached")))
			json_object_set_new(out, host, o);
		else
			json_decref(o);
	}
	json_decref(state);
	return out;
}
