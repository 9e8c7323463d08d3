/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fabric's switching mode (docs/CELLS.md, docs/TOPOLOGY.md):
 *
 *   mode: cell            # packet (default) | cell: switch-scheduled fabric
 *   cell:                 # optional, every key has a default in loomd
 *     payload: 256        # DATA cell payload bytes (64..1024): the cell size, less 30 bytes of headers
 *     speedup: 1.25       # fabric links run at 1.25 x their rate (1..8; loomd's config has the product)
 *     credit: 4096        # credit size, bytes (4KiB, 4096 ...)
 *     spray: round_robin  # | least_loaded
 *     voq_bytes: 256KiB   # per VOQ
 *     voq_packets: 1024
 *     classes: 2          # VOQs per egress port; class = DSCP >> 3, capped
 *     weights: [1, 3]     # credit DRR weight per class
 *     reassembly_timeout: 100us
 *     request_refresh: 500us
 *     egress_limit: 32KiB # a host port's queue above which its credits pause
 *     uplink_limit: 32KiB # an uplink's queue above which VOQs wait to cut cells
 *     standing_credit: 0  # bytes a VOQ may send ahead of its credit (default 0: none)
 *     ecn_kmin: 33KB      # a VOQ marks CE from this depth (RED up to ecn_kmax, every
 *     ecn_kmax: 133KB     # packet there; equal or kmax left out: a step); default:
 *                         # the egress port's TM ECN settings for the packet's class
 *     link_down:          # faults at a time (virtual time: deterministic)
 *       - { link: leaf0:2, at: 300us }
 *     capture: { link: leaf0:2, file: leaf0-up.pcapng }  # what that port sends, as pcapng;
 *                                      # max_bytes: 1GiB (default): the file stops there
 *
 * Checked here with file and line: `cell:` needs `mode: cell`, a
 * link_down names a fabric link (leaf-spine or spine-superspine), speedup
 * is a number from 1 to 8. Two tiers or three (super-spines forward cells
 * by destination leaf as spines do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/tm/tm_config.h"
#include "topo_internal.h"

enum { C_PAYLOAD, C_CREDIT, C_SPRAY, C_VOQ_BYTES, C_VOQ_PACKETS, C_CLASSES, C_WEIGHTS, C_TIMEOUT, C_REFRESH,
       C_LINK_DOWN, C_CAPTURE, C_EGRESS_LIMIT, C_UPLINK_LIMIT, C_SPEEDUP, C_ECN_KMIN, C_ECN_KMAX, C_STANDING, C_N };

#define CELL_SPEEDUP_MAX 8.0

static int get_bytes(struct topo_loader *ld, const struct yaml_doc_field *f, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	if (loom_parse_bytes(s, out) < 0 || *out < min || *out > max)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "cell: %s: '%s' must be a size in bytes from %llu to %llu",
				  f->key, s, (unsigned long long)min, (unsigned long long)max);
	return 0;
}

/* speedup: a plain decimal number, 1 .. CELL_SPEEDUP_MAX ("1.25"). */
static int get_speedup(struct topo_loader *ld, const struct yaml_doc_field *f, double *out)
{
	const char *s;
	char *end;
	double v;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	v = strtod(s, &end);
	if (end == s || *end || !(v >= 1.0 && v <= CELL_SPEEDUP_MAX))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v),
				      "cell: speedup: '%s' must be a number from 1 to %g (fabric link rate = speedup x the link's rate)",
				      s, CELL_SPEEDUP_MAX);
	*out = v;
	return 0;
}

uint64_t topo_cell_link_rate(const struct topology *t, const struct topo_link *l, uint64_t rate_bps)
{
	if (!t->cell.on || t->cell.speedup <= 1.0 || l->a.is_host || l->b.is_host)
		return rate_bps;
	return (uint64_t)((double)rate_bps * t->cell.speedup + 0.5); /* rounded (positive) */
}

