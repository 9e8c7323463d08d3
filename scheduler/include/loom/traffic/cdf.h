/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-size distributions as published: a table of points
 * (size in bytes, cumulative percent), read from a text file with one
 * `SIZE PERCENT` pair per line (blank lines and `#` comments allowed), and
 * sampled by inverse transform with linear interpolation between points
 * (as the HPCC simulator's traffic generator does).
 *
 * The table must be non-decreasing in both columns, percents within
 * 0..100, and end at 100. Probability mass below the first point's percent
 * is put on the first size.
 */
#ifndef LOOM_CDF_H
#define LOOM_CDF_H

#include <stddef.h>
#include <stdint.h>

#include "loom/traffic/rng.h"

struct loom_cdf {
	size_t n;
	double *bytes; /* n sizes, non-decreasing */
	double *cum;   /* n cumulative fractions (0..1), non-decreasing, cum[n-1] = 1 */
};

/* Parse `text`; `name` stands for the file in messages. On error returns
 * -1 and writes "NAME:LINE: problem" into err. */
int loom_cdf_parse(const char *text, const char *name, struct loom_cdf *cdf, char *err, size_t errlen);
/* Same from a file ("FILE: cannot read: ..." when it cannot be opened). */
int loom_cdf_load(const char *path, struct loom_cdf *cdf, char *err, size_t errlen);
void loom_cdf_free(struct loom_cdf *cdf);

/* The size at cumulative fraction u (0 <= u < 1), interpolated. */
double loom_cdf_quantile(const struct loom_cdf *cdf, double u);
/* A flow size drawn from the table, rounded to whole bytes, at least 1. */
uint64_t loom_cdf_sample(const struct loom_cdf *cdf, struct loom_rng *rng);
/* The mean of the interpolated distribution (bytes), exact for the table. */
double loom_cdf_mean(const struct loom_cdf *cdf);
/* The table's cumulative fraction at `bytes` (interpolated, 0 below the
 * first point when its percent is 0). */
double loom_cdf_at(const struct loom_cdf *cdf, double bytes);

#endif
