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
 * A VOQ asks for the bytes it holds beyond what it was granted or has
 * asked for; credits come in fixed sizes, so it may hold a little credit
 * (less than one credit) when it empties, and uses it for the next
 * packet. It sends whole packets while its credit balance is positive
 * (the balance may go below zero by less than one packet), as DNX does.
 *
 * Requests ahead (loom_voq_arrived, loom_voq_ahead, loom_voq_need,
 * loom_voq_to_request_ahead): asked for only once it holds them, every
 * byte waits at the VOQ for one request-credit round trip, and a sender
 * whose window is about one RTT of the fabric's delay (NSCC's 1.5 BDP)
 * stalls for it (issue 23's 16 MB permutation: senders blocked by their
 * window 2.3 % of the time, RTT up to 18 us against 11 on average). A VOQ
 * therefore keeps covered, by credit in hand and asked for, what it
 * holds or, if more, what it expects: the caller's figure, in loomd what
 * arrived in the last request round trip (the larger of the last whole
 * window and the one in progress) and one credit, so that the credit for
 * what comes next is on its way when it comes, as a DNX VOQ's credits
 * keep flowing while it reports itself busy. A backlogged VOQ asks for
 * what it holds, as before (asking for the expected bytes on top, the
 * k=4 fat tree with a spine's superspine link cut lost 89-101 cells at
 * that spine's queue and up to 20 packets a flow, against 6:
 * test_superspine_link_down_delivery_continues). What a VOQ is granted
 * ahead and never uses is at most one round trip of its own arrivals and
 * a credit (a 32:1 incast's VOQs, each at 1/32 of the port, ask for
 * little ahead).
 *
 * Standing credit (loom_voq_set_standing): asked for only once they
 * arrive, a flow's first bytes wait a whole request round trip, and so
 * does the first ACK of the flow back (issue 23's 16 MB permutation: the
 * first RTT 17.8 us against 9.8 of wire and links); at equal arrival and
 * credit rates the backlog that round trip leaves never drains, and the
 * flow's last packet waits for it too. A VOQ may therefore run up to
 * `standing` bytes ahead of its grants (a packet goes on it if it fits in
 * what is left: loom_voq_may_send_head) and asks, as before, for every
 * byte it sends, so the credits that
 * come pay back what it spent ahead (the port is granted no byte more in
 * the long run). What a port receives beyond its credits is at most
 * `standing` per VOQ sending to it; the egress port's
 * flow control (egress_limit) withholds credits while that is queued.
 */
#ifndef LOOM_VOQ_H
#define LOOM_VOQ_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

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
	/* arrivals per window (the request round trip): ahead of time */
	uint64_t arr_cur, arr_prev; /* bytes in the window in progress, the last whole one */
	loom_time_ns arr_start;     /* of the window in progress */
	int64_t standing;           /* bytes it may send ahead of its grants (0: none) */
	struct loom_voq_stats st;
};

static inline void loom_voq_init(struct loom_voq *q, uint64_t limit)
{
	*q = (struct loom_voq){.limit = limit};
}

/* The VOQ may send up to `bytes` ahead of the credit it was granted. */
static inline void loom_voq_set_standing(struct loom_voq *q, uint32_t bytes)
{
	q->standing = bytes;
}

/* A packet of `len` bytes arrives: true = keep it (counted in), false =
 * the VOQ is full (counted as a drop). */
bool loom_voq_admit(struct loom_voq *q, uint32_t len);
/* Bytes to ask for now (0: enough asked); counts them as outstanding. */
uint64_t loom_voq_to_request(struct loom_voq *q);
/* `len` bytes were admitted at `now`: counted in the window of `window`
 * ns (the request round trip) they fall in. */
void loom_voq_arrived(struct loom_voq *q, uint32_t len, loom_time_ns now, loom_time_ns window);

/* Bytes to ask for ahead of those held at `now`: the larger of the last
 * whole window's arrivals and the current one's (0 after two windows
 * without any, or with window 0). */
uint64_t loom_voq_ahead(struct loom_voq *q, loom_time_ns now, loom_time_ns window);

/* Bytes not covered by credit in hand or asked for (<= 0: none) of those
 * held, or of `ahead` (expected within a round trip) if more. */
int64_t loom_voq_need(const struct loom_voq *q, uint64_t ahead);

/* As loom_voq_to_request(), covering `ahead` bytes if more than those
 * held (loom_voq_need). */
uint64_t loom_voq_to_request_ahead(struct loom_voq *q, uint64_t ahead);

/* A credit of `bytes` arrived. */
void loom_voq_credit(struct loom_voq *q, uint32_t bytes);
/* May the head packet go now, on credit? */
static inline bool loom_voq_may_send(const struct loom_voq *q)
{
	return q->pkts > 0 && q->balance > 0;
}

/* May the head packet, of `len` bytes, go now: on credit, or on what is
 * left of the standing credit if it fits there whole (so that what goes
 * ahead of the grants never exceeds the standing credit: one of 512
 * bytes lets ACKs go ahead, never a data packet). */
static inline bool loom_voq_may_send_head(const struct loom_voq *q, uint32_t len)
{
	return q->pkts > 0 && (q->balance > 0 || q->balance + q->standing >= (int64_t)len);
}
/* The head packet of `len` bytes went out (as cells). */
void loom_voq_sent(struct loom_voq *q, uint32_t len);

#endif
