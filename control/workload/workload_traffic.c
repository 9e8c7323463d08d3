/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A topology file's `traffic:` list (docs/VIRTUAL_TIME.md): single flows
 * between generator hosts, patterns in the workload file's format and
 * whole workload files, appended to the topology's flows; and the list
 * written back as explicit flows (`loomctl topo expand`). The topology
 * loader and writer are handed these as workload_traffic (topo_yaml.h's
 * struct topo_traffic), so that control/topo does not depend on the
 * workload code. Patterns draw from one PRNG seeded with the topology's
 * `seed`, in item order.
 */
#include <stdlib.h>
#include <string.h>

#include "loom/frame.h"
#include "loom/traffic/workload.h"
#include "topo/topo_yaml.h"
#include "workload.h"

/* The traffic list being read, and what its items share: one PRNG from the
 * topology's seed, drawn in item order, and the collective count
 * (collectives are numbered across items). */
struct traffic_loader {
	struct yaml_doc yd;
	struct topology *t;
	struct loom_rng rng;
	uint32_t n_collectives;
	char dir[512]; /* the topology file's folder: workload includes and CDF paths are relative to it */
};

static int seq_len(const yaml_node_t *seq)
{
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct traffic_loader *ld, yaml_node_t *seq, int i)
{
	return yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[i]);
}

static int grow(struct traffic_loader *ld, int line, size_t more)
{
	struct topology *t = ld->t;
	struct loom_flow_spec *nf = realloc(t->flows, ((size_t)t->n_flows + more + 1) * sizeof(*nf));

	if (!nf)
		return yaml_doc_error(&ld->yd, line, "out of memory");
	t->flows = nf;
	return 0;
}

/* Flows may only run between generator hosts, at frame sizes they send. */
static int check_flow(struct traffic_loader *ld, int line, const struct loom_flow_spec *s)
{
	const struct topology *t = ld->t;
	unsigned min = s->transport == LOOM_FLOW_ROCEV2 ? LOOM_FRAME_GEN_MIN_ROCEV2 : LOOM_FRAME_GEN_MIN_UDP;

	for (int k = 0; k < 2; k++) {
		uint32_t h = k ? s->dst_host : s->src_host;

		if (t->hosts[h].port_type != TOPO_PORT_GENERATOR)
			return yaml_doc_error(&ld->yd, line,
					  "traffic: host %s is not a generator host (port_type: generator): "
					  "flows run between generator hosts", t->hosts[h].name);
	}
	if (s->src_host == s->dst_host)
		return yaml_doc_error(&ld->yd, line, "flow from %s to itself", t->hosts[s->src_host].name);
	if ((s->lose_count || s->rto_ns) && !s->recovery)
		return yaml_doc_error(&ld->yd, line, "traffic: %s: needs a transport that recovers losses "
				  "(transport: go_back_n or selective_repeat)", s->lose_count ? "lose" : "rto");
	if ((s->ack_every > 1 || s->ack_delay_ns) && !s->recovery)
		return yaml_doc_error(&ld->yd, line, "traffic: %s: coalesces the ACKs of a transport that recovers losses "
				  "(transport: go_back_n or selective_repeat)", s->ack_every > 1 ? "ack_every" : "ack_delay");
	if (s->cc == LOOM_FLOW_CC_NSCC && !s->recovery)
		return yaml_doc_error(&ld->yd, line, "traffic: cc: nscc needs a transport whose ACKs echo the send time "
				  "(transport: go_back_n or selective_repeat)");
	if (s->entropy == LOOM_FLOW_ENTROPY_REPS && !s->recovery && s->cc != LOOM_FLOW_CC_DCTCP)
		return yaml_doc_error(&ld->yd, line, "traffic: entropy: reps learns from ACKs: the flow needs transport "
				  "go_back_n or selective_repeat, or cc: dctcp");
	if (s->cc != LOOM_FLOW_CC_NONE && !s->ecn_capable)
		return yaml_doc_error(&ld->yd, line, "traffic: cc: %s reacts to ECN marks: the flow needs ecn: true",
				  workload_cc_name(s->cc));
	if (s->pkt_bytes && (s->pkt_bytes < min || s->pkt_bytes > LOOM_FRAME_GEN_MAX))
		return yaml_doc_error(&ld->yd, line, "traffic: packet %u: generator hosts send frames of %u..%u bytes",
				  s->pkt_bytes, min, LOOM_FRAME_GEN_MAX);
	for (int k = 0; k < 2; k++) {
		uint32_t h = k ? s->dst_host : s->src_host;
		int l = topo_host_link(t, (int)h);
		uint32_t pkt = s->pkt_bytes ? s->pkt_bytes : LOOM_FRAME_DEFAULT;

		/* the leaf would drop it (mtu_exceeded): say so here instead */
		if (l >= 0 && pkt > t->links[l].mtu + LOOM_FRAME_ETH_HDR)
			return yaml_doc_error(&ld->yd, line,
					  "traffic: packet %u: above the mtu %u of host %s's link (frames of at most %u)",
					  pkt, t->links[l].mtu, t->hosts[h].name, t->links[l].mtu + LOOM_FRAME_ETH_HDR);
	}
	return 0;
}

