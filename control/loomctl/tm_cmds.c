/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl tm show SWITCH[:PORT] [--json]` and
 * `loomctl tm set SWITCH[:PORT] KEY VALUE`: the traffic manager settings of
 * a running loomd (keys: loom/tm/tm_config.h, plus `rate`), changed while
 * traffic flows.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "tm_cmds.h"

static json_int_t geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *gets(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "leaf0:3" -> switch "leaf0", port 3; "leaf0" -> port -1. */
static int split_target(const char *target, char *sw, size_t len, int *port)
{
	const char *colon = strrchr(target, ':');
	char *end;

	*port = -1;
	if (!colon) {
		snprintf(sw, len, "%s", target);
		return 0;
	}
	if ((size_t)(colon - target) >= len)
		return -1;
	memcpy(sw, target, (size_t)(colon - target));
	sw[colon - target] = '\0';
	*port = (int)strtol(colon + 1, &end, 10);
	return *end || end == colon + 1 || *port < 0 ? -1 : 0;
}

static void print_settings(json_t *r)
{
	json_t *p, *c;
	size_t i, j;

	printf("switch %s (time_scale %g)\n", gets(r, "switch"), json_number_value(json_object_get(r, "time_scale")));
	json_array_foreach(json_object_get(r, "ports"), i, p) {
		if (!json_is_true(json_object_get(p, "enabled"))) {
			printf("  port %" JSON_INTEGER_FORMAT " (%s): tm off (FIFO, no shaping)\n", geti(p, "index"),
			       gets(p, "name"));
			continue;
		}
		json_t *pfc = json_object_get(p, "pfc");
		printf("  port %" JSON_INTEGER_FORMAT " (%s): rate %.6g Mb/s (link %.6g), burst %" JSON_INTEGER_FORMAT
		       " B, buffer %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT " B used, alpha 2^%" JSON_INTEGER_FORMAT
		       ", pfc xoff %" JSON_INTEGER_FORMAT " xon %" JSON_INTEGER_FORMAT " headroom %" JSON_INTEGER_FORMAT "\n",
		       geti(p, "index"), gets(p, "name"), (double)geti(p, "rate_bps") / 1e6,
		       (double)geti(p, "link_rate_bps") / 1e6, geti(p, "burst_bytes"), geti(p, "buffer_used"),
		       geti(p, "buffer_bytes"), geti(p, "alpha_log2"), geti(pfc, "xoff"), geti(pfc, "xon"),
		       geti(pfc, "headroom"));
		printf("    %-5s %-6s %4s %6s %10s %-5s %8s %8s %8s %5s %s\n", "class", "mode", "prio", "weight", "limit",
		       "ecn", "k", "kmin", "kmax", "pmax", "lossless");
		json_array_foreach(json_object_get(p, "classes"), j, c) {
			printf("    %-5" JSON_INTEGER_FORMAT " %-6s %4" JSON_INTEGER_FORMAT " %6" JSON_INTEGER_FORMAT
			       " %10" JSON_INTEGER_FORMAT " %-5s %8" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT
			       " %8" JSON_INTEGER_FORMAT " %5.3f %s\n",
			       geti(c, "class"), gets(c, "mode"), geti(c, "prio"), geti(c, "weight"), geti(c, "queue_limit"),
			       gets(c, "ecn"), geti(c, "k"), geti(c, "kmin"), geti(c, "kmax"),
			       json_number_value(json_object_get(c, "pmax")),
			       json_is_true(json_object_get(c, "lossless")) ? "yes" : "no");
		}
	}
}

int cmd_tm(int argc, char **argv)
{
	bool as_json = false;
	const char *args[4];
	int n = 0, port;
	char sw[64];
	json_t *req, *r;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = true;
		else if (n < 4)
			args[n++] = argv[i];
		else
			n = 5;
	}
	if (n < 2 || (strcmp(args[0], "show") && strcmp(args[0], "set")) || (!strcmp(args[0], "show") && n != 2) ||
	    (!strcmp(args[0], "set") && n != 4)) {
		fprintf(stderr, "usage: loomctl tm show SWITCH[:PORT] [--json]\n"
				"       loomctl tm set SWITCH[:PORT] KEY VALUE   (e.g. ecn.k 30KB, class.3.weight 4, rate 50M)\n");
		return 2;
	}
	if (split_target(args[1], sw, sizeof(sw), &port) < 0) {
		fprintf(stderr, "loomctl: '%s': expected SWITCH or SWITCH:PORT\n", args[1]);
		return 2;
	}
	req = json_pack("{s:s, s:s}", "op", args[0], "switch", sw);
	if (port >= 0)
		json_object_set_new(req, "port", json_integer(port));
	if (n == 4) {
		json_object_set_new(req, "key", json_string(args[2]));
		json_object_set_new(req, "value", json_string(args[3]));
	}
	r = ctl_call_or_report("tm", req);
	if (!r)
		return 1;
	if (as_json)
		ctl_print_json(r);
	else
		print_settings(r);
	json_decref(r);
	return 0;
}
