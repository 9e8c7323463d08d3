/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP programs a killed loomd left on its af_xdp ports' interfaces. DPDK's
 * af_xdp port attaches a program (through libxdp) when it opens the
 * interface and detaches it when it closes; a loomd killed with -9 closes
 * nothing, and the next loomd's port cannot attach its own over it. So
 * `loomctl restart` detaches what is attached to the fabric's veths before
 * it starts loomd again (libbpf: the kernel's netlink XDP attachment).
 */
#ifndef LOOMCTL_XDP_LEFTOVER_H
#define LOOMCTL_XDP_LEFTOVER_H

#include <stddef.h>

/* Detach every XDP program (driver, generic or offloaded mode) from
 * interface `ifname`. The number detached, with "program ID (NAME) in MODE
 * mode" of each in `what`; 0 when none or no such interface; -1 with the
 * problem in `what`. */
int xdp_leftover_detach(const char *ifname, char *what, size_t len);

#endif
