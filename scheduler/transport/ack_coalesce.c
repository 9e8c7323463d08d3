/* SPDX-License-Identifier: BSD-3-Clause */
/* ACK coalescing at a transport's receiver (see loom/transport/ack_coalesce.h). */
#include "loom/transport/ack_coalesce.h"

void loom_ack_init(struct loom_ack_coalesce *st)
{
	*st = (struct loom_ack_coalesce){.block = LOOM_ACK_NO_BLOCK, .due = LOOM_TIME_NEVER};
}

bool loom_ack_flush_first(const struct loom_ack_coalesce *st, enum loom_ack_pkt pkt, uint64_t block)
{
	if (!st->pkts)
		return false;
	if (pkt == LOOM_ACK_PKT_NAK)
		return true; /* the NAK is never delayed; what was held is acknowledged before it */
	/* one ACK carries one block's selective bits */
	return pkt == LOOM_ACK_PKT_NEW && block != LOOM_ACK_NO_BLOCK && st->block != LOOM_ACK_NO_BLOCK &&
	       st->block != block;
}

enum loom_ack_action loom_ack_on_data(struct loom_ack_coalesce *st, const struct loom_ack_coalesce_cfg *cfg,
				      enum loom_ack_pkt pkt, bool ce, bool ack_req, uint64_t block, loom_time_ns now)
{
	switch (pkt) {
	case LOOM_ACK_PKT_DISCARD:
		return LOOM_ACK_NONE;
	case LOOM_ACK_PKT_NAK:
		return LOOM_ACK_SEND_NAK;
	case LOOM_ACK_PKT_DUPLICATE: /* the sender is resending what arrived: tell it at once */
		st->pkts++;
		st->ce += ce;
		return LOOM_ACK_SEND;
	case LOOM_ACK_PKT_NEW:
		break;
	}
	st->pkts++;
	st->ce += ce;
	if (block != LOOM_ACK_NO_BLOCK)
		st->block = block;
	if (ack_req || st->pkts >= cfg->every)
		return LOOM_ACK_SEND;
	if (st->due == LOOM_TIME_NEVER)
		st->due = now + cfg->delay;
	return LOOM_ACK_NONE;
}

void loom_ack_take(struct loom_ack_coalesce *st, uint32_t *pkts, uint32_t *ce)
{
	*pkts = st->pkts;
	*ce = st->ce;
	st->acks++;
	st->acked_pkts += st->pkts;
	st->pkts = st->ce = 0;
	st->block = LOOM_ACK_NO_BLOCK;
	st->due = LOOM_TIME_NEVER;
}

bool loom_ack_timer(struct loom_ack_coalesce *st, loom_time_ns now)
{
	if (st->due == LOOM_TIME_NEVER || now < st->due)
		return false;
	if (!st->pkts) { /* nothing held (flushed another way) */
		st->due = LOOM_TIME_NEVER;
		return false;
	}
	st->timer_acks++;
	return true;
}
