/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss recovery of generator hosts' transports, by hand:
 *  - go-back-N: a gap is NAK'd once, the sender goes back to the NAK'd
 *    PSN and counts what it sends again; a trimmed packet is a gap; the
 *    timer brings back a lost tail;
 *  - selective repeat: out-of-order packets are kept, a trimmed one is
 *    NACK'd and sent again alone, selective ACKs move the window, the
 *    timer sends again only what was not acknowledged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/transport/go_back_n.h"
#include "loom/transport/selective_repeat.h"

static void test_gbn_receiver_naks_a_gap_once(void **state)
{
	struct loom_gbn_rx rx;

	(void)state;
	loom_gbn_rx_init(&rx);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 0, false), LOOM_TRX_ACCEPT);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 2, false), LOOM_TRX_NAK); /* 1 lost */
	assert_int_equal(loom_gbn_rx_on_data(&rx, 3, false), LOOM_TRX_DISCARD);
	assert_int_equal(rx.epsn, 1);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 1, false), LOOM_TRX_ACCEPT);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 2, false), LOOM_TRX_ACCEPT);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 1, false), LOOM_TRX_DUPLICATE);
	/* a trimmed expected packet is NAK'd, and again when its retransmission is trimmed */
	assert_int_equal(loom_gbn_rx_on_data(&rx, 3, true), LOOM_TRX_NAK);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 4, false), LOOM_TRX_DISCARD);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 3, true), LOOM_TRX_NAK);
	assert_int_equal(loom_gbn_rx_on_data(&rx, 3, false), LOOM_TRX_ACCEPT);
	assert_int_equal(rx.naks, 3);
	assert_int_equal(rx.discarded, 2);
	assert_int_equal(rx.duplicates, 1);
}

static void test_gbn_sender_goes_back_to_the_nak(void **state)
{
	struct loom_gbn_tx tx;
	bool retx;

	(void)state;
	loom_gbn_tx_init(&tx, 10, 1000);
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(loom_gbn_tx_send(&tx, i, &retx), i);
	assert_false(retx);
	assert_int_equal(tx.rto_at, 1000); /* armed by the first packet */
	loom_gbn_tx_on_ack(&tx, 2, 10);
	assert_int_equal(tx.rto_at, 1010);
	loom_gbn_tx_on_nak(&tx, 2, 20); /* 2 lost: 2..5 again */
	assert_int_equal(tx.nxt, 2);
	for (uint64_t i = 2; i < 10; i++) {
		assert_int_equal(loom_gbn_tx_send(&tx, 30 + i, &retx), i);
		assert_true(retx == (i < 6));
	}
	assert_int_equal(tx.st.retransmits, 4);
	assert_int_equal(tx.st.naks, 1);
	assert_false(loom_gbn_tx_has_data(&tx));
	/* a stale NAK (below una) changes nothing */
	loom_gbn_tx_on_ack(&tx, 8, 100);
	loom_gbn_tx_on_nak(&tx, 5, 101);
	assert_int_equal(tx.una, 8);
	assert_int_equal(tx.st.naks, 1);
	/* the tail (8, 9) is lost: the timer sends it again */
	assert_false(loom_gbn_tx_on_timer(&tx, 1099));
	assert_true(loom_gbn_tx_on_timer(&tx, 1100));
	assert_int_equal(tx.st.timeouts, 1);
	assert_int_equal(loom_gbn_tx_send(&tx, 1100, &retx), 8);
	assert_true(retx);
	assert_int_equal(loom_gbn_tx_send(&tx, 1101, &retx), 9);
	loom_gbn_tx_on_ack(&tx, 10, 1200);
	assert_true(loom_gbn_tx_done(&tx));
	assert_int_equal(tx.rto_at, LOOM_TIME_NEVER);
	assert_int_equal(tx.st.retransmits, 6);
}

static void test_sr_receiver_keeps_out_of_order_and_nacks_trims(void **state)
{
	struct loom_sr_rx rx;
	uint64_t base, bits;

	(void)state;
	loom_sr_rx_init(&rx);
	assert_int_equal(loom_sr_rx_on_data(&rx, 0, false), LOOM_TRX_ACCEPT);
	assert_int_equal(loom_sr_rx_on_data(&rx, 1, true), LOOM_TRX_NAK);
	assert_int_equal(loom_sr_rx_on_data(&rx, 2, false), LOOM_TRX_ACCEPT);
	assert_int_equal(loom_sr_rx_on_data(&rx, 3, false), LOOM_TRX_ACCEPT);
	assert_int_equal(rx.epsn, 1);
	loom_sr_rx_sack(&rx, 3, &base, &bits);
	assert_int_equal(base, 0);
	assert_int_equal(bits, 0xcu); /* 2 and 3 held above epsn 1 */
	assert_int_equal(loom_sr_rx_on_data(&rx, 1, false), LOOM_TRX_ACCEPT);
	assert_int_equal(rx.epsn, 4);
	assert_int_equal(loom_sr_rx_on_data(&rx, 2, false), LOOM_TRX_DUPLICATE);
	assert_int_equal(loom_sr_rx_on_data(&rx, 4 + LOOM_SR_WINDOW, false), LOOM_TRX_DISCARD);
	/* across a word boundary */
	assert_int_equal(loom_sr_rx_on_data(&rx, 65, false), LOOM_TRX_ACCEPT);
	loom_sr_rx_sack(&rx, 65, &base, &bits);
	assert_int_equal(base, 64);
	assert_int_equal(bits, 0x2u);
	assert_int_equal(rx.nacks, 1);
}

