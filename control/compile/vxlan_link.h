/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A link between switches on two machines (docs/MULTI_MACHINE.md): on each
 * machine a Linux VXLAN interface "lmx<link>" with a VNI of the fabric and
 * the link, unicast to the other machine's underlay address, which that
 * machine's loomd opens as a DPDK af_packet port. Both machines read the
 * same file, so the fabric's name and the link's index name the same
 * tunnel at both ends; two fabrics between the same machines use VNIs
 * from different places of the 24-bit space (vxlan_link_vni).
 */
#ifndef LOOM_VXLAN_LINK_H
#define LOOM_VXLAN_LINK_H

#include <stdint.h>
#include <stdio.h>

#include "../topo/topology.h"

#define VXLAN_LINK_UDP_PORT 4789 /* IANA's VXLAN port */

void vxlan_link_ifname(int link, char *buf, size_t len);
/* 1 + (base + link) mod (2^24 - 1), base from the fabric's name (FNV-1a):
 * never 0 (reserved by some implementations), distinct for the links of
 * one fabric, and two fabrics collide only when their ranges overlap
 * (about (links of one + links of the other) / 16.7 million). */
uint32_t vxlan_link_vni(const struct topology *t, int link);
/* The `ip` commands that create the VXLAN interfaces of the links that
 * cross from `machine` to another, each on one line (hosts-up.sh). */
void vxlan_links_script_write(const struct topology *t, int machine, FILE *out);

#endif
