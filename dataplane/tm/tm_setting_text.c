/* SPDX-License-Identifier: BSD-3-Clause */
/* A traffic-manager setting's JSON value as the text its parser takes
 * (tm_setting_text.h). */
#include <stdio.h>

#include "tm_setting_text.h"

int tm_setting_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_array(v)) { /* pfc.lossless: [3, 4] */
		size_t i, n = 0;
		json_t *e;

		buf[0] = '\0';
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e))
				return -1;
			n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%lld", i ? "," : "",
					      (long long)json_integer_value(e));
		}
		if (i == 0)
			snprintf(buf, len, "none");
	} else
		return -1;
	return 0;
}
