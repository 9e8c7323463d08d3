/* SPDX-License-Identifier: BSD-3-Clause */
/* One QEMU guest: argv, start, stop (qemu_launch.h). */
#include "qemu_launch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loom_open_nofollow.h"
#include "vm_err.h"

#define SUN_PATH_MAX 108
static const char *const run_files[] = {
	"agent.sock", "console.sock", "console.log", "qmp.sock", "qemu.log", "qemu.pid", "nic-sockets",
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct argv_builder {
	char **v;
	int n, cap;
	bool failed;
};

static void add(struct argv_builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (b->failed)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s && b->n + 2 > b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		char **v = realloc(b->v, (size_t)cap * sizeof(char *));
		if (v) {
			b->v = v;
			b->cap = cap;
		} else {
			free(s);
			s = NULL;
		}
	}
	if (!s) {
		b->failed = true;
		return;
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

void loom_vm_argv_free(struct loom_vm_argv *a)
{
	if (a->argv)
		for (int i = 0; i < a->argc; i++)
			free(a->argv[i]);
	free(a->argv);
	a->argv = NULL;
	a->argc = 0;
}

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/*
 * A path that goes into QEMU's comma-separated options or the kernel's
 * space-separated command line: absolute, printable, no ',' and no space.
 */
static bool valid_path(const char *p, const char *what, char *err, size_t errlen)
{
	if (!p || p[0] != '/') {
		vm_set_err(err, errlen, "%s must be an absolute path", what);
		return false;
	}
	for (const char *s = p; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == ',' || *s == '"') {
			vm_set_err(err, errlen, "%s %s: no spaces, commas or quotes allowed", what, p);
			return false;
		}
	if (strlen(p) > 4000) {
		vm_set_err(err, errlen, "%s too long", what);
		return false;
	}
	return true;
}

static bool valid_mac(const char *m)
{
	if (strlen(m) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	/* a unicast address */
	int first = (int)strtol(m, NULL, 16);
	return !(first & 1);
}

/* A tap interface's name: it goes into QEMU's -netdev option and is a
 * kernel interface name. */
static bool valid_tap(const char *t, unsigned i, char *err, size_t errlen)
{
	size_t n = strlen(t);

	if (n == 0 || n >= 16 || t[0] == '.' || t[0] == '-' ||
	    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n) {
		vm_set_err(err, errlen, "NIC %u tap '%s': 1-15 letters, digits, '-', '_' or '.'", i, t);
		return false;
	}
	return true;
}

/* The NIC socket's path: in the run directory when given as a bare name. */
static int nic_socket_path(const struct loom_vm_config *c, unsigned i, char *out, size_t n, char *err,
			   size_t errlen)
{
	const char *s = c->nics[i].socket;

	if (!s || !*s) {
		vm_set_err(err, errlen, "NIC %u has no vhost-user socket", i);
		return -1;
	}
	if (!strchr(s, '/')) {
		if (s[0] == '.' ||
		    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(s)) {
			vm_set_err(err, errlen, "NIC %u socket name %s: letters, digits, '-', '_' and '.' only", i, s);
			return -1;
		}
		snprintf(out, n, "%s/%s", c->run_dir, s);
	} else {
		if (!valid_path(s, "NIC socket", err, errlen))
			return -1;
		snprintf(out, n, "%s", s);
	}
	if (strlen(out) >= SUN_PATH_MAX) {
		vm_set_err(err, errlen, "NIC %u socket path %s is longer than a unix socket allows (%d)", i, out,
			SUN_PATH_MAX - 1);
		return -1;
	}
	return 0;
}

static void read_accel(const struct loom_vm_config *c, char *out, size_t n)
{
	char path[4096], line[16] = "";
	FILE *f;

	snprintf(out, n, "tcg");
	if (c->accel) {
		snprintf(out, n, "%s", c->accel);
		return;
	}
	snprintf(path, sizeof(path), "%s/accel", c->image_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && strncmp(line, "kvm", 3) == 0)
		snprintf(out, n, "kvm");
	fclose(f);
}

/* The image has the uncompressed kernel (booted through its PVH entry: no firmware, no decompression). */
static bool pvh_kernel(const char *image_dir)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/vmlinux", image_dir);
	return access(p, R_OK) == 0;
}

int loom_vm_build_argv(const struct loom_vm_config *c, struct loom_vm_argv *out, char *err, size_t errlen)
{
	struct argv_builder b = { 0 };
	unsigned mem = c->mem_mb ? c->mem_mb : 512, cpus = c->cpus ? c->cpus : 1;
	const char *run = c->run_dir;

	memset(out, 0, sizeof(*out));
	if (!valid_name(c->name)) {
		vm_set_err(err, errlen, "VM name '%s': 1 to 32 letters, digits, '-' or '_'", c->name ? c->name : "");
		return -1;
	}
	if (!valid_path(c->image_dir, "guest image directory", err, errlen) ||
	    !valid_path(c->agent, "guest agent", err, errlen) || !valid_path(run, "run directory", err, errlen))
		return -1;
	if (strlen(run) + sizeof("/console.sock") > SUN_PATH_MAX) {
		vm_set_err(err, errlen, "run directory %s is too long for its unix sockets", run);
		return -1;
	}
	if (c->n_nics > LOOM_VM_MAX_NICS) {
		vm_set_err(err, errlen, "at most %d NICs", LOOM_VM_MAX_NICS);
		return -1;
	}
	if (mem < 128 || mem > 65536 || cpus > 64) {
		vm_set_err(err, errlen, "memory %u MB / %u CPUs out of range", mem, cpus);
		return -1;
	}
	read_accel(c, out->accel, sizeof(out->accel));
	if (strcmp(out->accel, "kvm") != 0 && strcmp(out->accel, "tcg") != 0) {
		vm_set_err(err, errlen, "accelerator '%s': kvm or tcg", out->accel);
		return -1;
	}
	bool kvm = strcmp(out->accel, "kvm") == 0;

	add(&b, "%s", c->qemu ? c->qemu : LOOM_VM_QEMU);
	add(&b, "-name");
	add(&b, "guest=loom-%s", c->name);
	add(&b, "-nodefaults");
	add(&b, "-no-user-config");
	add(&b, "-display");
	add(&b, "none");
	add(&b, "-no-reboot");
	add(&b, "-accel");
	add(&b, kvm ? "kvm" : "tcg");
	add(&b, "-cpu");
	add(&b, kvm ? "host" : "max"); /* TCG's default qemu64 lacks SSE4.2 */
	/* vhost-user maps the guest's memory: it must be shared memory */
	add(&b, "-machine");
	add(&b, "q35,memory-backend=loom-mem");
	add(&b, "-m");
	add(&b, "%uM", mem);
	add(&b, "-object");
	add(&b, "memory-backend-memfd,id=loom-mem,size=%uM,share=on", mem);
	add(&b, "-smp");
	add(&b, "%u", cpus);
	add(&b, "-kernel");
	add(&b, "%s/%s", c->image_dir, pvh_kernel(c->image_dir) ? "vmlinux" : "vmlinuz");
	add(&b, "-initrd");
	add(&b, "%s/initrd.img", c->image_dir);
	add(&b, "-append");
	add(&b, "console=ttyS0 quiet panic=-1 loom.agent=%s loom.kroot=%s/kroot loom.name=%s", c->agent, c->image_dir,
	    c->name);
	/* the host's root, read-only, over 9p */
	add(&b, "-fsdev");
	add(&b, "local,id=loomroot,path=/,security_model=passthrough,readonly=on,multidevs=remap");
	add(&b, "-device");
	add(&b, "virtio-9p-pci,fsdev=loomroot,mount_tag=loomroot");
	/* the agent's virtio-serial port */
	add(&b, "-device");
	add(&b, "virtio-serial-pci,id=vser0");
	add(&b, "-chardev");
	add(&b, "socket,id=agent,path=%s/agent.sock,server=on,wait=off", run);
	add(&b, "-device");
	add(&b, "virtserialport,bus=vser0.0,chardev=agent,name=org.loom.agent");
	/* the serial console */
	add(&b, "-chardev");
	add(&b, "socket,id=console,path=%s/console.sock,server=on,wait=off,logfile=%s/console.log", run, run);
	add(&b, "-serial");
	add(&b, "chardev:console");
	add(&b, "-qmp");
	add(&b, "unix:%s/qmp.sock,server=on,wait=off", run);
	for (unsigned i = 0; i < c->n_nics; i++) {
		char sock[4200], mac[18];

		if (c->nics[i].tap ? !valid_tap(c->nics[i].tap, i, err, errlen)
				   : nic_socket_path(c, i, sock, sizeof(sock), err, errlen) < 0) {
			loom_vm_argv_free(&(struct loom_vm_argv){ .argc = b.n, .argv = b.v });
			return -1;
		}
		if (c->nics[i].mac) {
			if (!valid_mac(c->nics[i].mac)) {
				vm_set_err(err, errlen, "NIC %u: '%s' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)", i,
					c->nics[i].mac);
				loom_vm_argv_free(&(struct loom_vm_argv){ .argc = b.n, .argv = b.v });
				return -1;
			}
			snprintf(mac, sizeof(mac), "%s", c->nics[i].mac);
		} else {
			uint32_t h = 2166136261u;
			for (const char *s = c->name; *s; s++)
				h = (h ^ (unsigned char)*s) * 16777619u;
			snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", h >> 8 & 0xff, h & 0xff, i);
		}
		if (c->nics[i].mtu && (c->nics[i].mtu < 68 || c->nics[i].mtu > 65535)) {
			vm_set_err(err, errlen, "NIC %u: MTU %u out of range", i, c->nics[i].mtu);
			loom_vm_argv_free(&(struct loom_vm_argv){ .argc = b.n, .argv = b.v });
			return -1;
		}
		if (c->nics[i].tap) {
			/* the kernel's tap: QEMU opens it (creating it when missing) */
			add(&b, "-netdev");
			add(&b, "tap,id=net%u,ifname=%s,script=no,downscript=no", i, c->nics[i].tap);
		} else {
			add(&b, "-chardev");
			add(&b, "socket,id=nic%u,path=%s,server=on,wait=off", i, sock);
			add(&b, "-netdev");
			add(&b, "vhost-user,id=net%u,chardev=nic%u", i, i);
		}
		add(&b, "-device");
		/* MSI-X off (TCG + vhost-user crashes QEMU 7.2 otherwise) and no option ROM */
		if (c->nics[i].mtu)
			add(&b, "virtio-net-pci,netdev=net%u,mac=%s,vectors=0,romfile=,host_mtu=%u", i, mac, c->nics[i].mtu);
		else
			add(&b, "virtio-net-pci,netdev=net%u,mac=%s,vectors=0,romfile=", i, mac);
	}
	if (b.failed) {
		loom_vm_argv_free(&(struct loom_vm_argv){ .argc = b.n, .argv = b.v });
		vm_set_err(err, errlen, "out of memory");
		return -1;
	}
	out->argc = b.n;
	out->argv = b.v;
	return 0;
}

static int check_file(const char *path, int mode, const char *what, const char *hint, char *err, size_t errlen)
{
	if (access(path, mode) == 0)
		return 0;
	vm_set_err(err, errlen, "%s %s: %s%s", what, path, strerror(errno), hint);
	return -1;
}

int loom_vm_check(const struct loom_vm_config *c, char *err, size_t errlen)
{
	char p[4200];
	const char *img_hint = " (build the guest image: vm/guest/build-image.sh)";

	if (check_file(c->qemu ? c->qemu : LOOM_VM_QEMU, X_OK, "QEMU", " (apt-get install qemu-system-x86)", err,
		       errlen) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/%s", c->image_dir, pvh_kernel(c->image_dir) ? "vmlinux" : "vmlinuz");
	if (check_file(p, R_OK, "guest kernel", img_hint, err, errlen) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/initrd.img", c->image_dir);
	if (check_file(p, R_OK, "guest initramfs", img_hint, err, errlen) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/kroot/lib/modules", c->image_dir);
	if (check_file(p, R_OK | X_OK, "guest kernel modules", img_hint, err, errlen) < 0)
		return -1;
	if (check_file(c->agent, X_OK, "guest agent", " (build it: ninja -C build)", err, errlen) < 0)
		return -1;
	/* the guest's memory is a memfd shared with the vhost-user backends */
	int fd = memfd_create("loom-vm-check", MFD_CLOEXEC);
	if (fd < 0) {
		vm_set_err(err, errlen, "no shared memory for the guest: memfd_create: %s", strerror(errno));
		return -1;
	}
	int rc = ftruncate(fd, 1 << 20);
	void *m = rc == 0 ? mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	close(fd);
	if (m == MAP_FAILED) {
		vm_set_err(err, errlen, "no shared memory for the guest: cannot map a memfd: %s", strerror(errno));
		return -1;
	}
	munmap(m, 1 << 20);
	return 0;
}

/* A file of the run directory, with no symlink followed on any component
 * of its path (a run directory under a linked /run/loom-vm must not send
 * root's writes elsewhere: api/loom_open_nofollow.h). */
static int open_in(const char *dir, const char *name, int flags, char *err, size_t errlen)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = loom_open_nofollow(p, flags, 0600);
	if (fd < 0)
		vm_set_err(err, errlen, "%s: %s", p, strerror(errno));
	return fd;
}

/* mkdir(path) in its parent opened without a symlink on the way
 * (loom_open_nofollow), so that the run directory is not made at a link's
 * target either. */
static int mkdir_nofollow(const char *path, mode_t mode)
{
	char parent[4200];
	size_t n = strlen(path);
	char *slash;
	int dfd, rc, saved;

	if (n >= sizeof(parent)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, path, n + 1);
	while (n > 1 && parent[n - 1] == '/') /* "dir/" is "dir" */
		parent[--n] = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		return mkdir(parent, mode);
	*slash = '\0';
	dfd = loom_open_nofollow(slash == parent ? "/" : parent, O_RDONLY | O_DIRECTORY, 0);
	if (dfd < 0)
		return -1;
	rc = mkdirat(dfd, slash + 1, mode);
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

/* Remove what a guest leaves in its run directory, the NIC sockets, the directory. */
static int cleanup_run_dir(const char *run_dir, char *err, size_t errlen)
{
	char p[4200], line[4200];
	struct stat st;

	int fd = open_in(run_dir, "nic-sockets", O_RDONLY, NULL, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '/' && lstat(line, &st) == 0 && S_ISSOCK(st.st_mode))
				unlink(line);
		}
		fclose(f);
	}
	for (size_t i = 0; i < sizeof(run_files) / sizeof(run_files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", run_dir, run_files[i]);
		unlink(p);
	}
	if (rmdir(run_dir) < 0 && errno != ENOENT) {
		vm_set_err(err, errlen, "cannot remove %s: %s", run_dir, strerror(errno));
		return -1;
	}
	return 0;
}

static pid_t read_pid(const char *run_dir)
{
	char buf[32] = "";
	int fd = open_in(run_dir, "qemu.pid", O_RDONLY, NULL, 0);

	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long pid = strtol(buf, NULL, 10);
	return pid > 1 ? (pid_t)pid : 0;
}

/* Is pid a live (not zombie) QEMU of this run directory? */
static bool is_our_qemu(pid_t pid, const char *run_dir)
{
	char p[64], stat_buf[512], want[4200];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, stat_buf, sizeof(stat_buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat_buf[n] = '\0';
	char *rp = strrchr(stat_buf, ')');
	if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
		return false;
	/* its command line names this run directory's agent socket */
	static char cmd[65536];
	snprintf(p, sizeof(p), "/proc/%d/cmdline", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return false;
	snprintf(want, sizeof(want), "path=%s/agent.sock,", run_dir);
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1) {
		cmd[n] = '\0';
		if (strstr(cmd + i, want))
			return true;
	}
	return false;
}

pid_t loom_vm_running(const char *run_dir)
{
	pid_t pid = read_pid(run_dir);

	if (pid > 0)
		waitpid(pid, NULL, WNOHANG); /* reap it if it was our child and died */
	return pid > 0 && is_our_qemu(pid, run_dir) ? pid : 0;
}

int loom_vm_start(const struct loom_vm_config *c, struct loom_vm *vm, char *err, size_t errlen)
{
	struct loom_vm_argv a;
	char p[4200];

	memset(vm, 0, sizeof(*vm));
	if (loom_vm_build_argv(c, &a, err, errlen) < 0)
		return -1;
	if (loom_vm_check(c, err, errlen) < 0) {
		loom_vm_argv_free(&a);
		return -1;
	}
	if (mkdir_nofollow(c->run_dir, 0700) < 0) {
		vm_set_err(err, errlen, "cannot create the run directory %s: %s%s", c->run_dir, strerror(errno),
			errno == EEXIST ? " (a guest of that name runs, or was not stopped: stop it first)" : "");
		loom_vm_argv_free(&a);
		return -1;
	}
	int nf = open_in(c->run_dir, "nic-sockets", O_WRONLY | O_CREAT | O_EXCL, err, errlen);
	if (nf >= 0) {
		for (unsigned i = 0; i < c->n_nics; i++) {
			if (c->nics[i].tap)
				continue; /* no socket: nothing to wait for or remove */
			nic_socket_path(c, i, p, sizeof(p), NULL, 0);
			dprintf(nf, "%s\n", p);
		}
		close(nf);
	}
	int log = nf >= 0 ? open_in(c->run_dir, "qemu.log", O_WRONLY | O_CREAT | O_EXCL, err, errlen) : -1;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log < 0 || devnull < 0) {
		if (devnull < 0)
			vm_set_err(err, errlen, "/dev/null: %s", strerror(errno));
		if (log >= 0)
			close(log);
		cleanup_run_dir(c->run_dir, NULL, 0);
		loom_vm_argv_free(&a);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		dup2(devnull, 0);
		dup2(log, 1);
		dup2(log, 2);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close_range(3, ~0U, 0); /* whatever the caller (loomctl) has open */
		execv(a.argv[0], a.argv);
		dprintf(2, "cannot run %s: %s\n", a.argv[0], strerror(errno));
		_exit(127);
	}
	int fork_errno = errno;
	close(log);
	close(devnull);
	snprintf(vm->accel, sizeof(vm->accel), "%s", a.accel);
	loom_vm_argv_free(&a);
	if (pid < 0) {
		vm_set_err(err, errlen, "fork: %s", strerror(fork_errno));
		cleanup_run_dir(c->run_dir, NULL, 0);
		return -1;
	}
	int pf = open_in(c->run_dir, "qemu.pid", O_WRONLY | O_CREAT | O_EXCL, err, errlen);
	if (pf >= 0) {
		dprintf(pf, "%d\n", (int)pid);
		close(pf);
	}
	vm->pid = pid;
	snprintf(vm->run_dir, sizeof(vm->run_dir), "%s", c->run_dir);
	snprintf(vm->agent_socket, sizeof(vm->agent_socket), "%s/agent.sock", c->run_dir);
	snprintf(vm->console_socket, sizeof(vm->console_socket), "%s/console.sock", c->run_dir);

	/* QEMU creates its sockets before the guest runs: wait for the QMP one, the last. */
	snprintf(p, sizeof(p), "%s/qmp.sock", c->run_dir);
	int64_t deadline = now_ms() + 20000;
	for (;;) {
		struct stat st;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			char msg[600] = "";
			int lf = open_in(c->run_dir, "qemu.log", O_RDONLY, NULL, 0);
			if (lf >= 0) {
				off_t end = lseek(lf, 0, SEEK_END);
				lseek(lf, end > 500 ? end - 500 : 0, SEEK_SET);
				ssize_t n = read(lf, msg, 500);
				msg[n > 0 ? n : 0] = '\0';
				close(lf);
				for (char *s = msg; *s; s++)
					if (*s == '\n' && s[1])
						*s = ' ';
					else if (!isprint((unsigned char)*s) && *s != '\n')
						*s = '?';
			}
			vm_set_err(err, errlen, "QEMU exited at start (%s %d): %s",
				WIFEXITED(status) ? "status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), msg);
			cleanup_run_dir(c->run_dir, NULL, 0);
			return -1;
		}
		if (lstat(p, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (now_ms() > deadline) {
			vm_set_err(err, errlen, "QEMU (pid %d) created no sockets in %s within 20 s", (int)pid,
				c->run_dir);
			loom_vm_stop(c->run_dir, 2000, NULL, 0);
			return -1;
		}
		usleep(20000);
	}
}

int loom_vm_stop(const char *run_dir, int timeout_ms, char *err, size_t errlen)
{
	struct stat st;

	if (!run_dir || run_dir[0] != '/') {
		vm_set_err(err, errlen, "run directory must be an absolute path");
		return -1;
	}
	if (lstat(run_dir, &st) < 0) {
		vm_set_err(err, errlen, "%s: %s", run_dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		vm_set_err(err, errlen, "%s is not a run directory of ours", run_dir);
		return -1;
	}
	pid_t pid = loom_vm_running(run_dir);
	if (pid > 0) {
		kill(pid, SIGTERM);
		int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 5000);
		bool killed = false;
		while (is_our_qemu(pid, run_dir)) {
			waitpid(pid, NULL, WNOHANG);
			if (!killed && now_ms() > deadline) {
				kill(pid, SIGKILL);
				killed = true;
				deadline = now_ms() + 5000;
			} else if (killed && now_ms() > deadline) {
				vm_set_err(err, errlen, "QEMU (pid %d) does not die", (int)pid);
				return -1;
			}
			usleep(20000);
		}
		waitpid(pid, NULL, WNOHANG);
	}
	return cleanup_run_dir(run_dir, err, errlen);
}
