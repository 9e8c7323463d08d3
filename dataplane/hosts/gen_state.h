/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A generator host's and its flows' state: what every part of a host
 * reads and writes (the payload header it puts in its packets, its tx and
 * rx flows, its counters, the host itself). The host's handlers
 * (gen_host.h) and its components (congestion control, transport,
 * feedback, credits, REPS, planes, PAUSE, frames) include this, not
 * gen_host.h: the handlers call the components, never the other way round.
 */
#ifndef LOOM_GEN_STATE_H
#define LOOM_GEN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "loom/clock.h"
#include "loom/frame.h"
#include "loom/cc/cc_params.h"
#include "loom/cc/dcqcn.h"
#include "loom/cc/dctcp.h"
#include "loom/cc/nscc.h"
#include "loom/traffic/flow_spec.h"
#include "gen_acct.h"
#include "gen_credit.h"
#include "gen_feedback_types.h"
#include "gen_pause.h"
#include "gen_plane.h"
#include "gen_reps.h"
#include "gen_transport.h"

struct rte_mempool;

#define LOOM_GEN_PAYLOAD_MAGIC 0x4c4f4f4du /* "LOOM" */

/* What a generator puts at the start of its UDP payload (after the BTH
 * for RoCEv2-like flows). Network byte order on the wire. */
struct loom_gen_payload {
	uint32_t magic;
	uint32_t rx_slot; /* index of the flow in the receiver's rx table */
	uint32_t flow_id;
	uint32_t reserved; /* flags: LOOM_GEN_PL_ACK_REQ (gen_transport.h) */
	uint64_t seq;     /* 0, 1, 2 ... per flow */
	uint64_t tx_time; /* when the packet left the sender (its clock) */
} __attribute__((packed));

/* A flow this host sends. */
struct loom_gen_tx_flow {
	struct loom_flow_spec spec;
	uint32_t dst_ipv4;     /* network order */
	uint32_t dst_gen;      /* receiver: index into loom_fabric.gen_hosts */
	uint32_t rx_slot;      /* index in the receiver's rx table */
	uint16_t frame_bytes;  /* resolved pkt_bytes */
	uint64_t rate_bps;     /* resolved rate */
	uint64_t sent_wire;    /* frame bytes sent */
	uint64_t sent_payload; /* payload bytes (of spec.bytes) sent */
	uint64_t packets;
	loom_time_ns due;      /* when its next packet may leave; NEVER when done */
	loom_time_ns first_tx, last_tx;
	uint64_t no_buffer;    /* sends put off because the mbuf pool was empty */
	uint64_t burst_packets; /* spec.burst_bytes in whole packets (0: a steady stream) */
	/* congestion control (spec.cc, gen_cc.c) */
	uint16_t last_frame;   /* the frame sent last: CC flows pace from it */
	bool window_blocked;   /* DCTCP: waiting for an ACK to open the window */
	uint64_t feedback;     /* CNPs or ACKs received */
	struct loom_cc_params cc_params; /* overrides of the defaults ("cc_params") */
	struct loom_dcqcn_cfg dcqcn_cfg;
	struct loom_dcqcn_rp dcqcn;
	struct loom_dctcp_cfg dctcp_cfg;
	struct loom_dctcp dctcp;
	struct loom_nscc_cfg nscc_cfg;
	struct loom_nscc nscc;
	bool chained;          /* a later collective phase: spec.start is set when it is released */
	struct loom_gen_tp_tx tp; /* loss recovery (spec.recovery, gen_transport.c) */
	bool no_buffer_now;    /* its last packet found no buffer */
	uint8_t pfc_class;     /* the class a PAUSE holds it in (LOOM_GEN_NO_CLASS: none; gen_pause.h) */
	struct loom_gen_flow_planes *planes; /* multi-plane hosts: per plane (gen_plane.h); else NULL */
	struct loom_gen_reps *reps; /* spec.entropy reps: the recycled entropy (gen_reps.h); else NULL */
	struct loom_gen_flow_acct acct; /* where its time went: window, pacing (gen_acct.h) */
	struct loom_gen_credit_tx credit; /* receiver credits (gen_credit.h) */
};

