/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control of generator hosts (a flow's spec.cc): the glue
 * between gen_host.c's paced senders and receivers and the pure state
 * machines in scheduler/ (loom/cc/dcqcn.h, loom/cc/dctcp.h).
 *
 *  - dcqcn: the receiver (notification point) returns a CNP when a CE-marked
 *    packet arrives, at most one per flow per cnp_interval
 *    (loom_dcqcn_np_on_packet); the sender (reaction point) cuts its rate
 *    on a CNP and recovers it on its timers and byte counter. The rate
 *    timers are run when the flow next sends (at least once per packet
 *    time, far finer than their microsecond-scale periods).
 *  - dctcp: the receiver returns an ACK per data packet (consecutive ACKs
 *    of the same flow with the same CE echo still queued are merged into
 *    one) carrying its highest sequence + 1 and whether the packet was CE;
 *    the sender keeps at most cwnd payload bytes unacknowledged and paces
 *    at the flow's rate within it. Sequence numbers count packets, so a
 *    lost packet is acknowledged by the ones after it: no retransmission,
 *    the loss stays visible in the flow's results.
 *  - nscc: over a recovering transport only (gen_transport.c): its ACKs
 *    carry 8 bytes more, the send time of the data packet that made the
 *    ACK (loom_gen_payload.tx_time; merged ACKs: the newest), so the
 *    sender's RTT sample is exact in virtual time; each ACK gives the
 *    window (loom/cc/nscc.h) the packets it newly acknowledged,
 *    cumulatively or selectively, its ECN echo and that sample.
 *  - none: fixed-rate, paced exactly from the flow's start (gen_host.c).
 *
 * CC flows pace from their last packet (the rate changes), at the rate in
 * force when it left.
 */
#ifndef LOOM_GEN_CC_H
#define LOOM_GEN_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "gen_state.h"

/* Once the flow's rate and frame size are resolved (gen_config.c): the
 * defaults for them with f->cc_params applied. 0, or -EINVAL with the
 * reason in *why (a parameter's name, or what the combination breaks). */
int loom_gen_cc_init_tx(struct loom_gen_tx_flow *f, uint32_t mss, const char **why);
/* The receiver of f: its CNP spacing is the sender's cnp_interval. */
void loom_gen_cc_init_rx(struct loom_gen_rx_flow *r, const struct loom_gen_tx_flow *f);

/* The sender is about to send a packet of f at `now`: runs DCQCN's timers;
 * false when DCTCP's or NSCC's window is full (the flow then waits for an
 * ACK). tp_inflight: over a transport, its payload bytes outstanding
 * (loom_gen_tp_inflight_bytes(), which the caller reads: the transport
 * calls the CC, not the other way round); else unused. */
bool loom_gen_cc_may_send(struct loom_gen_tx_flow *f, uint64_t tp_inflight, loom_time_ns now);

/* A window CC's window, smaller than `pkts` packets, is full (what is
 * outstanding fills it). */
bool loom_gen_cc_window_full(const struct loom_gen_tx_flow *f, uint32_t pkts, uint64_t tp_inflight);

/* After a packet of `frame` wire bytes left at `start`: its due time for
 * the next one. */
loom_time_ns loom_gen_cc_after_send(struct loom_gen_tx_flow *f, uint32_t frame, loom_time_ns start);

/* Receiver: a data packet of r arrived (r->next_seq already updated).
 * Queues feedback when the flow's CC asks for it; returns 1 when it did. */
uint32_t loom_gen_cc_on_data(struct loom_gen_host *h, uint32_t rx_slot, bool ce, loom_time_ns now);

/* Sender: a CNP or a DCTCP ACK for f arrived (the host found f; a
 * transport's ACK or NAK goes to loom_gen_tp_on_feedback()). Returns 1 when
 * f may now send earlier than it was due. */
uint32_t loom_gen_cc_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb, loom_time_ns now);
/* A transport's ACK or NAK (nak) with cumulative ePSN of f, for its CC:
 * DCTCP's window reads epsn; NSCC's the packets an ACK newly acknowledged
 * and the send time it echoes (LOOM_TIME_NEVER: none), or the NAK. A
 * coalesced ACK's counts (NULL: an ACK per packet, whose ece says it all)
 * scale the marked part: ce of its pkts packets were CE-marked. */
void loom_gen_cc_on_transport_ack(struct loom_gen_tx_flow *f, uint64_t epsn, bool ece, bool nak,
				  uint64_t newly_acked, loom_time_ns ts_echo, const struct loom_gen_ack_counts *counts,
				  loom_time_ns now);
/* The gap after f's last packet at its current rate. */
loom_time_ns loom_gen_cc_gap(const struct loom_gen_tx_flow *f);

/* The flow's current sending rate (bit/s) and window cuts, for the results. */
uint64_t loom_gen_cc_cuts(const struct loom_gen_tx_flow *f);

#endif
