/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Observation of a fabric (trace/observe.h): set up with the fabric, and,
 * in a virtual-time run, the configuration's `trace` and `captures`
 * (docs/TRACE.md) started at t = 0: the trace goes into the results, each
 * capture into its pcapng file with virtual time stamps, written here as
 * the frames come (files created without following symlinks, with the
 * size cap of every growing output file).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "trace_spec.h"
#include "loom_output_file.h"
#include "loomd_config_read.h"
#include "pcapng_write.h"

struct capture_file {
	FILE *f;
	char *mem; /* in memory (loom_observe_captures_in_memory): f is its open_memstream */
	size_t mem_len;
	struct loom_output_cap cap;
	uint64_t frames;
	bool failed;
	char path[256];
	char link[96];
};

static void capture_file_write(void *ctx, const struct loom_capture_slot *s)
{
	struct capture_file *cf = ctx;

	if (!cf->f || cf->failed || !loom_output_cap_take(&cf->cap, pcapng_packet_size(s->caplen)))
		return;
	if (pcapng_write_packet(cf->f, 0, s->t, s->data, s->caplen, s->len,
				s->dir == LOOM_CAP_RX ? PCAPNG_DIR_IN : PCAPNG_DIR_OUT) < 0) {
		fprintf(stderr, "loomd: capture %s: cannot write\n", cf->path);
		cf->failed = true;
		return;
	}
	cf->frames++;
}

/* Another process (MPI rank 0) writes the files: this one keeps its frames in memory. */
static bool g_in_memory;

void loom_observe_captures_in_memory(bool on) { g_in_memory = on; }

static int fail(char *err, size_t errlen, const char *what, const char *msg)
{
	snprintf(err, errlen, "%s: %s", what, msg);
	return -1;
}

