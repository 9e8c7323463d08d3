/* SPDX-License-Identifier: BSD-3-Clause */
/* A size in bytes as workload files write it (workload.h). The traffic
 * manager's settings have their own reader (loom_tm_parse_bytes), which
 * takes spaces before the unit and fewer units: unifying the two would
 * change what each accepts. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "workload.h"

int workload_parse_bytes(const char *s, uint64_t *bytes)
{
	static const struct {
		const char *sfx;
		double mult;
	} units[] = {
		{"", 1},	{"B", 1},	   {"K", 1e3},		{"KB", 1e3},	   {"M", 1e6},	   {"MB", 1e6},
		{"G", 1e9},	{"GB", 1e9},	   {"T", 1e12},	{"TB", 1e12},	   {"Ki", 1024.0}, {"KiB", 1024.0},
		{"Mi", 1048576.0}, {"MiB", 1048576.0}, {"Gi", 1073741824.0}, {"GiB", 1073741824.0},
	};
	char *end;
	double v;

	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].sfx) == 0) {
			double b = v * units[i].mult;
			if (b > 1e18 || b != floor(b))
				return -1;
			*bytes = (uint64_t)b;
			return 0;
		}
	return -1;
}
