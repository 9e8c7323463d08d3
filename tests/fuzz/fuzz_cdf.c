/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the flow-size CDF parser (scheduler/traffic/cdf.c). A parsed
 * CDF is also sampled, so what the parser accepts is usable. */
#include "loom/traffic/cdf.h"
#include "loom/traffic/rng.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), err[256];
	struct loom_cdf cdf;

	if (loom_cdf_parse(text, "fuzz.cdf", &cdf, err, sizeof(err)) == 0) {
		struct loom_rng rng;

		/* what cdf.h promises of a parsed table */
		if (cdf.n == 0 || cdf.cum[cdf.n - 1] != 1.0)
			abort();
		for (size_t i = 1; i < cdf.n; i++)
			if (cdf.bytes[i] < cdf.bytes[i - 1] || cdf.cum[i] < cdf.cum[i - 1])
				abort();
		loom_rng_seed(&rng, 1);
		for (int i = 0; i < 16; i++)
			if (loom_cdf_sample(&cdf, &rng) < 1)
				abort();
		(void)loom_cdf_mean(&cdf);
		loom_cdf_free(&cdf);
	} else if (!err[0]) {
		abort(); /* an error must say what */
	}
	free(text);
	return 0;
}
