/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECN marking per traffic class: DCTCP-style step threshold and
 * RED/WRED-style probabilistic marking, on the instantaneous or the
 * averaged queue length, in bytes.
 *
 * Why not DPDK's rte_red: scheduler/ has no DPDK, so that the dataplane,
 * the virtual-time runner and the unit tests run the very same code with
 * the time passed in; and rte_red counts the queue in packets and ties its
 * averaging and idle decay to TSC cycles, where switches (and DCQCN's
 * published thresholds) count bytes and we need nanoseconds of real or
 * virtual time.
 *
 * Only ECN-capable packets (ECT(0), ECT(1), or already CE) are marked.
 * A non-ECT packet is never marked: it is enqueued, or, only when the
 * class has a drop profile (wred_drop), dropped where an ECT packet would
 * have been marked. Drops otherwise happen only at queue/buffer limits,
 * outside this file.
 *
 * The arriving packet is judged on the queue it finds: `queue_bytes`
 * passed to loom_ecn_decide() is what is already queued in the class,
 * without the arriving packet.
 */
#ifndef LOOM_ECN_MARK_H
#define LOOM_ECN_MARK_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

enum loom_ecn_mode {
	LOOM_ECN_MODE_NONE = 0, /* never mark */
	LOOM_ECN_MODE_STEP = 1, /* mark when length >= k_bytes (DCTCP) */
	LOOM_ECN_MODE_RED = 2,  /* probability rising from kmin to kmax (DCQCN) */
};

enum loom_ecn_verdict {
	LOOM_ECN_ENQUEUE = 0,
	LOOM_ECN_ENQUEUE_MARK = 1, /* set CE, then enqueue */
	LOOM_ECN_DROP_WRED = 2,    /* non-ECT packet, drop profile enabled */
};

/* Probabilities are fixed point: LOOM_ECN_P_ONE is 1.0. */
#define LOOM_ECN_P_SHIFT 16
#define LOOM_ECN_P_ONE (1u << LOOM_ECN_P_SHIFT)

/* The average is kept in bytes << LOOM_ECN_AVG_SHIFT. */
#define LOOM_ECN_AVG_SHIFT 16
#define LOOM_ECN_WQ_LOG2_MAX 16
#define LOOM_ECN_MEAN_PKT_MAX 65536

struct loom_ecn_cfg {
	uint8_t mode;        /* enum loom_ecn_mode */
	uint8_t use_average; /* judge the average, not the instantaneous length */
	uint8_t wq_log2;     /* RED weight w_q = 2^-wq_log2, 0..16 (0: w = 1) */
	uint8_t wred_drop;   /* drop non-ECT packets on the same curve */
	uint32_t k_bytes;    /* STEP: threshold K */
	uint32_t kmin_bytes; /* RED: no marking below */
	uint32_t kmax_bytes; /* RED: every packet marked at and above */
	uint32_t pmax;       /* RED: probability at kmax, LOOM_ECN_P_ONE = 1 */
	/* Idle decay of the average: the link's rate (scaled, see
	 * loom_rate_scaled) and a typical packet size (0: 1500, at most
	 * LOOM_ECN_MEAN_PKT_MAX). With rate 0 an idle period counts as one
	 * empty-queue sample. */
	uint64_t rate_bps;
	uint32_t mean_pkt_bytes;
};

struct loom_ecn_stats {
	uint64_t pkts;           /* every packet decided */
	uint64_t marked_early;   /* RED, kmin <= len < kmax, drawn */
	uint64_t marked_forced;  /* STEP at/above K, RED at/above kmax */
	uint64_t dropped_early;  /* as marked_early, non-ECT with drop profile */
	uint64_t dropped_forced; /* as marked_forced, non-ECT with drop profile */
	uint64_t non_ect_passed; /* non-ECT at/above the (lower) threshold,
				  * no drop profile: enqueued as is */
};

struct loom_ecn_state {
	uint64_t avg;            /* bytes << LOOM_ECN_AVG_SHIFT; kept while use_average */
	uint64_t count;          /* packets since the last mark/drop that
				  * were not marked (0 below kmin) */
	loom_time_ns idle_since; /* valid when idle */
	uint8_t idle;            /* the queue emptied at idle_since */
	struct loom_ecn_stats st;
};

/* 0, or -EINVAL (unknown mode, kmin >= kmax, pmax > 1, wq_log2 > 16,
 * mean_pkt_bytes too large). */
int loom_ecn_cfg_check(const struct loom_ecn_cfg *cfg);

void loom_ecn_state_init(struct loom_ecn_state *st);

