/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-flow and per-host results of the generator hosts, as JSON. Integers
 * only (rates in bit/s, rounded down): the same run gives the same bytes.
 */
#include "gen_config.h"
#include "gen_cc.h"
#include "gen_credit.h"
#include "gen_plane_results.h"
#include "gen_state.h"

static json_int_t ji(uint64_t v) { return (json_int_t)v; }

/* -1 stands for "never" (no packet, not completed) in the JSON. */
static json_int_t jt(loom_time_ns t) { return t == LOOM_TIME_NEVER ? -1 : (json_int_t)t; }

/* Arrival rate in bit/s between the first and the last packet: the bytes
 * after the first packet over the time they took. Exact integer math. */
static uint64_t rx_rate_bps(const struct loom_gen_rx_flow *r)
{
	if (r->packets < 2 || r->last_rx <= r->first_rx)
		return 0;
	return (uint64_t)((unsigned __int128)(r->wire_bytes - r->first_wire) * 8 * 1000000000u /
			  (r->last_rx - r->first_rx));
}

static json_t *flow_json(const struct loom_fabric *f, const struct loom_gen_host *h, const struct loom_gen_tx_flow *tf)
{
	const struct loom_gen_host *d = &f->gen_hosts[tf->dst_gen];
	const struct loom_gen_rx_flow *r = &d->rx[tf->rx_slot];
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(tf->spec.id));
	json_object_set_new(o, "src", json_string(h->name));
	json_object_set_new(o, "dst", json_string(d->name));
	json_object_set_new(o, "group", json_integer(tf->spec.group));
	json_object_set_new(o, "bytes", json_integer(ji(tf->spec.bytes)));
	json_object_set_new(o, "rate_bps", json_integer(ji(tf->rate_bps)));
	/* when it was allowed to start (a chained phase: when it was released; -1: never) */
	json_object_set_new(o, "start_ns", json_integer(jt(tf->spec.start)));
	json_object_set_new(o, "tx_packets", json_integer(ji(tf->packets)));
	json_object_set_new(o, "tx_bytes", json_integer(ji(tf->sent_wire)));
	json_object_set_new(o, "tx_payload_bytes", json_integer(ji(tf->sent_payload)));
	json_object_set_new(o, "tx_no_buffer", json_integer(ji(tf->no_buffer)));
	json_object_set_new(o, "first_tx_ns", json_integer(jt(tf->first_tx)));
	json_object_set_new(o, "last_tx_ns", json_integer(jt(tf->last_tx)));
	json_object_set_new(o, "rx_packets", json_integer(ji(r->packets)));
	json_object_set_new(o, "rx_bytes", json_integer(ji(r->wire_bytes)));
	json_object_set_new(o, "rx_payload_bytes", json_integer(ji(r->payload_bytes)));
	/* sent but not received: dropped on the way, or still queued or on a
	 * link when the results were taken */
	json_object_set_new(o, "not_received", json_integer(ji(tf->packets - r->packets)));
	json_object_set_new(o, "reordered", json_integer(ji(r->reordered)));
	json_object_set_new(o, "ce_marked", json_integer(ji(r->ce)));
	json_object_set_new(o, "first_rx_ns", json_integer(jt(r->packets ? r->first_rx : LOOM_TIME_NEVER)));
	json_object_set_new(o, "last_rx_ns", json_integer(jt(r->packets ? r->last_rx : LOOM_TIME_NEVER)));
	json_object_set_new(o, "rx_rate_bps", json_integer(ji(rx_rate_bps(r))));
	json_object_set_new(o, "latency_min_ns", json_integer(ji(r->packets ? r->lat_min : 0)));
	json_object_set_new(o, "latency_avg_ns", json_integer(ji(r->packets ? r->lat_sum / r->packets : 0)));
	json_object_set_new(o, "latency_max_ns", json_integer(ji(r->lat_max)));
	/* congestion control: feedback the sender received (CNPs or ACKs) and
	 * the receiver queued, rate cuts (DCQCN) or window cuts (DCTCP), the
	 * rate in force at the end, the DCTCP window */
	json_object_set_new(o, "cc", json_string(tf->spec.cc == LOOM_FLOW_CC_DCQCN   ? "dcqcn"
						 : tf->spec.cc == LOOM_FLOW_CC_DCTCP ? "dctcp"
						 : tf->spec.cc == LOOM_FLOW_CC_NSCC  ? "nscc"
										     : "none"));
	json_object_set_new(o, "cc_feedback_rx", json_integer(ji(tf->feedback)));
	json_object_set_new(o, "cc_feedback_tx", json_integer(ji(r->cnps + r->acks)));
	/* where the sender's time went (gen_acct.h): its NIC idle while the
	 * flow had data but its window was full (of which in waits that began
	 * before its first ACK), or it waited for its pacing gap; the first
	 * ACK or NACK after its first packet; the feedback frames (and bytes)
	 * its receiver sent for it */
	json_object_set_new(o, "window_blocked_ns", json_integer(ji(tf->acct.window_ns)));
	json_object_set_new(o, "window_blocked_first_ns", json_integer(ji(tf->acct.window_first_ns)));
	json_object_set_new(o, "pacing_blocked_ns", json_integer(ji(tf->acct.pacing_ns)));
	json_object_set_new(o, "first_ack_ns", json_integer(tf->acct.first_ack == LOOM_TIME_NEVER || tf->first_tx == LOOM_TIME_NEVER
								? -1
								: (json_int_t)(tf->acct.first_ack - tf->first_tx)));
	json_object_set_new(o, "feedback_tx_frames", json_integer(ji(r->fb_frames)));
	json_object_set_new(o, "feedback_tx_bytes", json_integer(ji(r->fb_bytes)));
	json_object_set_new(o, "cc_cuts", json_integer(ji(loom_gen_cc_cuts(tf))));
	json_object_set_new(o, "cc_rate_bps", json_integer(ji(tf->rate_bps)));
	if (tf->spec.cc == LOOM_FLOW_CC_DCTCP)
		json_object_set_new(o, "cwnd_bytes", json_integer(ji(tf->dctcp.cwnd)));
	if (tf->spec.cc == LOOM_FLOW_CC_NSCC) { /* the window, and the base RTT it measured or was given */
		json_object_set_new(o, "cwnd_bytes", json_integer(ji(tf->nscc.cwnd)));
		json_object_set_new(o, "base_rtt_ns", json_integer(ji(tf->nscc.base_rtt)));
	}
	/* loss recovery (transport go_back_n / selective_repeat): packets
	 * sent again, timer expiries, NAKs or NACKs the sender acted on,
	 * trimmed packets the receiver got, first transmissions lost by script */
	if (tf->spec.recovery) { /* (other flows' results stay as they were) */
		const struct loom_transport_tx_stats *ts = loom_gen_tp_stats(tf);

		json_object_set_new(o, "transport", json_string(loom_flow_transport_name(&tf->spec)));
		json_object_set_new(o, "retransmissions", json_integer(ji(ts->retransmits)));
		json_object_set_new(o, "timeouts", json_integer(ji(ts->timeouts)));
		json_object_set_new(o, "naks", json_integer(ji(ts->naks)));
		json_object_set_new(o, "naks_sent", json_integer(ji(r->tp.naks)));
		json_object_set_new(o, "trims", json_integer(ji(r->tp.trimmed)));
		json_object_set_new(o, "scripted_losses", json_integer(ji(tf->tp.scripted_lost)));
		if (tf->spec.ack_every > 1) { /* ACK coalescing: ACKs the receiver sent, the data packets they
					       * acknowledged, and the ACKs its delayed-ACK timer sent */
			json_object_set_new(o, "ack_every", json_integer(tf->spec.ack_every));
			json_object_set_new(o, "acks_sent", json_integer(ji(r->tp.ack.acks)));
			json_object_set_new(o, "acked_packets", json_integer(ji(r->tp.ack.acked_pkts)));
			json_object_set_new(o, "ack_timer_fired", json_integer(ji(r->tp.ack.timer_acks)));
		}
	}
	if (tf->spec.entropy == LOOM_FLOW_ENTROPY_REPS) /* how its packets' entropy was chosen (gen_reps.h) */
		json_object_set_new(o, "reps", loom_gen_reps_json(tf));
	if (tf->credit.on) /* receiver credits (gen_credit.h) */
		json_object_set_new(o, "credit", loom_gen_credit_json(tf, r));
	json_object_set_new(o, "completion_ns",
			    json_integer(r->completed == LOOM_TIME_NEVER ? -1 : (json_int_t)(r->completed - tf->spec.start)));
	if (h->nic) /* multi-plane: per plane */
		json_object_set_new(o, "planes", loom_gen_plane_flow_json(tf, r, h->nic->n_planes));
	return o;
}

