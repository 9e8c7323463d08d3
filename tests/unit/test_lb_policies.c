/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in load-balancing policies, on a fake switch (fake clock = the
 * `now` of each packet, fake queue depths and port loads):
 *  - registry: ecmp is id 0, names resolve, `cell` is reserved, unknown
 *    names list the known ones; ecmp through the registry = the inline path;
 *  - spray: round robin exactly even and in order; weighted exactly in
 *    proportion to link rates; random repeatable per seed and near uniform;
 *  - flowlet: stays on its member while packets come within the idle time
 *    (even when that member becomes the worst), moves to the best member
 *    after a gap, ties at random; flows in different entries independent;
 *    placement: band makes the old choices (lowest band, ties random);
 *  - quality bands: from past/future load as specified; the EWMA sampling,
 *    including catch-up over missed intervals;
 *  - spray_flow: a round robin per flow, whatever the other flows send;
 *    flows first seen start on successive members;
 *  - adaptive: least queued, relative to link rate, ties at random;
 *  - adaptive_flow: the flow's round robin while no queue stands more than
 *    four packets above the least, then the next one in its order that
 *    does not;
 *  - DRILL: the remembered best is kept although random samples miss it;
 *  - a run of packets at once (select_burst) chooses as packet by packet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lb_fake_env.h"
#include "loom/lb/ecmp.h"
#include "loom/lb/lb_port_load.h"

#define G10 10000000000ull

static const struct lb_policy *policy(const char *name)
{
	int id = lb_policy_id(name);

	assert_true(id >= 0);
	return lb_policy_at((unsigned int)id);
}

static void *policy_init(const struct lb_policy *p, struct fake_switch *f)
{
	void *st = p->init ? p->init(&f->g, &f->params) : NULL;

	if (p->init)
		assert_non_null(st);
	return st;
}

static uint16_t pick(const struct lb_policy *p, void *st, struct fake_switch *f, uint32_t hash, loom_time_ns now)
{
	struct lb_pkt pkt = {.flow_hash = hash, .len = 1500, .now = now};
	uint16_t m = p->select(st, &f->g, &pkt);

	assert_true(m < f->g.n_members);
	if (p->feedback)
		p->feedback(st, &f->g, m, &pkt);
	return m;
}

static void test_registry(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(lb_policy_id("ecmp"), LB_POLICY_ECMP);
	for (unsigned int i = 0; i < lb_policy_count(); i++) {
		assert_int_equal(lb_policy_id(lb_policy_at(i)->name), (int)i);
		assert_non_null(lb_policy_at(i)->select);
		assert_non_null(lb_policy_at(i)->summary);
	}
	assert_null(lb_policy_at(lb_policy_count()));
	assert_int_equal(lb_policy_id("cell"), -1);
	assert_non_null(lb_policy_check_name("cell", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "reserved"));
	assert_non_null(lb_policy_check_name("sprey", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "unknown"));
	assert_non_null(strstr(buf, "flowlet"));
	assert_null(lb_policy_check_name("drill", buf, sizeof(buf)));
}

static void test_ecmp_is_the_hash(void **state)
{
	const struct lb_policy *p = policy("ecmp");
	struct fake_switch f;

	(void)state;
	fake_switch_init(&f, 7, G10, 1);
	for (uint32_t h = 0; h < 100000; h++) {
		uint32_t hash = h * 2654435761u;
		assert_int_equal(pick(p, NULL, &f, hash, h), loom_ecmp_select(hash, 7));
	}
}

static void test_spray_round_robin_exactly_even(void **state)
{
	const struct lb_policy *p = policy("spray");
	struct fake_switch f;
	uint32_t count[5] = {0};
	void *st;

	(void)state;
	fake_switch_init(&f, 5, G10, 1);
	st = policy_init(p, &f);
	for (uint32_t i = 0; i < 5003; i++) {
		uint16_t m = pick(p, st, &f, 12345, i);
		assert_int_equal(m, i % 5); /* whatever the flow: one after the other */
		count[m]++;
	}
	assert_int_equal(count[0], 1001);
	assert_int_equal(count[2], 1001);
	assert_int_equal(count[3], 1000);
	assert_int_equal(count[4], 1000);
	p->fini(st);
}

