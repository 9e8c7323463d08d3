/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overrides of a flow's congestion-control parameters (a workload's
 * `cc: {type: dcqcn, rate_ai: 5M, g: 1/128}`, docs/WORKLOADS.md): each
 * parameter whose bit is set in `set` replaces the code default
 * (loom_dcqcn_default, loom_dctcp_default, loom_nscc_default) after that default is made for
 * the flow's rate and frame size; the others keep it. The same names are
 * the keys of the YAML mapping and of loomd's per-flow "cc_params" object
 * (docs/LOOMD_CONFIG.md), so one table serves the compiler and loomd.
 */
#ifndef LOOM_CC_PARAMS_H
#define LOOM_CC_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/cc/dcqcn.h"
#include "loom/cc/dctcp.h"
#include "loom/cc/nscc.h"
#include "loom/traffic/flow_spec.h"

enum loom_cc_param {
	/* both */
	LOOM_CC_G,                  /* alpha gain, (0, 1] */
	LOOM_CC_INITIAL_ALPHA,      /* [0, 1] */
	/* dcqcn */
	LOOM_CC_RATE_AI,            /* bit/s */
	LOOM_CC_RATE_HAI,           /* bit/s */
	LOOM_CC_MIN_RATE,           /* bit/s */
	LOOM_CC_ALPHA_INTERVAL,     /* ns */
	LOOM_CC_DECREASE_INTERVAL,  /* ns */
	LOOM_CC_INCREASE_TIMER,     /* ns */
	LOOM_CC_BYTE_COUNTER,       /* bytes; 0 = none */
	LOOM_CC_FAST_RECOVERY_STEPS,/* F */
	LOOM_CC_CLAMP_TARGET,       /* 0 or 1 */
	LOOM_CC_CNP_INTERVAL,       /* ns (the receiver's CNP spacing) */
	/* dctcp and nscc */
	LOOM_CC_INIT_CWND,          /* bytes */
	LOOM_CC_MIN_CWND,           /* bytes */
	LOOM_CC_MAX_CWND,           /* bytes; 0 = unbounded (nscc: follows the RTT) */
	/* nscc */
	LOOM_CC_BASE_RTT,           /* ns; unset: the smallest RTT sample; LOOM_CC_BASE_RTT_PATH: per flow */
	LOOM_CC_TARGET_DELAY,       /* ns of queueing delay; unset: 3/4 of the base RTT */
	LOOM_CC_PACE_CWND,          /* bytes: paced at cwnd / RTT below it; unset: one packet, 0: never */
	LOOM_CC_QA_DELAY,           /* ns: quick adapt above it; unset: 4 x target */
	LOOM_CC_QA_TRIM_DELAY,      /* ns: a NACK quick-adapts at or above it; unset: target / 2 */
	LOOM_CC_START_AT_CAP,       /* 0 or 1: the first window is the cap (htsim's NSCC sources) */
	LOOM_CC_RECEIVER_CREDIT,    /* 0 or 1: within the receiver's credit too (loom/cc/rccc.h) */
	LOOM_CC_CREDIT_SPEC,        /* bytes sent before any grant; unset: NSCC's first window */
	LOOM_CC_N_PARAMS
};

/* How a value is written and which range it must be in. */
enum loom_cc_param_kind {
	LOOM_CC_KIND_FRACTION_OPEN, /* (0, 1], also "1/256" */
	LOOM_CC_KIND_FRACTION,      /* [0, 1], also "1/2" */
	LOOM_CC_KIND_RATE,          /* bit/s > 0, "5M", "1G" */
	LOOM_CC_KIND_TIME,          /* ns > 0, "300us" */
	LOOM_CC_KIND_BYTES,         /* bytes >= 0, "10MB" */
	LOOM_CC_KIND_COUNT,         /* whole number >= 0 */
	LOOM_CC_KIND_BOOL,
};

struct loom_cc_param_info {
	const char *name;
	enum loom_cc_param_kind kind;
	unsigned ccs; /* bit (1 << enum loom_flow_cc) per controller it belongs to */
};

extern const struct loom_cc_param_info loom_cc_param_info[LOOM_CC_N_PARAMS];

/* base_rtt: path (`cc:` in a workload): loomctl puts each flow's unloaded
 * RTT over the topology in its place (control/topo/topo_path_rtt.h); as a
 * value it is out of range, so loomd refuses it if it ever got one. */
#define LOOM_CC_BASE_RTT_PATH (-1.0)

struct loom_cc_params {
	uint32_t set; /* bit (1 << enum loom_cc_param) per overridden value */
	double v[LOOM_CC_N_PARAMS];
};

/* The parameter called `name`, or -1. */
int loom_cc_param_find(const char *name);
/* Whether v is in the parameter's range (kinds above; whole numbers for
 * counts, bytes and times). */
bool loom_cc_param_valid(enum loom_cc_param p, double v);
static inline void loom_cc_params_set(struct loom_cc_params *ps, enum loom_cc_param p, double v)
{
	ps->set |= 1u << p;
	ps->v[p] = v;
}

/* Apply the overrides to a default-initialised configuration and check
 * it: 0, or -EINVAL with the reason in *why (e.g. "min_rate above the
 * flow's rate"). Parameters of the other controller are ignored. */
int loom_cc_params_apply_dcqcn(const struct loom_cc_params *ps, struct loom_dcqcn_cfg *cfg, const char **why);
int loom_cc_params_apply_dctcp(const struct loom_cc_params *ps, struct loom_dctcp_cfg *cfg, const char **why);
int loom_cc_params_apply_nscc(const struct loom_cc_params *ps, struct loom_nscc_cfg *cfg, const char **why);

#endif
