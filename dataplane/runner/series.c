/* SPDX-License-Identifier: BSD-3-Clause */
/* Time series of the switch ports (see series.h). */
#include <inttypes.h>
#include <stdarg.h>

#include "egress.h"
#include "series.h"
#include "switch.h"
#include "tm.h"

/* One CSV line, whole, or nothing once the file's size cap is reached
 * (loom_output_cap_take says so once). */
static void __attribute__((format(printf, 2, 3))) series_line(const struct loom_series *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return; /* cannot happen: names are bounded */
	if (s->cap && !loom_output_cap_take(s->cap, (uint64_t)n))
		return;
	fwrite(line, 1, (size_t)n, s->out);
}

void loom_series_header(const struct loom_series *s)
{
	if (s->out)
		series_line(s, "time_ns,switch,port,peer,rate_bps,tx_bytes,queued_bytes,ecn_marked,dropped,pfc_xoff\n");
}

void loom_series_sample(const struct loom_series *s, const struct loom_fabric *f, loom_time_ns now)
{
	if (!s->out)
		return;
	for (uint16_t i = 0; i < f->n_switches; i++) {
		const struct loom_switch *sw = &f->switches[i];

		if (s->sw_rank && s->sw_rank[i] != s->rank)
			continue; /* another rank's */
		for (uint16_t p = 0; p < sw->n_ports; p++) {
			const struct loom_port *port = &sw->ports[p];
			uint64_t marked = 0, dropped = 0, xoff = 0;

			if (f->links[i][p].kind == LOOM_LINK_NONE)
				continue;
			for (int r = 0; r < LOOM_DROP_MAX; r++)
				dropped += port->c.drops[r];
			if (port->tm) {
				for (int c = 0; c < port->tm->n_classes; c++)
					marked += port->tm->q[c].st.ecn_marked;
				xoff = port->tm->st.pfc_tx_pause;
			}
			series_line(s, "%" PRIu64 ",%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 "\n",
				(uint64_t)now, sw->name, p, port->name, port->rate_bps, port->c.tx_bytes,
				loom_switch_queued_bytes(sw, p), marked, dropped, xoff);
		}
	}
}

void loom_series_write_lines(const struct loom_series *s, const char *lines, size_t n)
{
	if (s->out && (!s->cap || loom_output_cap_take(s->cap, (uint64_t)n)))
		fwrite(lines, 1, n, s->out);
}

static uint64_t json_u64(const json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

/* One port object of `stats`: its row, the fields summed as
 * loom_series_sample sums the counters they come from. */
static void write_stats_port(const struct loom_series *s, uint64_t now, const char *sw_name, const json_t *port)
{
	const json_t *tm = json_object_get(port, "tm"), *cls, *n;
	const char *reason;
	uint64_t marked = 0, dropped = 0;
	size_t i;

	json_object_foreach((json_t *)json_object_get(port, "drops"), reason, n)
		dropped += (uint64_t)json_integer_value(n);
	json_array_foreach(json_object_get(tm, "classes"), i, cls)
		marked += json_u64(cls, "ecn_marked");
	series_line(s, "%" PRIu64 ",%s,%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		",%" PRIu64 "\n",
		now, sw_name, json_u64(port, "index"), json_string_value(json_object_get(port, "name")),
		json_u64(port, "rate_bps"), json_u64(port, "tx_bytes"), json_u64(port, "queued_bytes"), marked,
		dropped, json_u64(tm, "pfc_xoff"));
}

void loom_series_write_stats(const struct loom_series *s, const json_t *stats)
{
	const json_t *sw, *port;
	uint64_t now = json_u64(stats, "time_ns");
	size_t i, j;

	if (!s->out)
		return;
	json_array_foreach(json_object_get(stats, "switches"), i, sw) {
		const char *name = json_string_value(json_object_get(sw, "name"));

		json_array_foreach(json_object_get(sw, "ports"), j, port)
			write_stats_port(s, now, name, port);
	}
}
