/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_TOP_CMD_H
#define LOOMCTL_TOP_CMD_H

#include <stdio.h>

#include <jansson.h>

/* loomctl top [--once] [--interval SECONDS] [--socket PATH] */
int cmd_top(int argc, char **argv);

/* One frame from two `stats` results (prev may be NULL: no rates yet). */
void top_render(const json_t *prev, const json_t *cur, FILE *out);

#endif
