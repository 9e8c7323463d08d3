/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fabric over several machines, seen whole (docs/MULTI_MACHINE.md).
 *
 * Each machine's part answers `loomctl stats --json --machine M` on that
 * machine, with its VXLAN links' kernel counters added ("vxlan_links", read
 * here from /proc/net/dev, which shows the caller's network namespace).
 * `loomctl gather FILE M0.json M1.json ...` reads those files (copied by
 * whatever the site uses: scp, a shared directory; no control port is
 * opened to the network) and checks, for the whole fabric:
 *   - conservation on every switch: rx + generated = tx + answered +
 *     dropped + queued;
 *   - every cross-machine link, each way: sent = received + what the
 *     receiving port's driver missed + what the kernel dropped on the two
 *     VXLAN interfaces; any rest is "unaccounted" (in flight when the
 *     files were taken, or lost where nothing counts it).
 * Exit status 0 when both hold everywhere, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/vxlan_link.h"
#include "ctl_client.h"
#include "fabric_cmds.h"
#include "workload/workload.h"

/* /proc/net/dev's counters of this namespace's VXLAN links (names lmxN). */
json_t *vxlan_links_counters(json_t *state)
{
	json_t *out = json_object(), *v;
	char line[512];
	size_t i;
	FILE *f;

	if (!json_array_size(json_object_get(state, "vxlan_links")))
		return out;
	f = fopen("/proc/net/dev", "r");
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		char name[32];
		unsigned long long c[16];

		/* "  lmx8: rxbytes rxpkts rxerrs rxdrop fifo frame compressed multicast txbytes txpkts txerrs txdrop ..." */
		if (sscanf(line, " %31[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", name, &c[0],
			   &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &c[10], &c[11]) != 13)
			continue;
		json_array_foreach(json_object_get(state, "vxlan_links"), i, v)
			if (strcmp(json_string_value(v) ?: "", name) == 0)
				json_object_set_new(out, name,
						    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "rx_packets",
							      (json_int_t)c[1], "rx_errors", (json_int_t)c[2],
							      "rx_dropped", (json_int_t)c[3], "tx_packets",
							      (json_int_t)c[9], "tx_errors", (json_int_t)c[10],
							      "tx_dropped", (json_int_t)c[11]));
	}
	fclose(f);
	return out;
}

static json_int_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static json_t *port_of(json_t *sw, int index)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(sw, "ports"), i, p)
		if (num(p, "index") == index)
			return p;
	return NULL;
}

/* The same sum conservation_errors() in the fabric tests makes (cells
 * included: a cell fabric's switches make and consume cells). */
static bool conserved(json_t *sw, char *why, size_t len)
{
	json_int_t rx = 0, tx = 0, dropped = 0, queued = 0, left, right;
	json_t *p, *cell = json_object_get(sw, "cell"), *d;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(sw, "ports"), i, p) {
		rx += num(p, "rx_packets");
		tx += num(p, "tx_packets");
		queued += num(p, "queued");
		json_object_foreach(json_object_get(p, "drops"), k, d)
			dropped += json_integer_value(d);
	}
	left = rx + num(sw, "generated") + num(cell, "made");
	right = tx + num(sw, "answered") + dropped + queued + num(cell, "consumed") + num(cell, "queued");
	snprintf(why, len, "rx %lld + generated %lld = %lld, tx %lld + answered %lld + dropped %lld + queued %lld = %lld",
		 (long long)rx, (long long)num(sw, "generated"), (long long)left, (long long)tx,
		 (long long)num(sw, "answered"), (long long)dropped, (long long)queued, (long long)right);
	return left == right && json_is_true(json_object_get(sw, "conserved"));
}

/* One direction of a cross-machine link. */
static json_t *link_way(json_t *from_sw, int from_port, json_t *from_vx, json_t *to_sw, int to_port, json_t *to_vx,
			const char *from_name, const char *to_name)
{
	json_t *fp = port_of(from_sw, from_port), *tp = port_of(to_sw, to_port);
	json_int_t sent = num(fp, "tx_packets"), received = num(tp, "rx_packets");
	json_int_t missed = num(json_object_get(tp, "wire"), "rx_missed") + num(json_object_get(fp, "wire"), "tx_errors");
	json_int_t kernel = num(from_vx, "tx_dropped") + num(from_vx, "tx_errors") + num(to_vx, "rx_dropped") +
			    num(to_vx, "rx_errors");

	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "from", from_name, "to", to_name, "sent", sent,
			 "received", received, "port_missed", missed, "underlay_dropped", kernel, "unaccounted",
			 sent - received - missed - kernel);
}

