/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks on the whole model, shared by the explicit and the generator
 * form: what a single YAML node cannot show (a port used twice, subnets
 * that overlap, a plane that falls apart). The route computation relies on
 * all of it, so nothing downstream checks again.
 */
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "topo_internal.h"

struct vstate {
	struct topology *t;
	const struct topo_src *src;
	const struct yaml_doc *c;
	int *port_link;  /* [switch * TOPO_MAX_PORTS + port] -> link, or -1 */
	int *iface_link; /* [host * TOPO_MAX_PLANES + ifindex] -> link, or -1 */
	bool *has_hosts; /* per switch */
	struct topo_names devargs;
};

/* Generated elements have line 0: point at the `generate:` key instead. */
static int line_or(const struct vstate *v, int line)
{
	return line > 0 ? line : v->src->fallback_line;
}

static int link_line(const struct vstate *v, int i)
{
	return line_or(v, v->t->links[i].pos.line);
}

static int end_line(const struct vstate *v, int i, int e)
{
	return v->src->ln ? line_or(v, v->src->ln[i].end[e]) : link_line(v, i);
}

static int devargs_line(const struct vstate *v, int i, int e)
{
	return v->src->ln ? line_or(v, v->src->ln[i].devargs[e]) : link_line(v, i);
}

static int prefix_line(const struct vstate *v, int sw, int family)
{
	int line = 0;

	if (v->src->sw)
		line = family == 4 ? v->src->sw[sw].ipv4 : v->src->sw[sw].ipv6;
	return line_or(v, line ? line : v->t->switches[sw].pos.line);
}

static const struct topo_end *link_end(const struct topo_link *l, int e)
{
	return e ? &l->b : &l->a;
}

static const char *end_name(const struct topology *t, const struct topo_end *e)
{
	return e->is_host ? t->hosts[e->node].name : t->switches[e->node].name;
}

/* --- switches: their subnets on their own -------------------------------- */

static int check_prefix(struct vstate *v, int sw, int family)
{
	const struct topo_switch *s = &v->t->switches[sw];
	const struct topo_prefix *p = family == 4 ? &s->subnet4 : &s->subnet6;
	const char *key = family == 4 ? "ipv4" : "ipv6";
	int max = family == 4 ? 30 : 126; /* room for a gateway and a host */
	int line = prefix_line(v, sw, family);
	char buf[64];

	if (!p->family)
		return 0;
	topo_format_prefix(p, buf, sizeof(buf));
	if (s->role != TOPO_LEAF)
		return yaml_doc_error(v->c, line, "%s on %s %s: only leaves have host subnets", key,
				  topo_role_name(s->role), s->name);
	if (p->family != family)
		return yaml_doc_error(v->c, line, "%s '%s' of %s is not an IPv%d prefix", key, buf,
				  s->name, family);
	if (topo_prefix_host_bits_set(p))
		return yaml_doc_error(v->c, line, "%s '%s' of %s has host bits set", key, buf,
				  s->name);
	if (p->len > max)
		return yaml_doc_error(v->c, line,
				  "%s '%s' of %s is too small: prefix length at most %d", key,
				  buf, s->name, max);
	return 0;
}

/* --- links ----------------------------------------------------------------- */

static const char *role_plural(enum topo_role r)
{
	return r == TOPO_LEAF ? "leaves" : r == TOPO_SPINE ? "spines" : "superspines";
}

/*
 * Switch links join adjacent tiers: leaf-spine within one plane and one
 * pod, spine-superspine within one plane unless the super-spines are
 * shared (planes_joined). Routes go up, then down, along these links only.
 */
static int check_switch_link(struct vstate *v, int i)
{
	const struct topo_link *l = &v->t->links[i];
	const struct topo_switch *a = &v->t->switches[l->a.node];
	const struct topo_switch *b = &v->t->switches[l->b.node];
	const struct topo_switch *lo = a->role < b->role ? a : b;
	bool shared = v->t->planes_joined && (a->role == TOPO_SUPERSPINE || b->role == TOPO_SUPERSPINE);

	if (a->role == b->role)
		return yaml_doc_error(v->c, link_line(v, i),
				  "link %s - %s joins two %s: switch links go leaf to spine or spine "
				  "to superspine", a->name, b->name, role_plural(a->role));
	if (lo->role == TOPO_LEAF && (a->role == TOPO_SUPERSPINE || b->role == TOPO_SUPERSPINE))
		return yaml_doc_error(v->c, link_line(v, i),
				  "link %s - %s joins a leaf and a superspine: leaves link to spines, "
				  "spines to super-spines", a->name, b->name);
	if (a->plane != b->plane && !shared)
		return yaml_doc_error(v->c, link_line(v, i), "link %s - %s crosses planes %d and %d",
				  a->name, b->name, a->plane, b->plane);
	if (lo->role == TOPO_LEAF && a->pod != b->pod)
		return yaml_doc_error(v->c, link_line(v, i),
				  "link %s - %s crosses pods %d and %d: a leaf links to the spines of "
				  "its own pod", a->name, b->name, a->pod, b->pod);
	return 0;
}

