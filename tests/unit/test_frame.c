/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame and buffer sizes (scheduler/include/loom/frame.h): the mbuf data
 * room a fabric's largest MTU asks for. Up to 1500 DPDK's default; above,
 * the af_packet ring's frame less 32; where af_xdp hosts may be (up to
 * 3560), also room for their largest frame after XDP's 256-byte headroom.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loom/frame.h"

static void test_mbuf_room(void **state)
{
	(void)state;
	assert_int_equal(loom_mbuf_room_for_mtu(1500), 2048);
	assert_int_equal(loom_mbuf_room_for_mtu(576), 2048);
	assert_int_equal(loom_mbuf_room_for_mtu(9000), 9184);            /* framesz 9216 - 32 */
	assert_int_equal(loom_af_packet_framesz(9000), 9216);
	/* af_xdp's range: 3506 + 14 + 256 = 3776, above af_packet's 3680; with
	 * the headroom (128), the mbuf (128) and the object header (64) one
	 * page exactly (3784, room for 8 more bytes of tags, made net_af_xdp fail:
	 * "Failed to create umem") */
	assert_int_equal(loom_mbuf_room_for_mtu(3506), 3776);
	assert_int_equal(64 + 128 + 128 + loom_mbuf_room_for_mtu(3506), 4096);
	assert_int_equal(loom_mbuf_room_for_mtu(2000), 2014 + 256);
	/* above an af_xdp host's own limit, its frames stay at most 3506's */
	assert_int_equal(loom_mbuf_room_for_mtu(3560), 3776);
	/* above 3560 no af_xdp host can be in the fabric: af_packet's figure */
	assert_int_equal(loom_mbuf_room_for_mtu(3561), loom_af_packet_framesz(3561) - 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbuf_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
