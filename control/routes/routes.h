/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route computation: for one switch of a validated topology, its routes,
 * ECMP groups and next hops.
 *
 * Paths are valley-free (up the tiers leaf, spine, super-spine, then down)
 * and of least length; a route's group is every link that starts such a
 * path (ECMP).
 *  - leaf:       each attached host's /32 and /128 -> that host port;
 *                a leaf of its pod -> its uplinks to spines that have a
 *                link to that leaf; a leaf of another pod (or, with
 *                planes_joined, of another plane) -> its uplinks to spines
 *                that have a path to it through a super-spine.
 *  - spine:      a leaf it has a link to -> those downlinks (several when
 *                there are parallel links); any other leaf -> its uplinks
 *                to super-spines that have a path down to it.
 *  - superspine: a leaf -> its downlinks to spines that have a link to it.
 * Every leaf subnet (IPv4 and IPv6) is routed so. Planes that share no
 * switch have no path to each other: they are independent fabrics, and a
 * switch only routes to its own plane. In a two-tier Clos (no pods, no
 * super-spines) this is: a leaf reaches the other leaves of its plane
 * through the spines linked to them, a spine through its downlinks.
 * Groups with the same member set are shared.
 */
#ifndef LOOM_ROUTES_H
#define LOOM_ROUTES_H

#include "../topo/topology.h"

struct route_nexthop {
	int port;       /* egress port of this switch */
	uint8_t mac[6]; /* destination MAC: the host's or the peer switch port's */
	char peer[TOPO_NAME_MAX + 8]; /* "h0" or "spine1:3", for display */
};

struct route_group {
	int n_members;
	int *members; /* indices into nexthops */
};

struct route_entry {
	struct topo_prefix prefix;
	int group;
};

struct switch_routes {
	int n_nexthops, n_groups, n_routes;
	struct route_nexthop *nexthops;
	struct route_group *groups;
	struct route_entry *routes; /* sorted: IPv4 before IPv6, then by address, then length */
};

int routes_compute(const struct topology *t, int sw, struct switch_routes *out);
void routes_free(struct switch_routes *r);

/*
 * For computing many switches: the links of every switch, indexed once, so
 * that each switch costs time in its own links and its neighbours' rather
 * than in all links of the fabric (a generated fabric has up to 262144).
 * routes_compute() builds one for a single call. The index refers to `t`,
 * which must outlive it.
 */
struct routes_index;
struct routes_index *routes_index_new(const struct topology *t); /* NULL when out of memory */
void routes_index_free(struct routes_index *ix);
/* The links of switch sw, as indices into t->links, in link order. */
const int *routes_index_links(const struct routes_index *ix, int sw, int *n);
int routes_compute_indexed(const struct routes_index *ix, int sw, struct switch_routes *out);
/* Human-readable table for `loomctl routes SWITCH`. */
void routes_print(const struct topology *t, int sw, const struct switch_routes *r, FILE *out);

/* "02:4c:00:02:00:03": the form MACs take in tables and in the loomd
 * configuration. buf holds at least ROUTES_MAC_STRLEN bytes. */
#define ROUTES_MAC_STRLEN 18
void routes_format_mac(const uint8_t mac[6], char *buf);

#endif
