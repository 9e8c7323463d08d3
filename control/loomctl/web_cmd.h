/* SPDX-License-Identifier: BSD-3-Clause */
/* `loomctl web`: the running fabric as a live page (docs/WEB.md). */
#ifndef LOOMCTL_WEB_CMD_H
#define LOOMCTL_WEB_CMD_H

int cmd_web(int argc, char **argv);

#endif