static void test_spray_weighted_in_proportion(void **state)
{
	const struct lb_policy *p = policy("spray_weighted");
	struct fake_switch f;
	uint32_t count[3] = {0};
	uint16_t prev = UINT16_MAX;
	uint32_t longest_run = 0, run = 0;
	void *st;

	(void)state;
	fake_switch_init(&f, 3, G10, 1);
	f.members[1].rate_bps = 4 * G10;
	f.members[2].rate_bps = 10 * G10;
	st = policy_init(p, &f);
	for (uint32_t i = 0; i < 1500; i++) {
		uint16_t m = pick(p, st, &f, 0, i);
		count[m]++;
		run = m == prev ? run + 1 : 1;
		longest_run = run > longest_run ? run : longest_run;
		prev = m;
		if ((i + 1) % 15 == 0) { /* every cycle of 1 + 4 + 10 exactly */
			assert_int_equal(count[0], (i + 1) / 15);
			assert_int_equal(count[1], 4 * (i + 1) / 15);
			assert_int_equal(count[2], 10 * (i + 1) / 15);
		}
	}
	assert_true(longest_run <= 3); /* interleaved (2 1 2 2 0 2 1 2 2 1 2 2 2 1 2), not in runs of 10 */
	p->fini(st);
}

static void test_spray_random_seeded(void **state)
{
	const struct lb_policy *p = policy("spray_random");
	struct fake_switch a, b, c;
	uint32_t count[4] = {0}, same_as_c = 0;

	(void)state;
	fake_switch_init(&a, 4, G10, 42);
	fake_switch_init(&b, 4, G10, 42);
	fake_switch_init(&c, 4, G10, 43);
	for (uint32_t i = 0; i < 40000; i++) {
		uint16_t m = pick(p, NULL, &a, 0, i);
		assert_int_equal(m, pick(p, NULL, &b, 0, i)); /* same seed, same choices */
		same_as_c += m == pick(p, NULL, &c, 0, i);
		count[m]++;
	}
	for (int m = 0; m < 4; m++)
		assert_true(count[m] > 9500 && count[m] < 10500);
	assert_true(same_as_c < 12000); /* another seed: independent (1/4 agree) */
}

static void test_flowlet_stays_then_moves(void **state)
{
	const struct lb_policy *p = policy("flowlet");
	struct fake_switch f;
	loom_time_ns t = 1000000, gap;
	uint16_t first, m;
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 7);
	gap = f.params.idle_time_ns;
	assert_int_equal(gap, 256 * LOOM_NS_PER_US);
	assert_int_equal(f.params.flowlet_table_size, 512);
	st = policy_init(p, &f);
	/* all idle: any member; make it the worst at once, the others better */
	first = pick(p, st, &f, 0xabc, t);
	for (uint16_t i = 0; i < 4; i++)
		fake_set_band(&f, i, i == first ? 7 : 3, G10);
	fake_set_band(&f, (uint16_t)((first + 2) % 4), 1, G10);
	/* packets within the gap (up to 1 ns short of it) keep the flowlet */
	for (int i = 0; i < 200; i++) {
		t += i % 2 ? 10 * LOOM_NS_PER_US : gap - 1;
		assert_int_equal(pick(p, st, &f, 0xabc, t), first);
	}
	/* a gap of the idle time: a new flowlet, on the best member */
	t += gap;
	m = pick(p, st, &f, 0xabc, t);
	assert_int_equal(m, (first + 2) % 4);
	/* and it stays there even when it gets worse */
	fake_set_band(&f, m, 7, G10);
	assert_int_equal(pick(p, st, &f, 0xabc, t + 100), m);
	/* another flow in another entry starts its own flowlet now: best is
	 * now among the three at band 3 (first is 7, m is 7) */
	m = pick(p, st, &f, 0xabc + 1, t + 200);
	assert_true(m != first && m != (first + 2) % 4);
	p->fini(st);
}

