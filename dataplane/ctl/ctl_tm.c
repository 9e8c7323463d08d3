/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic manager over the control socket:
 *   stats: per port "tm" (pause frames, headroom) and per class queue
 *          counters, copied on the worker with the other counters;
 *   {"cmd": "tm", "op": "show", "switch": S [, "port": P]}: settings
 *   {"cmd": "tm", "op": "set", "switch": S [, "port": P], "key": K,
 *    "value": V}: one loom/tm/tm_config.h setting (or "rate": the link rate,
 *    scaled by time_scale) on one port or every port of the switch,
 *    applied on the worker between bursts; queued packets stay.
 * The worker only copies and applies plain structs; the JSON is built and
 * read here, on the control thread (it allocates: not on the worker).
 * On a leaf of a cell fabric, the VOQs at every leaf toward its ports
 * stand in for their queues and take their settings (cell_voq_cc.c): show
 * lists them ("cell_voqs"), set makes them follow.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_fabric.h"
#include "ctl.h"
#include "ctl_tm.h"
#include "tm.h"
#include "tm_setting_text.h"

void ctl_tm_snapshot(const struct loom_port *p, struct ctl_tm_snapshot *s)
{
	const struct tm_port *t = p->tm;

	s->on = t != NULL;
	if (!t)
		return;
	s->n_classes = t->n_classes;
	s->port = t->st;
	s->wd_stormed = 0;
	for (int c = 0; c < LOOM_TM_CLASSES; c++) {
		s->q[c] = t->q[c].st;
		s->wd[c] = t->q[c].wd.st;
		if (t->q[c].wd.stormed)
			s->wd_stormed |= (uint8_t)(1u << c);
		s->depth[c] = t->q[c].bytes;
		s->depth_pkts[c] = t->q[c].count;
	}
}

json_t *ctl_tm_stats_json(const struct ctl_tm_snapshot *s)
{
	json_t *classes = json_array(), *hist, *port;
	uint64_t paused = 0;

	for (int c = 0; c < s->n_classes; c++) {
		const struct tm_queue_stats *q = &s->q[c];
		const struct loom_pfc_wd_stats *w = &s->wd[c];
		json_t *cls;

		hist = json_array();
		for (int b = 0; b < TM_HIST_BUCKETS; b++)
			json_array_append_new(hist, json_integer((json_int_t)q->hist[b]));
		paused += q->paused_ns;
		cls = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:o}",
				  "class", c, "in_packets", (json_int_t)q->in_pkts, "in_bytes", (json_int_t)q->in_bytes,
				  "out_packets", (json_int_t)q->out_pkts, "out_bytes", (json_int_t)q->out_bytes,
				  "ecn_marked", (json_int_t)q->ecn_marked, "drops", "tail", (json_int_t)q->drop_tail,
				  "wred", (json_int_t)q->drop_wred, "buffer", (json_int_t)q->drop_buffer,
				  "pfc_headroom", (json_int_t)q->drop_headroom, "depth_bytes",
				  (json_int_t)s->depth[c], "depth_packets", (json_int_t)s->depth_pkts[c],
				  "max_depth_bytes", (json_int_t)q->depth_max, "paused_ns", (json_int_t)q->paused_ns,
				  "depth_histogram", hist);
		/* the mean of the depths the histogram counts, exactly:
		 * depth_sum_bytes / in_packets */
		if (cls)
			json_object_set_new(cls, "depth_sum_bytes", json_integer((json_int_t)q->depth_sum));
		/* only once the class has had a storm: results of runs
		 * without one stay as they were */
		if (cls && (w->storms || w->pauses_ignored))
			json_object_set_new(cls, "pfc_watchdog",
					    json_pack("{s:b, s:I, s:I, s:I, s:I}", "stormed",
						      (s->wd_stormed >> c) & 1, "storms", (json_int_t)w->storms,
						      "restores", (json_int_t)w->restores, "pauses_ignored",
						      (json_int_t)w->pauses_ignored, "drops", (json_int_t)w->drops));
		/* trimming and lossless drops: only when there were some
		 * (results of runs without them stay as they were) */
		if (cls && q->trimmed)
			json_object_set_new(cls, "trimmed", json_integer((json_int_t)q->trimmed));
		if (cls && q->grows) /* a lossless queue that outgrew its first entries */
			json_object_set_new(cls, "grows", json_integer((json_int_t)q->grows));
		if (cls && q->drop_lossless)
			json_object_set_new(json_object_get(cls, "drops"), "lossless",
					    json_integer((json_int_t)q->drop_lossless));
		json_array_append_new(classes, cls);
	}
	port = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "pfc_frames_sent",
			 (json_int_t)s->port.pfc_tx_frames, "pfc_frames_received", (json_int_t)s->port.pfc_rx_frames,
			 "pfc_xoff", (json_int_t)s->port.pfc_tx_pause, "pfc_xon", (json_int_t)s->port.pfc_tx_resume,
			 "pfc_refresh", (json_int_t)s->port.pfc_tx_refresh, "paused_ns", (json_int_t)paused,
			 "headroom_packets", (json_int_t)s->port.headroom_pkts, "headroom_bytes",
			 (json_int_t)s->port.headroom_bytes, "headroom_peak_bytes", (json_int_t)s->port.headroom_peak,
			 "classes", classes);
	/* lossy entries of obeyed PAUSE frames: only when there were some */
	if (port && s->port.trimmed)
		json_object_set_new(port, "trimmed", json_integer((json_int_t)s->port.trimmed));
	if (port && s->port.pfc_rx_lossy)
		json_object_set_new(port, "pfc_rx_lossy_ignored", json_integer((json_int_t)s->port.pfc_rx_lossy));
	return port;
}

