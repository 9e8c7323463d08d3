/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The endpoint programs of a VM host (docs/ENDPOINTS.md, "VM hosts"):
 * loom-endpoint (endpoint/loom_endpoint_main.c, the same code as a
 * namespace host's) run inside the guest through its agent, read from the
 * host's / over 9p.
 */
#ifndef LOOMCTL_ENDPOINT_VM_H
#define LOOMCTL_ENDPOINT_VM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* `set` in guest `host` (agent socket under run_dir) with the options
 * (already checked); *reply: the configuration in force ({"lb",
 * "measure"}). 0; 1 with the loader's messages (libbpf's log among them)
 * printed and the guest as it was; 2 when the options are refused. */
int endpoint_vm_set(const char *host, const char *run_dir, int argc, char **argv, json_t **reply);

/* The guest's figures as ep_host_show gives them; NULL with err. */
json_t *endpoint_vm_show(const char *run_dir, bool with_flows, char *err, size_t errlen);

#endif