/* The host must fit in the leaf's subnet below the broadcast address. */
static bool host_fits(const struct topo_prefix *p, int port)
{
	int bits = (p->family == 6 ? 128 : 32) - p->len;
	uint64_t need = 2 + (uint64_t)port + (p->family == 4); /* + broadcast */

	return p->family == 0 || bits >= 63 || need < (1ull << bits);
}

static int check_host_link(struct vstate *v, int i, int he)
{
	struct topo_link *l = &v->t->links[i];
	struct topo_end *h = he ? &l->b : &l->a;
	const struct topo_end *s = he ? &l->a : &l->b;
	const struct topo_switch *sw = &v->t->switches[s->node];
	const char *host = v->t->hosts[h->node].name;
	int *used;
	char buf[64];

	if (sw->role != TOPO_LEAF)
		return yaml_doc_error(v->c, end_line(v, i, he),
				  "host %s linked to %s %s: hosts attach to leaves", host,
				  topo_role_name(sw->role), sw->name);
	if (h->port < 0) /* "h0": the interface of the leaf's plane */
		h->port = sw->plane;
	if (h->port != sw->plane)
		return yaml_doc_error(v->c, end_line(v, i, he),
				  "host %s interface eth%d does not match plane %d of %s (use eth%d)",
				  host, h->port, sw->plane, sw->name, sw->plane);
	used = &v->iface_link[h->node * TOPO_MAX_PLANES + h->port];
	if (*used >= 0)
		return yaml_doc_error(v->c, end_line(v, i, he),
				  "host %s already has a link in plane %d (eth%d, the link at line %d)",
				  host, sw->plane, h->port, link_line(v, *used));
	*used = i;
	v->has_hosts[s->node] = true;
	if (!host_fits(&sw->subnet4, s->port) || !host_fits(&sw->subnet6, s->port)) {
		const struct topo_prefix *p = host_fits(&sw->subnet4, s->port) ? &sw->subnet6
										: &sw->subnet4;

		topo_format_prefix(p, buf, sizeof(buf));
		return yaml_doc_error(v->c, end_line(v, i, !he),
				  "host %s on %s port %d: its address falls outside %s", host,
				  sw->name, s->port, buf);
	}
	return 0;
}

static int check_port(struct vstate *v, int i, int e)
{
	const struct topo_end *end = link_end(&v->t->links[i], e);
	struct topo_switch *sw = &v->t->switches[end->node];
	int *used = &v->port_link[end->node * TOPO_MAX_PORTS + end->port];

	if (*used >= 0)
		return yaml_doc_error(v->c, end_line(v, i, e),
				  "port %s:%d already used by the link at line %d", sw->name,
				  end->port, link_line(v, *used));
	*used = i;
	if (end->port + 1 > sw->n_ports)
		sw->n_ports = end->port + 1;
	return 0;
}

static int check_devargs(struct vstate *v, int i, int e)
{
	const struct topo_end *end = link_end(&v->t->links[i], e);
	int prev;

	if (!end->devargs[0])
		return 0;
	if (end->is_host)
		return yaml_doc_error(v->c, devargs_line(v, i, e),
				  "devargs_%c on host end %s: only switch ends take devargs",
				  'a' + e, end_name(v->t, end));
	prev = topo_names_put(&v->devargs, end->devargs, i);
	if (prev == -2)
		return yaml_doc_error(v->c, devargs_line(v, i, e), "out of memory");
	if (prev >= 0)
		return yaml_doc_error(v->c, devargs_line(v, i, e),
				  "devargs '%s' already used by the link at line %d", end->devargs,
				  link_line(v, prev));
	return 0;
}

static int check_link(struct vstate *v, int i)
{
	const struct topo_link *l = &v->t->links[i];

	if (l->a.is_host && l->b.is_host)
		return yaml_doc_error(v->c, link_line(v, i), "link joins two hosts (%s and %s)",
				  v->t->hosts[l->a.node].name, v->t->hosts[l->b.node].name);
	if (l->rate_bps == 0)
		return yaml_doc_error(v->c, link_line(v, i), "link rate must be > 0");
	if (!l->a.is_host && !l->b.is_host) {
		if (check_switch_link(v, i) < 0)
			return -1;
	} else if (check_host_link(v, i, l->b.is_host) < 0) {
		return -1;
	}
	for (int e = 0; e < 2; e++) {
		if (!link_end(l, e)->is_host && check_port(v, i, e) < 0)
			return -1;
		if (check_devargs(v, i, e) < 0)
			return -1;
	}
	return 0;
}

