/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scheduled faults and how the fabric handles them (docs/FAULTS.md):
 *
 *   fault_handling:            # optional
 *     detect_interval: 100us   # BFD-like: a failure is noticed after interval x multiplier
 *     detect_multiplier: 3     #   (no detect_interval: at once)
 *     repair_delay: 1ms        # detection -> the control plane's new routes (0: at once)
 *   faults:
 *     - { at: 100us, link: leaf0:2, state: down }      # or up
 *     - { at: 1ms, switch: spine1, state: down }
 *     - { at: 0s, link: leaf1:3, flap: { period: 200us, count: 3 } }  # down half of each period
 *     - { at: 0s, link: leaf1:3, loss: 0.01 }          # per frame, 0: off
 *     - { at: 0s, link: leaf1:3, ber: 1e-7 }           # per bit
 *
 * A link is SWITCH:PORT, a port of the switch with a link. Checked here,
 * with file and line: names, ports, times, rates, one action per entry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_yaml.h"

/* "leaf0:2": a switch port with a link. */
static int fault_link(struct topo_loader *ld, yaml_node_t *v, const char *s, int *sw, int *port)
{
	const struct topology *t = ld->t;
	char name[TOPO_NAME_MAX];
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || (size_t)(colon - s) >= sizeof(name))
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "faults: link '%s' must be SWITCH:PORT", s);
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = '\0';
	*sw = topo_switch_index(t, name);
	*port = (int)strtol(colon + 1, &end, 10);
	if (*sw < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "faults: no switch '%s'", name);
	if (*end || end == colon + 1 || *port < 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(v), "faults: '%s': the port must be a number", s);
	for (int i = 0; i < t->n_links; i++) {
		const struct topo_end *e[2] = {&t->links[i].a, &t->links[i].b};

		for (int k = 0; k < 2; k++)
			if (!e[k]->is_host && e[k]->node == *sw && e[k]->port == *port)
				return 0;
	}
	return yaml_doc_error(&ld->yd, yaml_doc_line(v), "faults: %s has no link on port %d", name, *port);
}

static int get_rate(struct topo_loader *ld, const struct yaml_doc_field *f, double *out)
{
	const char *s;
	char *end;

	if (yaml_doc_get_str(&ld->yd, f, &s) < 0)
		return -1;
	*out = strtod(s, &end);
	if (*end || end == s || !(*out >= 0 && *out <= 1))
		return yaml_doc_error(&ld->yd, yaml_doc_line(f->v), "faults: %s: '%s' must be a number from 0 to 1", f->key, s);
	return 0;
}

enum { F_AT, F_LINK, F_SWITCH, F_STATE, F_FLAP, F_LOSS, F_BER, F_N };

static int load_flap(struct topo_loader *ld, const struct yaml_doc_field *ff, struct topo_fault *e)
{
	struct yaml_doc_field f[2] = {{"period"}, {"count"}};
	unsigned long n;

	if (yaml_doc_fields(&ld->yd, ff->v, "faults: flap", f, 2) < 0 ||
	    yaml_doc_require(&ld->yd, ff->v, "faults: flap", &f[0]) < 0 ||
	    yaml_doc_require(&ld->yd, ff->v, "faults: flap", &f[1]) < 0 || topo_get_delay(&ld->yd, &f[0], &e->period_ns) < 0 ||
	    yaml_doc_get_uint(&ld->yd, &f[1], 1, TOPO_MAX_FLAPS, &n) < 0)
		return -1;
	if (e->period_ns < 2)
		return yaml_doc_error(&ld->yd, yaml_doc_line(f[0].v), "faults: flap: period must be at least 2ns");
	e->count = (uint32_t)n;
	e->action = TOPO_FAULT_FLAP;
	return 0;
}