/* A flow this host receives. */
struct loom_gen_rx_flow {
	uint32_t flow_id;
	uint32_t src_host;
	uint32_t group;        /* spec.group: completing a phase releases the host's next one */
	/* where feedback goes (congestion control, gen_cc.c) */
	uint8_t cc, dscp;      /* spec.cc, spec.dscp */
	uint32_t src_ipv4;     /* the sender's address, network order */
	uint32_t tx_slot;      /* the flow's index in the sender's tx table */
	uint64_t cnps, acks;   /* feedback queued for the sender */
	struct loom_dcqcn_cfg dcqcn_cfg; /* NP: CNP pacing */
	struct loom_dcqcn_np np;
	uint64_t expect_bytes; /* spec.bytes: completion when all arrived; 0 = open-ended */
	uint64_t packets, payload_bytes, wire_bytes;
	uint64_t next_seq;     /* highest sequence seen + 1 */
	uint64_t reordered;    /* arrived after a higher sequence number */
	uint64_t ce;           /* IPv4 ECN = CE */
	uint64_t lat_min, lat_max, lat_sum;
	uint64_t first_wire;   /* frame bytes of the first packet (rate excludes it) */
	loom_time_ns first_rx, last_rx, completed; /* completed: NEVER until all bytes arrived */
	uint8_t recovery;      /* spec.recovery */
	loom_time_ns ts_echo;  /* the send time of the last data packet (NSCC's ACKs echo it) */
	uint8_t entropy;       /* spec.entropy: reps flows' feedback echoes ev_echo */
	uint16_t ev_echo;      /* the source port of the last data packet (host order) */
	struct loom_gen_ev_echo evs_held; /* a coalescing reps flow's: the held packets' ports (host order) */
	struct loom_gen_tp_rx tp;
	struct loom_gen_flow_planes *planes; /* multi-plane hosts: per plane (gen_plane.h); else NULL */
	uint64_t fb_frames, fb_bytes; /* feedback frames (and their bytes) this host sent for it */
	struct loom_gen_credit_rx credit; /* receiver credits: what its sender asked and was granted (gen_credit.h) */
};

struct loom_gen_host_counters {
	uint64_t tx_packets, tx_bytes;   /* every packet, feedback included */
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_feedback, rx_feedback; /* CNPs and ACKs (in the totals above) */
	uint64_t feedback_overflow;        /* feedback not queued: the host's feedback queue was full */
	uint64_t rx_unknown; /* not a generator packet for one of our rx flows (counted, freed) */
};

struct loom_gen_host {
	char name[32];
	uint32_t index;                /* host number in the topology */
	struct rte_ether_addr mac;
	struct rte_ether_addr gw_mac;  /* the leaf port's MAC */
	uint32_t ipv4;                 /* network order */
	uint64_t link_rate_bps;
	uint64_t link_delay_ns;
	uint16_t sw, port;             /* leaf (index in the fabric) and port it is attached to */
	struct rte_mempool *pool;      /* where packets come from (set by the runner) */
	/* When the pool is empty: ask for more (the virtual-time runner's pool
	 * grows on demand); > 0 when it grew. NULL: the pool is what it is. */
	int (*pool_grow)(void *ctx);
	void *pool_grow_ctx;
	uint64_t rng;                  /* per-packet entropy; seeded from the run's seed */
	loom_time_ns link_free;        /* the NIC finishes its current packet */
	uint64_t nic_idle_ns;          /* the NIC idle up to its latest frame's start (gen_acct.h) */
	loom_time_ns stop_at;          /* no packet starts at or after it (the run's duration; NEVER = none) */
	loom_time_ns jitter_ns;        /* loom_gen_host_tx_jitter() draws below this */
	uint32_t n_tx, n_rx;
	/* Feedback waiting to be sent (CNPs, ACKs): before data, in order. */
	struct loom_gen_feedback fb[LOOM_GEN_FEEDBACK_QUEUE];
	uint32_t fb_head, fb_count;
	loom_time_ns ack_due;          /* the first delayed-ACK timer of its coalescing rx flows (gen_transport.h) */
	struct loom_gen_tx_flow *tx;
	struct loom_gen_rx_flow *rx;
	struct loom_gen_host_counters c;
	uint8_t lossless;              /* classes PAUSE holds: the leaf port's lossless ones */
	struct loom_gen_pause pause;   /* PFC PAUSE received (gen_pause.h) */
	/* A multi-plane NIC (gen_plane.h), or NULL: one interface, the fields above. */
	struct loom_gen_nic *nic;
	struct loom_gen_credit_host credit; /* the pacer granting its downlink to credit flows (gen_credit.h) */
};

/* The tail of f's transport feedback as its sender reads it
 * (gen_feedback.h): a coalescing flow's is counted (gen_transport.c). */
static inline struct loom_gen_fb_tail_layout loom_gen_tx_fb_tail(const struct loom_gen_tx_flow *f)
{
	return loom_gen_fb_tail_layout(f->spec.cc, f->spec.entropy, f->spec.ack_every > 1, f->credit.on);
}

#endif
