/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECN step / RED marking (see loom/tm/ecn_mark.h). Integer arithmetic only,
 * so that the dataplane and the virtual-time runner agree bit for bit.
 */
#include <errno.h>
#include <string.h>

#include "loom/tm/ecn_mark.h"

#define P32_ONE (1ull << 32)

int loom_ecn_cfg_check(const struct loom_ecn_cfg *cfg)
{
	if (cfg->wq_log2 > LOOM_ECN_WQ_LOG2_MAX || cfg->mean_pkt_bytes > LOOM_ECN_MEAN_PKT_MAX)
		return -EINVAL;
	switch (cfg->mode) {
	case LOOM_ECN_MODE_NONE:
	case LOOM_ECN_MODE_STEP:
		return 0;
	case LOOM_ECN_MODE_RED:
		if (cfg->kmin_bytes >= cfg->kmax_bytes || cfg->pmax > LOOM_ECN_P_ONE)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

void loom_ecn_state_init(struct loom_ecn_state *st)
{
	memset(st, 0, sizeof(*st));
}

void loom_ecn_queue_empty(struct loom_ecn_state *st, loom_time_ns now)
{
	st->idle = 1;
	st->idle_since = now;
}

/* a * b / 2^32 for a Q32 factor b <= 2^32, without overflow. */
static uint64_t mul_q32(uint64_t a, uint64_t b)
{
	return (a >> 32) * b + (((a & 0xffffffffull) * b) >> 32);
}

/* (1 - 2^-n)^m in Q32, by squaring: O(log m), deterministic. */
static uint64_t decay_factor(uint8_t n, uint64_t m)
{
	uint64_t base = P32_ONE - (P32_ONE >> n);
	uint64_t f = P32_ONE;

	while (m && f) {
		if (m & 1)
			f = mul_q32(f, base);
		base = mul_q32(base, base);
		m >>= 1;
	}
	return f;
}

/* Packets of mean size the link could have sent in `idle_ns`: idle time
 * over one packet's transmission time, the latter in picoseconds so that
 * it stays exact enough at 400G (64 B = 1280 ps). */
static uint64_t idle_packets(const struct loom_ecn_cfg *cfg, uint64_t idle_ns)
{
	uint64_t mean = cfg->mean_pkt_bytes ? cfg->mean_pkt_bytes : 1500;
	uint64_t pkt_ps;

	if (mean > LOOM_ECN_MEAN_PKT_MAX)
		mean = LOOM_ECN_MEAN_PKT_MAX;
	pkt_ps = (mean * 8000000000000ull + cfg->rate_bps / 2) / cfg->rate_bps;
	if (pkt_ps == 0)
		pkt_ps = 1;
	if (idle_ns > UINT64_MAX / 1000)
		return UINT64_MAX / pkt_ps;
	return idle_ns * 1000 / pkt_ps;
}

/* The idle decay of the average (loom_ecn_update_avg): as if m packets
 * of mean size had arrived to an empty queue while it was idle. */
uint64_t loom_ecn_idle_avg(const struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg, loom_time_ns now)
{
	uint64_t idle_ns = now > st->idle_since ? now - st->idle_since : 0;

	return mul_q32(st->avg, decay_factor(cfg->wq_log2, idle_packets(cfg, idle_ns)));
}

uint64_t loom_ecn_red_pb(const struct loom_ecn_cfg *cfg, uint64_t len)
{
	uint64_t range = cfg->kmax_bytes - cfg->kmin_bytes;

	if (len < cfg->kmin_bytes)
		return 0;
	if (len >= cfg->kmax_bytes)
		return P32_ONE;
	/* pmax <= 2^16 and len - kmin < range < 2^32: the product before
	 * the shift is below 2^48, after it below 2^64 */
	return (((uint64_t)cfg->pmax * (len - cfg->kmin_bytes)) << (32 - LOOM_ECN_P_SHIFT)) / range;
}


/* v * rate / ref, at least `floor_bytes`, saturating at 32 bits. */
static uint32_t scale_bytes(uint64_t v, uint64_t rate_bps, uint64_t ref_bps, uint32_t floor_bytes)
{
	uint64_t r;

	if (rate_bps > UINT64_MAX / v)
		return UINT32_MAX;
	r = v * rate_bps / ref_bps;
	if (r < floor_bytes)
		r = floor_bytes;
	return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

static void common_defaults(struct loom_ecn_cfg *cfg, uint64_t rate_bps)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->wq_log2 = 9;
	cfg->rate_bps = rate_bps;
	cfg->mean_pkt_bytes = 1500;
}

void loom_ecn_dctcp_default(struct loom_ecn_cfg *cfg, uint64_t rate_bps)
{
	common_defaults(cfg, rate_bps);
	cfg->mode = LOOM_ECN_MODE_STEP;
	cfg->k_bytes = scale_bytes(65 * 1500, rate_bps, 10000000000ull, 1500);
}

void loom_ecn_dcqcn_default(struct loom_ecn_cfg *cfg, uint64_t rate_bps)
{
	common_defaults(cfg, rate_bps);
	cfg->mode = LOOM_ECN_MODE_RED;
	cfg->kmin_bytes = scale_bytes(100000, rate_bps, 25000000000ull, 1500);
	cfg->kmax_bytes = scale_bytes(400000, rate_bps, 25000000000ull, 3000);
	cfg->pmax = (uint32_t)((LOOM_ECN_P_ONE * 2ull) / 10); /* 0.2 */
}
