/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `loomctl restart`, and `loomctl up` of a fabric whose loomd died: loomd
 * comes back on the same configuration while the hosts stay (namespaces
 * with their veths, VM hosts' QEMUs), in this order:
 *
 *  1. check that everything loomd serves is still there: the configuration,
 *     each host namespace and veth (else: refuse, hosts untouched, and say
 *     how to recreate them); a VM host whose QEMU is gone is reported;
 *  2. the clock starts: stop loomd if it runs (its shutdown request);
 *  3. remove what a killed loomd leaves: EAL's runtime directory and the
 *     XDP programs on its af_xdp ports' veths (xdp_leftover.h);
 *  4. start loomd with the same configuration, socket and changes
 *     directory: before it forwards, it re-applies the live changes
 *     recorded there (dataplane/ctl/ctl_changes.h);
 *  5. the outage: from 2. until the new loomd's worker began forwarding
 *     (its status: CLOCK_MONOTONIC, one clock for both processes); then
 *     each VM host's vhost-user port, which loomd reconnects to its QEMU,
 *     until its link is up.
 *
 * A change file that is damaged or refused is named with its problem and
 * skipped; the exit status is then 1 (the fabric forwards, but not quite
 * as before). docs/RESTART.md.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "fabric_cmds.h"
#include "loomd_process.h"
#include "qemu_launch.h"
#include "xdp_leftover.h"

/* vhost-user: DPDK's client retries its connection every second; a guest
 * under TCG on a loaded machine takes a few more to renegotiate. */
#define VM_LINK_TIMEOUT_MS 30000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* 1: what loomd serves must still be there. 0, or -1 with the problem printed. */
static int check_hosts(json_t *state)
{
	json_t *v;
	size_t i;
	char path[300];
	struct stat st;

	if (access(LOOM_CONFIG_FILE, R_OK) < 0) {
		fprintf(stderr, "loomctl: %s: %s: cannot restart loomd without its configuration; 'loomctl down', then "
			"'loomctl up FILE'\n", LOOM_CONFIG_FILE, strerror(errno));
		return -1;
	}
	json_array_foreach(json_object_get(state, "namespaces"), i, v) {
		const char *ns = json_string_value(v);

		snprintf(path, sizeof(path), "/run/netns/%s", ns ? ns : "");
		if (!ns || stat(path, &st) < 0) {
			fprintf(stderr, "loomctl: host namespace %s is gone (%s): the fabric cannot come back as it was; "
				"'loomctl down', then 'loomctl up FILE'\n", ns ? ns : "(unnamed)", path);
			return -1;
		}
	}
	json_array_foreach(json_object_get(state, "veths"), i, v) {
		const char *veth = json_string_value(v);

		if (!veth || !if_nametoindex(veth)) {
			fprintf(stderr, "loomctl: host interface %s is gone: the fabric cannot come back as it was; "
				"'loomctl down', then 'loomctl up FILE'\n", veth ? veth : "(unnamed)");
			return -1;
		}
	}
	json_array_foreach(json_object_get(state, "vms"), i, v) {
		const char *dir = json_string_value(json_object_get(v, "run_dir"));

		if (!dir || loom_vm_running(dir) <= 0)
			fprintf(stderr, "loomctl: VM host %s: its QEMU is gone; its port stays down ('loomctl down' and "
				"'loomctl up FILE' start it again)\n",
				json_string_value(json_object_get(v, "host")) ?: "?");
	}
	return 0;
}

/* 3: the veths of a killed loomd's af_xdp ports. */
static void detach_xdp(json_t *state, pid_t old)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(state, "veths"), i, v) {
		char what[512];
		int n = xdp_leftover_detach(json_string_value(v), what, sizeof(what));

		if (n > 0)
			printf("detached from %s the XDP %s left by loomd pid %d\n", json_string_value(v), what, (int)old);
		else if (n < 0)
			fprintf(stderr, "loomctl: %s (the new loomd's af_xdp port on it may not open)\n", what);
	}
}

