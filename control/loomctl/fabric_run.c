/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl run FILE [--out RESULTS] [--ranks N [--hostfile F]]`: a
 * virtual-clock fabric, run to the end of its duration by loomd's
 * virtual-time runner, results to RESULTS (or stdout): the `stats` JSON
 * (per switch and port, conservation) stamped with virtual time, per
 * generator host and per flow. Nothing is left running and nothing in
 * /run/loom is touched: runs may go side by side.
 *
 * --ranks N: the run split over N MPI ranks (Open MPI's mpirun, each rank a
 * loomd --mpi with its own EAL file prefix and core; docs/VIRTUAL_TIME.md
 * "Many ranks"), the same results byte for byte. mpirun is told
 * --allow-run-as-root when we are root, and --oversubscribe with more
 * ranks than this machine's cores (no binding then).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile/loomd_config.h"
#include "fabric_cmds.h"
#include "loomd_process.h"
#include "workload/workload.h"

#define MPIRUN "/usr/bin/mpirun" /* Debian's openmpi-bin */

int fabric_run_virtual(const struct topology *t, const char *out, const char *series, uint64_t series_interval_ns)
{
	return fabric_run_virtual_ranks(t, out, series, series_interval_ns, 0, NULL);
}

int fabric_run_virtual_ranks(const struct topology *t, const char *out, const char *series,
			     uint64_t series_interval_ns, unsigned int ranks, const char *hostfile)
{
	char err[1024], config[] = "/tmp/loom-run-XXXXXX", exe[PATH_MAX], interval[32], np[16];
	struct stat st;
	json_t *cfg;
	pid_t pid;
	int fd, status, rc;

	if (loomd_config_build(t, NULL, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	fd = mkstemp(config);
	if (fd < 0 || json_dumpfd(cfg, fd, JSON_COMPACT) < 0) {
		fprintf(stderr, "loomctl: cannot write %s: %s\n", config, strerror(errno));
		json_decref(cfg);
		if (fd >= 0) {
			close(fd);
			unlink(config);
		}
		return 1;
	}
	close(fd);
	json_decref(cfg);
	if (loomd_path(exe, sizeof(exe)) < 0) {
		unlink(config);
		return 1;
	}
	if (ranks && stat(MPIRUN, &st) != 0) {
		fprintf(stderr, "loomctl: --ranks needs Open MPI's %s (Debian: openmpi-bin, libopenmpi-dev; ./loom deps)\n",
			MPIRUN);
		unlink(config);
		return 1;
	}
	/* the config must stay readable by ranks started as another user or elsewhere (a shared /tmp) */
	if (ranks)
		chmod(config, 0644);
	snprintf(np, sizeof(np), "%u", ranks);
	snprintf(interval, sizeof(interval), "%llu", (unsigned long long)series_interval_ns);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		const char *argv[24];
		int n = 0;

		if (ranks) {
			long cores = sysconf(_SC_NPROCESSORS_ONLN);

			argv[n++] = "mpirun";
			if (geteuid() == 0)
				argv[n++] = "--allow-run-as-root";
			if (hostfile) {
				argv[n++] = "--hostfile";
				argv[n++] = hostfile;
			} else if (cores > 0 && ranks > (unsigned long)cores) {
				argv[n++] = "--oversubscribe";
				argv[n++] = "--bind-to";
				argv[n++] = "none";
			}
			argv[n++] = "-np";
			argv[n++] = np;
			argv[n++] = exe;
			argv[n++] = "--mpi";
		} else
			argv[n++] = "loomd";
		argv[n++] = "--config";
		argv[n++] = config;
		if (out) {
			argv[n++] = "--results";
			argv[n++] = out;
		}
		if (series) {
			argv[n++] = "--series";
			argv[n++] = series;
			argv[n++] = "--series-interval";
			argv[n++] = interval;
		}
		argv[n] = NULL;
		execv(ranks ? MPIRUN : exe, (char *const *)argv); /* an absolute path: no PATH search */
		fprintf(stderr, "loomctl: cannot run %s: %s\n", ranks ? MPIRUN : exe, strerror(errno));
		_exit(127);
	}
	rc = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	unlink(config);
	return rc;
}

int cmd_run(const char *topology, const char *out, unsigned int ranks, const char *hostfile, const char *series,
	    uint64_t series_interval_ns)
{
	char err[1024];
	struct topology t;
	int rc;

	if (topo_load(topology, &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (t.clock != TOPO_CLOCK_VIRTUAL) {
		fprintf(stderr,
			"loomctl: %s runs in real time (no 'clock: virtual'): bring it up with 'loomctl up'\n",
			topology);
		topo_free(&t);
		return 1;
	}
	if (series && !series_interval_ns)
		series_interval_ns = t.duration_ns / 100 ? t.duration_ns / 100 : 1;
	rc = fabric_run_virtual_ranks(&t, out, series, series_interval_ns, ranks, hostfile);
	topo_free(&t);
	if (rc != 0)
		fprintf(stderr, "loomctl: the virtual-time run of %s failed\n", topology);
	return rc;
}
