/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a host of a fabric is configured once its interfaces exist: the same
 * commands for a namespace host (hosts_script.c runs each one under `ip
 * netns exec loom-<host>`) and for a VM host (vm_hosts.c runs each one in
 * the guest through its agent): loopback up, each eth<plane>'s MAC, MTU,
 * offloads, addresses, rate and routes.
 *
 * A command is one line of words separated by single spaces. No word has a
 * space or a shell character: the words are fixed text, names (topology
 * names are [A-Za-z0-9_-]), addresses and numbers. So the namespace side
 * can print it into a shell script as is, and the VM side can split it on
 * spaces into an argv (no shell in the guest). `ip` commands carry no
 * options (no -6: ip takes the family from the address), so that the VM
 * side can hand a run of them to one `ip -batch -`.
 */
#ifndef LOOMCTL_HOST_COMMANDS_H
#define LOOMCTL_HOST_COMMANDS_H

#include <stdbool.h>

#include "topo/topology.h"

struct host_cmd_sink {
	/* quiet: the command's stdout is of no interest (ethtool -K prints
	 * the features it could not change) */
	int (*cmd)(struct host_cmd_sink *sink, const char *line, bool quiet);
};

/* The MTU a host's interface on link l gets: the link's, 1500 until links
 * have one of their own. */
unsigned host_link_mtu(const struct topology *t, const struct topo_link *l);

/* Every command configuring host h, in order. Stops at the first sink
 * error and returns it; 0 when all went through. */
int host_config_commands(const struct topology *t, int h, struct host_cmd_sink *sink);

#endif
