/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_WORKLOAD_CMD_H
#define LOOMCTL_WORKLOAD_CMD_H

/* loomctl workload expand FILE --topo TOPO: the flow list as CSV. */
int cmd_workload(int argc, char **argv);

#endif
