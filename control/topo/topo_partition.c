/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `partition:` (virtual time over MPI ranks, docs/VIRTUAL_TIME.md "Many
 * ranks"): groups of switches that run together, a list of lists of
 * switch names. loomd gives group g of G to rank g * N / G of N ranks
 * (dataplane/runner/partition.h); generator hosts go with their leaf.
 * Every switch is in exactly one group.
 *
 *   partition:
 *     - [leaf0, leaf1, spine0]
 *     - [leaf2, leaf3, spine1]
 *
 * One placement vocabulary with issue 26's `machines:` (docs/MULTI_MACHINE.md):
 *
 *   partition: { by: machine }
 *
 * makes one group per machine of `machines:`, in its order, each holding
 * the switches placed there (`machine:`, or `generate: machines_by:`); a
 * file with `machines:` and no `partition:` is split the same way. With
 * as many ranks as machines, a switch's machine is its rank. Given both, a
 * list's group may not hold switches of two machines (a rank is a process
 * on one machine): refused at the group's line, naming both.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

/* One group per machine, in the order of `machines:`; `line`: where the
 * rule is (0: `machines:` alone). */
static int groups_by_machine(struct topo_loader *ld, int line)
{
	struct topology *t = ld->t;

	if (!t->n_machines)
		return yaml_doc_error(&ld->yd, line, "partition by machine, but the file has no 'machines:' section");
	t->partition_group = malloc((size_t)t->n_switches * sizeof(*t->partition_group) + 1);
	if (!t->partition_group)
		return yaml_doc_error(&ld->yd, line, "out of memory");
	t->n_partition_groups = t->n_machines;
	t->partition_from = line ? TOPO_PARTITION_BY_MACHINE : TOPO_PARTITION_MACHINES;
	for (int m = 0; m < t->n_machines; m++) {
		bool used = false;

		for (int s = 0; s < t->n_switches; s++) {
			t->partition_group[s] = t->switches[s].machine < 0 ? 0 : t->switches[s].machine;
			used |= t->partition_group[s] == m;
		}
		if (!used)
			return yaml_doc_error(&ld->yd, line ? line : t->machines[m].pos.line,
					      "partition by machine: machine %s runs no switch, its rank would run "
					      "none",
					      t->machines[m].name);
	}
	return 0;
}

/* A listed group holds switches of one machine. */
static int group_on_one_machine(struct topo_loader *ld, yaml_node_t *grp, int g)
{
	struct topology *t = ld->t;
	int first = -1;

	for (int s = 0; t->n_machines && s < t->n_switches; s++) {
		if (t->partition_group[s] != g)
			continue;
		if (first < 0)
			first = s;
		else if (t->switches[s].machine != t->switches[first].machine)
			return yaml_doc_error(&ld->yd, yaml_doc_line(grp),
					      "partition: group %d holds %s (machine %s) and %s (machine %s): a "
					      "group runs as one process, on one machine",
					      g + 1, t->switches[first].name,
					      t->machines[t->switches[first].machine].name, t->switches[s].name,
					      t->machines[t->switches[s].machine].name);
	}
	return 0;
}

int topo_load_partition(struct topo_loader *ld, const struct yaml_doc_field *f)
{
	struct topology *t = ld->t;
	yaml_node_t *seq = f->v;
	int n;

	if (!seq)
		return t->n_machines ? groups_by_machine(ld, 0) : 0;
	if (seq->type == YAML_MAPPING_NODE) {
		struct yaml_doc_field by[1] = {{"by"}};
		const char *what;

		if (yaml_doc_fields(&ld->yd, seq, "partition", by, 1) < 0 ||
		    yaml_doc_require(&ld->yd, seq, "partition", &by[0]) < 0 || yaml_doc_get_str(&ld->yd, &by[0], &what) < 0)
			return -1;
		if (strcmp(what, "machine") != 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(by[0].v),
					      "partition: by '%s': 'machine' (or a list of switch groups)", what);
		return groups_by_machine(ld, yaml_doc_line(seq));
	}
	if (seq->type != YAML_SEQUENCE_NODE)
		return yaml_doc_error(&ld->yd, yaml_doc_line(seq),
				      "partition: a list of switch groups (each a list of switch names), or "
				      "{by: machine}");
	n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (n == 0)
		return yaml_doc_error(&ld->yd, yaml_doc_line(seq), "partition: no groups");
	t->partition_group = malloc((size_t)t->n_switches * sizeof(*t->partition_group) + 1);
	if (!t->partition_group)
		return yaml_doc_error(&ld->yd, yaml_doc_line(seq), "out of memory");
	for (int s = 0; s < t->n_switches; s++)
		t->partition_group[s] = -1;
	t->n_partition_groups = n;
	for (int g = 0; g < n; g++) {
		yaml_node_t *grp = yaml_document_get_node(ld->yd.doc, seq->data.sequence.items.start[g]);

		if (!grp || grp->type != YAML_SEQUENCE_NODE || grp->data.sequence.items.top == grp->data.sequence.items.start)
			return yaml_doc_error(&ld->yd, yaml_doc_line(grp ? grp : seq),
					      "partition: group %d: a non-empty list of switch names", g + 1);
		for (yaml_node_item_t *it = grp->data.sequence.items.start; it < grp->data.sequence.items.top; it++) {
			yaml_node_t *nm = yaml_document_get_node(ld->yd.doc, *it);
			const char *name = nm && nm->type == YAML_SCALAR_NODE ? (const char *)nm->data.scalar.value : NULL;
			int s = name ? topo_switch_index(t, name) : -1;

			if (s < 0)
				return yaml_doc_error(&ld->yd, yaml_doc_line(nm ? nm : grp),
						      "partition: group %d: '%s' is not a switch", g + 1,
						      name ? name : "(not a name)");
			if (t->partition_group[s] >= 0)
				return yaml_doc_error(&ld->yd, yaml_doc_line(nm),
						      "partition: switch %s is in group %d and in group %d", name,
						      t->partition_group[s] + 1, g + 1);
			t->partition_group[s] = g;
		}
		if (group_on_one_machine(ld, grp, g) < 0)
			return -1;
	}
	for (int s = 0; s < t->n_switches; s++)
		if (t->partition_group[s] < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(seq),
					      "partition: switch %s is in no group (every switch must be in one)",
					      t->switches[s].name);
	return 0;
}
