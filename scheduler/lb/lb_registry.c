/* SPDX-License-Identifier: BSD-3-Clause */
/* The table of load-balancing policies (lb_policies.def) and their tunables. */
#include <stdio.h>
#include <string.h>

#include "loom/lb/conga.h"
#include "loom/lb/lb_policy.h"

#define LB_POLICY(sym) extern const struct lb_policy sym;
#include "loom/lb/lb_policies.def"
#undef LB_POLICY

static const struct lb_policy *const policies[] = {
#define LB_POLICY(sym) &sym,
#include "loom/lb/lb_policies.def"
#undef LB_POLICY
};

#define N_POLICIES (sizeof(policies) / sizeof(policies[0]))

/* Names that are taken by modes still to come. */
static const struct {
	const char *name;
	const char *why;
} reserved[] = {
	{"cell", "not a group mode: a switch-scheduled fabric is the fabric-wide `mode: cell` (docs/CELLS.md)"},
};

unsigned int lb_policy_count(void)
{
	return N_POLICIES;
}

const struct lb_policy *lb_policy_at(unsigned int id)
{
	return id < N_POLICIES ? policies[id] : NULL;
}

int lb_policy_id(const char *name)
{
	for (unsigned int i = 0; name && i < N_POLICIES; i++)
		if (strcmp(policies[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const char *lb_policy_check_name(const char *name, char *buf, size_t len)
{
	size_t used;

	if (lb_policy_id(name) >= 0)
		return NULL;
	for (size_t i = 0; name && i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (strcmp(reserved[i].name, name) == 0) {
			snprintf(buf, len, "load-balancing mode '%s' is reserved for %s", name, reserved[i].why);
			return buf;
		}
	}
	used = (size_t)snprintf(buf, len, "unknown load-balancing mode '%.40s' (one of:", name ? name : "");
	for (unsigned int i = 0; i < N_POLICIES && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, " %s", policies[i]->name);
	if (used < len)
		snprintf(buf + used, len - used, ")");
	return buf;
}

void lb_params_default(struct lb_params *p)
{
	*p = (struct lb_params){
		.flowlet_table_size = 512,             /* SAI_ARS_ATTR_MAX_FLOWS default */
		.idle_time_ns = 256 * LOOM_NS_PER_US,  /* SAI_ARS_ATTR_IDLE_TIME default */
		.load = {
			.interval_ns = 16 * LOOM_NS_PER_US, /* SAI_ARS_PROFILE_ATTR_SAMPLING_INTERVAL default */
			.horizon_ns = 256 * LOOM_NS_PER_US,
			.ewma_shift = 2,
			.past_weight = 1,
			.future_weight = 1,
		},
		.drill_d = 2,
		.drill_m = 1,
		.flowlet_placement = LB_FLOWLET_PLACE_QUEUE,
		.dre_period_ns = 8 * LOOM_NS_PER_US,
		.conga_slack = 1, /* docs/CONGA.md: the paper's 0 herds (1.287 x ideal against 1.034) */
	};
}

const char *lb_params_check(const struct lb_params *p)
{
	if (p->flowlet_table_size == 0 || (p->flowlet_table_size & (p->flowlet_table_size - 1)) != 0 ||
	    p->flowlet_table_size > (1u << 20))
		return "flowlet table size must be a power of two, 1 .. 1048576";
	if (p->idle_time_ns == 0)
		return "flowlet idle time must be > 0";
	if (p->load.interval_ns < 1000 || p->load.horizon_ns == 0)
		return "load sampling interval must be >= 1 us";
	if (p->load.ewma_shift > 16)
		return "EWMA shift must be 0 .. 16";
	if (p->load.past_weight + p->load.future_weight == 0)
		return "past and future load weights cannot both be 0";
	if (p->drill_d == 0 || p->drill_m > 8)
		return "DRILL needs d >= 1 and m <= 8";
	if (p->flowlet_placement >= LB_FLOWLET_PLACE_N)
		return "flowlet placement must be queue or band";
	if (p->dre_period_ns < 100 || p->dre_period_ns > LOOM_NS_PER_S)
		return "CONGA DRE period must be 100 ns .. 1 s";
	if (p->conga_slack > LB_CONGA_METRIC_MAX)
		return "CONGA slack must be 0 .. 7";
	return NULL;
}

static const char *const placement_names[LB_FLOWLET_PLACE_N] = {
	[LB_FLOWLET_PLACE_QUEUE] = "queue",
	[LB_FLOWLET_PLACE_BAND] = "band",
};

const char *lb_flowlet_placement_name(unsigned int placement)
{
	return placement < LB_FLOWLET_PLACE_N ? placement_names[placement] : NULL;
}

int lb_flowlet_placement_id(const char *name)
{
	for (int i = 0; i < LB_FLOWLET_PLACE_N; i++)
		if (strcmp(name, placement_names[i]) == 0)
			return i;
	return -1;
}