/* The class's queue has just become empty (the dequeue took its last
 * packet): the next arrival decays the average by the idle time. */
void loom_ecn_queue_empty(struct loom_ecn_state *st, loom_time_ns now);

/*
 * Decide for a packet arriving at `now` to a class holding `queue_bytes`.
 * `ect`: the packet is ECN-capable. `rand_u32`: a uniform 32-bit random
 * number (passed in so that tests and the virtual-time runner are
 * deterministic); only read in RED's probabilistic band.
 *
 * STEP marks when the length (instantaneous or average) is >= k_bytes:
 * a packet that finds K-1 bytes queued is not marked, one that finds K
 * bytes is.
 *
 * RED (Floyd & Jacobson, "Random Early Detection Gateways for Congestion
 * Avoidance", 1993): the average is updated on every arrival,
 *	avg <- (1 - w) avg + w q,
 * or, when the queue was idle, decayed as if m packets of mean size had
 * arrived to an empty queue while it was idle,
 *	avg <- (1 - w)^m avg,  m = idle time / (mean_pkt_bytes * 8 / rate);
 * with len = avg (use_average) or q, and count the packets since the last
 * mark that were not marked:
 *	len < kmin:          no mark, count = 0
 *	kmin <= len < kmax:  p_b = pmax (len - kmin) / (kmax - kmin),
 *	                     p_a = p_b / (1 - count p_b) (1 when count p_b >= 1),
 *	                     mark when rand_u32 < p_a * 2^32 (count = 0),
 *	                     else count++
 *	len >= kmax:         mark, count = 0
 * The count spreads marks evenly: at a constant p_b the gap between marks
 * is uniform on 1..1/p_b instead of geometric. Non-ECT packets without a
 * drop profile do not take part in the draw (they neither consume nor
 * reset the count).
 * No "gentle" region: at and above kmax every packet is marked (dropped).
 */
static inline enum loom_ecn_verdict loom_ecn_decide(struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg,
						    uint32_t queue_bytes, bool ect, uint32_t rand_u32,
						    loom_time_ns now);

/* The average in whole bytes. */
static inline uint64_t loom_ecn_avg_bytes(const struct loom_ecn_state *st)
{
	return st->avg >> LOOM_ECN_AVG_SHIFT;
}

/* p_b for a length, as a fraction of 2^32 (the probability of a mark for
 * the first packet after a mark); 0 below kmin, 2^32 at/above kmax. */
uint64_t loom_ecn_red_pb(const struct loom_ecn_cfg *cfg, uint64_t len_bytes);

/*
 * Published defaults, scaled linearly with the link's rate (pass the
 * scaled rate, see loom_rate_scaled): thresholds follow the
 * bandwidth-delay product.
 *
 * DCTCP (Alizadeh et al., SIGCOMM 2010): K = 65 packets of 1500 B at
 * 10 Gb/s (97 500 B), step, instantaneous queue.
 *
 * DCQCN (as used e.g. in the HPCC paper's comparisons): Kmin = 100 KB,
 * Kmax = 400 KB, Pmax = 0.2 at 25 Gb/s (KB = 1000 B), instantaneous queue
 * (as switch ASICs apply it). Pmax is 13107/65536 (0.19999695).
 *
 * Thresholds are at least one 1500-byte packet (kmax two), so that a very
 * slow (heavily scaled) link does not mark an empty queue. Both set
 * w_q = 2^-9 (~0.002, Floyd's suggestion) for use_average, mean packet
 * 1500 B, no drop profile.
 */
void loom_ecn_dctcp_default(struct loom_ecn_cfg *cfg, uint64_t rate_bps);
void loom_ecn_dcqcn_default(struct loom_ecn_cfg *cfg, uint64_t rate_bps);

/* ---- the decision, inline: it runs for every packet a TM port queues,
 * and it has more than one caller (the TM, the cell fabric's VOQs), which
 * would make the compiler call it out of line (+24 instructions a packet
 * measured), as include/net/red.h keeps Linux's RED in its header. ---- */

/* The idle decay of the average (ecn_mark.c: a loop of multiplies, rare). */
uint64_t loom_ecn_idle_avg(const struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg, loom_time_ns now);