static void test_sr_sender_resends_only_what_is_missing(void **state)
{
	struct loom_sr_tx tx;
	bool retx;

	(void)state;
	loom_sr_tx_init(&tx, 200, 5000);
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(loom_sr_tx_send(&tx, i, &retx), i);
	/* 0 arrived, 1 trimmed (NACK), 2..69 arrived except 66 */
	loom_sr_tx_on_nack(&tx, 1);
	loom_sr_tx_on_nack(&tx, 1); /* the same NACK twice: one retransmission */
	loom_sr_tx_on_ack(&tx, 1, 0, ~0x3ull, 200);
	loom_sr_tx_on_ack(&tx, 1, 64, 0x3bull, 201); /* 64, 65, 67, 68, 69 */
	assert_int_equal(tx.una, 1);
	assert_int_equal(tx.st.naks, 1);
	/* in the network: 66 and 70..99 (1 is to send again, 67 arrived) */
	assert_int_equal(tx.n_acked, 67);
	assert_int_equal(loom_sr_tx_outstanding(&tx), 31);
	assert_true(loom_sr_tx_has_data(&tx));
	assert_int_equal(loom_sr_tx_send(&tx, 300, &retx), 1);
	assert_true(retx);
	assert_int_equal(loom_sr_tx_send(&tx, 301, &retx), 100); /* then new data */
	assert_false(retx);
	loom_sr_tx_on_ack(&tx, 66, 0, 0, 400); /* 1 arrived: the cumulative point reaches the hole */
	assert_int_equal(tx.una, 66);
	assert_int_equal(tx.rto_at, 5400);
	assert_int_equal(tx.n_acked, 3); /* 67, 68, 69 */
	/* the timer: 66 and 70..100 were never acknowledged */
	assert_true(loom_sr_tx_on_timer(&tx, 5400));
	assert_int_equal(tx.n_resend, 1 + 31);
	assert_int_equal(loom_sr_tx_send(&tx, 5401, &retx), 66);
	assert_int_equal(loom_sr_tx_send(&tx, 5402, &retx), 70);
	assert_int_equal(tx.st.retransmits, 3);
	assert_int_equal(tx.st.timeouts, 1);
	/* everything acknowledged: nothing left to send again */
	loom_sr_tx_on_ack(&tx, 101, 0, 0, 5500);
	assert_int_equal(tx.n_resend, 0);
	assert_int_equal(tx.una, 101);
	assert_int_equal(loom_sr_tx_outstanding(&tx), 0);
}

static void test_sr_window_bounds_new_data(void **state)
{
	struct loom_sr_tx tx;
	bool retx;

	(void)state;
	loom_sr_tx_init(&tx, 0, 1000);
	for (uint64_t i = 0; i < LOOM_SR_WINDOW; i++)
		loom_sr_tx_send(&tx, 0, &retx);
	assert_false(loom_sr_tx_has_data(&tx));
	loom_sr_tx_on_ack(&tx, 0, 0, 0x2, 1); /* 1 acknowledged, 0 not: the window does not move */
	assert_false(loom_sr_tx_has_data(&tx));
	loom_sr_tx_on_ack(&tx, 1, 0, 0, 2);
	assert_int_equal(tx.una, 2);
	assert_true(loom_sr_tx_has_data(&tx));
	/* the last two of the window, then one resend far from una, across words */
	loom_sr_tx_on_nack(&tx, 700);
	assert_int_equal(loom_sr_tx_send(&tx, 3, &retx), 700);
	assert_true(retx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gbn_receiver_naks_a_gap_once),
		cmocka_unit_test(test_gbn_sender_goes_back_to_the_nak),
		cmocka_unit_test(test_sr_receiver_keeps_out_of_order_and_nacks_trims),
		cmocka_unit_test(test_sr_sender_resends_only_what_is_missing),
		cmocka_unit_test(test_sr_window_bounds_new_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
