/* SPDX-License-Identifier: BSD-3-Clause */
/* Sizes in bytes (loom/units.h). strtod does the number; the unit table is
 * Loom's own (no library reads "KiB"-style sizes in C). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

#include "loom/units.h"

int loom_parse_bytes(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
		{"", 1},	  {"B", 1},	      {"K", 1e3},	 {"KB", 1e3},	      {"M", 1e6},
		{"MB", 1e6},	  {"G", 1e9},	      {"GB", 1e9},	 {"T", 1e12},	      {"TB", 1e12},
		{"Ki", 1024.0}, {"KiB", 1024.0}, {"Mi", 1048576.0}, {"MiB", 1048576.0}, {"Gi", 1073741824.0},
		{"GiB", 1073741824.0},
	};
	char *end;
	double v;

	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(end, units[i].unit)) {
			double b = v * units[i].mult;

			if (b >= 1e18 || b != floor(b))
				return -1;
			*out = (uint64_t)b;
			return 0;
		}
	return -1;
}
