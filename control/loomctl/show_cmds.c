/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl status`, `stats`, `routes`: ask loomd, print tables (or the
 * JSON as loomd sent it, with --json).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_client.h"
#include "fabric_cmds.h"
#include "lb_cmds.h"
#include "endpoint_cmd.h"
#include "loom_live_routes.h"
#include "show_cmds.h"
#include "vm_hosts.h"

static json_int_t geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *gets(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* loomd's record of whether it kept its schedule (dataplane/runner/fidelity.h). */
static void print_fidelity(json_t *fd)
{
	if (!fd)
		return;
	if (geti(fd, "late_turns") == 0) {
		printf("fidelity: kept its schedule (%" JSON_INTEGER_FORMAT " loop turns, none later than %.1f ms)\n",
		       geti(fd, "turns"), (double)geti(fd, "slack_ns") / 1e6);
		return;
	}
	printf("fidelity: %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
	       " loop turns started late (%.1f ms behind schedule in all, the latest by %.1f ms): "
	       "timing measured over those moments describes this machine's load, not the fabric\n",
	       geti(fd, "late_turns"), geti(fd, "turns"), (double)geti(fd, "late_ns") / 1e6,
	       (double)geti(fd, "max_late_ns") / 1e6);
}

int cmd_status(bool as_json)
{
	json_t *r = ctl_call_or_report("status", NULL), *sw, *p;
	size_t i, j;
	json_t *state = fabric_state_load();

	if (!r) {
		/* a fabric whose loomd died: its hosts are still there */
		if (state)
			fprintf(stderr, "loomctl: fabric %s is up (%s) but its loomd (pid %" JSON_INTEGER_FORMAT
				") does not answer: 'loomctl restart' brings it back (docs/RESTART.md)\n",
				gets(state, "fabric"), LOOM_STATE_FILE, geti(state, "pid"));
		json_decref(state);
		return 1;
	}
	json_t *vms = vm_hosts_status(state);

	json_decref(state);
	if (as_json) {
		json_object_set_new(r, "vms", vms);
		ctl_print_json(r);
	} else {
		printf("fabric %s: loomd pid %" JSON_INTEGER_FORMAT ", up %.1f s, %" JSON_INTEGER_FORMAT
		       " loops (%" JSON_INTEGER_FORMAT " busy, %" JSON_INTEGER_FORMAT " idle sleeps)\n",
		       gets(r, "fabric"), geti(r, "pid"), (double)geti(r, "uptime_ns") / 1e9, geti(r, "loops"),
		       geti(r, "busy_loops"), geti(r, "idle_sleeps"));
		printf("worker: %s\n", gets(r, "worker_scheduling"));
		print_fidelity(json_object_get(r, "fidelity"));
		json_array_foreach(json_object_get(r, "switches"), i, sw) {
			printf("  %-10s %-10s plane %" JSON_INTEGER_FORMAT ":", gets(sw, "name"), gets(sw, "role"),
			       geti(sw, "plane"));
			json_array_foreach(json_object_get(sw, "ports"), j, p)
				printf(" %" JSON_INTEGER_FORMAT "->%s(%s)", geti(p, "index"), gets(p, "name"),
				       gets(p, "link"));
			putchar('\n');
		}
		json_t *v, *ch = json_object_get(r, "changes");
		if (ch)
			printf("  live changes: %" JSON_INTEGER_FORMAT " recorded in %s (re-applied at loomd's start: %"
			       JSON_INTEGER_FORMAT ", skipped: %zu)\n", geti(ch, "recorded"), gets(ch, "dir"),
			       geti(ch, "replayed"), json_array_size(json_object_get(ch, "skipped")));
		json_array_foreach(vms, i, v) {
			if (json_is_true(json_object_get(v, "alive")))
				printf("  VM host %-10s alive (QEMU pid %" JSON_INTEGER_FORMAT ", %s)\n", gets(v, "host"),
				       geti(v, "pid"), strcmp(gets(v, "accel"), "kvm") == 0 ? "KVM" : "TCG");
			else
				printf("  VM host %-10s DEAD: its QEMU is gone (loomctl down cleans up; console log "
				       "%s/console.log)\n", gets(v, "host"), gets(v, "run_dir"));
		}
		json_decref(vms);
	}
	json_decref(r);
	return 0;
}

static void format_drops(json_t *drops, char *buf, size_t len)
{
	const char *reason;
	json_t *v;
	size_t used = 0;

	buf[0] = '\0';
	json_object_foreach(drops, reason, v) {
		int n = snprintf(buf + used, len - used, "%s%s=%" JSON_INTEGER_FORMAT, used ? " " : "", reason,
				 json_integer_value(v));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, len, "-");
}

/* Traffic manager of a port: pause frames, and one row per class that
 * saw traffic (queue in/out, ECN marks, drops by cause, depth). */
static void print_tm_rows(json_t *tm)
{
	json_t *c, *d;
	size_t k;

	if (!tm)
		return;
	if (geti(tm, "pfc_frames_sent") || geti(tm, "pfc_frames_received") || geti(tm, "headroom_packets"))
		printf("    pfc: sent %" JSON_INTEGER_FORMAT " (xoff %" JSON_INTEGER_FORMAT ", xon %" JSON_INTEGER_FORMAT
		       ", refresh %" JSON_INTEGER_FORMAT "), received %" JSON_INTEGER_FORMAT ", paused %.3f ms,"
		       " headroom %" JSON_INTEGER_FORMAT " pkts (peak %" JSON_INTEGER_FORMAT " B)\n",
		       geti(tm, "pfc_frames_sent"), geti(tm, "pfc_xoff"), geti(tm, "pfc_xon"), geti(tm, "pfc_refresh"),
		       geti(tm, "pfc_frames_received"), (double)geti(tm, "paused_ns") / 1e6, geti(tm, "headroom_packets"),
		       geti(tm, "headroom_peak_bytes"));
	json_array_foreach(json_object_get(tm, "classes"), k, c) {
		if (!geti(c, "in_packets"))
			continue;
		d = json_object_get(c, "drops");
		printf("    class %" JSON_INTEGER_FORMAT ": in %" JSON_INTEGER_FORMAT " out %" JSON_INTEGER_FORMAT
		       " ecn %" JSON_INTEGER_FORMAT " drops tail %" JSON_INTEGER_FORMAT " wred %" JSON_INTEGER_FORMAT
		       " buffer %" JSON_INTEGER_FORMAT " headroom %" JSON_INTEGER_FORMAT " depth %" JSON_INTEGER_FORMAT
		       " B (max %" JSON_INTEGER_FORMAT " B)\n",
		       geti(c, "class"), geti(c, "in_packets"), geti(c, "out_packets"), geti(c, "ecn_marked"),
		       geti(d, "tail"), geti(d, "wred"), geti(d, "buffer"), geti(d, "pfc_headroom"),
		       geti(c, "depth_bytes"), geti(c, "max_depth_bytes"));
	}
}

/* One row per port, i.e. per link end: what went out of the switch on it
 * (tx) and what came in (rx), and why packets that came in were dropped. */
static void print_switch_table(json_t *sw)
{
	char drops[512];
	json_t *p;
	size_t j;

	/* A cell fabric's switch also makes, consumes and holds cells and
	 * packets (docs/CELLS.md): the equation shows those terms too. */
	json_t *cell = json_object_get(sw, "cell");
	char made[48] = "", held[96] = "";

	if (cell) {
		snprintf(made, sizeof(made), " + cell-made %" JSON_INTEGER_FORMAT, geti(cell, "made"));
		snprintf(held, sizeof(held), " + cell-consumed %" JSON_INTEGER_FORMAT " + cell-queued %" JSON_INTEGER_FORMAT,
			 geti(cell, "consumed"), geti(cell, "queued"));
	}
	printf("%s (%s, plane %" JSON_INTEGER_FORMAT "): rx %" JSON_INTEGER_FORMAT " + generated %" JSON_INTEGER_FORMAT
	       "%s = tx %" JSON_INTEGER_FORMAT " + answered %" JSON_INTEGER_FORMAT " + dropped %" JSON_INTEGER_FORMAT
	       " + queued %" JSON_INTEGER_FORMAT "%s %s\n",
	       gets(sw, "name"), gets(sw, "role"), geti(sw, "plane"), geti(sw, "rx_packets"), geti(sw, "generated"), made,
	       geti(sw, "tx_packets"), geti(sw, "answered"), geti(sw, "dropped"), geti(sw, "queued"), held,
	       json_is_true(json_object_get(sw, "conserved")) ? "(conserved)" : "(CONSERVATION VIOLATED)");
	printf("  %-22s %12s %14s %12s %14s  %s\n", "link", "rx pkts", "rx bytes", "tx pkts", "tx bytes",
	       "drops by reason");
	json_array_foreach(json_object_get(sw, "ports"), j, p) {
		char link[64];

		snprintf(link, sizeof(link), "%s:%" JSON_INTEGER_FORMAT " <-> %s", gets(sw, "name"), geti(p, "index"),
			 gets(p, "name"));
		format_drops(json_object_get(p, "drops"), drops, sizeof(drops));
		json_t *lf = json_object_get(p, "link_fault");
		/* a broken link, and whether its switch knows yet (docs/FAULTS.md) */
		const char *state = strcmp(gets(p, "link_state"), "down") != 0 ? ""
				    : json_is_true(json_object_get(lf, "detected_down")) ? "  LINK DOWN"
										   : "  LINK DOWN (not detected yet)";
		printf("  %-22s %12" JSON_INTEGER_FORMAT " %14" JSON_INTEGER_FORMAT " %12" JSON_INTEGER_FORMAT
		       " %14" JSON_INTEGER_FORMAT "  %s%s%s\n",
		       link, geti(p, "rx_packets"), geti(p, "rx_bytes"), geti(p, "tx_packets"), geti(p, "tx_bytes"),
		       drops, state, json_is_true(json_object_get(lf, "lossy")) ? "  LOSSY" : "");
		print_tm_rows(json_object_get(p, "tm"));
	}
}

/* The fabric's faults: settings, counters, links that are or were down. */
static void print_faults(json_t *fa)
{
	json_t *c = json_object_get(fa, "counters"), *l;
	size_t i;

	if (!json_integer_value(json_object_get(c, "link_downs")) && !json_array_size(json_object_get(fa, "links")))
		return;
	printf("faults: detection %.3f ms, repair delay %.3f ms; %" JSON_INTEGER_FORMAT " link ends down, %" JSON_INTEGER_FORMAT
	       " up, %" JSON_INTEGER_FORMAT " detections (%" JSON_INTEGER_FORMAT " undone before), %" JSON_INTEGER_FORMAT
	       " groups repaired, %" JSON_INTEGER_FORMAT " route recomputations (%" JSON_INTEGER_FORMAT " routes thinned, %"
	       JSON_INTEGER_FORMAT " withdrawn, %" JSON_INTEGER_FORMAT " restored)\n",
	       geti(fa, "detect_ns") / 1e6, geti(fa, "repair_delay_ns") / 1e6, geti(c, "link_downs"), geti(c, "link_ups"),
	       geti(c, "detections"), geti(c, "undetected"), geti(c, "local_repairs"), geti(c, "global_repairs"),
	       geti(c, "routes_to_spare"), geti(c, "routes_withdrawn"), geti(c, "routes_restored"));
	json_array_foreach(json_object_get(fa, "links"), i, l)
		printf("  %s:%" JSON_INTEGER_FORMAT " (%s) %s%s, down %" JSON_INTEGER_FORMAT " times, %" JSON_INTEGER_FORMAT
		       " lost before detection\n", gets(l, "switch"), geti(l, "port"), gets(l, "name"), gets(l, "state"),
		       json_is_true(json_object_get(l, "detected_down")) ? " (detected)" : "", geti(l, "downs"),
		       geti(l, "lost_before_detection"));
}

int cmd_stats(bool as_json)
{
	json_t *r = ctl_call_or_report("stats", NULL), *sw, *eps;
	const char *host;
	size_t i;

	if (!r)
		return 1;
	/* the hosts' endpoint programs (docs/ENDPOINTS.md) beside the switches' figures */
	eps = endpoint_stats_json();
	if (as_json) {
		json_t *state = fabric_state_load(), *vx = vxlan_links_counters(state);

		if (json_object_size(eps))
			json_object_set(r, "endpoints", eps);
		if (json_object_size(vx)) /* a machine's part: its links to others (docs/MULTI_MACHINE.md) */
			json_object_set(r, "vxlan_links", vx);
		json_decref(vx);
		json_decref(state);
		ctl_print_json(r);
	} else {
		json_array_foreach(json_object_get(r, "switches"), i, sw) {
			print_switch_table(sw);
			if (json_array_size(json_object_get(json_object_get(sw, "load_balancing"), "groups")) ||
			    json_array_size(json_object_get(json_object_get(sw, "load_balancing"), "reorder")))
				lb_print_switch(json_object_get(sw, "load_balancing"), "  ");
			putchar('\n');
		}
		json_object_foreach(eps, host, sw)
			endpoint_print(host, sw);
		print_fidelity(json_object_get(r, "fidelity"));
		print_faults(json_object_get(r, "faults"));
	}
	json_decref(eps);
	json_decref(r);
	return 0;
}

/* One member of a live route: its next hop, and why it is out of use
 * when it is (api/loom_live_routes.h names the states). */
static void print_member(json_t *m)
{
	const char *why = "";

	switch (loom_member_state_of(gets(m, "state"))) {
	case LOOM_MEMBER_IN_USE:
		why = strcmp(gets(m, "link"), "down") == 0 ? "  in use, link DOWN (not detected yet, or no member left)" : "";
		break;
	case LOOM_MEMBER_DOWN:
		why = "  OUT: link down (the switch detected it; local repair)";
		break;
	case LOOM_MEMBER_WITHDRAWN:
		why = "  OUT: withdrawn (link up, but the switch behind no longer reaches the prefix; global repair)";
		break;
	case LOOM_MEMBER_ADDED:
		why = "  added (not configured for this route)";
		break;
	default:
		why = "  ?";
	}
	printf("port %" JSON_INTEGER_FORMAT " -> %s%s\n", geti(m, "port"), gets(m, "peer"), why);
}

/* `loomctl routes SWITCH`: the routes loomd uses now, each beside its
 * configured group, so that what a fault's repair changed shows. */
int cmd_routes(const char *sw, bool as_json)
{
	json_t *r = ctl_call_or_report("routes", json_pack("{s:s}", "switch", sw)), *route, *m;
	int count[LOOM_ROUTE_STATE_MAX] = {0};
	size_t i, j;

	if (!r) {
		if (access(LOOM_SOCKET, F_OK) != 0) /* not loomd's error reply: no loomd at all */
			fprintf(stderr, "loomctl: no fabric is up to ask; 'loomctl routes %s --topo FILE' shows the "
					"configured routes of a topology file\n", sw);
		return 1;
	}
	if (as_json) {
		ctl_print_json(r);
		json_decref(r);
		return 0;
	}
	printf("routes of %s, live (as loomd forwards now, %.3f s into the run):\n  %-24s %-12s %s\n", sw,
	       (double)geti(r, "time_ns") / 1e9, "PREFIX", "GROUP", "NEXT HOPS (port -> peer)");
	json_array_foreach(json_object_get(r, "routes"), i, route) {
		int state = loom_route_state_of(gets(route, "state"));
		json_t *members = json_object_get(route, "members");
		char group[32];

		if (state >= 0)
			count[state]++;
		if (state == LOOM_ROUTE_WITHDRAWN)
			snprintf(group, sizeof(group), "WITHDRAWN");
		else if (state == LOOM_ROUTE_ADDED || geti(route, "group") == geti(route, "configured_group"))
			snprintf(group, sizeof(group), "%" JSON_INTEGER_FORMAT "%s", geti(route, "group"),
				 json_array_size(members) > 1 ? " ecmp" : "");
		else
			snprintf(group, sizeof(group), "%" JSON_INTEGER_FORMAT " (cfg %" JSON_INTEGER_FORMAT ")",
				 geti(route, "group"), geti(route, "configured_group"));
		if (json_array_size(members) == 0)
			printf("  %-24s %-12s\n", gets(route, "prefix"), group);
		json_array_foreach(members, j, m) {
			printf("  %-24s %-12s ", j == 0 ? gets(route, "prefix") : "", j == 0 ? group : "");
			print_member(m);
		}
	}
	printf("%d routes: %d as configured, %d repaired, %d withdrawn (dropped as no_route), %d added "
	       "(docs/FAULTS.md)\n",
	       (int)json_array_size(json_object_get(r, "routes")), count[LOOM_ROUTE_AS_CONFIGURED],
	       count[LOOM_ROUTE_REPAIRED], count[LOOM_ROUTE_WITHDRAWN], count[LOOM_ROUTE_ADDED]);
	json_decref(r);
	return 0;
}

int cmd_raw(const char *request)
{
	char err[512];
	json_t *r = ctl_request_raw(LOOM_SOCKET, request, err, sizeof(err));

	if (!r) {
		fprintf(stderr, "loomctl: %s\n", err);
		return 1;
	}
	int ok = json_is_true(json_object_get(r, "ok"));

	ctl_print_json(r);
	json_decref(r);
	return ok ? 0 : 1;
}
