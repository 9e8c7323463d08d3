/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACK coalescing at a transport's receiver (loom/transport/ack_coalesce.h),
 * driven as dataplane/hosts/gen_transport.c drives it: a scripted sequence
 * of data packets (losses, a trim, duplicates, the sender's ACK requests,
 * the last packet, the delayed-ACK timer) gives an exact count of ACKs and
 * what each acknowledges; and the marked fraction DCTCP and NSCC read from
 * coalesced ACKs is the one per-packet ACKs give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/cc/dctcp.h"
#include "loom/cc/nscc.h"
#include "loom/transport/ack_coalesce.h"
#include "loom/transport/go_back_n.h"
#include "loom/transport/selective_repeat.h"

/* What a receiver sent: ACKs (with the packets and CE marks each
 * acknowledged) and NAKs, in order. */
struct sent {
	unsigned acks, naks;
	uint32_t pkts[64], ce[64];
	uint64_t epsn[64];
	char order[64]; /* 'A' or 'N' */
};

static void ack(struct loom_ack_coalesce *a, struct sent *s, uint64_t epsn)
{
	uint32_t p, c;

	loom_ack_take(a, &p, &c);
	s->pkts[s->acks] = p;
	s->ce[s->acks] = c;
	s->epsn[s->acks] = epsn;
	s->order[s->acks + s->naks] = 'A';
	s->acks++;
}

/* One packet of a selective-repeat flow at `now`, as gen_transport.c's
 * on_data_coalescing handles it. */
static void sr_packet(struct loom_sr_rx *rx, struct loom_ack_coalesce *a, const struct loom_ack_coalesce_cfg *cfg,
		      struct sent *s, uint64_t psn, bool trimmed, bool ce, bool ack_req, loom_time_ns now)
{
	enum loom_transport_rx_verdict v = loom_sr_rx_on_data(rx, psn, trimmed);
	enum loom_ack_pkt pkt = v == LOOM_TRX_ACCEPT	  ? LOOM_ACK_PKT_NEW
				: v == LOOM_TRX_DUPLICATE ? LOOM_ACK_PKT_DUPLICATE
				: v == LOOM_TRX_NAK	  ? LOOM_ACK_PKT_NAK
							  : LOOM_ACK_PKT_DISCARD;
	uint64_t block = psn >= rx->epsn ? psn - psn % 64 : LOOM_ACK_NO_BLOCK;

	if (loom_ack_flush_first(a, pkt, block))
		ack(a, s, rx->epsn);
	switch (loom_ack_on_data(a, cfg, pkt, ce, ack_req, block, now)) {
	case LOOM_ACK_SEND:
		ack(a, s, rx->epsn);
		break;
	case LOOM_ACK_SEND_NAK:
		s->order[s->acks + s->naks] = 'N';
		s->naks++;
		break;
	default:
		break;
	}
}

