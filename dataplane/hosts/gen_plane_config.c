/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading a generator host's multi-plane NIC (gen_plane.h) from loomd's
 * configuration: a host's `planes` (one interface per plane, plane 0 its
 * own mac/ipv4/gateway_mac), `plane_spread` and `flowlet_gap_ns`; the
 * links that attach each plane (a generator link on a switch of plane p
 * is the host's plane-p interface); per-flow plane addresses. Every
 * problem names the host.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric.h"
#include "gen_plane.h"
#include "gen_plane_config.h"
#include "gen_state.h"
#include "loomd_config_read.h"
#include "switch.h"

#define FLOWLET_GAP_DEFAULT_NS 50000u /* htsim's and CONGA's order of magnitude: a few RTTs of a Clos */

static int fail(char *err, size_t errlen, const char *host, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "generator host %s: ", host);

	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static struct loom_gen_flow_planes *planes_alloc(unsigned int n)
{
	struct loom_gen_flow_planes *fp = calloc(1, sizeof(*fp) + n * sizeof(fp->p[0]));

	if (!fp)
		return NULL;
	fp->cur = (uint8_t)(n - 1); /* per packet: the first goes over plane 0 */
	fp->last_tx = LOOM_TIME_NEVER;
	for (unsigned int p = 0; p < n; p++)
		fp->p[p].first = fp->p[p].last = LOOM_TIME_NEVER;
	return fp;
}

int loom_gen_plane_config_load(struct loom_gen_host *h, json_t *jh, char *err, size_t errlen)
{
	json_t *arr, *jp;
	const char *spread;
	uint64_t gap;
	size_t i;
	char msg[160];

	if (loomd_cfg_get(jh, LOOMD_GEN_HOST_PLANES, &arr, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(jh, LOOMD_GEN_HOST_PLANE_SPREAD, &spread, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_u64(jh, LOOMD_GEN_HOST_FLOWLET_GAP_NS, FLOWLET_GAP_DEFAULT_NS, &gap, msg, sizeof(msg)) < 0)
		return fail(err, errlen, h->name, "%s", msg);
	if (!arr || json_array_size(arr) <= 1) {
		if (spread)
			return fail(err, errlen, h->name, "plane_spread without planes (a host of one plane)");
		return 0;
	}
	if (json_array_size(arr) > LOOM_GEN_MAX_PLANES)
		return fail(err, errlen, h->name, "%zu planes: at most %u", json_array_size(arr), LOOM_GEN_MAX_PLANES);
	h->nic = calloc(1, sizeof(*h->nic));
	if (!h->nic)
		return fail(err, errlen, h->name, "out of memory");
	h->nic->n_planes = (uint8_t)json_array_size(arr);
	h->nic->flowlet_gap_ns = gap;
	if (spread) {
		int sp = loom_gen_plane_spread_parse(spread);

		if (sp < 0)
			return fail(err, errlen, h->name, "plane_spread '%s' (flow, flowlet, packet or weighted)", spread);
		h->nic->spread = (uint8_t)sp;
	}
	json_array_foreach(arr, i, jp) {
		struct loom_gen_plane *p = &h->nic->plane[i];
		const char *mac, *gw, *ip;

		if (loomd_cfg_string(jp, LOOMD_GEN_PLANE_MAC, &mac, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jp, LOOMD_GEN_PLANE_GATEWAY_MAC, &gw, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_string(jp, LOOMD_GEN_PLANE_IPV4, &ip, msg, sizeof(msg)) < 0)
			return fail(err, errlen, h->name, "plane %zu: %s", i, msg);
		if (!mac || rte_ether_unformat_addr(mac, &p->mac) < 0 || !gw ||
		    rte_ether_unformat_addr(gw, &p->gw_mac) < 0 || !ip || inet_pton(AF_INET, ip, &p->ipv4) != 1)
			return fail(err, errlen, h->name, "plane %zu: bad mac, gateway_mac or ipv4", i);
		for (size_t k = 0; k < i; k++)
			if (h->nic->plane[k].ipv4 == p->ipv4)
				return fail(err, errlen, h->name, "planes %zu and %zu have the same ipv4 %s", k, i, ip);
		p->sw = p->port = UINT16_MAX;
		p->up = true;
	}
	if (h->nic->plane[0].ipv4 != h->ipv4 || !rte_is_same_ether_addr(&h->nic->plane[0].mac, &h->mac) ||
	    !rte_is_same_ether_addr(&h->nic->plane[0].gw_mac, &h->gw_mac))
		return fail(err, errlen, h->name, "planes[0] is not the host's own interface (its mac, ipv4, gateway_mac)");
	for (uint32_t k = 0; k < h->n_rx; k++) {
		h->rx[k].planes = planes_alloc(h->nic->n_planes);
		if (!h->rx[k].planes)
			return fail(err, errlen, h->name, "out of memory");
	}
	return 0;
}

int loom_gen_plane_config_flow(struct loom_gen_host *h, struct loom_gen_tx_flow *tf, const struct loom_gen_host *d,
			       struct loom_gen_rx_flow *r, char *err, size_t errlen)
{
	unsigned int n = h->nic ? h->nic->n_planes : 1, nd = d->nic ? d->nic->n_planes : 1;

	if (n != nd)
		return fail(err, errlen, h->name, "flow %u: %u plane%s here, %u at %s: both ends of a flow have one "
			    "interface in each plane", tf->spec.id, n, n == 1 ? "" : "s", nd, d->name);
	if (n == 1)
		return 0;
	tf->planes = planes_alloc(n);
	if (!tf->planes)
		return fail(err, errlen, h->name, "out of memory");
	for (unsigned int p = 0; p < n; p++) {
		tf->planes->p[p].dst_ipv4 = d->nic->plane[p].ipv4;
		r->planes->p[p].src_ipv4 = h->nic->plane[p].ipv4;
	}
	return 0;
}

int loom_gen_plane_attach(struct loom_fabric *f, struct loom_gen_host *h, uint16_t si, const struct loom_port *port,
			  char *err, size_t errlen)
{
	unsigned int pl = f->switches[si].plane;
	struct loom_gen_plane *p;

	if (pl >= h->nic->n_planes)
		return fail(err, errlen, h->name, "linked to %s (plane %u), but it has %u planes", f->switches[si].name,
			    pl, h->nic->n_planes);
	p = &h->nic->plane[pl];
	if (p->sw != UINT16_MAX)
		return fail(err, errlen, h->name, "plane %u linked twice: %s port %u and %s port %u", pl,
			    f->switches[p->sw].name, p->port, f->switches[si].name, port->index);
	p->sw = si;
	p->port = port->index;
	p->rate_bps = port->rate_bps;
	p->delay_ns = port->delay_ns;
	if (pl == 0) { /* its own interface */
		h->sw = si;
		h->port = port->index;
		h->link_delay_ns = port->delay_ns;
	}
	return 0;
}

int loom_gen_plane_config_finish(const struct loom_fabric *f, struct loom_gen_host *h, char *err, size_t errlen)
{
	uint64_t rate = 0;

	if (!h->nic)
		return 0;
	if (f->clock_mode != LOOM_CLOCK_VIRTUAL)
		return fail(err, errlen, h->name, "%u planes: a multi-plane generator host runs in virtual time only",
			    h->nic->n_planes);
	for (unsigned int p = 0; p < h->nic->n_planes; p++) {
		if (h->nic->plane[p].sw == UINT16_MAX)
			return fail(err, errlen, h->name, "no switch of plane %u links to it", p);
		if (h->nic->plane[p].rate_bps == 0)
			return fail(err, errlen, h->name, "its link in plane %u has no rate", p);
		rate += h->nic->plane[p].rate_bps;
	}
	h->link_rate_bps = rate; /* the NIC: every plane's link */
	return 0;
}

void loom_gen_plane_config_free(struct loom_gen_host *h)
{
	for (uint32_t k = 0; h->rx && k < h->n_rx; k++)
		free(h->rx[k].planes);
	for (uint32_t k = 0; h->tx && k < h->n_tx; k++)
		free(h->tx[k].planes);
	free(h->nic);
	h->nic = NULL;
}
