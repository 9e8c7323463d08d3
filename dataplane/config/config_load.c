/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builds the switches from loomd's JSON configuration (jansson). Every
 * problem names the switch and the field. On error the fabric may be half
 * built: loom_fabric_free() releases whatever was made.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "cell_fabric.h"
#include "config.h"
#include "fault.h"
#include "conga_switch.h"
#include "p4_switch.h"
#include "page_arena.h"
#include "route_table.h"
#include "stages.h"
#include "gen_config.h"
#include "gen_host.h"
#include "gen_plane_config.h"
#include "lb_config.h"
#include "loomd_config_read.h"

struct load_ctx {
	char *err;
	size_t errlen;
	const char *sw; /* switch being loaded, for messages */
};

static int fail(struct load_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->sw)
		n = snprintf(c->err, c->errlen, "switch %s: ", c->sw);
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_mac(const char *s, struct rte_ether_addr *mac)
{
	return rte_ether_unformat_addr(s, mac);
}

/* "10.0.0.0/24" or "fd00::/64" -> family, address (network order), length. */
static int parse_prefix(const char *s, int *family, uint8_t addr[16], uint8_t *len)
{
	char buf[64];
	char *slash;
	long l;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	l = strtol(slash + 1, NULL, 10);
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = 4;
		if (l < 0 || l > 32)
			return -1;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = 6;
		if (l < 0 || l > 128)
			return -1;
	} else {
		return -1;
	}
	*len = (uint8_t)l;
	return 0;
}

static int parse_addr(const char *s, int want_family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	return inet_pton(want_family == 4 ? AF_INET : AF_INET6, s, addr) == 1 ? 0 : -1;
}