static void test_scripted_sequence_exact_acks(void **state)
{
	struct loom_ack_coalesce_cfg cfg = {.every = 4, .delay = 1000};
	struct loom_ack_coalesce a;
	struct loom_sr_rx rx;
	struct sent s = {0};

	(void)state;
	loom_ack_init(&a);
	loom_sr_rx_init(&rx);
	/* 0..3 in order: one ACK of 4 (two of them CE-marked) */
	sr_packet(&rx, &a, &cfg, &s, 0, false, false, false, 0);
	sr_packet(&rx, &a, &cfg, &s, 1, false, true, false, 10);
	sr_packet(&rx, &a, &cfg, &s, 2, false, false, false, 20);
	assert_int_equal(s.acks, 0);
	assert_int_equal(a.due, 0 + 1000); /* the timer runs from the first packet held */
	sr_packet(&rx, &a, &cfg, &s, 3, false, true, false, 30);
	assert_int_equal(s.acks, 1);
	assert_int_equal(s.pkts[0], 4);
	assert_int_equal(s.ce[0], 2);
	assert_int_equal(s.epsn[0], 4);
	assert_int_equal(a.due, LOOM_TIME_NEVER);
	/* 4, 5, then 7 (6 lost on the way): held, out of order or not */
	sr_packet(&rx, &a, &cfg, &s, 4, false, false, false, 40);
	sr_packet(&rx, &a, &cfg, &s, 5, false, false, false, 50);
	sr_packet(&rx, &a, &cfg, &s, 7, false, false, false, 60);
	assert_int_equal(s.acks, 1);
	/* 6 arrives trimmed: the held ACK (of 3) goes first, then its NACK, at once */
	sr_packet(&rx, &a, &cfg, &s, 6, true, false, false, 70);
	assert_int_equal(s.acks, 2);
	assert_int_equal(s.naks, 1);
	assert_int_equal(s.pkts[1], 3);
	assert_int_equal(s.epsn[1], 6);
	assert_memory_equal(s.order, "AAN", 3);
	/* its retransmission asks for an ACK: acknowledged alone, at once */
	sr_packet(&rx, &a, &cfg, &s, 6, false, false, true, 80);
	assert_int_equal(s.acks, 3);
	assert_int_equal(s.pkts[2], 1);
	assert_int_equal(s.epsn[2], 8);
	/* 8 held; the timer does not fire before its time, then does */
	sr_packet(&rx, &a, &cfg, &s, 8, false, true, false, 100);
	assert_false(loom_ack_timer(&a, 1099));
	assert_true(loom_ack_timer(&a, 1100));
	ack(&a, &s, rx.epsn);
	assert_int_equal(s.acks, 4);
	assert_int_equal(s.pkts[3], 1);
	assert_int_equal(s.ce[3], 1);
	assert_int_equal(a.timer_acks, 1);
	assert_false(loom_ack_timer(&a, 5000)); /* nothing held: nothing to fire */
	/* a duplicate of 8: acknowledged at once */
	sr_packet(&rx, &a, &cfg, &s, 8, false, false, false, 1200);
	assert_int_equal(s.acks, 5);
	/* 9 lost; 10 held in block 0, then 70 (block 64): the held ACK of block 0 goes first */
	sr_packet(&rx, &a, &cfg, &s, 10, false, false, false, 1300);
	assert_int_equal(s.acks, 5);
	sr_packet(&rx, &a, &cfg, &s, 70, false, false, false, 1310);
	assert_int_equal(s.acks, 6);
	assert_int_equal(s.pkts[5], 1);
	assert_int_equal(a.pkts, 1); /* 70 held */
	/* 9, the flow's last missing packet, sent again with an ACK request: at once */
	sr_packet(&rx, &a, &cfg, &s, 9, false, false, true, 1400);
	assert_int_equal(s.acks, 7);
	assert_int_equal(s.pkts[6], 2);
	assert_int_equal(s.epsn[6], 11);
	/* beyond the window: discarded, nothing sent or held */
	sr_packet(&rx, &a, &cfg, &s, 11 + LOOM_SR_WINDOW, false, false, false, 1500);
	assert_int_equal(s.acks, 7);
	assert_int_equal(a.pkts, 0);
	/* the 13 data packets that arrived whole (the trimmed and the discarded one aside), in 7 ACKs */
	assert_int_equal(a.acks, 7);
	assert_int_equal(a.acked_pkts, 13);
	assert_int_equal(s.naks, 1);
}

static void test_every_one_is_an_ack_per_packet(void **state)
{
	struct loom_ack_coalesce_cfg cfg = {.every = 1, .delay = 1000};
	struct loom_ack_coalesce a;
	struct loom_sr_rx rx;
	struct sent s = {0};

	(void)state;
	loom_ack_init(&a);
	loom_sr_rx_init(&rx);
	for (uint64_t p = 0; p < 10; p++)
		sr_packet(&rx, &a, &cfg, &s, p == 3 ? 4 : p == 4 ? 3 : p, false, p % 2, false, p);
	assert_int_equal(s.acks, 10);
	assert_int_equal(a.due, LOOM_TIME_NEVER);
}

static void test_go_back_n_gap_naks_at_once(void **state)
{
	struct loom_ack_coalesce_cfg cfg = {.every = 8, .delay = 1000};
	struct loom_ack_coalesce a;
	struct loom_gbn_rx rx;
	struct sent s = {0};
	const uint64_t psns[] = {0, 1, 2, 4, 5, 3, 4, 5};
	unsigned nak_at = 0;

	(void)state;
	loom_ack_init(&a);
	loom_gbn_rx_init(&rx);
	for (unsigned i = 0; i < sizeof(psns) / sizeof(psns[0]); i++) {
		enum loom_transport_rx_verdict v = loom_gbn_rx_on_data(&rx, psns[i], false);
		enum loom_ack_pkt pkt = v == LOOM_TRX_ACCEPT	  ? LOOM_ACK_PKT_NEW
					: v == LOOM_TRX_DUPLICATE ? LOOM_ACK_PKT_DUPLICATE
					: v == LOOM_TRX_NAK	  ? LOOM_ACK_PKT_NAK
								  : LOOM_ACK_PKT_DISCARD;

		if (loom_ack_flush_first(&a, pkt, LOOM_ACK_NO_BLOCK))
			ack(&a, &s, rx.epsn);
		if (loom_ack_on_data(&a, &cfg, pkt, false, false, LOOM_ACK_NO_BLOCK, i) == LOOM_ACK_SEND_NAK) {
			s.naks++;
			nak_at = i;
		}
	}
	/* 0..2 held, 4 opens the gap: the ACK of 3 then the NAK, 5 discarded,
	 * 3..5 again held (3 packets, below 8): no more */
	assert_int_equal(s.naks, 1);
	assert_int_equal(nak_at, 3);
	assert_int_equal(s.acks, 1);
	assert_int_equal(s.pkts[0], 3);
	assert_int_equal(a.pkts, 3);
}

