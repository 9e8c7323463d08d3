/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch whose forwarding is a P4 program run on DPDK's SWX pipeline
 * (`pipeline: p4` in the topology, "pipeline": "p4" in loomd's config).
 *
 * Packets go through Loom's ingress guard first (pkt_parse, destination
 * MAC, ARP/ND/echo answers: the same code as the native pipeline, because
 * SWX does not check lengths or checksums), then through the SWX pipeline
 * built from the spec (parse, route, ECMP, TTL, MAC rewrite), then into
 * the switch's egress queueing (port_output_burst), as native packets do.
 * The program's drops are counted under Loom's drop reasons.
 */
#ifndef LOOM_P4_SWITCH_H
#define LOOM_P4_SWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "switch.h"

/* The spec loomd runs when the configuration names none. */
#ifndef LOOM_P4_SPEC_DEFAULT
#define LOOM_P4_SPEC_DEFAULT "p4/loom.spec"
#endif

/* Build the switch's SWX pipeline from the spec at `spec_path`, fill its
 * tables from the switch's routes, groups and next hops (which must be
 * loaded), and make it the switch's mode (sw->mode: p4_mode). EAL must be
 * running. Returns 0, or -1 with "FILE:LINE: what" or the failing table
 * entry in err. */
int loom_p4_attach(struct loom_switch *sw, const char *spec_path, char *err, size_t errlen);

/* The same in steps, for switching a running switch (the control thread
 * builds, the worker installs between bursts, the control thread frees the
 * old pipeline): loom_p4_build() reads the switch's tables but changes
 * nothing in it; loom_p4_install() makes `x` (NULL: the native stages) the
 * switch's forwarding and returns the pipeline it replaced (NULL if none). */
int loom_p4_build(struct loom_switch *sw, const char *spec_path, struct loom_p4 **out, char *err, size_t errlen);
struct loom_p4 *loom_p4_install(struct loom_switch *sw, struct loom_p4 *x);
void loom_p4_free(struct loom_p4 *x);

/* Set element `index` of the program's register array `name` (e.g.
 * spray_mode [0] = 1). Returns 0, or -1 with the reason in err. */
int loom_p4_register_write(struct loom_switch *sw, const char *name, uint32_t index, uint64_t value, char *err,
			   size_t errlen);

/* Element 0 of the program's register arrays, for the stats: what
 * "p4_registers" in the configuration sets (e.g. spray_mode), and what the
 * program changes per packet (spray_counter). */
#define LOOM_P4_REGS_MAX 8
struct loom_p4_reg {
	char name[64]; /* RTE_SWX_CTL_NAME_SIZE */
	uint64_t value;
};

/* Reads element 0 of the first `max` register arrays in spec order into
 * out; returns how many (0 for a native switch). Call it where packets are
 * not being run (the worker, between bursts): the pipeline writes them. */
int loom_p4_registers_read(const struct loom_switch *sw, struct loom_p4_reg *out, int max);

/* Free the pipeline. */
void loom_p4_detach(struct loom_switch *sw);

#endif