static inline void loom_ecn_update_avg(struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg,
				       uint32_t queue_bytes, loom_time_ns now)
{
	uint64_t q = (uint64_t)queue_bytes << LOOM_ECN_AVG_SHIFT;
	uint8_t n = cfg->wq_log2;

	if (st->idle && queue_bytes == 0 && cfg->rate_bps != 0) {
		st->avg = loom_ecn_idle_avg(st, cfg, now);
		st->idle = 0;
		return;
	}
	st->idle = 0;
	/* avg += (q - avg) * 2^-n, each direction on its own so that no
	 * negative number is shifted */
	if (q >= st->avg)
		st->avg += (q - st->avg) >> n;
	else
		st->avg -= (st->avg - q) >> n;
}

/* Floyd's draw: act when rand < p_a = p_b / (1 - count p_b), i.e. when
 * rand * (2^32 - count p_b) < p_b * 2^32, all in integers. */
static inline bool loom_ecn_red_draw(uint64_t count, uint64_t pb, uint32_t rand_u32)
{
	const uint64_t one = 1ull << 32;
	uint64_t cpb;

	if (pb == 0)
		return false;
	if (pb >= one)
		return true;
	/* count >= floor(2^32 / p_b) means count p_b > 1 - p_b, so that
	 * p_a > 1: act. Below it count p_b < 2^32 cannot overflow. */
	if (count >= one / pb)
		return true;
	cpb = count * pb;
	return (uint64_t)rand_u32 * (one - cpb) < (pb << 32);
}

enum loom_ecn_action { LOOM_ECN_ACT_NONE, LOOM_ECN_ACT_EARLY, LOOM_ECN_ACT_FORCED };

static inline enum loom_ecn_verdict loom_ecn_act(struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg,
						 enum loom_ecn_action a, bool ect)
{
	if (a == LOOM_ECN_ACT_NONE)
		return LOOM_ECN_ENQUEUE;
	if (ect) {
		if (a == LOOM_ECN_ACT_EARLY)
			st->st.marked_early++;
		else
			st->st.marked_forced++;
		return LOOM_ECN_ENQUEUE_MARK;
	}
	if (cfg->wred_drop) {
		if (a == LOOM_ECN_ACT_EARLY)
			st->st.dropped_early++;
		else
			st->st.dropped_forced++;
		return LOOM_ECN_DROP_WRED;
	}
	st->st.non_ect_passed++;
	return LOOM_ECN_ENQUEUE;
}

/*
 * `count` is the number of packets since the last mark that were not
 * marked (Floyd & Jacobson's "method 2"): the n-th packet after a mark is
 * drawn with p_a = p_b / (1 - (n - 1) p_b), which makes the gap uniform on
 * 1..1/p_b. (Their detailed pseudo-code increments count before using it,
 * which would give 1..1/p_b - 1.)
 */
static inline enum loom_ecn_action loom_ecn_red_decide(struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg,
							uint64_t len, bool takes_part, uint32_t rand_u32)
{
	if (len < cfg->kmin_bytes) {
		st->count = 0;
		return LOOM_ECN_ACT_NONE;
	}
	if (len >= cfg->kmax_bytes) {
		if (takes_part)
			st->count = 0;
		return LOOM_ECN_ACT_FORCED;
	}
	if (!takes_part)
		return LOOM_ECN_ACT_EARLY; /* reported as passed, no draw */
	if (loom_ecn_red_draw(st->count, loom_ecn_red_pb(cfg, len), rand_u32)) {
		st->count = 0;
		return LOOM_ECN_ACT_EARLY;
	}
	st->count++;
	return LOOM_ECN_ACT_NONE;
}

static inline enum loom_ecn_verdict loom_ecn_decide(struct loom_ecn_state *st, const struct loom_ecn_cfg *cfg,
						    uint32_t queue_bytes, bool ect, uint32_t rand_u32,
						    loom_time_ns now)
{
	bool takes_part = ect || cfg->wred_drop;
	enum loom_ecn_action a = LOOM_ECN_ACT_NONE;
	uint64_t len;

	st->st.pkts++;
	/* The average is kept only while something judges it: its idle decay
	 * is a loop of multiplies, and a queue that drains between bursts
	 * pays it on every burst's first packet. */
	if (cfg->use_average) {
		loom_ecn_update_avg(st, cfg, queue_bytes, now);
		len = loom_ecn_avg_bytes(st);
	} else {
		st->idle = 0;
		len = queue_bytes;
	}

	switch (cfg->mode) {
	case LOOM_ECN_MODE_STEP:
		if (len >= cfg->k_bytes)
			a = LOOM_ECN_ACT_FORCED;
		break;
	case LOOM_ECN_MODE_RED:
		a = loom_ecn_red_decide(st, cfg, len, takes_part, rand_u32);
		break;
	default:
		break;
	}
	return loom_ecn_act(st, cfg, a, ect);
}

#endif
