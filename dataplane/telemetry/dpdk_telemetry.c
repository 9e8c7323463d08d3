/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /loom/... commands on DPDK's telemetry socket (rte_telemetry):
 *   /loom/switches          the switches of this loomd (array of names)
 *   /loom/stats,SWITCH      its counters as `stats` reports them: packets,
 *                           bytes, answered, generated, dropped, queued,
 *                           conserved (0/1), drops by reason (nested)
 *   /loom/fidelity          the real-time loop's record of how late its
 *                           turns started (as `status`: late_turns,
 *                           late_ns, max_late_ns, max_late_at_ns, late_hist_ms_B)
 *   /loom/ports,SWITCH      per port: its counters, nested objects
 *                           flattened (drops_ttl_expired, ...); keyed by
 *                           the port's name with characters telemetry
 *                           refuses in names (':', '-') as '_', the
 *                           real name in its "name" field
 * Values come from loom_stats_snapshot(), the same snapshot as `stats`.
 * Numeric fields are copied generically, so counters that later parts add
 * to `stats` (ECN marks, PFC pauses) appear here without a change.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <rte_telemetry.h>

#include "telemetry.h"

/* rte_telemetry callbacks take no argument, and DPDK 22.11 cannot
 * unregister them: loomd detaches the state before it frees the fabric,
 * and a callback that finds none answers null. The lock keeps a callback
 * from running across that. */
static struct loomd_state *tel_state;
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;

json_t *loom_stats_snapshot(struct loomd_state *st)
{
	json_t *reply = ctl_handle_request(st, "{\"cmd\": \"stats\"}");
	json_t *result = json_is_true(json_object_get(reply, "ok")) ? json_object_get(reply, "result") : NULL;

	json_incref(result);
	json_decref(reply);
	return result;
}

static json_t *find_switch(json_t *stats, const char *name)
{
	json_t *sw;
	size_t i;

	json_array_foreach(json_object_get(stats, "switches"), i, sw)
		if (name && strcmp(json_string_value(json_object_get(sw, "name")), name) == 0)
			return sw;
	return NULL;
}

/* One JSON value into a telemetry dict under `name`. */
static void add_scalar(struct rte_tel_data *d, const char *name, json_t *v)
{
	if (json_is_integer(v))
		rte_tel_data_add_dict_u64(d, name, (uint64_t)json_integer_value(v));
	else if (json_is_boolean(v))
		rte_tel_data_add_dict_int(d, name, json_is_true(v));
	else if (json_is_string(v))
		rte_tel_data_add_dict_string(d, name, json_string_value(v));
	else if (json_is_real(v))
		rte_tel_data_add_dict_u64(d, name, (uint64_t)json_real_value(v));
}

/* Telemetry nests one level only: nested objects are flattened
 * ("drops": {"ttl_expired": 3} -> "drops_ttl_expired": 3). */
static void add_flat(struct rte_tel_data *d, json_t *obj, const char *skip)
{
	const char *k, *k2;
	json_t *v, *v2;

	json_object_foreach(obj, k, v) {
		if (skip && strcmp(k, skip) == 0)
			continue;
		if (json_is_object(v)) {
			json_object_foreach(v, k2, v2) {
				char name[RTE_TEL_MAX_STRING_LEN];
				snprintf(name, sizeof(name), "%s_%s", k, k2);
				add_scalar(d, name, v2);
			}
		} else {
			add_scalar(d, k, v);
		}
	}
}

/* rte_telemetry accepts only letters, digits, '_' and '/' in dict names. */
static void tel_name(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in[i] && i + 1 < len; i++)
		out[i] = (isalnum((unsigned char)in[i]) || in[i] == '_' || in[i] == '/') ? in[i] : '_';
	out[i] = '\0';
}

static int tel_switches_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (uint16_t s = 0; s < tel_state->fabric->n_switches; s++)
		rte_tel_data_add_array_string(d, tel_state->fabric->switches[s].name);
	return 0;
}

