/* SPDX-License-Identifier: BSD-3-Clause */
/* The error message of the VM libraries (qemu_launch.c, agent_client.c):
 * printf into the caller's buffer, which may be NULL. */
#ifndef LOOM_VM_ERR_H
#define LOOM_VM_ERR_H

#include <stdarg.h>
#include <stdio.h>

static inline void __attribute__((format(printf, 3, 4))) vm_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
