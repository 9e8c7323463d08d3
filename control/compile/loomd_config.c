/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compile a topology into the loomd configuration (docs/LOOMD_CONFIG.md).
 * loomd never reads the topology: everything it needs, down to the MAC of
 * every next hop, is spelled out here.
 */
#include "loomd_config.h"
#include "vxlan_link.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../routes/routes.h"
#include "gen_hosts_config.h"
#include "loom/frame.h"
#include "loom/lb/lb_policy.h"
#include "vm_host.h"
#include "loomd_config_keys.h"

struct cfg_ctx {
	const struct topology *t;
	const bool *local;
	struct routes_index *ix; /* links per switch, for ports and routes */
	int *host_k; /* per link: N of the default net_af_packetN / net_af_xdpN / net_vhostN, -1 if none */
	char *err;
	size_t errlen;
};

/* One port of the switch being compiled: its link and which end is ours. */
struct port_ref {
	int port;
	int link;
	bool near_is_a;
};

static void set_err(struct cfg_ctx *c, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err || !c->errlen)
		return;
	/* Generated elements have no line of their own (line 0). */
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d: %s", c->t->file, line, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->t->file, msg);
}

void host_veth_name(int host, int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "lmh%dp%d", host, ifindex);
}

/* The switch end of a host link, or NULL when the link is not one. */
static const struct topo_end *host_link_switch_end(const struct topo_link *l, const struct topo_end **host)
{
	if (l->a.is_host == l->b.is_host)
		return NULL;
	*host = l->a.is_host ? &l->a : &l->b;
	return l->a.is_host ? &l->b : &l->a;
}

bool host_is_external(const struct topology *t, int host)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_end *h, *s = host_link_switch_end(&t->links[i], &h);

		if (s && h->node == host && s->devargs[0])
			return true;
	}
	return false;
}

static bool is_local(const struct cfg_ctx *c, int sw)
{
	return !c->local || c->local[sw];
}

/* --- default devargs of host ports ---------------------------------------- */

struct host_port {
	int host, ifindex, link;
};

static int host_port_cmp(const void *pa, const void *pb)
{
	const struct host_port *a = pa, *b = pb;

	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	return a->ifindex - b->ifindex;
}

/* Number the host ports that get default devargs, per driver, over the
 * whole fabric in (host, ifindex) order: the vdev names are then unique and
 * do not depend on which switches this loomd runs. */
static int number_default_host_ports(struct cfg_ctx *c)
{
	const struct topology *t = c->t;
	struct host_port *hp = calloc(t->n_links + 1, sizeof(*hp));
	int n = 0, k_packet = 0, k_xdp = 0, k_vhost = 0;

	c->host_k = malloc((t->n_links + 1) * sizeof(int));
	if (!hp || !c->host_k) {
		free(hp);
		return -1;
	}
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_end *h, *s = host_link_switch_end(&t->links[i], &h);

		c->host_k[i] = -1;
		if (s && !s->devargs[0] && t->hosts[h->node].port_type != TOPO_PORT_GENERATOR)
			hp[n++] = (struct host_port){ h->node, h->port, i };
	}
	qsort(hp, n, sizeof(*hp), host_port_cmp);
	for (int i = 0; i < n; i++) {
		enum topo_host_port_type pt = t->hosts[hp[i].host].port_type;

		c->host_k[hp[i].link] = pt == TOPO_PORT_AF_XDP ? k_xdp++ : pt == TOPO_PORT_VM ? k_vhost++ : k_packet++;
	}
	free(hp);
	return 0;
}

/* --- JSON pieces ----------------------------------------------------------- */

static json_t *mac_json(const uint8_t mac[6])
{
	char buf[ROUTES_MAC_STRLEN];

	routes_format_mac(mac, buf);
	return json_string(buf);
}

static json_t *prefix_json(const struct topo_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];

	topo_format_prefix(p, buf, sizeof(buf));
	return json_string(buf);
}

/* A bare address (the gateway), without the /32 or /128. */
static json_t *address_json(const struct topo_prefix *p)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *host_json(const struct topo_switch *leaf)
{
	json_t *h = json_object();
	struct topo_prefix gw;

	if (!h)
		return NULL;
	if (leaf->subnet4.family == 4) {
		topo_gateway(&leaf->subnet4, &gw);
		json_object_set_new(h, LOOMD_KEY(PORT_HOST_GW_V4), address_json(&gw));
		json_object_set_new(h, LOOMD_KEY(PORT_HOST_SUBNET_V4), prefix_json(&leaf->subnet4));
	}
	if (leaf->subnet6.family == 6) {
		topo_gateway(&leaf->subnet6, &gw);
		json_object_set_new(h, LOOMD_KEY(PORT_HOST_GW_V6), address_json(&gw));
		json_object_set_new(h, LOOMD_KEY(PORT_HOST_SUBNET_V6), prefix_json(&leaf->subnet6));
	}
	return h;
}