static void test_flowlet_ties_at_random(void **state)
{
	const struct lb_policy *p = policy("flowlet");
	struct fake_switch f;
	uint32_t count[4] = {0};
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 9);
	st = policy_init(p, &f);
	fake_set_band(&f, 0, 2, G10);
	fake_set_band(&f, 1, 5, G10);
	fake_set_band(&f, 2, 2, G10);
	fake_set_band(&f, 3, 2, G10);
	/* every packet a new flowlet (each after a long gap) */
	for (uint32_t i = 0; i < 3000; i++)
		count[pick(p, st, &f, 77, (loom_time_ns)(i + 1) * LOOM_NS_PER_MS)]++;
	assert_int_equal(count[1], 0);
	for (int m = 0; m < 4; m += m == 0 ? 2 : 1)
		assert_true(count[m] > 850 && count[m] < 1150);
	p->fini(st);
}

/* A flowlet boundary reads the queues as they are now before the sampled
 * bands: a member with 1 byte queued loses to an empty one even at a
 * better band (a band is up to 16 us old and saturates at line rate);
 * equal queues fall back to the band, equal both to chance. */
static void test_flowlet_least_queued_first(void **state)
{
	const struct lb_policy *p = policy("flowlet");
	struct fake_switch f;
	loom_time_ns t = 1000000, gap;
	uint32_t count[4] = {0};
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 11);
	gap = f.params.idle_time_ns;
	st = policy_init(p, &f);
	for (uint16_t i = 0; i < 4; i++)
		fake_set_band(&f, i, i == 2 ? 6 : 1, G10);
	f.queued[0] = 1;
	f.queued[1] = 3000;
	f.queued[3] = 1500;
	/* member 2: the only empty queue, at the worst band */
	assert_int_equal(pick(p, st, &f, 5, t), 2);
	/* within the gap it stays, whatever the queues do */
	f.queued[2] = 9000;
	assert_int_equal(pick(p, st, &f, 5, t + gap - 1), 2);
	/* next flowlet: member 0, one byte queued, the least now */
	t += 2 * gap;
	assert_int_equal(pick(p, st, &f, 5, t), 0);
	/* equal queues: the lower band wins (member 3 at band 1, 2 at 6) */
	f.queued[0] = f.queued[1] = 5000;
	f.queued[2] = f.queued[3] = 1500;
	t += 2 * gap;
	assert_int_equal(pick(p, st, &f, 5, t), 3);
	/* equal queues and bands: at random between 0 and 1 only */
	f.queued[2] = f.queued[3] = 7000;
	fake_set_band(&f, 1, 1, G10);
	for (uint32_t i = 0; i < 2000; i++) {
		t += 2 * gap;
		count[pick(p, st, &f, 5, t)]++;
	}
	assert_int_equal(count[2] + count[3], 0);
	assert_true(count[0] > 900 && count[1] > 900);
	p->fini(st);
}

/* Flowlets that start in the same nanosecond on empty queues: the frame
 * the group just put on a member's wire (1500 bytes at 10G: 1200 ns)
 * counts, so four new flowlets take the four members, one each; once
 * those frames are out (1200 ns later), the next four do too. */
static void test_flowlet_counts_the_frame_on_the_wire(void **state)
{
	const struct lb_policy *p = policy("flowlet");
	struct fake_switch f;
	loom_time_ns t = 1000000;
	uint32_t seen;
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 3);
	st = policy_init(p, &f);
	for (int round = 0; round < 2; round++) {
		seen = 0;
		for (uint32_t flow = 0; flow < 4; flow++)
			seen |= 1u << pick(p, st, &f, 100 * (uint32_t)round + flow, t);
		assert_int_equal(seen, 0xf);
		t += 1200;
	}
	p->fini(st);
}

/* The placement before queues were read (SAI ARS quality bands), written
 * out here as the reference: the lowest band, ties by reservoir sampling
 * from the switch's PRNG. */
static uint16_t old_band_placement(const struct fake_switch *f, struct lb_rng *rng)
{
	unsigned int best_band = LB_QUALITY_BANDS, n_best = 0;
	uint16_t best = 0;

	for (uint16_t i = 0; i < f->g.n_members; i++) {
		unsigned int band = lb_load_band(&f->load[i], &f->params.load, f->members[i].rate_bps);

		if (band < best_band) {
			best_band = band;
			best = i;
			n_best = 1;
		} else if (band == best_band && lb_rng_below(rng, ++n_best) == 0) {
			best = i;
		}
	}
	return best;
}

