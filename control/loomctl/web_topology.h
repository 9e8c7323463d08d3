/* SPDX-License-Identifier: BSD-3-Clause */
/* The running fabric's structure for `loomctl web`: tiers, planes, pods,
 * hosts and links, which loomd's replies do not carry (loomd knows roles
 * and planes, not pods or hosts), read from the topology file that
 * `loomctl up` recorded in /run/loom/state.json. */
#ifndef LOOMCTL_WEB_TOPOLOGY_H
#define LOOMCTL_WEB_TOPOLOGY_H

#include <jansson.h>
#include <stddef.h>

/* The structure as JSON (docs/WEB.md, GET /api/topology), or NULL with
 * the reason in err: no fabric up, the file gone or no longer valid. */
json_t *web_topology_running(char *err, size_t errlen);
/* The same for a topology file (replay of a run made from it). */
json_t *web_topology_of_file(const char *path, char *err, size_t errlen);

#endif
