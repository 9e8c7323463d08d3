/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `cc: {type: nscc, base_rtt: path}`: each flow's unloaded round trip over
 * the topology. A two-tier fabric (2 spines, 2 leaves, 2 hosts a leaf),
 * 100G, 1 us a link, frames of 4110 bytes (329 ns at 100G) out and NSCC's
 * ACKs of 98 bytes (8 ns) back: a link costs 2 x 1000 + 329 + 8 = 2337 ns
 * of round trip; h0 -> h1 (same leaf) crosses 2 links, 4674 ns; h0 -> h2
 * 4 links, 9348 ns. A compiled flow counts the ACK its receiver sends
 * (compact, loom/frame.h loom_frame_tp_ack_bytes): 64 bytes (6 ns) for an
 * ACK per packet, 2335 ns a link: 4670 and 9340 ns; a REPS flow's
 * coalesced ACK (ack_every 4) carries the ports, 80 bytes (7 ns): 9344.
 * The compiled flow carries that figure as its base_rtt;
 * the workload writes `base_rtt: path` back as written; loomd refuses the
 * placeholder itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compile/loomd_config.h"
#include "loom/cc/cc_params.h"
#include "loom/cc/nscc.h"
#include "topo/topo_path_rtt.h"
#include "topo/topology.h"
#include "workload/workload.h"

static const char fabric[] = "fabric: p\n"
			     "clock: virtual\n"
			     "duration: 1ms\n"
			     "generate:\n"
			     "  spines: 2\n"
			     "  leaves: 2\n"
			     "  hosts_per_leaf: 2\n"
			     "  link_rate: 100G\n"
			     "  uplink_rate: 100G\n"
			     "  delay: 1us\n"
			     "  mtu: 4096\n"
			     "  port_type: generator\n"
			     "traffic:\n"
			     "  - { src: h0, dst: h1, bytes: 1000000, packet: 4110, ecn: true, transport: selective_repeat, "
			     "cc: {type: nscc, base_rtt: path} }\n"
			     "  - { src: h0, dst: h2, bytes: 1000000, packet: 4110, ecn: true, transport: selective_repeat, "
			     "cc: {type: nscc, base_rtt: path} }\n"
			     "  - { src: h1, dst: h3, bytes: 1000000, packet: 4110, ecn: true, transport: selective_repeat, "
			     "ack_every: 4, entropy: reps, cc: {type: nscc, base_rtt: path} }\n";

static int host(const struct topology *t, const char *name)
{
	for (int h = 0; h < t->n_hosts; h++)
		if (strcmp(t->hosts[h].name, name) == 0)
			return h;
	fail_msg("no host %s", name);
	return -1;
}

static void test_path_rtt(void **state)
{
	struct topology t;
	struct topo_path_rtt *p;
	char err[512];

	(void)state;
	if (topo_load_string(fabric, "p.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	p = topo_path_rtt_new(&t);
	assert_non_null(p);
	assert_int_equal(topo_path_rtt_ns(p, host(&t, "h0"), host(&t, "h1"), 4110, 98), 4674);
	assert_int_equal(topo_path_rtt_ns(p, host(&t, "h0"), host(&t, "h2"), 4110, 98), 9348);
	assert_int_equal(topo_path_rtt_ns(p, host(&t, "h3"), host(&t, "h0"), 4110, 98), 9348);
	topo_path_rtt_free(p);
	topo_free(&t);
}

/* The base RTT of flow `id` in loomd's configuration. */
static json_int_t compiled_base_rtt(json_t *root, int id)
{
	json_t *hosts = json_object_get(root, "generator_hosts"), *h, *f;
	size_t i, j;

	json_array_foreach(hosts, i, h)
		json_array_foreach(json_object_get(h, "tx_flows"), j, f)
			if (json_integer_value(json_object_get(f, "id")) == id)
				return json_integer_value(json_object_get(json_object_get(f, "cc_params"), "base_rtt"));
	fail_msg("no flow %d", id);
	return -1;
}

static void test_compiled_per_flow(void **state)
{
	struct topology t;
	json_t *root = NULL;
	char err[512];
	struct loom_cc_params ps = {0};
	struct loom_nscc_cfg c;
	const char *why;

	(void)state;
	if (topo_load_string(fabric, "p.yaml", &workload_traffic, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(t.n_flows, 3);
	if (loomd_config_build(&t, NULL, &root, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(compiled_base_rtt(root, (int)t.flows[0].id), 4670);
	assert_int_equal(compiled_base_rtt(root, (int)t.flows[1].id), 9340);
	assert_int_equal(compiled_base_rtt(root, (int)t.flows[2].id), 9344);
	json_decref(root);
	/* written back as written */
	{
		char buf[256] = "";
		FILE *out = fmemopen(buf, sizeof(buf), "w");

		workload_write_cc(out, &t.flows[0]);
		fclose(out);
		assert_string_equal(buf, "{type: nscc, base_rtt: path}");
	}
	topo_free(&t);
	/* the placeholder as a value: loomd refuses it */
	loom_cc_params_set(&ps, LOOM_CC_BASE_RTT, LOOM_CC_BASE_RTT_PATH);
	loom_nscc_default(&c, 4096, 100000000000ull);
	assert_int_equal(loom_cc_params_apply_nscc(&ps, &c, &why), -EINVAL);
	assert_string_equal(why, "base_rtt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_rtt),
		cmocka_unit_test(test_compiled_per_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