/* placement: band makes exactly the old choices, PRNG draw for draw, where
 * queue placement differs: the only empty queue at the worst band (queue
 * takes it, band never does), and flowlets that start in the same
 * nanosecond on empty queues (queue spreads them one per member, band
 * places each at random among the equal bands). */
static void test_flowlet_band_placement_is_the_old_one(void **state)
{
	const struct lb_policy *p = policy("flowlet");
	struct fake_switch fq, fb;
	struct lb_rng ref;
	loom_time_ns t = 1000000;
	uint32_t count[4] = {0}, spread_rounds = 0;
	void *sq, *sb;

	(void)state;
	fake_switch_init(&fq, 4, G10, 21);
	fake_switch_init(&fb, 4, G10, 21);
	fb.params.flowlet_placement = LB_FLOWLET_PLACE_BAND;
	assert_null(lb_params_check(&fb.params));
	lb_rng_seed(&ref, 21);
	sq = policy_init(p, &fq);
	sb = policy_init(p, &fb);
	for (uint16_t i = 0; i < 4; i++) {
		fake_set_band(&fq, i, i == 2 ? 6 : 1, G10);
		fake_set_band(&fb, i, i == 2 ? 6 : 1, G10);
	}
	fq.queued[0] = fb.queued[0] = 1;
	fq.queued[1] = fb.queued[1] = 3000;
	fq.queued[3] = fb.queued[3] = 1500;
	for (uint32_t i = 0; i < 3000; i++) {
		uint16_t want = old_band_placement(&fb, &ref), m;

		t += 2 * fb.params.idle_time_ns; /* every packet a new flowlet */
		assert_int_equal(pick(p, sq, &fq, i, t), 2);
		m = pick(p, sb, &fb, i, t);
		assert_int_equal(m, want);
		count[m]++;
	}
	assert_int_equal(count[2], 0);
	for (int m = 0; m < 4; m += m == 1 ? 2 : 1)
		assert_true(count[m] > 850 && count[m] < 1150);
	/* empty queues, equal bands, four flowlets at once per round */
	memset(fb.queued, 0, sizeof(fb.queued));
	for (uint16_t i = 0; i < 4; i++)
		fake_set_band(&fb, i, 3, G10);
	for (uint32_t round = 0; round < 200; round++) {
		uint32_t seen = 0;

		t += 2 * fb.params.idle_time_ns;
		for (uint32_t flow = 0; flow < 4; flow++) {
			uint16_t want = old_band_placement(&fb, &ref);

			assert_int_equal(pick(p, sb, &fb, 10000 + 4 * round + flow, t), want);
			seen |= 1u << want;
		}
		spread_rounds += seen == 0xf;
	}
	/* at random, four of four distinct: 4!/4^4 = 9 % of rounds */
	assert_true(spread_rounds < 50);
	p->fini(sq);
	p->fini(sb);
}

static void test_quality_bands(void **state)
{
	struct lb_params par;
	const struct lb_load_params *lp = &par.load;

	(void)state;
	lb_params_default(&par);
	/* 10G, 16 us: 20000 bytes per interval; horizon 256 us: 320000 bytes */
	assert_int_equal(lb_load_band_of(0, 0, lp, G10), 0);
	assert_int_equal(lb_load_band_of(20000, 320000, lp, G10), 7);
	assert_int_equal(lb_load_band_of(40000, 1e9, lp, G10), 7); /* clamped */
	assert_int_equal(lb_load_band_of(10000, 0, lp, G10), 2);   /* (0.5 + 0) / 2 = 0.25 */
	assert_int_equal(lb_load_band_of(0, 160000, lp, G10), 2);
	assert_int_equal(lb_load_band_of(4999, 0, lp, G10), 0);    /* (0.25 - e) / 2 */
	assert_int_equal(lb_load_band_of(5000, 0, lp, G10), 1);    /* 0.125: band 1 starts */
	assert_int_equal(lb_load_band_of(15000, 160000, lp, G10), 5); /* (0.75 + 0.5) / 2 = 0.625 */
	/* rate matters: the same bytes are 10x the load on a 1G port */
	assert_int_equal(lb_load_band_of(1000, 0, lp, G10), 0);
	assert_int_equal(lb_load_band_of(1000, 0, lp, G10 / 10), 2);
	/* weights: past only */
	par.load.future_weight = 0;
	assert_int_equal(lb_load_band_of(10000, 320000, lp, G10), 4);
}