/* Appends flows (generated with ids 0..) to the topology's, renumbering
 * ids after the flows already there and collectives after `coll_base`. */
static int append_flows(struct traffic_loader *ld, int line, const struct loom_flow_list *l, uint32_t coll_base)
{
	struct topology *t = ld->t;

	if (grow(ld, line, l->n) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		struct loom_flow_spec s = l->v[i];

		if (check_flow(ld, line, &s) < 0)
			return -1;
		s.id = (uint32_t)t->n_flows;
		if (s.group)
			s.group = LOOM_WL_GROUP(LOOM_WL_GROUP_COLLECTIVE(s.group) + coll_base,
						LOOM_WL_GROUP_PHASE(s.group));
		t->flows[t->n_flows++] = s;
	}
	return 0;
}

/* `start: chained` (what `topo expand` writes for later collective phases). */
static int take_chained_start(struct traffic_loader *ld, struct yaml_doc_field *start, struct loom_flow_spec *s)
{
	const char *str;

	if (!start->v || start->v->type != YAML_SCALAR_NODE)
		return 0;
	str = (const char *)start->v->data.scalar.value;
	if (strcmp(str, "chained") != 0)
		return 0;
	(void)ld;
	s->start = LOOM_WL_START_CHAINED;
	start->k = start->v = NULL;
	return 1;
}

enum { T_SRC, T_DST, T_BYTES, T_SRC_PORT, T_GROUP, T_OPTS };
#define T_N (T_OPTS + WORKLOAD_N_FLOW_OPTS)

static int load_flow(struct traffic_loader *ld, yaml_node_t *n)
{
	struct yaml_doc_field f[T_N] = { { "src" }, { "dst" }, { "bytes" }, { "src_port" }, { "group" } };
	struct loom_flow_spec s;
	const char *src, *dst;
	unsigned long v;
	char why[160];
	int h;

	for (int i = 0; i < WORKLOAD_N_FLOW_OPTS; i++)
		f[T_OPTS + i].key = workload_flow_opt_key(i);
	if (yaml_doc_fields(&ld->yd, n, "traffic item", f, T_N) < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	if (yaml_doc_require(&ld->yd, n, "flow", &f[T_SRC]) < 0 || yaml_doc_require(&ld->yd, n, "flow", &f[T_DST]) < 0 ||
	    yaml_doc_get_str(&ld->yd, &f[T_SRC], &src) < 0 || yaml_doc_get_str(&ld->yd, &f[T_DST], &dst) < 0)
		return -1;
	for (int k = 0; k < 2; k++) {
		h = topo_host_index(ld->t, k ? dst : src);
		if (h < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[k ? T_DST : T_SRC].v), "traffic: unknown host '%s'",
					  k ? dst : src);
		*(k ? &s.dst_host : &s.src_host) = (uint32_t)h;
	}
	take_chained_start(ld, &f[T_OPTS], &s);
	if (workload_flow_opts(&ld->yd, &f[T_OPTS], &s) < 0)
		return -1;
	if (workload_check_on_off(&s, why, sizeof(why)) < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(n), "traffic: %s", why);
	if (f[T_BYTES].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_BYTES], 0, UINT64_MAX, &v) < 0)
			return -1;
		s.bytes = v;
	}
	if (f[T_SRC_PORT].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_SRC_PORT], 1, 65535, &v) < 0)
			return -1;
		s.src_port = (uint16_t)v;
	}
	if (f[T_GROUP].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[T_GROUP], 0, UINT32_MAX, &v) < 0)
			return -1;
		s.group = (uint32_t)v;
	}
	if (check_flow(ld, yaml_doc_line(n), &s) < 0 || grow(ld, yaml_doc_line(n), 1) < 0)
		return -1;
	s.id = (uint32_t)ld->t->n_flows;
	ld->t->flows[ld->t->n_flows++] = s;
	return 0;
}

/* `{ pattern: ... }`: one entry in the workload file's pattern format,
 * expanded by control/workload/ with the topology's seed. */
static int load_pattern(struct traffic_loader *ld, yaml_node_t *n)
{
	struct workload wl;
	int rc;

	memset(&wl, 0, sizeof(wl));
	loom_flow_list_init(&wl.flows);
	wl.n_collectives = ld->n_collectives;
	rc = workload_expand_pattern(&ld->yd, n, ld->t, ld->dir, &ld->rng, &wl);
	if (rc == 0)
		rc = append_flows(ld, yaml_doc_line(n), &wl.flows, 0);
	if (rc == 0)
		ld->n_collectives = wl.n_collectives;
	workload_free(&wl);
	return rc;
}