/* 4-5: the new loomd's status once its worker forwards; NULL after 10 s. */
static json_t *wait_forwarding(void)
{
	char err[256];

	for (int i = 0; i < 1000; i++) {
		json_t *r = ctl_call(LOOM_SOCKET, "status", NULL, err, sizeof(err));

		if (r && json_integer_value(json_object_get(r, "forwarding_since_monotonic_ns")))
			return r;
		json_decref(r);
		sleep_ms(10);
	}
	return NULL;
}

static double startup_ms(json_t *status, const char *step)
{
	return json_number_value(json_object_get(json_object_get(status, "startup_ms"), step));
}

/* Print what the start re-applied and skipped; the number skipped. */
static size_t report_changes(json_t *status)
{
	json_t *ch = json_object_get(status, "changes"), *e;
	size_t i, skipped = json_array_size(json_object_get(ch, "skipped"));

	if (!ch) {
		fprintf(stderr, "loomctl: the new loomd keeps no live changes (it was started without --changes-dir?)\n");
		return 0;
	}
	printf("live changes re-applied: %" JSON_INTEGER_FORMAT " (from %s)\n",
	       json_integer_value(json_object_get(ch, "replayed")), json_string_value(json_object_get(ch, "dir")));
	json_array_foreach(json_object_get(ch, "skipped"), i, e)
		fprintf(stderr, "loomctl: live change %s: %s; not re-applied (remove the file, or make the change again)\n",
			json_string_value(json_object_get(e, "file")), json_string_value(json_object_get(e, "error")));
	return skipped;
}

/* 5: the VM hosts' vhost-user ports: up once loomd has reconnected to the
 * QEMU (a dead QEMU's never). */
static void wait_vm_links(uint64_t t0)
{
	char err[256];
	uint64_t deadline = mono_ns() + (uint64_t)VM_LINK_TIMEOUT_MS * 1000000ull;
	char done[64][64]; /* ports whose link came up: printed once */
	int pending, n_done = 0;

	do {
		json_t *st = ctl_call(LOOM_SOCKET, "status", NULL, err, sizeof(err)), *sw, *p;
		size_t i, j;

		pending = 0;
		json_array_foreach(json_object_get(st, "switches"), i, sw)
			json_array_foreach(json_object_get(sw, "ports"), j, p) {
				const char *dev = json_string_value(json_object_get(p, "devargs")) ?: "";

				if (strncmp(dev, "net_vhost", 9) != 0 || !json_object_get(p, "link_up"))
					continue;
				if (json_is_true(json_object_get(p, "link_up"))) {
					json_t *seen = json_object_get(p, "name");
					bool printed = false;

					for (int k = 0; k < n_done; k++)
						printed = printed || strcmp(done[k], json_string_value(seen)) == 0;
					if (!printed && n_done < 64) {
						snprintf(done[n_done++], sizeof(done[0]), "%s", json_string_value(seen));
						printf("VM host link %s:%" JSON_INTEGER_FORMAT " (%s) up %.0f ms after the restart "
						       "began\n", json_string_value(json_object_get(sw, "name")),
						       json_integer_value(json_object_get(p, "index")), json_string_value(seen),
						       (double)(mono_ns() - t0) / 1e6);
					}
				} else {
					pending++;
				}
			}
		json_decref(st);
		if (pending)
			sleep_ms(20);
	} while (pending && mono_ns() < deadline);
	if (pending)
		fprintf(stderr, "loomctl: %d VM host link(s) still down %d s after the restart began\n", pending,
			VM_LINK_TIMEOUT_MS / 1000);
}

