/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loomctl trace and loomctl capture (docs/TRACE.md): requests to loomd's
 * trace_* and capture_* commands. A capture's frames come back over the
 * control socket and this process writes the pcapng file (or standard
 * output), so loomd never opens a path a user named.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "loom_output_file.h"
#include "pcapng_write.h"
#include "trace_cmds.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* SWITCH or SWITCH:PORT into `extra`: 0, or -1 after saying why. */
static int put_switch_port(json_t *extra, const char *arg, const char *cmd, int port_required)
{
	const char *colon = strrchr(arg, ':');
	char name[64];
	char *end;
	long port;

	if (!colon) {
		if (port_required) {
			fprintf(stderr, "loomctl %s: expected SWITCH:PORT, not '%s'\n", cmd, arg);
			return -1;
		}
		json_object_set_new(extra, "switch", json_string(arg));
		return 0;
	}
	port = strtol(colon + 1, &end, 10);
	if ((size_t)(colon - arg) >= sizeof(name) || colon == arg || *end || colon[1] == '\0' || port < 0 || port > 65535) {
		fprintf(stderr, "loomctl %s: expected SWITCH:PORT (port a number), not '%s'\n", cmd, arg);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon - arg), arg);
	json_object_set_new(extra, "switch", json_string(name));
	json_object_set_new(extra, "port", json_integer(port));
	return 0;
}

