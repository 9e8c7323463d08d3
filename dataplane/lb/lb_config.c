/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's "load_balancing" object in loomd's configuration
 * (docs/LOOMD_CONFIG.md): the mode of its groups, per-group modes, and the
 * flowlet (gap, table, placement) / sampling / window tunables, and whether the flow hash reads
 * the IPv6 flow label. Every key is optional; unknown keys
 * and bad values are errors that name the key.
 */
#include <stdio.h>

#include <jansson.h>

#include "lb_config.h"
#include "loom/lb/conga.h"
#include "loom_lb_set.h"
#include "loomd_config_read.h"

/* The integer `key` of load_balancing, if given: 0 .. max. */
static int get_uint(json_t *o, enum loomd_key key, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;
	char msg[160];

	if (loomd_cfg_u64(o, key, *out, &v, msg, sizeof(msg)) < 0 || v > max) {
		snprintf(err, errlen, "load_balancing.%s must be an integer 0 .. %llu", loomd_config_keys[key].name,
			 (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* The mode `key` of `o` (load_balancing or one of its groups): a
 * registered policy's name; `where` names it in messages. */
static int policy_of(json_t *o, enum loomd_key key, const char *where, uint16_t *id, char *err, size_t errlen)
{
	const char *name;
	char why[256];

	if (loomd_cfg_string(o, key, &name, why, sizeof(why)) < 0 || !name) {
		snprintf(err, errlen, "%s must be a mode name", where);
		return -1;
	}
	if (lb_policy_check_name(name, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", where, why);
		return -1;
	}
	*id = (uint16_t)lb_policy_id(name);
	return 0;
}

int loom_lb_load(struct loom_switch *sw, json_t *cfg, char *err, size_t errlen)
{
	struct lb_params p;
	uint16_t mode = LB_POLICY_ECMP;
	uint64_t v, window = 0;
	bool flow_label = false;
	const char *unknown;
	json_t *groups, *jg;
	size_t i;

	lb_params_default(&p);
	unknown = cfg ? loomd_cfg_unknown_key(cfg, LOOMD_OBJ_LB) : NULL;
	if (unknown) {
		snprintf(err, errlen, "load_balancing: unknown key '%.40s'", unknown);
		return -1;
	}
	if (cfg && json_object_get(cfg, LOOMD_KEY(LB_MODE)) &&
	    policy_of(cfg, LOOMD_LB_MODE, "load_balancing.mode", &mode, err, errlen) < 0)
		return -1;
	v = p.flowlet_table_size;
	if (get_uint(cfg, LOOMD_LB_FLOWLET_TABLE, 1u << 20, &v, err, errlen) < 0)
		return -1;
	p.flowlet_table_size = (uint32_t)v;
	if (get_uint(cfg, LOOMD_LB_IDLE_TIME_NS, LOOM_LB_IDLE_TIME_MAX_NS, &p.idle_time_ns, err, errlen) < 0 ||
	    get_uint(cfg, LOOMD_LB_SAMPLE_INTERVAL_NS, LOOM_NS_PER_S, &p.load.interval_ns, err, errlen) < 0 ||
	    get_uint(cfg, LOOMD_LB_WINDOW_NS, 3600 * LOOM_NS_PER_S, &window, err, errlen) < 0)
		return -1;
	/* Future load's full scale follows the idle time (lb_port_load.h). */
	p.load.horizon_ns = p.idle_time_ns;
	if (get_uint(cfg, LOOMD_LB_DRE_PERIOD_NS, LOOM_NS_PER_S, &p.dre_period_ns, err, errlen) < 0)
		return -1;
	v = p.conga_slack;
	if (get_uint(cfg, LOOMD_LB_CONGA_SLACK, LB_CONGA_METRIC_MAX, &v, err, errlen) < 0)
		return -1;
	p.conga_slack = (uint8_t)v;
	v = p.drill_d;
	if (get_uint(cfg, LOOMD_LB_DRILL_D, 64, &v, err, errlen) < 0)
		return -1;
	p.drill_d = (uint8_t)v;
	v = p.drill_m;
	if (get_uint(cfg, LOOMD_LB_DRILL_M, 8, &v, err, errlen) < 0)
		return -1;
	p.drill_m = (uint8_t)v;
	if (cfg && json_object_get(cfg, LOOMD_KEY(LB_PLACEMENT))) {
		const char *name;
		char why[160];
		int id;

		if (loomd_cfg_string(cfg, LOOMD_LB_PLACEMENT, &name, why, sizeof(why)) < 0 || !name ||
		    (id = lb_flowlet_placement_id(name)) < 0) {
			snprintf(err, errlen, "load_balancing.placement must be queue or band");
			return -1;
		}
		p.flowlet_placement = (uint8_t)id;
	}
	if (loomd_cfg_bool(cfg, LOOMD_LB_HASH_FLOW_LABEL, false, &flow_label, err, errlen) < 0)
		return -1;
	sw->hash_flow_label_mask = flow_label ? 0xfffffu : 0;
	if (window == 0 && cfg && json_object_get(cfg, LOOMD_KEY(LB_WINDOW_NS))) {
		snprintf(err, errlen, "load_balancing.window_ns must be > 0");
		return -1;
	}
	if (loom_lb_create(sw, &p, mode, window, err, errlen) < 0)
		return -1;

	if (loomd_cfg_get(cfg, LOOMD_LB_GROUPS, &groups, err, errlen) < 0) {
		snprintf(err, errlen, "load_balancing.groups must be a list of {group, mode}");
		return -1;
	}
	json_array_foreach(groups, i, jg) {
		json_int_t g;
		char where[64];
		uint16_t id;

		snprintf(where, sizeof(where), "load_balancing.groups[%zu].mode", i);
		if (loomd_cfg_int(jg, LOOMD_LB_GROUP_GROUP, -1, &g, err, errlen) < 0 || g < 0 || g >= sw->spare_groups_first) {
			snprintf(err, errlen, "load_balancing.groups[%zu].group: no such group", i);
			return -1;
		}
		if (policy_of(jg, LOOMD_LB_GROUP_MODE, where, &id, err, errlen) < 0 ||
		    loom_lb_set_group_policy_now(sw, (uint32_t)g, id, err, errlen) < 0)
			return -1;
	}
	return 0;
}