/* `{ workload: FILE }`: a whole workload file (its own seed), relative
 * to the topology's folder. */
static int load_include(struct traffic_loader *ld, yaml_node_t *n)
{
	struct yaml_doc_field f[] = { { "workload" } };
	char path[1024], err[1024];
	struct workload wl;
	const char *file;
	int rc;

	if (yaml_doc_fields(&ld->yd, n, "traffic item", f, 1) < 0 || yaml_doc_get_str(&ld->yd, &f[0], &file) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" : ld->dir, file[0] == '/' ? "" : "/", file);
	if (workload_load(path, ld->t, &wl, err, sizeof(err)) < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[0].v), "workload: %s", err);
	rc = append_flows(ld, yaml_doc_line(n), &wl.flows, ld->n_collectives);
	ld->n_collectives += wl.n_collectives;
	workload_free(&wl);
	return rc;
}

static bool has_key(yaml_node_t *n, struct traffic_loader *ld, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->yd.doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return true;
	}
	return false;
}

static int load_traffic_item(struct traffic_loader *ld, yaml_node_t *n)
{
	if (has_key(n, ld, "pattern"))
		return load_pattern(ld, n);
	if (has_key(n, ld, "workload"))
		return load_include(ld, n);
	return load_flow(ld, n);
}

static int read_traffic(struct yaml_doc *yd, yaml_node_t *traffic, struct topology *t)
{
	struct traffic_loader ld = {.yd = *yd, .t = t};
	const char *slash = strrchr(t->file, '/');

	loom_rng_seed(&ld.rng, t->seed);
	snprintf(ld.dir, sizeof(ld.dir), "%.*s", slash ? (int)(slash - t->file) : 1, slash ? t->file : ".");
	for (int i = 0; i < seq_len(traffic); i++)
		if (load_traffic_item(&ld, seq_item(&ld, traffic, i)) < 0)
			return -1;
	return 0;
}

/* The flows as explicit traffic items (ids are their order, as on loading). */
static void write_traffic(const struct topology *t, FILE *out)
{
	char buf[32];

	if (t->n_flows)
		fputs("traffic:\n", out);
	for (int i = 0; i < t->n_flows; i++) {
		const struct loom_flow_spec *f = &t->flows[i];

		fputs("  - { src: ", out);
		topo_write_name(out, t->hosts[f->src_host].name);
		fputs(", dst: ", out);
		topo_write_name(out, t->hosts[f->dst_host].name);
		if (f->rate_bps) {
			topo_format_rate(f->rate_bps, buf, sizeof(buf));
			fprintf(out, ", rate: %s", buf);
		}
		if (f->bytes)
			fprintf(out, ", bytes: %llu", (unsigned long long)f->bytes);
		if (f->start == LOOM_WL_START_CHAINED) {
			fputs(", start: chained", out);
		} else if (f->start) {
			topo_format_delay(f->start, buf, sizeof(buf));
			fprintf(out, ", start: %s", buf);
		}
		if (f->pkt_bytes)
			fprintf(out, ", packet: %u", f->pkt_bytes);
		if (f->transport != LOOM_FLOW_UDP || f->recovery)
			fprintf(out, ", transport: %s", loom_flow_transport_name(f));
		if (f->rto_ns) {
			topo_format_delay(f->rto_ns, buf, sizeof(buf));
			fprintf(out, ", rto: %s", buf);
		}
		if (f->ack_every > 1)
			fprintf(out, ", ack_every: %u", f->ack_every);
		if (f->ack_delay_ns) {
			topo_format_delay(f->ack_delay_ns, buf, sizeof(buf));
			fprintf(out, ", ack_delay: %s", buf);
		}
		if (f->lose_count)
			fprintf(out, ", lose: \"%llu..%llu\"", (unsigned long long)f->lose_first,
				(unsigned long long)(f->lose_first + f->lose_count - 1));
		if (f->ecn_capable)
			fputs(", ecn: true", out);
		if (f->entropy != LOOM_FLOW_ENTROPY_PER_FLOW)
			fprintf(out, ", entropy: %s", loom_flow_entropy_name(f->entropy));
		if (f->burst_bytes) {
			topo_format_delay(f->idle_ns, buf, sizeof(buf));
			fprintf(out, ", burst: %llu, idle: %s", (unsigned long long)f->burst_bytes, buf);
		}
		if (f->cc) {
			fputs(", cc: ", out);
			workload_write_cc(out, f);
		}
		if (f->src_port)
			fprintf(out, ", src_port: %u", f->src_port);
		if (f->dscp)
			fprintf(out, ", dscp: %u", f->dscp);
		if (f->group)
			fprintf(out, ", group: %u", f->group);
		fputs(" }\n", out);
	}
}

const struct topo_traffic workload_traffic = {.read = read_traffic, .write = write_traffic};
