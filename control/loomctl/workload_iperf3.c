/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomctl workload iperf3 FILE --topo TOPO [--out DIR] [--udp]
 *                         [--duration SECONDS] [--dry-run]
 *
 * A workload file carried out by real stacks: one iperf3 pair per flow
 * between the namespace hosts of a fabric that `loomctl up` brought up
 * (namespaces loom-<host>, docs/TOPOLOGY.md). Each flow gets a one-off
 * server on port 5201 + id in its destination's namespace and a client in
 * its source's, started `start` after the others; TCP by default (the
 * kernel's congestion control; the flow's `rate` becomes iperf3's -b),
 * UDP at the flow's rate (default: 1G) with --udp. Finite flows send
 * `bytes` (-n), streams run --duration seconds (default 5).
 *
 * --dry-run prints the script; otherwise it is written to DIR/iperf3.sh
 * and run, each client's JSON report goes to DIR/flow-ID.json and one
 * line per flow to DIR/iperf3.csv (and stdout):
 *   id,src,dst,bytes,protocol,seconds,bits_per_second,retransmits,lost_percent
 * Chained collective phases are refused (iperf3 cannot wait for a
 * previous phase's arrival); so are generator hosts (they live in loomd).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "loom/frame.h"
#include "loom_output_file.h"
#include "shell/shell_quote.h"
#include "workload/workload.h"
#include "run_dir.h"
#include "workload_cmd.h"

#define IPERF3_BASE_PORT 5201u
#define IPERF3_MAX_FLOWS 60000u
#define UDP_DEFAULT_BPS 1000000000ull

struct iperf3_opts {
	const char *file, *topo, *out;
	bool udp, dry_run;
	double duration_s;
};

static int host_ipv4(const struct topology *t, int h, char *buf, size_t len)
{
	const struct topo_link *l = &t->links[topo_host_link(t, h)];
	const struct topo_end *se = l->a.is_host ? &l->b : &l->a;
	struct topo_prefix addr;

	if (t->switches[se->node].subnet4.family != 4)
		return -1;
	topo_host_address(&t->switches[se->node].subnet4, se->port, &addr);
	topo_format_prefix(&addr, buf, len);
	if (strchr(buf, '/'))
		*strchr(buf, '/') = '\0';
	return 0;
}

static int check_flows(const struct topology *t, const struct workload *wl)
{
	if (wl->flows.n > IPERF3_MAX_FLOWS) {
		fprintf(stderr, "loomctl: %zu flows: at most %u iperf3 pairs (one port each)\n", wl->flows.n,
			IPERF3_MAX_FLOWS);
		return -1;
	}
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];

		if (f->start == LOOM_WL_START_CHAINED) {
			fprintf(stderr, "loomctl: flow %u is a chained collective phase: iperf3 pairs cannot wait "
				"for the previous phase (run collectives on generator hosts)\n", f->id);
			return -1;
		}
		if (f->burst_bytes) {
			fprintf(stderr, "loomctl: flow %u has burst and idle: iperf3 sends a steady stream (run on/off "
				"flows on generator hosts)\n", f->id);
			return -1;
		}
		for (int k = 0; k < 2; k++) {
			int h = (int)(k ? f->dst_host : f->src_host);

			if (t->hosts[h].port_type == TOPO_PORT_GENERATOR) {
				fprintf(stderr, "loomctl: flow %u: %s is a generator host (inside loomd): iperf3 "
					"runs in namespace hosts\n", f->id, t->hosts[h].name);
				return -1;
			}
			/* a guest's agent runs one command at a time: the pairs
			 * of a workload would run one after the other */
			if (t->hosts[h].port_type == TOPO_PORT_VM) {
				fprintf(stderr, "loomctl: flow %u: %s is a VM host: iperf3 pairs of a workload run in "
					"namespace hosts (in a guest: loomctl exec %s -- iperf3 ...)\n", f->id,
					t->hosts[h].name, t->hosts[h].name);
				return -1;
			}
		}
	}
	return 0;
}

