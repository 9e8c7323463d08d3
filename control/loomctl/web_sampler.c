/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sampler of `loomctl web` (web_sampler.h). Samples are loomd's
 * `stats` results, untouched but for the rates added to each port; they
 * are never changed once in the ring, and all reading of them happens
 * under the lock (jansson objects are not shared between threads
 * otherwise).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "web_sampler.h"

#define WEB_HISTORY 61 /* a minute of rates at one sample a second */

struct web_sampler {
	pthread_mutex_t lock;
	pthread_t thread;
	atomic_bool stop;
	char sock[108];
	double interval_s;
	json_t *ring[WEB_HISTORY]; /* ring[(head - 1 - k) mod N]: k samples ago */
	int head, n;
	char error[512];           /* the last request's error; "" when it succeeded */
};

static json_int_t geti(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const json_t *by_name(const json_t *arr, const char *name)
{
	const json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (strcmp(json_string_value(json_object_get(x, "name")) ?: "", name) == 0)
			return x;
	return NULL;
}

static const json_t *port_by_index(const json_t *ports, json_int_t index)
{
	const json_t *p;
	size_t i;

	json_array_foreach(ports, i, p)
		if (geti(p, "index") == index)
			return p;
	return NULL;
}

static json_int_t sum_values(const json_t *o)
{
	const char *k;
	json_t *v;
	json_int_t t = 0;

	json_object_foreach((json_t *)o, k, v)
		t += json_integer_value(v);
	return t;
}

/* What a port's traffic manager marked and paused: ECN marks over its
 * classes, PFC frames sent and received. 0 when it has none. */
static json_int_t ecn_marked(const json_t *port)
{
	const json_t *c;
	json_int_t t = 0;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(port, "tm"), "classes"), i, c)
		t += geti(c, "ecn_marked");
	return t;
}

static json_int_t pfc_frames(const json_t *port)
{
	const json_t *tm = json_object_get(port, "tm");

	return geti(tm, "pfc_frames_sent") + geti(tm, "pfc_frames_received");
}

void web_rates_add(json_t *cur, const json_t *prev)
{
	json_int_t dt = prev ? geti(cur, "time_ns") - geti(prev, "time_ns") : 0;
	json_t *sw, *p;
	size_t i, j;

	if (dt <= 0)
		return;
	json_object_set_new(cur, "interval_ns", json_integer(dt));
	json_array_foreach(json_object_get(cur, "switches"), i, sw) {
		const json_t *psw = by_name(json_object_get(prev, "switches"), json_string_value(json_object_get(sw, "name")) ?: "");

		json_array_foreach(json_object_get(sw, "ports"), j, p) {
			const json_t *pp = psw ? port_by_index(json_object_get(psw, "ports"), geti(p, "index")) : NULL;
			json_int_t rate = geti(p, "rate_bps");
			double tx, rx;

			/* counters only grow in one loomd; a restarted loomd is another fabric */
			if (!pp || geti(p, "tx_bytes") < geti(pp, "tx_bytes") || geti(p, "rx_bytes") < geti(pp, "rx_bytes"))
				continue;
			tx = (double)(geti(p, "tx_bytes") - geti(pp, "tx_bytes")) * 8e9 / (double)dt;
			rx = (double)(geti(p, "rx_bytes") - geti(pp, "rx_bytes")) * 8e9 / (double)dt;
			json_object_set_new(p, "tx_bps", json_integer((json_int_t)llround(tx)));
			json_object_set_new(p, "rx_bps", json_integer((json_int_t)llround(rx)));
			if (rate > 0)
				json_object_set_new(p, "tx_util", json_real(tx / (double)rate));
			/* what happened in the interval, for the page's marks */
			json_object_set_new(p, "drops_delta",
					    json_integer(sum_values(json_object_get(p, "drops")) -
							 sum_values(json_object_get(pp, "drops"))));
			json_object_set_new(p, "ecn_marked_delta", json_integer(ecn_marked(p) - ecn_marked(pp)));
			json_object_set_new(p, "pfc_frames_delta", json_integer(pfc_frames(p) - pfc_frames(pp)));
		}
	}
}

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};

	nanosleep(&ts, NULL);
}

