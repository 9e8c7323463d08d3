/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomd: hosts the switches of a fabric (all of them, or a subset) and
 * forwards between them on one worker lcore.
 *
 *   loomd --config FILE [--socket PATH] [--metrics-port PORT] [--results FILE] [--series FILE --series-interval NS] [--mpi] [-- EAL options]
 *   loomd --config FILE --check-config [-- EAL options]
 *
 * --changes-dir DIR: record in DIR every live change made through the
 * control socket (lb_set, tm set, pipeline, cell_link) and, at start,
 * re-apply those DIR holds before forwarding begins: how `loomctl restart`
 * brings a fabric back as it was (dataplane/ctl/ctl_changes.h,
 * docs/RESTART.md).
 *
 * --metrics-port: serve Prometheus metrics on 127.0.0.1:PORT/metrics
 * (dataplane/telemetry/). The /loom/... DPDK telemetry commands are
 * always registered.
 *
 * --series FILE --series-interval NS: every switch port's counters as CSV
 * every NS (dataplane/runner/series.h): at exact multiples of NS of
 * virtual time, or about every NS of wall time in a real-time run.
 * --series-max-bytes N: the series stops growing at N bytes, said once
 * on stderr (default 1 GiB; 0: no cap).
 *
 * --worker-priority N: in real time, run the worker at SCHED_RR N (1..99)
 * or at the fair scheduler (0). Default: 10 where the kernel throttles
 * real-time threads and there are two CPUs or more, else 0
 * (runner/worker_priority.h says why). An explicit N that cannot be
 * applied stops loomd; the default falls back to 0 and says so.
 *
 * Output files (--results, --series, a cell capture) are created without
 * following a symlink, 0644, and only a regular file is overwritten
 * (api/loom_output_file.h).
 *
 * FILE is what `loomctl compile` writes (docs/LOOMD_CONFIG.md). With
 * "clock": "virtual" loomd runs the fabric in virtual time to the end of
 * its duration, writes the results (stats and per-flow results, JSON) to
 * --results (default stdout) and exits (docs/VIRTUAL_TIME.md). Unless EAL
 * options are given, loomd picks them itself: one lcore, no PCI, and
 * hugepages in memory (no hugepage files) when enough are free, else
 * --no-huge (always for virtual time); it removes its EAL runtime
 * directory when it exits.
 *
 * --check-config: load FILE (without hugepages), print what was read of it
 * as JSON (api/loomd_config_read.h) and exit; nothing runs. The
 * configuration contract's test compares this with what loomctl wrote.
 */
#include <dirent.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "ctl.h"
#include "ctl_changes.h"
#include "eal_drivers.h"
#include "config.h"
#include "gen_config.h"
#include "loom/frame.h"
#include "loomd_config_read.h"
#include "port_io.h"
#include "runner.h"
#include "telemetry.h"
#include "runner_virtual.h"
#include "worker_priority.h"
#include "observe.h"
#include "vt_pool.h"
#include "route_table.h"
#include "page_arena.h"
#include "gen_host.h"
#include "tm.h"
#include "lb_switch.h"
#include "loom_output_file.h"
#include "series.h"
#include "series_realtime.h"
#include "swx_lpm_table.h"
#include "loomd_mpi.h"
#include "virtual_results.h"

#define DEFAULT_SOCKET "/run/loom/loomd.sock"

static atomic_bool stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, true);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: loomd --config FILE [--socket PATH] [--metrics-port PORT] [--results FILE]\n"
		     "             [--series FILE --series-interval NS [--series-max-bytes N]] [--worker-priority N]\n"
		     "             [--changes-dir DIR] [--mpi (virtual time over MPI ranks: under mpirun)]\n"
		     "             [-- EAL options]\n"
		     "       loomd --config FILE --check-config [-- EAL options]\n");
}

/* Memory the fabric needs, in MB, estimated from the configuration before
 * EAL starts (to choose hugepages or not, and -m without them): mbufs as
 * the pool is sized (ports/port_setup.c), route tables as config_load.c makes
 * them, a P4 switch's LPM tables (p4/swx_lpm_table.h), the lossless queues'
 * reserves (config_tm.c), and room for the rest. */
