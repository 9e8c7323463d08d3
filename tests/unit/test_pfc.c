/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PFC and the shared buffer, all exact:
 *  - XOFF when the bytes reach xoff (xoff - 1: nothing), with the
 *    configured quanta; no second PAUSE while paused;
 *  - XON only when they fall to xon (xon + 1: nothing), quanta 0; then no
 *    PAUSE again before xoff (hysteresis), and none while in between;
 *  - headroom: bytes accepted after XOFF counted, the packet that would
 *    exceed xoff + headroom refused and counted; the crossing packet
 *    always accepted;
 *  - PAUSE refresh while paused, on a fake clock;
 *  - receive side: held for exactly ceil(quanta * 512 / rate) ns (10G,
 *    25G, 100G, 400G, 7.3G), a new PAUSE reloads the timer, quanta 0
 *    releases;
 *  - dynamic threshold: one queue settles at alpha / (1 + alpha) of the
 *    buffer, n queues at alpha / (1 + n alpha), to the packet; full
 *    buffer; release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include <cmocka.h>

#include "loom/clock.h"
#include "loom/tm/pfc.h"

#define GBPS 1000000000ull

static void cfg_100k(struct loom_pfc_cfg *cfg)
{
	*cfg = (struct loom_pfc_cfg){
		.xoff_bytes = 100000,
		.xon_bytes = 50000,
		.headroom_bytes = 30000,
		.pause_quanta = 0xffff,
	};
	assert_int_equal(loom_pfc_cfg_check(cfg), 0);
}

static void test_xoff_at_threshold(void **state)
{
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	uint16_t quanta = 1;

	cfg_100k(&cfg);
	loom_pfc_state_init(&st);
	for (int i = 0; i < 99; i++) {
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1000, 0, &quanta), LOOM_PFC_NONE);
		assert_int_equal(quanta, 0);
	}
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 999, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.bytes, 99999);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1, 7, &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(quanta, 0xffff);
	assert_int_equal(st.bytes, 100000);
	assert_int_equal(st.paused, 1);
	assert_int_equal(st.pause_at, 7);
	/* no second PAUSE while paused, whatever arrives or leaves */
	for (int i = 0; i < 20; i++)
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1000, 8, &quanta), LOOM_PFC_NONE);
	for (int i = 0; i < 30; i++)
		assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 1000, 9, &quanta), LOOM_PFC_NONE);
	for (int i = 0; i < 30; i++)
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1000, 10, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.st.pause_sent, 1);
	assert_int_equal(st.st.resume_sent, 0);
}

static void test_xon_hysteresis(void **state)
{
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	uint16_t quanta;

	cfg_100k(&cfg);
	loom_pfc_state_init(&st);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 100000, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	/* down to xon + 1: still paused */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 49999, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.bytes, 50001);
	assert_int_equal(st.paused, 1);
	/* to xon: RESUME, quanta 0 */
	quanta = 7;
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_SEND_RESUME);
	assert_int_equal(quanta, 0);
	assert_int_equal(st.paused, 0);
	/* further down: nothing more */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 50000, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.bytes, 0);
	/* back up to xoff - 1 (above xon): no PAUSE; xoff: PAUSE */
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 99999, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	/* paused, oscillating between xon + 1 and xoff + 1: no flapping */
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_NONE);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 50000, 0, &quanta), LOOM_PFC_NONE);
		assert_int_equal(st.bytes, 50001);
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 50000, 0, &quanta), LOOM_PFC_NONE);
		assert_int_equal(st.bytes, 100001);
	}
	assert_int_equal(st.st.pause_sent, 2);
	assert_int_equal(st.st.resume_sent, 1);
	/* and when unpaused, oscillating between xon and xoff - 1: nothing */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 50001, 0, &quanta), LOOM_PFC_SEND_RESUME);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 49999, 0, &quanta), LOOM_PFC_NONE);
		assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 49999, 0, &quanta), LOOM_PFC_NONE);
	}
	assert_int_equal(st.st.pause_sent, 2);
	assert_int_equal(st.st.resume_sent, 2);
}

