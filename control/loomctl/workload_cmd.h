/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_WORKLOAD_CMD_H
#define LOOMCTL_WORKLOAD_CMD_H

/* loomctl workload expand FILE --topo TOPO: the flow list as CSV. */
int cmd_workload(int argc, char **argv);
/* loomctl workload iperf3 FILE --topo TOPO ...: iperf3 pairs between
 * namespace hosts (workload_iperf3.c). */
int cmd_workload_iperf3(int argc, char **argv);

#endif
