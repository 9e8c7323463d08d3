/* SPDX-License-Identifier: BSD-3-Clause */
/* `loomctl web`'s one reader of loomd: a thread that asks for `stats`
 * every interval, adds each port's rates over the last interval and
 * keeps the last minute of samples, so that any number of pages cost
 * loomd one request a second and a page opened late still plots the
 * last minute. */
#ifndef LOOMCTL_WEB_SAMPLER_H
#define LOOMCTL_WEB_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct web_sampler;

/* Start sampling `sock` every interval_s seconds; NULL if out of memory
 * or the thread cannot start. */
struct web_sampler *web_sampler_start(const char *sock, double interval_s);
void web_sampler_stop(struct web_sampler *s);

/* GET /api/stats: the last sample as JSON text (caller frees), or NULL
 * with loomd's or the transport's error in err (no sample yet, loomd
 * gone). */
char *web_sampler_latest(struct web_sampler *s, char *err, size_t errlen);
/* GET /api/history: one port's tx and rx rates over the kept samples;
 * NULL with the reason in err when the switch or port is unknown. */
char *web_sampler_history(struct web_sampler *s, const char *sw, int port, char *err, size_t errlen);

/* Rates of `cur`'s ports against `prev` (the same loomd's earlier
 * `stats`): adds tx_bps, rx_bps, tx_util (tx_bps / rate_bps) and what
 * grew in the interval (drops_delta, ecn_marked_delta, pfc_frames_delta)
 * to each port and interval_ns to the top; nothing when prev is NULL or
 * not older. Exposed for the unit test. */
void web_rates_add(json_t *cur, const json_t *prev);

#endif
