/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_TM_CMDS_H
#define LOOMCTL_TM_CMDS_H

/* loomctl tm show|set ... (argv after "tm") */
int cmd_tm(int argc, char **argv);

#endif
