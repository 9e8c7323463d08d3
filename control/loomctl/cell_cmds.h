/* SPDX-License-Identifier: BSD-3-Clause */
/* `loomctl cell ...`: the cell fabric's telemetry and link faults (cell_cmds.c). */
#ifndef LOOM_CELL_CMDS_H
#define LOOM_CELL_CMDS_H

int cmd_cell(int argc, char **argv);

#endif
