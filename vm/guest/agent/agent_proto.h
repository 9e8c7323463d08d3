/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest agent's wire format (docs/VMS.md), shared by the agent
 * (loom-guest-agent.c, inside the guest) and the host's client
 * (agent_client.c).
 *
 * A message is a frame: the 4 bytes "LGA1", a 32-bit big-endian length
 * L (at most LOOM_AGENT_MAX_FRAME), then L bytes of one JSON object.
 * A reader that meets bytes other than the magic skips them up to the next
 * "LGA1" (a client that went away in the middle of a reply leaves a frame's
 * tail behind). Byte strings (stdin, stdout, stderr) are base64 in JSON.
 *
 * Requests carry "id" (an integer echoed in the reply) and "op":
 *   {"op":"ready"}  -> {"ok":true,"ready":true,"agent":..,"kernel":..,"hostname":..,"uptime_ms":N}
 *   {"op":"exec","argv":["ip","-br","addr"],"stdin":B64,"timeout_ms":N,"cwd":DIR,"max_output":N}
 *                   -> {"ok":true,"exit_code":N,"signal":S,"timed_out":bool,"stdout":B64,"stderr":B64,
 *                       "stdout_truncated":bool,"stderr_truncated":bool,"duration_ms":N}
 * argv is run with execvp (no shell). exit_code is -1 when the command was
 * killed by signal S; a command that cannot be started exits 127 (not
 * found) or 126, with the reason on its stderr, as in a shell. A malformed
 * request gets {"ok":false,"error":"..."}.
 */
#ifndef LOOM_AGENT_PROTO_H
#define LOOM_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define LOOM_AGENT_MAGIC "LGA1"
#define LOOM_AGENT_MAX_FRAME (16u << 20)
#define LOOM_AGENT_PORT_NAME "org.loom.agent"
/* Per stream (stdin, stdout, stderr) */
#define LOOM_AGENT_DEFAULT_OUTPUT (1u << 20)
#define LOOM_AGENT_MAX_OUTPUT (4u << 20)
#define LOOM_AGENT_DEFAULT_TIMEOUT_MS 60000

/*
 * Write one frame. With a deadline fd must be non-blocking (poll waits
 * for room or data; a blocking read or write cannot be bounded). Returns 0,
 * or -1 with errno (ETIMEDOUT when deadline_ms, a CLOCK_MONOTONIC time in
 * ms, passed; EPIPE when the peer hung up). deadline_ms < 0: no deadline.
 */
int loom_agent_write_frame(int fd, const char *json, size_t len, int64_t deadline_ms);
/*
 * Read one frame into a malloc'ed NUL-terminated *json. Returns 0, or -1
 * with errno: ETIMEDOUT, EPIPE (end of stream), EMSGSIZE (frame too large).
 */
int loom_agent_read_frame(int fd, char **json, size_t *len, int64_t deadline_ms);

int64_t loom_agent_now_ms(void);

/* Base64 (RFC 4648, with padding). Both return malloc'ed buffers, NULL on error. */
char *loom_b64_encode(const void *data, size_t len);
void *loom_b64_decode(const char *text, size_t *len);

#endif
