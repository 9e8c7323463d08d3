/* SPDX-License-Identifier: BSD-3-Clause */
/* The guest agent's framing and base64 (agent_proto.h). */
#include "agent_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t loom_agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events; 0, or -1 with errno. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int timeout = -1;

		if (deadline_ms >= 0) {
			int64_t left = deadline_ms - loom_agent_now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		int n = poll(&p, 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			continue;
		if (p.revents & events)
			return 0;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			errno = EPIPE;
			return -1;
		}
	}
}

static int write_all(int fd, const void *buf, size_t len, int64_t deadline_ms)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (wait_fd(fd, POLLOUT, deadline_ms) < 0)
			return -1;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len, int64_t deadline_ms)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (wait_fd(fd, POLLIN, deadline_ms) < 0)
			return -1;
	}
	return 0;
}

int loom_agent_write_frame(int fd, const char *json, size_t len, int64_t deadline_ms)
{
	unsigned char hdr[8];

	if (len > LOOM_AGENT_MAX_FRAME) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(hdr, LOOM_AGENT_MAGIC, 4);
	hdr[4] = (unsigned char)(len >> 24);
	hdr[5] = (unsigned char)(len >> 16);
	hdr[6] = (unsigned char)(len >> 8);
	hdr[7] = (unsigned char)len;
	if (write_all(fd, hdr, sizeof(hdr), deadline_ms) < 0)
		return -1;
	return write_all(fd, json, len, deadline_ms);
}

int loom_agent_read_frame(int fd, char **json, size_t *len, int64_t deadline_ms)
{
	unsigned char hdr[8];
	size_t have = 0;

	*json = NULL;
	/* Find the magic, skipping anything before it. */
	while (have < 4) {
		if (read_all(fd, hdr + have, 1, deadline_ms) < 0)
			return -1;
		have++;
		if (memcmp(hdr, LOOM_AGENT_MAGIC, have) != 0) {
			/* keep the longest suffix that is a prefix of the magic */
			size_t keep = have - 1;
			while (keep > 0 && memcmp(hdr + have - keep, LOOM_AGENT_MAGIC, keep) != 0)
				keep--;
			memmove(hdr, hdr + have - keep, keep);
			have = keep;
		}
	}
	if (read_all(fd, hdr + 4, 4, deadline_ms) < 0)
		return -1;
	uint32_t n = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
	if (n > LOOM_AGENT_MAX_FRAME) {
		errno = EMSGSIZE;
		return -1;
	}
	char *buf = malloc((size_t)n + 1);
	if (!buf)
		return -1;
	if (read_all(fd, buf, n, deadline_ms) < 0) {
		int e = errno;
		free(buf);
		errno = e;
		return -1;
	}
	buf[n] = '\0';
	*json = buf;
	*len = n;
	return 0;
}

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *loom_b64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*o++ = b64_chars[v >> 18 & 63];
		*o++ = b64_chars[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_chars[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64_chars[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

void *loom_b64_decode(const char *text, size_t *len)
{
	size_t n = strlen(text);
	unsigned char *out = malloc(n / 4 * 3 + 3), *o = out;
	uint32_t acc = 0;
	int bits = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '=')
			break;
		int v = b64_value(text[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(acc >> bits);
		}
	}
	*len = (size_t)(o - out);
	return out;
}
