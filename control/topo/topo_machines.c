/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Machines: where the parts of a fabric run (docs/MULTI_MACHINE.md).
 *
 *   machines:
 *     - {name: m0, underlay: 192.168.50.1, interface: eth1, mtu: 9000}
 *     - {name: m1, underlay: 192.168.50.2}
 *   switches:
 *     - {name: leaf0, role: leaf, machine: m0, ...}
 *
 * or, in the generator form, `generate: {..., machines_by: pod|plane}`:
 * pod (plane) i on the i-th machine; super-spines, which belong to no pod
 * (shared ones to no plane), on the first. A host runs on its leaf's
 * machine (its veth cannot leave it); `machine:` on a host must agree.
 * A link between switches on two machines goes over VXLAN on the
 * underlay: its MTU plus VXLAN's bytes must fit both underlays' MTU.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

#define TOPO_MAX_MACHINES 256
#define UNDERLAY_MTU_DEFAULT 1500
#define UNDERLAY_MTU_MIN 1280 /* IPv6's minimum: anything less carries no useful link */
#define UNDERLAY_MTU_MAX 65535

int topo_machine_index(const struct topology *t, const char *name)
{
	for (int m = 0; m < t->n_machines; m++)
		if (strcmp(t->machines[m].name, name) == 0)
			return m;
	return -1;
}

bool topo_link_crosses_machines(const struct topology *t, const struct topo_link *l)
{
	return t->n_machines && !l->a.is_host && !l->b.is_host &&
	       t->switches[l->a.node].machine != t->switches[l->b.node].machine;
}

uint32_t topo_vxlan_overhead(const struct topo_machine *m)
{
	return 14 + 8 + 8 + (m->underlay.family == 6 ? 40 : 20);
}

