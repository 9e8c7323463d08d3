/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VOQ's requests ahead (loom/cell/voq.h) with the egress port's credit
 * scheduler (loom/cell/credit_sched.h), on a scripted sequence: one VOQ
 * fed with 4096-byte packets every 400 ns (81.92 Gb/s) for 200 us, its
 * requests and credits each 2 us on the way (a two-hop fabric of 1 us
 * links: a 4 us round trip), the port granting 4096-byte credits at
 * 100 Gb/s. The VOQ asks as the ingress leaf does (cell_ingress.c,
 * maybe_request): what it holds or, if more, what it expects (voq_ahead), beyond its
 * balance and what is outstanding; while requests are out only in
 * credit-sized steps; on every arrival and every credit.
 *  - without requests ahead every packet waits a whole round trip (4 us
 *    and up to one credit interval more) for its credit;
 *  - with them (the window the round trip; a round trip's arrivals and one
 *    credit kept covered, as cell_ingress.c does) the packets of the first
 *    round trip wait for it (nothing was known), the backlog they leave
 *    drains at the port's rate above the VOQ's (by 22 us), and from then
 *    on no packet waits more than a third of the round trip (1.2 us); what
 *    the VOQ was granted and did not use at the end is at most one
 *    window's arrivals and two credits;
 *  - the arrival windows: the larger of the last whole window and the
 *    current one; none after two windows without arrivals; window 0 asks
 *    nothing ahead; a VOQ holding more than it expects asks for what it
 *    holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "loom/cell/credit_sched.h"
#include "loom/cell/voq.h"

#define CREDIT 4096u
#define RATE 100000000000ull /* a credit every 327.68 ns */
#define PKT 4096u
#define GAP 400u             /* ns between packets */
#define NPKT 500u            /* 200 us of packets */
#define WAY 2000u            /* ns a request or a credit is on its way */
#define RTT (2 * WAY)
#define MAXEV 4096u
#define SETTLED 30000u      /* ns: the first round trip's backlog is gone (22 us) */

struct msg {
	loom_time_ns at;
	uint64_t bytes;
};

struct run {
	loom_time_ns first_wait_max; /* the packets of the first round trip */
	loom_time_ns wait_max;       /* packets arriving from SETTLED on */
	uint64_t unused;             /* credit left when all is sent and granted */
	uint32_t sent;
};

static void request(struct loom_voq *q, uint64_t ahead, struct msg *reqs, uint32_t *n_req, loom_time_ns now)
{
	int64_t need = loom_voq_need(q, ahead);

	if (need <= 0 || (q->outstanding > 0 && need < (int64_t)CREDIT))
		return;
	uint64_t bytes = loom_voq_to_request_ahead(q, ahead);

	assert_true(*n_req < MAXEV);
	reqs[(*n_req)++] = (struct msg){.at = now + WAY, .bytes = bytes};
}

/* What the VOQ keeps covered (cell_ingress.c, voq_ahead): a round trip's
 * arrivals and one credit. */
static uint64_t expect(struct loom_voq *q, loom_time_ns now, loom_time_ns window)
{
	uint64_t a = loom_voq_ahead(q, now, window);

	return a ? a + CREDIT : 0;
}

static void drain(struct loom_voq *q, const loom_time_ns *arrived, uint32_t *head, struct run *r, loom_time_ns now)
{
	while (loom_voq_may_send(q)) {
		loom_time_ns wait = now - arrived[*head];

		if (arrived[*head] < RTT) {
			if (wait > r->first_wait_max)
				r->first_wait_max = wait;
		} else if (arrived[*head] >= SETTLED && wait > r->wait_max) {
			r->wait_max = wait;
		}
		loom_voq_sent(q, PKT);
		(*head)++;
		r->sent++;
	}
}

static struct run run(loom_time_ns window)
{
	static struct msg reqs[MAXEV], creds[MAXEV];
	static loom_time_ns arrived[NPKT];
	struct loom_credit_sched cs;
	struct loom_voq q;
	struct run r = {0};
	uint32_t n_req = 0, i_req = 0, n_cred = 0, i_cred = 0, n_in = 0, head = 0;
	uint32_t v;

