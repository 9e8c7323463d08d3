/* SPDX-License-Identifier: BSD-3-Clause */
/* The `cell` object of loomd's configuration from a topology's `mode: cell`
 * and `cell:` (docs/LOOMD_CONFIG.md; loomd: dataplane/cell/cell_setup.c).
 * Keys the topology does not give are left out: loomd's defaults apply. */
#include <jansson.h>

#include "loomd_config.h"
#include "loomd_config_keys.h"

json_t *loomd_cell_json(const struct topology *t)
{
	const struct topo_cell *c = &t->cell;
	json_t *o;

	if (!c->on)
		return NULL;
	o = json_object();
	if (c->payload)
		json_object_set_new(o, LOOMD_KEY(CELL_PAYLOAD), json_integer(c->payload));
	if (c->credit_bytes)
		json_object_set_new(o, LOOMD_KEY(CELL_CREDIT_BYTES), json_integer(c->credit_bytes));
	if (c->spray[0])
		json_object_set_new(o, LOOMD_KEY(CELL_SPRAY), json_string(c->spray));
	if (c->voq_bytes)
		json_object_set_new(o, LOOMD_KEY(CELL_VOQ_BYTES), json_integer((json_int_t)c->voq_bytes));
	if (c->egress_limit)
		json_object_set_new(o, LOOMD_KEY(CELL_EGRESS_LIMIT), json_integer((json_int_t)c->egress_limit));
	if (c->uplink_limit)
		json_object_set_new(o, LOOMD_KEY(CELL_UPLINK_LIMIT), json_integer((json_int_t)c->uplink_limit));
	if (c->standing_credit)
		json_object_set_new(o, LOOMD_KEY(CELL_STANDING_CREDIT), json_integer((json_int_t)c->standing_credit));
	if (c->ecn_kmin)
		json_object_set_new(o, LOOMD_KEY(CELL_ECN_KMIN), json_integer((json_int_t)c->ecn_kmin));
	if (c->ecn_kmax)
		json_object_set_new(o, LOOMD_KEY(CELL_ECN_KMAX), json_integer((json_int_t)c->ecn_kmax));
	if (c->voq_packets)
		json_object_set_new(o, LOOMD_KEY(CELL_VOQ_PACKETS), json_integer(c->voq_packets));
	if (c->classes)
		json_object_set_new(o, LOOMD_KEY(CELL_CLASSES), json_integer(c->classes));
	if (c->n_weights) {
		json_t *w = json_array();
		for (int i = 0; i < c->n_weights; i++)
			json_array_append_new(w, json_integer(c->weights[i]));
		json_object_set_new(o, LOOMD_KEY(CELL_WEIGHTS), w);
	}
	if (c->reasm_timeout_ns)
		json_object_set_new(o, LOOMD_KEY(CELL_REASSEMBLY_TIMEOUT_NS), json_integer((json_int_t)c->reasm_timeout_ns));
	if (c->request_refresh_ns)
		json_object_set_new(o, LOOMD_KEY(CELL_REQUEST_REFRESH_NS), json_integer((json_int_t)c->request_refresh_ns));
	if (c->capture_file[0]) {
		json_t *cap = json_pack("{s:s, s:i, s:s}", LOOMD_KEY(CELL_CAPTURE_SWITCH), t->switches[c->capture_sw].name,
					LOOMD_KEY(CELL_CAPTURE_PORT), c->capture_port, LOOMD_KEY(CELL_CAPTURE_FILE),
					c->capture_file);

		if (c->capture_max_bytes)
			json_object_set_new(cap, LOOMD_KEY(CELL_CAPTURE_MAX_BYTES),
					    json_integer((json_int_t)c->capture_max_bytes));
		json_object_set_new(o, LOOMD_KEY(CELL_CAPTURE), cap);
	}
	/* link_down entries are faults like any other (faults_config.c) */
	return o;
}