static int tel_stats_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *stats = loom_stats_snapshot(tel_state), *sw, *drops;
	struct rte_tel_data *dd;
	const char *k;
	json_t *v;

	(void)cmd;
	sw = find_switch(stats, params);
	if (!sw) {
		json_decref(stats);
		return -1; /* the telemetry socket answers null: no such switch */
	}
	rte_tel_data_start_dict(d);
	add_flat(d, sw, "ports");
	/* the drops by reason also as a nested dict, as `stats` has them */
	drops = json_object_get(sw, "drops");
	dd = rte_tel_data_alloc();
	if (dd) {
		rte_tel_data_start_dict(dd);
		json_object_foreach(drops, k, v)
			add_scalar(dd, k, v);
		rte_tel_data_add_dict_container(d, "drops", dd, 0);
	}
	json_decref(stats);
	return 0;
}

static int tel_ports_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *stats = loom_stats_snapshot(tel_state), *sw, *port;
	size_t i;

	(void)cmd;
	sw = find_switch(stats, params);
	if (!sw) {
		json_decref(stats);
		return -1;
	}
	rte_tel_data_start_dict(d);
	json_array_foreach(json_object_get(sw, "ports"), i, port) {
		struct rte_tel_data *pd = rte_tel_data_alloc();

		if (!pd)
			break;
		char key[RTE_TEL_MAX_STRING_LEN];

		rte_tel_data_start_dict(pd);
		add_flat(pd, port, NULL);
		tel_name(json_string_value(json_object_get(port, "name")), key, sizeof(key));
		if (rte_tel_data_add_dict_container(d, key, pd, 0) != 0)
			rte_tel_data_free(pd);
	}
	json_decref(stats);
	return 0;
}

static int tel_fidelity_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *reply = ctl_handle_request(tel_state, "{\"cmd\": \"status\"}");
	json_t *fd = json_object_get(json_object_get(reply, "result"), "fidelity"), *v;
	size_t b;

	(void)cmd;
	(void)params;
	if (!fd) {
		json_decref(reply);
		return -1;
	}
	rte_tel_data_start_dict(d);
	add_flat(d, fd, NULL);
	json_array_foreach(json_object_get(fd, "late_hist_ms"), b, v) {
		char name[RTE_TEL_MAX_STRING_LEN];

		snprintf(name, sizeof(name), "late_hist_ms_%zu", b);
		add_scalar(d, name, v);
	}
	json_decref(reply);
	return 0;
}

/* Run a command with the state attached, or answer null without one. */
static int tel_call(int (*fn)(const char *, const char *, struct rte_tel_data *), const char *cmd,
		    const char *params, struct rte_tel_data *d)
{
	int rc = -1;

	pthread_mutex_lock(&tel_lock);
	if (tel_state)
		rc = fn(cmd, params, d);
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

static int tel_switches(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(tel_switches_locked, cmd, params, d);
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(tel_stats_locked, cmd, params, d);
}

static int tel_fidelity(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(tel_fidelity_locked, cmd, params, d);
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(tel_ports_locked, cmd, params, d);
}

int loom_dpdk_telemetry_register(struct loomd_state *st, char *err, size_t errlen)
{
	pthread_mutex_lock(&tel_lock);
	tel_state = st;
	pthread_mutex_unlock(&tel_lock);
	if (rte_telemetry_register_cmd("/loom/switches", tel_switches, "The switches of this loomd") != 0 ||
	    rte_telemetry_register_cmd("/loom/stats", tel_stats,
				       "A switch's counters, as loomctl stats. Parameter: switch name") != 0 ||
	    rte_telemetry_register_cmd("/loom/fidelity", tel_fidelity,
				       "How late the real-time loop's turns started, as loomctl status") != 0 ||
	    rte_telemetry_register_cmd("/loom/ports", tel_ports,
				       "A switch's per-port counters. Parameter: switch name") != 0) {
		snprintf(err, errlen, "cannot register the /loom telemetry commands");
		return -1;
	}
	return 0;
}

void loom_dpdk_telemetry_detach(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_state = NULL;
	pthread_mutex_unlock(&tel_lock);
}
