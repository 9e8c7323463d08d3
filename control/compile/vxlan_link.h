/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A link between switches on two machines (docs/MULTI_MACHINE.md): on each
 * machine a Linux VXLAN interface "lmx<link>" with VNI <link> + 1, unicast
 * to the other machine's underlay address, which that machine's loomd
 * opens as a DPDK af_packet port. Both machines read the same file, so
 * the link's index names the same tunnel at both ends.
 */
#ifndef LOOM_VXLAN_LINK_H
#define LOOM_VXLAN_LINK_H

#include <stdint.h>
#include <stdio.h>

#include "../topo/topology.h"

#define VXLAN_LINK_UDP_PORT 4789 /* IANA's VXLAN port */

void vxlan_link_ifname(int link, char *buf, size_t len);
uint32_t vxlan_link_vni(int link);
/* The `ip` commands that create the VXLAN interfaces of the links that
 * cross from `machine` to another, each on one line (hosts-up.sh). */
void vxlan_links_script_write(const struct topology *t, int machine, FILE *out);

#endif
