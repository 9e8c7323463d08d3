/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between the files of control/topo only: the loader context, the
 * YAML helpers, the name table and the validator. Not part of the public
 * API (topology.h).
 */
#ifndef LOOM_TOPO_INTERNAL_H
#define LOOM_TOPO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "topology.h"

#define TOPO_MAX_PLANES 16

/* Where messages go: "file:line: problem". Only the first error is kept
 * because every step returns as soon as it reports one. */
struct topo_ctx {
	const char *file;
	char *err;
	size_t errlen;
};

int topo_error(const struct topo_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
int topo_validate(struct topology *t, const struct topo_src *src, const struct topo_ctx *c);

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
	struct topo_ctx ctx;
	yaml_document_t *doc;
	struct topology *t;
	struct topo_src src;
	/* name -> node: switch i is i, host h is n_switches + h */
	struct topo_names names;
};

/* One expected key of a mapping: filled by topo_fields(). */
struct topo_field {
	const char *key;
	yaml_node_t *k, *v; /* NULL when the key is absent */
};

int topo_line(const yaml_node_t *n);
/* Open `path` and set `parser` up to read it: 0, or -1 with "path: cannot
 * read: why" (or "path: out of memory") in err. On success the caller
 * deletes the parser and closes *f. Shared by the topology, workload and
 * experiment loaders. */
int topo_yaml_open(const char *path, yaml_parser_t *parser, FILE **f, char *err, size_t errlen);
/* Checks that `map` is a mapping (else "`what` must be a mapping"), that
 * every key is one of f[].key and appears once; fills f[].k/v. */
int topo_fields(struct topo_loader *ld, yaml_node_t *map, const char *what,
		struct topo_field *f, int n);
int topo_require(struct topo_loader *ld, yaml_node_t *map, const char *what,
		 const struct topo_field *f);
int topo_get_seq(struct topo_loader *ld, const struct topo_field *f, yaml_node_t **seq);
int topo_get_str(struct topo_loader *ld, const struct topo_field *f, const char **s);
int topo_get_uint(struct topo_loader *ld, const struct topo_field *f,
		  unsigned long min, unsigned long max, unsigned long *out);
int topo_get_bool(struct topo_loader *ld, const struct topo_field *f, bool *out);
int topo_get_name(struct topo_loader *ld, const struct topo_field *f, char name[TOPO_NAME_MAX]);
int topo_get_rate(struct topo_loader *ld, const struct topo_field *f, uint64_t *bps);
int topo_get_delay(struct topo_loader *ld, const struct topo_field *f, uint64_t *ns);
int topo_get_prefix(struct topo_loader *ld, const struct topo_field *f, struct topo_prefix *p);
int topo_get_port_type(struct topo_loader *ld, const struct topo_field *f,
		       enum topo_host_port_type *pt);
bool topo_name_ok(const char *s);

/* `load_balancing:` (topo_lb.c): a mode name or a mapping. */
int topo_load_lb(struct topo_loader *ld, const struct topo_field *f, struct topo_lb *lb, bool allow_groups);
void topo_write_lb(FILE *out, const struct topo_lb *lb, const char *indent);

/* Generator form (topo_expand.c): fills ld->t from the `generate:` map. */
int topo_expand(struct topo_loader *ld, const struct topo_field *gen);

/* topo_tm.c: a `tm:` mapping (sw = switch index, -1 top-level), the
 * top-level time_scale, and the whole check once everything is loaded. */
int topo_load_tm(struct topo_loader *ld, const struct topo_field *f, int sw);
int topo_load_time_scale(struct topo_loader *ld, const struct topo_field *f);
int topo_check_tm(struct topo_loader *ld);
/* The experiment keys (topo_experiment.c), after the fabric is loaded and
 * validated: f[0..4] are clock, seed, duration, traffic, host_jitter. */
int topo_experiment(struct topo_loader *ld, yaml_node_t *root, struct topo_field *f);

/* topo_cell.c: `mode:` and `cell:` (after the fabric and experiment are
 * loaded: link_down names links), and their explicit form. */
int topo_load_cell(struct topo_loader *ld, const struct topo_field *mode, const struct topo_field *cell);
void topo_write_cell(const struct topology *t, FILE *out);

/* Subnet arithmetic shared by the addressing helpers and the validator. */
void topo_prefix_add(struct topo_prefix *p, uint64_t n);
bool topo_prefix_host_bits_set(const struct topo_prefix *p);
bool topo_prefix_overlap(const struct topo_prefix *a, const struct topo_prefix *b);

/* Human units for the writer: "10G", "1us". */
void topo_format_rate(uint64_t bps, char *buf, size_t len);
void topo_format_delay(uint64_t ns, char *buf, size_t len);

#endif
