/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compact transport feedback (dataplane/hosts/gen_feedback.h,
 * gen_feedback_compact.c): what the receiver writes for each set-up, the
 * sender's expansion into the full layout (32-bit PSNs and times extended
 * across a wrap), and frames that are too short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "gen_feedback_compact.h"
#include "gen_state.h"

static struct loom_gen_rx_flow rx(uint8_t cc, uint8_t entropy)
{
	struct loom_gen_rx_flow r;

	memset(&r, 0, sizeof(r));
	r.cc = cc;
	r.entropy = entropy;
	r.tx_slot = 3;
	r.flow_id = 77;
	return r;
}

static struct loom_gen_tx_flow tx(uint8_t cc, uint8_t entropy, uint16_t ack_every, uint64_t una)
{
	static struct loom_gen_tx_flow f;

	memset(&f, 0, sizeof(f));
	f.spec.cc = cc;
	f.spec.entropy = entropy;
	f.spec.ack_every = ack_every;
	f.spec.recovery = LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT;
	f.spec.id = 77;
	f.tp.sr.una = una;
	return f;
}

/* Sizes: only what the set-up uses. */
static void test_sizes(void **state)
{
	(void)state;
	struct loom_gen_feedback fb = {.kind = LOOM_GEN_FB_TP_ACK, .ack_seq = 10};
	struct loom_gen_rx_flow r = rx(LOOM_FLOW_CC_NONE, LOOM_FLOW_ENTROPY_PER_FLOW);
	uint8_t fl;

	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 18); /* a 60-byte frame */
	assert_int_equal(fl, 0);
	r.cc = LOOM_FLOW_CC_NSCC;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 22);
	fb.counted = true;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 26); /* 68: the bench's ACK */
	assert_int_equal(fl, LOOM_GEN_FBC_TS | LOOM_GEN_FBC_COUNTS);
	fb.ext.sack = 0x5;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 38); /* with its selective block: 80 */
	r.entropy = LOOM_FLOW_ENTROPY_REPS;
	fb.evs.n = 4;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 38 + 2 + 2 + 8);
	/* what the control side computes for the path RTT (no selective block) */
	fb.ext.sack = 0;
	assert_int_equal(LOOM_FRAME_HDR_UDP + loom_gen_feedback_compact_len(&r, &fb, &fl), loom_frame_tp_ack_bytes(1, 4, 1));
	/* counts that do not fit, and a CNP: the full layout */
	fb.ack_pkts = 70000;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 0);
	fb.ack_pkts = 4;
	fb.kind = LOOM_GEN_FB_CNP;
	assert_int_equal(loom_gen_feedback_compact_len(&r, &fb, &fl), 0);
}

/* Written and expanded: every field as the full layout has it, PSNs and the
 * send time across a 32-bit wrap. */
