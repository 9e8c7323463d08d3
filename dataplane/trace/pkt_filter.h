/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which packets a trace or a capture takes: a small expression over what
 * the parser learned (core/pkt_meta.h), in the words of tcpdump's most
 * used primitives (docs/TRACE.md, "Expressions"):
 *
 *   expr := and ('or' and)*
 *   and  := not ('and' not)*
 *   not  := 'not' not | '(' expr ')' | prim
 *   prim := [src|dst] host ADDR | src ADDR | dst ADDR
 *         | [src|dst] port N | proto N
 *         | ip | ip6 | arp | udp | tcp | icmp | icmp6 | roce
 *
 * ADDR is IPv4 or IPv6; `&&`, `||`, `!` are the same as and, or, not.
 * An empty expression takes everything. Plain C, no DPDK: unit-tested
 * without EAL (tests/unit/test_pkt_filter.c). Written here rather than
 * taken from libpcap: BPF runs on the frame's bytes, while a switch's
 * trace matches its own parse (tags, IPv6 extension headers, the RoCEv2
 * QP) once per packet, and loomd must not pull libpcap into the data path
 * for a dozen words.
 */
#ifndef LOOM_PKT_FILTER_H
#define LOOM_PKT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_meta.h"

#define LOOM_FILTER_NODES 32
#define LOOM_FILTER_TEXT_MAX 256

enum loom_filter_op {
	LOOM_F_TRUE,  /* the empty expression */
	LOOM_F_AND,
	LOOM_F_OR,
	LOOM_F_NOT,
	LOOM_F_HOST,  /* addr, dir */
	LOOM_F_PORT,  /* value, dir */
	LOOM_F_PROTO, /* value: IP protocol */
	LOOM_F_KIND,  /* value: LOOM_FK_* */
};

enum { LOOM_FK_IP, LOOM_FK_IP6, LOOM_FK_ARP, LOOM_FK_ROCE };
enum { LOOM_FDIR_EITHER, LOOM_FDIR_SRC, LOOM_FDIR_DST };

struct loom_filter_node {
	uint8_t op;
	uint8_t dir;
	uint8_t family; /* LOOM_FLOW_IPV4 / IPV6 for HOST */
	uint8_t a, b;   /* operands (node indices) of AND, OR (a, b) and NOT (a) */
	uint16_t value;
	uint8_t addr[16];
};

struct loom_filter {
	uint8_t n;
	uint8_t root;
	struct loom_filter_node node[LOOM_FILTER_NODES];
	char text[LOOM_FILTER_TEXT_MAX]; /* as given, for `show` */
};

/* Compile `text` into `f`: 0, or -1 with what is wrong (and where) in err. */
int loom_filter_compile(const char *text, struct loom_filter *f, char *err, size_t errlen);
/* Does the parsed packet match? */
bool loom_filter_match(const struct loom_filter *f, const struct loom_pkt_meta *m);

#endif