static json_t *newest(const struct web_sampler *s, int ago)
{
	return ago < s->n ? s->ring[(s->head - 1 - ago + WEB_HISTORY) % WEB_HISTORY] : NULL;
}

static void *sample_loop(void *arg)
{
	struct web_sampler *s = arg;

	while (!atomic_load(&s->stop)) {
		char err[512] = "";
		json_t *cur = ctl_call(s->sock, "stats", NULL, err, sizeof(err));

		pthread_mutex_lock(&s->lock);
		if (cur) {
			const json_t *prev = newest(s, 0);

			/* another loomd (down and up again): its history is not this one's */
			if (prev && (geti(cur, "time_ns") <= geti(prev, "time_ns") ||
				     strcmp(json_string_value(json_object_get(cur, "fabric")) ?: "",
					    json_string_value(json_object_get(prev, "fabric")) ?: "") != 0)) {
				for (int k = 0; k < s->n; k++)
					json_decref(newest(s, k));
				s->n = 0;
				prev = NULL;
			}
			web_rates_add(cur, prev);
			if (s->n == WEB_HISTORY)
				json_decref(s->ring[s->head]);
			else
				s->n++;
			s->ring[s->head] = cur;
			s->head = (s->head + 1) % WEB_HISTORY;
			s->error[0] = '\0';
		} else {
			snprintf(s->error, sizeof(s->error), "%s", err);
		}
		pthread_mutex_unlock(&s->lock);
		sleep_s(s->interval_s);
	}
	return NULL;
}

struct web_sampler *web_sampler_start(const char *sock, double interval_s)
{
	struct web_sampler *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->sock, sizeof(s->sock), "%s", sock);
	s->interval_s = interval_s;
	snprintf(s->error, sizeof(s->error), "no sample yet");
	if (pthread_create(&s->thread, NULL, sample_loop, s) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void web_sampler_stop(struct web_sampler *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	for (int k = 0; k < s->n; k++)
		json_decref(newest(s, k));
	pthread_mutex_destroy(&s->lock);
	free(s);
}

char *web_sampler_latest(struct web_sampler *s, char *err, size_t errlen)
{
	char *text = NULL;

	pthread_mutex_lock(&s->lock);
	/* a stale sample would show a fabric that may be gone: the error instead */
	if (s->error[0] || !s->n)
		snprintf(err, errlen, "%s", s->error[0] ? s->error : "no sample yet");
	else if (!(text = json_dumps(newest(s, 0), JSON_COMPACT)))
		snprintf(err, errlen, "out of memory");
	pthread_mutex_unlock(&s->lock);
	return text;
}

char *web_sampler_history(struct web_sampler *s, const char *sw, int port, char *err, size_t errlen)
{
	json_t *samples = json_array(), *r;
	bool found = false;
	char *text = NULL;

	pthread_mutex_lock(&s->lock);
	for (int k = s->n - 1; k >= 0; k--) {
		const json_t *cur = newest(s, k);
		const json_t *jsw = by_name(json_object_get(cur, "switches"), sw);
		const json_t *p = jsw ? port_by_index(json_object_get(jsw, "ports"), port) : NULL;

		if (!p)
			continue;
		found = true;
		if (!json_object_get(p, "tx_bps"))
			continue; /* the first sample: no rate yet */
		json_array_append_new(samples, json_pack("{s:I, s:I, s:I}", "time_ns", geti(cur, "time_ns"), "tx_bps",
							 geti(p, "tx_bps"), "rx_bps", geti(p, "rx_bps")));
	}
	pthread_mutex_unlock(&s->lock);
	if (!found) {
		snprintf(err, errlen, "no port %d of a switch of that name in the samples", port);
		json_decref(samples);
		return NULL;
	}
	r = json_pack("{s:s, s:i, s:o}", "switch", sw, "port", port, "samples", samples);
	text = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	if (!text)
		snprintf(err, errlen, "out of memory");
	return text;
}
