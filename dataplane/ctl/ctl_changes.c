/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_changes.h"
#include "loom_open_nofollow.h"

#define TMP_PREFIX ".tmp-"

/* "NNNNNNNN.json" -> its sequence number; -1 for any other name. */
static int64_t seq_of_name(const char *name)
{
	uint32_t seq = 0;

	if (strlen(name) != 13 || strcmp(name + 8, ".json") != 0)
		return -1;
	for (int i = 0; i < 8; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		seq = seq * 10 + (uint32_t)(name[i] - '0');
	}
	return seq;
}

int ctl_changes_open(struct ctl_changes *c, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd;

	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	if (strlen(dir) >= sizeof(c->dir)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
		return -1;
	}
	c->dirfd = loom_open_nofollow(dir, O_RDONLY | O_DIRECTORY, 0);
	if (c->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", dir,
			 errno == ELOOP || errno == ENOTDIR ? "not a directory, or a symlink on its path" : strerror(errno));
		return -1;
	}
	/* root writes here and re-applies what it finds: nobody else may put a
	 * file in it */
	if (fstat(c->dirfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen, "%s: must be a directory of uid %u, not writable by group or others", dir,
			 (unsigned)geteuid());
		ctl_changes_close(c);
		return -1;
	}
	fd = dup(c->dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		ctl_changes_close(c);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		int64_t seq = seq_of_name(e->d_name);

		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			unlinkat(c->dirfd, e->d_name, 0); /* half-written by a killed loomd: never renamed in */
		else if (seq >= 0 && (uint32_t)seq >= c->next_seq)
			c->next_seq = (uint32_t)seq + 1;
	}
	closedir(d);
	return 0;
}

void ctl_changes_close(struct ctl_changes *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
	free(c->entries);
	c->entries = NULL;
	c->n = c->cap = 0;
}

static int entry_add(struct ctl_changes *c, uint32_t seq, const char *key)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct ctl_change_entry *e = realloc(c->entries, cap * sizeof(*e));

		if (!e)
			return -1;
		c->entries = e;
		c->cap = cap;
	}
	c->entries[c->n].seq = seq;
	snprintf(c->entries[c->n].key, sizeof(c->entries[c->n].key), "%s", key);
	c->n++;
	return 0;
}

