/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_FABRIC_CMDS_H
#define LOOMCTL_FABRIC_CMDS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "run_dir.h"
#include "topo/topology.h"

struct up_opts {
	const char *topology;
	const char *only;  /* comma-separated switches this loomd hosts, NULL = all */
	bool dry_run;      /* print the loomd config and host script, change nothing */
	bool no_hosts;     /* do not create host namespaces */
	const char *worker_priority; /* loomd --worker-priority (digits, 0..99); NULL: loomd's default */
	const char *machine; /* --machine: this machine's part of a fabric with `machines:` */
	bool run_dir_given;  /* --run-dir: else /run/loom-FABRIC-MACHINE for a machine's part */
};

int cmd_up(const struct up_opts *o);
/* A virtual-clock topology, run to completion; results to `out` (NULL:
 * stdout). fabric_run.c */
/* series: NULL or a CSV of the ports every series_interval_ns (0: the duration / 100, as experiments) */
int cmd_run(const char *topology, const char *out, unsigned int ranks, const char *hostfile, const char *series,
	    uint64_t series_interval_ns);
/* Run a virtual-clock topology in loomd: results JSON to `out` (NULL:
 * stdout), the time series to `series` every series_interval_ns (NULL:
 * none). loomd's exit status. */
int fabric_run_virtual(const struct topology *t, const char *out, const char *series, uint64_t series_interval_ns);
/* The same over `ranks` MPI ranks (0: one loomd, no MPI), on the machines
 * of an Open MPI hostfile (NULL: this one). */
int fabric_run_virtual_ranks(const struct topology *t, const char *out, const char *series,
			     uint64_t series_interval_ns, unsigned int ranks, const char *hostfile);
int cmd_down(void);
/* loomctl gather FILE STATS.json... [--json]: a fabric over several
 * machines from each machine's stats, conservation per switch and per
 * cross-machine link (fabric_gather.c, docs/MULTI_MACHINE.md). */
int cmd_gather(int argc, char **argv);
/* The kernel's counters of this machine's VXLAN links (the state's
 * "vxlan_links"), for `stats --json`: {} when there are none. */
json_t *vxlan_links_counters(json_t *state);
/* What `up` made (namespaces, veths, VM hosts, loomd's pid): the state file. */
#define LOOM_STATE_FILE (loom_run_paths()->state)
/* The state file of the fabric that is up (fabric_state.c): loaded (NULL:
 * none), saved (0600, not through a symlink). */
json_t *fabric_state_load(void);
int fabric_state_save(json_t *state);
/* loomctl restart (fabric_restart.c): loomd stopped if it runs and started
 * again on the same configuration, hosts kept, live changes re-applied,
 * the outage printed. */
int cmd_restart(void);
/* The same for a fabric given by its state (`up` of a fabric whose loomd
 * died). 0; 1 on failure (the hosts are kept either way). */
int fabric_bring_back(json_t *state);
/* loomctl exec HOST -- CMD..., loomctl console HOST (host_exec.c).
 * use_stdin: the command reads loomctl's stdin; else /dev/null (both kinds of host). */
int cmd_exec(const char *host, int argc, char **argv, int timeout_ms, bool use_stdin);
int cmd_console(const char *host);
/* Hosts this loomd serves (namespaces and VMs): not generator hosts, not external, and attached to a local leaf
 * (local NULL = every switch is local). */
bool host_is_served(const struct topology *t, int host, const bool *local);
/* Served and a namespace host (not a VM host). */
bool host_is_namespace(const struct topology *t, int host, const bool *local);
void hosts_script_write(const struct topology *t, const bool *local, FILE *out);

#endif
