/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cells of the switch-scheduled fabric, with a fake clock:
 *  - the header encodes and decodes every field, and decode refuses a
 *    wrong version, type, flags or length;
 *  - segmentation and reassembly round trip: every packet size from 64 to
 *    9000 bytes in one VOQ's stream, cells shuffled within blocks of 32
 *    (spraying), comes out whole, byte for byte, in order;
 *    (the timeout, 500 us at a cell per us, is longer than the longest
 *    packet's cells plus the shuffle, so no gap of reordering is given up);
 *  - with 1 % of the cells lost: exactly the packets that lost no cell
 *    come out, in order; the reassembly timeout gives up every gap
 *    (counted), and every held cell is freed (none leaks);
 *  - a lost last cell of the last packet is freed by the timer alone; a
 *    cell a window ahead is refused and counted;
 *  - spray: round robin visits the live uplinks in turn and never a dead
 *    one; least-loaded picks the emptiest; none live -> -1;
 *  - VOQ accounting: byte limit, requests cover exactly what is held,
 *    packets go while the credit balance is positive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define TEST_RNG_SEED 0x5eed0ce11ull
#include "test_rng.h"

#include "loom/cell/cell.h"
#include "loom/cell/cell_reasm.h"
#include "loom/cell/cell_spray.h"
#include "loom/cell/voq.h"

static bool same_hdr(const struct loom_cell_hdr *a, const struct loom_cell_hdr *b)
{
	return a->type == b->type && a->flags == b->flags && a->src_leaf == b->src_leaf &&
	       a->dst_leaf == b->dst_leaf && a->dst_port == b->dst_port && a->cls == b->cls &&
	       a->seq_or_bytes == b->seq_or_bytes && a->len == b->len;
}

static void test_header_round_trip(void **state)
{
	(void)state;
	struct loom_cell_hdr h = {.type = LOOM_CELL_DATA, .flags = LOOM_CELL_FIRST | LOOM_CELL_LAST,
				  .src_leaf = 0x1234, .dst_leaf = 0xabcd, .dst_port = 7, .cls = 3,
				  .seq_or_bytes = 0xdeadbeef, .len = 256};
	struct loom_cell_hdr d;
	uint8_t b[LOOM_CELL_HDR_LEN];

	loom_cell_encode(&h, b);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(b[10], 0xde);
	assert_int_equal(b[13], 0xef);
	assert_true(loom_cell_decode(b, &d, 256));
	assert_true(same_hdr(&h, &d));
	assert_false(loom_cell_decode(b, &d, 255)); /* longer than the fabric's payload */
	h.type = LOOM_CELL_CREDIT;
	h.flags = 0;
	h.seq_or_bytes = 4096;
	h.len = 0;
	loom_cell_encode(&h, b);
	assert_true(loom_cell_decode(b, &d, 256));
	assert_true(same_hdr(&h, &d));
	b[1] = LOOM_CELL_FIRST; /* flags on a control cell */
	assert_false(loom_cell_decode(b, &d, 256));
	loom_cell_encode(&h, b);
	b[0] = 0x27; /* version 2 */
	assert_false(loom_cell_decode(b, &d, 256));
	b[0] = 0x14; /* type 4 */
	assert_false(loom_cell_decode(b, &d, 256));
	/* a REQUEST carries its VOQ's sources in len; a CREDIT carries none */
	h.type = LOOM_CELL_REQUEST;
	h.len = 3;
	loom_cell_encode(&h, b);
	assert_int_equal(b[15], 3);
	assert_true(loom_cell_decode(b, &d, 256));
	assert_true(same_hdr(&h, &d));
	h.type = LOOM_CELL_CREDIT;
	loom_cell_encode(&h, b);
	assert_int_equal(b[15], 0);
	b[15] = 3;
	assert_false(loom_cell_decode(b, &d, 256));
}

/* ---- round trip ---- */

struct cellbuf {
	uint32_t pkt; /* packet number, to check what comes out */
	uint8_t bytes[LOOM_CELL_HDR_LEN + LOOM_CELL_PAYLOAD_MAX];
};

struct sink {
	uint32_t live_cells;   /* allocated, not yet freed */
	uint32_t n_out;
	uint32_t *out_pkts;    /* packet numbers delivered, in order */
	uint16_t payload;
	bool mismatch;
};

static uint8_t pattern(uint32_t pkt, uint32_t off)
{
	return (uint8_t)(pkt * 131 + off * 7 + (off >> 8));
}

static void sink_deliver(void *ctx, void **cells, const uint16_t *lens, uint32_t n)
{
	struct sink *s = ctx;
	uint32_t pkt = ((struct cellbuf *)cells[0])->pkt, off = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct cellbuf *c = cells[i];
		struct loom_cell_hdr h;

		if (!loom_cell_decode(c->bytes, &h, s->payload) || h.len != lens[i] || c->pkt != pkt)
			s->mismatch = true;
		for (uint32_t j = 0; j < lens[i]; j++)
			if (c->bytes[LOOM_CELL_HDR_LEN + j] != pattern(pkt, off + j))
				s->mismatch = true;
		off += lens[i];
		free(c);
		s->live_cells--;
	}
	if (off != 64 + pkt) /* packet p is 64 + p bytes long */
		s->mismatch = true;
	s->out_pkts[s->n_out++] = pkt;
}

