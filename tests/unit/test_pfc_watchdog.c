/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PFC watchdog state machine on a fake clock (loom/tm/pfc_watchdog.h):
 *  - a storm (PAUSE every 1 ms, each holding 3 ms) is declared exactly at
 *    detect_ns after the episode began, by the PAUSE or by a check,
 *    not one ns before; the PAUSE that declares it is ignored;
 *  - while stormed every PAUSE is ignored and counted; restored exactly
 *    restore_ns after the last PAUSE, then PAUSE is obeyed again and a new
 *    episode starts from zero;
 *  - legitimate pause/resume cycles (incast hysteresis), and holds that
 *    run out between PAUSEs, never trip it, however long they go on;
 *  - detect 0 turns it off; next_check says when to look.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/clock.h"
#include "loom/tm/pfc_watchdog.h"

#define MS 1000000ull

static const struct loom_pfc_wd_cfg cfg10 = {.detect_ns = 10 * MS, .restore_ns = 5 * MS,
					     .action = LOOM_PFC_WD_DROP};

/* The receiving queue as the glue sees it: held until `until`. */
struct q {
	struct loom_pfc_wd w;
	loom_time_ns until;
};

static bool pause_at(struct q *q, const struct loom_pfc_wd_cfg *cfg, uint16_t quanta, loom_time_ns hold,
		     loom_time_ns now, enum loom_pfc_wd_event *ev)
{
	bool obey = loom_pfc_wd_on_pause(&q->w, cfg, quanta, q->until > now, now, ev);

	if (obey)
		q->until = quanta ? now + hold : now;
	else if (*ev == LOOM_PFC_WD_STORM)
		q->until = now; /* released */
	return obey;
}

static void test_storm_declared_by_pause(void **state)
{
	struct q q = {.until = 0};
	enum loom_pfc_wd_event ev;

	(void)state;
	loom_pfc_wd_init(&q.w);
	for (loom_time_ns t = 100 * MS; t < 110 * MS; t += MS) {
		assert_true(pause_at(&q, &cfg10, 0xffff, 3 * MS, t, &ev));
		assert_int_equal(ev, LOOM_PFC_WD_NONE);
		assert_false(loom_pfc_wd_drops(&q.w, &cfg10));
	}
	/* 110 ms: exactly detect_ns after the first PAUSE at 100 ms */
	assert_false(pause_at(&q, &cfg10, 0xffff, 3 * MS, 110 * MS, &ev));
	assert_int_equal(ev, LOOM_PFC_WD_STORM);
	assert_true(loom_pfc_wd_drops(&q.w, &cfg10));
	assert_int_equal(q.w.st.storms, 1);
	assert_int_equal(q.w.st.pauses_ignored, 1);
	/* stormed: every PAUSE ignored, not obeyed */
	for (loom_time_ns t = 111 * MS; t <= 130 * MS; t += MS) {
		assert_false(pause_at(&q, &cfg10, 0xffff, 3 * MS, t, &ev));
		assert_int_equal(ev, LOOM_PFC_WD_NONE);
		assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, false, t), LOOM_PFC_WD_NONE);
	}
	assert_int_equal(q.w.st.pauses_ignored, 21);
	assert_int_equal(q.until, 110 * MS);
	/* restored exactly restore_ns after the last PAUSE (130 ms) */
	assert_int_equal(loom_pfc_wd_next_check(&q.w, &cfg10, q.until), 135 * MS);
	assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, false, 135 * MS - 1), LOOM_PFC_WD_NONE);
	assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, false, 135 * MS), LOOM_PFC_WD_RESTORED);
	assert_false(loom_pfc_wd_drops(&q.w, &cfg10));
	assert_int_equal(q.w.st.restores, 1);
	/* obeyed again, and a new episode counts from its own start */
	assert_true(pause_at(&q, &cfg10, 0xffff, 3 * MS, 140 * MS, &ev));
	assert_int_equal(loom_pfc_wd_next_check(&q.w, &cfg10, q.until), LOOM_TIME_NEVER); /* hold ends first */
	for (loom_time_ns t = 141 * MS; t < 150 * MS; t += MS)
		assert_true(pause_at(&q, &cfg10, 0xffff, 3 * MS, t, &ev));
	assert_false(pause_at(&q, &cfg10, 0xffff, 3 * MS, 150 * MS, &ev));
	assert_int_equal(ev, LOOM_PFC_WD_STORM);
	assert_int_equal(q.w.st.storms, 2);
}