static unsigned int needed_mb(const json_t *root)
{
	json_t *switches = json_object_get(root, LOOMD_KEY(ROOT_SWITCHES)), *sw, *port;
	size_t n = json_array_size(switches), i, j;
	uint64_t mbufs = LOOM_POOL_SPARE_MBUFS;
	unsigned int max_mtu = LOOM_MTU_DEFAULT;

	size_t n_ports = 0, n_p4 = 0;
	const char *clock = json_string_value(json_object_get(root, LOOMD_KEY(ROOT_CLOCK)));
	bool is_virtual = clock && strcmp(clock, "virtual") == 0;

	json_array_foreach(switches, i, sw) {
		const char *pipeline = json_string_value(json_object_get(sw, LOOMD_KEY(SWITCH_PIPELINE)));

		n_p4 += pipeline && strcmp(pipeline, "p4") == 0;
		json_array_foreach(json_object_get(sw, LOOMD_KEY(SWITCH_PORTS)), j, port) {
			const char *kind = json_string_value(
				json_object_get(json_object_get(port, LOOMD_KEY(PORT_LINK)), LOOMD_KEY(LINK_KIND)));
			json_int_t mtu = json_integer_value(json_object_get(port, LOOMD_KEY(PORT_MTU)));

			n_ports++;
			if (mtu > (json_int_t)max_mtu && mtu <= LOOM_MTU_MAX)
				max_mtu = (unsigned int)mtu;
			mbufs += loom_port_mbufs(!kind ? LOOM_LINK_ETHDEV
						 : strcmp(kind, "ring") == 0 ? LOOM_LINK_RING
						 : strcmp(kind, "generator") == 0 ? LOOM_LINK_GENERATOR
										   : LOOM_LINK_ETHDEV);
		}
	}
	/* as ports/port_setup.c sizes them */
	uint64_t mbuf_bytes = RTE_PKTMBUF_HEADROOM + loom_mbuf_room_for_mtu(max_mtu) + sizeof(struct rte_mbuf) + 64;

	if (is_virtual) {
		/* the mbufs are not EAL's (runner/vt_pool.h), only the pool's
		 * ring of pointers is; and the PFC frames' pool (tm/) */
		mbuf_bytes = 512;
		mbufs = rte_align32pow2(loom_vt_pool_cap(n_ports, json_array_size(json_object_get(
									 root, LOOMD_KEY(ROOT_GENERATOR_HOSTS))),
							 LOOM_OUTQ_SIZE)) / 64 +
			2 * n_ports + 511;
	}
	unsigned int cell_mb = loom_cell_needed_mb(root); /* the cell pool (cell_setup.c) */
	/* real time: a lossless switch's queue reserve (640 KB at 4 MB of buffer) */
	unsigned int reserve_mb = (unsigned int)((loom_tm_reserve_needed_bytes((json_t *)root) + (1u << 20) - 1) >> 20);

	return cell_mb + reserve_mb + (unsigned int)((mbufs * mbuf_bytes) >> 20) +
	       /* route tables: the fast kind in EAL memory (at most one per
		* switch; shared ones count once in fact); the LPM kind is
		* plain memory; a P4 switch's RIB-only tables beyond, ~4 MB */
	       (unsigned int)(n * ((n <= LOOM_FAST_FIB4_MAX_SWITCHES ? LOOM_FAST_FIB4_MB : 0) +
				   (n <= LOOM_FAST_FIB6_MAX_SWITCHES ? LOOM_FAST_FIB6_MB : 0))) +
	       (unsigned int)(n_p4 * (LOOM_SWX_LPM_TABLES_MB + 4)) + 128;
}

static bool config_is_virtual(const json_t *root)
{
	const char *clock = json_string_value(json_object_get(root, LOOMD_KEY(ROOT_CLOCK)));

	return clock && strcmp(clock, "virtual") == 0;
}

static unsigned long hugepages_free_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long free_pages = 0, size_kb = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	return free_pages * size_kb / 1024;
}

/* The k-th CPU this process may run on (counting round): an MPI run's
 * ranks on one machine take one each (rank k the k-th), a single loomd
 * the first. */
static int allowed_cpu(int k)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) != 0 || (n = CPU_COUNT(&set)) == 0)
		return 0;
	k %= n;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && k-- == 0)
			return c;
	return 0;
}

