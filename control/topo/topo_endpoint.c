/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A host's `endpoint:` in the explicit form (docs/ENDPOINTS.md, docs/TOPOLOGY.md):
 *   - name: h0
 *     endpoint: { lb: packet, measure: true, flowlet_gap: 50us, round: 200us,
 *                 rounds: 3, udp_ports: [4791, 5201] }
 * the eBPF programs `loomctl up` attaches to the host (namespace and VM
 * hosts; `loomctl endpoint set` changes them at run time).
 */
#include <stdio.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_yaml.h"

static const char *const lb_names[TOPO_EP_LB_N] = { "off", "packet", "flowlet", "repath" };

const char *topo_ep_lb_name(enum topo_ep_lb lb)
{
	return (unsigned)lb < TOPO_EP_LB_N ? lb_names[lb] : "?";
}

int topo_ep_lb_parse(const char *name)
{
	for (int i = 0; i < TOPO_EP_LB_N; i++)
		if (strcmp(name, lb_names[i]) == 0)
			return i;
	return -1;
}

int topo_load_endpoint(struct topo_loader *ld, const struct yaml_doc_field *top, struct topo_host *h)
{
	enum { E_LB, E_MEASURE, E_GAP, E_ROUND, E_ROUNDS, E_PORTS, E_N };
	struct yaml_doc_field f[E_N] = { { "lb" }, { "measure" }, { "flowlet_gap" }, { "round" }, { "rounds" },
					 { "udp_ports" } };
	struct topo_endpoint *e = &h->endpoint;
	unsigned long v;

	memset(e, 0, sizeof(*e));
	e->given = true;
	e->line = yaml_doc_line(top->v);
	/* a generator host is loomd's own model of a NIC (entropy), no kernel to load programs into */
	if (h->port_type == TOPO_PORT_GENERATOR)
		return yaml_doc_error(&ld->yd, e->line, "endpoint programs run on namespace and VM hosts only (host %s "
				      "is a generator host; docs/ENDPOINTS.md)", h->name);
	if (yaml_doc_fields(&ld->yd, top->v, "endpoint", f, E_N) < 0)
		return -1;
	if (f[E_LB].v) {
		const char *s;
		int m;

		if (yaml_doc_get_str(&ld->yd, &f[E_LB], &s) < 0)
			return -1;
		m = topo_ep_lb_parse(s);
		if (m < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[E_LB].v),
					      "unknown endpoint lb '%s' (off, packet, flowlet, repath)", s);
		e->lb = (enum topo_ep_lb)m;
	}
	if (f[E_MEASURE].v && yaml_doc_get_bool(&ld->yd, &f[E_MEASURE], &e->measure) < 0)
		return -1;
	if (f[E_GAP].v && topo_get_delay(&ld->yd, &f[E_GAP], &e->flowlet_gap_ns) < 0)
		return -1;
	if (f[E_ROUND].v && topo_get_delay(&ld->yd, &f[E_ROUND], &e->round_ns) < 0)
		return -1;
	if ((f[E_GAP].v && e->flowlet_gap_ns < 1000) || (f[E_ROUND].v && e->round_ns < 1000))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[E_GAP].v && e->flowlet_gap_ns < 1000 ? f[E_GAP].v
												 : f[E_ROUND].v),
				      "must be at least 1us");
	if (f[E_ROUNDS].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[E_ROUNDS], 1, 1000, &v) < 0)
			return -1;
		e->rounds = (uint32_t)v;
	}
	if (f[E_PORTS].v) {
		yaml_node_t *seq;
		int n;

		if (yaml_doc_get_seq(&ld->yd, &f[E_PORTS], &seq) < 0)
			return -1;
		n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
		if (n > TOPO_EP_UDP_PORTS)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[E_PORTS].v), "at most %d udp_ports",
					      TOPO_EP_UDP_PORTS);
		for (int i = 0; i < n; i++) {
			struct yaml_doc_field p = { "udp_ports", f[E_PORTS].k,
						    yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[i]) };

			if (yaml_doc_get_uint(&ld->yd, &p, 1, 65535, &v) < 0)
				return -1;
			e->udp_ports[i] = (uint16_t)v;
		}
	}
	return 0;
}

void topo_write_endpoint(FILE *out, const struct topo_endpoint *e)
{
	char buf[32];

	if (!e->given)
		return;
	fprintf(out, "    endpoint:\n      lb: %s\n      measure: %s\n", topo_ep_lb_name(e->lb),
		e->measure ? "true" : "false");
	if (e->flowlet_gap_ns) {
		topo_format_delay(e->flowlet_gap_ns, buf, sizeof(buf));
		fprintf(out, "      flowlet_gap: %s\n", buf);
	}
	if (e->round_ns) {
		topo_format_delay(e->round_ns, buf, sizeof(buf));
		fprintf(out, "      round: %s\n", buf);
	}
	if (e->rounds)
		fprintf(out, "      rounds: %u\n", e->rounds);
	if (e->udp_ports[0]) {
		fputs("      udp_ports: [", out);
		for (int i = 0; i < TOPO_EP_UDP_PORTS && e->udp_ports[i]; i++)
			fprintf(out, "%s%u", i ? ", " : "", e->udp_ports[i]);
		fputs("]\n", out);
	}
}
