/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "patterns.h"

/* splitmix64: a small seeded generator, the same on every machine. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int bad(const uint32_t *leaf_of, const int *perm, int i)
{
	return leaf_of[i] == leaf_of[perm[i]];
}

int pattern_permutation(const uint32_t *hosts, const uint32_t *leaf_of, int n, uint64_t seed,
			const struct loom_flow_spec *tmpl, uint32_t first_id, struct loom_flow_spec *out)
{
	int *perm = malloc((size_t)(n > 0 ? n : 1) * sizeof(*perm));
	uint64_t rs = seed;
	int rc = n;

	if (!perm)
		return -1;
	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
		int j = (int)(next_rand(&rs) % (uint64_t)(i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	/* Swap each same-leaf pair with a random partner for which the swap
	 * leaves both ends on other leaves. Bounded: when no partner exists
	 * (a leaf with more than half the hosts), give up. */
	for (int i = 0; i < n && rc >= 0; i++) {
		int tries = 0;

		while (bad(leaf_of, perm, i)) {
			int j = (int)(next_rand(&rs) % (uint64_t)n), t;

			if (++tries > 64 * n + 1000) {
				rc = -1;
				break;
			}
			if (leaf_of[j] == leaf_of[perm[i]] || leaf_of[i] == leaf_of[perm[j]])
				continue;
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
	}
	for (int i = 0; rc >= 0 && i < n; i++) {
		out[i] = *tmpl;
		out[i].id = first_id + (uint32_t)i;
		out[i].src_host = hosts[i];
		out[i].dst_host = hosts[perm[i]];
	}
	free(perm);
	return rc;
}

int pattern_incast(const uint32_t *srcs, int n, uint32_t dst, const struct loom_flow_spec *tmpl, uint32_t first_id,
		   struct loom_flow_spec *out)
{
	for (int i = 0; i < n; i++) {
		out[i] = *tmpl;
		out[i].id = first_id + (uint32_t)i;
		out[i].src_host = srcs[i];
		out[i].dst_host = dst;
	}
	return n;
}