static int count_arg(const char *v, const char *cmd, long long *out)
{
	char *end;

	*out = strtoll(v, &end, 10);
	if (*end || end == v || *out < 0) {
		fprintf(stderr, "loomctl %s: --count wants a number, not '%s'\n", cmd, v);
		return -1;
	}
	return 0;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *proto_name(long long p)
{
	return p == 17 ? "udp" : p == 6 ? "tcp" : p == 1 ? "icmp" : p == 58 ? "icmp6" : NULL;
}

static void print_event(json_t *e, long long t0)
{
	const char *stage = str(e, "stage");

	printf("  %10.3f us  %-8s %-9s port %lld (%s)", (double)(num(e, "t_ns") - t0) / 1e3, str(e, "switch"), stage,
	       num(e, "port"), str(e, "port_name"));
	if (strcmp(stage, "rx") == 0) {
		printf(": %lld bytes %s ttl %lld ecn %lld", num(e, "len"), str(e, "l3"), num(e, "ttl"), num(e, "ecn"));
	} else if (strcmp(stage, "route") == 0) {
		if (json_is_null(json_object_get(e, "group")))
			printf(": no route");
		else
			printf(": group %lld (%lld members)", num(e, "group"), num(e, "members"));
		if (json_object_get(e, "ttl_out"))
			printf(", ttl -> %lld", num(e, "ttl_out"));
	} else if (strcmp(stage, "lb") == 0) {
		json_t *q = json_object_get(e, "member_queued_bytes"), *v;
		size_t i;

		printf(": %s hash 0x%08llx -> member %lld of %lld, port %lld (%s); members' queues", str(e, "policy"),
		       num(e, "hash"), num(e, "member"), num(e, "members"), num(e, "next_port"), str(e, "next_port_name"));
		json_array_foreach(q, i, v)
			printf("%s%lld", i ? "/" : " ", (long long)json_integer_value(v));
		printf(" B");
		if (json_object_size(json_object_get(e, "policy_inputs"))) {
			const char *k;

			printf(";");
			json_object_foreach(json_object_get(e, "policy_inputs"), k, v)
				printf(" %s %lld", k, (long long)json_integer_value(v));
		}
	} else if (strcmp(stage, "enqueue") == 0) {
		json_t *cls = json_object_get(e, "class");

		if (json_is_string(cls))
			printf(": fifo");
		else
			printf(": class %lld", (long long)json_integer_value(cls));
		printf(", depth %lld pkts %lld B%s%s%s%s", num(e, "depth_packets"), num(e, "depth_bytes"), json_is_true(json_object_get(e, "admitted")) ? "" : ", refused",
		       json_is_true(json_object_get(e, "ecn_marked")) ? ", ECN marked" : "",
		       json_is_true(json_object_get(e, "pfc_paused")) ? ", class paused by PFC" : "",
		       json_is_true(json_object_get(e, "pfc_xoff_sent")) ? ", XOFF sent upstream" : "");
	} else if (strcmp(stage, "drop") == 0) {
		printf(": %s", str(e, "reason"));
	} else if (strcmp(stage, "voq") == 0) {
		printf(": VOQ to %s port %lld class %lld, depth %lld B", str(e, "to_leaf"), num(e, "to_port"),
		       num(e, "class"), num(e, "voq_depth_bytes"));
	} else if (strcmp(stage, "cells") == 0) {
		json_t *up = json_object_get(e, "uplinks"), *v;
		size_t i;

		printf(": %lld cells from seq %lld, uplinks", num(e, "cells"), num(e, "first_seq"));
		json_array_foreach(up, i, v)
			printf("%s%lld", i ? "," : " ", (long long)json_integer_value(v));
	} else if (strcmp(stage, "cell_rx") == 0) {
		printf(": cell seq %lld", num(e, "seq"));
	}
	printf("\n");
}

static void print_trace(json_t *r)
{
	json_t *pkts = json_object_get(r, "packets"), *p;
	size_t i;

	printf("trace at %s", str(r, "switch"));
	if (num(r, "port") >= 0)
		printf(":%lld", num(r, "port"));
	printf(", %lld of %lld packets%s%s%s, %s\n", num(r, "traced"), num(r, "count"), *str(r, "match") ? ", match '" : "",
	       str(r, "match"), *str(r, "match") ? "'" : "", json_is_true(json_object_get(r, "on")) ? "on" : "stopped");
	json_array_foreach(pkts, i, p) {
		json_t *ev = json_object_get(p, "events"), *e;
		const char *proto = proto_name(num(p, "proto"));
		long long t0 = json_array_size(ev) ? num(json_array_get(ev, 0), "t_ns") : 0;
		size_t j;

		printf("packet %lld: %s %s -> %s", num(p, "id"), str(p, "l3"), str(p, "src"), str(p, "dst"));
		if (proto)
			printf(" %s", proto);
		else
			printf(" proto %lld", num(p, "proto"));
		if (num(p, "sport") || num(p, "dport"))
			printf(" %lld -> %lld", num(p, "sport"), num(p, "dport"));
		printf(": %s (t0 = %lld ns)\n", str(p, "end"), t0);
		json_array_foreach(ev, j, e)
			print_event(e, t0);
		if (num(p, "events_lost"))
			printf("  (%lld events not kept: the last one shows the latest)\n", num(p, "events_lost"));
	}
}

int cmd_trace(int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "";
	json_t *extra = json_object(), *r;
	const char *at = NULL;
	bool as_json = false;

	if (strcmp(sub, "start") == 0) {
		for (int i = 1; i < argc; i++) {
			long long count;

			if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
				if (count_arg(argv[++i], "trace start", &count) < 0)
					goto usage;
				json_object_set_new(extra, "count", json_integer(count));
			} else if (strcmp(argv[i], "--match") == 0 && i + 1 < argc) {
				json_object_set_new(extra, "match", json_string(argv[++i]));
			} else if (argv[i][0] != '-' && !at) {
				at = argv[i];
			} else {
				fprintf(stderr, "loomctl trace start: unexpected '%s'\n", argv[i]);
				goto usage;
			}
		}
		if (!at || put_switch_port(extra, at, "trace start", 0) < 0)
			goto usage;
		r = ctl_call_or_report("trace_start", extra);
		if (!r)
			return 1;
		printf("tracing the next %lld packets at %s%s%s%s\n", num(r, "count"), str(r, "switch"),
		       *str(r, "match") ? " matching '" : "", str(r, "match"), *str(r, "match") ? "'" : "");
		json_decref(r);
		return 0;
	}
	if (strcmp(sub, "show") == 0 || strcmp(sub, "stop") == 0) {
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0 && sub[1] == 'h') {
				as_json = true;
			} else {
				fprintf(stderr, "loomctl trace %s: unexpected '%s'\n", sub, argv[i]);
				goto usage;
			}
		}
		r = ctl_call_or_report(sub[1] == 'h' ? "trace_show" : "trace_stop", extra);
		if (!r)
			return 1;
		if (as_json)
			ctl_print_json(r);
		else if (sub[1] == 'h')
			print_trace(r);
		else
			printf("trace stopped: %lld packets traced\n", num(r, "packets"));
		json_decref(r);
		return 0;
	}
usage:
	json_decref(extra);
	fprintf(stderr, "usage: loomctl trace start SWITCH[:PORT] [--count N] [--match EXPR]\n"
			"       loomctl trace show [--json]\n"
			"       loomctl trace stop\n");
	return 2;
}

