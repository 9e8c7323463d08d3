/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host namespaces as a shell script of plain `ip` commands: what `loomctl
 * up` runs (and `loomctl up --dry-run` prints), so that a student can read
 * exactly how the hosts are wired. Each host is a network namespace
 * "loom-<host>"; each of its interfaces eth<plane> is one end of a veth
 * pair whose root-side end (lmh<host>p<plane>) loomd opens as a DPDK port.
 */
#include <string.h>

#include "loom/frame.h"
#include "compile/loomd_config.h"
#include "fabric_cmds.h"

/*
 * With planes joined (super-spines shared by the planes), every leaf subnet
 * is reachable from every leaf. A host still sends to an address of plane q
 * through its own interface in plane q (eth<q>, default metric: the path
 * stays in plane q as with independent planes); each of its other
 * interfaces eth<p> also routes plane q's subnets through its gateway, with
 * metric FALLBACK_METRIC + p, above the kernel's defaults (0 for IPv4, 1024
 * for IPv6). Those routes are used when eth<q> is down, or when a program
 * binds to eth<p> (ping -I eth0 10.1.3.2): the packet then crosses planes
 * at a super-spine.
 */
#define FALLBACK_METRIC 2048

/*
 * A host's NIC sends at its link's rate. A veth has no rate of its own: a
 * namespace host would burst a whole TCP window at CPU speed into its leaf,
 * faster than any NIC of that link could. So the host side of the veth gets
 * a token bucket (tc tbf) at the link's rate / time_scale, like the switch
 * side's shaper, when that rate is one a kernel qdisc on this kind of
 * machine can hold: below HOST_SHAPE_MAX_BPS. Faster links (the 10G
 * default) are left alone: the CPU is the limit there anyway, and a tbf
 * would only add its per-packet cost. The bucket holds HOST_SHAPE_WINDOW_NS
 * at the rate (the switch shaper's window), at least HOST_SHAPE_MIN_BURST
 * (a few frames: a timer waking the qdisc late then loses little credit);
 * HOST_SHAPE_LATENCY_MS of queue in the qdisc, which a local TCP or UDP
 * sender sees as backpressure (its socket buffer fills) rather than loss.
 */
#define HOST_SHAPE_MAX_BPS 10000000000ULL
#define HOST_SHAPE_WINDOW_NS 500000ULL
#define HOST_SHAPE_MIN_BURST 16384ULL
#define HOST_SHAPE_LATENCY_MS 20

/* The rate a host interface is shaped to, in bit/s; 0 = not shaped. */
static uint64_t host_shape_rate_bps(const struct topology *t, const struct topo_link *l)
{
	double scale = t->time_scale > 0 ? t->time_scale : 1.0;
	uint64_t bps = (uint64_t)((double)l->rate_bps / scale);

	return bps > 0 && bps < HOST_SHAPE_MAX_BPS ? bps : 0;
}

static void host_shape_script(const struct topology *t, const char *ns, int ifindex, const struct topo_link *l,
			      FILE *out)
{
	uint64_t bps = host_shape_rate_bps(t, l);
	uint64_t burst = bps / 8 * HOST_SHAPE_WINDOW_NS / 1000000000ULL;

	if (!bps)
		return;
	if (burst < HOST_SHAPE_MIN_BURST)
		burst = HOST_SHAPE_MIN_BURST;
	fprintf(out, "# the NIC's rate: link rate / time_scale\n");
	fprintf(out, "ip netns exec loom-%s tc qdisc replace dev eth%d root tbf rate %llubit burst %llu latency %dms\n",
		ns, ifindex, (unsigned long long)bps, (unsigned long long)burst, HOST_SHAPE_LATENCY_MS);
}

/* Routes to leaf o's subnets through `leaf`'s gateways on eth<ifindex>. */
static void subnet_routes(const char *ns, const struct topo_switch *leaf, const struct topo_switch *o, int ifindex,
			  int metric, FILE *out)
{
	struct topo_prefix gw;
	char a[64], g[64], m[32] = "";

	if (metric)
		snprintf(m, sizeof(m), " metric %d", metric);
	if (o->subnet4.family == 4) {
		topo_gateway(&leaf->subnet4, &gw);
		topo_format_prefix(&o->subnet4, a, sizeof(a));
		topo_format_prefix(&gw, g, sizeof(g));
		*strchr(g, '/') = '\0';
		fprintf(out, "ip -n loom-%s route add %s via %s dev eth%d%s\n", ns, a, g, ifindex, m);
	}
	if (o->subnet6.family == 6 && leaf->subnet6.family == 6) {
		topo_gateway(&leaf->subnet6, &gw);
		topo_format_prefix(&o->subnet6, a, sizeof(a));
		topo_format_prefix(&gw, g, sizeof(g));
		*strchr(g, '/') = '\0';
		fprintf(out, "ip -n loom-%s -6 route add %s via %s dev eth%d%s\n", ns, a, g, ifindex, m);
	}
}

