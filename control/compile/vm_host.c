/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "vm_host.h"

void vm_host_run_dir(const struct topology *t, int host, char *buf, size_t len)
{
	/* names are [A-Za-z0-9_-], at most 31 characters each: the longest
	 * socket path (~90 bytes) fits a sockaddr_un */
	snprintf(buf, len, "%s/%s-%s", LOOM_VM_RUN_BASE, t->name, t->hosts[host].name);
}

void vm_host_nic_socket(const struct topology *t, int host, int ifindex, char *buf, size_t len)
{
	char dir[128];

	vm_host_run_dir(t, host, dir, sizeof(dir));
	snprintf(buf, len, "%s/nic%d.sock", dir, ifindex);
}