static int write_frames(FILE *out, json_t *frames, uint64_t zero_ns)
{
	json_t *fr;
	size_t i;
	uint8_t buf[4096];

	json_array_foreach(frames, i, fr) {
		const char *hex = str(fr, "data");
		size_t n = strlen(hex) / 2;

		if (n > sizeof(buf))
			n = sizeof(buf);
		for (size_t k = 0; k < n; k++) {
			unsigned int v;

			if (sscanf(hex + 2 * k, "%2x", &v) != 1)
				return -1;
			buf[k] = (uint8_t)v;
		}
		if (pcapng_write_packet(out, 0, zero_ns + (uint64_t)num(fr, "t_ns"), buf, (uint32_t)n,
					(uint32_t)num(fr, "len"),
					strcmp(str(fr, "dir"), "rx") == 0 ? PCAPNG_DIR_IN : PCAPNG_DIR_OUT) < 0)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}

int cmd_capture(int argc, char **argv)
{
	const char *at = NULL, *file = NULL;
	json_t *extra = json_object(), *r, *id;
	struct sigaction sa = {.sa_handler = on_signal};
	uint64_t zero_ns;
	long long frames = 0, lost = 0;
	char err[512], desc[160];
	FILE *out;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		long long count;

		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if (count_arg(argv[++i], "capture", &count) < 0)
				goto usage;
			json_object_set_new(extra, "count", json_integer(count));
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			json_object_set_new(extra, "dir", json_string(argv[++i]));
		} else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
			json_object_set_new(extra, "filter", json_string(argv[++i]));
		} else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (argv[i][0] != '-' && !at) {
			at = argv[i];
		} else {
			fprintf(stderr, "loomctl capture: unexpected '%s'\n", argv[i]);
			goto usage;
		}
	}
	if (!at || !file) {
		fprintf(stderr, "loomctl capture: needs SWITCH:PORT and -w FILE (or -w - for standard output)\n");
		goto usage;
	}
	if (put_switch_port(extra, at, "capture", 1) < 0)
		goto usage;
	/* loomd first: a request it refuses touches no file */
	r = ctl_call_or_report("capture_start", extra);
	if (!r)
		return 1;
	id = json_pack("{s:I}", "id", (json_int_t)num(r, "id"));
	if (strcmp(file, "-") == 0) {
		out = stdout;
	} else if (!(out = loom_output_open(file, LOOM_OUTPUT_SHARED, err, sizeof(err)))) {
		fprintf(stderr, "loomctl capture: %s\n", err);
		json_decref(ctl_call(LOOM_SOCKET, "capture_stop", id, err, sizeof(err)));
		json_decref(r);
		return 1;
	}
	zero_ns = (uint64_t)num(r, "clock_zero_wall_ns");
	snprintf(desc, sizeof(desc), "loom link %s, %s%s%s", str(r, "interface"), str(r, "dir"),
		 *str(r, "filter") ? ", filter " : "", str(r, "filter"));
	if (pcapng_write_section(out, "loomctl capture") < 0 ||
	    pcapng_write_interface(out, str(r, "interface"), desc, 65535) < 0 || fflush(out) != 0) {
		fprintf(stderr, "loomctl capture: cannot write %s\n", out == stdout ? "standard output" : file);
		rc = 1;
	}
	if (out != stdout)
		fprintf(stderr, "loomctl capture: %s (%s) into %s; Ctrl-C ends it\n", str(r, "interface"), str(r, "dir"),
			file);
	json_decref(r);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a reader that went away: EPIPE, then stop */
	while (rc == 0 && !interrupted) {
		json_t *rd = ctl_call(LOOM_SOCKET, "capture_read", json_incref(id), err, sizeof(err));
		json_t *fr;

		if (!rd) {
			fprintf(stderr, "loomctl capture: %s\n", err);
			rc = 1;
			break;
		}
		fr = json_object_get(rd, "frames");
		frames += (long long)json_array_size(fr);
		lost = num(rd, "lost");
		if (write_frames(out, fr, zero_ns) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "loomctl capture: cannot write %s\n", out == stdout ? "standard output" : file);
			rc = errno == EPIPE ? 0 : 1;
			json_decref(rd);
			break;
		}
		if (json_is_true(json_object_get(rd, "done"))) {
			json_decref(rd);
			break;
		}
		if (json_array_size(fr) == 0) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		json_decref(rd);
	}
	r = ctl_call(LOOM_SOCKET, "capture_stop", id, err, sizeof(err));
	json_decref(r);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "loomctl capture: cannot write %s\n", file);
		rc = 1;
	}
	fprintf(stderr, "loomctl capture: %lld frames%s", frames, lost ? "" : "\n");
	if (lost)
		fprintf(stderr, ", %lld lost (the reader fell behind)\n", lost);
	return rc;
usage:
	json_decref(extra);
	fprintf(stderr, "usage: loomctl capture SWITCH:PORT [--dir rx|tx|both] [--count N] [--filter EXPR] -w FILE|-\n");
	return 2;
}