static json_t *ethdev_json(const char *devargs)
{
	return json_pack("{s:s, s:s}", LOOMD_KEY(LINK_KIND), "ethdev", LOOMD_KEY(LINK_DEVARGS), devargs);
}

static void format_end(const struct topology *t, const struct topo_end *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%d", e->is_host ? t->hosts[e->node].name : t->switches[e->node].name, e->port);
}

/* How a switch-switch link is attached at our end: its devargs if it has
 * some, else a ring, which needs the peer in this loomd and no devargs at
 * either end (a ring end cannot talk to an ethdev). */
static json_t *vxlan_link_json(const struct topo_link *l, int link);

static json_t *switch_link_json(struct cfg_ctx *c, const struct topo_link *l, bool near_is_a)
{
	const struct topo_end *near = near_is_a ? &l->a : &l->b;
	const struct topo_end *far = near_is_a ? &l->b : &l->a;
	char ea[TOPO_NAME_MAX + 16], eb[TOPO_NAME_MAX + 16];
	char nside = near_is_a ? 'a' : 'b', fside = near_is_a ? 'b' : 'a';

	if (near->devargs[0])
		return ethdev_json(near->devargs);
	/* in virtual time machines place MPI ranks (topo_partition.c), whose messages carry the link */
	if (c->t->clock != TOPO_CLOCK_VIRTUAL && topo_link_crosses_machines(c->t, l))
		return vxlan_link_json(l, (int)(l - c->t->links));
	format_end(c->t, &l->a, ea, sizeof(ea));
	format_end(c->t, &l->b, eb, sizeof(eb));
	if (!is_local(c, far->node)) {
		set_err(c, l->pos.line, "link %s - %s leaves this loomd but has no devargs_%c", ea, eb, nside);
		return NULL;
	}
	if (far->devargs[0]) {
		set_err(c, l->pos.line, "link %s - %s has devargs_%c but no devargs_%c", ea, eb, fside, nside);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:i}", LOOMD_KEY(LINK_KIND), "ring", LOOMD_KEY(LINK_PEER_SWITCH),
			 c->t->switches[far->node].name, LOOMD_KEY(LINK_PEER_PORT), far->port);
}

/* An af_packet port for frames above the PMD's default ring frame
 * (loom/frame.h): framesz to hold the MTU's largest frame whole; a block is
 * whole pages that the frames tile exactly (the PMD finds frame i at
 * i * framesz); about the bytes of the default ring of 2048 2 KB frames,
 * which one TCP flow needs (host_link_json), in whole blocks. */
static void af_packet_jumbo_devargs(char *buf, size_t len, const char *vdev, const char *veth, uint32_t mtu)
{
	unsigned int framesz = loom_af_packet_framesz(mtu), page = 4096, g = framesz, p = page;

	while (p) { /* gcd(framesz, page) */
		unsigned int r = g % p;

		g = p;
		p = r;
	}
	unsigned int per_block = page / g, blocksz = per_block * framesz;
	unsigned int framecnt = 2048u * LOOM_AF_PACKET_FRAME_DEFAULT / framesz;

	framecnt = (framecnt + per_block - 1) / per_block * per_block;
	snprintf(buf, len, "%s,iface=%s,framesz=%u,blocksz=%u,framecnt=%u", vdev, veth, framesz, blocksz, framecnt);
}

/* A link to a switch on another machine: an af_packet port on its VXLAN
 * interface (vxlan_link.h), with a host port's ring (host_link_json). */
static json_t *vxlan_link_json(const struct topo_link *l, int link)
{
	char ifname[TOPO_IFNAME_MAX], vdev[32], devargs[192];

	vxlan_link_ifname(link, ifname, sizeof(ifname));
	snprintf(vdev, sizeof(vdev), "net_af_packet_x%d", link);
	if (loom_af_packet_framesz(l->mtu) == LOOM_AF_PACKET_FRAME_DEFAULT)
		snprintf(devargs, sizeof(devargs), "%s,iface=%s,framecnt=2048", vdev, ifname);
	else
		af_packet_jumbo_devargs(devargs, sizeof(devargs), vdev, ifname, l->mtu);
	return ethdev_json(devargs);
}

