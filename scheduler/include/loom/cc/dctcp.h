/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DCTCP-like window controller (Alizadeh et al., "Data Center TCP",
 * SIGCOMM 2010; RFC 8257) for generator hosts: the receiver echoes CE
 * marks on its ACKs (ECE, one per marked packet), the sender keeps
 *  - alpha, the EWMA of the fraction of marked bytes, updated once per
 *    window of data (when the cumulative ACK passes the sequence that was
 *    next to send when the window started):
 *	alpha <- (1 - g) alpha + g F,  g = 1/16,  F = marked / acked bytes;
 *  - cwnd: cut once per window on ECE, cwnd <- max(min, cwnd (1 - alpha/2)),
 *    ssthresh <- cwnd; no further cut until the ACK passes what was sent
 *    at the cut (the CWR state); otherwise slow start below ssthresh
 *    (+acked bytes) and one MSS per window above it.
 *
 * Sequence numbers are byte offsets from the flow's start (64-bit, no
 * wrap). No loss recovery: the generator hosts' transport is lossless or
 * counts losses itself. Time plays no part (DCTCP is ACK-clocked).
 */
#ifndef LOOM_DCTCP_H
#define LOOM_DCTCP_H

#include <stdbool.h>
#include <stdint.h>

struct loom_dctcp_cfg {
	uint32_t mss;          /* bytes per segment */
	double g;              /* 1/16 */
	double initial_alpha;  /* RFC 8257: 1 (cautious first cut) */
	uint64_t init_cwnd;    /* bytes */
	uint64_t min_cwnd;     /* bytes */
	uint64_t max_cwnd;     /* bytes; 0 = unbounded */
};

/* mss, g = 1/16, alpha 1, initial window 10 MSS, minimum 2 MSS, no maximum */
void loom_dctcp_default(struct loom_dctcp_cfg *cfg, uint32_t mss);

struct loom_dctcp {
	uint64_t cwnd, ssthresh;
	double alpha;
	uint64_t snd_una;       /* highest cumulative ACK seen */
	uint64_t window_end;    /* alpha is updated when snd_una passes it */
	bool window_started;
	uint64_t acked_in_window, marked_in_window;
	bool in_cwr;
	uint64_t cwr_end;       /* leave CWR when snd_una passes it */
	uint64_t ca_bytes;      /* congestion avoidance: acked bytes toward +1 MSS */
	uint64_t cuts, alpha_updates;
	uint64_t acked_bytes, marked_bytes; /* every ACK's, for the results (marked fraction) */
};

void loom_dctcp_init(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg);
/* A cumulative ACK up to `ack_seq` (bytes), with ECE when `ece`;
 * `snd_nxt`: the next byte the sender would send. Old or duplicate ACKs
 * change nothing. */
void loom_dctcp_on_ack(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t ack_seq, bool ece,
		       uint64_t snd_nxt);
/* The same for a coalesced ACK (loom/transport/ack_coalesce.h) of `pkts`
 * data packets, `ce` of them CE-marked: that fraction of the bytes it newly
 * acknowledges counts as marked (alpha), and it cuts when ce > 0.
 * loom_dctcp_on_ack(ece) is this with ce/pkts = ece/1. */
void loom_dctcp_on_ack_frac(struct loom_dctcp *st, const struct loom_dctcp_cfg *cfg, uint64_t ack_seq, uint32_t ce,
			    uint32_t pkts, uint64_t snd_nxt);

#endif
