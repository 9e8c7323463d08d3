/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow as workloads describe it and generator hosts carry it out.
 *
 * Workload generators (permutation, incast, all-to-all, collectives,
 * size-distribution arrivals) produce arrays of these; generator hosts in
 * loomd (real-time or virtual-time) send them and report per-flow results.
 * Hosts are numbered as the topology lists them (0 .. n_hosts-1).
 */
#ifndef LOOM_FLOW_SPEC_H
#define LOOM_FLOW_SPEC_H

#include <stdint.h>
#include <string.h>

#include "loom/clock.h"

enum loom_flow_transport {
	LOOM_FLOW_UDP = 0,   /* fixed-rate UDP stream */
	LOOM_FLOW_ROCEV2 = 1 /* UDP to port 4791 with a BTH (RoCEv2-like) */
};

/* Loss recovery of generator hosts (dataplane/hosts/gen_transport.c,
 * scheduler/include/loom/transport/): none (a lost packet stays lost, the
 * results count it), RoCEv2-style go-back-N, or selective repeat with
 * NACKs for trimmed packets. Both recovering transports send RoCEv2-like
 * packets (the BTH carries the PSN). */
enum loom_flow_recovery {
	LOOM_FLOW_RECOVERY_NONE = 0,
	LOOM_FLOW_RECOVERY_GO_BACK_N = 1,
	LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT = 2
};

/* The sender's congestion control (generator hosts, dataplane/hosts/gen_cc.c). */
enum loom_flow_cc {
	LOOM_FLOW_CC_NONE = 0,  /* fixed rate */
	LOOM_FLOW_CC_DCQCN = 1, /* rate-based on CNPs (loom/cc/dcqcn.h) */
	LOOM_FLOW_CC_DCTCP = 2, /* window on ACKs echoing CE (loom/cc/dctcp.h) */
	LOOM_FLOW_CC_NSCC = 3   /* window on ECN and delay, UEC-style (loom/cc/nscc.h); needs a recovering transport */
};

/* How a generator host sets a flow's entropy, the UDP source port the
 * switches hash (`entropy: per_flow | per_packet | reps`). */
enum loom_flow_entropy {
	LOOM_FLOW_ENTROPY_PER_FLOW = 0,   /* one port for the whole flow (src_port, or from its id) */
	LOOM_FLOW_ENTROPY_PER_PACKET = 1, /* a random port per packet: oblivious spraying */
	LOOM_FLOW_ENTROPY_REPS = 2        /* per packet, recycling the ports whose ACKs came back
					     unmarked (loom/lb/reps.h); needs ACKs */
};

struct loom_flow_spec {
	uint32_t id;          /* unique within a workload; reported with results */
	uint32_t src_host;
	uint32_t dst_host;
	uint64_t bytes;       /* payload bytes to send; 0 = until the run ends */
	loom_time_ns start;   /* when the first packet may leave */
	uint64_t rate_bps;    /* sending rate; 0 = the host link's rate */
	uint16_t pkt_bytes;   /* frame size on the wire; 0 = the host default (MTU) */
	uint16_t src_port;    /* UDP source port (flow entropy) */
	uint8_t dscp;
	uint8_t ecn_capable;  /* send as ECT(0) */
	uint8_t transport;    /* enum loom_flow_transport */
	uint8_t entropy;      /* enum loom_flow_entropy (spraying endpoints vary it per packet) */
	uint8_t cc;           /* enum loom_flow_cc */
	uint16_t cc_params;   /* its parameter overrides: 0 = the code defaults, k = set k of the
				 control plane's table (control/workload/workload_cc.c) */
	uint32_t group;       /* collective / phase id for completion-time grouping; 0 = none */
	/* On/off: after every `burst_bytes` of payload (rounded up to whole
	 * packets) the flow pauses for `idle_ns` before its next packet is
	 * due; 0 and 0 = a steady stream. Fixed-rate flows only (cc none). */
	uint64_t burst_bytes;
	loom_time_ns idle_ns;
	uint8_t recovery;     /* enum loom_flow_recovery (`transport: go_back_n | selective_repeat`) */
	/* A scripted loss: the first transmission of packets lose_first ..
	 * lose_first + lose_count - 1 is lost at the sender's NIC (0 = none). */
	uint32_t lose_count;
	uint64_t lose_first;
	loom_time_ns rto_ns;  /* retransmission timeout of a recovering transport; 0 = the default (500 us) */
	/* ACK coalescing at the receiver of a recovering transport
	 * (loom/transport/ack_coalesce.h, YAML `ack_every`, `ack_delay`): one
	 * ACK per ack_every data packets (0 or 1: one per packet, the default),
	 * held at most ack_delay_ns (0 = the default: the time of ack_every of
	 * its frames on the receiver's link). */
	uint8_t ack_every;
	loom_time_ns ack_delay_ns;
};

/* `transport:` names: udp, rocev2, go_back_n, selective_repeat. */
static inline const char *loom_flow_transport_name(const struct loom_flow_spec *s)
{
	if (s->recovery == LOOM_FLOW_RECOVERY_GO_BACK_N)
		return "go_back_n";
	if (s->recovery == LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT)
		return "selective_repeat";
	return s->transport == LOOM_FLOW_ROCEV2 ? "rocev2" : "udp";
}

/* Sets transport and recovery from a name; -1 when unknown. */
static inline int loom_flow_transport_parse(const char *name, struct loom_flow_spec *s)
{
	static const struct {
		const char *name;
		uint8_t transport, recovery;
	} t[] = {
		{"udp", LOOM_FLOW_UDP, LOOM_FLOW_RECOVERY_NONE},
		{"rocev2", LOOM_FLOW_ROCEV2, LOOM_FLOW_RECOVERY_NONE},
		{"go_back_n", LOOM_FLOW_ROCEV2, LOOM_FLOW_RECOVERY_GO_BACK_N},
		{"selective_repeat", LOOM_FLOW_ROCEV2, LOOM_FLOW_RECOVERY_SELECTIVE_REPEAT},
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(name, t[i].name) == 0) {
			s->transport = t[i].transport;
			s->recovery = t[i].recovery;
			return 0;
		}
	return -1;
}
#define LOOM_FLOW_TRANSPORT_NAMES "udp, rocev2, go_back_n or selective_repeat"

/* `entropy:` names, by enum loom_flow_entropy. */
static inline const char *loom_flow_entropy_name(uint8_t e)
{
	return e == LOOM_FLOW_ENTROPY_REPS ? "reps" : e == LOOM_FLOW_ENTROPY_PER_PACKET ? "per_packet" : "per_flow";
}

/* The enum for a name; -1 when unknown. */
static inline int loom_flow_entropy_parse(const char *name)
{
	for (int e = LOOM_FLOW_ENTROPY_PER_FLOW; e <= LOOM_FLOW_ENTROPY_REPS; e++)
		if (strcmp(name, loom_flow_entropy_name((uint8_t)e)) == 0)
			return e;
	return -1;
}
#define LOOM_FLOW_ENTROPY_NAMES "per_flow, per_packet or reps"

#endif
