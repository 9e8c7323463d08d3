/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom-swx-bench: one spec on DPDK's SWX pipeline, interpreted or compiled,
 * on the same packets, so that callgrind can tell what DPDK 22.11's
 * spec-to-C compiler would save (issue 28; bench/p4_compiled.py drives it).
 *
 *   loom-swx-bench EAL... -- codegen SPEC OUT.c
 *       rte_swx_pipeline_codegen(): the C of SPEC (it needs DPDK's
 *       rte_swx_pipeline_internal.h, from DPDK's source package, to build).
 *   loom-swx-bench EAL... -- interp SPEC PCAP N
 *       SPEC through Loom's reader (swx_spec.c) on the public API.
 *   loom-swx-bench EAL... -- compiled LIB.so PCAP N
 *       rte_swx_pipeline_build_from_lib() on the compiled SPEC.
 *
 * Both runs use DPDK's own ports (a `source` replaying PCAP's first 1024
 * frames N/1024 times, 263 `sink` ports as loomd configures 0..262) and
 * DPDK's table types (route_v4 in the wildcard table: Loom's loom_lpm type
 * cannot be registered on a pipeline build_from_lib() creates), and the
 * same entries: 10.0.1.0/24 -> group 0 = next hops 0..3 on ports 0..3 (the
 * bench's leaf). Prints the packets each output port sent, so that the two
 * runs can be compared: they must forward alike.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_swx_ctl.h>
#include <rte_swx_pipeline.h>
#include <rte_swx_port_source_sink.h>

#include "swx_spec.h"

#define N_PORTS_OUT 263 /* switch ports, drop ports 256 + reason, SWX's drop port: as p4_ports.c */
#define SOURCE_FRAMES RTE_SWX_PORT_SOURCE_PKTS_MAX

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "loom-swx-bench: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

static int codegen(const char *spec, const char *out)
{
	uint32_t line = 0;
	const char *msg = NULL;
	FILE *s = fopen(spec, "r");
	FILE *o;
	int rc;

	if (!s)
		return fail(spec, strerror(errno));
	o = fopen(out, "w");
	if (!o) {
		fclose(s);
		return fail(out, strerror(errno));
	}
	rc = rte_swx_pipeline_codegen(s, o, &line, &msg);
	fclose(s);
	if (fclose(o) != 0 || rc != 0) {
		fprintf(stderr, "loom-swx-bench: %s:%u: %s\n", spec, line, msg ? msg : "code generation failed");
		return 1;
	}
	return 0;
}

static struct rte_swx_pipeline *build_interpreted(const char *spec, struct rte_mempool *mp, const char *pcap,
						  uint64_t n_loops)
{
	struct rte_swx_port_source_params src = { .pool = mp, .file_name = pcap, .n_loops = n_loops };
	struct rte_swx_port_sink_params sink = { .file_name = NULL };
	struct rte_swx_pipeline *p = NULL;
	char err[768];

	if (rte_swx_pipeline_config(&p, NULL, SOCKET_ID_ANY) != 0)
		return NULL;
	if (rte_swx_pipeline_port_in_config(p, 0, "source", &src) != 0)
		goto bad;
	for (uint32_t i = 0; i < N_PORTS_OUT; i++)
		if (rte_swx_pipeline_port_out_config(p, i, "sink", &sink) != 0)
			goto bad;
	if (swx_spec_configure(p, spec, err, sizeof(err)) != 0) {
		fail(err, NULL);
		goto bad;
	}
	if (rte_swx_pipeline_build(p) != 0)
		goto bad;
	return p;
bad:
	rte_swx_pipeline_free(p);
	return NULL;
}

static struct rte_swx_pipeline *build_compiled(const char *lib, const char *pcap, uint64_t n_loops)
{
	struct rte_swx_pipeline *p = NULL;
	FILE *io = tmpfile();
	int rc;

	if (!io)
		return NULL;
	/* build_from_lib() takes its ports only from an I/O spec. */
	fprintf(io, "port in 0 source mempool LOOM_SWX_BENCH file %s loop %llu packets 0\n", pcap,
		(unsigned long long)n_loops);
	for (uint32_t i = 0; i < N_PORTS_OUT; i++)
		fprintf(io, "port out %u sink file none\n", i);
	rewind(io);
	rc = rte_swx_pipeline_build_from_lib(&p, "loom_swx_bench", lib, io, SOCKET_ID_ANY);
	fclose(io);
	if (rc != 0) {
		fprintf(stderr, "loom-swx-bench: %s: rte_swx_pipeline_build_from_lib: %s\n", lib, strerror(-rc));
		return NULL;
	}
	return p;
}

static int entry_add(struct rte_swx_ctl_pipeline *ctl, const char *table, const char *line)
{
	int blank = 0;
	struct rte_swx_table_entry *e = rte_swx_ctl_pipeline_table_entry_read(ctl, table, line, &blank);

	if (!e)
		return fail(table, line);
	/* DPDK 22.11 has no public free for a read entry (add copies it): five small leaks, once */
	if (rte_swx_ctl_pipeline_table_entry_add(ctl, table, e) != 0)
		return fail(table, line);
	return 0;
}

/* The bench leaf's route to its hosts over four uplinks (loomd's p4_tables.c fills the same tables). */
static int fill(struct rte_swx_pipeline *p)
{
	struct rte_swx_ctl_pipeline *ctl = rte_swx_ctl_pipeline_create(p);
	uint32_t group;
	char line[256];

	if (!ctl)
		return fail("rte_swx_ctl_pipeline_create", NULL);
	if (entry_add(ctl, "route_v4", "match 0x0A000100/0xFFFFFF00 action set_group group_id 0") ||
	    rte_swx_ctl_pipeline_selector_group_add(ctl, "ecmp_sel", &group) != 0)
		return fail("route/group", NULL);
	for (uint32_t m = 0; m < 4; m++) {
		if (rte_swx_ctl_pipeline_selector_group_member_add(ctl, "ecmp_sel", group, m, 1) != 0)
			return fail("ecmp_sel member", NULL);
		snprintf(line, sizeof(line),
			 "match 0x%x action set_nexthop port 0x%x dst_mac 0x02480000000%x src_mac 0x024c0000000%x",
			 m, m, m, m);
		if (entry_add(ctl, "ecmp_member", line))
			return 1;
	}
	if (rte_swx_ctl_pipeline_commit(ctl, 1) != 0)
		return fail("commit", NULL);
	/* not freed: in DPDK 22.11 that frees the committed wildcard table the pipeline runs on */
	if (rte_swx_ctl_pipeline_regarray_write(p, "hash_seed", 0, 0x9dd4e2cb) != 0)
		return fail("hash_seed", NULL);
	return 0;
}

int main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv);
	struct rte_swx_pipeline *p;
	struct rte_mempool *mp;
	struct rte_swx_port_in_stats in = { 0 };
	uint64_t n_pkts, out = 0;

	if (n < 0)
		return fail("rte_eal_init", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	if (argc == 4 && !strcmp(argv[1], "codegen"))
		return codegen(argv[2], argv[3]);
	if (argc != 5 || (strcmp(argv[1], "interp") && strcmp(argv[1], "compiled")))
		return fail("usage", "loom-swx-bench EAL... -- codegen SPEC OUT.c | interp SPEC PCAP N | "
				     "compiled LIB.so PCAP N");
	n_pkts = strtoull(argv[4], NULL, 0);
	if (n_pkts < SOURCE_FRAMES || n_pkts % SOURCE_FRAMES)
		return fail("N must be a multiple of", RTE_STR(RTE_SWX_PORT_SOURCE_PKTS_MAX));
	/* the source holds its 1024 frames, the pipeline at most a burst more */
	mp = rte_pktmbuf_pool_create("LOOM_SWX_BENCH", 4 * SOURCE_FRAMES, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (!mp)
		return fail("rte_pktmbuf_pool_create", rte_strerror(rte_errno));
	if (!strcmp(argv[1], "interp"))
		p = build_interpreted(argv[2], mp, argv[3], n_pkts / SOURCE_FRAMES);
	else
		p = build_compiled(argv[2], argv[3], n_pkts / SOURCE_FRAMES);
	if (!p)
		return fail(argv[2], "no pipeline");
	if (fill(p))
		return 1;
	/* Run until the source is spent, then a few more turns for the packets still inside. */
	for (unsigned idle = 0; idle < 4;) {
		rte_swx_pipeline_run(p, 4096);
		rte_swx_ctl_pipeline_port_in_stats_read(p, 0, &in);
		if (in.n_pkts >= n_pkts)
			idle++;
	}
	rte_swx_pipeline_flush(p);
	printf("in %llu\n", (unsigned long long)in.n_pkts);
	for (uint32_t i = 0; i < N_PORTS_OUT; i++) {
		struct rte_swx_port_out_stats st = { 0 };

		rte_swx_ctl_pipeline_port_out_stats_read(p, i, &st);
		/* a sink counts what it frees as dropped */
		if (st.n_pkts + st.n_pkts_drop)
			printf("port %u %llu\n", i, (unsigned long long)(st.n_pkts + st.n_pkts_drop));
		out += st.n_pkts + st.n_pkts_drop;
	}
	printf("out %llu\n", (unsigned long long)out);
	rte_swx_pipeline_free(p);
	return out == in.n_pkts ? 0 : 1;
}