/* --- whole fabric ----------------------------------------------------------- */

static int check_hosts(struct vstate *v)
{
	const struct topology *t = v->t;

	for (int h = 0; h < t->n_hosts; h++) {
		bool linked = false;

		for (int p = 0; p < TOPO_MAX_PLANES; p++)
			linked |= v->iface_link[h * TOPO_MAX_PLANES + p] >= 0;
		if (!linked)
			return yaml_doc_error(v->c, line_or(v, t->hosts[h].pos.line),
					  "host %s has no links", t->hosts[h].name);
	}
	for (int s = 0; s < t->n_switches; s++)
		if (v->has_hosts[s] && !t->switches[s].subnet4.family)
			return yaml_doc_error(v->c, line_or(v, t->switches[s].pos.line),
					  "leaf %s has hosts but no ipv4 subnet",
					  t->switches[s].name);
	return 0;
}

static int check_overlap(struct vstate *v, int family)
{
	const struct topology *t = v->t;
	char pa[64], pb[64];

	for (int j = 1; j < t->n_switches; j++) {
		const struct topo_switch *b = &t->switches[j];
		const struct topo_prefix *bp = family == 4 ? &b->subnet4 : &b->subnet6;

		for (int i = 0; i < j && bp->family; i++) {
			const struct topo_switch *a = &t->switches[i];
			const struct topo_prefix *ap = family == 4 ? &a->subnet4 : &a->subnet6;

			if (!topo_prefix_overlap(ap, bp))
				continue;
			topo_format_prefix(bp, pb, sizeof(pb));
			topo_format_prefix(ap, pa, sizeof(pa));
			return yaml_doc_error(v->c, prefix_line(v, j, family),
					  "subnet %s of %s overlaps %s of %s (line %d)", pb,
					  b->name, pa, a->name, prefix_line(v, i, family));
		}
	}
	return 0;
}

/* A super-spine shared by every plane: it belongs to none of them. */
static bool is_shared(const struct topology *t, int s)
{
	return t->planes_joined && t->switches[s].role == TOPO_SUPERSPINE;
}

static int check_planes(struct vstate *v)
{
	struct topology *t = v->t;
	bool used[TOPO_MAX_PLANES] = { false };

	t->n_planes = 0;
	t->n_pods = 1;
	t->n_tiers = 2;
	for (int s = 0; s < t->n_switches; s++) {
		if (t->switches[s].pod + 1 > t->n_pods)
			t->n_pods = t->switches[s].pod + 1;
		if (t->switches[s].role == TOPO_SUPERSPINE)
			t->n_tiers = 3;
		if (is_shared(t, s))
			continue;
		used[t->switches[s].plane] = true;
		if (t->switches[s].plane + 1 > t->n_planes)
			t->n_planes = t->switches[s].plane + 1;
	}
	if (t->n_planes == 0) /* only shared super-spines: plane 0 is empty */
		t->n_planes = 1;
	for (int p = 0; p < t->n_planes; p++)
		if (!used[p])
			return yaml_doc_error(v->c, line_or(v, v->src->switches_line),
					  "plane %d has no switches: number planes from 0 without gaps",
					  p);
	return 0;
}

/* Union-find over switches and (host, plane) pairs: a host is a separate
 * vertex in each plane because it does not forward between its NICs. */
static int uf_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static int vertex(const struct topology *t, const struct topo_end *e)
{
	return e->is_host ? t->n_switches + e->node * TOPO_MAX_PLANES + e->port : e->node;
}

static int report_unconnected(struct vstate *v, int *parent, int p, int root)
{
	const struct topology *t = v->t;

	for (int s = 0; s < t->n_switches; s++)
		if (t->switches[s].plane == p && !is_shared(t, s) && uf_find(parent, s) != root)
			return yaml_doc_error(v->c, line_or(v, t->switches[s].pos.line),
					  "%s is not connected to the rest of plane %d",
					  t->switches[s].name, p);
	for (int h = 0; h < t->n_hosts; h++) {
		int x = t->n_switches + h * TOPO_MAX_PLANES + p;

		if (v->iface_link[h * TOPO_MAX_PLANES + p] >= 0 && uf_find(parent, x) != root)
			return yaml_doc_error(v->c, line_or(v, t->hosts[h].pos.line),
					  "%s is not connected to the rest of plane %d",
					  t->hosts[h].name, p);
	}
	return 0;
}