static void test_round_trip(void **state)
{
	(void)state;
	uint64_t wrap = 1ull << 32;
	struct loom_gen_rx_flow r = rx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_REPS);
	struct loom_gen_feedback fb = {
		.kind = LOOM_GEN_FB_TP_ACK, .ece = 1, .ev = 0xc123, .ack_seq = wrap + 5,
		.ext = {.sack_base = wrap + 64, .sack = 0x9}, .ts_echo = wrap + 20, .counted = true,
		.ack_pkts = 4, .ack_ce = 1, .evs = {.n = 2, .ce = 0x2, .ev = {0xc001, 0xc002}},
	};
	struct loom_gen_tx_flow f = tx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_REPS, 4, wrap - 3);
	uint8_t buf[LOOM_GEN_FBC_MAX], fl;
	uint32_t len = loom_gen_feedback_compact_len(&r, &fb, &fl);
	struct loom_gen_feedback_hdr h;
	struct loom_gen_feedback_ext e;
	struct loom_gen_fb_tail t;
	uint64_t ts;
	struct loom_gen_ack_counts c;
	struct loom_gen_ev_echo ev;

	assert_true(len > 0 && len <= sizeof(buf));
	loom_gen_feedback_compact_write(buf, &r, &fb, fl);
	assert_true(buf[12] & LOOM_GEN_FB_COMPACT); /* at the full header's kind */
	assert_true(loom_gen_feedback_expand(&f, buf, len, wrap + 900, &h, &e, &t));
	assert_int_equal(rte_be_to_cpu_32(h.magic), LOOM_GEN_FEEDBACK_MAGIC);
	assert_int_equal(rte_be_to_cpu_32(h.tx_slot), 3);
	assert_int_equal(rte_be_to_cpu_32(h.flow_id), 77);
	assert_int_equal(h.kind, LOOM_GEN_FB_TP_ACK);
	assert_int_equal(h.ece, 1);
	assert_int_equal(rte_be_to_cpu_16(h.ev), 0xc123);
	assert_int_equal(rte_be_to_cpu_64(h.ack_seq), wrap + 5);
	assert_int_equal(rte_be_to_cpu_64(e.sack_base), wrap + 64);
	assert_int_equal(rte_be_to_cpu_64(e.sack), 0x9);
	assert_int_equal(t.len, 8 + sizeof(c) + sizeof(ev));
	memcpy(&ts, t.b, 8);
	assert_int_equal(rte_be_to_cpu_64(ts), wrap + 20);
	memcpy(&c, t.b + 8, sizeof(c));
	assert_int_equal(rte_be_to_cpu_32(c.pkts), 4);
	assert_int_equal(rte_be_to_cpu_32(c.ce), 1);
	memcpy(&ev, t.b + 8 + sizeof(c), sizeof(ev));
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.ce, 0x2);
	assert_int_equal(rte_be_to_cpu_16(ev.ev[1]), 0xc002);
	/* a time sent just before the clock's low 32 bits wrapped */
	fb.ts_echo = wrap - 50;
	loom_gen_feedback_compact_write(buf, &r, &fb, fl);
	assert_true(loom_gen_feedback_expand(&f, buf, len, wrap + 100, &h, &e, &t));
	memcpy(&ts, t.b, 8);
	assert_int_equal(rte_be_to_cpu_64(ts), wrap - 50);
}

/* A NACK carries its PSN; a frame shorter than its flags say is refused. */
static void test_nak_and_truncated(void **state)
{
	(void)state;
	struct loom_gen_rx_flow r = rx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW);
	struct loom_gen_feedback fb = {.kind = LOOM_GEN_FB_TP_NAK, .ack_seq = 100, .ext = {.psn = 130}, .ts_echo = 5};
	struct loom_gen_tx_flow f = tx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW, 1, 90);
	uint8_t buf[LOOM_GEN_FBC_MAX], fl;
	uint32_t len = loom_gen_feedback_compact_len(&r, &fb, &fl);
	struct loom_gen_feedback_hdr h;
	struct loom_gen_feedback_ext e;
	struct loom_gen_fb_tail t;

	assert_int_equal(len, 18 + 4 + 4);
	loom_gen_feedback_compact_write(buf, &r, &fb, fl);
	assert_true(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
	assert_int_equal(h.kind, LOOM_GEN_FB_TP_NAK);
	assert_int_equal(rte_be_to_cpu_64(e.psn), 130);
	assert_int_equal(rte_be_to_cpu_64(h.ack_seq), 100);
	for (uint32_t cut = 0; cut < len; cut++)
		assert_false(loom_gen_feedback_expand(&f, buf, cut, 1000, &h, &e, &t));
}

/* A receiver-credit flow's grant rides last, 8 bytes, and lands where the
 * full layout has it for the flow (after NSCC's time and the counts). */
