/* SPDX-License-Identifier: BSD-3-Clause */
/* `loomctl link ...` and `loomctl switch ...`: faults (fault_cmds.c, docs/FAULTS.md). */
#ifndef LOOM_FAULT_CMDS_H
#define LOOM_FAULT_CMDS_H

int cmd_link(int argc, char **argv);
int cmd_switch(int argc, char **argv);

#endif
