/* SPDX-License-Identifier: BSD-3-Clause */
/* Traffic manager settings: defaults, the key setter, derived values. */
#include "loom/tm/tm_config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loom/tm/shaper.h"

static int bad(char *err, size_t errlen, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return -1;
	n = snprintf(err, errlen, "%s: ", key);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

void loom_tm_cfg_default(struct loom_tm_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->n_classes = LOOM_TM_CLASSES;
	c->buffer_bytes = LOOM_TM_DEFAULT_BUFFER;
	c->alpha_log2 = 0; /* alpha = 1 (SONiC's dynamic_th 0) */
	c->pfc.xoff_bytes = 64000;
	c->pfc.xon_bytes = 32000;
	c->pfc.headroom_bytes = 64000;
	c->pfc.pause_quanta = LOOM_PFC_MAX_QUANTA;
	loom_pfc_wd_cfg_default(&c->pfc_wd);
	for (int i = 0; i < LOOM_TM_CLASSES; i++) {
		c->cls[i].weight = 1;
		c->cls[i].queue_limit = 0; /* derived per port: loom_tm_queue_limit */
		c->cls[i].ecn = LOOM_TM_ECN_DCTCP;
	}
}

int loom_tm_parse_duration(const char *s, loom_time_ns *out)
{
	char *end;
	double v, mult;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0) || !isfinite(v))
		return -1;
	while (*end == ' ')
		end++;
	if (!*end || !strcmp(end, "ns"))
		mult = 1;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "s"))
		mult = 1e9;
	else
		return -1;
	v *= mult;
	if (v >= 1e18 || v != floor(v))
		return -1;
	*out = (loom_time_ns)v;
	return 0;
}

static int parse_bool(const char *s, bool *b)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
		*b = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "off") || !strcasecmp(s, "no") || !strcmp(s, "0"))
		*b = false;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v < lo || *v > hi ? -1 : 0;
}

static const char *const ecn_names[] = {"none", "dctcp", "dcqcn", "step", "red"};

const char *loom_tm_ecn_name(uint8_t p)
{
	return p < sizeof(ecn_names) / sizeof(ecn_names[0]) ? ecn_names[p] : "?";
}

/* "1/8", "0.125", "2" -> log2 (a power of two within the chips' range). */
static int parse_alpha(const char *s, int8_t *log2v)
{
	double v;
	char *end;
	int e;

	if (strchr(s, '/')) {
		unsigned long n, d;
		char num[16];
		size_t k = strcspn(s, "/");

		if (k >= sizeof(num))
			return -1;
		memcpy(num, s, k);
		num[k] = '\0';
		if (parse_uint(num, 1, 1 << 20, &n) < 0 || parse_uint(s + k + 1, 1, 1 << 20, &d) < 0)
			return -1;
		v = (double)n / (double)d;
	} else {
		v = strtod(s, &end);
		if (end == s || *end)
			return -1;
	}
	if (!(v > 0))
		return -1;
	if (frexp(v, &e) != 0.5) /* v = 0.5 * 2^e: a power of two */
		return -1;
	e -= 1;
	if (e < -6 || e > 3)
		return -1;
	*log2v = (int8_t)e;
	return 0;
}

/* One class-scoped setting ("queue_limit", "ecn", "ecn.k", "mode", ...)
 * applied to the classes in `mask`. */
