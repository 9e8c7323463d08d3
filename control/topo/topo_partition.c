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
 * (A key of its own, not issue 26's `machines:`/`machine:` placement:
 * ranks and machines are reconciled later.)
 */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

int topo_load_partition(struct topo_loader *ld, const struct yaml_doc_field *f)
{
	struct topology *t = ld->t;
	yaml_node_t *seq = f->v;
	int n;

	if (!seq)
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return yaml_doc_error(&ld->yd, yaml_doc_line(seq),
				      "partition: a list of switch groups (each a list of switch names)");
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
	}
	for (int s = 0; s < t->n_switches; s++)
		if (t->partition_group[s] < 0)
			return yaml_doc_error(&ld->yd, yaml_doc_line(seq),
					      "partition: switch %s is in no group (every switch must be in one)",
					      t->switches[s].name);
	return 0;
}
