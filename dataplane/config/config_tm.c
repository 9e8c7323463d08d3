/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager part of loomd's configuration (docs/LOOMD_CONFIG.md):
 *   "time_scale": 1            fabric-wide: links run at rate / time_scale
 *   "tm": {KEY: VALUE, ...}    fabric-wide settings (loom/tm/tm_config.h keys)
 *   switches[i].tm: {...}      that switch's, over the fabric's
 *   switches[i].ports[j].tm    that port's, over the switch's
 * Values may be strings, numbers or booleans; nested objects are read as
 * dotted keys ({"ecn": {"k": "30KB"}} is "ecn.k").
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_mempool.h>

#include "config.h"
#include "loomd_config_read.h"
#include "tm.h"
#include "tm_setting_text.h"

static int apply_object(struct loom_tm_cfg *cfg, json_t *obj, const char *prefix, const char *where, char *err,
			size_t errlen)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		char key[128], val[256], msg[256];

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			if (apply_object(cfg, v, key, where, err, errlen) < 0)
				return -1;
			continue;
		}
		if (tm_setting_text(v, val, sizeof(val)) < 0) {
			snprintf(err, errlen, "%s: tm: %s: unsupported value type", where, key);
			return -1;
		}
		if (loom_tm_cfg_set(cfg, key, val, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: tm: %s", where, msg);
			return -1;
		}
	}
	return 0;
}

/* `obj`: a `tm` object (its type checked by loomd_cfg_get), or NULL. */
static int tm_cfg_from(struct loom_tm_cfg *cfg, json_t *obj, const char *where, char *err, size_t errlen)
{
	return obj ? apply_object(cfg, obj, "", where, err, errlen) : 0;
}

