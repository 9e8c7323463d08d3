/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-plane results of multi-plane generator hosts (gen_plane.h), for
 * gen_results.c: a flow's packets, bytes, rate and reordering per plane,
 * and a host's counters per plane. Integers only, as the rest.
 */
#include "gen_plane.h"
#include "gen_plane_results.h"
#include "gen_state.h"

static json_int_t ji(uint64_t v) { return (json_int_t)v; }

json_t *loom_gen_plane_flow_json(const struct loom_gen_tx_flow *tf, const struct loom_gen_rx_flow *r, unsigned int n)
{
	json_t *arr = json_array();
	loom_time_ns span = r->packets > 1 && r->last_rx > r->first_rx ? r->last_rx - r->first_rx : 0;

	for (unsigned int p = 0; p < n; p++) {
		const struct loom_gen_flow_plane *t = &tf->planes->p[p], *x = &r->planes->p[p];
		/* its bytes over the flow's arrival span: the planes' rates add up to the flow's */
		uint64_t rate = span ? (uint64_t)((unsigned __int128)x->bytes * 8 * 1000000000u / span) : 0;

		json_array_append_new(arr, json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "plane", (int)p,
						     "tx_packets", ji(t->packets), "tx_bytes", ji(t->bytes),
						     "rx_packets", ji(x->packets), "rx_bytes", ji(x->bytes),
						     "rx_rate_bps", ji(rate), "reordered", ji(x->reordered)));
	}
	return arr;
}

json_t *loom_gen_plane_host_json(const struct loom_fabric *f, const struct loom_gen_host *h)
{
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, "spread", json_string(loom_gen_plane_spread_name(h->nic->spread)));
	for (unsigned int p = 0; p < h->nic->n_planes; p++) {
		const struct loom_gen_plane *pl = &h->nic->plane[p];

		json_array_append_new(
			arr, json_pack("{s:i, s:s, s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "plane", (int)p,
				       "switch", f->switches[pl->sw].name, "port", (int)pl->port, "up", pl->up,
				       "tx_packets", ji(pl->tx_packets), "tx_bytes", ji(pl->tx_bytes), "rx_packets",
				       ji(pl->rx_packets), "rx_bytes", ji(pl->rx_bytes), "rx_feedback",
				       ji(pl->rx_feedback), "rx_marked", ji(pl->rx_marked), "carrier_losses",
				       ji(pl->carrier_losses), "congestion",
				       (double)pl->congestion / LOOM_GEN_CONGESTION_ONE));
	}
	json_object_set_new(o, "planes", arr);
	return o;
}