static int check_connected(struct vstate *v)
{
	const struct topology *t = v->t;
	int n = t->n_switches + t->n_hosts * TOPO_MAX_PLANES;
	int *parent = malloc(sizeof(*parent) * (size_t)n);
	int rc = 0, root0 = -1;

	if (!parent)
		return yaml_doc_error(v->c, 0, "out of memory");
	for (int x = 0; x < n; x++)
		parent[x] = x;
	for (int i = 0; i < t->n_links; i++) {
		int a = uf_find(parent, vertex(t, &t->links[i].a));
		int b = uf_find(parent, vertex(t, &t->links[i].b));

		parent[a] = b;
	}
	for (int p = 0; p < t->n_planes && rc == 0; p++) {
		int first = 0;

		/* check_planes: one exists */
		while (t->switches[first].plane != p || is_shared(t, first))
			first++;
		rc = report_unconnected(v, parent, p, uf_find(parent, first));
		if (p == 0)
			root0 = uf_find(parent, first);
	}
	/* Shared super-spines join the planes: each must reach plane 0, and
	 * through it the others it links to. */
	for (int s = 0; s < t->n_switches && rc == 0; s++)
		if (is_shared(t, s) && uf_find(parent, s) != root0)
			rc = yaml_doc_error(v->c, line_or(v, t->switches[s].pos.line),
					"%s is not connected to the rest of the fabric",
					t->switches[s].name);
	free(parent);
	return rc;
}

/* af_xdp's limit (loom/frame.h): its own port's MTU, and any link's, as
 * its UMEM is loomd's mbuf pool, whose buffers are sized for the largest. */
static int check_af_xdp_mtu(struct vstate *v)
{
	const struct topology *t = v->t;
	int big = -1;

	for (int i = 0; i < t->n_links; i++)
		if (big < 0 || t->links[i].mtu > t->links[big].mtu)
			big = i;
	for (int i = 0; big >= 0 && i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *h = l->a.is_host ? &l->a : l->b.is_host ? &l->b : NULL;

		if (!h || t->hosts[h->node].port_type != TOPO_PORT_AF_XDP)
			continue;
		if (l->mtu > LOOM_AF_XDP_HOST_MAX_MTU)
			return yaml_doc_error(v->c, link_line(v, i),
					  "mtu %u on af_xdp host %s: an af_xdp host's link carries at most %u today "
					  "(above it full-sized frames do not fit loomd's buffers after XDP's headroom; "
					  "Linux's own XDP limit on a veth is %u); use port_type: af_packet",
					  l->mtu, t->hosts[h->node].name, LOOM_AF_XDP_HOST_MAX_MTU, LOOM_AF_XDP_VETH_MAX_MTU);
		if (t->links[big].mtu > LOOM_AF_XDP_MAX_MTU)
			return yaml_doc_error(v->c, link_line(v, i),
					  "af_xdp host %s in a fabric with mtu %u (the link at line %d): af_xdp's buffers "
					  "are loomd's, and hold at most an mtu of %u; use port_type: af_packet",
					  t->hosts[h->node].name, t->links[big].mtu, link_line(v, big),
					  LOOM_AF_XDP_MAX_MTU);
	}
	return 0;
}

static int run_checks(struct vstate *v)
{
	struct topology *t = v->t;

	if (t->n_switches == 0)
		return yaml_doc_error(v->c, line_or(v, v->src->switches_line), "fabric has no switches");
	for (int s = 0; s < t->n_switches; s++) {
		t->switches[s].n_ports = 0;
		if (check_prefix(v, s, 4) < 0 || check_prefix(v, s, 6) < 0)
			return -1;
	}
	for (int i = 0; i < t->n_links; i++)
		if (check_link(v, i) < 0)
			return -1;
	if (check_hosts(v) < 0 || check_overlap(v, 4) < 0 || check_overlap(v, 6) < 0)
		return -1;
	if (check_planes(v) < 0 || check_af_xdp_mtu(v) < 0)
		return -1;
	return check_connected(v);
}

int topo_validate(struct topology *t, const struct topo_src *src, const struct yaml_doc *c)
{
	struct vstate v = { .t = t, .src = src, .c = c };
	size_t nports = (size_t)t->n_switches * TOPO_MAX_PORTS;
	size_t nifaces = (size_t)t->n_hosts * TOPO_MAX_PLANES;
	int rc = -1;

	v.port_link = malloc(sizeof(int) * (nports + 1));
	v.iface_link = malloc(sizeof(int) * (nifaces + 1));
	v.has_hosts = calloc((size_t)t->n_switches + 1, sizeof(bool));
	if (v.port_link && v.iface_link && v.has_hosts && topo_names_init(&v.devargs, 16) == 0) {
		memset(v.port_link, 0xff, sizeof(int) * nports); /* all -1 */
		memset(v.iface_link, 0xff, sizeof(int) * nifaces);
		rc = run_checks(&v);
		topo_names_free(&v.devargs);
	} else {
		yaml_doc_error(c, 0, "out of memory");
	}
	free(v.port_link);
	free(v.iface_link);
	free(v.has_hosts);
	return rc;
}
