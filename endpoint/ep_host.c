/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One host's endpoint programs from inside the host (ep_host.h): options,
 * set (attach / change / detach) and show. Every option is checked by the
 * caller against the defaults before this touches the host; ep_attach.c
 * leaves the host as it was when a load or attach fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ep_attach.h"
#include "ep_host.h"

#define EP_DEFAULT_FLOWLET_GAP_NS 50000ull /* 50 us */
#define EP_DEFAULT_ROUND_NS 200000ull      /* 200 us: about a round trip through a Loom fabric */
#define EP_DEFAULT_ROUNDS 3u
#define EP_SHOW_FLOWS 64

static const char *const lb_names[LOOM_EP_LB_N] = { "off", "packet", "flowlet", "repath" };

int ep_lb_parse(const char *name)
{
	for (int i = 0; i < LOOM_EP_LB_N; i++)
		if (strcmp(name, lb_names[i]) == 0)
			return i;
	return -1;
}

const char *ep_lb_name(unsigned int mode)
{
	return mode < LOOM_EP_LB_N ? lb_names[mode] : "?";
}

void ep_config_defaults(struct loom_ep_config *c)
{
	memset(c, 0, sizeof(*c));
	c->flowlet_gap_ns = EP_DEFAULT_FLOWLET_GAP_NS;
	c->round_ns = EP_DEFAULT_ROUND_NS;
	c->repath_rounds = EP_DEFAULT_ROUNDS;
}

static int get_u64(const char *flag, const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err,
		   size_t errlen)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		snprintf(err, errlen, "%s takes an integer %llu .. %llu, not '%s'", flag, (unsigned long long)min,
			 (unsigned long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int ep_options_apply(int argc, char **argv, struct loom_ep_config *c, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;

		if (!v) {
			snprintf(err, errlen, "%s needs a value", f);
			return -1;
		}
		i++;
		if (strcmp(f, "--lb") == 0) {
			int m = ep_lb_parse(v);

			if (m < 0) {
				snprintf(err, errlen, "unknown load-balancing mode '%s' (off, packet, flowlet, repath)", v);
				return -1;
			}
			c->lb_mode = (__u32)m;
		} else if (strcmp(f, "--measure") == 0) {
			if (strcmp(v, "on") && strcmp(v, "off")) {
				snprintf(err, errlen, "--measure takes on or off, not '%s'", v);
				return -1;
			}
			c->measure = strcmp(v, "on") == 0;
		} else if (strcmp(f, "--flowlet-gap-us") == 0 || strcmp(f, "--round-us") == 0) {
			if (get_u64(f, v, 1, 10000000, &x, err, errlen) < 0)
				return -1;
			*(f[2] == 'f' ? &c->flowlet_gap_ns : &c->round_ns) = x * 1000;
		} else if (strcmp(f, "--flowlet-gap-ns") == 0 || strcmp(f, "--round-ns") == 0) {
			/* a topology's durations (loomctl up, VM hosts) to the nanosecond */
			if (get_u64(f, v, 1000, 10000000000ull, &x, err, errlen) < 0)
				return -1;
			*(f[2] == 'f' ? &c->flowlet_gap_ns : &c->round_ns) = x;
		} else if (strcmp(f, "--rounds") == 0) {
			if (get_u64(f, v, 1, 1000, &x, err, errlen) < 0)
				return -1;
			c->repath_rounds = (__u32)x;
		} else if (strcmp(f, "--udp-ports") == 0) {
			/* a comma-separated list, "none" to clear */
			char buf[128], *save = NULL, *tok;
			int n = 0;

			memset(c->udp_ports, 0, sizeof(c->udp_ports));
			if (strcmp(v, "none") == 0)
				continue;
			if (snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf)) {
				snprintf(err, errlen, "--udp-ports: list too long");
				return -1;
			}
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (n == LOOM_EP_UDP_PORTS) {
					snprintf(err, errlen, "at most %d UDP ports", LOOM_EP_UDP_PORTS);
					return -1;
				}
				if (get_u64("--udp-ports", tok, 1, 65535, &x, err, errlen) < 0)
					return -1;
				c->udp_ports[n++] = (__u16)x;
			}
		} else {
			snprintf(err, errlen, "unknown option '%s'", f);
			return -1;
		}
	}
	return 0;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC now: the receiver's offset for iperf3's
 * timestamps (inside a guest: the guest's clocks, which its programs read). */
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
 * One segment per skb while load balancing is on; the default of veth and
 * virtio-net (65535) when it is off. `ip link set` with argv, no shell. */
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

int ep_host_set(struct loom_ep_config *c, int argc, char **argv, char *err, size_t errlen, char *log, size_t loglen,
		char *warn, size_t warnlen)
{
	struct ep_maps m;
	int ifs[EP_MAX_IFACES], n, rc, found;
	__u32 zero = 0;

	if (warnlen)
		warn[0] = '\0';
	if (loglen)
		log[0] = '\0';
	n = ep_ifaces(ifs);
	found = n > 0 ? ep_find(ifs[0], &m, err, errlen) : 0;
	if (found < 0)
		return -1;
	if (found == 1) { /* attached: the options change the current configuration */
		__u32 old_mode;

		if (bpf_map_lookup_elem(m.config, &zero, c) < 0) {
			snprintf(err, errlen, "cannot read the programs' configuration: %s", strerror(errno));
			ep_maps_close(&m);
			return -1;
		}
		old_mode = c->lb_mode;
		if (ep_options_apply(argc, argv, c, err, errlen) < 0) {
			ep_maps_close(&m);
			return -1;
		}
		/* a new mode starts every flow afresh (on its own entropy) */
		if (c->lb_mode != old_mode)
			clear_map(m.lb_flows);
		ep_maps_close(&m);
	}
	c->realtime_minus_mono_ns = realtime_minus_mono();
	if (!c->seed)
		c->seed = (__u32)c->realtime_minus_mono_ns | 1;
	if (c->lb_mode == LOOM_EP_LB_OFF && !c->measure)
		rc = ep_detach(ifs, n, err, errlen);
	else
		rc = ep_attach(ifs, n, c, err, errlen, log, loglen);
	if (rc == 0 && set_gso_segs(ifs, n, c->lb_mode == LOOM_EP_LB_OFF ? EP_GSO_SEGS_DEFAULT : 1) < 0)
		snprintf(warn, warnlen, "cannot set gso_max_segs; the sender's programs see GSO batches, not packets");
	return rc < 0 ? -1 : 0;
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

json_t *ep_host_show(bool with_flows, char *err, size_t errlen)
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
	o = json_pack("{s:b, s:s, s:b, s:I, s:I, s:i, s:o}", "attached", 1, "lb", ep_lb_name(c.lb_mode), "measure",
		      c.measure != 0, "flowlet_gap_ns", (json_int_t)c.flowlet_gap_ns, "round_ns",
		      (json_int_t)c.round_ns, "repath_rounds", (int)c.repath_rounds, "udp_ports", ports);
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
