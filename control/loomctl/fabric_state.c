/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state file of the fabric that is up (LOOM_STATE_FILE): what `up`
 * made (namespaces, veths, VM hosts, loomd's pid, the endpoint hosts),
 * read by `down`, `restart`, `status` and `endpoint`. Its own file so that
 * those commands and `up` do not import each other for it.
 */
#include <jansson.h>

#include "loom_output_file.h"
#include "fabric_cmds.h"

int fabric_state_save(json_t *state)
{
	return loom_output_json(state, LOOM_STATE_FILE, LOOM_OUTPUT_PRIVATE);
}

json_t *fabric_state_load(void)
{
	return json_load_file(LOOM_STATE_FILE, 0, NULL);
}
