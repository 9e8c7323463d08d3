/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VM hosts of a fabric (port_type: vm, docs/VMS.md): one QEMU guest
 * each, started by `loomctl up` after loomd (QEMU holds a guest with
 * vhost-user NICs until every backend has connected once), configured
 * through the guest agent with the commands namespace hosts get
 * (host_commands.h), stopped by `loomctl down` before anything else.
 *
 * The state file lists them under "vms": [{"host", "run_dir", "pid"}],
 * written before each QEMU starts so that a failed `up` or a `down` stops
 * exactly those.
 */
#ifndef LOOMCTL_VM_HOSTS_H
#define LOOMCTL_VM_HOSTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "topo/topology.h"

/* VM hosts this loomd serves (local NULL: all). */
int vm_hosts_count(const struct topology *t, const bool *local);

/* Find (or build, once: vm/guest/build-image.sh caches it) the guest image
 * and check that every VM host can start: QEMU, kernel, initramfs, agent,
 * shared memory, the NICs. Nothing is started. 0, or -1 with the problem
 * printed. */
int vm_hosts_prepare(const struct topology *t, const bool *local, char *image, size_t len);

/* Start one QEMU per VM host (each entry saved to state with save() before
 * its QEMU starts). 0, or -1 with the problem printed. */
int vm_hosts_start(const struct topology *t, const bool *local, const char *image, json_t *state,
		   int (*save)(json_t *state));

/* Wait for every guest's agent (in parallel) and configure each guest.
 * 0, or -1 with the problem printed. */
int vm_hosts_ready(const struct topology *t, json_t *state);

/* For `up --dry-run`: per VM host, as shell comments, its run directory and
 * the commands its agent would run. */
void vm_hosts_script_write(const struct topology *t, const bool *local, FILE *out);

/* Stop every QEMU in state and remove its run directory and sockets. */
void vm_hosts_stop(json_t *state);

/* Per VM of state: {"host", "pid", "alive", "accel", "run_dir"}. */
json_t *vm_hosts_status(json_t *state);

/* The run directory of VM host `host` in state, or NULL. */
const char *vm_hosts_run_dir(json_t *state, const char *host);

#endif
