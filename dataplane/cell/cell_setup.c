/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cell fabric's configuration (docs/LOOMD_CONFIG.md, `cell`): numbers
 * the leaves, finds from the links every leaf's spine uplinks, every
 * spine's super-spine uplinks, and every spine's and super-spine's ports
 * down toward each leaf (reachability from them: cell_reach.c), builds the directory (host address ->
 * leaf, port, next hop) from the leaves' host routes, gives each leaf host
 * port a credit scheduler at its (scaled) rate, and switches the leaves'
 * forwarding to cell_leaf_forward; and releases it all.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "cell_fabric.h"
#include "ctrl_queue.h"
#include "fabric.h"
#include "loomd_config_read.h"
#include "stages.h"

/* EAL object names must be unique in the process (a fabric may be loaded again). */
static unsigned int cell_names;

static int fail(char *err, size_t errlen, const char *msg, const char *what)
{
	snprintf(err, errlen, "cell: %s%s%s", msg, what ? ": " : "", what ? what : "");
	return -1;
}

/* The integer `key` of `cell`, if given: min .. max. */
static int get_uint(json_t *o, enum loomd_key key, uint64_t min, uint64_t max, uint64_t *out, char *err,
		    size_t errlen)
{
	uint64_t v;
	char msg[160];

	if (loomd_cfg_u64(o, key, *out, &v, msg, sizeof(msg)) < 0 || v < min || v > max) {
		snprintf(err, errlen, "cell: %s must be an integer in %llu..%llu", loomd_config_keys[key].name,
			 (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int switch_by_name(const struct loom_fabric *f, const char *name)
{
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, name) == 0)
			return s;
	return -1;
}

static int parse_cfg(const struct loom_fabric *f, json_t *o, struct cell_cfg *c, char *err, size_t errlen)
{
	const char *unknown = loomd_cfg_unknown_key(o, LOOMD_OBJ_CELL);
	char msg[160];
	json_t *v;
	uint64_t x;

	if (unknown)
		return fail(err, errlen, "unknown key", unknown);
	*c = (struct cell_cfg){.payload = LOOM_CELL_PAYLOAD_DEFAULT, .credit_bytes = 4096,
			       .spray = LOOM_SPRAY_ROUND_ROBIN, .voq_limit = 256 * 1024, .voq_pkts = 1024,
			       .n_classes = 1, .reasm_timeout_ns = 100 * LOOM_NS_PER_US, .reasm_window = 1024,
			       .request_refresh_ns = 500 * LOOM_NS_PER_US, .pool_cells = 65535,
			       .egress_limit = 8 * 4096};
	for (int i = 0; i < CELL_MAX_CLASSES; i++)
		c->weight[i] = 1;
	if (f->clock_mode == LOOM_CLOCK_REALTIME) {
		/* A real-time loop on a shared machine moves the two spines'
		 * cells with gaps of milliseconds when it is descheduled: a
		 * gap of reordering must not be taken for a lost cell, nor a
		 * slow credit for a lost request. */
		c->reasm_timeout_ns = 10 * LOOM_NS_PER_MS;
		c->request_refresh_ns = 20 * LOOM_NS_PER_MS;
	}
	x = c->payload;
	if (get_uint(o, LOOMD_CELL_PAYLOAD, LOOM_CELL_PAYLOAD_MIN, LOOM_CELL_PAYLOAD_MAX, &x, err, errlen) < 0)
		return -1;
	c->payload = (uint16_t)x;
	x = c->credit_bytes;
	if (get_uint(o, LOOMD_CELL_CREDIT_BYTES, 256, 1 << 20, &x, err, errlen) < 0)
		return -1;
	c->credit_bytes = (uint32_t)x;
	if (get_uint(o, LOOMD_CELL_VOQ_BYTES, 2048, 1ull << 32, &c->voq_limit, err, errlen) < 0)
		return -1;
	c->egress_limit = 0; /* not given: per port, egress_limit_default() */
	if (get_uint(o, LOOMD_CELL_EGRESS_LIMIT, 0, 1ull << 32, &c->egress_limit, err, errlen) < 0)
		return -1;
	c->egress_limit_set = c->egress_limit != 0 || json_object_get(o, LOOMD_KEY(CELL_EGRESS_LIMIT)) != NULL;
	x = 0; /* standing credit: none unless given (docs/CELLS.md) */
	if (get_uint(o, LOOMD_CELL_STANDING_CREDIT, 0, 1ull << 24, &x, err, errlen) < 0)
		return -1;
	c->standing_credit = (uint32_t)x;
	c->uplink_limit = 32 * 1024;
	if (get_uint(o, LOOMD_CELL_UPLINK_LIMIT, 0, 1ull << 32, &c->uplink_limit, err, errlen) < 0)
		return -1;
	/* VOQ ECN thresholds (cell_voq_cc.c): both or none; kmin alone is a step */
	if (get_uint(o, LOOMD_CELL_ECN_KMIN, 0, UINT32_MAX, &c->ecn_kmin, err, errlen) < 0 ||
	    get_uint(o, LOOMD_CELL_ECN_KMAX, 0, UINT32_MAX, &c->ecn_kmax, err, errlen) < 0)
		return -1;
	if (c->ecn_kmin && !c->ecn_kmax)
		c->ecn_kmax = c->ecn_kmin;
	if (c->ecn_kmax && (!c->ecn_kmin || c->ecn_kmin > c->ecn_kmax))
		return fail(err, errlen, "ecn_kmin must be given and at most ecn_kmax", NULL);
	x = c->voq_pkts;
	if (get_uint(o, LOOMD_CELL_VOQ_PACKETS, 1, 1 << 16, &x, err, errlen) < 0)
		return -1;
	c->voq_pkts = (uint32_t)x;
	x = c->n_classes;
	if (get_uint(o, LOOMD_CELL_CLASSES, 1, CELL_MAX_CLASSES, &x, err, errlen) < 0)
		return -1;
	c->n_classes = (uint8_t)x;
	if (get_uint(o, LOOMD_CELL_REASSEMBLY_TIMEOUT_NS, 1000, 1000000000ull, &c->reasm_timeout_ns, err, errlen) < 0 ||
	    get_uint(o, LOOMD_CELL_REQUEST_REFRESH_NS, 1000, 1000000000ull, &c->request_refresh_ns, err, errlen) < 0)
		return -1;
	x = c->reasm_window;
	if (get_uint(o, LOOMD_CELL_REASSEMBLY_WINDOW, LOOM_REASM_MAX_CELLS, 1 << 16, &x, err, errlen) < 0)
		return -1;
	if ((x & (x - 1)) != 0)
		return fail(err, errlen, "reassembly_window must be a power of two", NULL);
	c->reasm_window = (uint32_t)x;
	x = c->pool_cells;
	if (get_uint(o, LOOMD_CELL_POOL_CELLS, 1024, 1 << 22, &x, err, errlen) < 0)
		return -1;
	c->pool_cells = (uint32_t)x;
	if (loomd_cfg_get(o, LOOMD_CELL_SPRAY, &v, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "spray must be round_robin or least_loaded", NULL);
	if (v) {
		int m = loom_spray_mode_parse(json_string_value(v));
		if (m < 0)
			return fail(err, errlen, "spray must be round_robin or least_loaded", NULL);
		c->spray = (uint8_t)m;
	}
	if (loomd_cfg_get(o, LOOMD_CELL_WEIGHTS, &v, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "weights must list one weight per class", NULL);
	if (v) {
		size_t i;
		json_t *w;

		if (json_array_size(v) != c->n_classes)
			return fail(err, errlen, "weights must list one weight per class", NULL);
		json_array_foreach(v, i, w) {
			if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 1000)
				return fail(err, errlen, "weights must be integers in 1..1000", NULL);
			c->weight[i] = (uint16_t)json_integer_value(w);
		}
	}
	if (loomd_cfg_get(o, LOOMD_CELL_CAPTURE, &v, msg, sizeof(msg)) < 0)
		return fail(err, errlen, msg, NULL);
	if (v) {
		const char *sw = NULL, *file = NULL;
		json_int_t port = -1;
		int si;

		json_int_t max_bytes = (json_int_t)LOOM_OUTPUT_DEFAULT_MAX_BYTES;

		if (loomd_cfg_string(v, LOOMD_CELL_CAPTURE_SWITCH, &sw, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(v, LOOMD_CELL_CAPTURE_FILE, &file, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(v, LOOMD_CELL_CAPTURE_PORT, -1, &port, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_int(v, LOOMD_CELL_CAPTURE_MAX_BYTES, max_bytes, &max_bytes, msg, sizeof(msg)) < 0 ||
		    max_bytes < 24)
			sw = NULL; /* reported below, with the form capture takes */
		si = sw ? switch_by_name(f, sw) : -1;
		if (si < 0 || !file || strlen(file) >= sizeof(c->capture_file) || port < 0 ||
		    port >= f->switches[si].n_ports)
			return fail(err, errlen,
				    "capture is {\"switch\": NAME, \"port\": P, \"file\": PATH[, \"max_bytes\": N >= 24]}",
				    sw);
		c->capture = true;
		c->capture_max_bytes = (uint64_t)max_bytes;
		c->capture_sw = (uint16_t)si;
		c->capture_port = (uint16_t)port;
		snprintf(c->capture_file, sizeof(c->capture_file), "%s", file);
	}
	return 0;
}

/* A host route "A/32" or "A/128": its address (network order) and family. */
static int host_route(const char *pfx, uint8_t addr[16], int *family)
{
	const char *slash = pfx ? strchr(pfx, '/') : NULL;
	char a[64];

	if (!slash || (size_t)(slash - pfx) >= sizeof(a))
		return -1;
	memcpy(a, pfx, (size_t)(slash - pfx));
	a[slash - pfx] = '\0';
	if (strcmp(slash, "/32") == 0 && inet_pton(AF_INET, a, addr) == 1)
		*family = 4;
	else if (strcmp(slash, "/128") == 0 && inet_pton(AF_INET6, a, addr) == 1)
		*family = 6;
	else
		return -1;
	return 0;
}

static struct rte_hash *dir_create(uint32_t entries, uint32_t key_len)
{
	char name[64];

	snprintf(name, sizeof(name), "cell_dir%u_%u", key_len, cell_names++);
	struct rte_hash_parameters hp = {.name = name, .entries = entries < 8 ? 8 : entries, .key_len = key_len,
					 .socket_id = (int)rte_socket_id()};
	return rte_hash_create(&hp);
}

/* Host routes of every leaf: /32 and /128 routes whose single next hop is
 * on a host-facing port. */
static int build_directory(struct cell_fabric *cf, const struct loom_fabric *f, json_t *root, char *err,
			   size_t errlen)
{
	json_t *switches = json_object_get(root, LOOMD_KEY(ROOT_SWITCHES));
	uint32_t cap = 0;

	/* the switches' keys were checked when they were loaded */
	for (uint16_t l = 0; l < cf->n_leaves; l++)
		cap += (uint32_t)json_array_size(
			json_object_get(json_array_get(switches, cf->leaf_switch[l]), LOOMD_KEY(SWITCH_ROUTES)));
	cf->dir4 = dir_create(cap, 4);
	cf->dir6 = dir_create(cap, 16);
	cf->dests = rte_zmalloc("cell_dests", sizeof(*cf->dests) * (cap ? cap : 1), 0);
	if (cf->dir4 == NULL || cf->dir6 == NULL || cf->dests == NULL)
		return fail(err, errlen, "cannot make the directory", rte_strerror(rte_errno));
	for (uint16_t l = 0; l < cf->n_leaves; l++) {
		const struct loom_switch *sw = &f->switches[cf->leaf_switch[l]];
		json_t *r;
		size_t i;

		json_array_foreach(json_object_get(json_array_get(switches, cf->leaf_switch[l]), LOOMD_KEY(SWITCH_ROUTES)),
				   i, r) {
			const char *pfx = json_string_value(json_object_get(r, LOOMD_KEY(ROUTE_PREFIX)));
			json_int_t g = json_integer_value(json_object_get(r, LOOMD_KEY(ROUTE_GROUP)));
			uint8_t addr[16];
			int family;

			if (host_route(pfx, addr, &family) < 0 || g < 0 || g >= sw->n_groups ||
			    sw->groups[g].n_members != 1)
				continue;
			const struct loom_nexthop *nh = &sw->nexthops[sw->members[sw->groups[g].first]];
			if (!sw->ports[nh->port].host_facing)
				continue;
			struct cell_dest *d = &cf->dests[cf->n_dests];
			d->leaf = l;
			d->port = nh->port;
			d->nh = *nh;
			if (rte_hash_add_key_data(family == 4 ? cf->dir4 : cf->dir6, addr,
						  (void *)(uintptr_t)cf->n_dests) < 0)
				return fail(err, errlen, "cannot add to the directory", pfx);
			cf->n_dests++;
		}
	}
	return 0;
}

/* Port p of a spine or super-spine leads down toward `leaf`. */
static int add_down_port(struct loom_cell_switch *cs, uint16_t leaf, uint16_t p, const char *name, char *err,
			 size_t errlen)
{
	uint8_t n = cs->n_leaf_ports[leaf];

	if (n > 0 && cs->leaf_ports[leaf][n - 1] == p)
		return 0; /* a spine with several links to one leaf: the super-spine's port once */
	if (n == CELL_MAX_DOWN_PORTS)
		return fail(err, errlen, "more than 32 ports of one switch toward one leaf", name);
	cs->leaf_ports[leaf][cs->n_leaf_ports[leaf]++] = p;
	return 0;
}

static int add_uplink(struct loom_cell_switch *cs, struct cell_port *cp, uint16_t p, const char *name, char *err,
		      size_t errlen)
{
	if (cs->n_uplinks == LOOM_SPRAY_MAX_UPLINKS)
		return fail(err, errlen, "more than 64 uplinks", name);
	cp->uplink = cs->n_uplinks;
	cs->uplink_port[cs->n_uplinks++] = p;
	return 0;
}

/* Port p of switch s, a link to another switch: a leaf's or a spine's
 * uplink, or a spine's or super-spine's way down toward leaves. */
static int fabric_port(struct cell_fabric *cf, const struct loom_fabric *f, uint16_t s, uint16_t p, const int *leaf_of,
		       char *err, size_t errlen)
{
	const struct loom_switch *sw = &f->switches[s];
	struct loom_cell_switch *cs = sw->cell;
	struct cell_port *cp = &cs->ports[p];
	uint16_t ps = f->links[s][p].peer_switch;
	enum loom_role peer = f->switches[ps].role;

	cp->is_fabric_link = true;
	if ((sw->role == LOOM_ROLE_LEAF && peer == LOOM_ROLE_SPINE) ||
	    (sw->role == LOOM_ROLE_SPINE && peer == LOOM_ROLE_SUPERSPINE))
		return add_uplink(cs, cp, p, sw->name, err, errlen);
	if (sw->role == LOOM_ROLE_SPINE && peer == LOOM_ROLE_LEAF)
		return add_down_port(cs, (uint16_t)leaf_of[ps], p, sw->name, err, errlen);
	if (sw->role == LOOM_ROLE_SUPERSPINE && peer == LOOM_ROLE_SPINE) {
		/* below the port: every leaf that spine links to */
		for (uint16_t q = 0; q < f->switches[ps].n_ports; q++) {
			const struct loom_link_spec *ql = &f->links[ps][q];

			if (ql->kind == LOOM_LINK_RING && leaf_of[ql->peer_switch] >= 0 &&
			    add_down_port(cs, (uint16_t)leaf_of[ql->peer_switch], p, sw->name, err, errlen) < 0)
				return -1;
		}
		return 0;
	}
	cp->is_fabric_link = false; /* leaf-leaf, spine-spine ...: not a path of cells */
	return 0;
}

/* Each host port's egress_limit when `cell:` gives none: the bytes the port
 * sends in one fabric round trip (2 x the longest leaf-to-leaf path's
 * link delays: 2 hops, 4 with super-spines), at least 8 credits. The
 * data of credits given in turn to VOQs of near and far leaves (or of
 * this leaf) comes back that far apart and arrives together: a limit
 * below it skips credits on a port that is only momentarily behind
 * (issue 23's 32:1 incast on a k=8 fat tree: 865 skipped, 1.076 x ideal;
 * 0 skipped, 1.025 x, with the queue at most 115 KB). */
static void egress_limits(struct cell_fabric *cf, const struct loom_fabric *f)
{
	loom_time_ns delay = 0;
	unsigned int hops = 2;

	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		if (sw->role == LOOM_ROLE_SUPERSPINE)
			hops = 4;
		for (uint16_t p = 0; sw->cell && p < sw->n_ports; p++)
			if (sw->cell->ports[p].is_fabric_link && sw->ports[p].delay_ns > delay)
				delay = sw->ports[p].delay_ns;
	}
	cf->rtt_ns = 2 * hops * delay;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		for (uint16_t p = 0; sw->cell && p < sw->n_ports; p++) {
			struct cell_port *cp = &sw->cell->ports[p];

			if (cp->credit == NULL)
				continue;
			uint64_t rtt_bytes = cp->credit->rate_bps / 8 * (2 * hops * delay) / LOOM_NS_PER_S;

			cp->rtt_bytes = rtt_bytes;
			cp->egress_limit = cf->cfg.egress_limit;
			if (!cf->cfg.egress_limit_set) {
				cp->egress_limit = RTE_MAX(8ull * cf->cfg.credit_bytes, rtt_bytes);
			}
		}
	}
}

static int setup_switch(struct cell_fabric *cf, struct loom_fabric *f, uint16_t s, const int *leaf_of, char *err,
			size_t errlen)
{
	struct loom_switch *sw = &f->switches[s];
	struct loom_cell_switch *cs;

	/* Modes are exclusive (core/switch_mode.h): a cell fabric's switches
	 * forward what is not cells with the native stages. */
	if (sw->mode != &loom_native_mode)
		return fail(err, errlen, "a switch of a cell fabric runs the native stages, not a P4 program",
			    sw->name);
	cs = rte_zmalloc("cell_switch", sizeof(*cs), 0);
	if (cs == NULL)
		return fail(err, errlen, "out of memory", sw->name);
	sw->cell = cs;
	cs->fab = cf;
	cs->leaf = leaf_of[s] >= 0 ? (uint16_t)leaf_of[s] : CELL_NO_LEAF;
	cs->ports = rte_zmalloc("cell_ports", sizeof(*cs->ports) * sw->n_ports, 0);
	if (cs->ports == NULL)
		return fail(err, errlen, "out of memory", sw->name);
	if (cs->leaf == CELL_NO_LEAF) {
		cs->leaf_ports = rte_zmalloc("cell_lp", sizeof(*cs->leaf_ports) * cf->n_leaves, 0);
		cs->n_leaf_ports = rte_zmalloc("cell_nlp", cf->n_leaves, 0);
		cs->leaf_rr = rte_zmalloc("cell_rr", cf->n_leaves, 0);
		cs->down_live = rte_zmalloc("cell_dl", sizeof(*cs->down_live) * cf->n_leaves, 0);
		if (!cs->leaf_ports || !cs->n_leaf_ports || !cs->leaf_rr || !cs->down_live)
			return fail(err, errlen, "out of memory", sw->name);
		for (uint16_t l = 0; l < cf->n_leaves; l++)
			if ((cs->leaf_ports[l] = rte_zmalloc("cell_lp", sizeof(uint16_t) * CELL_MAX_DOWN_PORTS, 0)) == NULL)
				return fail(err, errlen, "out of memory", sw->name);
	}
	for (uint16_t p = 0; p < sw->n_ports; p++) {
		const struct loom_link_spec *l = &f->links[s][p];
		struct cell_port *cp = &cs->ports[p];

		cp->peer_leaf = -1;
		cp->uplink = -1;
		if (l->kind == LOOM_LINK_RING) {
			const struct loom_switch *peer = &f->switches[l->peer_switch];

			cp->peer_mac = peer->ports[l->peer_port].mac;
			cp->peer_leaf = (int16_t)leaf_of[l->peer_switch];
			if (fabric_port(cf, f, s, p, leaf_of, err, errlen) < 0)
				return -1;
		} else if (cs->leaf != CELL_NO_LEAF && sw->ports[p].host_facing && l->kind != LOOM_LINK_NONE) {
			uint64_t rate = (uint64_t)((double)sw->ports[p].rate_bps / f->time_scale);

			cp->credit = rte_zmalloc("cell_credit", sizeof(*cp->credit), 0);
			if (cp->credit == NULL || rate == 0 ||
			    loom_credit_init(cp->credit, rate, cf->cfg.credit_bytes,
					     (uint32_t)cf->n_leaves * cf->cfg.n_classes, 0) < 0)
				return fail(err, errlen, "cannot make a port's credit scheduler (rate 0?)", sw->name);
		}
		if (cp->is_fabric_link && egress_ctrlq_create(&sw->ports[p], CELL_CTRLQ_SIZE) < 0)
			return fail(err, errlen, "cannot make a control queue", "out of memory");
	}
	if (cs->n_uplinks > 0) {
		loom_spray_init(&cs->spray, (enum loom_spray_mode)cf->cfg.spray, cs->n_uplinks);
		cs->reach = rte_zmalloc("cell_reach", sizeof(*cs->reach) * cf->n_leaves, 0);
		if (cs->reach == NULL)
			return fail(err, errlen, "out of memory", sw->name);
	}
	if (cs->leaf == CELL_NO_LEAF) {
		sw->mode = &cell_spine_mode;
		return 0;
	}
	if (cs->n_uplinks == 0)
		return fail(err, errlen, "a leaf without spine uplinks", sw->name);
	/* held-back VOQs look again after one full cell on the slowest uplink */
	cs->retry_ns = 1;
	for (uint8_t i = 0; i < cs->n_uplinks; i++) {
		double rate = (double)sw->ports[cs->uplink_port[i]].rate_bps / f->time_scale;
		loom_time_ns t = rate > 0 ? (loom_time_ns)((RTE_ETHER_HDR_LEN + LOOM_CELL_HDR_LEN + cf->cfg.payload) * 8e9 / rate) : 1000;

		if (t > cs->retry_ns)
			cs->retry_ns = t;
	}
	cs->n_voq_slots = (uint32_t)cf->n_leaves * cf->max_ports * cf->cfg.n_classes;
	cs->voq = rte_zmalloc("cell_voqs", sizeof(*cs->voq) * cs->n_voq_slots, 0);
	cs->reasm = rte_zmalloc("cell_reasms", sizeof(*cs->reasm) * cs->n_voq_slots, 0);
	if (!cs->voq || !cs->reasm)
		return fail(err, errlen, "out of memory", sw->name);
	cs->rng = 0x9e3779b9u ^ (cs->leaf + 1u); /* never 0 (xorshift); one stream per leaf */
	sw->mode = &cell_leaf_mode;
	return 0;
}

unsigned int loom_cell_needed_mb(const json_t *root)
{
	json_t *o = json_object_get(root, LOOMD_KEY(ROOT_CELL));
	json_t *pc = json_object_get(o, LOOMD_KEY(CELL_POOL_CELLS));
	json_t *pl = json_object_get(o, LOOMD_KEY(CELL_PAYLOAD));
	uint64_t n = json_is_integer(pc) ? (uint64_t)json_integer_value(pc) : 65535;
	uint64_t payload = json_is_integer(pl) ? (uint64_t)json_integer_value(pl) : LOOM_CELL_PAYLOAD_DEFAULT;

	if (!json_is_object(o))
		return 0;
	return (unsigned int)((n * (payload + 64 + RTE_PKTMBUF_HEADROOM + sizeof(struct rte_mbuf) + 64)) >> 20) + 16;
}

int loom_cell_load(struct loom_fabric *f, json_t *root, char *err, size_t errlen)
{
	json_t *o;
	struct cell_fabric *cf;
	int *leaf_of;
	char name[64];

	if (loomd_cfg_get(root, LOOMD_ROOT_CELL, &o, name, sizeof(name)) < 0)
		return fail(err, errlen, "must be an object", NULL);
	if (o == NULL)
		return 0;
	cf = rte_zmalloc("cell_fabric", sizeof(*cf), 0);
	leaf_of = calloc(f->n_switches, sizeof(int));
	if (cf == NULL || leaf_of == NULL) {
		free(leaf_of);
		rte_free(cf);
		return fail(err, errlen, "out of memory", NULL);
	}
	f->cell = cf;
	cf->fabric = f;
	cf->local_request = cell_egress_request;
	cf->local_credit = cell_ingress_credit;
	if (parse_cfg(f, o, &cf->cfg, err, errlen) < 0)
		goto out;
	cf->leaf_switch = rte_zmalloc("cell_leaves", sizeof(uint16_t) * f->n_switches, 0);
	if (cf->leaf_switch == NULL) {
		fail(err, errlen, "out of memory", NULL);
		goto out;
	}
	for (uint16_t s = 0; s < f->n_switches; s++) {
		leaf_of[s] = -1;
		if (f->switches[s].role != LOOM_ROLE_LEAF)
			continue;
		leaf_of[s] = cf->n_leaves;
		cf->leaf_switch[cf->n_leaves++] = s;
		if (f->switches[s].n_ports > cf->max_ports)
			cf->max_ports = f->switches[s].n_ports;
	}
	if (build_directory(cf, f, root, err, errlen) < 0)
		goto out;
	snprintf(name, sizeof(name), "cell_pool_%u", cell_names++);
	cf->cell_pool = rte_pktmbuf_pool_create(name, cf->cfg.pool_cells, 256, 0,
						(uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_ETHER_HDR_LEN + LOOM_CELL_HDR_LEN +
							   cf->cfg.payload),
						(int)rte_socket_id());
	if (cf->cell_pool == NULL) {
		fail(err, errlen, "cannot make the cell pool", rte_strerror(rte_errno));
		goto out;
	}
	/* leaves are numbered first: a super-spine's ports lead to leaves of any switch index */
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (setup_switch(cf, f, s, leaf_of, err, errlen) < 0)
			goto out;
	egress_limits(cf, f);
	cell_reach_update(cf);
	if (cf->cfg.capture) {
		struct cell_port *cp = &f->switches[cf->cfg.capture_sw].cell->ports[cf->cfg.capture_port];

		const struct loom_switch *csw = &f->switches[cf->cfg.capture_sw];
		char why[320], link[96];

		snprintf(link, sizeof(link), "%s:%u-%s", csw->name, cf->cfg.capture_port,
			 csw->ports[cf->cfg.capture_port].name);
		cp->capture = cell_capture_open(cf->cfg.capture_file, link, cf->cfg.capture_max_bytes, &cp->capture_cap,
						why, sizeof(why));
		if (cp->capture == NULL) {
			fail(err, errlen, "cannot write the capture", why);
			goto out;
		}
	}
	free(leaf_of);
	return 0;
out:
	free(leaf_of);
	return -1;
}

void loom_cell_free(struct loom_fabric *f)
{
	struct cell_fabric *cf = f->cell;

	if (cf == NULL)
		return;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];
		struct loom_cell_switch *cs = sw->cell;

		if (cs == NULL)
			continue;
		for (uint32_t i = 0; i < cs->n_voq_slots; i++) {
			struct cell_voq *q = cs->voq[i];
			struct cell_reasm_ctx *rc = cs->reasm[i];

			if (q) {
				for (uint32_t k = 0; k < q->acct.pkts; k++)
					rte_pktmbuf_free(q->q[(q->head + k) % cf->cfg.voq_pkts]);
				rte_free(q->q);
				rte_free(q->src_pkts);
				rte_free(q);
			}
			if (rc) {
				loom_reasm_free(&rc->r);
				rte_free(rc);
			}
		}
		for (uint16_t p = 0; cs->ports && p < sw->n_ports; p++) {
			if (cs->ports[p].capture)
				fclose(cs->ports[p].capture);
			egress_ctrlq_free(&sw->ports[p]);
			if (cs->ports[p].credit) {
				loom_credit_free(cs->ports[p].credit);
				rte_free(cs->ports[p].credit);
			}
		}
		for (uint16_t l = 0; cs->leaf_ports && l < cf->n_leaves; l++)
			rte_free(cs->leaf_ports[l]);
		rte_free(cs->leaf_ports);
		rte_free(cs->n_leaf_ports);
		rte_free(cs->leaf_rr);
		rte_free(cs->down_live);
		rte_free(cs->reach);
		rte_free(cs->voq);
		rte_free(cs->reasm);
		rte_free(cs->ports);
		sw->mode = &loom_native_mode;
		rte_free(cs);
		sw->cell = NULL;
	}
	rte_hash_free(cf->dir4);
	rte_hash_free(cf->dir6);
	rte_free(cf->dests);
	rte_free(cf->leaf_switch);
	/* the cell pool stays: mbufs of it may still sit in rings and ports
	 * freed after us; EAL releases it at exit */
	rte_free(cf);
	f->cell = NULL;
}
