/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology's fault_handling and faults as loomd reads them
 * (docs/LOOMD_CONFIG.md, docs/FAULTS.md): every fault is a time, a switch,
 * a port (absent: the whole switch), an action (down, up, loss, ber) and
 * a rate. A flap becomes its downs and ups; a cell fabric's
 * `cell: link_down:` entries become downs, the same mechanism. In time
 * order, ties in file order, faults of switches this loomd hosts only.
 */
#include <stdlib.h>

#include <jansson.h>

#include "loomd_config.h"
#include "loomd_config_keys.h"

struct one {
	uint64_t at;
	int sw, port, order;
	const char *action;
	double rate;
};

static int one_cmp(const void *a, const void *b)
{
	const struct one *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->order - y->order;
}

static json_t *one_json(const struct topology *t, const struct one *e)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", LOOMD_KEY(FAULT_AT_NS), (json_int_t)e->at, LOOMD_KEY(FAULT_SWITCH),
			      t->switches[e->sw].name, LOOMD_KEY(FAULT_ACTION), e->action);

	if (e->port >= 0)
		json_object_set_new(o, LOOMD_KEY(FAULT_PORT), json_integer(e->port));
	if (e->action[0] == 'l' || e->action[0] == 'b')
		json_object_set_new(o, LOOMD_KEY(FAULT_RATE), json_real(e->rate));
	return o;
}

int loomd_faults_add(const struct topology *t, const bool *local, json_t *root)
{
	const struct topo_fault_handling *h = &t->fault_handling;
	size_t n = (size_t)t->cell.n_faults, k = 0;
	struct one *all;
	json_t *a;

	if (h->set)
		json_object_set_new(root, LOOMD_KEY(ROOT_FAULT_HANDLING),
				    json_pack("{s:I, s:I, s:I}", LOOMD_KEY(FAULT_HANDLING_DETECT_INTERVAL_NS),
					      (json_int_t)h->detect_interval_ns, LOOMD_KEY(FAULT_HANDLING_DETECT_MULTIPLIER),
					      (json_int_t)h->detect_multiplier, LOOMD_KEY(FAULT_HANDLING_REPAIR_DELAY_NS),
					      (json_int_t)h->repair_delay_ns));
	for (int i = 0; i < t->n_faults; i++)
		n += t->faults[i].action == TOPO_FAULT_FLAP ? 2 * (size_t)t->faults[i].count : 1;
	if (n == 0)
		return 0;
	all = calloc(n, sizeof(*all));
	if (!all)
		return -1;
	for (int i = 0; i < t->n_faults; i++) {
		const struct topo_fault *e = &t->faults[i];
		static const char *const names[] = {"down", "up", "", "loss", "ber"};

		if (local && !local[e->sw])
			continue;
		if (e->action != TOPO_FAULT_FLAP) {
			all[k] = (struct one){e->at_ns, e->sw, e->port, (int)k, names[e->action], e->rate};
			k++;
			continue;
		}
		for (uint32_t c = 0; c < e->count; c++) {
			uint64_t start = e->at_ns + c * e->period_ns;

			all[k] = (struct one){start, e->sw, e->port, (int)k, "down", 0};
			k++;
			all[k] = (struct one){start + e->period_ns / 2, e->sw, e->port, (int)k, "up", 0};
			k++;
		}
	}
	for (int i = 0; i < t->cell.n_faults; i++) {
		const struct topo_cell_fault *e = &t->cell.faults[i];

		if (local && !local[e->sw])
			continue;
		all[k] = (struct one){e->at_ns, e->sw, e->port, (int)k, "down", 0};
		k++;
	}
	qsort(all, k, sizeof(*all), one_cmp);
	a = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append_new(a, one_json(t, &all[i]));
	free(all);
	if (k)
		json_object_set_new(root, LOOMD_KEY(ROOT_FAULTS), a);
	else
		json_decref(a);
	return 0;
}
