/* SPDX-License-Identifier: BSD-3-Clause */
/* Longest-prefix match by a hash per (family, length): loom/route/lpm.h. */
#include <stdlib.h>
#include <string.h>

#include "loom/route/lpm.h"

enum { FAM4 = 0, FAM6 = 1 };

static inline uint16_t plen_of(int fam, uint8_t len)
{
	return (uint16_t)((fam + 1) << 8 | len); /* never 0: 0 marks an empty slot */
}

static inline uint64_t slot_hash(uint64_t hi, uint64_t lo, uint16_t plen)
{
	uint64_t h = lo * 0x9e3779b97f4a7c15ull ^ hi * 0xc2b2ae3d27d4eb4full ^ (uint64_t)plen * 0x165667b19e3779f9ull;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static inline uint64_t mask64(unsigned int bits) /* the top `bits` of 64 */
{
	return bits == 0 ? 0 : bits >= 64 ? ~0ull : ~0ull << (64 - bits);
}

static void key4(uint32_t addr, uint8_t len, uint64_t *hi, uint64_t *lo)
{
	*hi = 0;
	*lo = len == 0 ? 0 : (uint64_t)(addr & (~0u << (32 - len)));
}

static void key6(const uint8_t a[16], uint8_t len, uint64_t *hi, uint64_t *lo)
{
	uint64_t h = 0, l = 0;

	for (int i = 0; i < 8; i++) {
		h = h << 8 | a[i];
		l = l << 8 | a[8 + i];
	}
	*hi = h & mask64(len);
	*lo = l & mask64(len > 64 ? len - 64u : 0u);
}

static inline uint32_t probe(const struct loom_lpm *t, uint64_t hi, uint64_t lo, uint16_t plen)
{
	for (uint32_t i = (uint32_t)slot_hash(hi, lo, plen) & t->mask;; i = (i + 1) & t->mask) {
		const struct loom_lpm_slot *s = &t->slots[i];

		if (s->plen == 0)
			return LOOM_LPM_NONE;
		if (s->plen == plen && s->lo == lo && s->hi == hi)
			return s->value;
	}
}

static int resize(struct loom_lpm *t, uint32_t n_slots)
{
	struct loom_lpm_slot *s = calloc(n_slots, sizeof(*s)), *old = t->slots;
	uint32_t old_n = t->slots ? t->mask + 1 : 0;

	if (!s)
		return -1;
	t->slots = s;
	t->mask = n_slots - 1;
	for (uint32_t i = 0; i < old_n; i++) {
		uint32_t j;

		if (old[i].plen == 0)
			continue;
		for (j = (uint32_t)slot_hash(old[i].hi, old[i].lo, old[i].plen) & t->mask; s[j].plen; j = (j + 1) & t->mask)
			;
		s[j] = old[i];
	}
	free(old);
	return 0;
}

int loom_lpm_init(struct loom_lpm *t, uint32_t hint)
{
	uint32_t n = 16;

	memset(t, 0, sizeof(*t));
	while (n < 2 * (uint64_t)hint && n < (1u << 30))
		n <<= 1;
	return resize(t, n);
}

void loom_lpm_free(struct loom_lpm *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* The lengths present of a family, longest first (rebuilt when one
 * appears or goes: routes change rarely, lookups often). */
static void lens_rebuild(struct loom_lpm *t, int fam)
{
	t->n_lens[fam] = 0;
	for (int l = 128; l >= 0; l--)
		if (t->count[fam][l])
			t->lens[fam][t->n_lens[fam]++] = (uint8_t)l;
}

static int set(struct loom_lpm *t, int fam, uint64_t hi, uint64_t lo, uint8_t len, uint32_t value)
{
	uint16_t plen = plen_of(fam, len);
	uint32_t i;

	for (i = (uint32_t)slot_hash(hi, lo, plen) & t->mask; t->slots[i].plen; i = (i + 1) & t->mask)
		if (t->slots[i].plen == plen && t->slots[i].lo == lo && t->slots[i].hi == hi)
			break;
	if (t->slots[i].plen) { /* there: replace or remove */
		if (value != LOOM_LPM_NONE) {
			t->slots[i].value = value;
			return 0;
		}
		/* backward-shift deletion keeps every probe chain unbroken */
		uint32_t hole = i;

		for (uint32_t j = (hole + 1) & t->mask; t->slots[j].plen; j = (j + 1) & t->mask) {
			uint32_t home = (uint32_t)slot_hash(t->slots[j].hi, t->slots[j].lo, t->slots[j].plen) & t->mask;

			/* j may move to the hole when its home is not in (hole, j] */
			if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
				t->slots[hole] = t->slots[j];
				hole = j;
			}
		}
		memset(&t->slots[hole], 0, sizeof(t->slots[hole]));
		t->n--;
		if (--t->count[fam][len] == 0)
			lens_rebuild(t, fam);
		return 0;
	}
	if (value == LOOM_LPM_NONE)
		return 0;
	if (2 * ((uint64_t)t->n + 1) > (uint64_t)t->mask + 1) {
		if (t->mask + 1 >= (1u << 30) || resize(t, 2 * (t->mask + 1)) < 0)
			return -1;
		return set(t, fam, hi, lo, len, value);
	}
	t->slots[i] = (struct loom_lpm_slot){.hi = hi, .lo = lo, .plen = plen, .value = value};
	t->n++;
	if (t->count[fam][len]++ == 0)
		lens_rebuild(t, fam);
	return 0;
}

int loom_lpm_set4(struct loom_lpm *t, uint32_t addr, uint8_t len, uint32_t value)
{
	uint64_t hi, lo;

	if (len > 32)
		return -1;
	key4(addr, len, &hi, &lo);
	return set(t, FAM4, hi, lo, len, value);
}

int loom_lpm_set6(struct loom_lpm *t, const uint8_t addr[16], uint8_t len, uint32_t value)
{
	uint64_t hi, lo;

	if (len > 128)
		return -1;
	key6(addr, len, &hi, &lo);
	return set(t, FAM6, hi, lo, len, value);
}

uint32_t loom_lpm_lookup4(const struct loom_lpm *t, uint32_t addr)
{
	for (uint8_t i = 0; i < t->n_lens[FAM4]; i++) {
		uint8_t len = t->lens[FAM4][i];
		uint32_t v = probe(t, 0, len == 0 ? 0 : (uint64_t)(addr & (~0u << (32 - len))), plen_of(FAM4, len));

		if (v != LOOM_LPM_NONE)
			return v;
	}
	return LOOM_LPM_NONE;
}

uint32_t loom_lpm_lookup6(const struct loom_lpm *t, const uint8_t addr[16])
{
	uint64_t h = 0, l = 0;

	if (t->n_lens[FAM6] == 0)
		return LOOM_LPM_NONE;
	for (int i = 0; i < 8; i++) {
		h = h << 8 | addr[i];
		l = l << 8 | addr[8 + i];
	}
	for (uint8_t i = 0; i < t->n_lens[FAM6]; i++) {
		uint8_t len = t->lens[FAM6][i];
		uint32_t v = probe(t, h & mask64(len), l & mask64(len > 64 ? len - 64u : 0u), plen_of(FAM6, len));

		if (v != LOOM_LPM_NONE)
			return v;
	}
	return LOOM_LPM_NONE;
}

size_t loom_lpm_bytes(const struct loom_lpm *t)
{
	return sizeof(*t) + (t->slots ? ((size_t)t->mask + 1) * sizeof(*t->slots) : 0);
}
