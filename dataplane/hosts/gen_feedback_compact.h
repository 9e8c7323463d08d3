/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compact layout of transport feedback (gen_feedback.h, "Compact
 * transport feedback"): what the receiver writes. The sender's side is
 * loom_gen_feedback_expand() (gen_feedback.h).
 */
#ifndef LOOM_GEN_FEEDBACK_COMPACT_H
#define LOOM_GEN_FEEDBACK_COMPACT_H

#include <stdint.h>

#include "gen_feedback.h"

struct loom_gen_rx_flow;

/* The bytes after the UDP header of fb's compact frame (rx flow r), its
 * flags in *flags; 0 when fb needs the full layout (not a transport's, or
 * a value that does not fit). */
uint32_t loom_gen_feedback_compact_len(const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				       uint8_t *flags);
/* Writes them at p (len bytes from loom_gen_feedback_compact_len). */
void loom_gen_feedback_compact_write(uint8_t *p, const struct loom_gen_rx_flow *r, const struct loom_gen_feedback *fb,
				     uint8_t flags);

#endif
