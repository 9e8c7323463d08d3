/* SPDX-License-Identifier: BSD-3-Clause */
/* The cell header on the wire (loom/cell/cell.h, docs/CELLS.md). */
#include "loom/cell/cell.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Byte 0: version (high nibble), type (low nibble). */
void loom_cell_encode(const struct loom_cell_hdr *h, uint8_t out[LOOM_CELL_HDR_LEN])
{
	out[0] = (uint8_t)(LOOM_CELL_VERSION << 4 | (h->type & 0x0f));
	out[1] = h->flags;
	put16(out + 2, h->src_leaf);
	put16(out + 4, h->dst_leaf);
	put16(out + 6, h->dst_port);
	out[8] = h->cls;
	out[9] = 0;
	put16(out + 10, (uint16_t)(h->seq_or_bytes >> 16));
	put16(out + 12, (uint16_t)h->seq_or_bytes);
	put16(out + 14, h->type == LOOM_CELL_CREDIT ? 0 : h->len);
}

bool loom_cell_decode(const uint8_t in[LOOM_CELL_HDR_LEN], struct loom_cell_hdr *h, uint16_t max_payload)
{
	if (in[0] >> 4 != LOOM_CELL_VERSION)
		return false;
	h->type = in[0] & 0x0f;
	h->flags = in[1];
	h->src_leaf = get16(in + 2);
	h->dst_leaf = get16(in + 4);
	h->dst_port = get16(in + 6);
	h->cls = in[8];
	h->seq_or_bytes = (uint32_t)get16(in + 10) << 16 | get16(in + 12);
	switch (h->type) {
	case LOOM_CELL_DATA:
		h->len = get16(in + 14);
		return h->len >= 1 && h->len <= max_payload && (h->flags & ~(LOOM_CELL_FIRST | LOOM_CELL_LAST)) == 0;
	case LOOM_CELL_REQUEST:
		h->len = get16(in + 14); /* the VOQ's sources (cell.h) */
		return h->flags == 0;
	case LOOM_CELL_CREDIT:
		h->len = 0;
		return h->flags == 0 && get16(in + 14) == 0;
	default:
		return false;
	}
}