static json_t *host_link_json(struct cfg_ctx *c, const struct topo_link *l, int link, bool near_is_a)
{
	const struct topo_end *near = near_is_a ? &l->a : &l->b;
	const struct topo_end *host = near_is_a ? &l->b : &l->a;
	char veth[16], devargs[192];
	bool xdp = c->t->hosts[host->node].port_type == TOPO_PORT_AF_XDP;

	if (c->t->hosts[host->node].port_type == TOPO_PORT_GENERATOR)
		return gen_host_link_json(c->t, host->node);
	if (near->devargs[0])
		return ethdev_json(near->devargs);
	if (c->t->hosts[host->node].port_type == TOPO_PORT_VM) {
		/*
		 * A VM host's NIC: DPDK's vhost-user port on the socket of
		 * QEMU's virtio-net device. QEMU is the socket's server and
		 * loomd the client (client=1): the guest and its socket outlive
		 * loomd, and a loomd that restarts connects again (the PMD
		 * retries every second) and the guest's link comes back. With
		 * loomd as the server, its socket would go away with it and
		 * every QEMU would have to be the one reconnecting. One queue
		 * pair: the guest has one vCPU.
		 */
		char sock[128];

		vm_host_nic_socket(c->t, host->node, host->port, sock, sizeof(sock));
		snprintf(devargs, sizeof(devargs), "net_vhost%d,iface=%s,client=1,queues=1", c->host_k[link], sock);
		return ethdev_json(devargs);
	}
	host_veth_name(host->node, host->port, veth, sizeof(veth));
	/* af_packet's default socket ring (512 frames) overflows under one TCP
	 * flow at a few Gb/s and the kernel drops silently (measured: ~23 000
	 * retransmits in 3 s with 512, ~90 with 2048, on the default fabric). */
	if (xdp)
		snprintf(devargs, sizeof(devargs), "net_af_xdp%d,iface=%s", c->host_k[link], veth);
	else if (loom_af_packet_framesz(l->mtu) == LOOM_AF_PACKET_FRAME_DEFAULT)
		snprintf(devargs, sizeof(devargs), "net_af_packet%d,iface=%s,framecnt=2048", c->host_k[link], veth);
	else {
		char vdev[32];

		snprintf(vdev, sizeof(vdev), "net_af_packet%d", c->host_k[link]);
		af_packet_jumbo_devargs(devargs, sizeof(devargs), vdev, veth, l->mtu);
	}
	return ethdev_json(devargs);
}

static json_t *tm_json(const struct topology *t, int sw, int port);

static json_t *port_json(struct cfg_ctx *c, int sw, const struct port_ref *pr)
{
	const struct topology *t = c->t;
	const struct topo_link *l = &t->links[pr->link];
	const struct topo_end *far = pr->near_is_a ? &l->b : &l->a;
	char name[TOPO_NAME_MAX + 16];
	uint8_t mac[6];
	json_t *p, *link;

	link = far->is_host ? host_link_json(c, l, pr->link, pr->near_is_a) : switch_link_json(c, l, pr->near_is_a);
	if (!link)
		return NULL;
	if (far->is_host)
		snprintf(name, sizeof(name), "%s", t->hosts[far->node].name);
	else
		format_end(t, far, name, sizeof(name));
	topo_switch_port_mac(sw, pr->port, mac);
	p = json_pack("{s:i, s:s, s:o, s:I, s:I, s:i, s:o}", LOOMD_KEY(PORT_INDEX), pr->port, LOOMD_KEY(PORT_NAME),
		      name, LOOMD_KEY(PORT_MAC), mac_json(mac), LOOMD_KEY(PORT_RATE_BPS),
		      (json_int_t)topo_cell_link_rate(t, l, l->rate_bps ? l->rate_bps : t->default_rate_bps),
		      LOOMD_KEY(PORT_DELAY_NS),
		      (json_int_t)l->delay_ns, LOOMD_KEY(PORT_MTU), (int)(l->mtu ? l->mtu : LOOM_MTU_DEFAULT),
		      LOOMD_KEY(PORT_LINK), link);
	if (p && far->is_host && t->switches[sw].role == TOPO_LEAF)
		json_object_set_new(p, LOOMD_KEY(PORT_HOST), host_json(&t->switches[sw]));
	json_t *tm = p ? tm_json(t, sw, pr->port) : NULL; /* the switch's tm: ports: */
	if (tm)
		json_object_set_new(p, LOOMD_KEY(PORT_TM), tm);
	return p;
}