static void sink_discard(void *ctx, void *cell)
{
	struct sink *s = ctx;

	free(cell);
	s->live_cells--;
}

#define N_PKTS (9000 - 64 + 1)

/* Cells of packets 64..9000 B (packet p = 64 + p bytes), one VOQ's stream. */
static struct cellbuf **make_stream(uint16_t payload, uint32_t *n_cells, struct sink *s)
{
	uint32_t total = 0;

	for (uint32_t p = 0; p < N_PKTS; p++)
		total += loom_cell_count(64 + p, payload);
	struct cellbuf **v = malloc(total * sizeof(*v));
	uint32_t seq = 0;
	for (uint32_t p = 0; p < N_PKTS; p++) {
		uint32_t len = 64 + p;

		for (uint32_t i = 0; i < loom_cell_count(len, payload); i++) {
			struct loom_cell_hdr h = {.type = LOOM_CELL_DATA, .src_leaf = 1, .dst_leaf = 2, .dst_port = 3,
						  .seq_or_bytes = seq};
			struct cellbuf *c = malloc(sizeof(*c));
			uint32_t off;

			loom_cell_slice(len, payload, i, &off, &h.len, &h.flags);
			c->pkt = p;
			loom_cell_encode(&h, c->bytes);
			for (uint32_t j = 0; j < h.len; j++)
				c->bytes[LOOM_CELL_HDR_LEN + j] = pattern(p, off + j);
			v[seq++] = c;
			s->live_cells++;
		}
	}
	*n_cells = total;
	return v;
}

/* Spraying over spines reorders cells: shuffle within blocks of 32. */
static void shuffle_blocks(struct cellbuf **v, uint32_t n)
{
	for (uint32_t b = 0; b < n; b += 32) {
		uint32_t m = n - b < 32 ? n - b : 32;

		for (uint32_t i = m - 1; i > 0; i--) {
			uint32_t j = (uint32_t)(rng() % (i + 1));
			struct cellbuf *t = v[b + i];
			v[b + i] = v[b + j];
			v[b + j] = t;
		}
	}
}

static void feed(struct loom_reasm *r, struct cellbuf *c, uint16_t payload, loom_time_ns now, struct sink *s)
{
	struct loom_cell_hdr h;

	assert_true(loom_cell_decode(c->bytes, &h, payload));
	if (!loom_reasm_add(r, h.seq_or_bytes, h.flags, h.len, c, now))
		sink_discard(s, c);
}

static void round_trip(uint16_t payload)
{
	struct sink s = {.payload = payload, .out_pkts = calloc(N_PKTS, sizeof(uint32_t))};
	struct loom_reasm r;
	uint32_t n;
	struct cellbuf **v = make_stream(payload, &n, &s);

	shuffle_blocks(v, n);
	assert_int_equal(loom_reasm_init(&r, 1024, 500 * LOOM_NS_PER_US, sink_deliver, sink_discard, &s), 0);
	for (uint32_t i = 0; i < n; i++) {
		feed(&r, v[i], payload, (loom_time_ns)i * 1000, &s);
		loom_reasm_run_timer(&r, (loom_time_ns)i * 1000);
	}
	assert_false(s.mismatch);
	assert_int_equal(s.n_out, N_PKTS);
	for (uint32_t p = 0; p < N_PKTS; p++)
		assert_int_equal(s.out_pkts[p], p);
	assert_int_equal(r.held, 0);
	assert_int_equal(r.st.timeouts, 0);
	assert_int_equal(r.st.cells_out, n);
	assert_true(r.st.reorder_max > 0 && r.st.reorder_max < 32 + 160);
	assert_int_equal(s.live_cells, 0);
	loom_reasm_free(&r);
	free(v);
	free(s.out_pkts);
}

