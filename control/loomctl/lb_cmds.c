/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl lb show [SWITCH] [--json]` and `loomctl lb set MODE [--switch SW]
 * [--group G]`: the load-balancing modes of a running fabric, their
 * per-member counters, imbalance and the reordering hosts see; changing a
 * mode while traffic flows (loomd swaps it in between two bursts).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "lb_cmds.h"

static json_int_t geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *gets(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static double getf(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

void lb_print_switch(json_t *lb, const char *indent)
{
	json_t *g, *m, *r;
	size_t i, j;

	printf("%sload balancing: %s (imbalance window %.0f ms)\n", indent, gets(lb, "mode"),
	       (double)geti(lb, "window_ns") / 1e6);
	json_array_foreach(json_object_get(lb, "groups"), i, g) {
		json_t *im = json_object_get(g, "imbalance"), *wim = json_object_get(g, "window_imbalance");

		printf("%s  group %" JSON_INTEGER_FORMAT " %-14s max/mean %.3f cv %.3f (last window %.3f / %.3f):",
		       indent, geti(g, "group"), gets(g, "mode"), getf(im, "max_over_mean"), getf(im, "cv"),
		       getf(wim, "max_over_mean"), getf(wim, "cv"));
		json_array_foreach(json_object_get(g, "members"), j, m)
			printf(" %s %" JSON_INTEGER_FORMAT " pkts/%" JSON_INTEGER_FORMAT " B", gets(m, "name"),
			       geti(m, "packets"), geti(m, "bytes"));
		putchar('\n');
	}
	json_array_foreach(json_object_get(lb, "reorder"), i, r) {
		const char *bucket;
		json_t *v;

		if (geti(r, "packets") == 0)
			continue;
		printf("%s  reorder to %s: %" JSON_INTEGER_FORMAT " out of order of %" JSON_INTEGER_FORMAT
		       " (%" JSON_INTEGER_FORMAT " flows); distance:",
		       indent, gets(r, "name"), geti(r, "out_of_order"), geti(r, "packets"), geti(r, "flows"));
		json_object_foreach(json_object_get(r, "distance"), bucket, v)
			if (json_integer_value(v))
				printf(" %s:%" JSON_INTEGER_FORMAT, bucket, json_integer_value(v));
		putchar('\n');
	}
}

static int lb_show(const char *sw, bool as_json)
{
	json_t *r = ctl_call_or_report("lb", sw ? json_pack("{s:s}", "switch", sw) : NULL), *s, *p;
	size_t i;

	if (!r)
		return 1;
	if (as_json) {
		ctl_print_json(r);
	} else {
		json_array_foreach(json_object_get(r, "switches"), i, s) {
			printf("%s\n", gets(s, "switch"));
			lb_print_switch(s, "  ");
		}
		printf("modes:");
		json_array_foreach(json_object_get(r, "policies"), i, p)
			printf(" %s", gets(p, "name"));
		putchar('\n');
	}
	json_decref(r);
	return 0;
}

static int lb_set(const char *mode, const char *sw, const char *group)
{
	char *end;
	json_t *extra = json_pack("{s:s}", "mode", mode), *r, *n;
	size_t i;

	if (sw)
		json_object_set_new(extra, "switch", json_string(sw));
	if (group) {
		long g = strtol(group, &end, 10);
		if (*end || g < 0) {
			fprintf(stderr, "loomctl: --group needs a group number (loomctl lb show lists them)\n");
			json_decref(extra);
			return 2;
		}
		json_object_set_new(extra, "group", json_integer(g));
	}
	r = ctl_call_or_report("lb_set", extra);
	if (!r)
		return 1;
	printf("%s: %" JSON_INTEGER_FORMAT " group(s) on", gets(r, "mode"), geti(r, "groups_changed"));
	json_array_foreach(json_object_get(r, "switches"), i, n)
		printf(" %s", json_string_value(n));
	putchar('\n');
	json_decref(r);
	return 0;
}

int cmd_lb(int argc, char **argv)
{
	const char *sw = NULL, *group = NULL, *mode = NULL;
	bool as_json = false, show;

	if (argc < 1 || (strcmp(argv[0], "show") != 0 && strcmp(argv[0], "set") != 0)) {
		fprintf(stderr, "usage: loomctl lb show [SWITCH] [--json]\n"
				"       loomctl lb set MODE [--switch SW] [--group G]\n");
		return 2;
	}
	show = strcmp(argv[0], "show") == 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && show) {
			as_json = true;
		} else if (strcmp(argv[i], "--switch") == 0 && i + 1 < argc && !show) {
			sw = argv[++i];
		} else if (strcmp(argv[i], "--group") == 0 && i + 1 < argc && !show) {
			group = argv[++i];
		} else if (argv[i][0] != '-' && show && !sw) {
			sw = argv[i];
		} else if (argv[i][0] != '-' && !show && !mode) {
			mode = argv[i];
		} else {
			fprintf(stderr, "loomctl: lb %s: unexpected argument '%s'\n", argv[0], argv[i]);
			return 2;
		}
	}
	if (show)
		return lb_show(sw, as_json);
	if (!mode) {
		fprintf(stderr, "loomctl: lb set needs a MODE (loomctl lb show lists them)\n");
		return 2;
	}
	if (group && !sw) {
		fprintf(stderr, "loomctl: lb set --group needs --switch\n");
		return 2;
	}
	return lb_set(mode, sw, group);
}
