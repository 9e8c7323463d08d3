/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One QEMU guest of Loom (docs/VMS.md): the argv that boots the guest image
 * of vm/guest/build-image.sh with the host's root over 9p, the agent's
 * virtio-serial port, a serial console and N virtio-net NICs on vhost-user
 * sockets (QEMU as the socket server: the vhost-user backend connects as a
 * client and may restart) or on kernel tap interfaces (QEMU creates the tap
 * when it does not exist; it goes with QEMU: a guest on a network of the
 * kernel, as loomd inside a VM, docs/MULTI_MACHINE.md); starting it by PID
 * and stopping it, leaving no file behind.
 *
 * Everything of one guest lives in its run directory (created 0700 by
 * loom_vm_start, removed by loom_vm_stop):
 *   agent.sock    virtio-serial chardev of the guest agent (agent_client.h)
 *   console.sock  the serial console (ttyS0: a shell in the guest)
 *   console.log   what the console printed (boot messages)
 *   qmp.sock      QMP monitor
 *   qemu.log      QEMU's own stdout/stderr
 *   qemu.pid      QEMU's PID
 *   nic-sockets   the vhost-user socket paths (one a line), removed on stop
 * A NIC socket given without a '/' is created in the run directory.
 */
#ifndef LOOM_QEMU_LAUNCH_H
#define LOOM_QEMU_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

#define LOOM_VM_MAX_NICS 8
#define LOOM_VM_QEMU "/usr/bin/qemu-system-x86_64"

struct loom_vm_nic {
	const char *socket; /* vhost-user socket path (QEMU listens on it); NULL with tap */
	const char *mac;    /* "52:54:00:xx:xx:xx"; NULL: derived from the name and index */
	unsigned mtu;       /* 0: device default (1500); else virtio-net host_mtu */
	const char *tap;    /* instead of socket: a tap interface's name ([A-Za-z0-9_.-], < 16 bytes) */
};

struct loom_vm_config {
	const char *name;      /* [A-Za-z0-9_-]{1,32} */
	const char *image_dir; /* from build-image.sh: vmlinux (else vmlinuz), initrd.img, kroot/, accel */
	const char *agent;     /* absolute path of loom-guest-agent (run in the guest from the host's root) */
	const char *run_dir;   /* created by loom_vm_start; must not exist */
	const char *qemu;      /* NULL: LOOM_VM_QEMU */
	const char *accel;     /* "kvm", "tcg" or NULL: image_dir/accel (the probe's verdict), else tcg */
	unsigned mem_mb;       /* 0: 512 */
	unsigned cpus;         /* 0: 1 */
	unsigned n_nics;
	struct loom_vm_nic nics[LOOM_VM_MAX_NICS];
};

struct loom_vm_argv {
	int argc;
	char **argv; /* NULL-terminated; free with loom_vm_argv_free */
	char accel[8];
};

struct loom_vm {
	pid_t pid;
	char run_dir[256];
	char agent_socket[108];
	char console_socket[108];
	char accel[8];
};

/* The QEMU command line for c (nothing started, nothing created). */
int loom_vm_build_argv(const struct loom_vm_config *c, struct loom_vm_argv *out, char *err, size_t errlen);
void loom_vm_argv_free(struct loom_vm_argv *a);

/* What loom_vm_start checks first: QEMU, the image's kernel, initramfs and
 * modules, the agent, shared memory. 0, or -1 with what is missing (and
 * how to get it) in err. */
int loom_vm_check(const struct loom_vm_config *c, char *err, size_t errlen);

/*
 * Check what a guest needs (QEMU, the image, the agent, shared memory),
 * create the run directory, start QEMU (its own session, stdin /dev/null,
 * output to qemu.log) and wait until its sockets exist. 0, or -1 with a
 * message in err (QEMU's own error when it exited at once) and nothing
 * left behind.
 */
int loom_vm_start(const struct loom_vm_config *c, struct loom_vm *vm, char *err, size_t errlen);

/*
 * Stop the QEMU of run_dir (SIGTERM, SIGKILL after timeout_ms) and remove
 * the run directory and the NIC sockets. Also cleans up after a QEMU that
 * already died. 0, or -1 with err.
 */
int loom_vm_stop(const char *run_dir, int timeout_ms, char *err, size_t errlen);

/* The PID of the QEMU of run_dir when it is running, else 0. */
pid_t loom_vm_running(const char *run_dir);

#endif