static void host_link_script(const struct topology *t, int h, const struct topo_link *l, FILE *out)
{
	const struct topo_end *he = l->a.is_host ? &l->a : &l->b;
	const struct topo_end *se = l->a.is_host ? &l->b : &l->a;
	const struct topo_switch *leaf = &t->switches[se->node];
	const char *ns = t->hosts[h].name;
	struct topo_prefix addr;
	char veth[16], a[64];
	uint8_t mac[6];

	host_veth_name(h, he->port, veth, sizeof(veth));
	topo_host_mac(h, he->port, mac);
	fprintf(out, "ip link add %s type veth peer name eth%d netns loom-%s\n", veth, he->port, ns);
	/* both ends: the host sends up to the link's MTU, and the leaf side
	 * (loomd's af_packet port) must take it and send it back */
	if (l->mtu && l->mtu != LOOM_MTU_DEFAULT) {
		fprintf(out, "ip link set %s mtu %u\n", veth, l->mtu);
		fprintf(out, "ip -n loom-%s link set eth%d mtu %u\n", ns, he->port, l->mtu);
	}
	/* The root side carries only what the namespace sends: no IPv6 of its
	 * own (no router solicitations into the switch), no offloads (loomd's
	 * af_packet port must see whole frames with real checksums). */
	fprintf(out, "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1\n", veth);
	fprintf(out, "ethtool -K %s tx off tso off gso off gro off >/dev/null\n", veth);
	fprintf(out, "ip link set %s up\n", veth);
	fprintf(out, "ip -n loom-%s link set eth%d address %02x:%02x:%02x:%02x:%02x:%02x\n", ns, he->port, mac[0],
		mac[1], mac[2], mac[3], mac[4], mac[5]);
	fprintf(out, "ip netns exec loom-%s ethtool -K eth%d tx off tso off gso off gro off >/dev/null\n", ns,
		he->port);

	topo_host_address(&leaf->subnet4, se->port, &addr);
	topo_format_prefix(&addr, a, sizeof(a));
	*strchr(a, '/') = '\0';
	fprintf(out, "ip -n loom-%s addr add %s/%d dev eth%d\n", ns, a, leaf->subnet4.len, he->port);
	if (leaf->subnet6.family == 6) {
		topo_host_address(&leaf->subnet6, se->port, &addr);
		topo_format_prefix(&addr, a, sizeof(a));
		*strchr(a, '/') = '\0';
		fprintf(out, "ip -n loom-%s -6 addr add %s/%d dev eth%d nodad\n", ns, a, leaf->subnet6.len, he->port);
	}
	fprintf(out, "ip -n loom-%s link set eth%d up\n", ns, he->port);
	host_shape_script(t, ns, he->port, l, out);

	/* Every other leaf subnet of this plane through this leaf's gateway;
	 * with planes joined, the other planes' subnets too, as a fallback. */
	for (int s = 0; s < t->n_switches; s++) {
		const struct topo_switch *o = &t->switches[s];

		if (o == leaf || o->role != TOPO_LEAF)
			continue;
		if (o->plane == leaf->plane)
			subnet_routes(ns, leaf, o, he->port, 0, out);
		else if (t->planes_joined)
			subnet_routes(ns, leaf, o, he->port, FALLBACK_METRIC + leaf->plane, out);
	}
}

bool host_is_served(const struct topology *t, int host, const bool *local)
{
	/* generator hosts live inside loomd: no namespace */
	if (host_is_external(t, host) || t->hosts[host].port_type == TOPO_PORT_GENERATOR)
		return false;
	for (int i = 0; local && i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *he = l->a.is_host ? &l->a : l->b.is_host ? &l->b : NULL;
		const struct topo_end *se = he == &l->a ? &l->b : &l->a;

		if (he && he->node == host && !local[se->node])
			return false;
	}
	return true;
}

void hosts_script_write(const struct topology *t, const bool *local, FILE *out)
{
	fprintf(out, "#!/bin/sh\n# Host namespaces of fabric %s (generated by loomctl up)\nset -e\n", t->name);
	for (int h = 0; h < t->n_hosts; h++) {
		if (!host_is_served(t, h, local))
			continue;
		fprintf(out, "\n# host %s\n", t->hosts[h].name);
		fprintf(out, "ip netns add loom-%s\n", t->hosts[h].name);
		fprintf(out, "ip -n loom-%s link set lo up\n", t->hosts[h].name);
		/* joined planes: a reply may come back on another interface
		 * than the request left from; strict reverse-path filtering
		 * would drop it */
		if (t->planes_joined && t->n_planes > 1)
			fprintf(out, "ip netns exec loom-%s sysctl -qw net.ipv4.conf.all.rp_filter=2 "
				"net.ipv4.conf.default.rp_filter=2\n", t->hosts[h].name);
		for (int i = 0; i < t->n_links; i++) {
			const struct topo_link *l = &t->links[i];
			if ((l->a.is_host && l->a.node == h) || (l->b.is_host && l->b.node == h))
				host_link_script(t, h, l, out);
		}
	}
}
