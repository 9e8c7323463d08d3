/* SPDX-License-Identifier: BSD-3-Clause */
/* PFC PAUSE obeyed by generator hosts (see gen_pause.h). */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "gen_pause.h"
#include "gen_state.h"

#define PFC_ETHERTYPE 0x8808u
#define PFC_OPCODE 0x0101u
#define PFC_LEN 34u /* addresses, type, opcode, class vector, 8 quanta */

static const uint8_t pfc_dst[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x01};

void loom_gen_pause_init(struct loom_gen_pause *p)
{
	memset(p, 0, sizeof(*p));
	for (int c = 0; c < LOOM_TM_CLASSES; c++)
		loom_pfc_hold_init(&p->hold[c]);
}

bool loom_gen_pause_receive(struct loom_gen_host *h, const struct rte_mbuf *m, loom_time_ns now, bool *released)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	struct loom_gen_pause *p = &h->pause;
	uint8_t enabled;

	*released = false;
	if (rte_pktmbuf_data_len(m) < PFC_LEN || (d[12] << 8 | d[13]) != PFC_ETHERTYPE ||
	    (d[14] << 8 | d[15]) != PFC_OPCODE)
		return false;
	if (memcmp(d, pfc_dst, sizeof(pfc_dst)) != 0)
		return true; /* not to the MAC control address: ignored, as 802.1Qbb says */
	enabled = d[17];
	p->frames++;
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		uint16_t quanta = (uint16_t)(d[18 + 2 * c] << 8 | d[19 + 2 * c]);
		loom_time_ns old = p->hold[c].until, until;

		if (!(enabled & (1u << c)) || !(h->lossless & (1u << c)))
			continue;
		until = loom_pfc_rx_pause(&p->hold[c], quanta, h->link_rate_bps, now);
		if (until == LOOM_TIME_NEVER)
			continue;
		/* time held: the rest of a replaced hold no longer counts */
		if (old > now)
			p->paused_ns -= old - now;
		if (until > now)
			p->paused_ns += until - now;
		if (until < old && old > now)
			*released = true;
	}
	return true;
}