/* "loom-NAME", quoted: the namespace of a host, as one shell word. */
static void write_netns(FILE *out, const char *host)
{
	char ns[300];

	loom_host_netns(host, ns, sizeof(ns));
	loom_shell_quote_write(out, ns);
}

/* The script runs as root: every string from the command line, the
 * workload or the topology goes in quoted (shell/shell_quote.h), and the
 * comment line cannot be left by a newline in a file name. */
static int write_script(const struct iperf3_opts *o, const struct topology *t, const struct workload *wl, FILE *out)
{
	char ip[64];

	fputs("#!/bin/bash\n# ", out);
	loom_shell_comment_write(out, o->file);
	fputs(" on ", out);
	loom_shell_comment_write(out, o->topo);
	fputs(": one iperf3 pair per flow (loomctl workload iperf3)\nset -u\nOUT=", out);
	loom_shell_quote_write(out, o->out);
	fputc('\n', out);
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];

		fputs("ip netns exec ", out);
		write_netns(out, t->hosts[f->dst_host].name);
		fprintf(out, " iperf3 -s -1 -D -p %u\n", IPERF3_BASE_PORT + f->id);
	}
	fputs("sleep 1 # the servers listen\n", out);
	for (size_t i = 0; i < wl->flows.n; i++) {
		const struct loom_flow_spec *f = &wl->flows.v[i];
		uint64_t rate = f->rate_bps ? f->rate_bps : (o->udp ? UDP_DEFAULT_BPS : 0);

		if (host_ipv4(t, (int)f->dst_host, ip, sizeof(ip)) < 0) {
			fprintf(stderr, "loomctl: host %s has no IPv4 address\n", t->hosts[f->dst_host].name);
			return -1;
		}
		fprintf(out, "( sleep %.6f; ip netns exec ", (double)f->start * 1e-9);
		write_netns(out, t->hosts[f->src_host].name);
		fprintf(out, " iperf3 -c %s -p %u -J", ip, IPERF3_BASE_PORT + f->id);
		if (o->udp)
			fputs(" -u", out);
		if (rate)
			fprintf(out, " -b %llu", (unsigned long long)rate);
		if (f->pkt_bytes && o->udp)
			fprintf(out, " -l %u", f->pkt_bytes - LOOM_FRAME_HDR_UDP); /* the datagram */
		if (f->bytes)
			fprintf(out, " -n %llu", (unsigned long long)f->bytes);
		else
			fprintf(out, " -t %g", o->duration_s);
		fprintf(out, " > \"$OUT/flow-%u.json\" 2>&1 ) &\n", f->id);
	}
	fputs("wait\n", out);
	return 0;
}

/* One CSV line from a client's JSON report. */
static void result_line(const struct iperf3_opts *o, const struct topology *t, const struct loom_flow_spec *f,
			FILE *csv)
{
	char path[1200];
	json_t *root, *end, *sum;
	json_error_t jerr;
	double secs = 0, bps = 0, lost = 0;
	long long retr = 0;

	snprintf(path, sizeof(path), "%s/flow-%u.json", o->out, f->id);
	root = json_load_file(path, 0, &jerr);
	end = root ? json_object_get(root, "end") : NULL;
	sum = end ? json_object_get(end, o->udp ? "sum" : "sum_received") : NULL;
	if (sum) {
		secs = json_number_value(json_object_get(sum, "seconds"));
		bps = json_number_value(json_object_get(sum, "bits_per_second"));
		lost = json_number_value(json_object_get(sum, "lost_percent"));
		if (!o->udp)
			retr = json_integer_value(json_object_get(json_object_get(end, "sum_sent"), "retransmits"));
	}
	fprintf(csv, "%u,%s,%s,%llu,%s,", f->id, t->hosts[f->src_host].name, t->hosts[f->dst_host].name,
		(unsigned long long)f->bytes, o->udp ? "udp" : "tcp");
	if (sum)
		fprintf(csv, "%.3f,%.0f,%lld,%.3f\n", secs, bps, retr, lost);
	else
		fputs(",,,\n", csv); /* the client failed: its JSON file says why */
	json_decref(root);
}

