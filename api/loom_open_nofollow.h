/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening a path as root without following a symbolic link anywhere on it.
 * O_NOFOLLOW guards the last component only: with /run/loom a link to
 * /etc, open("/run/loom/state.json", O_CREAT|O_NOFOLLOW) writes
 * /etc/state.json. Every file loomd and loomctl create (run directory,
 * results, captures, logs) is opened here:
 *  - Linux >= 5.6: openat2() with RESOLVE_NO_SYMLINKS, which refuses a
 *    link in any component (ELOOP);
 *  - older kernels (ENOSYS): the path walked one directory at a time with
 *    O_NOFOLLOW | O_DIRECTORY, the last component opened O_NOFOLLOW in
 *    the directory found (the same refusal, ELOOP or ENOTDIR).
 * A path given relative resolves from the working directory, which is not
 * itself checked (it was chosen by whoever started us). glibc has no
 * openat2() wrapper in Debian 12: it is called through syscall(2).
 */
#ifndef LOOM_OPEN_NOFOLLOW_H
#define LOOM_OPEN_NOFOLLOW_H

#include <sys/types.h>

/* open(path, flags, mode) with no symlink followed on the way; O_CLOEXEC
 * is added. -1 with errno (ELOOP: a link on the way or in place). */
int loom_open_nofollow(const char *path, int flags, mode_t mode);

/* The walk alone (what older kernels get), for tests. */
int loom_open_nofollow_walk(const char *path, int flags, mode_t mode);

#endif
