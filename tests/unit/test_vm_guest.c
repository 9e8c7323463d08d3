/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VM guest pieces that need no VM (docs/VMS.md):
 *  - base64 round trips for every length 0..300 and rejects bad input;
 *  - agent frames: a frame read back whole; bytes before the magic (a torn
 *    frame left by a client that went away, a partial magic) are skipped;
 *    an oversized length is refused; end of stream is EPIPE; a reader with
 *    a deadline and nothing to read times out;
 *  - the QEMU argv: TCG gets -cpu max, shared memfd memory, the 9p root
 *    read-only, the agent's port, MSI-X off and no ROM on vhost-user NICs
 *    (QEMU the server), a bare NIC socket name lands in the run directory;
 *    bad names, MACs and paths are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_proto.h"
#include "qemu_launch.h"

static void test_base64(void **state)
{
	unsigned char data[300];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(data); n++) {
		char *t = loom_b64_encode(data, n);
		size_t m = 0;
		assert_non_null(t);
		assert_int_equal(strlen(t), (n + 2) / 3 * 4);
		unsigned char *d = loom_b64_decode(t, &m);
		assert_non_null(d);
		assert_int_equal(m, n);
		assert_memory_equal(d, data, n);
		free(t);
		free(d);
	}
	char *t = loom_b64_encode("hello", 5);
	assert_string_equal(t, "aGVsbG8=");
	free(t);
	size_t m;
	assert_null(loom_b64_decode("aGV*bG8=", &m));
}

static void put(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void test_frames(void **state)
{
	int p[2];
	char *json;
	size_t len;

	/* non-blocking, as the agent's port and the client's socket: deadlines need it */
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(loom_agent_write_frame(p[1], "{\"op\":\"ready\"}", 14, -1), 0);
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, -1), 0);
	assert_int_equal(len, 14);
	assert_string_equal(json, "{\"op\":\"ready\"}");
	free(json);

	/* a torn frame's tail, a partial magic ("LGLG"), then a frame */
	put(p[1], "\x00\x00\x10tail of }LGLG", 16);
	assert_int_equal(loom_agent_write_frame(p[1], "{}", 2, -1), 0);
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, -1), 0);
	assert_string_equal(json, "{}");
	free(json);
	put(p[1], "LLGA1\x00\x00\x00\x01x", 10);
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, -1), 0);
	assert_string_equal(json, "x");
	free(json);

	/* too large */
	put(p[1], "LGA1\x7f\x00\x00\x00", 8);
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, -1), -1);
	assert_int_equal(errno, EMSGSIZE);

	/* nothing to read before the deadline */
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, loom_agent_now_ms() + 50), -1);
	assert_int_equal(errno, ETIMEDOUT);

	/* end of stream in the middle of a frame */
	put(p[1], "LGA1\x00\x00\x00\x09{\"a\"", 12);
	close(p[1]);
	assert_int_equal(loom_agent_read_frame(p[0], &json, &len, -1), -1);
	assert_int_equal(errno, EPIPE);
	close(p[0]);
}

static int has(const struct loom_vm_argv *a, const char *s)
{
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], s) == 0)
			return 1;
	return 0;
}

static const char *after(const struct loom_vm_argv *a, const char *opt)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], opt) == 0)
			return a->argv[i + 1];
	return "";
}

static void test_argv(void **state)
{
	struct loom_vm_config c = {
		.name = "h1",
		.image_dir = "/img",
		.agent = "/b/loom-guest-agent",
		.run_dir = "/run/loom-vm/h1",
		.accel = "tcg",
		.mem_mb = 256,
		.n_nics = 2,
		.nics = { { .socket = "nic0.sock", .mac = "52:54:00:00:00:01" },
			  { .socket = "/run/x/p1.sock", .mtu = 9000 } },
	};
	struct loom_vm_argv a;
	char err[256];

	assert_int_equal(loom_vm_build_argv(&c, &a, err, sizeof(err)), 0);
	assert_null(a.argv[a.argc]);
	assert_string_equal(a.argv[0], LOOM_VM_QEMU);
	assert_string_equal(after(&a, "-accel"), "tcg");
	assert_string_equal(after(&a, "-cpu"), "max");
	assert_string_equal(after(&a, "-m"), "256M");
	assert_true(has(&a, "memory-backend-memfd,id=loom-mem,size=256M,share=on"));
	assert_true(has(&a, "local,id=loomroot,path=/,security_model=passthrough,readonly=on,multidevs=remap"));
	assert_true(has(&a, "socket,id=agent,path=/run/loom-vm/h1/agent.sock,server=on,wait=off"));
	assert_true(has(&a, "virtserialport,bus=vser0.0,chardev=agent,name=org.loom.agent"));
	assert_true(has(&a, "socket,id=nic0,path=/run/loom-vm/h1/nic0.sock,server=on,wait=off"));
	assert_true(has(&a, "virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01,vectors=0,romfile="));
	assert_true(has(&a, "socket,id=nic1,path=/run/x/p1.sock,server=on,wait=off"));
	assert_non_null(strstr(after(&a, "-append"), "loom.agent=/b/loom-guest-agent"));
	int found = 0;
	for (int i = 0; i < a.argc; i++)
		if (strncmp(a.argv[i], "virtio-net-pci,netdev=net1,mac=52:54:00:", 40) == 0 &&
		    strstr(a.argv[i], ",vectors=0,romfile=,host_mtu=9000"))
			found = 1;
	assert_true(found);
	loom_vm_argv_free(&a);

	c.accel = "kvm";
	assert_int_equal(loom_vm_build_argv(&c, &a, err, sizeof(err)), 0);
	assert_string_equal(after(&a, "-cpu"), "host");
	loom_vm_argv_free(&a);

	struct loom_vm_config bad = c;
	bad.name = "../x";
	assert_int_equal(loom_vm_build_argv(&bad, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "VM name"));
	bad = c;
	bad.nics[0].mac = "01:00:00:00:00:01";
	assert_int_equal(loom_vm_build_argv(&bad, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unicast"));
	bad = c;
	bad.agent = "/b/agent,x";
	assert_int_equal(loom_vm_build_argv(&bad, &a, err, sizeof(err)), -1);
	bad = c;
	bad.nics[1].socket = "../up.sock";
	assert_int_equal(loom_vm_build_argv(&bad, &a, err, sizeof(err)), -1);
	bad = c;
	bad.accel = "hvf";
	assert_int_equal(loom_vm_build_argv(&bad, &a, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
