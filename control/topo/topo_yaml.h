/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology's own value types read from a YAML document (names, rates,
 * delays, prefixes, host port types), with "FILE:LINE: problem" like the
 * getters of yaml/yaml_doc.h: for the topology loader and for the loaders
 * of files that refer to a topology (workloads, experiments).
 */
#ifndef LOOM_TOPO_YAML_H
#define LOOM_TOPO_YAML_H

#include <stdbool.h>
#include <stdint.h>

#include "topology.h"
#include "yaml/yaml_doc.h"

int topo_get_name(struct yaml_doc *d, const struct yaml_doc_field *f, char name[TOPO_NAME_MAX]);
int topo_get_rate(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *bps);
int topo_get_delay(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *ns);
int topo_get_prefix(struct yaml_doc *d, const struct yaml_doc_field *f, struct topo_prefix *p);
int topo_get_port_type(struct yaml_doc *d, const struct yaml_doc_field *f, enum topo_host_port_type *pt);
/* Letters, digits, '_' and '-', 1 .. TOPO_NAME_MAX - 1 of them. */
bool topo_name_ok(const char *s);

#endif
