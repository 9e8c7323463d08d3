/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A cell fabric's `cell.capture`: the frames one port sends, as pcapng
 * with nanosecond time stamps (the switch's `now`: virtual time in a
 * virtual run) and the link's name as the interface, so that Wireshark or
 * scapy show a fabric link's cells. The same writer as `loomctl capture`
 * and virtual-time `capture:` (api/pcapng_write.h, which says why not
 * rte_pcapng); this one is written by loomd as it runs, from the
 * configuration, in real time too.
 */
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "loom_output_file.h"
#include "pcapng_write.h"

#define CAPTURE_SNAPLEN 65535u

FILE *cell_capture_open(const char *path, const char *link, uint64_t max_bytes, struct loom_output_cap *cap, char *err,
			size_t errlen)
{
	FILE *f = loom_output_open(path, LOOM_OUTPUT_SHARED, err, errlen);
	char desc[160];

	loom_output_cap_init(cap, max_bytes, path);
	snprintf(desc, sizeof(desc), "loom cell fabric link %s, what it sends", link);
	if (f && (pcapng_write_section(f, "loomd cell.capture") < 0 ||
		  pcapng_write_interface(f, link, desc, CAPTURE_SNAPLEN) < 0 ||
		  !loom_output_cap_take(cap, (uint64_t)ftell(f)))) {
		snprintf(err, errlen, "%s: cannot write the pcapng header", path);
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
		uint32_t caplen = rte_pktmbuf_data_len(m); /* the first segment: every frame here is one */

		if (!loom_output_cap_take(cap, pcapng_packet_size(caplen)))
			return;
		pcapng_write_packet(f, 0, now, rte_pktmbuf_mtod(m, const void *), caplen, rte_pktmbuf_pkt_len(m),
				    PCAPNG_DIR_OUT);
	}
}