/* A CE pattern over 64 in-order packets of 1000 bytes: bursts and singles. */
static bool marked(uint64_t psn)
{
	return (psn >= 5 && psn < 14) || psn % 7 == 3 || (psn >= 40 && psn < 43);
}

static void test_dctcp_marked_fraction_as_per_packet(void **state)
{
	struct loom_dctcp_cfg cfg;
	struct loom_dctcp one, co;
	struct loom_ack_coalesce_cfg acfg = {.every = 4, .delay = 1000};
	struct loom_ack_coalesce a;
	struct loom_sr_rx rx;
	struct sent s = {0};
	uint64_t n = 64, m = 0;

	(void)state;
	loom_dctcp_default(&cfg, 1000);
	loom_dctcp_init(&one, &cfg);
	loom_dctcp_init(&co, &cfg);
	loom_ack_init(&a);
	loom_sr_rx_init(&rx);
	for (uint64_t p = 0; p < n; p++) {
		loom_dctcp_on_ack(&one, &cfg, (p + 1) * 1000, marked(p), n * 1000);
		m += marked(p);
		sr_packet(&rx, &a, &acfg, &s, p, false, marked(p), p + 1 == n, p);
	}
	assert_int_equal(s.acks, 16);
	for (unsigned i = 0; i < s.acks; i++)
		loom_dctcp_on_ack_frac(&co, &cfg, s.epsn[i] * 1000, s.ce[i], s.pkts[i], n * 1000);
	assert_int_equal(one.acked_bytes, n * 1000);
	assert_int_equal(one.marked_bytes, m * 1000);
	assert_int_equal(co.acked_bytes, one.acked_bytes);
	assert_int_equal(co.marked_bytes, one.marked_bytes);
	assert_true(one.cuts > 0);
	assert_true(co.cuts > 0);
}

static void test_nscc_marked_fraction_as_per_packet(void **state)
{
	struct loom_nscc_cfg cfg;
	struct loom_nscc one, co;
	struct loom_ack_coalesce_cfg acfg = {.every = 4, .delay = 1000};
	struct loom_ack_coalesce a;
	struct loom_sr_rx rx;
	struct sent s = {0};
	uint64_t n = 64, m = 0;
	loom_time_ns sent_at[64];

	(void)state;
	loom_nscc_default(&cfg, 1000, 100000000000ull);
	cfg.base_rtt = 10000;
	loom_nscc_init(&one, &cfg);
	loom_nscc_init(&co, &cfg);
	loom_ack_init(&a);
	loom_sr_rx_init(&rx);
	for (uint64_t p = 0; p < n; p++) {
		/* packet p sent at 100 p, its ACK 20 us later: 10 us of queue, above the 7.5 us target */
		loom_time_ns now = 100 * p + 20000;

		sent_at[p] = 100 * p;
		loom_nscc_on_ack(&one, &cfg, 1000, marked(p), sent_at[p], now);
		m += marked(p);
		sr_packet(&rx, &a, &acfg, &s, p, false, marked(p), false, now);
	}
	assert_int_equal(s.acks, 16);
	for (unsigned i = 0; i < s.acks; i++) {
		uint64_t last = s.epsn[i] - 1, bytes = (uint64_t)s.pkts[i] * 1000;

		loom_nscc_on_ack_counted(&co, &cfg, bytes, bytes * s.ce[i] / s.pkts[i], sent_at[last],
					 100 * last + 20000);
	}
	assert_int_equal(one.acked_bytes, n * 1000);
	assert_int_equal(one.marked_bytes, m * 1000);
	assert_int_equal(co.acked_bytes, one.acked_bytes);
	assert_int_equal(co.marked_bytes, one.marked_bytes);
	/* marks over the target: both cut (once a window) */
	assert_true(one.cuts > 0);
	assert_true(co.cuts > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripted_sequence_exact_acks),
		cmocka_unit_test(test_every_one_is_an_ack_per_packet),
		cmocka_unit_test(test_go_back_n_gap_naks_at_once),
		cmocka_unit_test(test_dctcp_marked_fraction_as_per_packet),
		cmocka_unit_test(test_nscc_marked_fraction_as_per_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
