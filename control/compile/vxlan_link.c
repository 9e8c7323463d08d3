/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VXLAN interfaces of links that cross machines (vxlan_link.h). Plain
 * `ip` commands, as the host namespaces are made (hosts_script.c), so that
 * `loomctl up --dry-run --machine M` shows exactly what is created. Every
 * string in them is checked at load: names, addresses printed from their
 * binary form, interface names (topo_machines.c).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>

#include "loom/frame.h"
#include "vxlan_link.h"

void vxlan_link_ifname(int link, char *buf, size_t len)
{
	snprintf(buf, len, "lmx%d", link);
}

#define VXLAN_VNI_SPACE ((1u << 24) - 1) /* VNIs 1 .. 2^24 - 1 */

uint32_t vxlan_link_vni(const struct topology *t, int link)
{
	uint32_t h = 2166136261u; /* FNV-1a: a spread base, not a secret */

	for (const char *c = t->name; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return 1 + (uint32_t)(((uint64_t)h + (uint64_t)link) % VXLAN_VNI_SPACE);
}

static void addr_text(const struct topo_prefix *p, char *buf, size_t len)
{
	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, p->addr, buf, (socklen_t)len);
}

void vxlan_links_script_write(const struct topology *t, int machine, FILE *out)
{
	const struct topo_machine *me = &t->machines[machine];
	char local[64], remote[64], ifname[TOPO_IFNAME_MAX];

	bool gro_off = false;

	addr_text(&me->underlay, local, sizeof(local));
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		int ma, mb;
		const struct topo_machine *peer;

		if (!topo_link_crosses_machines(t, l))
			continue;
		ma = t->switches[l->a.node].machine;
		mb = t->switches[l->b.node].machine;
		if (ma != machine && mb != machine)
			continue;
		peer = &t->machines[ma == machine ? mb : ma];
		addr_text(&peer->underlay, remote, sizeof(remote));
		vxlan_link_ifname(i, ifname, sizeof(ifname));
		if (me->interface[0] && !gro_off) {
			/* GRO on the underlay merges a VXLAN link's TCP segments
			 * into one large frame before the VXLAN interface, which
			 * loomd's af_packet ring truncates: frames lost, counted
			 * nowhere (seen in a guest: 45 of 179, TCP at 0.3 Mb/s) */
			fprintf(out, "\n# no GRO on the underlay interface (docs/MULTI_MACHINE.md, MTU)\n");
			fprintf(out, "ethtool -K %s gro off >/dev/null\n", me->interface);
			gro_off = true;
		}
		fprintf(out, "\n# link %s:%d - %s:%d to machine %s\n", t->switches[l->a.node].name, l->a.port,
			t->switches[l->b.node].name, l->b.port, peer->name);
		/* nolearning: the one remote is the peer; no FDB entries learnt */
		fprintf(out, "ip link add %s type vxlan id %" PRIu32 " local %s remote %s dstport %d nolearning%s%s\n",
			ifname, vxlan_link_vni(t, i), local, remote, VXLAN_LINK_UDP_PORT,
			me->interface[0] ? " dev " : "", me->interface);
		/* the link's largest IP packet: the underlay carries it with
		 * VXLAN's bytes (checked at load, topo_machines.c) */
		fprintf(out, "ip link set %s mtu %u\n", ifname, l->mtu);
		/* as a host veth's root side: no IPv6 of its own into the switch,
		 * whole frames with real checksums for the af_packet port */
		fprintf(out, "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1\n", ifname);
		fprintf(out, "ethtool -K %s tx off tso off gso off gro off >/dev/null\n", ifname);
		fprintf(out, "ip link set %s up\n", ifname);
	}
}
