/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * af_packet ring drops (port_ring_drops.h). The driver keeps its socket in
 * a private structure, so loomd looks for it from outside: among this
 * process's open files, the AF_PACKET socket whose bound address names the
 * port's interface index (rte_eth_dev_info's if_index). One receive queue
 * per port, so one socket; loomd's other sockets are not AF_PACKET.
 */
#include "port_ring_drops.h"

#include <dirent.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ethdev.h>

int loom_port_ring_socket(uint16_t ethdev)
{
	struct rte_eth_dev_info info;
	struct dirent *e;
	DIR *d;
	int found = -1;

	if (rte_eth_dev_info_get(ethdev, &info) != 0 || !info.driver_name ||
	    strcmp(info.driver_name, "net_af_packet") != 0 || info.if_index == 0)
		return -1;
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct sockaddr_ll sll;
		socklen_t len = sizeof(sll);
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || fd == dirfd(d))
			continue;
		memset(&sll, 0, sizeof(sll));
		if (getsockname((int)fd, (struct sockaddr *)&sll, &len) != 0 || sll.sll_family != AF_PACKET)
			continue;
		if ((unsigned int)sll.sll_ifindex == info.if_index) {
			found = (int)fd;
			break;
		}
	}
	closedir(d);
	return found;
}

uint64_t loom_ring_drops_total(struct loom_ring_drops *r)
{
	struct tpacket_stats st; /* TPACKET_V2's (the driver's version) */
	socklen_t len = sizeof(st);

	if (r->fd >= 0 && getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		__atomic_fetch_add(&r->total, st.tp_drops, __ATOMIC_RELAXED);
	return __atomic_load_n(&r->total, __ATOMIC_RELAXED);
}

uint64_t loom_ring_drops_restart(struct loom_ring_drops *r)
{
	uint64_t before = loom_ring_drops_total(r);

	__atomic_store_n(&r->total, 0, __ATOMIC_RELAXED);
	return before;
}
