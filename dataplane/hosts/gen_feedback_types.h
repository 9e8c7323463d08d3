/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The types of generator hosts' feedback (gen_feedback.h says what it is
 * and how it goes on the wire): headers, the compact layout's flags, the
 * tail's layout, a queued feedback packet. Apart from the functions so that
 * a host's state (gen_state.h) can hold them while the functions below it
 * use that state.
 */
#ifndef LOOM_GEN_FEEDBACK_TYPES_H
#define LOOM_GEN_FEEDBACK_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"
#include "loom/traffic/flow_spec.h"

/* What a receiver returns to a congestion-controlled sender: a CNP
 * (DCQCN; a RoCEv2 packet, BTH opcode 0x81) or an ACK (DCTCP; UDP)
 * carrying this after the UDP header (after the BTH for CNPs). */
#define LOOM_GEN_FEEDBACK_MAGIC 0x4c4d4642u /* "LMFB" */
enum loom_gen_feedback_kind {
	LOOM_GEN_FB_CNP = 1,
	LOOM_GEN_FB_ACK = 2,
	/* loss recovery (gen_transport.h): a loom_gen_feedback_ext follows the header */
	LOOM_GEN_FB_TP_ACK = 3, /* ack_seq = cumulative ePSN, ece, selective ACK */
	LOOM_GEN_FB_TP_NAK = 4, /* go-back-N: send again from ack_seq; selective repeat: ext.psn */
	LOOM_GEN_FB_CREDIT = 5, /* receiver credits (gen_credit.h): ack_seq = the cumulative grant */
};

struct loom_gen_feedback_hdr {
	uint32_t magic;
	uint32_t tx_slot; /* the flow's index in the sender's tx table */
	uint32_t flow_id;
	uint8_t kind;     /* enum loom_gen_feedback_kind */
	uint8_t ece;      /* ACK: the packet(s) it acknowledges were CE-marked */
	uint16_t ev;      /* REPS flows: the UDP source port (entropy) of the newest data packet it
			     answers, network order (gen_reps.h); 0: none (was a reserved 0 before REPS) */
	uint64_t ack_seq; /* ACK: packets received up to (highest sequence + 1) */
} __attribute__((packed));

/* The extension of a transport's feedback packet, after loom_gen_feedback_hdr. */
struct loom_gen_feedback_ext {
	uint64_t psn;        /* NACK: the trimmed packet (selective repeat) */
	uint64_t sack_base;  /* ACK: selective ACK of the 64 PSNs from here */
	uint64_t sack;
} __attribute__((packed));

/* After the extension (and NSCC's send time) of a coalescing flow's
 * feedback: the data packets the ACK acknowledges, and the CE-marked ones. */
struct loom_gen_ack_counts {
	uint32_t pkts;
	uint32_t ce;
} __attribute__((packed));

/* A coalesced ACK of a REPS flow (entropy: reps) answers several packets
 * but its header echoes one port; REPS needs each packet's, with its mark
 * (with the newest port only, REPS explored 71 % of its packets in the 16 MB
 * permutation at ack_every 4, and did no better than random ports; with
 * every port, it recycles 99 %). So after the counts it carries the ports
 * of the packets it acknowledges, the newest LOOM_GEN_EV_ECHO_MAX
 * (ack_every may be larger: the older ones are not echoed). */
#define LOOM_GEN_EV_ECHO_MAX 8u
struct loom_gen_ev_echo {
	uint8_t n;  /* ports in ev[] */
	uint8_t ce; /* bit i: ev[i]'s packet was CE-marked */
	uint16_t ev[LOOM_GEN_EV_ECHO_MAX]; /* UDP source ports (network order on the wire) */
} __attribute__((packed));

/* Add a packet's port to an echo list, keeping the newest. */
static inline void loom_gen_ev_echo_add(struct loom_gen_ev_echo *e, uint16_t ev, bool ce)
{
	if (e->n == LOOM_GEN_EV_ECHO_MAX) {
		for (unsigned int i = 1; i < LOOM_GEN_EV_ECHO_MAX; i++)
			e->ev[i - 1] = e->ev[i];
		e->ce >>= 1;
		e->n--;
	}
	e->ev[e->n] = ev;
	e->ce = (uint8_t)(e->ce | (ce ? 1u << e->n : 0));
	e->n++;
}

/* Compact transport feedback (issue 23): an ACK or NAK of a transport
 * flow carries only what its receiver's set-up uses, in the fewest bytes
 * (the 16 MB permutation's coalesced NSCC ACK: 68 or 80 bytes instead of
 * 106; its ACKs were 0.65 % of the data bytes, on the senders' links).
 * `kind` has LOOM_GEN_FB_COMPACT set (the full layout never does), and
 * the frame carries loom_gen_feedback_compact (18 bytes: magic, slot and
 * flow id, kind at the full header's offsets) then, in this order, only
 * the parts its flags name:
 *   LOOM_GEN_FBC_SACK   uint32 selective-ACK block (sack_base / 64, low
 *                       32 bits), uint64 its bits: only when a bit is set
 *   (a NAK)             uint32 the NACK'd PSN (low 32 bits)
 *   LOOM_GEN_FBC_EV     uint16 the header's ev (REPS flows)
 *   LOOM_GEN_FBC_TS     uint32 the echoed send time, low 32 bits of ns (NSCC)
 *   LOOM_GEN_FBC_COUNTS uint16 packets acknowledged, uint16 CE-marked
 *                       (coalescing flows)
 *   LOOM_GEN_FBC_EVS    uint8 n, uint8 ce bits, n x uint16 ports (REPS
 *                       coalescing flows)
 *   LOOM_GEN_FBC_GRANT  uint64 the cumulative credit granted (receiver
 *                       credit flows, gen_credit.h)
 * Network order. 32-bit PSNs and times are extended by the sender against
 * its own (its oldest unacknowledged PSN, its clock): exact while a window
 * is under 2^31 packets and a round trip under 4.29 s. A value that does
 * not fit (counts above 65535) makes that frame a full one. The sender
 * expands a compact frame into the full layout (loom_gen_feedback_expand)
 * and reads it as one; CNPs and DCTCP's own ACKs stay full. */
