/* SPDX-License-Identifier: BSD-3-Clause */
/* The table of loomd_config_keys.h. */
#include "loomd_config_keys.h"

const struct loomd_key_info loomd_config_keys[LOOMD_N_KEYS] = {
#define LOOMD_KEY_INFO(obj, id, name, type, holds, use) \
	[LOOMD_##obj##_##id] = {LOOMD_OBJ_##obj, name, LOOMD_##type, LOOMD_OBJ_##holds, LOOMD_##use},
	LOOMD_CONFIG_KEYS(LOOMD_KEY_INFO)
#undef LOOMD_KEY_INFO
};

const char *loomd_json_type_name(enum loomd_json_type t)
{
	switch (t) {
	case LOOMD_STRING: return "a string";
	case LOOMD_INTEGER: return "an integer";
	case LOOMD_NUMBER: return "a number";
	case LOOMD_BOOLEAN: return "true or false";
	case LOOMD_ARRAY: return "a list";
	case LOOMD_OBJECT: return "an object";
	}
	return "?";
}
