/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACK coalescing at a receiver of a recovering transport (go_back_n.h,
 * selective_repeat.h), as NICs and htsim's UEC sink do it: one ACK per
 * `every` data packets instead of one per packet, so that ACKs take
 * 1 / every of the reverse path's bandwidth.
 *
 * The receiver holds the ACK of a new in-order or out-of-order packet
 * until `every` packets are held, and sends it at once when:
 *  - the packet asks for it (the sender's ACK request: the flow's last
 *    packet, a retransmission, or a packet that filled the sender's
 *    window, which waits for this ACK to send again);
 *  - the packet is a duplicate (the sender is resending what it has);
 *  - a packet is trimmed or opens a go-back-N gap: its NAK goes at once,
 *    never delayed (and the ACK held before it goes first);
 *  - selective repeat: a packet above the cumulative point falls in a
 *    different 64-PSN block than the held ones (one ACK carries one
 *    block's selective bits: the held block is acknowledged first);
 *  - the flow completed (the caller flushes: loom_ack_flush);
 *  - the delayed-ACK timer: `delay` after the first packet held, so a
 *    tail never waits for ever.
 * No ACK is sent on a CE change: each ACK carries how many data packets it
 * acknowledges and how many of them were CE-marked, and the sender's CC
 * scales its per-ACK reaction by that fraction (loom_dctcp_on_ack_frac,
 * loom_nscc_on_ack_counted). every = 1 is an ACK per packet (the default).
 *
 * Time is passed in; nothing reads a clock.
 */
#ifndef LOOM_ACK_COALESCE_H
#define LOOM_ACK_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

#define LOOM_ACK_EVERY_MAX 64u          /* one ACK's selective bits cover one 64-PSN block */
#define LOOM_ACK_NO_BLOCK UINT64_MAX

struct loom_ack_coalesce_cfg {
	uint32_t every;     /* 1 .. LOOM_ACK_EVERY_MAX */
	loom_time_ns delay; /* > 0 */
};

struct loom_ack_coalesce {
	uint32_t pkts, ce;    /* data packets held (and CE-marked ones among them) */
	uint64_t block;       /* 64-PSN block of held packets above the cumulative point */
	loom_time_ns due;     /* delayed-ACK timer; LOOM_TIME_NEVER when nothing is held */
	uint64_t acks;        /* ACKs sent */
	uint64_t acked_pkts;  /* data packets those ACKs acknowledged */
	uint64_t timer_acks;  /* of them, sent by the timer */
};

/* What the receiver made of a data packet (its transport's verdict). */
enum loom_ack_pkt {
	LOOM_ACK_PKT_NEW,       /* new data */
	LOOM_ACK_PKT_DUPLICATE, /* had it */
	LOOM_ACK_PKT_NAK,       /* trimmed, or a go-back-N gap: NAK it */
	LOOM_ACK_PKT_DISCARD,   /* dropped silently */
};

enum loom_ack_action {
	LOOM_ACK_NONE,     /* nothing to send (held, or discarded) */
	LOOM_ACK_SEND,     /* send an ACK of everything held (loom_ack_take) */
	LOOM_ACK_SEND_NAK, /* send the NAK */
};

void loom_ack_init(struct loom_ack_coalesce *st);

/* Before a data packet is taken: whether the ACK held so far must go
 * first (its NAK, or selective repeat's packet above the cumulative point
 * in another 64-PSN block than the held ones: `block`, LOOM_ACK_NO_BLOCK
 * when it is not above it). The caller then sends that ACK (loom_ack_take). */
bool loom_ack_flush_first(const struct loom_ack_coalesce *st, enum loom_ack_pkt pkt, uint64_t block);

/* A data packet at `now`: its verdict, whether it was CE-marked, whether
 * the sender asked for an ACK, its block as above. What to send now. */
enum loom_ack_action loom_ack_on_data(struct loom_ack_coalesce *st, const struct loom_ack_coalesce_cfg *cfg,
				      enum loom_ack_pkt pkt, bool ce, bool ack_req, uint64_t block, loom_time_ns now);

/* An ACK is sent now: what it acknowledges (data packets, CE-marked ones);
 * the state starts again with nothing held. */
void loom_ack_take(struct loom_ack_coalesce *st, uint32_t *pkts, uint32_t *ce);

/* Whether anything is held (an ACK to flush: the flow completed). */
static inline bool loom_ack_held(const struct loom_ack_coalesce *st)
{
	return st->pkts != 0;
}

/* The timer at `now`: true when it fired (send an ACK: loom_ack_take). */
bool loom_ack_timer(struct loom_ack_coalesce *st, loom_time_ns now);

#endif
