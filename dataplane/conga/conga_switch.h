/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CONGA's overlay between leaves (docs/CONGA.md): the switch mode that
 * carries the congestion metrics of loom/lb/conga.h from leaf to leaf.
 *
 * Where the metadata lives: an IPv4 option of 8 bytes (type 30, RFC 4727's
 * experiment value) that the source leaf inserts after the IPv4 header of
 * a packet it sends into the fabric and the destination leaf removes
 * before the packet reaches its host. CONGA carried the same fields in
 * its VXLAN overlay header; an option keeps Loom's spines routing on the
 * packet's own addresses (the parser skips options) and costs the fabric
 * links its 8 bytes, counted like any byte of the frame. Fabric links'
 * MTU grows by them, as an overlay fabric's does (VXLAN adds 50).
 *
 *   0      1      2..3      4       5    6         7
 *   type   len=8  src leaf  LBTag   CE   FB_LBTag  FB_Metric
 */
#ifndef LOOM_CONGA_SWITCH_H
#define LOOM_CONGA_SWITCH_H

#include <stdint.h>

#include "loom/lb/conga.h"
#include "switch.h"
#include "switch_mode.h"

#define CONGA_OPT_TYPE 30 /* RFC 4727: RFC3692-style experiment, not copied */
#define CONGA_OPT_LEN 8
#define CONGA_NO_LEAF UINT16_MAX

struct conga_opt {
	uint8_t type;
	uint8_t len;
	uint16_t src_leaf; /* network order */
	uint8_t lbtag;
	uint8_t ce;
	uint8_t fb_tag;    /* LB_CONGA_NO_TAG: nothing fed back */
	uint8_t fb_metric;
} __attribute__((packed));

struct rte_hash;

/* The fabric's leaves and the directory host address -> leaf. */
struct conga_fabric {
	uint16_t n_leaves;
	struct rte_hash *dir4; /* IPv4 /32 host routes on leaves' host ports -> leaf index */
	uint16_t *dir_leaf;    /* [entries]: the hash's data */
};

struct conga_counters {
	uint64_t tagged;            /* packets given the overlay (source leaf) */
	uint64_t untagged;          /* packets it was taken off (destination leaf) */
	uint64_t feedback_sent;     /* overlays carrying a (FB_LBTag, FB_Metric) */
	uint64_t feedback_received; /* of them, taken into the to-leaf table */
	uint64_t ce_raised;         /* hops that raised CE to their link's DRE */
	uint64_t no_room;           /* packets to another leaf sent without it (options already, or not IPv4) */
};

struct loom_conga_switch {
	const struct conga_fabric *fab;
	uint16_t leaf;                  /* index among the leaves, CONGA_NO_LEAF on spines */
	loom_time_ns age_ns;            /* a remote metric older than this counts as 0 */
	struct lb_conga_view view;      /* sw->lb->env.conga points here */
	struct lb_conga_table to_leaf;  /* metrics fed back, per (destination leaf, LBTag) */
	struct lb_conga_table from_leaf; /* CE recorded, per (source leaf, LBTag) */
	struct conga_counters c;
};

extern const struct loom_switch_mode conga_mode;

/* conga_setup.c: the overlay on every switch when a switch's or group's
 * load-balancing mode is conga or conga_packet (after the switches, their
 * load balancing and the cell fabric are loaded). 0, or -1 with a message. */
struct loom_fabric;
int loom_conga_load(struct loom_fabric *f, char *err, size_t errlen);
void loom_conga_free(struct loom_fabric *f);

#endif