static int set_class_key(struct loom_tm_cfg *c, uint8_t mask, const char *sub, const char *value, const char *key,
			 char *err, size_t errlen)
{
	uint64_t b;
	unsigned long u;
	bool flag;

	for (int i = 0; i < LOOM_TM_CLASSES; i++) {
		struct loom_tm_class_cfg *k = &c->cls[i];

		if (!(mask & (1u << i)))
			continue;
		if (!strcmp(sub, "queue_limit")) {
			if (loom_parse_bytes(value, &b) < 0 || b < 64 || b > LOOM_SHAPER_MAX_BYTES)
				return bad(err, errlen, key, "'%s' is not a byte count in 64B..512MiB", value);
			k->queue_limit = (uint32_t)b;
		} else if (!strcmp(sub, "ecn")) {
			size_t p;

			for (p = 0; p < sizeof(ecn_names) / sizeof(ecn_names[0]); p++)
				if (!strcasecmp(value, ecn_names[p]))
					break;
			if (p == sizeof(ecn_names) / sizeof(ecn_names[0]))
				return bad(err, errlen, key, "'%s': expected none, dctcp, dcqcn, step or red", value);
			k->ecn = (uint8_t)p;
			c->ecn_set |= (uint8_t)(1u << i);
		} else if (!strcmp(sub, "ecn.k") || !strcmp(sub, "ecn.kmin") || !strcmp(sub, "ecn.kmax")) {
			if (loom_parse_bytes(value, &b) < 0 || b > LOOM_SHAPER_MAX_BYTES)
				return bad(err, errlen, key, "'%s' is not a byte count", value);
			*(!strcmp(sub, "ecn.k") ? &k->k : !strcmp(sub, "ecn.kmin") ? &k->kmin : &k->kmax) = (uint32_t)b;
		} else if (!strcmp(sub, "ecn.pmax")) {
			char *end;
			double p = strtod(value, &end);

			if (end == value || *end || !(p > 0 && p <= 1))
				return bad(err, errlen, key, "'%s': expected a probability in (0, 1]", value);
			k->pmax = (uint32_t)lround(p * LOOM_ECN_P_ONE);
			if (k->pmax == 0)
				k->pmax = 1;
		} else if (!strcmp(sub, "ecn.average") || !strcmp(sub, "ecn.wred_drop")) {
			if (parse_bool(value, &flag) < 0)
				return bad(err, errlen, key, "'%s': expected true or false", value);
			*(!strcmp(sub, "ecn.average") ? &k->ecn_average : &k->wred_drop) = flag;
		} else if (!strcmp(sub, "mode")) {
			if (!strcasecmp(value, "strict"))
				k->mode = LOOM_QSCHED_STRICT;
			else if (!strcasecmp(value, "drr"))
				k->mode = LOOM_QSCHED_DRR;
			else
				return bad(err, errlen, key, "'%s': expected strict or drr", value);
			c->mode_set |= (uint8_t)(1u << i);
		} else if (!strcmp(sub, "prio")) {
			if (parse_uint(value, 0, 255, &u) < 0)
				return bad(err, errlen, key, "'%s': expected 0..255", value);
			k->prio = (uint8_t)u;
		} else if (!strcmp(sub, "weight")) {
			if (parse_uint(value, 1, 65535, &u) < 0)
				return bad(err, errlen, key, "'%s': expected 1..65535", value);
			k->weight = (uint16_t)u;
			/* a weight makes a class DRR unless its mode says otherwise */
			if (!(c->mode_set & (1u << i))) {
				k->mode = LOOM_QSCHED_DRR;
				c->mode_set |= (uint8_t)(1u << i);
			}
		} else {
			return bad(err, errlen, key, "unknown setting");
		}
	}
	return 0;
}

static int set_lossless(struct loom_tm_cfg *c, const char *value, const char *key, char *err, size_t errlen)
{
	uint8_t mask = 0;
	const char *s = value;

	if (!strcasecmp(value, "none") || !*value) {
		c->lossless = 0;
		return 0;
	}
	while (*s) {
		char *end;
		long v;

		while (*s == ' ' || *s == '[')
			s++;
		v = strtol(s, &end, 10);
		if (end == s || v < 0 || v >= LOOM_TM_CLASSES)
			return bad(err, errlen, key, "'%s': expected class numbers 0..7, e.g. 3 or 3,4", value);
		mask |= (uint8_t)(1u << v);
		s = end;
		while (*s == ' ' || *s == ']')
			s++;
		if (*s == ',')
			s++;
		else if (*s)
			return bad(err, errlen, key, "'%s': expected class numbers 0..7, e.g. 3 or 3,4", value);
	}
	c->lossless = mask;
	return 0;
}

