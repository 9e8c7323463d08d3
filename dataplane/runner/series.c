/* SPDX-License-Identifier: BSD-3-Clause */
/* Time series of the switch ports (see series.h). */
#include <inttypes.h>

#include "series.h"
#include "switch.h"
#include "tm.h"

void loom_series_header(const struct loom_series *s)
{
	if (s->out)
		fputs("time_ns,switch,port,peer,rate_bps,tx_bytes,queued_bytes,ecn_marked,dropped,pfc_xoff\n", s->out);
}

void loom_series_sample(const struct loom_series *s, const struct loom_fabric *f, loom_time_ns now)
{
	if (!s->out)
		return;
	for (uint16_t i = 0; i < f->n_switches; i++) {
		const struct loom_switch *sw = &f->switches[i];

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
			fprintf(s->out, "%" PRIu64 ",%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 "\n",
				(uint64_t)now, sw->name, p, port->name, port->rate_bps, port->c.tx_bytes,
				loom_switch_queued_bytes(sw, p), marked, dropped, xoff);
		}
	}
}
