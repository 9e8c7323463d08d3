/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults on the running fabric (docs/FAULTS.md):
 *   loomctl link SWITCH:PORT down|up       break a link (both its ends) or repair it
 *   loomctl link SWITCH:PORT loss X        lose each frame with probability X (0: off)
 *   loomctl link SWITCH:PORT ber X         bit-error rate X (0: off)
 *   loomctl switch SWITCH down|up          a whole switch
 * loomd's `link` and `switch` requests (dataplane/ctl/ctl_fault.h); the
 * detection and repairs follow the topology's fault_handling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "fault_cmds.h"

static int link_usage(void)
{
	fprintf(stderr, "usage: loomctl link SWITCH:PORT down|up | loss X | ber X\n");
	return 2;
}

/* A rate in [0, 1], the whole argument. */
static int parse_rate(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return *end || end == s || !(*out >= 0 && *out <= 1) ? -1 : 0;
}

int cmd_link(int argc, char **argv)
{
	char sw[64];
	const char *colon;
	char *end;
	long port;
	double rate = 0;
	json_t *req, *r;

	if (argc < 2 || argc > 3)
		return link_usage();
	colon = strrchr(argv[0], ':');
	if (!colon || colon == argv[0] || (size_t)(colon - argv[0]) >= sizeof(sw)) {
		fprintf(stderr, "loomctl link: '%s' is not SWITCH:PORT\n", argv[0]);
		return 2;
	}
	memcpy(sw, argv[0], (size_t)(colon - argv[0]));
	sw[colon - argv[0]] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535) {
		fprintf(stderr, "loomctl link: '%s' is not SWITCH:PORT\n", argv[0]);
		return 2;
	}
	if (argc == 2 && (strcmp(argv[1], "down") == 0 || strcmp(argv[1], "up") == 0)) {
		req = json_pack("{s:s, s:i, s:s}", "switch", sw, "port", (int)port, "state", argv[1]);
	} else if (argc == 3 && (strcmp(argv[1], "loss") == 0 || strcmp(argv[1], "ber") == 0)) {
		if (parse_rate(argv[2], &rate) < 0) {
			fprintf(stderr, "loomctl link: %s '%s' must be a number from 0 to 1\n", argv[1], argv[2]);
			return 2;
		}
		req = json_pack("{s:s, s:i, s:f}", "switch", sw, "port", (int)port, argv[1], rate);
	} else {
		return link_usage();
	}
	if (!req) { /* a switch name that is not UTF-8 */
		fprintf(stderr, "loomctl link: bad switch name\n");
		return 2;
	}
	r = ctl_call_or_report("link", req);
	if (!r)
		return 1;
	printf("%s:%ld %s%s%s\n", sw, port, argv[1], argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
	json_decref(r);
	return 0;
}

int cmd_switch(int argc, char **argv)
{
	json_t *req, *r;

	if (argc != 2 || (strcmp(argv[1], "down") && strcmp(argv[1], "up"))) {
		fprintf(stderr, "usage: loomctl switch SWITCH down|up\n");
		return 2;
	}
	req = json_pack("{s:s, s:s}", "switch", argv[0], "state", argv[1]);
	if (!req) {
		fprintf(stderr, "loomctl switch: bad switch name\n");
		return 2;
	}
	r = ctl_call_or_report("switch", req);
	if (!r)
		return 1;
	printf("%s %s\n", argv[0], argv[1]);
	json_decref(r);
	return 0;
}
