/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PFC PAUSE at a generator host, as a NIC obeys it (802.1Qbb): a PFC
 * frame from its leaf (to 01:80:C2:00:00:01, Ethertype 0x8808, opcode
 * 0x0101) holds each class it names for quanta x 512 bit times at the
 * host's link rate (quanta 0: resumes it), through loom/tm/pfc.h's hold.
 * A held class sends nothing: the data of flows in it waits (their due
 * time is pushed to the hold's end); other classes go on. A flow's class
 * is its DSCP through the leaf port's DSCP map, and it is held only when
 * that class is lossless there (the NIC is configured as its switch
 * port). Feedback (ACKs, NAKs, CNPs) is not held: NICs send it in its
 * own class (often strict high priority), where it does not pause.
 */
#ifndef LOOM_GEN_PAUSE_H
#define LOOM_GEN_PAUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"
#include "loom/tm/pfc.h"
#include "loom/tm/tm_config.h"

#define LOOM_GEN_NO_CLASS 0xffu /* a flow no PAUSE holds */

struct loom_gen_pause {
	struct loom_pfc_hold hold[LOOM_TM_CLASSES];
	uint64_t frames;      /* PFC frames obeyed */
	uint64_t paused_ns;   /* time some class was held, summed over classes */
};

struct loom_gen_host;
struct rte_mbuf;

void loom_gen_pause_init(struct loom_gen_pause *p);
/* m (its first data) is a PFC frame for the host: true when it was one,
 * whatever it said. Holds or releases classes; *released: some class
 * may send earlier than before. */
bool loom_gen_pause_receive(struct loom_gen_host *h, const struct rte_mbuf *m, loom_time_ns now, bool *released);

/* When a packet of class `cls` may start (not before `t`). */
static inline loom_time_ns loom_gen_pause_hold_end(const struct loom_gen_pause *p, uint8_t cls, loom_time_ns t)
{
	if (cls == LOOM_GEN_NO_CLASS || p->hold[cls].until <= t)
		return t;
	return p->hold[cls].until;
}

#endif
