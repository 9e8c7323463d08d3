/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_ENDPOINT_CMD_H
#define LOOMCTL_ENDPOINT_CMD_H

#include <stdbool.h>

#include <jansson.h>

/* loomctl endpoint set|show HOST ... (docs/ENDPOINTS.md); argv after "endpoint". */
int cmd_endpoint(int argc, char **argv);
/* The endpoint programs' figures of every namespace host that has them, and
 * of the VM hosts `endpoint set` attached them to, for `loomctl stats` (an object host -> figures; empty when none). */
json_t *endpoint_stats_json(void);
/* One host's figures (an entry of endpoint_stats_json) as text. */
void endpoint_print(const char *host, json_t *figures);
/* `loomctl up`: attach the programs the topology gives its namespace and VM hosts
 * (endpoint:); local: the switches this loomd serves (NULL: all). */
struct topology;
int endpoint_apply_topology(const struct topology *t, const bool *local);

#endif
