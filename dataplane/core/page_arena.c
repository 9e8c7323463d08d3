/* SPDX-License-Identifier: BSD-3-Clause */
/* Page-granular memory, resident only where written: page_arena.h. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "page_arena.h"

#define CHUNK_BYTES ((size_t)64 << 20)

struct loom_page_chunk {
	struct loom_page_chunk *next;
	uint8_t *base;
	size_t size, used;
};

struct loom_page_arena loom_queue_arena;
struct loom_page_arena loom_flow_table_arena;

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

void *loom_page_arena_alloc(struct loom_page_arena *a, size_t bytes)
{
	size_t pg = page_size(), need = (bytes + pg - 1) / pg * pg;
	struct loom_page_chunk *c = a->chunks;
	void *p;

	if (!c || c->size - c->used < need) {
		size_t size = need > CHUNK_BYTES ? need : CHUNK_BYTES;

		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		/* MAP_NORESERVE: the mapping is address space, not a promise */
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			free(c);
			return NULL;
		}
		*c = (struct loom_page_chunk){.next = a->chunks, .base = p, .size = size};
		a->chunks = c;
		a->reserved += size;
	}
	p = c->base + c->used;
	c->used += need;
	return p;
}

void loom_page_arena_release(struct loom_page_arena *a)
{
	while (a->chunks) {
		struct loom_page_chunk *c = a->chunks;

		a->chunks = c->next;
		munmap(c->base, c->size);
		free(c);
	}
	a->reserved = 0;
}

size_t loom_page_arena_resident(const struct loom_page_arena *a)
{
	size_t pg = page_size(), n = 0;

	for (const struct loom_page_chunk *c = a->chunks; c; c = c->next) {
		size_t pages = (c->used + pg - 1) / pg;
		unsigned char *v = malloc(pages ? pages : 1);

		if (!v)
			return 0;
		if (pages && mincore(c->base, pages * pg, v) == 0)
			for (size_t i = 0; i < pages; i++)
				n += v[i] & 1;
		free(v);
	}
	return n * pg;
}
