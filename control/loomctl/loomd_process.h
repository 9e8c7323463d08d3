/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loomd that `loomctl up` and `loomctl restart` run: found by absolute
 * path, started with the fabric's configuration, control socket and changes
 * directory (its live changes, re-applied when it starts again:
 * docs/RESTART.md), waited for, stopped; and what a killed loomd leaves
 * (EAL's runtime directory) removed.
 */
#ifndef LOOMCTL_LOOMD_PROCESS_H
#define LOOMCTL_LOOMD_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctl_client.h"

#define LOOM_CONFIG_FILE (loom_run_paths()->config)
#define LOOM_LOOMD_LOG (loom_run_paths()->log)
/* loomd --changes-dir: the live changes since `up` (dataplane/ctl/ctl_changes.h) */
#define LOOM_CHANGES_DIR (loom_run_paths()->changes)

/* The loomd to start, by absolute path: $LOOMD (absolute), else the one
 * in loomctl's build tree, else beside loomctl, else the install prefix's
 * bindir. -1 with a message when none is there. */
int loomd_path(char *buf, size_t len);

/* pid is a running loomd (not a process that got its number later). */
bool loomd_pid_alive(pid_t pid);

/* loomd's pid file in the run directory: the started process writes it
 * itself, before it becomes loomd, so it exists even when loomctl is
 * killed (SIGKILL) before it saves the pid in the state file. */
#define LOOM_LOOMD_PID_FILE (loom_run_paths()->pid)

/* Start loomd on the fabric's configuration, socket and changes directory,
 * its output to the log: truncated (up) or appended to (restart: the log of
 * the loomd that died stays above). worker_priority: loomd --worker-priority
 * (NULL: loomd's default). The pid (also in LOOM_LOOMD_PID_FILE), or -1. */
pid_t loomd_start(bool append_log, const char *worker_priority);

/* The pid in LOOM_LOOMD_PID_FILE, or 0 (none, unreadable, not a pid). */
pid_t loomd_pid_file_read(void);

/* The fabric's loomd: the state file's pid when that one runs, else the pid
 * file's when that one runs (a loomctl killed between loomd's start and
 * saving its pid), else the state file's (0: none). */
pid_t loomd_recorded_pid(const struct json_t *state);

/* Wait until loomd answers a ping (0), or dies or 60 s pass (-1). */
int loomd_wait(pid_t pid);

/* Stop loomd: shutdown request, SIGTERM, SIGKILL after 10 s. */
void loomd_stop(pid_t pid);

/* The last lines of loomd's log, on stderr, after "loomd did not come up". */
void loomd_print_log_tail(void);

/* EAL's runtime directory of a loomd that is gone (/var/run/dpdk/loomdPID:
 * it removes it when it exits, a killed one cannot). Nothing if pid runs. */
void loomd_remove_runtime_dir(pid_t pid);

#endif
