/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Priority flow control (IEEE 802.1Qbb) decisions, and the shared buffer's
 * dynamic threshold.
 *
 * Send side, per (ingress port, class) of a lossless class: the bytes that
 * arrived on that port in that class and are still buffered in the switch
 * (whatever egress queue they wait in). When they reach xoff, a PAUSE for
 * the class is sent upstream; the packets the peer had already sent, or
 * sends before it reacts, land in the headroom above xoff; when the bytes
 * fall to xon, a RESUME (PAUSE with quanta 0) is sent. xon < xoff gives
 * hysteresis, so the port does not flap between the two. While paused,
 * the PAUSE is re-sent every refresh_ns so that the peer's pause timer
 * does not run out while the congestion lasts.
 *
 * Receive side, per (egress port, class): a PAUSE holds the class for
 * quanta * 512 bit times at the link's rate; a new PAUSE replaces the
 * running timer (quanta 0 releases it at once).
 *
 * The link rate is the rate the link runs at (scaled, see
 * loom_rate_scaled): a quantum is 512 bit times on the wire.
 */
#ifndef LOOM_PFC_H
#define LOOM_PFC_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"


#define LOOM_PFC_QUANTUM_BITS 512
#define LOOM_PFC_MAX_QUANTA 0xffff

enum loom_pfc_action {
	LOOM_PFC_NONE = 0,
	LOOM_PFC_SEND_PAUSE = 1,     /* send PAUSE(class, *quanta) upstream */
	LOOM_PFC_SEND_RESUME = 2,    /* send PAUSE(class, 0) upstream */
	LOOM_PFC_DROP_HEADROOM = 3,  /* headroom exhausted: drop, not accounted */
};

struct loom_pfc_cfg {
	uint32_t xoff_bytes;     /* PAUSE when the bytes reach xoff (>= xoff) */
	uint32_t xon_bytes;      /* RESUME when they fall to xon (<= xon); < xoff */
	uint32_t headroom_bytes; /* accepted above xoff while paused */
	uint16_t pause_quanta;   /* quanta in each PAUSE; 1..0xffff */
	loom_time_ns refresh_ns; /* re-send PAUSE this often while paused; 0:
				  * never (see loom_pfc_refresh_default) */
};

struct loom_pfc_stats {
	uint64_t pause_sent;     /* XOFF transitions */
	uint64_t refresh_sent;   /* PAUSEs re-sent while paused */
	uint64_t resume_sent;    /* XON transitions */
	uint64_t headroom_pkts;  /* accepted while paused (after XOFF was sent) */
	uint64_t headroom_bytes;
	uint64_t overflow_pkts;  /* refused: would exceed xoff + headroom */
	uint64_t overflow_bytes;
	uint64_t headroom_peak;  /* most bytes held above xoff */
	uint64_t underflow;      /* dequeue of more bytes than held (caller bug) */
};

struct loom_pfc_state {
	uint64_t bytes;          /* buffered from this (ingress port, class) */
	uint8_t paused;          /* XOFF sent, XON not yet */
	loom_time_ns pause_at;   /* last PAUSE sent */
	struct loom_pfc_stats st;
};

/* 0, or -EINVAL (xon >= xoff, quanta 0). */
int loom_pfc_cfg_check(const struct loom_pfc_cfg *cfg);

void loom_pfc_state_init(struct loom_pfc_state *st);

/*
 * A packet of `bytes` arrived from this (port, class) at `now`. Returns
 * SEND_PAUSE (with *quanta = cfg->pause_quanta) when it brings the bytes
 * to xoff or above and no PAUSE is in force; DROP_HEADROOM (the packet is
 * not accounted; drop it and count a lossless-class violation) when the
 * class is paused and the packet would take the bytes above xoff +
 * headroom; else NONE. The packet that crosses xoff is always accepted:
 * it is the one that triggers the PAUSE.
 */
enum loom_pfc_action loom_pfc_on_enqueue(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
					 uint32_t bytes, loom_time_ns now, uint16_t *quanta);

/* A packet of `bytes` from this (port, class) left the switch (or was
 * dropped after admission). Returns SEND_RESUME (*quanta = 0) when a PAUSE
 * is in force and the bytes are now <= xon, else NONE. */
enum loom_pfc_action loom_pfc_on_dequeue(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
					 uint32_t bytes, loom_time_ns now, uint16_t *quanta);