static void test_headroom(void **state)
{
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	uint16_t quanta;

	cfg_100k(&cfg);
	loom_pfc_state_init(&st);
	/* the crossing packet is accepted and sends the PAUSE */
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 99500, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1500, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(st.st.headroom_peak, 1000);
	assert_int_equal(st.st.headroom_pkts, 0);
	/* 29 000 B more fit in the 30 000 B headroom */
	for (int i = 0; i < 29; i++)
		assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1000, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.bytes, 130000);
	assert_int_equal(st.st.headroom_pkts, 29);
	assert_int_equal(st.st.headroom_bytes, 29000);
	assert_int_equal(st.st.headroom_peak, 30000);
	/* one byte more does not */
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_DROP_HEADROOM);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1500, 0, &quanta), LOOM_PFC_DROP_HEADROOM);
	assert_int_equal(st.bytes, 130000);
	assert_int_equal(st.st.overflow_pkts, 2);
	assert_int_equal(st.st.overflow_bytes, 1501);
	/* room again after a dequeue */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 1500, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 1500, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.st.headroom_pkts, 30);

	/* headroom smaller than a packet: the crossing packet still goes */
	cfg.headroom_bytes = 0;
	loom_pfc_state_init(&st);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 99999, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 9000, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 64, 0, &quanta), LOOM_PFC_DROP_HEADROOM);
	assert_int_equal(st.bytes, 108999);
	assert_int_equal(st.st.headroom_peak, 8999);
}

static void test_refresh(void **state)
{
	struct loom_fake_clock fc;
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	uint16_t quanta;
	loom_time_ns half = 3355392 / 2;

	cfg_100k(&cfg);
	cfg.refresh_ns = loom_pfc_refresh_default(0xffff, 10 * GBPS);
	assert_int_equal(cfg.refresh_ns, half);
	loom_fake_clock_init(&fc, 1000);
	loom_pfc_state_init(&st);
	assert_int_equal(loom_pfc_next_refresh(&st, &cfg), LOOM_TIME_NEVER);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, loom_clock_now(&fc.clock), &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 100000, loom_clock_now(&fc.clock), &quanta),
			 LOOM_PFC_SEND_PAUSE);
	assert_int_equal(loom_pfc_next_refresh(&st, &cfg), 1000 + half);
	loom_fake_clock_advance(&fc, half - 1);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, loom_clock_now(&fc.clock), &quanta), LOOM_PFC_NONE);
	loom_fake_clock_advance(&fc, 1);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, loom_clock_now(&fc.clock), &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(quanta, 0xffff);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, loom_clock_now(&fc.clock), &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_next_refresh(&st, &cfg), 1000 + 2 * half);
	assert_int_equal(st.st.refresh_sent, 1);
	assert_int_equal(st.st.pause_sent, 1);
	/* resumed: no more */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 60000, loom_clock_now(&fc.clock), &quanta),
			 LOOM_PFC_SEND_RESUME);
	assert_int_equal(loom_pfc_next_refresh(&st, &cfg), LOOM_TIME_NEVER);
	loom_fake_clock_advance(&fc, 10 * half);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, loom_clock_now(&fc.clock), &quanta), LOOM_PFC_NONE);
	/* refresh off */
	cfg.refresh_ns = 0;
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 100000, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(loom_pfc_next_refresh(&st, &cfg), LOOM_TIME_NEVER);
	assert_int_equal(loom_pfc_refresh(&st, &cfg, LOOM_NS_PER_S, &quanta), LOOM_PFC_NONE);
}

