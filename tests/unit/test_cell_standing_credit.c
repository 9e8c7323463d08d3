/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VOQ's standing credit (loom/cell/voq.h, loom_voq_set_standing) with the
 * egress port's credit scheduler (loom/cell/credit_sched.h), on a scripted
 * sequence as test_cell_request_ahead.c: one VOQ fed with 4096-byte
 * packets every 328 ns (99.9 Gb/s: a sender at line rate) for 200 us, its
 * requests and credits each 2 us on the way (a 4 us round trip), the port
 * granting 4096-byte credits at 100 Gb/s, the VOQ asking ahead as the
 * ingress leaf does.
 *  - without standing credit the first packets wait the round trip, and
 *    at arrival and credit rates this close the backlog they leave never
 *    drains: a packet of the flow's end still waits ~3.7 us (issue 23's
 *    16 MB permutation: its last packet's crossing);
 *  - with a round trip's bytes and a credit standing, no packet waits at
 *    all, from the first;
 *  - either way the VOQ sends no byte it did not ask for: at the end all
 *    it sent was granted, and it was never more than its standing credit
 *    (and one packet) ahead of its grants;
 *  - a VOQ with standing credit sends on it when it has no credit yet, a
 *    packet only if it fits in what is left, and asks for what it sent
 *    so: the credit that comes pays it back; 512 bytes let ACKs go ahead
 *    of the grant, never a data packet.
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
#define GAP 328u             /* ns between packets: 99.9 Gb/s */
#define NPKT 610u            /* 200 us of packets */
#define WAY 2000u            /* ns a request or a credit is on its way */
#define RTT (2 * WAY)
#define MAXEV 4096u
#define RTT_BYTES (RTT * RATE / 8 / 1000000000ull) /* 50 KB */

struct msg {
	loom_time_ns at;
	uint64_t bytes;
};

struct run {
	loom_time_ns first_wait;  /* the first packet */
	loom_time_ns last_wait;   /* the last packet */
	loom_time_ns wait_max;    /* any packet */
	int64_t ahead_max;        /* bytes sent beyond those granted, the most */
	uint64_t sent_bytes, granted_bytes;
	int64_t balance_end;
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

static uint64_t expect(struct loom_voq *q, loom_time_ns now)
{
	uint64_t a = loom_voq_ahead(q, now, RTT);

	return a ? a + CREDIT : 0;
}

static void drain(struct loom_voq *q, const loom_time_ns *arrived, uint32_t *head, struct run *r, loom_time_ns now)
{
	while (loom_voq_may_send_head(q, PKT)) {
		loom_time_ns wait = now - arrived[*head];

		if (*head == 0)
			r->first_wait = wait;
		if (*head == NPKT - 1)
			r->last_wait = wait;
		if (wait > r->wait_max)
			r->wait_max = wait;
		loom_voq_sent(q, PKT);
		r->sent_bytes += PKT;
		if ((int64_t)(r->sent_bytes - r->granted_bytes) > r->ahead_max)
			r->ahead_max = (int64_t)(r->sent_bytes - r->granted_bytes);
		(*head)++;
		r->sent++;
	}
}

static struct run run(uint32_t standing)
{
	static struct msg reqs[MAXEV], creds[MAXEV];
	static loom_time_ns arrived[NPKT];
	struct loom_credit_sched cs;
	struct loom_voq q;
	struct run r = {0};
	uint32_t n_req = 0, i_req = 0, n_cred = 0, i_cred = 0, n_in = 0, head = 0;
	uint32_t v;

