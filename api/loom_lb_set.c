/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `lb_set` control request (loom_lb_set.h).
 */
#include <stdio.h>

#include "loom_lb_set.h"

/* The rules both sides hold a request to. */
static int check(const struct loom_lb_set_req *r, char *err, size_t errlen)
{
	if (!r->mode) {
		snprintf(err, errlen, "lb_set needs \"mode\"");
		return -1;
	}
	if (r->group < -1 || (r->group >= 0 && !r->sw)) {
		snprintf(err, errlen, r->group < -1 ? "lb_set: no such group" : "lb_set: \"group\" needs \"switch\"");
		return -1;
	}
	if (r->idle_time_ns < -1 || (r->idle_time_ns >= 0 && (uint64_t)r->idle_time_ns > LOOM_LB_IDLE_TIME_MAX_NS)) {
		snprintf(err, errlen, "lb_set: \"idle_time_ns\" must be an integer 0 .. %llu",
			 (unsigned long long)LOOM_LB_IDLE_TIME_MAX_NS);
		return -1;
	}
	if (r->group >= 0 && (r->idle_time_ns >= 0 || r->placement)) {
		snprintf(err, errlen, "lb_set: the flowlet parameters are the switch's: not with \"group\"");
		return -1;
	}
	return 0;
}

json_t *loom_lb_set_req_to_json(const struct loom_lb_set_req *r, char *err, size_t errlen)
{
	json_t *o;

	if (check(r, err, errlen) < 0)
		return NULL;
	o = json_pack("{s:s}", "mode", r->mode);
	if (!o) {
		snprintf(err, errlen, "lb_set: mode is not UTF-8");
		return NULL;
	}
	if (r->sw)
		json_object_set_new(o, "switch", json_string(r->sw));
	if (r->group >= 0)
		json_object_set_new(o, "group", json_integer(r->group));
	if (r->idle_time_ns >= 0)
		json_object_set_new(o, "idle_time_ns", json_integer(r->idle_time_ns));
	if (r->placement)
		json_object_set_new(o, "placement", json_string(r->placement));
	return o;
}

int loom_lb_set_req_from_json(json_t *req, struct loom_lb_set_req *r, char *err, size_t errlen)
{
	json_t *v;

	*r = (struct loom_lb_set_req)LOOM_LB_SET_REQ_INIT;
	r->mode = json_string_value(json_object_get(req, "mode"));
	if ((v = json_object_get(req, "switch")) != NULL && !(r->sw = json_string_value(v))) {
		snprintf(err, errlen, "lb_set: \"switch\" must be a name");
		return -1;
	}
	if ((v = json_object_get(req, "group")) != NULL)
		r->group = json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -2;
	if ((v = json_object_get(req, "idle_time_ns")) != NULL)
		r->idle_time_ns = json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -2;
	if ((v = json_object_get(req, "placement")) != NULL && !(r->placement = json_string_value(v))) {
		snprintf(err, errlen, "lb_set: \"placement\" must be queue or band");
		return -1;
	}
	return check(r, err, errlen);
}
