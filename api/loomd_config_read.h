/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd's typed access to its configuration: every reader gets a key's
 * value through these, which check its JSON type against the contract
 * (loomd_config_keys.h) and name the key when it is wrong.
 *
 * They all return 0, or -1 with "KEY must be TYPE" in err when the key is
 * present with another type; an absent key gives NULL or the default.
 *
 * While recording (loomd --check-config), every value read is also copied
 * into a shadow of the configuration, which then holds exactly what loomd
 * consumed: tests/packet/test_config_contract.py compares it with what
 * loomctl wrote.
 */
#ifndef LOOM_API_LOOMD_CONFIG_READ_H
#define LOOM_API_LOOMD_CONFIG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "loomd_config_keys.h"

/* Any type the contract gives (an array, an object, ...); NULL when absent. */
int loomd_cfg_get(const json_t *obj, enum loomd_key key, json_t **out, char *err, size_t errlen);
/* NULL when absent. */
int loomd_cfg_string(const json_t *obj, enum loomd_key key, const char **out, char *err, size_t errlen);
int loomd_cfg_int(const json_t *obj, enum loomd_key key, json_int_t def, json_int_t *out, char *err, size_t errlen);
/* A negative value is an error too. */
int loomd_cfg_u64(const json_t *obj, enum loomd_key key, uint64_t def, uint64_t *out, char *err, size_t errlen);
int loomd_cfg_number(const json_t *obj, enum loomd_key key, double def, double *out, char *err, size_t errlen);
int loomd_cfg_bool(const json_t *obj, enum loomd_key key, bool def, bool *out, char *err, size_t errlen);

/* The first key of `obj` that the contract does not give objects of kind
 * `kind`; NULL when there is none. */
const char *loomd_cfg_unknown_key(const json_t *obj, enum loomd_object kind);

/* Record what is read from `root` on (see above) until
 * loomd_cfg_record_finish(), which returns the shadow (a new reference). */
int loomd_cfg_record_start(const json_t *root);
json_t *loomd_cfg_record_finish(void);

#endif