	loom_voq_init(&q, 1u << 30);
	loom_voq_set_standing(&q, standing);
	assert_int_equal(loom_credit_init(&cs, RATE, CREDIT, 1, 0), 0);
	for (loom_time_ns t = 0; t < NPKT * GAP + 40 * RTT; t++) {
		while (i_req < n_req && reqs[i_req].at == t)
			loom_credit_request(&cs, 0, 1, reqs[i_req++].bytes, t);
		while (loom_credit_next(&cs, t, &v)) {
			assert_true(n_cred < MAXEV);
			creds[n_cred++] = (struct msg){.at = t + WAY, .bytes = CREDIT};
		}
		while (i_cred < n_cred && creds[i_cred].at == t) {
			loom_voq_credit(&q, (uint32_t)creds[i_cred].bytes);
			r.granted_bytes += creds[i_cred++].bytes;
			drain(&q, arrived, &head, &r, t);
			request(&q, expect(&q, t), reqs, &n_req, t);
		}
		if (t % GAP == 0 && n_in < NPKT) {
			assert_true(loom_voq_admit(&q, PKT));
			loom_voq_arrived(&q, PKT, t, RTT);
			arrived[n_in++] = t;
			drain(&q, arrived, &head, &r, t);
			request(&q, expect(&q, t), reqs, &n_req, t);
		}
	}
	assert_int_equal(r.sent, NPKT);
	assert_int_equal(i_req, n_req);
	assert_int_equal(i_cred, n_cred);
	assert_int_equal(q.outstanding, 0);
	r.balance_end = q.balance;
	loom_credit_free(&cs);
	return r;
}

static void test_without_standing_credit_the_first_round_trip_stays(void **state)
{
	(void)state;
	struct run r = run(0);

	assert_true(r.first_wait >= RTT);
	assert_true(r.last_wait >= RTT * 3 / 4); /* the start's backlog, still there 200 us on */
	assert_true(r.ahead_max <= (int64_t)PKT);
	assert_true(r.balance_end >= 0 && r.sent_bytes <= r.granted_bytes);
}

static void test_standing_credit_of_a_round_trip_no_packet_waits(void **state)
{
	(void)state;
	struct run r = run(RTT_BYTES + CREDIT);

	assert_int_equal(r.first_wait, 0);
	assert_int_equal(r.wait_max, 0);
	assert_int_equal(r.last_wait, 0);
	/* never more than the standing credit and a packet ahead of its grants */
	assert_true(r.ahead_max > 0);
	assert_true(r.ahead_max <= (int64_t)(RTT_BYTES + CREDIT + PKT));
	/* and at the end every byte it sent was granted: nothing given for free */
	assert_true(r.balance_end >= 0);
	assert_true(r.sent_bytes <= r.granted_bytes);
	assert_true(r.granted_bytes - r.sent_bytes <= RTT_BYTES + 2 * CREDIT);
}

static void test_standing_credit_is_spent_then_paid_back(void **state)
{
	(void)state;
	struct loom_voq q;

	loom_voq_init(&q, 1u << 20);
	assert_true(loom_voq_admit(&q, 4000));
	assert_false(loom_voq_may_send_head(&q, 4000)); /* no credit, none standing */
	loom_voq_set_standing(&q, 9000);
	assert_false(loom_voq_may_send(&q)); /* on credit: still no */
	assert_true(loom_voq_may_send_head(&q, 4000));
	loom_voq_sent(&q, 4000);
	assert_int_equal(q.balance, -4000);
	assert_true(loom_voq_admit(&q, 4000));
	assert_true(loom_voq_may_send_head(&q, 4000)); /* 5000 left standing: it fits */
	loom_voq_sent(&q, 4000);
	assert_true(loom_voq_admit(&q, 4000));
	assert_false(loom_voq_may_send_head(&q, 4000)); /* 1000 left: it does not */
	/* it asks for all it sent and holds: 8000 sent ahead, 4000 held */
	assert_int_equal(loom_voq_to_request(&q), 12000);
	loom_voq_credit(&q, 4096); /* paid back in part: -3904 + 9000 standing fits 4000 */
	assert_true(loom_voq_may_send_head(&q, 4000));
	loom_voq_sent(&q, 4000);
	assert_false(loom_voq_may_send_head(&q, 4000));
	loom_voq_credit(&q, 4096);
	loom_voq_credit(&q, 4096);
	assert_int_equal(q.balance, 288); /* all paid back: 12000 sent, 12288 granted */
	assert_int_equal(q.outstanding, 0);
}

/* A standing credit of 512 bytes lets ACKs (~106-byte frames) go ahead of
 * the grant, never a data packet: the first ACK of a flow back does not
 * wait a request round trip, and nothing bigger is sent unscheduled. */
static void test_small_standing_credit_is_for_acks_only(void **state)
{
	(void)state;
	struct loom_voq q;
	int64_t ahead = 0;

	loom_voq_init(&q, 1u << 20);
	loom_voq_set_standing(&q, 512);
	assert_true(loom_voq_admit(&q, 4110));
	assert_false(loom_voq_may_send_head(&q, 4110)); /* a data packet waits for credit */
	loom_voq_credit(&q, 4096);
	assert_true(loom_voq_may_send_head(&q, 4110)); /* on credit, as always */
	loom_voq_sent(&q, 4110);
	assert_int_equal(q.balance, -14);
	for (int i = 0; i < 8; i++) {
		assert_true(loom_voq_admit(&q, 106));
		if (!loom_voq_may_send_head(&q, 106))
			break;
		loom_voq_sent(&q, 106);
		ahead = -q.balance;
	}
	assert_int_equal(ahead, 14 + 4 * 106); /* 4 ACKs went ahead: 438 of 512 */
	assert_true(ahead <= 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_standing_credit_the_first_round_trip_stays),
		cmocka_unit_test(test_standing_credit_of_a_round_trip_no_packet_waits),
		cmocka_unit_test(test_standing_credit_is_spent_then_paid_back),
		cmocka_unit_test(test_small_standing_credit_is_for_acks_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