static void test_storm_declared_by_check(void **state)
{
	struct q q = {.until = 0};
	enum loom_pfc_wd_event ev;

	(void)state;
	loom_pfc_wd_init(&q.w);
	/* one PAUSE that holds 50 ms: the check declares it at 10 ms */
	assert_true(pause_at(&q, &cfg10, 0xffff, 50 * MS, 0, &ev));
	assert_int_equal(loom_pfc_wd_next_check(&q.w, &cfg10, q.until), 10 * MS);
	assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, true, 10 * MS - 1), LOOM_PFC_WD_NONE);
	assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, true, 10 * MS), LOOM_PFC_WD_STORM);
	assert_int_equal(q.w.st.storms, 1);
	/* no further PAUSE: restored restore_ns after the only one */
	assert_int_equal(loom_pfc_wd_next_check(&q.w, &cfg10, q.until), 5 * MS);
	assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, false, 10 * MS + 1), LOOM_PFC_WD_RESTORED);
}

static void test_incast_cycles_never_trip(void **state)
{
	struct q q = {.until = 0};
	enum loom_pfc_wd_event ev;

	(void)state;
	loom_pfc_wd_init(&q.w);
	/* 10 s of XOFF at t, XON at t + 900 us, every ms: paused 90 % of the time */
	for (loom_time_ns t = 0; t < 10000 * MS; t += MS) {
		assert_true(pause_at(&q, &cfg10, 0xffff, 3 * MS, t, &ev));
		assert_int_equal(loom_pfc_wd_check(&q.w, &cfg10, q.until > t + MS / 2, t + MS / 2),
				 LOOM_PFC_WD_NONE);
		assert_true(pause_at(&q, &cfg10, 0, 0, t + 900000, &ev));
		assert_int_equal(ev, LOOM_PFC_WD_NONE);
	}
	/* holds that run out between PAUSEs (no refresh): each is an episode */
	for (loom_time_ns t = 20000 * MS; t < 21000 * MS; t += 4 * MS) {
		assert_true(pause_at(&q, &cfg10, 0xffff, 3 * MS, t, &ev));
		assert_int_equal(ev, LOOM_PFC_WD_NONE);
	}
	assert_int_equal(q.w.st.storms, 0);
	assert_int_equal(q.w.st.pauses_ignored, 0);
}

static void test_off_and_ignore_action(void **state)
{
	struct loom_pfc_wd_cfg off = cfg10, fwd = cfg10, def;
	struct q q = {.until = 0};
	enum loom_pfc_wd_event ev;

	(void)state;
	off.detect_ns = 0;
	loom_pfc_wd_init(&q.w);
	for (loom_time_ns t = 0; t < 1000 * MS; t += MS)
		assert_true(pause_at(&q, &off, 0xffff, 3 * MS, t, &ev));
	assert_int_equal(loom_pfc_wd_check(&q.w, &off, true, 1000 * MS), LOOM_PFC_WD_NONE);
	assert_int_equal(loom_pfc_wd_next_check(&q.w, &off, q.until), LOOM_TIME_NEVER);
	/* action ignore: stormed, PAUSE ignored, packets not dropped */
	fwd.action = LOOM_PFC_WD_IGNORE;
	loom_pfc_wd_init(&q.w);
	q.until = 0;
	for (loom_time_ns t = 0; t <= 10 * MS; t += MS)
		pause_at(&q, &fwd, 0xffff, 3 * MS, t, &ev);
	assert_true(q.w.stormed);
	assert_false(loom_pfc_wd_drops(&q.w, &fwd));
	loom_pfc_wd_cfg_default(&def);
	assert_int_equal(def.detect_ns, 200 * MS);
	assert_int_equal(def.restore_ns, 200 * MS);
	assert_int_equal(def.action, LOOM_PFC_WD_DROP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_declared_by_pause),
		cmocka_unit_test(test_storm_declared_by_check),
		cmocka_unit_test(test_incast_cycles_never_trip),
		cmocka_unit_test(test_off_and_ignore_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
