/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The endpoint programs on the interfaces of the current network namespace
 * (docs/ENDPOINTS.md), with libbpf: load the skeleton and attach it with tc
 * (clsact ingress and egress), find it again through the attached
 * programs, read and write its maps. Used by loomctl (namespace hosts,
 * after setns) and by loom-endpoint (inside a VM guest).
 */
#ifndef LOOM_EP_ATTACH_H
#define LOOM_EP_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint_abi.h"

#define EP_MAX_IFACES 8

/* The programs' maps, found on a host's first interface. */
struct ep_maps {
	int config, lb_flows, rx_flows, counters;
};

/* In the current namespace: the host's interfaces eth0..eth7 that exist. */
int ep_ifaces(int ifindex[EP_MAX_IFACES]);

/* 1 and the maps when the programs are attached to `ifindex`, 0 when not,
 * -1 on error. Close with ep_maps_close. */
int ep_find(int ifindex, struct ep_maps *m, char *err, size_t errlen);
void ep_maps_close(struct ep_maps *m);

/* Attach the programs with `cfg` to every interface (already attached:
 * only the configuration is written). On any error nothing is left
 * attached that was not before; `log` receives libbpf's messages (the
 * verifier's log on a load failure). */
int ep_attach(const int *ifindex, int n, const struct loom_ep_config *cfg, char *err, size_t errlen, char *log,
	      size_t loglen);
/* Detach the programs from every interface (their maps go with them). */
int ep_detach(const int *ifindex, int n, char *err, size_t errlen);

/* Sum of the per-CPU totals. */
int ep_read_counters(const struct ep_maps *m, struct loom_ep_counters *out);

#endif