int cmd_gather(int argc, char **argv)
{
	struct topology t;
	char err[1024], why[256], a_name[TOPO_NAME_MAX + 8], b_name[TOPO_NAME_MAX + 8], ifname[TOPO_IFNAME_MAX];
	const char **names = calloc((size_t)argc + 1, sizeof(*names));
	json_t **parts = NULL, **sw_of = NULL, **part_of = NULL, *links = json_array(), *errors = json_array();
	json_t *switches = json_array();
	bool as_json = false;
	const char *file = NULL;
	int n_parts = 0, rc = 0;

	parts = calloc((size_t)argc + 1, sizeof(*parts));
	for (int i = 0; parts && i < argc; i++) {
		json_error_t jerr;

		if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (!file) {
			file = argv[i];
		} else if (names && (names[n_parts] = argv[i]) && !(parts[n_parts++] = json_load_file(argv[i], 0, &jerr))) {
			fprintf(stderr, "%s:%d: %s\n", argv[i], jerr.line, jerr.text);
			rc = 2;
		}
	}
	if (!file || n_parts == 0) {
		fprintf(stderr, "usage: loomctl gather FILE STATS.json... [--json]  (each machine's 'loomctl stats "
				"--json --machine M')\n");
		rc = 2;
	}
	if (rc || topo_load(file, &workload_traffic, &t, err, sizeof(err)) < 0) {
		if (!rc)
			fprintf(stderr, "%s\n", err);
		rc = rc ? rc : 1;
		goto out_parts;
	}
	/* each switch's figures, from the one part that runs it */
	sw_of = calloc((size_t)t.n_switches, sizeof(*sw_of));
	part_of = calloc((size_t)t.n_switches, sizeof(*part_of));
	for (int p = 0; p < n_parts && sw_of; p++) {
		json_t *sw;
		size_t i;

		json_array_foreach(json_object_get(parts[p], "switches"), i, sw) {
			int s = topo_switch_index(&t, json_string_value(json_object_get(sw, "name")) ?: "");

			if (s < 0) {
				fprintf(stderr, "loomctl gather: switch '%s' of %s is not in %s\n",
					json_string_value(json_object_get(sw, "name")) ?: "?", names[p], file);
				rc = 1;
			} else if (sw_of[s]) {
				fprintf(stderr, "loomctl gather: switch %s is in two of the files\n", t.switches[s].name);
				rc = 1;
			}
			if (s >= 0) {
				sw_of[s] = sw;
				part_of[s] = parts[p];
			}
		}
	}
	for (int s = 0; sw_of && s < t.n_switches; s++) {
		if (!sw_of[s]) {
			json_array_append_new(errors, json_sprintf("switch %s (machine %s): no file has its figures",
								   t.switches[s].name,
								   t.switches[s].machine >= 0 ?
								   t.machines[t.switches[s].machine].name : "-"));
			continue;
		}
		json_t *copy = json_deep_copy(sw_of[s]);

		if (t.switches[s].machine >= 0)
			json_object_set_new(copy, "machine", json_string(t.machines[t.switches[s].machine].name));
		json_array_append_new(switches, copy);
		if (!conserved(sw_of[s], why, sizeof(why)))
			json_array_append_new(errors, json_sprintf("switch %s: not conserved: %s", t.switches[s].name, why));
	}
	for (int i = 0; sw_of && i < t.n_links; i++) {
		const struct topo_link *l = &t.links[i];
		int a = l->a.node, b = l->b.node;

		if (!topo_link_crosses_machines(&t, l) || !sw_of[a] || !sw_of[b])
			continue;
		vxlan_link_ifname(i, ifname, sizeof(ifname));
		json_t *vxa = json_object_get(json_object_get(part_of[a], "vxlan_links"), ifname);
		json_t *vxb = json_object_get(json_object_get(part_of[b], "vxlan_links"), ifname);

		snprintf(a_name, sizeof(a_name), "%s:%d", t.switches[a].name, l->a.port);
		snprintf(b_name, sizeof(b_name), "%s:%d", t.switches[b].name, l->b.port);
		for (int way = 0; way < 2; way++) {
			json_t *w = way == 0 ? link_way(sw_of[a], l->a.port, vxa, sw_of[b], l->b.port, vxb, a_name, b_name)
					     : link_way(sw_of[b], l->b.port, vxb, sw_of[a], l->a.port, vxa, b_name, a_name);

			json_object_set_new(w, "vxlan", json_string(ifname));
			if (num(w, "unaccounted") != 0)
				json_array_append_new(errors, json_sprintf(
					"link %s -> %s: sent %lld, received %lld, port missed %lld, underlay dropped "
					"%lld: %lld unaccounted", json_string_value(json_object_get(w, "from")),
					json_string_value(json_object_get(w, "to")), (long long)num(w, "sent"),
					(long long)num(w, "received"), (long long)num(w, "port_missed"),
					(long long)num(w, "underlay_dropped"), (long long)num(w, "unaccounted")));
			json_array_append_new(links, w);
		}
	}
	if (json_array_size(errors))
		rc = 1;
	if (as_json) {
		json_t *o = json_pack("{s:s, s:O, s:O, s:O}", "fabric", t.name, "switches", switches, "cross_links",
				      links, "errors", errors);

		ctl_print_json(o);
		json_decref(o);
	} else {
		json_t *w, *e;
		size_t i;

		printf("fabric %s: %zu of %d switches from %d file(s)\n", t.name, json_array_size(switches),
		       t.n_switches, n_parts);
		printf("%-14s %-14s %-7s %12s %12s %8s %8s %11s\n", "from", "to", "vxlan", "sent", "received", "missed",
		       "dropped", "unaccounted");
		json_array_foreach(links, i, w)
			printf("%-14s %-14s %-7s %12lld %12lld %8lld %8lld %11lld\n",
			       json_string_value(json_object_get(w, "from")), json_string_value(json_object_get(w, "to")),
			       json_string_value(json_object_get(w, "vxlan")), (long long)num(w, "sent"),
			       (long long)num(w, "received"), (long long)num(w, "port_missed"),
			       (long long)num(w, "underlay_dropped"), (long long)num(w, "unaccounted"));
		json_array_foreach(errors, i, e)
			printf("error: %s\n", json_string_value(e));
		if (!json_array_size(errors))
			printf("conserved: every switch, every cross-machine link\n");
	}
	free(sw_of);
	free(part_of);
	topo_free(&t);
out_parts:
	for (int p = 0; p < n_parts; p++)
		json_decref(parts[p]);
	free(parts);
	free(names);
	json_decref(links);
	json_decref(errors);
	json_decref(switches);
	return rc;
}