int loom_tm_cfg_set(struct loom_tm_cfg *c, const char *key, const char *value, char *err, size_t errlen)
{
	uint64_t b;
	unsigned long u;
	bool flag;

	if (!strcmp(key, "enabled")) {
		if (parse_bool(value, &flag) < 0)
			return bad(err, errlen, key, "'%s': expected true or false", value);
		c->enabled = flag;
	} else if (!strcmp(key, "classes")) {
		if (parse_uint(value, 1, LOOM_TM_CLASSES, &u) < 0)
			return bad(err, errlen, key, "'%s': expected 1..8", value);
		c->n_classes = (uint8_t)u;
	} else if (!strcmp(key, "burst")) {
		if (loom_parse_bytes(value, &b) < 0 || b > LOOM_SHAPER_MAX_BYTES)
			return bad(err, errlen, key, "'%s' is not a byte count up to 512MiB", value);
		c->burst_bytes = (uint32_t)b;
	} else if (!strcmp(key, "buffer")) {
		if (loom_parse_bytes(value, &b) < 0 || b < 1500 || b > (1ull << 34))
			return bad(err, errlen, key, "'%s' is not a byte count in 1500B..16GiB", value);
		c->buffer_bytes = b;
	} else if (!strcmp(key, "alpha")) {
		if (parse_alpha(value, &c->alpha_log2) < 0)
			return bad(err, errlen, key, "'%s': expected a power of two from 1/64 to 8", value);
	} else if (!strcmp(key, "pfc.lossless")) {
		return set_lossless(c, value, key, err, errlen);
	} else if (!strcmp(key, "pfc.xoff") || !strcmp(key, "pfc.xon") || !strcmp(key, "pfc.headroom")) {
		if (loom_parse_bytes(value, &b) < 0 || b > LOOM_SHAPER_MAX_BYTES)
			return bad(err, errlen, key, "'%s' is not a byte count", value);
		*(!strcmp(key, "pfc.xoff") ? &c->pfc.xoff_bytes
		  : !strcmp(key, "pfc.xon") ? &c->pfc.xon_bytes
					    : &c->pfc.headroom_bytes) = (uint32_t)b;
		if (!strcmp(key, "pfc.xon"))
			c->xon_set = true;
	} else if (!strcmp(key, "pfc.quanta")) {
		if (parse_uint(value, 1, LOOM_PFC_MAX_QUANTA, &u) < 0)
			return bad(err, errlen, key, "'%s': expected 1..65535", value);
		c->pfc.pause_quanta = (uint16_t)u;
	} else if (!strcmp(key, "pfc.watchdog.detect") || !strcmp(key, "pfc.watchdog.restore")) {
		loom_time_ns t;
		bool detect = !strcmp(key, "pfc.watchdog.detect");

		if (loom_tm_parse_duration(value, &t) < 0 || t > 3600000000000ull || (!detect && t == 0))
			return bad(err, errlen, key, "'%s': expected a duration up to 1h, e.g. 200ms%s", value,
				   detect ? " (0: off)" : "");
		*(detect ? &c->pfc_wd.detect_ns : &c->pfc_wd.restore_ns) = t;
	} else if (!strcmp(key, "pfc.watchdog.action")) {
		if (!strcasecmp(value, "drop"))
			c->pfc_wd.action = LOOM_PFC_WD_DROP;
		else if (!strcasecmp(value, "ignore"))
			c->pfc_wd.action = LOOM_PFC_WD_IGNORE;
		else
			return bad(err, errlen, key, "'%s': expected drop or ignore", value);
	} else if (!strncmp(key, "dscp.", 5)) {
		unsigned long d;

		if (parse_uint(key + 5, 0, 63, &d) < 0)
			return bad(err, errlen, key, "DSCP must be 0..63");
		if (parse_uint(value, 0, LOOM_TM_CLASSES - 1, &u) < 0)
			return bad(err, errlen, key, "'%s': expected a class 0..7", value);
		c->dscp_cls[d] = (uint8_t)u;
		c->dscp_set |= 1ull << d;
	} else if (!strncmp(key, "class.", 6)) {
		const char *dot = strchr(key + 6, '.');
		char num[4];
		size_t k = dot ? (size_t)(dot - (key + 6)) : 0;

		if (!dot || k == 0 || k >= sizeof(num))
			return bad(err, errlen, key, "expected class.N.setting");
		memcpy(num, key + 6, k);
		num[k] = '\0';
		if (parse_uint(num, 0, LOOM_TM_CLASSES - 1, &u) < 0)
			return bad(err, errlen, key, "class must be 0..7");
		return set_class_key(c, (uint8_t)(1u << u), dot + 1, value, key, err, errlen);
	} else if (!strcmp(key, "queue_limit") || !strncmp(key, "ecn", 3)) {
		return set_class_key(c, 0xff, key, value, key, err, errlen);
	} else {
		return bad(err, errlen, key, "unknown setting (enabled, classes, burst, buffer, alpha, queue_limit, "
				       "ecn[.k|.kmin|.kmax|.pmax|.average|.wred_drop], class.N.*, pfc.*, pfc.watchdog.*, dscp.D)");
	}
	return 0;
}

