/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plain-memory longest-prefix-match table (scheduler/route/lpm.c):
 *  - an empty table matches nothing; a /0 matches everything;
 *  - the longest of nested prefixes wins, IPv4 and IPv6 apart (a v4 route
 *    never answers a v6 lookup with the same bits);
 *  - host bits of an added prefix are ignored; a second add replaces;
 *  - 20 000 random adds, replaces and removes (v4 lengths 0..32, v6 0..128
 *    on few distinct lengths, prefixes nested on purpose) agree with a
 *    brute-force reference on random and near-prefix addresses after
 *    every batch, through growth and backward-shift removals;
 *  - lengths out of range are refused and change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loom/route/lpm.h"

static void test_empty_and_default(void **state)
{
	struct loom_lpm t;
	uint8_t a6[16] = {0xfd};

	(void)state;
	assert_int_equal(loom_lpm_init(&t, 0), 0);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000001), LOOM_LPM_NONE);
	assert_int_equal(loom_lpm_lookup6(&t, a6), LOOM_LPM_NONE);
	assert_int_equal(loom_lpm_set4(&t, 0x12345678, 0, 7), 0);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000001), 7);
	assert_int_equal(loom_lpm_lookup4(&t, 0xffffffff), 7);
	assert_int_equal(loom_lpm_lookup6(&t, a6), LOOM_LPM_NONE); /* v4 /0 is not v6's */
	loom_lpm_free(&t);
}

static void test_nested_and_replace(void **state)
{
	struct loom_lpm t;
	uint8_t p6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 1}, a6[16];

	(void)state;
	assert_int_equal(loom_lpm_init(&t, 4), 0);
	assert_int_equal(loom_lpm_set4(&t, 0x0a000000, 8, 1), 0);
	assert_int_equal(loom_lpm_set4(&t, 0x0a0001ff, 24, 2), 0); /* host bits ignored */
	assert_int_equal(loom_lpm_set4(&t, 0x0a000105, 32, 3), 0);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000105), 3);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000106), 2);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a020106), 1);
	assert_int_equal(loom_lpm_lookup4(&t, 0x0b000105), LOOM_LPM_NONE);
	assert_int_equal(loom_lpm_set4(&t, 0x0a000100, 24, 9), 0); /* replace */
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000106), 9);
	assert_int_equal(t.n, 3);
	assert_int_equal(loom_lpm_set4(&t, 0x0a000105, 32, LOOM_LPM_NONE), 0); /* remove */
	assert_int_equal(loom_lpm_lookup4(&t, 0x0a000105), 9);
	assert_int_equal(loom_lpm_set4(&t, 0x0a000105, 32, LOOM_LPM_NONE), 0); /* not there: fine */
	assert_int_equal(t.n, 2);

	assert_int_equal(loom_lpm_set6(&t, p6, 64, 5), 0);
	memcpy(a6, p6, 16);
	a6[15] = 0x42;
	assert_int_equal(loom_lpm_lookup6(&t, a6), 5);
	assert_int_equal(loom_lpm_set6(&t, a6, 128, 6), 0);
	assert_int_equal(loom_lpm_lookup6(&t, a6), 6);
	a6[15] = 0x43;
	assert_int_equal(loom_lpm_lookup6(&t, a6), 5);
	a6[7] = 2;
	assert_int_equal(loom_lpm_lookup6(&t, a6), LOOM_LPM_NONE);
	assert_int_equal(loom_lpm_set4(&t, 0, 33, 1), -1);
	assert_int_equal(loom_lpm_set6(&t, a6, 129, 1), -1);
	assert_int_equal(t.n, 4);
	loom_lpm_free(&t);
}

/* The reference: every route in a list, the longest match by scanning. */
struct ref_route {
	int fam;
	uint8_t addr[16];
	uint8_t len;
	uint32_t value;
};

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static uint32_t ref_lookup(const struct ref_route *r, size_t n, int fam, const uint8_t *a)
{
	int best = -1;
	uint32_t v = LOOM_LPM_NONE;

	for (size_t i = 0; i < n; i++)
		if (r[i].fam == fam && r[i].len > best && prefix_match(r[i].addr, a, r[i].len)) {
			best = r[i].len;
			v = r[i].value;
		}
	return v;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_addr(int fam, uint8_t *a)
{
	memset(a, 0, 16);
	/* few distinct high bytes: prefixes nest and collide on purpose */
	a[0] = fam == 0 ? 10 : 0xfd;
	for (int i = 1; i < (fam == 0 ? 4 : 16); i++)
		a[i] = (uint8_t)(rnd() % (i < 3 ? 4 : 256));
}

static void clear_host_bits(uint8_t *a, unsigned int len, unsigned int bits)
{
	for (unsigned int i = len; i < bits; i++)
		a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static uint32_t v4_of(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static void test_random_against_reference(void **state)
{
	static const uint8_t lens4[] = {0, 8, 16, 22, 24, 31, 32}, lens6[] = {0, 48, 64, 100, 127, 128};
	struct ref_route *ref = calloc(20000, sizeof(*ref));
	size_t n = 0;
	struct loom_lpm t;

	(void)state;
	assert_non_null(ref);
	assert_int_equal(loom_lpm_init(&t, 1), 0);
	for (int op = 0; op < 20000; op++) {
		int fam = (int)(rnd() % 2);
		struct ref_route r = {.fam = fam};
		size_t found = n;

		random_addr(fam, r.addr);
		r.len = fam == 0 ? lens4[rnd() % sizeof(lens4)] : lens6[rnd() % sizeof(lens6)];
		clear_host_bits(r.addr, r.len, fam == 0 ? 32 : 128);
		r.value = rnd() % 8 == 0 ? LOOM_LPM_NONE : (uint32_t)(rnd() % 1000);
		for (size_t i = 0; i < n; i++)
			if (ref[i].fam == fam && ref[i].len == r.len && memcmp(ref[i].addr, r.addr, 16) == 0)
				found = i;
		if (r.value == LOOM_LPM_NONE) {
			if (found < n)
				ref[found] = ref[--n];
		} else if (found < n) {
			ref[found].value = r.value;
		} else {
			ref[n++] = r;
		}
		assert_int_equal(fam == 0 ? loom_lpm_set4(&t, v4_of(r.addr), r.len, r.value)
					  : loom_lpm_set6(&t, r.addr, r.len, r.value),
				 0);
		assert_int_equal(t.n, n);
		if (op % 500 != 499)
			continue;
		for (int k = 0; k < 400; k++) {
			uint8_t a[16];

			fam = (int)(rnd() % 2);
			if (k % 2 && n > 0) { /* near a stored prefix */
				const struct ref_route *s = &ref[rnd() % n];

				fam = s->fam;
				memcpy(a, s->addr, 16);
				a[(fam == 0 ? 3 : 15) - rnd() % 2] ^= (uint8_t)(1u << (rnd() % 8));
			} else {
				random_addr(fam, a);
			}
			assert_int_equal(fam == 0 ? loom_lpm_lookup4(&t, v4_of(a)) : loom_lpm_lookup6(&t, a),
					 ref_lookup(ref, n, fam, a));
		}
	}
	assert_true(t.n > 100);
	loom_lpm_free(&t);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_default),
		cmocka_unit_test(test_nested_and_replace),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
