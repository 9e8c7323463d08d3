/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REPS, Recycled Entropy Packet Spraying (Bonato et al., 2024; UEC's
 * endpoint load balancing, htsim's UecMpReps): a sender that sprays its
 * packets over the fabric's paths by the entropy value (EV) it puts in each
 * packet (the switches hash it), and learns which EVs are good from its ACKs.
 *
 *  - The receiver echoes each data packet's EV in its ACK, with whether the
 *    packet arrived ECN-marked (one ACK for several packets: the newest EV).
 *  - An ACK of an unmarked packet gives its EV back: it goes into a small
 *    circular buffer (LOOM_REPS_BUFFER EVs; a full buffer forgets its
 *    oldest). A NACK's EV (the packet was trimmed) and a lost packet's (no
 *    ACK at all) are not recycled.
 *  - A marked packet's EV is dropped when it comes back marked several
 *    times in a row (strikes, 2 or 3); a mark before that is forgiven and
 *    the EV recycled. 2 when the flow's marks are few; 3 when the flow's
 *    marked share p is such that p^2 >= 1/16 (p >= 1/4: every path marks
 *    alike, and two in a row says little about one). Loom's choice; the
 *    paper drops at the first mark (strikes 1). Spraying's queues mark a
 *    packet here and there on every path, and dropping each such EV for a
 *    random one churned every flow's set of paths (16 MB permutation,
 *    ACKs 4 to 1: 1.128 x ideal); never dropping one (as a reading
 *    through NSCC's delay target came to) kept each flow on the ~48 EVs
 *    it drew at the start, whose uneven spread over the spines stood for
 *    the whole run (uplink queues 0.8-69 KB, 1.110). Two in a row: 1.056,
 *    three: 1.069, 2 or 3 by the share: 1.054 (with an ACK a packet, where
 *    every path marks, 1.085, 1.068, 1.062).
 *  - Each new packet takes the oldest EV in the buffer (each one once:
 *    recycling, not reuse); with the buffer empty (at the start, or every
 *    path marking) it explores: a fresh EV, uniform at random.
 *  - Freezing (the paper's failure mode): a retransmission timeout, with
 *    trimming the sign of a failure rather than of congestion, freezes the
 *    buffer for freeze_ns: new packets cycle through the EVs it holds (the
 *    last that came back good), valid or already used, rather than
 *    exploring paths that may lead into the failure; good ACKs still
 *    refresh it. After the freeze the buffer is emptied and the next
 *    explore_after_freeze packets explore. With the buffer empty when
 *    frozen, a packet explores.
 *
 * Pure C, time passed in; the random EVs come from the struct's own
 * xorshift state, so one seed gives one sequence. EVs are 0 .. n_evs - 1:
 * the caller maps them to the packet's field (the generator hosts' UDP
 * source port, dataplane/hosts/gen_reps.c).
 */
#ifndef LOOM_LB_REPS_H
#define LOOM_LB_REPS_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

/* The paper's and htsim's buffer (CircularBufferREPS's default size). */
#define LOOM_REPS_BUFFER 8u
/* htsim's exit_freeze_after (10 ms) and the EVs explored after a freeze (16). */
#define LOOM_REPS_FREEZE_NS 10000000u
#define LOOM_REPS_EXPLORE_AFTER_FREEZE 16u
/* Marks in a row on one EV that drop it, at least and at most (see
 * loom_reps_on_ack), and the odds a run must have for a path marking at
 * the flow's average share. */
#define LOOM_REPS_STRIKES 2u
#define LOOM_REPS_STRIKES_MAX 3u
#define LOOM_REPS_RUN_ODDS 16u
/* The marks-in-a-row counters: 2 bits each, indexed by the EV's low bits. */
#define LOOM_REPS_STRIKE_SLOTS 1024u

struct loom_reps_cfg {
	uint32_t n_evs;              /* EVs drawn from 0 .. n_evs - 1 (> 0, at most 65536) */
	loom_time_ns freeze_ns;      /* a timeout freezes the buffer this long; 0: never freezes */
	uint16_t explore_after_freeze;
	uint8_t strikes;             /* marks in a row on one EV that drop it, at least: 1 (the paper) .. 3 */
	uint8_t strikes_max;         /* ... and at most (3 at most), as the flow's marks are spread (= strikes: fixed) */
};

struct loom_reps_stats {
	uint64_t recycled;     /* packets sent on an EV from the buffer (not frozen) */
	uint64_t explored;     /* packets sent on a fresh random EV */
	uint64_t frozen_sends; /* packets sent on a buffered EV while frozen */
	uint64_t good;         /* EVs that came back unmarked (into the buffer) */
	uint64_t marked;       /* EVs dropped for coming back ECN-marked `strikes` times in a row */
	uint64_t forgiven;     /* EVs that came back marked, fewer times in a row: kept */
	uint64_t nacked;       /* EVs of NACKs (dropped) */
	uint64_t freezes;      /* timeouts that froze the buffer */
};

struct loom_reps {
	uint16_t ev[LOOM_REPS_BUFFER];
	uint8_t head;          /* the slot the next good EV is written to */
	uint8_t fresh;         /* EVs not used yet: the `fresh` slots before head */
	uint8_t filled;        /* slots ever written since the last reset (frozen mode cycles over them) */
	uint8_t frozen_next;   /* the slot frozen mode sends on next */
	bool frozen;
	uint16_t explore_left; /* packets that still explore after a freeze */
	loom_time_ns frozen_until;
	uint64_t rng;          /* xorshift64 state, never 0 */
	int32_t mark_share;    /* the share of EVs that came back marked, an EWMA in 1/65536 */
	uint64_t strike[LOOM_REPS_STRIKE_SLOTS * 2 / 64]; /* marks in a row, 2 bits per slot */
	struct loom_reps_stats st;
};

/* Defaults for n_evs EVs: freezing as htsim's (10 ms, 16 explored after). */
void loom_reps_default(struct loom_reps_cfg *c, uint32_t n_evs);
/* An empty buffer; seed 0 is taken as 1 (xorshift's fixed point). */
void loom_reps_init(struct loom_reps *r, uint64_t seed);
/* The EV for the next packet sent at `now`. */
uint16_t loom_reps_next(struct loom_reps *r, const struct loom_reps_cfg *c, loom_time_ns now);
/* An ACK echoed `ev` (marked: the packet it acknowledges was CE-marked). */
void loom_reps_on_ack(struct loom_reps *r, const struct loom_reps_cfg *c, uint16_t ev, bool marked, loom_time_ns now);
/* A NACK echoed `ev`: the packet was trimmed on its path. */
void loom_reps_on_nack(struct loom_reps *r, const struct loom_reps_cfg *c, uint16_t ev, loom_time_ns now);
/* The retransmission timer fired at `now`. */
void loom_reps_on_timeout(struct loom_reps *r, const struct loom_reps_cfg *c, loom_time_ns now);
/* EVs in the buffer not used yet. */
static inline unsigned int loom_reps_fresh(const struct loom_reps *r)
{
	return r->fresh;
}

#endif
