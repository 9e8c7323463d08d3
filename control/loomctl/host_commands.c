/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "loom/frame.h"
#include "compile/loomd_config.h"
#include "host_commands.h"

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
 * A host's NIC sends at its link's rate. A veth (or a virtio-net NIC) has
 * no rate of its own: a host would burst a whole TCP window at CPU speed
 * into its leaf, faster than any NIC of that link could. So the host's
 * interface gets a token bucket (tc tbf) at the link's rate / time_scale,
 * like the switch side's shaper, when that rate is one a kernel qdisc on
 * this kind of machine can hold: below HOST_SHAPE_MAX_BPS. Faster links
 * (the 10G default) are left alone: the CPU is the limit there anyway, and
 * a tbf would only add its per-packet cost. The bucket holds
 * HOST_SHAPE_WINDOW_NS at the rate (the switch shaper's window), at least
 * HOST_SHAPE_MIN_BURST (a few frames: a timer waking the qdisc late then
 * loses little credit); HOST_SHAPE_LATENCY_MS of queue in the qdisc, which
 * a local TCP or UDP sender sees as backpressure (its socket buffer fills)
 * rather than loss.
 */
#define HOST_SHAPE_MAX_BPS 10000000000ULL
#define HOST_SHAPE_WINDOW_NS 500000ULL
#define HOST_SHAPE_MIN_BURST 16384ULL
#define HOST_SHAPE_LATENCY_MS 20

struct cmd_ctx {
	struct host_cmd_sink *sink;
	int rc;
};

static void __attribute__((format(printf, 3, 4))) emit(struct cmd_ctx *c, bool quiet, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (c->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->rc = c->sink->cmd(c->sink, line, quiet);
}

unsigned host_link_mtu(const struct topology *t, const struct topo_link *l)
{
	(void)t;
	return l->mtu ? l->mtu : LOOM_MTU_DEFAULT;
}

/* The rate a host interface is shaped to, in bit/s; 0 = not shaped. */
static uint64_t host_shape_rate_bps(const struct topology *t, const struct topo_link *l)
{
	double scale = t->time_scale > 0 ? t->time_scale : 1.0;
	uint64_t bps = (uint64_t)((double)l->rate_bps / scale);

	return bps > 0 && bps < HOST_SHAPE_MAX_BPS ? bps : 0;
}

static void host_shape(struct cmd_ctx *c, const struct topology *t, int ifindex, const struct topo_link *l)
{
	uint64_t bps = host_shape_rate_bps(t, l);
	uint64_t burst = bps / 8 * HOST_SHAPE_WINDOW_NS / 1000000000ULL;

	if (!bps)
		return;
	if (burst < HOST_SHAPE_MIN_BURST)
		burst = HOST_SHAPE_MIN_BURST;
	emit(c, false, "tc qdisc replace dev eth%d root tbf rate %llubit burst %llu latency %dms", ifindex,
	     (unsigned long long)bps, (unsigned long long)burst, HOST_SHAPE_LATENCY_MS);
}

/* Routes to leaf o's subnets through `leaf`'s gateways on eth<ifindex>. */
static void subnet_routes(struct cmd_ctx *c, const struct topo_switch *leaf, const struct topo_switch *o,
			  int ifindex, int metric)
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
		emit(c, false, "ip route add %s via %s dev eth%d%s", a, g, ifindex, m);
	}
	if (o->subnet6.family == 6 && leaf->subnet6.family == 6) {
		topo_gateway(&leaf->subnet6, &gw);
		topo_format_prefix(&o->subnet6, a, sizeof(a));
		topo_format_prefix(&gw, g, sizeof(g));
		*strchr(g, '/') = '\0';
		emit(c, false, "ip route add %s via %s dev eth%d%s", a, g, ifindex, m);
	}
}

static void host_link(struct cmd_ctx *c, const struct topology *t, int h, const struct topo_link *l)
{
	const struct topo_end *he = l->a.is_host ? &l->a : &l->b;
	const struct topo_end *se = l->a.is_host ? &l->b : &l->a;
	const struct topo_switch *leaf = &t->switches[se->node];
	struct topo_prefix addr;
	char a[64];
	uint8_t mac[6];

	/* Whole frames with real checksums on the wire: loomd's ports
	 * (af_packet, vhost-user) see what the host sends, and a P4 or
	 * checksum-checking pipeline must not see partial checksums. */
	emit(c, true, "ethtool -K eth%d tx off tso off gso off gro off", he->port);
	topo_host_mac(h, he->port, mac);
	emit(c, false, "ip link set eth%d address %02x:%02x:%02x:%02x:%02x:%02x", he->port, mac[0], mac[1], mac[2],
	     mac[3], mac[4], mac[5]);
	emit(c, false, "ip link set eth%d mtu %u", he->port, host_link_mtu(t, l));

	topo_host_address(&leaf->subnet4, se->port, &addr);
	topo_format_prefix(&addr, a, sizeof(a));
	*strchr(a, '/') = '\0';
	emit(c, false, "ip addr add %s/%d dev eth%d", a, leaf->subnet4.len, he->port);
	if (leaf->subnet6.family == 6) {
		topo_host_address(&leaf->subnet6, se->port, &addr);
		topo_format_prefix(&addr, a, sizeof(a));
		*strchr(a, '/') = '\0';
		emit(c, false, "ip addr add %s/%d dev eth%d nodad", a, leaf->subnet6.len, he->port);
	}
	emit(c, false, "ip link set eth%d up", he->port);

	/* Every other leaf subnet of this plane through this leaf's gateway;
	 * with planes joined, the other planes' subnets too, as a fallback. */
	for (int s = 0; s < t->n_switches; s++) {
		const struct topo_switch *o = &t->switches[s];

		if (o == leaf || o->role != TOPO_LEAF)
			continue;
		if (o->plane == leaf->plane)
			subnet_routes(c, leaf, o, he->port, 0);
		else if (t->planes_joined)
			subnet_routes(c, leaf, o, he->port, FALLBACK_METRIC + leaf->plane);
	}
	host_shape(c, t, he->port, l);
}

int host_config_commands(const struct topology *t, int h, struct host_cmd_sink *sink)
{
	struct cmd_ctx c = {.sink = sink};

	emit(&c, false, "ip link set lo up");
	/* joined planes: a reply may come back on another interface than the
	 * request left from; strict reverse-path filtering would drop it */
	if (t->planes_joined && t->n_planes > 1)
		emit(&c, false, "sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=2");
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if ((l->a.is_host && l->a.node == h) || (l->b.is_host && l->b.node == h))
			host_link(&c, t, h, l);
	}
	return c.rc;
}
