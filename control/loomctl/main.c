/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomctl: the control plane's command line.
 *
 *   loomctl up FILE [--only SW,SW] [--no-hosts] [--dry-run] [--machine NAME]
 *   loomctl down
 *   (any command: --run-dir DIR, or --machine NAME: the fabric part up there)
 *   loomctl restart                       (loomd again, hosts and live changes kept)
 *   loomctl status [--json]
 *   loomctl exec HOST [--timeout S] [--stdin] -- CMD [ARG...]  (on a namespace or VM host)
 *   loomctl console HOST                  (a VM host's serial console)
 *   loomctl stats [--json]
 *   loomctl gather FILE STATS.json... [--json]  (machines' stats, whole)
 *   loomctl routes SWITCH [--json]        (live: the running loomd's tables, repairs included)
 *   loomctl routes SWITCH --topo FILE     (configured: computed from a topology file)
 *   loomctl topo check FILE
 *   loomctl topo expand FILE
 *   loomctl compile FILE [--only SW,SW | --machine M] (loomd's configuration, JSON)
 *   loomctl lb show [SWITCH] [--json]     (load-balancing modes, imbalance, reordering)
 *   loomctl lb set MODE [--switch SW] [--group G]
 *   loomctl pipeline SWITCH native|p4 [--spec FILE]  (switch a running switch's forwarding)
 *   loomctl raw 'JSON'                    (one request to loomd, as given)
 *   loomctl workload expand FILE --topo TOPO (the flow list, CSV)
 *   loomctl experiment run FILE [--out DIR] (docs/EXPERIMENTS.md)
 *   loomctl top [--once] [--interval S] [--socket PATH]  (live view)
 *   loomctl run FILE [--out RESULTS]      (a virtual-clock fabric, to completion)
 *   loomctl web [--port N] [--bind ADDR] [--replay DIR]  (the fabric as a web page)
 *   loomctl trace start SWITCH[:PORT] [--count N] [--match EXPR] | show [--json] | stop
 *   loomctl capture SWITCH:PORT [--dir rx|tx|both] [--count N] [--filter EXPR] -w FILE|-
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/loomd_config.h"
#include "fabric_cmds.h"
#include "run_dir.h"
#include "lb_cmds.h"
#include "pipeline_cmd.h"
#include "routes/routes.h"
#include "show_cmds.h"
#include "top_cmd.h"
#include "workload_cmd.h"
#include "experiment_cmd.h"
#include "tm_cmds.h"
#include "cell_cmds.h"
#include "fault_cmds.h"
#include "web_cmd.h"
#include "trace_cmds.h"
#include "endpoint_cmd.h"
#include "workload/workload.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: loomctl COMMAND ...\n"
		"  up FILE [--only SW,SW] [--no-hosts] [--dry-run]  validate, compute routes, create hosts, start loomd\n"
		"       --only: host only these switches here; --no-hosts: no namespaces, host ports attach to\n"
		"       interfaces lmhNpM you create (named by --dry-run without it; checked before starting);\n"
		"       --worker-priority N: loomd's worker at SCHED_RR N, 0: fair scheduler (default 10 where safe);\n"
		"       --dry-run: print the commands that create the hosts, change nothing\n"
		"       --machine NAME: this machine's part of a fabric with 'machines:' (its switches and hosts,\n"
		"       a VXLAN interface per link to another machine; run directory /run/loom-FABRIC-NAME)\n"
		"  down                                              stop loomd, remove hosts and everything up made\n"
		"  any command: --run-dir DIR                        the fabric whose run directory is DIR (default\n"
		"                                                    /run/loom); --machine NAME: the fabric part up on\n"
		"                                                    machine NAME (docs/MULTI_MACHINE.md)\n"
		"  restart                                           stop loomd (if it runs) and start it again on the\n"
		"                                                    same fabric: hosts kept, live changes (tm set,\n"
		"                                                    lb set, pipeline, cell link) re-applied, the\n"
		"                                                    outage printed (docs/RESTART.md)\n"
		"  status [--json]                                   switches and ports of the running fabric,\n"
		"                                                    VM hosts: alive or not, KVM or TCG\n"
		"  exec HOST [--timeout S] [--stdin] -- CMD [ARG...] run a command on a host (namespace or VM):\n"
		"                                                    its output and exit status; --stdin: it reads\n"
		"                                                    this stdin (else none)\n"
		"  console HOST                                      a VM host's serial console (Ctrl-] leaves)\n"
		"  stats [--json]                                    per switch and port: packets, bytes, drops by reason\n"
		"  gather FILE STATS.json... [--json]                a fabric over several machines, whole: each machine's\n"
		"                                                    'stats --json --machine M'; conservation per switch\n"
		"                                                    and per cross-machine link (docs/MULTI_MACHINE.md)\n"
		"  routes SWITCH [--json] [--topo FILE]              a switch's routes as loomd uses them now (--topo: as configured)\n"
		"  tm show SWITCH[:PORT] [--json]                    traffic manager settings (rates, classes, ECN, PFC)\n"
		"  tm set SWITCH[:PORT] KEY VALUE                    change one while traffic flows (docs/TRAFFIC_MANAGER.md)\n"
		"  cell [--json] [--results FILE]                    cell fabric: VOQs, credits, cells per uplink, reassembly\n"
		"  cell link SWITCH:PORT down|up                     take a leaf-spine link down or up (docs/CELLS.md)\n"
		"  link SWITCH:PORT down|up                          break a link (both ends) or repair it; detection and\n"
		"                                                    repair as the topology's fault_handling (docs/FAULTS.md)\n"
		"  link SWITCH:PORT loss X | ber X                   random loss per frame, or bit errors, on a link (0: off)\n"
		"  switch SWITCH down|up                             take a whole switch down or bring it back\n"
		"  topo check FILE                                   validate a topology file\n"
		"  topo expand FILE                                  print the explicit form of a topology\n"
		"  compile FILE [--only SW,SW|--machine M]           print loomd's configuration (JSON)\n"
		"  lb show [SWITCH] [--json]                         load-balancing modes, per-member counters,\n"
		"                                                    imbalance, reordering at hosts\n"
		"  lb set MODE [--switch SW] [--group G]             change the mode while traffic flows\n"
		"                                                    (ecmp, spray, flowlet, adaptive, drill, ...)\n"
		"  endpoint set HOST [--lb off|packet|flowlet|repath] [--measure on|off] [--flowlet-gap-us N]\n"
		"           [--round-us N] [--rounds N] [--udp-ports P,P..|none]\n"
		"                                                    a namespace or VM host's eBPF load balancing\n"
		"                                                    and measurement (docs/ENDPOINTS.md)\n"
		"  endpoint show HOST [--json]                       its settings, counters (and flows with --json)\n"
		"  pipeline SWITCH native|p4 [--spec FILE]           switch what forwards a running switch's packets\n"
		"                                                    (native stages or a P4 program, docs/P4.md)\n"
		"  raw JSON                                          send one request line to loomd,\n"
		"                                                    e.g. '{\"cmd\": \"help\"}'\n"
		"  workload iperf3 FILE --topo TOPO [--out DIR] [--udp] [--duration S] [--dry-run]\n"
		"                                                    the workload as iperf3 pairs between namespace hosts\n"
		"  experiment run FILE [--out DIR]                   a matrix of virtual-time runs and its report\n"
		"                                                    (docs/EXPERIMENTS.md)\n"
		"  workload expand FILE --topo TOPO                  the flows of a workload file (CSV),\n"
		"                                                    see docs/WORKLOADS.md\n"
		"  top [--once] [--interval S] [--socket PATH]       live view: link utilization, queues,\n"
		"                                                    drops, marks/pauses per switch and plane\n"
		"  run FILE [--out RESULTS] [--ranks N [--hostfile F]]\n"
		"                                                    run a 'clock: virtual' fabric to the end of its\n"
		"                                                    duration; results (stats, flows) as JSON; over\n"
		"                                                    N MPI ranks: the same results (VIRTUAL_TIME.md)\n"
		"  web [--port N] [--bind ADDR] [--replay DIR]       the running fabric as a live web page on\n"
		"                                                    127.0.0.1:8089 (read-only), or an experiment's\n"
		"                                                    runs replayed with a time slider (docs/WEB.md)\n"
		"  trace start SWITCH[:PORT] [--count N] [--match EXPR]\n"
		"                                                    trace the next N matching packets through every\n"
		"                                                    stage, hop by hop across the fabric (docs/TRACE.md)\n"
		"  trace show [--json]                               the packets traced, stage by stage\n"
		"  trace stop                                        stop tracing\n"
		"  capture SWITCH:PORT [--dir rx|tx|both] [--count N] [--filter EXPR] -w FILE|-\n"
		"                                                    a port's frames as pcapng, any port, links between\n"
		"                                                    switches too; -w - streams to standard output\n");
}

static bool has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return true;
	return false;
}

static const char *flag_value(int argc, char **argv, const char *flag)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return argv[i + 1];
	return NULL;
}

/* Every argument must be known: a typo is an error, not silently ignored. */
static int check_args(int argc, char **argv, int positional, const char *const *flags, const char *const *valued)
{
	int seen = 0;

	for (int i = 0; i < argc; i++) {
		bool known = false;

		for (const char *const *f = valued; f && *f; f++)
			if (strcmp(argv[i], *f) == 0 && i + 1 < argc) {
				known = true;
				i++;
			}
		for (const char *const *f = flags; f && *f && !known; f++)
			known = strcmp(argv[i], *f) == 0;
		if (!known && argv[i][0] != '-' && seen < positional) {
			seen++;
			known = true;
		}
		if (!known) {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (seen < positional) {
		fprintf(stderr, "loomctl: missing argument%s\n\n", positional > 1 ? "s" : "");
		usage(stderr);
		return -1;
	}
	return 0;
}

static int topo_cmd(int argc, char **argv)
{
	struct topology t;
	char err[1024];

	if (argc != 2 || (strcmp(argv[0], "check") != 0 && strcmp(argv[0], "expand") != 0)) {
		usage(stderr);
		return 2;
	}
	if (topo_load(argv[1], &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "check") == 0)
		printf("%s: ok: fabric %s, %d switches, %d hosts, %d links, %d plane(s)\n", argv[1], t.name,
		       t.n_switches, t.n_hosts, t.n_links, t.n_planes);
	else
		topo_write_explicit(&t, &workload_traffic, stdout);
	topo_free(&t);
	return 0;
}

static int compile_cmd(int argc, char **argv)
{
	static const char *const valued[] = {"--only", "--machine", NULL};
	const char *only = flag_value(argc, argv, "--only");
	const char *machine = flag_value(argc, argv, "--machine");
	struct topology t;
	char err[1024];
	bool *local = NULL;
	int rc = 0;

	if (check_args(argc, argv, 1, NULL, valued) < 0)
		return 2;
	if (topo_load(argv[0], &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (only) {
		char *list = strdup(only), *save = NULL;
		local = calloc((size_t)t.n_switches, sizeof(bool));
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int s = topo_switch_index(&t, tok);
			if (s < 0) {
				fprintf(stderr, "loomctl: --only: no switch '%s' in %s\n", tok, t.file);
				rc = 1;
			} else {
				local[s] = true;
			}
		}
		free(list);
	}
	if (machine && !only) {
		int m = topo_machine_index(&t, machine);

		if (m < 0) {
			fprintf(stderr, "%s: no machine '%s' in the file\n", t.file, machine);
			rc = 1;
		} else {
			local = calloc((size_t)t.n_switches, sizeof(bool));
			for (int s = 0; local && s < t.n_switches; s++)
				local[s] = t.switches[s].machine == m;
		}
	} else if (machine) {
		fprintf(stderr, "loomctl compile: --only or --machine, not both\n");
		rc = 1;
	}
	if (rc == 0 && loomd_config_write(&t, local, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		rc = 1;
	}
	free(local);
	topo_free(&t);
	return rc;
}

static int routes_offline(const char *sw_name, const char *file)
{
	struct topology t;
	struct switch_routes r;
	char err[1024];
	int sw;

	if (topo_load(file, &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sw = topo_switch_index(&t, sw_name);
	if (sw < 0) {
		fprintf(stderr, "loomctl: no switch '%s' in %s\n", sw_name, file);
		topo_free(&t);
		return 1;
	}
	if (routes_compute(&t, sw, &r) < 0) {
		fprintf(stderr, "loomctl: route computation failed for %s\n", sw_name);
		topo_free(&t);
		return 1;
	}
	/* said, because a student comparing this with a broken fabric must not
	 * take it for what loomd forwards with */
	printf("configured routes, computed from %s (not a running loomd's: 'loomctl routes %s' without --topo "
	       "shows what loomd uses now, after any fault's repair)\n",
	       file, sw_name);
	routes_print(&t, sw, &r, stdout);
	routes_free(&r);
	topo_free(&t);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const json_flag[] = {"--json", NULL};
	const char *cmd;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	/* --run-dir DIR (any command), --machine NAME (a command on a running
	 * fabric: its part on that machine): taken out before the command's
	 * own arguments are read. up and compile read --machine themselves. */
	bool run_dir_given = false, reads_machine = !strcmp(cmd, "up") || !strcmp(cmd, "compile");
	const char *machine = NULL;

	for (int i = 0; i < argc; i++) {
		bool rd = strcmp(argv[i], "--run-dir") == 0, mc = !reads_machine && strcmp(argv[i], "--machine") == 0;

		if (strcmp(argv[i], "--") == 0)
			break; /* exec's command */
		if (!rd && !mc)
			continue;
		if (i + 1 >= argc) {
			fprintf(stderr, "loomctl: %s takes a value\n", argv[i]);
			return 2;
		}
		if (rd) {
			if (loom_run_dir_set(argv[i + 1]) < 0)
				return 2;
			run_dir_given = true;
		} else {
			machine = argv[i + 1];
		}
		memmove(argv + i, argv + i + 2, (size_t)(argc - i - 2) * sizeof(char *));
		argc -= 2;
		i--;
	}
	if (machine && !run_dir_given && loom_run_dir_find_machine(machine) < 0)
		return strcmp(cmd, "down") == 0 ? 0 : 1; /* down: nothing of it is up */

	if (strcmp(cmd, "up") == 0) {
		static const char *const flags[] = {"--no-hosts", "--dry-run", NULL};
		static const char *const valued[] = {"--only", "--worker-priority", "--machine", NULL};
		struct up_opts o = {0};

		if (check_args(argc, argv, 1, flags, valued) < 0)
			return 2;
		for (int i = 0; i < argc; i++)
			if (argv[i][0] != '-' &&
			    (i == 0 || (strcmp(argv[i - 1], "--only") != 0 && strcmp(argv[i - 1], "--worker-priority") != 0 &&
					strcmp(argv[i - 1], "--machine") != 0)))
				o.topology = argv[i];
		o.only = flag_value(argc, argv, "--only");
		o.machine = flag_value(argc, argv, "--machine");
		o.run_dir_given = run_dir_given;
		o.worker_priority = flag_value(argc, argv, "--worker-priority");
		if (o.worker_priority) {
			char *end;
			long v = strtol(o.worker_priority, &end, 10);

			if (*end || end == o.worker_priority || o.worker_priority[0] == '-' || v > 99) {
				fprintf(stderr, "loomctl up: --worker-priority: 0 (fair scheduler) or a SCHED_RR "
						"priority 1..99, not '%s'\n", o.worker_priority);
				return 2;
			}
		}
		o.dry_run = has_flag(argc, argv, "--dry-run");
		o.no_hosts = has_flag(argc, argv, "--no-hosts");
		return cmd_up(&o);
	}
	if (strcmp(cmd, "down") == 0)
		return check_args(argc, argv, 0, NULL, NULL) < 0 ? 2 : cmd_down();
	if (strcmp(cmd, "restart") == 0)
		return check_args(argc, argv, 0, NULL, NULL) < 0 ? 2 : cmd_restart();
	if (strcmp(cmd, "status") == 0)
		return check_args(argc, argv, 0, json_flag, NULL) < 0 ? 2 : cmd_status(has_flag(argc, argv, "--json"));
	if (strcmp(cmd, "exec") == 0) {
		/* exec HOST [--timeout S] [--stdin] -- CMD...: everything after -- is the command's */
		int dash = -1, timeout_s = 0;
		bool use_stdin = false;
		const char *host = NULL;

		for (int i = 0; i < argc && dash < 0; i++) {
			if (strcmp(argv[i], "--") == 0)
				dash = i;
			else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
				char *end;
				long v = strtol(argv[++i], &end, 10);
				if (*end || v <= 0 || v > 86400) {
					fprintf(stderr, "loomctl exec: --timeout takes seconds (1-86400)\n");
					return 2;
				}
				timeout_s = (int)v;
			} else if (strcmp(argv[i], "--stdin") == 0)
				use_stdin = true;
			else if (argv[i][0] != '-' && !host)
				host = argv[i];
			else {
				fprintf(stderr, "loomctl exec: unexpected '%s'\n", argv[i]);
				return 2;
			}
		}
		if (!host || dash < 0 || dash + 1 >= argc) {
			fprintf(stderr, "usage: loomctl exec HOST [--timeout S] [--stdin] -- CMD [ARG...]\n");
			return 2;
		}
		return cmd_exec(host, argc - dash - 1, argv + dash + 1, timeout_s * 1000, use_stdin);
	}
	if (strcmp(cmd, "console") == 0) {
		if (argc != 1 || argv[0][0] == '-') {
			fprintf(stderr, "usage: loomctl console HOST\n");
			return 2;
		}
		return cmd_console(argv[0]);
	}
	if (strcmp(cmd, "gather") == 0)
		return cmd_gather(argc, argv);
	if (strcmp(cmd, "stats") == 0)
		return check_args(argc, argv, 0, json_flag, NULL) < 0 ? 2 : cmd_stats(has_flag(argc, argv, "--json"));
	if (strcmp(cmd, "routes") == 0) {
		static const char *const valued[] = {"--topo", NULL};
		const char *topo = flag_value(argc, argv, "--topo");
		const char *sw = NULL;

		if (check_args(argc, argv, 1, json_flag, valued) < 0)
			return 2;
		for (int i = 0; i < argc; i++)
			if (argv[i][0] != '-' && (i == 0 || strcmp(argv[i - 1], "--topo") != 0))
				sw = argv[i];
		return topo ? routes_offline(sw, topo) : cmd_routes(sw, has_flag(argc, argv, "--json"));
	}
	if (strcmp(cmd, "topo") == 0)
		return topo_cmd(argc, argv);
	if (strcmp(cmd, "compile") == 0)
		return compile_cmd(argc, argv);
	if (strcmp(cmd, "top") == 0)
		return cmd_top(argc, argv);
	if (strcmp(cmd, "workload") == 0)
		return cmd_workload(argc, argv);
	if (strcmp(cmd, "experiment") == 0)
		return cmd_experiment(argc, argv);
	if (strcmp(cmd, "tm") == 0)
		return cmd_tm(argc, argv);
	if (strcmp(cmd, "pipeline") == 0)
		return cmd_pipeline(argc, argv);
	if (strcmp(cmd, "run") == 0) {
		static const char *const valued[] = {"--out", "--ranks", "--hostfile", "--series", "--series-interval", NULL};
		const char *file = NULL, *ranks_s = flag_value(argc, argv, "--ranks"), *hostfile;
		const char *interval_s = flag_value(argc, argv, "--series-interval"), *series = flag_value(argc, argv, "--series");
		unsigned long ranks = 0;
		uint64_t interval = 0;
		char *end;

		if (check_args(argc, argv, 1, NULL, valued) < 0)
			return 2;
		for (int i = 0; i < argc; i++) {
			bool value = false;

			for (int k = 0; i > 0 && valued[k]; k++)
				value |= strcmp(argv[i - 1], valued[k]) == 0;
			if (argv[i][0] != '-' && !value)
				file = argv[i];
		}
		if (ranks_s) {
			ranks = strtoul(ranks_s, &end, 10);
			if (*end || end == ranks_s || ranks_s[0] == '-' || ranks < 1 || ranks > 4096) {
				fprintf(stderr, "loomctl: --ranks: a number of MPI ranks 1..4096, not '%s'\n", ranks_s);
				return 2;
			}
		}
		if (interval_s && (topo_parse_delay(interval_s, &interval) < 0 || interval == 0)) {
			fprintf(stderr, "loomctl: --series-interval: a duration > 0 (e.g. 10us), not '%s'\n", interval_s);
			return 2;
		}
		if (interval_s && !series) {
			fprintf(stderr, "loomctl: --series-interval goes with --series FILE\n");
			return 2;
		}
		hostfile = flag_value(argc, argv, "--hostfile");
		if (hostfile && !ranks) {
			fprintf(stderr, "loomctl: --hostfile goes with --ranks N\n");
			return 2;
		}
		return cmd_run(file, flag_value(argc, argv, "--out"), (unsigned int)ranks, hostfile, series, interval);
	}
	if (strcmp(cmd, "lb") == 0)
		return cmd_lb(argc, argv);
	if (strcmp(cmd, "endpoint") == 0)
		return cmd_endpoint(argc, argv);
	if (strcmp(cmd, "web") == 0)
		return cmd_web(argc, argv);
	if (strcmp(cmd, "trace") == 0)
		return cmd_trace(argc, argv);
	if (strcmp(cmd, "capture") == 0)
		return cmd_capture(argc, argv);
	if (strcmp(cmd, "cell") == 0)
		return cmd_cell(argc, argv);
	if (strcmp(cmd, "link") == 0)
		return cmd_link(argc, argv);
	if (strcmp(cmd, "switch") == 0)
		return cmd_switch(argc, argv);
	if (strcmp(cmd, "raw") == 0)
		return argc == 1 ? cmd_raw(argv[0]) : (usage(stderr), 2);
	fprintf(stderr, "loomctl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