/* "eth1", "ens3f0.100": what Linux accepts as an interface name, so that
 * the commands `up` writes never carry anything else. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TOPO_IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static void machine_names(const struct topology *t, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int m = 0; m < t->n_machines && at < len; m++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", m ? ", " : "", t->machines[m].name);
}

static int load_machine(struct topo_loader *ld, yaml_node_t *n, int i)
{
	enum { M_NAME, M_UNDERLAY, M_INTERFACE, M_MTU, M_N };
	struct yaml_doc_field f[M_N] = { { "name" }, { "underlay" }, { "interface" }, { "mtu" } };
	struct topo_machine *m = &ld->t->machines[i];
	const char *s;
	unsigned long mtu = UNDERLAY_MTU_DEFAULT;

	m->pos.line = yaml_doc_line(n);
	if (yaml_doc_fields(&ld->yd, n, "machine", f, M_N) < 0 ||
	    yaml_doc_require(&ld->yd, n, "machine", &f[M_NAME]) < 0 ||
	    yaml_doc_require(&ld->yd, n, "machine", &f[M_UNDERLAY]) < 0 ||
	    topo_get_name(&ld->yd, &f[M_NAME], m->name) < 0)
		return -1;
	for (int j = 0; j < i; j++)
		if (strcmp(ld->t->machines[j].name, m->name) == 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[M_NAME].v),
					  "duplicate machine '%s' (first at line %d)", m->name,
					  ld->t->machines[j].pos.line);
	if (yaml_doc_get_str(&ld->yd, &f[M_UNDERLAY], &s) < 0)
		return -1;
	if (inet_pton(AF_INET, s, m->underlay.addr) == 1) {
		m->underlay.family = 4;
		m->underlay.len = 32;
	} else if (inet_pton(AF_INET6, s, m->underlay.addr) == 1) {
		m->underlay.family = 6;
		m->underlay.len = 128;
	} else {
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[M_UNDERLAY].v),
				  "machine %s: underlay '%s' is not an IPv4 or IPv6 address", m->name, s);
	}
	for (int j = 0; j < i; j++)
		if (memcmp(&ld->t->machines[j].underlay, &m->underlay, sizeof(m->underlay)) == 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[M_UNDERLAY].v),
					  "machine %s has the underlay address of machine %s (line %d)", m->name,
					  ld->t->machines[j].name, ld->t->machines[j].pos.line);
	if (f[M_INTERFACE].v) {
		if (yaml_doc_get_str(&ld->yd, &f[M_INTERFACE], &s) < 0)
			return -1;
		if (!ifname_ok(s))
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[M_INTERFACE].v),
					  "machine %s: bad interface '%s' (letters, digits, '_', '-', '.', "
					  "at most %d)", m->name, s, TOPO_IFNAME_MAX - 1);
		strcpy(m->interface, s);
	}
	if (f[M_MTU].v && yaml_doc_get_uint(&ld->yd, &f[M_MTU], UNDERLAY_MTU_MIN, UNDERLAY_MTU_MAX, &mtu) < 0)
		return -1;
	m->mtu = (uint32_t)mtu;
	return 0;
}

int topo_load_machines(struct topo_loader *ld, const struct yaml_doc_field *f)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;
	int n;

	if (yaml_doc_get_seq(&ld->yd, f, &seq) < 0)
		return -1;
	n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->k),
				  "'machines:' is empty: leave it out to run the fabric on one machine");
	if (n > TOPO_MAX_MACHINES)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->k), "%d machines: at most %d", n,
				  TOPO_MAX_MACHINES);
	t->machines = calloc((size_t)n, sizeof(*t->machines));
	if (!t->machines)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->k), "out of memory");
	t->n_machines = n;
	for (int i = 0; i < n; i++)
		if (load_machine(ld, yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[i]), i) < 0)
			return -1;
	return 0;
}

int topo_get_machine(struct topo_loader *ld, const struct yaml_doc_field *f, int *machine)
{
	char name[TOPO_NAME_MAX], names[256];

	if (topo_get_name(&ld->yd, f, name) < 0)
		return -1;
	if (!ld->t->n_machines)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "machine '%s', but the file has no 'machines:' section", name);
	*machine = topo_machine_index(ld->t, name);
	if (*machine < 0) {
		machine_names(ld->t, names, sizeof(names));
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "unknown machine '%s' (machines: %s)", name,
				  names);
	}
	return 0;
}

/* generate: machines_by: pod | plane */
static int place_generated(struct topo_loader *ld)
{
	struct topology *t = ld->t;
	const struct yaml_doc_field *f = &ld->machines_by;
	const char *by;
	bool by_pod;
	int groups;

	for (int i = 0; i < t->n_switches; i++)
		t->switches[i].machine = -1;
	for (int h = 0; h < t->n_hosts; h++)
		t->hosts[h].machine = -1;
	if (!f->v) {
		if (t->n_machines)
			return yaml_doc_error(&ld->yd, ld->src.fallback_line,
					  "'machines:' but no 'machines_by: pod|plane' in 'generate:': which "
					  "switches run where?");
		return 0;
	}
	if (yaml_doc_get_str(&ld->yd, f, &by) < 0)
		return -1;
	if (strcmp(by, "pod") != 0 && strcmp(by, "plane") != 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "machines_by '%s': pod or plane", by);
	if (!t->n_machines)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "machines_by %s, but the file has no 'machines:' section", by);
	by_pod = strcmp(by, "pod") == 0;
	groups = by_pod ? t->n_pods : t->n_planes;
	if (groups > t->n_machines)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				  "machines_by %s: %d %ss, %d machines: one machine per %s", by, groups, by,
				  t->n_machines, by);
	for (int i = 0; i < t->n_switches; i++) {
		const struct topo_switch *sw = &t->switches[i];
		int g = by_pod ? sw->pod : (t->planes_joined && sw->role == TOPO_SUPERSPINE ? -1 : sw->plane);

		t->switches[i].machine = g < 0 ? 0 : g;
	}
	return 0;
}

/* A host runs on its leaf's machine: every leaf it links to must be on
 * one machine, and `machine:` on the host must name it. */
