/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LOOM_EAL_DRIVERS_H
#define LOOM_EAL_DRIVERS_H

#include <jansson.h>

/* Before rte_eal_init: let EAL see in its plugin directory only the
 * drivers loomd's configuration `config` (parsed; NULL: unreadable) needs
 * (eal_drivers.c). 1 when done, 0 when EAL will load the whole directory
 * as before (not possible here; the reason on stderr when it is not the
 * usual one). */
int loom_eal_drivers_limit(const json_t *config);

#endif