static int run(const struct iperf3_opts *o, const struct topology *t, const struct workload *wl)
{
	char script[1200], csvpath[1200], err[1400];
	FILE *out, *csv;
	pid_t pid;
	int status, failed = 0;

	if (mkdir(o->out, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "loomctl: cannot create %s: %s\n", o->out, strerror(errno));
		return 1;
	}
	snprintf(script, sizeof(script), "%s/iperf3.sh", o->out);
	/* 0600, no symlink followed: root runs it */
	out = loom_output_open(script, LOOM_OUTPUT_PRIVATE, err, sizeof(err));
	if (!out)
		fprintf(stderr, "loomctl: %s\n", err);
	if (!out || write_script(o, t, wl, out) < 0) {
		if (out)
			fclose(out);
		return 1;
	}
	fclose(out);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/bash", "bash", script, (char *)NULL); /* by path: not from PATH */
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "loomctl: %s failed\n", script);
		return 1;
	}
	snprintf(csvpath, sizeof(csvpath), "%s/iperf3.csv", o->out);
	csv = loom_output_open(csvpath, LOOM_OUTPUT_SHARED, err, sizeof(err)); /* 0644: users read results */
	if (!csv) {
		fprintf(stderr, "loomctl: %s\n", err);
		return 1;
	}
	fputs("id,src,dst,bytes,protocol,seconds,bits_per_second,retransmits,lost_percent\n", csv);
	for (size_t i = 0; i < wl->flows.n; i++)
		result_line(o, t, &wl->flows.v[i], csv);
	fclose(csv);
	csv = fopen(csvpath, "r");
	for (int c; csv && (c = fgetc(csv)) != EOF;)
		putchar(c);
	if (csv)
		fclose(csv);
	for (size_t i = 0; i < wl->flows.n; i++) {
		char path[1200];
		json_t *root;

		snprintf(path, sizeof(path), "%s/flow-%u.json", o->out, wl->flows.v[i].id);
		root = json_load_file(path, 0, NULL);
		failed += !root || !json_object_get(json_object_get(root, "end"), o->udp ? "sum" : "sum_received");
		json_decref(root);
	}
	if (failed)
		fprintf(stderr, "loomctl: %d of %zu iperf3 clients failed (see %s/flow-ID.json)\n", failed,
			wl->flows.n, o->out);
	return failed ? 1 : 0;
}

int cmd_workload_iperf3(int argc, char **argv)
{
	struct iperf3_opts o = {.out = "/tmp/loom-iperf3", .duration_s = 5};
	struct topology t;
	struct workload wl;
	char err[1024], *end;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topo") == 0 && i + 1 < argc) {
			o.topo = argv[++i];
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			o.out = argv[++i];
		} else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
			o.duration_s = strtod(argv[++i], &end);
			if (*end || !(o.duration_s > 0)) {
				fprintf(stderr, "loomctl: --duration: seconds > 0, not '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--udp") == 0) {
			o.udp = true;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			o.dry_run = true;
		} else if (argv[i][0] != '-' && !o.file) {
			o.file = argv[i];
		} else {
			fprintf(stderr, "loomctl: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!o.file || !o.topo) {
		fprintf(stderr, "usage: loomctl workload iperf3 FILE --topo TOPOLOGY [--out DIR] [--udp] "
			"[--duration SECONDS] [--dry-run]\n");
		return 2;
	}
	if (topo_load(o.topo, &workload_traffic, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (workload_load(o.file, &t, &wl, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		topo_free(&t);
		return 1;
	}
	if (check_flows(&t, &wl) < 0)
		rc = 1;
	else if (o.dry_run)
		rc = write_script(&o, &t, &wl, stdout) < 0 ? 1 : 0;
	else
		rc = run(&o, &t, &wl);
	workload_free(&wl);
	topo_free(&t);
	return rc;
}
