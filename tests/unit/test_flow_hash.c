/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seeded flow hash and ECMP member selection:
 *  - uniform: over 100 000 flows, every member of a group of 2..16 gets
 *    its share within 4.5 binomial standard deviations (at most 4.4 % of
 *    the share for 16 members, 1.4 % for 2), and the group's chi-square
 *    statistic stays below the 0.1 % critical value. The flows are a fixed
 *    pseudo-random set, so the test is deterministic;
 *  - independent seeds: two switches with different seeds agree on a
 *    2-way choice for 50 % +- 2 % of flows;
 *  - no polarization: the flows a leaf sent to member 0 are split again
 *    ~evenly by a spine with another seed, and not at all with the same one;
 *  - every field of the key matters (ports, addresses, proto, RoCE QP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_rng.h"
#include <math.h>

#include "loom/lb/ecmp.h"
#include "loom/lb/flow_hash.h"

#define N_FLOWS 100000


static void random_v4_flow(struct loom_flow_key *k)
{
	uint32_t src = 0x0a000000u | (uint32_t)(rng() & 0xffff); /* 10.0.x.y */
	uint32_t dst = 0x0a000000u | (uint32_t)(rng() & 0xffff);

	memset(k, 0, sizeof(*k));
	k->family = LOOM_FLOW_IPV4;
	k->proto = 17;
	memcpy(k->src, &src, 4);
	memcpy(k->dst, &dst, 4);
	k->sport = (uint16_t)(49152 + rng() % 16384);
	k->dport = (uint16_t)(rng() % 2 ? 4791 : 5201);
}

static void check_uniform(uint32_t n_members, uint32_t seed, int sequential_ports)
{
	uint32_t count[16] = {0};
	struct loom_flow_key k;
	double share = (double)N_FLOWS / n_members;

	random_v4_flow(&k);
	for (uint32_t i = 0; i < N_FLOWS; i++) {
		if (sequential_ports) { /* one host pair, one port after another: iperf -P, RoCE QPs */
			k.sport = (uint16_t)(10000 + i % 50000);
			k.dst_qp = i / 50000;
		} else {
			random_v4_flow(&k);
		}
		count[loom_ecmp_select(loom_flow_hash(&k, seed), n_members)]++;
	}
	/* chi-square critical values at p = 0.001 for 1..15 degrees of freedom */
	static const double chi2_crit[16] = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12,
					     27.88, 29.59, 31.26, 32.91, 34.53, 36.12, 37.70};
	double sigma = sqrt(share * (1.0 - 1.0 / n_members)), chi2 = 0;

	for (uint32_t m = 0; m < n_members; m++) {
		double diff = count[m] - share;
		chi2 += diff * diff / share;
		if (fabs(diff) > 4.5 * sigma)
			fail_msg("%u members, seed %u, member %u: %u flows, %.1f sigma off its share %.0f", n_members,
				 seed, m, count[m], diff / sigma, share);
	}
	if (chi2 > chi2_crit[n_members - 1])
		fail_msg("%u members, seed %u: chi-square %.1f above %.2f", n_members, seed, chi2,
			 chi2_crit[n_members - 1]);
}

static void test_uniform_random_flows(void **state)
{
	(void)state;
	for (uint32_t n = 2; n <= 16; n++)
		for (uint32_t seed = 1; seed < 4; seed++)
			check_uniform(n, seed * 7919u, 0);
}

static void test_uniform_sequential_ports(void **state)
{
	(void)state;
	for (uint32_t n = 2; n <= 16; n *= 2)
		check_uniform(n, 12345, 1);
}

static void test_seeds_give_independent_choices(void **state)
{
	struct loom_flow_key k;
	uint32_t agree = 0;

	(void)state;
	for (uint32_t i = 0; i < N_FLOWS; i++) {
		random_v4_flow(&k);
		agree += loom_ecmp_select(loom_flow_hash(&k, loom_seed_from_name("leaf0")), 2) ==
			 loom_ecmp_select(loom_flow_hash(&k, loom_seed_from_name("leaf1")), 2);
	}
	assert_in_range(agree, N_FLOWS * 48 / 100, N_FLOWS * 52 / 100);
}

/* Leaf picks member 0 for some flows; the spine behind it then splits those
 * flows over its own 2 members. Same seed: all on one member (polarized). */
static void test_no_polarization_across_tiers(void **state)
{
	uint32_t leaf_seed = loom_seed_from_name("leaf0"), spine_seed = loom_seed_from_name("spine0");
	uint32_t at_spine = 0, spine_member0 = 0, same_seed_member0 = 0;
	struct loom_flow_key k;

	(void)state;
	for (uint32_t i = 0; i < N_FLOWS; i++) {
		random_v4_flow(&k);
		if (loom_ecmp_select(loom_flow_hash(&k, leaf_seed), 2) != 0)
			continue;
		at_spine++;
		spine_member0 += loom_ecmp_select(loom_flow_hash(&k, spine_seed), 2) == 0;
		same_seed_member0 += loom_ecmp_select(loom_flow_hash(&k, leaf_seed), 2) == 0;
	}
	assert_true(at_spine > N_FLOWS / 3);
	assert_in_range(spine_member0, at_spine * 48 / 100, at_spine * 52 / 100);
	assert_int_equal(same_seed_member0, at_spine);
}