static void test_round_trip_every_size_reordered(void **state)
{
	(void)state;
	round_trip(LOOM_CELL_PAYLOAD_DEFAULT);
	round_trip(LOOM_CELL_PAYLOAD_MIN);
	round_trip(1000);
}

static void test_round_trip_with_loss(void **state)
{
	(void)state;
	const uint16_t payload = LOOM_CELL_PAYLOAD_DEFAULT;
	struct sink s = {.payload = payload, .out_pkts = calloc(N_PKTS, sizeof(uint32_t))};
	struct loom_reasm r;
	uint32_t n, n_lost = 0;
	struct cellbuf **v = make_stream(payload, &n, &s);
	bool *pkt_hit = calloc(N_PKTS, sizeof(bool));

	shuffle_blocks(v, n);
	assert_int_equal(loom_reasm_init(&r, 1024, 500 * LOOM_NS_PER_US, sink_deliver, sink_discard, &s), 0);
	loom_time_ns t = 0;
	for (uint32_t i = 0; i < n; i++, t += 1000) {
		if (rng() % 100 == 0) {
			pkt_hit[v[i]->pkt] = true;
			sink_discard(&s, v[i]); /* lost on a link */
			n_lost++;
			continue;
		}
		feed(&r, v[i], payload, t, &s);
		loom_reasm_run_timer(&r, t);
	}
	loom_time_ns next = loom_reasm_run_timer(&r, t + LOOM_NS_PER_S);
	assert_int_equal(next, LOOM_TIME_NEVER);
	assert_false(s.mismatch);
	/* exactly the packets that lost nothing, in order */
	uint32_t k = 0;
	for (uint32_t p = 0; p < N_PKTS; p++) {
		if (pkt_hit[p])
			continue;
		assert_true(k < s.n_out);
		assert_int_equal(s.out_pkts[k], p);
		k++;
	}
	assert_int_equal(k, s.n_out);
	assert_true(n_lost > 1000);
	assert_true(r.st.timeouts > 0);
	assert_int_equal(r.st.lost_cells, n_lost);
	assert_int_equal(r.st.late, 0);
	assert_true(r.st.freed_cells > 0);
	assert_int_equal(r.st.cells_out + r.st.freed_cells + n_lost, n);
	assert_int_equal(r.held, 0);
	assert_int_equal(s.live_cells, 0);
	loom_reasm_free(&r);
	free(v);
	free(s.out_pkts);
	free(pkt_hit);
}

static void test_lost_last_cell_freed_by_timer(void **state)
{
	(void)state;
	struct sink s = {.payload = 256, .out_pkts = calloc(4, sizeof(uint32_t))};
	struct loom_reasm r;
	uint32_t n;
	struct cellbuf **v = make_stream(256, &n, &s);

	assert_int_equal(loom_reasm_init(&r, 1024, 10 * LOOM_NS_PER_US, sink_deliver, sink_discard, &s), 0);
	/* packet 1000 (1064 B) is cells 0..4 of a fresh stream: feed its first four */
	uint32_t first = 0;
	for (uint32_t p = 0; p < 1000; p++)
		first += loom_cell_count(64 + p, 256);
	r.next_seq = first;
	for (uint32_t i = 0; i < 4; i++)
		feed(&r, v[first + i], 256, 100, &s);
	assert_int_equal(r.held, 4);
	assert_int_equal(loom_reasm_deadline(&r), 100 + 10 * LOOM_NS_PER_US);
	assert_int_equal(loom_reasm_run_timer(&r, 5000), 100 + 10 * LOOM_NS_PER_US);
	assert_int_equal(r.held, 4);
	assert_int_equal(loom_reasm_run_timer(&r, 100 + 10 * LOOM_NS_PER_US), LOOM_TIME_NEVER);
	assert_int_equal(r.held, 0);
	assert_int_equal(r.st.freed_cells, 4);
	assert_int_equal(r.st.timeouts, 1);
	assert_int_equal(s.n_out, 0);
	/* a cell a whole window ahead is refused (the caller frees it), counted */
	assert_false(loom_reasm_add(&r, r.next_seq + 1024, LOOM_CELL_FIRST, 10, v[0], 99990));
	assert_int_equal(r.st.beyond_window, 1);
	/* the lost cell turning up now is the rest of a broken packet: freed */
	struct loom_cell_hdr h;
	assert_true(loom_cell_decode(v[first + 4]->bytes, &h, 256));
	assert_true(loom_reasm_add(&r, h.seq_or_bytes, h.flags, h.len, v[first + 4], 99999));
	assert_int_equal(r.st.bad_packets, 1);
	assert_int_equal(r.held, 0);
	assert_int_equal(s.n_out, 0);
	for (uint32_t i = 0; i < n; i++)
		if (i < first || i > first + 4)
			sink_discard(&s, v[i]);
	assert_int_equal(s.live_cells, 0);
	loom_reasm_free(&r);
	free(v);
	free(s.out_pkts);
}

