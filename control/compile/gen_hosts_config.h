/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator hosts in loomd's configuration (gen_hosts_config.c).
 */
#ifndef LOOM_GEN_HOSTS_CONFIG_H
#define LOOM_GEN_HOSTS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "../topo/topology.h"

/* Adds clock, seed, duration_ns and generator_hosts (those on local
 * leaves; NULL = all) to `root`. -1 with "FILE: problem" in err. */
int gen_hosts_config_add(const struct topology *t, const bool *local, json_t *root, char *err, size_t errlen);
/* The `link` of a leaf port whose host is a generator host. */
json_t *gen_host_link_json(const struct topology *t, int host);

#endif