int loom_fabric_load_tm(struct loom_fabric *f, json_t *root, char *err, size_t errlen)
{
	json_t *switches, *tm;
	struct loom_tm_cfg fabric_cfg;

	if (loomd_cfg_number(root, LOOMD_ROOT_TIME_SCALE, 1.0, &f->time_scale, err, errlen) < 0 ||
	    loomd_cfg_get(root, LOOMD_ROOT_SWITCHES, &switches, err, errlen) < 0 ||
	    loomd_cfg_get(root, LOOMD_ROOT_TM, &tm, err, errlen) < 0)
		return -1;
	if (!(f->time_scale > 0) || f->time_scale > 1e9) {
		snprintf(err, errlen, "time_scale must be a number > 0");
		return -1;
	}
	loom_tm_cfg_default(&fabric_cfg);
	if (tm_cfg_from(&fabric_cfg, tm, "fabric", err, errlen) < 0)
		return -1;
	for (uint16_t s = 0; s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];
		json_t *js = json_array_get(switches, s), *ports;
		struct loom_tm_cfg sw_cfg = fabric_cfg;
		char where[96], msg[256];

		snprintf(where, sizeof(where), "switch %s", sw->name);
		if (loomd_cfg_get(js, LOOMD_SWITCH_TM, &tm, msg, sizeof(msg)) < 0 ||
		    loomd_cfg_get(js, LOOMD_SWITCH_PORTS, &ports, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", where, msg);
			return -1;
		}
		if (tm_cfg_from(&sw_cfg, tm, where, err, errlen) < 0)
			return -1;
		for (uint16_t p = 0; p < sw->n_ports; p++) {
			struct loom_tm_cfg pc = sw_cfg;
			json_t *jp;
			size_t i;

			if (f->links[s][p].kind == LOOM_LINK_NONE)
				continue;
			json_array_foreach(ports, i, jp) {
				json_int_t index = 0;

				snprintf(where, sizeof(where), "switch %s port %u", sw->name, p);
				if (loomd_cfg_int(jp, LOOMD_PORT_INDEX, 0, &index, msg, sizeof(msg)) < 0 ||
				    loomd_cfg_get(jp, LOOMD_PORT_TM, &tm, msg, sizeof(msg)) < 0) {
					snprintf(err, errlen, "%s: %s", where, msg);
					return -1;
				}
				if (index != p)
					continue;
				if (tm_cfg_from(&pc, tm, where, err, errlen) < 0)
					return -1;
			}
			if (loom_tm_cfg_finalize(&pc, msg, sizeof(msg)) < 0) {
				snprintf(err, errlen, "switch %s port %u: tm: %s", sw->name, p, msg);
				return -1;
			}
			if (!pc.enabled)
				continue;
			if (!f->tm_ctrl_pool) {
				uint32_t n_ports = 0;

				for (uint16_t o = 0; o < f->n_switches; o++)
					n_ports += f->switches[o].n_ports;
				f->tm_ctrl_pool = tm_ctrl_pool_create(n_ports);
			}
			if (!sw->tm && (!f->tm_ctrl_pool || tm_switch_create(sw, &sw_cfg, s, f->tm_ctrl_pool) < 0)) {
				snprintf(err, errlen, "switch %s: cannot create the traffic manager (memory)", sw->name);
				return -1;
			}
			if (tm_port_create(&sw->ports[p], &pc, loom_rate_scaled(sw->ports[p].rate_bps, f->time_scale),
					   0) < 0) {
				snprintf(err, errlen, "switch %s port %u: out of memory for the traffic manager",
					 sw->name, p);
				return -1;
			}
			/* real time: lossless queues grow into storage made now,
			 * not on the worker (tm_queue_reserve.c) */
			if (pc.lossless && f->clock_mode == LOOM_CLOCK_REALTIME && tm_switch_reserve(sw) < 0) {
				snprintf(err, errlen, "switch %s: out of memory for the lossless queues' reserve",
					 sw->name);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * The lossless queues' reserves a real-time configuration makes at set-up
 * (tm_switch_reserve: a switch with a lossless class on an enabled port),
 * in bytes of EAL memory, read from the JSON before EAL starts. Settings
 * resolve as loom_fabric_load_tm resolves them (fabric, switch, port);
 * what does not parse counts nothing here: loom_fabric_load_tm reports it.
 */
uint64_t loom_tm_reserve_needed_bytes(struct json_t *root)
{
	const char *clock = json_string_value(json_object_get(root, LOOMD_KEY(ROOT_CLOCK)));
	json_t *switches = json_object_get(root, LOOMD_KEY(ROOT_SWITCHES)), *js, *jp;
	struct loom_tm_cfg fabric_cfg;
	uint64_t bytes = 0;
	char err[256];
	size_t s, i;

	if (clock && strcmp(clock, "virtual") == 0) /* virtual time grows them on the heap */
		return 0;
	loom_tm_cfg_default(&fabric_cfg);
	if (tm_cfg_from(&fabric_cfg, json_object_get(root, LOOMD_KEY(ROOT_TM)), "fabric", err, sizeof(err)) < 0)
		return 0;
	json_array_foreach(switches, s, js) {
		struct loom_tm_cfg sw_cfg = fabric_cfg;
		bool lossless = false;

		if (tm_cfg_from(&sw_cfg, json_object_get(js, LOOMD_KEY(SWITCH_TM)), "switch", err, sizeof(err)) < 0)
			continue;
		json_array_foreach(json_object_get(js, LOOMD_KEY(SWITCH_PORTS)), i, jp) {
			struct loom_tm_cfg pc = sw_cfg;

			if (tm_cfg_from(&pc, json_object_get(jp, LOOMD_KEY(PORT_TM)), "port", err, sizeof(err)) < 0 ||
			    loom_tm_cfg_finalize(&pc, err, sizeof(err)) < 0)
				continue;
			lossless |= pc.enabled && pc.lossless;
		}
		if (lossless)
			bytes += tm_queue_reserve_bytes(sw_cfg.buffer_bytes);
	}
	return bytes;
}

void loom_fabric_free_tm(struct loom_fabric *f)
{
	for (uint16_t s = 0; f->switches && s < f->n_switches; s++) {
		struct loom_switch *sw = &f->switches[s];

		for (uint16_t p = 0; sw->ports && p < sw->n_ports; p++)
			tm_port_free(&sw->ports[p]);
		tm_switch_free(sw);
	}
	rte_mempool_free(f->tm_ctrl_pool);
	f->tm_ctrl_pool = NULL;
}