static int port_ref_cmp(const void *pa, const void *pb)
{
	const struct port_ref *a = pa, *b = pb;

	return a->port - b->port;
}

/* The ports of switch `sw` (those used by a link), by port number. */
static int collect_ports(struct cfg_ctx *c, int sw, struct port_ref *refs)
{
	const struct topology *t = c->t;
	int n = 0, n_lk;
	const int *lk = routes_index_links(c->ix, sw, &n_lk);

	for (int k = 0; k < n_lk; k++) {
		int i = lk[k];
		const struct topo_link *l = &t->links[i];

		if (!l->a.is_host && l->a.node == sw)
			refs[n++] = (struct port_ref){ l->a.port, i, true };
		else if (!l->b.is_host && l->b.node == sw)
			refs[n++] = (struct port_ref){ l->b.port, i, false };
	}
	qsort(refs, n, sizeof(*refs), port_ref_cmp);
	for (int i = 1; i < n; i++) {
		if (refs[i].port == refs[i - 1].port) {
			set_err(c, t->links[refs[i].link].pos.line, "port %d of %s is used by two links", refs[i].port,
				t->switches[sw].name);
			return -1;
		}
	}
	return n;
}

static json_t *ports_json(struct cfg_ctx *c, int sw)
{
	struct port_ref *refs;
	json_t *arr = json_array();
	int n;

	routes_index_links(c->ix, sw, &n);
	refs = calloc(n + 1, sizeof(*refs));
	n = refs && arr ? collect_ports(c, sw, refs) : -1;

	for (int i = 0; i < n; i++) {
		json_t *p = port_json(c, sw, &refs[i]);

		if (!p || json_array_append_new(arr, p) < 0) {
			n = -1;
			break;
		}
	}
	free(refs);
	if (n < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* nexthops, groups and routes of the switch, added to `s`. */
static int set_routes_json(const struct switch_routes *r, json_t *s)
{
	json_t *nhs = json_array(), *groups = json_array(), *routes = json_array();

	json_object_set_new(s, LOOMD_KEY(SWITCH_NEXTHOPS), nhs);
	json_object_set_new(s, LOOMD_KEY(SWITCH_GROUPS), groups);
	json_object_set_new(s, LOOMD_KEY(SWITCH_ROUTES), routes);
	if (!nhs || !groups || !routes)
		return -1;
	for (int i = 0; i < r->n_nexthops; i++)
		json_array_append_new(nhs, json_pack("{s:i, s:o, s:s}", LOOMD_KEY(NEXTHOP_PORT), r->nexthops[i].port,
						     LOOMD_KEY(NEXTHOP_MAC), mac_json(r->nexthops[i].mac),
						     LOOMD_KEY(NEXTHOP_PEER), r->nexthops[i].peer));
	for (int g = 0; g < r->n_groups; g++) {
		json_t *m = json_array();

		for (int i = 0; i < r->groups[g].n_members; i++)
			json_array_append_new(m, json_integer(r->groups[g].members[i]));
		json_array_append_new(groups, m);
	}
	for (int i = 0; i < r->n_routes; i++)
		json_array_append_new(routes, json_pack("{s:o, s:i}", LOOMD_KEY(ROUTE_PREFIX),
							prefix_json(&r->routes[i].prefix), LOOMD_KEY(ROUTE_GROUP),
							r->routes[i].group));
	return 0;
}

/* The traffic manager settings of switch `sw` (-1: top-level) and `port`
 * (-1: the switch's own) as loomd reads them: {"key": "value"}; NULL when
 * there are none. */
static json_t *tm_json(const struct topology *t, int sw, int port)
{
	json_t *o = NULL;

	for (int i = 0; i < t->n_tm; i++) {
		if (t->tm[i].sw != sw || t->tm[i].port != port)
			continue;
		if (!o)
			o = json_object();
		json_object_set_new(o, t->tm[i].key, json_string(t->tm[i].value));
	}
	return o;
}

/* The switch's "load_balancing" (docs/LOOMD_CONFIG.md): only what the
 * topology gave; loomd has the defaults. NULL when nothing was given. */
static json_t *load_balancing_json(struct cfg_ctx *c, const struct topo_switch *s, const struct switch_routes *r,
				   bool *failed)
{
	struct topo_lb lb;
	json_t *o, *groups;

	*failed = false;
	topo_lb_effective(c->t, s, &lb);
	if (!topo_lb_given(&lb))
		return NULL;
	o = json_object();
	groups = json_array();
	/* group modes name a route's prefix: the group is that route's */
	for (int i = 0; i < lb.n_groups; i++) {
		int g = -1;
		char buf[64];

		for (int k = 0; k < r->n_routes && g < 0; k++)
			if (memcmp(&r->routes[k].prefix, &lb.groups[i].prefix, sizeof(lb.groups[i].prefix)) == 0)
				g = r->routes[k].group;
		if (g < 0) {
			topo_format_prefix(&lb.groups[i].prefix, buf, sizeof(buf));
			set_err(c, lb.groups[i].line, "%s has no route %s (load_balancing.groups: a prefix from `loomctl routes %s --topo FILE`)",
				s->name, buf, s->name);
			json_decref(o);
			json_decref(groups);
			*failed = true;
			return NULL;
		}
		json_array_append_new(groups, json_pack("{s:i, s:s}", LOOMD_KEY(LB_GROUP_GROUP), g,
							LOOMD_KEY(LB_GROUP_MODE), lb.groups[i].mode));
	}
	if (lb.n_groups)
		json_object_set_new(o, LOOMD_KEY(LB_GROUPS), groups);
	else
		json_decref(groups);
	if (lb.mode[0])
		json_object_set_new(o, LOOMD_KEY(LB_MODE), json_string(lb.mode));
	if (lb.flowlet_table)
		json_object_set_new(o, LOOMD_KEY(LB_FLOWLET_TABLE), json_integer(lb.flowlet_table));
	if (lb.idle_time_ns || lb.idle_rtt_div)
		json_object_set_new(o, LOOMD_KEY(LB_IDLE_TIME_NS),
				    json_integer((json_int_t)topo_lb_idle_time_ns(c->t, &lb)));
	if (lb.placement)
		json_object_set_new(o, LOOMD_KEY(LB_PLACEMENT), json_string(lb_flowlet_placement_name(lb.placement - 1u)));
	if (lb.sample_interval_ns)
		json_object_set_new(o, LOOMD_KEY(LB_SAMPLE_INTERVAL_NS), json_integer((json_int_t)lb.sample_interval_ns));
	if (lb.window_ns)
		json_object_set_new(o, LOOMD_KEY(LB_WINDOW_NS), json_integer((json_int_t)lb.window_ns));
	if (lb.dre_period_ns)
		json_object_set_new(o, LOOMD_KEY(LB_DRE_PERIOD_NS), json_integer((json_int_t)lb.dre_period_ns));
	if (lb.conga_slack)
		json_object_set_new(o, LOOMD_KEY(LB_CONGA_SLACK), json_integer((json_int_t)lb.conga_slack - 1));
	if (lb.hash_flow_label == TOPO_FLOW_LABEL_ON)
		json_object_set_new(o, LOOMD_KEY(LB_HASH_FLOW_LABEL), json_true());
	return o;
}

static json_t *switch_json(struct cfg_ctx *c, int sw)
{
	const struct topo_switch *s = &c->t->switches[sw];
	struct switch_routes r;
	json_t *ports, *obj;

	ports = ports_json(c, sw);
	if (!ports) {
		if (c->err && c->errlen && !c->err[0]) /* no message: an allocation failed */
			set_err(c, s->pos.line, "out of memory");
		return NULL;
	}
	if (routes_compute_indexed(c->ix, sw, &r) < 0) {
		set_err(c, s->pos.line, "cannot compute the routes of %s", s->name);
		json_decref(ports);
		return NULL;
	}
	obj = json_pack("{s:s, s:i, s:s, s:i, s:I, s:o}", LOOMD_KEY(SWITCH_NAME), s->name, LOOMD_KEY(SWITCH_ID), sw,
			LOOMD_KEY(SWITCH_ROLE), topo_role_name(s->role), LOOMD_KEY(SWITCH_PLANE), s->plane,
			LOOMD_KEY(SWITCH_HASH_SEED), (json_int_t)s->hash_seed, LOOMD_KEY(SWITCH_PORTS), ports);
	/* only P4 switches say so: native is loomd's default */
	if (obj && s->pipeline == TOPO_PIPELINE_P4 &&
	    json_object_set_new(obj, LOOMD_KEY(SWITCH_PIPELINE), json_string("p4")) < 0) {
		json_decref(obj);
		obj = NULL;
	}
	json_t *tm = obj ? tm_json(c->t, sw, -1) : NULL;
	if (tm)
		json_object_set_new(obj, LOOMD_KEY(SWITCH_TM), tm);
	if (obj && set_routes_json(&r, obj) < 0) {
		json_decref(obj);
		obj = NULL;
	}
	if (obj) {
		bool failed;
		json_t *lb = load_balancing_json(c, s, &r, &failed);

		if (lb)
			json_object_set_new(obj, LOOMD_KEY(SWITCH_LOAD_BALANCING), lb);
		if (failed) {
			json_decref(obj);
			routes_free(&r);
			return NULL;
		}
	}
	routes_free(&r);
	if (!obj)
		set_err(c, s->pos.line, "out of memory");
	return obj;
}

int loomd_config_build(const struct topology *t, const bool *local, json_t **out, char *err, size_t errlen)
{
	struct cfg_ctx c = { .t = t, .local = local, .err = err, .errlen = errlen };
	json_t *root = NULL, *switches = json_array();

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	c.ix = routes_index_new(t);
	if (!switches || !c.ix || number_default_host_ports(&c) < 0) {
		set_err(&c, 0, "out of memory");
		goto fail;
	}
	root = json_pack("{s:s, s:O}", LOOMD_KEY(ROOT_FABRIC), t->name, LOOMD_KEY(ROOT_SWITCHES), switches);
	if (!root) {
		set_err(&c, 0, "out of memory");
		goto fail;
	}
	if (t->time_scale > 0)
		json_object_set_new(root, LOOMD_KEY(ROOT_TIME_SCALE), json_real(t->time_scale));
	if (t->n_tm) {
		json_t *tm = tm_json(t, -1, -1);
		if (tm)
			json_object_set_new(root, LOOMD_KEY(ROOT_TM), tm);
	}
	if (t->cell.on)
		json_object_set_new(root, LOOMD_KEY(ROOT_CELL), loomd_cell_json(t));
	if (t->observe.trace)
		json_object_set_new(root, LOOMD_KEY(ROOT_TRACE),
				    json_pack("{s:s, s:i, s:i, s:s}", LOOMD_KEY(TRACE_SWITCH),
					      t->switches[t->observe.trace_sw].name, LOOMD_KEY(TRACE_PORT),
					      t->observe.trace_port, LOOMD_KEY(TRACE_COUNT), (int)t->observe.trace_count,
					      LOOMD_KEY(TRACE_MATCH), t->observe.trace_match));
	if (t->observe.n_captures) {
		json_t *caps = json_array();

		for (int i = 0; i < t->observe.n_captures; i++) {
			const struct topo_capture *cp = &t->observe.cap[i];

			json_array_append_new(caps, json_pack("{s:s, s:i, s:s, s:I, s:s, s:s}", LOOMD_KEY(CAPTURE_SWITCH),
							      t->switches[cp->sw].name, LOOMD_KEY(CAPTURE_PORT), cp->port,
							      LOOMD_KEY(CAPTURE_DIR), cp->dir, LOOMD_KEY(CAPTURE_COUNT),
							      (json_int_t)cp->count, LOOMD_KEY(CAPTURE_FILTER), cp->filter,
							      LOOMD_KEY(CAPTURE_FILE), cp->file));
		}
		json_object_set_new(root, LOOMD_KEY(ROOT_CAPTURES), caps);
	}
	for (int sw = 0; sw < t->n_switches; sw++) {
		json_t *s;

		if (!is_local(&c, sw))
			continue;
		s = switch_json(&c, sw);
		if (!s)
			goto fail;
		json_array_append_new(switches, s);
	}
	if (gen_hosts_config_add(t, local, root, err, errlen) < 0)
		goto fail;
	if (loomd_faults_add(t, local, root) < 0) {
		set_err(&c, 0, "out of memory");
		goto fail;
	}
	json_decref(switches);
	routes_index_free(c.ix);
	free(c.host_k);
	*out = root;
	return 0;
fail:
	json_decref(switches);
	json_decref(root);
	routes_index_free(c.ix);
	free(c.host_k);
	return -1;
}

int loomd_config_write(const struct topology *t, const bool *local, FILE *out, char *err, size_t errlen)
{
	json_t *root;
	int rc;

	if (loomd_config_build(t, local, &root, err, errlen) < 0)
		return -1;
	rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc == 0)
		rc = fputc('\n', out) == EOF ? -1 : 0;
	if (rc < 0 && err && errlen)
		snprintf(err, errlen, "%s: cannot write the loomd configuration", t->file);
	return rc < 0 ? -1 : 0;
}
