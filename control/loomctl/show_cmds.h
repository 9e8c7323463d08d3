/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOMCTL_SHOW_CMDS_H
#define LOOMCTL_SHOW_CMDS_H

#include <stdbool.h>

int cmd_status(bool as_json);
int cmd_stats(bool as_json);
int cmd_routes(const char *sw, bool as_json);
/* Send a request line as given (for debugging and tests of loomd's error
 * replies); exit status 1 when loomd answered with an error. */
int cmd_raw(const char *request);

#endif