static void test_every_key_field_changes_the_hash(void **state)
{
	struct loom_flow_key base, k;
	uint32_t h, seed = 42;

	(void)state;
	random_v4_flow(&base);
	h = loom_flow_hash(&base, seed);
	assert_int_equal(h, loom_flow_hash(&base, seed)); /* deterministic */
	assert_int_not_equal(h, loom_flow_hash(&base, seed + 1));
	k = base; k.sport ^= 1;     assert_int_not_equal(h, loom_flow_hash(&k, seed));
	k = base; k.dport ^= 1;     assert_int_not_equal(h, loom_flow_hash(&k, seed));
	k = base; k.proto = 6;      assert_int_not_equal(h, loom_flow_hash(&k, seed));
	k = base; k.dst_qp = 0x11;  assert_int_not_equal(h, loom_flow_hash(&k, seed));
	k = base; k.src[3] ^= 1;    assert_int_not_equal(h, loom_flow_hash(&k, seed));
	k = base; k.dst[0] ^= 0x80; assert_int_not_equal(h, loom_flow_hash(&k, seed));
}

/* RoCEv2 flows between the same two hosts differ only in the destination
 * QP (the UDP source port is often fixed): the QP alone must spread them. */
static void test_roce_qps_spread(void **state)
{
	struct loom_flow_key k;
	uint32_t count[4] = {0};

	(void)state;
	random_v4_flow(&k);
	k.sport = 49152;
	k.dport = 4791;
	for (uint32_t qp = 0; qp < 4000; qp++) {
		k.dst_qp = qp;
		count[loom_ecmp_select(loom_flow_hash(&k, 99), 4)]++;
	}
	for (int m = 0; m < 4; m++)
		assert_in_range(count[m], 900, 1100);
}

static void test_ipv6_uses_all_address_bytes(void **state)
{
	struct loom_flow_key k = {.family = LOOM_FLOW_IPV6, .proto = 6, .sport = 1, .dport = 2};
	uint32_t h;

	(void)state;
	for (int i = 0; i < 16; i++) {
		k.src[i] = (uint8_t)(i + 1);
		k.dst[i] = (uint8_t)(0xf0 - i);
	}
	h = loom_flow_hash(&k, 7);
	for (int i = 0; i < 16; i++) {
		struct loom_flow_key m = k;
		m.src[i] ^= 1;
		assert_int_not_equal(h, loom_flow_hash(&m, 7));
		m = k;
		m.dst[i] ^= 1;
		assert_int_not_equal(h, loom_flow_hash(&m, 7));
	}
}

/* The IPv6 flow label (load_balancing.hash_flow_label) enters through the
 * seed only: label 0 or the option off (the switch masks it to 0) is
 * exactly the 5-tuple hash; the key's field alone changes nothing (the
 * leaves' reorder measurement hashes the key, and sprayed labels must not
 * split a flow there); distinct labels spread a flow over the members. */
static void test_flow_label_through_the_seed(void **state)
{
	struct loom_flow_key k = {.family = LOOM_FLOW_IPV6, .proto = 6, .sport = 40000, .dport = 5201};
	unsigned count[4] = {0};

	(void)state;
	k.src[0] = 0xfd, k.dst[0] = 0xfd, k.dst[7] = 1, k.src[15] = 2, k.dst[15] = 2;
	assert_int_equal(loom_flow_hash_label_seed(7, 0), 7);
	uint32_t h = loom_flow_hash(&k, 7);
	k.flow_label = 0x12345;
	assert_int_equal(loom_flow_hash(&k, 7), h);
	for (uint32_t label = 1; label <= 4000; label++)
		count[loom_ecmp_select(loom_flow_hash(&k, loom_flow_hash_label_seed(7, label)), 4)]++;
	for (int m = 0; m < 4; m++)
		assert_in_range(count[m], 900, 1100);
}

static void test_ecmp_select_range(void **state)
{
	(void)state;
	for (uint32_t n = 1; n <= 64; n++) {
		assert_int_equal(loom_ecmp_select(0, n), 0);
		assert_int_equal(loom_ecmp_select(UINT32_MAX, n), n - 1);
	}
	assert_int_not_equal(loom_seed_from_name("leaf0"), loom_seed_from_name("leaf1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform_random_flows),
		cmocka_unit_test(test_uniform_sequential_ports),
		cmocka_unit_test(test_seeds_give_independent_choices),
		cmocka_unit_test(test_no_polarization_across_tiers),
		cmocka_unit_test(test_every_key_field_changes_the_hash),
		cmocka_unit_test(test_roce_qps_spread),
		cmocka_unit_test(test_ipv6_uses_all_address_bytes),
		cmocka_unit_test(test_flow_label_through_the_seed),
		cmocka_unit_test(test_ecmp_select_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