static void test_spray(void **state)
{
	(void)state;
	struct loom_spray sp;
	uint64_t load[4] = {0};
	int seen[4] = {0};

	loom_spray_init(&sp, LOOM_SPRAY_ROUND_ROBIN, 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(loom_spray_pick(&sp, load), i % 4);
	loom_spray_set_live(&sp, 2, 0);
	for (int i = 0; i < 300; i++)
		seen[loom_spray_pick(&sp, load)]++;
	assert_int_equal(seen[2], 0);
	assert_int_equal(seen[0], 100);
	assert_int_equal(seen[1], 100);
	assert_int_equal(seen[3], 100);
	loom_spray_init(&sp, LOOM_SPRAY_LEAST_LOADED, 4);
	load[0] = 500;
	load[1] = 100;
	load[2] = 50;
	load[3] = 700;
	assert_int_equal(loom_spray_pick(&sp, load), 2);
	loom_spray_set_live(&sp, 2, 0);
	assert_int_equal(loom_spray_pick(&sp, load), 1);
	load[0] = load[1] = load[3] = 0; /* ties: in turn from the last pick */
	assert_int_equal(loom_spray_pick(&sp, load), 3);
	assert_int_equal(loom_spray_pick(&sp, load), 0);
	sp.live = 0;
	assert_int_equal(loom_spray_pick(&sp, load), -1);
	assert_int_equal(loom_spray_mode_parse("least_loaded"), LOOM_SPRAY_LEAST_LOADED);
	assert_int_equal(loom_spray_mode_parse("random"), -1);
}

static void test_voq_accounting(void **state)
{
	(void)state;
	struct loom_voq q;

	loom_voq_init(&q, 10000);
	assert_true(loom_voq_admit(&q, 4000));
	assert_true(loom_voq_admit(&q, 4000));
	assert_false(loom_voq_admit(&q, 4000)); /* 12000 > 10000 */
	assert_int_equal(q.st.drop_pkts, 1);
	assert_int_equal(loom_voq_to_request(&q), 8000);
	assert_int_equal(loom_voq_to_request(&q), 0); /* asked already */
	assert_false(loom_voq_may_send(&q));
	loom_voq_credit(&q, 4096);
	assert_true(loom_voq_may_send(&q));
	loom_voq_sent(&q, 4000);
	assert_true(loom_voq_may_send(&q)); /* 96 left: the next packet may go */
	loom_voq_sent(&q, 4000);
	assert_int_equal(q.balance, -3904);
	assert_false(loom_voq_may_send(&q));
	assert_int_equal(q.outstanding, 8000 - 4096);
	loom_voq_credit(&q, 4096);
	assert_int_equal(q.balance, 192);
	assert_int_equal(q.outstanding, 0);
	/* a new packet: only what the balance does not cover is asked */
	assert_true(loom_voq_admit(&q, 1000));
	assert_int_equal(loom_voq_to_request(&q), 808);
	assert_int_equal(q.st.requested, 8808);
	assert_int_equal(q.st.granted, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_round_trip_every_size_reordered),
		cmocka_unit_test(test_round_trip_with_loss),
		cmocka_unit_test(test_lost_last_cell_freed_by_timer),
		cmocka_unit_test(test_spray),
		cmocka_unit_test(test_voq_accounting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