int ctl_changes_record(struct ctl_changes *c, const char *key, json_t *req, char *err, size_t errlen)
{
	char tmp[32], name[32];
	json_t *doc;
	char *text;
	size_t len, off = 0;
	uint32_t seq = c->next_seq;
	int fd, rc = 0;

	if (c->dirfd < 0) {
		snprintf(err, errlen, "no changes directory");
		return -1;
	}
	if (strlen(key) >= CTL_CHANGE_KEY_MAX || seq > 99999999u) {
		snprintf(err, errlen, "%s: %s", c->dir, seq > 99999999u ? "sequence numbers exhausted" : "key too long");
		return -1;
	}
	doc = json_pack("{s:s, s:O}", "key", key, "request", req);
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	len = strlen(text);
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%08u", seq);
	snprintf(name, sizeof(name), "%08u.json", seq);
	/* O_EXCL|O_NOFOLLOW: nothing in place of the temporary name is followed
	 * or reused; the rename makes the change appear whole */
	fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", c->dir, tmp, strerror(errno));
		free(text);
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	free(text);
	/* no fsync: what this guards against is loomd being killed, not the
	 * machine losing power (the directory is under /run, a tmpfs) */
	if (close(fd) < 0 || rc < 0 || renameat(c->dirfd, tmp, c->dirfd, name) < 0) {
		snprintf(err, errlen, "%s/%s: %s", c->dir, name, strerror(errno ? errno : EIO));
		unlinkat(c->dirfd, tmp, 0);
		return -1;
	}
	c->next_seq = seq + 1;
	/* the earlier changes of the same thing are superseded */
	for (size_t i = 0; i < c->n;) {
		if (strcmp(c->entries[i].key, key) == 0) {
			char old[32];

			snprintf(old, sizeof(old), "%08u.json", c->entries[i].seq);
			unlinkat(c->dirfd, old, 0);
			memmove(&c->entries[i], &c->entries[i + 1], (c->n - i - 1) * sizeof(c->entries[0]));
			c->n--;
		} else {
			i++;
		}
	}
	if (entry_add(c, seq, key) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Read and check one change file; the parsed document (key and request
 * checked), or NULL with the problem in err. */
static json_t *change_read(struct ctl_changes *c, const char *name, char *err, size_t errlen)
{
	struct stat st;
	json_error_t jerr;
	json_t *doc, *req;
	char *buf;
	ssize_t n;
	int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s", errno == ELOOP ? "a symlink, not a change file" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CTL_CHANGE_FILE_MAX) {
		snprintf(err, errlen, "%s", fstat(fd, &st) < 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "not a regular file"
					   : "larger than 64 KiB: not a change file");
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read: %s", buf ? strerror(errno) : "out of memory");
		free(buf);
		return NULL;
	}
	doc = json_loadb(buf, (size_t)n, 0, &jerr);
	free(buf);
	if (!doc) {
		/* where, not what: the text is not quoted back */
		snprintf(err, errlen, "not JSON (line %d, column %d)", jerr.line, jerr.column);
		return NULL;
	}
	req = json_object_get(doc, "request");
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "key")) || !json_is_object(req) ||
	    !json_is_string(json_object_get(req, "cmd"))) {
		snprintf(err, errlen, "not a change: expected {\"key\": STRING, \"request\": {\"cmd\": STRING, ...}}");
		json_decref(doc);
		return NULL;
	}
	if (strlen(json_string_value(json_object_get(doc, "key"))) >= CTL_CHANGE_KEY_MAX) {
		snprintf(err, errlen, "its key is longer than %d bytes", CTL_CHANGE_KEY_MAX - 1);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void skip(json_t *skipped, const struct ctl_changes *c, const char *name, const char *why)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	fprintf(stderr, "loomd: live change %s: %s; skipped (not re-applied)\n", path, why);
	json_array_append_new(skipped, json_pack("{s:s, s:s}", "file", path, "error", why));
}

json_t *ctl_changes_replay(struct ctl_changes *c, ctl_change_apply_fn apply, void *ctx)
{
	json_t *skipped = json_array();
	char **names = NULL;
	size_t n = 0, cap = 0;
	int replayed = 0, fd;
	struct dirent *e;
	DIR *d;

	fd = c->dirfd >= 0 ? dup(c->dirfd) : -1;
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		skip(skipped, c, ".", strerror(errno));
		return json_pack("{s:s, s:i, s:o}", "dir", c->dir, "replayed", 0, "skipped", skipped);
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));
			if (!more)
				break;
			names = more;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	/* fixed-width numbers: name order is sequence order (no qsort of an
	 * empty, NULL list: UBSan's nonnull check stopped loomd's first start) */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char why[512];
		int64_t seq = names[i] ? seq_of_name(names[i]) : -1;
		json_t *doc;
		const char *key;

		if (!names[i])
			continue;
		if (seq < 0) {
			skip(skipped, c, names[i], "not a change file (names are NNNNNNNN.json)");
			continue;
		}
		doc = change_read(c, names[i], why, sizeof(why));
		if (!doc) {
			skip(skipped, c, names[i], why);
			continue;
		}
		key = json_string_value(json_object_get(doc, "key"));
		if (apply(ctx, key, json_object_get(doc, "request"), why, sizeof(why)) < 0) {
			skip(skipped, c, names[i], why);
		} else {
			replayed++;
		}
		/* a well-formed change is one the next of its key replaces, even if
		 * it did not apply this time */
		entry_add(c, (uint32_t)seq, key);
		json_decref(doc);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return json_pack("{s:s, s:i, s:o}", "dir", c->dir, "replayed", replayed, "skipped", skipped);
}