static void test_port_load_sampling(void **state)
{
	struct lb_params par;
	struct lb_port_load a = {0}, b = {0};
	const loom_time_ns I = 16 * LOOM_NS_PER_US;
	uint64_t tx = 0;

	(void)state;
	lb_params_default(&par);
	lb_port_load_sample(&a, &par.load, 0, 0, 1000); /* baseline */
	assert_int_equal(a.past_ewma, 0);
	tx += 20000;
	lb_port_load_sample(&a, &par.load, tx, 8000, 1000 + I);
	/* EWMA weight 1/4: 20000 / 4, 8000 / 4 */
	assert_int_equal(a.past_ewma >> LB_LOAD_FRAC_BITS, 5000);
	assert_int_equal(a.future_ewma >> LB_LOAD_FRAC_BITS, 2000);
	/* early call: nothing changes */
	lb_port_load_sample(&a, &par.load, tx + 5, 0, 1000 + I + I / 2);
	assert_int_equal(a.past_ewma >> LB_LOAD_FRAC_BITS, 5000);
	/* at line rate for long, queue empty: past -> 20000 (the integer
	 * EWMA stops within 4 / 256 byte below), future -> 0: mix 0.5 - e */
	for (int i = 2; i < 100; i++) {
		tx += 20000;
		lb_port_load_sample(&a, &par.load, tx, 0, 1000 + (loom_time_ns)i * I);
	}
	assert_int_equal(a.past_ewma >> LB_LOAD_FRAC_BITS, 19999);
	assert_true(a.future_ewma < (1u << 2)); /* < 4 / 256 byte */
	assert_int_equal(lb_load_band(&a, &par.load, G10), 3);
	/* catch-up: 4 intervals at once = 4 single steps of the average */
	b = a;
	lb_port_load_sample(&a, &par.load, tx + 4 * 3000, 100, 1000 + 103 * I + 5);
	for (int k = 1; k <= 4; k++)
		lb_port_load_sample(&b, &par.load, tx + (uint64_t)k * 3000, 100, 1000 + (loom_time_ns)(99 + k) * I);
	assert_int_equal(a.past_ewma, b.past_ewma);
	assert_int_equal(a.future_ewma, b.future_ewma);
	assert_int_equal(a.last_sample, b.last_sample);
}

static void test_adaptive_least_loaded(void **state)
{
	const struct lb_policy *p = policy("adaptive");
	struct fake_switch f;
	uint32_t count[4] = {0};

	(void)state;
	fake_switch_init(&f, 4, G10, 3);
	f.queued[0] = 5000;
	f.queued[1] = 100;
	f.queued[2] = 9000;
	f.queued[3] = 300;
	for (int i = 0; i < 100; i++)
		assert_int_equal(pick(p, NULL, &f, 5, i), 1);
	f.queued[3] = 100; /* tie between 1 and 3: both, at random */
	for (int i = 0; i < 1000; i++)
		count[pick(p, NULL, &f, 5, i)]++;
	assert_int_equal(count[0] + count[2], 0);
	assert_true(count[1] > 400 && count[3] > 400);
	/* relative to rate: 3000 bytes on 40G drain before 1000 on 10G */
	f.queued[0] = 1000;
	f.queued[1] = 3000;
	f.queued[2] = 1500;
	f.queued[3] = 1500;
	f.members[1].rate_bps = 4 * G10;
	assert_int_equal(pick(p, NULL, &f, 5, 0), 1);
	/* follows the queues as they change */
	f.queued[2] = 0;
	assert_int_equal(pick(p, NULL, &f, 5, 0), 2);
}

