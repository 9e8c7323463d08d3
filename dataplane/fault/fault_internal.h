/* SPDX-License-Identifier: BSD-3-Clause */
/* The fault state shared by fault_engine.c (links, switches, time) and
 * fault_repair.c (local and global repair). */
#ifndef LOOM_FAULT_INTERNAL_H
#define LOOM_FAULT_INTERNAL_H

#include "fault.h"
#include "link_fault.h"

struct fault_port {
	bool admin_down;    /* taken down (command or schedule), both ends of a link */
	bool down;          /* broken now: admin_down, or a switch at either end down */
	bool detected_down; /* what this end's switch believes (after detection) */
	bool ever_down;
	uint32_t gen;       /* changes of `down`: a detection checks it is still current */
	loom_time_ns since_ns;    /* last change of `down` */
	loom_time_ns detected_ns; /* last change of `detected_down` */
	uint64_t downs;           /* times it went down */
	uint64_t drops_at_down;   /* the port's link_down drops when it last broke */
	uint64_t lost_undetected; /* link_down drops on this port between breaking and detection, summed */
	struct loom_link_fault lf; /* what receive and transmit see (port->fault while set) */
};

enum fault_pending_kind { PENDING_DETECT, PENDING_GLOBAL };

struct fault_pending {
	loom_time_ns at;
	uint8_t kind;
	uint16_t sw, port;
	uint32_t gen;
};

/* A scheduled fault of the configuration. */
struct fault_sched {
	loom_time_ns at;
	uint16_t sw, port;
	enum loom_fault_action action;
	double rate;
};

struct fault_counters {
	uint64_t link_downs, link_ups;     /* port ends going down / up */
	uint64_t detections;               /* changes a switch noticed */
	uint64_t undetected;               /* changes undone before detection (a short flap) */
	uint64_t local_repairs;            /* groups changed at detection */
	uint64_t global_repairs;           /* control-plane recomputations */
	uint64_t routes_to_spare;          /* routes moved to a group of fewer members */
	uint64_t routes_withdrawn;         /* routes with no path left */
	uint64_t routes_restored;          /* routes back on their configured group */
	uint64_t spares_exhausted;         /* routes left as they were: no spare group */
};

struct repair_index; /* fault_repair.c */

struct loom_faults {
	struct loom_fabric *f;
	loom_time_ns detect_interval_ns; /* 0: detection is immediate */
	uint32_t detect_multiplier;
	loom_time_ns repair_delay_ns;
	uint32_t n_sched, next_sched;
	struct fault_sched *sched; /* by time */
	uint32_t n_pending, cap_pending;
	struct fault_pending *pending;
	struct fault_port **port; /* [switch][port] */
	bool *switch_down;        /* [switch] */
	uint16_t **cap;           /* [switch][group]: slots of the group (spares: filled ones) */
	uint32_t **configured;    /* [switch][slot]: the next hops of the configured groups' slots, in order */
	bool *needs_local;        /* [switch]: a detection changed its view */
	struct fault_counters c;
	struct repair_index *ri;  /* built at the first global repair */
};

static inline loom_time_ns fault_detect_ns(const struct loom_faults *F)
{
	return F->detect_interval_ns * F->detect_multiplier;
}

/* fault_repair.c */
int fault_repair_init(struct loom_faults *F, char *err, size_t errlen);
void fault_repair_free(struct loom_faults *F);
void fault_repair_local(struct loom_faults *F, uint16_t s);
void fault_repair_global(struct loom_faults *F);

#endif
