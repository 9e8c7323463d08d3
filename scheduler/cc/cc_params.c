/* SPDX-License-Identifier: BSD-3-Clause */
/* Congestion-control parameter overrides (see loom/cc/cc_params.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "loom/cc/cc_params.h"

#define DCQCN (1u << LOOM_FLOW_CC_DCQCN)
#define DCTCP (1u << LOOM_FLOW_CC_DCTCP)
#define NSCC (1u << LOOM_FLOW_CC_NSCC)

const struct loom_cc_param_info loom_cc_param_info[LOOM_CC_N_PARAMS] = {
	[LOOM_CC_G] = {"g", LOOM_CC_KIND_FRACTION_OPEN, DCQCN | DCTCP},
	[LOOM_CC_INITIAL_ALPHA] = {"initial_alpha", LOOM_CC_KIND_FRACTION, DCQCN | DCTCP},
	[LOOM_CC_RATE_AI] = {"rate_ai", LOOM_CC_KIND_RATE, DCQCN},
	[LOOM_CC_RATE_HAI] = {"rate_hai", LOOM_CC_KIND_RATE, DCQCN},
	[LOOM_CC_MIN_RATE] = {"min_rate", LOOM_CC_KIND_RATE, DCQCN},
	[LOOM_CC_ALPHA_INTERVAL] = {"alpha_interval", LOOM_CC_KIND_TIME, DCQCN},
	[LOOM_CC_DECREASE_INTERVAL] = {"decrease_interval", LOOM_CC_KIND_TIME, DCQCN},
	[LOOM_CC_INCREASE_TIMER] = {"increase_timer", LOOM_CC_KIND_TIME, DCQCN},
	[LOOM_CC_BYTE_COUNTER] = {"byte_counter", LOOM_CC_KIND_BYTES, DCQCN},
	[LOOM_CC_FAST_RECOVERY_STEPS] = {"fast_recovery_steps", LOOM_CC_KIND_COUNT, DCQCN},
	[LOOM_CC_CLAMP_TARGET] = {"clamp_target", LOOM_CC_KIND_BOOL, DCQCN},
	[LOOM_CC_CNP_INTERVAL] = {"cnp_interval", LOOM_CC_KIND_TIME, DCQCN},
	[LOOM_CC_INIT_CWND] = {"init_cwnd", LOOM_CC_KIND_BYTES, DCTCP | NSCC},
	[LOOM_CC_MIN_CWND] = {"min_cwnd", LOOM_CC_KIND_BYTES, DCTCP | NSCC},
	[LOOM_CC_MAX_CWND] = {"max_cwnd", LOOM_CC_KIND_BYTES, DCTCP | NSCC},
	[LOOM_CC_BASE_RTT] = {"base_rtt", LOOM_CC_KIND_TIME, NSCC},
	[LOOM_CC_TARGET_DELAY] = {"target_delay", LOOM_CC_KIND_TIME, NSCC},
	[LOOM_CC_PACE_CWND] = {"pace_cwnd", LOOM_CC_KIND_BYTES, NSCC},
	[LOOM_CC_QA_DELAY] = {"qa_delay", LOOM_CC_KIND_TIME, NSCC},
	[LOOM_CC_QA_TRIM_DELAY] = {"qa_trim_delay", LOOM_CC_KIND_TIME, NSCC},
	[LOOM_CC_START_AT_CAP] = {"start_at_cap", LOOM_CC_KIND_BOOL, NSCC},
	[LOOM_CC_RECEIVER_CREDIT] = {"receiver_credit", LOOM_CC_KIND_BOOL, NSCC},
	[LOOM_CC_CREDIT_SPEC] = {"credit_spec", LOOM_CC_KIND_BYTES, NSCC},
};

int loom_cc_param_find(const char *name)
{
	for (int p = 0; name && p < LOOM_CC_N_PARAMS; p++)
		if (strcmp(name, loom_cc_param_info[p].name) == 0)
			return p;
	return -1;
}

bool loom_cc_param_valid(enum loom_cc_param p, double v)
{
	bool whole = isfinite(v) && v == floor(v) && v >= 0 && v <= 1e18;

	if ((unsigned)p >= LOOM_CC_N_PARAMS)
		return false;
	switch (loom_cc_param_info[p].kind) {
	case LOOM_CC_KIND_FRACTION_OPEN: return v > 0 && v <= 1;
	case LOOM_CC_KIND_FRACTION: return v >= 0 && v <= 1;
	case LOOM_CC_KIND_RATE:
	case LOOM_CC_KIND_TIME: return whole && v > 0;
	case LOOM_CC_KIND_BYTES: return whole;
	case LOOM_CC_KIND_COUNT: return whole && v <= UINT32_MAX;
	case LOOM_CC_KIND_BOOL: return v == 0 || v == 1;
	}
	return false;
}

static bool has(const struct loom_cc_params *ps, enum loom_cc_param p)
{
	return ps && (ps->set & (1u << p));
}

/* The override of p if set, else `dflt`. */
static double get(const struct loom_cc_params *ps, enum loom_cc_param p, double dflt)
{
	return has(ps, p) ? ps->v[p] : dflt;
}

