/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The experiment part of loomd's configuration (docs/LOOMD_CONFIG.md):
 * `clock`, `seed`, `duration_ns` and `generator_hosts` with their flows.
 * Every problem names the host and the field. Loaded before the switches,
 * whose `generator` links name these hosts (config_load.c).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fabric.h"
#include "gen_config.h"
#include "gen_cc.h"
#include "gen_credit.h"
#include "gen_frame.h"
#include "gen_plane_config.h"
#include "gen_state.h"
#include "switch.h"
#include "tm.h"
#include "loom/traffic/workload.h"
#include "loomd_config_read.h"
#include "loom/sim/link.h"
#include "switch.h"

static int fail(char *err, size_t errlen, const char *host, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (host)
		n = snprintf(err, errlen, "generator host %s: ", host);
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int loom_gen_host_find(const struct loom_fabric *f, const char *name)
{
	for (uint32_t i = 0; i < f->n_gen_hosts; i++)
		if (strcmp(f->gen_hosts[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A flow's cc_params object, {name: number} (loom/cc/cc_params.h), or NULL:
 * the defaults. -1 with *bad = the key for an unknown name or a value out
 * of range. */
static int load_cc_params(const json_t *o, struct loom_cc_params *ps, const char **bad)
{
	const char *key;
	json_t *v;

	memset(ps, 0, sizeof(*ps));
	if (!o)
		return 0;
	json_object_foreach((json_t *)o, key, v) {
		int p = loom_cc_param_find(key);

		*bad = key;
		if (p < 0 || !json_is_number(v) || !loom_cc_param_valid(p, json_number_value(v)))
			return -1;
		loom_cc_params_set(ps, p, json_number_value(v));
	}
	return 0;
}

static int load_tx_flow(struct loom_fabric *f, struct loom_gen_host *h, json_t *jf, struct loom_gen_tx_flow *tf,
			char *err, size_t errlen)
{
	const char *dst, *dst4, *tr, *cc, *bad, *entropy;
	uint64_t id, bytes, start, rate, pkt, sport, dscp, slot, group, burst, idle, lose_first, lose_count, rto;
	uint64_t ack_every, ack_delay;
	bool chained, ecn;
	int ent;
	json_t *cc_params;
	int d;
	char msg[160];

	if (loomd_cfg_u64(jf, LOOMD_TX_FLOW_ID, UINT64_MAX, &id, msg, sizeof(msg)) < 0 || id > UINT32_MAX)
		return fail(err, errlen, h->name, "flow without a valid id");
	if (loomd_cfg_string(jf, LOOMD_TX_FLOW_DST, &dst, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jf, LOOMD_TX_FLOW_DST_IPV4, &dst4, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jf, LOOMD_TX_FLOW_TRANSPORT, &tr, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jf, LOOMD_TX_FLOW_CC, &cc, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_BYTES, 0, &bytes, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_START_NS, 0, &start, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_RATE_BPS, 0, &rate, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_PKT_BYTES, 0, &pkt, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_SRC_PORT, 0, &sport, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_DSCP, 0, &dscp, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_RX_SLOT, UINT64_MAX, &slot, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_GROUP, 0, &group, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_BURST_BYTES, 0, &burst, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_IDLE_NS, 0, &idle, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_LOSE_FIRST, 0, &lose_first, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_LOSE_COUNT, 0, &lose_count, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_RTO_NS, 0, &rto, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_ACK_EVERY, 1, &ack_every, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jf, LOOMD_TX_FLOW_ACK_DELAY_NS, 0, &ack_delay, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_bool(jf, LOOMD_TX_FLOW_ECN, false, &ecn, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jf, LOOMD_TX_FLOW_ENTROPY, &entropy, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_bool(jf, LOOMD_TX_FLOW_CHAINED, false, &chained, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_get(jf, LOOMD_TX_FLOW_CC_PARAMS, &cc_params, msg, sizeof(msg)) < 0)
		return fail(err, errlen, h->name, "flow %lu: %s", (unsigned long)id, msg);
	d = dst ? loom_gen_host_find(f, dst) : -1;
	if (d < 0)
		return fail(err, errlen, h->name, "flow %lu: dst '%s' is not a generator host of this loomd",
			    (unsigned long)id, dst ? dst : "");
	if (!dst4 || inet_pton(AF_INET, dst4, &tf->dst_ipv4) != 1)
		return fail(err, errlen, h->name, "flow %lu: bad dst_ipv4", (unsigned long)id);
	if (sport > UINT16_MAX || dscp > 63 || slot >= f->gen_hosts[d].n_rx || group > UINT32_MAX)
		return fail(err, errlen, h->name, "flow %lu: src_port, dscp, rx_slot or group out of range",
			    (unsigned long)id);
	tf->spec.id = (uint32_t)id;
	tf->spec.src_host = h->index;
	tf->spec.dst_host = f->gen_hosts[d].index;
	tf->spec.bytes = bytes;
	tf->spec.start = start;
	tf->spec.rate_bps = rate;
	tf->spec.pkt_bytes = (uint16_t)(pkt > UINT16_MAX ? UINT16_MAX : pkt);
	tf->spec.src_port = (uint16_t)sport;
	tf->spec.dscp = (uint8_t)dscp;
	tf->spec.ecn_capable = ecn;
	ent = entropy ? loom_flow_entropy_parse(entropy) : LOOM_FLOW_ENTROPY_PER_FLOW;
	if (ent < 0)
		return fail(err, errlen, h->name, "flow %lu: entropy '%s' (%s)", (unsigned long)id, entropy,
			    LOOM_FLOW_ENTROPY_NAMES);
	tf->spec.entropy = (uint8_t)ent;
	tf->spec.group = (uint32_t)group;
	/* a later collective phase: its start is when the host received the phase before */
	if (chained)
		tf->spec.start = LOOM_WL_START_CHAINED;
	if (loom_flow_transport_parse(tr ? tr : "udp", &tf->spec) < 0)
		return fail(err, errlen, h->name, "flow %lu: transport '%s' (%s)", (unsigned long)id, tr,
			    LOOM_FLOW_TRANSPORT_NAMES);
	/* a scripted loss needs a transport that recovers it */
	if (lose_count > UINT32_MAX || (lose_count && !tf->spec.recovery))
		return fail(err, errlen, h->name, "flow %lu: lose_count needs transport go_back_n or "
			    "selective_repeat (and at most 2^32-1)", (unsigned long)id);
	if ((rto && !tf->spec.recovery) || rto >= LOOM_TIME_NEVER / 2)
		return fail(err, errlen, h->name, "flow %lu: rto_ns needs transport go_back_n or selective_repeat "
			    "(and a time below 2^62 ns)", (unsigned long)id);
	if (ack_every < 1 || ack_every > LOOM_ACK_EVERY_MAX || ack_delay >= LOOM_TIME_NEVER / 2 ||
	    ((ack_every > 1 || ack_delay) && !tf->spec.recovery))
		return fail(err, errlen, h->name, "flow %lu: ack_every (1..%u) and ack_delay_ns (below 2^62 ns) coalesce "
			    "the ACKs of transport go_back_n or selective_repeat", (unsigned long)id, LOOM_ACK_EVERY_MAX);
	tf->spec.ack_every = (uint8_t)ack_every;
	tf->spec.ack_delay_ns = ack_delay;
	tf->spec.lose_first = lose_first;
	tf->spec.lose_count = (uint32_t)lose_count;
	tf->spec.rto_ns = rto;
	if (!cc || strcmp(cc, "none") == 0)
		tf->spec.cc = LOOM_FLOW_CC_NONE;
	else if (strcmp(cc, "dcqcn") == 0)
		tf->spec.cc = LOOM_FLOW_CC_DCQCN;
	else if (strcmp(cc, "dctcp") == 0)
		tf->spec.cc = LOOM_FLOW_CC_DCTCP;
	else if (strcmp(cc, "nscc") == 0)
		tf->spec.cc = LOOM_FLOW_CC_NSCC;
	else
		return fail(err, errlen, h->name, "flow %lu: cc '%s' (none, dcqcn, dctcp or nscc)", (unsigned long)id, cc);
	if (ent == LOOM_FLOW_ENTROPY_REPS && !tf->spec.recovery && tf->spec.cc != LOOM_FLOW_CC_DCTCP)
		return fail(err, errlen, h->name, "flow %lu: entropy reps learns from ACKs: it needs transport "
			    "go_back_n or selective_repeat, or cc dctcp", (unsigned long)id);
	if (load_cc_params(cc_params, &tf->cc_params, &bad) < 0)
		return fail(err, errlen, h->name, "flow %lu: cc_params: bad '%s'", (unsigned long)id, bad);
	tf->dst_gen = (uint32_t)d;
	tf->rx_slot = (uint32_t)slot;
	tf->frame_bytes = (uint16_t)(pkt ? pkt : LOOM_FRAME_DEFAULT);
	if (tf->frame_bytes < loom_gen_min_frame(tf->spec.transport) || tf->frame_bytes > LOOM_FRAME_GEN_MAX)
		return fail(err, errlen, h->name, "flow %lu: pkt_bytes %u outside %u..%u", (unsigned long)id,
			    tf->frame_bytes, loom_gen_min_frame(tf->spec.transport), LOOM_FRAME_GEN_MAX);
	/* on/off bursts: both or neither, fixed-rate flows only (as control/ checks) */
	if (!burst != !idle || (burst && tf->spec.cc != LOOM_FLOW_CC_NONE) || idle >= LOOM_TIME_NEVER)
		return fail(err, errlen, h->name, "flow %lu: burst_bytes and idle_ns go together, on a flow with cc "
			    "none", (unsigned long)id);
	tf->spec.burst_bytes = burst;
	tf->spec.idle_ns = idle;
	tf->burst_packets = burst ? loom_gen_burst_packets(burst, tf->frame_bytes, tf->spec.transport) : 0;
	if (f->gen_hosts[d].rx[slot].flow_id != tf->spec.id)
		return fail(err, errlen, h->name, "flow %lu: rx_slot %lu of %s is flow %u", (unsigned long)id,
			    (unsigned long)slot, dst, f->gen_hosts[d].rx[slot].flow_id);
	/* where the receiver's feedback goes */
	struct loom_gen_rx_flow *r = &f->gen_hosts[d].rx[slot];
	r->cc = tf->spec.cc;
	r->recovery = tf->spec.recovery;
	r->entropy = tf->spec.entropy;
	r->tp.trim_dscp = LOOM_GEN_NO_TRIM_DSCP; /* the receiver's leaf port's, once the switches are loaded */
	r->tp.ack_cfg.every = tf->spec.ack_every;
	r->tp.ack_cfg.delay = ack_delay; /* 0: from the receiver's link (loom_gen_config_finish) */
	r->dscp = tf->spec.dscp;
	r->src_ipv4 = h->ipv4;
	r->tx_slot = (uint32_t)(tf - h->tx);
	return loom_gen_plane_config_flow(h, tf, &f->gen_hosts[d], r, err, errlen);
}

static int load_rx_flows(struct loom_gen_host *h, json_t *jh, char *err, size_t errlen)
{
	json_t *arr, *jf;
	size_t i;
	char msg[160];

	if (loomd_cfg_get(jh, LOOMD_GEN_HOST_RX_FLOWS, &arr, msg, sizeof(msg)) < 0)
		return fail(err, errlen, h->name, "%s", msg);
	h->n_rx = (uint32_t)json_array_size(arr);
	h->rx = calloc(h->n_rx + 1, sizeof(*h->rx));
	if (!h->rx)
		return fail(err, errlen, h->name, "out of memory");
	json_array_foreach(arr, i, jf) {
		struct loom_gen_rx_flow *r = &h->rx[i];
		uint64_t id, bytes, group;

		if (loomd_cfg_u64(jf, LOOMD_RX_FLOW_ID, UINT64_MAX, &id, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_u64(jf, LOOMD_RX_FLOW_BYTES, 0, &bytes, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_u64(jf, LOOMD_RX_FLOW_GROUP, 0, &group, msg, sizeof(msg)) < 0)
			return fail(err, errlen, h->name, "rx flow %zu: %s", i, msg);
		if (id > UINT32_MAX || group > UINT32_MAX)
			return fail(err, errlen, h->name, "rx flow %zu: bad id or group", i);
		r->flow_id = (uint32_t)id;
		r->group = (uint32_t)group;
		r->expect_bytes = bytes;
		r->completed = LOOM_TIME_NEVER;
		r->first_rx = r->last_rx = LOOM_TIME_NEVER;
	}
	return 0;
}

/* Per-host generator state from the run's seed: different hosts and
 * seeds give independent streams; never 0 (xorshift's fixed point). */
static uint64_t host_rng_seed(uint64_t seed, uint32_t index)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

static int load_host(struct loom_gen_host *h, json_t *jh, uint64_t seed, char *err, size_t errlen)
{
	const char *name, *mac, *gw, *ip;
	uint64_t index;
	char msg[160];

	if (loomd_cfg_string(jh, LOOMD_GEN_HOST_NAME, &name, msg, sizeof(msg)) < 0 || !name ||
	    strlen(name) >= sizeof(h->name))
		return fail(err, errlen, NULL, "generator host without a valid name");
	strcpy(h->name, name);
	if (loomd_cfg_string(jh, LOOMD_GEN_HOST_MAC, &mac, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jh, LOOMD_GEN_HOST_GATEWAY_MAC, &gw, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jh, LOOMD_GEN_HOST_IPV4, &ip, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jh, LOOMD_GEN_HOST_INDEX, UINT64_MAX, &index, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jh, LOOMD_GEN_HOST_JITTER_NS, 0, &h->jitter_ns, msg, sizeof(msg)) < 0)
		return fail(err, errlen, name, "%s", msg);
	if (index > UINT32_MAX)
		return fail(err, errlen, name, "bad index");
	h->index = (uint32_t)index;
	if (!mac || rte_ether_unformat_addr(mac, &h->mac) < 0)
		return fail(err, errlen, name, "bad mac");
	if (!gw || rte_ether_unformat_addr(gw, &h->gw_mac) < 0)
		return fail(err, errlen, name, "bad gateway_mac");
	if (!ip || inet_pton(AF_INET, ip, &h->ipv4) != 1)
		return fail(err, errlen, name, "bad ipv4");
	h->rng = host_rng_seed(seed, h->index);
	h->sw = UINT16_MAX; /* until a switch port links to it */
	h->stop_at = LOOM_TIME_NEVER;
	if (load_rx_flows(h, jh, err, errlen) < 0)
		return -1;
	return loom_gen_plane_config_load(h, jh, err, errlen);
}

int loom_gen_config_load(json_t *root, struct loom_fabric *f, char *err, size_t errlen)
{
	const char *clock;
	json_t *hosts, *jh, *jf;
	size_t i, j;
	char msg[160];

	if (loomd_cfg_string(root, LOOMD_ROOT_CLOCK, &clock, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_get(root, LOOMD_ROOT_GENERATOR_HOSTS, &hosts, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(root, LOOMD_ROOT_SEED, 0, &f->seed, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(root, LOOMD_ROOT_DURATION_NS, 0, &f->duration_ns, msg, sizeof(msg)) < 0)
		return fail(err, errlen, NULL, "%s", msg);
	if (!clock || strcmp(clock, "realtime") == 0)
		f->clock_mode = LOOM_CLOCK_REALTIME;
	else if (strcmp(clock, "virtual") == 0)
		f->clock_mode = LOOM_CLOCK_VIRTUAL;
	else
		return fail(err, errlen, NULL, "clock '%s': realtime or virtual", clock);
	if (f->clock_mode == LOOM_CLOCK_VIRTUAL && f->duration_ns == 0)
		return fail(err, errlen, NULL, "a virtual-time run needs duration_ns");
	f->n_gen_hosts = (uint32_t)json_array_size(hosts);
	f->gen_hosts = calloc(f->n_gen_hosts + 1, sizeof(*f->gen_hosts));
	if (!f->gen_hosts)
		return fail(err, errlen, NULL, "out of memory");
	/* Receivers first: a sender's flow names its slot at the receiver. */
	json_array_foreach(hosts, i, jh) {
		if (load_host(&f->gen_hosts[i], jh, f->seed, err, errlen) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(f->gen_hosts[j].name, f->gen_hosts[i].name) == 0)
				return fail(err, errlen, f->gen_hosts[i].name, "listed twice");
	}
	json_array_foreach(hosts, i, jh) {
		struct loom_gen_host *h = &f->gen_hosts[i];
		json_t *tx;

		if (loomd_cfg_get(jh, LOOMD_GEN_HOST_TX_FLOWS, &tx, msg, sizeof(msg)) < 0)
			return fail(err, errlen, h->name, "%s", msg);
		h->n_tx = (uint32_t)json_array_size(tx);
		h->tx = calloc(h->n_tx + 1, sizeof(*h->tx));
		if (!h->tx)
			return fail(err, errlen, h->name, "out of memory");
		json_array_foreach(tx, j, jf)
			if (load_tx_flow(f, h, jf, &h->tx[j], err, errlen) < 0)
				return -1;
	}
	return 0;
}

/* After the switches: every generator host must be linked to a switch
 * port (config_load.c sets sw/port and the link's rate from the
 * `generator` link); a flow without a rate sends at its host's link rate. */
int loom_gen_config_finish(struct loom_fabric *f, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < f->n_gen_hosts; i++) {
		struct loom_gen_host *h = &f->gen_hosts[i];

		if (h->sw == UINT16_MAX)
			return fail(err, errlen, h->name, "no switch port links to it");
		if (loom_gen_plane_config_finish(f, h, err, errlen) < 0)
			return -1;
		const struct loom_port *lp = &f->switches[h->sw].ports[h->port];
		for (uint32_t k = 0; k < h->n_tx; k++) /* the leaf would drop it; its mbuf is sized by the MTUs */
			if (h->tx[k].frame_bytes > lp->mtu + RTE_ETHER_HDR_LEN)
				return fail(err, errlen, h->name, "flow %u: pkt_bytes %u above the mtu %u of its link (%s port %u)",
					    h->tx[k].spec.id, h->tx[k].frame_bytes, lp->mtu, f->switches[h->sw].name, h->port);
		if (h->link_rate_bps == 0)
			return fail(err, errlen, h->name, "its link has no rate");
		if (f->duration_ns)
			h->stop_at = f->duration_ns;
		/* the NIC is configured as its leaf port: which classes PAUSE
		 * holds, which DSCP marks a trimmed packet (gen_pause.h, gen_transport.h) */
		const struct tm_port *lt = f->switches[h->sw].ports[h->port].tm;

		h->lossless = lt ? lt->cfg.lossless : 0;
		for (uint32_t k = 0; k < h->n_tx; k++) {
			struct loom_gen_tx_flow *tf = &h->tx[k];

			tf->rate_bps = tf->spec.rate_bps ? tf->spec.rate_bps : h->link_rate_bps;
			uint8_t cls = lt ? loom_dscp_to_class(&lt->cfg.dscp, tf->spec.dscp) : LOOM_GEN_NO_CLASS;

			tf->pfc_class = lt && (h->lossless & (1u << cls)) ? cls : LOOM_GEN_NO_CLASS;
			const char *why;

			if (loom_gen_cc_init_tx(tf, tf->frame_bytes - (loom_gen_min_frame(tf->spec.transport) -
								       (uint32_t)sizeof(struct loom_gen_payload)),
						&why) < 0)
				return fail(err, errlen, h->name, "flow %u: cc_params: bad %s", tf->spec.id, why);
			loom_gen_cc_init_rx(&f->gen_hosts[tf->dst_gen].rx[tf->rx_slot], tf);
			loom_gen_credit_config(tf, &f->gen_hosts[tf->dst_gen].rx[tf->rx_slot]);
			if (tf->spec.recovery) { /* the receiver's leaf port marks trimmed packets */
				const struct loom_gen_host *d = &f->gen_hosts[tf->dst_gen];
				const struct tm_port *dt = d->sw == UINT16_MAX ? NULL : f->switches[d->sw].ports[d->port].tm;

				f->gen_hosts[tf->dst_gen].rx[tf->rx_slot].tp.trim_dscp =
					dt && dt->cfg.trim ? dt->cfg.trim_dscp : LOOM_GEN_NO_TRIM_DSCP;
				/* the delayed-ACK timer by default: the time ack_every of
				 * its frames take on the receiver's link, so that only
				 * packets arriving back to back are coalesced (a flow at
				 * a fraction of the line, an incast's, is acknowledged
				 * packet by packet, at most that late) */
				struct loom_ack_coalesce_cfg *ac = &f->gen_hosts[tf->dst_gen].rx[tf->rx_slot].tp.ack_cfg;

				if (!ac->delay)
					ac->delay = ac->every * loom_link_serialization_ns(tf->frame_bytes, d->link_rate_bps);
				if (!ac->delay)
					ac->delay = 1;
			}
			if (tf->spec.entropy == LOOM_FLOW_ENTROPY_REPS && /* it freezes where the fabric trims */
			    loom_gen_reps_config(tf, f->gen_hosts[tf->dst_gen].rx[tf->rx_slot].tp.trim_dscp !=
							     LOOM_GEN_NO_TRIM_DSCP) < 0)
				return fail(err, errlen, h->name, "flow %u: out of memory for its REPS state", tf->spec.id);
		}
	}
	return 0;
}

void loom_gen_config_free(struct loom_fabric *f)
{
	for (uint32_t i = 0; f->gen_hosts && i < f->n_gen_hosts; i++) {
		loom_gen_plane_config_free(&f->gen_hosts[i]);
		for (uint32_t k = 0; f->gen_hosts[i].tx && k < f->gen_hosts[i].n_tx; k++)
			free(f->gen_hosts[i].tx[k].reps);
		free(f->gen_hosts[i].tx);
		free(f->gen_hosts[i].rx);
	}
	free(f->gen_hosts);
	f->gen_hosts = NULL;
	f->n_gen_hosts = 0;
}
