/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run directory loomctl acts on (run_dir.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loom_open_nofollow.h"
#include "run_dir.h"

#define STATE_KEY_NETNS_PREFIX "netns_prefix"

static struct loom_run_paths paths;
static char netns_prefix[64];
static bool netns_prefix_known;

static void fill(const char *dir)
{
	snprintf(paths.dir, sizeof(paths.dir), "%s", dir);
	snprintf(paths.socket, sizeof(paths.socket), "%s/loomd.sock", dir);
	snprintf(paths.config, sizeof(paths.config), "%s/config.json", dir);
	snprintf(paths.log, sizeof(paths.log), "%s/loomd.log", dir);
	snprintf(paths.changes, sizeof(paths.changes), "%s/changes", dir);
	snprintf(paths.state, sizeof(paths.state), "%s/state.json", dir);
	snprintf(paths.hosts_script, sizeof(paths.hosts_script), "%s/hosts-up.sh", dir);
	snprintf(paths.hosts_log, sizeof(paths.hosts_log), "%s/hosts-up.log", dir);
	snprintf(paths.pid, sizeof(paths.pid), "%s/loomd.pid", dir);
}

const struct loom_run_paths *loom_run_paths(void)
{
	if (!paths.dir[0])
		fill(LOOM_RUN_DIR_DEFAULT);
	return &paths;
}

int loom_run_dir_set(const char *dir)
{
	/* the socket path must fit sun_path (108) with "/loomd.sock" */
	if (dir[0] != '/' || strstr(dir, "/..") || strlen(dir) > 90 || strlen(dir) < 2 ||
	    strpbrk(dir, "\n\t ") || dir[strlen(dir) - 1] == '/') {
		fprintf(stderr, "loomctl: --run-dir: an absolute path without '..', spaces or a trailing '/', at "
				"most 90 characters\n");
		return -1;
	}
	fill(dir);
	return 0;
}

void loom_run_dir_of_machine(const char *fabric, const char *machine, char *buf, size_t len)
{
	snprintf(buf, len, LOOM_RUN_DIR_MACHINE_PREFIX "%s-%s", fabric, machine);
}

int loom_run_dir_find_machine(const char *machine)
{
	char pattern[128], dir[128];
	glob_t g;
	int rc;

	/* names are letters, digits, '_' and '-' (topo_name_ok): nothing a
	 * glob would read as a pattern */
	if (strpbrk(machine, "/*?[\\ ") || !*machine) {
		fprintf(stderr, "loomctl: --machine: bad machine name\n");
		return -1;
	}
	snprintf(pattern, sizeof(pattern), LOOM_RUN_DIR_MACHINE_PREFIX "*-%s/state.json", machine);
	rc = glob(pattern, 0, NULL, &g);
	if (rc != 0 || g.gl_pathc == 0) {
		if (rc == 0)
			globfree(&g);
		fprintf(stderr, "loomctl: no fabric is up with a part on machine %s (no %s)\n", machine, pattern);
		return -1;
	}
	if (g.gl_pathc > 1) {
		fprintf(stderr, "loomctl: several fabrics have a part on machine %s; choose one with --run-dir:\n",
			machine);
		for (size_t i = 0; i < g.gl_pathc; i++)
			fprintf(stderr, "  %.*s\n", (int)(strlen(g.gl_pathv[i]) - strlen("/state.json")), g.gl_pathv[i]);
		globfree(&g);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(g.gl_pathv[0]) - strlen("/state.json")), g.gl_pathv[0]);
	globfree(&g);
	return loom_run_dir_set(dir);
}

void loom_netns_prefix_set(const char *prefix)
{
	snprintf(netns_prefix, sizeof(netns_prefix), "%s", prefix);
	netns_prefix_known = true;
}

void loom_host_netns(const char *host, char *buf, size_t len)
{
	if (!netns_prefix_known) {
		json_t *state = json_load_file(loom_run_paths()->state, 0, NULL);
		const char *p = json_string_value(json_object_get(state, STATE_KEY_NETNS_PREFIX));

		loom_netns_prefix_set(p && strlen(p) < sizeof(netns_prefix) && !strchr(p, '/') ? p : "loom-");
		json_decref(state);
	}
	snprintf(buf, len, "%s%s", netns_prefix, host);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path); /* a symlink is removed, not followed */
	return 0;
}

void loom_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int loom_run_script(const char *script, const char *log)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = loom_open_nofollow(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execl("/bin/sh", "sh", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

void loom_print_tail(const char *path, int n)
{
	char line[512], ring[8][512];
	int count = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (n > 8)
		n = 8;
	while (fgets(line, sizeof(line), f))
		snprintf(ring[count++ % n], sizeof(ring[0]), "%s", line);
	fclose(f);
	for (int i = count > n ? count - n : 0; i < count; i++)
		fputs(ring[i % n], stderr);
}

void loom_run_dir_remove(void)
{
	const struct loom_run_paths *p = loom_run_paths();
	const char *files[] = {p->socket, p->config, p->log, p->state, p->hosts_script, p->hosts_log, p->pid};

	if (strcmp(p->dir, LOOM_RUN_DIR_DEFAULT) == 0) {
		loom_remove_tree(p->dir);
		return;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	loom_remove_tree(p->changes);
	if (rmdir(p->dir) < 0 && errno != ENOENT)
		fprintf(stderr, "loomctl: %s kept: %s\n", p->dir, strerror(errno));
}

int loom_run_dir_make(void)
{
	const char *dir = loom_run_paths()->dir;
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "loomctl: cannot create %s: %s (run as root)\n", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		fprintf(stderr, "loomctl: %s is not a directory of this user's (a symlink?): refused\n", dir);
		return -1;
	}
	return 0;
}

void loom_run_dir_hint_parts(void)
{
	glob_t g;

	if (glob(LOOM_RUN_DIR_MACHINE_PREFIX "*/state.json", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		fprintf(stderr, "loomctl: a machine's part is up in %.*s: loomctl ... --run-dir %.*s (or --machine NAME)\n",
			(int)(strlen(g.gl_pathv[i]) - strlen("/state.json")), g.gl_pathv[i],
			(int)(strlen(g.gl_pathv[i]) - strlen("/state.json")), g.gl_pathv[i]);
	globfree(&g);
}
