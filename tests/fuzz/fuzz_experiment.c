/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the experiment loader (control/experiment), which reads a
 * path: the input is written to a file first. */
#include "experiment/experiment.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct experiment *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	if (experiment_load(fuzz_file(data, size, ".yaml"), e, err, sizeof(err)) < 0 && !err[0])
		abort(); /* an error must say what */
	free(e);
	return 0;
}
