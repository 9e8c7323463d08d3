/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_LB_CMDS_H
#define LOOMCTL_LB_CMDS_H

#include <stdbool.h>

#include <jansson.h>

/* loomctl lb show|set ... (argv after "lb"). */
int cmd_lb(int argc, char **argv);
/* The "load_balancing" object of a switch in `stats`, as text. */
void lb_print_switch(json_t *lb, const char *indent);

#endif
