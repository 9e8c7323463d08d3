/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The experiment part of loomd's configuration (docs/LOOMD_CONFIG.md):
 * clock, seed, duration and the generator hosts with their flows. Each
 * host gets what it needs to send without resolving anything: its MAC and
 * address, its gateway's MAC (the leaf port's), and per flow the
 * destination's address and the flow's slot in the receiver's table.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>

#include "loom/frame.h"

#include "../routes/routes.h"
#include "../topo/topo_path_rtt.h"
#include "gen_hosts_config.h"
#include "loomd_config_keys.h"
#include "loom/traffic/workload.h"
#include "workload/workload.h"

static int fail(const struct topology *t, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", t->file, msg);
	return -1;
}

/* Leaf, leaf port and host interface of a generator host's link in
 * `plane` (one per plane: topo_experiment.c); false when it has none. */
static bool plane_attachment(const struct topology *t, int h, int plane, int *leaf, int *port, int *ifindex)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *he = l->a.is_host ? &l->a : &l->b, *se = l->a.is_host ? &l->b : &l->a;

		if (!he->is_host || he->node != h || se->is_host || t->switches[se->node].plane != plane)
			continue;
		*leaf = se->node;
		*port = se->port;
		*ifindex = he->port;
		return true;
	}
	return false;
}

/* ... of its own interface: plane 0's (its only one in a fabric of one plane). */
static void host_attachment(const struct topology *t, int h, int *leaf, int *port, int *ifindex)
{
	const struct topo_link *l = &t->links[topo_host_link(t, h)];
	const struct topo_end *he = l->a.is_host ? &l->a : &l->b, *se = l->a.is_host ? &l->b : &l->a;

	if (plane_attachment(t, h, 0, leaf, port, ifindex))
		return;
	*leaf = se->node;
	*port = se->port;
	*ifindex = he->port;
}

static json_t *mac_json(const uint8_t mac[6])
{
	char buf[ROUTES_MAC_STRLEN];

	routes_format_mac(mac, buf);
	return json_string(buf);
}

static json_t *address_json(const struct topology *t, int leaf, int port)
{
	struct topo_prefix a;
	char buf[INET_ADDRSTRLEN];

	topo_host_address(&t->switches[leaf].subnet4, port, &a);
	inet_ntop(AF_INET, a.addr, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *ipv4_json(const struct topology *t, int h)
{
	int leaf, port, ifindex;

	host_attachment(t, h, &leaf, &port, &ifindex);
	return address_json(t, leaf, port);
}

/* A multi-plane host's interfaces, plane by plane (dataplane/hosts/gen_plane.h),
 * and how its NIC spreads a flow over them (`nic:`). */
static void planes_json(const struct topology *t, int h, json_t *entry)
{
	json_t *arr = json_array();

	for (int p = 0; p < t->n_planes; p++) {
		int leaf, port, ifindex;
		uint8_t mac[6], gw[6];

		if (!plane_attachment(t, h, p, &leaf, &port, &ifindex))
			continue; /* topo_experiment.c refused it */
		topo_host_mac(h, ifindex, mac);
		topo_switch_port_mac(leaf, port, gw);
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o}", LOOMD_KEY(GEN_PLANE_MAC), mac_json(mac),
						     LOOMD_KEY(GEN_PLANE_IPV4), address_json(t, leaf, port),
						     LOOMD_KEY(GEN_PLANE_GATEWAY_MAC), mac_json(gw)));
	}
	json_object_set_new(entry, LOOMD_KEY(GEN_HOST_PLANES), arr);
	if (t->nic.plane_spread[0])
		json_object_set_new(entry, LOOMD_KEY(GEN_HOST_PLANE_SPREAD), json_string(t->nic.plane_spread));
	if (t->nic.flowlet_gap_ns)
		json_object_set_new(entry, LOOMD_KEY(GEN_HOST_FLOWLET_GAP_NS), json_integer((json_int_t)t->nic.flowlet_gap_ns));
}

static bool served(const struct topology *t, const bool *local, int h)
{
	int leaf, port, ifindex;

	if (t->hosts[h].port_type != TOPO_PORT_GENERATOR)
		return false;
	host_attachment(t, h, &leaf, &port, &ifindex);
	return !local || local[leaf];
}

/* A flow's congestion-control overrides (loom/cc/cc_params.h names): fractions
 * as reals, the rest as whole numbers (bit/s, ns, bytes, counts, 0/1). */
