/* SPDX-License-Identifier: BSD-3-Clause */
/* Output files opened safely as root, and their size cap (loom_output_file.h). */
#include "loom_output_file.h"
#include "loom_open_nofollow.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

int loom_output_open_fd(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	/* Not O_TRUNC here: truncating is for regular files only, checked first. */
	fd = loom_open_nofollow(path, O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK, mode);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path,
			 e == ELOOP ? "a symbolic link is on its path or in its place; refusing to write through it"
				    : strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		e = errno ? errno : EINVAL;
		close(fd);
		snprintf(err, errlen, "%s: not a regular file; refusing to write it", path);
		errno = EINVAL;
		(void)e;
		return -1;
	}
	if (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, 0) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	return fd;
}

FILE *loom_output_open(const char *path, mode_t mode, char *err, size_t errlen)
{
	int fd = loom_output_open_fd(path, mode, err, errlen);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
	}
	return f;
}

void loom_output_cap_init(struct loom_output_cap *c, uint64_t max_bytes, const char *what)
{
	c->max_bytes = max_bytes;
	c->written = 0;
	c->full = false;
	c->what = what;
}

bool loom_output_cap_take(struct loom_output_cap *c, uint64_t n)
{
	if (c->full)
		return false;
	if (c->max_bytes && c->written + n > c->max_bytes) {
		c->full = true;
		fprintf(stderr, "loom: %s reached its size cap of %" PRIu64 " bytes: no more is written\n",
			c->what ? c->what : "an output file", c->max_bytes);
		return false;
	}
	c->written += n;
	return true;
}

int loom_output_json(json_t *j, const char *path, mode_t mode)
{
	char err[512];
	FILE *f = loom_output_open(path, mode, err, sizeof(err));
	int rc;

	if (!f) {
		fprintf(stderr, "loom: %s\n", err);
		return -1;
	}
	rc = json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "loom: %s: cannot write\n", path);
	return rc;
}
