/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the topology loader (control/topo: YAML, validation,
 * expansion of the generator form, traffic: through the workload reader),
 * then what loomctl does with a loaded topology: its explicit form and
 * loomd's configuration. */
#include "compile/loomd_config.h"
#include "topo/topology.h"
#include "workload/workload.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *yaml = fuzz_string(data, size), err[512] = "";
	struct topology t;

	if (topo_load_string(yaml, "fuzz.yaml", &workload_traffic, &t, err, sizeof(err)) == 0) {
		FILE *null = fopen("/dev/null", "w");
		json_t *cfg = NULL;

		if (!null)
			abort();
		(void)topo_write_explicit(&t, &workload_traffic, null);
		fclose(null);
		if (loomd_config_build(&t, NULL, &cfg, err, sizeof(err)) == 0)
			json_decref(cfg);
		topo_free(&t);
	} else if (!err[0]) {
		abort(); /* an error must say what */
	}
	free(yaml);
	return 0;
}