static int load_trace(struct loom_fabric *f, json_t *v, struct loom_trace **out, char *err, size_t errlen)
{
	const char *sw = NULL, *match = "";
	json_int_t port = -1, count = 1;
	char msg[400];

	if (loomd_cfg_string(v, LOOMD_TRACE_SWITCH, &sw, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(v, LOOMD_TRACE_PORT, -1, &port, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(v, LOOMD_TRACE_COUNT, 1, &count, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(v, LOOMD_TRACE_MATCH, &match, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "trace", msg);
	*out = loom_trace_new(f, sw, port, count, match ? match : "", msg, sizeof(msg));
	return *out ? 0 : fail(err, errlen, "trace", msg);
}

static int load_capture(struct loom_fabric *f, json_t *v, bool open_files, struct loom_capture *cap,
			char *err, size_t errlen)
{
	const char *sw = NULL, *dir = "both", *filter = "", *file = NULL;
	json_int_t port = -1, count = 0;
	struct capture_file *cf;
	char msg[400], desc[200];
	int si = -1;

	if (loomd_cfg_string(v, LOOMD_CAPTURE_SWITCH, &sw, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(v, LOOMD_CAPTURE_PORT, -1, &port, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(v, LOOMD_CAPTURE_DIR, &dir, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_int(v, LOOMD_CAPTURE_COUNT, 0, &count, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(v, LOOMD_CAPTURE_FILTER, &filter, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_string(v, LOOMD_CAPTURE_FILE, &file, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "captures", msg);
	for (uint16_t s = 0; sw && s < f->n_switches; s++)
		if (strcmp(f->switches[s].name, sw) == 0)
			si = s;
	if (si < 0 || port < 0 || port >= f->switches[si].n_ports || f->links[si][port].kind == LOOM_LINK_NONE)
		return fail(err, errlen, "captures", "switch and port must name a port with a link");
	if (!file || !*file || strlen(file) >= sizeof(cf->path) || count < 0)
		return fail(err, errlen, "captures", "file must be a path of at most 255 bytes, count >= 0");
	dir = dir ? dir : "both";
	cap->dir = strcmp(dir, "rx") == 0 ? LOOM_CAP_RX : strcmp(dir, "tx") == 0 ? LOOM_CAP_TX
						       : strcmp(dir, "both") == 0 ? LOOM_CAP_RX | LOOM_CAP_TX : 0;
	if (!cap->dir)
		return fail(err, errlen, "captures", "dir is rx, tx or both");
	if (loom_filter_compile(filter ? filter : "", &cap->filter, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "captures: filter", msg);
	cap->filtered = cap->filter.node[cap->filter.root].op != LOOM_F_TRUE;
	/* the switch's topology id, as the worker compares it (observe.c), not
	 * its index here: a loomd that runs part of a fabric holds its
	 * switches at other indices (the trace mistake, mended in ctl_trace.c) */
	cap->sw = f->switches[si].id;
	cap->port = (uint16_t)port;
	cap->count = (uint64_t)count;
	if (!open_files)
		return 0;
	cf = calloc(1, sizeof(*cf));
	if (!cf)
		return fail(err, errlen, "captures", "out of memory");
	snprintf(cf->path, sizeof(cf->path), "%s", file);
	loom_capture_link_name(&f->switches[si], cap->port, cf->link, sizeof(cf->link));
	loom_output_cap_init(&cf->cap, LOOM_OUTPUT_DEFAULT_MAX_BYTES, cf->path);
	if (g_in_memory) { /* the frames only, no header: rank 0's file has it (loomd_mpi_observe.c) */
		cf->f = open_memstream(&cf->mem, &cf->mem_len);
		if (!cf->f) {
			free(cf);
			return fail(err, errlen, "captures", "out of memory");
		}
		cap->sink = capture_file_write;
		cap->sink_ctx = cf;
		return 0;
	}
	/* 0644, no symlink followed: users read captures */
	cf->f = loom_output_open(file, LOOM_OUTPUT_SHARED, msg, sizeof(msg));
	if (!cf->f) {
		free(cf);
		return fail(err, errlen, "captures", msg);
	}
	snprintf(desc, sizeof(desc), "loom link %s, %s, virtual time", cf->link, dir);
	if (pcapng_write_section(cf->f, "loomd virtual-time capture") < 0 ||
	    pcapng_write_interface(cf->f, cf->link, desc, LOOM_CAPTURE_SNAP) < 0) {
		fclose(cf->f);
		free(cf);
		return fail(err, errlen, file, "cannot write the pcapng header");
	}
	cap->sink = capture_file_write;
	cap->sink_ctx = cf;
	return 0;
}

int loom_observe_load(struct loom_fabric *f, json_t *root, bool check_only, char *err, size_t errlen)
{
	struct loom_trace *trace = NULL;
	struct loom_capture caps[LOOM_CAPTURES_MAX];
	json_t *tv = NULL, *cv = NULL, *e;
	char msg[400];
	size_t i, n_caps = 0;

	memset(caps, 0, sizeof(caps));
	if (loomd_cfg_get(root, LOOMD_ROOT_TRACE, &tv, msg, sizeof(msg)) < 0 ||
	    loomd_cfg_get(root, LOOMD_ROOT_CAPTURES, &cv, msg, sizeof(msg)) < 0)
		return fail(err, errlen, "trace/captures", msg);
	if ((tv || cv) && f->clock_mode != LOOM_CLOCK_VIRTUAL)
		return fail(err, errlen, "trace/captures",
			    "virtual time only (in real time: loomctl trace, loomctl capture)");
	if (cv && json_array_size(cv) > LOOM_CAPTURES_MAX)
		return fail(err, errlen, "captures", "at most 4");
	if (tv && load_trace(f, tv, &trace, err, errlen) < 0)
		return -1;
	json_array_foreach(cv, i, e) {
		if (load_capture(f, e, !check_only, &caps[n_caps], err, errlen) < 0)
			goto fail;
		caps[n_caps].on = true;
		n_caps++;
	}
	if (check_only) {
		free(trace);
		return 0;
	}
	if (loom_observe_create(f, &f->observe, err, errlen) < 0)
		goto fail;
	for (i = 0; i < n_caps; i++) {
		caps[i].id = f->observe->next_capture_id++;
		f->observe->cap[i] = caps[i];
	}
	if (trace) {
		trace->session = f->observe->next_session++;
		f->observe->trace = trace;
	}
	loom_observe_apply(f->observe);
	return 0;
fail:
	for (i = 0; i < n_caps; i++) {
		struct capture_file *cf = caps[i].sink_ctx;

		if (cf) {
			fclose(cf->f);
			free(cf->mem);
			free(cf);
		}
	}
	free(trace);
	return -1;
}

/* Close the capture files; with `results`, say what each holds. */
static json_t *close_captures(struct loom_observe *o, bool results)
{
	json_t *a = results ? json_array() : NULL;

	for (int i = 0; i < LOOM_CAPTURES_MAX; i++) {
		struct loom_capture *c = &o->cap[i];
		struct capture_file *cf = c->sink == capture_file_write ? c->sink_ctx : NULL;
		bool ok;

		if (!cf)
			continue;
		ok = fclose(cf->f) == 0 && !cf->failed; /* closed even after a failed write */
		if (!ok)
			fprintf(stderr, "loomd: capture %s: cannot write\n", cf->path);
		free(cf->mem);
		if (a)
			json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:b, s:b}", "link", cf->link, "file", cf->path,
							   "frames", (json_int_t)cf->frames, "size_cap_reached",
							   cf->cap.full, "written", ok));
		free(cf);
		c->sink = NULL;
		c->sink_ctx = NULL;
		c->on = false;
	}
	return a;
}

static struct capture_file *capture_file_at(struct loom_fabric *f, int i)
{
	struct loom_capture *c = f->observe && i >= 0 && i < LOOM_CAPTURES_MAX ? &f->observe->cap[i] : NULL;

	return c && c->sink == capture_file_write ? c->sink_ctx : NULL;
}

int loom_observe_capture_part(struct loom_fabric *f, int i, struct loom_capture_part *out)
{
	struct capture_file *cf = capture_file_at(f, i);

	if (!cf)
		return -1;
	*out = (struct loom_capture_part){.frames = cf->frames, .full = cf->cap.full, .failed = cf->failed};
	for (uint16_t s = 0; s < f->n_switches; s++)
		if (f->switches[s].id == f->observe->cap[i].sw)
			out->sw = s;
	if (g_in_memory) {
		if (fflush(cf->f) != 0) /* open_memstream: mem and mem_len are current after it */
			out->failed = true;
		out->bytes = cf->mem;
		out->len = cf->mem_len;
	}
	return 0;
}

int loom_observe_capture_add(struct loom_fabric *f, int i, const struct loom_capture_part *p)
{
	struct capture_file *cf = capture_file_at(f, i);

	if (!cf || g_in_memory)
		return -1;
	if (p->len && !cf->failed && fwrite(p->bytes, 1, p->len, cf->f) != p->len) {
		fprintf(stderr, "loomd: capture %s: cannot write\n", cf->path);
		cf->failed = true;
	}
	cf->frames += p->frames;
	cf->cap.full |= p->full;
	cf->failed |= p->failed;
	return 0;
}

void loom_observe_results(struct loom_fabric *f, json_t *out)
{
	struct loom_observe *o = f->observe;
	json_t *caps;

	if (!o)
		return;
	if (o->trace)
		json_object_set_new(out, "trace", loom_trace_json(f, o->trace));
	caps = close_captures(o, true);
	if (json_array_size(caps))
		json_object_set_new(out, "captures", caps);
	else
		json_decref(caps);
}

void loom_observe_unload(struct loom_fabric *f)
{
	if (!f->observe)
		return;
	json_decref(close_captures(f->observe, false));
	loom_observe_free(f->observe);
	f->observe = NULL;
}