/* EAL's runtime directory holds the telemetry socket even with
 * --in-memory; remove it so that nothing is left behind. */
static void remove_runtime_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* check_only: no run follows (--check-config), so no telemetry and no hugepages. */
static int eal_start(const char *config, bool check_only, int extra_argc, char **extra_argv, char *runtime_dir,
		     size_t len)
{
	static char lcore[16], mem[16], prefix[32];
	char *argv[64];
	int argc = 0;
	bool virt;
	/* parsed once here for what EAL's options depend on (config_load.c
	 * reads it for the fabric after EAL is up) */
	json_t *root = extra_argc == 0 ? json_load_file(config, 0, NULL) : NULL;

	argv[argc++] = "loomd";
	if (extra_argc == 0) {
		unsigned int need = needed_mb(root);

		snprintf(lcore, sizeof(lcore), "%d", allowed_cpu(loomd_mpi_rank()));
		snprintf(prefix, sizeof(prefix), "loomd%d", (int)getpid());
		argv[argc++] = "-l";
		argv[argc++] = lcore;
		argv[argc++] = "--no-pci";
		argv[argc++] = "--file-prefix";
		argv[argc++] = prefix;
		argv[argc++] = "--log-level";
		argv[argc++] = "*:warning";
		/* EAL warns about every hugepage size it finds no pages of
		 * (1 GB ones, typically): noise for a 2 MB-page setup. */
		argv[argc++] = "--log-level";
		argv[argc++] = "lib.eal:error";
		virt = check_only || config_is_virtual(root);
		if (virt) /* a run to completion: nobody to answer */
			argv[argc++] = "--no-telemetry";
		/* A virtual-time run takes ordinary memory: its results must not
		 * depend on whether another process took the hugepages between
		 * our look and EAL's (a run failed so under parallel tests). */
		if (!virt && hugepages_free_mb() >= need) {
			argv[argc++] = "--in-memory";
		} else {
			if (!virt)
				fprintf(stderr, "loomd: %lu MB of hugepages free, %u MB wanted: running with --no-huge\n",
					hugepages_free_mb(), need);
			/* Twice the estimate: the mbuf pool must be one contiguous
			 * piece of EAL memory, which the other allocations before it
			 * fragment; without hugepages only the pages used are backed,
			 * so the room costs nothing. */
			snprintf(mem, sizeof(mem), "%u", 2 * need);
			argv[argc++] = "--no-huge";
			argv[argc++] = "-m";
			argv[argc++] = mem;
		}
	}
	/* EAL loads every driver of its plugin directory: show it only the
	 * ones this configuration needs (eal_drivers.c); EAL options of the
	 * user's own (extra_argv) leave it alone */
	if (extra_argc == 0)
		loom_eal_drivers_limit(root);
	json_decref(root);
	for (int i = 0; i < extra_argc && argc < 63; i++)
		argv[argc++] = extra_argv[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "loomd: EAL init failed: %s\n", rte_strerror(rte_errno));
		if (extra_argc == 0) { /* our own prefix: its runtime dir is ours to remove */
			snprintf(runtime_dir, len, "/var/run/dpdk/%s", prefix);
			remove_runtime_dir(runtime_dir);
		}
		return -1;
	}
	snprintf(runtime_dir, len, "%s", rte_eal_get_runtime_dir());
	return 0;
}

