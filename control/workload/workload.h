/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A workload file (docs/WORKLOADS.md) read against a topology: the YAML
 * side of the generators in scheduler/include/loom/traffic/workload.h. The result
 * is the flow list generator hosts, the experiment runner or iperf3 pairs
 * carry out; `loomctl workload expand FILE --topo TOPO` prints it as CSV.
 */
#ifndef LOOM_WORKLOAD_FILE_H
#define LOOM_WORKLOAD_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "loom/cc/cc_params.h"
#include "loom/traffic/maxmin.h"
#include "loom/traffic/workload.h"
#include "loom/units.h"
#include <yaml.h>

#include "topo/topo_yaml.h"
#include "topo/topology.h"
#include "yaml/yaml_doc.h"

struct workload {
	char name[TOPO_NAME_MAX];
	uint64_t seed;
	struct loom_flow_list flows;
	uint32_t n_collectives;
};

/* The hosts as the generators see them: leaf_of[h] = the switch index of
 * the leaf host h's interface 0 links to (its "rack"); rate_bps[h] = the
 * sum of its links' rates (every plane). Returns 0 or -1 with a message
 * (a host without a leaf link). Free with workload_hosts_free. */
struct workload_hosts {
	struct loom_wl_hosts wl;
	uint32_t *leaf_of;
	uint64_t *rate_bps;
};

int workload_hosts_from_topo(const struct topology *t, struct workload_hosts *h, char *err, size_t errlen);
void workload_hosts_free(struct workload_hosts *h);

/* The ideal-throughput model of a two-tier topology (loom/traffic/maxmin.h):
 * racks are the hosts' plane-0 leaves, numbered 0.. in switch order
 * (rack_of_switch maps back); a rack's up/down capacity is the sum of the
 * leaf-spine links of every leaf its hosts attach to (all planes), and a
 * host's capacity the sum of its links. -1 with a message for three tiers
 * (not modelled) or a leaf without hosts. Free with workload_capacity_free. */
struct workload_capacity {
	struct loom_clos_capacity m;
	uint32_t *rack_of_host;
	int *switch_of_rack; /* the plane-0 leaf of each rack */
	double *tx, *rx, *up, *down;
};

int workload_capacity_from_topo(const struct topology *t, struct workload_capacity *c, char *err, size_t errlen);
void workload_capacity_free(struct workload_capacity *c);

/* Load FILE against the topology; on error returns -1 and writes
 * "FILE:LINE: problem" into err. */
int workload_load(const char *path, const struct topology *t, struct workload *wl, char *err, size_t errlen);
/* The same at an experiment's load (0 < load <= 1; 0: as written): every
 * `poisson` pattern's `load` becomes `load`, and the flows of the other
 * patterns send at load x the slowest host's link rate (all planes). */
int workload_load_at_load(const char *path, const struct topology *t, double load, struct workload *wl, char *err,
			  size_t errlen);
/* Same from a string (tests); `name` stands for the file, `dir` is where
 * relative CDF paths are looked up. */
int workload_load_string(const char *yaml, const char *name, const char *dir, const struct topology *t,
			 struct workload *wl, char *err, size_t errlen);
void workload_free(struct workload *wl);

/*
 * The same format inside a topology's `traffic:` list
 * (workload_traffic.c). workload_expand_pattern() expands one
 * pattern entry (a mapping with `pattern:`, keys as in `patterns:` of a
 * workload file) in the caller's document (and its error
 * context) and PRNG, appending to wl->flows (ids continue the list;
 * collectives numbered after wl->n_collectives). 0 or -1 with the error.
 */
int workload_expand_pattern(struct yaml_doc *yd, yaml_node_t *n, const struct topology *t, const char *dir,
			    struct loom_rng *rng, struct workload *wl);

/* A topology file's `traffic:` (workload_traffic.c), for topo_load() and
 * topo_write_explicit(). */
extern const struct topo_traffic workload_traffic;

/* The flow options every pattern takes (start, rate, packet, dscp, ecn,
 * transport, entropy, ...): WORKLOAD_N_FLOW_OPTS keys, named by
 * workload_flow_opt_key(i). workload_flow_opts() applies the fields
 * present in opts[0 .. WORKLOAD_N_FLOW_OPTS-1] (in key order) to tmpl. */
#define WORKLOAD_N_FLOW_OPTS 14
const char *workload_flow_opt_key(int i);
int workload_flow_opts(struct yaml_doc *yd, const struct yaml_doc_field *opts, struct loom_flow_spec *tmpl);
/* A flow's on/off bursts (`burst:` and `idle:`) are whole: both or neither,
 * and only on a fixed-rate flow. 0, or -1 with the problem in why. */
int workload_check_on_off(const struct loom_flow_spec *s, char *why, size_t len);

/* The flow option `cc:` (workload_cc.c): a name or {type: T, params...};
 * sets tmpl->cc and tmpl->cc_params. 0 or -1 with "FILE:LINE: problem". */
int workload_load_cc(struct yaml_doc *yd, const struct yaml_doc_field *f, struct loom_flow_spec *tmpl);
/* A flow's parameter overrides (NULL: the code defaults). */
const struct loom_cc_params *workload_cc_params(uint16_t k);
/* The flow's cc as YAML: `dcqcn` or `{type: dcqcn, g: 0.0078125}`. */
void workload_write_cc(FILE *out, const struct loom_flow_spec *s);

/* "none" | "dcqcn" | "dctcp" | "nscc" <-> enum loom_flow_cc; parse: 0 or -1. */
int workload_parse_cc(const char *s, uint8_t *cc);
const char *workload_cc_name(uint8_t cc);

/* The flow list as CSV, one header line then one line per flow:
 * id,src,dst,src_host,dst_host,bytes,start_ns,rate_bps,pkt_bytes,src_port,
 * dscp,ecn_capable,transport,entropy,group,collective,phase,cc,
 * burst_bytes,idle_ns
 * (src/dst: host names; start_ns: "chained" for chained phases). */
void workload_write_csv(const struct workload *wl, const struct topology *t, FILE *out);

#endif
