/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: PFC decisions and the shared buffer (scheduler/tm/pfc.c) as
 * one lossless (ingress port, class) of a switch uses them, driven by the
 * input: a configuration (16 bytes), then 4-byte operations: a packet
 * arrives (shared-buffer admission, then PFC accounting), the oldest one
 * leaves, time passes (PAUSE refresh), or a PAUSE frame arrives from the
 * peer with some quanta. Checked, after every operation:
 * - the PFC bytes and the buffer's used bytes are those of the packets
 *   held; no underflow is ever counted;
 * - PAUSE is sent only when not paused, RESUME only when paused, and the
 *   state says which;
 * - while paused, a packet accepted keeps the bytes within xoff + headroom
 *   (the one that crosses xoff excepted);
 * - a received PAUSE holds the class exactly quanta * 512 bit times,
 *   rounded up; quanta 0 releases it;
 * and at the end, with every packet gone: nothing held, RESUME sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom/tm/pfc.h"

#define HELD_MAX 4096

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16);
}

#define CHECK(cond)                                                                                     \
	do {                                                                                            \
		if (!(cond)) {                                                                          \
			fprintf(stderr, "fuzz_pfc: %s\n", #cond);                                       \
			abort();                                                                        \
		}                                                                                       \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t held[HELD_MAX];
	uint32_t head = 0, n = 0;
	uint64_t held_bytes = 0;
	struct loom_pfc_cfg cfg;
	struct loom_pfc_state st;
	struct loom_pfc_hold hold;
	struct loom_buffer buf;
	loom_time_ns now = 0;
	uint64_t rate;
	int alpha;
	uint16_t q;

	if (size < 16)
		return 0;
	cfg.xoff_bytes = rd24(data);
	cfg.xon_bytes = rd24(data + 3);
	cfg.headroom_bytes = rd24(data + 6);
	cfg.pause_quanta = rd16(data + 9);
	cfg.refresh_ns = rd16(data + 11) * 10u;
	alpha = (int)(data[13] % 33) - 16;
	rate = (uint64_t)(1 + data[14] % 100) * 1000000000ull;
	if (loom_pfc_cfg_check(&cfg) != 0)
		return 0;
	loom_buffer_init(&buf, (uint64_t)(data[15] + 1) << 16);
	loom_pfc_state_init(&st);
	loom_pfc_hold_init(&hold);
	for (size_t off = 16; off + 4 <= size; off += 4) {
		const uint8_t *op = data + off;
		uint32_t arg = rd24(op + 1) & 0xffff;
		uint8_t was_paused = st.paused;
		enum loom_pfc_action a;

		switch (op[0] % 4) {
		case 0: { /* a packet of 64..16447 bytes arrives */
			uint32_t bytes = 64 + (arg & 0x3fff);

			if (n == HELD_MAX || loom_buffer_admit(&buf, held_bytes, bytes, alpha) != LOOM_BUFFER_ADMIT)
				break;
			a = loom_pfc_on_enqueue(&st, &cfg, bytes, now, &q);
			if (a == LOOM_PFC_DROP_HEADROOM) {
				CHECK(was_paused);
				loom_buffer_release(&buf, bytes);
				break;
			}
			held[(head + n++) % HELD_MAX] = bytes;
			held_bytes += bytes;
			if (a == LOOM_PFC_SEND_PAUSE) {
				CHECK(!was_paused && st.paused && q == cfg.pause_quanta && st.bytes >= cfg.xoff_bytes);
			} else {
				CHECK(a == LOOM_PFC_NONE);
				if (was_paused)
					CHECK(st.bytes <= (uint64_t)cfg.xoff_bytes + cfg.headroom_bytes);
			}
			break;
		}
		case 1: /* the oldest packet leaves */
			if (n == 0)
				break;
			{
				uint32_t bytes = held[head];

				head = (head + 1) % HELD_MAX;
				n--;
				held_bytes -= bytes;
				loom_buffer_release(&buf, bytes);
				a = loom_pfc_on_dequeue(&st, &cfg, bytes, now, &q);
				if (a == LOOM_PFC_SEND_RESUME)
					CHECK(was_paused && !st.paused && q == 0 && st.bytes <= cfg.xon_bytes);
				else
					CHECK(a == LOOM_PFC_NONE);
			}
			break;
		case 2: /* time passes */
			now += arg;
			a = loom_pfc_refresh(&st, &cfg, now, &q);
			if (a == LOOM_PFC_SEND_PAUSE)
				CHECK(was_paused && st.paused && cfg.refresh_ns > 0);
			else
				CHECK(a == LOOM_PFC_NONE);
			break;
		case 3: { /* a PAUSE frame from the peer */
			loom_time_ns until = loom_pfc_rx_pause(&hold, (uint16_t)arg, rate, now);
			uint64_t bits = (uint64_t)arg * LOOM_PFC_QUANTUM_BITS;
			loom_time_ns want = now + (bits * 1000000000ull + rate - 1) / rate;

			CHECK(until == want);
			CHECK(loom_pfc_is_held(&hold, now) == (arg > 0));
			break;
		}
		}
		CHECK(st.bytes == held_bytes && buf.used == held_bytes);
		CHECK(st.st.underflow == 0 && buf.st.underflow == 0);
		CHECK(st.paused == 0 || st.paused == 1);
	}
	while (n > 0) {
		uint32_t bytes = held[head];

		head = (head + 1) % HELD_MAX;
		n--;
		loom_buffer_release(&buf, bytes);
		(void)loom_pfc_on_dequeue(&st, &cfg, bytes, now, &q);
	}
	CHECK(st.bytes == 0 && buf.used == 0 && !st.paused);
	return 0;
}
