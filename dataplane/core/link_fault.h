/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a faulty link does to the frames on it, as the switch's receive and
 * transmit see it (docs/FAULTS.md). dataplane/fault/ owns the state and
 * sets loom_port.fault while a link is down or lossy; receive and
 * transmit check that one pointer and nothing else.
 *
 *   down   the transmit side drops what the port sends into the link
 *          (link_down, counted on the sending port: the window before the
 *          switch detects the failure and stops using it); the receive
 *          side drops what still arrives (frames on the wire when it broke,
 *          a host that keeps sending)
 *   loss   each frame entering the switch is lost with probability `loss`
 *          (link_loss)
 *   ber    each frame entering the switch is corrupted with probability
 *          1 - (1 - ber)^bits: the receiver's FCS check drops it
 *          (link_bit_error)
 * Loss and bit errors are drawn where a frame enters a switch (its
 * receiver checks the FCS), from a generator seeded by the fabric's seed
 * and the port: the same run twice loses the same frames.
 */
#ifndef LOOM_LINK_FAULT_H
#define LOOM_LINK_FAULT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "loom/lb/lb_rng.h"
#include "switch.h"

struct loom_link_fault {
	bool down;
	double loss;          /* probability per frame, 0: none */
	double ber_log;       /* log(1 - ber): a frame of b bits survives with exp(b * ber_log); 0: none */
	struct lb_rng rng;
	struct loom_wire wire_kept; /* the port's cut-through, off while the fault is set */
};

/* A uniform double in [0, 1) from the link's generator. */
static inline double link_fault_uniform(struct loom_link_fault *lf)
{
	return (double)(lb_rng_next(&lf->rng) >> 11) * 0x1.0p-53;
}

/* The reason a frame of `len` bytes entering through this link is
 * dropped, or LOOM_DROP_NONE. */
static inline enum loom_drop_reason link_fault_rx_verdict(struct loom_link_fault *lf, uint32_t len)
{
	if (lf->down)
		return LOOM_DROP_LINK_DOWN;
	if (lf->loss > 0 && link_fault_uniform(lf) < lf->loss)
		return LOOM_DROP_LINK_LOSS;
	if (lf->ber_log < 0 && link_fault_uniform(lf) >= exp((double)len * 8.0 * lf->ber_log))
		return LOOM_DROP_LINK_BIT_ERROR;
	return LOOM_DROP_NONE;
}

#endif
