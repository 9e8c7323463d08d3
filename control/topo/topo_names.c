/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small string -> int table. A generated fabric can have ~19000 nodes
 * and its expanded form is loaded again by loomctl; pairwise name
 * comparisons would make that quadratic.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

int topo_names_init(struct topo_names *n, size_t expected)
{
	/* at most half full, so probes stay short */
	n->used = 0;
	n->cap = 16;
	while (n->cap < expected * 2)
		n->cap *= 2;
	n->keys = calloc(n->cap, sizeof(*n->keys));
	n->vals = calloc(n->cap, sizeof(*n->vals));
	if (!n->keys || !n->vals) {
		topo_names_free(n);
		return -1;
	}
	return 0;
}

void topo_names_free(struct topo_names *n)
{
	free(n->keys);
	free(n->vals);
	memset(n, 0, sizeof(*n));
}

static size_t slot(const struct topo_names *n, const char *key)
{
	size_t i = hash_str(key) & (n->cap - 1);

	while (n->keys[i] && strcmp(n->keys[i], key) != 0)
		i = (i + 1) & (n->cap - 1);
	return i;
}

/* Doubles the table when it is half full; on allocation failure it stays
 * as it is and keeps working until really full. */
static void grow(struct topo_names *n)
{
	struct topo_names big = { .cap = n->cap * 2 };

	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		topo_names_free(&big);
		return;
	}
	for (size_t i = 0; i < n->cap; i++) {
		if (n->keys[i]) {
			size_t j = slot(&big, n->keys[i]);

			big.keys[j] = n->keys[i];
			big.vals[j] = n->vals[i];
		}
	}
	big.used = n->used;
	topo_names_free(n);
	*n = big;
}

int topo_names_put(struct topo_names *n, const char *key, int val)
{
	size_t i;

	if ((n->used + 1) * 2 > n->cap)
		grow(n);
	if (n->used + 1 >= n->cap)
		return -2;
	i = slot(n, key);
	if (n->keys[i])
		return n->vals[i];
	n->keys[i] = key;
	n->vals[i] = val;
	n->used++;
	return -1;
}

int topo_names_get(const struct topo_names *n, const char *key)
{
	size_t i;

	if (!n->cap)
		return -1;
	i = slot(n, key);
	return n->keys[i] ? n->vals[i] : -1;
}
