/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accounting of one virtual output queue at the ingress leaf of a
 * switch-scheduled fabric: the bytes it holds against its limit, the
 * credit it asked for and has, and what it may send. The caller keeps the
 * packets (a FIFO of mbufs in loomd); this says what to do with them:
 *
 *   on arrival:  loom_voq_admit()     -> keep it, or drop it (counted)
 *                loom_voq_to_request() -> bytes to ask the egress port for
 *   on a credit: loom_voq_credit()
 *                while (head and loom_voq_may_send()) send head; loom_voq_sent()
 *
 * A VOQ asks for exactly the bytes it holds beyond what it was granted or
 * has asked for; credits come in fixed sizes, so it may hold a little
 * credit (less than one credit) when it empties, and uses it for the next
 * packet. It sends whole packets while its credit balance is positive
 * (the balance may go below zero by less than one packet), as DNX does.
 */
#ifndef LOOM_VOQ_H
#define LOOM_VOQ_H

#include <stdbool.h>
#include <stdint.h>

struct loom_voq_stats {
	uint64_t in_pkts, in_bytes;
	uint64_t out_pkts, out_bytes;
	uint64_t drop_pkts, drop_bytes; /* over the byte limit */
	uint64_t requested;             /* bytes asked for */
	uint64_t granted;               /* bytes of credit received */
	uint64_t depth_max;             /* bytes */
};

struct loom_voq {
	uint64_t bytes;       /* held */
	uint32_t pkts;
	uint64_t limit;       /* bytes */
	int64_t balance;      /* credit bytes in hand (may be < 0 after a packet) */
	uint64_t outstanding; /* asked for, not yet granted */
	struct loom_voq_stats st;
};

static inline void loom_voq_init(struct loom_voq *q, uint64_t limit)
{
	*q = (struct loom_voq){.limit = limit};
}

/* A packet of `len` bytes arrives: true = keep it (counted in), false =
 * the VOQ is full (counted as a drop). */
bool loom_voq_admit(struct loom_voq *q, uint32_t len);
/* Bytes to ask for now (0: enough asked); counts them as outstanding. */
uint64_t loom_voq_to_request(struct loom_voq *q);
/* A credit of `bytes` arrived. */
void loom_voq_credit(struct loom_voq *q, uint32_t bytes);
/* May the head packet go now? */
static inline bool loom_voq_may_send(const struct loom_voq *q)
{
	return q->pkts > 0 && q->balance > 0;
}
/* The head packet of `len` bytes went out (as cells). */
void loom_voq_sent(struct loom_voq *q, uint32_t len);

#endif
