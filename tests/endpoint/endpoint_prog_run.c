/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The endpoint programs (endpoint/) run by the kernel on test packets with
 * BPF_PROG_TEST_RUN (bpf_prog_test_run_opts), without any interface:
 *   endpoint_prog_run check    the programs pass this kernel's verifier and
 *                              do what they say: the egress program writes
 *                              a new IPv6 flow label per packet (packet
 *                              mode) and a RoCEv2 source port with a UDP
 *                              checksum that still verifies; the ingress
 *                              program counts a swapped pair of TCP
 *                              segments as one late packet at distance 1.
 *   endpoint_prog_run cost [N] per-packet cost: each program on a
 *                              1500-byte packet N times (default 1000000),
 *                              the kernel's mean run time in ns (no PMU
 *                              needed, unlike bpftool prog profile).
 * Root (loading BPF programs). Exit 0 when every check holds.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "endpoint_abi.h"
#include "loom_endpoint.skel.h"

#define FRAME 1514

static size_t ipv6_tcp(unsigned char *p, uint32_t seq, size_t payload)
{
	size_t len = 14 + 40 + 20 + payload;

	memset(p, 0, len);
	memset(p, 0x02, 12);
	p[12] = 0x86, p[13] = 0xdd;
	p[14] = 0x60;
	p[18] = (unsigned char)((20 + payload) >> 8), p[19] = (unsigned char)(20 + payload);
	p[20] = 6, p[21] = 64;
	inet_pton(AF_INET6, "fd00::2", p + 22);
	inet_pton(AF_INET6, "fd00:0:0:1::2", p + 38);
	p[54] = 0xa4, p[55] = 0x10; /* sport 42000 */
	p[56] = 0x14, p[57] = 0x51; /* dport 5201 */
	p[58] = (unsigned char)(seq >> 24), p[59] = (unsigned char)(seq >> 16), p[60] = (unsigned char)(seq >> 8),
	p[61] = (unsigned char)seq;
	p[66] = 0x50, p[67] = 0x18; /* doff 5, PSH ACK */
	return len;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The one's-complement sum of an IPv4 UDP datagram at p (Ethernet first):
 * pseudo-header, header (its checksum field as it is) and payload. */
static uint16_t udp4_sum(const unsigned char *p, size_t len)
{
	uint32_t s = 0;
	size_t ulen = len - 34;

	for (int i = 26; i < 34; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	s += 17 + (uint32_t)ulen;
	for (size_t i = 34; i < len; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	return csum_fold(s);
}

/* The UDP checksum of an IPv4 packet at p verifies. */
static int udp4_csum_ok(const unsigned char *p, size_t len)
{
	return udp4_sum(p, len) == 0xffff;
}

static size_t ipv4_roce(unsigned char *p, size_t payload)
{
	size_t ulen = 8 + 12 + payload, len = 14 + 20 + ulen;
	uint16_t s;

	memset(p, 0, len);
	memset(p, 0x02, 12);
	p[12] = 0x08, p[13] = 0x00;
	p[14] = 0x45;
	p[16] = (unsigned char)((20 + ulen) >> 8), p[17] = (unsigned char)(20 + ulen);
	p[22] = 64, p[23] = 17;
	inet_pton(AF_INET, "10.0.0.2", p + 26);
	inet_pton(AF_INET, "10.0.1.2", p + 30);
	p[34] = 0xc0, p[35] = 0x01; /* sport 49153 */
	p[36] = 0x12, p[37] = 0xb7; /* dport 4791 */
	p[38] = (unsigned char)(ulen >> 8), p[39] = (unsigned char)ulen;
	p[42] = 4;                  /* BTH opcode: RC SEND only */
	p[49] = 7;                  /* dest QP 7 */
	for (size_t i = 0; i < payload; i++)
		p[54 + i] = (unsigned char)i;
	s = (uint16_t)~udp4_sum(p, len); /* checksum field still 0 */
	p[40] = (unsigned char)(s >> 8), p[41] = (unsigned char)s;
	return len;
}

static int run(int prog, unsigned char *in, size_t len, unsigned char *out, int repeat, __u32 *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (__u32)len, .data_out = out,
		    .data_size_out = out ? FRAME : 0, .repeat = repeat);
	int rc = bpf_prog_test_run_opts(prog, &o);

	if (rc < 0) {
		perror("bpf_prog_test_run_opts");
		return -1;
	}
	if (duration)
		*duration = o.duration;
	return (int)o.retval;
}

static int set_config(struct loom_endpoint *s, __u32 lb, __u32 measure)
{
	struct loom_ep_config c = { .lb_mode = lb, .measure = measure, .flowlet_gap_ns = 50000, .round_ns = 200000,
				    .repath_rounds = 3 };
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(s->maps.ep_config), &zero, &c, BPF_ANY);
}

static int totals(struct loom_endpoint *s, struct loom_ep_counters *t)
{
	int ncpu = libbpf_num_possible_cpus();
	struct loom_ep_counters *per = calloc((size_t)ncpu, sizeof(*per));
	__u32 zero = 0;

	memset(t, 0, sizeof(*t));
	if (!per || bpf_map_lookup_elem(bpf_map__fd(s->maps.ep_counters), &zero, per) < 0) {
		free(per);
		return -1;
	}
	for (int c = 0; c < ncpu; c++)
		for (size_t k = 0; k < sizeof(*t) / 8; k++)
			((__u64 *)t)[k] += ((__u64 *)&per[c])[k];
	free(per);
	return 0;
}

#define CHECK(cond, ...)                                                                                         \
	do {                                                                                                      \
		if (!(cond)) {                                                                                    \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                                                    \
			fputc('\n', stderr);                                                                      \
			failed = 1;                                                                               \
		}                                                                                                 \
	} while (0)

static int check(struct loom_endpoint *s)
{
	int eg = bpf_program__fd(s->progs.loom_ep_egress), in = bpf_program__fd(s->progs.loom_ep_ingress);
	unsigned char pkt[FRAME], out[FRAME];
	uint32_t labels[8];
	struct loom_ep_counters t;
	size_t len;
	int failed = 0, distinct = 0;

	set_config(s, LOOM_EP_LB_PACKET, 1);
	len = ipv6_tcp(pkt, 1000, 100);
	for (int i = 0; i < 8; i++) {
		CHECK(run(eg, pkt, len, out, 1, NULL) == TC_ACT_OK, "egress verdict");
		labels[i] = (uint32_t)(out[15] & 0x0f) << 16 | (uint32_t)out[16] << 8 | out[17];
		CHECK(memcmp(out + 18, pkt + 18, len - 18) == 0, "egress changed more than the flow label");
	}
	for (int i = 1; i < 8; i++)
		distinct += labels[i] != labels[i - 1];
	CHECK(distinct == 7 && labels[0], "per-packet mode: a new flow label for each packet (%d changes)", distinct);

	len = ipv4_roce(pkt, 64);
	CHECK(udp4_csum_ok(pkt, len), "the test's own RoCEv2 packet");
	CHECK(run(eg, pkt, len, out, 1, NULL) == TC_ACT_OK, "egress verdict (RoCEv2)");
	CHECK((out[34] & 0xc0) == 0xc0 && memcmp(out + 34, pkt + 34, 2) != 0, "RoCEv2 source port rewritten");
	CHECK(udp4_csum_ok(out, len), "UDP checksum after the rewrite");

	/* ingress: 0 200 100 300 (100-byte segments): one late, distance 1 */
	{
		uint32_t seqs[] = { 0, 200, 100, 300 };

		for (int i = 0; i < 4; i++) {
			len = ipv6_tcp(pkt, 5000 + seqs[i], 100);
			CHECK(run(in, pkt, len, NULL, 1, NULL) == TC_ACT_OK, "ingress verdict");
		}
	}
	CHECK(totals(s, &t) == 0, "reading the totals");
	CHECK(t.rx_measured == 4 && t.rx_out_of_order == 1 && t.rx_distance[0] == 1,
	      "ingress counts: measured %llu, late %llu, distance 1: %llu", (unsigned long long)t.rx_measured,
	      (unsigned long long)t.rx_out_of_order, (unsigned long long)t.rx_distance[0]);
	printf("%s\n", failed ? "endpoint programs: checks FAILED" : "endpoint programs: verifier ok, checks ok");
	return failed;
}

static void cost(struct loom_endpoint *s, int n)
{
	int eg = bpf_program__fd(s->progs.loom_ep_egress), in = bpf_program__fd(s->progs.loom_ep_ingress);
	static const char *const lb[] = { "off", "packet", "flowlet", "repath" };
	unsigned char pkt[FRAME];
	size_t len = ipv6_tcp(pkt, 1000, 1440);
	__u32 ns;

	printf("per-packet cost, 1514-byte IPv6 TCP frame, mean of %d runs (BPF_PROG_TEST_RUN):\n", n);
	for (__u32 m = LOOM_EP_LB_OFF; m < LOOM_EP_LB_N; m++) {
		set_config(s, m, 0);
		if (run(eg, pkt, len, NULL, n, &ns) >= 0)
			printf("  egress  lb %-8s %4u ns\n", lb[m], ns);
	}
	set_config(s, LOOM_EP_LB_OFF, 0);
	if (run(in, pkt, len, NULL, n, &ns) >= 0)
		printf("  ingress measure off  %4u ns\n", ns);
	set_config(s, LOOM_EP_LB_OFF, 1);
	if (run(in, pkt, len, NULL, n, &ns) >= 0)
		printf("  ingress measure on   %4u ns\n", ns);
	set_config(s, LOOM_EP_LB_REPATH, 1);
	if (run(in, pkt, len, NULL, n, &ns) >= 0)
		printf("  ingress measure on + repath echoes %4u ns\n", ns);
}

int main(int argc, char **argv)
{
	struct loom_endpoint *s;
	int rc = 0;

	if (argc < 2 || (strcmp(argv[1], "check") && strcmp(argv[1], "cost"))) {
		fprintf(stderr, "usage: %s check | cost [N]\n", argv[0]);
		return 2;
	}
	s = loom_endpoint__open_and_load();
	if (!s) {
		fprintf(stderr, "%s: cannot load the endpoint programs (root? kernel with BPF?)\n", argv[0]);
		return 1;
	}
	if (strcmp(argv[1], "check") == 0)
		rc = check(s);
	else
		cost(s, argc > 2 ? atoi(argv[2]) : 1000000);
	loom_endpoint__destroy(s);
	return rc;
}
