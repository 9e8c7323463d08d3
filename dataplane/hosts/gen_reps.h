/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REPS in generator hosts (a flow's `entropy: reps`): the glue between
 * gen_host.c's senders and receivers and the pure algorithm of
 * scheduler/include/loom/lb/reps.h.
 *
 *  - sender: each packet's UDP source port (what the switches hash) is
 *    LOOM_GEN_ENTROPY_PORT_BASE + the EV REPS gives (0 .. SPAN - 1: the
 *    same ports per-packet random entropy draws from); a retransmission
 *    timeout the transport counted since the last packet freezes it, where
 *    the receiver's leaf port trims: as in the paper and htsim, a timeout
 *    means a failure only when congestion trims rather than drops (without
 *    trimming it may be congestion, and REPS does not freeze).
 *  - receiver: a REPS flow's ACKs and NACKs echo the source port of the
 *    newest data packet they answer in the feedback header's `ev` (0 for
 *    other flows: none), with its CE mark in `ece`; ACKs merged while
 *    queued merge only with the same `ece` (gen_cc.c), so the EV and its
 *    mark go together.
 *  - sender again: an ACK's EVs go to REPS with their CE marks (a
 *    coalesced ACK's, each packet's own, struct loom_gen_ev_echo), a
 *    NACK's is not recycled (for go-back-N the NAK's packet arrived but out
 *    of order; counted as a NACK all the same, the conservative reading);
 *    REPS itself decides what a mark means (loom_reps_on_ack: marks in a
 *    row), whatever the flow's congestion control; an echoed port outside
 *    the entropy range is counted (ev_invalid) and ignored.
 *
 * Needs ACKs: a recovering transport or DCTCP (control/ and gen_config.c
 * refuse other flows).
 */
#ifndef LOOM_GEN_REPS_H
#define LOOM_GEN_REPS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "loom/clock.h"
#include "loom/lb/reps.h"

/* Generator hosts' entropy ports (UDP source and destination): 49152..65535. */
#define LOOM_GEN_ENTROPY_PORT_BASE 49152u
#define LOOM_GEN_ENTROPY_PORT_SPAN 16384u

struct loom_gen_reps {
	struct loom_reps_cfg cfg;
	struct loom_reps r;
	uint64_t timeouts_seen; /* the transport's timeouts already given to REPS */
	uint64_t ev_invalid;    /* echoed ports outside the entropy range */
};

struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_feedback_hdr;
struct loom_gen_ev_echo;

/* At load: REPS's state for f, allocated (freed with the host's flows),
 * and its settings (trimming: the receiver's leaf port trims, so timeouts
 * freeze). 0, or -1 when out of memory. */
int loom_gen_reps_config(struct loom_gen_tx_flow *f, bool trimming);
/* Before a run: an empty buffer, seeded from the host's seed and the flow's id. */
void loom_gen_reps_start(const struct loom_gen_host *h, struct loom_gen_tx_flow *f);
/* The UDP source port of f's next packet, sent at `now`. */
uint16_t loom_gen_reps_src_port(struct loom_gen_tx_flow *f, loom_time_ns now);
/* A feedback packet for f arrived (its header as on the wire; evs: a
 * coalesced ACK's ports and marks, host order, or NULL: the header's port). */
void loom_gen_reps_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb,
			       const struct loom_gen_ev_echo *evs, loom_time_ns now);
/* The flow's `reps` results object. */
json_t *loom_gen_reps_json(const struct loom_gen_tx_flow *f);

#endif
