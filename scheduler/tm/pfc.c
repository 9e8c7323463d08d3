/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PFC XOFF/XON with headroom, pause hold timers, and the shared buffer's
 * dynamic threshold (see loom/tm/pfc.h).
 */
#include <errno.h>
#include <string.h>

#include "loom/sim/link.h"
#include "loom/tm/pfc.h"

int loom_pfc_cfg_check(const struct loom_pfc_cfg *cfg)
{
	if (cfg->xon_bytes >= cfg->xoff_bytes || cfg->pause_quanta == 0)
		return -EINVAL;
	return 0;
}

void loom_pfc_state_init(struct loom_pfc_state *st)
{
	memset(st, 0, sizeof(*st));
}

static enum loom_pfc_action send_pause(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
				       loom_time_ns now, uint16_t *quanta)
{
	st->pause_at = now;
	*quanta = cfg->pause_quanta;
	return LOOM_PFC_SEND_PAUSE;
}

enum loom_pfc_action loom_pfc_on_enqueue(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
					 uint32_t bytes, loom_time_ns now, uint16_t *quanta)
{
	uint64_t after = st->bytes + bytes;

	*quanta = 0;
	if (st->paused) {
		/* The peer has been told; what still comes was in flight or
		 * sent before it could react, and must fit the headroom. */
		if (after > (uint64_t)cfg->xoff_bytes + cfg->headroom_bytes) {
			st->st.overflow_pkts++;
			st->st.overflow_bytes += bytes;
			return LOOM_PFC_DROP_HEADROOM;
		}
		st->bytes = after;
		st->st.headroom_pkts++;
		st->st.headroom_bytes += bytes;
		if (after > cfg->xoff_bytes && after - cfg->xoff_bytes > st->st.headroom_peak)
			st->st.headroom_peak = after - cfg->xoff_bytes;
		return LOOM_PFC_NONE;
	}
	st->bytes = after;
	if (after < cfg->xoff_bytes)
		return LOOM_PFC_NONE;
	st->paused = 1;
	st->st.pause_sent++;
	if (after - cfg->xoff_bytes > st->st.headroom_peak)
		st->st.headroom_peak = after - cfg->xoff_bytes;
	return send_pause(st, cfg, now, quanta);
}

enum loom_pfc_action loom_pfc_on_dequeue(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
					 uint32_t bytes, loom_time_ns now, uint16_t *quanta)
{
	*quanta = 0;
	if (bytes > st->bytes) {
		st->st.underflow++;
		st->bytes = 0;
	} else {
		st->bytes -= bytes;
	}
	if (!st->paused || st->bytes > cfg->xon_bytes)
		return LOOM_PFC_NONE;
	st->paused = 0;
	st->st.resume_sent++;
	return LOOM_PFC_SEND_RESUME;
}

enum loom_pfc_action loom_pfc_refresh(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
				      loom_time_ns now, uint16_t *quanta)
{
	*quanta = 0;
	if (now < loom_pfc_next_refresh(st, cfg))
		return LOOM_PFC_NONE;
	st->st.refresh_sent++;
	return send_pause(st, cfg, now, quanta);
}

loom_time_ns loom_pfc_next_refresh(const struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg)
{
	if (!st->paused || cfg->refresh_ns == 0)
		return LOOM_TIME_NEVER;
	if (st->pause_at > LOOM_TIME_NEVER - cfg->refresh_ns)
		return LOOM_TIME_NEVER;
	return st->pause_at + cfg->refresh_ns;
}

loom_time_ns loom_pfc_quanta_ns(uint16_t quanta, uint64_t rate_bps)
{
	/* a quantum is the time of 512 bits (64 bytes) on the link */
	return loom_link_serialization_ns((uint64_t)quanta * (LOOM_PFC_QUANTUM_BITS / 8), rate_bps);
}

loom_time_ns loom_pfc_refresh_default(uint16_t quanta, uint64_t rate_bps)
{
	loom_time_ns t = loom_pfc_quanta_ns(quanta, rate_bps);

	if (t == LOOM_TIME_NEVER)
		return 0;
	return t / 2 ? t / 2 : 1;
}

void loom_pfc_hold_init(struct loom_pfc_hold *h)
{
	memset(h, 0, sizeof(*h));
}

loom_time_ns loom_pfc_rx_pause(struct loom_pfc_hold *h, uint16_t quanta, uint64_t link_rate_bps,
			       loom_time_ns now)
{
	if (link_rate_bps == 0) {
		h->ignored++;
		return h->until;
	}
	if (quanta == 0) {
		h->resumes_rx++;
		h->until = now;
		return now;
	}
	h->pauses_rx++;
	h->until = now + loom_pfc_quanta_ns(quanta, link_rate_bps);
	return h->until;
}

/* ---- shared buffer ---- */

void loom_buffer_init(struct loom_buffer *b, uint64_t size_bytes)
{
	memset(b, 0, sizeof(*b));
	b->size = size_bytes;
}

uint64_t loom_buffer_threshold(const struct loom_buffer *b, int alpha_log2)
{
	uint64_t free_bytes = b->used < b->size ? b->size - b->used : 0;

	if (alpha_log2 < LOOM_BUFFER_ALPHA_LOG2_MIN)
		alpha_log2 = LOOM_BUFFER_ALPHA_LOG2_MIN;
	if (alpha_log2 > LOOM_BUFFER_ALPHA_LOG2_MAX)
		alpha_log2 = LOOM_BUFFER_ALPHA_LOG2_MAX;
	if (alpha_log2 < 0)
		return free_bytes >> -alpha_log2;
	if (free_bytes > UINT64_MAX >> alpha_log2)
		return UINT64_MAX;
	return free_bytes << alpha_log2;
}

enum loom_buffer_verdict loom_buffer_admit(struct loom_buffer *b, uint64_t queue_bytes,
					   uint32_t pkt_bytes, int alpha_log2)
{
	if (b->used + pkt_bytes > b->size) {
		b->st.denied_full++;
		return LOOM_BUFFER_DENY_FULL;
	}
	if (queue_bytes >= loom_buffer_threshold(b, alpha_log2)) {
		b->st.denied_threshold++;
		return LOOM_BUFFER_DENY_THRESHOLD;
	}
	b->used += pkt_bytes;
	b->st.admitted_pkts++;
	b->st.admitted_bytes += pkt_bytes;
	return LOOM_BUFFER_ADMIT;
}

void loom_buffer_release(struct loom_buffer *b, uint32_t pkt_bytes)
{
	if (pkt_bytes > b->used) {
		b->st.underflow++;
		b->used = 0;
	} else {
		b->used -= pkt_bytes;
	}
	b->st.released_bytes += pkt_bytes;
}
