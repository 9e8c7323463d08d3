/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager settings of a switch (or one port of it), as flat
 * "key = value" strings, with the defaults.
 *
 * One setter serves every way in: the topology's `tm:` block (the YAML
 * loader flattens it and checks each key here, so a bad value gets
 * file:line), loomd's JSON configuration, and `loomctl tm set` at run
 * time. Plain C, no DPDK: control/ and dataplane/ both link it.
 *
 * Keys (bytes accept 1500, 64KB, 1.5MB, 64KiB; KB = 1000 B):
 *   enabled            true|false   per-class TM; false = one FIFO, no shaping
 *   classes            1..8         traffic classes (set before class.N.*)
 *   burst              bytes        shaper bucket; 0 = max(1514, rate x 500 us)
 *   buffer             bytes        switch's shared buffer
 *   alpha              1/64 .. 8    dynamic threshold, a power of two
 *   queue_limit        bytes        every class's byte limit; 0 (default) =
 *                                   derived from the port's MTU (loom_tm_queue_limit)
 *   ecn                none|dctcp|dcqcn|step|red   every class's profile
 *   ecn.k|kmin|kmax    bytes        every class (0 = the profile's, scaled)
 *   ecn.pmax           0..1
 *   ecn.average        true|false   judge the averaged queue (RED average)
 *   ecn.wred_drop      true|false   drop non-ECT packets on the curve
 *   class.N.mode       strict|drr
 *   class.N.prio       0..255       strict: higher first
 *   class.N.weight     1..65535     DRR weight
 *   class.N.queue_limit, class.N.ecn, class.N.ecn.*   one class
 *   pfc.lossless       none | "3" | "3,4"   lossless classes
 *   pfc.xoff|xon|headroom  bytes    per (ingress port, class); xon not
 *                                   given: half of xoff if the default is above
 *   pfc.quanta         1..65535     quanta in each PAUSE
 *   pfc.watchdog.detect   duration  a queue held by received PAUSE this long
 *                                   without a break is stormed; 0 = off
 *                                   (200ms, loom/tm/pfc_watchdog.h)
 *   pfc.watchdog.restore  duration  storm over after no PAUSE this long (200ms)
 *   pfc.watchdog.action   drop|ignore  stormed queue: PAUSE ignored, and its
 *                                   packets dropped (drop) or sent (ignore)
 *   (durations: 200ms, 1s, 500us, 100000ns; a bare number is ns)
 *   dscp.D             class        D = 0..63
 */
#ifndef LOOM_TM_CONFIG_H
#define LOOM_TM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loom/tm/ecn_mark.h"
#include "loom/tm/pfc.h"
#include "loom/tm/pfc_watchdog.h"
#include "loom/units.h"
#include "loom/tm/queue_sched.h"

#define LOOM_TM_CLASSES LOOM_QSCHED_MAX_CLASSES

enum loom_tm_ecn_profile {
	LOOM_TM_ECN_NONE = 0,
	LOOM_TM_ECN_DCTCP, /* step at K, K scaled from 65 packets at 10G */
	LOOM_TM_ECN_DCQCN, /* RED 100KB/400KB/0.2 at 25G, scaled */
	LOOM_TM_ECN_STEP,  /* step at ecn.k (required) */
	LOOM_TM_ECN_RED,   /* RED at ecn.kmin/kmax/pmax (required) */
};

struct loom_tm_class_cfg {
	uint8_t mode;        /* enum loom_qsched_mode */
	uint8_t prio;
	uint16_t weight;
	uint32_t queue_limit; /* bytes; 0 = loom_tm_queue_limit's default for the port's MTU */
	uint8_t ecn;         /* enum loom_tm_ecn_profile */
	uint8_t ecn_average;
	uint8_t wred_drop;
	uint32_t k, kmin, kmax; /* bytes; 0 = the profile's default at the port's rate */
	uint32_t pmax;       /* LOOM_ECN_P_ONE = 1; 0 = the profile's */
};

struct loom_tm_cfg {
	bool enabled;
	uint8_t n_classes;
	uint32_t burst_bytes;   /* 0: derived from the rate */
	uint64_t buffer_bytes;
	int8_t alpha_log2;
	uint8_t lossless;       /* bit c: class c is lossless (PFC) */
	struct loom_pfc_cfg pfc; /* refresh_ns derived per port from the rate */
	struct loom_pfc_wd_cfg pfc_wd;
	struct loom_tm_class_cfg cls[LOOM_TM_CLASSES];
	/* explicit settings, so that defaults that depend on others (class
	 * count) are derived by loom_tm_cfg_finalize */
	uint8_t mode_set, ecn_set;
	bool xon_set;             /* else xon follows xoff (half of it) when above it */
	uint64_t dscp_set;
	uint8_t dscp_cls[64];
	struct loom_dscp_map dscp; /* valid after finalize */
};

#define LOOM_TM_DEFAULT_BUFFER (4u << 20)     /* 4 MiB shared per switch */
#define LOOM_TM_DEFAULT_QUEUE_LIMIT 512000u   /* bytes per class, at MTU 1500 and below */
#define LOOM_TM_DEFAULT_QUEUE_FRAME 1518u     /* the frame that default is counted in: MTU 1500 */
#define LOOM_TM_DEFAULT_BURST_NS 500000u      /* bucket = 500 us at the rate: a real-time
					       * runner woken that late loses no credit */
#define LOOM_TM_MIN_BURST 1514u

void loom_tm_cfg_default(struct loom_tm_cfg *c);

/* Apply one setting. 0, or -1 with a message in err ("key: problem"). */
int loom_tm_cfg_set(struct loom_tm_cfg *c, const char *key, const char *value, char *err, size_t errlen);

/* Derive what depends on other settings (DSCP map, class modes, the RoCE
 * class's DCQCN profile) and check the whole. 0 or -1 with a message. */
int loom_tm_cfg_finalize(struct loom_tm_cfg *c, char *err, size_t errlen);

/* The class's ECN configuration at the port's (scaled) rate. */
void loom_tm_class_ecn(const struct loom_tm_cfg *c, int cls, uint64_t rate_bps, struct loom_ecn_cfg *out);

/* The shaper bucket at the port's (scaled) rate. */
uint32_t loom_tm_burst(const struct loom_tm_cfg *c, uint64_t rate_bps);

/* The class's byte limit on a port of this MTU: the setting, or by
 * default LOOM_TM_DEFAULT_QUEUE_LIMIT up to MTU 1500 and, above, as many
 * of the port's largest frames as that holds of 1500-MTU frames (337:
 * 3.04 MB at MTU 9000). A byte limit sized for 1500-byte frames holds
 * only 56 jumbo frames, less than one TCP window of a jumbo flow, which
 * then loses a window's tail at every burst (docs/PERFORMANCE.md, hosts). */
uint32_t loom_tm_queue_limit(const struct loom_tm_cfg *c, int cls, unsigned int mtu);

/* The class scheduler's configuration. */
void loom_tm_qsched_cfg(const struct loom_tm_cfg *c, struct loom_qsched_cfg *out);

/* "200ms" -> 200000000 (ns, us, ms, s; a bare number is ns); 0 or -1. */
int loom_tm_parse_duration(const char *s, loom_time_ns *out);

const char *loom_tm_ecn_name(uint8_t profile);

#endif
