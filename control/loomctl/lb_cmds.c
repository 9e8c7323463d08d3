/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl lb show [SWITCH] [--json]` and `loomctl lb set MODE [--switch SW]
 * [--group G | --idle-time T --placement queue|band]`: the load-balancing
 * modes of a running fabric, their per-member counters, imbalance and the
 * reordering hosts see; changing a mode, and the flowlet parameters, while
 * traffic flows (loomd swaps the new states in between two bursts). The
 * request is api/loom_lb_set.h's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "lb_cmds.h"
#include "loom_lb_set.h"
#include "topo/topology.h"

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

	json_t *fl = json_object_get(lb, "flowlet");

	printf("%sload balancing: %s (imbalance window %.0f ms)", indent, gets(lb, "mode"),
	       (double)geti(lb, "window_ns") / 1e6);
	if (fl)
		printf(", flowlet idle time %.0f us, placement %s", (double)geti(fl, "idle_time_ns") / 1e3,
		       gets(fl, "placement"));
	putchar('\n');
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

static int lb_set(struct loom_lb_set_req *req, const char *group, const char *idle)
{
	char *end, err[256];
	json_t *extra, *r, *n;
	uint64_t ns;
	size_t i;

	if (group) {
		long g = strtol(group, &end, 10);
		if (*end || g < 0) {
			fprintf(stderr, "loomctl: --group needs a group number (loomctl lb show lists them)\n");
			return 2;
		}
		req->group = g;
	}
	if (idle) {
		if (topo_parse_delay(idle, &ns) < 0 || ns > LOOM_LB_IDLE_TIME_MAX_NS) {
			fprintf(stderr, "loomctl: --idle-time needs a time up to 10s (e.g. 256us)\n");
			return 2;
		}
		req->idle_time_ns = (int64_t)ns;
	}
	extra = loom_lb_set_req_to_json(req, err, sizeof(err));
	if (!extra) {
		fprintf(stderr, "loomctl: %s\n", err);
		return 2;
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
	const char *sw = NULL, *group = NULL, *mode = NULL, *idle = NULL, *placement = NULL;
	bool as_json = false, show;

	if (argc < 1 || (strcmp(argv[0], "show") != 0 && strcmp(argv[0], "set") != 0)) {
		fprintf(stderr, "usage: loomctl lb show [SWITCH] [--json]\n"
				"       loomctl lb set MODE [--switch SW] [--group G | --idle-time T --placement queue|band]\n");
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
		} else if (strcmp(argv[i], "--idle-time") == 0 && i + 1 < argc && !show) {
			idle = argv[++i];
		} else if (strcmp(argv[i], "--placement") == 0 && i + 1 < argc && !show) {
			placement = argv[++i];
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
	struct loom_lb_set_req req = LOOM_LB_SET_REQ_INIT;

	req.mode = mode;
	req.sw = sw;
	req.placement = placement;
	return lb_set(&req, group, idle);
}