/* ---- tm show / set ---- */

static json_t *err_reply(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/*
 * Why `enabled` and `classes` are not changed under traffic, and what to do
 * instead. Queued packets are not the problem (a port holds at most 512 and
 * they could be moved on the worker); the state kept per class in *other*
 * ports is: a lossless packet's bytes are counted on its ingress port per
 * class of its egress port, PAUSEs sent to peers name those classes, and a
 * port without a traffic manager has no such counters at all. Changing the
 * class count or switching a port to or from the FIFO would have to rewrite
 * that accounting on every port and send XONs for classes that vanish; a
 * mistake there leaves a peer paused or a lossless class dropping.
 */
static const char *fixed_key_reason(const char *key)
{
	if (!strcmp(key, "classes"))
		return "tm set: 'classes' is fixed while loomd runs: the class of each queued packet is also the key "
		       "of PFC state on other ports (bytes per ingress port and class, PAUSEs sent to peers), which "
		       "a new class count would leave wrong. Live, remap DSCPs onto fewer classes (tm set SW dscp.D "
		       "CLASS) or change class.N.mode/weight/prio; for another count, set classes in the topology's "
		       "tm: (top level, a switch, or its ports:) and restart: loomctl down; loomctl up FILE";
	return "tm set: 'enabled' is fixed while loomd runs: turning a port's traffic manager on or off swaps its "
	       "class queues for the FIFO under queued packets and drops the PFC and shared-buffer state that "
	       "other ports keep for it. Live, tm set rate, ecn none or queue_limit change what it does; to turn "
	       "it on or off, set enabled in the topology's tm: (top level, a switch, or its ports:) and restart: "
	       "loomctl down; loomctl up FILE";
}

/* A port's settings as the worker copies them (plain data: the JSON is
 * built on the control thread, never on the real-time worker) */
struct tm_port_settings {
	bool on, linked;
	uint64_t link_rate_bps;
	struct loom_tm_cfg cfg;
	uint64_t rate_bps;
	uint32_t burst_bytes;
	uint8_t n_classes;
	struct loom_pfc_cfg pfc_cfg;
	uint32_t limit[LOOM_TM_CLASSES];
	struct loom_ecn_cfg ecn[LOOM_TM_CLASSES];
};

/* The switch's shared buffer and its lossless queues' reserve, as copied */
struct tm_switch_settings {
	bool on;
	uint64_t buf_size, buf_used;
	int8_t alpha_log2;
	uint64_t heap_grows;
	bool has_reserve;
	uint64_t entries, in_use, peak, grows, refused; /* the reserve's */
};

/* A cell VOQ toward the switch, as copied: the settings it took from the port */
struct tm_voq_settings {
	uint16_t at_leaf; /* switch index of the leaf it is at */
	uint16_t port;
	uint8_t cls;      /* the cell fabric's class */
	struct loom_ecn_cfg ecn;
	bool trim;
};

static const char *ecn_mode_name(uint8_t mode)
{
	return mode == LOOM_ECN_MODE_STEP ? "step" : mode == LOOM_ECN_MODE_RED ? "red" : "none";
}

static json_t *port_settings_json(const struct loom_port *p, const struct tm_port_settings *t,
				  const struct tm_switch_settings *sw)
{
	json_t *classes = json_array(), *dscp = json_array();

	if (!t->on)
		return json_pack("{s:i, s:s, s:b}", "index", p->index, "name", p->name, "enabled", 0);
	for (int c = 0; c < t->n_classes; c++) {
		const struct loom_ecn_cfg *ecn = &t->ecn[c];
		const struct loom_tm_class_cfg *k = &t->cfg.cls[c];

		json_array_append_new(
			classes,
			json_pack("{s:i, s:s, s:i, s:i, s:I, s:s, s:s, s:I, s:I, s:I, s:f, s:b, s:b, s:b}", "class", c,
				  "mode", k->mode == LOOM_QSCHED_STRICT ? "strict" : "drr", "prio", k->prio, "weight",
				  k->weight, "queue_limit", (json_int_t)t->limit[c], "ecn", loom_tm_ecn_name(k->ecn),
				  "ecn_mode",
				  ecn->mode == LOOM_ECN_MODE_STEP  ? "step"
				  : ecn->mode == LOOM_ECN_MODE_RED ? "red"
								   : "none",
				  "k", (json_int_t)ecn->k_bytes, "kmin", (json_int_t)ecn->kmin_bytes, "kmax",
				  (json_int_t)ecn->kmax_bytes, "pmax", (double)ecn->pmax / LOOM_ECN_P_ONE, "average",
				  ecn->use_average, "wred_drop", ecn->wred_drop, "lossless", (t->cfg.lossless >> c) & 1));
	}
	for (int d = 0; d < 64; d++)
		json_array_append_new(dscp, json_integer(t->cfg.dscp.cls[d]));
	return json_pack("{s:i, s:s, s:b, s:I, s:I, s:I, s:i, s:o, s:{s:I, s:I, s:I, s:i, s:I, s:{s:I, s:I, s:s}}, "
			 "s:I, s:I, s:i, s:o}",
			 "index", p->index, "name", p->name, "enabled", 1, "link_rate_bps",
			 (json_int_t)t->link_rate_bps, "rate_bps", (json_int_t)t->rate_bps, "burst_bytes",
			 (json_int_t)t->burst_bytes, "classes_n", t->n_classes, "classes", classes, "pfc", "xoff",
			 (json_int_t)t->pfc_cfg.xoff_bytes, "xon", (json_int_t)t->pfc_cfg.xon_bytes, "headroom",
			 (json_int_t)t->pfc_cfg.headroom_bytes, "quanta", t->pfc_cfg.pause_quanta, "refresh_ns",
			 (json_int_t)t->pfc_cfg.refresh_ns, "watchdog", "detect_ns", (json_int_t)t->cfg.pfc_wd.detect_ns,
			 "restore_ns", (json_int_t)t->cfg.pfc_wd.restore_ns, "action",
			 t->cfg.pfc_wd.action == LOOM_PFC_WD_DROP ? "drop" : "ignore", "buffer_bytes",
			 (json_int_t)(sw->on ? sw->buf_size : 0), "buffer_used", (json_int_t)(sw->on ? sw->buf_used : 0),
			 "alpha_log2", sw->on ? sw->alpha_log2 : 0, "dscp_map", dscp);
}

struct tm_call {
	struct loomd_state *st;
	struct loom_switch *sw;
	int port; /* -1: all */
	/* show: what the worker copies */
	struct tm_port_settings *ports; /* [n_ports] */
	struct tm_switch_settings sws;
	struct tm_voq_settings *voqs; /* [max_voqs]: cell VOQs toward the switch */
	uint32_t n_voqs, max_voqs;
	/* set */
	const char *key;
	struct loom_tm_cfg *cfgs; /* [n_ports], validated on the control thread */
	const struct loom_tm_cfg *switch_cfg; /* "buffer"/"alpha": the switch's new settings (one of cfgs) */
	uint64_t rate;            /* "rate": scaled, 0 = not this key */
	/* real time, made here (the worker never allocates): a switch's first
	 * lossless class gets its queue reserve; a new buffer size a reserve
	 * of that size (replace). The worker installs it; what it replaced,
	 * or did not install, is freed here after the call. */
	struct tm_queue_reserve *reserve;
	bool replace;
	bool refused;          /* replace: the queued lossless packets do not fit it: nothing applied */
	uint64_t reserve_held; /* then: the entries they hold */
};

static void show_on_worker(void *arg)
{
	struct tm_call *c = arg;
	const struct tm_switch *ts = c->sw->tm;

	for (uint16_t i = 0; i < c->sw->n_ports; i++) {
		const struct loom_port *p = &c->sw->ports[i];
		const struct tm_port *t = p->tm;
		struct tm_port_settings *o = &c->ports[i];

		o->linked = c->st->fabric->links[c->sw - c->st->fabric->switches][i].kind != LOOM_LINK_NONE;
		if ((c->port >= 0 && c->port != i) || !o->linked || !(o->on = t != NULL))
			continue;
		o->link_rate_bps = p->rate_bps;
		o->cfg = t->cfg;
		o->rate_bps = t->rate_bps;
		o->burst_bytes = t->shaper.burst_bytes;
		o->n_classes = t->n_classes;
		o->pfc_cfg = t->pfc_cfg;
		for (int q = 0; q < LOOM_TM_CLASSES; q++) {
			o->limit[q] = t->q[q].limit;
			o->ecn[q] = t->q[q].ecn;
		}
	}
	for (uint16_t l = 0; c->max_voqs && l < c->sw->cell->fab->n_leaves; l++) {
		const struct cell_fabric *fab = c->sw->cell->fab;
		const struct loom_cell_switch *cs = fab->fabric->switches[fab->leaf_switch[l]].cell;
		uint32_t run = (uint32_t)fab->max_ports * fab->cfg.n_classes, leaf = c->sw->cell->leaf;

		for (uint32_t i = leaf * run; cs && cs->voq && i < (leaf + 1) * run && i < cs->n_voq_slots; i++) {
			const struct cell_voq *q = cs->voq[i];

			if (q && (c->port < 0 || c->port == q->dst_port) && c->n_voqs < c->max_voqs)
				c->voqs[c->n_voqs++] = (struct tm_voq_settings){.at_leaf = fab->leaf_switch[l],
										.port = q->dst_port, .cls = q->cls,
										.ecn = q->cc.ecn, .trim = q->cc.trim};
		}
	}
	if (!(c->sws.on = ts != NULL))
		return;
	c->sws.buf_size = ts->buf.size;
	c->sws.buf_used = ts->buf.used;
	c->sws.alpha_log2 = ts->alpha_log2;
	c->sws.heap_grows = ts->heap_grows;
	if ((c->sws.has_reserve = ts->reserve != NULL)) {
		c->sws.entries = ts->reserve->entries;
		c->sws.in_use = ts->reserve->in_use;
		c->sws.peak = ts->reserve->peak;
		c->sws.grows = ts->reserve->grows;
		c->sws.refused = ts->reserve->refused;
	}
}

/* `tm show`'s result, from what show_on_worker copied */
static json_t *show_json(struct tm_call *c)
{
	json_t *ports = json_array(), *result;

	for (uint16_t i = 0; i < c->sw->n_ports; i++)
		if ((c->port < 0 || c->port == i) && c->ports[i].linked)
			json_array_append_new(ports, port_settings_json(&c->sw->ports[i], &c->ports[i], &c->sws));
	result = json_pack("{s:s, s:f, s:o}", "switch", c->sw->name, "time_scale", c->st->fabric->time_scale,
			   "ports", ports);
	/* where lossless queues grew: the real-time reserve (entries of
	 * queue storage made at set-up), or the heap (virtual time) */
	if (result && c->sws.on) {
		const struct tm_switch_settings *r = &c->sws;

		json_object_set_new(result, "queue_heap_grows", json_integer((json_int_t)c->sws.heap_grows));
		if (c->sws.has_reserve)
			json_object_set_new(result, "queue_reserve",
					    json_pack("{s:I, s:I, s:I, s:I, s:I}", "entries", (json_int_t)r->entries,
						      "in_use", (json_int_t)r->in_use, "peak", (json_int_t)r->peak,
						      "grows", (json_int_t)r->grows, "refused",
						      (json_int_t)r->refused));
	}
	if (result && c->max_voqs) {
		json_t *voqs = json_array();

		for (uint32_t i = 0; i < c->n_voqs; i++) {
			const struct tm_voq_settings *v = &c->voqs[i];

			json_array_append_new(voqs, json_pack("{s:s, s:i, s:i, s:s, s:I, s:I, s:I, s:b}", "at",
							      c->st->fabric->switches[v->at_leaf].name, "port", v->port,
							      "class", v->cls, "ecn_mode", ecn_mode_name(v->ecn.mode), "k",
							      (json_int_t)v->ecn.k_bytes, "kmin", (json_int_t)v->ecn.kmin_bytes,
							      "kmax", (json_int_t)v->ecn.kmax_bytes, "trim", v->trim));
		}
		json_object_set_new(result, "cell_voqs", voqs);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "result", result);
}

static json_t *show(struct tm_call *c)
{
	json_t *reply;

	c->ports = calloc(c->sw->n_ports, sizeof(*c->ports));
	/* a leaf of a cell fabric: room for every leaf's VOQs toward it */
	c->n_voqs = c->max_voqs = 0;
	if (c->sw->cell && c->sw->cell->leaf != CELL_NO_LEAF)
		c->max_voqs = (uint32_t)c->sw->cell->fab->n_leaves * c->sw->cell->fab->max_ports *
			      c->sw->cell->fab->cfg.n_classes;
	c->voqs = c->max_voqs ? calloc(c->max_voqs, sizeof(*c->voqs)) : NULL;
	if (!c->ports || (c->max_voqs && !c->voqs)) {
		free(c->ports);
		free(c->voqs);
		return err_reply("out of memory");
	}
	memset(&c->sws, 0, sizeof(c->sws));
	loom_mailbox_call(c->st->mb, show_on_worker, c);
	reply = show_json(c);
	free(c->ports);
	free(c->voqs);
	return reply;
}

static void set_on_worker(void *arg)
{
	struct tm_call *c = arg;
	loom_time_ns now = loom_clock_now(c->st->clock);

	/* first the reserve of the new buffer size: when the queued lossless
	 * packets do not fit it, nothing is applied */
	if (c->replace) {
		struct tm_queue_reserve *old = c->sw->tm->reserve;

		if (tm_queue_reserve_move(c->sw, c->reserve, &c->reserve_held) < 0) {
			c->refused = true;
			return;
		}
		c->reserve = old; /* the control thread frees it */
	}
	for (uint16_t i = 0; i < c->sw->n_ports; i++) {
		struct tm_port *t = c->sw->ports[i].tm;

		if (!t || (c->port >= 0 && c->port != i))
			continue;
		if (c->rate)
			t->rate_bps = c->rate;
		else
			t->cfg = c->cfgs[i];
		tm_port_apply(&c->sw->ports[i], now);
	}
	if (c->switch_cfg) {
		c->sw->tm->alpha_log2 = c->switch_cfg->alpha_log2;
		c->sw->tm->buffer_bytes = c->switch_cfg->buffer_bytes;
		c->sw->tm->buf.size = c->switch_cfg->buffer_bytes; /* used bytes stay; admission follows the new size */
	}
	if (!c->replace && c->reserve && c->sw->tm && !c->sw->tm->reserve) {
		c->sw->tm->reserve = c->reserve;
		c->reserve = NULL;
	}
	/* a cell leaf: the VOQs toward its ports take the new settings */
	cell_voq_cc_follow_tm(c->sw);
}

/* Real time: the reserve this change needs, made here on the control
 * thread (only set_on_worker writes sw->tm->reserve after set-up, and this
 * thread serialises those calls, so reading it here is safe). NULL, or an
 * error reply. */
static json_t *reserve_for(struct tm_call *c)
{
	struct tm_switch *ts = c->sw->tm;
	bool lossless = false;

	if (!c->cfgs || c->st->fabric->clock_mode != LOOM_CLOCK_REALTIME || !ts)
		return NULL;
	if (ts->reserve) {
		/* a new buffer size: a reserve of that size, unless it is the same */
		if (c->switch_cfg && tm_queue_reserve_entries(c->switch_cfg->buffer_bytes) != ts->reserve->entries) {
			if (!(c->reserve = tm_queue_reserve_create(c->switch_cfg->buffer_bytes)))
				return err_reply("tm set: out of memory for the lossless queues' reserve");
			c->replace = true;
		}
		return NULL;
	}
	/* a switch's first lossless class */
	for (uint16_t i = 0; i < c->sw->n_ports; i++)
		lossless |= c->sw->ports[i].tm && (c->port < 0 || c->port == i) && c->cfgs[i].lossless;
	if (lossless && !(c->reserve = tm_queue_reserve_create(c->switch_cfg ? c->switch_cfg->buffer_bytes
									    : ts->buffer_bytes)))
		return err_reply("tm set: out of memory for the lossless queues' reserve");
	return NULL;
}

json_t *ctl_cmd_tm(struct loomd_state *st, json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const char *name = json_string_value(json_object_get(req, "switch"));
	json_t *jport = json_object_get(req, "port"), *err;
	struct tm_call c = {.st = st, .port = -1};
	char msg[320], value[128];

	if (!op || (strcmp(op, "show") && strcmp(op, "set")))
		return err_reply("tm needs \"op\": \"show\" or \"set\"");
	if (!name)
		return err_reply("tm needs \"switch\"");
	for (uint16_t s = 0; s < st->fabric->n_switches; s++)
		if (!strcmp(st->fabric->switches[s].name, name))
			c.sw = &st->fabric->switches[s];
	if (!c.sw) {
		snprintf(msg, sizeof(msg), "no switch '%.64s' in this loomd", name);
		return err_reply(msg);
	}
	if (jport) {
		if (!json_is_integer(jport) || json_integer_value(jport) < 0 ||
		    json_integer_value(jport) >= c.sw->n_ports ||
		    st->fabric->links[c.sw - st->fabric->switches][json_integer_value(jport)].kind == LOOM_LINK_NONE)
			return err_reply("tm: \"port\" is not a port of that switch");
		c.port = (int)json_integer_value(jport);
	}
	if (!strcmp(op, "show"))
		return show(&c);

	c.key = json_string_value(json_object_get(req, "key"));
	if (!c.key || tm_setting_text(json_object_get(req, "value"), value, sizeof(value)) < 0)
		return err_reply("tm set needs \"key\" and \"value\"");
	if (!strcmp(c.key, "enabled") || !strcmp(c.key, "classes"))
		return err_reply(fixed_key_reason(c.key));
	if (!strcmp(c.key, "rate")) {
		uint64_t bps;

		if (loom_parse_bytes(value, &bps) < 0 || bps == 0 || bps > LOOM_SHAPER_MAX_RATE)
			return err_reply("tm set rate: expected a rate in bit/s, e.g. 100M or 25G");
		c.rate = loom_rate_scaled(bps, st->fabric->time_scale);
	} else {
		/* Validate on a copy of each port's settings, here: a bad value
		 * never reaches the worker. The cfg is only written on the
		 * worker, by these calls, which this thread serialises. */
		c.cfgs = calloc(c.sw->n_ports, sizeof(*c.cfgs));
		if (!c.cfgs)
			return err_reply("out of memory");
		for (uint16_t i = 0; i < c.sw->n_ports; i++) {
			char e[256];

			if (!c.sw->ports[i].tm || (c.port >= 0 && c.port != i))
				continue;
			c.cfgs[i] = c.sw->ports[i].tm->cfg;
			if (loom_tm_cfg_set(&c.cfgs[i], c.key, value, e, sizeof(e)) < 0 ||
			    loom_tm_cfg_finalize(&c.cfgs[i], e, sizeof(e)) < 0) {
				snprintf(msg, sizeof(msg), "tm set: %s", e);
				free(c.cfgs);
				return err_reply(msg);
			}
			/* the switch's buffer and alpha: the last port's (all
			 * ports got the same value) */
			if (c.sw->tm && (!strcmp(c.key, "buffer") || !strcmp(c.key, "alpha")))
				c.switch_cfg = &c.cfgs[i];
		}
	}
	if ((err = reserve_for(&c))) {
		free(c.cfgs);
		return err;
	}
	loom_mailbox_call(st->mb, set_on_worker, &c);
	tm_queue_reserve_free(c.reserve); /* the one replaced, or NULL once installed */
	if (c.refused) {
		/* c.switch_cfg points into c.cfgs: read before they are freed */
		snprintf(msg, sizeof(msg),
			 "tm set buffer: switch %s's lossless queues hold %" PRIu64 " entries of queue storage, more "
			 "than a buffer of %s gives them (%u); nothing changed: retry when they have drained",
			 c.sw->name, c.reserve_held, value, tm_queue_reserve_entries(c.switch_cfg->buffer_bytes));
		free(c.cfgs);
		return err_reply(msg);
	}
	free(c.cfgs);
	c.cfgs = NULL;
	c.switch_cfg = NULL;
	return show(&c);
}
