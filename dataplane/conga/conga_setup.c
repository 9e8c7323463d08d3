/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CONGA's overlay set up at load (conga_switch.h): which fabrics run it, the
 * leaves' directory, each switch's tables and DREs, the fabric links' MTU.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_errno.h>
#include <rte_hash.h>

#include "conga_switch.h"
#include "fabric.h"
#include "lb_switch.h"
#include "loomd_config_read.h"
#include "stages.h"

static int fail(char *err, size_t errlen, const char *what, const char *why)
{
	snprintf(err, errlen, "conga: %s%s%s", what, why ? ": " : "", why ? why : "");
	return -1;
}

static bool is_conga(uint16_t policy)
{
	const struct lb_policy *p = lb_policy_at(policy);

	return p && (strcmp(p->name, "conga") == 0 || strcmp(p->name, "conga_packet") == 0);
}

/* A switch or one of its groups asked for CONGA. */
static bool switch_wants(const struct loom_switch *sw)
{
	if (sw->lb && is_conga(sw->lb->default_policy))
		return true;
	for (uint32_t g = 0; g < sw->n_groups; g++)
		if (is_conga(sw->groups[g].policy))
			return true;
	return false;
}

/* A host route "A/32": its address (network order). */
static int host_route4(const char *pfx, uint32_t *addr)
{
	const char *slash = pfx ? strchr(pfx, '/') : NULL;
	char a[64];

	if (!slash || (size_t)(slash - pfx) >= sizeof(a) || strcmp(slash, "/32") != 0)
		return -1;
	memcpy(a, pfx, (size_t)(slash - pfx));
	a[slash - pfx] = '\0';
	return inet_pton(AF_INET, a, addr) == 1 ? 0 : -1;
}

/* Host addresses of every leaf: /32 routes whose single next hop is a
 * host-facing port (as the cell fabric's directory, cell_setup.c). */
static int build_directory(struct conga_fabric *cf, const struct loom_fabric *f, const int *leaf_of, char *err,
			   size_t errlen)
{
	json_t *switches = json_object_get(f->config, LOOMD_KEY(ROOT_SWITCHES));
	uint32_t cap = 0, n = 0;
	static unsigned int names;
	char name[64];

	for (uint16_t s = 0; s < f->n_switches; s++)
		if (leaf_of[s] >= 0)
			cap += (uint32_t)json_array_size(json_object_get(json_array_get(switches, s), LOOMD_KEY(SWITCH_ROUTES)));
	snprintf(name, sizeof(name), "conga_dir_%u", names++);
	struct rte_hash_parameters hp = {.name = name, .entries = cap < 8 ? 8 : cap, .key_len = 4,
					 .socket_id = (int)rte_socket_id()};
	cf->dir4 = rte_hash_create(&hp);
	cf->dir_leaf = calloc(cap + 1, sizeof(*cf->dir_leaf));
	if (!cf->dir4 || !cf->dir_leaf)
		return fail(err, errlen, "cannot make the directory", rte_strerror(rte_errno));
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];
		json_t *r;
		size_t i;

		if (leaf_of[s] < 0)
			continue;
		json_array_foreach(json_object_get(json_array_get(switches, s), LOOMD_KEY(SWITCH_ROUTES)), i, r) {
			const char *pfx = json_string_value(json_object_get(r, LOOMD_KEY(ROUTE_PREFIX)));
			json_int_t g = json_integer_value(json_object_get(r, LOOMD_KEY(ROUTE_GROUP)));
			uint32_t addr;

			if (host_route4(pfx, &addr) < 0 || g < 0 || g >= sw->n_groups || sw->groups[g].n_members != 1 ||
			    !sw->ports[sw->nexthops[sw->members[sw->groups[g].first]].port].host_facing)
				continue;
			cf->dir_leaf[n] = (uint16_t)leaf_of[s];
			if (rte_hash_add_key_data(cf->dir4, &addr, (void *)(uintptr_t)n) < 0)
				return fail(err, errlen, "cannot add to the directory", pfx);
			n++;
		}
	}
	return 0;
}