/* "leaf0:2" -> the switch and port of a fabric link. */
static int link_end(struct topo_loader *ld, yaml_node_t *v, const char *s, int *sw, int *port)
{
	const struct topology *t = ld->t;
	char name[TOPO_NAME_MAX];
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || (size_t)(colon - s) >= sizeof(name))
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "cell: '%s' must be SWITCH:PORT", s);
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = '\0';
	*sw = topo_switch_index(t, name);
	*port = (int)strtol(colon + 1, &end, 10);
	if (*sw < 0 || *end || end == colon + 1)
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "cell: no switch port '%s'", s);
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_end *e[2] = {&l->a, &l->b};

		for (int k = 0; k < 2; k++) {
			if (e[k]->is_host || e[k]->node != *sw || e[k]->port != *port)
				continue;
			if (e[!k]->is_host || t->switches[e[!k]->node].role == t->switches[*sw].role)
				break;
			return 0;
		}
	}
	return yaml_doc_error(&ld->yd, yaml_doc_line(v), "cell: '%s' is not a fabric link (leaf-spine or spine-superspine)",
			      s);
}

static int load_fault(struct topo_loader *ld, yaml_node_t *m, struct topo_cell_fault *out)
{
	struct yaml_doc_field f[2] = {{"link"}, {"at"}};
	const char *s;

	if (yaml_doc_fields(&ld->yd, m, "a link_down entry", f, 2) < 0 ||
	    yaml_doc_require(&ld->yd, m, "a link_down entry", &f[0]) < 0 ||
	    yaml_doc_require(&ld->yd, m, "a link_down entry", &f[1]) < 0 || yaml_doc_get_str(&ld->yd, &f[0], &s) < 0 ||
	    link_end(ld, f[0].v, s, &out->sw, &out->port) < 0 || topo_get_delay(&ld->yd, &f[1], &out->at_ns) < 0)
		return -1;
	out->line = yaml_doc_line(m);
	return 0;
}

static int load_capture(struct topo_loader *ld, yaml_node_t *m, struct topo_cell *c)
{
	struct yaml_doc_field f[3] = {{"link"}, {"file"}, {"max_bytes"}};
	const char *link, *file;

	if (yaml_doc_fields(&ld->yd, m, "cell: capture", f, 3) < 0 ||
	    yaml_doc_require(&ld->yd, m, "cell: capture", &f[0]) < 0 ||
	    yaml_doc_require(&ld->yd, m, "cell: capture", &f[1]) < 0 || yaml_doc_get_str(&ld->yd, &f[0], &link) < 0 ||
	    yaml_doc_get_str(&ld->yd, &f[1], &file) < 0 || link_end(ld, f[0].v, link, &c->capture_sw, &c->capture_port) < 0)
		return -1;
	if (!*file || strlen(file) >= sizeof(c->capture_file))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[1].v), "cell: capture: file must be a path of at most %zu bytes",
				  sizeof(c->capture_file) - 1);
	snprintf(c->capture_file, sizeof(c->capture_file), "%s", file);
	if (f[2].v && get_bytes(ld, &f[2], 24, 1ull << 40, &c->capture_max_bytes) < 0)
		return -1;
	return 0;
}

