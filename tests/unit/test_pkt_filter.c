/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the trace and capture expressions (dataplane/trace/
 * pkt_filter.h): what matches which parsed packet, precedence and
 * parentheses, and what is refused with which message.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pkt_filter.h"

static struct loom_pkt_meta v4(const char *src, const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct loom_pkt_meta m;

	memset(&m, 0, sizeof(m));
	m.l3_kind = LOOM_L3_IPV4;
	m.key.family = LOOM_FLOW_IPV4;
	m.key.proto = proto;
	m.l4_proto = proto;
	m.l4_off = 34;
	m.key.sport = sport;
	m.key.dport = dport;
	inet_pton(AF_INET, src, m.key.src);
	inet_pton(AF_INET, dst, m.key.dst);
	return m;
}

static bool matches(const char *expr, const struct loom_pkt_meta *m)
{
	struct loom_filter f;
	char err[256];

	assert_int_equal(loom_filter_compile(expr, &f, err, sizeof(err)), 0);
	return loom_filter_match(&f, m);
}

static void refused(const char *expr, const char *msg)
{
	struct loom_filter f;
	char err[256] = "";

	assert_int_equal(loom_filter_compile(expr, &f, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("'%s': got '%s', expected '%s'", expr, err, msg);
}

static void test_primitives(void **state)
{
	struct loom_pkt_meta u = v4("10.0.0.2", "10.0.1.2", IPPROTO_UDP, 5000, 4791);
	struct loom_pkt_meta icmp = v4("10.0.0.2", "10.0.1.2", IPPROTO_ICMP, 0, 0);

	(void)state;
	assert_true(matches("", &u));
	assert_true(matches("udp", &u));
	assert_false(matches("tcp", &u));
	assert_true(matches("ip", &u));
	assert_false(matches("ip6", &u));
	assert_true(matches("dst 10.0.1.2", &u));
	assert_true(matches("dst host 10.0.1.2", &u));
	assert_false(matches("src 10.0.1.2", &u));
	assert_true(matches("host 10.0.1.2", &u));
	assert_true(matches("host 10.0.0.2", &u));
	assert_true(matches("port 4791", &u));
	assert_true(matches("src port 5000", &u));
	assert_false(matches("dst port 5000", &u));
	assert_true(matches("proto 17", &u));
	assert_true(matches("icmp", &icmp));
	/* a packet without ports matches no port */
	assert_false(matches("port 0", &icmp));
}

static void test_operators(void **state)
{
	struct loom_pkt_meta u = v4("10.0.0.2", "10.0.1.2", IPPROTO_UDP, 5000, 6000);

	(void)state;
	assert_true(matches("dst 10.0.1.2 and udp", &u));
	assert_false(matches("dst 10.0.1.2 and tcp", &u));
	assert_true(matches("tcp or udp", &u));
	assert_true(matches("not tcp", &u));
	assert_true(matches("! tcp && udp", &u));
	/* and binds tighter than or */
	assert_true(matches("tcp and port 1 or udp", &u));
	assert_false(matches("tcp and (port 1 or udp)", &u));
	assert_true(matches("(tcp or udp) and src 10.0.0.2 and not dst port 22", &u));
}

static void test_ipv6_and_arp(void **state)
{
	struct loom_pkt_meta m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.l3_kind = LOOM_L3_IPV6;
	m.key.family = LOOM_FLOW_IPV6;
	m.l4_proto = m.key.proto = IPPROTO_ICMPV6;
	inet_pton(AF_INET6, "2001:db8::2", m.key.dst);
	assert_true(matches("ip6 and icmp6 and dst 2001:db8::2", &m));
	assert_false(matches("dst 10.0.1.2", &m));
	m.l3_kind = LOOM_L3_ARP;
	assert_true(matches("arp", &m));
	assert_false(matches("ip or ip6", &m));
}

static void test_refused(void **state)
{
	(void)state;
	refused("dst 10.0.1.2 and", "at the end: expected a primitive");
	refused("dst 10.0.1.2 udp", "word 3 'udp': expected and, or, or the end");
	refused("dst nowhere", "word 2 'nowhere': expected an IPv4 or IPv6 address");
	refused("port 70000", "expected a number from 0 to 65535");
	refused("(udp", "expected )");
	refused("udp $", "unexpected '$'");
	refused("frobnicate", "word 1 'frobnicate'");
	refused("udp or udp or udp or udp or udp or udp or udp or udp or udp or udp or udp or udp or udp or udp "
		"or udp or udp or udp", "expression too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primitives),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_ipv6_and_arp),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
