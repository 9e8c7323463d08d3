/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GET /api/topology: the fabric as the page draws it. Switches carry
 * their tier, plane and pod; links name both ends as (node, port), a
 * host end's port being its interface index. The link id is the one the
 * page and the tests use: "A:P-B:Q" with the ends in the file's order.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_client.h"
#include "topo/topology.h"
#include "web_topology.h"
#include "workload/workload.h"

#define STATE_FILE (loom_run_paths()->state)

static json_t *end_json(const struct topology *t, const struct topo_end *e)
{
	return json_pack("{s:s, s:s, s:i}", "kind", e->is_host ? "host" : "switch", "node",
			 e->is_host ? t->hosts[e->node].name : t->switches[e->node].name, "port", e->port);
}

static json_t *topology_json(const struct topology *t)
{
	json_t *switches = json_array(), *hosts = json_array(), *links = json_array();

	for (int s = 0; s < t->n_switches; s++) {
		const struct topo_switch *sw = &t->switches[s];

		json_array_append_new(switches, json_pack("{s:s, s:s, s:i, s:i, s:i}", "name", sw->name, "role",
							  topo_role_name(sw->role), "plane", sw->plane, "pod",
							  sw->pod, "ports", sw->n_ports));
	}
	for (int h = 0; h < t->n_hosts; h++)
		json_array_append_new(hosts, json_pack("{s:s}", "name", t->hosts[h].name));
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		json_t *a = end_json(t, &l->a), *b = end_json(t, &l->b);
		char id[2 * TOPO_NAME_MAX + 32];

		snprintf(id, sizeof(id), "%s:%d-%s:%d", json_string_value(json_object_get(a, "node")), l->a.port,
			 json_string_value(json_object_get(b, "node")), l->b.port);
		json_array_append_new(links, json_pack("{s:s, s:o, s:o, s:I, s:I}", "id", id, "a", a, "b", b, "rate_bps",
						       (json_int_t)(l->rate_bps ? l->rate_bps : t->default_rate_bps),
						       "delay_ns", (json_int_t)l->delay_ns));
	}
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:o, s:o, s:o}", "fabric", t->name, "file", t->file, "tiers",
			 t->n_tiers, "planes", t->n_planes, "pods", t->n_pods, "planes_joined", t->planes_joined,
			 "switches", switches, "hosts", hosts, "links", links);
}

json_t *web_topology_of_file(const char *path, char *err, size_t errlen)
{
	struct topology t;
	json_t *r;

	if (topo_load(path, &workload_traffic, &t, err, errlen) < 0)
		return NULL;
	r = topology_json(&t);
	topo_free(&t);
	if (!r)
		snprintf(err, errlen, "out of memory");
	return r;
}

json_t *web_topology_running(char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *state = json_load_file(STATE_FILE, 0, &jerr), *r;
	const char *path;

	if (!state) {
		snprintf(err, errlen, "cannot read %s: %s (is a fabric up? 'loomctl up FILE', as root)", STATE_FILE,
			 jerr.text);
		return NULL;
	}
	path = json_string_value(json_object_get(state, "topology"));
	r = path ? web_topology_of_file(path, err, errlen) : NULL;
	if (!path)
		snprintf(err, errlen, "%s names no topology file", STATE_FILE);
	json_decref(state);
	return r;
}
