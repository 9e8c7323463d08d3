/* SPDX-License-Identifier: BSD-3-Clause */
/* Talking to loomd over its control socket: one JSON line each way. */
#ifndef LOOMCTL_CLIENT_H
#define LOOMCTL_CLIENT_H

#include <jansson.h>

#include "run_dir.h"

#define LOOM_RUN_DIR (loom_run_paths()->dir)
#define LOOM_SOCKET (loom_run_paths()->socket)

/* Send `request` (a JSON text line) and return the parsed reply, or NULL
 * with a message in err when loomd cannot be reached. */
json_t *ctl_request_raw(const char *sock, const char *request, char *err, size_t errlen);
/* Send {"cmd": cmd, ...extra} and return reply.result, or NULL with the
 * error (loomd's or the transport's) in err. Caller decrefs. */
json_t *ctl_call(const char *sock, const char *cmd, json_t *extra, char *err, size_t errlen);
/* ctl_call on loomd's socket for a loomctl command: NULL after printing
 * "loomctl: <error>" on stderr. */
json_t *ctl_call_or_report(const char *cmd, json_t *extra);
/* `--json` output: the value, indented, on stdout. */
void ctl_print_json(const json_t *v);

#endif