	loom_voq_init(&q, 1u << 30);
	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 1, 0), 0);
	for (loom_time_ns t = 0; t < NPKT * GAP + 20 * RTT; t++) {
		while (i_req < n_req && reqs[i_req].at == t)
			loom_credit_request(&cs, 0, 1, reqs[i_req++].bytes, t);
		while (loom_credit_next(&cs, t, &v)) {
			assert_true(n_cred < MAXEV);
			creds[n_cred++] = (struct msg){.at = t + WAY, .bytes = CREDIT};
		}
		while (i_cred < n_cred && creds[i_cred].at == t) {
			loom_voq_credit(&q, (uint32_t)creds[i_cred++].bytes);
			drain(&q, arrived, &head, &r, t);
			request(&q, expect(&q, t, window), reqs, &n_req, t);
		}
		if (t % GAP == 0 && n_in < NPKT) {
			assert_true(loom_voq_admit(&q, PKT));
			loom_voq_arrived(&q, PKT, t, window);
			arrived[n_in++] = t;
			drain(&q, arrived, &head, &r, t);
			request(&q, expect(&q, t, window), reqs, &n_req, t);
		}
	}
	assert_int_equal(r.sent, NPKT);
	assert_int_equal(i_req, n_req); /* everything asked arrived and was granted */
	assert_int_equal(i_cred, n_cred);
	assert_int_equal(q.outstanding, 0);
	r.unused = (uint64_t)q.balance;
	loom_credit_free(&cs);
	return r;
}

static void test_without_ahead_every_packet_waits_a_round_trip(void **state)
{
	(void)state;
	struct run r = run(0);

	assert_true(r.wait_max >= RTT);
	assert_true(r.wait_max <= RTT + 328); /* and at most one credit interval more */
	assert_true(r.unused < CREDIT);
}

static void test_ahead_packets_wait_little_once_the_start_drained(void **state)
{
	(void)state;
	struct run r = run(RTT);

	assert_true(r.first_wait_max >= RTT); /* nothing was known yet */
	assert_true(r.wait_max <= RTT / 3);   /* measured: 1200 ns, against 4000-4328 */
	/* one window's arrivals (10 packets) and two credits, at most */
	assert_true(r.unused <= (uint64_t)(RTT / GAP) * PKT + 2 * CREDIT);
}

static void test_arrival_windows(void **state)
{
	(void)state;
	struct loom_voq q;

	loom_voq_init(&q, 1u << 20);
	assert_int_equal(loom_voq_ahead(&q, 100, 0), 0); /* window 0: nothing ahead */
	loom_voq_arrived(&q, 1000, 100, 0);
	assert_int_equal(loom_voq_ahead(&q, 100, 0), 0);
	loom_voq_arrived(&q, 1000, 4100, 1000); /* window [4000, 5000) */
	loom_voq_arrived(&q, 500, 4900, 1000);
	assert_int_equal(loom_voq_ahead(&q, 4999, 1000), 1500);
	loom_voq_arrived(&q, 200, 5100, 1000); /* [5000, 6000): the last whole one is larger */
	assert_int_equal(loom_voq_ahead(&q, 5500, 1000), 1500);
	loom_voq_arrived(&q, 2000, 5600, 1000); /* the current one is larger */
	assert_int_equal(loom_voq_ahead(&q, 5700, 1000), 2200);
	assert_int_equal(loom_voq_ahead(&q, 6500, 1000), 2200); /* [6000, 7000): 2200 the last */
	assert_int_equal(loom_voq_ahead(&q, 7000, 1000), 0);    /* [6000, 7000) had none */
	loom_voq_arrived(&q, 300, 9999, 1000);
	assert_int_equal(loom_voq_ahead(&q, 11000, 1000), 0); /* two windows later: nothing */
	/* what is held, or what is expected if more, is covered; requests
	 * ahead count as outstanding, as those of held bytes */
	assert_true(loom_voq_admit(&q, 1000));
	assert_int_equal(loom_voq_need(&q, 3000), 3000);
	assert_int_equal(loom_voq_to_request_ahead(&q, 3000), 3000);
	assert_int_equal(q.outstanding, 3000);
	assert_int_equal(loom_voq_to_request_ahead(&q, 3000), 0);
	assert_int_equal(loom_voq_to_request_ahead(&q, 5000), 2000);
	assert_true(loom_voq_admit(&q, 9000)); /* backlogged: what it holds, as without */
	assert_int_equal(loom_voq_need(&q, 5000), 10000 - 5000);
	assert_int_equal(loom_voq_to_request_ahead(&q, 5000), 5000);
	assert_int_equal(loom_voq_to_request(&q), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_ahead_every_packet_waits_a_round_trip),
		cmocka_unit_test(test_ahead_packets_wait_little_once_the_start_drained),
		cmocka_unit_test(test_arrival_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