/* Fabric links carry the 8 bytes of the overlay on top of the hosts' MTU. */
static void grow_fabric_mtu(struct loom_fabric *f, struct loom_switch *sw)
{
	uint16_t max = 0;

	for (uint16_t p = 0; p < sw->n_ports; p++) {
		struct loom_port *port = &sw->ports[p];

		if (!port->host_facing && port->mtu && port->mtu + CONGA_OPT_LEN <= UINT16_MAX - RTE_ETHER_HDR_LEN) {
			port->mtu += CONGA_OPT_LEN;
			port->max_plain_frame += CONGA_OPT_LEN;
		}
		if (port->mtu > f->max_mtu)
			f->max_mtu = port->mtu;
		if (port->mtu > max)
			max = port->mtu;
	}
	for (uint16_t p = 0; p < sw->n_ports; p++)
		sw->ports[p].mtu_below_switch = sw->ports[p].mtu > 0 && sw->ports[p].mtu < max;
}

static int switch_setup(struct loom_fabric *f, struct loom_switch *sw, const struct conga_fabric *cf, int leaf,
			char *err, size_t errlen)
{
	struct loom_conga_switch *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return fail(err, errlen, sw->name, "out of memory");
	sw->conga = cs;
	cs->fab = cf;
	cs->leaf = leaf < 0 ? CONGA_NO_LEAF : (uint16_t)leaf;
	cs->view.dre_period_ns = sw->lb->params.dre_period_ns;
	cs->age_ns = LB_CONGA_AGE_PERIODS * sw->lb->params.dre_period_ns;
	cs->view.dre = calloc(sw->n_ports + 1, sizeof(*cs->view.dre));
	if (!cs->view.dre || lb_conga_table_init(&cs->to_leaf, cf->n_leaves) < 0 ||
	    lb_conga_table_init(&cs->from_leaf, cf->n_leaves) < 0)
		return fail(err, errlen, sw->name, "out of memory");
	sw->lb->env.conga = &cs->view;
	sw->mode = &conga_mode;
	grow_fabric_mtu(f, sw);
	return 0;
}

int loom_conga_load(struct loom_fabric *f, char *err, size_t errlen)
{
	bool wanted = false;
	int *leaf_of;
	struct conga_fabric *cf;

	for (uint16_t s = 0; s < f->n_switches && !wanted; s++)
		wanted = switch_wants(&f->switches[s]);
	if (!wanted)
		return 0;
	if (f->cell)
		return fail(err, errlen, "a cell fabric sprays cells, not packets: conga needs mode packet", NULL);
	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];

		if (sw->mode != &loom_native_mode)
			return fail(err, errlen, sw->name, "conga runs on the native pipeline only");
		/* leaves are numbered and found (the directory) among this
		 * loomd's switches: a fabric split over machines (or one
		 * switch alone) would number them differently on each */
		for (uint16_t p = 0; p < sw->n_ports; p++)
			if (!sw->ports[p].host_facing && f->links[s][p].kind == LOOM_LINK_ETHDEV)
				return fail(err, errlen, sw->name,
					    "a fabric link leaves this loomd; conga needs the whole fabric in one loomd");
	}
	cf = calloc(1, sizeof(*cf));
	leaf_of = calloc(f->n_switches, sizeof(*leaf_of));
	if (!cf || !leaf_of) {
		free(cf);
		free(leaf_of);
		return fail(err, errlen, "out of memory", NULL);
	}
	f->conga = cf;
	for (uint16_t s = 0; s < f->n_switches; s++)
		leaf_of[s] = f->switches[s].role == LOOM_ROLE_LEAF ? cf->n_leaves++ : -1;
	int rc = build_directory(cf, f, leaf_of, err, errlen);
	for (uint16_t s = 0; rc == 0 && s < f->n_switches; s++)
		rc = switch_setup(f, &f->switches[s], cf, leaf_of[s], err, errlen);
	free(leaf_of);
	return rc;
}

void loom_conga_free(struct loom_fabric *f)
{
	for (uint16_t s = 0; f->switches && s < f->n_switches; s++) {
		struct loom_conga_switch *cs = f->switches[s].conga;

		if (!cs)
			continue;
		if (f->switches[s].lb)
			f->switches[s].lb->env.conga = NULL;
		lb_conga_table_free(&cs->to_leaf);
		lb_conga_table_free(&cs->from_leaf);
		free(cs->view.dre);
		free(cs);
		f->switches[s].conga = NULL;
	}
	if (f->conga) {
		rte_hash_free(f->conga->dir4);
		free(f->conga->dir_leaf);
		free(f->conga);
		f->conga = NULL;
	}
}
