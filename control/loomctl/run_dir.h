/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run directory of the fabric (or machine's part of one) that loomctl
 * acts on: its state file, loomd's configuration, socket, log and changes.
 * /run/loom when nothing else is said, as always; `--run-dir DIR`; or, for
 * a fabric with `machines:`, /run/loom-FABRIC-MACHINE, so that several
 * fabrics, or several machines' parts of one, are up side by side
 * (docs/MULTI_MACHINE.md). Chosen once, before any command runs.
 */
#ifndef LOOMCTL_RUN_DIR_H
#define LOOMCTL_RUN_DIR_H

#include <stddef.h>

#define LOOM_RUN_DIR_DEFAULT "/run/loom"
#define LOOM_RUN_DIR_MACHINE_PREFIX "/run/loom-" /* + FABRIC-MACHINE */

struct loom_run_paths {
	char dir[128];
	char socket[160];       /* loomd.sock */
	char config[160];       /* config.json: loomd's configuration */
	char log[160];          /* loomd.log */
	char changes[160];      /* changes/: loomd's live changes (docs/RESTART.md) */
	char state[160];        /* state.json: what `up` made */
	char hosts_script[160]; /* hosts-up.sh: the host namespaces, VXLAN links */
	char hosts_log[160];    /* hosts-up.log */
	char pid[160];          /* loomd.pid: loomd's pid, written by itself (loomd_process.c) */
};

const struct loom_run_paths *loom_run_paths(void);
/* DIR: absolute, no "..", short enough for a socket path. 0, or -1 with a
 * message on stderr. */
int loom_run_dir_set(const char *dir);
/* The run directory of machine `machine`'s part of fabric `fabric`. */
void loom_run_dir_of_machine(const char *fabric, const char *machine, char *buf, size_t len);
/* `--machine NAME` without a file (down, stats, status...): the one run
 * directory /run/loom-*-NAME that holds a state file. 0, or -1 with a
 * message (none, or several: --run-dir chooses). */
int loom_run_dir_find_machine(const char *machine);

/* Machine parts up here (/run/loom-*-* with a state file), one line each
 * on stderr: what a `down` or `stats` without --machine did not touch. */
void loom_run_dir_hint_parts(void);

/* A host's network namespace: "loom-HOST", or "loom-FABRIC-HOST" for a
 * fabric with machines (its parts share the machine's namespace names with
 * other fabrics). up sets the prefix from the topology; other commands
 * read it from the state file (key "netns_prefix"). */
void loom_netns_prefix_set(const char *prefix);
void loom_host_netns(const char *host, char *buf, size_t len);

/* Remove the run directory: the whole tree for /run/loom (as always);
 * for any other (a machine's part, --run-dir) only the files loomctl and
 * loomd put there, then the directory if that left it empty (`down
 * --run-dir /etc` must not remove /etc). */
void loom_run_dir_remove(void);
/* The run directory exists (made 0700 if missing), is a directory and not
 * a symlink, and is root's. 0, or -1 with a message. */
int loom_run_dir_make(void);
/* Remove a directory tree without following symlinks (nftw FTW_PHYS):
 * the run directory, the changes directory. No shell. */
void loom_remove_tree(const char *path);
/* `sh SCRIPT`, its output to LOG (created 0600, not through a symlink).
 * The script's exit status, or -1. */
int loom_run_script(const char *script, const char *log);
/* The last n lines of a file, on stderr. */
void loom_print_tail(const char *path, int n);

#endif
