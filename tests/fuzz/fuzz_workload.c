/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the workload loader (control/workload) against the default
 * fabric (vm/topologies/default.yaml, loaded once). Relative CDF paths
 * are looked up in workloads/cdf/. */
#include "topo/topology.h"
#include "workload/workload.h"

#include "fuzz_input.h"

static struct topology topo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	if (topo_load(LOOM_SOURCE_ROOT "/vm/topologies/default.yaml", &workload_traffic, &topo, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *yaml = fuzz_string(data, size), err[512] = "";
	struct workload wl;

	if (workload_load_string(yaml, "fuzz.yaml", LOOM_SOURCE_ROOT "/workloads/cdf", &topo, &wl, err, sizeof(err)) == 0)
		workload_free(&wl);
	else if (!err[0])
		abort(); /* an error must say what */
	free(yaml);
	return 0;
}
