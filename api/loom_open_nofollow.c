/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening without following any symbolic link on the path (loom_open_nofollow.h). */
#include "loom_open_nofollow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int loom_open_nofollow_walk(const char *path, int flags, mode_t mode)
{
	char buf[PATH_MAX], *comp, *next;
	int dirfd, fd, e;

	if (!path || !*path || strlen(path) >= sizeof(buf)) {
		errno = path && *path ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	strcpy(buf, path);
	dirfd = open(buf[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	comp = buf;
	for (;;) {
		while (*comp == '/')
			comp++;
		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		while (next && *next == '/')
			next++;
		if (!next || !*next)
			break; /* comp is the last component */
		fd = openat(dirfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		close(dirfd);
		if (fd < 0) {
			errno = e;
			return -1;
		}
		dirfd = fd;
		comp = next;
	}
	fd = openat(dirfd, *comp ? comp : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
	e = errno;
	close(dirfd);
	errno = e;
	return fd;
}

int loom_open_nofollow(const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		return loom_open_nofollow_walk(path, flags, mode);
	return (int)fd;
}