static void test_rx_pause_hold(void **state)
{
	static const struct {
		uint64_t rate;
		uint16_t quanta;
		loom_time_ns ns;
	} want[] = {
		{10 * GBPS, 0xffff, 3355392},     /* 33 553 920 bits / 10G, exact */
		{25 * GBPS, 0xffff, 1342157},     /* 1 342 156.8 */
		{100 * GBPS, 0xffff, 335540},     /* 335 539.2 */
		{400 * GBPS, 0xffff, 83885},      /* 83 884.8 */
		{7300000000ull, 0xffff, 4596428}, /* 4 596 427.4 */
		{400 * GBPS, 1, 2},               /* 1.28 */
		{1 * GBPS, 1, 512},
	};
	struct loom_fake_clock fc;
	struct loom_pfc_hold h;

	loom_fake_clock_init(&fc, 12345);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		loom_time_ns now = loom_clock_now(&fc.clock);
		loom_time_ns until;

		assert_int_equal(loom_pfc_quanta_ns(want[i].quanta, want[i].rate), want[i].ns);
		loom_pfc_hold_init(&h);
		assert_false(loom_pfc_is_held(&h, now));
		until = loom_pfc_rx_pause(&h, want[i].quanta, want[i].rate, now);
		assert_int_equal(until, now + want[i].ns);
		assert_true(loom_pfc_is_held(&h, now));
		assert_true(loom_pfc_is_held(&h, until - 1));
		assert_false(loom_pfc_is_held(&h, until));
		loom_fake_clock_advance(&fc, 1000);
	}

	/* a new PAUSE reloads the timer, shorter or longer; quanta 0 ends it */
	loom_pfc_hold_init(&h);
	loom_pfc_rx_pause(&h, 0xffff, 10 * GBPS, 1000);
	assert_int_equal(loom_pfc_rx_pause(&h, 10, 10 * GBPS, 2000), 2000 + 512);
	assert_false(loom_pfc_is_held(&h, 2512));
	assert_int_equal(loom_pfc_rx_pause(&h, 100, 10 * GBPS, 2100), 2100 + 5120);
	assert_true(loom_pfc_is_held(&h, 7219));
	assert_int_equal(loom_pfc_rx_pause(&h, 0, 10 * GBPS, 3000), 3000);
	assert_false(loom_pfc_is_held(&h, 3000));
	assert_int_equal(h.pauses_rx, 3);
	assert_int_equal(h.resumes_rx, 1);
	/* rate 0 (link down): ignored */
	assert_int_equal(loom_pfc_rx_pause(&h, 0xffff, 0, 4000), 3000);
	assert_int_equal(h.ignored, 1);
	assert_int_equal(loom_pfc_quanta_ns(1, 0), LOOM_TIME_NEVER);
	assert_int_equal(loom_pfc_refresh_default(1, 0), 0);
}

/* Fill queues round robin with pkt-byte packets until all are refused;
 * returns each queue's bytes. */
static void fill(struct loom_buffer *b, uint64_t *q, int n, uint32_t pkt, int alpha_log2)
{
	int refused = 0;

	while (refused < n) {
		refused = 0;
		for (int i = 0; i < n; i++) {
			if (loom_buffer_admit(b, q[i], pkt, alpha_log2) == LOOM_BUFFER_ADMIT)
				q[i] += pkt;
			else
				refused++;
		}
	}
}

static void test_dynamic_threshold(void **state)
{
	struct loom_buffer b;
	uint64_t q[4];

	/* alpha 1: one queue stops at B / 2: admitted while q < B - q */
	loom_buffer_init(&b, 100000);
	assert_int_equal(loom_buffer_threshold(&b, 0), 100000);
	q[0] = 0;
	fill(&b, q, 1, 1000, 0);
	assert_int_equal(q[0], 50000);
	assert_int_equal(b.used, 50000);
	assert_int_equal(b.st.admitted_pkts, 50);
	assert_int_equal(b.st.denied_threshold, 1);
	assert_int_equal(b.st.denied_full, 0);
	assert_int_equal(loom_buffer_threshold(&b, 0), 50000);

	/* alpha 2: 2/3 B = 66 667 -> 67 000 (66 000 < 2 x 34 000) */
	loom_buffer_init(&b, 100000);
	q[0] = 0;
	fill(&b, q, 1, 1000, 1);
	assert_int_equal(q[0], 67000);
	/* alpha 1/2: B/3 = 33 333 -> 34 000 (33 000 < 67 000 / 2) */
	loom_buffer_init(&b, 100000);
	q[0] = 0;
	fill(&b, q, 1, 1000, -1);
	assert_int_equal(q[0], 34000);
	/* alpha 1/128: B/129 = 775 -> 7 x 111 B = 777 */
	loom_buffer_init(&b, 100000);
	q[0] = 0;
	fill(&b, q, 1, 111, -7);
	assert_int_equal(q[0], 777);

	/* four queues, alpha 1: alpha B / (1 + 4 alpha) = 20 000 each, to a
	 * packet, and a fifth of the buffer stays free */
	loom_buffer_init(&b, 1000000);
	for (int i = 0; i < 4; i++)
		q[i] = 0;
	fill(&b, q, 4, 1000, 0);
	for (int i = 0; i < 4; i++)
		assert_true(q[i] >= 199000 && q[i] <= 201000);
	assert_true(b.size - b.used >= 199000);

	/* a queue that drains lets the others grow */
	for (uint64_t left = q[0]; left; left -= 1000)
		loom_buffer_release(&b, 1000);
	q[0] = 0;
	fill(&b, q + 1, 3, 1000, 0);
	for (int i = 1; i < 4; i++)
		assert_true(q[i] >= 249000 && q[i] <= 251000);
}

