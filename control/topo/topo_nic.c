/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `nic:` of a topology (docs/VIRTUAL_TIME.md): how a multi-plane generator
 * host's NIC spreads a flow over its planes (dataplane/hosts/gen_plane.h).
 *
 *   nic:
 *     plane_spread: packet   # flow (default), flowlet, packet or weighted
 *     flowlet_gap: 50us      # flowlet: a gap that lets a flow change plane
 *
 * Only in a fabric of several planes with generator hosts: anywhere else
 * it would change nothing, and says so with file and line.
 */
#include <string.h>

#include "topo_internal.h"

static const char *const spreads[] = {"flow", "flowlet", "packet", "weighted"};

int topo_load_nic(struct topo_loader *ld, const struct yaml_doc_field *nic)
{
	struct yaml_doc_field f[] = { { "plane_spread" }, { "flowlet_gap" } };
	struct topology *t = ld->t;
	const char *s;
	bool generators = false;

	if (!nic->v)
		return 0;
	for (int h = 0; h < t->n_hosts; h++)
		generators |= t->hosts[h].port_type == TOPO_PORT_GENERATOR;
	if (t->n_planes < 2 || !generators)
		return yaml_doc_error(&ld->yd, yaml_doc_line(nic->k),
				  "nic: spreads a multi-plane generator host's flows over its planes, but this "
				  "fabric has %d plane%s%s", t->n_planes, t->n_planes == 1 ? "" : "s",
				  generators ? "" : " and no generator hosts");
	if (yaml_doc_fields(&ld->yd, nic->v, "nic", f, 2) < 0)
		return -1;
	if (f[0].v) {
		bool known = false;

		if (yaml_doc_get_str(&ld->yd, &f[0], &s) < 0)
			return -1;
		for (size_t i = 0; i < sizeof(spreads) / sizeof(spreads[0]); i++)
			known |= strcmp(s, spreads[i]) == 0;
		if (!known)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[0].v), "nic: plane_spread '%s' (%s)", s,
					  TOPO_PLANE_SPREADS);
		snprintf(t->nic.plane_spread, sizeof(t->nic.plane_spread), "%s", s);
	}
	if (f[1].v) {
		if (topo_get_delay(&ld->yd, &f[1], &t->nic.flowlet_gap_ns) < 0)
			return -1;
		if (strcmp(t->nic.plane_spread, "flowlet") != 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[1].k),
					  "nic: flowlet_gap goes with plane_spread: flowlet");
		if (t->nic.flowlet_gap_ns == 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[1].v), "nic: flowlet_gap must be above 0");
	}
	return 0;
}
