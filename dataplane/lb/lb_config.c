/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's "load_balancing" object in loomd's configuration
 * (docs/LOOMD_CONFIG.md): the mode of its groups, per-group modes, and the
 * flowlet / sampling / window tunables. Every key is optional; unknown keys
 * and bad values are errors that name the key.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "lb_config.h"

static const char *const known_keys[] = {"mode", "flowlet_table", "idle_time_ns", "sample_interval_ns",
					 "window_ns", "drill_d", "drill_m", "groups"};

static int get_uint(json_t *o, const char *key, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max) {
		snprintf(err, errlen, "load_balancing.%s must be an integer 0 .. %llu", key, (unsigned long long)max);
		return -1;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int policy_of(json_t *v, const char *where, uint16_t *id, char *err, size_t errlen)
{
	const char *name = json_string_value(v);
	char why[256];

	if (!name) {
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
	const char *key;
	json_t *val, *groups, *jg;
	size_t i;

	lb_params_default(&p);
	if (cfg && !json_is_object(cfg)) {
		snprintf(err, errlen, "load_balancing must be an object");
		return -1;
	}
	json_object_foreach(cfg, key, val) {
		bool known = false;
		for (size_t k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++)
			known |= strcmp(key, known_keys[k]) == 0;
		if (!known) {
			snprintf(err, errlen, "load_balancing: unknown key '%.40s'", key);
			return -1;
		}
	}
	if (cfg && json_object_get(cfg, "mode") &&
	    policy_of(json_object_get(cfg, "mode"), "load_balancing.mode", &mode, err, errlen) < 0)
		return -1;
	v = p.flowlet_table_size;
	if (get_uint(cfg, "flowlet_table", 1u << 20, &v, err, errlen) < 0)
		return -1;
	p.flowlet_table_size = (uint32_t)v;
	if (get_uint(cfg, "idle_time_ns", 10 * LOOM_NS_PER_S, &p.idle_time_ns, err, errlen) < 0 ||
	    get_uint(cfg, "sample_interval_ns", LOOM_NS_PER_S, &p.load.interval_ns, err, errlen) < 0 ||
	    get_uint(cfg, "window_ns", 3600 * LOOM_NS_PER_S, &window, err, errlen) < 0)
		return -1;
	/* Future load's full scale follows the idle time (lb_port_load.h). */
	p.load.horizon_ns = p.idle_time_ns;
	v = p.drill_d;
	if (get_uint(cfg, "drill_d", 64, &v, err, errlen) < 0)
		return -1;
	p.drill_d = (uint8_t)v;
	v = p.drill_m;
	if (get_uint(cfg, "drill_m", 8, &v, err, errlen) < 0)
		return -1;
	p.drill_m = (uint8_t)v;
	if (window == 0 && cfg && json_object_get(cfg, "window_ns")) {
		snprintf(err, errlen, "load_balancing.window_ns must be > 0");
		return -1;
	}
	if (loom_lb_create(sw, &p, mode, window, err, errlen) < 0)
		return -1;

	groups = cfg ? json_object_get(cfg, "groups") : NULL;
	if (groups && !json_is_array(groups)) {
		snprintf(err, errlen, "load_balancing.groups must be a list of {group, mode}");
		return -1;
	}
	json_array_foreach(groups, i, jg) {
		json_t *g = json_object_get(jg, "group");
		char where[64];
		uint16_t id;

		snprintf(where, sizeof(where), "load_balancing.groups[%zu].mode", i);
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) >= sw->n_groups) {
			snprintf(err, errlen, "load_balancing.groups[%zu].group: no such group", i);
			return -1;
		}
		if (policy_of(json_object_get(jg, "mode"), where, &id, err, errlen) < 0 ||
		    loom_lb_set_group_policy_now(sw, (uint32_t)json_integer_value(g), id, err, errlen) < 0)
			return -1;
	}
	return 0;
}
