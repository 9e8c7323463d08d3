/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom-endpoint: the endpoint programs (docs/ENDPOINTS.md) of the machine
 * it runs on — a VM host's guest, where loomctl runs it through the guest
 * agent (the guest sees the host's / over 9p, so this binary of the build
 * tree). The same code as `loomctl endpoint` on a namespace host
 * (ep_host.c); built for a portable x86-64 like the agent, as TCG's CPU
 * lacks the build's -march instructions.
 *
 *   loom-endpoint set [--lb M] [--measure on|off] [--flowlet-gap-us N] ...
 *       attach / change / detach on eth0..eth7 (ep_host_set); prints the
 *       configuration in force as one JSON object
 *   loom-endpoint show [--flows]
 *       the settings and totals (and flows) as JSON (ep_host_show)
 *
 * Exit: 0; 1 failure (the host left as it was; libbpf's log, the
 * verifier's on a failed load, on stderr); 2 bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ep_host.h"

#define LOG_LEN (1 << 20)

static int usage(void)
{
	fprintf(stderr, "usage: loom-endpoint set [--lb off|packet|flowlet|repath] [--measure on|off]\n"
			"           [--flowlet-gap-us N|--flowlet-gap-ns N] [--round-us N|--round-ns N] [--rounds N]\n"
			"           [--udp-ports P,P..|none]\n"
			"       loom-endpoint show [--flows]\n");
	return 2;
}

static int print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (!s)
		return 1;
	printf("%s\n", s);
	free(s);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_set(int argc, char **argv)
{
	struct loom_ep_config c;
	char err[256], warn[160], *log;
	int rc;

	/* every option against the defaults first: a bad one changes nothing */
	ep_config_defaults(&c);
	if (ep_options_apply(argc, argv, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "loom-endpoint: %s\n", err);
		return 2;
	}
	log = calloc(1, LOG_LEN);
	if (!log) {
		fprintf(stderr, "loom-endpoint: out of memory\n");
		return 1;
	}
	rc = ep_host_set(&c, argc, argv, err, sizeof(err), log, LOG_LEN, warn, sizeof(warn));
	if (log[0])
		fputs(log, stderr);
	free(log);
	if (rc < 0) {
		fprintf(stderr, "loom-endpoint: %s; the host is left as it was\n", err);
		return 1;
	}
	if (warn[0])
		fprintf(stderr, "loom-endpoint: %s\n", warn);
	return print_json(json_pack("{s:s, s:b}", "lb", ep_lb_name(c.lb_mode), "measure", c.measure != 0));
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return cmd_set(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "show") == 0 && (argc == 2 || (argc == 3 && strcmp(argv[2], "--flows") == 0))) {
		char err[256];
		json_t *o = ep_host_show(argc == 3, err, sizeof(err));

		if (!o) {
			fprintf(stderr, "loom-endpoint: %s\n", err);
			return 1;
		}
		return print_json(o);
	}
	return usage();
}