static void test_grant(void **state)
{
	(void)state;
	struct loom_gen_rx_flow r = rx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW);
	struct loom_gen_feedback fb = {.kind = LOOM_GEN_FB_TP_ACK, .ack_seq = 40, .ts_echo = 7, .counted = true,
				       .ack_pkts = 4};
	struct loom_gen_tx_flow f = tx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW, 4, 30);
	uint8_t buf[LOOM_GEN_FBC_MAX], fl;
	struct loom_gen_feedback_hdr h;
	struct loom_gen_feedback_ext e;
	struct loom_gen_fb_tail t;
	uint64_t g;
	uint32_t len;

	r.credit.on = f.credit.on = true; /* both ends, as loom_gen_credit_config sets them */
	r.credit.st.granted = (1ull << 33) + 4110;
	len = loom_gen_feedback_compact_len(&r, &fb, &fl);
	assert_int_equal(len, 26 + 8);
	assert_true(fl & LOOM_GEN_FBC_GRANT);
	loom_gen_feedback_compact_write(buf, &r, &fb, fl);
	assert_true(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
	assert_int_equal(loom_gen_tx_fb_tail(&f).grant, 8 + sizeof(struct loom_gen_ack_counts));
	assert_int_equal(t.len, loom_gen_tx_fb_tail(&f).grant + 8);
	memcpy(&g, t.b + loom_gen_tx_fb_tail(&f).grant, sizeof(g));
	assert_int_equal(rte_be_to_cpu_64(g), (1ull << 33) + 4110);
	for (uint32_t cut = 0; cut < len; cut++)
		assert_false(loom_gen_feedback_expand(&f, buf, cut, 1000, &h, &e, &t));
}

/* The tail's parts sit where the full layout has them for the flow, the
 * same for the writer and the reader; a compact frame whose parts are not
 * its flow's (its set-up gives its feedback no grant, no counts, no send
 * time) is refused rather than read in the wrong places. */
static void test_layout(void **state)
{
	(void)state;
	struct loom_gen_fb_tail_layout l =
		loom_gen_fb_tail_layout(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_REPS, true, true);
	struct loom_gen_rx_flow r = rx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW);
	struct loom_gen_feedback fb = {.kind = LOOM_GEN_FB_TP_ACK, .ack_seq = 40, .ts_echo = 7, .counted = true,
				       .ack_pkts = 4};
	struct loom_gen_tx_flow f;
	uint8_t buf[LOOM_GEN_FBC_MAX], fl;
	struct loom_gen_feedback_hdr h;
	struct loom_gen_feedback_ext e;
	struct loom_gen_fb_tail t;
	uint32_t len;

	assert_int_equal(l.ts, 0);
	assert_int_equal(l.counts, 8);
	assert_int_equal(l.evs, 8 + sizeof(struct loom_gen_ack_counts));
	assert_int_equal(l.grant, l.evs + sizeof(struct loom_gen_ev_echo));
	assert_int_equal(l.len, sizeof(t.b));
	l = loom_gen_fb_tail_layout(LOOM_FLOW_CC_DCTCP, LOOM_FLOW_ENTROPY_PER_FLOW, false, false);
	assert_int_equal(l.ts, LOOM_GEN_FB_TAIL_NONE);
	assert_int_equal(l.counts, LOOM_GEN_FB_TAIL_NONE);
	assert_int_equal(l.grant, LOOM_GEN_FB_TAIL_NONE);
	assert_int_equal(l.len, 0);

	r.credit.on = true;
	len = loom_gen_feedback_compact_len(&r, &fb, &fl);
	loom_gen_feedback_compact_write(buf, &r, &fb, fl);
	f = tx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW, 4, 30);
	f.credit.on = true;
	assert_true(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
	f.credit.on = false; /* no grant in its layout */
	assert_false(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
	f = tx(LOOM_FLOW_CC_NSCC, LOOM_FLOW_ENTROPY_PER_FLOW, 1, 30); /* not coalescing: no counts */
	f.credit.on = true;
	assert_false(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
	f = tx(LOOM_FLOW_CC_DCTCP, LOOM_FLOW_ENTROPY_PER_FLOW, 4, 30); /* no send time */
	f.credit.on = true;
	assert_false(loom_gen_feedback_expand(&f, buf, len, 1000, &h, &e, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_nak_and_truncated),
		cmocka_unit_test(test_grant),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
