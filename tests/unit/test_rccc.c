/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiver credits (loom/cc/rccc.h), values by hand. The pacer runs at
 * 8 Gb/s: one byte per ns, so a grant of B bytes takes B ns.
 *
 * The sender: a speculative window of 3 000 bytes, spent first and never
 * dropped, then what is granted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loom/cc/cc_params.h"
#include "loom/cc/rccc.h"

#define RATE 8000000000ull

/* The caller's flows hold the credit state somewhere inside (the stride). */
struct flow {
	uint32_t id;
	struct loom_rccc_rx cr;
	uint64_t other;
};

#define GRANT(p, fl, n, now) loom_rccc_pacer_grant((p), &(fl)[0].cr, sizeof((fl)[0]), (n), (now))

/* The sender spends its speculative window, then only what is granted;
 * the first grant drops what speculation left unspent. */
static void test_sender_credit(void **state)
{
	struct loom_rccc_tx t;

	(void)state;
	loom_rccc_tx_init(&t, 3000);
	assert_true(loom_rccc_tx_may_send(&t));
	assert_true(loom_rccc_tx_spend(&t, 1000)); /* speculative */
	assert_true(loom_rccc_tx_spend(&t, 1000));
	/* wants 10 000 more, at most 4 000 in hand: 4 000 - 1 000 in hand */
	assert_int_equal(loom_rccc_tx_request(&t, 10000, 4000), 3000);
	/* a grant of 2 000 in all: the speculative 1 000 left stay */
	assert_int_equal(loom_rccc_tx_on_grant(&t, 2000), 2000);
	assert_int_equal(t.credit, 3000);
	/* an older (smaller) cumulative grant adds nothing */
	assert_int_equal(loom_rccc_tx_on_grant(&t, 1500), 0);
	assert_int_equal(t.credit, 3000);
	assert_true(loom_rccc_tx_spend(&t, 1500)); /* the speculative window's last 1 000 in it */
	assert_int_equal(t.spec_left, 0);
	assert_false(loom_rccc_tx_spend(&t, 1000)); /* granted */
	assert_true(loom_rccc_tx_may_send(&t));
	assert_false(loom_rccc_tx_spend(&t, 1500)); /* the last packet may go below zero */
	assert_false(loom_rccc_tx_may_send(&t));
	assert_int_equal(t.credit, -1000);
	assert_int_equal(t.spent, 6000);
	/* the request covers the debt: 2 000 seen + 1 000 + min(backlog, cap) */
	assert_int_equal(loom_rccc_tx_request(&t, 500, 4000), 3500);
	assert_int_equal(loom_rccc_tx_request(&t, 9000, 4000), 7000);
	assert_true(loom_rccc_tx_spend(&t, 100)); /* without credit (a timeout's): unsolicited */
	/* nothing left to send, credit in hand: asks for nothing more */
	assert_int_equal(loom_rccc_tx_on_grant(&t, 6000), 4000);
	assert_int_equal(loom_rccc_tx_request(&t, 0, 4000), 6000);
}

/* Three flows wanting, quantum 1 000: round robin, one grant per 1 000 ns
 * (the quantum's time at the rate), each flow's grant capped by its
 * request; a flow that stops wanting is skipped. */
static void test_pacer_round_robin(void **state)
{
	struct flow fl[4];
	struct loom_rccc_pacer p;

	(void)state;
	memset(fl, 0, sizeof(fl));
	loom_rccc_pacer_init(&p, RATE, 1000, 0);
	assert_int_equal(loom_rccc_pacer_due(&p), LOOM_TIME_NEVER);
	assert_int_equal(GRANT(&p, fl, 4, 0), -1);
	loom_rccc_pacer_request(&p, &fl[0].cr, 5000, 100);
	loom_rccc_pacer_request(&p, &fl[2].cr, 1500, 100);
	loom_rccc_pacer_request(&p, &fl[3].cr, 5000, 150);
	loom_rccc_pacer_request(&p, &fl[3].cr, 4000, 160); /* older: no change */
	assert_int_equal(fl[3].cr.request, 5000);
	assert_int_equal(p.wanting, 3);
	assert_int_equal(loom_rccc_pacer_due(&p), 100); /* started when the first request came */
	assert_int_equal(GRANT(&p, fl, 4, 100), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 1100);
	assert_int_equal(GRANT(&p, fl, 4, 1099), -1); /* not due */
	assert_int_equal(GRANT(&p, fl, 4, 1100), 2);
	assert_int_equal(GRANT(&p, fl, 4, 2100), 3);
	assert_int_equal(GRANT(&p, fl, 4, 3100), 0);
	/* flow 2 wants 500 more: it gets 500, and the next grant comes 500 ns later */
	assert_int_equal(GRANT(&p, fl, 4, 4100), 2);
	assert_int_equal(fl[2].cr.granted, 1500);
	assert_int_equal(loom_rccc_pacer_due(&p), 4600);
	assert_int_equal(p.wanting, 2);
	assert_int_equal(GRANT(&p, fl, 4, 4600), 3);
	assert_int_equal(GRANT(&p, fl, 4, 5600), 0); /* flow 2 is skipped */
	assert_int_equal(fl[0].cr.granted, 3000);
	assert_int_equal(fl[3].cr.granted, 2000);
	assert_int_equal(fl[1].cr.granted, 0);
	assert_int_equal(p.granted_bytes, 6500);
	assert_int_equal(fl[0].id, 0); /* the caller's fields untouched */
}