static json_t *cc_params_json(const struct loom_cc_params *ps, uint64_t path_rtt)
{
	json_t *o = json_object();

	for (int p = 0; p < LOOM_CC_N_PARAMS; p++) {
		enum loom_cc_param_kind k = loom_cc_param_info[p].kind;
		double v = ps->v[p];

		if (!(ps->set & (1u << p)))
			continue;
		if (p == LOOM_CC_BASE_RTT && v == LOOM_CC_BASE_RTT_PATH)
			v = (double)path_rtt; /* base_rtt: path, this flow's */
		json_object_set_new(o, loom_cc_param_info[p].name,
				    k == LOOM_CC_KIND_FRACTION || k == LOOM_CC_KIND_FRACTION_OPEN ? json_real(v)
												  : json_integer((json_int_t)v));
	}
	return o;
}


/* base_rtt: path: the flow's unloaded RTT over the topology, 0 when it
 * does not ask for it. -1 when no path joins its hosts. */
static int64_t flow_path_rtt(const struct topology *t, struct topo_path_rtt **paths, const struct loom_flow_spec *s)
{
	const struct loom_cc_params *ps = workload_cc_params(s->cc_params);
	uint32_t frame;
	uint64_t ns;

	if (!ps || !(ps->set & (1u << LOOM_CC_BASE_RTT)) || ps->v[LOOM_CC_BASE_RTT] != LOOM_CC_BASE_RTT_PATH)
		return 0;
	if (!*paths && !(*paths = topo_path_rtt_new(t)))
		return -1;
	frame = s->pkt_bytes ? s->pkt_bytes : (t->default_mtu ? t->default_mtu : LOOM_MTU_DEFAULT) + 14u;
	/* the ACK as the flow's receiver sends it (compact: its size depends
	 * on coalescing and REPS; loom/frame.h); at 100G a few ns a hop */
	ns = topo_path_rtt_ns(*paths, (int)s->src_host, (int)s->dst_host, frame,
			      loom_frame_tp_ack_bytes(1, s->ack_every, s->entropy == LOOM_FLOW_ENTROPY_REPS));
	return ns ? (int64_t)ns : -1;
}

static json_t *tx_flow_json(const struct topology *t, const struct loom_flow_spec *s, int rx_slot, uint64_t path_rtt)
{
	json_t *o = json_object();

	json_object_set_new(o, LOOMD_KEY(TX_FLOW_ID), json_integer(s->id));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_DST), json_string(t->hosts[s->dst_host].name));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_DST_IPV4), ipv4_json(t, (int)s->dst_host));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_RX_SLOT), json_integer(rx_slot));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_BYTES), json_integer((json_int_t)s->bytes));
	if (s->start == LOOM_WL_START_CHAINED) /* a later collective phase */
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_CHAINED), json_true());
	else
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_START_NS), json_integer((json_int_t)s->start));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_RATE_BPS), json_integer((json_int_t)s->rate_bps));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_PKT_BYTES), json_integer(s->pkt_bytes));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_TRANSPORT), json_string(loom_flow_transport_name(s)));
	if (s->rto_ns)
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_RTO_NS), json_integer((json_int_t)s->rto_ns));
	if (s->ack_every > 1) /* written only when set: every other flow's configuration stays as it was */
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_ACK_EVERY), json_integer(s->ack_every));
	if (s->ack_delay_ns)
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_ACK_DELAY_NS), json_integer((json_int_t)s->ack_delay_ns));
	if (s->lose_count) {
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_LOSE_FIRST), json_integer((json_int_t)s->lose_first));
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_LOSE_COUNT), json_integer(s->lose_count));
	}
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_ECN), json_boolean(s->ecn_capable));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_ENTROPY), json_string(loom_flow_entropy_name(s->entropy)));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_SRC_PORT), json_integer(s->src_port));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_DSCP), json_integer(s->dscp));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_GROUP), json_integer(s->group));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_CC), json_string(workload_cc_name(s->cc)));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_BURST_BYTES), json_integer((json_int_t)s->burst_bytes));
	json_object_set_new(o, LOOMD_KEY(TX_FLOW_IDLE_NS), json_integer((json_int_t)s->idle_ns));
	if (workload_cc_params(s->cc_params))
		json_object_set_new(o, LOOMD_KEY(TX_FLOW_CC_PARAMS), cc_params_json(workload_cc_params(s->cc_params), path_rtt));
	return o;
}