/* While paused, SEND_PAUSE once refresh_ns have passed since the last
 * PAUSE; else NONE. */
enum loom_pfc_action loom_pfc_refresh(struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg,
				      loom_time_ns now, uint16_t *quanta);

/* When loom_pfc_refresh will next send (for the virtual-time runner), or
 * LOOM_TIME_NEVER when not paused or refresh is off. */
loom_time_ns loom_pfc_next_refresh(const struct loom_pfc_state *st, const struct loom_pfc_cfg *cfg);

/* How long `quanta` hold a link at rate_bps: quanta * 512 / rate seconds,
 * the serialization time of quanta * 64 bytes (loom/sim/link.h): in ns
 * rounded up (a pause is never shorter than asked), LOOM_TIME_NEVER for
 * rate 0. */
loom_time_ns loom_pfc_quanta_ns(uint16_t quanta, uint64_t rate_bps);

/* Half the time `quanta` hold the link: a PAUSE re-sent this often reaches
 * the peer well before its timer runs out. */
loom_time_ns loom_pfc_refresh_default(uint16_t quanta, uint64_t rate_bps);

/* ---- receive side ---- */

struct loom_pfc_hold {
	loom_time_ns until;      /* the class may send again at this time */
	uint64_t pauses_rx;      /* PAUSE with quanta > 0 */
	uint64_t resumes_rx;     /* PAUSE with quanta 0 */
	uint64_t ignored;        /* received with link rate 0 */
};

void loom_pfc_hold_init(struct loom_pfc_hold *h);

/* A PAUSE for this class arrived at `now`: hold until now + quanta * 512
 * bit times (rounded up to a ns), replacing any running hold. Returns the
 * time the hold ends. */
loom_time_ns loom_pfc_rx_pause(struct loom_pfc_hold *h, uint16_t quanta, uint64_t link_rate_bps,
			       loom_time_ns now);

static inline bool loom_pfc_is_held(const struct loom_pfc_hold *h, loom_time_ns now)
{
	return now < h->until;
}

/* ---- shared buffer, dynamic threshold ---- */

/*
 * A switch's packet buffer shared by all its queues, with the dynamic
 * threshold of Choudhury & Hahne ("Dynamic queue length thresholds for
 * shared-memory packet switches", IEEE/ACM ToN 1998), as commodity switch
 * chips implement it: a packet is admitted to a queue holding queue_bytes
 * when
 *	queue_bytes < T = alpha * (size - used)
 * and it fits in the free space. One long queue can thus take at most
 * alpha / (1 + alpha) of the buffer, and n congested queues
 * alpha / (1 + n alpha) each, always leaving some free space for queues
 * that become active. alpha is a power of two, 2^alpha_log2, as in the
 * chips (Broadcom, Spectrum, SONiC's dynamic_th: 1/128 .. 8).
 */
enum loom_buffer_verdict {
	LOOM_BUFFER_ADMIT = 0,
	LOOM_BUFFER_DENY_THRESHOLD = 1, /* queue at or above its dynamic threshold */
	LOOM_BUFFER_DENY_FULL = 2,      /* the packet does not fit in the free space */
};

#define LOOM_BUFFER_ALPHA_LOG2_MIN (-16)
#define LOOM_BUFFER_ALPHA_LOG2_MAX 16

struct loom_buffer_stats {
	uint64_t admitted_pkts;
	uint64_t admitted_bytes;
	uint64_t denied_threshold;
	uint64_t denied_full;
	uint64_t released_bytes;
	uint64_t underflow;      /* release of more bytes than used (caller bug) */
};

struct loom_buffer {
	uint64_t size;
	uint64_t used;
	struct loom_buffer_stats st;
};

void loom_buffer_init(struct loom_buffer *b, uint64_t size_bytes);

/* The threshold T for alpha = 2^alpha_log2 (clamped to the range above). */
uint64_t loom_buffer_threshold(const struct loom_buffer *b, int alpha_log2);

/* Admit a packet of pkt_bytes to a queue holding queue_bytes; on ADMIT the
 * bytes are taken from the buffer. */
enum loom_buffer_verdict loom_buffer_admit(struct loom_buffer *b, uint64_t queue_bytes,
					   uint32_t pkt_bytes, int alpha_log2);

/* A packet admitted earlier left the buffer. */
void loom_buffer_release(struct loom_buffer *b, uint32_t pkt_bytes);

#endif
