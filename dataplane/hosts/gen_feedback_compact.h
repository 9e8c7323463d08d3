/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compact layout of transport feedback (gen_feedback.h, "Compact
 * transport feedback"): what the receiver writes. The sender's side is
 * loom_gen_feedback_expand() (below).
 */
#ifndef LOOM_GEN_FEEDBACK_COMPACT_H
#define LOOM_GEN_FEEDBACK_COMPACT_H

#include <stdint.h>

#include "gen_feedback_types.h"

struct loom_gen_rx_flow;

/* The bytes after the UDP header of fb's compact frame (rx flow r), its
 * flags in *flags; 0 when fb needs the full layout (not a transport's, or
 * a value that does not fit). */
uint32_t loom_gen_feedback_compact_len(const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				       uint8_t *flags);
/* Writes them at p (len bytes from loom_gen_feedback_compact_len). */
void loom_gen_feedback_compact_write(uint8_t *p, const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				     uint8_t flags);

struct loom_gen_tx_flow;
/* A compact frame's bytes p (len of them, from its loom_gen_feedback_compact)
 * for flow f, arrived at `now`: the full header, extension and tail it
 * stands for (the tail where loom_gen_fb_tail_layout has it for f). false:
 * too short for what its flags say, or its tail's parts are not the ones
 * f's set-up gives its feedback. */
bool loom_gen_feedback_expand(const struct loom_gen_tx_flow *f, const uint8_t *p, uint32_t len, loom_time_ns now,
			      struct loom_gen_feedback_hdr *fb, struct loom_gen_feedback_ext *ext,
			      struct loom_gen_fb_tail *tail);

#endif
