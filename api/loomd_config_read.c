/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed access to loomd's configuration and the shadow of what was read
 * (loomd_config_read.h). */
#include "loomd_config_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* While recording: each object and array of the configuration that was
 * read, with its shadow, in an open-addressing table by address. */
struct shadow_slot {
	const json_t *in;
	json_t *shadow; /* borrowed: the shadow tree holds it */
};

static struct {
	struct shadow_slot *slots;
	size_t cap, n; /* cap: a power of two */
	json_t *root;
} rec;

static size_t slot_of(const json_t *in, size_t cap)
{
	return (size_t)(((uintptr_t)in >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

static json_t *shadow_find(const json_t *in)
{
	if (!rec.slots)
		return NULL;
	for (size_t i = slot_of(in, rec.cap);; i = (i + 1) & (rec.cap - 1)) {
		if (rec.slots[i].in == in)
			return rec.slots[i].shadow;
		if (!rec.slots[i].in)
			return NULL;
	}
}

static int shadow_add(const json_t *in, json_t *shadow)
{
	if (2 * (rec.n + 1) > rec.cap) {
		size_t cap = rec.cap ? 2 * rec.cap : 1024;
		struct shadow_slot *s = calloc(cap, sizeof(*s));

		if (!s)
			return -1;
		for (size_t i = 0; i < rec.cap; i++) {
			size_t k;

			if (!rec.slots[i].in)
				continue;
			for (k = slot_of(rec.slots[i].in, cap); s[k].in; k = (k + 1) & (cap - 1))
				;
			s[k] = rec.slots[i];
		}
		free(rec.slots);
		rec.slots = s;
		rec.cap = cap;
	}
	size_t k;

	for (k = slot_of(in, rec.cap); rec.slots[k].in; k = (k + 1) & (rec.cap - 1))
		;
	rec.slots[k] = (struct shadow_slot){in, shadow};
	rec.n++;
	return 0;
}

static bool has_type(const json_t *v, enum loomd_json_type t)
{
	switch (t) {
	case LOOMD_STRING: return json_is_string(v);
	case LOOMD_INTEGER: return json_is_integer(v);
	case LOOMD_NUMBER: return json_is_number(v);
	case LOOMD_BOOLEAN: return json_is_boolean(v);
	case LOOMD_ARRAY: return json_is_array(v);
	case LOOMD_OBJECT: return json_is_object(v);
	}
	return false;
}

/* The shadow of `in`, an object of kind `kind` (a new reference), with the
 * keys loomd carries unread: they count as read once their object is. */
static json_t *shadow_object(const json_t *in, enum loomd_object kind)
{
	json_t *o = shadow_find(in);

	if (o)
		return json_incref(o);
	o = json_object();
	if (!o || shadow_add(in, o) < 0) {
		json_decref(o);
		return NULL;
	}
	for (int k = 0; k < LOOMD_N_KEYS; k++) {
		const struct loomd_key_info *ki = &loomd_config_keys[k];
		json_t *v = json_object_get(in, ki->name);

		if (ki->object == kind && ki->use == LOOMD_CARRIED && v && has_type(v, ki->type))
			json_object_set(o, ki->name, v);
	}
	return o;
}

/* The shadow of an array whose elements are objects of kind `kind`. */
static json_t *shadow_array(const json_t *in, enum loomd_object kind)
{
	json_t *a = shadow_find(in), *e;
	size_t i;

	if (a)
		return json_incref(a);
	a = json_array();
	if (!a || shadow_add(in, a) < 0) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(in, i, e)
		json_array_append_new(a, json_is_object(e) ? shadow_object(e, kind) : json_incref(e));
	return a;
}

static void record(const json_t *obj, enum loomd_key key, json_t *v)
{
	const struct loomd_key_info *ki = &loomd_config_keys[key];
	json_t *sh = rec.root ? shadow_find(obj) : NULL;

	if (!sh) /* not recording, or not read from the recorded configuration */
		return;
	if (ki->holds == LOOMD_OBJ_NONE)
		json_object_set(sh, ki->name, v);
	else if (ki->type == LOOMD_OBJECT)
		json_object_set_new(sh, ki->name, shadow_object(v, ki->holds));
	else
		json_object_set_new(sh, ki->name, shadow_array(v, ki->holds));
}

int loomd_cfg_get(const json_t *obj, enum loomd_key key, json_t **out, char *err, size_t errlen)
{
	const struct loomd_key_info *ki = &loomd_config_keys[key];
	json_t *v = json_is_object(obj) ? json_object_get(obj, ki->name) : NULL;

	*out = NULL;
	if (!v)
		return 0;
	if (!has_type(v, ki->type)) {
		snprintf(err, errlen, "%s must be %s", ki->name, loomd_json_type_name(ki->type));
		return -1;
	}
	record(obj, key, v);
	*out = v;
	return 0;
}

int loomd_cfg_string(const json_t *obj, enum loomd_key key, const char **out, char *err, size_t errlen)
{
	json_t *v;

	*out = NULL;
	if (loomd_cfg_get(obj, key, &v, err, errlen) < 0)
		return -1;
	*out = v ? json_string_value(v) : NULL;
	return 0;
}

int loomd_cfg_int(const json_t *obj, enum loomd_key key, json_int_t def, json_int_t *out, char *err, size_t errlen)
{
	json_t *v;

	if (loomd_cfg_get(obj, key, &v, err, errlen) < 0)
		return -1;
	*out = v ? json_integer_value(v) : def;
	return 0;
}

int loomd_cfg_u64(const json_t *obj, enum loomd_key key, uint64_t def, uint64_t *out, char *err, size_t errlen)
{
	json_t *v;

	if (loomd_cfg_get(obj, key, &v, err, errlen) < 0)
		return -1;
	if (v && json_integer_value(v) < 0) {
		snprintf(err, errlen, "%s must be a non-negative integer", loomd_config_keys[key].name);
		return -1;
	}
	*out = v ? (uint64_t)json_integer_value(v) : def;
	return 0;
}

int loomd_cfg_number(const json_t *obj, enum loomd_key key, double def, double *out, char *err, size_t errlen)
{
	json_t *v;

	if (loomd_cfg_get(obj, key, &v, err, errlen) < 0)
		return -1;
	*out = v ? json_number_value(v) : def;
	return 0;
}

int loomd_cfg_bool(const json_t *obj, enum loomd_key key, bool def, bool *out, char *err, size_t errlen)
{
	json_t *v;

	if (loomd_cfg_get(obj, key, &v, err, errlen) < 0)
		return -1;
	*out = v ? json_is_true(v) : def;
	return 0;
}

const char *loomd_cfg_unknown_key(const json_t *obj, enum loomd_object kind)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)obj, name, v) {
		int k;

		for (k = 0; k < LOOMD_N_KEYS; k++)
			if (loomd_config_keys[k].object == kind && strcmp(loomd_config_keys[k].name, name) == 0)
				break;
		if (k == LOOMD_N_KEYS)
			return name;
	}
	return NULL;
}

int loomd_cfg_record_start(const json_t *root)
{
	rec.root = json_object();
	if (!rec.root || shadow_add(root, rec.root) < 0) {
		json_decref(loomd_cfg_record_finish());
		return -1;
	}
	return 0;
}

json_t *loomd_cfg_record_finish(void)
{
	json_t *root = rec.root;

	free(rec.slots);
	memset(&rec, 0, sizeof(rec));
	return root;
}
