/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_EXPERIMENT_CMD_H
#define LOOMCTL_EXPERIMENT_CMD_H

/* loomctl experiment run FILE [--out DIR] (experiment_cmd.c) */
int cmd_experiment(int argc, char **argv);

#endif
