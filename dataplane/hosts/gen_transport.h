/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss recovery of generator hosts (a flow's spec.recovery, YAML
 * `transport: go_back_n | selective_repeat`): the glue between gen_host.c's
 * senders and receivers and the pure state machines of
 * scheduler/include/loom/transport/ (go_back_n.h, selective_repeat.h).
 *
 * A flow of B payload bytes is n = ceil(B / mss) packets, PSN 0 .. n-1,
 * each always carrying the same bytes (mss, the last one the rest), so a
 * retransmission is the same packet again; the PSN is in the BTH and in
 * the generator's payload header (its seq).
 *
 *  - receiver: each data packet goes through the state machine; new data
 *    counts toward the flow's bytes (completion), duplicates and
 *    discarded packets do not. ACK (the cumulative ePSN, the CE echo, and
 *    a 64-bit selective ACK for selective repeat) per new or duplicate
 *    packet (merged while still queued), NAK per gap (go-back-N) or per
 *    trimmed packet (selective repeat). A packet is trimmed when it
 *    arrives with the trim DSCP of the receiver's leaf port (its TM's
 *    trim.dscp): a switch cut its payload (tm_trim.c).
 *  - sender: sends what the state machine says (retransmissions first),
 *    paced from its last packet at the flow's rate and within the CC's
 *    window (DCTCP: the bytes beyond the cumulative ACK); the
 *    retransmission timer is the flow's due time while it has nothing to
 *    send. The flow is done when every packet is acknowledged.
 *  - CC over it: DCQCN's CNPs are as without a transport; DCTCP reads the
 *    transport's ACKs (cumulative ePSN x mss bytes, the CE echo) instead
 *    of its own.
 *
 * ACK coalescing (spec.ack_every > 1, loom/transport/ack_coalesce.h): the
 * receiver holds its ACKs and sends one per ack_every data packets (at
 * once on the sender's ACK request, a duplicate, a NAK, another SACK
 * block, completion; after ack_delay at the latest: the host's timer;
 * by default the time ack_every frames take on the receiver's link).
 * The sender sets the ACK request (LOOM_GEN_PL_ACK_REQ in its payload
 * header) on a flow's last packet, on retransmissions and on a packet that
 * fills its CC's window. Such a flow's feedback carries a
 * loom_gen_ack_counts after the extension (and after NSCC's send time),
 * which the sender's CC scales its reaction by; the send time echoed is
 * the newest packet's plus the time the ACK was held, so the RTT sample
 * leaves the receiver's delay out (as QUIC's ack_delay does).
 *
 * A scripted loss (spec.lose_first, lose_count): the first transmission
 * of those PSNs leaves the NIC (it takes its wire time) and is lost: it
 * reaches no switch, and is counted in the flow's `scripted_losses`.
 */
#ifndef LOOM_GEN_TRANSPORT_H
#define LOOM_GEN_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"
#include "loom/transport/ack_coalesce.h"
#include "loom/transport/go_back_n.h"
#include "loom/transport/selective_repeat.h"

/* The default retransmission timeout (a flow's `rto:` overrides it): above the queueing delay of a full default
 * class queue (512 KB) at 10G (420 us), so that a queue alone does not
 * fire it. */
#define LOOM_GEN_RTO_NS 500000u
/* Trim DSCP of a port without trimming. */
#define LOOM_GEN_NO_TRIM_DSCP 0xffu

struct loom_gen_tp_tx {
	union {
		struct loom_gbn_tx gbn;
		struct loom_sr_tx sr;
	};
	uint64_t n_pkts;        /* 0: an endless stream */
	uint32_t mss;           /* payload of every packet but the last */
	uint64_t scripted_lost; /* first transmissions lost at the NIC (spec.lose_*) */
	uint64_t acks, naks;    /* received */
};

struct loom_gen_tp_rx {
	union {
		struct loom_gbn_rx gbn;
		struct loom_sr_rx sr;
	};
	uint8_t trim_dscp;      /* LOOM_GEN_NO_TRIM_DSCP: none */
	uint64_t trimmed;       /* trimmed packets received */
	uint64_t naks;          /* NAKs / NACKs queued */
	struct loom_ack_coalesce_cfg ack_cfg; /* every 1: an ACK per packet (no coalescing) */
	struct loom_ack_coalesce ack;
};

struct loom_gen_host;
struct loom_gen_tx_flow;
struct loom_gen_rx_flow;
struct loom_gen_feedback_hdr;
struct loom_gen_feedback_ext;
struct loom_gen_ack_counts;

/* loom_gen_payload.reserved's bits */
#define LOOM_GEN_PL_ACK_REQ 0x1u /* acknowledge at once (a coalescing receiver) */

void loom_gen_tp_init_tx(struct loom_gen_tx_flow *f, uint32_t mss);
void loom_gen_tp_init_rx(struct loom_gen_rx_flow *r, uint8_t trim_dscp);
/* Every packet acknowledged. */
bool loom_gen_tp_done(const struct loom_gen_tx_flow *f);
/* Something to send (new data or a retransmission). */
bool loom_gen_tp_has_data(const struct loom_gen_tx_flow *f);
/* The retransmission timer at `now` (fires when due). */
void loom_gen_tp_run_timer(struct loom_gen_tx_flow *f, loom_time_ns now);
/* When a flow with nothing to send is next due: its timer, or never when done. */
loom_time_ns loom_gen_tp_wait(const struct loom_gen_tx_flow *f);
/* Payload bytes outstanding (sent, neither acknowledged nor to send again): DCTCP's window. */
uint64_t loom_gen_tp_inflight_bytes(const struct loom_gen_tx_flow *f);
/* The sender at `start`: runs the timer; true with the PSN to send and
 * its payload, or false when there is nothing to send (then *wait is
 * when the timer fires, LOOM_TIME_NEVER when the flow is done). */
bool loom_gen_tp_next(struct loom_gen_tx_flow *f, loom_time_ns start, uint64_t *psn, uint32_t *payload,
		      bool *lost, loom_time_ns *wait, bool *retx);
/* After a packet left: the flow's payload sent (new data only: what
 * DCTCP's window counts). */
void loom_gen_tp_after_send(struct loom_gen_tx_flow *f);

/* A data packet of r that a switch trimmed (its DSCP the trim mark of r's path). */
bool loom_gen_tp_is_trimmed(const struct loom_gen_rx_flow *r, uint8_t tos);
/* Receiver: a data packet of flow r (its slot) arrived at `now` (ack_req:
 * its sender asked for an ACK). *accept: new data (count its payload).
 * Queues ACK / NAK, or holds the ACK (coalescing); returns 1 when the host
 * has something new to send or a timer to run. */
uint32_t loom_gen_tp_on_data(struct loom_gen_host *h, uint32_t rx_slot, uint64_t psn, uint8_t tos, bool ce,
			     bool ack_req, loom_time_ns now, bool *accept);
/* A coalescing receiver's held ACK goes now (the flow completed). */
uint32_t loom_gen_tp_ack_flush(struct loom_gen_host *h, uint32_t rx_slot, loom_time_ns now);
/* The delayed-ACK timers of the host's flows at `now` (h->ack_due). */
void loom_gen_tp_ack_timers(struct loom_gen_host *h, loom_time_ns now);

/* Sender: a transport ACK or NAK for flow f arrived (ts_echo: the send
 * time an NSCC ACK echoes, else LOOM_TIME_NEVER). Returns 1 when the
 * flow may now send earlier than it was due. */
uint32_t loom_gen_tp_on_feedback(struct loom_gen_tx_flow *f, const struct loom_gen_feedback_hdr *fb,
				 const struct loom_gen_feedback_ext *ext, loom_time_ns ts_echo,
				 const struct loom_gen_ack_counts *counts, loom_time_ns now);

/* For the results. */
const struct loom_transport_tx_stats *loom_gen_tp_stats(const struct loom_gen_tx_flow *f);

#endif
