/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output of a port without a traffic manager (fifo_output_burst,
 * dataplane/egress/fifo_output.h): cut-through to the port's wire while its
 * FIFO is empty, the FIFO otherwise, and never one packet overtaking
 * another. The wire is a fake that takes as many packets as the test lets
 * it; the mbufs are plain structs (no EAL: nothing here frees one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fifo_output.h"

#define N_MBUFS 16

struct fake_wire {
	uint16_t room;  /* packets it still takes */
	uint16_t calls;
	uint16_t n;
	struct rte_mbuf *got[N_MBUFS];
};

static uint16_t fake_send(void *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_wire *w = ctx;
	uint16_t take = n < w->room ? n : w->room;

	w->calls++;
	for (uint16_t i = 0; i < take; i++) {
		w->got[w->n++] = pkts[i];
		pkts[i]->pkt_len = 0; /* a driver may free what it takes at once: not the sender's to read */
	}
	w->room -= take;
	return take;
}

struct rig {
	struct rte_mbuf m[N_MBUFS];
	struct rte_mbuf *p[N_MBUFS];
	struct port_fifo q;
	struct loom_port out;
	struct fake_wire wire;
};

/* struct rte_mbuf is cache-line aligned: cmocka's test_calloc() is not
 * (UBSan: misaligned member access), aligned_alloc() is. */
static struct rig *rig_new(bool with_wire, uint16_t room)
{
	size_t size = (sizeof(struct rig) + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE * RTE_CACHE_LINE_SIZE;
	struct rig *r = aligned_alloc(RTE_CACHE_LINE_SIZE, size);

	assert_non_null(r);
	memset(r, 0, size);
	for (uint16_t i = 0; i < N_MBUFS; i++) {
		r->m[i].pkt_len = 60u + i; /* tells the packets apart by length too */
		r->p[i] = &r->m[i];
	}
	r->out.outq = &r->q;
	r->wire.room = room;
	if (with_wire)
		r->out.wire = (struct loom_wire){.send = fake_send, .ctx = &r->wire};
	return r;
}

static uint64_t bytes_of(uint16_t from, uint16_t to)
{
	uint64_t b = 0;

	for (uint16_t i = from; i < to; i++)
		b += 60u + i;
	return b;
}

/* The FIFO's packets, in order, are mbufs from..to-1. */
static void assert_fifo_holds(struct rig *r, uint16_t from, uint16_t to)
{
	struct rte_mbuf *out[N_MBUFS];
	uint64_t bytes;
	uint16_t n;

	assert_int_equal(r->q.bytes, bytes_of(from, to));
	n = port_fifo_dequeue(&r->q, out, N_MBUFS, &bytes);
	assert_int_equal(n, to - from);
	assert_int_equal(bytes, bytes_of(from, to));
	for (uint16_t i = 0; i < n; i++)
		assert_ptr_equal(out[i], &r->m[from + i]);
}

static void test_empty_fifo_cuts_through(void **state)
{
	struct rig *r = rig_new(true, N_MBUFS);

	(void)state;
	fifo_output_burst(&r->out, r->p, 5);
	assert_int_equal(r->wire.calls, 1);
	assert_int_equal(r->wire.n, 5);
	for (uint16_t i = 0; i < 5; i++)
		assert_ptr_equal(r->wire.got[i], &r->m[i]);
	assert_int_equal(r->out.c.tx_packets, 5);
	assert_int_equal(r->out.c.tx_bytes, bytes_of(0, 5));
	assert_int_equal(r->q.count, 0);
	free(r);
}

/* The wire takes 3 of 5: the other 2 wait in the FIFO, and while they do
 * nothing goes to the wire directly, however much room it has again. */
static void test_refused_packets_queue_and_the_next_wait_behind(void **state)
{
	struct rig *r = rig_new(true, 3);

	(void)state;
	fifo_output_burst(&r->out, r->p, 5);
	assert_int_equal(r->wire.n, 3);
	assert_int_equal(r->out.c.tx_packets, 3);
	assert_int_equal(r->out.c.tx_bytes, bytes_of(0, 3));
	assert_int_equal(r->q.count, 2);

	r->wire.room = N_MBUFS;
	fifo_output_burst(&r->out, r->p + 5, 4);
	assert_int_equal(r->wire.calls, 1); /* not asked again */
	assert_int_equal(r->out.c.tx_packets, 3);
	assert_fifo_holds(r, 3, 9);
	free(r);
}

static void test_without_a_wire_everything_queues(void **state)
{
	struct rig *r = rig_new(false, 0);

	(void)state;
	fifo_output_burst(&r->out, r->p, 7);
	assert_int_equal(r->out.c.tx_packets, 0);
	assert_fifo_holds(r, 0, 7);
	free(r);
}

/* Once the FIFO has drained, cut-through resumes. */
static void test_drained_fifo_cuts_through_again(void **state)
{
	struct rig *r = rig_new(true, 0);

	(void)state;
	fifo_output_burst(&r->out, r->p, 2); /* the wire is busy: both queue */
	assert_int_equal(r->q.count, 2);
	assert_fifo_holds(r, 0, 2);          /* the runner sends them */
	r->wire.room = N_MBUFS;
	fifo_output_burst(&r->out, r->p + 2, 3);
	assert_int_equal(r->wire.n, 3);
	assert_ptr_equal(r->wire.got[0], &r->m[2]);
	assert_int_equal(r->q.count, 0);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_fifo_cuts_through),
		cmocka_unit_test(test_refused_packets_queue_and_the_next_wait_behind),
		cmocka_unit_test(test_without_a_wire_everything_queues),
		cmocka_unit_test(test_drained_fifo_cuts_through_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
