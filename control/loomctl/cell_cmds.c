/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl cell [--json] [--results FILE]`: the cell fabric's telemetry
 * (docs/CELLS.md) of the running loomd, or of a virtual-time run's results:
 * per leaf its VOQs (depth, drops, credit asked/granted/used), credits per
 * host port, cells per spine uplink, reassembly (occupancy, reorder depth,
 * timeouts); per spine its cells per port.
 * `loomctl cell link SWITCH:PORT down|up`: take a fabric link (leaf-spine
 * or spine-superspine) down (no cell is sent toward a path through it) or
 * bring it back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_cmds.h"
#include "ctl_client.h"

static json_int_t geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *gets(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void print_switch(json_t *sw)
{
	json_t *c = json_object_get(sw, "cell"), *e;
	size_t i;

	printf("%s (%s): cells made %" JSON_INTEGER_FORMAT ", consumed %" JSON_INTEGER_FORMAT ", queued %" JSON_INTEGER_FORMAT
	       ", conserved %s\n",
	       gets(sw, "name"), gets(c, "role"), geti(c, "made"), geti(c, "consumed"), geti(c, "queued"),
	       json_is_true(json_object_get(sw, "conserved")) ? "yes" : "NO");
	json_array_foreach(json_object_get(c, "ports"), i, e) {
		if (json_object_get(e, "data_cells_tx"))
			printf("  port %-3" JSON_INTEGER_FORMAT " %-12s %-4s cells tx %" JSON_INTEGER_FORMAT " (+%" JSON_INTEGER_FORMAT
			       " control)  rx %" JSON_INTEGER_FORMAT " (+%" JSON_INTEGER_FORMAT " control)\n",
			       geti(e, "index"), gets(e, "name"), json_is_true(json_object_get(e, "down")) ? "DOWN" : "up",
			       geti(e, "data_cells_tx"), geti(e, "ctrl_cells_tx"), geti(e, "data_cells_rx"),
			       geti(e, "ctrl_cells_rx"));
		else
			printf("  port %-3" JSON_INTEGER_FORMAT " %-12s credits %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
			       " skipped: port backlogged): requested %" JSON_INTEGER_FORMAT " B, granted %" JSON_INTEGER_FORMAT
			       " B, demand now %" JSON_INTEGER_FORMAT " B\n",
			       geti(e, "index"), gets(e, "name"), geti(e, "credits_issued"), geti(e, "credits_skipped"),
			       geti(e, "credit_requested_bytes"), geti(e, "credit_granted_bytes"), geti(e, "credit_demand_bytes"));
	}
	if (strcmp(gets(c, "role"), "leaf") != 0)
		return;
	json_array_foreach(json_object_get(c, "voqs"), i, e)
		printf("  voq -> %s:%" JSON_INTEGER_FORMAT " class %" JSON_INTEGER_FORMAT ": depth %" JSON_INTEGER_FORMAT
		       " B / %" JSON_INTEGER_FORMAT " pkts (max %" JSON_INTEGER_FORMAT " B), in %" JSON_INTEGER_FORMAT
		       ", out %" JSON_INTEGER_FORMAT ", drops %" JSON_INTEGER_FORMAT "; credit requested %" JSON_INTEGER_FORMAT
		       " B, granted %" JSON_INTEGER_FORMAT " B, used %" JSON_INTEGER_FORMAT " B\n",
		       gets(e, "leaf"), geti(e, "port"), geti(e, "class"), geti(e, "depth_bytes"), geti(e, "depth_packets"),
		       geti(e, "depth_max_bytes"), geti(e, "in_packets"), geti(e, "out_packets"), geti(e, "drops"),
		       geti(e, "credit_requested_bytes"), geti(e, "credit_granted_bytes"), geti(e, "credit_used_bytes"));
	e = json_object_get(c, "reassembly");
	printf("  reassembly: %" JSON_INTEGER_FORMAT " contexts, %" JSON_INTEGER_FORMAT " cells held, reorder depth max %" JSON_INTEGER_FORMAT
	       ", %" JSON_INTEGER_FORMAT " packets out, %" JSON_INTEGER_FORMAT " timeouts (%" JSON_INTEGER_FORMAT
	       " cells lost, %" JSON_INTEGER_FORMAT " freed), %" JSON_INTEGER_FORMAT " late\n",
	       geti(e, "contexts"), geti(e, "held_cells"), geti(e, "reorder_max"), geti(e, "packets_out"),
	       geti(e, "timeouts"), geti(e, "lost_cells"), geti(e, "freed_cells"), geti(e, "late_cells"));
}

static int show(json_t *stats, int json)
{
	json_t *sw, *out = json_array();
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(stats, "switches"), i, sw) {
		if (!json_object_get(sw, "cell"))
			continue;
		n++;
		if (json)
			json_array_append_new(out, json_pack("{s:s, s:O}", "switch", gets(sw, "name"), "cell",
							     json_object_get(sw, "cell")));
		else
			print_switch(sw);
	}
	if (json)
		ctl_print_json(out);
	json_decref(out);
	if (n == 0) {
		fprintf(stderr, "loomctl cell: the fabric is not in cell mode\n");
		return 1;
	}
	return 0;
}

static int link_cmd(const char *target, const char *state)
{
	char sw[64];
	const char *colon = strrchr(target, ':');
	char *end;
	long port;
	json_t *r;

	if (!colon || (size_t)(colon - target) >= sizeof(sw) || (strcmp(state, "down") && strcmp(state, "up"))) {
		fprintf(stderr, "usage: loomctl cell link SWITCH:PORT down|up\n");
		return 2;
	}
	memcpy(sw, target, (size_t)(colon - target));
	sw[colon - target] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0) {
		fprintf(stderr, "loomctl cell link: '%s' is not SWITCH:PORT\n", target);
		return 2;
	}
	r = ctl_call_or_report("cell_link", json_pack("{s:s, s:i, s:b}", "switch", sw, "port", (int)port, "up",
						      strcmp(state, "up") == 0));
	if (!r)
		return 1;
	printf("%s:%ld %s\n", sw, port, state);
	json_decref(r);
	return 0;
}

int cmd_cell(int argc, char **argv)
{
	const char *results = NULL;
	int json = 0;
	json_t *stats;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "link") == 0) {
		if (argc != 3) {
			fprintf(stderr, "usage: loomctl cell link SWITCH:PORT down|up\n");
			return 2;
		}
		return link_cmd(argv[1], argv[2]);
	}
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc) {
			results = argv[++i];
		} else {
			fprintf(stderr, "usage: loomctl cell [--json] [--results FILE] | cell link SWITCH:PORT down|up\n");
			return 2;
		}
	}
	if (results) {
		json_error_t je;

		stats = json_load_file(results, 0, &je);
		if (!stats) {
			fprintf(stderr, "loomctl cell: %s:%d: %s\n", results, je.line, je.text);
			return 1;
		}
	} else {
		stats = ctl_call_or_report("stats", NULL);
		if (!stats)
			return 1;
	}
	rc = show(stats, json);
	json_decref(stats);
	return rc;
}