static int place_hosts(struct topo_loader *ld)
{
	struct topology *t = ld->t;

	for (int h = 0; h < t->n_hosts; h++) {
		struct topo_host *host = &t->hosts[h];
		int given = host->machine, leaf = -1;

		host->machine = -1;
		for (int i = 0; i < t->n_links; i++) {
			const struct topo_link *l = &t->links[i];
			const struct topo_end *he = l->a.is_host ? &l->a : l->b.is_host ? &l->b : NULL;
			const struct topo_end *se = he == &l->a ? &l->b : &l->a;
			int m;

			if (!he || he->node != h || se->is_host)
				continue;
			m = t->switches[se->node].machine;
			if (host->machine >= 0 && m != host->machine)
				return yaml_doc_error(&ld->yd, host->pos.line ? host->pos.line : ld->src.fallback_line,
						  "host %s links to %s on machine %s and %s on machine %s: a host's "
						  "interfaces are veths, on one machine", host->name,
						  t->switches[leaf].name, t->machines[host->machine].name,
						  t->switches[se->node].name, t->machines[m].name);
			host->machine = m;
			leaf = se->node;
		}
		if (given >= 0 && host->machine >= 0 && given != host->machine)
			return yaml_doc_error(&ld->yd, host->pos.line,
					  "host %s: machine %s, but its leaf %s runs on machine %s", host->name,
					  t->machines[given].name, t->switches[leaf].name,
					  t->machines[host->machine].name);
		if (host->machine < 0)
			host->machine = given;
	}
	return 0;
}

/* A VXLAN frame is the link's IP packet + 50 (70 over IPv6): it must fit
 * the underlay's MTU at both ends, or the kernel drops it (VXLAN does not
 * fragment). */
static int check_link_mtu(struct topo_loader *ld)
{
	struct topology *t = ld->t;

	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_machine *ma, *mb, *tight;

		if (!topo_link_crosses_machines(t, l))
			continue;
		ma = &t->machines[t->switches[l->a.node].machine];
		mb = &t->machines[t->switches[l->b.node].machine];
		if (ma->underlay.family != mb->underlay.family)
			return yaml_doc_error(&ld->yd, l->pos.line ? l->pos.line : ld->src.fallback_line,
					  "link %s:%d - %s:%d joins machine %s (IPv%d underlay) and %s (IPv%d): "
					  "a VXLAN tunnel needs one address family",
					  t->switches[l->a.node].name, l->a.port, t->switches[l->b.node].name,
					  l->b.port, ma->name, ma->underlay.family, mb->name, mb->underlay.family);
		tight = ma->mtu - topo_vxlan_overhead(ma) <= mb->mtu - topo_vxlan_overhead(mb) ? ma : mb;
		if (l->mtu + topo_vxlan_overhead(tight) > tight->mtu)
			return yaml_doc_error(&ld->yd, l->pos.line ? l->pos.line : ld->src.fallback_line,
					  "link %s:%d - %s:%d crosses machines %s and %s: its MTU %u + %u bytes "
					  "of VXLAN = %u does not fit machine %s's underlay MTU %u (give the link "
					  "'mtu: %u' or less, or a larger underlay 'mtu:')",
					  t->switches[l->a.node].name, l->a.port, t->switches[l->b.node].name,
					  l->b.port, ma->name, mb->name, l->mtu, topo_vxlan_overhead(tight),
					  l->mtu + topo_vxlan_overhead(tight), tight->name, tight->mtu,
					  tight->mtu - topo_vxlan_overhead(tight));
		if (l->a.devargs[0] || l->b.devargs[0])
			return yaml_doc_error(&ld->yd, l->pos.line ? l->pos.line : ld->src.fallback_line,
					  "link %s:%d - %s:%d crosses machines: loomctl gives it its VXLAN "
					  "port, leave out devargs_a/devargs_b", t->switches[l->a.node].name,
					  l->a.port, t->switches[l->b.node].name, l->b.port);
	}
	return 0;
}

int topo_place_machines(struct topo_loader *ld, bool generated)
{
	struct topology *t = ld->t;

	if (generated && place_generated(ld) < 0)
		return -1;
	if (!t->n_machines)
		return 0;
	for (int i = 0; i < t->n_switches; i++)
		if (t->switches[i].machine < 0) {
			char names[256];

			machine_names(t, names, sizeof(names));
			return yaml_doc_error(&ld->yd, t->switches[i].pos.line,
					  "switch %s has no 'machine:' (the file's machines: %s)",
					  t->switches[i].name, names);
		}
	if (place_hosts(ld) < 0)
		return -1;
	return check_link_mtu(ld);
}
