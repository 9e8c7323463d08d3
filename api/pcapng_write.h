/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal pcapng writer (section header, one interface per link end,
 * enhanced packet blocks with nanosecond time stamps and the direction),
 * for `loomctl capture` (which writes the file as the user) and for
 * loomd's virtual-time captures and a cell fabric's link capture.
 *
 * Loom's own rather than DPDK 22.11's rte_pcapng: that one describes only
 * ethdev ports (its interface blocks come from rte_eth_dev_info), stamps
 * TSC time, and writes to an fd in the process that has the packets; the
 * links here are in-memory rings or virtual-time events, the time is the
 * switch's (virtual in a virtual run), and the frames reach the file in
 * another process (loomctl). The format is three block types.
 */
#ifndef LOOM_PCAPNG_WRITE_H
#define LOOM_PCAPNG_WRITE_H

#include <stdint.h>
#include <stdio.h>

enum { PCAPNG_DIR_NONE = 0, PCAPNG_DIR_IN = 1, PCAPNG_DIR_OUT = 2 };

/* The section header; 0, or -1 when the write failed. */
int pcapng_write_section(FILE *f, const char *application);
/* An interface (the next is number 0, 1, ...): Ethernet, `snaplen`,
 * nanosecond time stamps, its name and description. */
int pcapng_write_interface(FILE *f, const char *name, const char *description, uint32_t snaplen);
/* A frame on interface `ifc` at `t_ns` (since the epoch, or virtual
 * time), `caplen` of its `len` bytes, in direction dir (PCAPNG_DIR_*). */
int pcapng_write_packet(FILE *f, uint32_t ifc, uint64_t t_ns, const void *data, uint32_t caplen, uint32_t len,
			int dir);
/* Bytes pcapng_write_packet writes for `caplen` bytes of frame. */
uint32_t pcapng_packet_size(uint32_t caplen);

#endif