static int load_cell_map(struct topo_loader *ld, const struct yaml_doc_field *cf, struct topo_cell *c)
{
	struct yaml_doc_field f[C_N] = {{"payload"}, {"credit"}, {"spray"}, {"voq_bytes"}, {"voq_packets"},
				    {"classes"}, {"weights"}, {"reassembly_timeout"}, {"request_refresh"},
				    {"link_down"}, {"capture"}, {"egress_limit"}, {"uplink_limit"}, {"speedup"},
				    {"ecn_kmin"}, {"ecn_kmax"}, {"standing_credit"}};
	unsigned long u;
	uint64_t b;
	const char *s;
	yaml_node_t *seq;

	if (yaml_doc_fields(&ld->yd, cf->v, "cell", f, C_N) < 0)
		return -1;
	if (f[C_PAYLOAD].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[C_PAYLOAD], 64, 1024, &u) < 0)
			return -1;
		c->payload = (uint32_t)u;
	}
	if (f[C_SPEEDUP].v && get_speedup(ld, &f[C_SPEEDUP], &c->speedup) < 0)
		return -1;
	if (f[C_CREDIT].v) {
		if (get_bytes(ld, &f[C_CREDIT], 256, 1 << 20, &b) < 0)
			return -1;
		c->credit_bytes = (uint32_t)b;
	}
	if (f[C_SPRAY].v) {
		if (yaml_doc_get_str(&ld->yd, &f[C_SPRAY], &s) < 0)
			return -1;
		if (strcmp(s, "round_robin") != 0 && strcmp(s, "least_loaded") != 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[C_SPRAY].v),
					  "cell: spray: '%s' must be round_robin or least_loaded", s);
		snprintf(c->spray, sizeof(c->spray), "%s", s);
	}
	if (f[C_VOQ_BYTES].v && get_bytes(ld, &f[C_VOQ_BYTES], 2048, 1ull << 32, &c->voq_bytes) < 0)
		return -1;
	if (f[C_EGRESS_LIMIT].v && get_bytes(ld, &f[C_EGRESS_LIMIT], 1, 1ull << 32, &c->egress_limit) < 0)
		return -1;
	if (f[C_UPLINK_LIMIT].v && get_bytes(ld, &f[C_UPLINK_LIMIT], 1, 1ull << 32, &c->uplink_limit) < 0)
		return -1;
	if (f[C_STANDING].v && get_bytes(ld, &f[C_STANDING], 0, 1ull << 24, &c->standing_credit) < 0)
		return -1;
	if (f[C_ECN_KMIN].v && get_bytes(ld, &f[C_ECN_KMIN], 1, UINT32_MAX, &c->ecn_kmin) < 0)
		return -1;
	if (f[C_ECN_KMAX].v && get_bytes(ld, &f[C_ECN_KMAX], 1, UINT32_MAX, &c->ecn_kmax) < 0)
		return -1;
	if (c->ecn_kmax && (!c->ecn_kmin || c->ecn_kmin > c->ecn_kmax))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[C_ECN_KMAX].v),
				      "cell: ecn_kmax needs ecn_kmin, at most ecn_kmax (a VOQ marks from kmin; every packet at kmax)");
	if (f[C_VOQ_PACKETS].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[C_VOQ_PACKETS], 1, 65536, &u) < 0)
			return -1;
		c->voq_packets = (uint32_t)u;
	}
	if (f[C_CLASSES].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[C_CLASSES], 1, 8, &u) < 0)
			return -1;
		c->classes = (uint32_t)u;
	}
	if (f[C_TIMEOUT].v && topo_get_delay(&ld->yd, &f[C_TIMEOUT], &c->reasm_timeout_ns) < 0)
		return -1;
	if (f[C_REFRESH].v && topo_get_delay(&ld->yd, &f[C_REFRESH], &c->request_refresh_ns) < 0)
		return -1;
	if (f[C_WEIGHTS].v) {
		if (yaml_doc_get_seq(&ld->yd, &f[C_WEIGHTS], &seq) < 0)
			return -1;
		for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
			struct yaml_doc_field w = {"weights", NULL, yaml_document_get_node(ld->yd.doc, *it)};

			if (c->n_weights == 8)
				return yaml_doc_error(&ld->yd, yaml_doc_line(w.v), "cell: at most 8 weights");
			if (yaml_doc_get_uint(&ld->yd, &w, 1, 1000, &u) < 0)
				return -1;
			c->weights[c->n_weights++] = (uint32_t)u;
		}
		if ((uint32_t)c->n_weights != (c->classes ? c->classes : 1))
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[C_WEIGHTS].v),
					  "cell: weights: %d given for %u class(es): one per class", c->n_weights,
					  c->classes ? c->classes : 1);
	}
	if (f[C_CAPTURE].v && load_capture(ld, f[C_CAPTURE].v, c) < 0)
		return -1;
	if (f[C_LINK_DOWN].v) {
		if (yaml_doc_get_seq(&ld->yd, &f[C_LINK_DOWN], &seq) < 0)
			return -1;
		for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
			yaml_node_t *m = yaml_document_get_node(ld->yd.doc, *it);

			if (c->n_faults == TOPO_CELL_MAX_FAULTS)
				return yaml_doc_error(&ld->yd, yaml_doc_line(m), "cell: at most %d link_down entries",
						  TOPO_CELL_MAX_FAULTS);
			if (load_fault(ld, m, &c->faults[c->n_faults]) < 0)
				return -1;
			c->n_faults++;
		}
	}
	return 0;
}

