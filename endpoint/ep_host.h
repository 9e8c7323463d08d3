/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One host's endpoint programs, seen from inside the host (its network
 * namespace, or a VM guest): the `endpoint set` options, attaching,
 * changing or detaching with them, and the figures as JSON. The one
 * implementation behind `loomctl endpoint` on a namespace host (after
 * setns) and behind loom-endpoint, which loomctl runs inside a VM guest
 * through the guest agent (docs/ENDPOINTS.md).
 */
#ifndef LOOM_EP_HOST_H
#define LOOM_EP_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "endpoint_abi.h"

/* The configuration of a first attach, before the options. */
void ep_config_defaults(struct loom_ep_config *c);

/* "off", "packet", "flowlet", "repath"; -1 for another name. */
int ep_lb_parse(const char *name);
const char *ep_lb_name(unsigned int mode);

/* Apply `set` options (argv: --lb M --measure on|off --flowlet-gap-us N
 * --flowlet-gap-ns N --round-us N --round-ns N --rounds N --udp-ports
 * P,P..|none) to `c`; -1 with the problem in err on the first bad one. */
int ep_options_apply(int argc, char **argv, struct loom_ep_config *c, char *err, size_t errlen);

/*
 * In the current network namespace: with the programs not attached, attach
 * them with `c` to every eth0..eth7; with them attached, apply the options
 * to their current configuration instead (a new lb mode starts every flow
 * afresh); with lb off and measure off, detach them. While load balancing
 * is on the interfaces get gso_max_segs 1 (65535 when off). *c receives
 * the configuration in force. 0; -1 with err (and libbpf's log, the
 * verifier's on a failed load) and the host as it was. A failed
 * gso_max_segs change is a warning in `warn` (the programs are in place).
 */
int ep_host_set(struct loom_ep_config *c, int argc, char **argv, char *err, size_t errlen, char *log, size_t loglen,
		char *warn, size_t warnlen);

/* In the current network namespace: the programs' settings and totals
 * (with_flows: the first flows of each flow map too), or {"attached":
 * false}; NULL with err on failure. */
json_t *ep_host_show(bool with_flows, char *err, size_t errlen);

#endif
