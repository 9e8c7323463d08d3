/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files that loomd and loomctl write, as root, at paths a topology, a
 * workload or a command line names (captures, time series, results,
 * reports, scripts). Opened so that a path cannot be turned against root:
 *  - no symlink followed, in place of the file or as a directory on its
 *    path (loom_open_nofollow.h): refused (ELOOP), the target untouched;
 *  - an existing file must be a regular file (not a device, FIFO or
 *    socket), and is truncated only after that check;
 *  - created with the mode the caller gives: LOOM_OUTPUT_PRIVATE (0600)
 *    for what only root needs (scripts run as root), LOOM_OUTPUT_SHARED
 *    (0644) for results users read (pcaps, CSV series, results JSON,
 *    reports: the point of running is to look at them). The process
 *    umask still applies.
 * Files that grow with traffic (captures, series) also take a size cap:
 * loom_output_cap_take() says when a write would pass it, and the writer
 * stops writing that file, saying so once on stderr.
 *
 * Plain C and jansson (no DPDK): both sides link it from api/.
 */
#ifndef LOOM_OUTPUT_FILE_H
#define LOOM_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define LOOM_OUTPUT_PRIVATE 0600
#define LOOM_OUTPUT_SHARED 0644

/* Default cap of a file that grows with traffic: 1 GiB. */
#define LOOM_OUTPUT_DEFAULT_MAX_BYTES (1ull << 30)

/* Open `path` for writing as above. NULL with errno set and "PATH: reason" in err. */
FILE *loom_output_open(const char *path, mode_t mode, char *err, size_t errlen);

/* The same, as a file descriptor (O_WRONLY | O_CLOEXEC); -1 on error. */
int loom_output_open_fd(const char *path, mode_t mode, char *err, size_t errlen);

/* json_dumpf of `j` (indent 1, key order kept) to `path` opened as above;
 * 0, or -1 with "loom: PATH: reason" on stderr. */
struct json_t;
int loom_output_json(struct json_t *j, const char *path, mode_t mode);

struct loom_output_cap {
	uint64_t max_bytes;   /* 0: no cap */
	uint64_t written;
	bool full;            /* the cap was reached: nothing more is written */
	const char *what;     /* for the message, e.g. "capture leaf0-up.pcap" */
};

void loom_output_cap_init(struct loom_output_cap *c, uint64_t max_bytes, const char *what);

/* Whether `n` more bytes may be written; the first refusal prints
 * "loom: WHAT reached its size cap of N bytes: no more is written" once. */
bool loom_output_cap_take(struct loom_output_cap *c, uint64_t n);

#endif