int topo_load_cell(struct topo_loader *ld, const struct yaml_doc_field *mode, const struct yaml_doc_field *cell)
{
	struct topology *t = ld->t;
	const char *s;

	if (mode->v) {
		if (yaml_doc_get_str(&ld->yd, mode, &s) < 0)
			return -1;
		if (strcmp(s, "cell") == 0)
			t->cell.on = true;
		else if (strcmp(s, "packet") != 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(mode->v), "mode: '%s' must be packet or cell", s);
		t->cell.line = yaml_doc_line(mode->v);
	}
	if (cell->v && !t->cell.on)
		return yaml_doc_error(&ld->yd, yaml_doc_line(cell->k), "'cell:' needs 'mode: cell'");
	if (!t->cell.on)
		return 0;
	/* Modes are exclusive (dataplane/core/switch_mode.h): a cell fabric's
	 * switches forward what is not cells with the native stages. */
	for (int i = 0; i < t->n_switches; i++)
		if (t->switches[i].pipeline == TOPO_PIPELINE_P4)
			return yaml_doc_error(&ld->yd, t->cell.line,
					  "mode: cell: switch %s has pipeline: p4; a cell fabric's switches run the native stages",
					  t->switches[i].name);
	return cell->v ? load_cell_map(ld, cell, &t->cell) : 0;
}

void topo_write_cell(const struct topology *t, FILE *out)
{
	const struct topo_cell *c = &t->cell;

	if (!c->on)
		return;
	fputs("mode: cell\ncell:\n", out);
	if (c->payload)
		fprintf(out, "  payload: %u\n", c->payload);
	if (c->speedup > 0)
		fprintf(out, "  speedup: %.15g\n", c->speedup); /* as written: 15 digits read back the same */
	if (c->credit_bytes)
		fprintf(out, "  credit: %u\n", c->credit_bytes);
	if (c->spray[0])
		fprintf(out, "  spray: %s\n", c->spray);
	if (c->voq_bytes)
		fprintf(out, "  voq_bytes: %llu\n", (unsigned long long)c->voq_bytes);
	if (c->voq_packets)
		fprintf(out, "  voq_packets: %u\n", c->voq_packets);
	if (c->classes)
		fprintf(out, "  classes: %u\n", c->classes);
	for (int i = 0; i < c->n_weights; i++)
		fprintf(out, "%s%u%s", i ? ", " : "  weights: [", c->weights[i], i + 1 == c->n_weights ? "]\n" : "");
	if (c->egress_limit)
		fprintf(out, "  egress_limit: %llu\n", (unsigned long long)c->egress_limit);
	if (c->uplink_limit)
		fprintf(out, "  uplink_limit: %llu\n", (unsigned long long)c->uplink_limit);
	if (c->standing_credit)
		fprintf(out, "  standing_credit: %llu\n", (unsigned long long)c->standing_credit);
	if (c->ecn_kmin)
		fprintf(out, "  ecn_kmin: %llu\n", (unsigned long long)c->ecn_kmin);
	if (c->ecn_kmax)
		fprintf(out, "  ecn_kmax: %llu\n", (unsigned long long)c->ecn_kmax);
	if (c->reasm_timeout_ns)
		fprintf(out, "  reassembly_timeout: %lluns\n", (unsigned long long)c->reasm_timeout_ns);
	if (c->request_refresh_ns)
		fprintf(out, "  request_refresh: %lluns\n", (unsigned long long)c->request_refresh_ns);
	for (int i = 0; i < c->n_faults; i++)
		fprintf(out, "%s    - { link: %s:%d, at: %lluns }\n", i ? "" : "  link_down:\n",
			t->switches[c->faults[i].sw].name, c->faults[i].port, (unsigned long long)c->faults[i].at_ns);
	if (c->capture_file[0] && c->capture_max_bytes)
		fprintf(out, "  capture: { link: %s:%d, file: \"%s\", max_bytes: %llu }\n", t->switches[c->capture_sw].name,
			c->capture_port, c->capture_file, (unsigned long long)c->capture_max_bytes);
	else if (c->capture_file[0])
		fprintf(out, "  capture: { link: %s:%d, file: \"%s\" }\n", t->switches[c->capture_sw].name, c->capture_port,
			c->capture_file);
	if (!c->capture_file[0] && !c->payload && !(c->speedup > 0) && !c->credit_bytes && !c->spray[0] && !c->voq_bytes && !c->voq_packets && !c->classes && !c->egress_limit && !c->uplink_limit && !c->standing_credit && !c->ecn_kmin &&
	    !c->reasm_timeout_ns && !c->request_refresh_ns && !c->n_faults)
		fputs("  {}\n", out);
}
