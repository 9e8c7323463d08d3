/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link and switch faults in every mode (docs/FAULTS.md): a link or a
 * whole switch taken down and up, by the control socket (`link`,
 * `switch`) or at scheduled times (the topology's `faults:`), flapping,
 * random loss and bit errors on a link.
 *
 * The model, as real fabrics behave:
 *   t0            the link breaks: what its ends send into it is dropped
 *                 (link_down), so is what still arrives (core/link_fault.h)
 *   t0 + detect   both ends notice (immediately, or after a BFD-like
 *                 interval x multiplier; a flap shorter than that goes
 *                 unnoticed) and repair locally: every group of theirs
 *                 drops the dead member at once, whatever its policy
 *                 (ecmp, spray, flowlet, adaptive, drill)
 *   + repair_delay the control plane recomputes routes everywhere: a
 *                 switch whose every path to a destination goes through a
 *                 failure stops using it (fault_repair.c)
 * A link coming back up goes through the same steps. A cell fabric's
 * leaf-spine link leaves (and rejoins) the spray sets at detection
 * (cell/cell_faults.c).
 *
 * Everything here runs on the worker (control requests through the
 * mailbox, scheduled faults from the runners' loop), with the time passed
 * in: in virtual time the same file gives the same run.
 */
#ifndef LOOM_FAULT_H
#define LOOM_FAULT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "fabric.h"

/* A fault's target port meaning "the whole switch". */
#define LOOM_FAULT_SWITCH 0xffff

enum loom_fault_action {
	LOOM_FAULT_DOWN,
	LOOM_FAULT_UP,
	LOOM_FAULT_LOSS, /* rate: probability per frame */
	LOOM_FAULT_BER,  /* rate: bit-error rate */
};

/* Read the configuration's `fault_handling` and `faults` (f->config) and
 * set up the fault state; every fabric has one (the control socket may
 * break links of any). 0, or -1 with a message. */
int loom_faults_load(struct loom_fabric *f, char *err, size_t errlen);
void loom_faults_free(struct loom_fabric *f);

/* Run what is due at `now` (scheduled faults, detections, repairs);
 * returns the time of the next (LOOM_TIME_NEVER: none). The runners call
 * it when that time comes; an early call only tells. */
loom_time_ns loom_faults_run(struct loom_fabric *f, loom_time_ns now);

/* A fault now: `action` on switch `sw`'s port `port`, or on the whole
 * switch with port LOOM_FAULT_SWITCH (down and up only). 0, or -1 with a
 * message (a port with nothing linked, a rate out of [0, 1]). */
int loom_fault_apply(struct loom_fabric *f, uint16_t sw, uint16_t port, enum loom_fault_action action, double rate,
		     loom_time_ns now, char *err, size_t errlen);

/* A port's link as the stats show it: LOOM_LINK_STATE_* bits. */
#define LOOM_LINK_STATE_DOWN 1u     /* broken now */
#define LOOM_LINK_STATE_DETECTED 2u /* its switch believes it down */
#define LOOM_LINK_STATE_LOSSY 4u    /* loss or bit errors set */
unsigned int loom_fault_port_state(const struct loom_fabric *f, uint16_t sw, uint16_t port);

/* Settings, counters, and every link or switch that is or was down (for
 * `stats`; on the worker). */
json_t *loom_faults_json(const struct loom_fabric *f);

#endif
