/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cells of the switch-scheduled fabric (docs/CELLS.md): the header that
 * follows the Ethernet header of every cell frame, and segmentation of a
 * packet into fixed-size cells. Plain C, no DPDK: encode/decode work on
 * bytes so that the wire format is unit-tested alone.
 *
 * A fabric in `mode: cell` moves three kinds of cell between leaves
 * through the spines, all with Ethertype LOOM_CELL_ETHERTYPE:
 *   DATA     up to payload_bytes of one packet (first/last flags)
 *   REQUEST  an ingress VOQ asks the egress port for `bytes` more credit
 *            (and says how many sources it holds packets of)
 *   CREDIT   the egress port grants `bytes` to an ingress VOQ
 * A VOQ is named by (source leaf, destination leaf, destination port,
 * class); DATA cells of one VOQ carry consecutive sequence numbers.
 */
#ifndef LOOM_CELL_H
#define LOOM_CELL_H

#include <stdbool.h>
#include <stdint.h>

/* IEEE 802 "local experimental" Ethertype 1: ours alone on a fabric link,
 * so that a capture shows cells as their own protocol. */
#define LOOM_CELL_ETHERTYPE 0x88B5
#define LOOM_CELL_VERSION 1
#define LOOM_CELL_HDR_LEN 16
#define LOOM_CELL_PAYLOAD_DEFAULT 256 /* DNX's VSC256 */
#define LOOM_CELL_PAYLOAD_MIN 64
#define LOOM_CELL_PAYLOAD_MAX 1024

enum loom_cell_type {
	LOOM_CELL_DATA = 1,
	LOOM_CELL_REQUEST = 2,
	LOOM_CELL_CREDIT = 3,
};

#define LOOM_CELL_FIRST 0x01 /* DATA: first cell of its packet */
#define LOOM_CELL_LAST 0x02  /* DATA: last cell of its packet */

struct loom_cell_hdr {
	uint8_t type;      /* enum loom_cell_type */
	uint8_t flags;     /* FIRST / LAST */
	uint16_t src_leaf; /* fabric leaf number of the ingress leaf */
	uint16_t dst_leaf; /* the spine forwards by this alone */
	uint16_t dst_port; /* egress port on dst_leaf */
	uint8_t cls;       /* class of the VOQ */
	/* DATA: sequence number in the VOQ; REQUEST/CREDIT: bytes asked or
	 * granted. */
	uint32_t seq_or_bytes;
	/* DATA: payload bytes in this cell; REQUEST: the VOQ's sources (its
	 * ingress ports with packets in it, 0 read as 1: the egress port's
	 * credit scheduler weights the VOQ by them, so that it serves senders,
	 * not leaves, fairly); CREDIT: 0 */
	uint16_t len;
};
/* The VOQ of a cell: (ingress leaf, egress leaf, dst_port, cls), where the
 * ingress leaf is src_leaf for DATA and REQUEST (they go to the egress
 * leaf) and dst_leaf for CREDIT (it goes back to the ingress leaf). */

/* Write / read the 16-byte header (network order). Decode returns false
 * for a wrong version or type, or a DATA length over `max_payload`. */
void loom_cell_encode(const struct loom_cell_hdr *h, uint8_t out[LOOM_CELL_HDR_LEN]);
bool loom_cell_decode(const uint8_t in[LOOM_CELL_HDR_LEN], struct loom_cell_hdr *h, uint16_t max_payload);

/* Cells of a packet of `len` bytes (>= 1). */
static inline uint32_t loom_cell_count(uint32_t len, uint16_t payload)
{
	return (len + payload - 1) / payload;
}

/* Cell i (0-based) of a packet of `len` bytes: offset, length, flags. */
static inline void loom_cell_slice(uint32_t len, uint16_t payload, uint32_t i, uint32_t *off, uint16_t *clen,
				   uint8_t *flags)
{
	uint32_t n = loom_cell_count(len, payload);

	*off = i * payload;
	*clen = (uint16_t)(i + 1 < n ? payload : len - *off);
	*flags = (uint8_t)((i == 0 ? LOOM_CELL_FIRST : 0) | (i + 1 == n ? LOOM_CELL_LAST : 0));
}

#endif
