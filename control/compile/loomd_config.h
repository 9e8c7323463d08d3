/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loomd configuration (docs/LOOMD_CONFIG.md): the switches one loomd
 * runs, with their ports, how each port is attached, and their routes.
 */
#ifndef LOOM_LOOMD_CONFIG_H
#define LOOM_LOOMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "../topo/topology.h"

/* local[i]: switch i is hosted by this loomd (NULL = every switch).
 * On error returns -1 and writes "FILE:LINE: problem" into err. */
int loomd_config_build(const struct topology *t, const bool *local, json_t **out, char *err, size_t errlen);
/* cell_config.c: the `cell` object of a `mode: cell` fabric, NULL otherwise. */
json_t *loomd_cell_json(const struct topology *t);
/* faults_config.c: `fault_handling` and `faults` into root (switches
 * local[] only; local NULL: all). 0, or -1 when out of memory. */
int loomd_faults_add(const struct topology *t, const bool *local, json_t *root);
/* Same, written as pretty JSON. */
int loomd_config_write(const struct topology *t, const bool *local, FILE *out, char *err, size_t errlen);

/* Root-side veth of host `host` interface `ifindex`: "lmh<host>p<ifindex>"
 * (<= 15 chars). The namespace side is eth<ifindex> in netns
 * "loom-<hostname>". */
void host_veth_name(int host, int ifindex, char *buf, size_t len);

/* True when the host is attached through a leaf port with explicit devargs
 * (an external port: no namespace is made for it). */
bool host_is_external(const struct topology *t, int host);

#endif