#define LOOM_GEN_FB_COMPACT 0x80u
#define LOOM_GEN_FBC_ECE 0x01u
#define LOOM_GEN_FBC_SACK 0x02u
#define LOOM_GEN_FBC_EV 0x04u
#define LOOM_GEN_FBC_TS 0x08u
#define LOOM_GEN_FBC_COUNTS 0x10u
#define LOOM_GEN_FBC_EVS 0x20u
#define LOOM_GEN_FBC_GRANT 0x40u
struct loom_gen_feedback_compact {
	uint32_t magic;   /* LOOM_GEN_FEEDBACK_MAGIC */
	uint32_t tx_slot;
	uint32_t flow_id;
	uint8_t kind;     /* LOOM_GEN_FB_TP_ACK or _NAK | LOOM_GEN_FB_COMPACT */
	uint8_t flags;    /* LOOM_GEN_FBC_* */
	uint32_t ack_seq; /* the cumulative ePSN's low 32 bits */
} __attribute__((packed));
/* The largest compact frame's bytes after the UDP header. */
#define LOOM_GEN_FBC_MAX                                                                                             \
	(sizeof(struct loom_gen_feedback_compact) + 12u + 4u + 2u + 4u + 4u + 2u + 2u * LOOM_GEN_EV_ECHO_MAX + 8u)

/* What follows a transport feedback's extension, as it came: NSCC's send
 * time, a coalescing flow's loom_gen_ack_counts and, for REPS flows, its
 * loom_gen_ev_echo, then a credit flow's grant; the flow's sender reads it
 * as its set-up says (gen_host.c), where loom_gen_fb_tail_layout puts it. */
struct loom_gen_fb_tail {
	uint32_t len;
	uint8_t b[sizeof(uint64_t) + sizeof(struct loom_gen_ack_counts) + sizeof(struct loom_gen_ev_echo) +
		  sizeof(uint64_t)]; /* + a credit flow's grant (gen_credit.h) */
};

/* Where each part of a transport feedback's tail sits in the full layout
 * (offsets into loom_gen_fb_tail.b, LOOM_GEN_FB_TAIL_NONE: the flow's
 * feedback has no such part). The one place that says so: the receiver
 * writes by it (loom_gen_feedback_build), the sender reads by it
 * (gen_host.c) and expands a compact frame into it (loom_gen_feedback_expand). */
#define LOOM_GEN_FB_TAIL_NONE UINT32_MAX
struct loom_gen_fb_tail_layout {
	uint32_t ts;     /* NSCC: the echoed send time (uint64) */
	uint32_t counts; /* a coalescing flow's loom_gen_ack_counts */
	uint32_t evs;    /* a coalescing REPS flow's loom_gen_ev_echo */
	uint32_t grant;  /* a receiver-credit flow's cumulative grant (uint64), last */
	uint32_t len;    /* the whole tail */
};

/* The tail of a flow with this set-up: its CC and entropy (enum
 * loom_flow_cc, loom_flow_entropy), whether its feedback is counted (a
 * coalescing flow's, ack_every > 1: gen_transport.c) and whether it uses
 * receiver credits. Inline: once per feedback frame, both sides. */
static inline struct loom_gen_fb_tail_layout loom_gen_fb_tail_layout(uint8_t cc, uint8_t entropy, bool counted,
								      bool credit)
{
	struct loom_gen_fb_tail_layout l = {.ts = LOOM_GEN_FB_TAIL_NONE, .counts = LOOM_GEN_FB_TAIL_NONE,
					    .evs = LOOM_GEN_FB_TAIL_NONE, .grant = LOOM_GEN_FB_TAIL_NONE, .len = 0};

	if (cc == LOOM_FLOW_CC_NSCC) {
		l.ts = l.len;
		l.len += (uint32_t)sizeof(uint64_t);
	}
	if (counted) {
		l.counts = l.len;
		l.len += (uint32_t)sizeof(struct loom_gen_ack_counts);
		if (entropy == LOOM_FLOW_ENTROPY_REPS) {
			l.evs = l.len;
			l.len += (uint32_t)sizeof(struct loom_gen_ev_echo);
		}
	}
	if (credit) {
		l.grant = l.len;
		l.len += (uint32_t)sizeof(uint64_t);
	}
	return l;
}

/* One queued feedback packet. */
struct loom_gen_feedback {
	uint32_t rx_slot;
	uint8_t kind, ece;
	uint8_t plane;    /* multi-plane: it goes back over the plane its data came in on (gen_plane.h) */
	uint16_t ev;      /* REPS: the newest answered data packet's source port (host order; 0: none) */
	uint64_t ack_seq;
	struct loom_gen_feedback_ext ext; /* transport kinds */
	uint64_t ts_echo; /* NSCC's ACKs: the send time of the data packet acknowledged (on the wire after ext) */
	bool counted;     /* a coalescing flow's: a loom_gen_ack_counts follows */
	uint32_t ack_pkts, ack_ce;
	struct loom_gen_ev_echo evs; /* a coalescing REPS flow's: the ports it answers */
};
#define LOOM_GEN_FEEDBACK_QUEUE 256u

#endif
