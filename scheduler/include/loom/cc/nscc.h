/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A window controller after UEC's NSCC (network-signal congestion
 * control, Ultra Ethernet Transport 1.0): the sender reads two signals
 * on every ACK, the ECN echo and the queueing delay (the RTT measured
 * from the data packet's own send time, echoed in the ACK, minus the base
 * RTT), and acts by quadrant:
 *
 *                   delay < target           delay >= target
 *   no ECN mark     proportional increase    fair increase
 *   ECN mark        fair increase            multiplicative decrease
 *
 *  - multiplicative decrease only when both say congestion:
 *      cwnd <- cwnd (1 - min(gamma (q - target) / q, max_md)),
 *    once per window: an ACK of a packet sent before the last cut (its
 *    echoed send time earlier than the cut) does not cut again;
 *  - proportional increase: cwnd grows by pi_bytes x (target - q) / target
 *    per window (per ACK: that x acked / cwnd);
 *  - fair increase: fi_bytes per window (per ACK: fi_bytes x acked / cwnd):
 *    a mark with a short queue is a transient queue of per-packet
 *    spreading, a long queue without marks is one already draining (or a
 *    path the mark did not see): neither is a reason to back off;
 *  - fast increase: once a whole window's bytes were acknowledged with the
 *    delay within fast_qdelay of the base RTT (the path is empty), every
 *    further such ACK adds what it acknowledges (the window doubles per
 *    RTT) until a sample above it.
 * The window stays within min_cwnd..max_cwnd; max_cwnd defaults to
 * 1.5 BDP (rate x base RTT), as htsim's UEC sources cap it.
 *
 * Why NSCC and not Swift: Swift's one signal is delay against a target
 * scaled by hop count and flow count; it needs the hop count in the ACK
 * and still cuts on any queue above target. NSCC keeps DCTCP's ECN
 * (RED marks at 20-80 % of a BDP, which the switches already set) and
 * cuts only when delay confirms it, so per-packet spreading's transient
 * queues, which mark but do not last, cost no cut; and it is what the
 * htsim reference figures of issue 23 were produced with.
 *
 *  - a NACK (a packet trimmed: some queue on its path was full) takes one
 *    packet off the window (the transport resends the packet): a bounded
 *    stand-in for NSCC's quick adapt, which resets the window to what was
 *    acknowledged over the last base RTT after losses; without it an
 *    incast whose target is above what the bottleneck queue can hold
 *    keeps trimming.
 *
 * Not modelled: quick adapt itself and the receiver-driven credit half
 * (UEC's RCCC). Time is passed in, nothing reads a clock.
 */
#ifndef LOOM_NSCC_H
#define LOOM_NSCC_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

struct loom_nscc_cfg {
	uint32_t mss;               /* bytes per packet's payload */
	uint64_t rate_bps;          /* the sender's line rate (for the BDP) */
	loom_time_ns base_rtt;      /* unloaded RTT; 0: the smallest sample seen */
	loom_time_ns target_qdelay; /* 0: base RTT x 3/4 */
	loom_time_ns fast_qdelay;   /* fast increase below it; 0: base RTT / 20 */
	double gamma;               /* multiplicative-decrease gain, 0.8 */
	double max_md;              /* largest cut per window, 0.5 */
	uint64_t pi_bytes;          /* proportional increase per window at zero delay; 0: BDP / 8 */
	uint64_t fi_bytes;          /* fair increase per window; 0: one mss */
	uint64_t init_cwnd;         /* bytes; 0: one BDP (10 mss while the base RTT is unknown) */
	uint64_t min_cwnd;          /* bytes */
	uint64_t max_cwnd;          /* bytes; 0: 1.5 BDP */
};

/* mss, rate; base RTT measured; the other defaults as above; min 1 mss */
void loom_nscc_default(struct loom_nscc_cfg *cfg, uint32_t mss, uint64_t rate_bps);

struct loom_nscc {
	uint64_t cwnd;
	double cwnd_frac;        /* sub-byte increase carried between ACKs */
	loom_time_ns base_rtt;   /* configured, or the smallest sample so far (0: none yet) */
	loom_time_ns last_cut;   /* send time at or after which an ACK may cut again */
	uint64_t near_base_bytes;/* acknowledged since the delay was last above fast_qdelay */
	uint64_t cuts, increases_pi, increases_fi, increases_fast, samples, nacks;
	loom_time_ns last_qdelay;
};

void loom_nscc_init(struct loom_nscc *st, const struct loom_nscc_cfg *cfg);
/* The BDP (bytes) for the current base RTT (0 while unknown). */
uint64_t loom_nscc_bdp(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg);
/* The queueing-delay target (ns) for the current base RTT. */
loom_time_ns loom_nscc_target(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg);
/* An ACK at `now` of `acked` new bytes (cumulative or selective) for the
 * packet sent at `sent` (the echoed timestamp), with the ECN echo `ecn`. */
void loom_nscc_on_ack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint64_t acked, bool ecn,
		      loom_time_ns sent, loom_time_ns now);
/* A NACK: one of its packets was trimmed. */
void loom_nscc_on_nack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg);

#endif
