/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loom/traffic/cdf.h"

/* A CDF path may name any file (the workload is read as root): errors say
 * file:line and the problem, never the text or values found there, and a
 * file that is not regular or is larger than this is refused unread. */
#define CDF_MAX_BYTES (4u << 20)

static int cdf_error(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int cdf_error(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return -1;
	n = line > 0 ? snprintf(err, errlen, "%s:%d: ", name, line) : snprintf(err, errlen, "%s: ", name);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void loom_cdf_free(struct loom_cdf *cdf)
{
	free(cdf->bytes);
	free(cdf->cum);
	memset(cdf, 0, sizeof(*cdf));
}

static int cdf_push(struct loom_cdf *cdf, size_t *cap, double bytes, double cum)
{
	if (cdf->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		double *b = realloc(cdf->bytes, ncap * sizeof(double));
		double *c;

		if (!b)
			return -1;
		cdf->bytes = b;
		c = realloc(cdf->cum, ncap * sizeof(double));
		if (!c)
			return -1;
		cdf->cum = c;
		*cap = ncap;
	}
	cdf->bytes[cdf->n] = bytes;
	cdf->cum[cdf->n] = cum;
	cdf->n++;
	return 0;
}

/* One line: "" / "# ..." (skip, returns 1), "SIZE PERCENT" (returns 0). */
static int parse_line(const char *s, const char *name, int line, double *bytes, double *pct,
		      char *err, size_t errlen)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s == '\0' || *s == '#')
		return 1;
	errno = 0;
	*bytes = strtod(s, &end);
	if (end == s || errno || !isfinite(*bytes))
		return cdf_error(err, errlen, name, line, "expected 'SIZE_BYTES CUMULATIVE_PERCENT': not a number");
	s = end;
	*pct = strtod(s, &end);
	if (end == s || errno || !isfinite(*pct))
		return cdf_error(err, errlen, name, line, "missing cumulative percent after the size");
	s = end;
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s && *s != '#')
		return cdf_error(err, errlen, name, line, "unexpected text after the percent");
	if (*bytes < 0)
		return cdf_error(err, errlen, name, line, "size is negative");
	if (*pct < 0 || *pct > 100)
		return cdf_error(err, errlen, name, line, "percent is outside 0..100");
	return 0;
}

int loom_cdf_parse(const char *text, const char *name, struct loom_cdf *cdf, char *err, size_t errlen)
{
	size_t cap = 0;
	int line = 0, last_line = 0;

	memset(cdf, 0, sizeof(*cdf));
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char buf[256];
		double bytes = 0, pct = 0;
		int rc;

		line++;
		if (len >= sizeof(buf)) {
			loom_cdf_free(cdf);
			return cdf_error(err, errlen, name, line, "line too long");
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl ? 1 : 0);
		rc = parse_line(buf, name, line, &bytes, &pct, err, errlen);
		if (rc < 0) {
			loom_cdf_free(cdf);
			return -1;
		}
		if (rc > 0)
			continue;
		if (cdf->n > 0 && bytes < cdf->bytes[cdf->n - 1]) {
			cdf_error(err, errlen, name, line, "size is below the previous line's (sizes must not decrease)");
			loom_cdf_free(cdf);
			return -1;
		}
		if (cdf->n > 0 && pct / 100.0 < cdf->cum[cdf->n - 1]) {
			cdf_error(err, errlen, name, line,
				  "percent is below the previous line's (a CDF must not decrease)");
			loom_cdf_free(cdf);
			return -1;
		}
		if (cdf_push(cdf, &cap, bytes, pct / 100.0) < 0) {
			loom_cdf_free(cdf);
			return cdf_error(err, errlen, name, line, "out of memory");
		}
		last_line = line;
	}
	if (cdf->n == 0)
		return cdf_error(err, errlen, name, 0, "no points (expected lines 'SIZE_BYTES CUMULATIVE_PERCENT')");
	if (cdf->cum[cdf->n - 1] != 1.0) {
		cdf_error(err, errlen, name, last_line, "the last point is below 100%%; a CDF must end at 100");
		loom_cdf_free(cdf);
		return -1;
	}
	return 0;
}

int loom_cdf_load(const char *path, struct loom_cdf *cdf, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	memset(cdf, 0, sizeof(*cdf));
	if (!f)
		return cdf_error(err, errlen, path, 0, "cannot read: %s", strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)CDF_MAX_BYTES) {
		fclose(f);
		return cdf_error(err, errlen, path, 0, "not a regular file of at most %u bytes", CDF_MAX_BYTES);
	}
	do {
		if (cap - len < 4097) {
			char *t = realloc(text, cap + 65536);
			if (!t) {
				free(text);
				fclose(f);
				return cdf_error(err, errlen, path, 0, "out of memory");
			}
			text = t;
			cap += 65536;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0 && len <= CDF_MAX_BYTES);
	if (len > CDF_MAX_BYTES) { /* it grew while read */
		free(text);
		fclose(f);
		return cdf_error(err, errlen, path, 0, "not a regular file of at most %u bytes", CDF_MAX_BYTES);
	}
	fclose(f);
	text[len] = '\0';
	rc = loom_cdf_parse(text, path, cdf, err, errlen);
	free(text);
	return rc;
}

double loom_cdf_quantile(const struct loom_cdf *cdf, double u)
{
	size_t lo = 0, hi = cdf->n - 1;

	if (u <= cdf->cum[0])
		return cdf->bytes[0];
	/* the first point with cum >= u: binary search (tables can be long) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cdf->cum[mid] >= u)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* cum[lo-1] < u <= cum[lo], so the segment has width > 0 */
	return cdf->bytes[lo - 1] + (cdf->bytes[lo] - cdf->bytes[lo - 1]) * (u - cdf->cum[lo - 1]) /
					    (cdf->cum[lo] - cdf->cum[lo - 1]);
}

uint64_t loom_cdf_sample(const struct loom_cdf *cdf, struct loom_rng *rng)
{
	double b = loom_cdf_quantile(cdf, loom_rng_unit(rng));
	uint64_t v = (uint64_t)llround(b);

	return v ? v : 1;
}

double loom_cdf_mean(const struct loom_cdf *cdf)
{
	double m = cdf->cum[0] * cdf->bytes[0];

	for (size_t i = 1; i < cdf->n; i++)
		m += (cdf->cum[i] - cdf->cum[i - 1]) * (cdf->bytes[i] + cdf->bytes[i - 1]) / 2.0;
	return m;
}

double loom_cdf_at(const struct loom_cdf *cdf, double bytes)
{
	if (bytes < cdf->bytes[0])
		return 0.0;
	for (size_t i = 1; i < cdf->n; i++) {
		if (bytes < cdf->bytes[i])
			return cdf->cum[i - 1] + (cdf->cum[i] - cdf->cum[i - 1]) * (bytes - cdf->bytes[i - 1]) /
							 (cdf->bytes[i] - cdf->bytes[i - 1]);
	}
	return 1.0;
}
