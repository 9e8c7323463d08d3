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
#include "gen_host.h"
#include "loom/traffic/workload.h"

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

static int get_u64(json_t *o, const char *key, uint64_t def, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* "cc_params": {name: number} (loom/cc/cc_params.h); absent = the defaults.
 * -1 with *bad = the key for an unknown name or a value out of range. */
static int load_cc_params(const json_t *o, struct loom_cc_params *ps, const char **bad)
{
	const char *key;
	json_t *v;

	memset(ps, 0, sizeof(*ps));
	*bad = "cc_params";
	if (!o)
		return 0;
	if (!json_is_object(o))
		return -1;
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
	const char *dst = json_string_value(json_object_get(jf, "dst"));
	const char *dst4 = json_string_value(json_object_get(jf, "dst_ipv4"));
	const char *tr = json_string_value(json_object_get(jf, "transport"));
	const char *cc = json_string_value(json_object_get(jf, "cc"));
	uint64_t id, bytes, start, rate, pkt, sport, dscp, slot, group;
	const char *bad;
	int d = dst ? loom_gen_host_find(f, dst) : -1;

	if (get_u64(jf, "id", UINT64_MAX, &id) < 0 || id > UINT32_MAX)
		return fail(err, errlen, h->name, "flow without a valid id");
	if (d < 0)
		return fail(err, errlen, h->name, "flow %lu: dst '%s' is not a generator host of this loomd",
			    (unsigned long)id, dst ? dst : "");
	if (!dst4 || inet_pton(AF_INET, dst4, &tf->dst_ipv4) != 1)
		return fail(err, errlen, h->name, "flow %lu: bad dst_ipv4", (unsigned long)id);
	if (get_u64(jf, "bytes", 0, &bytes) < 0 || get_u64(jf, "start_ns", 0, &start) < 0 ||
	    get_u64(jf, "rate_bps", 0, &rate) < 0 || get_u64(jf, "pkt_bytes", 0, &pkt) < 0 ||
	    get_u64(jf, "src_port", 0, &sport) < 0 || sport > UINT16_MAX || get_u64(jf, "dscp", 0, &dscp) < 0 ||
	    dscp > 63 || get_u64(jf, "rx_slot", UINT64_MAX, &slot) < 0 || slot >= f->gen_hosts[d].n_rx ||
	    get_u64(jf, "group", 0, &group) < 0 || group > UINT32_MAX)
		return fail(err, errlen, h->name, "flow %lu: bad bytes, start_ns, rate_bps, pkt_bytes, src_port, "
			    "dscp, rx_slot or group", (unsigned long)id);
	tf->spec.id = (uint32_t)id;
	tf->spec.src_host = h->index;
	tf->spec.dst_host = f->gen_hosts[d].index;
	tf->spec.bytes = bytes;
	tf->spec.start = start;
	tf->spec.rate_bps = rate;
	tf->spec.pkt_bytes = (uint16_t)(pkt > UINT16_MAX ? UINT16_MAX : pkt);
	tf->spec.src_port = (uint16_t)sport;
	tf->spec.dscp = (uint8_t)dscp;
	tf->spec.ecn_capable = json_is_true(json_object_get(jf, "ecn"));
	tf->spec.entropy_per_packet = json_is_true(json_object_get(jf, "entropy_per_packet"));
	tf->spec.group = (uint32_t)group;
	/* a later collective phase: its start is when the host received the phase before */
	if (json_is_true(json_object_get(jf, "chained")))
		tf->spec.start = LOOM_WL_START_CHAINED;
	if (!tr || strcmp(tr, "udp") == 0)
		tf->spec.transport = LOOM_FLOW_UDP;
	else if (strcmp(tr, "rocev2") == 0)
		tf->spec.transport = LOOM_FLOW_ROCEV2;
	else
		return fail(err, errlen, h->name, "flow %lu: transport '%s' (udp or rocev2)", (unsigned long)id, tr);
	if (!cc || strcmp(cc, "none") == 0)
		tf->spec.cc = LOOM_FLOW_CC_NONE;
	else if (strcmp(cc, "dcqcn") == 0)
		tf->spec.cc = LOOM_FLOW_CC_DCQCN;
	else if (strcmp(cc, "dctcp") == 0)
		tf->spec.cc = LOOM_FLOW_CC_DCTCP;
	else
		return fail(err, errlen, h->name, "flow %lu: cc '%s' (none, dcqcn or dctcp)", (unsigned long)id, cc);
	if (load_cc_params(json_object_get(jf, "cc_params"), &tf->cc_params, &bad) < 0)
		return fail(err, errlen, h->name, "flow %lu: cc_params: bad '%s'", (unsigned long)id, bad);
	tf->dst_gen = (uint32_t)d;
	tf->rx_slot = (uint32_t)slot;
	tf->frame_bytes = (uint16_t)(pkt ? pkt : LOOM_FRAME_DEFAULT);
	if (tf->frame_bytes < loom_gen_min_frame(tf->spec.transport) || tf->frame_bytes > LOOM_FRAME_GEN_MAX)
		return fail(err, errlen, h->name, "flow %lu: pkt_bytes %u outside %u..%u", (unsigned long)id,
			    tf->frame_bytes, loom_gen_min_frame(tf->spec.transport), LOOM_FRAME_GEN_MAX);
	if (f->gen_hosts[d].rx[slot].flow_id != tf->spec.id)
		return fail(err, errlen, h->name, "flow %lu: rx_slot %lu of %s is flow %u", (unsigned long)id,
			    (unsigned long)slot, dst, f->gen_hosts[d].rx[slot].flow_id);
	/* where the receiver's feedback goes */
	struct loom_gen_rx_flow *r = &f->gen_hosts[d].rx[slot];
	r->cc = tf->spec.cc;
	r->dscp = tf->spec.dscp;
	r->src_ipv4 = h->ipv4;
	r->tx_slot = (uint32_t)(tf - h->tx);
	return 0;
}

static int load_rx_flows(struct loom_gen_host *h, json_t *jh, char *err, size_t errlen)
{
	json_t *arr = json_object_get(jh, "rx_flows"), *jf;
	size_t i;

	h->n_rx = (uint32_t)json_array_size(arr);
	h->rx = calloc(h->n_rx + 1, sizeof(*h->rx));
	if (!h->rx)
		return fail(err, errlen, h->name, "out of memory");
	json_array_foreach(arr, i, jf) {
		struct loom_gen_rx_flow *r = &h->rx[i];
		uint64_t id, bytes, group;

		if (get_u64(jf, "id", UINT64_MAX, &id) < 0 || id > UINT32_MAX || get_u64(jf, "bytes", 0, &bytes) < 0 ||
		    get_u64(jf, "group", 0, &group) < 0 || group > UINT32_MAX)
			return fail(err, errlen, h->name, "rx flow %zu: bad id, bytes or group", i);
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
	const char *name = json_string_value(json_object_get(jh, "name"));
	const char *mac = json_string_value(json_object_get(jh, "mac"));
	const char *gw = json_string_value(json_object_get(jh, "gateway_mac"));
	const char *ip = json_string_value(json_object_get(jh, "ipv4"));
	uint64_t index;

	if (!name || strlen(name) >= sizeof(h->name))
		return fail(err, errlen, NULL, "generator host without a valid name");
	strcpy(h->name, name);
	if (get_u64(jh, "index", UINT64_MAX, &index) < 0 || index > UINT32_MAX)
		return fail(err, errlen, name, "bad index");
	h->index = (uint32_t)index;
	if (!mac || rte_ether_unformat_addr(mac, &h->mac) < 0)
		return fail(err, errlen, name, "bad mac");
	if (!gw || rte_ether_unformat_addr(gw, &h->gw_mac) < 0)
		return fail(err, errlen, name, "bad gateway_mac");
	if (!ip || inet_pton(AF_INET, ip, &h->ipv4) != 1)
		return fail(err, errlen, name, "bad ipv4");
	h->rng = host_rng_seed(seed, h->index);
	if (get_u64(jh, "jitter_ns", 0, &h->jitter_ns) < 0)
		return fail(err, errlen, name, "bad jitter_ns");
	h->sw = UINT16_MAX; /* until a switch port links to it */
	h->stop_at = LOOM_TIME_NEVER;
	return load_rx_flows(h, jh, err, errlen);
}

int loom_gen_config_load(json_t *root, struct loom_fabric *f, char *err, size_t errlen)
{
	const char *clock = json_string_value(json_object_get(root, "clock"));
	json_t *hosts = json_object_get(root, "generator_hosts"), *jh, *jf;
	size_t i, j;

	if (!clock || strcmp(clock, "realtime") == 0)
		f->clock_mode = LOOM_CLOCK_REALTIME;
	else if (strcmp(clock, "virtual") == 0)
		f->clock_mode = LOOM_CLOCK_VIRTUAL;
	else
		return fail(err, errlen, NULL, "clock '%s': realtime or virtual", clock);
	if (get_u64(root, "seed", 0, &f->seed) < 0 || get_u64(root, "duration_ns", 0, &f->duration_ns) < 0)
		return fail(err, errlen, NULL, "seed and duration_ns must be non-negative integers");
	if (f->clock_mode == LOOM_CLOCK_VIRTUAL && f->duration_ns == 0)
		return fail(err, errlen, NULL, "a virtual-time run needs duration_ns");
	if (hosts && !json_is_array(hosts))
		return fail(err, errlen, NULL, "generator_hosts must be a list");
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
		json_t *tx = json_object_get(jh, "tx_flows");

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
		if (h->link_rate_bps == 0)
			return fail(err, errlen, h->name, "its link has no rate");
		if (f->duration_ns)
			h->stop_at = f->duration_ns;
		for (uint32_t k = 0; k < h->n_tx; k++) {
			struct loom_gen_tx_flow *tf = &h->tx[k];

			tf->rate_bps = tf->spec.rate_bps ? tf->spec.rate_bps : h->link_rate_bps;
			const char *why;

			if (loom_gen_cc_init_tx(tf, tf->frame_bytes - (loom_gen_min_frame(tf->spec.transport) -
								       (uint32_t)sizeof(struct loom_gen_payload)),
						&why) < 0)
				return fail(err, errlen, h->name, "flow %u: cc_params: bad %s", tf->spec.id, why);
			loom_gen_cc_init_rx(&f->gen_hosts[tf->dst_gen].rx[tf->rx_slot], tf);
		}
	}
	return 0;
}

void loom_gen_config_free(struct loom_fabric *f)
{
	for (uint32_t i = 0; f->gen_hosts && i < f->n_gen_hosts; i++) {
		free(f->gen_hosts[i].tx);
		free(f->gen_hosts[i].rx);
	}
	free(f->gen_hosts);
	f->gen_hosts = NULL;
	f->n_gen_hosts = 0;
}