static void test_buffer_full(void **state)
{
	struct loom_buffer b;

	/* alpha 2^16: only the buffer's size limits */
	loom_buffer_init(&b, 10000);
	assert_int_equal(loom_buffer_admit(&b, 0, 9000, 16), LOOM_BUFFER_ADMIT);
	assert_int_equal(loom_buffer_admit(&b, 9000, 1001, 16), LOOM_BUFFER_DENY_FULL);
	assert_int_equal(loom_buffer_admit(&b, 9000, 1000, 16), LOOM_BUFFER_ADMIT);
	assert_int_equal(b.used, 10000);
	assert_int_equal(loom_buffer_admit(&b, 0, 1, 16), LOOM_BUFFER_DENY_FULL);
	assert_int_equal(b.st.denied_full, 2);
	loom_buffer_release(&b, 1000);
	assert_int_equal(b.used, 9000);
	assert_int_equal(b.st.released_bytes, 1000);
	/* alpha is clamped: 2^100 acts as 2^16, 2^-100 as 2^-16 */
	assert_int_equal(loom_buffer_threshold(&b, 100), 1000ull << 16);
	assert_int_equal(loom_buffer_threshold(&b, -100), 0);
	assert_int_equal(loom_buffer_threshold(&b, 3), 8000);
	/* over-release is counted, not wrapped */
	loom_buffer_release(&b, 20000);
	assert_int_equal(b.used, 0);
	assert_int_equal(b.st.underflow, 1);
}

static void test_checks_and_underflow(void **state)
{
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	uint16_t quanta;

	cfg_100k(&cfg);
	cfg.xon_bytes = cfg.xoff_bytes;
	assert_int_equal(loom_pfc_cfg_check(&cfg), -EINVAL);
	cfg_100k(&cfg);
	cfg.pause_quanta = 0;
	assert_int_equal(loom_pfc_cfg_check(&cfg), -EINVAL);
	cfg_100k(&cfg);
	cfg.xon_bytes = 0;
	assert_int_equal(loom_pfc_cfg_check(&cfg), 0);
	/* xon 0: RESUME when empty */
	loom_pfc_state_init(&st);
	assert_int_equal(loom_pfc_on_enqueue(&st, &cfg, 100000, 0, &quanta), LOOM_PFC_SEND_PAUSE);
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 99999, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_SEND_RESUME);
	/* more out than in: counted, clamped */
	assert_int_equal(loom_pfc_on_dequeue(&st, &cfg, 1, 0, &quanta), LOOM_PFC_NONE);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.st.underflow, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xoff_at_threshold),
		cmocka_unit_test(test_xon_hysteresis),
		cmocka_unit_test(test_headroom),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_rx_pause_hold),
		cmocka_unit_test(test_dynamic_threshold),
		cmocka_unit_test(test_buffer_full),
		cmocka_unit_test(test_checks_and_underflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