static void test_drill_memory(void **state)
{
	const struct lb_policy *p = policy("drill");
	struct fake_switch f;
	uint32_t misses_without_memory = 0;
	void *st;
	int i;

	(void)state;
	fake_switch_init(&f, 16, G10, 11);
	assert_int_equal(f.params.drill_d, 2);
	assert_int_equal(f.params.drill_m, 1);
	st = policy_init(p, &f);
	for (uint16_t m = 0; m < 16; m++)
		f.queued[m] = 10000 + m;
	f.queued[5] = 0;
	/* until a random sample finds member 5 ... */
	for (i = 0; i < 1000 && pick(p, st, &f, 0, 0) != 5; i++)
		;
	assert_true(i < 1000);
	/* ... then the memory keeps it, though 2 random samples of 16 miss it
	 * 77 % of the time */
	for (i = 0; i < 1000; i++)
		assert_int_equal(pick(p, st, &f, 0, 0), 5);
	/* when it fills up, DRILL leaves it for the least loaded it samples */
	f.queued[5] = 50000;
	for (i = 0; i < 5; i++)
		assert_int_not_equal(pick(p, st, &f, 0, 0), 5);
	p->fini(st);

	/* the same with m = 0 (no memory): mostly misses member 5 */
	f.params.drill_m = 0;
	f.queued[5] = 0;
	st = policy_init(p, &f);
	for (i = 0; i < 1000; i++)
		misses_without_memory += pick(p, st, &f, 0, 0) != 5;
	assert_true(misses_without_memory > 650 && misses_without_memory < 880);
	p->fini(st);
}

static void test_spray_flow_round_robin_per_flow(void **state)
{
	const struct lb_policy *p = policy("spray_flow");
	struct fake_switch f;
	uint32_t count[3][4] = {{0}};
	uint16_t last[3];
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 1);
	st = policy_init(p, &f);
	/* three flows first seen in turn start on members 0, 1, 2 */
	for (uint32_t fl = 0; fl < 3; fl++)
		last[fl] = pick(p, st, &f, 1000 + fl, 0);
	assert_int_equal(last[0], 0);
	assert_int_equal(last[1], 1);
	assert_int_equal(last[2], 2);
	/* then, interleaved irregularly (flow 0 twice as often as 1, flow 2
	 * in bursts), each flow goes on in its own order: the others' packets
	 * in between do not move it, so each is spread exactly evenly */
	for (uint32_t i = 0; i < 4000; i++) {
		uint32_t fl = (i % 3 == 2) ? 1 : (i / 7) % 5 == 0 ? 2 : 0;
		uint16_t m = pick(p, st, &f, 1000 + fl, i);

		assert_int_equal(m, (last[fl] + 1) % 4);
		last[fl] = m;
		count[fl][m]++;
	}
	for (uint32_t fl = 0; fl < 3; fl++) {
		uint32_t lo = UINT32_MAX, hi = 0;

		for (int m = 0; m < 4; m++) {
			lo = count[fl][m] < lo ? count[fl][m] : lo;
			hi = count[fl][m] > hi ? count[fl][m] : hi;
		}
		assert_true(hi - lo <= 1);
	}
	p->fini(st);
}

static void test_adaptive_flow_skips_standing_queues(void **state)
{
	const struct lb_policy *p = policy("adaptive_flow");
	struct fake_switch f;
	void *st;

	(void)state;
	fake_switch_init(&f, 4, G10, 1);
	st = policy_init(p, &f);
	/* queues within four 1500-byte packets of the least: the flow's
	 * round robin, as spray_flow (a flow first seen starts at member 0) */
	f.queued[0] = 0;
	f.queued[1] = 4000;
	f.queued[2] = 6000;
	f.queued[3] = 1500;
	for (int i = 0; i < 8; i++)
		assert_int_equal(pick(p, st, &f, 77, i), i % 4);
	/* member 2 more than four packets above the least (6000 + 1 > 4 x
	 * 1500): the flow skips it for the next in its order, 3, and goes on
	 * from there: 0, 1, 3, 0, 1, 3 */
	f.queued[2] = 6001;
	for (int i = 0; i < 6; i++) {
		static const uint16_t want[] = {0, 1, 3, 0, 1, 3};

		assert_int_equal(pick(p, st, &f, 77, i), want[i]);
	}
	/* relative to rate: member 0 at 40G, where four 1500-byte packets
	 * take 1.2 us: 12000 bytes (2.4 us) stand above the least (0), 6000
	 * bytes (1.2 us) do not */
	f.queued[2] = 0;
	f.queued[0] = 12000;
	f.members[0].rate_bps = 4 * G10;
	assert_int_equal(pick(p, st, &f, 77, 0), 1); /* 0 is next, skipped; 1 (3.2 us on 10G) is within 4.8 us */
	f.queued[0] = 6000;
	assert_int_equal(pick(p, st, &f, 77, 0), 2);
	assert_int_equal(pick(p, st, &f, 77, 0), 3);
	assert_int_equal(pick(p, st, &f, 77, 0), 0);
	/* another flow keeps its own order */
	assert_int_equal(pick(p, st, &f, 78, 0), 1); /* first seen: the group's next start */
	p->fini(st);
}

