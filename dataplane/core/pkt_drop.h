/* SPDX-License-Identifier: BSD-3-Clause */
/* Dropping a packet: every floor that drops (pipeline, egress, traffic
 * manager, modes) counts it the same way, under one reason. */
#ifndef LOOM_PKT_DROP_H
#define LOOM_PKT_DROP_H

#include <rte_mbuf.h>

#include "drop_reason.h"
#include "switch.h"

/* Count a drop on `port` under `reason` and free the packet. */
static inline void pkt_drop(struct loom_port *port, struct rte_mbuf *m, enum loom_drop_reason reason)
{
	port->c.drops[reason]++;
	rte_pktmbuf_free(m);
}

#endif
