/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_TRACE_CMDS_H
#define LOOMCTL_TRACE_CMDS_H

/* loomctl trace start|show|stop ... (argv after "trace"), docs/TRACE.md. */
int cmd_trace(int argc, char **argv);
/* loomctl capture SW:PORT ... -w FILE|- (argv after "capture"). */
int cmd_capture(int argc, char **argv);

#endif