int gen_hosts_config_add(const struct topology *t, const bool *local, json_t *root, char *err, size_t errlen)
{
	json_t *hosts = json_array();
	json_t **entry = calloc((size_t)t->n_hosts + 1, sizeof(*entry));
	int *n_rx = calloc((size_t)t->n_hosts + 1, sizeof(*n_rx));
	int *slot = calloc((size_t)t->n_flows + 1, sizeof(*slot));
	struct topo_path_rtt *paths = NULL; /* base_rtt: path, built at its first flow */
	int rc = -1;

	if (!hosts || !entry || !n_rx || !slot) {
		fail(t, err, errlen, "out of memory");
		goto out;
	}
	json_object_set_new(root, LOOMD_KEY(ROOT_CLOCK), json_string(t->clock == TOPO_CLOCK_VIRTUAL ? "virtual" : "realtime"));
	json_object_set_new(root, LOOMD_KEY(ROOT_SEED), json_integer((json_int_t)t->seed));
	json_object_set_new(root, LOOMD_KEY(ROOT_DURATION_NS), json_integer((json_int_t)t->duration_ns));
	if (t->partition_group && !local) { /* groups of switch names, for loomd --mpi (never one machine's part) */
		json_t *groups = json_array();

		for (int g = 0; g < t->n_partition_groups; g++) {
			json_t *names = json_array();

			for (int s = 0; s < t->n_switches; s++)
				if (t->partition_group[s] == g)
					json_array_append_new(names, json_string(t->switches[s].name));
			json_array_append_new(groups, names);
		}
		json_object_set_new(root, LOOMD_KEY(ROOT_PARTITION), groups);
	}
	for (int h = 0; h < t->n_hosts; h++) {
		int leaf, port, ifindex;
		uint8_t mac[6];

		if (!served(t, local, h))
			continue;
		host_attachment(t, h, &leaf, &port, &ifindex);
		topo_host_mac(h, ifindex, mac);
		entry[h] = json_object();
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_NAME), json_string(t->hosts[h].name));
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_INDEX), json_integer(h));
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_MAC), mac_json(mac));
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_IPV4), ipv4_json(t, h));
		topo_switch_port_mac(leaf, port, mac);
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_GATEWAY_MAC), mac_json(mac));
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_JITTER_NS), json_integer((json_int_t)t->host_jitter_ns));
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_TX_FLOWS), json_array());
		json_object_set_new(entry[h], LOOMD_KEY(GEN_HOST_RX_FLOWS), json_array());
		if (t->n_planes > 1)
			planes_json(t, h, entry[h]);
		json_array_append(hosts, entry[h]);
	}
	/* Receivers' tables first: a flow's slot is its place in its
	 * receiver's rx_flows. */
	for (int i = 0; i < t->n_flows; i++) {
		const struct loom_flow_spec *s = &t->flows[i];

		if (!entry[s->src_host] && !entry[s->dst_host])
			continue; /* neither end here (--only) */
		if (!entry[s->src_host] || !entry[s->dst_host]) {
			fail(t, err, errlen, "flow %u from %s to %s: both generator hosts must be in the same loomd",
			     s->id, t->hosts[s->src_host].name, t->hosts[s->dst_host].name);
			goto out;
		}
		slot[i] = n_rx[s->dst_host]++;
		json_array_append_new(json_object_get(entry[s->dst_host], LOOMD_KEY(GEN_HOST_RX_FLOWS)),
				      json_pack("{s:i, s:s, s:I, s:I}", LOOMD_KEY(RX_FLOW_ID), (int)s->id, LOOMD_KEY(RX_FLOW_SRC),
						t->hosts[s->src_host].name, LOOMD_KEY(RX_FLOW_BYTES), (json_int_t)s->bytes,
						LOOMD_KEY(RX_FLOW_GROUP), (json_int_t)s->group));
	}
	for (int i = 0; i < t->n_flows; i++) {
		const struct loom_flow_spec *s = &t->flows[i];
		int64_t path_rtt;

		if (!entry[s->src_host])
			continue;
		path_rtt = flow_path_rtt(t, &paths, s);
		if (path_rtt < 0) {
			fail(t, err, errlen, "flow %u from %s to %s: base_rtt: path, but %s", s->id,
			     t->hosts[s->src_host].name, t->hosts[s->dst_host].name,
			     paths ? "no path joins them" : "out of memory");
			goto out;
		}
		json_array_append_new(json_object_get(entry[s->src_host], LOOMD_KEY(GEN_HOST_TX_FLOWS)),
				      tx_flow_json(t, s, slot[i], (uint64_t)path_rtt));
	}
	json_object_set(root, LOOMD_KEY(ROOT_GENERATOR_HOSTS), hosts);
	rc = 0;
out:
	for (int h = 0; entry && h < t->n_hosts; h++)
		json_decref(entry[h]);
	json_decref(hosts);
	free(entry);
	free(n_rx);
	free(slot);
	topo_path_rtt_free(paths);
	return rc;
}

json_t *gen_host_link_json(const struct topology *t, int host)
{
	return json_pack("{s:s, s:s}", LOOMD_KEY(LINK_KIND), "generator", LOOMD_KEY(LINK_HOST), t->hosts[host].name);
}
