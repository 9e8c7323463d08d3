/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-port class scheduler: strict priority and deficit round robin over
 * up to 8 traffic classes, and the DSCP -> class map.
 *
 * The scheduler holds no packets. The caller tells it the size of each
 * class's head packet (0 = class empty), it answers which class sends
 * next, and the caller reports what was sent:
 *
 *	while ((c = loom_qsched_select(&q, head)) >= 0 && shaper allows) {
 *		dequeue from class c;
 *		loom_qsched_sent(&q, c, bytes);
 *		if (class c is now empty)
 *			loom_qsched_emptied(&q, c);
 *		head[c] = size of c's new head or 0;
 *	}
 *
 * Strict-priority classes always go before DRR classes, the highest
 * priority first (ties: the higher class number). DRR classes share what
 * strict priority leaves by weight: a class's quantum is weight *
 * base_quantum bytes per round (Shreedhar & Varghese, "Efficient fair
 * queuing using deficit round robin", 1995): a class at the front of the
 * active list gets its quantum added to its deficit and sends head packets
 * while they fit in the deficit, then goes to the back of the list keeping
 * the rest; a class that empties leaves the list and loses its deficit, so
 * that it cannot save credit while idle. Shares follow the weights in
 * bytes whatever the packet sizes. A DRR class interrupted by strict
 * priority traffic keeps its place and deficit and resumes where it was.
 */
#ifndef LOOM_QUEUE_SCHED_H
#define LOOM_QUEUE_SCHED_H

#include <stdint.h>

#define LOOM_QSCHED_MAX_CLASSES 8

enum loom_qsched_mode {
	LOOM_QSCHED_DRR = 0,
	LOOM_QSCHED_STRICT = 1,
};

struct loom_qsched_class_cfg {
	uint8_t mode;     /* enum loom_qsched_mode */
	uint8_t prio;     /* STRICT: higher goes first */
	uint16_t weight;  /* DRR: >= 1; quantum = weight * base_quantum */
};

struct loom_qsched_cfg {
	uint8_t n_classes;      /* 1..LOOM_QSCHED_MAX_CLASSES */
	uint32_t base_quantum;  /* bytes per round for weight 1; >= 1. One
				 * MTU or more keeps select O(classes). */
	struct loom_qsched_class_cfg cls[LOOM_QSCHED_MAX_CLASSES];
};

struct loom_qsched_class_stats {
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

struct loom_qsched {
	uint8_t n_classes;
	uint8_t n_strict;
	uint8_t strict_order[LOOM_QSCHED_MAX_CLASSES]; /* highest priority first */
	uint8_t drr_mask;     /* bit c: class c is a DRR class */
	/* DRR active list: ring[(head + i) % MAX] for i < len, in service order */
	uint8_t ring[LOOM_QSCHED_MAX_CLASSES];
	uint8_t ring_head;
	uint8_t ring_len;
	uint8_t in_ring;      /* bit c: class c is on the active list */
	uint8_t front_credited; /* the front class got its quantum this turn */
	uint32_t quantum[LOOM_QSCHED_MAX_CLASSES];
	uint64_t deficit[LOOM_QSCHED_MAX_CLASSES];
	uint64_t overcharged; /* sent() charged more than a DRR deficit held */
	struct loom_qsched_class_stats st[LOOM_QSCHED_MAX_CLASSES];
};

/* 0, or -EINVAL for a bad configuration (class count, DRR weight 0,
 * base quantum 0, quantum over 32 bits, unknown mode). */
int loom_qsched_init(struct loom_qsched *q, const struct loom_qsched_cfg *cfg);

/* A default for n_classes (1..8): the two highest classes strict (network
 * control above CNPs: both are small and latency-critical, and a CNP that
 * waits behind data slows DCQCN's reaction), the others DRR with weight 1
 * and a 1500-byte base quantum. With fewer than 3 classes all are DRR. */
void loom_qsched_cfg_default(struct loom_qsched_cfg *cfg, uint8_t n_classes);

/* The class to send from next, or -1 when every class is empty.
 * head_bytes[c] is the size of class c's head packet, 0 when c is empty;
 * entries at and above n_classes are not read. For a DRR class this may
 * advance the round (add quanta, move the list); calling it twice without
 * a send in between returns the same class. */
int loom_qsched_select(struct loom_qsched *q, const uint32_t head_bytes[LOOM_QSCHED_MAX_CLASSES]);

/* After select() returned `cls` and sent() charged its packet, with no
 * other class's head changed since: would select() return `cls` again now
 * that its head is `head_bytes` (0: empty)? A strict class keeps the turn
 * while it has packets (nothing above it got any); a DRR class while its
 * head fits in its deficit. Lets a caller send a run of one class with a
 * single select() (tm_dequeue.c); exactly what select() would answer. */
static inline int loom_qsched_again(const struct loom_qsched *q, int cls, uint32_t head_bytes)
{
	if (head_bytes == 0)
		return 0;
	if (!(q->drr_mask & (1u << cls)))
		return 1;
	return head_bytes <= q->deficit[cls];
}

/* Charge `bytes` sent from class `cls` (the class select returned). */
void loom_qsched_sent(struct loom_qsched *q, int cls, uint32_t bytes);

/* Class `cls` has just become empty: it leaves the active list and its
 * deficit is reset. select() notices an empty class by itself; this is
 * for a queue that may refill before the next select(), which must then
 * start a new turn at the back of the list, not continue the old one. */
void loom_qsched_emptied(struct loom_qsched *q, int cls);

/* ---- DSCP -> traffic class ---- */

#define LOOM_DSCP_COUNT 64

/* Common RoCEv2 practice (NVIDIA/Mellanox deployment guides, SONiC's
 * RoCE QoS profiles): data on DSCP 26 (AF31) in priority 3, CNPs on DSCP
 * 48 (CS6) in priority 6. */
#define LOOM_DSCP_ROCE_DATA 26
#define LOOM_DSCP_ROCE_CNP 48

struct loom_dscp_map {
	uint8_t cls[LOOM_DSCP_COUNT];
};

/*
 * The default map for a port with n_classes (1..8) classes:
 * class = (dscp >> 3) * n_classes / 8, i.e. with 8 classes the class
 * selector (the old IP precedence): CS0/default -> 0, AF1x -> 1, ...,
 * RoCEv2 data DSCP 26 (AF31) -> 3, CNP DSCP 48 (CS6) -> 6, network control
 * CS7 -> 7. This is what NICs do in "trust DSCP" mode by default
 * (priority = DSCP >> 3), so hosts configured per the RoCE guides land in
 * the right class with no switch configuration, and ordinary traffic (DSCP
 * 0) stays in class 0, away from RoCE data and CNPs, which each have a
 * class of their own. With fewer classes, neighbouring precedences share.
 */
void loom_dscp_map_default(struct loom_dscp_map *m, uint8_t n_classes);

static inline uint8_t loom_dscp_to_class(const struct loom_dscp_map *m, uint8_t dscp)
{
	return m->cls[dscp & (LOOM_DSCP_COUNT - 1)];
}

#endif
