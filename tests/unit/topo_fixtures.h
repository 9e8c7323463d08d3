/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading topologies in unit tests: a file of vm/topologies, or a string
 * (named "t.yaml" in messages). Fails the test with the loader's error. */
#ifndef LOOM_TOPO_FIXTURES_H
#define LOOM_TOPO_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include "topo/topology.h"
#include "workload/workload.h"

#ifndef LOOM_SOURCE_ROOT
#define LOOM_SOURCE_ROOT "."
#endif
#define TOPO_DIR LOOM_SOURCE_ROOT "/vm/topologies/"

static inline void load_file(const char *name, struct topology *t)
{
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s%s", TOPO_DIR, name);
	if (topo_load(path, &workload_traffic, t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static inline void load_string(const char *yaml, struct topology *t)
{
	char err[512];

	if (topo_load_string(yaml, "t.yaml", &workload_traffic, t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* Loading `yaml` is refused with a message naming `where` (e.g.
 * "t.yaml:3") and `keyword`; *t is what the loader left, for the caller's
 * checks that nothing was. */
static inline void load_string_refused(const char *yaml, const char *where, const char *keyword, struct topology *t)
{
	char err[512];
	int rc = topo_load_string(yaml, "t.yaml", &workload_traffic, t, err, sizeof(err));

	if (rc != -1 || !strstr(err, where) || !strstr(err, keyword))
		fail_msg("rc %d, message '%s'; expected '%s' and '%s'", rc, err, where, keyword);
}

#endif