static int check_values(const struct loom_cc_params *ps, unsigned cc, const char **why)
{
	for (int p = 0; ps && p < LOOM_CC_N_PARAMS; p++)
		if (has(ps, p) && (loom_cc_param_info[p].ccs & cc) && !loom_cc_param_valid(p, ps->v[p])) {
			*why = loom_cc_param_info[p].name;
			return -EINVAL;
		}
	return 0;
}

int loom_cc_params_apply_dcqcn(const struct loom_cc_params *ps, struct loom_dcqcn_cfg *cfg, const char **why)
{
	*why = NULL;
	if (check_values(ps, DCQCN, why) < 0)
		return -EINVAL;
	cfg->g = get(ps, LOOM_CC_G, cfg->g);
	cfg->initial_alpha = get(ps, LOOM_CC_INITIAL_ALPHA, cfg->initial_alpha);
	cfg->rate_ai_bps = (uint64_t)get(ps, LOOM_CC_RATE_AI, (double)cfg->rate_ai_bps);
	cfg->rate_hai_bps = (uint64_t)get(ps, LOOM_CC_RATE_HAI, (double)cfg->rate_hai_bps);
	cfg->min_rate_bps = (uint64_t)get(ps, LOOM_CC_MIN_RATE, (double)cfg->min_rate_bps);
	cfg->alpha_interval_ns = (loom_time_ns)get(ps, LOOM_CC_ALPHA_INTERVAL, (double)cfg->alpha_interval_ns);
	cfg->decrease_interval_ns =
		(loom_time_ns)get(ps, LOOM_CC_DECREASE_INTERVAL, (double)cfg->decrease_interval_ns);
	cfg->increase_timer_ns = (loom_time_ns)get(ps, LOOM_CC_INCREASE_TIMER, (double)cfg->increase_timer_ns);
	cfg->byte_counter = (uint64_t)get(ps, LOOM_CC_BYTE_COUNTER, (double)cfg->byte_counter);
	cfg->fast_recovery_steps = (uint32_t)get(ps, LOOM_CC_FAST_RECOVERY_STEPS, cfg->fast_recovery_steps);
	cfg->clamp_target = get(ps, LOOM_CC_CLAMP_TARGET, cfg->clamp_target) != 0;
	cfg->cnp_interval_ns = (loom_time_ns)get(ps, LOOM_CC_CNP_INTERVAL, (double)cfg->cnp_interval_ns);
	if (cfg->min_rate_bps > cfg->line_rate_bps) {
		*why = "min_rate above the flow's rate";
		return -EINVAL;
	}
	if (loom_dcqcn_cfg_check(cfg) < 0) {
		*why = "the resulting DCQCN configuration";
		return -EINVAL;
	}
	return 0;
}

