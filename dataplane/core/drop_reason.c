/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop_reason.h"

static const char *const names[LOOM_DROP_MAX] = {
#define LOOM_DROP_NAME(name, str) [LOOM_DROP_##name] = str,
	LOOM_DROP_REASONS(LOOM_DROP_NAME)
#undef LOOM_DROP_NAME
};

const char *loom_drop_reason_name(enum loom_drop_reason r)
{
	return r < LOOM_DROP_MAX ? names[r] : "invalid";
}
