/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feedback of generator hosts: what a receiver returns to a sender (a CNP
 * for DCQCN, an ACK for DCTCP, a transport's ACK or NAK), on the wire and
 * in the receiving host's queue. Both congestion control (gen_cc.c) and
 * loss recovery (gen_transport.c) queue it; the host (gen_host.c) sends
 * the queue before its data and reads what arrives. This module sits below
 * all three, so that they only call down.
 *
 * On the wire: Ethernet / IPv4 / UDP [/ BTH for a CNP] /
 * loom_gen_feedback_hdr [/ loom_gen_feedback_ext for the transport kinds
 * [/ the tail: the 8-byte send time NSCC's ACKs echo, a coalescing flow's
 * counts and ports, a credit flow's 8-byte cumulative grant (gen_credit.h),
 * each where loom_gen_fb_tail_layout (below) puts it]], network byte order.
 * Fields are appended at the end of a struct, never inserted.
 */
#ifndef LOOM_GEN_FEEDBACK_H
#define LOOM_GEN_FEEDBACK_H

#include "gen_feedback_types.h"

struct rte_mbuf;
struct loom_gen_host;

/* Queue a feedback packet (consecutive ACKs of a flow merge); counts an overflow. */
void loom_gen_feedback_enqueue(struct loom_gen_host *h, const struct loom_gen_feedback *fb);

/* The feedback packet for the head of the queue (NULL: no buffer). */
struct rte_mbuf *loom_gen_feedback_build(struct loom_gen_host *h, const struct loom_gen_feedback *fb);

#endif