json_t *loom_gen_flows_json(const struct loom_fabric *f)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < f->n_gen_hosts; i++)
		for (uint32_t k = 0; k < f->gen_hosts[i].n_tx; k++)
			json_array_append_new(arr, flow_json(f, &f->gen_hosts[i], &f->gen_hosts[i].tx[k]));
	return arr;
}

json_t *loom_gen_hosts_json(const struct loom_fabric *f)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; i < f->n_gen_hosts; i++) {
		const struct loom_gen_host *h = &f->gen_hosts[i];
		json_t *o;

		o = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name", h->name, "switch",
			      f->switches[h->sw].name, "port", h->port, "tx_packets", ji(h->c.tx_packets), "tx_bytes",
			      ji(h->c.tx_bytes), "rx_packets", ji(h->c.rx_packets), "rx_bytes", ji(h->c.rx_bytes),
			      "rx_unknown", ji(h->c.rx_unknown), "tx_feedback", ji(h->c.tx_feedback), "rx_feedback",
			      ji(h->c.rx_feedback), "feedback_overflow", ji(h->c.feedback_overflow));

		/* PFC PAUSE obeyed (gen_pause.h): only on a host that got some */
		if (o && h->pause.frames) {
			json_object_set_new(o, "pfc_frames_rx", json_integer(ji(h->pause.frames)));
			json_object_set_new(o, "paused_ns", json_integer(ji(h->pause.paused_ns)));
		}
		if (o && h->nic)
			json_object_set_new(o, "nic", loom_gen_plane_host_json(f, h));
		if (o && h->credit.on) /* its credit pacer (gen_credit.h) */
			json_object_set_new(o, "credit_pacer",
					    json_pack("{s:I, s:I, s:I, s:I}", "grants", ji(h->credit.pacer.grants),
						      "granted_bytes", ji(h->credit.pacer.granted_bytes),
						      "unsolicited_bytes", ji(h->credit.pacer.unsolicited_bytes),
						      "lead_ns", ji(h->credit.pacer.lead)));
		json_array_append_new(arr, o);
	}
	return arr;
}
