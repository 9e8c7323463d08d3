/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology's own value types read from a YAML document (names, rates,
 * delays, prefixes, host port types), with "FILE:LINE: problem" like the
 * getters of yaml/yaml_doc.h, and written back: for the topology loader
 * and writer and for the loaders of files that refer to a topology
 * (workloads, experiments).
 */
#ifndef LOOM_TOPO_YAML_H
#define LOOM_TOPO_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "topology.h"
#include "yaml/yaml_doc.h"

int topo_get_name(struct yaml_doc *d, const struct yaml_doc_field *f, char name[TOPO_NAME_MAX]);
int topo_get_rate(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *bps);
int topo_get_delay(struct yaml_doc *d, const struct yaml_doc_field *f, uint64_t *ns);
/* A link's MTU: an integer in LOOM_MTU_MIN..LOOM_MTU_MAX (loom/frame.h). */
int topo_get_mtu(struct yaml_doc *d, const struct yaml_doc_field *f, uint32_t *mtu);
int topo_get_prefix(struct yaml_doc *d, const struct yaml_doc_field *f, struct topo_prefix *p);
int topo_get_port_type(struct yaml_doc *d, const struct yaml_doc_field *f, enum topo_host_port_type *pt);
/* Letters, digits, '_' and '-', 1 .. TOPO_NAME_MAX - 1 of them. */
bool topo_name_ok(const char *s);

/* Writing: a name (quoted when YAML would misread it), human units
 * ("10G", "1us"). */
void topo_write_name(FILE *out, const char *s);
void topo_format_rate(uint64_t bps, char *buf, size_t len);
void topo_format_delay(uint64_t ns, char *buf, size_t len);

/* A topology file's `traffic:` list holds flows and workload patterns:
 * the workload code reads and writes it (workload_traffic,
 * workload/workload.h), and hands it to topo_load() and
 * topo_write_explicit(), so that control/topo does not depend on it.
 * read: the list (a sequence node) -> t->flows, 0 or -1 with
 * "FILE:LINE: problem"; write: t->flows as the `traffic:` key. */
struct topo_traffic {
	int (*read)(struct yaml_doc *d, yaml_node_t *traffic, struct topology *t);
	void (*write)(const struct topology *t, FILE *out);
};

#endif
