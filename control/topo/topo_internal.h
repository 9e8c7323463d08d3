/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between the files of control/topo only: the loader, the name
 * table and the validator. Not part of the public API (topology.h,
 * topo_yaml.h); the YAML getters are yaml/yaml_doc.h's.
 */
#ifndef LOOM_TOPO_INTERNAL_H
#define LOOM_TOPO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "topo_yaml.h"
#include "topology.h"
#include "yaml/yaml_doc.h"

#define TOPO_MAX_PLANES 16

/*
 * Lines of the nodes inside an element that the model does not keep but
 * that messages must point at (the b end of a link is on its own line).
 * NULL arrays, or 0 entries, stand for "generated": messages then use
 * fallback_line (the `generate:` key).
 */
struct topo_src_switch {
	int ipv4, ipv6;
};

struct topo_src_link {
	int end[2];     /* a, b */
	int devargs[2]; /* devargs_a, devargs_b */
};

struct topo_src {
	int fallback_line;
	int switches_line; /* the `switches:` key, for whole-fabric problems */
	struct topo_src_switch *sw;
	struct topo_src_link *ln;
};

/* Checks the model after loading or expansion and completes it: implied
 * host interfaces, n_ports, n_planes. Returns 0 or -1 with the message. */
int topo_validate(struct topology *t, const struct topo_src *src, const struct yaml_doc *c);

/* String -> int table (open addressing) for names and devargs, so that
 * large generated fabrics load in linear time. */
struct topo_names {
	size_t cap; /* power of two */
	size_t used;
	const char **keys;
	int *vals;
};

int topo_names_init(struct topo_names *n, size_t expected);
void topo_names_free(struct topo_names *n);
/* Inserts key -> val (val >= 0) unless present. Returns the existing
 * value, -1 if inserted, -2 when out of memory. key must outlive the table. */
int topo_names_put(struct topo_names *n, const char *key, int val);
int topo_names_get(const struct topo_names *n, const char *key); /* -1 if absent */

/* The YAML side of loading. */
struct topo_loader {
	struct yaml_doc yd; /* the document and where its errors go */
	const struct topo_traffic *traffic;
	struct topology *t;
	struct topo_src src;
	/* name -> node: switch i is i, host h is n_switches + h */
	struct topo_names names;
	struct yaml_doc_field machines_by; /* generate: machines_by (topo_machines.c); .v NULL when not given */
};

/* `load_balancing:` (topo_lb.c): a mode name or a mapping. */
int topo_load_lb(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_lb *lb, bool allow_groups);
/* A host's endpoint: (topo_endpoint.c); after its port_type. */
int topo_load_endpoint(struct topo_loader *ld, const struct yaml_doc_field *f, struct topo_host *h);
void topo_write_endpoint(FILE *out, const struct topo_endpoint *e);
void topo_write_lb(FILE *out, const struct topo_lb *lb, const char *indent);

/* Generator form (topo_expand.c): fills ld->t from the `generate:` map. */
int topo_expand(struct topo_loader *ld, const struct yaml_doc_field *gen);

/* topo_tm.c: a `tm:` mapping (sw = switch index, -1 top-level), the
 * top-level time_scale, and the whole check once everything is loaded. */
int topo_load_tm(struct topo_loader *ld, const struct yaml_doc_field *f, int sw);
int topo_load_time_scale(struct topo_loader *ld, const struct yaml_doc_field *f);
int topo_check_tm(struct topo_loader *ld);
/* The experiment keys (topo_experiment.c), after the fabric is loaded and
 * validated: f[0..4] are clock, seed, duration, traffic, host_jitter. */
int topo_experiment(struct topo_loader *ld, yaml_node_t *root, struct yaml_doc_field *f);
/* `nic:` (topo_nic.c): after the hosts are checked. */
int topo_load_nic(struct topo_loader *ld, const struct yaml_doc_field *nic);

/* topo_observe.c: `trace:` and `capture:` of a virtual-time run (after
 * the experiment keys: clock), and their explicit form. */
int topo_load_observe(struct topo_loader *ld, const struct yaml_doc_field *trace, const struct yaml_doc_field *capture);
void topo_write_observe(const struct topology *t, FILE *out);

/* topo_cell.c: `mode:` and `cell:` (after the fabric and experiment are
 * loaded: link_down names links), and their explicit form. */
int topo_load_cell(struct topo_loader *ld, const struct yaml_doc_field *mode, const struct yaml_doc_field *cell);
void topo_write_cell(const struct topology *t, FILE *out);

/* topo_faults.c: `fault_handling:` and `faults:` (after the fabric is
 * loaded: faults name links), and their explicit form. */
int topo_load_faults(struct topo_loader *ld, const struct yaml_doc_field *handling, const struct yaml_doc_field *faults);
/* `partition:` (topo_partition.c): groups of switches for a run over MPI ranks. */
int topo_load_partition(struct topo_loader *ld, const struct yaml_doc_field *f);
void topo_write_faults(const struct topology *t, FILE *out);

/* topo_machines.c: `machines:` (before the switches: they name machines),
 * a switch's or host's `machine:`, and, once the fabric is loaded, the
 * placement (generate: machines_by), hosts on their leaf's machine and the
 * MTU of links that cross machines (topo_write.c writes it back). */
int topo_load_machines(struct topo_loader *ld, const struct yaml_doc_field *f);
int topo_get_machine(struct topo_loader *ld, const struct yaml_doc_field *f, int *machine);
int topo_place_machines(struct topo_loader *ld, bool generated);

/* Subnet arithmetic shared by the addressing helpers and the validator. */
void topo_prefix_add(struct topo_prefix *p, uint64_t n);
bool topo_prefix_host_bits_set(const struct topo_prefix *p);
bool topo_prefix_overlap(const struct topo_prefix *a, const struct topo_prefix *b);


#endif