/* Idle time is not banked: a pacer with nothing wanted from 1 100 to 50 000
 * grants at the request's time, then at the rate again. A late call
 * catches up at most one quantum's time. */
static void test_pacer_idle_and_late(void **state)
{
	struct flow fl[2];
	struct loom_rccc_pacer p;

	(void)state;
	memset(fl, 0, sizeof(fl));
	loom_rccc_pacer_init(&p, RATE, 1000, 0);
	loom_rccc_pacer_request(&p, &fl[1].cr, 1000, 100);
	assert_int_equal(GRANT(&p, fl, 2, 100), 1);
	assert_int_equal(loom_rccc_pacer_due(&p), LOOM_TIME_NEVER);
	loom_rccc_pacer_request(&p, &fl[0].cr, 100000, 50000);
	assert_int_equal(loom_rccc_pacer_due(&p), 50000);
	assert_int_equal(GRANT(&p, fl, 2, 50000), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 51000);
	/* called at 60 000 (9 000 ns late): one grant's time back, then due at once */
	assert_int_equal(GRANT(&p, fl, 2, 60000), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 60000);
	assert_int_equal(GRANT(&p, fl, 2, 60000), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 61000);
}

/* Unsolicited bytes (speculation) take the link as grants would, `lead`
 * (5 000 ns) after the grants whose data they meet: bytes that arrive
 * before the busy period's first grant can bring data (1 000 + 5 000)
 * delay nothing; later ones put the next grant off by their time; after a
 * quiet spell they start a busy period of their own. The flow is the
 * pacer's only one: from `lead` after its first request (6 000) its
 * grants may go `lead` ahead of the pacer's time. */
static void test_pacer_unsolicited(void **state)
{
	struct flow fl[1];
	struct loom_rccc_pacer p;

	(void)state;
	memset(fl, 0, sizeof(fl));
	loom_rccc_pacer_init(&p, RATE, 1000, 5000);
	loom_rccc_pacer_request(&p, &fl[0].cr, 10000, 1000);
	assert_int_equal(GRANT(&p, fl, 1, 1000), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 2000);
	loom_rccc_pacer_unsolicited(&p, 1000, 5000); /* on the link 5 000-6 000: free */
	assert_int_equal(loom_rccc_pacer_due(&p), 2000);
	loom_rccc_pacer_unsolicited(&p, 1000, 6500); /* meets the grant's data */
	assert_int_equal(loom_rccc_pacer_due(&p), 3000);
	loom_rccc_pacer_unsolicited(&p, 500, 20000);
	assert_int_equal(p.next_at, 15500);
	assert_int_equal(loom_rccc_pacer_due(&p), 10500); /* alone: `lead` ahead */
	assert_int_equal(p.unsolicited_bytes, 2500);
	assert_int_equal(GRANT(&p, fl, 1, 10499), -1);
	assert_int_equal(GRANT(&p, fl, 1, 10500), 0);
	assert_int_equal(loom_rccc_pacer_due(&p), 11500);
	/* a second flow asks: no more ahead, the pacer's own time */
	{
		struct flow two[2];

		memset(two, 0, sizeof(two));
		two[0] = fl[0];
		loom_rccc_pacer_request(&p, &two[1].cr, 1000, 10600);
		assert_int_equal(loom_rccc_pacer_due(&p), 16500);
	}
}

/* Over a long run the grants keep the rate exactly: 3 000 quanta of
 * 4 110 bytes at 100 Gb/s take 986.4 us, with no rounding per grant. */
static void test_pacer_rate_exact(void **state)
{
	struct flow fl[1];
	struct loom_rccc_pacer p;
	loom_time_ns now = 0;

	(void)state;
	memset(fl, 0, sizeof(fl));
	loom_rccc_pacer_init(&p, 100000000000ull, 4110, 0);
	loom_rccc_pacer_request(&p, &fl[0].cr, 4110ull * 3000, 0);
	for (int i = 0; i < 3000; i++) {
		now = loom_rccc_pacer_due(&p);
		assert_int_equal(GRANT(&p, fl, 1, now), 0);
	}
	assert_int_equal(loom_rccc_pacer_due(&p), LOOM_TIME_NEVER);
	assert_int_equal(p.next_at, 986400);
}

/* The flow's parameters: credit_spec only with receiver_credit (else it
 * would do nothing), both NSCC's. */
static void test_params(void **state)
{
	struct loom_cc_params ps = {0};
	struct loom_nscc_cfg c;
	const char *why;

	(void)state;
	assert_int_equal(loom_cc_param_find("receiver_credit"), LOOM_CC_RECEIVER_CREDIT);
	assert_int_equal(loom_cc_param_find("credit_spec"), LOOM_CC_CREDIT_SPEC);
	loom_nscc_default(&c, 1000, RATE);
	loom_cc_params_set(&ps, LOOM_CC_CREDIT_SPEC, 8220);
	assert_int_not_equal(loom_cc_params_apply_nscc(&ps, &c, &why), 0);
	assert_non_null(strstr(why, "receiver_credit"));
	loom_cc_params_set(&ps, LOOM_CC_RECEIVER_CREDIT, 1);
	assert_int_equal(loom_cc_params_apply_nscc(&ps, &c, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sender_credit),
		cmocka_unit_test(test_pacer_round_robin),
		cmocka_unit_test(test_pacer_idle_and_late),
		cmocka_unit_test(test_pacer_unsolicited),
		cmocka_unit_test(test_pacer_rate_exact),
		cmocka_unit_test(test_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
