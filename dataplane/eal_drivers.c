/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL's drivers: only those loomd's configuration needs.
 *
 * DPDK built as shared libraries (Debian's) loads, at rte_eal_init, every
 * driver in its plugin directory (eal_plugins_init: the directory is
 * compiled in, `-d` only adds to it, and 22.11 has no option against
 * it): 128 drivers in Debian 12, ~15 MB of each loomd's memory (a small
 * virtual run's peak RSS 35.5 -> 20.5 MB with the ten below). So loomd
 * shows EAL another directory at that path: in a mount namespace of its
 * own (unshare; "/" a slave of the machine's, so mounts made later, e.g.
 * a host's /run/netns, still reach loomd, and nothing of loomd's leaks
 * out), a small tmpfs over the plugin directory holds the real directory
 * (bind-mounted in a subdirectory, which EAL does not read) and a link
 * into it for each driver loomd needs.
 *
 * Needed: the vdev and pci buses (every vdev driver links the pci bus's
 * library; loomd passes --no-pci, so it scans nothing), the ring and
 * stack mempool drivers (mbuf pools; runner/vt_pool.c), and each port's
 * driver named by its devargs ("net_af_xdp0,iface=..." ->
 * librte_net_af_xdp.so). Anything else — a devargs naming a driver not in
 * the directory, no permission (not root), a process already threaded
 * (unshare of the mount namespace needs a single thread) — leaves EAL the
 * whole directory, as before: never fewer drivers than it needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "eal_drivers.h"
#include "loomd_config_read.h"

#ifndef LOOM_DPDK_PMD_DIR
#define LOOM_DPDK_PMD_DIR "" /* meson found none: nothing to do */
#define LOOM_DPDK_ABI_MAJOR ""
#endif

#define MAX_DRIVERS 32
/* In the tmpfs: the real directory, bind-mounted (open_tree + move_mount:
 * cloned before the tmpfs hides it). EAL does not look into
 * subdirectories. */
#define DRIVERS_SUBDIR "all"

static const char *const always[] = {"bus_vdev", "bus_pci", "mempool_ring", "mempool_stack"};

static int add(char names[][64], int *n, const char *name, size_t len)
{
	if (len == 0 || len >= 64)
		return -1;
	for (int i = 0; i < *n; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], name, len))
			return 0;
	if (*n >= MAX_DRIVERS)
		return -1;
	memcpy(names[*n], name, len);
	names[*n][len] = '\0';
	(*n)++;
	return 0;
}

/* Each port's driver: the devargs' name up to its instance number or first
 * comma. -1 when one cannot be told (EAL then gets every driver). */
static int drivers_of(const json_t *root, char names[][64], int *n)
{
	json_t *sw, *port;
	size_t i, j;
	int rc = 0;

	if (!root)
		return -1;
	json_array_foreach(json_object_get(root, LOOMD_KEY(ROOT_SWITCHES)), i, sw) {
		json_array_foreach(json_object_get(sw, LOOMD_KEY(SWITCH_PORTS)), j, port) {
			const char *d = json_string_value(
				json_object_get(json_object_get(port, LOOMD_KEY(PORT_LINK)), LOOMD_KEY(LINK_DEVARGS)));
			size_t len = 0;

			if (!d || !*d)
				continue;
			while (d[len] && d[len] != ',' && (d[len] < '0' || d[len] > '9'))
				len++;
			if (strncmp(d, "net_", 4) != 0 || add(names, n, d, len) < 0)
				rc = -1; /* a PCI address, or a name of another kind */
		}
	}
	return rc;
}

int loom_eal_drivers_limit(const json_t *config)
{
	const char *dir = LOOM_DPDK_PMD_DIR;
	char names[MAX_DRIVERS][64], path[512], target[512];
	int n = 0, real, tree;

	if (!*dir)
		return 0;
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		add(names, &n, always[i], strlen(always[i]));
	if (drivers_of(config, names, &n) < 0)
		return 0;
	real = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (real < 0)
		return 0;
	for (int i = 0; i < n; i++) { /* every one there, or the whole directory */
		struct stat st;

		snprintf(path, sizeof(path), "librte_%s.so", names[i]);
		if (fstatat(real, path, &st, 0) != 0 || !S_ISREG(st.st_mode)) {
			close(real);
			return 0;
		}
	}
	close(real);
	if (unshare(CLONE_NEWNS) != 0) {
		if (errno != EPERM && errno != EINVAL)
			fprintf(stderr, "loomd: every DPDK driver loaded (unshare: %s)\n", strerror(errno));
		return 0;
	}
	/* From here the mount namespace is loomd's alone: what half-happens
	 * in it is seen by nobody else, and EAL reads whatever directory is
	 * then at `dir` (the real one unless the tmpfs is mounted). */
	tree = -1;
	snprintf(path, sizeof(path), "%s/" DRIVERS_SUBDIR, dir);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0 ||
	    (tree = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0 ||
	    mount("loom-eal-drivers", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") != 0)
		goto fail;
	if (mkdir(path, 0755) != 0 || move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
		umount2(dir, MNT_DETACH);
		goto fail;
	}
	close(tree);
	for (int i = 0; i < n; i++) {
		/* the name EAL loads (.so) and the one the drivers' own links
		 * name (.so.23, through /usr/lib/...: librte_bus_pci.so.23);
		 * relative, so that realpath (EAL's, textual) stays inside */
		const char *suffix[] = {".so", ".so." LOOM_DPDK_ABI_MAJOR};

		for (int s = 0; s < 2; s++) {
			snprintf(target, sizeof(target), DRIVERS_SUBDIR "/librte_%s%s", names[i], suffix[s]);
			snprintf(path, sizeof(path), "%s/librte_%s%s", dir, names[i], suffix[s]);
			if (symlink(target, path) != 0) {
				fprintf(stderr, "loomd: every DPDK driver loaded (%s: %s)\n", path, strerror(errno));
				umount2(dir, MNT_DETACH); /* its submount with it */
				return 0;
			}
		}
	}
	return 1;
fail:
	fprintf(stderr, "loomd: every DPDK driver loaded (mount: %s)\n", strerror(errno));
	if (tree >= 0)
		close(tree);
	return 0;
}
