/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live changes: the control requests that change a running fabric after it
 * started (lb_set, tm set, pipeline, cell_link; the command table in
 * ctl_commands.c says which: a command with a change key), recorded in a
 * directory so that a loomd started again on the same configuration
 * re-applies them (loomd --changes-dir, docs/RESTART.md).
 *
 * One file per change, DIR/NNNNNNNN.json (a sequence number, replayed in
 * that order): {"key": KEY, "request": {the request as received}}. KEY says
 * what the change sets ("tm leaf0:3 ecn.k"): a later change with the same
 * key replaces the file of the earlier one, so the directory holds at most
 * one change per thing changed. A file is written under a temporary name
 * (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) and renamed into place: a loomd killed
 * while writing leaves a whole change or none, never half of one.
 *
 * Plain C and jansson (no DPDK): tests/unit/test_ctl_changes.c drives it.
 * One thread at a time (loomd's control thread; the replay before it runs).
 */
#ifndef LOOM_CTL_CHANGES_H
#define LOOM_CTL_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CTL_CHANGE_KEY_MAX 256
/* A change file larger than this is not one of ours. */
#define CTL_CHANGE_FILE_MAX (64 * 1024)

struct ctl_change_entry {
	uint32_t seq;
	char key[CTL_CHANGE_KEY_MAX];
};

struct ctl_changes {
	int dirfd;
	char dir[256];
	uint32_t next_seq;
	struct ctl_change_entry *entries; /* recorded (and replayed) changes, in order */
	size_t n, cap;
};

/* Create DIR (0700) if missing and open it: it must be a directory (not a
 * symlink) of this user's, not writable by group or others. Stale temporary
 * files of a killed loomd are removed. 0, or -1 with "DIR: reason" in err. */
int ctl_changes_open(struct ctl_changes *c, const char *dir, char *err, size_t errlen);
void ctl_changes_close(struct ctl_changes *c);

/* Record `req` under `key`, after the change was applied; the files of
 * earlier changes with the same key are removed. 0, or -1 with err. */
int ctl_changes_record(struct ctl_changes *c, const char *key, json_t *req, char *err, size_t errlen);

/* Applies one recorded change: 0, or -1 with why it was not applied in err. */
typedef int (*ctl_change_apply_fn)(void *ctx, const char *key, json_t *req, char *err, size_t errlen);

/* Re-apply every change file of the directory in sequence order. A file
 * that is not a well-formed change (bad name, symlink, not a regular file,
 * too large, not JSON, no key or request) or that `apply` refuses is
 * skipped and left in place, and named with its problem in the result:
 *   {"dir": DIR, "replayed": N, "skipped": [{"file": PATH, "error": WHY}]}
 * (each skipped one also on stderr). Caller decrefs. */
json_t *ctl_changes_replay(struct ctl_changes *c, ctl_change_apply_fn apply, void *ctx);

#endif
