/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a VM host of a fabric lives on this machine (docs/VMS.md): its run
 * directory (the QEMU launcher's layout, vm/guest/qemu_launch.h) and the
 * vhost-user socket of each of its NICs. loomd's configuration (the
 * net_vhost devargs) and loomctl (QEMU's -chardev) both take the paths
 * from here, so that the two ends meet.
 */
#ifndef LOOM_COMPILE_VM_HOST_H
#define LOOM_COMPILE_VM_HOST_H

#include <stddef.h>

#include "topo/topology.h"

/* Not under /run/loom: a guest must outlive a loomd restart, and its
 * sockets with it (loomctl down stops the guests, then removes both). */
#define LOOM_VM_RUN_BASE "/run/loom-vm"

/* LOOM_VM_RUN_BASE/<fabric>-<host> */
void vm_host_run_dir(const struct topology *t, int host, char *buf, size_t len);
/* <run dir>/nic<ifindex>.sock: QEMU listens, loomd's net_vhost connects */
void vm_host_nic_socket(const struct topology *t, int host, int ifindex, char *buf, size_t len);

#endif
