/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame and buffer sizes (scheduler/include/loom/frame.h): the mbuf data
 * room a fabric's largest MTU asks for. Up to 1500 DPDK's default; above,
 * the af_packet ring's frame less 32.
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
	assert_int_equal(loom_mbuf_room_for_mtu(3506), 3680);            /* framesz 3712 - 32 */
	assert_int_equal(loom_mbuf_room_for_mtu(2000), 2144);            /* framesz 2176 - 32 */
	assert_int_equal(loom_mbuf_room_for_mtu(3561), loom_af_packet_framesz(3561) - 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbuf_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
