/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_PIPELINE_CMD_H
#define LOOMCTL_PIPELINE_CMD_H

/* loomctl pipeline SWITCH native|p4 [--spec FILE] (argv after "pipeline"). */
int cmd_pipeline(int argc, char **argv);

#endif
