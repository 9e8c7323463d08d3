/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of other interfaces in an af_packet port's receive ring. DPDK
 * 22.11's af_packet driver opens its socket for every protocol on every
 * interface (socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)), sets up and maps its
 * ring, and only then binds it to the port's interface: a frame any other
 * interface of the namespace carries in between (an underlay's IPv6
 * multicast listener report, say) lands in the ring and the switch would
 * receive it on that port. A link's far end never sent it, so the link
 * could not conserve (loomctl gather: one frame more received than sent).
 *
 * Each ring slot names the interface its frame came from (the sockaddr_ll
 * after the tpacket2_hdr), which the driver does not read. Right after the
 * port is probed, so after the bind (which waits until no frame is on its
 * way to the old hook), loomd maps the ring a second time, read-only,
 * and takes from the driver every frame up to the last foreign one: the
 * foreign frames are freed and counted apart (the port's "rx_foreign"),
 * the port's own frames among them are kept and received first.
 */
#ifndef LOOM_PORT_RING_FOREIGN_H
#define LOOM_PORT_RING_FOREIGN_H

#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;

/* The port's own frames taken from the ring with the foreign ones: the
 * runner receives them before anything else of the port. */
struct loom_ring_early {
	struct rte_mbuf **m;
	uint32_t n, next;
};

/* ethdev: an af_packet port just started, nothing received yet; fd: its
 * driver's socket (loom_port_ring_socket); devargs: the port's, for the
 * ring's geometry. Fills *early (NULL when no foreign frame was found)
 * and *foreign. 0, or -1 with the reason in err (nothing taken). */
int loom_port_ring_take_foreign(uint16_t ethdev, int fd, const char *devargs, struct loom_ring_early **early,
				uint64_t *foreign, char *err, size_t errlen);

/* Frees what is left of early. */
void loom_ring_early_free(struct loom_ring_early *early);

#endif
