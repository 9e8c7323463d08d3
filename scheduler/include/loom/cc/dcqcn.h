/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DCQCN (Zhu et al., "Congestion Control for Large-Scale RDMA
 * Deployments", SIGCOMM 2015): rate-based congestion control for RoCEv2
 * reacting to ECN. Switches mark (ecn_mark.h, DCQCN profile); the receiver
 * (notification point, NP) returns CNPs for CE-marked packets, at most one
 * per flow per cnp_interval; the sender (reaction point, RP) cuts its rate
 * on CNPs and recovers it on timers and a byte counter.
 *
 * Pure state machines: time is passed in, nothing is scheduled. The caller
 * (a generator host) calls loom_dcqcn_rp_on_cnp / _on_send when those
 * happen and loom_dcqcn_rp_advance at or after loom_dcqcn_rp_next_event();
 * advance runs every timer event due up to `now` in time order (alpha
 * updates in closed form, so a long idle gap costs nothing).
 *
 * Reaction point, with Rc the current rate, Rt the target rate:
 *  - alpha: every alpha_interval (once a first CNP started the machine)
 *	alpha <- (1 - g) alpha + g   if a CNP arrived in the interval,
 *	alpha <- (1 - g) alpha       otherwise;
 *  - cut on a CNP, at most once per decrease_interval (a CNP inside the
 *    interval cuts when it ends):
 *	Rt <- Rc (only if there was a rate increase since the last cut,
 *	          unless clamp_target),
 *	Rc <- max(min_rate, Rc (1 - alpha / 2)),
 *    and the increase counters restart;
 *  - increase events: every increase_timer after a cut (count T), and every
 *    byte_counter bytes sent (count BC; 0 = no byte counter, then BC
 *    follows T). With F = fast_recovery_steps, on each event, judged on
 *    the counts before it:
 *	max(T, BC) < F:  fast recovery   Rc <- (Rt + Rc) / 2
 *	min(T, BC) > F:  hyper increase  Rt <- min(line, Rt + R_HAI), Rc <- (Rt + Rc) / 2
 *	otherwise:       additive        Rt <- min(line, Rt + R_AI),  Rc <- (Rt + Rc) / 2
 *    (the hyper step is a constant R_HAI, as in the HPCC simulator, not
 *    the paper's i * R_HAI).
 *
 * Defaults (loom_dcqcn_default): the DCQCN settings of the HPCC paper's
 * evaluation (Li et al., "HPCC: High Precision Congestion Control",
 * SIGCOMM 2019), as its simulator's run.py sets them for `dcqcn`
 * (alibaba-edu/High-Precision-Congestion-Control): g = 1/256, alpha
 * update every 1 us, rate decrease at most every 4 us, rate-increase timer
 * 300 us, F = 1, R_AI = 5 Mb/s and R_HAI = 50 Mb/s at 25 Gb/s, minimum
 * rate 1 Gb/s, target not clamped, no byte counter; alpha starts at 1.
 * Rates (R_AI, R_HAI, minimum) scale linearly with the line rate from
 * 25 Gb/s, as run.py scales them. NP: that simulator echoes CE on every
 * ACK; here CNPs are paced at the alpha interval (1 us), the finest
 * granularity the RP can tell apart, so pacing loses nothing it would
 * use. The DCQCN paper's own values (55 us timers, 50 us CNP spacing,
 * 10 MB byte counter, F = 5) are one loom_dcqcn_cfg away.
 */
#ifndef LOOM_DCQCN_H
#define LOOM_DCQCN_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

struct loom_dcqcn_cfg {
	uint64_t line_rate_bps;
	uint64_t min_rate_bps;
	uint64_t rate_ai_bps;
	uint64_t rate_hai_bps;
	loom_time_ns alpha_interval_ns;
	loom_time_ns decrease_interval_ns;
	loom_time_ns increase_timer_ns;
	uint64_t byte_counter;        /* bytes per increase event; 0 = none */
	uint32_t fast_recovery_steps; /* F */
	double g;                     /* alpha gain, 0 < g <= 1 */
	double initial_alpha;         /* 0..1 */
	bool clamp_target;
	loom_time_ns cnp_interval_ns; /* NP: minimum spacing of CNPs per flow */
};

void loom_dcqcn_default(struct loom_dcqcn_cfg *cfg, uint64_t line_rate_bps);
/* 0 or -EINVAL (zero rate or interval, min > line, g or alpha out of range) */
int loom_dcqcn_cfg_check(const struct loom_dcqcn_cfg *cfg);

enum loom_dcqcn_increase {
	LOOM_DCQCN_FAST_RECOVERY = 0,
	LOOM_DCQCN_ADDITIVE = 1,
	LOOM_DCQCN_HYPER = 2,
};

struct loom_dcqcn_rp_stats {
	uint64_t cnps;
	uint64_t cuts;
	uint64_t increases[3]; /* by enum loom_dcqcn_increase */
};

struct loom_dcqcn_rp {
	double rc_bps, rt_bps;
	double alpha;
	bool active;            /* a CNP has arrived: the timers run */
	bool cnp_in_interval;   /* for the next alpha update */
	bool cut_pending;       /* a CNP arrived within decrease_interval of the last cut */
	bool increased;         /* an increase event since the last cut */
	bool have_cut;
	loom_time_ns next_alpha;
	loom_time_ns last_cut;
	loom_time_ns next_increase; /* LOOM_TIME_NEVER before the first cut */
	uint32_t t_count, bc_count;
	uint64_t bytes_since_event;
	enum loom_dcqcn_increase last_increase;
	struct loom_dcqcn_rp_stats st;
};

void loom_dcqcn_rp_init(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg);
void loom_dcqcn_rp_advance(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns now);
void loom_dcqcn_rp_on_cnp(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, loom_time_ns now);
void loom_dcqcn_rp_on_send(struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg, uint64_t bytes,
			   loom_time_ns now);
/* When advance next changes the rate (a pending cut, an increase timer);
 * LOOM_TIME_NEVER before any CNP and once back at line rate. Alpha
 * updates are applied lazily by every call, so they need no wake-up. */
loom_time_ns loom_dcqcn_rp_next_event(const struct loom_dcqcn_rp *rp, const struct loom_dcqcn_cfg *cfg);
/* The sending rate, whole bits per second. */
uint64_t loom_dcqcn_rp_rate(const struct loom_dcqcn_rp *rp);

struct loom_dcqcn_np {
	loom_time_ns last_cnp;
	bool sent_any;
	uint64_t cnps, ce_suppressed;
};

void loom_dcqcn_np_init(struct loom_dcqcn_np *np);
/* A data packet of the flow arrived; `ce`: it was marked. Returns true
 * when the receiver must send a CNP now. */
bool loom_dcqcn_np_on_packet(struct loom_dcqcn_np *np, const struct loom_dcqcn_cfg *cfg, bool ce,
			     loom_time_ns now);

#endif