/* A run of packets through lb_policy_select_burst (the policy's own
 * select_burst, or select + feedback per packet when it has none) gives
 * each policy's members exactly as one packet after another does, run
 * after run of different lengths. */
static void test_select_burst_as_per_packet(void **state)
{
	static const uint16_t runs[] = {1, 3, 7, 32, 2, 5, 40};

	(void)state;
	for (unsigned int id = 0; id < lb_policy_count(); id++) {
		const struct lb_policy *p = lb_policy_at(id);
		struct fake_switch a, b;
		void *sa, *sb;
		loom_time_ns now = 1000;

		fake_switch_init(&a, 5, G10, 11);
		fake_switch_init(&b, 5, G10, 11);
		a.queued[2] = b.queued[2] = 3000; /* not all members alike */
		sa = policy_init(p, &a);
		sb = policy_init(p, &b);
		for (unsigned int r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
			uint32_t hash[40], len[40];
			uint16_t got[40];

			for (uint16_t k = 0; k < runs[r]; k++) {
				hash[k] = (k % 6) * 2654435761u + r; /* some flows again */
				len[k] = 64u + 100u * k;
			}
			lb_policy_select_burst(p, sb, &b.g, hash, len, runs[r], now, got);
			for (uint16_t k = 0; k < runs[r]; k++) {
				struct lb_pkt pkt = {.flow_hash = hash[k], .len = len[k], .now = now};
				uint16_t m = p->select(sa, &a.g, &pkt);

				if (p->feedback)
					p->feedback(sa, &a.g, m, &pkt);
				if (got[k] != m)
					fail_msg("%s: run %u packet %u: burst %u, per packet %u", p->name, r, k, got[k], m);
			}
			now += 300 * LOOM_NS_PER_US; /* flowlets time out between some runs */
		}
		if (p->fini) {
			p->fini(sa);
			p->fini(sb);
		}
	}
}

static void test_params_check(void **state)
{
	struct lb_params par;

	(void)state;
	lb_params_default(&par);
	assert_null(lb_params_check(&par));
	par.flowlet_table_size = 500;
	assert_non_null(lb_params_check(&par));
	lb_params_default(&par);
	par.idle_time_ns = 0;
	assert_non_null(lb_params_check(&par));
	lb_params_default(&par);
	assert_int_equal(par.flowlet_placement, LB_FLOWLET_PLACE_QUEUE);
	par.flowlet_placement = LB_FLOWLET_PLACE_N;
	assert_non_null(lb_params_check(&par));
	assert_string_equal(lb_flowlet_placement_name(LB_FLOWLET_PLACE_BAND), "band");
	assert_int_equal(lb_flowlet_placement_id("queue"), LB_FLOWLET_PLACE_QUEUE);
	assert_int_equal(lb_flowlet_placement_id("bands"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_ecmp_is_the_hash),
		cmocka_unit_test(test_spray_round_robin_exactly_even),
		cmocka_unit_test(test_spray_weighted_in_proportion),
		cmocka_unit_test(test_spray_random_seeded),
		cmocka_unit_test(test_flowlet_stays_then_moves),
		cmocka_unit_test(test_flowlet_ties_at_random),
		cmocka_unit_test(test_flowlet_least_queued_first),
		cmocka_unit_test(test_flowlet_counts_the_frame_on_the_wire),
		cmocka_unit_test(test_flowlet_band_placement_is_the_old_one),
		cmocka_unit_test(test_quality_bands),
		cmocka_unit_test(test_port_load_sampling),
		cmocka_unit_test(test_adaptive_least_loaded),
		cmocka_unit_test(test_spray_flow_round_robin_per_flow),
		cmocka_unit_test(test_adaptive_flow_skips_standing_queues),
		cmocka_unit_test(test_drill_memory),
		cmocka_unit_test(test_select_burst_as_per_packet),
		cmocka_unit_test(test_params_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
