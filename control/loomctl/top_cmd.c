/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomctl top: a live view of the fabric from loomd's `stats`, redrawn
 * every interval: per plane and switch, each port's transmit utilization
 * (tx byte delta over the interval and the link's rate) as a bar, its
 * transmit rate, queued packets, drops, and ECN marks / PFC pauses when
 * `stats` reports them (any port field named *mark* or *pause*).
 * --once prints a single frame (two samples, one interval apart) and
 * exits: for scripts and tests.
 */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "top_cmd.h"

#define BAR_WIDTH 20

static volatile sig_atomic_t top_stop;

static void on_sigint(int sig)
{
	(void)sig;
	top_stop = 1;
}

static json_int_t geti(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const json_t *find_by_name(const json_t *arr, const char *name)
{
	const json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (strcmp(json_string_value(json_object_get(x, "name")), name) == 0)
			return x;
	return NULL;
}

/* A number or the sum of an object's numbers (e.g. marks by class). */
static json_int_t total(const json_t *v)
{
	json_int_t t = 0;
	const char *k;
	json_t *x;

	if (json_is_integer(v))
		return json_integer_value(v);
	json_object_foreach((json_t *)v, k, x)
		t += json_is_integer(x) ? json_integer_value(x) : 0;
	return t;
}

/* Marks and pauses if the port reports any: "marks 12 pauses 3". */
static void extras(const json_t *port, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach((json_t *)port, k, v) {
		if (!strstr(k, "mark") && !strstr(k, "pause"))
			continue;
		if (!json_is_integer(v) && !json_is_object(v))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, " %s %lld", k, (long long)total(v));
		if (n >= len)
			break;
	}
}

static void bar(double util, char *out)
{
	int fill = (int)lround(util * BAR_WIDTH);

	if (fill < 0)
		fill = 0;
	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	for (int i = 0; i < BAR_WIDTH; i++)
		out[i] = i < fill ? '#' : '.';
	out[BAR_WIDTH] = '\0';
}

void top_render(const json_t *prev, const json_t *cur, FILE *out)
{
	const json_t *switches = json_object_get(cur, "switches"), *sw;
	double dt = prev ? (double)(geti(cur, "time_ns") - geti(prev, "time_ns")) / 1e9 : 0;
	json_int_t max_plane = 0;
	size_t i, j;

	fprintf(out, "fabric %s   t = %.1f s   interval %.2f s\n", json_string_value(json_object_get(cur, "fabric")),
		(double)geti(cur, "time_ns") / 1e9, dt);
	json_array_foreach(switches, i, sw)
		if (geti(sw, "plane") > max_plane)
			max_plane = geti(sw, "plane");
	for (json_int_t plane = 0; plane <= max_plane; plane++) {
		fprintf(out, "\nplane %lld\n", (long long)plane);
		fprintf(out, "  %-12s %-10s %-*s %6s %10s %7s %8s\n", "switch", "port", BAR_WIDTH + 2, "tx utilization",
			"util", "tx Mb/s", "queued", "drops");
		json_array_foreach(switches, i, sw) {
			const json_t *psw = prev ? find_by_name(json_object_get(prev, "switches"),
								json_string_value(json_object_get(sw, "name"))) : NULL;
			const json_t *port;

			if (geti(sw, "plane") != plane)
				continue;
			fprintf(out, "  %-12s %s%s\n", json_string_value(json_object_get(sw, "name")),
				json_string_value(json_object_get(sw, "role")),
				json_is_false(json_object_get(sw, "conserved")) ? "   NOT CONSERVED" : "");
			json_array_foreach(json_object_get(sw, "ports"), j, port) {
				const json_t *pp = psw ? find_by_name(json_object_get(psw, "ports"),
								      json_string_value(json_object_get(port, "name"))) : NULL;
				json_int_t rate = geti(port, "rate_bps");
				double bps = -1, util = -1;
				char b[BAR_WIDTH + 1], ex[256], ustr[16], rstr[16];

				if (pp && dt > 0) {
					bps = (double)(geti(port, "tx_bytes") - geti(pp, "tx_bytes")) * 8 / dt;
					if (rate > 0)
						util = bps / (double)rate;
				}
				bar(util < 0 ? 0 : util, b);
				if (util >= 0)
					snprintf(ustr, sizeof(ustr), "%5.1f%%", util * 100);
				else
					snprintf(ustr, sizeof(ustr), "%6s", "-");
				if (bps >= 0)
					snprintf(rstr, sizeof(rstr), "%10.1f", bps / 1e6);
				else
					snprintf(rstr, sizeof(rstr), "%10s", "-");
				extras(port, ex, sizeof(ex));
				fprintf(out, "  %-12s %-10s [%s] %s %s %7lld %8lld%s\n", "",
					json_string_value(json_object_get(port, "name")), b, ustr, rstr,
					(long long)geti(port, "queued"), (long long)total(json_object_get(port, "drops")), ex);
			}
		}
	}
}

static json_t *fetch(const char *sock)
{
	char err[512];
	json_t *r = ctl_call(sock, "stats", NULL, err, sizeof(err));

	if (!r)
		fprintf(stderr, "loomctl: %s\n", err);
	return r;
}

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && !top_stop)
		;
}

int cmd_top(int argc, char **argv)
{
	const char *sock = LOOM_SOCKET;
	double interval = 1.0;
	bool once = false;
	json_t *prev, *cur;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			once = true;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			sock = argv[++i];
		} else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
			char *end;
			interval = strtod(argv[++i], &end);
			if (*end || !(interval >= 0.05 && interval <= 3600)) {
				fprintf(stderr, "loomctl: --interval: seconds between 0.05 and 3600, not '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n"
					"usage: loomctl top [--once] [--interval SECONDS] [--socket PATH]\n", argv[i]);
			return 2;
		}
	}
	prev = fetch(sock);
	if (!prev)
		return 1;
	signal(SIGINT, on_sigint);
	while (!top_stop) {
		sleep_s(interval);
		if (top_stop)
			break;
		cur = fetch(sock);
		if (!cur) {
			json_decref(prev);
			return 1;
		}
		if (!once)
			fputs("\033[H\033[2J", stdout); /* home, clear */
		top_render(prev, cur, stdout);
		fflush(stdout);
		json_decref(prev);
		prev = cur;
		if (once)
			break;
	}
	json_decref(prev);
	return 0;
}