static int load_host_addresses(struct load_ctx *c, struct loom_port *p, json_t *host)
{
	const char *gw4, *sn4, *gw6, *sn6;
	uint8_t addr[16];
	int family;
	char msg[160];

	if (loomd_cfg_string(host, LOOMD_PORT_HOST_GW_V4, &gw4, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(host, LOOMD_PORT_HOST_SUBNET_V4, &sn4, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(host, LOOMD_PORT_HOST_GW_V6, &gw6, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(host, LOOMD_PORT_HOST_SUBNET_V6, &sn6, msg, sizeof(msg)) < 0)
		return fail(c, "port %u: host: %s", p->index, msg);
	p->host_facing = true;
	if (!gw4 || !sn4 || parse_addr(gw4, 4, addr) < 0)
		return fail(c, "port %u: host needs gw_v4 and subnet_v4", p->index);
	memcpy(&p->gw_v4, addr, 4);
	if (parse_prefix(sn4, &family, addr, &p->subnet_v4_len) < 0 || family != 4)
		return fail(c, "port %u: bad subnet_v4 '%s'", p->index, sn4);
	memcpy(&p->subnet_v4, addr, 4);
	if (gw6 && sn6) {
		if (parse_addr(gw6, 6, p->gw_v6) < 0 || parse_prefix(sn6, &family, p->subnet_v6, &p->subnet_v6_len) < 0 ||
		    family != 6)
			return fail(c, "port %u: bad gw_v6/subnet_v6", p->index);
	}
	return 0;
}

/* A generator host of this loomd (hosts/gen_host.h) on the other end: the
 * host learns where it is attached and its link's rate and delay. */
static int load_generator_link(struct load_ctx *c, const struct loom_fabric *f, struct loom_port *p, json_t *link,
			       struct loom_link_spec *spec)
{
	const char *host;
	int h;
	struct loom_gen_host *gh;
	char msg[160];

	if (loomd_cfg_string(link, LOOMD_LINK_HOST, &host, msg, sizeof(msg)) < 0)
		return fail(c, "port %u: link: %s", p->index, msg);
	h = host ? loom_gen_host_find(f, host) : -1;
	if (h < 0)
		return fail(c, "port %u: generator link to '%s', which is not in generator_hosts", p->index,
			    host ? host : "");
	gh = &f->gen_hosts[h];
	if (gh->sw != UINT16_MAX && !gh->nic) /* a multi-plane NIC: one link per plane (gen_plane_config.c) */
		return fail(c, "port %u: generator host %s is already linked to %s port %u", p->index, host,
			    f->switches[gh->sw].name, gh->port);
	spec->kind = LOOM_LINK_GENERATOR;
	spec->gen_host = (uint32_t)h;
	return 0;
}

/* An output FIFO (egress/port_fifo.h), resident only once used (a port
 * with a traffic manager never uses it): core/page_arena.h. Freed with
 * the arena, with the fabric. */
static struct port_fifo *outq_create(void)
{
	return loom_page_arena_alloc(&loom_queue_arena, sizeof(struct port_fifo));
}

static int attach_generator(struct load_ctx *c, struct loom_fabric *f, uint16_t si, const struct loom_port *p)
{
	struct loom_gen_host *gh = &f->gen_hosts[f->links[si][p->index].gen_host];

	if (gh->nic)
		return loom_gen_plane_attach(f, gh, si, p, c->err, c->errlen);
	gh->sw = si;
	gh->port = p->index;
	gh->link_rate_bps = p->rate_bps;
	gh->link_delay_ns = p->delay_ns;
	return 0;
}

static int load_link(struct load_ctx *c, const struct loom_fabric *f, json_t *cfg_switches, struct loom_port *p,
		     json_t *link, struct loom_link_spec *spec)
{
	const char *kind, *devargs, *peer;
	json_int_t pp;
	char msg[160];

	if (loomd_cfg_string(link, LOOMD_LINK_KIND, &kind, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(link, LOOMD_LINK_DEVARGS, &devargs, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(link, LOOMD_LINK_PEER_SWITCH, &peer, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(link, LOOMD_LINK_PEER_PORT, -1, &pp, msg, sizeof(msg)) < 0)
		return fail(c, "port %u: link: %s", p->index, msg);
	if (!kind)
		return fail(c, "port %u: link.kind missing", p->index);
	if (strcmp(kind, "ethdev") == 0) {
		if (!devargs || !*devargs || strlen(devargs) >= sizeof(spec->devargs))
			return fail(c, "port %u: ethdev link needs devargs", p->index);
		spec->kind = LOOM_LINK_ETHDEV;
		strcpy(spec->devargs, devargs);
		return 0;
	}
	if (strcmp(kind, "ring") == 0) {
		size_t i;
		json_t *s;

		if (!peer || pp < 0)
			return fail(c, "port %u: ring link needs peer_switch and peer_port", p->index);
		json_array_foreach(cfg_switches, i, s) {
			const char *name;

			if (loomd_cfg_string(s, LOOMD_SWITCH_NAME, &name, msg, sizeof(msg)) < 0)
				return fail(c, "switch %zu: %s", i, msg);
			if (name && strcmp(name, peer) == 0) {
				spec->kind = LOOM_LINK_RING;
				spec->peer_switch = (uint16_t)i;
				spec->peer_port = (uint16_t)pp;
				return 0;
			}
		}
		return fail(c, "port %u: ring peer '%s' is not hosted by this loomd", p->index, peer);
	}
	if (strcmp(kind, "generator") == 0)
		return load_generator_link(c, f, p, link, spec);
	return fail(c, "port %u: unknown link kind '%s'", p->index, kind);
}

static int load_ports(struct load_ctx *c, struct loom_fabric *f, uint16_t si, json_t *js, json_t *cfg_switches)
{
	struct loom_switch *sw = &f->switches[si];
	json_t *ports, *jp;
	size_t i;
	int max = -1;
	char msg[160];

	if (loomd_cfg_get(js, LOOMD_SWITCH_PORTS, &ports, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	if (!ports || json_array_size(ports) == 0)
		return fail(c, "no ports");
	json_array_foreach(ports, i, jp) {
		json_int_t idx;

		if (loomd_cfg_int(jp, LOOMD_PORT_INDEX, 0, &idx, msg, sizeof(msg)) < 0)
			return fail(c, "port %zu: %s", i, msg);
		if (idx < 0 || idx >= 256)
			return fail(c, "port index %lld out of range", (long long)idx);
		if (idx > max)
			max = (int)idx;
	}
	sw->n_ports = (uint16_t)(max + 1);
	sw->ports = rte_zmalloc("loom_ports", sizeof(*sw->ports) * sw->n_ports, RTE_CACHE_LINE_SIZE);
	f->links[si] = calloc(sw->n_ports, sizeof(**f->links));
	if (!sw->ports || !f->links[si])
		return fail(c, "out of memory");

	json_array_foreach(ports, i, jp) {
		/* its type and range were checked by the loop above */
		uint16_t idx = (uint16_t)json_integer_value(json_object_get(jp, LOOMD_KEY(PORT_INDEX)));
		struct loom_port *p = &sw->ports[idx];
		const char *name, *mac;
		json_t *host, *link;
		json_int_t mtu;

		if (loomd_cfg_string(jp, LOOMD_PORT_NAME, &name, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jp, LOOMD_PORT_MAC, &mac, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_u64(jp, LOOMD_PORT_RATE_BPS, 0, &p->rate_bps, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_u64(jp, LOOMD_PORT_DELAY_NS, 0, &p->delay_ns, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(jp, LOOMD_PORT_MTU, LOOM_MTU_DEFAULT, &mtu, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_get(jp, LOOMD_PORT_HOST, &host, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_get(jp, LOOMD_PORT_LINK, &link, msg, sizeof(msg)) < 0)
			return fail(c, "port %u: %s", idx, msg);
		if (f->links[si][idx].kind != LOOM_LINK_NONE || p->outq)
			return fail(c, "port %u listed twice", idx);
		if (mtu < LOOM_MTU_MIN || mtu > LOOM_MTU_MAX)
			return fail(c, "port %u: mtu %lld out of range %u..%u", idx, (long long)mtu, LOOM_MTU_MIN,
				    LOOM_MTU_MAX);
		p->mtu = (uint16_t)mtu;
		p->max_plain_frame = (uint16_t)(mtu + RTE_ETHER_HDR_LEN);
		if (p->mtu > f->max_mtu)
			f->max_mtu = p->mtu;
		p->index = idx;
		snprintf(p->name, sizeof(p->name), "%s", name ? name : "?");
		if (!mac || parse_mac(mac, &p->mac) < 0)
			return fail(c, "port %u: bad mac", idx);
		if (host && load_host_addresses(c, p, host) < 0)
			return -1;
		if (load_link(c, f, cfg_switches, p, link, &f->links[si][idx]) < 0)
			return -1;
		if (f->links[si][idx].kind == LOOM_LINK_GENERATOR && attach_generator(c, f, si, p) < 0)
			return -1;
		p->outq = outq_create();
		if (!p->outq)
			return fail(c, "port %u: cannot create output queue: out of memory", idx);
	}
	return 0;
}

static int load_nexthops(struct load_ctx *c, struct loom_switch *sw, json_t *js)
{
	json_t *nhs, *jn;
	size_t i;
	char msg[160];

	if (loomd_cfg_get(js, LOOMD_SWITCH_NEXTHOPS, &nhs, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	sw->n_nexthops = (uint32_t)json_array_size(nhs);
	sw->nexthops = rte_zmalloc("loom_nh", sizeof(*sw->nexthops) * (sw->n_nexthops + 1), 0);
	if (!sw->nexthops)
		return fail(c, "out of memory");
	json_array_foreach(nhs, i, jn) {
		struct loom_nexthop *nh = &sw->nexthops[i];
		json_int_t port;
		const char *mac;

		if (loomd_cfg_int(jn, LOOMD_NEXTHOP_PORT, 0, &port, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jn, LOOMD_NEXTHOP_MAC, &mac, msg, sizeof(msg)) < 0)
			return fail(c, "nexthop %zu: %s", i, msg);
		if (port < 0 || port >= sw->n_ports || sw->ports[port].outq == NULL)
			return fail(c, "nexthop %zu: port %lld does not exist", i, (long long)port);
		if (!mac || parse_mac(mac, &nh->dst_mac) < 0)
			return fail(c, "nexthop %zu: bad mac", i);
		nh->port = (uint16_t)port;
		nh->src_mac = sw->ports[port].mac;
	}
	return 0;
}

static int load_groups(struct load_ctx *c, struct loom_switch *sw, json_t *js)
{
	json_t *groups, *jg, *jm;
	size_t i, j;
	uint32_t total = 0;
	char msg[160];

	if (loomd_cfg_get(js, LOOMD_SWITCH_GROUPS, &groups, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	size_t widest = 0;

	json_array_foreach(groups, i, jg) {
		total += (uint32_t)json_array_size(jg);
		if (json_array_size(jg) > widest)
			widest = json_array_size(jg);
	}
	/* Spares for the control plane's repair after a fault (fault_repair.c):
	 * a route whose group keeps only some members gets one, with room for
	 * the widest group. A switch without a group of two has none to thin. */
	uint32_t spares = widest >= 2 && widest <= UINT16_MAX ? LOOM_REPAIR_SPARE_GROUPS : 0;

	sw->spare_groups_first = (uint32_t)json_array_size(groups);
	sw->n_groups = sw->spare_groups_first + spares;
	sw->groups = rte_zmalloc("loom_groups", sizeof(*sw->groups) * (sw->n_groups + 1), 0);
	sw->members = rte_zmalloc("loom_members", sizeof(*sw->members) * (total + spares * widest + 1), 0);
	if (!sw->groups || !sw->members)
		return fail(c, "out of memory");
	json_array_foreach(groups, i, jg) {
		struct loom_group *g = &sw->groups[i];

		if (!json_is_array(jg) || json_array_size(jg) == 0 || json_array_size(jg) > UINT16_MAX)
			return fail(c, "group %zu must list 1..65535 next hops", i);
		g->first = sw->n_members;
		g->n_members = (uint16_t)json_array_size(jg);
		json_array_foreach(jg, j, jm) {
			json_int_t nh = json_integer_value(jm);
			if (!json_is_integer(jm) || nh < 0 || nh >= sw->n_nexthops)
				return fail(c, "group %zu: next hop %lld does not exist", i, (long long)nh);
			sw->members[sw->n_members++] = (uint32_t)nh;
		}
	}
	for (uint32_t k = 0; k < spares; k++) { /* empty; their slots point at next hop 0 */
		sw->groups[sw->spare_groups_first + k].first = sw->n_members;
		sw->n_members += (uint32_t)widest;
	}
	return 0;
}

/* Switches with the same routes and group count share one table
 * (core/route_table.h): found by the routes' JSON text's hash, then
 * compared whole. */
struct route_set {
	uint64_t hash;
	json_t *routes;
	uint32_t n_groups;
	bool p4;
	struct loom_route_table *table;
};

struct route_sets {
	struct route_set *v;
	size_t n, cap;
};

static uint64_t routes_hash(json_t *routes)
{
	char *text = json_dumps(routes, JSON_COMPACT | JSON_PRESERVE_ORDER);
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	if (!text)
		return 0;
	for (const char *c = text; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	free(text);
	return h;
}

/* Fast tables (DIR-24-8, trie) while a real-time fabric is small (a
 * virtual-time run weighs memory over speed: 48 MB a table, most of a
 * small run's memory); RIB-only for a P4 switch beyond that (its P4
 * tables are filled by walking the RIB); else the plain-memory LPM. */
static enum loom_rt_kind route_kind(const struct loom_fabric *f, uint16_t max_fast, bool p4)
{
	if (f->n_switches <= max_fast && (f->clock_mode == LOOM_CLOCK_REALTIME || p4))
		return LOOM_RT_FAST;
	return p4 ? LOOM_RT_RIB : LOOM_RT_LPM;
}

static bool switch_is_p4(json_t *js)
{
	const char *pipeline = json_string_value(json_object_get(js, LOOMD_KEY(SWITCH_PIPELINE)));

	return pipeline && strcmp(pipeline, "p4") == 0;
}

static int load_routes(struct load_ctx *c, const struct loom_fabric *f, struct loom_switch *sw, json_t *js,
		       struct route_sets *sets)
{
	json_t *routes, *jr;
	size_t i;
	char msg[160];
	bool p4 = switch_is_p4(js);
	uint64_t h;

	if (loomd_cfg_get(js, LOOMD_SWITCH_ROUTES, &routes, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	h = routes_hash(routes);
	struct loom_route_table_cfg cfg = {
		.kind4 = route_kind(f, LOOM_FAST_FIB4_MAX_SWITCHES, p4),
		.kind6 = route_kind(f, LOOM_FAST_FIB6_MAX_SWITCHES, p4),
		.n_routes = (uint32_t)json_array_size(routes),
		.n_groups = sw->n_groups,
	};
	/* Not DPDK's fast tables in real time: a switch whose routes change
	 * while it forwards (a link fault's repair) would copy a shared one
	 * on the worker, 16-32 MB of tables (a 30-37 ms stall measured). */
	bool share = f->clock_mode == LOOM_CLOCK_VIRTUAL || (cfg.kind4 != LOOM_RT_FAST && cfg.kind6 != LOOM_RT_FAST);

	for (i = 0; share && i < sets->n; i++) {
		struct route_set *rs = &sets->v[i];

		if (rs->hash == h && rs->n_groups == sw->n_groups && rs->p4 == p4 && json_equal(rs->routes, routes)) {
			/* the same routes were checked and loaded for an earlier switch;
			 * read them again so that --check-config records them here too */
			size_t j;

			json_array_foreach(routes, j, jr) {
				const char *prefix;
				json_int_t g;

				(void)loomd_cfg_string(jr, LOOMD_ROUTE_PREFIX, &prefix, msg, sizeof(msg));
				(void)loomd_cfg_int(jr, LOOMD_ROUTE_GROUP, 0, &g, msg, sizeof(msg));
			}
			loom_switch_route_table_attach(sw, rs->table);
			return 0;
		}
	}

	struct loom_route_table *t = loom_route_table_create(&cfg, msg, sizeof(msg));

	if (!t)
		return fail(c, "%s", msg);
	loom_switch_route_table_attach(sw, t);
	json_array_foreach(routes, i, jr) {
		const char *prefix;
		json_int_t g;
		uint8_t addr[16], len;
		int family;

		if (loomd_cfg_string(jr, LOOMD_ROUTE_PREFIX, &prefix, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(jr, LOOMD_ROUTE_GROUP, 0, &g, msg, sizeof(msg)) < 0)
			return fail(c, "route %zu: %s", i, msg);
		if (!prefix || parse_prefix(prefix, &family, addr, &len) < 0)
			return fail(c, "route %zu: bad prefix", i);
		if (g < 0 || g >= sw->spare_groups_first)
			return fail(c, "route %s: group %lld does not exist", prefix, (long long)g);
		if (loom_switch_route_set(sw, family, addr, len, (uint32_t)g, msg, sizeof(msg)) < 0)
			return fail(c, "route %s: %s", prefix, msg);
	}
	if (!share)
		return 0;
	if (sets->n == sets->cap) {
		size_t cap = sets->cap ? 2 * sets->cap : 64;
		struct route_set *v = realloc(sets->v, cap * sizeof(*v));

		if (!v)
			return fail(c, "out of memory");
		sets->v = v;
		sets->cap = cap;
	}
	sets->v[sets->n++] = (struct route_set){
		.hash = h, .routes = routes, .n_groups = sw->n_groups, .p4 = p4, .table = t};
	return 0;
}

/* "p4_registers": {"NAME": value, ...}: element 0 of the program's
 * register arrays, set once the tables are filled (spray_mode: 1 turns on
 * per-packet spraying in loom.spec). */
static int load_p4_registers(struct load_ctx *c, struct loom_switch *sw, json_t *regs)
{
	const char *name;
	json_t *v;
	char perr[256];

	json_object_foreach(regs, name, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return fail(c, "p4_registers: %s must be a non-negative integer", name);
		if (loom_p4_register_write(sw, name, 0, (uint64_t)json_integer_value(v), perr, sizeof(perr)) < 0)
			return fail(c, "p4_registers: %s", perr);
	}
	return 0;
}

/* "pipeline": "native" (default) or "p4" (with "p4_spec": the spec to
 * run, LOOM_P4_SPEC_DEFAULT when absent). The switch's tables are loaded
 * by then: the P4 pipeline is filled from them. */
static int load_pipeline(struct load_ctx *c, struct loom_switch *sw, json_t *js)
{
	const char *pipeline, *spec;
	json_t *regs;
	char perr[512];

	if (loomd_cfg_string(js, LOOMD_SWITCH_PIPELINE, &pipeline, perr, sizeof(perr)) < 0 ||
	    loomd_cfg_string(js, LOOMD_SWITCH_P4_SPEC, &spec, perr, sizeof(perr)) < 0 ||
	    loomd_cfg_get(js, LOOMD_SWITCH_P4_REGISTERS, &regs, perr, sizeof(perr)) < 0)
		return fail(c, "%s", perr);
	sw->mode = &loom_native_mode;
	if (!pipeline || strcmp(pipeline, "native") == 0) {
		if (spec || regs)
			return fail(c, "p4_spec or p4_registers given but the pipeline is native");
		return 0;
	}
	if (strcmp(pipeline, "p4") != 0)
		return fail(c, "pipeline must be native or p4, not '%s'", pipeline);
	if (loom_p4_attach(sw, spec ? spec : LOOM_P4_SPEC_DEFAULT, perr, sizeof(perr)) < 0)
		return fail(c, "P4 pipeline: %s", perr);
	return regs ? load_p4_registers(c, sw, regs) : 0;
}

static int load_load_balancing(struct load_ctx *c, struct loom_switch *sw, json_t *js)
{
	char msg[320];
	json_t *lb;

	if (loomd_cfg_get(js, LOOMD_SWITCH_LOAD_BALANCING, &lb, msg, sizeof(msg)) < 0 ||
	    loom_lb_load(sw, lb, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	return 0;
}

/* Ports whose MTU is below another port's of the switch: only there can a
 * packet that came in whole be too long to go out (egress/port_output.c). */
static void mark_egress_mtu_checks(struct loom_switch *sw)
{
	uint16_t max = 0;

	for (uint16_t p = 0; p < sw->n_ports; p++)
		if (sw->ports[p].mtu > max)
			max = sw->ports[p].mtu;
	for (uint16_t p = 0; p < sw->n_ports; p++)
		sw->ports[p].mtu_below_switch = sw->ports[p].mtu > 0 && sw->ports[p].mtu < max;
}

static int load_switch(struct load_ctx *c, struct loom_fabric *f, uint16_t si, json_t *js, json_t *all,
		       struct route_sets *sets)
{
	struct loom_switch *sw = &f->switches[si];
	const char *name, *role;
	json_int_t id, plane, seed;
	char msg[160];

	if (loomd_cfg_string(js, LOOMD_SWITCH_NAME, &name, msg, sizeof(msg)) < 0)
		return fail(c, "switch %u: %s", si, msg);
	if (!name || strlen(name) >= sizeof(sw->name))
		return fail(c, "switch %u: bad or missing name", si);
	c->sw = name;
	strcpy(sw->name, name);
	if (loomd_cfg_string(js, LOOMD_SWITCH_ROLE, &role, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(js, LOOMD_SWITCH_ID, 0, &id, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(js, LOOMD_SWITCH_PLANE, 0, &plane, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(js, LOOMD_SWITCH_HASH_SEED, 0, &seed, msg, sizeof(msg)) < 0)
		return fail(c, "%s", msg);
	sw->id = (uint16_t)id;
	sw->plane = (uint8_t)plane;
	sw->hash_seed = (uint32_t)seed;
	if (role && strcmp(role, "leaf") == 0)
		sw->role = LOOM_ROLE_LEAF;
	else if (role && strcmp(role, "spine") == 0)
		sw->role = LOOM_ROLE_SPINE;
	else if (role && strcmp(role, "superspine") == 0)
		sw->role = LOOM_ROLE_SUPERSPINE;
	else
		return fail(c, "role must be leaf, spine or superspine");

	if (load_ports(c, f, si, js, all) < 0 || load_nexthops(c, sw, js) < 0 || load_groups(c, sw, js) < 0 ||
	    load_routes(c, f, sw, js, sets) < 0 || load_pipeline(c, sw, js) < 0)
		return -1;
	mark_egress_mtu_checks(sw);
	if (load_load_balancing(c, sw, js) < 0)
		return -1;
	c->sw = NULL;
	return 0;
}

/* Ring links must be symmetric: a's port names b's port and back. */
static int check_ring_peers(struct load_ctx *c, const struct loom_fabric *f)
{
	for (uint16_t s = 0; s < f->n_switches; s++) {
		for (uint16_t p = 0; p < f->switches[s].n_ports; p++) {
			const struct loom_link_spec *l = &f->links[s][p];
			const struct loom_link_spec *back;

			if (l->kind != LOOM_LINK_RING)
				continue;
			if (l->peer_port >= f->switches[l->peer_switch].n_ports)
				return fail(c, "%s port %u: peer port %u does not exist", f->switches[s].name, p,
					    l->peer_port);
			back = &f->links[l->peer_switch][l->peer_port];
			if (back->kind != LOOM_LINK_RING || back->peer_switch != s || back->peer_port != p)
				return fail(c, "%s port %u: peer %s port %u does not link back", f->switches[s].name, p,
					    f->switches[l->peer_switch].name, l->peer_port);
		}
	}
	return 0;
}

int loom_fabric_load(const char *path, struct loom_fabric *f, bool record_reads, char *err, size_t errlen)
{
	struct load_ctx c = {.err = err, .errlen = errlen};
	json_error_t jerr;
	json_t *root, *switches, *js;
	const char *fname;
	size_t i;
	char msg[160];

	memset(f, 0, sizeof(*f));
	root = json_load_file(path, 0, &jerr);
	if (!root)
		return fail(&c, "%s:%d: %s", path, jerr.line, jerr.text);
	f->config = root;
	if (record_reads && loomd_cfg_record_start(root) < 0)
		return fail(&c, "out of memory");
	if (loomd_cfg_string(root, LOOMD_ROOT_FABRIC, &fname, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_get(root, LOOMD_ROOT_SWITCHES, &switches, msg, sizeof(msg)) < 0)
		return fail(&c, "%s: %s", path, msg);
	snprintf(f->name, sizeof(f->name), "%s", fname ? fname : "fabric");
	if (json_array_size(switches) == 0 || json_array_size(switches) > UINT16_MAX)
		return fail(&c, "%s: 'switches' must be a non-empty list", path);
	f->n_switches = (uint16_t)json_array_size(switches);
	f->switches = rte_zmalloc("loom_switches", sizeof(*f->switches) * f->n_switches, RTE_CACHE_LINE_SIZE);
	f->links = calloc(f->n_switches, sizeof(*f->links));
	if (!f->switches || !f->links)
		return fail(&c, "out of memory");
	if (loom_gen_config_load(root, f, err, errlen) < 0)
		return -1;
	struct route_sets sets = {0};

	json_array_foreach(switches, i, js) {
		if (load_switch(&c, f, (uint16_t)i, js, switches, &sets) < 0) {
			free(sets.v);
			return -1;
		}
	}
	free(sets.v);
	if (check_ring_peers(&c, f) < 0)
		return -1;
	if (loom_fabric_load_tm(f, root, err, errlen) < 0)
		return -1;
	if (loom_cell_load(f, root, err, errlen) < 0) /* after the switches and their forwarding */
		return -1;
	if (loom_conga_load(f, err, errlen) < 0) /* after the load balancing and the cell fabric */
		return -1;
	if (loom_faults_load(f, err, errlen) < 0) /* after the groups and their load balancing */
		return -1;
	if (loom_gen_config_finish(f, err, errlen) < 0)
		return -1;
	return loom_observe_load(f, root, record_reads, err, errlen);
}

void loom_fabric_free(struct loom_fabric *f)
{
	loom_observe_unload(f);
	loom_faults_free(f);
	loom_cell_free(f);
	loom_conga_free(f);
	loom_fabric_free_tm(f);
	for (uint16_t s = 0; f->switches && s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];

		loom_p4_detach(sw);
		for (uint16_t p = 0; sw->ports && p < sw->n_ports; p++) {
			struct rte_mbuf *m;
			uint64_t bytes;

			if (!sw->ports[p].outq)
				continue;
			while (port_fifo_dequeue(sw->ports[p].outq, &m, 1, &bytes) == 1)
				rte_pktmbuf_free(m);
		}
		loom_lb_free(sw);
		loom_route_table_put(sw->routes);
		sw->routes = NULL;
		rte_free(sw->ports);
		rte_free(sw->nexthops);
		rte_free(sw->groups);
		rte_free(sw->members);
		if (f->links)
			free(f->links[s]);
	}
	rte_free(f->switches);
	free(f->links);
	loom_page_arena_release(&loom_queue_arena); /* the FIFOs and TM class queues */
	loom_page_arena_release(&loom_flow_table_arena); /* reorder measurement */
	loom_gen_config_free(f);
	json_decref(f->config);
	memset(f, 0, sizeof(*f));
}
