/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl endpoint set HOST ...` / `loomctl endpoint show HOST [--json]`:
 * the endpoint programs of a namespace host (docs/ENDPOINTS.md). Every
 * argument is checked before the host is touched; a load or attach that
 * fails leaves the host as it was (endpoint_attach.c) and shows libbpf's
 * log (the verifier's).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "endpoint_attach.h"
#include "endpoint_cmd.h"
#include "fabric_cmds.h"
#include "topo/topology.h"
#include "vm_hosts.h"

#define lb_names_of(m) topo_ep_lb_name((enum topo_ep_lb)(m))

#define EP_DEFAULT_FLOWLET_GAP_NS 50000ull /* 50 us */
#define EP_DEFAULT_ROUND_NS 200000ull      /* 200 us: about a round trip through a Loom fabric */
#define EP_DEFAULT_ROUNDS 3u
#define EP_SHOW_FLOWS 64

static void config_defaults(struct loom_ep_config *c)
{
	memset(c, 0, sizeof(*c));
	c->flowlet_gap_ns = EP_DEFAULT_FLOWLET_GAP_NS;
	c->round_ns = EP_DEFAULT_ROUND_NS;
	c->repath_rounds = EP_DEFAULT_ROUNDS;
}

/* What a host is: 0 namespace host, 1 VM host, -1 none (message printed). */
static int host_kind(const char *host)
{
	json_t *state = fabric_state_load(), *v;
	char ns[96];
	size_t i;
	int kind = -1;

	if (!state) {
		fprintf(stderr, "loomctl: no fabric is up\n");
		return -1;
	}
	snprintf(ns, sizeof(ns), "loom-%s", host);
	if (vm_hosts_run_dir(state, host))
		kind = 1;
	json_array_foreach(json_object_get(state, "namespaces"), i, v)
		if (strcmp(json_string_value(v) ?: "", ns) == 0)
			kind = 0;
	json_decref(state);
	if (kind == 1)
		fprintf(stderr, "loomctl: %s is a VM host: its endpoint programs would be loaded inside the guest, "
				"which the guest image does not do (docs/ENDPOINTS.md, VM hosts)\n", host);
	else if (kind < 0)
		fprintf(stderr, "loomctl: no namespace host '%s' in the fabric that is up "
				"(endpoint programs run on namespace hosts)\n", host);
	return kind;
}

static int get_u64(const char *flag, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "loomctl endpoint: %s takes an integer %llu .. %llu, not '%s'\n", flag,
			(unsigned long long)min, (unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Apply the options to `c`; -1 with a message on the first bad one. */
static int parse_set(int argc, char **argv, struct loom_ep_config *c)
{
	for (int i = 0; i < argc; i++) {
		const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;

		if (!v) {
			fprintf(stderr, "loomctl endpoint: %s needs a value\n", f);
			return -1;
		}
		i++;
		if (strcmp(f, "--lb") == 0) {
			int m = topo_ep_lb_parse(v);

			if (m < 0) {
				fprintf(stderr, "loomctl endpoint: unknown load-balancing mode '%s' "
						"(off, packet, flowlet, repath)\n", v);
				return -1;
			}
			c->lb_mode = (__u32)m;
		} else if (strcmp(f, "--measure") == 0) {
			if (strcmp(v, "on") && strcmp(v, "off")) {
				fprintf(stderr, "loomctl endpoint: --measure takes on or off, not '%s'\n", v);
				return -1;
			}
			c->measure = strcmp(v, "on") == 0;
		} else if (strcmp(f, "--flowlet-gap-us") == 0) {
			if (get_u64(f, v, 1, 10000000, &x) < 0)
				return -1;
			c->flowlet_gap_ns = x * 1000;
		} else if (strcmp(f, "--round-us") == 0) {
			if (get_u64(f, v, 1, 10000000, &x) < 0)
				return -1;
			c->round_ns = x * 1000;
		} else if (strcmp(f, "--rounds") == 0) {
			if (get_u64(f, v, 1, 1000, &x) < 0)
				return -1;
			c->repath_rounds = (__u32)x;
		} else if (strcmp(f, "--udp-ports") == 0) {
			/* a comma-separated list, "none" to clear */
			char buf[128], *save = NULL, *tok;
			int n = 0;

			memset(c->udp_ports, 0, sizeof(c->udp_ports));
			if (strcmp(v, "none") == 0)
				continue;
			snprintf(buf, sizeof(buf), "%s", v);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (n == LOOM_EP_UDP_PORTS) {
					fprintf(stderr, "loomctl endpoint: at most %d UDP ports\n", LOOM_EP_UDP_PORTS);
					return -1;
				}
				if (get_u64("--udp-ports", tok, 1, 65535, &x) < 0)
					return -1;
				c->udp_ports[n++] = (__u16)x;
			}
		} else {
			fprintf(stderr, "loomctl endpoint: unknown option '%s'\n", f);
			return -1;
		}
	}
	return 0;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC now: the receiver's offset for iperf3's timestamps. */
static __s64 realtime_minus_mono(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((__s64)r.tv_sec - m.tv_sec) * 1000000000ll + (r.tv_nsec - m.tv_nsec);
}

/* TCP hands the device GSO batches of up to 64 KB whatever the device's
 * offloads (the stack segments them after tc egress), so without this the
 * sender's program would choose one entropy per batch, not per packet.
 * One segment per skb while load balancing is on; veth's default
 * (65535) when it is off. `ip link set` with argv, no shell. */
#define EP_GSO_SEGS_DEFAULT 65535
static int set_gso_segs(const int *ifs, int n, int segs)
{
	for (int i = 0; i < n; i++) {
		char name[IF_NAMESIZE], val[16];
		int status;
		pid_t pid;

		if (!if_indextoname((unsigned)ifs[i], name))
			return -1;
		snprintf(val, sizeof(val), "%d", segs);
		pid = fork();
		if (pid == 0) {
			char *argv[] = { "ip", "link", "set", "dev", name, "gso_max_segs", val, NULL };

			execvp("ip", argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return -1;
	}
	return 0;
}

static void clear_map(int fd)
{
	struct loom_ep_flow_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		if (bpf_map_delete_elem(fd, &k) < 0)
			break;
}

/* Attach (or change, or with everything off detach) host's programs:
 * `c` with the options applied; when the programs are already attached,
 * the options (argc/argv) apply to their current configuration instead. */
static int endpoint_apply(const char *host, struct loom_ep_config *c, int argc, char **argv)
{
	struct ep_maps m;
	int ifs[EP_MAX_IFACES], n, saved, rc, found;
	char err[256], *log;
	__u32 zero = 0;

	if (ep_netns_enter(host, &saved, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomctl: %s\n", err);
		return 1;
	}
	n = ep_ifaces(ifs);
	found = n > 0 ? ep_find(ifs[0], &m, err, sizeof(err)) : 0;
	if (found < 0) {
		ep_netns_leave(saved);
		fprintf(stderr, "loomctl: host %s: %s\n", host, err);
		return 1;
	}
	if (found == 1) { /* attached: the options change the current configuration */
		__u32 old_mode;

		rc = bpf_map_lookup_elem(m.config, &zero, c);
		old_mode = c->lb_mode;
		if (rc < 0 || parse_set(argc, argv, c) < 0) {
			ep_maps_close(&m);
			ep_netns_leave(saved);
			fprintf(stderr, "loomctl: host %s: cannot read the programs' configuration\n", host);
			return 1;
		}
		/* a new mode starts every flow afresh (on its own entropy) */
		if (c->lb_mode != old_mode)
			clear_map(m.lb_flows);
		ep_maps_close(&m);
	}
	c->realtime_minus_mono_ns = realtime_minus_mono();
	if (!c->seed)
		c->seed = (__u32)c->realtime_minus_mono_ns | 1;
	log = calloc(1, 1 << 20);
	if (!log) {
		ep_netns_leave(saved);
		return 1;
	}
	if (c->lb_mode == LOOM_EP_LB_OFF && !c->measure)
		rc = ep_detach(ifs, n, err, sizeof(err));
	else
		rc = ep_attach(ifs, n, c, err, sizeof(err), log, 1 << 20);
	if (rc == 0 && set_gso_segs(ifs, n, c->lb_mode == LOOM_EP_LB_OFF ? EP_GSO_SEGS_DEFAULT : 1) < 0)
		fprintf(stderr, "loomctl: host %s: cannot set gso_max_segs; the sender's programs see GSO batches, "
				"not packets\n", host);
	ep_netns_leave(saved);
	if (rc < 0) {
		if (log[0])
			fprintf(stderr, "%s", log);
		fprintf(stderr, "loomctl: host %s: %s; the host is left as it was\n", host, err);
	}
	free(log);
	return rc < 0 ? 1 : 0;
}

static int endpoint_set(const char *host, int argc, char **argv)
{
	struct loom_ep_config c;
	int rc;

	if (host_kind(host) != 0)
		return 1;
	/* the options first, against the defaults: a bad one changes nothing */
	config_defaults(&c);
	if (parse_set(argc, argv, &c) < 0)
		return 2;
	rc = endpoint_apply(host, &c, argc, argv);
	if (rc == 0)
		printf("%s: lb %s, measure %s\n", host, lb_names_of(c.lb_mode), c.measure ? "on" : "off");
	return rc;
}

int endpoint_apply_topology(const struct topology *t, const bool *local)
{
	_Static_assert((int)TOPO_EP_LB_N == (int)LOOM_EP_LB_N && (int)TOPO_EP_LB_REPATH == (int)LOOM_EP_LB_REPATH,
		       "topology and program modes differ");
	for (int h = 0; h < t->n_hosts; h++) {
		const struct topo_endpoint *e = &t->hosts[h].endpoint;
		struct loom_ep_config c;

		if (!e->given || !host_is_namespace(t, h, local) || (e->lb == TOPO_EP_LB_OFF && !e->measure))
			continue;
		config_defaults(&c);
		c.lb_mode = (__u32)e->lb;
		c.measure = e->measure;
		if (e->flowlet_gap_ns)
			c.flowlet_gap_ns = e->flowlet_gap_ns;
		if (e->round_ns)
			c.round_ns = e->round_ns;
		if (e->rounds)
			c.repath_rounds = e->rounds;
		memcpy(c.udp_ports, e->udp_ports, sizeof(c.udp_ports));
		if (endpoint_apply(t->hosts[h].name, &c, 0, NULL) != 0)
			return -1;
	}
	return 0;
}

static json_t *u64s(const __u64 *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *key_json(const struct loom_ep_flow_key *k)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;

	inet_ntop(af, k->src, src, sizeof(src));
	inet_ntop(af, k->dst, dst, sizeof(dst));
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "src", src, "dst", dst, "proto", k->proto, "sport",
			 k->sport, "dport", k->dport, "qp", (int)k->qp);
}

static json_t *flows_json(const struct ep_maps *m, bool rx)
{
	json_t *a = json_array();
	struct loom_ep_flow_key k, next, *prev = NULL;
	int n = 0;

	while (n < EP_SHOW_FLOWS && bpf_map_get_next_key(rx ? m->rx_flows : m->lb_flows, prev, &next) == 0) {
		json_t *o = key_json(&next);

		k = next;
		prev = &k;
		if (rx) {
			struct loom_ep_rx_flow f;

			if (bpf_map_lookup_elem(m->rx_flows, &k, &f) < 0) {
				json_decref(o);
				continue;
			}
			json_object_set_new(o, "packets", json_integer((json_int_t)f.packets));
			json_object_set_new(o, "out_of_order", json_integer((json_int_t)f.out_of_order));
			json_object_set_new(o, "late_same_entropy", json_integer((json_int_t)f.late_same_entropy));
			json_object_set_new(o, "distance", u64s(f.distance, LOOM_EP_BUCKETS));
			json_object_set_new(o, "ce", json_integer((json_int_t)f.ce));
			json_object_set_new(o, "latency_n", json_integer((json_int_t)f.lat_n));
			if (f.lat_n)
				json_object_set_new(o, "latency_ns", json_pack("{s:I, s:I, s:I}", "min",
						(json_int_t)f.lat_min_ns, "mean", (json_int_t)(f.lat_sum_ns / f.lat_n),
						"max", (json_int_t)f.lat_max_ns));
		} else {
			struct loom_ep_lb_flow f;

			if (bpf_map_lookup_elem(m->lb_flows, &k, &f) < 0) {
				json_decref(o);
				continue;
			}
			json_object_set_new(o, "packets", json_integer((json_int_t)f.packets));
			json_object_set_new(o, "entropy", json_integer(f.entropy));
			json_object_set_new(o, "changes", json_integer((json_int_t)f.changes));
			json_object_set_new(o, "repaths", json_integer((json_int_t)f.repaths));
			json_object_set_new(o, "echoes", json_integer((json_int_t)f.echoes));
		}
		json_array_append_new(a, o);
		n++;
	}
	return a;
}

/* The host's figures, or an object with "attached": false. In the host's namespace. */
static json_t *show_json(bool with_flows, char *err, size_t errlen)
{
	int ifs[EP_MAX_IFACES], n = ep_ifaces(ifs), found;
	struct loom_ep_config c;
	struct loom_ep_counters t;
	struct ep_maps m;
	json_t *o, *ports;
	__u32 zero = 0;

	found = n > 0 ? ep_find(ifs[0], &m, err, errlen) : 0;
	if (found < 0)
		return NULL;
	if (found == 0)
		return json_pack("{s:b}", "attached", 0);
	if (bpf_map_lookup_elem(m.config, &zero, &c) < 0 || ep_read_counters(&m, &t) < 0) {
		snprintf(err, errlen, "cannot read the programs' maps: %s", strerror(errno));
		ep_maps_close(&m);
		return NULL;
	}
	ports = json_array();
	for (int i = 0; i < LOOM_EP_UDP_PORTS; i++)
		if (c.udp_ports[i])
			json_array_append_new(ports, json_integer(c.udp_ports[i]));
	o = json_pack("{s:b, s:s, s:b, s:I, s:I, s:i, s:o}", "attached", 1, "lb",
		      c.lb_mode < LOOM_EP_LB_N ? lb_names_of(c.lb_mode) : "?", "measure", c.measure != 0, "flowlet_gap_ns",
		      (json_int_t)c.flowlet_gap_ns, "round_ns", (json_int_t)c.round_ns, "repath_rounds",
		      (int)c.repath_rounds, "udp_ports", ports);
	json_object_set_new(o, "sender", json_pack("{s:I, s:I, s:I, s:I, s:I}", "packets", (json_int_t)t.tx_packets,
						  "rewritten", (json_int_t)t.tx_rewritten, "entropy_changes",
						  (json_int_t)t.tx_changes, "repaths", (json_int_t)t.tx_repaths,
						  "echoes", (json_int_t)t.rx_echoes));
	json_object_set_new(o, "receiver", json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "packets",
						    (json_int_t)t.rx_packets, "measured", (json_int_t)t.rx_measured,
						    "flows", (json_int_t)t.rx_flows, "out_of_order",
						    (json_int_t)t.rx_out_of_order, "late_same_entropy",
						    (json_int_t)t.rx_late_same_entropy, "distance",
						    u64s(t.rx_distance, LOOM_EP_BUCKETS), "ce", (json_int_t)t.rx_ce,
						    "latency_n", (json_int_t)t.rx_lat_n, "latency_mean_ns",
						    (json_int_t)(t.rx_lat_n ? t.rx_lat_sum_ns / t.rx_lat_n : 0)));
	if (with_flows) {
		json_object_set_new(o, "rx_flows", flows_json(&m, true));
		json_object_set_new(o, "lb_flows", flows_json(&m, false));
	}
	ep_maps_close(&m);
	return o;
}

static json_t *host_show(const char *host, bool with_flows, char *err, size_t errlen)
{
	int saved;
	json_t *o;

	if (ep_netns_enter(host, &saved, err, errlen) < 0)
		return NULL;
	o = show_json(with_flows, err, errlen);
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
	char err[256];
	json_t *o;
	bool json;

	if (argc >= 2 && strcmp(argv[0], "set") == 0)
		return endpoint_set(argv[1], argc - 2, argv + 2);
	if (!(argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0)) || strcmp(argv[0], "show") != 0) {
		fprintf(stderr, "usage: loomctl endpoint set HOST [--lb off|packet|flowlet|repath] [--measure on|off]\n"
				"         [--flowlet-gap-us N] [--round-us N] [--rounds N] [--udp-ports P,P..|none]\n"
				"       loomctl endpoint show HOST [--json]\n");
		return 2;
	}
	json = argc == 3;
	if (host_kind(argv[1]) != 0)
		return 1;
	o = host_show(argv[1], json, err, sizeof(err));
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
		o = host_show(ns + 5, false, err, sizeof(err));
		if (o && json_is_true(json_object_get(o, "attached")))
			json_object_set_new(out, ns + 5, o);
		else
			json_decref(o);
	}
	json_decref(state);
	return out;
}