static double mb(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* Where a virtual run's memory went, by purpose, on stderr (figures of
 * what each part holds; the sum is below the peak RSS by EAL's own, the
 * configuration's JSON and the libraries). */
static void print_memory(const struct loom_fabric *f, const struct loom_vt_pool *pool,
			 const struct loom_vt_stats *vst, long peak_rss_kb)
{
	struct mallinfo2 mi = mallinfo2(); /* the C heap: flow and switch state, the event queue, tables */
	size_t routes = 0, switches = 0, tm_ports = 0, flows = 0, ctrl = 0, reorder = 0;
	uint32_t tables = 0;

	for (uint16_t s = 0; s < f->n_switches; s++) {
		const struct loom_switch *sw = &f->switches[s];
		bool first = true; /* count a shared table at its first switch */

		for (uint16_t o = 0; o < s && first; o++)
			first = f->switches[o].routes != sw->routes;
		if (sw->routes && first) {
			routes += loom_route_table_bytes(sw->routes);
			tables++;
		}
		switches += sizeof(*sw) + sw->n_ports * (sizeof(*sw->ports) + sizeof(**f->links)) +
			    sw->n_nexthops * sizeof(*sw->nexthops) + sw->n_groups * sizeof(*sw->groups) +
			    sw->n_members * sizeof(*sw->members);
		for (uint16_t p = 0; p < sw->n_ports; p++) {
			tm_ports += sw->ports[p].tm ? sizeof(struct tm_port) : 0;
			reorder += sw->ports[p].reorder_measured ? LOOM_LB_REORDER_FLOWS * sizeof(struct lb_reorder_flow) : 0;
		}
		tm_ports += sw->tm ? sizeof(*sw->tm) : 0;
	}
	for (uint32_t h = 0; h < f->n_gen_hosts; h++)
		flows += sizeof(f->gen_hosts[h]) + f->gen_hosts[h].n_tx * sizeof(*f->gen_hosts[h].tx) +
			 f->gen_hosts[h].n_rx * sizeof(*f->gen_hosts[h].rx);
	if (f->tm_ctrl_pool)
		ctrl = (size_t)f->tm_ctrl_pool->size *
		       (f->tm_ctrl_pool->header_size + f->tm_ctrl_pool->elt_size + f->tm_ctrl_pool->trailer_size);
	fprintf(stderr,
		"loomd: memory: mbufs %.1f MB (%u of %u bytes: %u at start, grown %u times; cap %u) + %.1f MB mapped "
		"for their free list (%s), PFC frames %.1f MB, reorder measurement %.1f MB resident (%.1f MB mapped), route tables %.1f MB (%u for %u switches), queues %.1f MB resident "
		"(%.1f MB mapped) + %.1f MB traffic-manager state, event queue %.1f MB, flow state %.1f MB, "
		"switches and ports %.1f MB; malloc %.1f MB in use, %.1f MB free but held; peak RSS %.1f MB, "
		"hugepages 0 MB (--no-huge)\n",
		mb(loom_vt_pool_bytes(pool)), pool->populated, pool->elt_bytes, pool->initial, pool->grows, pool->cap,
		mb((size_t)(pool->on_stack ? pool->cap : rte_align32pow2(pool->cap + 1)) * sizeof(void *)),
		pool->on_stack ? "a stack: resident as deep as it was" : "a ring: all resident after a long run", mb(ctrl),
		mb(loom_page_arena_resident(&loom_flow_table_arena)), mb(reorder), mb(routes), tables, f->n_switches, mb(loom_page_arena_resident(&loom_queue_arena)),
		mb(loom_queue_arena.reserved), mb(tm_ports), mb(vst->evq_bytes), mb(flows), mb(switches),
		mb(mi.uordblks + mi.hblkhd), mb(mi.fordblks), (double)peak_rss_kb / 1024.0);
}

/* A virtual-time run: to the end of the configured duration, then the
 * results. They depend only on the configuration; how long it took (wall
 * time, events per second, memory) goes to stderr, not into them. */
static int run_virtual_main(struct loom_fabric *f, const char *results, const struct loom_series *series,
			    double t_start)
{
	struct loom_vt_stats vst;
	struct rusage ru;
	struct loom_vt_pool pool;
	char err[512];
	double t0, wall;
	json_t *out;

	if (loom_vt_pool_create(&pool, f, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		return 1;
	}
	if (f->observe && (uint32_t)(pool.stored - RTE_PKTMBUF_HEADROOM) < f->observe->snap)
		f->observe->snap = (uint32_t)(pool.stored - RTE_PKTMBUF_HEADROOM); /* captures keep what packets hold */
	fprintf(stderr, "loomd: fabric %s: %u switches, %u generator hosts; virtual time for %lu ns, seed %lu; "
			"%u mbufs to start (4 per link and per host, 1024 spare; "
			"a sixteenth more when a host finds none, up to %u: every output queue full)\n",
		f->name, f->n_switches, f->n_gen_hosts, (unsigned long)f->duration_ns, (unsigned long)f->seed,
		pool.initial, pool.cap);
	t0 = loomd_wall_seconds();
	/* The pool stays to the end of the process: the fabric, freed after
	 * this, still holds mbufs of it in its queues. */
	if (loom_run_virtual(f, &pool, series, NULL, &vst, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		return 1;
	}
	wall = loomd_wall_seconds() - t0;
	getrusage(RUSAGE_SELF, &ru);
	loomd_print_run_figures(&vst, wall, t0 - t_start, &ru, "");
	print_memory(f, &pool, &vst, ru.ru_maxrss);

	out = loomd_virtual_results(f, &vst, NULL);
	if (!out) {
		fprintf(stderr, "loomd: out of memory\n");
		return 1;
	}
	return loomd_write_results(out, f, results);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"metrics-port", required_argument, NULL, 'm'},
		{"results", required_argument, NULL, 'r'},
		{"series", required_argument, NULL, 'S'},
		{"series-interval", required_argument, NULL, 'I'},
		{"series-max-bytes", required_argument, NULL, 'M'},
		{"check-config", no_argument, NULL, 'C'},
		{"worker-priority", required_argument, NULL, 'P'},
		{"changes-dir", required_argument, NULL, 'D'},
		{"mpi", no_argument, NULL, 'X'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *sock = DEFAULT_SOCKET, *results = NULL, *series_file = NULL, *changes_dir = NULL;
	struct ctl_changes changes = {.dirfd = -1};
	struct loom_series series = {.out = NULL, .interval_ns = 0};
	struct loom_output_cap series_cap;
	uint64_t series_max = LOOM_OUTPUT_DEFAULT_MAX_BYTES;
	struct loom_fabric fabric;
	struct loom_ports ports;
	struct loom_clock clock;
	struct loom_mailbox mb;
	struct loom_rt_stats rt = {0};
	struct ctl_server srv;
	struct loom_metrics_server metrics = {0};
	struct loom_series_sampler sampler = {0};
	long metrics_port = 0, worker_priority = LOOM_WORKER_PRIORITY_UNSET;
	bool check_config = false, use_mpi = false;
	json_t *partition = NULL; /* the configuration's "partition" (borrowed) */
	char *end;
	char err[512], runtime_dir[256];
	int c, rc = 1;

	double t_start = loomd_wall_seconds(); /* a virtual run's set-up counts from here */

	while ((c = getopt_long(argc, argv, "c:s:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': sock = optarg; break;
		case 'm':
			metrics_port = strtol(optarg, &end, 10);
			if (*end || metrics_port < 1 || metrics_port > 65535) {
				fprintf(stderr, "loomd: --metrics-port: a port number 1..65535, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r': results = optarg; break;
		case 'S': series_file = optarg; break;
		case 'I': /* time series: every NS of virtual time, or of wall time in real time */
			series.interval_ns = strtoull(optarg, &end, 10);
			if (*end || series.interval_ns == 0) {
				fprintf(stderr, "loomd: --series-interval: nanoseconds > 0, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'M': /* the series file stops growing there (said once); 0: no cap */
			series_max = strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '-' || end == optarg) {
				fprintf(stderr, "loomd: --series-max-bytes: bytes (0: no cap), not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'P':
			worker_priority = strtol(optarg, &end, 10);
			if (*end || end == optarg || worker_priority < 0 || worker_priority > 99) {
				fprintf(stderr, "loomd: --worker-priority: 0 (fair scheduler) or a SCHED_RR priority "
						"1..99, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'C': check_config = true; break;
		case 'D': changes_dir = optarg; break;
		case 'X': use_mpi = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!config) {
		usage(stderr);
		return 2;
	}
	if (use_mpi && loomd_mpi_start(&argc, &argv) < 0) /* before EAL: each rank takes its own core */
		return 1;
	/* every rank reads rank 0's configuration: other machines need not see its file */
	if (use_mpi && !(config = loomd_mpi_share_config(config)))
		return 1;
	/* how long each step of the start takes: part of a restart's outage */
	double t_main = loomd_wall_seconds(), t_eal, t_load, t_ports, t_changes;

	if (eal_start(config, check_config, argc - optind, argv + optind, runtime_dir, sizeof(runtime_dir)) < 0)
		return 1;
	t_eal = loomd_wall_seconds();

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (loom_fabric_load(config, &fabric, check_config, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		if (use_mpi) /* the other ranks stop too (only rank 0 creates the output files) */
			loomd_mpi_all_loaded(false);
		json_decref(loomd_cfg_record_finish());
		loom_fabric_free(&fabric); /* what was loaded before the error (ASan found it leaked) */
		goto out_eal;
	}
	if (use_mpi && !loomd_mpi_all_loaded(true))
		goto out_fabric; /* another rank said why */
	/* a run over MPI ranks' switch groups (loomd_mpi.c); read here so
	 * that --check-config records it */
	if (loomd_cfg_get(fabric.config, LOOMD_ROOT_PARTITION, &partition, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		json_decref(loomd_cfg_record_finish());
		goto out_fabric;
	}
	if (check_config) {
		json_t *read = loomd_cfg_record_finish();

		rc = read && json_dumpf(read, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', stdout) != EOF
			     ? 0
			     : 1;
		json_decref(read);
		goto out_fabric;
	}
	/* virtual time: runner_virtual.c samples; real time: series_realtime.c; over MPI ranks rank 0 writes */
	if (series_file && (!use_mpi || loomd_mpi_rank() == 0)) {
		if (!series.interval_ns) {
			fprintf(stderr, "loomd: --series needs --series-interval NS\n");
			goto out_fabric;
		}
		/* no symlink followed; 0644: users read the series */
		series.out = loom_output_open(series_file, LOOM_OUTPUT_SHARED, err, sizeof(err));
		if (!series.out) {
			fprintf(stderr, "loomd: --series: %s\n", err);
			goto out_fabric;
		}
		loom_output_cap_init(&series_cap, series_max, series_file);
		series.cap = &series_cap;
	}
	if (fabric.clock_mode == LOOM_CLOCK_VIRTUAL) {
		/* Nothing asks for the configuration's JSON in a virtual run
		 * (no control socket): give its memory back before the run
		 * (a k=32 fat tree's is over a gigabyte parsed). */
		if (use_mpi && loomd_mpi_take_config(fabric.config, partition) < 0)
			goto out_fabric;
		json_decref(fabric.config);
		fabric.config = NULL;
		malloc_trim(0);
		rc = use_mpi ? loomd_run_mpi_main(&fabric, results, &series, t_start)
			     : run_virtual_main(&fabric, results, &series, t_start);
		goto out_fabric;
	}
	t_load = loomd_wall_seconds();
	if (loom_ports_bind(&fabric, &ports, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		goto out_fabric;
	}
	t_ports = loomd_wall_seconds();
	loom_clock_tsc_init(&clock);
	loom_ports_start_generators(&fabric, &ports, &clock);
	loom_mailbox_init(&mb);
	struct loomd_state st = {
		.fabric = &fabric, .ports = &ports, .clock = &clock, .mb = &mb, .stop = &stop_requested, .rt = &rt,
	};
	if (changes_dir) {
		/* before the control socket and the worker run: the handlers run
		 * here (the mailbox closed), and nothing else changes the fabric
		 * meanwhile, so forwarding begins with the changes in place */
		if (ctl_changes_open(&changes, changes_dir, err, sizeof(err)) < 0) {
			fprintf(stderr, "loomd: --changes-dir: %s\n", err);
			goto out_ports;
		}
		st.changes = &changes;
		loom_mailbox_close(&mb);
		st.changes_replayed = ctl_changes_apply_recorded(&st);
		loom_mailbox_open(&mb);
		if (st.changes_replayed && json_integer_value(json_object_get(st.changes_replayed, "replayed")))
			fprintf(stderr, "loomd: re-applied %" JSON_INTEGER_FORMAT " live change(s) from %s\n",
				json_integer_value(json_object_get(st.changes_replayed, "replayed")), changes_dir);
	}
	t_changes = loomd_wall_seconds();
	st.startup_ms = json_pack("{s:f, s:f, s:f, s:f}", "eal", (t_eal - t_main) * 1e3, "configuration",
				  (t_load - t_eal) * 1e3, "ports", (t_ports - t_load) * 1e3, "live_changes",
				  (t_changes - t_ports) * 1e3);
	if (ctl_server_start(&srv, sock, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		goto out_ports;
	}
	if (loom_dpdk_telemetry_register(&st, err, sizeof(err)) < 0 ||
	    (metrics_port && loom_metrics_start(&metrics, &st, (uint16_t)metrics_port, err, sizeof(err)) < 0)) {
		fprintf(stderr, "loomd: %s\n", err);
		loom_dpdk_telemetry_detach();
		ctl_server_stop(&srv);
		goto out_ports;
	}
	fprintf(stderr, "loomd: fabric %s: %u switches, %u ports; control socket %s\n", fabric.name,
		fabric.n_switches, ports.n, sock);
	if (metrics_port)
		fprintf(stderr, "loomd: metrics on http://127.0.0.1:%ld/metrics\n", metrics_port);
	if (series.out && loom_series_sampler_start(&sampler, &st, &series, err, sizeof(err)) < 0) {
		fprintf(stderr, "loomd: %s\n", err);
		loom_metrics_stop(&metrics);
		loom_dpdk_telemetry_detach();
		ctl_server_stop(&srv);
		goto out_ports;
	}

	if (worker_priority == LOOM_WORKER_PRIORITY_UNSET) {
		rt.worker_priority = loom_worker_priority_default(rt.worker_scheduling, sizeof(rt.worker_scheduling));
		if (rt.worker_priority > 0 &&
		    loom_worker_priority_apply(rt.worker_priority, err, sizeof(err)) < 0) {
			snprintf(rt.worker_scheduling, sizeof(rt.worker_scheduling), "%s: the fair scheduler", err);
			rt.worker_priority = 0;
		}
		fprintf(stderr, "loomd: worker: %s\n", rt.worker_scheduling);
	} else {
		rt.worker_priority = (int)worker_priority;
		if (loom_worker_priority_apply(rt.worker_priority, err, sizeof(err)) < 0) {
			fprintf(stderr, "loomd: --worker-priority %ld: %s\n", worker_priority, err);
			loom_series_sampler_stop(&sampler);
			loom_metrics_stop(&metrics);
			loom_dpdk_telemetry_detach();
			ctl_server_stop(&srv);
			goto out_ports;
		}
		snprintf(rt.worker_scheduling, sizeof(rt.worker_scheduling), "%s %d (--worker-priority)",
			 rt.worker_priority ? "SCHED_RR" : "the fair scheduler, priority", rt.worker_priority);
	}
	loom_worker_yield_plan(rt.worker_priority, &rt.yield, rt.pause_plan, sizeof(rt.pause_plan));
	fprintf(stderr, "loomd: worker: %s\n", rt.pause_plan);
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		__atomic_store_n(&st.forwarding_since_ns, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
				 __ATOMIC_RELEASE);
		fprintf(stderr, "loomd: forwarding %.0f ms after its start (EAL %.0f, configuration %.0f, ports %.0f, "
			"live changes %.0f ms)\n", (loomd_wall_seconds() - t_main) * 1e3, (t_eal - t_main) * 1e3,
			(t_load - t_eal) * 1e3, (t_ports - t_load) * 1e3, (t_changes - t_ports) * 1e3);
	}
	loom_run_realtime(&fabric, &ports, &clock, &mb, &stop_requested, &rt);

	loom_mailbox_close(&mb);
	loom_series_sampler_stop(&sampler); /* its last sample: the final counters */
	loom_metrics_stop(&metrics);
	loom_dpdk_telemetry_detach();
	ctl_server_stop(&srv);
	fprintf(stderr, "loomd: stopped after %lu loops (%lu busy, %lu idle sleeps)\n", (unsigned long)rt.loops,
		(unsigned long)rt.busy_loops, (unsigned long)rt.sleeps);
	if (rt.fidelity.late_turns)
		fprintf(stderr, "loomd: %lu loop turns started late, %.1f ms behind schedule in all (latest %.1f ms)\n",
			(unsigned long)rt.fidelity.late_turns, (double)rt.fidelity.late_ns / 1e6,
			(double)rt.fidelity.max_late_ns / 1e6);
	rc = 0;
out_ports:
	json_decref(st.changes_replayed);
	json_decref(st.startup_ms);
	ctl_changes_close(&changes);
	loom_ports_unbind(&ports);
out_fabric:
	if (series.out && fclose(series.out) != 0) {
		fprintf(stderr, "loomd: cannot write %s\n", series_file);
		rc = 1;
	}
	loom_fabric_free(&fabric);
out_eal:
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
	if (use_mpi)
		loomd_mpi_finish();
	return rc;
}
