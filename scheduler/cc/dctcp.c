/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "loom/cc/dctcp.h"

void loom_dctcp_default(struct loom_dctcp_cfg *cfg, uint32_t mss)
{
	*cfg = (struct loom_dctcp_cfg){
		.mss = mss,
		.g = 1.0 / 16,
		.initial_alpha = 1.0,
		.init_cwnd = 10ull * mss,
		.min_cwnd = 2ull * mss,
		.max_cwnd = 0,
	};
}

void loom_dctcp_init(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg)
{
	memset(st, 0, sizeof(*st));
	st->cwnd = cfg->init_cwnd;
	st->ssthresh = UINT64_MAX;
	st->alpha = cfg->initial_alpha;
}

static void update_alpha(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t snd_nxt)
{
	if (st->window_started) {
		double f = st->acked_in_window ? (double)st->marked_in_window / (double)st->acked_in_window : 0;
		st->alpha = (1 - cfg->g) * st->alpha + cfg->g * f;
		st->alpha_updates++;
	}
	/* the first ACK only opens the first window: no data to judge yet */
	st->window_started = true;
	st->window_end = snd_nxt;
	st->acked_in_window = st->marked_in_window = 0;
}

static void grow(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t acked)
{
	if (st->cwnd < st->ssthresh) {
		st->cwnd += acked;
	} else {
		st->ca_bytes += acked;
		while (st->ca_bytes >= st->cwnd) {
			st->ca_bytes -= st->cwnd;
			st->cwnd += cfg->mss;
		}
	}
	if (cfg->max_cwnd && st->cwnd > cfg->max_cwnd)
		st->cwnd = cfg->max_cwnd;
}

void loom_dctcp_on_ack(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t ack_seq, bool ece,
		       uint64_t snd_nxt)
{
	loom_dctcp_on_ack_frac(st, cfg, ack_seq, ece, 1, snd_nxt);
}

void loom_dctcp_on_ack_frac(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t ack_seq, uint32_t ce,
			    uint32_t pkts, uint64_t snd_nxt)
{
	uint64_t acked, marked;
	bool ece = ce != 0;

	if (ack_seq <= st->snd_una && st->window_started)
		return;
	acked = ack_seq - st->snd_una;
	/* all of it when every packet was marked (the per-packet ACK's case) */
	marked = ce >= pkts ? acked : (uint64_t)((unsigned __int128)acked * ce / pkts);
	st->snd_una = ack_seq;
	st->acked_in_window += acked;
	st->marked_in_window += marked;
	st->acked_bytes += acked;
	st->marked_bytes += marked;
	if (!st->window_started || st->snd_una > st->window_end)
		update_alpha(st, cfg, snd_nxt);
	if (st->in_cwr && st->snd_una > st->cwr_end)
		st->in_cwr = false;
	if (ece && !st->in_cwr) {
		double w = (double)st->cwnd * (1 - st->alpha / 2);
		st->cwnd = w < (double)cfg->min_cwnd ? cfg->min_cwnd : (uint64_t)w;
		st->ssthresh = st->cwnd;
		st->ca_bytes = 0;
		st->in_cwr = true;
		st->cwr_end = snd_nxt;
		st->cuts++;
	} else if (!ece && !st->in_cwr) {
		grow(st, cfg, acked);
	}
}