int loom_cc_params_apply_dctcp(const struct loom_cc_params *ps, struct loom_dctcp_cfg *cfg, const char **why)
{
	*why = NULL;
	if (check_values(ps, DCTCP, why) < 0)
		return -EINVAL;
	cfg->g = get(ps, LOOM_CC_G, cfg->g);
	cfg->initial_alpha = get(ps, LOOM_CC_INITIAL_ALPHA, cfg->initial_alpha);
	cfg->init_cwnd = (uint64_t)get(ps, LOOM_CC_INIT_CWND, (double)cfg->init_cwnd);
	cfg->min_cwnd = (uint64_t)get(ps, LOOM_CC_MIN_CWND, (double)cfg->min_cwnd);
	cfg->max_cwnd = (uint64_t)get(ps, LOOM_CC_MAX_CWND, (double)cfg->max_cwnd);
	if (cfg->min_cwnd < cfg->mss) {
		*why = "min_cwnd below one packet's payload";
		return -EINVAL;
	}
	if (cfg->init_cwnd < cfg->min_cwnd || (cfg->max_cwnd && cfg->max_cwnd < cfg->init_cwnd)) {
		*why = "init_cwnd outside min_cwnd..max_cwnd";
		return -EINVAL;
	}
	return 0;
}

int loom_cc_params_apply_nscc(const struct loom_cc_params *ps, struct loom_nscc_cfg *cfg, const char **why)
{
	*why = NULL;
	if (check_values(ps, NSCC, why) < 0)
		return -EINVAL;
	cfg->init_cwnd = (uint64_t)get(ps, LOOM_CC_INIT_CWND, (double)cfg->init_cwnd);
	cfg->min_cwnd = (uint64_t)get(ps, LOOM_CC_MIN_CWND, (double)cfg->min_cwnd);
	cfg->max_cwnd = (uint64_t)get(ps, LOOM_CC_MAX_CWND, (double)cfg->max_cwnd);
	cfg->base_rtt = (loom_time_ns)get(ps, LOOM_CC_BASE_RTT, (double)cfg->base_rtt);
	cfg->target_qdelay = (loom_time_ns)get(ps, LOOM_CC_TARGET_DELAY, (double)cfg->target_qdelay);
	cfg->pace_cwnd = (uint64_t)get(ps, LOOM_CC_PACE_CWND, (double)cfg->pace_cwnd);
	cfg->qa_delay = (loom_time_ns)get(ps, LOOM_CC_QA_DELAY, (double)cfg->qa_delay);
	cfg->qa_trim_delay = (loom_time_ns)get(ps, LOOM_CC_QA_TRIM_DELAY, (double)cfg->qa_trim_delay);
	cfg->start_at_cap = get(ps, LOOM_CC_START_AT_CAP, cfg->start_at_cap ? 1 : 0) != 0;
	if (cfg->start_at_cap && cfg->init_cwnd) {
		*why = "start_at_cap and init_cwnd both set the first window";
		return -EINVAL;
	}
	if (has(ps, LOOM_CC_CREDIT_SPEC) && !get(ps, LOOM_CC_RECEIVER_CREDIT, 0)) {
		*why = "credit_spec without receiver_credit: true (the speculative window of receiver credits)";
		return -EINVAL;
	}
	if (!cfg->min_cwnd) { /* byte-granular windows (paced), but not none */
		*why = "min_cwnd of 0 bytes";
		return -EINVAL;
	}
	/* 0 = the default (one BDP, 1.5 BDP): checked when both are given */
	if ((cfg->init_cwnd && cfg->init_cwnd < cfg->min_cwnd) ||
	    (cfg->max_cwnd && (cfg->max_cwnd < cfg->min_cwnd || (cfg->init_cwnd && cfg->max_cwnd < cfg->init_cwnd)))) {
		*why = "init_cwnd outside min_cwnd..max_cwnd";
		return -EINVAL;
	}
	return 0;
}
