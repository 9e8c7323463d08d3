/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plain IPv4 frame, recognised in one go: untagged Ethernet, unicast
 * destination, IPv4 without options, not a fragment, a header checksum
 * that verifies, and UDP (not RoCEv2) or TCP with a sane data offset, all
 * inside the IP total length. Nearly every packet a fabric carries is one;
 * both the parser (pkt_parse.c, before its general path) and the IPv4
 * fast path (pipeline/ipv4_fast_path.c) use this one definition, so what
 * counts as "plain" cannot differ between them. Plain C, no DPDK.
 */
#ifndef LOOM_PKT_PARSE_IPV4_H
#define LOOM_PKT_PARSE_IPV4_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define LOOM_PLAIN_ETH_HLEN 14u
#define LOOM_PLAIN_IPV4_HLEN 20u

/* What the fast path needs of a plain IPv4 frame. */
struct loom_ipv4_plain {
	uint32_t src, dst;      /* as stored in the packet (network order) */
	uint32_t ports;         /* sport << 16 | dport, host order */
	uint16_t tot_len;       /* IPv4 total length, host order */
	uint8_t proto;          /* IPPROTO_UDP or IPPROTO_TCP */
	uint8_t ttl;
};

static inline uint64_t loom_ld64be(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

/* True, with `f` filled, when the frame of `len` bytes at `d` is plain
 * IPv4 as described above; false otherwise (then nothing is claimed: the
 * general parser decides). A few wide loads rather than one per field:
 * this runs for every packet. */
static inline bool loom_parse_ipv4_plain(const uint8_t *d, uint32_t len, struct loom_ipv4_plain *f)
{
	uint64_t eth_ip, frag_ttl, h0, h1, sum;
	uint32_t h2, tot, avail, ports;
	uint8_t proto, doff;

	if (len < LOOM_PLAIN_ETH_HLEN + LOOM_PLAIN_IPV4_HLEN || (d[0] & 0x01))
		return false;
	/* bytes 12..19: Ethertype, version + IHL, TOS, total length, id */
	eth_ip = loom_ld64be(d + 12);
	if ((eth_ip >> 40) != 0x080045) /* IPv4, version 4, no options */
		return false;
	tot = (uint32_t)(eth_ip >> 16) & 0xffff;
	/* bytes 20..27: flags + fragment offset, TTL, protocol, checksum, ... */
	frag_ttl = loom_ld64be(d + 20);
	if (tot < LOOM_PLAIN_IPV4_HLEN || tot > len - LOOM_PLAIN_ETH_HLEN || ((frag_ttl >> 48) & 0x3fff))
		return false;
	/* Header checksum: the one's-complement sum of the header's 16-bit
	 * words must be 0xffff, that is, their plain sum a non-zero multiple
	 * of 0xffff. As 2^16 = 1 (mod 0xffff), wider words (loaded in either
	 * byte order) sum to the same residue, and so does a carry out of 64
	 * bits, added back in. The header is never all zeros (version 4). */
	memcpy(&h0, d + LOOM_PLAIN_ETH_HLEN, 8);
	memcpy(&h1, d + LOOM_PLAIN_ETH_HLEN + 8, 8);
	memcpy(&h2, d + LOOM_PLAIN_ETH_HLEN + 16, 4);
	sum = h0 + h1;
	sum += sum < h0;
	sum += h2;
	sum += sum < h2;
	if (sum % 0xffff != 0)
		return false;
	proto = (uint8_t)(frag_ttl >> 32);
	avail = tot - LOOM_PLAIN_IPV4_HLEN;
	if (proto == 17 /* UDP */) {
		if (avail < 8)
			return false;
	} else if (proto == 6 /* TCP */) {
		if (avail < 20)
			return false;
		doff = d[LOOM_PLAIN_ETH_HLEN + LOOM_PLAIN_IPV4_HLEN + 12] >> 4;
		if (doff < 5 || (uint32_t)doff * 4 > avail)
			return false;
	} else {
		return false;
	}
	/* inside the datagram: avail covers the UDP or TCP header */
	memcpy(&ports, d + LOOM_PLAIN_ETH_HLEN + LOOM_PLAIN_IPV4_HLEN, 4);
	ports = be32toh(ports);
	if (proto == 17 && (ports & 0xffff) == 4791) /* RoCEv2: the BTH is parsed */
		return false;
	memcpy(&f->src, d + LOOM_PLAIN_ETH_HLEN + 12, 4);
	memcpy(&f->dst, d + LOOM_PLAIN_ETH_HLEN + 16, 4);
	f->ports = ports;
	f->tot_len = (uint16_t)tot;
	f->proto = proto;
	f->ttl = (uint8_t)(frag_ttl >> 40);
	return true;
}

#endif
