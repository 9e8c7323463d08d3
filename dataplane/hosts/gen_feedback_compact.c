/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compact transport feedback (gen_feedback.h): written by the receiver
 * with only what its flow's set-up uses, expanded by the sender into the
 * full layout so that one reader serves both.
 */
#include <string.h>

#include <rte_byteorder.h>

#include "gen_feedback_compact.h"
#include "gen_state.h"

#define U16_MAX 0xffffu

/* control/ computes ACK frames from loom/frame.h's sizes (NSCC's base_rtt: path) */
_Static_assert(sizeof(struct loom_gen_feedback_compact) == LOOM_FRAME_FB_COMPACT_HDR, "LOOM_FRAME_FB_COMPACT_HDR");
_Static_assert(LOOM_GEN_EV_ECHO_MAX == LOOM_FRAME_FB_EV_ECHO_MAX, "LOOM_FRAME_FB_EV_ECHO_MAX");

uint32_t loom_gen_feedback_compact_len(const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				       uint8_t *flags)
{
	bool nak = fb->kind == LOOM_GEN_FB_TP_NAK;
	uint32_t len = sizeof(struct loom_gen_feedback_compact);
	uint8_t fl = fb->ece ? LOOM_GEN_FBC_ECE : 0;

	if (fb->kind != LOOM_GEN_FB_TP_ACK && !nak)
		return 0;
	if (fb->counted && (fb->ack_pkts > U16_MAX || fb->ack_ce > U16_MAX))
		return 0; /* does not fit: this one goes full */
	if (!nak && fb->ext.sack) {
		fl |= LOOM_GEN_FBC_SACK;
		len += sizeof(uint32_t) + sizeof(uint64_t);
	}
	if (nak)
		len += sizeof(uint32_t);
	if (r->entropy == LOOM_FLOW_ENTROPY_REPS) {
		fl |= LOOM_GEN_FBC_EV;
		len += sizeof(uint16_t);
	}
	if (r->cc == LOOM_FLOW_CC_NSCC) {
		fl |= LOOM_GEN_FBC_TS;
		len += sizeof(uint32_t);
	}
	if (fb->counted) {
		fl |= LOOM_GEN_FBC_COUNTS;
		len += 2 * sizeof(uint16_t);
		if (r->entropy == LOOM_FLOW_ENTROPY_REPS) {
			fl |= LOOM_GEN_FBC_EVS;
			len += 2 + (uint32_t)sizeof(uint16_t) * (fb->evs.n < LOOM_GEN_EV_ECHO_MAX ? fb->evs.n : LOOM_GEN_EV_ECHO_MAX);
		}
	}
	if (r->credit.on) {
		fl |= LOOM_GEN_FBC_GRANT;
		len += sizeof(uint64_t);
	}
	*flags = fl;
	return len;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	v = rte_cpu_to_be_16(v);
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	v = rte_cpu_to_be_64(v);
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

void loom_gen_feedback_compact_write(uint8_t *p, const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				     uint8_t flags)
{
	struct loom_gen_feedback_compact c = {
		.magic = rte_cpu_to_be_32(LOOM_GEN_FEEDBACK_MAGIC),
		.tx_slot = rte_cpu_to_be_32(r->tx_slot),
		.flow_id = rte_cpu_to_be_32(r->flow_id),
		.kind = (uint8_t)(fb->kind | LOOM_GEN_FB_COMPACT),
		.flags = flags,
		.ack_seq = rte_cpu_to_be_32((uint32_t)fb->ack_seq),
	};

	memcpy(p, &c, sizeof(c));
	p += sizeof(c);
	if (flags & LOOM_GEN_FBC_SACK) {
		p = put32(p, (uint32_t)(fb->ext.sack_base / 64u));
		p = put64(p, fb->ext.sack);
	}
	if (fb->kind == LOOM_GEN_FB_TP_NAK)
		p = put32(p, (uint32_t)fb->ext.psn);
	if (flags & LOOM_GEN_FBC_EV)
		p = put16(p, fb->ev);
	if (flags & LOOM_GEN_FBC_TS)
		p = put32(p, (uint32_t)fb->ts_echo);
	if (flags & LOOM_GEN_FBC_COUNTS) {
		p = put16(p, (uint16_t)fb->ack_pkts);
		p = put16(p, (uint16_t)fb->ack_ce);
	}
	if (flags & LOOM_GEN_FBC_EVS) {
		uint8_t n = fb->evs.n < LOOM_GEN_EV_ECHO_MAX ? fb->evs.n : (uint8_t)LOOM_GEN_EV_ECHO_MAX;

		*p++ = n;
		*p++ = fb->evs.ce;
		for (unsigned int i = 0; i < n; i++)
			p = put16(p, fb->evs.ev[i]);
	}
	if (flags & LOOM_GEN_FBC_GRANT) /* the grant as it is now (cumulative; gen_credit.h) */
		put64(p, r->credit.st.granted);
}

/* A 32-bit PSN's full value: the one nearest ref. */
static uint64_t extend32(uint32_t v, uint64_t ref)
{
	int32_t d = (int32_t)(v - (uint32_t)ref);

	return d < 0 && (uint64_t)-(int64_t)d > ref ? v : ref + (uint64_t)(int64_t)d;
}

struct reader {
	const uint8_t *p;
	uint32_t left;
	bool ok;
};

static const uint8_t *take(struct reader *r, uint32_t n)
{
	const uint8_t *at = r->p;

	if (!r->ok || r->left < n) {
		r->ok = false;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return at;
}

static uint16_t get16(struct reader *r)
{
	uint16_t v = 0;
	const uint8_t *at = take(r, sizeof(v));

	if (at)
		memcpy(&v, at, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static uint32_t get32(struct reader *r)
{
	uint32_t v = 0;
	const uint8_t *at = take(r, sizeof(v));

	if (at)
		memcpy(&v, at, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static uint64_t get64(struct reader *r)
{
	uint64_t v = 0;
	const uint8_t *at = take(r, sizeof(v));

	if (at)
		memcpy(&v, at, sizeof(v));
	return rte_be_to_cpu_64(v);
}

bool loom_gen_feedback_expand(const struct loom_gen_tx_flow *f, const uint8_t *p, uint32_t len, loom_time_ns now,
			      struct loom_gen_feedback_hdr *fb, struct loom_gen_feedback_ext *ext,
			      struct loom_gen_fb_tail *tail)
{
	struct loom_gen_feedback_compact c;
	struct reader rd = {.p = p, .left = len, .ok = true};
	uint64_t una = f->spec.recovery == LOOM_FLOW_RECOVERY_GO_BACK_N ? f->tp.gbn.una : f->tp.sr.una;
	struct loom_gen_fb_tail_layout tl = loom_gen_tx_fb_tail(f);
	uint64_t ack, v64;
	uint8_t kind;

	if (len < sizeof(c))
		return false;
	memcpy(&c, take(&rd, sizeof(c)), sizeof(c));
	kind = (uint8_t)(c.kind & ~LOOM_GEN_FB_COMPACT);
	ack = extend32(rte_be_to_cpu_32(c.ack_seq), una);
	memset(ext, 0, sizeof(*ext));
	if (c.flags & LOOM_GEN_FBC_SACK) {
		uint64_t blk = extend32(get32(&rd), ack / 64u);

		ext->sack_base = rte_cpu_to_be_64(blk * 64u);
		ext->sack = rte_cpu_to_be_64(get64(&rd));
	}
	if (kind == LOOM_GEN_FB_TP_NAK)
		ext->psn = rte_cpu_to_be_64(extend32(get32(&rd), ack));
	*fb = (struct loom_gen_feedback_hdr){
		.magic = c.magic,
		.tx_slot = c.tx_slot,
		.flow_id = c.flow_id,
		.kind = kind,
		.ece = (c.flags & LOOM_GEN_FBC_ECE) != 0,
		.ev = (c.flags & LOOM_GEN_FBC_EV) ? rte_cpu_to_be_16(get16(&rd)) : 0,
		.ack_seq = rte_cpu_to_be_64(ack),
	};
	/* the tail where the full layout has it for f (gen_feedback.h): its
	 * parts are the ones f's set-up gives its feedback, or the frame is
	 * not f's */
	if (!(c.flags & LOOM_GEN_FBC_TS) != (tl.ts == LOOM_GEN_FB_TAIL_NONE) ||
	    !(c.flags & LOOM_GEN_FBC_COUNTS) != (tl.counts == LOOM_GEN_FB_TAIL_NONE) ||
	    !(c.flags & LOOM_GEN_FBC_EVS) != (tl.evs == LOOM_GEN_FB_TAIL_NONE) ||
	    !(c.flags & LOOM_GEN_FBC_GRANT) != (tl.grant == LOOM_GEN_FB_TAIL_NONE))
		return false;
	if (c.flags & LOOM_GEN_FBC_TS) {
		uint32_t lo = get32(&rd);

		v64 = rte_cpu_to_be_64(now - (uint32_t)((uint32_t)now - lo));
		memcpy(tail->b + tl.ts, &v64, sizeof(v64));
	}
	if (c.flags & LOOM_GEN_FBC_COUNTS) {
		struct loom_gen_ack_counts n;

		n.pkts = rte_cpu_to_be_32(get16(&rd));
		n.ce = rte_cpu_to_be_32(get16(&rd));
		memcpy(tail->b + tl.counts, &n, sizeof(n));
	}
	if (c.flags & LOOM_GEN_FBC_EVS) {
		struct loom_gen_ev_echo e = {0};
		const uint8_t *nc = take(&rd, 2);

		if (nc && nc[0] <= LOOM_GEN_EV_ECHO_MAX) {
			e.n = nc[0];
			e.ce = nc[1];
			for (unsigned int i = 0; i < e.n; i++)
				e.ev[i] = rte_cpu_to_be_16(get16(&rd));
		} else {
			rd.ok = false;
		}
		memcpy(tail->b + tl.evs, &e, sizeof(e));
	}
	if (c.flags & LOOM_GEN_FBC_GRANT) {
		v64 = rte_cpu_to_be_64(get64(&rd));
		memcpy(tail->b + tl.grant, &v64, sizeof(v64));
	}
	tail->len = tl.len;
	return rd.ok;
}