int fabric_bring_back(json_t *state)
{
	pid_t old = loomd_recorded_pid(state), pid;
	const char *fabric = json_string_value(json_object_get(state, "fabric")) ?: "?";
	uint64_t t0, stopped, since;
	json_t *status;
	size_t skipped;

	if (check_hosts(state) < 0)
		return 1;
	t0 = mono_ns();
	if (loomd_pid_alive(old)) {
		loomd_stop(old);
		if (loomd_pid_alive(old)) {
			fprintf(stderr, "loomctl: loomd (pid %d) does not stop; nothing restarted\n", (int)old);
			return 1;
		}
		stopped = mono_ns();
		printf("loomd (pid %d) stopped in %.0f ms\n", (int)old, (double)(stopped - t0) / 1e6);
	} else {
		printf("loomd (pid %d) was not running (killed or crashed): its leftovers are removed\n", (int)old);
		stopped = t0;
	}
	loomd_remove_runtime_dir(old);
	detach_xdp(state, old);

	/* the worker's scheduling `up` asked for (--worker-priority), if any */
	pid = loomd_start(true, json_string_value(json_object_get(state, "worker_priority")));
	json_object_set_new(state, "pid", json_integer(pid));
	fabric_state_save(state);
	if (pid < 0 || loomd_wait(pid) < 0) {
		loomd_print_log_tail();
		fprintf(stderr, "loomctl: the hosts are kept: fix the problem and 'loomctl restart', or 'loomctl down'\n");
		return 1;
	}
	status = wait_forwarding();
	if (!status) {
		fprintf(stderr, "loomctl: the new loomd (pid %d) answers but does not say it forwards\n", (int)pid);
		return 1;
	}
	since = (uint64_t)json_integer_value(json_object_get(status, "forwarding_since_monotonic_ns"));
	skipped = report_changes(status);
	printf("outage: %.0f ms (from the restart's start until the new loomd forwarded: stopping %.0f ms, then loomd's "
	       "start %.0f ms of which EAL %.0f, configuration %.0f, ports %.0f, live changes %.0f)\n",
	       since > t0 ? (double)(since - t0) / 1e6 : 0.0, (double)(stopped - t0) / 1e6,
	       since > stopped ? (double)(since - stopped) / 1e6 : 0.0, startup_ms(status, "eal"),
	       startup_ms(status, "configuration"), startup_ms(status, "ports"), startup_ms(status, "live_changes"));
	json_decref(status);
	if (json_array_size(json_object_get(state, "vms")))
		wait_vm_links(t0);
	printf("fabric %s restarted: loomd pid %d, %zu host namespace(s) and %zu VM host(s) kept (log %s)\n", fabric,
	       (int)pid, json_array_size(json_object_get(state, "namespaces")),
	       json_array_size(json_object_get(state, "vms")), LOOM_LOOMD_LOG);
	if (skipped) {
		fprintf(stderr, "loomctl: %zu live change(s) not re-applied (above): the fabric forwards, but not as "
			"before the restart\n", skipped);
		return 1;
	}
	return 0;
}

int cmd_restart(void)
{
	json_error_t jerr;
	json_t *state;
	int rc;

	if (access(LOOM_STATE_FILE, F_OK) < 0) {
		fprintf(stderr, "loomctl restart: no fabric is up (no %s): nothing to restart; 'loomctl up FILE' brings "
			"one up\n", LOOM_STATE_FILE);
		return 1;
	}
	state = json_load_file(LOOM_STATE_FILE, 0, &jerr);
	if (!state || !json_is_object(state) || !json_is_integer(json_object_get(state, "pid")) ||
	    !json_is_array(json_object_get(state, "namespaces")) || !json_is_array(json_object_get(state, "veths"))) {
		if (state)
			fprintf(stderr, "loomctl restart: %s: not the state of a fabric (pid, namespaces, veths)\n",
				LOOM_STATE_FILE);
		else
			fprintf(stderr, "loomctl restart: %s:%d: %s\n", LOOM_STATE_FILE, jerr.line, jerr.text);
		fprintf(stderr, "loomctl restart: cannot restart; 'loomctl down' removes what it can\n");
		json_decref(state);
		return 1;
	}
	rc = fabric_bring_back(state);
	json_decref(state);
	return rc;
}
