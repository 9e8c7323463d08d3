/* SPDX-License-Identifier: BSD-3-Clause */
/* loomctl workload expand FILE --topo TOPO */
#include <stdio.h>
#include <string.h>

#include "workload/workload.h"
#include "workload_cmd.h"

int cmd_workload(int argc, char **argv)
{
	const char *file = NULL, *topo = NULL;
	struct topology t;
	struct workload wl;
	char err[1024];

	if (argc >= 1 && strcmp(argv[0], "iperf3") == 0)
		return cmd_workload_iperf3(argc, argv);
	if (argc < 1 || strcmp(argv[0], "expand") != 0) {
		fprintf(stderr, "usage: loomctl workload expand FILE --topo TOPOLOGY\n"
			"       loomctl workload iperf3 FILE --topo TOPOLOGY [--out DIR] [--udp] [--duration S] "
			"[--dry-run]\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topo") == 0 && i + 1 < argc) {
			topo = argv[++i];
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!file || !topo) {
		fprintf(stderr, "usage: loomctl workload expand FILE --topo TOPOLOGY\n");
		return 2;
	}
	if (topo_load(topo, &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (workload_load(file, &t, &wl, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		topo_free(&t);
		return 1;
	}
	workload_write_csv(&wl, &t, stdout);
	workload_free(&wl);
	topo_free(&t);
	return 0;
}