static int load_fault(struct topo_loader *ld, yaml_node_t *m, struct topo_fault *e)
{
	struct yaml_doc_field f[F_N] = {{"at"}, {"link"}, {"switch"}, {"state"}, {"flap"}, {"loss"}, {"ber"}};
	const char *s;
	int actions = 0;

	if (yaml_doc_fields(&ld->yd, m, "a faults entry", f, F_N) < 0 ||
	    yaml_doc_require(&ld->yd, m, "a faults entry", &f[F_AT]) < 0 || topo_get_delay(&ld->yd, &f[F_AT], &e->at_ns) < 0)
		return -1;
	e->line = yaml_doc_line(m);
	if (!f[F_LINK].v == !f[F_SWITCH].v)
		return yaml_doc_error(&ld->yd, e->line, "a faults entry names one target: link: SWITCH:PORT or switch: NAME");
	for (int k = F_STATE; k < F_N; k++)
		actions += f[k].v != NULL;
	if (actions != 1)
		return yaml_doc_error(&ld->yd, e->line, "a faults entry has one of state, flap, loss, ber");
	if (f[F_LINK].v) {
		if (yaml_doc_get_str(&ld->yd, &f[F_LINK], &s) < 0 || fault_link(ld, f[F_LINK].v, s, &e->sw, &e->port) < 0)
			return -1;
	} else {
		if (yaml_doc_get_str(&ld->yd, &f[F_SWITCH], &s) < 0)
			return -1;
		e->sw = topo_switch_index(ld->t, s);
		e->port = -1;
		if (e->sw < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[F_SWITCH].v), "faults: no switch '%s'", s);
	}
	if (f[F_STATE].v) {
		if (yaml_doc_get_str(&ld->yd, &f[F_STATE], &s) < 0)
			return -1;
		if (strcmp(s, "down") && strcmp(s, "up"))
			return yaml_doc_error(&ld->yd, yaml_doc_line(f[F_STATE].v), "faults: state '%s' must be down or up", s);
		e->action = strcmp(s, "down") == 0 ? TOPO_FAULT_DOWN : TOPO_FAULT_UP;
		return 0;
	}
	if (f[F_FLAP].v)
		return load_flap(ld, &f[F_FLAP], e);
	if (e->port < 0)
		return yaml_doc_error(&ld->yd, e->line, "faults: loss and ber are set on a link, not a switch");
	e->action = f[F_LOSS].v ? TOPO_FAULT_LOSS : TOPO_FAULT_BER;
	return get_rate(ld, f[F_LOSS].v ? &f[F_LOSS] : &f[F_BER], &e->rate);
}

static int load_handling(struct topo_loader *ld, const struct yaml_doc_field *hf)
{
	struct topo_fault_handling *h = &ld->t->fault_handling;
	struct yaml_doc_field f[3] = {{"detect_interval"}, {"detect_multiplier"}, {"repair_delay"}};
	unsigned long n;

	if (yaml_doc_fields(&ld->yd, hf->v, "fault_handling", f, 3) < 0)
		return -1;
	h->set = true;
	h->detect_multiplier = 3;
	if (f[0].v && topo_get_delay(&ld->yd, &f[0], &h->detect_interval_ns) < 0)
		return -1;
	if (f[1].v) {
		if (yaml_doc_get_uint(&ld->yd, &f[1], 1, 255, &n) < 0)
			return -1;
		h->detect_multiplier = (uint32_t)n;
	}
	if (f[2].v && topo_get_delay(&ld->yd, &f[2], &h->repair_delay_ns) < 0)
		return -1;
	return 0;
}

int topo_load_faults(struct topo_loader *ld, const struct yaml_doc_field *handling, const struct yaml_doc_field *faults)
{
	struct topology *t = ld->t;
	yaml_node_t *seq;

	if (handling->v && load_handling(ld, handling) < 0)
		return -1;
	if (!faults->v)
		return 0;
	if (yaml_doc_get_seq(&ld->yd, faults, &seq) < 0)
		return -1;
	t->faults = calloc((size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start) + 1, sizeof(*t->faults));
	if (!t->faults)
		return yaml_doc_error(&ld->yd, yaml_doc_line(faults->v), "out of memory");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(ld->yd.doc, *it);

		if (load_fault(ld, m, &t->faults[t->n_faults]) < 0)
			return -1;
		t->n_faults++;
	}
	return 0;
}

static void write_time(FILE *out, uint64_t ns)
{
	fprintf(out, "%lluns", (unsigned long long)ns);
}

void topo_write_faults(const struct topology *t, FILE *out)
{
	const struct topo_fault_handling *h = &t->fault_handling;

	if (h->set) {
		fprintf(out, "fault_handling: { detect_interval: %lluns, detect_multiplier: %u, repair_delay: %lluns }\n",
			(unsigned long long)h->detect_interval_ns, h->detect_multiplier,
			(unsigned long long)h->repair_delay_ns);
	}
	for (int i = 0; i < t->n_faults; i++) {
		const struct topo_fault *e = &t->faults[i];

		fprintf(out, "%s  - { at: ", i ? "" : "faults:\n");
		write_time(out, e->at_ns);
		if (e->port >= 0)
			fprintf(out, ", link: %s:%d", t->switches[e->sw].name, e->port);
		else
			fprintf(out, ", switch: %s", t->switches[e->sw].name);
		switch (e->action) {
		case TOPO_FAULT_DOWN:
		case TOPO_FAULT_UP:
			fprintf(out, ", state: %s }\n", e->action == TOPO_FAULT_DOWN ? "down" : "up");
			break;
		case TOPO_FAULT_FLAP:
			fprintf(out, ", flap: { period: %lluns, count: %u } }\n", (unsigned long long)e->period_ns, e->count);
			break;
		default:
			fprintf(out, ", %s: %.17g }\n", e->action == TOPO_FAULT_LOSS ? "loss" : "ber", e->rate);
			break;
		}
	}
}
