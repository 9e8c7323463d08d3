/* SPDX-License-Identifier: BSD-3-Clause */
/* Why a switch dropped a packet. Every drop is counted under exactly one. */
#ifndef LOOM_DROP_REASON_H
#define LOOM_DROP_REASON_H

#define LOOM_DROP_REASONS(X)                                                         \
	X(NONE, "none")                     /* not a drop: the packet goes on */       \
	X(ETH_TRUNCATED, "eth_truncated")   /* shorter than an Ethernet/VLAN header */ \
	X(FRAME_TOO_LONG, "frame_too_long") /* chained over several buffers: the stages need one */ \
	X(MTU_EXCEEDED, "mtu_exceeded")     /* IP packet above the ingress (or egress) port's MTU */ \
	X(DST_MAC_MISMATCH, "dst_mac_mismatch") /* unicast to another MAC */           \
	X(L2_MULTICAST, "l2_multicast")     /* broadcast/multicast we do not serve */ \
	X(UNKNOWN_ETHERTYPE, "unknown_ethertype")                                      \
	X(ARP_MALFORMED, "arp_malformed")                                              \
	X(ARP_IGNORED, "arp_ignored")       /* ARP that asks for no address we own */ \
	X(IPV4_MALFORMED, "ipv4_malformed") /* version, IHL, lengths */               \
	X(IPV4_BAD_CHECKSUM, "ipv4_bad_checksum")                                      \
	X(IPV6_MALFORMED, "ipv6_malformed") /* version, payload length, ext chain */  \
	X(L4_MALFORMED, "l4_malformed")     /* truncated UDP/TCP/BTH, bad offsets */  \
	X(ND_IGNORED, "nd_ignored")         /* ICMPv6 ND/MLD/RS we do not answer */   \
	X(TO_SWITCH, "to_switch")           /* for the switch's own address, not served */ \
	X(TTL_EXPIRED, "ttl_expired")                                                  \
	X(NO_ROUTE, "no_route")                                                        \
	X(QUEUE_FULL, "queue_full")         /* output queue of the egress port full */ \
	X(P4_DROP, "p4_drop")               /* a P4 program dropped it without a Loom reason */ \
	X(WRED, "wred")                     /* WRED drop profile, non-ECT packet (egress) */ \
	X(BUFFER_FULL, "buffer_full")       /* shared buffer: dynamic threshold or full (egress) */ \
	X(PFC_HEADROOM, "pfc_headroom")     /* lossless class over xoff + headroom (egress) */ \
	X(LOSSLESS_DROP, "lossless_drop")   /* lossless class, shared buffer full or no memory to queue it: a bug of the configuration's headroom (egress) */ \
	X(MAC_CONTROL, "mac_control")       /* 0x8808 frame that is not a well-formed PFC */ \
	X(PFC_NOT_MULTICAST, "pfc_not_multicast") /* PFC not sent to 01:80:C2:00:00:01: not obeyed */ \
	X(PFC_DISABLED, "pfc_disabled")     /* PFC on a port with no lossless class: not obeyed */ \
	X(PFC_LOSSY, "pfc_lossy")           /* PFC naming only lossy classes: not obeyed */ \
	X(PFC_WATCHDOG, "pfc_watchdog")     /* lossless class stormed, watchdog action drop (egress) */ \
	X(VOQ_FULL, "voq_full")             /* cell fabric: ingress VOQ over its byte limit */ \
	X(CELL_MALFORMED, "cell_malformed") /* cell frame: short, bad header, length mismatch */ \
	X(CELL_UNREACHABLE, "cell_unreachable") /* cell for a leaf no live link reaches, or not for us */ \
	X(CELL_REASSEMBLY, "cell_reassembly") /* cell late, beyond the window, or freed by the timeout */ \
	X(CELL_NO_BUFFER, "cell_no_buffer") /* no mbuf to cut a packet into cells or rebuild it */ \
	X(LINK_DOWN, "link_down")           /* sent into, queued on or arriving on a link that is down */ \
	X(LINK_LOSS, "link_loss")           /* lost on a link with a random loss rate (faults:) */ \
	X(LINK_BIT_ERROR, "link_bit_error") /* corrupted on a link with a bit-error rate: FCS drop */

enum loom_drop_reason {
#define LOOM_DROP_ENUM(name, str) LOOM_DROP_##name,
	LOOM_DROP_REASONS(LOOM_DROP_ENUM)
#undef LOOM_DROP_ENUM
	LOOM_DROP_MAX
};

const char *loom_drop_reason_name(enum loom_drop_reason r);

#endif
