/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A capture of the frames one port sends, as a libpcap file with
 * nanosecond time stamps (the switch's `now`: virtual time in a virtual
 * run), so that Wireshark or scapy show a fabric link's cells. Written by
 * hand, not with rte_pcapng: DPDK 22.11's pcapng writer describes the
 * interfaces of ethdev ports, and the fabric links here are rings (or no
 * ports at all in a virtual run); the classic format is two fixed headers.
 */
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "loom_output_file.h"

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, nsec, caplen, len;
};

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET 1
#define CAPTURE_SNAPLEN 65535u

FILE *cell_capture_open(const char *path, uint64_t max_bytes, struct loom_output_cap *cap, char *err, size_t errlen)
{
	FILE *f = loom_output_open(path, LOOM_OUTPUT_SHARED, err, errlen);
	struct pcap_file_hdr h = {.magic = PCAP_MAGIC_NS, .major = 2, .minor = 4, .snaplen = CAPTURE_SNAPLEN,
				  .linktype = PCAP_LINKTYPE_ETHERNET};

	loom_output_cap_init(cap, max_bytes, path);
	if (f && (!loom_output_cap_take(cap, sizeof(h)) || fwrite(&h, sizeof(h), 1, f) != 1)) {
		snprintf(err, errlen, "%s: cannot write the pcap header", path);
		fclose(f);
		return NULL;
	}
	return f;
}

void cell_capture_write(FILE *f, struct loom_output_cap *cap, struct rte_mbuf *const *pkts, uint16_t n,
			loom_time_ns now)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct pcap_rec_hdr r = {.sec = (uint32_t)(now / LOOM_NS_PER_S), .nsec = (uint32_t)(now % LOOM_NS_PER_S),
					 .caplen = rte_pktmbuf_data_len(m), .len = rte_pktmbuf_pkt_len(m)};

		if (!loom_output_cap_take(cap, sizeof(r) + r.caplen))
			return;
		/* the first segment: every frame here is one */
		fwrite(&r, sizeof(r), 1, f);
		fwrite(rte_pktmbuf_mtod(m, const void *), r.caplen, 1, f);
	}
}