int loom_tm_cfg_finalize(struct loom_tm_cfg *c, char *err, size_t errlen)
{
	struct loom_qsched_cfg def;
	uint8_t n = c->n_classes;

	loom_dscp_map_default(&c->dscp, n);
	for (int d = 0; d < 64; d++) {
		if (!(c->dscp_set & (1ull << d)))
			continue;
		if (c->dscp_cls[d] >= n)
			return bad(err, errlen, "dscp", "DSCP %d maps to class %u but there are %u classes", d,
				   c->dscp_cls[d], n);
		c->dscp.cls[d] = c->dscp_cls[d];
	}
	loom_qsched_cfg_default(&def, n);
	for (int i = 0; i < n; i++) {
		if (!(c->mode_set & (1u << i))) {
			c->cls[i].mode = def.cls[i].mode;
			c->cls[i].prio = def.cls[i].prio;
		}
	}
	/* RoCEv2 data gets DCQCN's marking by default, the rest DCTCP's. */
	uint8_t roce = c->dscp.cls[LOOM_DSCP_ROCE_DATA];
	if (!(c->ecn_set & (1u << roce)))
		c->cls[roce].ecn = LOOM_TM_ECN_DCQCN;
	if (c->lossless >> n)
		return bad(err, errlen, "pfc.lossless", "names a class >= classes (%u)", n);
	if (c->pfc.xon_bytes >= c->pfc.xoff_bytes && !c->xon_set)
		c->pfc.xon_bytes = c->pfc.xoff_bytes / 2;
	if (c->pfc.xon_bytes >= c->pfc.xoff_bytes)
		return bad(err, errlen, "pfc.xon", "must be below pfc.xoff (%u >= %u)", c->pfc.xon_bytes,
			   c->pfc.xoff_bytes);
	for (int i = 0; i < n; i++) {
		const struct loom_tm_class_cfg *k = &c->cls[i];

		if (k->ecn == LOOM_TM_ECN_STEP && k->k == 0)
			return bad(err, errlen, "ecn", "class %d: step marking needs ecn.k", i);
		if (k->ecn == LOOM_TM_ECN_RED && (k->kmin == 0 || k->kmax == 0 || k->pmax == 0))
			return bad(err, errlen, "ecn", "class %d: red marking needs ecn.kmin, ecn.kmax, ecn.pmax", i);
		if ((k->ecn == LOOM_TM_ECN_RED || k->ecn == LOOM_TM_ECN_DCQCN) && k->kmin && k->kmax &&
		    k->kmin >= k->kmax)
			return bad(err, errlen, "ecn.kmin", "class %d: kmin must be below kmax", i);
	}
	return 0;
}

void loom_tm_class_ecn(const struct loom_tm_cfg *c, int cls, uint64_t rate_bps, struct loom_ecn_cfg *out)
{
	const struct loom_tm_class_cfg *k = &c->cls[cls];

	if (k->ecn == LOOM_TM_ECN_DCQCN || k->ecn == LOOM_TM_ECN_RED)
		loom_ecn_dcqcn_default(out, rate_bps);
	else
		loom_ecn_dctcp_default(out, rate_bps);
	if (k->ecn == LOOM_TM_ECN_NONE)
		out->mode = LOOM_ECN_MODE_NONE;
	if (k->k)
		out->k_bytes = k->k;
	if (k->kmin)
		out->kmin_bytes = k->kmin;
	if (k->kmax)
		out->kmax_bytes = k->kmax;
	if (k->pmax)
		out->pmax = k->pmax;
	out->use_average = k->ecn_average;
	out->wred_drop = k->wred_drop;
	/* explicit thresholds may cross a scaled default: keep kmin < kmax */
	if (out->kmin_bytes >= out->kmax_bytes)
		out->kmax_bytes = out->kmin_bytes + 1;
}

uint32_t loom_tm_burst(const struct loom_tm_cfg *c, uint64_t rate_bps)
{
	uint64_t b;

	if (c->burst_bytes)
		return c->burst_bytes;
	b = rate_bps / 8 * LOOM_TM_DEFAULT_BURST_NS / 1000000000ull;
	if (b < LOOM_TM_MIN_BURST)
		b = LOOM_TM_MIN_BURST;
	return b > LOOM_SHAPER_MAX_BYTES ? LOOM_SHAPER_MAX_BYTES : (uint32_t)b;
}

uint32_t loom_tm_queue_limit(const struct loom_tm_cfg *c, int cls, unsigned int mtu)
{
	uint64_t frame = (uint64_t)mtu + 18; /* Ethernet header and FCS, as 1518 for 1500 */

	if (c->cls[cls].queue_limit)
		return c->cls[cls].queue_limit;
	if (frame <= LOOM_TM_DEFAULT_QUEUE_FRAME)
		return LOOM_TM_DEFAULT_QUEUE_LIMIT;
	return (uint32_t)(LOOM_TM_DEFAULT_QUEUE_LIMIT * frame / LOOM_TM_DEFAULT_QUEUE_FRAME);
}

void loom_tm_qsched_cfg(const struct loom_tm_cfg *c, struct loom_qsched_cfg *out)
{
	memset(out, 0, sizeof(*out));
	out->n_classes = c->n_classes;
	out->base_quantum = 1500;
	for (int i = 0; i < c->n_classes; i++) {
		out->cls[i].mode = c->cls[i].mode;
		out->cls[i].prio = c->cls[i].prio;
		out->cls[i].weight = c->cls[i].weight ? c->cls[i].weight : 1;
	}
}
