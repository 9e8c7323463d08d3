/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: loomd's JSON configuration, the part that runs without EAL.
 * - Every object of the document is read as loomd reads it, through the
 *   contract's typed accessors (api/loomd_config_read.c), recording the
 *   shadow as loomd --check-config does; unknown keys are looked up.
 * - The traffic-manager settings (dataplane/config/config_tm.c) are read
 *   for a fabric shaped by the document's switches and ports.
 * loom_fabric_load() itself builds DPDK objects (rte_fib, rte_ring,
 * rte_malloc, mempools), which need EAL: not here. The traffic manager's
 * queues (tm_setup.c, rte_malloc) are replaced by the stubs below.
 */
#include <stdlib.h>

#include <jansson.h>

#include "config.h"
#include "loomd_config_read.h"
#include "switch.h"
#include "tm.h"

#include "fuzz_input.h"

/* Stubs of tm_setup.c (DPDK memory): the settings are what is fuzzed. The
 * PFC-frame pool is only handed to tm_switch_create (stubbed too): a
 * non-NULL token stands for it. */
static char ctrl_pool_token;

struct rte_mempool *tm_ctrl_pool_create(uint32_t n_ports)
{
	(void)n_ports;
	return (struct rte_mempool *)&ctrl_pool_token;
}

int tm_switch_create(struct loom_switch *sw, const struct loom_tm_cfg *cfg, unsigned int id,
		     struct rte_mempool *ctrl_pool)
{
	(void)sw, (void)cfg, (void)id, (void)ctrl_pool;
	return 0;
}
int tm_port_create(struct loom_port *p, const struct loom_tm_cfg *cfg, uint64_t rate_scaled, loom_time_ns now)
{
	(void)p, (void)cfg, (void)rate_scaled, (void)now;
	return 0;
}
void tm_port_free(struct loom_port *p)
{
	(void)p;
}
void tm_switch_free(struct loom_switch *sw)
{
	(void)sw;
}
int tm_switch_reserve(struct loom_switch *sw)
{
	(void)sw;
	return 0;
}

/* Read every key of `obj` of kind `kind` with its accessor, and recurse. */
static void walk(json_t *obj, enum loomd_object kind, int depth)
{
	char err[256];

	if (!json_is_object(obj) || kind >= LOOMD_OBJ_N || depth > 8)
		return;
	(void)loomd_cfg_unknown_key(obj, kind);
	for (int k = 0; k < LOOMD_N_KEYS; k++) {
		const struct loomd_key_info *ki = &loomd_config_keys[k];
		json_t *v = NULL;
		const char *s;
		json_int_t i;
		uint64_t u;
		double d;
		bool b;
		int rc = 0;

		if (ki->object != kind)
			continue;
		err[0] = '\0';
		switch (ki->type) {
		case LOOMD_STRING:
			rc = loomd_cfg_string(obj, (enum loomd_key)k, &s, err, sizeof(err));
			break;
		case LOOMD_INTEGER:
			rc = loomd_cfg_int(obj, (enum loomd_key)k, 0, &i, err, sizeof(err));
			if (rc == 0)
				rc = loomd_cfg_u64(obj, (enum loomd_key)k, 0, &u, err, sizeof(err));
			break;
		case LOOMD_NUMBER:
			rc = loomd_cfg_number(obj, (enum loomd_key)k, 0, &d, err, sizeof(err));
			break;
		case LOOMD_BOOLEAN:
			rc = loomd_cfg_bool(obj, (enum loomd_key)k, false, &b, err, sizeof(err));
			break;
		case LOOMD_ARRAY:
		case LOOMD_OBJECT:
			rc = loomd_cfg_get(obj, (enum loomd_key)k, &v, err, sizeof(err));
			break;
		}
		if (rc < 0 && !strstr(err, ki->name))
			abort(); /* a type error names the key */
		if (rc < 0 || !v || ki->holds >= LOOMD_OBJ_N)
			continue;
		if (json_is_array(v)) {
			size_t n;
			json_t *e;
			json_array_foreach(v, n, e)
				walk(e, ki->holds, depth + 1);
		} else {
			walk(v, ki->holds, depth + 1);
		}
	}
}

/* A fabric with the document's switches and ports, every port linked. */
static void tm_settings(json_t *root)
{
	json_t *switches = json_object_get(root, "switches");
	struct loom_fabric f = {0};
	char err[512];
	size_t n = json_array_size(switches);

	if (n == 0 || n > 64)
		return;
	f.n_switches = (uint16_t)n;
	f.switches = calloc(n, sizeof(*f.switches));
	f.links = calloc(n, sizeof(*f.links));
	if (!f.switches || !f.links)
		abort();
	for (size_t s = 0; s < n; s++) {
		size_t np = json_array_size(json_object_get(json_array_get(switches, s), "ports"));

		np = np > 256 ? 256 : np;
		f.switches[s].n_ports = (uint16_t)np;
		f.switches[s].ports = calloc(np + 1, sizeof(*f.switches[s].ports));
		f.links[s] = calloc(np + 1, sizeof(*f.links[s]));
		if (!f.switches[s].ports || !f.links[s])
			abort();
		snprintf(f.switches[s].name, sizeof(f.switches[s].name), "s%zu", s);
		for (size_t p = 0; p < np; p++) {
			f.links[s][p].kind = LOOM_LINK_RING;
			f.switches[s].ports[p].rate_bps = 100000000000ull;
		}
	}
	err[0] = '\0';
	if (loom_fabric_load_tm(&f, root, err, sizeof(err)) < 0 && !err[0])
		abort();
	for (size_t s = 0; s < n; s++) {
		free(f.switches[s].ports);
		free(f.links[s]);
	}
	free(f.switches);
	free(f.links);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, 0, &jerr), *shadow;

	if (!root)
		return 0;
	if (loomd_cfg_record_start(root) == 0) {
		walk(root, LOOMD_OBJ_ROOT, 0);
		shadow = loomd_cfg_record_finish();
		json_decref(shadow);
	}
	tm_settings(root);
	json_decref(root);
	return 0;
}
