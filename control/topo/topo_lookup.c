/* SPDX-License-Identifier: BSD-3-Clause */
/* Lookups in a loaded topology (topology.h): a role's name, switches and
 * hosts by name, a host's link, whether a switch port is linked. */
#include <string.h>

#include "topology.h"

const char *topo_role_name(enum topo_role role)
{
	switch (role) {
	case TOPO_LEAF:
		return "leaf";
	case TOPO_SPINE:
		return "spine";
	case TOPO_SUPERSPINE:
		return "superspine";
	}
	return "?";
}

int topo_switch_index(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->n_switches; i++)
		if (strcmp(t->switches[i].name, name) == 0)
			return i;
	return -1;
}

int topo_host_link(const struct topology *t, int host)
{
	for (int i = 0; i < t->n_links; i++)
		if ((t->links[i].a.is_host && t->links[i].a.node == host) ||
		    (t->links[i].b.is_host && t->links[i].b.node == host))
			return i;
	return -1;
}

bool topo_switch_port_linked(const struct topology *t, int sw, int port)
{
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if ((!l->a.is_host && l->a.node == sw && l->a.port == port) ||
		    (!l->b.is_host && l->b.node == sw && l->b.port == port))
			return true;
	}
	return false;
}

int topo_host_index(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->n_hosts; i++)
		if (strcmp(t->hosts[i].name, name) == 0)
			return i;
	return -1;
}
