/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A window controller after UEC's NSCC (network-signal congestion
 * control, Ultra Ethernet Transport 1.0): the sender reads two signals
 * on every ACK, the ECN echo and the queueing delay (the RTT measured
 * from the data packet's own send time, echoed in the ACK, minus the base
 * RTT), and acts by quadrant:
 *
 * (the delay over the smaller of the base RTT and the smallest sample: a
 * base RTT configured for the fabric's longest path overstates a shorter
 * path's)
 *
 *                   delay < target           delay >= target
 *   no ECN mark     proportional increase    fair increase
 *   ECN mark        fair increase            multiplicative decrease
 *
 *  - multiplicative decrease only when both say congestion and the
 *    delay averaged over about a base RTT (avg: each sample weighs the
 *    time since the one before over the base RTT, at most all) is above
 *    target too, as UEC's decrease reads an average:
 *      cwnd <- cwnd (1 - min(gamma (avg - target) / avg, max_md)),
 *    once per window: an ACK of a packet sent before the last cut (its
 *    echoed send time earlier than the cut) does not cut again. A marked
 *    sample above target with the average below changes nothing (UEC's
 *    no-op): at line rate ACKs come every few hundred ns, and one sample
 *    from per-packet spreading's tail is not a standing queue (16 MB
 *    permutation, spray: 25 cuts a flow to none);
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
 * The window stays within min_cwnd..max_cwnd (below).
 *
 * Why NSCC and not Swift: Swift's one signal is delay against a target
 * scaled by hop count and flow count; it needs the hop count in the ACK
 * and still cuts on any queue above target. NSCC keeps DCTCP's ECN
 * (RED marks at 20-80 % of a BDP, which the switches already set) and
 * cuts only when delay confirms it, so per-packet spreading's transient
 * queues, which mark but do not last, cost no cut; and it is what the
 * htsim reference figures of issue 23 were produced with.
 *
 *  - quick adapt (UEC's): a NACK (a packet trimmed: a queue on its path
 *    was full) while the last delay sample is at least qa_trim_delay (a
 *    standing queue, not spreading's transient collision), or a delay
 *    sample above qa_delay, marks the flow; at the
 *    end of the interval (base RTT + target, UEC's) in which that
 *    happened, the window becomes what the flow had acknowledged over it
 *    scaled to one base RTT: the rate the path delivered, so the queue
 *    the flow built drains. Once per interval, and the ACKs and NACKs of packets
 *    sent before the quick adapt (their echoed send time) neither cut,
 *    increase nor trigger again: they tell of the window before it.
 *  - the cap follows the measured RTT: max_cwnd defaults to the larger of
 *    1.5 BDP and rate x srtt (srtt: an EWMA of the samples, gain
 *    1/8), never above rate x (base RTT + target): a window that keeps
 *    the line busy however long the RTT of spreading's queues is, up to
 *    the delay at which cuts take over;
 *  - a path shorter than the base RTT (the delay is measured above its
 *    smallest sample) has its increases scaled by (that / base RTT)^2:
 *    its ACKs come faster, and an equal window is a larger rate on it;
 *  - windows are byte-granular down to min_cwnd (one eighth of a packet
 *    by default): below pace_cwnd (one packet by default) the sender
 *    paces at cwnd / srtt (loom_nscc_pace_gap), so a fair share below one
 *    packet per RTT (a 32:1 incast's) is a rate, not a step of a packet.
 *
 * The receiver-driven credit half (UEC's RCCC) is loom/cc/rccc.h, beside it. Time is
 * passed in, nothing reads a clock.
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
	uint64_t min_cwnd;          /* bytes (> 0) */
	uint64_t max_cwnd;          /* bytes; 0: follows the RTT (above) */
	uint64_t pace_cwnd;         /* pace at cwnd / srtt below it; 0: never */
	loom_time_ns qa_delay;      /* quick adapt above it; 0: 4 x target */
	loom_time_ns qa_trim_delay; /* a NACK quick-adapts with the last delay at or above it; 0: target / 2 */
	bool start_at_cap;          /* the first window is the cap (1.5 BDP unless max_cwnd), as htsim's
				       NSCC sources start at their maximum window; needs a base RTT */
};

/* mss, rate; base RTT measured; the other defaults as above; min mss / 8,
 * pacing below one mss */
void loom_nscc_default(struct loom_nscc_cfg *cfg, uint32_t mss, uint64_t rate_bps);

struct loom_nscc {
	uint64_t cwnd;
	double cwnd_frac;        /* sub-byte increase carried between ACKs */
	loom_time_ns base_rtt;   /* configured, or the smallest sample so far (0: none yet) */
	loom_time_ns last_cut;   /* send time at or after which an ACK may cut again */
	uint64_t near_base_bytes;/* acknowledged since the delay was last above fast_qdelay */
	uint64_t cuts, increases_pi, increases_fi, increases_fast, samples, nacks, quick_adapts;
	loom_time_ns last_qdelay;
	double avg_qdelay;       /* the delay averaged over about a base RTT (the cut's measure) */
	loom_time_ns avg_at;     /* its last sample (0: none yet) */
	loom_time_ns min_rtt;    /* the smallest sample (0: none): the delay is measured above
				  * it where it is below the base RTT (a shorter path) */
	double rtt_scale;        /* (path's RTT / base RTT)^2 on the increases */
	loom_time_ns srtt;       /* EWMA of the RTT samples (0: none yet, nor a base) */
	/* quick adapt: the current interval (base RTT + target), what was acknowledged in
	 * it, whether a NACK or a delay above qa_delay came in it, and the
	 * send time before which feedback is of the window before the last one */
	loom_time_ns qa_start;
	uint64_t qa_acked;
	bool qa_pending;
	loom_time_ns qa_after;
	uint64_t acked_bytes, marked_bytes; /* every ACK's (marked: with the ECN echo), for the results */
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
/* A coalesced ACK (loom/transport/ack_coalesce.h) of `acked` new bytes of
 * which `marked` came CE-marked (its CE count over its packets): the
 * unmarked part, then the marked part, as loom_nscc_on_ack (nscc_counted.c). */
void loom_nscc_on_ack_counted(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint64_t acked, uint64_t marked,
			      loom_time_ns sent, loom_time_ns now);
/* A NACK at `now` of the packet sent at `sent` (trimmed). */
void loom_nscc_on_nack(struct loom_nscc *st, const struct loom_nscc_cfg *cfg, loom_time_ns sent, loom_time_ns now);
/* The window's cap now (bytes). */
uint64_t loom_nscc_max_cwnd(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg);
/* The gap (ns) after a packet of `bytes` payload when pacing (window below
 * pace_cwnd and an RTT known): bytes x srtt / cwnd; 0: no pacing. */
loom_time_ns loom_nscc_pace_gap(const struct loom_nscc *st, const struct loom_nscc_cfg *cfg, uint32_t bytes);

#endif
